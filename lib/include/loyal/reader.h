#ifndef LOYAL_READER_H
#define LOYAL_READER_H

#include "common.h"

/*
 * A streaming reader of delimited text (CSV and its relatives) built on
 * libcsv in strict mode. It reads the input in large blocks, counts physical
 * lines itself (LF, CRLF and lone CR all end a line, also inside quoted
 * fields) and hands out one row at a time. Memory is bounded by the longest
 * row, never by the number of rows.
 *
 * What it rejects, with file, line and column. Problems of the whole file,
 * after which it cannot go on: malformed quoting (a quote inside an unquoted
 * field, text after a closing quote, an unterminated quoted field at end of
 * input), fields longer than max_field_size, UTF-16 input, an empty file, a
 * header with a NUL byte or invalid UTF-8, read errors, running out of memory.
 * Problems of one row, after which the next row can be read (see
 * loyal_reader_can_continue): a different number of fields than the header,
 * a NUL byte in a field, invalid UTF-8 in a column the caller uses.
 * What it accepts: a UTF-8 byte-order mark, CRLF, LF and CR line ends, also
 * mixed, quoted fields with delimiters, doubled quotes and line breaks.
 * Blank lines (empty or only spaces) are skipped and counted. Spaces around
 * unquoted fields are trimmed (libcsv's rule); tabs and spaces inside quotes
 * are kept.
 *
 * libcsv is used as its author's strict mode allows and no further: one
 * parser per input, never reset or reused after an error, and csv_fini() is
 * never called after a parse error (it would deliver the partial row as if
 * it were complete).
 */
typedef struct loyal_reader loyal_reader;

#define LOYAL_DEFAULT_MAX_FIELD_SIZE ((size_t)16 * 1024 * 1024)

/* Most columns a header (or, with no_header, the first row) may have: a
 * wider one is LOYAL_ETOOBIG, so a header of millions of empty names
 * cannot take gigabytes. */
#define LOYAL_READER_MAX_COLUMNS 100000

typedef struct {
	int version;
	/* Field delimiter; 0 detects it from the first line among
	 * ',' ';' TAB '|' (the one that occurs most outside quotes; ',' on a tie). */
	char delimiter;
	/* Non-zero: the first row is data, and columns are named "1", "2", ... */
	int no_header;
	/* Longest field accepted, in bytes; 0 means LOYAL_DEFAULT_MAX_FIELD_SIZE. */
	size_t max_field_size;
	/* (version 2) The input's character encoding, any name iconv knows
	 * ("gb18030", "gbk", "big5", "utf-16", "latin1", "windows-1252"...):
	 * the input is converted to UTF-8 as it is read (see
	 * loyal_reader_open). NULL, "utf-8" or "utf8" read UTF-8 as is. */
	const char *encoding;
} loyal_read_options;

/* Version 1 options (without `encoding`) are still accepted. */
#define LOYAL_READ_OPTIONS_VERSION 2
#define LOYAL_READ_OPTIONS_INIT { LOYAL_READ_OPTIONS_VERSION, 0, 0, 0, NULL }

/*
 * Open `path` ("-" is standard input), detect the delimiter and read the
 * header row. On success *out owns a reader to release with
 * loyal_reader_free(). `opts` may be NULL for the defaults.
 *
 * Encodings: with opts->encoding the input is converted to UTF-8 with the
 * C library's iconv as it is streamed; a file starting with a UTF-16
 * byte-order mark (FF FE or FE FF) is converted from UTF-16 without it.
 * Line breaks convert one for one, so line numbers in messages are those
 * of the original file. A byte sequence not valid in the given encoding is
 * treated as invalid UTF-8 is: an error of the row (or of the file, in
 * the header) where the column is used, named by line and column.
 *
 * Compressed input: a file (or buffer) that starts with the magic bytes of
 * gzip (1F 8B 08) or Zstandard (28 B5 2F FD) is decompressed as it is
 * streamed, whatever its name, with zlib or libzstd; encodings and
 * byte-order marks are then those of the decompressed text, and line
 * numbers in messages are lines of the decompressed text. Concatenated
 * gzip members and zstd frames are read one after the other. Corrupt
 * compressed data, a truncated stream, or bytes after the last member that
 * are not another one are LOYAL_ECSV ("the gzip stream ends early: the
 * file is truncated"), from open or from
 * loyal_reader_next().
 *
 * Returns 0, LOYAL_EOPEN, LOYAL_EIO, LOYAL_ECSV (empty file, UTF-16 without
 * a byte-order mark, malformed header, corrupt compressed data), LOYAL_ETOOBIG (a header field
 * longer than max_field_size, or more than LOYAL_READER_MAX_COLUMNS
 * columns), LOYAL_ENOMEM or LOYAL_EINVAL (an unknown encoding, bad options).
 */
