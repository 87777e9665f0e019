#ifndef LOYAL_TIERS_H
#define LOYAL_TIERS_H

#include "common.h"
#include "txn_window.h"

/*
 * Customer tiers (loyal-tiers(1) states the rules for users):
 *
 * Value tiers (高/中/低价值客户): within each group, customers are ranked
 * ascending by net spend (or by a value such as a CLV) with the rank_min
 * rule of segment.h; with n customers in the group and q = (rank_min - 1)
 * / n, the share of the group ranked strictly below the customer,
 *     high  when q >= 1 - H/100          (H = 20 by default)
 *     mid   when q >= 1 - (H + M)/100    (M = 30 by default)
 *     low   otherwise.
 * Customers with equal values share a tier: a tie across a boundary falls
 * wholly into the lower tier, so "high" never holds more than H% of the
 * customers. With H = 20 the high tier is exactly the customers whose M
 * score is 5 with 5 bins.
 *
 * Member tiers (会员等级): a list of rules over each customer's spend and
 * purchases (usually within a window of days, see txn_window.h); the first
 * rule whose conditions all hold gives the tier. A customer matching no
 * rule has no tier (LOYAL_TIER_NONE).
 *
 * Tiers rank in their order: high above mid above low, and a member tier
 * above every tier written after it. Migration between two days compares
 * each customer's tier on both.
 */

/* Tier numbers are 0, 1, ... in rank order; these mark no tier. */
#define LOYAL_TIER_NONE (-1)   /* a customer matching no rule */
#define LOYAL_TIER_ABSENT (-2) /* not a customer (yet) on that day */

/* ---- member tier rules ------------------------------------------------- */

typedef struct loyal_tier_rules loyal_tier_rules;

/*
 * Parse member tier rules:
 *
 *   gold: spend >= 5000, purchases >= 12; silver: spend >= 1000; bronze:
 *
 * Rules are separated by ';' or line breaks; each is NAME ':' followed by
 * conditions separated by ',', all of which must hold. A condition is
 * MEASURE OP NUMBER: MEASURE is spend (a decimal, see loyal_parse_decimal,
 * no exponent; it may be negative) or purchases (a whole number >= 0), OP
 * one of >= > <= < =. A rule with no condition matches every customer;
 * a rule after it could never match and is an error. Spaces around every
 * part are ignored; empty rules (";;", a trailing ';', blank lines) and
 * lines starting with '#' are skipped. NAME is any UTF-8 text without
 * control characters, ':' or ';', unique.
 * `name` names the text in messages (a file name; "rules" when NULL).
 * Errors are located: loyal_error_last() gives the line and the column,
 * counted in characters from 1. Returns 0, LOYAL_EINVAL (syntax, a bad
 * number, duplicate or unreachable tier, no tier, invalid UTF-8) or
 * LOYAL_ENOMEM. Free *out with loyal_tier_rules_free().
 */
LOYAL_EXTERN(int) loyal_tier_rules_parse(loyal_tier_rules **out, const char *text, size_t len,
					 const char *name);

/* As loyal_tier_rules_parse(), reading the file at `path` (at most 1 MiB;
 * "-" is standard input). Also returns LOYAL_EOPEN, LOYAL_EIO and
 * LOYAL_ETOOBIG. */
LOYAL_EXTERN(int) loyal_tier_rules_load(loyal_tier_rules **out, const char *path);

/* Release rules. Accepts NULL. */
LOYAL_EXTERN(void) loyal_tier_rules_free(loyal_tier_rules *r);

/* Number of tiers (rules). */
LOYAL_EXTERN(size_t) loyal_tier_rules_count(const loyal_tier_rules *r);

/* Name of tier k, or NULL when out of range. Borrowed until freed. */
LOYAL_EXTERN(const char *) loyal_tier_rules_name(const loyal_tier_rules *r, size_t k);

/* Whether some customer can match no rule (no rule without conditions). */
LOYAL_EXTERN(int) loyal_tier_rules_can_miss(const loyal_tier_rules *r);

/* The tier of a customer with this spend (micro-units) and number of
 * purchases: the first rule that holds, or LOYAL_TIER_NONE. */
