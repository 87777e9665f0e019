#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers.h"
#include "loyal.h"

#define UNKNOWN LOYAL_COMPLAINTS_UNKNOWN

static void test_complaints_cells(void **state)
{
	loyal_complaints *c;
	loyal_complaints_cell k = LOYAL_COMPLAINTS_CELL_INIT;
	loyal_complaints_rates r = LOYAL_COMPLAINTS_RATES_INIT;
	(void)state;

	assert_int_equal(loyal_complaints_new(&c), 0);
	/* cell 0: customer 1 twice, customer 2 once, one unknown; 2 resolved */
	assert_int_equal(loyal_complaints_add(c, 0, 1, 1), 0);
	assert_int_equal(loyal_complaints_add(c, 0, 1, 0), 0);
	assert_int_equal(loyal_complaints_add(c, 0, 2, 1), 0);
	assert_int_equal(loyal_complaints_add(c, 0, UNKNOWN, 0), 0);
	/* cell 3: customer 1 once */
	assert_int_equal(loyal_complaints_add(c, 3, 1, 0), 0);
	assert_int_equal(loyal_complaints_cell_get(&k, c, 0), 0);
	assert_int_equal(k.complaints, 4);
	assert_int_equal(k.unknown, 1);
	assert_int_equal(k.customers, 2);
	assert_int_equal(k.repeat_customers, 1);
	assert_int_equal(k.resolved, 2);
	/* 8 active customers, 20 orders: 2/8, 4/20, 2/4 */
	assert_int_equal(loyal_complaints_rates_of(&r, &k, 8, 20), 0);
	assert_double_near(r.complaint_rate, 25.0, 1e-12);
	assert_double_near(r.complaints_per_100_orders, 20.0, 1e-12);
	assert_double_near(r.resolution_rate, 50.0, 1e-12);
	assert_int_equal(loyal_complaints_cell_get(&k, c, 3), 0);
	assert_int_equal(k.complaints, 1);
	assert_int_equal(k.customers, 1);
	assert_int_equal(k.repeat_customers, 0);
	/* a cell never added to, and rates with nothing to divide by */
	assert_int_equal(loyal_complaints_cell_get(&k, c, 2), 0);
	assert_int_equal(k.complaints, 0);
	assert_int_equal(loyal_complaints_rates_of(&r, &k, 0, 0), 0);
	assert_true(isnan(r.complaint_rate) && isnan(r.complaints_per_100_orders) &&
		    isnan(r.resolution_rate));
	assert_int_equal(loyal_complaints_of(c, 1), 3);
	assert_int_equal(loyal_complaints_of(c, 2), 1);
	assert_int_equal(loyal_complaints_of(c, 7), 0);
	assert_int_equal(loyal_complaints_add(c, UINT32_MAX, 1, 0), LOYAL_EINVAL);
	loyal_complaints_free(c);
	loyal_complaints_free(NULL);
}

static void add(loyal_txn *t, const char *cust, int m, int d)
{
	loyal_txn_row r = { cust, strlen(cust), NULL, 0, loyal_days_from_civil(2024, (unsigned)m,
									      (unsigned)d), 1000000, 0 };
	assert_int_equal(loyal_txn_add(t, &r), 0);
}

/* A buys on Jan 5 and Feb 14, B on Feb 10 and 12, C on Mar 1; as-of Mar 31.
 * Months: January 1 active customer (A) and 1 occasion; February 2 (A, B)
 * and 3; March 1 (C) and 1. */
static loyal_txn *three_customers(void)
{
	loyal_txn *t;

	assert_int_equal(loyal_txn_new(&t, NULL), 0);
	add(t, "A", 1, 5);
	add(t, "B", 2, 10);
	add(t, "A", 2, 14);
	add(t, "B", 2, 12);
	add(t, "C", 3, 1);
	assert_int_equal(loyal_txn_finish(t, loyal_days_from_civil(2024, 3, 31)), 0);
	return t;
}

