#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers.h"
#include "loyal.h"

static loyal_loyalty_result classify(int s, int r, uint64_t purchases, double p)
{
	loyal_loyalty_input in = { 1, 5, s, r, purchases, p };
	loyal_loyalty_result out = LOYAL_LOYALTY_RESULT_INIT;
	assert_int_equal(loyal_loyalty_classify(&out, &in), 0);
	return out;
}

/* By hand, on the 1-5 scale: index = mean of (s - 1) x 25, 100 p, 10 r. */
static void test_loyalty_classify_hand_computed(void **state)
{
	loyal_loyalty_result o = LOYAL_LOYALTY_RESULT_INIT;
	(void)state;

	/* s 4, r 9, 3 purchases, p 0.8: (75 + 80 + 90) / 3 */
	o = classify(4, 9, 3, 0.8);
	assert_int_equal(o.referral, LOYAL_REFERRAL_VERY_LIKELY);
	assert_int_equal(o.repeat, 1);
	assert_int_equal(o.band, LOYAL_BAND_HIGH);
	assert_int_equal(o.attitude, 1);
	assert_int_equal(o.behaviour, 1);
	assert_int_equal(o.quadrant, LOYAL_QUADRANT_TRUE);
	assert_double_near(o.index, 245.0 / 3, 1e-12);
	assert_int_equal(o.detractor, 0);
	assert_int_equal(o.dissatisfied, 0);
	/* no recommendation: attitude from s 5 (top two boxes); p 0.3 is mid;
	 * one purchase: latent; (100 + 30) / 2 */
	o = classify(5, -1, 1, 0.3);
	assert_int_equal(o.referral, -1);
	assert_int_equal(o.band, LOYAL_BAND_MID);
	assert_int_equal(o.attitude, 1);
	assert_int_equal(o.quadrant, LOYAL_QUADRANT_LATENT);
	assert_double_near(o.index, 65.0, 1e-12);
	/* r 6 (a detractor, "unlikely"), s 2 (dissatisfied), p just below 0.3:
	 * low band; repeat without attitude: spurious; (25 + 29.99 + 60) / 3 */
	o = classify(2, 6, 2, 0.2999);
	assert_int_equal(o.referral, LOYAL_REFERRAL_UNLIKELY);
	assert_int_equal(o.band, LOYAL_BAND_LOW);
	assert_int_equal(o.quadrant, LOYAL_QUADRANT_SPURIOUS);
	assert_int_equal(o.detractor, 1);
	assert_int_equal(o.dissatisfied, 1);
	assert_double_near(o.index, (25 + 29.99 + 60) / 3, 1e-12);
	/* r 7-8 is "possible" and not a promoter: attitude low even with s 5 */
	o = classify(5, 8, 1, 0.71);
	assert_int_equal(o.referral, LOYAL_REFERRAL_POSSIBLE);
	assert_int_equal(o.attitude, 0);
	assert_int_equal(o.band, LOYAL_BAND_HIGH);
	assert_int_equal(o.quadrant, LOYAL_QUADRANT_NONE);
	/* p exactly 0.7 is mid, not high */
	assert_int_equal(classify(3, 5, 1, 0.7).band, LOYAL_BAND_MID);
	/* a respondent without purchases: no behaviour, no index */
	o = classify(4, 10, 0, 0.0);
	assert_int_equal(o.band, -1);
	assert_int_equal(o.behaviour, -1);
	assert_int_equal(o.quadrant, -1);
	assert_true(isnan(o.index));
	assert_int_equal(o.attitude, 1);
}

static void test_loyalty_classify_scales_and_errors(void **state)
{
	loyal_loyalty_input in = { 0, 10, 7, -1, 2, 0.5 };
	loyal_loyalty_result o = LOYAL_LOYALTY_RESULT_INIT;
	(void)state;

	/* 0-10: s 7 scores 70, top two boxes are 9-10, bottom two 0-1 */
	assert_int_equal(loyal_loyalty_classify(&o, &in), 0);
	assert_double_near(o.index, 60.0, 1e-12);
	assert_int_equal(o.attitude, 0);
	in.satisfaction = 1;
	assert_int_equal(loyal_loyalty_classify(&o, &in), 0);
	assert_int_equal(o.dissatisfied, 1);
	in.satisfaction = -1; /* neither answer */
	assert_int_equal(loyal_loyalty_classify(&o, &in), LOYAL_EINVAL);
	in.satisfaction = 11;
	assert_int_equal(loyal_loyalty_classify(&o, &in), LOYAL_EINVAL);
	in.satisfaction = 5;
	in.p_repurchase = NAN;
	assert_int_equal(loyal_loyalty_classify(&o, &in), LOYAL_EINVAL);
	assert_string_equal(loyal_loyalty_quadrant_name(LOYAL_QUADRANT_SPURIOUS), "spurious");
	assert_string_equal(loyal_loyalty_band_name(LOYAL_BAND_MID), "mid");
	assert_string_equal(loyal_loyalty_referral_name(LOYAL_REFERRAL_VERY_LIKELY), "very likely");
	assert_null(loyal_loyalty_quadrant_name(-1));
}

