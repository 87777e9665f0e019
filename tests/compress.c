/*
 * Test helper: write a compressed copy of a file, for tests/cli_compressed.sh.
 *
 *   compress gz|zst IN OUT [PARTS]
 *
 * With PARTS > 1 the input is cut into that many pieces, each written as
 * its own gzip member or zstd frame (what `cat a.gz b.gz` or a splitting
 * exporter produces). Built with the same zlib and libzstd the reader uses,
 * so the tests need no gzip or zstd program.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>
#include <zstd.h>

static int gz_piece(FILE *out, const unsigned char *p, size_t n)
{
	z_stream z;
	unsigned char buf[65536];
	int rc;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	z.next_in = (unsigned char *)p;
	z.avail_in = (uInt)n;
	do {
		z.next_out = buf;
		z.avail_out = sizeof(buf);
		rc = deflate(&z, Z_FINISH);
		fwrite(buf, 1, sizeof(buf) - z.avail_out, out);
	} while (rc == Z_OK);
	deflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}

static int zst_piece(FILE *out, const unsigned char *p, size_t n)
{
	size_t cap = ZSTD_compressBound(n);
	void *buf = malloc(cap ? cap : 1);
	size_t got;

	if (!buf)
		return -1;
	/* with the content checksum, as the zstd program writes it */
	ZSTD_CCtx *c = ZSTD_createCCtx();
	if (!c || ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1))) {
		ZSTD_freeCCtx(c);
		free(buf);
		return -1;
	}
	got = ZSTD_compress2(c, buf, cap, p, n);
	ZSTD_freeCCtx(c);
	if (ZSTD_isError(got)) {
		free(buf);
		return -1;
	}
	fwrite(buf, 1, got, out);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	FILE *in, *out;
	unsigned char *data = NULL;
	size_t len = 0, cap = 0, parts = 1;
	int zst;

	if (argc < 4 || argc > 5 || (strcmp(argv[1], "gz") && strcmp(argv[1], "zst"))) {
		fprintf(stderr, "usage: compress gz|zst IN OUT [PARTS]\n");
		return 64;
	}
	zst = !strcmp(argv[1], "zst");
	if (argc == 5)
		parts = (size_t)strtoul(argv[4], NULL, 10);
	if (parts < 1)
		parts = 1;
	if (!(in = fopen(argv[2], "rb"))) {
		perror(argv[2]);
		return 66;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			unsigned char *d = realloc(data, cap);
			if (!d)
				return 71;
			data = d;
		}
		size_t n = fread(data + len, 1, cap - len, in);
		if (n == 0)
			break;
		len += n;
	}
	fclose(in);
	if (!(out = fopen(argv[3], "wb"))) {
		perror(argv[3]);
		return 73;
	}
	for (size_t k = 0; k < parts; k++) {
		size_t a = len * k / parts, b = len * (k + 1) / parts;
		if ((zst ? zst_piece(out, data + a, b - a) : gz_piece(out, data + a, b - a)) < 0) {
			fprintf(stderr, "compress: failed\n");
			return 70;
		}
	}
	free(data);
	return fclose(out) ? 74 : 0;
}
