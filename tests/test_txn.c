#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "loyal/date.h"
#include "loyal/errors.h"
#include "loyal/keyset.h"
#include "loyal/number.h"
#include "loyal/txn.h"
#include "helpers.h"

/* Every figure below is worked out by hand in the comment above it. */

static int32_t day(const char *iso)
{
	loyal_datetime dt;
	assert_int_equal(loyal_date_parse(&dt, iso, strlen(iso), NULL), 0);
	return dt.days;
}

static int64_t money(const char *s)
{
	int64_t m;
	assert_int_equal(loyal_parse_decimal(&m, s, strlen(s), 0), 0);
	return m;
}

static void add_g(loyal_txn *t, const char *cust, const char *order, const char *date,
		  const char *amount, uint32_t group)
{
	loyal_txn_row r = { cust, strlen(cust), order, order ? strlen(order) : 0,
			    day(date), money(amount), group };
	int rc = loyal_txn_add(t, &r);
	if (rc)
		print_error("add %s %s %s: %s\n", cust, date, amount, loyal_error_last()->message);
	assert_int_equal(rc, 0);
}

static void add(loyal_txn *t, const char *cust, const char *order, const char *date,
		const char *amount)
{
	add_g(t, cust, order, date, amount, 0);
}

static loyal_txn *new_txn(loyal_occasion occ)
{
	loyal_txn_options o = LOYAL_TXN_OPTIONS_INIT;
	loyal_txn *t = NULL;
	o.occasion = occ;
	assert_int_equal(loyal_txn_new(&t, &o), 0);
	return t;
}

/* The customer with id `id` (customers are listed in first-added order). */
static loyal_txn_customer customer(const loyal_txn *t, const char *id)
{
	loyal_txn_customer c = LOYAL_TXN_CUSTOMER_INIT;
	for (size_t i = 0; i < loyal_txn_customer_count(t); i++) {
		assert_int_equal(loyal_txn_customer_get(&c, t, i), 0);
		if (!strcmp(c.id, id))
			return c;
	}
	print_error("customer %s not listed\n", id);
	fail();
	return c;
}

static int listed(const loyal_txn *t, const char *id)
{
	loyal_txn_customer c = LOYAL_TXN_CUSTOMER_INIT;
	for (size_t i = 0; i < loyal_txn_customer_count(t); i++) {
		assert_int_equal(loyal_txn_customer_get(&c, t, i), 0);
		if (!strcmp(c.id, id))
			return 1;
	}
	return 0;
}

/* A: buys 10.00 (order o1), returns 4.00 five days later (order c1).
 * One occasion; net spend 6.00; gross 10.00. The return is no purchase. */
static void test_txn_return_reduces_spend_not_purchases(void **state)
{
	(void)state;
	loyal_txn *t = new_txn(LOYAL_OCCASION_ORDER);
	add(t, "A", "o1", "2024-01-10", "10.00");
	add(t, "A", "c1", "2024-01-15", "-4.00");
	assert_int_equal(loyal_txn_finish(t, day("2024-01-31")), 0);
	loyal_txn_customer c = customer(t, "A");
	assert_int_equal(c.occasions, 1);
	assert_true(c.spend == 6000000);
	assert_true(c.gross_spend == 10000000);
	assert_int_equal(c.last_day, day("2024-01-10")); /* the return is not a purchase */
	loyal_txn_stats st = LOYAL_TXN_STATS_INIT;
	assert_int_equal(loyal_txn_get_stats(&st, t), 0);
	assert_int_equal(st.purchase_rows, 1);
	assert_int_equal(st.return_rows, 1);
	assert_int_equal(st.return_only_rows, 0);
	loyal_txn_free(t);
}

/* B only returns: not a customer of any metric, counted in the stats. */
static void test_txn_return_only_customer_is_not_listed(void **state)
{
	(void)state;
	loyal_txn *t = new_txn(LOYAL_OCCASION_DAY);
	add(t, "A", NULL, "2024-01-10", "5");
	add(t, "B", NULL, "2024-01-11", "-2");
	add(t, "B", NULL, "2024-01-12", "-3");
	assert_int_equal(loyal_txn_finish(t, day("2024-01-31")), 0);
	assert_int_equal(loyal_txn_customer_count(t), 1);
	assert_false(listed(t, "B"));
	loyal_txn_stats st = LOYAL_TXN_STATS_INIT;
	loyal_txn_get_stats(&st, t);
	assert_int_equal(st.customers, 1);
	assert_int_equal(st.return_only_customers, 1);
	assert_int_equal(st.return_only_rows, 2);
	loyal_txn_free(t);
}

/* Guest rows are the caller's to skip: the library refuses an empty id. */
static void test_txn_empty_customer_is_rejected(void **state)
{
	(void)state;
	loyal_txn *t = new_txn(LOYAL_OCCASION_DAY);
	loyal_txn_row r = { "", 0, NULL, 0, 0, 1000000, 0 };
	assert_int_equal(loyal_txn_add(t, &r), LOYAL_EINVAL);
	loyal_txn_stats st = LOYAL_TXN_STATS_INIT;
	loyal_txn_get_stats(&st, t);
	assert_int_equal(st.rows, 0);
	loyal_txn_free(t);
}

/* Two orders on the same day: one occasion by day, two by order. */
static void test_txn_same_day_purchases(void **state)
{
	(void)state;
	loyal_txn *byday = new_txn(LOYAL_OCCASION_DAY), *byorder = new_txn(LOYAL_OCCASION_ORDER);
	loyal_txn *both[] = { byday, byorder };
	for (int i = 0; i < 2; i++) {
		add(both[i], "A", "o1", "2024-03-01 09:00", "1");
		add(both[i], "A", "o2", "2024-03-01 17:30", "2");
		assert_int_equal(loyal_txn_finish(both[i], day("2024-03-31")), 0);
	}
	assert_int_equal(customer(byday, "A").occasions, 1);
	assert_int_equal(customer(byorder, "A").occasions, 2);
	assert_int_equal(customer(byorder, "A").t_x, 0);
	loyal_txn_free(byday);
	loyal_txn_free(byorder);
}

/* An order of three lines is one purchase; its day is its earliest line's,
 * whatever order the lines come in. */
static void test_txn_order_lines_are_one_occasion(void **state)
{
	(void)state;
	loyal_txn *t = new_txn(LOYAL_OCCASION_ORDER);
	add(t, "A", "o1", "2024-02-03", "1.50");
	add(t, "A", "o2", "2024-02-10", "4");
	add(t, "A", "o1", "2024-02-01", "2.25");
	add(t, "A", "o1", "2024-02-02", "0.25");
	assert_int_equal(loyal_txn_finish(t, day("2024-02-29")), 0);
	loyal_txn_customer c = customer(t, "A");
	assert_int_equal(c.occasions, 2);
	assert_int_equal(c.first_day, day("2024-02-01"));
	assert_int_equal(c.last_day, day("2024-02-10"));
	assert_true(c.spend == 8000000);
	/* first occasion o1 spent 4.00, so the repeat occasion o2 spent 4.00 */
	assert_true(c.repeat_spend == 4000000);
	loyal_txn_free(t);
}

/* Two orders on the first day: the first occasion is the first added, so
 * the repeat spend is the other one's. o1 10.00 then o2 30.00, both on
 * 2024-02-01, then o3 5.00: repeat spend 35.00, mean 17.50. */
static void test_txn_first_occasion_tie_is_first_added(void **state)
{
	(void)state;
	loyal_txn *t = new_txn(LOYAL_OCCASION_ORDER);
	add(t, "A", "o1", "2024-02-01 10:00", "10");
	add(t, "A", "o2", "2024-02-01 09:00", "30");
	add(t, "A", "o3", "2024-02-05", "5");
	assert_int_equal(loyal_txn_finish(t, day("2024-02-29")), 0);
	loyal_txn_customer c = customer(t, "A");
	assert_int_equal(c.x, 2);
	assert_true(c.repeat_spend == 35000000);
	assert_double_near(c.mean_repeat_spend, 17.5, 1e-12);
	loyal_txn_free(t);
}

/* Order ids are compared in full: ids that share a prefix, differ only in
 * case or trailing bytes, or hold NUL bytes stay distinct; the same id for
 * two customers is two occasions. */
static void test_txn_distinct_orders_never_merge(void **state)
{
	(void)state;
	loyal_txn *t = new_txn(LOYAL_OCCASION_ORDER);
	const char ids[][4] = { "1", "10", "100", "a", "A", "a " };
	for (size_t i = 0; i < 6; i++)
		add(t, "X", ids[i], "2024-01-01", "1");
	loyal_txn_row r = { "X", 1, "a\0b", 3, day("2024-01-01"), 1000000, 0 };
	assert_int_equal(loyal_txn_add(t, &r), 0);
	r.order = "a\0c";
	assert_int_equal(loyal_txn_add(t, &r), 0);
	add(t, "Y", "1", "2024-01-01", "1");
	char id[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(id, sizeof(id), "INV-%d", i);
		add(t, "Z", id, "2024-01-02", "1");
	}
	assert_int_equal(loyal_txn_finish(t, day("2024-01-31")), 0);
	assert_int_equal(customer(t, "X").occasions, 8);
	assert_int_equal(customer(t, "Y").occasions, 1);
	assert_int_equal(customer(t, "Z").occasions, 5000);
	loyal_txn_free(t);
}

/* Summary fields with as-of 2024-04-30:
 * A buys 2024-01-01 (10), 2024-01-21 (20), 2024-03-01 (30, two lines 12+18).
 * recency (t_x) = 2024-03-01 - 2024-01-01 = 60, age (T) = 120,
 * days since last = 60, x = 2, repeat spend 50, mean repeat spend 25. */
