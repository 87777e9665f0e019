#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "helpers.h"
#include "loyal.h"

static void add_many(loyal_nps *acc, int score, int n)
{
	for (int i = 0; i < n; i++)
		assert_int_equal(loyal_nps_add(acc, score), 0);
}

/* 10 answers: 9,10,10 promoters; 7,8 passives; 0,3,5,6,6 detractors.
 * By hand: p = 0.3, d = 0.5, NPS = -20; variance = (0.8 - 0.04) / 10 = 0.076,
 * moe95 = 196 * sqrt(0.076) = 54.0335... */
static void test_nps_hand_computed(void **state)
{
	loyal_nps acc = LOYAL_NPS_INIT;
	loyal_nps_result r = LOYAL_NPS_RESULT_INIT;
	int scores[] = { 9, 10, 10, 7, 8, 0, 3, 5, 6, 6 };
	(void)state;

	for (size_t i = 0; i < 10; i++)
		assert_int_equal(loyal_nps_add(&acc, scores[i]), 0);
	assert_int_equal(loyal_nps_compute(&r, &acc), 0);
	assert_int_equal(r.responses, 10);
	assert_int_equal(r.promoters, 3);
	assert_int_equal(r.passives, 2);
	assert_int_equal(r.detractors, 5);
	assert_double_near(r.promoters_pct, 30.0, 1e-12);
	assert_double_near(r.passives_pct, 20.0, 1e-12);
	assert_double_near(r.detractors_pct, 50.0, 1e-12);
	assert_double_near(r.nps, -20.0, 1e-12);
	assert_double_near(r.moe95, 196.0 * sqrt(0.076), 1e-9);
	assert_double_near(r.moe95, 54.0335, 1e-4);
}

static void test_nps_boundaries(void **state)
{
	loyal_nps acc = LOYAL_NPS_INIT;
	loyal_nps_result r = LOYAL_NPS_RESULT_INIT;
	(void)state;

	/* 6 is a detractor, 7 and 8 passives, 9 a promoter */
	add_many(&acc, 6, 1);
	add_many(&acc, 7, 1);
	add_many(&acc, 8, 1);
	add_many(&acc, 9, 1);
	assert_int_equal(loyal_nps_compute(&r, &acc), 0);
	assert_int_equal(r.detractors, 1);
	assert_int_equal(r.passives, 2);
	assert_int_equal(r.promoters, 1);
	assert_double_near(r.nps, 0.0, 1e-12);
}

static void test_nps_rejects_out_of_range(void **state)
{
	loyal_nps acc = LOYAL_NPS_INIT;
	int score;
	(void)state;

	assert_int_equal(loyal_nps_add(&acc, 11), LOYAL_EVALUE);
	assert_int_equal(loyal_nps_add(&acc, -1), LOYAL_EVALUE);
	assert_int_equal(loyal_nps_parse(&score, "11", 2), LOYAL_EVALUE);
	assert_string_equal(loyal_error_last()->reason, "score '11' is outside 0-10");
	assert_int_equal(loyal_nps_parse(&score, "7.5", 3), LOYAL_EVALUE);
	assert_int_equal(loyal_nps_parse(&score, "abc", 3), LOYAL_EVALUE);
	assert_int_equal(loyal_nps_parse(&score, " 8 ", 3), 0);
	assert_int_equal(score, 8);
	assert_int_equal(loyal_nps_parse(&score, "0", 1), 0);
	assert_int_equal(score, 0);
}

/* pandas writes the numbers of a column with blanks as floats: 9.0, 10.00
 * are 9 and 10; 9.5 and other fractions stay errors. */
static void test_nps_decimal_whole_numbers(void **state)
{
	int score;
	(void)state;

	assert_int_equal(loyal_nps_parse(&score, "9.0", 3), 0);
	assert_int_equal(score, 9);
	assert_int_equal(loyal_nps_parse(&score, " 10.00 ", 7), 0);
	assert_int_equal(score, 10);
	assert_int_equal(loyal_nps_parse(&score, "0.0", 3), 0);
	assert_int_equal(score, 0);
	assert_int_equal(loyal_nps_parse(&score, "9.5", 3), LOYAL_EVALUE);
	assert_string_equal(loyal_error_last()->reason, "score '9.5' is not a whole number 0-10");
	assert_int_equal(loyal_nps_parse(&score, "9.", 2), LOYAL_EVALUE);
	assert_int_equal(loyal_nps_parse(&score, ".0", 2), LOYAL_EVALUE);
	assert_int_equal(loyal_nps_parse(&score, "9.0.0", 5), LOYAL_EVALUE);
	assert_int_equal(loyal_nps_parse(&score, "9.01", 4), LOYAL_EVALUE);
	assert_int_equal(loyal_nps_parse(&score, "11.0", 4), LOYAL_EVALUE);
	assert_string_equal(loyal_error_last()->reason, "score '11.0' is outside 0-10");
	assert_int_equal(loyal_nps_parse(&score, "1e1", 3), LOYAL_EVALUE);
}

