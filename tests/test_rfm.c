#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "loyal/errors.h"
#include "loyal/segment.h"
#include "helpers.h"

/*
 * Ten customers of one group, worked out by hand with
 * score = 1 + floor(5 (rank_min - 1) / 10):
 *
 *      days  purch  spend   R rank_min  F rank_min  M rank_min   R F M  segment
 *  c0     0      5    100       9           9           8        5 5 4  Champions
 *  c1     0      1     20       9           1           4        5 1 2  Potential Loyalist
 *  c2     3      2     20       8           6           4        4 3 2  Potential Loyalist
 *  c3    10      1     50       5           1           6        3 1 3  Potential Loyalist
 *  c4    10      1      5       5           1           3        3 1 2  Potential Loyalist
 *  c5    40      3    300       4           8           9        2 4 5  Loyal Customers
 *  c6   100      1      0       3           1           2        2 1 1  About To Sleep
 *  c7   200      8   1000       2          10          10        1 5 5  At Risk
 *  c8   365      1    -10       1           1           1        1 1 1  Lost
 *  c9    10      2     50       5           6           6        3 3 3  Loyal Customers
 *
 * R ranks sort days descending (365 first); ties share the first position
 * of their value (days 10: positions 5-7, rank_min 5; 0: 9-10, rank_min 9).
 */
static const int32_t days10[10] = { 0, 0, 3, 10, 10, 40, 100, 200, 365, 10 };
static const uint64_t purch10[10] = { 5, 1, 2, 1, 1, 3, 1, 8, 1, 2 };
static const int64_t spend10[10] = { 100000000, 20000000, 20000000, 50000000, 5000000,
				     300000000, 0, 1000000000, -10000000, 50000000 };

static loyal_measures measures10(void)
{
	loyal_measures m = LOYAL_MEASURES_INIT;
	m.n = 10;
	m.days_since_last = days10;
	m.purchases = purch10;
	m.spend = spend10;
	return m;
}

static const char *segment_of(const loyal_rfm *r, size_t i)
{
	return loyal_rfm_segment_name(r, (size_t)loyal_rfm_customer_at(r, i)->segment);
}

static void test_rfm_scores_by_hand(void **state)
{
	static const char *const codes[10] = { "554", "512", "432", "313", "312",
					       "245", "211", "155", "111", "333" };
	static const uint32_t rank_r[10] = { 9, 9, 8, 5, 5, 4, 3, 2, 1, 5 };
	static const char *const segs[10] = {
		"Champions", "Potential Loyalist", "Potential Loyalist", "Potential Loyalist",
		"Potential Loyalist", "Loyal Customers", "About To Sleep", "At Risk", "Lost",
		"Loyal Customers" };
	loyal_measures m = measures10();
	loyal_rfm *r = NULL;
	char code[16];
	(void)state;

	assert_int_equal(loyal_rfm_compute(&r, &m, NULL), 0);
	assert_int_equal(loyal_rfm_count(r), 10);
	assert_int_equal(loyal_rfm_bins(r), 5);
	for (size_t i = 0; i < 10; i++) {
		const loyal_rfm_customer *c = loyal_rfm_customer_at(r, i);
		loyal_rfm_code(code, sizeof(code), r, i);
		assert_string_equal(code, codes[i]);
		assert_int_equal(c->rank_r, rank_r[i]);
		assert_int_equal(c->group_size, 10);
		assert_true(c->present);
		assert_string_equal(segment_of(r, i), segs[i]);
	}
	assert_null(loyal_rfm_customer_at(r, 10));
	/* the default table and "Others" */
	assert_int_equal(loyal_rfm_segment_count(r), 11);
	assert_string_equal(loyal_rfm_segment_name(r, 10), "Others");
	assert_null(loyal_rfm_segment_name(r, 11));
	loyal_rfm_free(r);
}

/* Summary of the ten: spend in all 1535. Potential Loyalist: c1-c4,
 * spend 95 (6.1889%), mean days (0 + 3 + 10 + 10) / 4 = 5.75, mean
 * purchases 5 / 4, mean spend 23.75. Loyal Customers: c5, c9: spend 350,
 * days 25, purchases 2.5. Segments without customers: 0 and NaN means. */