static void test_txn_customer_summary_fields(void **state)
{
	(void)state;
	loyal_txn *t = new_txn(LOYAL_OCCASION_DAY);
	add(t, "A", NULL, "2024-01-01", "10");
	add(t, "A", NULL, "2024-01-21", "20");
	add(t, "A", NULL, "2024-03-01", "12");
	add(t, "A", NULL, "2024-03-01", "18");
	add(t, "B", NULL, "2024-04-30", "7");
	assert_int_equal(loyal_txn_finish(t, day("2024-04-30")), 0);
	assert_int_equal(loyal_txn_as_of(t), day("2024-04-30"));
	loyal_txn_customer c = customer(t, "A");
	assert_int_equal(c.occasions, 3);
	assert_int_equal(c.x, 2);
	assert_int_equal(c.t_x, 60);
	assert_int_equal(c.T, 120);
	assert_int_equal(day("2024-04-30") - c.last_day, 60);
	assert_true(c.spend == 60000000);
	assert_true(c.repeat_spend == 50000000);
	assert_double_near(c.mean_repeat_spend, 25.0, 1e-12);
	c = customer(t, "B"); /* first seen on the as-of day */
	assert_int_equal(c.x, 0);
	assert_int_equal(c.T, 0);
	assert_true(isnan(c.mean_repeat_spend));
	loyal_txn_free(t);
}

/* Money is summed exactly: 0.10 ten times is 1.00, not 0.9999999999999999;
 * 1e15 micro-units plus 1 micro-unit keeps the last unit. */
static void test_txn_money_is_exact(void **state)
{
	(void)state;
	loyal_txn *t = new_txn(LOYAL_OCCASION_DAY);
	for (int i = 0; i < 10; i++)
		add(t, "A", NULL, "2024-01-01", "0.10");
	add(t, "B", NULL, "2024-01-01", "1000000000");
	add(t, "B", NULL, "2024-01-01", "0.000001");
	assert_int_equal(loyal_txn_finish(t, day("2024-01-01")), 0);
	assert_true(customer(t, "A").spend == 1000000);
	assert_true(customer(t, "B").spend == 1000000000000001LL);
	loyal_txn_free(t);
}

static void test_txn_spend_overflow_is_an_error(void **state)
{
	(void)state;
	loyal_txn *t = new_txn(LOYAL_OCCASION_DAY);
	loyal_txn_row r = { "A", 1, NULL, 0, 0, INT64_MAX - 5, 0 };
	assert_int_equal(loyal_txn_add(t, &r), 0);
	r.amount = 10;
	assert_int_equal(loyal_txn_add(t, &r), LOYAL_ETOOBIG);
	r.amount = INT64_MIN;
	r.day = 1; /* a return on a later day: net -6, gross unchanged */
	assert_int_equal(loyal_txn_add(t, &r), 0);
	/* the returns of that day leave the range, though the net does not:
	 * the day nets below zero all the same */
	r.amount = -10;
	assert_int_equal(loyal_txn_add(t, &r), 0);
	assert_int_equal(loyal_txn_finish(t, 1), 0);
	assert_true(customer(t, "A").spend == -16);
	loyal_txn_free(t);
}

/* Repurchase over four customers:
 * A: 01-01, 01-11, 01-31 (gaps 10, 20); B: 01-05, 01-10 (gap 5);
 * C: 01-07 twice the same day (one occasion); D: 01-20.
 * customers 4, repeat 2, rate 50%, repeat purchases 3,
 * gaps {5, 10, 20}: mean 35/3, median 10. */
static void test_txn_repurchase_rate_and_gaps(void **state)
{
	(void)state;
	loyal_txn *t = new_txn(LOYAL_OCCASION_DAY);
	add(t, "A", NULL, "2024-01-01", "1");
	add(t, "A", NULL, "2024-01-11", "1");
	add(t, "A", NULL, "2024-01-31", "1");
	add(t, "B", NULL, "2024-01-05", "1");
	add(t, "B", NULL, "2024-01-10", "1");
	add(t, "C", NULL, "2024-01-07", "1");
	add(t, "C", NULL, "2024-01-07", "1");
	add(t, "D", NULL, "2024-01-20", "1");
	assert_int_equal(loyal_txn_finish(t, day("2024-01-31")), 0);
	loyal_txn_repurchase_row *rows = NULL;
	size_t n = 0;
	assert_int_equal(loyal_txn_repurchase(&rows, &n, t, NULL), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].customers, 4);
	assert_int_equal(rows[0].repeat_customers, 2);
	assert_int_equal(rows[0].repeat_purchases, 3);
	assert_double_near(rows[0].repurchase_rate, 50.0, 1e-12);
	assert_double_near(rows[0].mean_days_between, 35.0 / 3, 1e-12);
	assert_double_near(rows[0].median_days_between, 10.0, 1e-12);
	assert_true(isnan(rows[0].within_rate));
	loyal_txn_repurchase_free(rows);
	loyal_txn_free(t);
}

/* Even number of gaps: the median is the mean of the middle two.
 * A: gaps 2, 4; B: gaps 7, 1 -> {1, 2, 4, 7}: median 3, mean 3.5. */
static void test_txn_repurchase_median_even(void **state)
{
	(void)state;
	loyal_txn *t = new_txn(LOYAL_OCCASION_DAY);
	add(t, "A", NULL, "2024-01-01", "1");
	add(t, "A", NULL, "2024-01-03", "1");
	add(t, "A", NULL, "2024-01-07", "1");
	add(t, "B", NULL, "2024-01-01", "1");
	add(t, "B", NULL, "2024-01-09", "1");
	add(t, "B", NULL, "2024-01-08", "1");
	assert_int_equal(loyal_txn_finish(t, day("2024-01-31")), 0);
	loyal_txn_repurchase_row *rows = NULL;
	size_t n = 0;
	assert_int_equal(loyal_txn_repurchase(&rows, &n, t, NULL), 0);
	assert_double_near(rows[0].median_days_between, 3.0, 1e-12);
	assert_double_near(rows[0].mean_days_between, 3.5, 1e-12);
	loyal_txn_repurchase_free(rows);
	loyal_txn_free(t);
}

/* --within 30, as-of 2024-03-31:
 * A first 01-01, again 01-31 (30 days: within); B first 01-01, again 02-01
 * (31 days: not within); C first 03-01 (30 days before as-of: eligible, no
 * repeat); D first 03-02 (29 days: not eligible, though it bought again).
 * eligible 3 (A, B, C), within 1 (A): 33.33%. */
static void test_txn_repurchase_within(void **state)
{
	(void)state;
	loyal_txn *t = new_txn(LOYAL_OCCASION_DAY);
	add(t, "A", NULL, "2024-01-01", "1");
	add(t, "A", NULL, "2024-01-31", "1");
	add(t, "B", NULL, "2024-01-01", "1");
	add(t, "B", NULL, "2024-02-01", "1");
	add(t, "C", NULL, "2024-03-01", "1");
	add(t, "D", NULL, "2024-03-02", "1");
	add(t, "D", NULL, "2024-03-03", "1");
	assert_int_equal(loyal_txn_finish(t, day("2024-03-31")), 0);
	loyal_txn_repurchase_options o = LOYAL_TXN_REPURCHASE_OPTIONS_INIT;
	o.within_days = 30;
	loyal_txn_repurchase_row *rows = NULL;
	size_t n = 0;
	assert_int_equal(loyal_txn_repurchase(&rows, &n, t, &o), 0);
	assert_int_equal(rows[0].within_eligible, 3);
	assert_int_equal(rows[0].within_repeat, 1);
	assert_double_near(rows[0].within_rate, 100.0 / 3, 1e-12);
	loyal_txn_repurchase_free(rows);
	loyal_txn_free(t);
}

/* Cohorts by month of the first purchase, and groups (by first purchase
 * row): group 2 = {A (Jan, repeat), B (Feb)}, group 1 = {C (Jan)}.
 * Rows sorted by group then cohort: (1, Jan) (2, Jan) (2, Feb). */
static void test_txn_repurchase_by_group_and_cohort(void **state)
{
	(void)state;
	loyal_txn *t = new_txn(LOYAL_OCCASION_DAY);
	add_g(t, "A", NULL, "2024-01-10", "1", 2);
	add_g(t, "A", NULL, "2024-02-10", "1", 1); /* later row: group stays 2 */
	add_g(t, "B", NULL, "2024-02-11", "1", 2);
	add_g(t, "C", NULL, "2024-01-05", "1", 1);
	assert_int_equal(loyal_txn_finish(t, day("2024-02-29")), 0);
	loyal_txn_repurchase_options o = LOYAL_TXN_REPURCHASE_OPTIONS_INIT;
	o.cohort_period = LOYAL_PERIOD_MONTH;
	loyal_txn_repurchase_row *rows = NULL;
	size_t n = 0;
	assert_int_equal(loyal_txn_repurchase(&rows, &n, t, &o), 0);
	assert_int_equal(n, 3);
	int64_t jan = loyal_period_index(LOYAL_PERIOD_MONTH, day("2024-01-01"));
	assert_int_equal(rows[0].group, 1);
	assert_true(rows[0].cohort == jan);
	assert_int_equal(rows[0].customers, 1);
	assert_int_equal(rows[1].group, 2);
	assert_true(rows[1].cohort == jan);
	assert_int_equal(rows[1].repeat_customers, 1);
	assert_int_equal(rows[2].group, 2);
	assert_true(rows[2].cohort == jan + 1);
	assert_int_equal(rows[2].customers, 1);
	assert_int_equal(rows[2].repeat_customers, 0);
	assert_true(isnan(rows[2].median_days_between));
	loyal_txn_repurchase_free(rows);
	loyal_txn_free(t);
}

