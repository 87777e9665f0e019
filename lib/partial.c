#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errors_p.h"
#include "loyal/errors.h"
#include "loyal/number.h"
#include "loyal/partial.h"

#define MAGIC "loyal-partial"
#define OUT_BLOCK ((size_t)64 * 1024)
#define IN_BLOCK ((size_t)256 * 1024)

/* ---- writing ------------------------------------------------------------ */

struct loyal_partial_writer {
	loyal_partial_output fn;
	void *ctx;
	char *buf;
	size_t len;
	int in_line; /* a field is on the current line */
	uint64_t lines;
	int err;
};

static int flush_out(loyal_partial_writer *w)
{
	int error;

	if (w->err)
		return w->err;
	if (w->len && (error = w->fn(w->ctx, w->buf, w->len)) < 0)
		return w->err = error;
	w->len = 0;
	return 0;
}

static int out_bytes(loyal_partial_writer *w, const char *p, size_t n)
{
	int error;

	while (n) {
		if (w->len == OUT_BLOCK && (error = flush_out(w)) < 0)
			return error;
		size_t k = OUT_BLOCK - w->len < n ? OUT_BLOCK - w->len : n;
		memcpy(w->buf + w->len, p, k);
		w->len += k;
		p += k;
		n -= k;
	}
	return w->err;
}

int loyal_partial_writer_new(loyal_partial_writer **out, loyal_partial_output fn, void *ctx)
{
	loyal_partial_writer *w;
	char first[32];

	*out = NULL;
	if (!fn)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_partial_writer_new");
	if (!(w = calloc(1, sizeof(*w))) || !(w->buf = malloc(OUT_BLOCK))) {
		free(w);
		return loyal__error_oom();
	}
	w->fn = fn;
	w->ctx = ctx;
	snprintf(first, sizeof(first), "%s\t%d\n", MAGIC, LOYAL_PARTIAL_VERSION);
	out_bytes(w, first, strlen(first));
	w->lines = 1;
	*out = w;
	return 0;
}

void loyal_partial_writer_free(loyal_partial_writer *w)
{
	if (!w)
		return;
	free(w->buf);
	free(w);
}

static int sep(loyal_partial_writer *w)
{
	if (w->in_line)
		return out_bytes(w, "\t", 1);
	w->in_line = 1;
	return w->err;
}

int loyal_partial_put(loyal_partial_writer *w, const char *s, size_t len)
{
	size_t from = 0;

	sep(w);
	for (size_t i = 0; i < len; i++) {
		const char *esc = s[i] == '\\' ? "\\\\" : s[i] == '\t' ? "\\t"
				: s[i] == '\n' ? "\\n" : s[i] == '\r' ? "\\r" : NULL;
		if (!esc)
			continue;
		out_bytes(w, s + from, i - from);
		out_bytes(w, esc, 2);
		from = i + 1;
	}
	return out_bytes(w, s + from, len - from);
}

int loyal_partial_put_str(loyal_partial_writer *w, const char *s)
{
	return loyal_partial_put(w, s, strlen(s));
}

int loyal_partial_put_int(loyal_partial_writer *w, int64_t v)
{
	char b[32];
	int n = snprintf(b, sizeof(b), "%" PRId64, v);
	sep(w);
	return out_bytes(w, b, (size_t)n);
}

int loyal_partial_put_uint(loyal_partial_writer *w, uint64_t v)
{
	char b[32];
	int n = snprintf(b, sizeof(b), "%" PRIu64, v);
	sep(w);
	return out_bytes(w, b, (size_t)n);
}

int loyal_partial_end_line(loyal_partial_writer *w)
{
	w->in_line = 0;
	w->lines++;
	return out_bytes(w, "\n", 1);
}

int loyal_partial_finish(loyal_partial_writer *w)
{
	if (w->in_line)
		loyal_partial_end_line(w);
	loyal_partial_put_str(w, "end");
	loyal_partial_put_uint(w, w->lines);
	w->in_line = 0;
	out_bytes(w, "\n", 1);
	return flush_out(w);
}

/* ---- reading ------------------------------------------------------------ */

struct loyal_partial_reader {
	char *name;
	int fd, own_fd;
	char *buf;          /* input block */
	size_t len, pos;
	int eof;
	char *line;         /* the current line, unescaped in place */
	size_t line_cap;
	char **fields;
	size_t *lens;
	size_t nfields, fields_cap;
	uint64_t lineno;
	int done;
};

