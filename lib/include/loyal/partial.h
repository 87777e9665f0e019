#ifndef LOYAL_PARTIAL_H
#define LOYAL_PARTIAL_H

#include "common.h"
#include "txn.h"
#include "txn_window.h"

/*
 * Partial states: the mergeable state of a metric command as text, so that
 * shards of an input can be read by different processes or machines (GNU
 * parallel, Hadoop Streaming, Spark's RDD.pipe, Dask) and merged in one
 * reduce step (loyal-merge(1) documents the format for users).
 *
 * The format, version 1: UTF-8 text, one record a line ending in LF,
 * fields separated by TAB. In a field a backslash, TAB, LF and CR are
 * written \\, \t, \n and \r; no other byte is escaped. The first line is
 *
 *     loyal-partial<TAB>1
 *
 * and the last is "end<TAB>N", N the number of lines before it, so that a
 * state cut short (at any byte) is an error rather than fewer customers.
 * The lines between are records whose first field is their kind; what
 * kinds there are is up to the writer (the program's are in
 * loyal-merge(1); the transaction accumulator's in loyal_txn_state_write).
 *
 * The writer calls a function for its output; the reader reads a file or
 * standard input, checks the first and last lines, and reports every
 * problem with the file, line and field (LOYAL_ECSV), the way the CSV
 * reader does.
 */

#define LOYAL_PARTIAL_VERSION 1

typedef struct loyal_partial_writer loyal_partial_writer;

/* Output: write n bytes at p; return 0 or a negative loyal_error. */
typedef int (*loyal_partial_output)(void *ctx, const char *p, size_t n);

/* Start a state: writes the first line. Free with loyal_partial_writer_free().
 * Returns 0, LOYAL_ENOMEM or the output's error. */
LOYAL_EXTERN(int) loyal_partial_writer_new(loyal_partial_writer **out, loyal_partial_output fn,
					   void *ctx);
LOYAL_EXTERN(void) loyal_partial_writer_free(loyal_partial_writer *w);

/* Add a field to the current line: text (escaped as above), or a number. */
LOYAL_EXTERN(int) loyal_partial_put(loyal_partial_writer *w, const char *s, size_t len);
LOYAL_EXTERN(int) loyal_partial_put_str(loyal_partial_writer *w, const char *s);
LOYAL_EXTERN(int) loyal_partial_put_int(loyal_partial_writer *w, int64_t v);
LOYAL_EXTERN(int) loyal_partial_put_uint(loyal_partial_writer *w, uint64_t v);
/* End the current line. Returns 0 or the output's error. */
LOYAL_EXTERN(int) loyal_partial_end_line(loyal_partial_writer *w);
/* Write the last line ("end", the count). Returns 0 or the output's error. */
LOYAL_EXTERN(int) loyal_partial_finish(loyal_partial_writer *w);

typedef struct loyal_partial_reader loyal_partial_reader;

/* Open `path` ("-": standard input) and check its first line. Returns 0;
 * LOYAL_EOPEN; LOYAL_ECSV when it is not a partial state, or one of
 * another version (the message says which); LOYAL_EIO; LOYAL_ENOMEM. */
LOYAL_EXTERN(int) loyal_partial_reader_open(loyal_partial_reader **out, const char *path);
LOYAL_EXTERN(void) loyal_partial_reader_free(loyal_partial_reader *r);

/* Read the next record. Returns 0 with a record, LOYAL_ITEROVER after the
 * last line (its count checked), LOYAL_ECSV (a bad escape, a NUL byte, a
 * state cut short, a wrong count, text after the last line), LOYAL_EIO or
 * LOYAL_ENOMEM, with the file and line in loyal_error_last(). */
LOYAL_EXTERN(int) loyal_partial_next(loyal_partial_reader *r);

/* Fields of the current record, and field i (unescaped, NUL-terminated;
 * NULL past the last). Borrowed until the next loyal_partial_next(). */
LOYAL_EXTERN(size_t) loyal_partial_nfields(const loyal_partial_reader *r);
LOYAL_EXTERN(const char *) loyal_partial_field(const loyal_partial_reader *r, size_t i,
					       size_t *len);
/* Line of the current record; the name of the input. */
LOYAL_EXTERN(uint64_t) loyal_partial_line(const loyal_partial_reader *r);
LOYAL_EXTERN(const char *) loyal_partial_name(const loyal_partial_reader *r);

/* Field i as a whole number in [min, max]. Returns 0 or LOYAL_ECSV with
 * file, line and field (1-based) in the message. */
LOYAL_EXTERN(int) loyal_partial_get_int(int64_t *out, const loyal_partial_reader *r, size_t i,
					int64_t min, int64_t max);
LOYAL_EXTERN(int) loyal_partial_get_uint(uint64_t *out, const loyal_partial_reader *r, size_t i);
/* Check that the record has exactly n fields (LOYAL_ECSV otherwise). */
LOYAL_EXTERN(int) loyal_partial_expect(const loyal_partial_reader *r, size_t n);
/* Record LOYAL_ECSV at the current line and field i (1-based; 0: none)
 * with the message; returns LOYAL_ECSV. */
LOYAL_EXTERN(int) loyal_partial_fail(const loyal_partial_reader *r, size_t field,
				     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * The state of an unfinished transaction accumulator as records (see
 * loyal-merge(1) for the record kinds: "txn", then per customer in the
 * order first added a "c" record and its purchase ("p") and return ("r")
 * records oldest first, then "txn-end"). Reading it into an empty
 * accumulator of the same options gives one that finishes, and merges
 * (loyal_txn_merge), exactly as the accumulator written. Group numbers are
 * written as they are (the caller writes what they mean).
 * Returns 0, LOYAL_EINVAL (finished), or the output's error.
 */
LOYAL_EXTERN(int) loyal_txn_state_write(const loyal_txn *t, loyal_partial_writer *w);

/* Read a state written by loyal_txn_state_write(), the current record
 * being its "txn" record, into the empty accumulator t, up to and
 * including "txn-end". Groups above max_group are refused. Returns 0,
 * LOYAL_ECSV (with file, line and field), LOYAL_EINVAL (options of t other
 * than the state's, not empty), LOYAL_ETOOBIG or LOYAL_ENOMEM. */
LOYAL_EXTERN(int) loyal_txn_state_read(loyal_txn *t, loyal_partial_reader *r,
				       uint32_t max_group);

/*
 * The state of a loyal_txn_days accumulator: a "days" record with the
 * number of (customer, day) pairs, one "d" record per pair (customer id,
 * ISO date, net amount in micro-units), then "days-end". Amounts are whole
 * micro-units, so states read into one accumulator in any order sum
 * exactly. Returns 0 or the output's error (LOYAL_EINVAL for NULL).
 */
LOYAL_EXTERN(int) loyal_txn_days_state_write(const loyal_txn_days *d, loyal_partial_writer *w);

/* Read such a state, the current record being its "days" record, into d
 * (adding to what d holds), up to and including "days-end". Returns 0,
 * LOYAL_ECSV (with file, line and field), LOYAL_ETOOBIG or LOYAL_ENOMEM. */
LOYAL_EXTERN(int) loyal_txn_days_state_read(loyal_txn_days *d, loyal_partial_reader *r);

#endif