/* The group is that of the earliest purchase row, whatever the input
 * order; a return never sets it; a tie keeps the first row added. */
static void test_txn_group_of_first_purchase(void **state)
{
	(void)state;
	loyal_txn *t = new_txn(LOYAL_OCCASION_DAY);
	add_g(t, "A", NULL, "2024-02-01", "1", 5);
	add_g(t, "A", NULL, "2024-01-01", "-1", 6); /* return: no group */
	add_g(t, "A", NULL, "2024-01-15", "1", 7);  /* earlier purchase: group 7 */
	add_g(t, "B", NULL, "2024-01-01", "1", 3);
	add_g(t, "B", NULL, "2024-01-01", "1", 4);  /* tie: keeps 3 */
	assert_int_equal(loyal_txn_finish(t, day("2024-02-29")), 0);
	assert_int_equal(customer(t, "A").group, 7);
	assert_int_equal(customer(t, "B").group, 3);
	loyal_txn_free(t);
}

/* Monthly retention, as-of 2024-04-15:
 *   A: Jan, Feb, Apr     B: Jan, Feb, Mar     C: Feb, Mar     D: Apr
 * Jan: active 2 new 2; Feb: active 3 (A B C) new 1 (C), retained 2 (A B);
 * Mar: active 2 (B C) new 0, retained 2 of S=3;
 * Apr: active 2 (A D) new 1 (D), retained 0 of S=2.
 * Feb: retention 100, churn 0, crr (3-1)/2 = 100.
 * Mar: retention 66.67, churn 33.33, crr 2/3 = 66.67.
 * Apr: retention 0, churn 100, crr (2-1)/2 = 50 (A came back). */
static void test_txn_period_retention(void **state)
{
	(void)state;
	loyal_txn *t = new_txn(LOYAL_OCCASION_DAY);
	add(t, "A", NULL, "2024-01-03", "1");
	add(t, "A", NULL, "2024-02-03", "1");
	add(t, "A", NULL, "2024-04-03", "1");
	add(t, "B", NULL, "2024-01-20", "1");
	add(t, "B", NULL, "2024-02-20", "1");
	add(t, "B", NULL, "2024-02-21", "1");
	add(t, "B", NULL, "2024-03-20", "1");
	add(t, "C", NULL, "2024-02-01", "1");
	add(t, "C", NULL, "2024-03-01", "1");
	add(t, "D", NULL, "2024-04-15", "1");
	assert_int_equal(loyal_txn_finish(t, day("2024-04-15")), 0);
	loyal_txn_retention_row *r = NULL;
	size_t n = 0;
	assert_int_equal(loyal_txn_retention(&r, &n, t, LOYAL_PERIOD_MONTH), 0);
	assert_int_equal(n, 3);
	int64_t feb = loyal_period_index(LOYAL_PERIOD_MONTH, day("2024-02-01"));
	assert_true(r[0].period == feb);
	assert_int_equal(r[0].active_prev, 2);
	assert_int_equal(r[0].retained, 2);
	assert_int_equal(r[0].new_customers, 1);
	assert_int_equal(r[0].active, 3);
	assert_double_near(r[0].retention, 100, 1e-12);
	assert_double_near(r[0].churn, 0, 1e-12);
	assert_double_near(r[0].crr, 100, 1e-12);
	assert_int_equal(r[1].active_prev, 3);
	assert_int_equal(r[1].retained, 2);
	assert_int_equal(r[1].new_customers, 0);
	assert_int_equal(r[1].active, 2);
	assert_double_near(r[1].retention, 200.0 / 3, 1e-12);
	assert_double_near(r[1].churn, 100.0 / 3, 1e-12);
	assert_double_near(r[1].crr, 200.0 / 3, 1e-12);
	assert_true(r[2].period == feb + 2);
	assert_int_equal(r[2].active_prev, 2);
	assert_int_equal(r[2].retained, 0);
	assert_int_equal(r[2].new_customers, 1);
	assert_int_equal(r[2].active, 2);
	assert_double_near(r[2].retention, 0, 1e-12);
	assert_double_near(r[2].churn, 100, 1e-12);
	assert_double_near(r[2].crr, 50, 1e-12);
	loyal_txn_retention_free(r);
	loyal_txn_free(t);
}

/* A month with no purchase: the next month has active_prev 0 and undefined
 * (NaN) rates; the empty month itself is listed. A: Jan, Mar. */
static void test_txn_period_retention_gap(void **state)
{
	(void)state;
	loyal_txn *t = new_txn(LOYAL_OCCASION_DAY);
	add(t, "A", NULL, "2024-01-03", "1");
	add(t, "A", NULL, "2024-03-03", "1");
	assert_int_equal(loyal_txn_finish(t, day("2024-03-31")), 0);
	loyal_txn_retention_row *r = NULL;
	size_t n = 0;
	assert_int_equal(loyal_txn_retention(&r, &n, t, LOYAL_PERIOD_MONTH), 0);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].active_prev, 1); /* Feb */
	assert_int_equal(r[0].active, 0);
	assert_double_near(r[0].retention, 0, 1e-12);
	assert_int_equal(r[1].active_prev, 0); /* Mar */
	assert_int_equal(r[1].active, 1);
	assert_true(isnan(r[1].retention));
	assert_true(isnan(r[1].churn));
	assert_true(isnan(r[1].crr));
	loyal_txn_retention_free(r);
	assert_int_equal(loyal_txn_retention(&r, &n, t, LOYAL_PERIOD_NONE), LOYAL_EINVAL);
	loyal_txn_free(t);
}

/* Cohort matrix, as-of 2024-04-10:
 *   Jan cohort: A (Jan, Mar), B (Jan, Feb, Apr), C (Jan)   -> 3 customers
 *   Mar cohort: D (Mar, Apr)                               -> 1
 *   Apr cohort: E (Apr, first seen in the last period)     -> 1
 * bounded Jan: k0 3, k1 1 (B), k2 1 (A), k3 1 (B) -> 100, 33.3, 33.3, 33.3
 * unbounded Jan: k0 3, k1 2 (A B), k2 2 (A B), k3 1 (B)
 * Mar: 2 cells 100, 100; Apr: 1 cell 100. */
static void test_txn_cohort_matrix(void **state)
{
	(void)state;
	loyal_txn *t = new_txn(LOYAL_OCCASION_DAY);
	add(t, "A", NULL, "2024-01-05", "1");
	add(t, "A", NULL, "2024-03-05", "1");
	add(t, "B", NULL, "2024-01-06", "1");
	add(t, "B", NULL, "2024-02-06", "1");
	add(t, "B", NULL, "2024-04-06", "1");
	add(t, "C", NULL, "2024-01-31", "1");
	add(t, "D", NULL, "2024-03-01", "1");
	add(t, "D", NULL, "2024-04-01", "1");
	add(t, "E", NULL, "2024-04-10", "1");
	assert_int_equal(loyal_txn_finish(t, day("2024-04-10")), 0);
	int64_t jan = loyal_period_index(LOYAL_PERIOD_MONTH, day("2024-01-01"));
	for (int unbounded = 0; unbounded < 2; unbounded++) {
		loyal_txn_cohort_options o = LOYAL_TXN_COHORT_OPTIONS_INIT;
		loyal_txn_cohort_row *r = NULL;
		size_t n = 0;
		o.unbounded = unbounded;
		assert_int_equal(loyal_txn_cohorts(&r, &n, t, &o), 0);
		assert_int_equal(n, 3);
		assert_true(r[0].cohort == jan);
		assert_int_equal(r[0].customers, 3);
		assert_int_equal(r[0].ncells, 4);
		const uint64_t want[2][4] = { { 3, 1, 1, 1 }, { 3, 2, 2, 1 } };
		for (int k = 0; k < 4; k++) {
			assert_int_equal(r[0].active[k], want[unbounded][k]);
			assert_double_near(r[0].retention[k], 100.0 * want[unbounded][k] / 3, 1e-12);
		}
		assert_true(r[1].cohort == jan + 2);
		assert_int_equal(r[1].customers, 1);
		assert_int_equal(r[1].ncells, 2);
		assert_double_near(r[1].retention[1], 100, 1e-12);
		assert_true(r[2].cohort == jan + 3);
		assert_int_equal(r[2].ncells, 1);
		assert_double_near(r[2].retention[0], 100, 1e-12);
		loyal_txn_cohorts_free(r);
	}
	loyal_txn_free(t);
}

/* Churn at as-of 2024-06-30 with 30 days: last purchase more than 30 days
 * before. A last 05-31 (30 days: active), B 05-30 (31: inactive),
 * C 06-30 (0: active), D 01-01 (inactive). 2 of 4 = 50%. */
