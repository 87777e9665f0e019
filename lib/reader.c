#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csv.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "errors_p.h"
#include "loyal/errors.h"
#include "loyal/reader.h"
#include "decompress_p.h"
#include "reader_p.h"
#include "transcode_p.h"


/*
 * libcsv's realloc hook has no context pointer, so the field-size cap of the
 * parser being fed is kept per thread. Refusing the allocation makes libcsv
 * stop with CSV_ENOMEM, which next_row() turns into LOYAL_ETOOBIG.
 */
static _Thread_local size_t field_cap;
static _Thread_local int field_cap_hit;

static void *capped_realloc(void *p, size_t n)
{
	/* (written so that a cap near SIZE_MAX cannot wrap around) */
	if (field_cap && n > field_cap && n - field_cap > 2 * FIELD_STEP) {
		field_cap_hit = 1;
		return NULL;
	}
#ifdef __GLIBC__
	/* libcsv grows its field buffer by a fixed step; growing geometrically
	 * here keeps a very long field from costing quadratic time. */
	if (p && n <= malloc_usable_size(p))
		return p;
	if (p) {
		size_t have = malloc_usable_size(p);
		if (n < have * 2 && have <= SIZE_MAX / 2 &&
		    (!field_cap || have * 2 <= field_cap || have * 2 - field_cap <= 2 * FIELD_STEP))
			n = have * 2;
	}
#endif
	return realloc(p, n);
}

static int only_space(unsigned char c)
{
	return c == ' ';
}


int loyal__reader_reserve_fields(loyal_reader *r, size_t n)
{
	if (n <= r->fields_cap)
		return 0;
	size_t cap = r->fields_cap ? r->fields_cap : 16;
	while (cap < n)
		cap *= 2;
	size_t *o = realloc(r->offs, cap * sizeof(*o));
	if (!o)
		return loyal__error_oom();
	r->offs = o;
	size_t *l = realloc(r->lens, cap * sizeof(*l));
	if (!l)
		return loyal__error_oom();
	r->lens = l;
	r->fields_cap = cap;
	return 0;
}

static int arena_append(loyal_reader *r, const void *s, size_t len)
{
	if (r->arena_len + len + 1 > r->arena_cap) {
		size_t cap = r->arena_cap ? r->arena_cap : 4096;
		while (cap < r->arena_len + len + 1)
			cap *= 2;
		char *a = realloc(r->arena, cap);
		if (!a)
			return loyal__error_oom();
		r->arena = a;
		r->arena_cap = cap;
	}
	if (len)
		memcpy(r->arena + r->arena_len, s, len);
	r->arena[r->arena_len + len] = '\0';
	r->arena_len += len + 1;
	return 0;
}

/*
 * Record a problem confined to the current row: the row is still parsed to
 * its end, so the reader can go on with the next one. The first problem of
 * a row is the one reported.
 */
#define row_problem(r, code, col, ...) do { \
	if (!(r)->row_err) \
		(r)->row_err = loyal__error_at((code), (r)->name, (r)->line, (col), __VA_ARGS__); \
} while (0)

/*
 * Record text that is not valid UTF-8: in column `colname` of a row, or in
 * the header when colname is NULL. When the input is converted, the bytes
 * were not valid in its encoding; otherwise the likely encoding of the
 * bytes goes with the error (loyal_error_info.encoding).
 */
static int bad_text(loyal_reader *r, int code, uint64_t line, size_t col, const char *colname,
		    const void *s, size_t len)
{
	int error;

	if (r->tc) {
		const char *enc = loyal__transcode_name(r->tc);
		if (colname)
			return loyal__error_at(code, r->name, line, col, "column '%s' holds bytes "
					       "that are not valid %s", colname, enc);
		return loyal__error_at(code, r->name, line, col, "header name holds bytes that "
				       "are not valid %s", enc);
	}
	if (colname)
		error = loyal__error_at(code, r->name, line, col, "invalid UTF-8 in column '%s'",
					colname);
	else
		error = loyal__error_at(code, r->name, line, col, "invalid UTF-8 in header name");
	if (!r->guess)
		r->guess = loyal_encoding_guess(s, len);
	loyal__error_set_encoding(r->guess);
	return error;
}

