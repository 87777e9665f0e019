#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "helpers.h"
#include "loyal.h"

/* 30/100 against 20/100: pooled s = 0.25, se = sqrt(0.25 x 0.75 x 0.02)
 * = 0.0612372, z = 0.1 / se = 1.6329932, p = erfc(z / sqrt 2) = 0.1024704
 * (scipy: 2 * norm.sf(z)). */
static void test_ztest_shares_hand_computed(void **state)
{
	loyal_ztest t = LOYAL_ZTEST_INIT;
	(void)state;

	assert_int_equal(loyal_ztest_shares(&t, 30, 100, 20, 100), 0);
	assert_double_near(t.difference, 10.0, 1e-12);
	assert_double_near(t.z, 1.6329931618554518, 1e-12);
	assert_double_near(t.p_value, 0.10247043485974941, 1e-12);
	assert_int_equal(t.significant, 0);
	assert_int_equal(loyal_ztest_shares(&t, 20, 100, 30, 100), 0);
	assert_double_near(t.z, -1.6329931618554518, 1e-12);
}

static void test_ztest_shares_undefined(void **state)
{
	loyal_ztest t = LOYAL_ZTEST_INIT;
	(void)state;

	/* everyone churned in both groups: no variance, no test */
	assert_int_equal(loyal_ztest_shares(&t, 5, 5, 3, 3), 0);
	assert_double_near(t.difference, 0.0, 0);
	assert_true(isnan(t.z) && isnan(t.p_value));
	assert_int_equal(t.significant, -1);
	assert_int_equal(loyal_ztest_shares(&t, 0, 0, 3, 3), LOYAL_ENODATA);
	assert_int_equal(loyal_ztest_shares(&t, 4, 3, 3, 3), LOYAL_EINVAL);
}

static void add_many(loyal_nps *acc, int score, int n)
{
	for (int i = 0; i < n; i++)
		assert_int_equal(loyal_nps_add(acc, score), 0);
}

/* A: 10 answers, 3 promoters, 5 detractors: NPS -20, variance 0.076.
 * B: 20 answers, 12 promoters, 2 detractors: NPS 50, variance
 * (0.7 - 0.25) / 20 = 0.0225. z = -0.70 / sqrt(0.0985) = -2.2303855,
 * p = 0.0257219: significant. */
static void test_ztest_nps_hand_computed(void **state)
{
	loyal_nps a = LOYAL_NPS_INIT, b = LOYAL_NPS_INIT;
	loyal_nps_result ra = LOYAL_NPS_RESULT_INIT, rb = LOYAL_NPS_RESULT_INIT;
	loyal_ztest t = LOYAL_ZTEST_INIT;
	(void)state;

	add_many(&a, 10, 3);
	add_many(&a, 7, 2);
	add_many(&a, 3, 5);
	add_many(&b, 9, 12);
	add_many(&b, 8, 6);
	add_many(&b, 0, 2);
	assert_int_equal(loyal_nps_compute(&ra, &a), 0);
	assert_int_equal(loyal_nps_compute(&rb, &b), 0);
	assert_int_equal(loyal_ztest_nps(&t, &ra, &rb), 0);
	assert_double_near(t.difference, -70.0, 1e-9);
	assert_double_near(t.z, -2.2303854575700814, 1e-9);
	assert_double_near(t.p_value, 0.02572186417677959, 1e-9);
	assert_int_equal(t.significant, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ztest_shares_hand_computed),
		cmocka_unit_test(test_ztest_shares_undefined),
		cmocka_unit_test(test_ztest_nps_hand_computed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