static void test_txn_inactive_churn(void **state)
{
	(void)state;
	loyal_txn *t = new_txn(LOYAL_OCCASION_DAY);
	add(t, "A", NULL, "2024-05-31", "1");
	add(t, "B", NULL, "2024-05-30", "1");
	add(t, "C", NULL, "2024-01-01", "1");
	add(t, "C", NULL, "2024-06-30", "1");
	add(t, "D", NULL, "2024-01-01", "1");
	assert_int_equal(loyal_txn_finish(t, day("2024-06-30")), 0);
	loyal_txn_inactive_row *r = NULL;
	size_t n = 0;
	assert_int_equal(loyal_txn_inactive(&r, &n, t, 30, LOYAL_PERIOD_NONE), 0);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].customers, 4);
	assert_int_equal(r[0].inactive, 2);
	/* A first bought 30 days before as-of: it could not have been
	 * inactive for more than 30, so it is not eligible: 2 of 3 */
	assert_int_equal(r[0].eligible, 3);
	assert_double_near(r[0].churn_rate, 200.0 / 3.0, 1e-12);
	loyal_txn_inactive_free(r);
	/* 170 days: only C and D (01-01, 181 days) could be; D is: 1 of 2 */
	assert_int_equal(loyal_txn_inactive(&r, &n, t, 170, LOYAL_PERIOD_NONE), 0);
	assert_int_equal(r[0].eligible, 2);
	assert_int_equal(r[0].inactive, 1);
	assert_double_near(r[0].churn_rate, 50, 1e-12);
	loyal_txn_inactive_free(r);
	/* nobody could be inactive for a year: no rate */
	assert_int_equal(loyal_txn_inactive(&r, &n, t, 365, LOYAL_PERIOD_NONE), 0);
	assert_int_equal(r[0].eligible, 0);
	assert_true(isnan(r[0].churn_rate));
	loyal_txn_inactive_free(r);
	/* by quarter of first purchase: Q1 = {C, D} 1 inactive; Q2 = {A, B} 1 */
	assert_int_equal(loyal_txn_inactive(&r, &n, t, 30, LOYAL_PERIOD_QUARTER), 0);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].customers, 2);
	assert_int_equal(r[0].inactive, 1);
	assert_int_equal(r[1].customers, 2);
	assert_int_equal(r[1].inactive, 1);
	loyal_txn_inactive_free(r);
	loyal_txn_free(t);
}

/* Merging two halves gives what one accumulator of all rows gives. */
static void test_txn_merge_equals_one_pass(void **state)
{
	(void)state;
	loyal_txn *all = new_txn(LOYAL_OCCASION_ORDER), *a = new_txn(LOYAL_OCCASION_ORDER);
	loyal_txn *b = new_txn(LOYAL_OCCASION_ORDER);
	static const char *rows[][4] = {
		{ "A", "1", "2024-01-05", "10" }, { "B", "2", "2024-01-06", "5" },
		{ "A", "3", "2024-02-01", "7" },  { "A", "1", "2024-01-04", "1" },
		{ "B", "9", "2024-02-02", "-2" }, { "C", "4", "2024-03-01", "3" },
		{ "B", "2", "2024-01-06", "4" },  { "A", "5", "2024-03-03", "6.5" },
		{ "R", "7", "2024-03-04", "-1" }, { "R", "8", "2024-03-05", "-2" },
	};
	for (size_t i = 0; i < 10; i++) {
		add(all, rows[i][0], rows[i][1], rows[i][2], rows[i][3]);
		add(i < 4 || i == 8 ? a : b, rows[i][0], rows[i][1], rows[i][2], rows[i][3]);
	}
	assert_int_equal(loyal_txn_merge(a, b), 0);
	assert_int_equal(loyal_txn_finish(all, day("2024-03-31")), 0);
	assert_int_equal(loyal_txn_finish(a, day("2024-03-31")), 0);
	assert_int_equal(loyal_txn_customer_count(a), loyal_txn_customer_count(all));
	for (size_t i = 0; i < loyal_txn_customer_count(all); i++) {
		loyal_txn_customer x = LOYAL_TXN_CUSTOMER_INIT, y = LOYAL_TXN_CUSTOMER_INIT;
		loyal_txn_customer_get(&x, all, i);
		y = customer(a, x.id);
		assert_int_equal(x.occasions, y.occasions);
		assert_int_equal(x.first_day, y.first_day);
		assert_int_equal(x.last_day, y.last_day);
		assert_true(x.spend == y.spend);
		assert_true(x.repeat_spend == y.repeat_spend);
	}
	assert_int_equal(customer(a, "A").occasions, 3);
	assert_true(customer(a, "B").spend == 7000000);
	loyal_txn_stats s1 = LOYAL_TXN_STATS_INIT, s2 = LOYAL_TXN_STATS_INIT;
	loyal_txn_get_stats(&s1, all);
	loyal_txn_get_stats(&s2, a);
	assert_int_equal(s1.rows, s2.rows);
	assert_int_equal(s1.occasions, s2.occasions);
	assert_int_equal(s2.return_only_customers, 1);
	assert_int_equal(s2.return_only_rows, 2);
	assert_int_equal(s1.first_day, s2.first_day);
	assert_int_equal(s1.last_day, s2.last_day);
	loyal_txn_free(all);
	loyal_txn_free(a);
	loyal_txn_free(b);
}

static loyal_txn *new_txn_returns(loyal_occasion occ, loyal_returns how)
{
	loyal_txn_options o = LOYAL_TXN_OPTIONS_INIT;
	loyal_txn *t = NULL;
	o.occasion = occ;
	o.returns = how;
	assert_int_equal(loyal_txn_new(&t, &o), 0);
	return t;
}

/* A period that ends after as-of is partial: the retention row of the
 * as-of period and the last cell of each cohort say so, unless as-of is the
 * period's last day. */
static void test_txn_partial_periods(void **state)
{
	(void)state;
	for (int whole = 0; whole <= 1; whole++) {
		loyal_txn *t = new_txn(LOYAL_OCCASION_DAY);
		add(t, "A", NULL, "2024-01-10", "1");
		add(t, "A", NULL, "2024-02-10", "1");
		add(t, "B", NULL, "2024-02-11", "1");
		assert_int_equal(loyal_txn_finish(t, day(whole ? "2024-03-31" : "2024-03-09")), 0);
		loyal_txn_retention_row *r = NULL;
		size_t n = 0;
		assert_int_equal(loyal_txn_retention(&r, &n, t, LOYAL_PERIOD_MONTH), 0);
		assert_int_equal(n, 2); /* Feb, Mar */
		assert_int_equal(r[0].complete, 1);
		assert_int_equal(r[1].complete, whole);
		loyal_txn_retention_free(r);
		loyal_txn_cohort_row *c = NULL;
		loyal_txn_cohort_options co = LOYAL_TXN_COHORT_OPTIONS_INIT;
		assert_int_equal(loyal_txn_cohorts(&c, &n, t, &co), 0);
		assert_int_equal(n, 2);
		assert_int_equal(c[0].ncells, 3);
		assert_int_equal(c[0].complete_cells, whole ? 3 : 2);
		assert_int_equal(c[1].ncells, 2);
		assert_int_equal(c[1].complete_cells, whole ? 2 : 1);
		loyal_txn_cohorts_free(c);
		/* a day period is always whole */
		assert_int_equal(loyal_txn_retention(&r, &n, t, LOYAL_PERIOD_DAY), 0);
		assert_int_equal(r[n - 1].complete, 1);
		loyal_txn_retention_free(r);
		loyal_txn_free(t);
	}
}

/*
 * Same-day cancellations, worked out by hand (order occasions):
 *  P buys 2.90 (o1, 05-18), orders 168469.60 (o2, 12-09) and cancels it
 *    the same day (c2, 12-09): 12-09 nets to 0, so no purchase that day:
 *    1 occasion, last purchase 05-18, net spend 2.90, repeat spend 0.
 *  Q's only order is cancelled that day (the cancellation comes first in
 *    the input): no occasion left, not a customer.
 *  R returns 15 of a 60 order that day: nets to 45, the order stays.
 *  S returns a whole order 8 days later: the purchase stays (later returns
 *    reduce the spend only).
 *  T has two orders on 12-05 (50 and 30) and returns 50 that day: the day
 *    nets to 30 and keeps both orders (returns do not say which order).
 * With LOYAL_RETURNS_KEEP every order counts.
 */
static void test_txn_same_day_cancellation(void **state)
{
	(void)state;
	for (int keep = 0; keep <= 1; keep++) {
		loyal_txn *t = new_txn_returns(LOYAL_OCCASION_ORDER,
					       keep ? LOYAL_RETURNS_KEEP : LOYAL_RETURNS_NET_DAY);
		add(t, "P", "o1", "2011-05-18", "1.65");
		add(t, "P", "o1", "2011-05-18", "1.25");
		add(t, "P", "o2", "2011-12-09", "168469.60");
		add(t, "P", "c2", "2011-12-09", "-168469.60");
		add(t, "Q", "c9", "2011-01-18", "-77183.60");
		add(t, "Q", "o9", "2011-01-18", "77183.60");
		add(t, "R", "o3", "2011-03-01", "60");
		add(t, "R", "c3", "2011-03-01", "-15");
		add(t, "S", "o4", "2011-04-01", "40");
		add(t, "S", "c4", "2011-04-09", "-40");
		add(t, "T", "o5", "2011-12-05", "50");
		add(t, "T", "o6", "2011-12-05", "30");
		add(t, "T", "c5", "2011-12-05", "-50");
		assert_int_equal(loyal_txn_finish(t, day("2011-12-09")), 0);
		loyal_txn_stats st = LOYAL_TXN_STATS_INIT;
		loyal_txn_get_stats(&st, t);
		assert_int_equal(st.rows, 13);
		assert_int_equal(st.return_rows, 5);
		assert_int_equal(st.return_only_customers, 0);
		loyal_txn_customer p = customer(t, "P");
		assert_true(p.spend == 2900000);
		assert_int_equal(customer(t, "R").occasions, 1);
		assert_true(customer(t, "R").spend == 45000000);
		assert_int_equal(customer(t, "S").occasions, 1);
		assert_true(customer(t, "S").spend == 0);
		assert_int_equal(customer(t, "T").occasions, 2);
		if (keep) {
			assert_int_equal(p.occasions, 2);
			assert_int_equal(p.last_day, day("2011-12-09"));
			assert_true(p.repeat_spend == 168469600000);
			assert_true(listed(t, "Q"));
			assert_int_equal(st.customers, 5);
			assert_int_equal(st.occasions, 7);
			assert_int_equal(st.cancelled_occasions, 0);
			assert_int_equal(st.cancelled_customers, 0);
		} else {
			assert_int_equal(p.occasions, 1);
			assert_int_equal(p.x, 0);
			assert_int_equal(p.last_day, day("2011-05-18"));
			assert_true(p.repeat_spend == 0);
			assert_true(p.gross_spend == 168472500000);
			assert_false(listed(t, "Q"));
			assert_int_equal(st.customers, 4);
			assert_int_equal(st.occasions, 5);
			assert_int_equal(st.cancelled_occasions, 2);
			assert_int_equal(st.cancelled_customers, 1);
		}
		loyal_txn_free(t);
	}
}

