#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "loyal/date.h"
#include "loyal/errors.h"
#include "loyal/number.h"
#include "loyal/segment.h"
#include "loyal/tiers.h"
#include "loyal/txn.h"
#include "loyal/txn_window.h"
#include "helpers.h"

static int32_t day(const char *iso)
{
	loyal_datetime dt;
	assert_int_equal(loyal_date_parse(&dt, iso, strlen(iso), NULL), 0);
	return dt.days;
}

/* One row to both accumulators (either may be NULL). */
static void add(loyal_txn *t, loyal_txn_days *d, const char *cust, const char *order,
		const char *date, const char *amount)
{
	int64_t a;
	assert_int_equal(loyal_parse_decimal(&a, amount, strlen(amount), 0), 0);
	loyal_txn_row r = { cust, strlen(cust), order, strlen(order), day(date), a, 0 };
	if (t)
		assert_int_equal(loyal_txn_add(t, &r), 0);
	if (d)
		assert_int_equal(loyal_txn_days_add(d, &r), 0);
}

/*
 * Order occasions, as-of 2024-06-30:
 *   A  o1 2024-01-01 100; o2 2024-03-01 50; a return 2024-03-05 -20;
 *      o3 2024-06-01 30                     (3 purchases, spend 160)
 *   B  o4 2024-05-31 10 and a line of o4 on 2024-06-02 5
 *                                           (1 purchase on 05-31, spend 15)
 *   C  o5 2024-06-10 70
 *   D  a return only, 2024-02-01 -5         (not a customer)
 * Rows go to d1 or d2, merged into one later (a shard each).
 */
static void build(loyal_txn **t, loyal_txn_days **d)
{
	loyal_txn_options o = LOYAL_TXN_OPTIONS_INIT;
	loyal_txn_days *d2 = NULL;

	o.occasion = LOYAL_OCCASION_ORDER;
	assert_int_equal(loyal_txn_new(t, &o), 0);
	assert_int_equal(loyal_txn_days_new(d), 0);
	assert_int_equal(loyal_txn_days_new(&d2), 0);
	add(*t, *d, "A", "o1", "2024-01-01", "100");
	add(*t, d2, "D", "r1", "2024-02-01", "-5");
	add(*t, *d, "A", "o2", "2024-03-01", "50");
	add(*t, d2, "A", "r2", "2024-03-05", "-20");
	add(*t, *d, "B", "o4", "2024-05-31", "10");
	add(*t, d2, "A", "o3", "2024-06-01", "30");
	add(*t, *d, "B", "o4", "2024-06-02", "5");
	add(*t, d2, "C", "o5", "2024-06-10", "70");
	assert_int_equal(loyal_txn_days_merge(*d, d2), 0);
	loyal_txn_days_free(d2);
	assert_int_equal(loyal_txn_finish(*t, day("2024-06-30")), 0);
}

struct want {
	unsigned char present;
	uint64_t purchases;
	int64_t spend;        /* units */
	int32_t days_since_last;
};

static void check(const loyal_txn *t, const loyal_txn_days *d, const char *at, int32_t days,
		  const struct want w[3])
{
	loyal_txn_window *win = NULL;
	loyal_measures m = LOYAL_MEASURES_INIT;

	assert_int_equal(loyal_txn_window_new(&win, t, d, day(at), days), 0);
	assert_int_equal(loyal_txn_window_measures(&m, win), 0);
	assert_int_equal(m.n, 3);
	assert_int_equal(loyal_txn_window_day(win), day(at));
	assert_int_equal(loyal_txn_window_days(win), days);
	assert_null(m.value);
	for (size_t i = 0; i < 3; i++) {
		if (m.present[i] != w[i].present || m.purchases[i] != w[i].purchases ||
		    m.spend[i] != w[i].spend * 1000000 ||
		    m.days_since_last[i] != w[i].days_since_last)
			print_error("at %s, %d days, customer %zu: present %d purchases %llu "
				    "spend %lld days %d\n", at, days, i, m.present[i],
				    (unsigned long long)m.purchases[i], (long long)m.spend[i],
				    m.days_since_last[i]);
		assert_int_equal(m.present[i], w[i].present);
		assert_int_equal(m.purchases[i], w[i].purchases);
		assert_int_equal(m.spend[i], w[i].spend * 1000000);
		assert_int_equal(m.days_since_last[i], w[i].days_since_last);
	}
	loyal_txn_window_free(win);
}