static void test_rfm_summary_by_hand(void **state)
{
	loyal_measures m = measures10();
	loyal_rfm *r = NULL;
	const loyal_rfm_summary_row *x;
	uint64_t all = 0;
	(void)state;

	assert_int_equal(loyal_rfm_compute(&r, &m, NULL), 0);
	assert_int_equal(loyal_rfm_summary_count(r), 11);
	for (size_t k = 0; k < 11; k++) {
		x = loyal_rfm_summary_at(r, k);
		assert_int_equal(x->segment, k);
		all += x->customers;
	}
	assert_int_equal(all, 10);
	x = loyal_rfm_summary_at(r, 2); /* Potential Loyalist */
	assert_int_equal(x->customers, 4);
	assert_double_near(x->customers_pct, 40, 1e-12);
	assert_double_near(x->spend, 95, 1e-9);
	assert_double_near(x->spend_pct, 100.0 * 95 / 1535, 1e-9);
	assert_double_near(x->mean_days_since_last, 5.75, 1e-12);
	assert_double_near(x->mean_purchases, 1.25, 1e-12);
	assert_double_near(x->mean_spend, 23.75, 1e-9);
	x = loyal_rfm_summary_at(r, 1); /* Loyal Customers */
	assert_int_equal(x->customers, 2);
	assert_double_near(x->spend, 350, 1e-9);
	assert_double_near(x->mean_days_since_last, 25, 1e-12);
	assert_double_near(x->mean_purchases, 2.5, 1e-12);
	x = loyal_rfm_summary_at(r, 9); /* Lost: c8 alone, a negative spend */
	assert_double_near(x->spend, -10, 1e-9);
	assert_double_near(x->spend_pct, -100.0 * 10 / 1535, 1e-9);
	x = loyal_rfm_summary_at(r, 3); /* New Customers: nobody */
	assert_int_equal(x->customers, 0);
	assert_double_near(x->customers_pct, 0, 0);
	assert_double_near(x->spend, 0, 0);
	assert_true(isnan(x->mean_spend) && isnan(x->mean_purchases) &&
		    isnan(x->mean_days_since_last));
	x = loyal_rfm_summary_at(r, 10); /* Others */
	assert_int_equal(x->customers, 0);
	assert_null(loyal_rfm_summary_at(r, 11));
	loyal_rfm_free(r);
}

/* R's first-match rule on the default table, read directly: (3,4,1)
 * matches no row; (5,1,1) is a Potential Loyalist (3-5, 1-3, 1-3) before
 * the New Customers row can match; (1,5,5) is At Risk before Can't Lose
 * Them. */