/* Day occasions net the same way; a free line (amount 0) is no return, so
 * a day of free lines is still a purchase; options before version 3 keep returns. */
static void test_txn_same_day_cancellation_days(void **state)
{
	(void)state;
	loyal_txn *t = new_txn(LOYAL_OCCASION_DAY);
	add(t, "A", NULL, "2024-01-10", "20");
	add(t, "A", NULL, "2024-01-10", "5");
	add(t, "A", NULL, "2024-01-10", "-25.00");
	add(t, "A", NULL, "2024-01-20", "0");
	add(t, "A", NULL, "2024-02-01", "9");
	add(t, "A", NULL, "2024-02-01", "-9.01");
	assert_int_equal(loyal_txn_finish(t, day("2024-02-29")), 0);
	loyal_txn_customer a = customer(t, "A");
	assert_int_equal(a.occasions, 1);
	assert_int_equal(a.first_day, day("2024-01-20"));
	assert_true(a.spend == -10000);
	loyal_txn_free(t);

	/* options of version 2 (or 1) have no `returns`: kept */
	loyal_txn_options o = { 2, LOYAL_OCCASION_DAY, 1, LOYAL_RETURNS_NET_DAY };
	assert_int_equal(loyal_txn_new(&t, &o), 0);
	add(t, "A", NULL, "2024-01-10", "20");
	add(t, "A", NULL, "2024-01-10", "-20");
	assert_int_equal(loyal_txn_finish(t, day("2024-02-29")), 0);
	assert_int_equal(customer(t, "A").occasions, 1);
	loyal_txn_free(t);
}

/* Merging is exact with cancellations: every way of splitting the rows
 * between two accumulators gives the one-pass result. */
static void test_txn_merge_cancellations(void **state)
{
	static const char *rows[][4] = {
		{ "P", "o1", "2011-05-18", "2.90" },   { "P", "o2", "2011-12-09", "100" },
		{ "P", "c2", "2011-12-09", "-100" },    { "Q", "c9", "2011-01-18", "-7" },
		{ "Q", "o9", "2011-01-18", "7" },       { "R", "o3", "2011-03-01", "60" },
		{ "R", "c3", "2011-03-01", "-15" },     { "R", "c4", "2011-03-01", "-50" },
		{ "S", "o5", "2011-04-01", "40" },      { "S", "c5", "2011-04-09", "-40" },
	};
	size_t n = sizeof(rows) / sizeof(rows[0]);
	(void)state;

	for (int occ = 0; occ <= 1; occ++) {
		loyal_txn *all = new_txn(occ ? LOYAL_OCCASION_ORDER : LOYAL_OCCASION_DAY);
		for (size_t i = 0; i < n; i++)
			add(all, rows[i][0], rows[i][1], rows[i][2], rows[i][3]);
		assert_int_equal(loyal_txn_finish(all, day("2011-12-31")), 0);
		loyal_txn_stats want = LOYAL_TXN_STATS_INIT;
		loyal_txn_get_stats(&want, all);
		assert_int_equal(want.cancelled_customers, 2); /* Q, and R: 60 - 65 */
		for (unsigned mask = 0; mask < (1u << n); mask++) {
			loyal_txn *a = new_txn(occ ? LOYAL_OCCASION_ORDER : LOYAL_OCCASION_DAY);
			loyal_txn *b = new_txn(occ ? LOYAL_OCCASION_ORDER : LOYAL_OCCASION_DAY);
			for (size_t i = 0; i < n; i++)
				add(mask & (1u << i) ? b : a, rows[i][0], rows[i][1], rows[i][2],
				    rows[i][3]);
			assert_int_equal(loyal_txn_merge(a, b), 0);
			assert_int_equal(loyal_txn_finish(a, day("2011-12-31")), 0);
			loyal_txn_stats got = LOYAL_TXN_STATS_INIT;
			loyal_txn_get_stats(&got, a);
			assert_int_equal(got.occasions, want.occasions);
			assert_int_equal(got.cancelled_occasions, want.cancelled_occasions);
			assert_int_equal(got.cancelled_customers, want.cancelled_customers);
			assert_int_equal(got.return_only_customers, want.return_only_customers);
			assert_int_equal(loyal_txn_customer_count(a), loyal_txn_customer_count(all));
			for (size_t i = 0; i < loyal_txn_customer_count(all); i++) {
				loyal_txn_customer x = LOYAL_TXN_CUSTOMER_INIT, y = LOYAL_TXN_CUSTOMER_INIT;
				loyal_txn_customer_get(&x, all, i);
				y = customer(a, x.id);
				assert_int_equal(x.occasions, y.occasions);
				assert_int_equal(x.last_day, y.last_day);
				assert_true(x.spend == y.spend);
				assert_true(x.repeat_spend == y.repeat_spend);
			}
			loyal_txn_free(a);
			loyal_txn_free(b);
		}
		loyal_txn_free(all);
	}
}

/* The window: no row may be after as-of; nothing is added after finish;
 * results need finish. */
static void test_txn_finish_rules(void **state)
{
	(void)state;
	loyal_txn *t = new_txn(LOYAL_OCCASION_DAY);
	loyal_txn_repurchase_row *rows = NULL;
	size_t n = 0;
	add(t, "A", NULL, "2024-05-02", "1");
	assert_int_equal(loyal_txn_repurchase(&rows, &n, t, NULL), LOYAL_EINVAL);
	assert_int_equal(loyal_txn_customer_count(t), 0);
	assert_int_equal(loyal_txn_finish(t, day("2024-05-01")), LOYAL_EINVAL);
	assert_int_equal(loyal_txn_finish(t, day("2024-05-02")), 0);
	assert_int_equal(loyal_txn_finish(t, day("2024-05-02")), LOYAL_EINVAL);
	loyal_txn_row r = { "B", 1, NULL, 0, day("2024-05-02"), 1, 0 };
	assert_int_equal(loyal_txn_add(t, &r), LOYAL_EINVAL);
	loyal_txn_customer c = LOYAL_TXN_CUSTOMER_INIT;
	assert_int_equal(loyal_txn_customer_get(&c, t, 1), LOYAL_EINVAL);
	loyal_txn_free(t);
	loyal_txn_free(NULL);
}

/* Days outside the years 1-9999 and options of another version are refused
 * (extreme day numbers once overflowed t_x and T). */
static void test_txn_day_range_and_versions(void **state)
{
	(void)state;
	loyal_txn *t = new_txn(LOYAL_OCCASION_DAY);
	loyal_txn_row r = { "A", 1, NULL, 0, INT32_MAX, 1, 0 };
	assert_int_equal(loyal_txn_add(t, &r), LOYAL_EINVAL);
	r.day = -2000000000;
	assert_int_equal(loyal_txn_add(t, &r), LOYAL_EINVAL);
	r.day = loyal_days_from_civil(9999, 12, 31);
	assert_int_equal(loyal_txn_add(t, &r), 0);
	r.day = loyal_days_from_civil(1, 1, 1);
	assert_int_equal(loyal_txn_add(t, &r), 0);
	assert_int_equal(loyal_txn_finish(t, INT32_MAX), LOYAL_EINVAL);
	assert_int_equal(loyal_txn_finish(t, loyal_days_from_civil(9999, 12, 31)), 0);
	loyal_txn_customer c = LOYAL_TXN_CUSTOMER_INIT;
	assert_int_equal(loyal_txn_customer_get(&c, t, 0), 0);
	assert_int_equal(c.t_x, loyal_days_from_civil(9999, 12, 31) - loyal_days_from_civil(1, 1, 1));
	loyal_txn_repurchase_row *rows = NULL;
	size_t n = 0;
	loyal_txn_repurchase_options ro = LOYAL_TXN_REPURCHASE_OPTIONS_INIT;
	ro.version = 2;
	assert_int_equal(loyal_txn_repurchase(&rows, &n, t, &ro), LOYAL_EINVAL);
	loyal_txn_free(t);
	loyal_txn_options o = LOYAL_TXN_OPTIONS_INIT;
	o.version = 4;
	assert_int_equal(loyal_txn_new(&t, &o), LOYAL_EINVAL);
	o.version = 3;
	o.returns = (loyal_returns)7;
	assert_int_equal(loyal_txn_new(&t, &o), LOYAL_EINVAL);
	o.version = 1; /* the struct before `threads` */
	assert_int_equal(loyal_txn_new(&t, &o), 0);
	loyal_txn_free(t);
}

