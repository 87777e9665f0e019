#ifndef LOYAL_DECOMPRESS_P_H
#define LOYAL_DECOMPRESS_P_H

#include <stddef.h>

/*
 * Streaming decompression of the input, for the reader (lib/reader.c):
 * gzip (zlib's inflate) and Zstandard (libzstd's streaming decoder), found
 * by their magic bytes, never by the file name. The reader pulls
 * decompressed bytes instead of reading its file descriptor or buffer;
 * everything after (conversion from another encoding, line counting, CSV
 * parsing) sees the decompressed text, so line numbers are those of the
 * decompressed file.
 *
 * Concatenated members (gzip) and frames (zstd) are read one after the
 * other, as gzip -d and zstd -d do. Bytes after the last member that do
 * not start another one, a corrupt stream and a truncated one are errors
 * (LOYAL_ECSV, the reason in loyal__dz_reason): nothing is dropped silently.
 */
typedef struct loyal__dz loyal__dz;

enum { LOYAL__DZ_NONE = 0, LOYAL__DZ_GZIP = 1, LOYAL__DZ_ZSTD = 2 };

/* The format whose magic bytes start p[0..n), or LOYAL__DZ_NONE. */
int loyal__dz_detect(const unsigned char *p, size_t n);

/* Start decompressing `kind`. Returns 0 or LOYAL_ENOMEM. */
int loyal__dz_new(loyal__dz **out, int kind);
void loyal__dz_free(loyal__dz *d);

/* The source: a file descriptor (not closed here), or len bytes at data
 * that stay valid until the decompressor is freed. Set one before reading. */
void loyal__dz_set_fd(loyal__dz *d, int fd);
void loyal__dz_set_mem(loyal__dz *d, const void *data, size_t len);

/* Bytes already read from the file descriptor, to decompress before
 * reading it again. Returns 0 or LOYAL_ENOMEM. */
int loyal__dz_prime(loyal__dz *d, const void *data, size_t len);

/* Decompress into dst[0..cap): *got bytes, 0 only at the end of the input.
 * Returns 0; LOYAL_EIO after a failed read() (errno set); LOYAL_ECSV for
 * corrupt, truncated or trailing data, with loyal__dz_reason() saying
 * which; LOYAL_ENOMEM. No message is recorded: the reader knows the line. */
int loyal__dz_read(loyal__dz *d, unsigned char *dst, size_t cap, size_t *got);

/* Why the last loyal__dz_read failed with LOYAL_ECSV. Borrowed. */
const char *loyal__dz_reason(const loyal__dz *d);

/* "gzip" or "zstd". Static. */
const char *loyal__dz_name(const loyal__dz *d);

#endif