static void test_rfm_default_table_first_match(void **state)
{
	loyal_rfm_segments *s = NULL;
	unsigned lo[3], hi[3];
	(void)state;

	assert_int_equal(loyal_rfm_segments_default(&s), 0);
	assert_int_equal(loyal_rfm_segments_count(s), 10);
	assert_int_equal(loyal_rfm_segments_match(s, 3, 4, 1), 10);
	assert_string_equal(loyal_rfm_segments_name(s, 10), "Others");
	assert_string_equal(loyal_rfm_segments_name(s, loyal_rfm_segments_match(s, 5, 1, 1)),
			    "Potential Loyalist");
	assert_string_equal(loyal_rfm_segments_name(s, loyal_rfm_segments_match(s, 1, 5, 5)),
			    "At Risk");
	assert_string_equal(loyal_rfm_segments_name(s, loyal_rfm_segments_match(s, 5, 5, 5)),
			    "Champions");
	assert_string_equal(loyal_rfm_segments_name(s, loyal_rfm_segments_match(s, 2, 2, 2)),
			    "Need Attention");
	assert_int_equal(loyal_rfm_segments_ranges(s, 8, lo, hi), 0); /* Can't Lose Them */
	assert_string_equal(loyal_rfm_segments_name(s, 8), "Can't Lose Them");
	assert_true(lo[0] == 1 && hi[0] == 1 && lo[1] == 4 && hi[1] == 5 && lo[2] == 4 && hi[2] == 5);
	/*
	 * Score cells each row receives, counted by hand over the 125:
	 * Champions 2*2*2 = 8; Loyal Customers 4*3*3 = 36 less its 8 cells in
	 * Champions = 28; Potential Loyalist 3*3*3 = 27 less (R 3-5, F 3, M 3)
	 * already Loyal = 3: 24; New Customers and Promising lie inside it: 0;
	 * Need Attention 2*2*2 = 8 less (R 2-3, F 3, M 3) Loyal 2, less
	 * (R 3, F 2-3, M 2-3) Potential Loyalist 4 less the (3,3,3) counted
	 * twice: 8 - 2 - 4 + 1 = 3; About To Sleep (R 2-3, F 1-2, M 1-2) 8 less
	 * R 3's 4 in Potential Loyalist, less (2,2,2) in Need Attention: 3;
	 * At Risk (R 1-2, F 2-5, M 2-5) 32 less R 2 with F 3-5 M 3-5 (Loyal, 9)
	 * less (2,2,2), (2,2,3), (2,3,2) (Need Attention) = 20; Can't Lose Them
	 * (R 1, F 4-5, M 4-5) inside At Risk: 0; Lost (R 1-2, F 1-2, M 1-2) 8
	 * less (2,2,2) of Need Attention, (2,1,1), (2,1,2), (2,2,1) of About
	 * To Sleep and (1,2,2) of At Risk = 3;
	 * Others: 125 - 8 - 28 - 24 - 3 - 3 - 20 - 3 = 36.
	 */
	static const uint64_t cells[11] = { 8, 28, 24, 0, 0, 3, 3, 20, 0, 3, 36 };
	for (size_t k = 0; k <= 10; k++) {
		uint64_t n;
		assert_int_equal(loyal_rfm_segments_cells(&n, s, 5, k), 0);
		if (n != cells[k])
			print_error("%s: %llu cells\n", loyal_rfm_segments_name(s, k),
				    (unsigned long long)n);
		assert_int_equal(n, cells[k]);
	}
	uint64_t n;
	assert_int_equal(loyal_rfm_segments_cells(&n, s, 5, 11), LOYAL_EINVAL);
	loyal_rfm_segments_free(s);
}

/*
 * Scores within groups, the groups interleaved in the input:
 *   group 7 (n = 2): days 5, 1 -> R 1, 1 + floor(5 * 1 / 2) = 3;
 *                    purchases 1, 2 -> F 1, 3; spend 10, 20 -> M 1, 3
 *   group 3 (n = 3): days 0, 0, 7 -> R 2, 2, 1 (rank_min 2, 2, 1);
 *                    purchases all 4 -> F 1; spend 1, 2, 3 -> M 1, 2, 4
 * A customer not present takes no part and gets no score.
 */
static void test_rfm_within_groups(void **state)
{
	static const uint32_t group[6] = { 7, 3, 3, 7, 3, 3 };
	static const unsigned char present[6] = { 1, 1, 1, 1, 1, 0 };
	static const int32_t days[6] = { 5, 0, 0, 1, 7, 0 };
	static const uint64_t purch[6] = { 1, 4, 4, 2, 4, 9 };
	static const int64_t spend[6] = { 10, 1, 2, 20, 3, 99 };
	static const unsigned want[5][3] = { { 1, 1, 1 }, { 2, 1, 1 }, { 2, 1, 2 },
					     { 3, 3, 3 }, { 1, 1, 4 } };
	loyal_measures m = LOYAL_MEASURES_INIT;
	loyal_rfm *r = NULL;
	(void)state;

	m.n = 6;
	m.group = group;
	m.present = present;
	m.days_since_last = days;
	m.purchases = purch;
	m.spend = spend;
	assert_int_equal(loyal_rfm_compute(&r, &m, NULL), 0);
	for (size_t i = 0; i < 5; i++) {
		const loyal_rfm_customer *c = loyal_rfm_customer_at(r, i);
		assert_int_equal(c->r, want[i][0]);
		assert_int_equal(c->f, want[i][1]);
		assert_int_equal(c->m, want[i][2]);
		assert_int_equal(c->group, group[i]);
		assert_int_equal(c->group_size, group[i] == 7 ? 2 : 3);
	}
	const loyal_rfm_customer *c = loyal_rfm_customer_at(r, 5);
	assert_false(c->present);
	assert_int_equal(c->r, 0);
	assert_int_equal(c->segment, -1);
	/* summary: groups ascending (3 then 7), all segments of each */
	assert_int_equal(loyal_rfm_summary_count(r), 22);
	assert_int_equal(loyal_rfm_summary_at(r, 0)->group, 3);
	assert_int_equal(loyal_rfm_summary_at(r, 11)->group, 7);
	uint64_t n3 = 0;
	for (size_t k = 0; k < 11; k++)
		n3 += loyal_rfm_summary_at(r, k)->customers;
	assert_int_equal(n3, 3);
	loyal_rfm_free(r);
}