static void test_complaints_activity(void **state)
{
	loyal_txn *t = three_customers();
	uint64_t *active, *orders;
	int64_t first;
	size_t n;
	(void)state;

	assert_int_equal(loyal_complaints_activity(&active, &orders, &first, &n, t,
						   LOYAL_PERIOD_MONTH), 0);
	assert_int_equal(n, 3);
	assert_int_equal(first, loyal_period_index(LOYAL_PERIOD_MONTH,
						   loyal_days_from_civil(2024, 1, 1)));
	assert_int_equal(active[0], 1);
	assert_int_equal(active[1], 2);
	assert_int_equal(active[2], 1);
	assert_int_equal(orders[0], 1);
	assert_int_equal(orders[1], 3);
	assert_int_equal(orders[2], 1);
	free(active);
	free(orders);
	assert_int_equal(loyal_complaints_activity(&active, &orders, &first, &n, t,
						   LOYAL_PERIOD_NONE), 0);
	assert_int_equal(n, 1);
	assert_int_equal(active[0], 3);
	assert_int_equal(orders[0], 5);
	free(active);
	free(orders);
	loyal_txn_free(t);
}

/* Inactive for more than 30 days at Mar 31: A (last Feb 14, 46 days) and
 * B (last Feb 12, 48 days); C's first purchase (Mar 1) is 30 days before
 * as-of: not eligible. With D (Jan 2 and Mar 30) added: eligible, active. */
static void test_complaints_churn(void **state)
{
	loyal_txn *t;
	loyal_complaints *c;
	loyal_complaints_churn_row rows[2] = { LOYAL_COMPLAINTS_CHURN_ROW_INIT,
					       LOYAL_COMPLAINTS_CHURN_ROW_INIT };
	loyal_ztest z = LOYAL_ZTEST_INIT;
	(void)state;

	assert_int_equal(loyal_txn_new(&t, NULL), 0);
	add(t, "A", 1, 5);
	add(t, "B", 2, 10);
	add(t, "A", 2, 14);
	add(t, "B", 2, 12);
	add(t, "C", 3, 1);
	add(t, "D", 1, 2);
	add(t, "D", 3, 30);
	assert_int_equal(loyal_txn_finish(t, loyal_days_from_civil(2024, 3, 31)), 0);
	assert_int_equal(loyal_complaints_new(&c), 0);
	/* A (customer 0) and C (customer 2) complained */
	assert_int_equal(loyal_complaints_add(c, 0, 0, 0), 0);
	assert_int_equal(loyal_complaints_add(c, 0, 2, 0), 0);
	assert_int_equal(loyal_complaints_add(c, 0, UNKNOWN, 0), 0);
	assert_int_equal(loyal_complaints_churn(rows, &z, c, t, 30), 0);
	assert_int_equal(rows[0].customers, 2);
	assert_int_equal(rows[0].eligible, 1);
	assert_int_equal(rows[0].inactive, 1);
	assert_double_near(rows[0].churn_rate, 100.0, 1e-12);
	assert_int_equal(rows[1].customers, 2);
	assert_int_equal(rows[1].eligible, 2);
	assert_int_equal(rows[1].inactive, 1);
	assert_double_near(rows[1].churn_rate, 50.0, 1e-12);
	/* 1/1 against 1/2: pooled 2/3, se = sqrt(2/9 x 1.5) = 0.57735, z = 0.5 / se */
	assert_double_near(z.difference, 50.0, 1e-12);
	assert_double_near(z.z, 0.8660254037844386, 1e-12);
	loyal_complaints_free(c);
	loyal_txn_free(t);
}

static void test_complaints_resolved_words(void **state)
{
	(void)state;
	assert_int_equal(loyal_complaints_parse_resolved("yes", 3), 1);
	assert_int_equal(loyal_complaints_parse_resolved(" Closed\t", 8), 1);
	assert_int_equal(loyal_complaints_parse_resolved("已解决", strlen("已解决")), 1);
	assert_int_equal(loyal_complaints_parse_resolved("FALSE", 5), 0);
	assert_int_equal(loyal_complaints_parse_resolved("处理中", strlen("处理中")), 0);
	assert_int_equal(loyal_complaints_parse_resolved("  ", 2), 0); /* blank: open */
	assert_int_equal(loyal_complaints_parse_resolved(NULL, 0), 0);
	assert_int_equal(loyal_complaints_parse_resolved("yess", 4), -1);
	assert_int_equal(loyal_complaints_parse_resolved("2", 1), -1);
	assert_string_equal(loyal_complaints_resolved_aliases()[0], "resolved");
}