static void on_field(void *s, size_t len, void *data)
{
	loyal_reader *r = data;
	size_t col = r->nfields;

	if (r->err)
		return;
	r->nfields++;
	if (len > r->max_field) {
		r->err = loyal__error_at(LOYAL_ETOOBIG, r->name, r->line, col + 1,
					 "field is longer than %zu bytes (the field size limit)",
					 r->max_field);
		return;
	}
	if (r->header_mode) {
		if (col >= LOYAL_READER_MAX_COLUMNS) {
			r->err = loyal__error_at(LOYAL_ETOOBIG, r->name, r->line, col + 1,
						 "%s has more than %d columns (the column limit)",
						 r->no_header ? "the first row" : "the header",
						 LOYAL_READER_MAX_COLUMNS);
			return;
		}
		if (s && memchr(s, '\0', len)) {
			r->err = loyal__error_at(LOYAL_ECSV, r->name, r->line, col + 1,
						 "NUL byte in field (is this a binary or UTF-16 file?)");
			return;
		}
		if ((r->err = loyal__reader_reserve_fields(r, col + 1)) < 0)
			return;
		r->offs[col] = r->arena_len;
		r->lens[col] = len;
		r->err = arena_append(r, s, len);
		return;
	}
	/* Extra fields are counted, and reported with the total at the row's end. */
	if (col >= r->ncols || r->row_err)
		return;
	if (r->nul_in_row && s && memchr(s, '\0', len)) {
		row_problem(r, LOYAL_ECSV, col + 1,
			    "NUL byte in field (is this a binary or UTF-16 file?)");
		return;
	}
	if (!r->used[col])
		return;
	if (!loyal_utf8_valid(s, len)) {
		if (!r->row_err)
			r->row_err = bad_text(r, LOYAL_EVALUE, r->line, col + 1, r->colnames[col],
					      s, len);
		return;
	}
	r->offs[col] = r->arena_len;
	r->lens[col] = len;
	r->err = arena_append(r, s, len);
}

static void on_row(int c, void *data)
{
	loyal_reader *r = data;
	(void)c;
	if (r->err)
		return;
	r->row_done = 1;
}

