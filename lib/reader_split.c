/*
 * Splitting a regular file into parts at row boundaries, each read by a
 * reader of its own on its own thread (loyal_reader_split()).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors_p.h"
#include "loyal/errors.h"
#include "loyal/reader.h"
#include "reader_p.h"

/* ---- splitting a file for threads ---------------------------------------- */

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Counts over bytes scanned in order: quotes, and line ends as the reader
 * counts them (LF, CRLF and a lone CR are one each). */
struct scan {
	uint64_t quotes, lf, cr, crlf;
	int last_cr; /* the last byte scanned was a CR */
};

static uint64_t scan_lines(const struct scan *s)
{
	return s->lf + s->cr - s->crlf;
}

static void scan_bytes(struct scan *s, const unsigned char *p, size_t n)
{
	size_t i = 0;

#if defined(__SSE2__)
	const __m128i vq = _mm_set1_epi8('"'), vl = _mm_set1_epi8('\n'), vr = _mm_set1_epi8('\r');
	unsigned carry = (unsigned)s->last_cr;
	for (; i + 16 <= n; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		unsigned mq = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vq));
		unsigned ml = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vl));
		unsigned mr = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vr));
		s->quotes += (uint64_t)__builtin_popcount(mq);
		if (ml | mr | carry) {
			s->lf += (uint64_t)__builtin_popcount(ml);
			s->cr += (uint64_t)__builtin_popcount(mr);
			s->crlf += (uint64_t)__builtin_popcount(((mr << 1) | carry) & ml);
			carry = mr >> 15;
		}
	}
	if (i)
		s->last_cr = (int)carry;
#endif
	for (; i < n; i++) {
		unsigned char c = p[i];
		if (c == '"')
			s->quotes++;
		else if (c == '\n') {
			s->lf++;
			s->crlf += (uint64_t)s->last_cr;
		} else if (c == '\r')
			s->cr++;
		s->last_cr = c == '\r';
	}
}

/* The input seen through blocks: a buffer's bytes, or pread() of the file. */
struct window {
	loyal_reader *r;
	unsigned char *buf; /* file input: a block */
	uint64_t at;        /* offset of p[0] */
	const unsigned char *p;
	size_t n;
};

