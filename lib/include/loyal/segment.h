#ifndef LOYAL_SEGMENT_H
#define LOYAL_SEGMENT_H

#include "common.h"
#include "txn_window.h"

/*
 * RFM scores and named customer segments (loyal-segment(1) states the
 * rules for users).
 *
 * Scores, with K bins (default 5), computed within each group over the
 * customers present (see loyal_measures):
 *   Sort the group's customers ascending by the measure; rank_min is the
 *   1-based position of the first customer holding the same value; with n
 *   customers in the group,
 *       score = 1 + floor(K * (rank_min - 1) / n)       (1..K)
 *   Equal values get equal scores.
 *   R sorts by days_since_last descending, so the most recent customers
 *   get the highest score; F sorts by purchases; M by net spend.
 *
 * Segments: a table of named rows, each with a range of R, F and M
 * scores; a customer's segment is the first row whose three ranges hold
 * their scores, or "Others" when no row does.
 */

/* ---- segment tables ---------------------------------------------------- */

typedef struct loyal_rfm_segments loyal_rfm_segments;

/*
 * The default table, written for 5 bins (the example table of R's rfm
 * package, rfm_segment(), which also takes the first match; three of its
 * rows can never match, see loyal_rfm_segments_cells()):
 *
 *   segment              R    F    M
 *   Champions            4-5  4-5  4-5
 *   Loyal Customers      2-5  3-5  3-5
 *   Potential Loyalist   3-5  1-3  1-3
 *   New Customers        4-5  1    1
 *   Promising            3-4  1    1
 *   Need Attention       2-3  2-3  2-3
 *   About To Sleep       2-3  1-2  1-2
 *   At Risk              1-2  2-5  2-5
 *   Can't Lose Them      1    4-5  4-5
 *   Lost                 1-2  1-2  1-2
 *
 * Returns 0 or LOYAL_ENOMEM. Free *out with loyal_rfm_segments_free().
 */
LOYAL_EXTERN(int) loyal_rfm_segments_default(loyal_rfm_segments **out);

/*
 * Read a table from CSV text (or any delimiter loyal_reader detects): a
 * header naming the columns segment, r, f and m (also accepted: name,
 * recency, frequency, monetary; any case; other columns are ignored), then
 * one row per segment, in matching order:
 *
 *   segment,r,f,m
 *   高价值客户,4-5,4-5,4-5
 *   流失客户,1,*,*
 *
 * A range is N, N-M (N <= M) or * (any score); scores start at 1, and the
 * upper ends are checked against the number of bins by loyal_rfm_compute().
 * Names are any UTF-8 text without control characters, unique; "Others"
 * is the segment of customers no row matches, so a row may be named so
 * only when it matches every customer (* * *), which must then be the last
 * row. A row after one that matches every customer is an error (it could
 * never match).
 * `name` names the text in messages (a file name; "segments" when NULL).
 * Errors are located: loyal_error_last() gives line and column (field
 * number). Returns 0; LOYAL_EINVAL (a bad range, name, duplicate or
 * unreachable row, no rows); the reader's errors (LOYAL_ECSV,
 * LOYAL_ECOLUMN for a missing column, LOYAL_EVALUE for invalid UTF-8);
 * LOYAL_ENOMEM.
 */
LOYAL_EXTERN(int) loyal_rfm_segments_parse(loyal_rfm_segments **out, const char *text,
					   size_t len, const char *name);

/* As loyal_rfm_segments_parse(), reading the file at `path` ("-" is
 * standard input). Also returns LOYAL_EOPEN and LOYAL_EIO. */
LOYAL_EXTERN(int) loyal_rfm_segments_load(loyal_rfm_segments **out, const char *path);

/* Release a table. Accepts NULL. */
LOYAL_EXTERN(void) loyal_rfm_segments_free(loyal_rfm_segments *s);

/* Number of rows of the table ("Others" not included). */
LOYAL_EXTERN(size_t) loyal_rfm_segments_count(const loyal_rfm_segments *s);

/* Name of row k; "Others" for k == count; NULL beyond. Borrowed until
 * the table is freed. */
LOYAL_EXTERN(const char *) loyal_rfm_segments_name(const loyal_rfm_segments *s, size_t k);

/* The ranges of row k: lo[0..2] and hi[0..2] for R, F and M (a * range is
 * 1 to 0, i.e. hi 0 means "no upper end"). Returns 0 or LOYAL_EINVAL. */
LOYAL_EXTERN(int) loyal_rfm_segments_ranges(const loyal_rfm_segments *s, size_t k,
					    unsigned lo[3], unsigned hi[3]);

/* The first row whose ranges hold (r, f, m), or loyal_rfm_segments_count()
 * when none does ("Others"). */
LOYAL_EXTERN(size_t) loyal_rfm_segments_match(const loyal_rfm_segments *s, unsigned r,
					      unsigned f, unsigned m);