int loyal__reader_init_parser(loyal_reader *r)
{
	if (csv_init(&r->csv, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return loyal__error_oom();
	r->csv_ready = 1;
	csv_set_delim(&r->csv, r->delim);
	csv_set_space_func(&r->csv, only_space);
	csv_set_realloc_func(&r->csv, capped_realloc);
	/* libcsv grows its field buffer by blk_size at a time; a large step
	 * keeps long fields from costing quadratic time. */
	csv_set_blk_size(&r->csv, FIELD_STEP);
	return 0;
}

/* read(), or pread() within the range of a part. */
static ssize_t read_input(loyal_reader *r, void *dst, size_t n)
{
	ssize_t got;

	if (!r->ranged)
		return read(r->fd, dst, n);
	if (r->range_pos >= r->range_end)
		return 0;
	if (n > r->range_end - r->range_pos)
		n = (size_t)(r->range_end - r->range_pos);
	got = pread(r->fd, dst, n, (off_t)r->range_pos);
	if (got > 0)
		r->range_pos += (uint64_t)got;
	return got;
}

/* Decompressed bytes, as the converter's source. */
static int dz_source(void *ctx, unsigned char *dst, size_t cap, size_t *got)
{
	return loyal__dz_read(ctx, dst, cap, got);
}

/* Read up to cap bytes of input (decompressed, and converted to UTF-8 when
 * transcoding); *got is 0 only at the end. */
static int read_some(loyal_reader *r, unsigned char *dst, size_t cap, size_t *got)
{
	int error;

	if (r->tc || r->dz) {
		error = r->tc ? loyal__transcode_read(r->tc, dst, cap, got)
			      : loyal__dz_read(r->dz, dst, cap, got);
		if (error == LOYAL_EIO)
			return loyal__error_at(LOYAL_EIO, r->name, r->line, 0, "read error: %s",
					       strerror(errno));
		if (error == LOYAL_ECSV && r->dz)
			/* no line: the reader reads ahead of the rows it returns */
			return loyal__error_at(LOYAL_ECSV, r->name, 0, 0, "%s",
					       loyal__dz_reason(r->dz));
		if (error == LOYAL_ENOMEM)
			return loyal__error_oom();
		return error;
	}
	for (;;) {
		ssize_t n = read_input(r, dst, cap);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return loyal__error_at(LOYAL_EIO, r->name, r->line, 0,
					       "read error: %s", strerror(errno));
		}
		*got = (size_t)n;
		return 0;
	}
}

/* Read more input, keeping buf[keep_from..buf_len) at the start. */
static int refill(loyal_reader *r, size_t keep_from)
{
	size_t keep = r->buf_len - keep_from;

	int error;

	if (r->mem && !r->tc) {
		/* Buffer input is consumed in place: nothing to read. */
		r->eof = 1;
		return 0;
	}
	if (keep && keep_from)
		memmove(r->buf, r->buf + keep_from, keep);
	r->buf_len = keep;
	r->buf_pos = 0;
	while (r->buf_len < BLOCK_SIZE) {
		size_t n;
		if ((error = read_some(r, r->buf + r->buf_len, BLOCK_SIZE - r->buf_len, &n)) < 0)
			return error;
		if (n == 0) {
			r->eof = 1;
			break;
		}
		r->buf_len += n;
		/* One read is enough unless the block is nearly empty. */
		if (r->buf_len >= 4096)
			break;
	}
	return 0;
}

static int parse_error(loyal_reader *r, const unsigned char *seg, size_t seglen, size_t done)
{
	uint64_t col = r->nfields + 1;

	/* libcsv retries a refused allocation with smaller sizes, so
	 * field_cap_hit may be set while the parser went on: it only explains
	 * an allocation failure, never another error. */
	if (csv_error(&r->csv) == CSV_ENOMEM || csv_error(&r->csv) == CSV_ETOOBIG) {
		if (field_cap_hit)
			return loyal__error_at(LOYAL_ETOOBIG, r->name, r->row_line, col,
					       "field is longer than %zu bytes (the field size limit)",
					       r->max_field);
		return loyal__error_oom();
	}
	(void)seglen;
	if (seg && done < seglen && seg[done] == '"')
		return loyal__error_at(LOYAL_ECSV, r->name, r->line, col,
				       "stray quote: a quote inside an unquoted field "
				       "(quote the whole field and double the quote)");
	return loyal__error_at(LOYAL_ECSV, r->name, r->line, col,
			       "text after a closing quote (a field may not continue after its closing quote)");
}

static int feed(loyal_reader *r, const unsigned char *seg, size_t len)
{
	size_t done;

	field_cap = r->max_field;
	field_cap_hit = 0;
	done = csv_parse(&r->csv, seg, len, on_field, on_row, r);
	if (r->err)
		return r->err;
	if (done < len)
		return parse_error(r, seg, len, done);
	return 0;
}

static int finish_row(loyal_reader *r)
{
	if (r->header_mode) {
		size_t n = r->nfields;
		r->ncols = n;
		r->colnames = calloc(n, sizeof(char *));
		r->used = calloc(n, 1);
		if (!r->colnames || !r->used)
			return loyal__error_oom();
		for (size_t i = 0; i < n; i++) {
			const char *src = r->arena + r->offs[i];
			if (r->no_header) {
				char tmp[32];
				snprintf(tmp, sizeof(tmp), "%zu", i + 1);
				src = tmp;
				r->colnames[i] = strdup(src);
			} else {
				if (!loyal_utf8_valid(src, r->lens[i]))
					return bad_text(r, LOYAL_ECSV, r->row_line, i + 1, NULL, src,
							r->lens[i]);
				r->colnames[i] = strdup(src);
			}
			if (!r->colnames[i])
				return loyal__error_oom();
		}
		r->header_mode = 0;
		return 0;
	}
	/* A wrong number of fields is reported at the first missing or extra
	 * field, unless an earlier field of the row had a problem. */
	if (r->nfields != r->ncols && !r->row_err)
		r->row_err = loyal__error_at(LOYAL_ECSV, r->name, r->row_line,
					     (r->nfields < r->ncols ? r->nfields : r->ncols) + 1,
					     "row has %zu field%s, the %s has %zu", r->nfields,
					     r->nfields == 1 ? "" : "s",
					     r->no_header ? "first row" : "header", r->ncols);
	return r->row_err;
}

static int raw_append(loyal_reader *r, const unsigned char *s, size_t len)
{
	if (r->raw_len + len + 1 > r->raw_cap) {
		size_t cap = r->raw_cap ? r->raw_cap : 1024;
		while (cap < r->raw_len + len + 1)
			cap *= 2;
		char *a = realloc(r->raw, cap);
		if (!a)
			return loyal__error_oom();
		r->raw = a;
		r->raw_cap = cap;
	}
	memcpy(r->raw + r->raw_len, s, len);
	r->raw_len += len;
	return 0;
}

static void start_row(loyal_reader *r)
{
	r->nfields = 0;
	r->arena_len = 0;
	r->row_done = 0;
	r->row_err = 0;
	r->raw_len = 0;
	r->nul_in_row = 0;
	for (size_t i = 0; i < r->ncols; i++)
		r->offs[i] = SIZE_MAX;
}

/*
 * Feed libcsv one physical line at a time, so every callback knows the line
 * it is on. A line holds at most one row end, so a row is complete as soon
 * as on_row() has fired.
 */
static int next_row(loyal_reader *r)
{
	int error;

	start_row(r);
	for (;;) {
		if (r->buf_pos >= r->buf_len) {
			if (!r->eof && (error = refill(r, r->buf_len)) < 0)
				return error;
			if (r->buf_pos >= r->buf_len && r->eof) {
				/* A part of a split file ends where a row ends: anything
				 * else means the split was wrong, which the quote count
				 * that placed it rules out for valid CSV. Never guessed. */
				if (r->more_parts && (r->in_row || r->csv.pstate != CSV_STATE_ROW_NOT_BEGUN))
					return loyal__error_at(LOYAL_ERROR, r->name, r->line, 0,
							       "internal error: a part of the split file "
							       "ends inside a row (read it with one thread, -j 1)");
				field_cap = r->max_field;
				field_cap_hit = 0;
				if (csv_fini(&r->csv, on_field, on_row, r) != 0) {
					if (r->err)
						return r->err;
					if (csv_error(&r->csv) != CSV_EPARSE)
						return parse_error(r, NULL, 0, 0);
					return loyal__error_at(LOYAL_ECSV, r->name, r->row_line,
							       r->nfields + 1,
							       "quoted field is not closed before the end of the file");
				}
				if (r->err)
					return r->err;
				if (r->row_done)
					return 1;
				return 0;
			}
			continue;
		}

		const unsigned char *p = r->buf + r->buf_pos;
		size_t n = r->buf_len - r->buf_pos, i = 0, seglen;
		int term = 0;

		/* memchr is vectorised: far faster than a byte loop on long lines. */
		const unsigned char *nl = memchr(p, '\n', n);
		size_t upto = nl ? (size_t)(nl - p) : n;
		const unsigned char *cr = memchr(p, '\r', upto);
		i = cr ? (size_t)(cr - p) : upto;
		if (i == n) {
			seglen = n;
		} else if (p[i] == '\n') {
			seglen = i + 1;
			term = 1;
		} else if (i + 1 < n) {
			seglen = i + 1 + (p[i + 1] == '\n');
			term = 1;
		} else if (r->eof) {
			seglen = i + 1;
			term = 1;
		} else if (i > 0) {
			seglen = i; /* decide the CR once more input is in */
		} else {
			if ((error = refill(r, r->buf_pos)) < 0)
				return error;
			continue;
		}

		int was_in_row = r->in_row;
		size_t tlen = 0;
		if (term) {
			int crlf = seglen >= 2 && p[seglen - 1] == '\n' && p[seglen - 2] == '\r';
			tlen = crlf ? 2 : 1;
			r->line_ends[crlf ? 1 : p[seglen - 1] == '\n' ? 0 : 2]++;
		}
		if (!was_in_row)
			r->row_line = r->line;
		if ((r->keep_raw || r->header_mode) && (error = raw_append(r, p, seglen)) < 0)
			return error;
		/* One scan per line for NUL bytes; fields are searched only when
		 * their row holds one. */
		if (!r->nul_in_row && memchr(p, '\0', seglen))
			r->nul_in_row = 1;
		if ((error = feed(r, p, seglen)) < 0)
			return error;
		r->buf_pos += seglen;
		if (r->row_done) {
			r->in_row = 0;
			if (term)
				r->line++;
			r->raw_len -= r->raw_len >= tlen ? tlen : r->raw_len;
			return 1;
		}
		if (r->csv.pstate != CSV_STATE_ROW_NOT_BEGUN) {
			r->in_row = 1;
		} else if (term && !was_in_row) {
			r->blank_lines++;
			r->raw_len = 0;
		}
		if (term)
			r->line++;
	}
}

/* Count the candidate delimiters outside quotes on the first line of
 * p[0..n); returns whether that line ends within the n bytes. */
static const unsigned char delim_cand[] = { ',', ';', '\t', '|' };

/* Counts the candidate delimiters outside quotes on the first line that is
 * not blank (blank lines, empty or only spaces, are skipped as the reader
 * skips them). Returns 1 when that line ended within p[0..n). */
static int first_line_counts(const unsigned char *p, size_t n, size_t count[4])
{
	int quoted = 0;
	size_t start = 0;

	memset(count, 0, 4 * sizeof(size_t));
	for (;;) {
		size_t i = start;
		while (i < n && p[i] == ' ')
			i++;
		if (i == n)
			return 0;
		if (p[i] != '\n' && p[i] != '\r')
			break;
		start = i + 1;
	}
	for (size_t i = start; i < n; i++) {
		unsigned char c = p[i];
		if (c == '"') {
			quoted = !quoted;
			continue;
		}
		if (quoted)
			continue;
		if (c == '\n' || c == '\r')
			return 1;
		for (size_t k = 0; k < 4; k++)
			if (c == delim_cand[k])
				count[k]++;
	}
	return 0;
}

static unsigned char detect_delimiter(const unsigned char *p, size_t n)
{
	size_t count[4], best = 0;

	first_line_counts(p, n, count);
	for (size_t k = 1; k < 4; k++)
		if (count[k] > count[best])
			best = k;
	return delim_cand[best];
}

static int is_utf8_name(const char *name)
{
	char n[8];
	size_t len = strlen(name);

	if (len < 4 || len > 5)
		return 0;
	for (size_t i = 0; i <= len; i++)
		n[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] - 'A' + 'a' : name[i]);
	return !strcmp(n, "utf-8") || !strcmp(n, "utf8");
}

