#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errors_p.h"
#include "transcode_p.h"

/* Source bytes are read in blocks of this size. */
#define IN_BLOCK ((size_t)256 * 1024)
/* Converted bytes go through a small buffer when the caller's room is
 * smaller than any one character can need. */
#define PEND_SIZE 32

struct loyal__transcode {
	iconv_t cd;
	char *from;

	int fd;
	loyal__transcode_source src; /* read through this instead of fd */
	void *src_ctx;
	const unsigned char *mem; /* memory source, or NULL */
	size_t mem_len;

	const unsigned char *in;  /* unconverted bytes: the memory source, or buf */
	size_t in_len, in_pos;
	int in_eof;
	unsigned char *buf;       /* file descriptor source */
	size_t buf_cap;

	unsigned char pend[PEND_SIZE];
	size_t pend_len, pend_pos;
	int flushed;
};

int loyal__transcode_new(loyal__transcode **out, const char *from)
{
	loyal__transcode *t;

	*out = NULL;
	if (!from || !*from)
		return loyal__error(LOYAL_EINVAL, "no encoding given");
	if (!(t = calloc(1, sizeof(*t))))
		return loyal__error_oom();
	t->fd = -1;
	t->cd = iconv_open("UTF-8", from);
	if (t->cd == (iconv_t)-1) {
		int e = errno;
		free(t);
		if (e == ENOMEM)
			return loyal__error_oom();
		return loyal__error(LOYAL_EINVAL, "unknown encoding '%s' (known ones include "
				    "gb18030, gbk, big5, utf-16, utf-16le, latin1, windows-1252; "
				    "'iconv -l' lists all)", from);
	}
	if (!(t->from = strdup(from))) {
		iconv_close(t->cd);
		free(t);
		return loyal__error_oom();
	}
	*out = t;
	return 0;
}

void loyal__transcode_free(loyal__transcode *t)
{
	if (!t)
		return;
	iconv_close(t->cd);
	free(t->from);
	free(t->buf);
	free(t);
}

void loyal__transcode_set_fd(loyal__transcode *t, int fd)
{
	t->fd = fd;
	t->mem = NULL;
}

void loyal__transcode_set_source(loyal__transcode *t, loyal__transcode_source fn, void *ctx)
{
	t->src = fn;
	t->src_ctx = ctx;
	t->mem = NULL;
}

void loyal__transcode_set_mem(loyal__transcode *t, const void *data, size_t len)
{
	t->mem = data ? data : (const unsigned char *)"";
	t->mem_len = len;
	t->in = t->mem;
	t->in_len = len;
	t->in_pos = 0;
	t->in_eof = 1;
}

static int reserve(loyal__transcode *t, size_t need)
{
	if (need <= t->buf_cap)
		return 0;
	size_t cap = t->buf_cap ? t->buf_cap : IN_BLOCK;
	while (cap < need)
		cap *= 2;
	unsigned char *b = realloc(t->buf, cap);
	if (!b)
		return loyal__error_oom();
	t->buf = b;
	t->buf_cap = cap;
	t->in = t->buf;
	return 0;
}

int loyal__transcode_prime(loyal__transcode *t, const void *data, size_t len)
{
	int error;

	if (t->mem)
		return loyal__error(LOYAL_EINVAL, "a memory source is not primed");
	if ((error = reserve(t, t->in_len + len)) < 0)
		return error;
	if (len)
		memcpy(t->buf + t->in_len, data, len);
	t->in_len += len;
	return 0;
}

