#ifndef LOYAL_TXN_H
#define LOYAL_TXN_H

#include "common.h"
#include "date.h"

/*
 * Transactions: per-customer purchase history and the metrics built on it
 * (customer summary, repurchase, period retention, cohort matrix, inactivity
 * churn, and the sufficient statistics of the BG/NBD and Gamma-Gamma models).
 *
 * A loyal_txn is a streaming accumulator. Feed it one row per order line
 * with loyal_txn_add(), call loyal_txn_finish() once with the end of the
 * observation window, then read results. Memory grows with the distinct
 * customers and purchase occasions, never with the number of rows: the
 * consecutive lines of an occasion are folded into one 24-byte record as
 * they arrive, and order ids are kept as 64-bit keys (ids that are not
 * numbers or short are interned). With LOYAL_RETURNS_NET_DAY each return
 * row takes a record too (returns are a few percent of the rows). Accumulators of the parts of an input
 * merge exactly (loyal_txn_merge), so parts can be read in threads.
 *
 * Definitions (the man pages loyal-summary(1), loyal-repurchase(1) and
 * loyal-retention(1) state them for users):
 *  - A row with a negative amount is a return: it never makes a purchase
 *    occasion, and it reduces the customer's net spend. Every other row
 *    (amount zero or more) is a purchase row.
 *  - A purchase occasion is, per customer, one distinct order id among the
 *    purchase rows (LOYAL_OCCASION_ORDER) or one distinct calendar day with a
 *    purchase row (LOYAL_OCCASION_DAY). All lines of an occasion count as
 *    one purchase. The day of an order is the earliest day of its lines.
 *  - Same-day cancellations (LOYAL_RETURNS_NET_DAY, the default): a
 *    customer's amounts of one calendar day are netted, an order counting
 *    on its day; a day with a return row whose net amount is zero or below
 *    holds no occasion (no order of that day counts). Its amounts still go
 *    into the net spend; returns on later days reduce the spend only.
 *    LOYAL_RETURNS_KEEP keeps every occasion.
 *  - A customer "has purchased" when they have at least one occasion.
 *    Customers seen only in return rows, and customers whose every
 *    occasion was cancelled, take part in no metric; their rows are
 *    counted in loyal_txn_stats.
 *  - A customer's group (a caller-defined segment such as a --by value) is
 *    the group of their earliest purchase row (on a tie, the first added).
 *
 * All days are day numbers (see date.h) of the years 1 to 9999, the range
 * of the date parser (others are refused with LOYAL_EINVAL); amounts are
 * micro-units (see number.h) and are summed exactly in 64-bit integers.
 */
typedef struct loyal_txn loyal_txn;

typedef enum {
	LOYAL_OCCASION_DAY = 0,  /* one occasion per customer and calendar day */
	LOYAL_OCCASION_ORDER = 1 /* one occasion per customer and distinct order id */
} loyal_occasion;

typedef enum {
	LOYAL_RETURNS_NET_DAY = 0, /* a day netting to <= 0 with a return holds no occasion */
	LOYAL_RETURNS_KEEP = 1     /* returns never remove an occasion */
} loyal_returns;

typedef struct {
	int version;
	loyal_occasion occasion;
	/* Since version 2: threads loyal_txn_finish() may use on a large
	 * accumulator (it starts them and waits for them; the results do not
	 * depend on the number). 0 and 1: the calling thread only. */
	unsigned threads;
	/* Since version 3: how returns of a day count (earlier versions mean
	 * LOYAL_RETURNS_KEEP, the behaviour they were written for). */
	loyal_returns returns;
} loyal_txn_options;

#define LOYAL_TXN_OPTIONS_VERSION 3
#define LOYAL_TXN_OPTIONS_INIT \
	{ LOYAL_TXN_OPTIONS_VERSION, LOYAL_OCCASION_DAY, 1, LOYAL_RETURNS_NET_DAY }

/* One order line. The strings are only read during loyal_txn_add(). */
typedef struct {
	const char *customer;  /* customer id: any bytes, at least one */
	size_t customer_len;
	const char *order;     /* order id, at least one byte; read only with
	                        * LOYAL_OCCASION_ORDER */
	size_t order_len;
	int32_t day;           /* day number of the line */
	int64_t amount;        /* micro-units; negative: a return; 0 without amounts */
	uint32_t group;        /* the caller's segment of the row; 0 when unused */
} loyal_txn_row;