LOYAL_EXTERN(int) loyal_tier_rules_match(const loyal_tier_rules *r, int64_t spend,
					 uint64_t purchases);

/* ---- tiers of customers ------------------------------------------------ */

typedef struct {
	int version;
	double high_pct;  /* H: 0-100, default 20; rounded to 6 decimals */
	double mid_pct;   /* M: 0-100, default 30; H + M <= 100 */
} loyal_value_tier_options;

#define LOYAL_VALUE_TIER_OPTIONS_VERSION 1
#define LOYAL_VALUE_TIER_OPTIONS_INIT { LOYAL_VALUE_TIER_OPTIONS_VERSION, 20, 30 }

/* The tiers of a set of customers on one day. Opaque. */
typedef struct loyal_tiers loyal_tiers;

/*
 * Value tiers "high", "mid" and "low" of every present customer of `m`,
 * within their group, by m->value when set, otherwise by m->spend.
 * Needs m->spend (for the summary, and the ranking without m->value);
 * m->purchases is optional (mean_purchases is NaN without it). The arrays
 * are only read during the call. `opts` may be NULL for the defaults.
 * Returns 0; LOYAL_EINVAL (NULL or missing arrays, a value that is not
 * finite, percentages out of range); LOYAL_ENOMEM. Free *out with
 * loyal_tiers_free().
 */
LOYAL_EXTERN(int) loyal_tiers_by_value(loyal_tiers **out, const loyal_measures *m,
				       const loyal_value_tier_options *opts);

/*
 * Member tiers of every present customer of `m` by `rules` (over
 * m->spend and m->purchases, both needed; the rules' names are copied).
 * Returns 0, LOYAL_EINVAL or LOYAL_ENOMEM. Free *out with
 * loyal_tiers_free().
 */
LOYAL_EXTERN(int) loyal_tiers_by_rules(loyal_tiers **out, const loyal_measures *m,
				       const loyal_tier_rules *rules);

/* Release tiers. Accepts NULL. */
LOYAL_EXTERN(void) loyal_tiers_free(loyal_tiers *t);

/* Number of customers (m->n of the input). */
LOYAL_EXTERN(size_t) loyal_tiers_count(const loyal_tiers *t);

/* Number of tiers (3 for value tiers). */
LOYAL_EXTERN(size_t) loyal_tiers_tier_count(const loyal_tiers *t);

/* Name of tier k, or NULL when k is not a tier number. Borrowed until
 * loyal_tiers_free(). */
LOYAL_EXTERN(const char *) loyal_tiers_tier_name(const loyal_tiers *t, int k);

/* Whether some customer may have no tier (member tiers whose rules can
 * miss): a summary then has a LOYAL_TIER_NONE row. */
LOYAL_EXTERN(int) loyal_tiers_can_miss(const loyal_tiers *t);

/* The tier of customer i: a tier number, LOYAL_TIER_NONE or
 * LOYAL_TIER_ABSENT (also for i out of range). */
LOYAL_EXTERN(int) loyal_tiers_tier_of(const loyal_tiers *t, size_t i);

/*
 * Summary rows: per group holding present customers, one per tier in rank
 * order (tiers without customers included), then one for customers
 * without a tier when loyal_tiers_can_miss(). Percentages are of the
 * group's present customers, of its total spend and of its total value; a
 * mean or a minimum over no customer, and a percentage of a total not
 * above 0, are NaN. Spend and value are in units (spend summed exactly).
 * Fields may be added at the end: read them through the pointer.
 */
typedef struct {
	uint32_t group;
	int tier;                 /* tier number or LOYAL_TIER_NONE */
	uint64_t customers;
	double customers_pct;
	double spend;             /* net spend of the tier's customers */
	double spend_pct;         /* the tier's share of the group's spend */
	double mean_spend;
	double mean_purchases;    /* NaN without purchases */
	/* value tiers: the value ranked (spend, or m->value); NaN for member tiers */
	double value;
	double value_pct;
	double min_value;
	double max_value;
} loyal_tiers_summary_row;

LOYAL_EXTERN(size_t) loyal_tiers_summary_count(const loyal_tiers *t);