/*
 * How many of the bins^3 combinations of scores row k receives when the
 * first matching row wins (k == count: those left to "Others"). A row that
 * receives none can never match: with the default table and 5 bins,
 * "New Customers" and "Promising" lie inside "Potential Loyalist" and
 * "Can't Lose Them" inside "At Risk", as in R's rfm_segment. *out gets the
 * count. Returns 0 or LOYAL_EINVAL (k out of range, bins out of 1-100).
 */
LOYAL_EXTERN(int) loyal_rfm_segments_cells(uint64_t *out, const loyal_rfm_segments *s,
					   unsigned bins, size_t k);

/* ---- scores and segments of customers ---------------------------------- */

typedef struct {
	int version;
	unsigned bins;                       /* K: 1 to 100; default 5 */
	const loyal_rfm_segments *segments;  /* NULL: the default table;
	                                      * borrowed during the call */
} loyal_rfm_options;

#define LOYAL_RFM_OPTIONS_VERSION 1
#define LOYAL_RFM_OPTIONS_INIT { LOYAL_RFM_OPTIONS_VERSION, 5, NULL }

/* The scores and segments of a set of customers. Opaque. */
typedef struct loyal_rfm loyal_rfm;

/*
 * Score and segment every present customer of `m`, within their group.
 * Needs m->days_since_last, m->purchases and m->spend; m->group and
 * m->present are optional; m->value is not read. The arrays are only
 * read during the call; the table's names are copied.
 * `opts` may be NULL for the defaults. Any options version from 1 to
 * LOYAL_RFM_OPTIONS_VERSION is accepted.
 * On success *out owns the result; free it with loyal_rfm_free().
 * Returns 0; LOYAL_EINVAL (NULL or missing arrays, a negative
 * days_since_last, bins out of 1-100, the default table with bins other
 * than 5, a range of the table above bins (located at its line and
 * column), a row after one that matches every customer); LOYAL_ENOMEM.
 */
LOYAL_EXTERN(int) loyal_rfm_compute(loyal_rfm **out, const loyal_measures *m,
				    const loyal_rfm_options *opts);

/* Release a result. Accepts NULL. */
LOYAL_EXTERN(void) loyal_rfm_free(loyal_rfm *r);

/* Number of customers (m->n of the input). */
LOYAL_EXTERN(size_t) loyal_rfm_count(const loyal_rfm *r);

/* The bins K the scores were computed with. */
LOYAL_EXTERN(unsigned) loyal_rfm_bins(const loyal_rfm *r);

/*
 * One customer's result. Fields may be added at the end in later
 * versions: read them through the pointer, never copy the struct by size.
 */
typedef struct {
	uint32_t group;
	int present;          /* 0: not a customer (scores 0, segment -1) */
	unsigned r, f, m;     /* 1..bins */
	int segment;          /* row of the table, or the row count ("Others") */
	uint32_t rank_r, rank_f, rank_m; /* rank_min of each measure (1-based) */
	uint32_t group_size;  /* n: present customers of the group */
} loyal_rfm_customer;

/* Customer i (0 <= i < loyal_rfm_count()), or NULL when out of range.
 * Borrowed until loyal_rfm_free(). */
LOYAL_EXTERN(const loyal_rfm_customer *) loyal_rfm_customer_at(const loyal_rfm *r, size_t i);

/* The rfm code of a customer: the three scores written one after the
 * other ("545") when bins <= 9, joined by '-' ("10-3-7") with more bins;
 * an empty string for a customer not present. snprintf semantics. */
LOYAL_EXTERN(size_t) loyal_rfm_code(char *buf, size_t size, const loyal_rfm *r, size_t i);

/* Number of segments: the table's rows, plus "Others" unless a row
 * matches every customer. Segment numbers run from 0 to this - 1. */
LOYAL_EXTERN(size_t) loyal_rfm_segment_count(const loyal_rfm *r);

/* Name of segment k, or NULL when out of range. Borrowed until
 * loyal_rfm_free(). */
LOYAL_EXTERN(const char *) loyal_rfm_segment_name(const loyal_rfm *r, size_t k);

/*
 * Summary rows: one per group holding present customers and per segment
 * (every segment, those without customers included), by group id, then
 * segment number. Percentages are of the group's present customers and
 * of the group's total spend; a mean over no customer, and spend_pct when
 * the group's total spend is not above 0, are NaN (not computable).
 * Spend is in units (micro-units / 10^6), summed exactly.
 */
typedef struct {
	uint32_t group;
	size_t segment;
	uint64_t customers;
	double customers_pct;
	double spend;
	double spend_pct;
	double mean_days_since_last;
	double mean_purchases;
	double mean_spend;
} loyal_rfm_summary_row;

LOYAL_EXTERN(size_t) loyal_rfm_summary_count(const loyal_rfm *r);

/* Row k, or NULL when out of range. Borrowed until loyal_rfm_free(). */
LOYAL_EXTERN(const loyal_rfm_summary_row *) loyal_rfm_summary_at(const loyal_rfm *r, size_t k);

#endif