/* Create an empty accumulator in *out; `opts` may be NULL for the defaults
 * (day occasions, one thread, same-day cancellations netted); version 1 and
 * 2 options are accepted (one thread for version 1; returns kept).
 * Free it with loyal_txn_free().
 * Returns 0, LOYAL_ENOMEM or LOYAL_EINVAL (bad options). */
LOYAL_EXTERN(int) loyal_txn_new(loyal_txn **out, const loyal_txn_options *opts);

/* Release an accumulator and everything it owns. Accepts NULL. */
LOYAL_EXTERN(void) loyal_txn_free(loyal_txn *t);

/* Add one order line. Not allowed after loyal_txn_finish().
 * Returns 0; LOYAL_EINVAL (empty customer or order id, finished
 * accumulator); LOYAL_ETOOBIG (a customer's spend leaves the int64_t range
 * of micro-units, or more than 2^32-2 customers, or purchase records: runs
 * of consecutive lines of one customer and occasion, or more than 2^32-1
 * return lines of one customer); LOYAL_ENOMEM.
 * On failure the accumulator is unchanged except after LOYAL_ENOMEM, when a
 * new customer may be recorded without the row. */
LOYAL_EXTERN(int) loyal_txn_add(loyal_txn *t, const loyal_txn_row *row);

/* Add rows[0..n) in order, exactly as n calls of loyal_txn_add() would,
 * but faster on large inputs: the memory of several rows' customers is
 * fetched at once. The strings are only read during the call. On failure
 * *done (may be NULL) is the index of the row that failed, rows before it
 * are added, and the return value and the row's effect are those of
 * loyal_txn_add(); on success *done is n. */
LOYAL_EXTERN(int) loyal_txn_add_rows(loyal_txn *t, const loyal_txn_row *rows, size_t n,
				     size_t *done);

/* Renumber the groups of an unfinished accumulator: the group g of every
 * row added becomes map[g] (map has n entries, and every group used must
 * be below n). For merging accumulators whose rows numbered their groups
 * separately: map both into one numbering first. Returns 0 or LOYAL_EINVAL
 * (nothing is changed then). */
LOYAL_EXTERN(int) loyal_txn_map_groups(loyal_txn *t, const uint32_t *map, size_t n);

/* Add everything `src` holds to `dst`, as if src's rows had been added to
 * dst after dst's own (groups are compared by day, ties keep dst's): the
 * accumulators of consecutive parts of an input, merged in order, give
 * results identical to one accumulator fed the whole input, whatever the
 * parts (an order split between two parts is one occasion). Both must be
 * unfinished and use the same occasion kind; src is unchanged. Group
 * numbers are taken as they are (see loyal_txn_map_groups).
 * Returns 0, LOYAL_EINVAL, LOYAL_ETOOBIG or LOYAL_ENOMEM; after
 * LOYAL_ETOOBIG or LOYAL_ENOMEM dst may hold part of src and should be
 * freed. */
LOYAL_EXTERN(int) loyal_txn_merge(loyal_txn *dst, const loyal_txn *src);

/* As loyal_txn_merge(), then free src: its memory is given back as it is
 * merged, so that merging needs about the memory of the result rather than
 * of both. src must not be used after the call, whatever it returns
 * (except when it is dst or NULL: then nothing is freed). */
LOYAL_EXTERN(int) loyal_txn_merge_free(loyal_txn *dst, loyal_txn *src);

/* End the input: `as_of` is the last day of the observation window and
 * must not be before any day added. Call once, before any result function.
 * Returns 0, LOYAL_EINVAL (a row dated after as_of, or already finished)
 * or LOYAL_ENOMEM. */
LOYAL_EXTERN(int) loyal_txn_finish(loyal_txn *t, int32_t as_of);