static void customer(loyal_loyalty *l, const char *id, uint64_t purchases, double p, double spend,
		     double churn)
{
	loyal_loyalty_behaviour b = { purchases, p, churn, spend, 100 };
	assert_int_equal(loyal_loyalty_add_customer(l, id, strlen(id), &b), 0);
}

static void answer(loyal_loyalty *l, const char *id, int32_t day, int s, int r,
		   loyal_idmatch_rule want)
{
	loyal_idmatch_rule rule;
	assert_int_equal(loyal_loyalty_add_answer(l, id, strlen(id), day, s, r, &rule), 0);
	assert_int_equal(rule, want);
}

/*
 * Customers C1 (3 purchases, p 0.8, spend 100, churn 0.1), c2 (1, 0.2, 50,
 * 0.6) and C3 (never answers). Answers: C1 on day 10 (s 4, r 9), C1 on day
 * 5 (earlier: not kept), " C2" (folded to c2: s 2, r 6), X9 and "x9 " (one
 * respondent without purchases; the later answer kept: s 3, no r).
 */
static loyal_loyalty *sample(void)
{
	loyal_loyalty *l;

	assert_int_equal(loyal_loyalty_new(&l, NULL), 0);
	customer(l, "C1", 3, 0.8, 100, 0.1);
	customer(l, "c2", 1, 0.2, 50, 0.6);
	customer(l, "C3", 2, 0.5, 10, 0.5);
	answer(l, "C1", 10, 4, 9, LOYAL_IDMATCH_EXACT);
	answer(l, "C1", 5, 1, 0, LOYAL_IDMATCH_EXACT);
	answer(l, " C2", 7, 2, 6, LOYAL_IDMATCH_FOLDED);
	answer(l, "X9", 1, 2, 3, LOYAL_IDMATCH_NONE);
	answer(l, "x9 ", 2, 3, -1, LOYAL_IDMATCH_NONE);
	return l;
}

static void test_loyalty_join(void **state)
{
	loyal_loyalty *l = sample();
	loyal_loyalty_stats st = LOYAL_LOYALTY_STATS_INIT;
	loyal_loyalty_row r = LOYAL_LOYALTY_ROW_INIT;
	(void)state;

	assert_int_equal(loyal_loyalty_get_stats(&st, l), 0);
	assert_int_equal(st.answers, 5);
	assert_int_equal(st.by_rule[LOYAL_IDMATCH_EXACT], 2);
	assert_int_equal(st.by_rule[LOYAL_IDMATCH_FOLDED], 1);
	assert_int_equal(st.by_rule[LOYAL_IDMATCH_NONE], 2);
	assert_int_equal(st.respondents, 3);
	assert_int_equal(st.respondents_without_purchases, 1);
	assert_int_equal(st.customers, 3);
	assert_int_equal(st.customers_without_answers, 1);
	assert_int_equal(loyal_loyalty_count(l), 3);
	assert_int_equal(loyal_loyalty_get(&r, l, 0), 0);
	assert_string_equal(r.customer, "C1");
	assert_int_equal(r.answer_day, 10);
	assert_int_equal(r.in.satisfaction, 4);
	assert_double_near(r.out.index, 245.0 / 3, 1e-12);
	assert_double_near(r.value_at_risk, 10.0, 1e-12);
	assert_int_equal(loyal_loyalty_get(&r, l, 1), 0);
	assert_string_equal(r.customer, "c2"); /* the orders' spelling */
	assert_int_equal(r.rule, LOYAL_IDMATCH_FOLDED);
	assert_int_equal(r.out.quadrant, LOYAL_QUADRANT_NONE);
	assert_int_equal(loyal_loyalty_get(&r, l, 2), 0);
	assert_string_equal(r.customer, "X9"); /* as first written */
	assert_int_equal(r.matched, 0);
	assert_int_equal(r.in.satisfaction, 3);
	assert_int_equal(r.in.recommend, -1);
	assert_true(isnan(r.out.index) && isnan(r.value_at_risk));
	loyal_loyalty_free(l);
}