/* loyal_keyset: numbering, and no key for an id out of range. */
static void test_keyset_bounds(void **state)
{
	loyal_keyset *ks = NULL;
	uint32_t id = 9;
	int added = 0;
	size_t len = 7;
	(void)state;

	assert_int_equal(loyal_keyset_new(&ks), 0);
	assert_int_equal(loyal_keyset_add(ks, "a", 1, &id, &added), 0);
	assert_int_equal(id, 0);
	assert_int_equal(added, 1);
	assert_int_equal(loyal_keyset_add(ks, NULL, 0, &id, &added), 0); /* the empty key */
	assert_int_equal(id, 1);
	assert_int_equal(loyal_keyset_add(ks, NULL, 3, &id, &added), LOYAL_EINVAL);
	assert_string_equal(loyal_keyset_key(ks, 0, &len), "a");
	assert_int_equal(len, 1);
	assert_null(loyal_keyset_key(ks, 5, &len));
	assert_int_equal(len, 0);
	assert_int_equal(loyal_keyset_find(ks, "", 0, &id), 0);
	assert_int_equal(id, 1);
	loyal_keyset_free(ks);
}

/* An order occasion needs an order id; a return does not. */
static void test_txn_order_id_required(void **state)
{
	(void)state;
	loyal_txn *t = new_txn(LOYAL_OCCASION_ORDER);
	loyal_txn_row r = { "A", 1, NULL, 0, 0, 1000000, 0 };
	assert_int_equal(loyal_txn_add(t, &r), LOYAL_EINVAL);
	r.amount = -1000000;
	assert_int_equal(loyal_txn_add(t, &r), 0);
	loyal_txn_free(t);
}

/* No rows at all: finish works, every result is empty. */
static void test_txn_empty(void **state)
{
	(void)state;
	loyal_txn *t = new_txn(LOYAL_OCCASION_DAY);
	assert_int_equal(loyal_txn_finish(t, 0), 0);
	loyal_txn_cohort_row dummy, *c = &dummy;
	size_t n = 7;
	assert_int_equal(loyal_txn_cohorts(&c, &n, t, NULL), 0);
	assert_int_equal(n, 0);
	assert_null(c);
	assert_int_equal(loyal_txn_customer_count(t), 0);
	loyal_txn_free(t);
}

/* The calibration/holdout split at 2024-01-31 of, in day occasions:
 * A: 01-05, 01-05 (same day), 01-20, 02-10, 03-01 -> first 01-05, up to
 *    the cut 01-05 and 01-20: x = 1, t_x = 15, T = 26; after it 02-10 and
 *    03-01: holdout = 2.
 * B: 01-31 only -> x = 0, t_x = 0, T = 0, holdout = 0 (the cut day is in
 *    the calibration period).
 * C: 02-15, 02-20 -> acquired after the cut: calibration = 0, holdout = 2.
 * D: 01-10, 01-25, a return on 02-01 -> x = 1, t_x = 15, T = 21, holdout 0.
 * With cut = as-of (03-31) the split equals loyal_txn_customer_get(). */
static void test_txn_customer_split(void **state)
{
	(void)state;
	loyal_txn *t = new_txn(LOYAL_OCCASION_DAY);
	add(t, "A", NULL, "2024-01-05", "1");
	add(t, "A", NULL, "2024-03-01", "1");
	add(t, "B", NULL, "2024-01-31", "1");
	add(t, "A", NULL, "2024-01-20", "1");
	add(t, "C", NULL, "2024-02-20", "1");
	add(t, "A", NULL, "2024-02-10", "1");
	add(t, "C", NULL, "2024-02-15", "1");
	add(t, "A", NULL, "2024-01-05", "2");
	add(t, "D", NULL, "2024-01-10", "1");
	add(t, "D", NULL, "2024-02-01", "-1");
	add(t, "D", NULL, "2024-01-25", "1");
	assert_int_equal(loyal_txn_finish(t, day("2024-03-31")), 0);

	static const struct { const char *id; int cal; uint64_t x; int32_t tx, T; uint64_t h; } want[] = {
		{ "A", 1, 1, 15, 26, 2 }, { "B", 1, 0, 0, 0, 0 },
		{ "C", 0, 0, 0, 0, 2 }, { "D", 1, 1, 15, 21, 0 },
	};
	assert_int_equal(loyal_txn_customer_count(t), 4);
	for (size_t i = 0; i < 4; i++) {
		loyal_txn_customer c = LOYAL_TXN_CUSTOMER_INIT;
		loyal_txn_split s = LOYAL_TXN_SPLIT_INIT;
		assert_int_equal(loyal_txn_customer_get(&c, t, i), 0);
		assert_string_equal(c.id, want[i].id);
		assert_int_equal(loyal_txn_customer_split(&s, t, i, day("2024-01-31")), 0);
		assert_int_equal(s.calibration, want[i].cal);
		assert_int_equal(s.x, want[i].x);
		assert_int_equal(s.t_x, want[i].tx);
		assert_int_equal(s.T, want[i].T);
		assert_int_equal(s.holdout, want[i].h);
		assert_int_equal(loyal_txn_customer_split(&s, t, i, day("2024-03-31")), 0);
		assert_int_equal(s.calibration, 1);
		assert_int_equal(s.x, c.x);
		assert_int_equal(s.t_x, c.t_x);
		assert_int_equal(s.T, c.T);
		assert_int_equal(s.holdout, 0);
	}
	loyal_txn_split s = LOYAL_TXN_SPLIT_INIT;
	assert_int_equal(loyal_txn_customer_split(&s, t, 0, day("2024-04-01")), LOYAL_EINVAL);
	assert_int_equal(loyal_txn_customer_split(&s, t, 4, day("2024-01-31")), LOYAL_EINVAL);
	assert_int_equal(loyal_txn_customer_split(NULL, t, 0, day("2024-01-31")), LOYAL_EINVAL);

	/* Daily counts of the calibration customers A, B, D from 01-05 to
	 * 03-01 (57 days): acquired 01-05 (A), 01-10 (D), 01-31 (B); repeats
	 * 01-20 (A), 01-25 (D), 02-10 (A), 03-01 (A). C is left out. */
	uint64_t acq[57], rep[57];
	int32_t d0 = day("2024-01-05");
	assert_int_equal(loyal_txn_daily_counts(t, day("2024-01-31"), d0, 57, acq, rep), 0);
	uint64_t na = 0, nr = 0;
	for (size_t k = 0; k < 57; k++)
		na += acq[k], nr += rep[k];
	assert_int_equal(na, 3);
	assert_int_equal(nr, 4);
	assert_int_equal(acq[0], 1);
	assert_int_equal(acq[day("2024-01-10") - d0], 1);
	assert_int_equal(acq[day("2024-01-31") - d0], 1);
	assert_int_equal(rep[day("2024-01-20") - d0], 1);
	assert_int_equal(rep[day("2024-01-25") - d0], 1);
	assert_int_equal(rep[day("2024-02-10") - d0], 1);
	assert_int_equal(rep[56], 1);
	/* a shorter range drops 03-01; the cut at as-of adds C (02-15, 02-20) */
	assert_int_equal(loyal_txn_daily_counts(t, day("2024-03-31"), d0, 56, NULL, rep), 0);
	nr = 0;
	for (size_t k = 0; k < 56; k++)
		nr += rep[k];
	assert_int_equal(nr, 4);
	assert_int_equal(rep[day("2024-02-20") - d0], 1);
	assert_int_equal(loyal_txn_daily_counts(t, 0, d0, 5, NULL, NULL), LOYAL_EINVAL);
	assert_int_equal(loyal_txn_daily_counts(NULL, 0, d0, 0, NULL, NULL), LOYAL_EINVAL);
	loyal_txn_free(t);

	/* before finish nothing is available */
	t = new_txn(LOYAL_OCCASION_DAY);
	assert_int_equal(loyal_txn_daily_counts(t, 0, 0, 1, acq, NULL), LOYAL_EINVAL);
	loyal_txn_free(t);
}

/* ---- parts merged = whole --------------------------------------------- */

struct gen_row {
	char cust[40], order[48];
	int32_t day;
	int64_t amount;
	const char *group;
};

static uint64_t rng_state;

static uint64_t rnd(uint64_t n)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31)) % n;
}

/* Order lines as exports have them: runs of lines of one order, orders
 * that come back later, ids of every shape (short, numbers, numbers with
 * leading zeros, prefix + digits, long), returns, groups. */
static size_t gen_rows(struct gen_row *rows, size_t n)
{
	static const char *const groups[] = { "north", "south", "east", "west" };
	size_t i = 0;
	int32_t base = day("2024-01-01");

	while (i < n) {
		int c = (int)rnd(30), shape = (int)rnd(7);
		unsigned long o = (unsigned long)rnd(60);
		char order[48];
		switch (shape) {
		case 0: snprintf(order, sizeof(order), "%lu", o); break;
		case 1: snprintf(order, sizeof(order), "%lu", 500000000000ul + o * 7); break;
		case 2: snprintf(order, sizeof(order), "00%lu", o); break;
		case 3: snprintf(order, sizeof(order), "INV-2024-%06lu", o); break;
		case 4: snprintf(order, sizeof(order), "%lu9999999999999", o); break;
		case 5: snprintf(order, sizeof(order), "ORDER/shop-%lu/web", o); break;
		default: snprintf(order, sizeof(order), "o%lu", o); break;
		}
		size_t lines = 1 + rnd(4);
		for (size_t k = 0; k < lines && i < n; k++, i++) {
			struct gen_row *r = &rows[i];
			if (c < 25)
				snprintf(r->cust, sizeof(r->cust), "C%d", c);
			else
				snprintf(r->cust, sizeof(r->cust), "customer-with-a-long-id-%d", c);
			snprintf(r->order, sizeof(r->order), "%s", order);
			r->day = base + (int32_t)rnd(200);
			r->amount = ((int64_t)rnd(100000) - (rnd(10) == 0 ? 120000 : 0)) * 100;
			r->group = groups[rnd(4)];
		}
	}
	return n;
}