/* Counts of what was added. */
typedef struct {
	int version; /* set by the caller: LOYAL_TXN_STATS_INIT (see libloyal(3), Versions) */
	uint64_t rows;              /* rows added */
	uint64_t purchase_rows;     /* rows with an amount >= 0 */
	uint64_t return_rows;       /* rows with a negative amount */
	uint64_t occasions;         /* purchase occasions, those left by the
	                             * cancellations (after loyal_txn_finish(),
	                             * 0 before: an order's lines may come apart) */
	int32_t first_day, last_day;/* earliest and latest day of any row; 0 with no rows */
	/* after loyal_txn_finish(), 0 before: */
	uint64_t customers;         /* customers with at least one occasion */
	uint64_t return_only_customers; /* customers seen only in return rows */
	uint64_t return_only_rows;  /* their rows (all returns) */
	uint64_t cancelled_occasions;  /* occasions removed by same-day returns */
	uint64_t cancelled_customers;  /* customers with purchase rows whose every
	                                * occasion was removed so (their rows are
	                                * in purchase_rows and return_rows) */
} loyal_txn_stats;

#define LOYAL_TXN_STATS_VERSION 1
#define LOYAL_TXN_STATS_INIT { .version = LOYAL_TXN_STATS_VERSION }

/* Fill *out. Returns 0 or LOYAL_EINVAL for NULL arguments. */
LOYAL_EXTERN(int) loyal_txn_get_stats(loyal_txn_stats *out, const loyal_txn *t);

/* The as-of day given to loyal_txn_finish() (0 before it). */
LOYAL_EXTERN(int32_t) loyal_txn_as_of(const loyal_txn *t);

/* ---- per customer ------------------------------------------------------ */

/* One customer with at least one purchase occasion. Time is in whole days. */
typedef struct {
	int version;          /* set by the caller: LOYAL_TXN_CUSTOMER_INIT (see libloyal(3), Versions) */
	const char *id;        /* the customer id, NUL-terminated; borrowed until
	                        * loyal_txn_free() */
	size_t id_len;
	uint32_t group;        /* group of the earliest purchase row */
	int32_t first_day;     /* day of the first occasion */
	int32_t last_day;      /* day of the last occasion */
	uint64_t occasions;    /* purchase occasions, >= 1 */
	int64_t spend;         /* net spend: all amounts, returns included (micro-units) */
	int64_t gross_spend;   /* purchase rows only (micro-units) */
	int64_t repeat_spend;  /* purchase amounts of the occasions after the first
	                        * (the first is the earliest; on a tie of days, the
	                        * first added), cancelled occasions left out
	                        * (micro-units) */
	/* BG/NBD sufficient statistics, in days: */
	uint64_t x;            /* repeat occasions: occasions - 1 */
	int32_t t_x;           /* last_day - first_day */
	int32_t T;             /* as_of - first_day */
	double mean_repeat_spend; /* repeat_spend / x in units (not micro-units);
	                           * NaN when x = 0 (Gamma-Gamma's input) */
} loyal_txn_customer;

#define LOYAL_TXN_CUSTOMER_VERSION 1
#define LOYAL_TXN_CUSTOMER_INIT { .version = LOYAL_TXN_CUSTOMER_VERSION }

/* Number of customers with at least one occasion (0 before finish). */
LOYAL_EXTERN(size_t) loyal_txn_customer_count(const loyal_txn *t);

/* Customer number i, 0 <= i < loyal_txn_customer_count(), in the order in
 * which customers were first added. Returns 0, or LOYAL_EINVAL (not
 * finished, i out of range, NULL argument). */
LOYAL_EXTERN(int) loyal_txn_customer_get(loyal_txn_customer *out, const loyal_txn *t, size_t i);

/* ---- calibration and holdout periods ------------------------------------ */

/*
 * A customer's history split at day `cut`, for a holdout check of a purchase
 * model: the model is fitted on the occasions up to cut (the calibration
 * period) and its predictions are compared with the occasions after it, up
 * to the as-of day (the holdout period). Times are whole days.
 */
typedef struct {
	int version;          /* set by the caller: LOYAL_TXN_SPLIT_INIT (see libloyal(3), Versions) */
	int calibration;   /* 1 when the first occasion is on or before cut: the
	                    * customer belongs to the calibration period; 0 for a
	                    * customer acquired after it (x, t_x and T are then 0) */
	uint64_t x;        /* occasions on or before cut, less the first */
	int32_t t_x;       /* day of the last of those - first_day */
	int32_t T;         /* cut - first_day */
	uint64_t holdout;  /* occasions after cut, up to as-of (all of them when
	                    * calibration is 0) */
} loyal_txn_split;

#define LOYAL_TXN_SPLIT_VERSION 1
#define LOYAL_TXN_SPLIT_INIT { .version = LOYAL_TXN_SPLIT_VERSION }