/* A UTF-16 byte-order mark at p[0..n): the encoding it announces, or NULL. */
static const char *utf16_bom(const unsigned char *p, size_t n)
{
	if (n >= 2 && p[0] == 0xFF && p[1] == 0xFE)
		return "UTF-16LE";
	if (n >= 2 && p[0] == 0xFE && p[1] == 0xFF)
		return "UTF-16BE";
	return NULL;
}

/* Convert the input from `enc`: the rest of the memory input from `skip`
 * on, or the file descriptor after the bytes already in buf[skip..buf_len). */
static int start_transcoding(loyal_reader *r, const char *enc, size_t skip)
{
	int error;

	if ((error = loyal__transcode_new(&r->tc, enc)) < 0)
		return error;
	if (r->mem) {
		loyal__transcode_set_mem(r->tc, r->mem + skip, r->mem_len - skip);
	} else {
		if (r->dz)
			loyal__transcode_set_source(r->tc, dz_source, r->dz);
		else
			loyal__transcode_set_fd(r->tc, r->fd);
		if (r->buf_len > skip &&
		    (error = loyal__transcode_prime(r->tc, r->buf + skip, r->buf_len - skip)) < 0)
			return error;
	}
	r->buf_len = r->buf_pos = 0;
	r->eof = 0;
	return 0;
}

