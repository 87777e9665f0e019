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
	loyal_csat_result r = LOYAL_CSAT_RESULT_INIT;
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
	loyal_csat_result r = LOYAL_CSAT_RESULT_INIT;
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
		{ "很满意", 5 }, { "非常满意", 5 }, { "比较满意", 4 }, { "较满意", 4 },
		{ "一般", 3 }, { "不满意", 2 }, { "比较不满意", 2 }, { "不太满意", 2 },
		{ "较不满意", 2 }, { "很不满意", 1 }, { "非常不满意", 1 },
		{ "4", 4 }, { "\t4 ", 4 }, { " \tsatisfied\t", 4 }, { "4.0", 4 }, { "5.00", 5 },
		{ "Somewhat satisfied", 4 }, { "Neither satisfied nor dissatisfied", 3 },
		{ "somewhat dissatisfied", 2 }, { "Extremely satisfied", 5 },
		{ "Extremely dissatisfied", 1 },
		{ "5 - Very satisfied", 5 }, { "Very satisfied (5)", 5 }, { "4. 满意", 4 },
		{ "2 – Dissatisfied", 2 }, { "非常满意（5）", 5 }, { "3: Anything else", 3 },
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
	assert_int_equal(loyal_csat_parse_answer(&p, &acc, "4.50", 4), LOYAL_EVALUE);
	/* a number and a label that disagree */
	assert_int_equal(loyal_csat_parse_answer(&p, &acc, "5 - Very dissatisfied", 21), LOYAL_EVALUE);
	assert_int_equal(loyal_csat_parse_answer(&p, &acc, "6 - Very satisfied", 18), LOYAL_EVALUE);
	/* 满意 has no point of its own */
	assert_int_equal(loyal_csat_parse_answer(&p, &acc, "满意", strlen("满意")), LOYAL_EVALUE);
	/* labels belong to the 1-5 scale only */
	loyal_csat_init(&acc, 0, 10);
	assert_int_equal(loyal_csat_parse_answer(&p, &acc, "satisfied", 9), LOYAL_EVALUE);
}