/* Fill *out for customer number i (as loyal_txn_customer_get() numbers
 * them) with the calibration period ending at day `cut`, which must not be
 * after the as-of day. With cut = as-of, x, t_x and T are those of
 * loyal_txn_customer_get() and holdout is 0. Returns 0, or LOYAL_EINVAL
 * (not finished, i out of range, cut after as-of, NULL argument). */
LOYAL_EXTERN(int) loyal_txn_customer_split(loyal_txn_split *out, const loyal_txn *t, size_t i,
					   int32_t cut);

/*
 * Daily counts of the customers whose first occasion is on or before day
 * `cut` (the calibration customers; every customer when cut is as-of), for
 * the days from_day + k, 0 <= k < ndays:
 *   acquired[k]  customers whose first occasion is on that day
 *   repeats[k]   their occasions after the first that fall on that day
 *                (in the holdout period too, up to as-of)
 * Occasions on days outside the range are not counted. Either array may be
 * NULL; each is the caller's, of ndays elements, and is overwritten.
 * Returns 0, or LOYAL_EINVAL (not finished, NULL t, an array missing
 * while ndays > 0, or from_day + ndays beyond the range of days).
 */
LOYAL_EXTERN(int) loyal_txn_daily_counts(const loyal_txn *t, int32_t cut, int32_t from_day,
					 size_t ndays, uint64_t *acquired, uint64_t *repeats);

/* ---- repurchase -------------------------------------------------------- */

typedef struct {
	int version;
	/* Split each group by the period of the customer's first occasion (the
	 * cohort); LOYAL_PERIOD_NONE for one row per group. */
	loyal_period cohort_period;
	/* With within_days >= 0, also count the customers first seen at least
	 * within_days before as-of (eligible) and those of them whose second
	 * occasion is at most within_days after their first. -1: not computed. */
	int32_t within_days;
} loyal_txn_repurchase_options;

#define LOYAL_TXN_REPURCHASE_OPTIONS_VERSION 1
#define LOYAL_TXN_REPURCHASE_OPTIONS_INIT \
	{ LOYAL_TXN_REPURCHASE_OPTIONS_VERSION, LOYAL_PERIOD_NONE, -1 }

typedef struct {
	uint32_t group;
	int64_t cohort;             /* period index of the first occasion; 0 without a period */
	uint64_t customers;         /* customers with >= 1 occasion */
	uint64_t repeat_customers;  /* customers with >= 2 occasions */
	uint64_t repeat_purchases;  /* sum of (occasions - 1) */
	double repurchase_rate;     /* 100 * repeat_customers / customers */
	/* Days between consecutive occasions of the same customer, over all such
	 * pairs of the row's customers (repeat_purchases of them); NaN when
	 * there is none. The median of an even count is the mean of the middle two. */
	double mean_days_between;
	double median_days_between;
	uint64_t within_eligible;   /* 0 unless within_days >= 0 */
	uint64_t within_repeat;
	double within_rate;         /* 100 * within_repeat / within_eligible; NaN
	                             * when not computed or no customer is eligible */
} loyal_txn_repurchase_row;

/* Compute one row per (group, cohort) that has customers, sorted by group
 * then cohort. *rows receives an array of *nrows rows that the caller frees
 * with loyal_txn_repurchase_free() (NULL when *nrows is 0).
 * Returns 0, LOYAL_EINVAL (not finished, bad options) or LOYAL_ENOMEM. */
LOYAL_EXTERN(int) loyal_txn_repurchase(loyal_txn_repurchase_row **rows, size_t *nrows,
				       const loyal_txn *t,
				       const loyal_txn_repurchase_options *opts);

/* Free an array from loyal_txn_repurchase(). Accepts NULL. */
LOYAL_EXTERN(void) loyal_txn_repurchase_free(loyal_txn_repurchase_row *rows);

/* ---- period retention -------------------------------------------------- */

typedef struct {
	uint32_t group;
	int64_t period;          /* period index t */
	uint64_t active_prev;    /* S: customers with an occasion in t - 1 */
	uint64_t retained;       /* of those, customers with an occasion in t */
	uint64_t new_customers;  /* N: customers whose first occasion is in t */
	uint64_t active;         /* E: customers with an occasion in t */
	double retention;        /* 100 * retained / active_prev */
	double churn;            /* 100 - retention */
	double crr;              /* 100 * (active - new_customers) / active_prev */
	                         /* the three are NaN when active_prev = 0 */
	int complete;            /* 1 when period t ends on or before as-of; 0 for
	                          * the period of as-of when as-of is not its last
	                          * day (fewer customers had time to come back) */
} loyal_txn_retention_row;