/* Decompress the input, which starts with the magic bytes of `kind`: the
 * memory input, or the file descriptor after the bytes already in buf. */
static int start_decompressing(loyal_reader *r, int kind)
{
	int error;

	if ((error = loyal__dz_new(&r->dz, kind)) < 0)
		return loyal__error_oom();
	if (r->mem) {
		/* read from here on as a stream, like a file */
		loyal__dz_set_mem(r->dz, r->mem, r->mem_len);
		r->mem = NULL;
		r->mem_len = 0;
	} else {
		loyal__dz_set_fd(r->dz, r->fd);
		if ((error = loyal__dz_prime(r->dz, r->buf, r->buf_len)) < 0)
			return loyal__error_oom();
	}
	r->buf_len = r->buf_pos = 0;
	r->eof = 0;
	return 0;
}

static int start(loyal_reader *r, const loyal_read_options *opts)
{
	const char *enc = NULL, *bom16;
	int error, kind;

	if (opts && !LOYAL__VERSION_OK(opts->version, LOYAL_READ_OPTIONS_VERSION))
		return loyal__error(LOYAL_EINVAL, "unsupported loyal_read_options version %d",
				    opts->version);
	r->no_header = opts ? opts->no_header : 0;
	r->max_field = opts && opts->max_field_size ? opts->max_field_size
						    : LOYAL_DEFAULT_MAX_FIELD_SIZE;
	if (opts && opts->version >= 2 && opts->encoding && !is_utf8_name(opts->encoding))
		enc = opts->encoding;
	r->line = 1;
	r->row_line = 1;
	if (r->mem && (kind = loyal__dz_detect(r->mem, r->mem_len)) != LOYAL__DZ_NONE &&
	    (error = start_decompressing(r, kind)) < 0)
		return error;
	if (r->mem && (enc || utf16_bom(r->mem, r->mem_len))) {
		/* converted input goes through a block buffer of its own */
		bom16 = enc ? NULL : utf16_bom(r->mem, r->mem_len);
		if ((error = start_transcoding(r, enc ? enc : bom16, bom16 ? 2 : 0)) < 0)
			return error;
		r->had_bom = bom16 != NULL;
	}
	if (r->mem && !r->tc) {
		r->buf = (unsigned char *)r->mem;
		r->buf_len = r->mem_len;
		r->eof = 1;
	} else {
		if (!(r->buf = malloc(BLOCK_SIZE)))
			return loyal__error_oom();
		r->own_buf = 1;
		if ((error = refill(r, 0)) < 0)
			return error;
		/* Compressed input is found by its magic bytes, whatever its name;
		 * the rest (encodings, byte-order marks) is that of the text. */
		if (!r->dz && (kind = loyal__dz_detect(r->buf, r->buf_len)) != LOYAL__DZ_NONE &&
		    ((error = start_decompressing(r, kind)) < 0 || (error = refill(r, 0)) < 0))
			return error;
		if (enc && !r->tc &&
		    ((error = start_transcoding(r, enc, 0)) < 0 || (error = refill(r, 0)) < 0))
			return error;
		if (!r->tc && (bom16 = utf16_bom(r->buf, r->buf_len)) != NULL) {
			/* A UTF-16 byte-order mark says what the file is. */
			if ((error = start_transcoding(r, bom16, 2)) < 0 ||
			    (error = refill(r, 0)) < 0)
				return error;
			r->had_bom = 1;
		}
		/* The delimiter is detected from the whole header line, up to a
		 * block: read on until it ends, so that the result never depends
		 * on how the reads happened to split the input. */
		size_t count[4];
		while (!(opts && opts->delimiter) && !r->eof && r->buf_len < BLOCK_SIZE &&
		       !first_line_counts(r->buf, r->buf_len, count))
			if ((error = refill(r, 0)) < 0)
				return error;
	}
	if (r->buf_len >= 3 && r->buf[0] == 0xEF && r->buf[1] == 0xBB && r->buf[2] == 0xBF) {
		r->buf_pos = 3;
		r->had_bom = 1;
	}
	if (r->buf_len >= r->buf_pos + 2 &&
	    (r->buf[r->buf_pos] == 0 || r->buf[r->buf_pos + 1] == 0)) {
		/* UTF-16 without a byte-order mark: text with every other byte
		 * NUL (the high byte of ASCII characters). */
		error = loyal__error_at(LOYAL_ECSV, r->name, 1, 0,
					"file starts with NUL bytes: it looks like UTF-16 without a "
					"byte-order mark, or binary; give its encoding or convert "
					"it to UTF-8 text first");
		if (!r->tc)
			loyal__error_set_encoding(r->buf[r->buf_pos] ? "UTF-16LE" : "UTF-16BE");
		return error;
	}
	if (opts && opts->delimiter) {
		r->delim = (unsigned char)opts->delimiter;
		if (r->delim == '"' || r->delim == '\n' || r->delim == '\r' || r->delim == ' ')
			return loyal__error(LOYAL_EINVAL, "'%c' cannot be a delimiter", opts->delimiter);
	} else {
		size_t end = r->buf_len < BLOCK_SIZE ? r->buf_len : BLOCK_SIZE;
		r->delim = detect_delimiter(r->buf + r->buf_pos, end > r->buf_pos ? end - r->buf_pos : 0);
	}
	if ((error = loyal__reader_init_parser(r)) < 0)
		return error;

	r->header_mode = 1;
	error = next_row(r);
	if (error < 0)
		return error;
	if (error == 0)
		return loyal__error_at(LOYAL_ECSV, r->name, 0, 0,
				       "file is empty: no header row");
	if ((error = finish_row(r)) < 0)
		return error;
	if ((error = loyal__reader_reserve_fields(r, r->ncols)) < 0)
		return error;
	if (r->no_header) {
		/* The first row is data: keep it for the first next() call by
		 * re-reading it as a row. With no_header every column counts as
		 * used for that first row, which was stored whole. */
		r->header_mode = 2;
	}
	return 0;
}