static int read_more(loyal_partial_reader *r)
{
	if (r->pos && r->pos < r->len)
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
	r->len -= r->pos;
	r->pos = 0;
	while (!r->eof && r->len < IN_BLOCK) {
		ssize_t n = read(r->fd, r->buf + r->len, IN_BLOCK - r->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return loyal__error_at(LOYAL_EIO, r->name, r->lineno + 1, 0, "read error: %s",
					       strerror(errno));
		if (n == 0)
			r->eof = 1;
		r->len += (size_t)n;
		break;
	}
	return 0;
}

/* The next physical line into r->line, without its LF; 1 when there was
 * one, 0 at the end of the input, or an error. A last line without LF is
 * an error: the state was cut short. */
static int next_line(loyal_partial_reader *r, size_t *out_len)
{
	size_t n = 0;
	int error;

	for (;;) {
		char *nl = memchr(r->buf + r->pos, '\n', r->len - r->pos);
		size_t take = nl ? (size_t)(nl - (r->buf + r->pos)) : r->len - r->pos;
		if (n + take + 1 > r->line_cap) {
			size_t cap = r->line_cap ? r->line_cap : 4096;
			while (cap < n + take + 1)
				cap *= 2;
			char *l = realloc(r->line, cap);
			if (!l)
				return loyal__error_oom();
			r->line = l;
			r->line_cap = cap;
		}
		memcpy(r->line + n, r->buf + r->pos, take);
		n += take;
		r->pos += take;
		if (nl) {
			r->pos++;
			r->line[n] = '\0';
			*out_len = n;
			r->lineno++;
			return 1;
		}
		if (r->eof) {
			if (n == 0)
				return 0;
			return loyal__error_at(LOYAL_ECSV, r->name, r->lineno + 1, 0,
					       "the state ends inside a line: it was cut short");
		}
		if ((error = read_more(r)) < 0)
			return error;
	}
}

/* Split r->line[0..len) at TABs and unescape each field in place. */
static int split_line(loyal_partial_reader *r, size_t len)
{
	char *p = r->line, *end = r->line + len;

	r->nfields = 0;
	for (;;) {
		if (r->nfields == r->fields_cap) {
			size_t cap = r->fields_cap ? r->fields_cap * 2 : 16;
			char **f = realloc(r->fields, cap * sizeof(*f));
			size_t *l = f ? realloc(r->lens, cap * sizeof(*l)) : NULL;
			if (f)
				r->fields = f;
			if (!l)
				return loyal__error_oom();
			r->lens = l;
			r->fields_cap = cap;
		}
		char *out = p, *start = p;
		while (p < end && *p != '\t') {
			char c = *p++;
			if (c == '\0')
				return loyal__error_at(LOYAL_ECSV, r->name, r->lineno, r->nfields + 1,
						       "NUL byte in a partial state");
			if (c == '\\') {
				char e = p < end ? *p++ : 0;
				c = e == '\\' ? '\\' : e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : 0;
				if (!c)
					return loyal__error_at(LOYAL_ECSV, r->name, r->lineno,
							       r->nfields + 1,
							       "bad escape: a backslash is followed by "
							       "\\, t, n or r");
			}
			*out++ = c;
		}
		r->fields[r->nfields] = start;
		r->lens[r->nfields++] = (size_t)(out - start);
		if (p == end) {
			*out = '\0';
			return 0;
		}
		*out = '\0';
		p++;
	}
}

int loyal_partial_reader_open(loyal_partial_reader **out, const char *path)
{
	loyal_partial_reader *r;
	size_t len;
	int error;

	*out = NULL;
	if (!path)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_partial_reader_open");
	if (!(r = calloc(1, sizeof(*r))) || !(r->name = strdup(path)) ||
	    !(r->buf = malloc(IN_BLOCK))) {
		if (r)
			free(r->name);
		free(r);
		return loyal__error_oom();
	}
	if (!strcmp(path, "-")) {
		r->fd = STDIN_FILENO;
	} else if ((r->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		error = loyal__error_at(LOYAL_EOPEN, path, 0, 0, "cannot open: %s", strerror(errno));
		r->fd = -1;
		goto fail;
	} else {
		r->own_fd = 1;
	}
	if ((error = next_line(r, &len)) < 0)
		goto fail;
	if (error == 0) {
		error = loyal__error_at(LOYAL_ECSV, path, 0, 0, "empty: not a loyal partial state");
		goto fail;
	}
	if ((error = split_line(r, len)) < 0)
		goto fail;
	if (r->nfields != 2 || strcmp(r->fields[0], MAGIC)) {
		error = loyal__error_at(LOYAL_ECSV, path, 1, 0,
					"not a loyal partial state (written by 'loyal COMMAND "
					"--partial'; it starts with '%s')", MAGIC);
		goto fail;
	}
	if (strcmp(r->fields[1], "1")) {
		error = loyal__error_at(LOYAL_ECSV, path, 1, 2,
					"partial state of format version '%s': this loyal reads "
					"version %d", r->fields[1], LOYAL_PARTIAL_VERSION);
		goto fail;
	}
	*out = r;
	return 0;
fail:
	loyal_partial_reader_free(r);
	return error;
}

void loyal_partial_reader_free(loyal_partial_reader *r)
{
	if (!r)
		return;
	if (r->own_fd)
		close(r->fd);
	free(r->name);
	free(r->buf);
	free(r->line);
	free(r->fields);
	free(r->lens);
	free(r);
}

int loyal_partial_next(loyal_partial_reader *r)
{
	size_t len;
	int error;

	if (r->done)
		return LOYAL_ITEROVER;
	if ((error = next_line(r, &len)) < 0)
		return error;
	if (error == 0)
		return loyal__error_at(LOYAL_ECSV, r->name, r->lineno, 0,
				       "the state has no last line ('end'): it was cut short");
	if ((error = split_line(r, len)) < 0)
		return error;
	if (r->nfields >= 1 && !strcmp(r->fields[0], "end")) {
		uint64_t n;
		if (r->nfields != 2 || loyal_partial_get_uint(&n, r, 1) < 0 || n != r->lineno - 1)
			return loyal__error_at(LOYAL_ECSV, r->name, r->lineno, 0,
					       "the last line should be 'end<TAB>%llu' (the lines "
					       "before it): lines are missing or added",
					       (unsigned long long)(r->lineno - 1));
		/* nothing may follow */
		if ((error = next_line(r, &len)) < 0)
			return error;
		if (error == 1)
			return loyal__error_at(LOYAL_ECSV, r->name, r->lineno, 0,
					       "text after the last line of the state");
		r->done = 1;
		return LOYAL_ITEROVER;
	}
	return 0;
}

size_t loyal_partial_nfields(const loyal_partial_reader *r)
{
	return r->nfields;
}

const char *loyal_partial_field(const loyal_partial_reader *r, size_t i, size_t *len)
{
	if (i >= r->nfields)
		return NULL;
	if (len)
		*len = r->lens[i];
	return r->fields[i];
}

uint64_t loyal_partial_line(const loyal_partial_reader *r)
{
	return r->lineno;
}

const char *loyal_partial_name(const loyal_partial_reader *r)
{
	return r->name;
}

int loyal_partial_fail(const loyal_partial_reader *r, size_t field, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return loyal__error_at(LOYAL_ECSV, r->name, r->lineno, field, "%s", msg);
}

int loyal_partial_get_int(int64_t *out, const loyal_partial_reader *r, size_t i, int64_t min,
			  int64_t max)
{
	int64_t v;

	if (i >= r->nfields || loyal_parse_int64(&v, r->fields[i], r->lens[i]) < 0 || v < min ||
	    v > max)
		return loyal_partial_fail(r, i + 1, "'%s' is not a whole number from %" PRId64
					  " to %" PRId64, i < r->nfields ? r->fields[i] : "",
					  min, max);
	*out = v;
	return 0;
}

int loyal_partial_get_uint(uint64_t *out, const loyal_partial_reader *r, size_t i)
{
	uint64_t v = 0;
	const char *s = i < r->nfields ? r->fields[i] : "";
	size_t n = i < r->nfields ? r->lens[i] : 0;

	for (size_t k = 0; k < n; k++) {
		if (s[k] < '0' || s[k] > '9' || v > (UINT64_MAX - (uint64_t)(s[k] - '0')) / 10) {
			n = 0;
			break;
		}
		v = v * 10 + (uint64_t)(s[k] - '0');
	}
	if (n == 0)
		return loyal_partial_fail(r, i + 1, "'%s' is not a count", s);
	*out = v;
	return 0;
}

int loyal_partial_expect(const loyal_partial_reader *r, size_t n)
{
	if (r->nfields != n)
		return loyal_partial_fail(r, 0, "a '%s' record has %zu fields, not %zu",
					  r->fields[0], n, r->nfields);
	return 0;
}