LOYAL_EXTERN(int) loyal_reader_open(loyal_reader **out, const char *path,
				    const loyal_read_options *opts);

/* As loyal_reader_open(), over an already open file descriptor that the
 * reader does not close; `name` is used in messages. */
LOYAL_EXTERN(int) loyal_reader_open_fd(loyal_reader **out, int fd, const char *name,
				       const loyal_read_options *opts);

/* As loyal_reader_open(), over `len` bytes at `data`, which must stay valid
 * and unchanged until the reader is freed; `name` is used in messages. */
LOYAL_EXTERN(int) loyal_reader_open_buffer(loyal_reader **out, const void *data, size_t len,
					   const char *name, const loyal_read_options *opts);

/* Release a reader and everything it owns. Accepts NULL. */
LOYAL_EXTERN(void) loyal_reader_free(loyal_reader *r);

/* The name used in messages (the path, or "-" for standard input). */
LOYAL_EXTERN(const char *) loyal_reader_name(const loyal_reader *r);

/* The delimiter in use (given or detected). */
LOYAL_EXTERN(char) loyal_reader_delimiter(const loyal_reader *r);

/* Number of columns (fields in the header row, or in the first row with
 * no_header). */
LOYAL_EXTERN(size_t) loyal_reader_columns(const loyal_reader *r);

/* Name of column `col` (0-based) as written in the header, or "1", "2", ...
 * with no_header. Borrowed: valid until the reader is freed. */
LOYAL_EXTERN(const char *) loyal_reader_column_name(const loyal_reader *r, size_t col);

/* Whether the input started with a byte-order mark (UTF-8, or UTF-16). */
LOYAL_EXTERN(int) loyal_reader_had_bom(const loyal_reader *r);

/* The encoding the input is read in: "UTF-8", the name given in the
 * options, or "UTF-16LE" / "UTF-16BE" when found by a byte-order mark.
 * Borrowed: valid until the reader is freed. */
LOYAL_EXTERN(const char *) loyal_reader_encoding(const loyal_reader *r);

/* "gzip" or "zstd" when the input is decompressed as it is read, else
 * NULL. Static. */
LOYAL_EXTERN(const char *) loyal_reader_compression(const loyal_reader *r);

/* Whether the C library can convert from encoding `name` (see
 * loyal_read_options.encoding). Returns 0, or LOYAL_EINVAL with a message. */
LOYAL_EXTERN(int) loyal_encoding_check(const char *name);

/*
 * The encoding that the bytes s[0..len), which are not valid UTF-8, most
 * likely are in: "GB18030" when they decode as GB18030 (which includes GBK
 * and GB2312, the encodings of Chinese Excel and survey exports) with every
 * character in the two-byte range of Chinese text, else "Windows-1252" or
 * "Latin-1". "UTF-8" when they are valid UTF-8. Static.
 * The reader records this guess in loyal_error_info.encoding when it
 * rejects invalid UTF-8.
 */
LOYAL_EXTERN(const char *) loyal_encoding_guess(const char *s, size_t len);

/*
 * Find the column of a role. With `name` non-NULL the column must be named
 * that (byte for byte, or else after loyal_normalize_name), or with
 * no_header be a 1-based column number. With `name`
 * NULL the aliases are tried in order; the first alias that matches decides.
 * Two columns matching the deciding name is an ambiguity error.
 * `role` names the role in messages ("NPS score"). On success *out is the
 * 0-based column and the column is marked used (see loyal_reader_use_column).
 * Returns 0, LOYAL_ECOLUMN (not found or ambiguous) or LOYAL_EINVAL.
 */
LOYAL_EXTERN(int) loyal_reader_find_column(size_t *out, loyal_reader *r, const char *role,
					   const char *name, const char *const *aliases);

/* Mark column `col` as used: only used columns are copied out of each row and
 * checked for valid UTF-8. Returns 0 or LOYAL_EINVAL. */
LOYAL_EXTERN(int) loyal_reader_use_column(loyal_reader *r, size_t col);

/*
 * Read the next data row. Returns 0 with a row available, LOYAL_ITEROVER at
 * the end of the input, or a negative error (LOYAL_ECSV, LOYAL_EVALUE for
 * invalid UTF-8, LOYAL_ETOOBIG, LOYAL_EIO, LOYAL_ENOMEM) with the location in
 * loyal_error_last(). After an error the reader must not be read again,
 * unless loyal_reader_can_continue() says the error concerned only that row;
 * calling it again after any other error returns the same error.
 */
LOYAL_EXTERN(int) loyal_reader_next(loyal_reader *r);

