#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>

#include "helpers.h"
#include "loyal.h"

static const double x[] = { 2, 0, 7 }, t_x[] = { 30.43, 0, 35.0 }, T[] = { 38.86, 38.86, 38.86 };
static const double spend[] = { 35.0, 20.0, 50.0 };

/*
 * Three customers (weeks) under the BG/NBD parameters of CDNOW (Fader,
 * Hardie & Lee 2005), 12 months of 30 days, 1% a month. The expected values
 * are not computed with libloyal: E[Y(t) | x, t_x, T] of the paper's
 * equation (10) and P(alive) in Python, the Gauss hypergeometric function
 * once with scipy.special.hyp2f1 and once as its power series summed term
 * by term (the two agree to 3e-15 relative), summed as
 * sum_k (E[Y(30k/7)] - E[Y(30(k-1)/7)]) * spend / 1.01^k.
 */
static void test_clv_bgnbd_independent(void **state)
{
	loyal_bgnbd_params p = { 0 };
	double clv[3], expected[3], alive[3];
	static const double want_clv[] = { 50.915237533314745, 4.687884951832297,
					   258.0058463346456 };
	static const double want_e[] = { 1.5445553117991584, 0.24923878003738237,
					 5.473213287190461 };
	static const double want_pa[] = { 0.7266140448542472, 1.0, 0.8437869432096495 };
	(void)state;

	p.r = 0.2426;
	p.alpha = 4.4136;
	p.a = 0.7929;
	p.b = 2.4259;
	assert_int_equal(loyal_clv_bgnbd(clv, expected, alive, &p, 3, x, t_x, T, spend, NULL), 0);
	for (int i = 0; i < 3; i++) {
		assert_double_near(clv[i], want_clv[i], 1e-9 * want_clv[i]);
		assert_double_near(expected[i], want_e[i], 1e-10);
		assert_double_near(alive[i], want_pa[i], 1e-12);
	}
	/* the expected and p_alive outputs are optional */
	double again[3];
	assert_int_equal(loyal_clv_bgnbd(again, NULL, NULL, &p, 3, x, t_x, T, spend, NULL), 0);
	for (int i = 0; i < 3; i++)
		assert_double_near(again[i], clv[i], 0);
}

/* Without discounting the sum telescopes: clv = E[Y(h_M)] * spend, for any
 * model; and one period of 12 * 30 days gives that value too. */
static void test_clv_undiscounted_telescopes(void **state)
{
	loyal_pnbd_params pn = { 0 };
	loyal_bgnbd_params mb = { 0 };
	loyal_clv_options o = LOYAL_CLV_OPTIONS_INIT, one = LOYAL_CLV_OPTIONS_INIT;
	double clv[3], e[3], clv1[3];
	(void)state;

	pn.r = 0.55;
	pn.alpha = 10.58;
	pn.s = 0.61;
	pn.beta = 11.67;
	mb.r = 0.2426;
	mb.alpha = 4.4136;
	mb.a = 0.7929;
	mb.b = 2.4259;
	o.discount = 0;
	one.discount = 0;
	one.periods = 1;
	one.period_days = 360;
	assert_int_equal(loyal_clv_pnbd(clv, e, NULL, &pn, 3, x, t_x, T, spend, &o), 0);
	assert_int_equal(loyal_clv_pnbd(clv1, NULL, NULL, &pn, 3, x, t_x, T, spend, &one), 0);
	for (int i = 0; i < 3; i++) {
		assert_true(e[i] > 0);
		assert_double_near(clv[i], e[i] * spend[i], 1e-9 * clv[i]);
		assert_double_near(clv1[i], clv[i], 1e-9 * clv[i]);
	}
	assert_int_equal(loyal_clv_mbgnbd(clv, e, NULL, &mb, 3, x, t_x, T, spend, &o), 0);
	for (int i = 0; i < 3; i++)
		assert_double_near(clv[i], e[i] * spend[i], 1e-9 * clv[i]);
	/* discounting lowers every value */
	o.discount = 0.05;
	assert_int_equal(loyal_clv_mbgnbd(clv1, NULL, NULL, &mb, 3, x, t_x, T, spend, &o), 0);
	for (int i = 0; i < 3; i++)
		assert_true(clv1[i] < clv[i]);
}

static void test_clv_invalid(void **state)
{
	loyal_bgnbd_params p = { 0 };
	loyal_clv_options o = LOYAL_CLV_OPTIONS_INIT;
	double clv[3];
	(void)state;

	p.r = 0.2426;
	p.alpha = 4.4136;
	p.a = 0.7929;
	p.b = 2.4259;
	o.discount = 1;
	assert_int_equal(loyal_clv_bgnbd(clv, NULL, NULL, &p, 3, x, t_x, T, spend, &o),
			 LOYAL_EINVAL);
	o = (loyal_clv_options)LOYAL_CLV_OPTIONS_INIT;
	o.periods = 0;
	assert_int_equal(loyal_clv_bgnbd(clv, NULL, NULL, &p, 3, x, t_x, T, spend, &o),
			 LOYAL_EINVAL);
	o = (loyal_clv_options)LOYAL_CLV_OPTIONS_INIT;
	o.version = LOYAL_CLV_OPTIONS_VERSION + 1;
	assert_int_equal(loyal_clv_bgnbd(clv, NULL, NULL, &p, 3, x, t_x, T, spend, &o),
			 LOYAL_EINVAL);
	assert_int_equal(loyal_clv_bgnbd(clv, NULL, NULL, &p, 3, x, t_x, T, NULL, NULL),
			 LOYAL_EINVAL);
	p.a = -1;
	assert_int_equal(loyal_clv_bgnbd(clv, NULL, NULL, &p, 3, x, t_x, T, spend, NULL),
			 LOYAL_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clv_bgnbd_independent),
		cmocka_unit_test(test_clv_undiscounted_telescopes),
		cmocka_unit_test(test_clv_invalid),
	};
	return loyal_test_status(cmocka_run_group_tests(tests, NULL, NULL));
}
