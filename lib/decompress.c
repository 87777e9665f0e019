#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "decompress_p.h"
#include "loyal/errors.h"

/* Compressed bytes are handed to the decoder in blocks of this size, at the
 * same offsets whatever the source: a file read in as many read() calls as
 * it takes, or memory sliced the same way. zlib and libzstd name the damage
 * they find by what they have seen so far, so their reason for a corrupt
 * stream could otherwise depend on how the reads happened to fall. */
#define IN_BLOCK ((size_t)128 * 1024)

struct loyal__dz {
	int kind;
	int fd;
	const unsigned char *in; /* the block being decoded: in mem, or buf */
	unsigned char *buf;
	size_t in_len, in_pos;
	int in_eof; /* in is the last block */
	const unsigned char *mem; /* the memory source, or NULL */
	size_t mem_len;
	unsigned char *pre; /* bytes the reader read before: read() them first */
	size_t pre_len, pre_pos;
	int in_member; /* inside a gzip member or a zstd frame */
	int done;
	unsigned long long consumed; /* compressed bytes decoded so far */
	int z_ready;
	z_stream z;
	ZSTD_DStream *zs;
	char reason[160];
};

static const unsigned char gzip_magic[] = { 0x1F, 0x8B };
static const unsigned char zstd_magic[] = { 0x28, 0xB5, 0x2F, 0xFD };

int loyal__dz_detect(const unsigned char *p, size_t n)
{
	/* gzip's third byte is the method: 8 (deflate) is the only one defined */
	if (n >= 3 && !memcmp(p, gzip_magic, 2) && p[2] == 8)
		return LOYAL__DZ_GZIP;
	if (n >= 4 && !memcmp(p, zstd_magic, 4))
		return LOYAL__DZ_ZSTD;
	return LOYAL__DZ_NONE;
}

int loyal__dz_new(loyal__dz **out, int kind)
{
	loyal__dz *d = calloc(1, sizeof(*d));

	*out = NULL;
	if (!d)
		return LOYAL_ENOMEM;
	d->kind = kind;
	d->fd = -1;
	if (kind == LOYAL__DZ_GZIP) {
		/* 15 + 16: a gzip wrapper (not zlib's), the largest window */
		if (inflateInit2(&d->z, 15 + 16) != Z_OK) {
			free(d);
			return LOYAL_ENOMEM;
		}
		d->z_ready = 1;
	} else if (!(d->zs = ZSTD_createDStream()) || ZSTD_isError(ZSTD_initDStream(d->zs))) {
		ZSTD_freeDStream(d->zs);
		free(d);
		return LOYAL_ENOMEM;
	}
	*out = d;
	return 0;
}

void loyal__dz_free(loyal__dz *d)
{
	if (!d)
		return;
	if (d->z_ready)
		inflateEnd(&d->z);
	ZSTD_freeDStream(d->zs);
	free(d->buf);
	free(d->pre);
	free(d);
}

void loyal__dz_set_fd(loyal__dz *d, int fd)
{
	d->fd = fd;
}

void loyal__dz_set_mem(loyal__dz *d, const void *data, size_t len)
{
	d->mem = data;
	d->mem_len = len;
	d->in = data;
	d->in_len = len < IN_BLOCK ? len : IN_BLOCK;
	d->in_pos = 0;
	d->in_eof = d->in_len == len;
}

static int reserve(loyal__dz *d)
{
	if (!d->buf) {
		if (!(d->buf = malloc(IN_BLOCK)))
			return LOYAL_ENOMEM;
		d->in = d->buf;
	}
	return 0;
}

int loyal__dz_prime(loyal__dz *d, const void *data, size_t len)
{
	if (!len)
		return 0;
	if (!(d->pre = malloc(len)))
		return LOYAL_ENOMEM;
	memcpy(d->pre, data, len);
	d->pre_len = len;
	d->pre_pos = 0;
	return 0;
}

/* Make in the next block: the unread rest, topped up to IN_BLOCK bytes or
 * to the end of the input. */
static int fill(loyal__dz *d)
{
	size_t keep = d->in_len - d->in_pos;
	int error;

	if (d->in_eof)
		return 0;
	if (d->mem) {
		size_t start = (size_t)(d->in + d->in_pos - d->mem), left = d->mem_len - start;
		d->in = d->mem + start;
		d->in_len = left < IN_BLOCK ? left : IN_BLOCK;
		d->in_pos = 0;
		d->in_eof = d->in_len == left;
		return 0;
	}
	if ((error = reserve(d)) < 0)
		return error;
	if (keep && d->in_pos)
		memmove(d->buf, d->buf + d->in_pos, keep);
	d->in_len = keep;
	d->in_pos = 0;
	while (d->in_len < IN_BLOCK) {
		if (d->pre_pos < d->pre_len) {
			size_t n = d->pre_len - d->pre_pos;
			if (n > IN_BLOCK - d->in_len)
				n = IN_BLOCK - d->in_len;
			memcpy(d->buf + d->in_len, d->pre + d->pre_pos, n);
			d->pre_pos += n;
			d->in_len += n;
			continue;
		}
		ssize_t n = read(d->fd, d->buf + d->in_len, IN_BLOCK - d->in_len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return LOYAL_EIO;
		}
		if (n == 0) {
			d->in_eof = 1;
			break;
		}
		d->in_len += (size_t)n;
	}
	return 0;
}

