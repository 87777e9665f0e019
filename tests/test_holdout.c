#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>

#include "helpers.h"
#include "loyal.h"
#include "loyal/holdout.h"

/* predicted 1,2,3 against actual 1,3,2: errors 0,-1,1.
 * mae = 2/3, rmse = sqrt(2/3); both means 2, co-moment 1, variances 2 and 2,
 * so the correlation is 1/2. */
static void test_holdout_hand_computed(void **state)
{
	loyal_holdout h = LOYAL_HOLDOUT_INIT;
	loyal_holdout_result r = LOYAL_HOLDOUT_RESULT_INIT;
	(void)state;

	assert_int_equal(loyal_holdout_add(&h, 1, 1), 0);
	assert_int_equal(loyal_holdout_add(&h, 2, 3), 0);
	assert_int_equal(loyal_holdout_add(&h, 3, 2), 0);
	assert_int_equal(loyal_holdout_compute(&r, &h), 0);
	assert_int_equal(r.customers, 3);
	assert_double_near(r.predicted, 6, 1e-12);
	assert_double_near(r.actual, 6, 1e-12);
	assert_double_near(r.mae, 2.0 / 3.0, 1e-12);
	assert_double_near(r.rmse, sqrt(2.0 / 3.0), 1e-12);
	assert_double_near(r.correlation, 0.5, 1e-12);
}

static void test_holdout_undefined_correlation_and_empty(void **state)
{
	loyal_holdout h = LOYAL_HOLDOUT_INIT;
	loyal_holdout_result r = LOYAL_HOLDOUT_RESULT_INIT;
	(void)state;

	assert_int_equal(loyal_holdout_compute(&r, &h), LOYAL_ENODATA);
	loyal_holdout_add(&h, 1, 0);
	loyal_holdout_add(&h, 2, 0);
	assert_int_equal(loyal_holdout_compute(&r, &h), 0);
	assert_true(isnan(r.correlation));
	assert_int_equal(loyal_holdout_add(&h, NAN, 0), LOYAL_EINVAL);
}

/* The cumulative curve is the count-weighted sum of E[X(t - s)]. The
 * expected values are not computed with libloyal: E[X(t)] = (a + b - 1) /
 * (a - 1) * (1 - (alpha / (alpha + t))^r * 2F1(r, b; a + b - 1; t / (alpha +
 * t))) (Fader, Hardie & Lee 2005, eq. 9) with scipy.special.hyp2f1, and
 * again with the hypergeometric power series summed term by term in
 * Python (the two agree to 3e-14):
 *   out[1] = 10 E[X(2)] + 5 E[X(0.5)]              = 1.1674233997221868
 *   out[2] = 10 E[X(10)] + 5 E[X(8.5)] + 2 E[X(7)] = 6.844790209798903 */
static void test_holdout_cumulative_matches_direct_sum(void **state)
{
	loyal_bgnbd_params p = { 0 };
	double s[] = { 0, 1.5, 3 }, count[] = { 10, 5, 2 }, t[] = { 0, 2, 10 }, out[3];
	(void)state;

	p.r = 0.2426;
	p.alpha = 4.4136;
	p.a = 0.7929;
	p.b = 2.4259;
	assert_int_equal(loyal_bgnbd_cumulative(&p, 3, s, count, 3, t, out), 0);
	assert_double_near(out[0], 0, 0);
	assert_double_near(out[1], 1.1674233997221868, 1e-10);
	assert_double_near(out[2], 6.844790209798903, 1e-10);
	assert_true(out[2] > out[1]);
	p.a = -1;
	assert_int_equal(loyal_bgnbd_cumulative(&p, 3, s, count, 3, t, out), LOYAL_EINVAL);
	/* checked even when no term needs the model */
	assert_int_equal(loyal_bgnbd_cumulative(&p, 0, NULL, NULL, 3, t, out), LOYAL_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_holdout_hand_computed),
		cmocka_unit_test(test_holdout_undefined_correlation_and_empty),
		cmocka_unit_test(test_holdout_cumulative_matches_direct_sum),
	};
	return loyal_test_status(cmocka_run_group_tests(tests, NULL, NULL));
}