static int window_load(struct window *w, uint64_t at, uint64_t end)
{
	if (w->r->mem) {
		w->at = at;
		w->p = w->r->mem + at;
		w->n = (size_t)(end - at);
		return 0;
	}
	size_t want = end - at < (uint64_t)SPLIT_BLOCK ? (size_t)(end - at) : SPLIT_BLOCK, got = 0;
	while (got < want) {
		ssize_t n = pread(w->r->fd, w->buf + got, want - got, (off_t)(at + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	w->at = at;
	w->p = w->buf;
	w->n = got;
	return 0;
}

/*
 * Where the parts start: the first row boundary at or after each target
 * offset, found by counting quotes from `start` (which is between rows). In
 * valid CSV a quote opens a quoted field, closes it, or is one of a doubled
 * pair inside it (libcsv's strict mode refuses a quote anywhere else), so
 * an even count means "between fields", and a line feed there ends a row.
 * An input that is not valid CSV fails in the part where it goes wrong,
 * before any later part is looked at. cut[k] and line[k] receive the
 * offset and line number of part k + 1; returns the number of cuts found
 * (fewer than asked when no boundary follows a target), or -1 on a read
 * error (then the caller does not split).
 */
static long find_cuts(loyal_reader *r, uint64_t start, uint64_t end, uint64_t first_line,
		      const uint64_t *target, size_t ntarget, uint64_t *cut, uint64_t *line)
{
	struct window w = { r, NULL, 0, NULL, 0 };
	struct scan s = { 0, 0, 0, 0, 0 };
	uint64_t at = start;
	size_t ti = 0, k = 0;

	if (!r->mem && !(w.buf = malloc(SPLIT_BLOCK)))
		return -1;
	while (ti < ntarget && at < end) {
		if (window_load(&w, at, end) < 0) {
			free(w.buf);
			return -1;
		}
		const unsigned char *p = w.p;
		size_t n = w.n, i = 0;
		while (i < n && ti < ntarget) {
			uint64_t off = w.at + i;
			if (off < target[ti]) {
				/* count in bulk up to the target */
				size_t m = target[ti] - off < n - i ? (size_t)(target[ti] - off) : n - i;
				scan_bytes(&s, p + i, m);
				i += m;
				continue;
			}
			/* at or past the target: the first LF outside quotes */
			scan_bytes(&s, p + i, 1);
			i++;
			if (p[i - 1] == '\n' && !(s.quotes & 1) && w.at + i < end) {
				cut[k] = w.at + i;
				line[k] = first_line + scan_lines(&s);
				k++;
				/* a target passed meanwhile (inside a long quoted
				 * field) gets no cut of its own */
				while (ti < ntarget && target[ti] <= cut[k - 1])
					ti++;
			}
		}
		at = w.at + n;
	}
	free(w.buf);
	return (long)k;
}

static int clone_part(loyal_reader **out, const loyal_reader *r)
{
	loyal_reader *p = NULL;
	int error;

	if ((error = loyal__reader_alloc(&p, r->name)) < 0)
		return error;
	p->mem = r->mem;
	p->delim = r->delim;
	p->no_header = r->no_header;
	p->max_field = r->max_field;
	p->keep_raw = r->keep_raw;
	p->ncols = r->ncols;
	if (!(p->colnames = calloc(r->ncols ? r->ncols : 1, sizeof(char *))) ||
	    !(p->used = malloc(r->ncols ? r->ncols : 1)))
		goto oom;
	memcpy(p->used, r->used, r->ncols);
	for (size_t i = 0; i < r->ncols; i++)
		if (!(p->colnames[i] = strdup(r->colnames[i])))
			goto oom;
	if ((error = loyal__reader_reserve_fields(p, r->ncols)) < 0 || (error = loyal__reader_init_parser(p)) < 0) {
		loyal_reader_free(p);
		return error;
	}
	if (!p->mem) {
		if (!(p->buf = malloc(BLOCK_SIZE)))
			goto oom;
		p->own_buf = 1;
	}
	*out = p;
	return 0;
oom:
	loyal_reader_free(p);
	return loyal__error_oom();
}

int loyal_reader_split(loyal_reader *r, loyal_reader **parts, size_t max_parts,
		       size_t min_part_size, size_t *nparts)
{
	uint64_t start, end, target[LOYAL_READER_MAX_PARTS], cut[LOYAL_READER_MAX_PARTS],
		 line[LOYAL_READER_MAX_PARTS];
	size_t want;
	long got;
	int error;

	if (!r || !parts || !nparts || max_parts == 0)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_reader_split");
	parts[0] = r;
	*nparts = 1;
	if (max_parts > LOYAL_READER_MAX_PARTS)
		max_parts = LOYAL_READER_MAX_PARTS;
	if (min_part_size == 0)
		min_part_size = 1;
	/* Only before the first row is read, from a whole regular file or a
	 * buffer; not again. Converted input is read in one part: its byte
	 * offsets are not those of the text the parts would cut. */
	if (max_parts < 2 || r->failed || r->ranged || r->tc || r->dz || r->rows || r->in_row ||
	    r->csv.pstate != CSV_STATE_ROW_NOT_BEGUN || (r->header_mode && r->header_mode != 2))
		return 0;
	if (r->mem) {
		start = r->buf_pos;
		end = r->buf_len;
	} else {
		struct stat st;
		off_t pos;
		if (fstat(r->fd, &st) < 0 || !S_ISREG(st.st_mode) ||
		    (pos = lseek(r->fd, 0, SEEK_CUR)) < 0 || (uint64_t)pos < r->buf_len - r->buf_pos ||
		    (uint64_t)st.st_size < (uint64_t)pos)
			return 0;
		start = (uint64_t)pos - (r->buf_len - r->buf_pos);
		end = (uint64_t)st.st_size;
	}
	if (end <= start)
		return 0;
	want = (end - start) / min_part_size;
	if (want > max_parts)
		want = max_parts;
	if (want < 2)
		return 0;
	for (size_t k = 1; k < want; k++)
		target[k - 1] = start + (end - start) / want * k;
	if ((got = find_cuts(r, start, end, r->line, target, want - 1, cut, line)) <= 0)
		return 0;
	/* the parts after the first */
	for (long k = 0; k < got; k++) {
		loyal_reader *p = NULL;
		if ((error = clone_part(&p, r)) < 0)
			goto fail;
		parts[k + 1] = p;
		*nparts = (size_t)k + 2;
		p->line = p->row_line = line[k];
		p->header_mode = 0;
		p->more_parts = k + 1 < got;
		uint64_t to = k + 1 < got ? cut[k + 1] : end;
		if (p->mem) {
			p->buf = (unsigned char *)p->mem + cut[k];
			p->buf_len = (size_t)(to - cut[k]);
			p->eof = 1;
		} else {
			if ((p->fd = dup(r->fd)) < 0) {
				error = loyal__error_at(LOYAL_EIO, r->name, 0, 0, "cannot split: %s",
							strerror(errno));
				goto fail;
			}
			p->own_fd = 1;
			p->ranged = 1;
			p->range_pos = cut[k];
			p->range_end = to;
		}
	}
	/* the first part: this reader, up to the first cut */
	r->more_parts = 1;
	if (r->mem) {
		r->buf_len = (size_t)cut[0];
	} else {
		uint64_t pos = start + (r->buf_len - r->buf_pos); /* file offset of buf's end */
		r->ranged = 1;
		r->range_end = cut[0];
		r->range_pos = pos;
		if (pos > cut[0]) {
			r->buf_len -= (size_t)(pos - cut[0]);
			r->range_pos = cut[0];
		}
	}
	return 0;
fail:
	for (size_t k = 1; k < *nparts; k++)
		loyal_reader_free(parts[k]);
	parts[0] = r;
	*nparts = 1;
	return error;
}