/* Matrix: C1 true (spend 100), c2 none (spend 50): shares 50/50, spend
 * shares 66.67/33.33. Repeat buyers: C1 (r 9: NPS 100; s 4: satisfied);
 * one-time: c2 (r 6: NPS -100; s 2). X9 has no purchases: left out. */
static void test_loyalty_matrix(void **state)
{
	loyal_loyalty *l = sample();
	loyal_loyalty_matrix m = LOYAL_LOYALTY_MATRIX_INIT;
	loyal_nps_result a = LOYAL_NPS_RESULT_INIT, b = LOYAL_NPS_RESULT_INIT;
	(void)state;

	assert_int_equal(loyal_loyalty_matrix_compute(&m, l), 0);
	assert_int_equal(m.total, 2);
	assert_int_equal(m.customers[LOYAL_QUADRANT_TRUE], 1);
	assert_int_equal(m.customers[LOYAL_QUADRANT_NONE], 1);
	assert_int_equal(m.customers[LOYAL_QUADRANT_LATENT], 0);
	assert_double_near(m.share[LOYAL_QUADRANT_TRUE], 50.0, 1e-12);
	assert_double_near(m.spend[LOYAL_QUADRANT_TRUE], 100.0, 1e-12);
	assert_double_near(m.spend_share[LOYAL_QUADRANT_TRUE], 200.0 / 3, 1e-12);
	assert_double_near(m.total_spend, 150.0, 1e-12);
	assert_int_equal(m.buyers[0], 1);
	assert_int_equal(m.buyers[1], 1);
	assert_int_equal(loyal_nps_compute(&a, &m.nps[0]), 0);
	assert_int_equal(loyal_nps_compute(&b, &m.nps[1]), 0);
	assert_double_near(a.nps, 100.0, 1e-12);
	assert_double_near(b.nps, -100.0, 1e-12);
	assert_int_equal(m.csat_satisfied[0], 1);
	assert_int_equal(m.csat_satisfied[1], 0);
	assert_double_near(m.csat_mean[1], 2.0, 1e-12);
	loyal_loyalty_free(l);
}

/* Follow-up: c2 is a detractor and dissatisfied (value at risk 50 x 0.6 =
 * 30); X9's kept answer (s 3, no r) is neither; C1 neither. */
static void test_loyalty_followup(void **state)
{
	loyal_loyalty *l = sample();
	size_t *order, n;
	(void)state;

	answer(l, "Q7", 3, 1, -1, LOYAL_IDMATCH_NONE); /* dissatisfied, no value: last */
	assert_int_equal(loyal_loyalty_followup(&order, &n, l), 0);
	assert_int_equal(n, 2);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 3);
	free(order);
	loyal_loyalty_free(l);
}

static void test_loyalty_pending_and_all_answers(void **state)
{
	loyal_loyalty_options o = LOYAL_LOYALTY_OPTIONS_INIT;
	loyal_loyalty *l;
	loyal_loyalty_row r = LOYAL_LOYALTY_ROW_INIT;
	loyal_loyalty_matrix m = LOYAL_LOYALTY_MATRIX_INIT;
	(void)state;

	o.all_answers = 1;
	assert_int_equal(loyal_loyalty_new(&l, &o), 0);
	customer(l, "A", 2, 0.5, 10, 0.5);
	answer(l, "A", 1, LOYAL_LOYALTY_PENDING, 9, LOYAL_IDMATCH_EXACT);
	answer(l, "A", 2, 5, -1, LOYAL_IDMATCH_EXACT);
	assert_int_equal(loyal_loyalty_count(l), 2);
	/* a pending answer cannot be read before it is resolved */
	assert_int_equal(loyal_loyalty_get(&r, l, 0), LOYAL_EINVAL);
	assert_int_equal(loyal_loyalty_resolve(l, 4), 0);
	assert_int_equal(loyal_loyalty_get(&r, l, 0), 0);
	assert_int_equal(r.in.satisfaction, 4);
	assert_int_equal(loyal_loyalty_matrix_compute(&m, l), LOYAL_EINVAL);
	assert_int_equal(loyal_loyalty_add_answer(l, " ", 1, 1, 3, 5, NULL), LOYAL_EVALUE);
	assert_int_equal(loyal_loyalty_add_answer(l, "A", 1, 1, -1, -1, NULL), LOYAL_EINVAL);
	loyal_loyalty_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loyalty_classify_hand_computed),
		cmocka_unit_test(test_loyalty_classify_scales_and_errors),
		cmocka_unit_test(test_loyalty_join),
		cmocka_unit_test(test_loyalty_matrix),
		cmocka_unit_test(test_loyalty_followup),
		cmocka_unit_test(test_loyalty_pending_and_all_answers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