static void test_txn_window_by_hand(void **state)
{
	loyal_txn *t = NULL;
	loyal_txn_days *d = NULL;
	(void)state;

	build(&t, &d);
	/* customers in first-added order: A, B, C (D is not one) */
	{
		/* at as-of, all history; without daily amounts too */
		const struct want w[3] = { { 1, 3, 160, 29 }, { 1, 1, 15, 30 }, { 1, 1, 70, 20 } };
		check(t, d, "2024-06-30", 0, w);
		check(t, NULL, "2024-06-30", 0, w);
	}
	{
		/* by 2024-03-31: only A, 2 purchases, 130 */
		const struct want w[3] = { { 1, 2, 130, 30 }, { 0, 0, 0, 0 }, { 0, 0, 0, 0 } };
		check(t, d, "2024-03-31", 0, w);
	}
	{
		/* the 30 days 06-01..06-30: B's order is dated 05-31 (its first
		 * line), its 06-02 line's 5 is spent in the window */
		const struct want w[3] = { { 1, 1, 30, 29 }, { 1, 0, 5, 30 }, { 1, 1, 70, 20 } };
		check(t, d, "2024-06-30", 30, w);
	}
	{
		/* 03-02..03-31: no purchase of A, its return of 03-05 */
		const struct want w[3] = { { 1, 0, -20, 30 }, { 0, 0, 0, 0 }, { 0, 0, 0, 0 } };
		check(t, d, "2024-03-31", 30, w);
	}
	{
		/* one day, 2024-03-01 */
		const struct want w[3] = { { 1, 1, 50, 0 }, { 0, 0, 0, 0 }, { 0, 0, 0, 0 } };
		check(t, d, "2024-03-01", 1, w);
	}
	{
		/* a window longer than the history is all of it */
		const struct want w[3] = { { 1, 3, 160, 29 }, { 1, 1, 15, 30 }, { 1, 1, 70, 20 } };
		check(t, d, "2024-06-30", 1000000, w);
	}
	loyal_txn_days_free(d);
	loyal_txn_free(t);
}

static void test_txn_window_refusals(void **state)
{
	loyal_txn *t = NULL, *open = NULL;
	loyal_txn_days *d = NULL, *other = NULL;
	loyal_txn_window *w = NULL;
	(void)state;

	build(&t, &d);
	/* spend before as-of needs the daily amounts */
	assert_int_equal(loyal_txn_window_new(&w, t, NULL, day("2024-03-31"), 0), LOYAL_EINVAL);
	assert_int_equal(loyal_txn_window_new(&w, t, NULL, day("2024-06-30"), 7), LOYAL_EINVAL);
	assert_int_equal(loyal_txn_window_new(&w, t, d, day("2024-07-01"), 0), LOYAL_EINVAL);
	assert_int_equal(loyal_txn_window_new(&w, t, d, day("2024-06-30"), -1), LOYAL_EINVAL);
	/* daily amounts of other rows */
	assert_int_equal(loyal_txn_days_new(&other), 0);
	add(NULL, other, "A", "o1", "2024-01-01", "100");
	add(NULL, other, "C", "o5", "2024-06-10", "70");
	assert_int_equal(loyal_txn_window_new(&w, t, other, day("2024-06-30"), 0), LOYAL_EINVAL);
	assert_non_null(strstr(loyal_error_last()->message, "customer 'A'"));
	/* an unfinished accumulator */
	assert_int_equal(loyal_txn_new(&open, NULL), 0);
	add(open, NULL, "A", "o1", "2024-01-01", "100");
	assert_int_equal(loyal_txn_window_new(&w, open, NULL, 0, 0), LOYAL_EINVAL);
	assert_null(w);
	/* bad rows */
	loyal_txn_row r = { "", 0, "o", 1, 0, 0, 0 };
	assert_int_equal(loyal_txn_days_add(other, &r), LOYAL_EINVAL);
	r.customer = "x";
	r.customer_len = 1;
	r.day = loyal_days_from_civil(10000, 1, 1);
	assert_int_equal(loyal_txn_days_add(other, &r), LOYAL_EINVAL);
	r.day = 0;
	r.amount = INT64_MAX;
	assert_int_equal(loyal_txn_days_add(other, &r), 0);
	assert_int_equal(loyal_txn_days_add(other, &r), LOYAL_ETOOBIG);
	assert_int_equal(loyal_txn_days_merge(other, other), LOYAL_EINVAL);
	loyal_txn_free(open);
	loyal_txn_days_free(other);
	loyal_txn_days_free(d);
	loyal_txn_free(t);
	loyal_txn_window_free(NULL);
	loyal_txn_days_free(NULL);
}