/*
 * Whether the error returned by the last loyal_reader_next() call concerned
 * only that row (a wrong number of fields, a NUL byte, invalid UTF-8 in a
 * used column): the row was read to its end and counted in
 * loyal_reader_rows(), its fields are not available, and the next call reads
 * the following row. Returns 0 after a success or any other error.
 */
LOYAL_EXTERN(int) loyal_reader_can_continue(const loyal_reader *r);

/*
 * Keep the bytes of each row as they appear in the input (for quarantine
 * files of rejected rows). Off by default; call it before the first
 * loyal_reader_next().
 */
LOYAL_EXTERN(void) loyal_reader_keep_raw(loyal_reader *r, int on);

/*
 * The bytes of the current row as read (in UTF-8 when the input is
 * converted, with 0xFF for each byte not valid in its encoding), without
 * its final line end
 * (quoted line breaks inside it are kept), NUL-terminated, length in *len.
 * Also available after a row error, and after a file-level error (the bytes
 * read of that row so far). NULL unless loyal_reader_keep_raw() is on.
 * Borrowed: valid until the next loyal_reader_next() call.
 */
LOYAL_EXTERN(const char *) loyal_reader_raw(const loyal_reader *r, size_t *len);

/* Line ends seen so far, by kind (any pointer may be NULL), counting those
 * inside quoted fields and on blank lines. */
LOYAL_EXTERN(void) loyal_reader_line_ends(const loyal_reader *r, uint64_t *lf, uint64_t *crlf,
					  uint64_t *cr);

/* Field `col` of the current row, NUL-terminated, with its length in *len
 * when len is non-NULL. Only used columns are available; others return NULL.
 * Borrowed: valid until the next loyal_reader_next() call. */
LOYAL_EXTERN(const char *) loyal_reader_field(const loyal_reader *r, size_t col, size_t *len);

/* Physical line (1-based) on which the current row starts. */
LOYAL_EXTERN(uint64_t) loyal_reader_line(const loyal_reader *r);

/* Data rows returned so far (the header is not counted). */
LOYAL_EXTERN(uint64_t) loyal_reader_rows(const loyal_reader *r);

/* Blank lines skipped so far. */
LOYAL_EXTERN(uint64_t) loyal_reader_blank_lines(const loyal_reader *r);

/* The most parts loyal_reader_split() makes. */
#define LOYAL_READER_MAX_PARTS 64

/*
 * Split the data rows of a regular file (or a buffer) into consecutive
 * parts, for reading them in threads. Call it after the columns are chosen
 * (loyal_reader_find_column, loyal_reader_use_column) and before the first
 * loyal_reader_next(). On return parts[0] is r itself, which now reads the
 * first part only, and parts[1..*nparts) are new readers of the following
 * parts (the caller frees them with loyal_reader_free(); they do not depend
 * on r). `parts` has room for max_parts readers.
 *
 * Reading the parts one after another gives exactly the rows, fields,
 * errors and messages (line numbers included) of reading r alone, and
 * their row, blank-line and line-end counts add up to r's. Each part can
 * be read on its own thread. Parts start after a line feed outside quotes:
 * the quotes are counted from the header on, which in valid CSV tells
 * exactly whether a line feed ends a row (a quoted field may hold line
 * breaks); input that is not valid CSV fails in the part where it goes
 * wrong, so later parts are not to be read once a part fails.
 *
 * Parts are about the same size and at least min_part_size bytes. *nparts
 * is 1, and nothing changes, when the input cannot be split: standard
 * input, a pipe or another file that is not regular, input converted from
 * another encoding, compressed input, input smaller than two parts, no row boundary after the
 * middle, rows already read, max_parts 1.
 * Returns 0, LOYAL_ENOMEM, LOYAL_EIO or LOYAL_EINVAL (then *nparts is 1 and
 * r is unchanged).
 */
LOYAL_EXTERN(int) loyal_reader_split(loyal_reader *r, loyal_reader **parts, size_t max_parts,
				     size_t min_part_size, size_t *nparts);

/* Normalise a header name for matching into buf: ASCII letters (lower-cased)
 * and digits are kept, other ASCII characters dropped; fullwidth ASCII
 * (ＩＤ) reads as ASCII, CJK punctuation and the ideographic space are
 * dropped, and every other character is kept as it is (客户ID and 客户 ID
 * both give 客户id). Returns the normalised length; the result is
 * truncated to size-1 bytes and always NUL-terminated. */
LOYAL_EXTERN(size_t) loyal_normalize_name(char *buf, size_t size, const char *name);

/* Whether s[0..len) is valid UTF-8 (no overlongs, surrogates or values past
 * U+10FFFF). */
LOYAL_EXTERN(int) loyal_utf8_valid(const char *s, size_t len);

#endif
