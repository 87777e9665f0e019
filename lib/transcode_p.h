#ifndef LOYAL_TRANSCODE_P_H
#define LOYAL_TRANSCODE_P_H

#include <stddef.h>
#include <stdint.h>

/*
 * Streaming conversion of the input to UTF-8 with the C library's iconv,
 * for the reader (lib/reader.c): GB18030, GBK, Big5, UTF-16, Latin-1 and
 * whatever else iconv knows. The reader pulls converted bytes instead of
 * reading its file descriptor or buffer directly; everything after that
 * (line counting, CSV parsing, UTF-8 checks) sees UTF-8 only.
 *
 * Line breaks convert one for one (LF, CR and CRLF stay what they are), so
 * the reader's line numbers are those of the original file. A byte that is
 * not valid in the source encoding is not an error here: it comes out as
 * the byte 0xFF, which never occurs in UTF-8, so the reader rejects the
 * field holding it (a row error, named by line and column) and ignores it
 * in columns it does not use, exactly as it treats invalid UTF-8.
 */
typedef struct loyal__transcode loyal__transcode;

/* Start converting from encoding `from` (an iconv name, any case).
 * Returns 0, LOYAL_EINVAL (an encoding iconv does not know, with a message)
 * or LOYAL_ENOMEM. */
int loyal__transcode_new(loyal__transcode **out, const char *from);
void loyal__transcode_free(loyal__transcode *t);

/* The source: a file descriptor (not closed here), or len bytes at data
 * that stay valid until the converter is freed. Set one before reading. */
void loyal__transcode_set_fd(loyal__transcode *t, int fd);
void loyal__transcode_set_mem(loyal__transcode *t, const void *data, size_t len);

/* Or a function that reads up to cap bytes into dst (*got 0 only at the
 * end) and returns 0 or a negative error, which loyal__transcode_read
 * passes on as it is: the reader's decompressed input. */
typedef int (*loyal__transcode_source)(void *ctx, unsigned char *dst, size_t cap, size_t *got);
void loyal__transcode_set_source(loyal__transcode *t, loyal__transcode_source fn, void *ctx);

/* Bytes already read from the file descriptor, to convert before reading
 * it again (at most the converter's input block). Returns 0 or LOYAL_EINVAL. */
int loyal__transcode_prime(loyal__transcode *t, const void *data, size_t len);

/* Convert into dst[0..cap): *got bytes, 0 only at the end of the input.
 * Returns 0, LOYAL_ENOMEM, or LOYAL_EIO after a failed read(), with errno
 * set and no message recorded (the reader knows the line to name). */
int loyal__transcode_read(loyal__transcode *t, unsigned char *dst, size_t cap, size_t *got);

/* The source encoding as given. */
const char *loyal__transcode_name(const loyal__transcode *t);

/* Whether s[0..len) converts from `from` without an invalid or incomplete
 * sequence (used to guess the encoding of a file that is not UTF-8). */
int loyal__transcode_valid(const char *from, const char *s, size_t len);

#endif