int loyal__reader_alloc(loyal_reader **out, const char *name)
{
	loyal_reader *r = calloc(1, sizeof(*r));
	if (!r)
		return loyal__error_oom();
	r->fd = -1;
	if (!(r->name = strdup(name))) {
		free(r);
		return loyal__error_oom();
	}
	*out = r;
	return 0;
}

static int open_common(loyal_reader **out, loyal_reader *r, const loyal_read_options *opts)
{
	int error = start(r, opts);
	if (error < 0) {
		loyal_reader_free(r);
		*out = NULL;
		return error;
	}
	*out = r;
	return 0;
}

int loyal_reader_open_fd(loyal_reader **out, int fd, const char *name,
			 const loyal_read_options *opts)
{
	loyal_reader *r = NULL;
	int error;

	if (!out || fd < 0 || !name)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_reader_open_fd");
	if ((error = loyal__reader_alloc(&r, name)) < 0)
		return error;
	r->fd = fd;
	return open_common(out, r, opts);
}

int loyal_reader_open(loyal_reader **out, const char *path, const loyal_read_options *opts)
{
	loyal_reader *r = NULL;
	int fd, error;

	if (!out || !path)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_reader_open");
	if (strcmp(path, "-") == 0)
		return loyal_reader_open_fd(out, STDIN_FILENO, "-", opts);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return loyal__error_at(LOYAL_EOPEN, path, 0, 0, "cannot open: %s", strerror(errno));
	if ((error = loyal__reader_alloc(&r, path)) < 0) {
		close(fd);
		return error;
	}
	r->fd = fd;
	r->own_fd = 1;
	return open_common(out, r, opts);
}