/* K = 3 on the ten: R = 1 + floor(3 (rank_min - 1) / 10): rank_min 1-4 -> 1,
 * 5 -> 2, 8 and 9 -> 3. The default table is for 5 bins only. */
static void test_rfm_bins(void **state)
{
	static const char table[] = "segment,r,f,m\nTop,3,*,*\nRest,*,*,*\n";
	static const unsigned want_r[10] = { 3, 3, 3, 2, 2, 1, 1, 1, 1, 2 };
	loyal_measures m = measures10();
	loyal_rfm_options o = LOYAL_RFM_OPTIONS_INIT;
	loyal_rfm_segments *s = NULL;
	loyal_rfm *r = NULL;
	char code[16];
	(void)state;

	o.bins = 3;
	assert_int_equal(loyal_rfm_compute(&r, &m, &o), LOYAL_EINVAL);
	assert_non_null(strstr(loyal_error_last()->message, "default segment table"));
	assert_int_equal(loyal_rfm_segments_parse(&s, table, strlen(table), "t.csv"), 0);
	o.segments = s;
	assert_int_equal(loyal_rfm_compute(&r, &m, &o), 0);
	for (size_t i = 0; i < 10; i++) {
		assert_int_equal(loyal_rfm_customer_at(r, i)->r, want_r[i]);
		assert_string_equal(segment_of(r, i), want_r[i] == 3 ? "Top" : "Rest");
	}
	/* the last row matches everyone: no "Others" */
	assert_int_equal(loyal_rfm_segment_count(r), 2);
	assert_int_equal(loyal_rfm_summary_count(r), 2);
	loyal_rfm_free(r);
	/* the same table with 10 bins: Top is R = 3 of 10 now */
	o.bins = 10;
	assert_int_equal(loyal_rfm_compute(&r, &m, &o), 0);
	assert_string_equal(segment_of(r, 4), "Rest"); /* c4: R 1 + floor(40 / 10) = 5 */
	loyal_rfm_free(r);
	loyal_rfm_segments_free(s);
	/* more than 9 bins: the code is joined by '-' */
	static const char wide[] = "segment,r,f,m\nAll,*,*,*\n";
	assert_int_equal(loyal_rfm_segments_parse(&s, wide, strlen(wide), NULL), 0);
	o.segments = s;
	assert_int_equal(loyal_rfm_compute(&r, &m, &o), 0);
	/* c7: R rank_min 2 -> 1 + floor(10 / 10) = 2; F 10 -> 10; M 10 -> 10 */
	loyal_rfm_code(code, sizeof(code), r, 7);
	assert_string_equal(code, "2-10-10");
	loyal_rfm_free(r);
	o.bins = 0;
	assert_int_equal(loyal_rfm_compute(&r, &m, &o), LOYAL_EINVAL);
	o.bins = 101;
	assert_int_equal(loyal_rfm_compute(&r, &m, &o), LOYAL_EINVAL);
	loyal_rfm_segments_free(s);
}

