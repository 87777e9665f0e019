#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "helpers.h"
#include "loyal.h"

/* 1-5 answers 1,2,3,4,4,5,5,5: top two boxes = 5 of 8 = 62.5%, mean 29/8. */
static void test_csat_hand_computed(void **state)
{
	loyal_csat acc;
	loyal_csat_result r;
	int answers[] = { 1, 2, 3, 4, 4, 5, 5, 5 };
	(void)state;

	assert_int_equal(loyal_csat_init(&acc, 1, 5), 0);
	for (size_t i = 0; i < 8; i++)
		assert_int_equal(loyal_csat_add(&acc, answers[i]), 0);
	assert_int_equal(loyal_csat_compute(&r, &acc), 0);
	assert_int_equal(r.responses, 8);
	assert_int_equal(r.satisfied, 5);
	assert_double_near(r.csat, 62.5, 1e-12);
	assert_double_near(r.mean, 29.0 / 8.0, 1e-12);
	assert_int_equal(acc.counts[3], 2); /* point 4 */
}

/* The top two boxes move with the scale. */
static void test_csat_scales(void **state)
{
	loyal_csat acc;
	loyal_csat_result r;
	int lo, hi;
	(void)state;

	assert_int_equal(loyal_csat_parse_scale(&lo, &hi, "0-10"), 0);
	assert_int_equal(loyal_csat_init(&acc, lo, hi), 0);
	loyal_csat_add(&acc, 8);
	loyal_csat_add(&acc, 9);
	loyal_csat_add(&acc, 10);
	loyal_csat_add(&acc, 0);
	loyal_csat_compute(&r, &acc);
	assert_int_equal(r.satisfied, 2);
	assert_double_near(r.csat, 50.0, 1e-12);
	assert_double_near(r.mean, 6.75, 1e-12);

	assert_int_equal(loyal_csat_parse_scale(&lo, &hi, "1-7"), 0);
	loyal_csat_init(&acc, lo, hi);
	loyal_csat_add(&acc, 5);
	loyal_csat_add(&acc, 6);
	loyal_csat_add(&acc, 7);
	loyal_csat_compute(&r, &acc);
	assert_int_equal(r.satisfied, 2);

	assert_int_equal(loyal_csat_parse_scale(&lo, &hi, "1-2"), LOYAL_EINVAL);
	assert_int_equal(loyal_csat_parse_scale(&lo, &hi, "1-20"), LOYAL_EINVAL);
	assert_int_equal(loyal_csat_parse_scale(&lo, &hi, "five"), LOYAL_EINVAL);
	assert_int_equal(loyal_csat_add(&acc, 8), LOYAL_EVALUE);
}

static void test_csat_text_labels(void **state)
{
	loyal_csat acc;
	int p;
	static const struct {
		const char *text;
		int point;
	} cases[] = {
		{ "Very satisfied", 5 }, { "satisfied", 4 }, { "NEUTRAL", 3 },
		{ " dissatisfied ", 2 }, { "very dissatisfied", 1 },
		{ "Very  satisfied", 5 }, { "very\tdissatisfied", 1 },
		{ "很满意", 5 }, { "非常满意", 5 }, { "比较满意", 4 }, { "满意", 3 },
		{ "一般", 3 }, { "不满意", 2 }, { "很不满意", 1 }, { "非常不满意", 1 },
		{ "4", 4 }, { "\t4 ", 4 }, { " \tsatisfied\t", 4 },
	};
	(void)state;

	loyal_csat_init(&acc, 1, 5);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(loyal_csat_parse_answer(&p, &acc, cases[i].text,
							 strlen(cases[i].text)), 0);
		assert_int_equal(p, cases[i].point);
	}
	assert_int_equal(loyal_csat_parse_answer(&p, &acc, "meh", 3), LOYAL_EVALUE);
	assert_int_equal(loyal_csat_parse_answer(&p, &acc, "verysatisfied", 13), LOYAL_EVALUE);
	assert_int_equal(loyal_csat_parse_answer(&p, &acc, "very satisfied x", 16), LOYAL_EVALUE);
	assert_int_equal(loyal_csat_parse_answer(&p, &acc, "6", 1), LOYAL_EVALUE);
	assert_string_equal(loyal_error_last()->reason, "'6' is outside the scale 1-5");
	assert_int_equal(loyal_csat_parse_answer(&p, &acc, "4.5", 3), LOYAL_EVALUE);
	/* labels belong to the 1-5 scale only */
	loyal_csat_init(&acc, 0, 10);
	assert_int_equal(loyal_csat_parse_answer(&p, &acc, "satisfied", 9), LOYAL_EVALUE);
}

static void test_csat_no_data_and_merge(void **state)
{
	loyal_csat a, b, c;
	loyal_csat_result r;
	(void)state;

	loyal_csat_init(&a, 1, 5);
	loyal_csat_init(&b, 1, 5);
	loyal_csat_init(&c, 0, 10);
	assert_int_equal(loyal_csat_compute(&r, &a), LOYAL_ENODATA);
	loyal_csat_add(&b, 5);
	assert_int_equal(loyal_csat_merge(&a, &b), 0);
	assert_int_equal(loyal_csat_compute(&r, &a), 0);
	assert_int_equal(r.responses, 1);
	assert_int_equal(loyal_csat_merge(&a, &c), LOYAL_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csat_hand_computed),
		cmocka_unit_test(test_csat_scales),
		cmocka_unit_test(test_csat_text_labels),
		cmocka_unit_test(test_csat_no_data_and_merge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