int loyal_reader_open_buffer(loyal_reader **out, const void *data, size_t len,
			     const char *name, const loyal_read_options *opts)
{
	loyal_reader *r = NULL;
	int error;

	if (!out || (!data && len) || !name)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_reader_open_buffer");
	if ((error = loyal__reader_alloc(&r, name)) < 0)
		return error;
	r->mem = data ? data : (const unsigned char *)"";
	r->mem_len = len;
	return open_common(out, r, opts);
}

void loyal_reader_free(loyal_reader *r)
{
	if (!r)
		return;
	if (r->csv_ready)
		csv_free(&r->csv);
	if (r->own_fd)
		close(r->fd);
	if (r->own_buf)
		free(r->buf);
	loyal__transcode_free(r->tc);
	loyal__dz_free(r->dz);
	if (r->colnames)
		for (size_t i = 0; i < r->ncols; i++)
			free(r->colnames[i]);
	free(r->colnames);
	free(r->used);
	free(r->arena);
	free(r->raw);
	free(r->offs);
	free(r->lens);
	free(r->name);
	free(r);
}

const char *loyal_reader_name(const loyal_reader *r)
{
	return r->name;
}

char loyal_reader_delimiter(const loyal_reader *r)
{
	return (char)r->delim;
}

size_t loyal_reader_columns(const loyal_reader *r)
{
	return r->ncols;
}

const char *loyal_reader_column_name(const loyal_reader *r, size_t col)
{
	return col < r->ncols ? r->colnames[col] : NULL;
}

const char *loyal_reader_compression(const loyal_reader *r)
{
	return r->dz ? loyal__dz_name(r->dz) : NULL;
}

int loyal_reader_had_bom(const loyal_reader *r)
{
	return r->had_bom;
}

const char *loyal_reader_encoding(const loyal_reader *r)
{
	return r->tc ? loyal__transcode_name(r->tc) : "UTF-8";
}

int loyal_encoding_check(const char *name)
{
	loyal__transcode *t = NULL;
	int error;

	if (!name)
		return loyal__error(LOYAL_EINVAL, "no encoding given");
	if (is_utf8_name(name))
		return 0;
	error = loyal__transcode_new(&t, name);
	loyal__transcode_free(t);
	return error;
}


int loyal_reader_use_column(loyal_reader *r, size_t col)
{
	if (col >= r->ncols)
		return loyal__error(LOYAL_EINVAL, "column %zu out of range", col + 1);
	r->used[col] = 1;
	return 0;
}

static int name_matches(const char *colname, const char *wanted)
{
	char a[256], b[256];
	loyal_normalize_name(a, sizeof(a), colname);
	loyal_normalize_name(b, sizeof(b), wanted);
	return b[0] && strcmp(a, b) == 0;
}