/* Whether the block in is short of what the decoder is to see at once. */
static int short_block(const loyal__dz *d)
{
	return !d->in_eof && (d->in_pos == d->in_len || d->in_len < IN_BLOCK);
}

/* The reason names the compressed byte where decoding stopped: the reader
 * reads ahead, so no line of the text can be blamed for it. */
static int fail(loyal__dz *d, const char *fmt, const char *detail)
{
	int n = snprintf(d->reason, sizeof(d->reason), fmt, detail ? detail : "");
	if (n > 0 && (size_t)n < sizeof(d->reason))
		snprintf(d->reason + n, sizeof(d->reason) - (size_t)n,
			 " (at byte %llu of the compressed file)", d->consumed);
	return LOYAL_ECSV;
}

/* Between gzip members: the end of the input, or the start of another
 * member. Returns 1 to go on, 0 at the end, or an error. */
static int next_member(loyal__dz *d)
{
	int error;

	while (d->in_len - d->in_pos < sizeof(gzip_magic) && !d->in_eof)
		if ((error = fill(d)) < 0)
			return error;
	if (d->in_len == d->in_pos)
		return 0;
	if (d->in_len - d->in_pos < sizeof(gzip_magic) ||
	    memcmp(d->in + d->in_pos, gzip_magic, sizeof(gzip_magic)))
		return fail(d, "data after the end of the gzip stream is not gzip%s", NULL);
	if (inflateReset(&d->z) != Z_OK)
		return fail(d, "cannot restart gzip decoding%s", NULL);
	d->in_member = 1;
	return 1;
}

static int gzip_read(loyal__dz *d, unsigned char *dst, size_t cap, size_t *got)
{
	int error;

	while (*got == 0) {
		if (!d->in_member) {
			if ((error = next_member(d)) <= 0) {
				d->done = error == 0;
				return error;
			}
		}
		if (short_block(d) && (error = fill(d)) < 0)
			return error;
		d->z.next_in = (unsigned char *)(d->in + d->in_pos);
		d->z.avail_in = (uInt)(d->in_len - d->in_pos);
		d->z.next_out = dst;
		d->z.avail_out = (uInt)(cap > UINT32_MAX ? UINT32_MAX : cap);
		int rc = inflate(&d->z, Z_NO_FLUSH);
		d->consumed += d->in_len - d->z.avail_in - d->in_pos;
		d->in_pos = d->in_len - d->z.avail_in;
		*got = (size_t)(d->z.next_out - dst);
		if (rc == Z_STREAM_END) {
			d->in_member = 0;
			continue;
		}
		if (rc == Z_MEM_ERROR)
			return LOYAL_ENOMEM;
		if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT || rc == Z_STREAM_ERROR)
			return fail(d, "corrupt gzip data: %s", d->z.msg ? d->z.msg : "bad stream");
		if (*got == 0 && d->in_pos == d->in_len && d->in_eof)
			return fail(d, "the gzip stream ends early: the file is truncated%s", NULL);
	}
	return 0;
}

static int zstd_read(loyal__dz *d, unsigned char *dst, size_t cap, size_t *got)
{
	int error;

	while (*got == 0) {
		if (short_block(d) && (error = fill(d)) < 0)
			return error;
		/* all input seen: the decoder may still hold output of a frame */
		int drained = d->in_pos == d->in_len && d->in_eof;
		if (drained && !d->in_member) {
			d->done = 1;
			return 0;
		}
		ZSTD_inBuffer in = { d->in, d->in_len, d->in_pos };
		ZSTD_outBuffer out = { dst, cap, 0 };
		size_t rc = ZSTD_decompressStream(d->zs, &out, &in);
		d->consumed += in.pos - d->in_pos;
		d->in_pos = in.pos;
		*got = out.pos;
		if (ZSTD_isError(rc)) {
			if (ZSTD_getErrorCode(rc) == ZSTD_error_memory_allocation)
				return LOYAL_ENOMEM;
			/* zstd finds most damage at a frame's end (its checksum): no
			 * byte offset that would mean anything */
			snprintf(d->reason, sizeof(d->reason), "corrupt zstd data: %s",
				 ZSTD_getErrorName(rc));
			return LOYAL_ECSV;
		}
		/* 0: a frame ended and all its output is flushed */
		d->in_member = rc != 0;
		if (*got == cap)
			break;
		if (drained && *got == 0 && d->in_member)
			return fail(d, "the zstd stream ends early: the file is truncated%s", NULL);
	}
	return 0;
}

int loyal__dz_read(loyal__dz *d, unsigned char *dst, size_t cap, size_t *got)
{
	*got = 0;
	if (d->done || cap == 0)
		return 0;
	return d->kind == LOYAL__DZ_GZIP ? gzip_read(d, dst, cap, got) : zstd_read(d, dst, cap, got);
}

const char *loyal__dz_reason(const loyal__dz *d)
{
	return d->reason;
}

const char *loyal__dz_name(const loyal__dz *d)
{
	return d->kind == LOYAL__DZ_GZIP ? "gzip" : "zstd";
}
