/*
 * libFuzzer target: the CSV reader. The first byte picks the options
 * (delimiter, --no-header, a small field size limit, which columns are
 * used); the rest is the file. The same bytes are read twice, from memory
 * and from a file descriptor (the block-by-block path), and both readings
 * must give the same rows and errors; and so must reading the parts of a
 * split (loyal_reader_split) one after another, from memory and from the
 * file, cut as many ways as the input's size picks. Every field handed out
 * must be valid UTF-8 and NUL-terminated, line numbers must never go back,
 * and errors must stick.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loyal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "check failed: %s (line %d)\n", #cond, __LINE__); abort(); } } while (0)

/* A digest of one reading: a rolling hash of every event. */
static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3ull;
	return h;
}

/* Read parts[0..n) one after another, as a command does: up to the first
 * error that ends a part. */
static uint64_t read_all(loyal_reader **parts, size_t n, unsigned opt, size_t input_len)
{
	uint64_t h = 0xcbf29ce484222325ull, last_line = 0, rows = 0, blank = 0;
	size_t ncols = loyal_reader_columns(parts[0]);
	int error = 0, stopped = 0;

	CHECK(ncols > 0);
	for (size_t k = 0; k < n && !stopped; k++) {
		loyal_reader *r = parts[k];
		for (;;) {
			error = loyal_reader_next(r);
			if (error == LOYAL_ITEROVER)
				break;
			h = mix(h, &error, sizeof(error));
			uint64_t line = loyal_reader_line(r);
			CHECK(line >= last_line);
			last_line = line;
			if (opt & 0x80) {
				size_t rawlen;
				const char *raw = loyal_reader_raw(r, &rawlen);
				/* converted from UTF-16, 2 bytes become at most 3 */
				CHECK(raw && rawlen <= input_len + input_len / 2 + 3 &&
				      raw[rawlen] == '\0');
			}
			if (error < 0) {
				const loyal_error_info *e = loyal_error_last();
				CHECK(e && e->code == error);
				h = mix(h, e->message, strlen(e->message));
				if (!loyal_reader_can_continue(r)) {
					CHECK(loyal_reader_next(r) == error);
					stopped = 1;
					break;
				}
				continue;
			}
			h = mix(h, &line, sizeof(line));
			for (size_t c = 0; c < ncols; c++) {
				size_t len;
				const char *f = loyal_reader_field(r, c, &len);
				if (!f)
					continue;
				CHECK(f[len] == '\0');
				CHECK(loyal_utf8_valid(f, len));
				CHECK(len <= input_len + input_len / 2 + 3);
				h = mix(h, f, len + 1);
			}
		}
		rows += loyal_reader_rows(r);
		blank += loyal_reader_blank_lines(r);
	}
	if (!stopped) {
		/* counts are complete only when every part was read */
		h = mix(h, &rows, sizeof(rows));
		h = mix(h, &blank, sizeof(blank));
	}
	return h;
}

/* max_parts 0: read whole; otherwise split first. */
static uint64_t reading(loyal_reader *r, int error, unsigned opt, size_t len, size_t max_parts,
			size_t min_part)
{
	loyal_reader *parts[LOYAL_READER_MAX_PARTS];
	size_t n = 1;
	uint64_t h;

	if (error < 0) {
		const loyal_error_info *e = loyal_error_last();
		CHECK(!r && e && e->code == error);
		return mix(0, e->message, strlen(e->message));
	}
	for (size_t c = 0; c < loyal_reader_columns(r); c++)
		if ((opt & 0x40) || c % 2 == 0)
			loyal_reader_use_column(r, c);
	loyal_reader_keep_raw(r, (opt & 0x80) != 0);
	parts[0] = r;
	if (max_parts)
		CHECK(loyal_reader_split(r, parts, max_parts, min_part, &n) == 0 && n >= 1 &&
		      parts[0] == r);
	h = read_all(parts, n, opt, len);
	for (size_t k = 0; k < n; k++)
		loyal_reader_free(parts[k]);
	return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char delims[] = { 0, ',', ';', '\t', '|', 0, ':', 0 };
	loyal_read_options o = LOYAL_READ_OPTIONS_INIT;
	loyal_reader *r = NULL;
	unsigned opt;
	int error;

	if (size == 0)
		return 0;
	opt = data[0];
	data++;
	size--;
	o.delimiter = delims[opt & 7];
	/* two of the detected-delimiter cases read a converted encoding (in
	 * one part: converted input is not split) */
	o.encoding = (opt & 7) == 5 ? "GB18030" : (opt & 7) == 7 ? "UTF-16LE" : NULL;
	o.no_header = (opt & 0x08) != 0;
	o.max_field_size = (opt & 0x30) == 0x30 ? 5 : (opt & 0x30) == 0x20 ? 300 : 0;

	/* how to split: up to 2-9 parts of at least 1-16 bytes */
	size_t max_parts = 2 + size % 8, min_part = 1 + (size / 8) % 16;

	error = loyal_reader_open_buffer(&r, data, size, "fuzz.csv", &o);
	uint64_t from_memory = reading(r, error, opt, size, 0, 0);
	r = NULL;
	error = loyal_reader_open_buffer(&r, data, size, "fuzz.csv", &o);
	uint64_t split_memory = reading(r, error, opt, size, max_parts, min_part);
	CHECK(from_memory == split_memory);

	FILE *fp = tmpfile();
	if (!fp)
		return 0;
	if (size && fwrite(data, 1, size, fp) != size)
		abort();
	fflush(fp);
	rewind(fp);
	r = NULL;
	error = loyal_reader_open_fd(&r, fileno(fp), "fuzz.csv", &o);
	uint64_t from_fd = reading(r, error, opt, size, 0, 0);
	CHECK(from_memory == from_fd);
	rewind(fp);
	r = NULL;
	error = loyal_reader_open_fd(&r, fileno(fp), "fuzz.csv", &o);
	uint64_t split_fd = reading(r, error, opt, size, max_parts, min_part);
	fclose(fp);
	CHECK(from_memory == split_fd);
	loyal_error_clear();
	return 0;
}