/* A team's own table, names in Chinese, the last row naming the rest. */
static void test_rfm_user_table(void **state)
{
	static const char table[] =
		"\xef\xbb\xbfSegment,R,F,M,备注\n"
		"高价值客户,4-5,4-5,4-5,best\n"
		"\"重要挽留客户\", 1 - 2 ,4-5,*,\n"
		"一般客户,*,*,*,\n";
	loyal_measures m = measures10();
	loyal_rfm_options o = LOYAL_RFM_OPTIONS_INIT;
	loyal_rfm_segments *s = NULL;
	loyal_rfm *r = NULL;
	(void)state;

	assert_int_equal(loyal_rfm_segments_parse(&s, table, strlen(table), "segs.csv"), 0);
	assert_int_equal(loyal_rfm_segments_count(s), 3);
	assert_string_equal(loyal_rfm_segments_name(s, 1), "重要挽留客户");
	o.segments = s;
	assert_int_equal(loyal_rfm_compute(&r, &m, &o), 0);
	loyal_rfm_segments_free(s); /* the result keeps its own names */
	assert_string_equal(segment_of(r, 0), "高价值客户");  /* 554 */
	assert_string_equal(segment_of(r, 7), "重要挽留客户"); /* 155 */
	assert_string_equal(segment_of(r, 5), "重要挽留客户"); /* 245 */
	assert_string_equal(segment_of(r, 9), "一般客户");    /* 333 */
	assert_int_equal(loyal_rfm_segment_count(r), 3);
	loyal_rfm_free(r);
}

static void expect_error(const char *text, int code, uint64_t line, uint64_t col,
			 const char *words)
{
	loyal_rfm_segments *s = NULL;
	int rc = loyal_rfm_segments_parse(&s, text, strlen(text), "segs.csv");
	const loyal_error_info *e = loyal_error_last();

	if (rc != code || !e || e->line != line || e->column != col ||
	    !strstr(e->message, words))
		print_error("for %s: got %d '%s' at %llu:%llu\n", text, rc, e ? e->message : "",
			    e ? (unsigned long long)e->line : 0, e ? (unsigned long long)e->column : 0);
	assert_int_equal(rc, code);
	assert_int_equal(e->line, line);
	assert_int_equal(e->column, col);
	assert_non_null(strstr(e->message, words));
	assert_null(s);
}

static void test_rfm_table_errors_are_located(void **state)
{
	(void)state;
	expect_error("segment,r,f,m\nA,4-5,4-5,x\n", LOYAL_EINVAL, 2, 4, "M range 'x'");
	expect_error("segment,r,f,m\nA,4-5,4-5,0\n", LOYAL_EINVAL, 2, 4, "is not N, N-M or *");
	expect_error("segment,r,f,m\nA,1,2,3\n\nB,5-4,1,1\n", LOYAL_EINVAL, 4, 2,
		     "R range '5-4' is empty");
	expect_error("segment,r,f,m\nA,1,2,3\nA,1,1,1\n", LOYAL_EINVAL, 3, 1, "named twice");
	expect_error("segment,r,f,m\n ,1,2,3\n", LOYAL_EINVAL, 2, 1, "empty segment name");
	expect_error("segment,r,f,m\nOthers,1,2,3\n", LOYAL_EINVAL, 2, 1, "'Others' names");
	expect_error("segment,r,f,m\nAll,*,*,*\nB,1,1,1\n", LOYAL_EINVAL, 3, 1, "never match");
	expect_error("segment,r,f,m\n\"A\nB\",1,1,1\n", LOYAL_EINVAL, 2, 1, "control character");
	expect_error("segment,r,f,m\n", LOYAL_EINVAL, 0, 0, "no segment rows");
	expect_error("segment,r,f\nA,1,1\n", LOYAL_ECOLUMN, 0, 0, "M score");
	expect_error("segment,r,f,m\nA,1,1\n", LOYAL_ECSV, 2, 4, "3 fields");
}

/* Ranges are checked against the bins when the table is used, located at
 * the range. */