static void test_nps_no_data_is_an_error(void **state)
{
	loyal_nps acc = LOYAL_NPS_INIT;
	loyal_nps_result r = LOYAL_NPS_RESULT_INIT;
	(void)state;

	assert_int_equal(loyal_nps_compute(&r, &acc), LOYAL_ENODATA);
}

static void test_nps_merge_equals_single_pass(void **state)
{
	loyal_nps a = LOYAL_NPS_INIT, b = LOYAL_NPS_INIT, all = LOYAL_NPS_INIT;
	loyal_nps_result ra = LOYAL_NPS_RESULT_INIT, rall = LOYAL_NPS_RESULT_INIT;
	(void)state;

	for (int s = 0; s <= 10; s++) {
		add_many(s % 2 ? &a : &b, s, s + 1);
		add_many(&all, s, s + 1);
	}
	loyal_nps_merge(&a, &b);
	assert_int_equal(loyal_nps_compute(&ra, &a), 0);
	assert_int_equal(loyal_nps_compute(&rall, &all), 0);
	assert_memory_equal(&ra, &rall, sizeof(ra));
}

/* Two-sample z-test: period 1 has p=.5,d=.2 over 100 answers (var .0061),
 * period 2 p=.6,d=.1 over 100 (var .0045). z = .2/sqrt(.0106) = 1.94: not
 * significant. With 200 answers each the variances halve: z = 2.75. */
static void test_nps_compare_significance(void **state)
{
	loyal_nps a = LOYAL_NPS_INIT, b = LOYAL_NPS_INIT;
	loyal_nps_result ra = LOYAL_NPS_RESULT_INIT, rb = LOYAL_NPS_RESULT_INIT;
	double change;
	int sig;
	(void)state;

	add_many(&a, 10, 50);
	add_many(&a, 8, 30);
	add_many(&a, 2, 20);
	add_many(&b, 10, 60);
	add_many(&b, 8, 30);
	add_many(&b, 2, 10);
	loyal_nps_compute(&ra, &a);
	loyal_nps_compute(&rb, &b);
	assert_double_near(ra.variance, 0.0061, 1e-12);
	assert_double_near(rb.variance, 0.0045, 1e-12);
	loyal_nps_compare(&ra, &rb, &change, &sig);
	assert_double_near(change, 20.0, 1e-9);
	assert_int_equal(sig, 0);

	loyal_nps_merge(&a, &a);
	loyal_nps_merge(&b, &b);
	loyal_nps_compute(&ra, &a);
	loyal_nps_compute(&rb, &b);
	loyal_nps_compare(&ra, &rb, &change, &sig);
	assert_int_equal(sig, 1);
}

static void test_nps_compare_zero_variance(void **state)
{
	loyal_nps a = LOYAL_NPS_INIT, b = LOYAL_NPS_INIT;
	loyal_nps_result ra = LOYAL_NPS_RESULT_INIT, rb = LOYAL_NPS_RESULT_INIT;
	double change;
	int sig;
	(void)state;

	add_many(&a, 10, 5);
	add_many(&b, 10, 3);
	loyal_nps_compute(&ra, &a);
	loyal_nps_compute(&rb, &b);
	loyal_nps_compare(&ra, &rb, &change, &sig);
	assert_double_near(change, 0.0, 0);
	assert_int_equal(sig, -1); /* undefined, not "no change" */
	assert_double_near(ra.moe95, 0.0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nps_hand_computed),
		cmocka_unit_test(test_nps_boundaries),
		cmocka_unit_test(test_nps_rejects_out_of_range),
		cmocka_unit_test(test_nps_decimal_whole_numbers),
		cmocka_unit_test(test_nps_no_data_is_an_error),
		cmocka_unit_test(test_nps_merge_equals_single_pass),
		cmocka_unit_test(test_nps_compare_significance),
		cmocka_unit_test(test_nps_compare_zero_variance),
	};
	return loyal_test_status(cmocka_run_group_tests(tests, NULL, NULL));
}