/* Read more of the file descriptor, keeping the unconverted rest. */
static int fill(loyal__transcode *t)
{
	size_t keep = t->in_len - t->in_pos;
	int error;

	if ((error = reserve(t, IN_BLOCK)) < 0)
		return error;
	if (keep && t->in_pos)
		memmove(t->buf, t->buf + t->in_pos, keep);
	t->in_len = keep;
	t->in_pos = 0;
	if (t->src) {
		size_t got;
		if ((error = t->src(t->src_ctx, t->buf + t->in_len, t->buf_cap - t->in_len, &got)) < 0)
			return error;
		if (got == 0)
			t->in_eof = 1;
		t->in_len += got;
		return 0;
	}
	for (;;) {
		ssize_t n = read(t->fd, t->buf + t->in_len, t->buf_cap - t->in_len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return LOYAL_EIO;
		}
		if (n == 0)
			t->in_eof = 1;
		t->in_len += (size_t)n;
		return 0;
	}
}

/* Convert into out[0..cap) (cap > 0); returns the bytes written, 0 at the
 * end of the input, or a negative error. */
static int convert(loyal__transcode *t, unsigned char *out, size_t cap, size_t *got)
{
	char *op = (char *)out;
	size_t oleft = cap;
	int error;

	for (;;) {
		size_t avail = t->in_len - t->in_pos;
		if (avail == 0 && !t->in_eof) {
			if (t->mem)
				t->in_eof = 1;
			else if ((error = fill(t)) < 0)
				return error;
			continue;
		}
		if (avail == 0) {
			if (!t->flushed && oleft >= PEND_SIZE) {
				/* end of input: a stateful encoding's final reset */
				iconv(t->cd, NULL, NULL, &op, &oleft);
				t->flushed = 1;
			}
			break;
		}
		char *ip = (char *)(t->in + t->in_pos);
		size_t ileft = avail;
		size_t rc = iconv(t->cd, &ip, &ileft, &op, &oleft);
		int e = errno;
		t->in_pos = (size_t)((const unsigned char *)ip - t->in);
		if (rc != (size_t)-1) {
			/* all converted; a byte-order mark may have produced nothing */
			if (op != (char *)out)
				break;
			continue;
		}
		if (e == E2BIG)
			break;
		if (e == EINVAL && !t->in_eof) {
			/* a character split at the end of the block */
			if (op != (char *)out)
				break;
			if ((error = fill(t)) < 0)
				return error;
			continue;
		}
		/* EILSEQ, or EINVAL at the end of the input: a byte that is not
		 * valid here becomes 0xFF (never valid UTF-8); converting goes
		 * on at the next byte. */
		if (oleft == 0)
			break;
		*op++ = (char)0xFF;
		oleft--;
		t->in_pos++;
	}
	*got = (size_t)(op - (char *)out);
	return 0;
}

int loyal__transcode_read(loyal__transcode *t, unsigned char *dst, size_t cap, size_t *got)
{
	int error;

	*got = 0;
	while (cap) {
		if (t->pend_pos < t->pend_len) {
			size_t n = t->pend_len - t->pend_pos;
			if (n > cap)
				n = cap;
			memcpy(dst, t->pend + t->pend_pos, n);
			t->pend_pos += n;
			*got = n;
			return 0;
		}
		if (cap < PEND_SIZE) {
			t->pend_pos = t->pend_len = 0;
			if ((error = convert(t, t->pend, PEND_SIZE, &t->pend_len)) < 0)
				return error;
			if (t->pend_len == 0)
				return 0;
			continue;
		}
		return convert(t, dst, cap, got);
	}
	return 0;
}

const char *loyal__transcode_name(const loyal__transcode *t)
{
	return t->from;
}

int loyal__transcode_valid(const char *from, const char *s, size_t len)
{
	iconv_t cd = iconv_open("UTF-8", from);
	char out[1024];
	int ok = 1;

	if (cd == (iconv_t)-1)
		return 0;
	char *ip = (char *)s;
	size_t ileft = len;
	while (ileft) {
		char *op = out;
		size_t oleft = sizeof(out);
		if (iconv(cd, &ip, &ileft, &op, &oleft) == (size_t)-1 && errno != E2BIG) {
			ok = 0;
			break;
		}
	}
	iconv_close(cd);
	return ok;
}