/* Feed rows[from..to) to t, numbering groups in ks; in uneven chunks
 * through loyal_txn_add_rows. */
static void feed_rows(loyal_txn *t, loyal_keyset *ks, const struct gen_row *rows, size_t from,
		      size_t to)
{
	loyal_txn_row batch[7];
	size_t nb = 0;

	for (size_t i = from; i < to; i++) {
		uint32_t g;
		assert_int_equal(loyal_keyset_add(ks, rows[i].group, strlen(rows[i].group), &g, NULL), 0);
		batch[nb++] = (loyal_txn_row){ rows[i].cust, strlen(rows[i].cust), rows[i].order,
					       strlen(rows[i].order), rows[i].day, rows[i].amount, g };
		if (nb >= 1 + i % 7 || i + 1 == to) {
			size_t done;
			assert_int_equal(loyal_txn_add_rows(t, batch, nb, &done), 0);
			assert_int_equal(done, nb);
			nb = 0;
		}
	}
}

struct text {
	char *s;
	size_t len, cap;
};

static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	char buf[1024];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (t->len + (size_t)n + 1 > t->cap) {
		t->cap = (t->len + (size_t)n + 1) * 2;
		t->s = realloc(t->s, t->cap);
		assert_non_null(t->s);
	}
	memcpy(t->s + t->len, buf, (size_t)n + 1);
	t->len += (size_t)n;
}

/* Every result of a finished accumulator, as text. */
static char *dump(const loyal_txn *t, const loyal_keyset *ks)
{
	struct text o = { NULL, 0, 0 };
	loyal_txn_stats st = LOYAL_TXN_STATS_INIT;
	size_t n;

	put(&o, "");
	assert_int_equal(loyal_txn_get_stats(&st, t), 0);
	put(&o, "stats %llu %llu %llu %llu %d %d %llu %llu %llu\n", (unsigned long long)st.rows,
	    (unsigned long long)st.purchase_rows, (unsigned long long)st.return_rows,
	    (unsigned long long)st.occasions, st.first_day, st.last_day,
	    (unsigned long long)st.customers, (unsigned long long)st.return_only_customers,
	    (unsigned long long)st.return_only_rows);
	for (size_t i = 0; i < loyal_txn_customer_count(t); i++) {
		loyal_txn_customer c = LOYAL_TXN_CUSTOMER_INIT;
		loyal_txn_split sp = LOYAL_TXN_SPLIT_INIT;
		assert_int_equal(loyal_txn_customer_get(&c, t, i), 0);
		assert_int_equal(loyal_txn_customer_split(&sp, t, i, day("2024-04-01")), 0);
		put(&o, "%s g%u %s %d %d %llu %lld %lld %lld %llu %d %d %.17g | %d %llu %d %d %llu\n",
		    c.id, c.group, loyal_keyset_key(ks, c.group, NULL), c.first_day, c.last_day,
		    (unsigned long long)c.occasions, (long long)c.spend, (long long)c.gross_spend,
		    (long long)c.repeat_spend, (unsigned long long)c.x, c.t_x, c.T,
		    c.mean_repeat_spend, sp.calibration, (unsigned long long)sp.x, sp.t_x, sp.T,
		    (unsigned long long)sp.holdout);
	}
	loyal_txn_repurchase_options ro = LOYAL_TXN_REPURCHASE_OPTIONS_INIT;
	loyal_txn_repurchase_row *rr;
	ro.cohort_period = LOYAL_PERIOD_MONTH;
	ro.within_days = 30;
	assert_int_equal(loyal_txn_repurchase(&rr, &n, t, &ro), 0);
	for (size_t i = 0; i < n; i++)
		put(&o, "rep g%u %lld %llu %llu %llu %.17g %.17g %.17g %llu %llu %.17g\n", rr[i].group,
		    (long long)rr[i].cohort, (unsigned long long)rr[i].customers,
		    (unsigned long long)rr[i].repeat_customers,
		    (unsigned long long)rr[i].repeat_purchases, rr[i].repurchase_rate,
		    rr[i].mean_days_between, rr[i].median_days_between,
		    (unsigned long long)rr[i].within_eligible, (unsigned long long)rr[i].within_repeat,
		    rr[i].within_rate);
	loyal_txn_repurchase_free(rr);
	loyal_txn_retention_row *rt;
	assert_int_equal(loyal_txn_retention(&rt, &n, t, LOYAL_PERIOD_MONTH), 0);
	for (size_t i = 0; i < n; i++)
		put(&o, "ret g%u %lld %llu %llu %llu %llu\n", rt[i].group, (long long)rt[i].period,
		    (unsigned long long)rt[i].active_prev, (unsigned long long)rt[i].retained,
		    (unsigned long long)rt[i].new_customers, (unsigned long long)rt[i].active);
	loyal_txn_retention_free(rt);
	loyal_txn_cohort_options co = LOYAL_TXN_COHORT_OPTIONS_INIT;
	loyal_txn_cohort_row *cr;
	assert_int_equal(loyal_txn_cohorts(&cr, &n, t, &co), 0);
	for (size_t i = 0; i < n; i++) {
		put(&o, "coh g%u %lld %llu:", cr[i].group, (long long)cr[i].cohort,
		    (unsigned long long)cr[i].customers);
		for (size_t k = 0; k < cr[i].ncells; k++)
			put(&o, " %llu", (unsigned long long)cr[i].active[k]);
		put(&o, "\n");
	}
	loyal_txn_cohorts_free(cr);
	uint64_t acq[220], rep[220];
	assert_int_equal(loyal_txn_daily_counts(t, day("2024-04-01"), day("2024-01-01"), 220, acq,
						rep), 0);
	for (size_t i = 0; i < 220; i++)
		if (acq[i] || rep[i])
			put(&o, "day %zu %llu %llu\n", i, (unsigned long long)acq[i],
			    (unsigned long long)rep[i]);
	return o.s;
}

/* The rows cut at cuts[0..ncuts), each part in its own accumulator and
 * keyset, merged in order; then finished and dumped. */
static char *parts_dump(loyal_occasion occ, const struct gen_row *rows, size_t n,
			const size_t *cuts, size_t ncuts)
{
	loyal_txn *t0 = new_txn(occ);
	loyal_keyset *ks0;
	size_t from = 0;

	assert_int_equal(loyal_keyset_new(&ks0), 0);
	for (size_t k = 0; k <= ncuts; k++) {
		size_t to = k < ncuts ? cuts[k] : n;
		if (k == 0) {
			feed_rows(t0, ks0, rows, from, to);
		} else {
			loyal_txn *t = new_txn(occ);
			loyal_keyset *ks;
			assert_int_equal(loyal_keyset_new(&ks), 0);
			feed_rows(t, ks, rows, from, to);
			uint32_t *map = malloc((loyal_keyset_count(ks) + 1) * sizeof(*map));
			assert_int_equal(loyal_keyset_merge(ks0, ks, map), 0);
			assert_int_equal(loyal_txn_map_groups(t, map, loyal_keyset_count(ks)), 0);
			if (k % 2) {
				/* the one that frees src as it goes */
				assert_int_equal(loyal_txn_merge_free(t0, t), 0);
			} else {
				assert_int_equal(loyal_txn_merge(t0, t), 0);
				loyal_txn_free(t);
			}
			free(map);
			loyal_keyset_free(ks);
		}
		from = to;
	}
	assert_int_equal(loyal_txn_finish(t0, day("2024-07-31")), 0);
	char *d = dump(t0, ks0);
	loyal_txn_free(t0);
	loyal_keyset_free(ks0);
	return d;
}

/* Merging the accumulators of the parts of an input, cut anywhere (also
 * inside an order's lines), gives results identical to reading it whole,
 * for order and day occasions. */
static void test_txn_parts_merge_to_whole(void **state)
{
	enum { N = 300 };
	static struct gen_row rows[N];
	(void)state;

	rng_state = 42;
	gen_rows(rows, N);
	for (int kind = 0; kind < 2; kind++) {
		loyal_occasion occ = kind ? LOYAL_OCCASION_DAY : LOYAL_OCCASION_ORDER;
		char *whole = parts_dump(occ, rows, N, NULL, 0);
		for (size_t c = 1; c < N; c++) {
			char *split = parts_dump(occ, rows, N, &c, 1);
			if (strcmp(whole, split))
				fail_msg("cut at %zu differs:\n--- whole\n%s--- parts\n%s", c, whole, split);
			free(split);
		}
		for (size_t k = 0; k < 40; k++) {
			size_t cuts[5];
			cuts[0] = 1 + rnd(N / 5);
			for (size_t j = 1; j < 5; j++)
				cuts[j] = cuts[j - 1] + 1 + rnd(N / 5);
			char *split = parts_dump(occ, rows, N, cuts, 5);
			assert_string_equal(whole, split);
			free(split);
		}
		/* and the whole read one row at a time agrees with add_rows */
		loyal_txn *t = new_txn(occ);
		loyal_keyset *ks;
		assert_int_equal(loyal_keyset_new(&ks), 0);
		for (size_t i = 0; i < N; i++) {
			uint32_t g;
			loyal_keyset_add(ks, rows[i].group, strlen(rows[i].group), &g, NULL);
			loyal_txn_row r = { rows[i].cust, strlen(rows[i].cust), rows[i].order,
					    strlen(rows[i].order), rows[i].day, rows[i].amount, g };
			assert_int_equal(loyal_txn_add(t, &r), 0);
		}
		assert_int_equal(loyal_txn_finish(t, day("2024-07-31")), 0);
		char *one = dump(t, ks);
		assert_string_equal(whole, one);
		free(one);
		loyal_txn_free(t);
		loyal_keyset_free(ks);
		free(whole);
	}
}