/* Columns found by name, and each row as `loyal complaints` reads it. */
static void test_complaints_input_rows(void **state)
{
	const char *text = "日期,客户编号,处理状态,类别\n"
			   "2024-01-05,A,已解决,物流\n"   /* valid, resolved */
			   "2024-01-06,, ,物流\n"         /* valid: no customer id, open */
			   ",B,yes,质量\n"                /* date empty */
			   "2024-13-01,C,no,质量\n"       /* not a date */
			   "2024-02-01,D,maybe,质量\n";   /* not a flag */
	loyal_reader *r;
	loyal_complaints_layout l = LOYAL_COMPLAINTS_LAYOUT_INIT;
	loyal_complaints_row row = LOYAL_COMPLAINTS_ROW_INIT;
	(void)state;

	assert_int_equal(loyal_reader_open_buffer(&r, text, strlen(text), "c.csv", NULL), 0);
	assert_int_equal(loyal_reader_find_column(&l.date, r, "date", NULL,
						  loyal_role_aliases(LOYAL_ROLE_DATE)), 0);
	assert_int_equal(loyal_complaints_layout_resolve(&l, r, NULL), 0);
	assert_int_equal(l.customer, 1);
	assert_int_equal(l.resolved, 2);
	assert_int_equal(l.date, 0);

	assert_int_equal(loyal_reader_next(r), 0);
	assert_int_equal(loyal_complaints_row_read(&row, r, &l), 0);
	assert_int_equal(row.customer_len, 1);
	assert_memory_equal(row.customer, "A", 1);
	assert_int_equal(row.day, loyal_days_from_civil(2024, 1, 5));
	assert_int_equal(row.resolved, 1);
	assert_int_equal(row.bad_col, SIZE_MAX);

	assert_int_equal(loyal_reader_next(r), 0);
	assert_int_equal(loyal_complaints_row_read(&row, r, &l), 0);
	assert_int_equal(row.customer_len, 0);
	assert_int_equal(row.resolved, 0);

	assert_int_equal(loyal_reader_next(r), 0);
	assert_int_equal(loyal_complaints_row_read(&row, r, &l), 1);
	assert_int_equal(row.code, LOYAL_COMPLAINTS_BAD_DATE_EMPTY);
	assert_int_equal(row.bad_col, 0);
	assert_string_equal(row.reason, "date is empty");

	assert_int_equal(loyal_reader_next(r), 0);
	assert_int_equal(loyal_complaints_row_read(&row, r, &l), 1);
	assert_int_equal(row.code, LOYAL_COMPLAINTS_BAD_DATE);
	assert_int_equal(row.bad_col, 0);
	assert_true(strstr(row.reason, "2024-13-01") != NULL);

	assert_int_equal(loyal_reader_next(r), 0);
	assert_int_equal(loyal_complaints_row_read(&row, r, &l), 1);
	assert_int_equal(row.code, LOYAL_COMPLAINTS_BAD_RESOLVED);
	assert_int_equal(row.bad_col, 2);
	assert_true(strstr(row.reason, "resolved flag 'maybe'") == row.reason);
	assert_int_equal(loyal_reader_next(r), LOYAL_ITEROVER);
	loyal_reader_free(r);

	/* no resolved column: optional unless named; no customer column: the
	 * error says which */
	const char *bare = "date,customer\n2024-01-05,A\n";
	loyal_complaints_input_options o = LOYAL_COMPLAINTS_INPUT_OPTIONS_INIT;
	l = (loyal_complaints_layout)LOYAL_COMPLAINTS_LAYOUT_INIT;
	assert_int_equal(loyal_reader_open_buffer(&r, bare, strlen(bare), "b.csv", NULL), 0);
	assert_int_equal(loyal_complaints_layout_resolve(&l, r, &o), 0);
	assert_int_equal(l.customer, 1);
	assert_int_equal(l.resolved, SIZE_MAX);
	o.resolved_col = "status";
	assert_int_equal(loyal_complaints_layout_resolve(&l, r, &o), LOYAL_ECOLUMN);
	assert_int_equal(l.customer_failed, 0);
	o.resolved_col = NULL;
	o.customer_col = "member";
	assert_int_equal(loyal_complaints_layout_resolve(&l, r, &o), LOYAL_ECOLUMN);
	assert_int_equal(l.customer_failed, 1);
	l.version = 99;
	assert_int_equal(loyal_complaints_layout_resolve(&l, r, NULL), LOYAL_EINVAL);
	loyal_reader_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_complaints_cells),
		cmocka_unit_test(test_complaints_activity),
		cmocka_unit_test(test_complaints_churn),
		cmocka_unit_test(test_complaints_resolved_words),
		cmocka_unit_test(test_complaints_input_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
