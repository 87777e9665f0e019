#ifndef LOYAL_COMPLAINTS_H
#define LOYAL_COMPLAINTS_H

#include "common.h"
#include "date.h"
#include "txn.h"
#include "ztest.h"

/*
 * Complaint rate (投诉率): complaints set against the customers and orders
 * of the same period. loyal-complaints(1) states the definitions for users:
 *
 *  - A cell is the caller's unit of a result row: a period, or a period and
 *    a category (--by). Each complaint is added to one cell with its
 *    customer: the customer's number in the orders (loyal_txn numbering),
 *    or LOYAL_COMPLAINTS_UNKNOWN for a customer never seen in the orders.
 *  - complaints: every complaint of the cell, unknown customers included;
 *    unknown: those of unknown customers.
 *  - complaining_customers: distinct known customers with a complaint in
 *    the cell; repeat_complainers: those of them with two or more.
 *  - resolved: complaints marked resolved.
 *  - complaint_rate = 100 x complaining_customers / active customers of the
 *    period (customers with a purchase occasion in it); a customer may
 *    complain in a period without buying in it (about an earlier order).
 *  - complaints_per_100_orders = 100 x complaints / purchase occasions of
 *    the period.
 *  - resolution_rate = 100 x resolved / complaints.
 *
 * Memory grows with the distinct (cell, customer) pairs, not with rows.
 */
typedef struct loyal_complaints loyal_complaints;

#define LOYAL_COMPLAINTS_UNKNOWN UINT32_MAX

/* An empty accumulator in *out; free it with loyal_complaints_free().
 * Returns 0, LOYAL_EINVAL or LOYAL_ENOMEM. */
LOYAL_EXTERN(int) loyal_complaints_new(loyal_complaints **out);

/* Release an accumulator. Accepts NULL. */
LOYAL_EXTERN(void) loyal_complaints_free(loyal_complaints *c);

/* Add one complaint of `customer` (or LOYAL_COMPLAINTS_UNKNOWN) in `cell`
 * (below UINT32_MAX); resolved is 1 when it is marked resolved. Returns 0,
 * LOYAL_EINVAL, LOYAL_ETOOBIG or LOYAL_ENOMEM. */
LOYAL_EXTERN(int) loyal_complaints_add(loyal_complaints *c, uint32_t cell, uint32_t customer,
				       int resolved);

typedef struct {
	int version; /* set by the caller: LOYAL_COMPLAINTS_CELL_INIT (see libloyal(3), Versions) */
	uint64_t complaints;
	uint64_t unknown;            /* of unknown customers */
	uint64_t resolved;
	uint64_t customers;          /* complaining (known) customers */
	uint64_t repeat_customers;   /* of them, with 2+ complaints in the cell */
} loyal_complaints_cell;

#define LOYAL_COMPLAINTS_CELL_VERSION 1
#define LOYAL_COMPLAINTS_CELL_INIT { .version = LOYAL_COMPLAINTS_CELL_VERSION }

/* The counts of `cell` (all zero for a cell without complaints). Returns 0
 * or LOYAL_EINVAL. */
LOYAL_EXTERN(int) loyal_complaints_cell_get(loyal_complaints_cell *out, const loyal_complaints *c,
					    uint32_t cell);

/* Complaints of known customer `customer` over every cell (0 when none). */
LOYAL_EXTERN(uint64_t) loyal_complaints_of(const loyal_complaints *c, uint32_t customer);

typedef struct {
	int version; /* set by the caller: LOYAL_COMPLAINTS_RATES_INIT (see libloyal(3), Versions) */
	double complaint_rate;           /* NaN when active is 0 */
	double complaints_per_100_orders;/* NaN when orders is 0 */
	double resolution_rate;          /* NaN when there is no complaint */
} loyal_complaints_rates;

#define LOYAL_COMPLAINTS_RATES_VERSION 1
#define LOYAL_COMPLAINTS_RATES_INIT { .version = LOYAL_COMPLAINTS_RATES_VERSION }

/* The rates of a cell whose period had `active` customers and `orders`
 * purchase occasions. Returns 0 or LOYAL_EINVAL. */
LOYAL_EXTERN(int) loyal_complaints_rates_of(loyal_complaints_rates *out,
					    const loyal_complaints_cell *cell, uint64_t active,
					    uint64_t orders);

/*
 * The activity of a finished loyal_txn per period of kind `period`, from
 * the period of the first purchase occasion (*first, a period index) to the
 * period of the as-of day: active[k] customers with an occasion in period
 * *first + k, orders[k] occasions in it (*n periods). With
 * LOYAL_PERIOD_NONE there is one period, index 0, holding everything. The
 * caller frees both arrays. The loyal_txn must not use groups (every row
 * in group 0). Returns 0, LOYAL_EINVAL, LOYAL_ENODATA (no customer) or
 * LOYAL_ENOMEM.
 */
LOYAL_EXTERN(int) loyal_complaints_activity(uint64_t **active, uint64_t **orders, int64_t *first,
					    size_t *n, const loyal_txn *t, loyal_period period);

/* Inactivity churn of customers who complained against the others. */
typedef struct {
	int version; /* set by the caller: LOYAL_COMPLAINTS_CHURN_ROW_INIT (see libloyal(3), Versions) */
	uint64_t customers;   /* customers of the group (with a purchase occasion) */
	uint64_t eligible;    /* first occasion more than `days` before as-of */
	uint64_t inactive;    /* of the eligible, last occasion more than `days` before as-of */
	double churn_rate;    /* 100 x inactive / eligible; NaN when eligible is 0 */
} loyal_complaints_churn_row;

#define LOYAL_COMPLAINTS_CHURN_ROW_VERSION 1
#define LOYAL_COMPLAINTS_CHURN_ROW_INIT { .version = LOYAL_COMPLAINTS_CHURN_ROW_VERSION }

/*
 * Split the customers of finished `t` into those with at least one
 * complaint in `c` ([0]) and the others ([1]) and give each group's churn
 * at as-of with inactivity `days` (as loyal_txn_inactive() defines it),
 * and the z test of the two churn rates (complained minus not; z NaN when
 * either group has no eligible customer). Returns 0, LOYAL_EINVAL or
 * LOYAL_ENOMEM.
 */
LOYAL_EXTERN(int) loyal_complaints_churn(loyal_complaints_churn_row out[2], loyal_ztest *test,
					 const loyal_complaints *c, const loyal_txn *t,
					 int32_t days);

#endif