/* Row k, or NULL when out of range. Borrowed until loyal_tiers_free(). */
LOYAL_EXTERN(const loyal_tiers_summary_row *) loyal_tiers_summary_at(const loyal_tiers *t,
								     size_t k);

/* ---- migration between two days ----------------------------------------- */

/*
 * How a customer moved from their tier on the earlier day (`from`) to the
 * later one (`to`):
 *   new         not a customer on the earlier day (no purchase occasion
 *               on or before it), a customer on the later day
 *   kept        the same tier on both days
 *   upgraded    a higher tier on the later day; also from no tier to a tier
 *   downgraded  a lower tier on the later day
 *   gone        a tier on the earlier day, no tier on the later one (with
 *               member rules that require activity in the window, such as
 *               "bronze: purchases >= 1", the customer lapsed)
 *   untiered    a customer on both days, with no tier on either
 * Customers who are not customers on either day are not counted.
 */
typedef enum {
	LOYAL_MOVE_NONE = 0,       /* not a customer on either day */
	LOYAL_MOVE_NEW = 1,
	LOYAL_MOVE_UPGRADED = 2,
	LOYAL_MOVE_KEPT = 3,
	LOYAL_MOVE_DOWNGRADED = 4,
	LOYAL_MOVE_GONE = 5,
	LOYAL_MOVE_UNTIERED = 6
} loyal_tier_move;

#define LOYAL_MOVE_COUNT 7

/* "new", "upgraded", "kept", "downgraded", "gone", "untiered"; "" for
 * LOYAL_MOVE_NONE and unknown values. */
LOYAL_EXTERN(const char *) loyal_tier_move_name(int move);

typedef struct loyal_tier_migration loyal_tier_migration;

/*
 * Compare the tiers of the same customers on two days. Both must describe
 * the same customers (the same count, the same order) with the same tier
 * names; the group of a customer is taken from `to`.
 * Returns 0, LOYAL_EINVAL or LOYAL_ENOMEM. Free *out with
 * loyal_tier_migration_free().
 */
LOYAL_EXTERN(int) loyal_tier_migration_compute(loyal_tier_migration **out,
					       const loyal_tiers *from, const loyal_tiers *to);

/* Release a migration. Accepts NULL. */
LOYAL_EXTERN(void) loyal_tier_migration_free(loyal_tier_migration *m);

/* The move of customer i (LOYAL_MOVE_NONE when out of range). */
LOYAL_EXTERN(loyal_tier_move) loyal_tier_migration_move(const loyal_tier_migration *m, size_t i);

/*
 * The matrix, one cell per group and pair of states: `from` is a tier
 * number, LOYAL_TIER_NONE (when the earlier tiers can miss) or
 * LOYAL_TIER_ABSENT (the new customers); `to` a tier number,
 * LOYAL_TIER_NONE (when the later tiers can miss) or LOYAL_TIER_ABSENT
 * (only when some customer of the earlier day is absent on the later one,
 * which happens only when the days are given in reverse). Every cell is
 * listed, those with no customer included, except absent to absent. Cells
 * are ordered by group, then from, then to, the states in rank order with
 * NONE then ABSENT last.
 */
typedef struct {
	uint32_t group;
	int from, to;
	loyal_tier_move move;
	uint64_t customers;
} loyal_tier_migration_cell;

LOYAL_EXTERN(size_t) loyal_tier_migration_cell_count(const loyal_tier_migration *m);

/* Cell k, or NULL when out of range. Borrowed until freed. */
LOYAL_EXTERN(const loyal_tier_migration_cell *)
loyal_tier_migration_cell_at(const loyal_tier_migration *m, size_t k);

/* Totals: per group, one row per move from LOYAL_MOVE_NEW to
 * LOYAL_MOVE_UNTIERED, with its share of the customers counted in the
 * group's cells. */
typedef struct {
	uint32_t group;
	loyal_tier_move move;
	uint64_t customers;
	double customers_pct;
} loyal_tier_migration_total;

LOYAL_EXTERN(size_t) loyal_tier_migration_total_count(const loyal_tier_migration *m);

/* Total k, or NULL when out of range. Borrowed until freed. */
LOYAL_EXTERN(const loyal_tier_migration_total *)
loyal_tier_migration_total_at(const loyal_tier_migration *m, size_t k);

#endif