static void test_csat_no_data_and_merge(void **state)
{
	loyal_csat a, b, c;
	loyal_csat_result r = LOYAL_CSAT_RESULT_INIT;
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

static int read_add(loyal_csat *acc, const char *text)
{
	int answer, error = loyal_csat_read(&answer, acc, NULL, text, strlen(text));
	if (error < 0)
		return error;
	return loyal_csat_add_answer(acc, answer);
}

/* 满意 waits for the column's scale: 4 beside 一般 or 非常满意, 3 beside
 * 比较满意 or 很满意; both or neither is an error naming the labels. */
static void test_csat_scale_of_a_column(void **state)
{
	static const struct {
		const char *labels[5];
		int point; /* of 满意; -1: undecided */
	} cases[] = {
		{ { "非常满意", "满意", "一般", "不满意", "非常不满意" }, 4 },
		{ { "很满意", "比较满意", "满意", "不满意", "很不满意" }, 3 },
		{ { "满意", "一般" }, 4 },
		{ { "满意", "比较满意" }, 3 },
		{ { "满意", "非常满意" }, 4 },
		{ { "满意", "很不满意" }, 3 },
		/* the middle label decides over the top one */
		{ { "很满意", "满意", "一般", "不满意", "很不满意" }, 4 },
		{ { "非常满意", "比较满意", "满意" }, 3 },
		{ { "满意", "不满意" }, -1 },
		{ { "满意" }, -1 },
		{ { "满意", "一般", "比较满意" }, -1 },
		{ { "满意", "非常满意", "很满意" }, -1 },
		/* without 满意 nothing waits, whatever the labels */
		{ { "很满意", "一般", "非常不满意" }, 0 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		loyal_csat acc;
		loyal_csat_result r = LOYAL_CSAT_RESULT_INIT;
		int point = -9;
		loyal_csat_init(&acc, 1, 5);
		for (size_t k = 0; k < 5 && cases[i].labels[k]; k++)
			assert_int_equal(read_add(&acc, cases[i].labels[k]), 0);
		int error = loyal_csat_decide(&point, acc.labels_seen, "q1");
		if (cases[i].point < 0) {
			assert_int_equal(error, LOYAL_EVALUE);
			assert_non_null(strstr(loyal_error_last()->reason, "column 'q1'"));
			assert_int_equal(loyal_csat_compute(&r, &acc), LOYAL_EINVAL);
			continue;
		}
		assert_int_equal(error, 0);
		if (point != cases[i].point)
			fail_msg("case %zu: 满意 read as %d, expected %d", i, point, cases[i].point);
		assert_int_equal(loyal_csat_resolve(&acc, point), 0);
		assert_int_equal(acc.pending, 0);
		assert_int_equal(loyal_csat_compute(&r, &acc), 0);
	}
}

/* The platforms' scale, 11 answers by hand: 5 5 4 4 4 4 3 3 2 2 1 with 满意
 * as 4: top two 6 of 11 (54.5%), mean 37/11. Read as 3 (the old reading)
 * it would be 2 of 11. Pending answers and labels merge. */
static void test_csat_platform_scale_hand_computed(void **state)
{
	const char *answers[] = { "非常满意", "满意", "一般", "不满意", "非常满意", "满意", "一般",
				  "非常不满意", "满意", "不满意", "满意" };
	loyal_csat a, b;
	loyal_csat_result r = LOYAL_CSAT_RESULT_INIT;
	int point;
	(void)state;

	loyal_csat_init(&a, 1, 5);
	loyal_csat_init(&b, 1, 5);
	for (size_t i = 0; i < 11; i++)
		assert_int_equal(read_add(i < 6 ? &a : &b, answers[i]), 0);
	assert_int_equal(a.pending, 2);
	assert_int_equal(loyal_csat_merge(&a, &b), 0);
	assert_int_equal(a.pending, 4);
	assert_int_equal(loyal_csat_decide(&point, a.labels_seen, "q"), 0);
	assert_int_equal(point, 4);
	loyal_csat_resolve(&a, point);
	assert_int_equal(loyal_csat_compute(&r, &a), 0);
	assert_int_equal(r.responses, 11);
	assert_int_equal(r.satisfied, 6);
	assert_double_near(r.csat, 600.0 / 11.0, 1e-12);
	assert_double_near(r.mean, 37.0 / 11.0, 1e-12);
}

static void test_csat_custom_labels(void **state)
{
	loyal_csat_labels *l = NULL;
	loyal_csat acc;
	int answer;
	(void)state;

	assert_int_equal(loyal_csat_labels_new(&l), 0);
	assert_int_equal(loyal_csat_labels_parse(l, "好评=5,中评=3, Bad  one =1,满意=4"), 0);
	assert_int_equal(loyal_csat_labels_count(l), 4);
	loyal_csat_init(&acc, 1, 5);
	assert_int_equal(loyal_csat_read(&answer, &acc, l, "中评", strlen("中评")), 0);
	assert_int_equal(answer, 3);
	assert_int_equal(loyal_csat_read(&answer, &acc, l, "bad one", 7), 0);
	assert_int_equal(answer, 1);
	/* a custom label wins over the built-in one, and needs no decision */
	assert_int_equal(loyal_csat_read(&answer, &acc, l, "满意", strlen("满意")), 0);
	assert_int_equal(answer, 4);
	/* built-in labels still read */
	assert_int_equal(loyal_csat_read(&answer, &acc, l, "一般", strlen("一般")), 0);
	assert_int_equal(answer, LOYAL_CSAT_LABEL + 18);
	assert_int_equal(loyal_csat_labels_parse(l, "好评=4"), LOYAL_EINVAL);
	assert_int_equal(loyal_csat_labels_parse(l, "好评"), LOYAL_EINVAL);
	assert_int_equal(loyal_csat_labels_parse(l, "x=11"), LOYAL_EINVAL);
	assert_int_equal(loyal_csat_labels_parse(l, "=3"), LOYAL_EINVAL);
	/* custom labels work on any scale, within it */
	loyal_csat_init(&acc, 0, 10);
	assert_int_equal(loyal_csat_read(&answer, &acc, l, "好评", strlen("好评")), 0);
	assert_int_equal(answer, 5);
	loyal_csat_init(&acc, 1, 3);
	assert_int_equal(loyal_csat_read(&answer, &acc, l, "好评", strlen("好评")), LOYAL_EVALUE);
	loyal_csat_labels_free(l);
	loyal_csat_labels_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csat_hand_computed),
		cmocka_unit_test(test_csat_scales),
		cmocka_unit_test(test_csat_text_labels),
		cmocka_unit_test(test_csat_no_data_and_merge),
		cmocka_unit_test(test_csat_scale_of_a_column),
		cmocka_unit_test(test_csat_platform_scale_hand_computed),
		cmocka_unit_test(test_csat_custom_labels),
	};
	return loyal_test_status(cmocka_run_group_tests(tests, NULL, NULL));
}