/*
 * From a loyal_txn to tiers on two days, the way `loyal tiers --members
 * ... --window 30 --compare 2024-03-31` will: rules
 * active: purchases >= 1; dormant:  (no condition)
 *   at 2024-03-31 (03-02..03-31): A dormant; B and C not customers yet
 *   at 2024-06-30 (06-01..06-30): A active, B dormant, C active
 * A upgraded, B and C new.
 */
static void test_txn_window_tiers_on_two_days(void **state)
{
	static const char text[] = "active: purchases >= 1; dormant:";
	loyal_txn *t = NULL;
	loyal_txn_days *d = NULL;
	loyal_txn_window *w0 = NULL, *w1 = NULL;
	loyal_tier_rules *r = NULL;
	loyal_tiers *t0 = NULL, *t1 = NULL;
	loyal_tier_migration *mg = NULL;
	loyal_measures m0 = LOYAL_MEASURES_INIT, m1 = LOYAL_MEASURES_INIT;
	(void)state;

	build(&t, &d);
	assert_int_equal(loyal_tier_rules_parse(&r, text, strlen(text), NULL), 0);
	assert_int_equal(loyal_txn_window_new(&w0, t, d, day("2024-03-31"), 30), 0);
	assert_int_equal(loyal_txn_window_new(&w1, t, d, day("2024-06-30"), 30), 0);
	loyal_txn_window_measures(&m0, w0);
	loyal_txn_window_measures(&m1, w1);
	assert_int_equal(loyal_tiers_by_rules(&t0, &m0, r), 0);
	assert_int_equal(loyal_tiers_by_rules(&t1, &m1, r), 0);
	assert_int_equal(loyal_tiers_tier_of(t0, 0), 1);
	assert_int_equal(loyal_tiers_tier_of(t0, 1), LOYAL_TIER_ABSENT);
	assert_int_equal(loyal_tiers_tier_of(t1, 1), 1);
	assert_int_equal(loyal_tier_migration_compute(&mg, t0, t1), 0);
	assert_int_equal(loyal_tier_migration_move(mg, 0), LOYAL_MOVE_UPGRADED);
	assert_int_equal(loyal_tier_migration_move(mg, 1), LOYAL_MOVE_NEW);
	assert_int_equal(loyal_tier_migration_move(mg, 2), LOYAL_MOVE_NEW);
	/* and RFM over the same measures: A (days 29), B (30), C (20) */
	loyal_rfm *rfm = NULL;
	loyal_rfm_options o = LOYAL_RFM_OPTIONS_INIT;
	static const char all[] = "segment,r,f,m\nall,*,*,*\n";
	loyal_rfm_segments *s = NULL;
	assert_int_equal(loyal_rfm_segments_parse(&s, all, strlen(all), NULL), 0);
	o.segments = s;
	o.bins = 3;
	assert_int_equal(loyal_rfm_compute(&rfm, &m1, &o), 0);
	/* R: days descending 30 (B), 29 (A), 20 (C): 1 + floor(3 * k / 3) = 1, 2, 3 */
	assert_int_equal(loyal_rfm_customer_at(rfm, 0)->r, 2);
	assert_int_equal(loyal_rfm_customer_at(rfm, 1)->r, 1);
	assert_int_equal(loyal_rfm_customer_at(rfm, 2)->r, 3);
	loyal_rfm_free(rfm);
	loyal_rfm_segments_free(s);
	loyal_tier_migration_free(mg);
	loyal_tiers_free(t0);
	loyal_tiers_free(t1);
	loyal_tier_rules_free(r);
	loyal_txn_window_free(w0);
	loyal_txn_window_free(w1);
	loyal_txn_days_free(d);
	loyal_txn_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_txn_window_by_hand),
		cmocka_unit_test(test_txn_window_refusals),
		cmocka_unit_test(test_txn_window_tiers_on_two_days),
	};
	return loyal_test_status(cmocka_run_group_tests(tests, NULL, NULL));
}
