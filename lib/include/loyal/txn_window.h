#ifndef LOYAL_TXN_WINDOW_H
#define LOYAL_TXN_WINDOW_H

#include "common.h"
#include "txn.h"

/*
 * What each customer of a finished loyal_txn had done by a given day, and
 * within a window of days before it: the per-customer measures that RFM
 * scores (segment.h) and tiers (tiers.h) are computed from.
 *
 * Definitions, for a day `at` and a window of W days (W = 0: all history):
 *  - The window is the W days ending at `at`, both ends included:
 *    at - W + 1 .. at. With W = 0 it is every day up to `at`.
 *  - A customer is present at `at` when their first purchase occasion is
 *    on or before `at` (a customer "by" that day). Every customer of the
 *    loyal_txn is present at its as-of day.
 *  - purchases: the customer's purchase occasions whose day (the day of
 *    an occasion as loyal_txn defines it) falls in the window.
 *  - spend: the sum of the amounts of all the customer's rows dated in the
 *    window, returns included (net spend); an amount counts on the day of
 *    its own row.
 *  - days_since_last: `at` minus the day of the customer's last purchase
 *    occasion on or before `at`, whatever the window (0 when not present).
 *
 * Purchases and days come from the loyal_txn, so a purchase means what it
 * means everywhere else. A loyal_txn does not keep the day of every
 * amount, so spend within a window (or by a day before the as-of day)
 * needs a loyal_txn_days accumulator fed the same rows.
 */

/* ---- net amounts per customer and day --------------------------------- */

/*
 * An accumulator of each customer's net amount per calendar day. Feed it
 * exactly the rows given to the loyal_txn it goes with (the same customer
 * ids, days and amounts; the order id and group are not read). Memory
 * grows with the distinct (customer, day) pairs, never with the rows.
 */
typedef struct loyal_txn_days loyal_txn_days;

/* Create an empty accumulator in *out; free it with loyal_txn_days_free().
 * Returns 0 or LOYAL_ENOMEM (LOYAL_EINVAL when out is NULL). */
LOYAL_EXTERN(int) loyal_txn_days_new(loyal_txn_days **out);

/* Release an accumulator. Accepts NULL. */
LOYAL_EXTERN(void) loyal_txn_days_free(loyal_txn_days *d);

/* Add one row (see loyal_txn_add()). The strings are only read during
 * the call. Returns 0; LOYAL_EINVAL (empty customer id, a day outside the
 * years 1 to 9999); LOYAL_ETOOBIG (a customer's amount of one day leaves
 * the int64_t range, or more than 2^32-2 customers or (customer, day)
 * pairs); LOYAL_ENOMEM. On failure the accumulator is unchanged, except
 * that a new customer may be recorded without the row. */
LOYAL_EXTERN(int) loyal_txn_days_add(loyal_txn_days *d, const loyal_txn_row *row);

/* Add everything `src` holds to `dst` (src is unchanged; dst != src).
 * Returns 0, LOYAL_EINVAL, LOYAL_ETOOBIG or LOYAL_ENOMEM; after a failure
 * dst may hold part of src and should be freed. */
LOYAL_EXTERN(int) loyal_txn_days_merge(loyal_txn_days *dst, const loyal_txn_days *src);

/* ---- per-customer measures --------------------------------------------- */

/*
 * Per-customer measures as parallel arrays of n elements, element i
 * describing one customer (for a loyal_txn_window: customer i of
 * loyal_txn_customer_get()). The arrays are borrowed: the struct never
 * owns them. This is the input of loyal_rfm_compute() and of the tier
 * functions; a caller can fill it from any source. Each function says
 * which arrays it needs; the others may be NULL.
 */
typedef struct {
	int version;
	size_t n;                       /* customers */
	const uint32_t *group;          /* the caller's group of each customer
	                                 * (scores and tiers are computed within
	                                 * each group); NULL: all in group 0 */
	const unsigned char *present;   /* 0: not a customer yet (left out of
	                                 * every ranking and summary); NULL: all
	                                 * present */
	const int32_t *days_since_last; /* >= 0 */
	const uint64_t *purchases;
	const int64_t *spend;           /* micro-units (see number.h) */
	const double *value;            /* a value to rank customers by instead
	                                 * of spend (value tiers), such as a CLV;
	                                 * finite; NULL: rank by spend */
} loyal_measures;

#define LOYAL_MEASURES_VERSION 1
#define LOYAL_MEASURES_INIT { LOYAL_MEASURES_VERSION, 0, NULL, NULL, NULL, NULL, NULL, NULL }

/* ---- measures of a loyal_txn at a day ---------------------------------- */

/* The measures of every customer of a loyal_txn at one day. Opaque. */
typedef struct loyal_txn_window loyal_txn_window;

/*
 * Compute the measures of every customer of the finished loyal_txn `t` at
 * day `at` over a window of `days` days (0: all history up to `at`), as
 * defined at the top of this header; the group of a customer is their
 * loyal_txn group.
 * `d` holds the daily amounts of the same rows; it may be NULL when
 * `at` is the as-of day and `days` is 0 (spend is then the loyal_txn's
 * net spend). `d` is only read during the call, and its totals are
 * checked against the loyal_txn's net spend of each customer.
 * On success *out owns the result; free it with loyal_txn_window_free().
 * Returns 0; LOYAL_EINVAL (t not finished, `at` after the as-of day or
 * before the year 1, days < 0, `d` missing when needed, or `d` not fed the
 * same rows as `t`); LOYAL_ETOOBIG (a window's spend out of range);
 * LOYAL_ENOMEM.
 */
LOYAL_EXTERN(int) loyal_txn_window_new(loyal_txn_window **out, const loyal_txn *t,
				       const loyal_txn_days *d, int32_t at, int32_t days);

/* Release the result. Accepts NULL. */
LOYAL_EXTERN(void) loyal_txn_window_free(loyal_txn_window *w);

/* Fill *out (out->version set by the caller, LOYAL_MEASURES_INIT, and
 * kept) with the measures held by w:
 * n is loyal_txn_customer_count(), and every array is set (value is
 * NULL). The arrays are borrowed from w until loyal_txn_window_free().
 * Returns 0 or LOYAL_EINVAL (NULL argument). */
LOYAL_EXTERN(int) loyal_txn_window_measures(loyal_measures *out, const loyal_txn_window *w);

/* The day and the window length the measures were computed for. */
LOYAL_EXTERN(int32_t) loyal_txn_window_day(const loyal_txn_window *w);
LOYAL_EXTERN(int32_t) loyal_txn_window_days(const loyal_txn_window *w);

#endif