/* finish() on several threads folds the same occasions: few customers
 * with long chains (walked alone past 4096 records), and many. */
static void test_txn_finish_threads(void **state)
{
	enum { N = 120000 };
	static struct gen_row rows[N];
	(void)state;

	rng_state = 7;
	gen_rows(rows, N);
	for (int many = 0; many < 2; many++) {
		if (many)
			for (size_t i = 0; i < N; i++)
				snprintf(rows[i].cust, sizeof(rows[i].cust), "K%llu",
					 (unsigned long long)rnd(20000));
		char *d[2];
		for (int k = 0; k < 2; k++) {
			loyal_txn_options o = LOYAL_TXN_OPTIONS_INIT;
			loyal_txn *t = NULL;
			loyal_keyset *ks;
			o.occasion = LOYAL_OCCASION_ORDER;
			o.threads = k ? 3 : 1;
			assert_int_equal(loyal_txn_new(&t, &o), 0);
			assert_int_equal(loyal_keyset_new(&ks), 0);
			feed_rows(t, ks, rows, 0, N);
			assert_int_equal(loyal_txn_finish(t, day("2024-07-31")), 0);
			d[k] = dump(t, ks);
			loyal_txn_free(t);
			loyal_keyset_free(ks);
		}
		assert_string_equal(d[0], d[1]);
		free(d[0]);
		free(d[1]);
	}
}

/* Order ids that are equal only as bytes: leading zeros, a NUL byte, the
 * number above 2^62, the same digits after different prefixes. */
static void test_txn_order_ids_exact(void **state)
{
	static const char *const ids[] = {
		"1234567", "01234567", "001234567", "12345678", "4611686018427387903",
		"4611686018427387904", "9999999999999999999", "99999999999999999999",
		"A-000000000001", "A-00000000001", "B-000000000001", "A000000000001",
		"x1", "x01", "", "INV-2024-000123", "INV-2024-0000123", "abcdefgh", "abcdefg",
	};
	size_t n = sizeof(ids) / sizeof(ids[0]);
	loyal_txn *t = new_txn(LOYAL_OCCASION_ORDER);
	(void)state;

	/* each id twice, apart: one occasion each */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			const char *id = ids[i][0] ? ids[i] : "\0";
			loyal_txn_row r = { "C", 1, id, ids[i][0] ? strlen(id) : 1, day("2024-01-01"),
					    1000000, 0 };
			assert_int_equal(loyal_txn_add(t, &r), 0);
		}
	/* "A" and "A\0" are two ids */
	loyal_txn_row r1 = { "D", 1, "A", 1, day("2024-01-01"), 1, 0 };
	loyal_txn_row r2 = { "D", 1, "A\0", 2, day("2024-01-01"), 1, 0 };
	assert_int_equal(loyal_txn_add(t, &r1), 0);
	assert_int_equal(loyal_txn_add(t, &r2), 0);
	assert_int_equal(loyal_txn_add(t, &r1), 0);
	assert_int_equal(loyal_txn_finish(t, day("2024-01-31")), 0);
	assert_int_equal(customer(t, "C").occasions, n);
	assert_int_equal(customer(t, "D").occasions, 2);
	loyal_txn_free(t);
}

/* With more order prefixes than the prefix table holds, ids fall back to
 * interned keys; an id encoded one way in one part and the other way in
 * another is still one occasion after the merge. */
static void test_txn_prefix_table_full_merge(void **state)
{
	loyal_txn *a = new_txn(LOYAL_OCCASION_ORDER), *b = new_txn(LOYAL_OCCASION_ORDER);
	char id[32];
	(void)state;

	for (int i = 0; i < 70000; i++) {
		snprintf(id, sizeof(id), "P%d-1", i);
		loyal_txn_row r = { "F", 1, id, strlen(id), day("2024-01-01"), 1, 0 };
		assert_int_equal(loyal_txn_add(a, &r), 0);
	}
	loyal_txn_row x = { "X", 1, "NEWPREFIX-12", 12, day("2024-01-02"), 5000000, 0 };
	loyal_txn_row y = { "X", 1, "NEWPREFIX-13", 12, day("2024-01-03"), 1000000, 0 };
	assert_int_equal(loyal_txn_add(a, &x), 0);
	assert_int_equal(loyal_txn_add(b, &y), 0);
	x.day = day("2024-01-01");
	assert_int_equal(loyal_txn_add(b, &x), 0);
	assert_int_equal(loyal_txn_merge(a, b), 0);
	assert_int_equal(loyal_txn_finish(a, day("2024-01-31")), 0);
	loyal_txn_customer c = customer(a, "X");
	assert_int_equal(c.occasions, 2);
	assert_int_equal(c.first_day, day("2024-01-01"));
	/* the first occasion is NEWPREFIX-12 (10 in all): the repeat is 1 */
	assert_true(c.repeat_spend == 1000000);
	assert_int_equal(customer(a, "F").occasions, 70000);
	loyal_txn_free(a);
	loyal_txn_free(b);
}

/* A group map: every group must have an entry; nothing changes otherwise. */
static void test_txn_map_groups(void **state)
{
	loyal_txn *t = new_txn(LOYAL_OCCASION_DAY);
	uint32_t map[2] = { 5, 7 };
	(void)state;

	add_g(t, "A", NULL, "2024-01-01", "1", 0);
	add_g(t, "B", NULL, "2024-01-01", "1", 1);
	add_g(t, "C", NULL, "2024-01-01", "-1", 3); /* return only: no group */
	assert_int_equal(loyal_txn_map_groups(t, map, 1), LOYAL_EINVAL);
	assert_int_equal(loyal_txn_map_groups(t, map, 2), 0);
	assert_int_equal(loyal_txn_finish(t, day("2024-01-31")), 0);
	assert_int_equal(customer(t, "A").group, 5);
	assert_int_equal(customer(t, "B").group, 7);
	assert_int_equal(loyal_txn_map_groups(t, map, 2), LOYAL_EINVAL); /* finished */
	loyal_txn_free(t);
}

/* loyal_keyset_merge numbers src's keys after dst's, in src's order. */
static void test_keyset_merge(void **state)
{
	loyal_keyset *a, *b;
	uint32_t id, map[3];
	(void)state;

	assert_int_equal(loyal_keyset_new(&a), 0);
	assert_int_equal(loyal_keyset_new(&b), 0);
	loyal_keyset_add(a, "x", 1, &id, NULL);
	loyal_keyset_add(a, "y", 1, &id, NULL);
	loyal_keyset_add(b, "z", 1, &id, NULL);
	loyal_keyset_add(b, "x", 1, &id, NULL);
	loyal_keyset_add(b, "w", 1, &id, NULL);
	assert_int_equal(loyal_keyset_merge(a, b, map), 0);
	assert_int_equal(map[0], 2);
	assert_int_equal(map[1], 0);
	assert_int_equal(map[2], 3);
	assert_string_equal(loyal_keyset_key(a, 3, NULL), "w");
	assert_int_equal(loyal_keyset_count(a), 4);
	assert_int_equal(loyal_keyset_count(b), 3);
	assert_int_equal(loyal_keyset_merge(a, a, map), LOYAL_EINVAL);
	loyal_keyset_free(a);
	loyal_keyset_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_txn_return_reduces_spend_not_purchases),
		cmocka_unit_test(test_txn_return_only_customer_is_not_listed),
		cmocka_unit_test(test_txn_empty_customer_is_rejected),
		cmocka_unit_test(test_txn_same_day_purchases),
		cmocka_unit_test(test_txn_order_lines_are_one_occasion),
		cmocka_unit_test(test_txn_first_occasion_tie_is_first_added),
		cmocka_unit_test(test_txn_distinct_orders_never_merge),
		cmocka_unit_test(test_txn_customer_summary_fields),
		cmocka_unit_test(test_txn_money_is_exact),
		cmocka_unit_test(test_txn_spend_overflow_is_an_error),
		cmocka_unit_test(test_txn_repurchase_rate_and_gaps),
		cmocka_unit_test(test_txn_repurchase_median_even),
		cmocka_unit_test(test_txn_repurchase_within),
		cmocka_unit_test(test_txn_repurchase_by_group_and_cohort),
		cmocka_unit_test(test_txn_group_of_first_purchase),
		cmocka_unit_test(test_txn_period_retention),
		cmocka_unit_test(test_txn_period_retention_gap),
		cmocka_unit_test(test_txn_cohort_matrix),
		cmocka_unit_test(test_txn_inactive_churn),
		cmocka_unit_test(test_txn_merge_equals_one_pass),
		cmocka_unit_test(test_txn_partial_periods),
		cmocka_unit_test(test_txn_same_day_cancellation),
		cmocka_unit_test(test_txn_same_day_cancellation_days),
		cmocka_unit_test(test_txn_merge_cancellations),
		cmocka_unit_test(test_txn_finish_rules),
		cmocka_unit_test(test_txn_day_range_and_versions),
		cmocka_unit_test(test_keyset_bounds),
		cmocka_unit_test(test_txn_order_id_required),
		cmocka_unit_test(test_txn_empty),
		cmocka_unit_test(test_txn_customer_split),
		cmocka_unit_test(test_txn_parts_merge_to_whole),
		cmocka_unit_test(test_txn_order_ids_exact),
		cmocka_unit_test(test_txn_finish_threads),
		cmocka_unit_test(test_txn_prefix_table_full_merge),
		cmocka_unit_test(test_txn_map_groups),
		cmocka_unit_test(test_keyset_merge),
	};
	return loyal_test_status(cmocka_run_group_tests(tests, NULL, NULL));
}