static void test_rfm_table_above_bins(void **state)
{
	static const char table[] = "segment,r,f,m\nA,1,2,3\nB,1-3,1-7,*\n";
	loyal_measures m = measures10();
	loyal_rfm_options o = LOYAL_RFM_OPTIONS_INIT;
	loyal_rfm_segments *s = NULL;
	loyal_rfm *r = NULL;
	(void)state;

	assert_int_equal(loyal_rfm_segments_parse(&s, table, strlen(table), "segs.csv"), 0);
	o.segments = s;
	assert_int_equal(loyal_rfm_compute(&r, &m, &o), LOYAL_EINVAL);
	assert_int_equal(loyal_error_last()->line, 3);
	assert_int_equal(loyal_error_last()->column, 3);
	assert_string_equal(loyal_error_last()->message,
			    "segs.csv:3:3: F range of segment 'B' goes above 5, the number of bins");
	o.bins = 7;
	assert_int_equal(loyal_rfm_compute(&r, &m, &o), 0);
	loyal_rfm_free(r);
	/* with 3 bins B matches everyone: nothing after it, no Others */
	o.bins = 3;
	loyal_rfm_segments_free(s);
	static const char t2[] = "segment,r,f,m\nB,1-3,*,1-3\nC,1,1,1\n";
	assert_int_equal(loyal_rfm_segments_parse(&s, t2, strlen(t2), "segs.csv"), 0);
	o.segments = s;
	assert_int_equal(loyal_rfm_compute(&r, &m, &o), LOYAL_EINVAL);
	assert_int_equal(loyal_error_last()->line, 3);
	assert_non_null(strstr(loyal_error_last()->message, "'C' can never match"));
	loyal_rfm_segments_free(s);
}

static void test_rfm_bad_input(void **state)
{
	loyal_measures m = measures10();
	loyal_rfm *r = NULL;
	int32_t neg[10];
	(void)state;

	memcpy(neg, days10, sizeof(neg));
	neg[3] = -1;
	m.days_since_last = neg;
	assert_int_equal(loyal_rfm_compute(&r, &m, NULL), LOYAL_EINVAL);
	m = measures10();
	m.spend = NULL;
	assert_int_equal(loyal_rfm_compute(&r, &m, NULL), LOYAL_EINVAL);
	m = measures10();
	m.version = 2;
	assert_int_equal(loyal_rfm_compute(&r, &m, NULL), LOYAL_EINVAL);
	assert_null(r);
	/* no customers: an empty result, not an error */
	m = measures10();
	m.n = 0;
	assert_int_equal(loyal_rfm_compute(&r, &m, NULL), 0);
	assert_int_equal(loyal_rfm_count(r), 0);
	assert_int_equal(loyal_rfm_summary_count(r), 0);
	loyal_rfm_free(r);
	loyal_rfm_free(NULL);
	loyal_rfm_segments_free(NULL);
}

/* One customer per distinct value and n a multiple of K: each score holds
 * exactly n / K customers (quintiles). */
static void test_rfm_quintiles(void **state)
{
	enum { N = 1000 };
	static int32_t days[N];
	static uint64_t purch[N];
	static int64_t spend[N];
	loyal_measures m = LOYAL_MEASURES_INIT;
	loyal_rfm *r = NULL;
	unsigned count[3][6] = { { 0 } };
	(void)state;

	for (int i = 0; i < N; i++) {
		days[i] = (i * 7919) % N;          /* a permutation of 0..999 */
		purch[i] = (uint64_t)((i * 104729) % N);
		spend[i] = (int64_t)((i * 1299709) % N) - 500;
	}
	m.n = N;
	m.days_since_last = days;
	m.purchases = purch;
	m.spend = spend;
	assert_int_equal(loyal_rfm_compute(&r, &m, NULL), 0);
	for (int i = 0; i < N; i++) {
		const loyal_rfm_customer *c = loyal_rfm_customer_at(r, (size_t)i);
		count[0][c->r]++;
		count[1][c->f]++;
		count[2][c->m]++;
		/* the most recent fifth (days 0-199) get R = 5 */
		assert_int_equal(c->r, 5 - (unsigned)days[i] / 200);
	}
	for (int k = 0; k < 3; k++)
		for (int s = 1; s <= 5; s++)
			assert_int_equal(count[k][s], N / 5);
	loyal_rfm_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfm_scores_by_hand),
		cmocka_unit_test(test_rfm_summary_by_hand),
		cmocka_unit_test(test_rfm_default_table_first_match),
		cmocka_unit_test(test_rfm_within_groups),
		cmocka_unit_test(test_rfm_bins),
		cmocka_unit_test(test_rfm_user_table),
		cmocka_unit_test(test_rfm_table_errors_are_located),
		cmocka_unit_test(test_rfm_table_above_bins),
		cmocka_unit_test(test_rfm_bad_input),
		cmocka_unit_test(test_rfm_quintiles),
	};
	return loyal_test_status(cmocka_run_group_tests(tests, NULL, NULL));
}