int loyal_reader_find_column(size_t *out, loyal_reader *r, const char *role,
			     const char *name, const char *const *aliases)
{
	size_t found = SIZE_MAX;

	if (!out || !r || !role)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_reader_find_column");
	if (name) {
		if (r->no_header) {
			char *end;
			unsigned long v = strtoul(name, &end, 10);
			if (*name < '0' || *name > '9' || *end || v == 0 || v > r->ncols)
				return loyal__error_at(LOYAL_ECOLUMN, r->name, 0, 0,
						       "no column %s for the %s: the file has %zu columns "
						       "and no header, so columns are numbers from 1",
						       name, role, r->ncols);
			found = v - 1;
		} else {
			/* A header equal to the name, byte for byte, is the one
			 * meant, even when others match it loosely. */
			for (int exact = 1; exact >= 0 && found == SIZE_MAX; exact--) {
				for (size_t i = 0; i < r->ncols; i++) {
					if (exact ? strcmp(r->colnames[i], name) != 0
						  : !name_matches(r->colnames[i], name))
						continue;
					if (found != SIZE_MAX)
						return loyal__error_at(LOYAL_ECOLUMN, r->name, 1, i + 1,
								       "%s column '%s' is ambiguous: "
								       "columns %zu and %zu %s", role,
								       name, found + 1, i + 1,
								       exact ? "are both named so"
									     : "both match");
					found = i;
				}
			}
			if (found == SIZE_MAX)
				return loyal__error_at(LOYAL_ECOLUMN, r->name, 0, 0,
						       "%s column '%s' not found", role, name);
		}
	} else if (r->no_header) {
		return loyal__error_at(LOYAL_ECOLUMN, r->name, 0, 0,
				       "no %s column: without a header, columns are found only by "
				       "number (name it: 1 to %zu)", role, r->ncols);
	} else {
		for (size_t k = 0; aliases && aliases[k] && found == SIZE_MAX; k++) {
			for (size_t i = 0; i < r->ncols; i++) {
				if (!name_matches(r->colnames[i], aliases[k]))
					continue;
				if (found != SIZE_MAX)
					return loyal__error_at(LOYAL_ECOLUMN, r->name, 1, i + 1,
							       "%s column is ambiguous: '%s' and '%s' "
							       "both match", role, r->colnames[found],
							       r->colnames[i]);
				found = i;
			}
		}
		if (found == SIZE_MAX) {
			char tried[512];
			size_t n = 0;
			tried[0] = '\0';
			for (size_t k = 0; aliases && aliases[k] && n < sizeof(tried); k++)
				n += (size_t)snprintf(tried + n, sizeof(tried) - n, "%s%s",
						      k ? ", " : "", aliases[k]);
			return loyal__error_at(LOYAL_ECOLUMN, r->name, 0, 0,
					       "no %s column found (looked for: %s)", role, tried);
		}
	}
	r->used[found] = 1;
	*out = found;
	return 0;
}

static int read_row(loyal_reader *r);

int loyal_reader_next(loyal_reader *r)
{
	int error;

	if (r->failed) {
		r->row_failed = 0;
		return r->failed;
	}
	r->row_failed = 0;
	error = read_row(r);
	if (error < 0 && error != LOYAL_ITEROVER && !r->row_failed)
		r->failed = error;
	return error;
}

int loyal_reader_can_continue(const loyal_reader *r)
{
	return r->row_failed;
}

void loyal_reader_keep_raw(loyal_reader *r, int on)
{
	r->keep_raw = on != 0;
}

const char *loyal_reader_raw(const loyal_reader *r, size_t *len)
{
	if (!r->keep_raw || !r->raw) {
		if (len)
			*len = 0;
		return r->keep_raw ? "" : NULL;
	}
	r->raw[r->raw_len] = '\0';
	if (len)
		*len = r->raw_len;
	return r->raw;
}

void loyal_reader_line_ends(const loyal_reader *r, uint64_t *lf, uint64_t *crlf, uint64_t *cr)
{
	if (lf)
		*lf = r->line_ends[0];
	if (crlf)
		*crlf = r->line_ends[1];
	if (cr)
		*cr = r->line_ends[2];
}

static int read_row(loyal_reader *r)
{
	int error;

	if (r->header_mode == 2) {
		/* no_header: the first row was read when opening; hand it out now,
		 * checking the used columns as any other row. */
		r->header_mode = 0;
		r->rows++;
		for (size_t i = 0; i < r->ncols; i++) {
			if (!r->used[i]) {
				r->offs[i] = SIZE_MAX;
				continue;
			}
			if (!loyal_utf8_valid(r->arena + r->offs[i], r->lens[i])) {
				r->row_failed = 1;
				return bad_text(r, LOYAL_EVALUE, r->row_line, i + 1, r->colnames[i],
						r->arena + r->offs[i], r->lens[i]);
			}
		}
		return 0;
	}
	error = next_row(r);
	if (error < 0)
		return error;
	if (error == 0)
		return LOYAL_ITEROVER;
	r->rows++;
	if ((error = finish_row(r)) < 0) {
		/* The row was read to its end: the next one can be read. */
		r->row_failed = 1;
		return error;
	}
	return 0;
}

const char *loyal_reader_field(const loyal_reader *r, size_t col, size_t *len)
{
	/* a row the last loyal_reader_next() rejected has no fields */
	if (r->row_failed || r->failed)
		return NULL;
	if (col >= r->ncols || col >= r->nfields || r->offs[col] == SIZE_MAX)
		return NULL;
	if (len)
		*len = r->lens[col];
	return r->arena + r->offs[col];
}

uint64_t loyal_reader_line(const loyal_reader *r)
{
	return r->row_line;
}

uint64_t loyal_reader_rows(const loyal_reader *r)
{
	return r->rows;
}

uint64_t loyal_reader_blank_lines(const loyal_reader *r)
{
	return r->blank_lines;
}
#include "decompress_p.h"
