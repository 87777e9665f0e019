#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <math.h>
#include <cmocka.h>

#include "loyal/errors.h"
#include "loyal/segment.h"
#include "loyal/tiers.h"
#include "helpers.h"

#define U 1000000 /* micro-units per unit */

static loyal_measures spend_only(size_t n, const int64_t *spend)
{
	loyal_measures m = LOYAL_MEASURES_INIT;
	m.n = n;
	m.spend = spend;
	return m;
}

/*
 * Ten customers spending 1..10 (shuffled). Ascending, spend k has
 * rank_min k, so q = (k - 1) / 10: high when q >= 0.8 (spend 9, 10), mid
 * when q >= 0.5 (6, 7, 8), low otherwise (1-5). Spend 55 in all: high 19
 * (34.545%), mid 21 (38.182%), low 15 (27.273%).
 */
static void test_tiers_value_by_hand(void **state)
{
	static const int64_t spend[10] = { 3 * U, 9 * U, 1 * U, 10 * U, 6 * U,
					   2 * U, 8 * U, 5 * U, 4 * U, 7 * U };
	static const int want[10] = { 2, 0, 2, 0, 1, 2, 1, 2, 2, 1 };
	static const uint64_t purch[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	loyal_measures m = spend_only(10, spend);
	loyal_tiers *t = NULL;
	const loyal_tiers_summary_row *x;
	(void)state;

	m.purchases = purch;
	assert_int_equal(loyal_tiers_by_value(&t, &m, NULL), 0);
	assert_int_equal(loyal_tiers_count(t), 10);
	assert_int_equal(loyal_tiers_tier_count(t), 3);
	assert_string_equal(loyal_tiers_tier_name(t, 0), "high");
	assert_string_equal(loyal_tiers_tier_name(t, 1), "mid");
	assert_string_equal(loyal_tiers_tier_name(t, 2), "low");
	assert_null(loyal_tiers_tier_name(t, 3));
	assert_null(loyal_tiers_tier_name(t, LOYAL_TIER_NONE));
	assert_false(loyal_tiers_can_miss(t));
	for (size_t i = 0; i < 10; i++)
		assert_int_equal(loyal_tiers_tier_of(t, i), want[i]);
	assert_int_equal(loyal_tiers_tier_of(t, 10), LOYAL_TIER_ABSENT);
	assert_int_equal(loyal_tiers_summary_count(t), 3);
	x = loyal_tiers_summary_at(t, 0);
	assert_int_equal(x->tier, 0);
	assert_int_equal(x->customers, 2);
	assert_double_near(x->customers_pct, 20, 1e-12);
	assert_double_near(x->spend, 19, 1e-12);
	assert_double_near(x->spend_pct, 100.0 * 19 / 55, 1e-12);
	assert_double_near(x->value, 19, 1e-12);
	assert_double_near(x->value_pct, 100.0 * 19 / 55, 1e-12);
	assert_double_near(x->min_value, 9, 0);
	assert_double_near(x->max_value, 10, 0);
	assert_double_near(x->mean_spend, 9.5, 1e-12);
	assert_double_near(x->mean_purchases, (2 + 4) / 2.0, 1e-12); /* customers 1 and 3 */
	x = loyal_tiers_summary_at(t, 1);
	assert_int_equal(x->customers, 3);
	assert_double_near(x->spend_pct, 100.0 * 21 / 55, 1e-12);
	x = loyal_tiers_summary_at(t, 2);
	assert_int_equal(x->customers, 5);
	assert_double_near(x->spend, 15, 1e-12);
	assert_double_near(x->min_value, 1, 0);
	assert_double_near(x->max_value, 5, 0);
	assert_null(loyal_tiers_summary_at(t, 3));
	loyal_tiers_free(t);
}

/*
 * Ties: spend 1..7 then three customers at 8. The 8s start at position 8
 * (q = 0.7): all three are mid, and the high tier is empty, rather than
 * holding 30% of the customers. Seven customers 1..7: high is q >= 0.8,
 * position 7 only (1 of 7: floor(20% of 7)); mid q >= 0.5: positions 5, 6.
 */
static void test_tiers_value_ties_fall_to_the_lower_tier(void **state)
{
	static const int64_t spend[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 8, 8 };
	loyal_measures m = spend_only(10, spend);
	loyal_tiers *t = NULL;
	(void)state;

	assert_int_equal(loyal_tiers_by_value(&t, &m, NULL), 0);
	for (size_t i = 7; i < 10; i++)
		assert_int_equal(loyal_tiers_tier_of(t, i), 1);
	assert_int_equal(loyal_tiers_summary_at(t, 0)->customers, 0);
	assert_true(isnan(loyal_tiers_summary_at(t, 0)->mean_spend));
	assert_true(isnan(loyal_tiers_summary_at(t, 0)->min_value));
	assert_double_near(loyal_tiers_summary_at(t, 0)->spend_pct, 0, 0);
	assert_int_equal(loyal_tiers_summary_at(t, 1)->customers, 5); /* 6, 7, 8, 8, 8 */
	/* mean_purchases without purchases: not computable */
	assert_true(isnan(loyal_tiers_summary_at(t, 1)->mean_purchases));
	loyal_tiers_free(t);

	m.n = 7;
	assert_int_equal(loyal_tiers_by_value(&t, &m, NULL), 0);
	assert_int_equal(loyal_tiers_tier_of(t, 6), 0);
	assert_int_equal(loyal_tiers_tier_of(t, 5), 1);
	assert_int_equal(loyal_tiers_tier_of(t, 4), 1);
	assert_int_equal(loyal_tiers_tier_of(t, 3), 2);
	loyal_tiers_free(t);
}

/* --split 10,20 on ten distinct: high q >= 0.9 (1), mid q >= 0.7 (2).
 * 0,0: everyone low; 100,0: everyone high; 12.5,0 on 8: position 8 only. */
static void test_tiers_value_split(void **state)
{
	static const int64_t spend[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	loyal_measures m = spend_only(10, spend);
	loyal_value_tier_options o = LOYAL_VALUE_TIER_OPTIONS_INIT;
	loyal_tiers *t = NULL;
	(void)state;

	o.high_pct = 10;
	o.mid_pct = 20;
	assert_int_equal(loyal_tiers_by_value(&t, &m, &o), 0);
	assert_int_equal(loyal_tiers_summary_at(t, 0)->customers, 1);
	assert_int_equal(loyal_tiers_summary_at(t, 1)->customers, 2);
	assert_int_equal(loyal_tiers_summary_at(t, 2)->customers, 7);
	loyal_tiers_free(t);
	o.high_pct = 0;
	o.mid_pct = 0;
	assert_int_equal(loyal_tiers_by_value(&t, &m, &o), 0);
	assert_int_equal(loyal_tiers_summary_at(t, 2)->customers, 10);
	loyal_tiers_free(t);
	o.high_pct = 100;
	assert_int_equal(loyal_tiers_by_value(&t, &m, &o), 0);
	assert_int_equal(loyal_tiers_summary_at(t, 0)->customers, 10);
	loyal_tiers_free(t);
	o.high_pct = 12.5;
	m.n = 8;
	assert_int_equal(loyal_tiers_by_value(&t, &m, &o), 0);
	assert_int_equal(loyal_tiers_summary_at(t, 0)->customers, 1);
	loyal_tiers_free(t);
	t = NULL;
	o.high_pct = 60;
	o.mid_pct = 50;
	assert_int_equal(loyal_tiers_by_value(&t, &m, &o), LOYAL_EINVAL);
	o.high_pct = -1;
	o.mid_pct = 0;
	assert_int_equal(loyal_tiers_by_value(&t, &m, &o), LOYAL_EINVAL);
	o.high_pct = NAN;
	assert_int_equal(loyal_tiers_by_value(&t, &m, &o), LOYAL_EINVAL);
	o.high_pct = 20;
	o.version = 2;
	assert_int_equal(loyal_tiers_by_value(&t, &m, &o), LOYAL_EINVAL);
	assert_null(t);
}

/* By a caller's value (a CLV): -0 and +0 are one value; values 0, 0, 1.5,
 * 1.5, 3: q = 0, 0, 0.4, 0.4, 0.8: only the 3 is high. Value 6 in all,
 * high 50%. The spend columns stay net spend. A NaN value is refused. */
static void test_tiers_value_by_clv(void **state)
{
	static const int64_t spend[5] = { 5 * U, 4 * U, 3 * U, 2 * U, 1 * U };
	double value[5] = { -0.0, 0.0, 1.5, 1.5, 3 };
	loyal_measures m = spend_only(5, spend);
	loyal_tiers *t = NULL;
	const loyal_tiers_summary_row *x;
	(void)state;

	m.value = value;
	assert_int_equal(loyal_tiers_by_value(&t, &m, NULL), 0);
	assert_int_equal(loyal_tiers_tier_of(t, 4), 0);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(loyal_tiers_tier_of(t, i), 2);
	x = loyal_tiers_summary_at(t, 0);
	assert_double_near(x->value, 3, 0);
	assert_double_near(x->value_pct, 50, 1e-12);
	assert_double_near(x->spend, 1, 0);
	assert_double_near(x->spend_pct, 100.0 / 15, 1e-12);
	loyal_tiers_free(t);
	value[2] = NAN;
	assert_int_equal(loyal_tiers_by_value(&t, &m, NULL), LOYAL_EINVAL);
	/* a customer not present may hold anything */
	unsigned char present[5] = { 1, 1, 0, 1, 1 };
	m.present = present;
	assert_int_equal(loyal_tiers_by_value(&t, &m, NULL), 0);
	/* four present: 0, 0, 1.5, 3 -> q 0, 0, 0.5, 0.75: mid, mid, low, low */
	assert_int_equal(loyal_tiers_tier_of(t, 2), LOYAL_TIER_ABSENT);
	assert_int_equal(loyal_tiers_tier_of(t, 4), 1);
	assert_int_equal(loyal_tiers_summary_at(t, 0)->customers, 0);
	assert_int_equal(loyal_tiers_summary_at(t, 1)->customers, 2);
	assert_int_equal(loyal_tiers_summary_at(t, 2)->customers, 2);
	loyal_tiers_free(t);
}

/* With 20% the high tier is exactly M = 5 of RFM with 5 bins, whatever the
 * ties; groups rank separately. */
static void test_tiers_value_high_is_m5(void **state)
{
	enum { N = 3000 };
	static int64_t spend[N];
	static int32_t days[N];
	static uint64_t purch[N];
	static uint32_t group[N];
	loyal_measures m = LOYAL_MEASURES_INIT;
	loyal_tiers *t = NULL;
	loyal_rfm *r = NULL;
	unsigned seed = 12345;
	(void)state;

	for (int i = 0; i < N; i++) {
		seed = seed * 1103515245u + 12345u;
		spend[i] = (int64_t)((seed >> 8) % 400) * U / 4; /* many ties */
		days[i] = (int32_t)(seed % 50);
		purch[i] = 1 + seed % 3;
		group[i] = (seed >> 20) % 3 * 1000;
	}
	m.n = N;
	m.spend = spend;
	m.days_since_last = days;
	m.purchases = purch;
	m.group = group;
	assert_int_equal(loyal_tiers_by_value(&t, &m, NULL), 0);
	assert_int_equal(loyal_rfm_compute(&r, &m, NULL), 0);
	for (size_t i = 0; i < N; i++)
		assert_int_equal(loyal_tiers_tier_of(t, i) == 0, loyal_rfm_customer_at(r, i)->m == 5);
	assert_int_equal(loyal_tiers_summary_count(t), 9); /* 3 groups x 3 tiers */
	for (size_t k = 0; k < 9; k += 3)
		assert_true(loyal_tiers_summary_at(t, k)->customers_pct <= 20);
	loyal_tiers_free(t);
	loyal_rfm_free(r);
}

/* ---- member tier rules ------------------------------------------------- */

static loyal_tier_rules *rules(const char *text)
{
	loyal_tier_rules *r = NULL;
	int rc = loyal_tier_rules_parse(&r, text, strlen(text), "--members");
	if (rc)
		print_error("%s: %s\n", text, loyal_error_last()->message);
	assert_int_equal(rc, 0);
	return r;
}

static void test_tiers_rules_parse_and_match(void **state)
{
	loyal_tier_rules *r = rules("gold:spend>=5000,purchases>=12;silver:spend>=1000;bronze:");
	(void)state;

	assert_int_equal(loyal_tier_rules_count(r), 3);
	assert_string_equal(loyal_tier_rules_name(r, 0), "gold");
	assert_string_equal(loyal_tier_rules_name(r, 2), "bronze");
	assert_null(loyal_tier_rules_name(r, 3));
	assert_false(loyal_tier_rules_can_miss(r));
	assert_int_equal(loyal_tier_rules_match(r, 5000 * (int64_t)U, 12), 0);
	assert_int_equal(loyal_tier_rules_match(r, 5000 * (int64_t)U, 11), 1);
	assert_int_equal(loyal_tier_rules_match(r, 4999999999, 12), 1);
	assert_int_equal(loyal_tier_rules_match(r, 1000 * (int64_t)U - 1, 100), 2);
	assert_int_equal(loyal_tier_rules_match(r, -5 * (int64_t)U, 0), 2);
	loyal_tier_rules_free(r);

	/* spaces, line breaks, comments, Chinese names, every operator */
	r = rules("# 会员等级\n金卡: spend >= 5000 , purchases >= 12\r\n\n银卡 : spend>1000.50;"
		  "  ;\n退款: spend < 0\n一次: purchases = 1; 两次: purchases==2, spend<=10;\n");
	assert_int_equal(loyal_tier_rules_count(r), 5);
	assert_string_equal(loyal_tier_rules_name(r, 1), "银卡");
	assert_true(loyal_tier_rules_can_miss(r));
	assert_int_equal(loyal_tier_rules_match(r, 1000500000, 3), LOYAL_TIER_NONE);
	assert_int_equal(loyal_tier_rules_match(r, 1000500001, 3), 1);
	assert_int_equal(loyal_tier_rules_match(r, -1, 3), 2);
	assert_int_equal(loyal_tier_rules_match(r, 7 * U, 1), 3);
	assert_int_equal(loyal_tier_rules_match(r, 10 * U, 2), 4);
	assert_int_equal(loyal_tier_rules_match(r, 10 * U + 1, 2), LOYAL_TIER_NONE);
	assert_int_equal(loyal_tier_rules_match(r, 0, 0), LOYAL_TIER_NONE);
	loyal_tier_rules_free(r);
	loyal_tier_rules_free(NULL);
}

static void rules_error(const char *text, uint64_t line, uint64_t col, const char *words)
{
	loyal_tier_rules *r = NULL;
	int rc = loyal_tier_rules_parse(&r, text, strlen(text), "--members");
	const loyal_error_info *e = loyal_error_last();

	if (rc != LOYAL_EINVAL || !e || e->line != line || e->column != col ||
	    !strstr(e->message, words))
		print_error("for '%s': got %d '%s'\n", text, rc, e ? e->message : "");
	assert_int_equal(rc, LOYAL_EINVAL);
	assert_int_equal(e->line, line);
	assert_int_equal(e->column, col);
	assert_non_null(strstr(e->message, words));
	assert_null(r);
}

static void test_tiers_rules_errors_are_located(void **state)
{
	(void)state;
	rules_error("gold:spnd>=5", 1, 6, "unknown measure 'spnd' (spend or purchases)");
	/* columns count characters: 金卡:spend>= is 10 of them */
	rules_error("金卡:spend>=5千", 1, 11, "spend: ");
	rules_error("gold spend>=5", 1, 1, "has no ':'");
	rules_error("gold:spend>=5;gold:", 1, 15, "'gold' is named twice");
	rules_error("a:;b:spend>1", 1, 4, "'b' can never match");
	rules_error("gold:spend=>5", 1, 12, "spend: '>5'");
	rules_error("gold:spend>=", 1, 13, "a number is missing after 'spend>='");
	rules_error("gold:spend 5", 1, 12, "expected one of >= > <= < =");
	rules_error("gold:purchases>=1.5", 1, 17, "purchases: '1.5' is not a whole number");
	rules_error("gold:purchases>=-1", 1, 17, "below 0");
	rules_error("gold:spend>=1e3", 1, 13, "spend: ");
	rules_error("gold:spend>=1,", 1, 15, "an empty condition");
	rules_error("gold:,spend>=1", 1, 6, "an empty condition");
	rules_error(":spend>=1", 1, 1, "a tier without a name");
	rules_error("a:spend>1\n b:purchases>x", 2, 14, "purchases: 'x'");
	rules_error("a\xff:spend>1", 1, 2, "invalid UTF-8");
	rules_error("a\x01:spend>1", 1, 2, "control character");
	rules_error("", 0, 0, "no tier");
	rules_error(" ; ;\n# only a comment\n", 0, 0, "no tier");
	assert_string_equal(loyal_error_last()->message,
			    "--members: no tier (rules look like 'gold: spend >= 5000; silver:')");
}

static void test_tiers_rules_load(void **state)
{
	char path[] = "/tmp/loyal-test-tiers-XXXXXX";
	int fd = mkstemp(path);
	loyal_tier_rules *r = NULL;
	static const char text[] = "\xef\xbb\xbfgold: spend >= 5000\nsilver: spend >= x\n";
	(void)state;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);
	assert_int_equal(loyal_tier_rules_load(&r, path), LOYAL_EINVAL);
	assert_string_equal(loyal_error_last()->file, path);
	assert_int_equal(loyal_error_last()->line, 2);
	assert_int_equal(loyal_error_last()->column, 18);
	unlink(path);
	assert_int_equal(loyal_tier_rules_load(&r, path), LOYAL_EOPEN);
	assert_null(r);
}

/* Member tiers of customers: the summary has a row for no tier when the
 * rules can miss. */
static void test_tiers_by_rules(void **state)
{
	static const int64_t spend[5] = { 6000 * (int64_t)U, 6000 * (int64_t)U, 1500 * (int64_t)U,
					  20 * U, 0 };
	static const uint64_t purch[5] = { 12, 3, 2, 1, 0 };
	loyal_tier_rules *r = rules("gold:spend>=5000,purchases>=12;silver:spend>=1000;"
				    "bronze:purchases>=1");
	loyal_measures m = spend_only(5, spend);
	loyal_tiers *t = NULL;
	const loyal_tiers_summary_row *x;
	(void)state;

	assert_int_equal(loyal_tiers_by_rules(&t, &m, r), LOYAL_EINVAL); /* needs purchases */
	m.purchases = purch;
	assert_int_equal(loyal_tiers_by_rules(&t, &m, r), 0);
	loyal_tier_rules_free(r);
	assert_int_equal(loyal_tiers_tier_of(t, 0), 0);
	assert_int_equal(loyal_tiers_tier_of(t, 1), 1);
	assert_int_equal(loyal_tiers_tier_of(t, 2), 1);
	assert_int_equal(loyal_tiers_tier_of(t, 3), 2);
	assert_int_equal(loyal_tiers_tier_of(t, 4), LOYAL_TIER_NONE);
	assert_true(loyal_tiers_can_miss(t));
	assert_string_equal(loyal_tiers_tier_name(t, 1), "silver");
	assert_int_equal(loyal_tiers_summary_count(t), 4);
	x = loyal_tiers_summary_at(t, 1);
	assert_int_equal(x->customers, 2);
	assert_double_near(x->spend, 7500, 1e-9);
	assert_double_near(x->spend_pct, 100.0 * 7500 / 13520, 1e-9);
	assert_double_near(x->mean_purchases, 2.5, 1e-12);
	assert_true(isnan(x->value) && isnan(x->min_value));
	x = loyal_tiers_summary_at(t, 3);
	assert_int_equal(x->tier, LOYAL_TIER_NONE);
	assert_int_equal(x->customers, 1);
	assert_double_near(x->customers_pct, 20, 1e-12);
	loyal_tiers_free(t);
}

/* ---- migration --------------------------------------------------------- */

/*
 * Rules gold: spend >= 100; silver: spend >= 10; bronze: purchases >= 1
 * (a customer without a purchase in the window has no tier).
 *        earlier (spend, purchases)  later          move
 *   c0   (150, 2) gold               (150, 3) gold    kept
 *   c1   (50, 1) silver              (200, 2) gold    upgraded
 *   c2   (150, 1) gold               (20, 1) silver   downgraded
 *   c3   not a customer              (5, 1) bronze    new
 *   c4   (5, 1) bronze               (0, 0) none      gone
 *   c5   (0, 0) none                 (0, 0) none      untiered
 *   c6   (0, 0) none                 (5, 1) bronze    upgraded
 *   c7   not a customer on either day                 (not counted)
 */
static void test_tiers_migration_by_hand(void **state)
{
	static const int64_t s0[8] = { 150 * U, 50 * U, 150 * U, 0, 5 * U, 0, 0, 0 };
	static const uint64_t p0[8] = { 2, 1, 1, 0, 1, 0, 0, 0 };
	static const unsigned char in0[8] = { 1, 1, 1, 0, 1, 1, 1, 0 };
	static const int64_t s1[8] = { 150 * U, 200 * U, 20 * U, 5 * U, 0, 0, 5 * U, 0 };
	static const uint64_t p1[8] = { 3, 2, 1, 1, 0, 0, 1, 0 };
	static const unsigned char in1[8] = { 1, 1, 1, 1, 1, 1, 1, 0 };
	static const loyal_tier_move want[8] = {
		LOYAL_MOVE_KEPT, LOYAL_MOVE_UPGRADED, LOYAL_MOVE_DOWNGRADED, LOYAL_MOVE_NEW,
		LOYAL_MOVE_GONE, LOYAL_MOVE_UNTIERED, LOYAL_MOVE_UPGRADED, LOYAL_MOVE_NONE };
	loyal_tier_rules *r = rules("gold: spend >= 100; silver: spend >= 10; bronze: purchases >= 1");
	loyal_measures a = spend_only(8, s0), b = spend_only(8, s1);
	loyal_tiers *ta = NULL, *tb = NULL;
	loyal_tier_migration *mg = NULL;
	uint64_t sum = 0;
	(void)state;

	a.purchases = p0;
	a.present = in0;
	b.purchases = p1;
	b.present = in1;
	assert_int_equal(loyal_tiers_by_rules(&ta, &a, r), 0);
	assert_int_equal(loyal_tiers_by_rules(&tb, &b, r), 0);
	assert_int_equal(loyal_tier_migration_compute(&mg, ta, tb), 0);
	for (size_t i = 0; i < 8; i++)
		assert_int_equal(loyal_tier_migration_move(mg, i), want[i]);
	/* from: gold silver bronze none absent; to: gold silver bronze none */
	assert_int_equal(loyal_tier_migration_cell_count(mg), 20);
	for (size_t k = 0; k < 20; k++) {
		const loyal_tier_migration_cell *c = loyal_tier_migration_cell_at(mg, k);
		static const int fs[5] = { 0, 1, 2, LOYAL_TIER_NONE, LOYAL_TIER_ABSENT };
		static const int ts[4] = { 0, 1, 2, LOYAL_TIER_NONE };
		assert_int_equal(c->from, fs[k / 4]);
		assert_int_equal(c->to, ts[k % 4]);
		sum += c->customers;
	}
	assert_int_equal(sum, 7);
	assert_int_equal(loyal_tier_migration_cell_at(mg, 0)->customers, 1);  /* gold -> gold */
	assert_int_equal(loyal_tier_migration_cell_at(mg, 0)->move, LOYAL_MOVE_KEPT);
	assert_int_equal(loyal_tier_migration_cell_at(mg, 4)->customers, 1);  /* silver -> gold */
	assert_int_equal(loyal_tier_migration_cell_at(mg, 1)->customers, 1);  /* gold -> silver */
	assert_int_equal(loyal_tier_migration_cell_at(mg, 11)->customers, 1); /* bronze -> none */
	assert_int_equal(loyal_tier_migration_cell_at(mg, 11)->move, LOYAL_MOVE_GONE);
	assert_int_equal(loyal_tier_migration_cell_at(mg, 18)->customers, 1); /* new -> bronze */
	assert_int_equal(loyal_tier_migration_cell_at(mg, 18)->move, LOYAL_MOVE_NEW);
	assert_int_equal(loyal_tier_migration_cell_at(mg, 9)->move, LOYAL_MOVE_UPGRADED);
	assert_int_equal(loyal_tier_migration_cell_at(mg, 7)->move, LOYAL_MOVE_GONE);
	assert_null(loyal_tier_migration_cell_at(mg, 20));
	assert_int_equal(loyal_tier_migration_total_count(mg), 6);
	static const uint64_t per[6] = { 1, 2, 1, 1, 1, 1 };
	for (size_t k = 0; k < 6; k++) {
		const loyal_tier_migration_total *x = loyal_tier_migration_total_at(mg, k);
		assert_int_equal(x->move, (loyal_tier_move)(k + 1));
		assert_int_equal(x->customers, per[k]);
		assert_double_near(x->customers_pct, 100.0 * (double)per[k] / 7, 1e-12);
	}
	assert_string_equal(loyal_tier_move_name(LOYAL_MOVE_GONE), "gone");
	assert_string_equal(loyal_tier_move_name(LOYAL_MOVE_NONE), "");
	loyal_tier_migration_free(mg);
	mg = NULL;

	/* tiers with other names cannot be compared */
	loyal_tiers *tv = NULL;
	assert_int_equal(loyal_tiers_by_value(&tv, &b, NULL), 0);
	assert_int_equal(loyal_tier_migration_compute(&mg, ta, tv), LOYAL_EINVAL);
	assert_null(mg);
	loyal_tiers_free(tv);
	loyal_tiers_free(ta);
	loyal_tiers_free(tb);
	loyal_tier_rules_free(r);
}

/* Value tiers migrate the same way; the days reversed make customers
 * absent on the later day, which then has an absent column. */
static void test_tiers_migration_value_and_reversed(void **state)
{
	static const int64_t s0[4] = { 1, 2, 3, 4 };
	static const unsigned char in0[4] = { 1, 1, 1, 0 };
	static const int64_t s1[4] = { 4, 2, 3, 1 };
	loyal_measures a = spend_only(4, s0), b = spend_only(4, s1);
	loyal_value_tier_options o = LOYAL_VALUE_TIER_OPTIONS_INIT;
	loyal_tiers *ta = NULL, *tb = NULL;
	loyal_tier_migration *mg = NULL;
	(void)state;

	/* 3 customers earlier: q 0, 1/3, 2/3 with 34,33: high q >= 0.66, mid q >= 0.33 */
	o.high_pct = 34;
	o.mid_pct = 33;
	a.present = in0;
	assert_int_equal(loyal_tiers_by_value(&ta, &a, &o), 0);
	/* 4 later: spend 4, 2, 3, 1 -> q 0.75 high, 0.25 low, 0.5 mid, 0 low */
	assert_int_equal(loyal_tiers_by_value(&tb, &b, &o), 0);
	assert_int_equal(loyal_tiers_tier_of(ta, 0), 2);
	assert_int_equal(loyal_tiers_tier_of(ta, 2), 0);
	assert_int_equal(loyal_tiers_tier_of(tb, 0), 0);
	assert_int_equal(loyal_tiers_tier_of(tb, 2), 1);
	assert_int_equal(loyal_tier_migration_compute(&mg, ta, tb), 0);
	assert_int_equal(loyal_tier_migration_move(mg, 0), LOYAL_MOVE_UPGRADED);
	assert_int_equal(loyal_tier_migration_move(mg, 1), LOYAL_MOVE_DOWNGRADED);
	assert_int_equal(loyal_tier_migration_move(mg, 2), LOYAL_MOVE_DOWNGRADED);
	assert_int_equal(loyal_tier_migration_move(mg, 3), LOYAL_MOVE_NEW);
	assert_int_equal(loyal_tier_migration_cell_count(mg), 4 * 3);
	loyal_tier_migration_free(mg);
	assert_int_equal(loyal_tier_migration_compute(&mg, tb, ta), 0);
	assert_int_equal(loyal_tier_migration_move(mg, 3), LOYAL_MOVE_GONE);
	assert_int_equal(loyal_tier_migration_cell_count(mg), 3 * 4 + 1 * 3);
	loyal_tier_migration_free(mg);
	loyal_tiers_free(ta);
	loyal_tiers_free(tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tiers_value_by_hand),
		cmocka_unit_test(test_tiers_value_ties_fall_to_the_lower_tier),
		cmocka_unit_test(test_tiers_value_split),
		cmocka_unit_test(test_tiers_value_by_clv),
		cmocka_unit_test(test_tiers_value_high_is_m5),
		cmocka_unit_test(test_tiers_rules_parse_and_match),
		cmocka_unit_test(test_tiers_rules_errors_are_located),
		cmocka_unit_test(test_tiers_rules_load),
		cmocka_unit_test(test_tiers_by_rules),
		cmocka_unit_test(test_tiers_migration_by_hand),
		cmocka_unit_test(test_tiers_migration_value_and_reversed),
	};
	return loyal_test_status(cmocka_run_group_tests(tests, NULL, NULL));
}
