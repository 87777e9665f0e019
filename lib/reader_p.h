#ifndef LOYAL_READER_P_H
#define LOYAL_READER_P_H

/*
 * The reader's body, shared by reader.c (opening, parsing, columns) and
 * reader_split.c (cutting a regular file into parts for threads).
 */
#include <stddef.h>
#include <stdint.h>

#include <csv.h>

#include "loyal/reader.h"
#include "decompress_p.h"
#include "transcode_p.h"

/* Input is read in blocks of this size (the fuzzing build makes it tiny). */
#ifndef LOYAL_READER_BLOCK_SIZE
#define LOYAL_READER_BLOCK_SIZE (256 * 1024)
#endif
#define BLOCK_SIZE ((size_t)LOYAL_READER_BLOCK_SIZE)
#define FIELD_STEP ((size_t)64 * 1024)
/* Blocks of the quote count that places the cuts of a split file. */
#define SPLIT_BLOCK ((size_t)1024 * 1024)

/* libcsv's parser states (csv.c); only "between rows" is relied upon. */
#define CSV_STATE_ROW_NOT_BEGUN 0

struct loyal_reader {
	char *name;
	int fd;
	int own_fd;
	const unsigned char *mem; /* buffer input, or NULL */
	size_t mem_len;

	unsigned char *buf; /* input block */
	size_t buf_len, buf_pos;
	int eof;
	/* A part of a split file (loyal_reader_split) reads the bytes
	 * [range_pos, range_end) of the file with pread(). */
	int ranged;
	uint64_t range_pos, range_end;
	int more_parts; /* a part follows this one: it must end between rows */
	int own_buf;
	loyal__transcode *tc; /* converting the input to UTF-8, or NULL */
	loyal__dz *dz;        /* decompressing the input, or NULL */
	const char *guess;    /* likely encoding of the first text that was not
			       * UTF-8 (guessed once: it opens iconv) */

	struct csv_parser csv;
	int csv_ready;
	unsigned char delim;
	int no_header;
	size_t max_field;
	int had_bom;

	uint64_t line;     /* physical line of the bytes being fed */
	uint64_t row_line; /* line on which the current row started */
	int in_row;
	int nul_in_row;  /* a line of the current row holds a NUL byte */
	int row_done;
	int err;         /* fatal error raised inside a libcsv callback */
	int row_err;     /* first error confined to the current row, or 0 */
	int row_failed;  /* the last read_row() failed on row_err only */
	int header_mode; /* the header row is being read */
	int failed;      /* sticky error: the reader is not read again */
	uint64_t rows;
	uint64_t blank_lines;
	uint64_t line_ends[3]; /* LF, CRLF, CR */

	/* raw bytes of the current row, when keep_raw is set */
	int keep_raw;
	char *raw;
	size_t raw_len, raw_cap;

	size_t ncols;
	char **colnames;
	unsigned char *used;

	/* current row: used fields are copied into arena */
	size_t nfields;
	char *arena;
	size_t arena_len, arena_cap;
	size_t *offs;    /* per column; SIZE_MAX when not present */
	size_t *lens;
	size_t fields_cap;
};


/* A reader with its name copied and nothing else set; 0 or LOYAL_ENOMEM. */
int loyal__reader_alloc(loyal_reader **out, const char *name);
/* Start libcsv's parser with the reader's delimiter; 0 or LOYAL_ENOMEM. */
int loyal__reader_init_parser(loyal_reader *r);
/* Room for n fields per row; 0 or LOYAL_ENOMEM. */
int loyal__reader_reserve_fields(loyal_reader *r, size_t n);

#endif