/* For each group, one row per period t from the period after the group's
 * first occasion to the period of as-of, periods without activity included,
 * sorted by group then period. `period` must not be LOYAL_PERIOD_NONE.
 * The caller frees *rows with loyal_txn_retention_free() (NULL when
 * *nrows is 0). Returns 0, LOYAL_EINVAL or LOYAL_ENOMEM. */
LOYAL_EXTERN(int) loyal_txn_retention(loyal_txn_retention_row **rows, size_t *nrows,
				      const loyal_txn *t, loyal_period period);

/* Free an array from loyal_txn_retention(). Accepts NULL. */
LOYAL_EXTERN(void) loyal_txn_retention_free(loyal_txn_retention_row *rows);

/* ---- cohort matrix ----------------------------------------------------- */

typedef struct {
	int version;
	loyal_period period; /* cohort and cell period; not LOYAL_PERIOD_NONE */
	/* 0: cell k counts customers with an occasion in period cohort + k.
	 * 1: ... with an occasion in cohort + k or any later period. */
	int unbounded;
} loyal_txn_cohort_options;

#define LOYAL_TXN_COHORT_OPTIONS_VERSION 1
#define LOYAL_TXN_COHORT_OPTIONS_INIT \
	{ LOYAL_TXN_COHORT_OPTIONS_VERSION, LOYAL_PERIOD_MONTH, 0 }

typedef struct {
	uint32_t group;
	int64_t cohort;          /* period index of the cohort's first occasions */
	uint64_t customers;      /* customers whose first occasion is in `cohort` */
	size_t ncells;           /* periods cohort .. period of as-of */
	const uint64_t *active;  /* active[k]: customers counted in cell k */
	const double *retention; /* 100 * active[k] / customers; retention[0] = 100 */
	size_t complete_cells;   /* cells 0 .. complete_cells - 1 are whole periods;
	                          * the last cell is not when as-of is not the last
	                          * day of its period */
} loyal_txn_cohort_row;

/* One row per (group, cohort) with customers, sorted by group then cohort.
 * The arrays of each row live in the same allocation as *rows, which the
 * caller frees with loyal_txn_cohorts_free() (NULL when *nrows is 0).
 * Returns 0, LOYAL_EINVAL or LOYAL_ENOMEM. */
LOYAL_EXTERN(int) loyal_txn_cohorts(loyal_txn_cohort_row **rows, size_t *nrows,
				    const loyal_txn *t, const loyal_txn_cohort_options *opts);

/* Free an array from loyal_txn_cohorts(). Accepts NULL. */
LOYAL_EXTERN(void) loyal_txn_cohorts_free(loyal_txn_cohort_row *rows);

/* ---- inactivity churn -------------------------------------------------- */

typedef struct {
	uint32_t group;
	int64_t cohort;        /* period index of the first occasion; 0 without a period */
	uint64_t customers;    /* customers with >= 1 occasion */
	uint64_t inactive;     /* of those, customers with as_of - last_day > days */
	double churn_rate;     /* 100 * inactive / eligible; NaN when eligible = 0 */
	uint64_t eligible;     /* customers who could be inactive that long: first
	                        * occasion more than `days` before as-of
	                        * (as_of - first_day > days) */
} loyal_txn_inactive_row;

/* The churn rate at as-of: one row per (group, cohort), cohorts by
 * `cohort_period` (LOYAL_PERIOD_NONE: one row per group), sorted by group
 * then cohort. `days` must be >= 0. The caller frees *rows with
 * loyal_txn_inactive_free(). Returns 0, LOYAL_EINVAL or LOYAL_ENOMEM. */
LOYAL_EXTERN(int) loyal_txn_inactive(loyal_txn_inactive_row **rows, size_t *nrows,
				     const loyal_txn *t, int32_t days,
				     loyal_period cohort_period);

/* Free an array from loyal_txn_inactive(). Accepts NULL. */
LOYAL_EXTERN(void) loyal_txn_inactive_free(loyal_txn_inactive_row *rows);

#endif
