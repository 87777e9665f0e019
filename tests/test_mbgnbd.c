#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "loyal/mbgnbd.h"
#include "loyal/holdout.h"
#include "loyal/errors.h"
#include "bgnbd_p.h"
#include "helpers.h"

static loyal_mbgnbd_params params(double r, double alpha, double a, double b)
{
	loyal_mbgnbd_params p;

	memset(&p, 0, sizeof(p));
	p.r = r, p.alpha = alpha, p.a = a, p.b = b;
	return p;
}

/* The CDNOW sample in weeks: r = 0.5248, alpha = 6.1831, a = 0.8914,
 * b = 1.6140, LL = -9582.14 (BTYDplus's and lifetimes' published fits). */
static void test_mbgnbd_cdnow_fit_matches_reference(void **state)
{
	loyal_bgnbd_data *d = loyal_test_cdnow();
	loyal_mbgnbd_params p;
	double ll;
	int rc;

	(void)state;
	rc = loyal_mbgnbd_fit(&p, d, NULL);
	if (rc != 0)
		print_error("fit: %s\n", loyal_error_last()->message);
	assert_int_equal(rc, 0);
	print_message("r %.6g alpha %.6g a %.6g b %.6g LL %.6f\n", p.r, p.alpha, p.a, p.b,
		      p.log_likelihood);
	assert_double_near(p.r, 0.5248, 0.00005);
	assert_double_near(p.alpha, 6.1831, 0.00005);
	assert_double_near(p.a, 0.8914, 0.00005);
	assert_double_near(p.b, 1.6140, 0.00005);
	assert_double_near(p.log_likelihood, -9582.14, 0.005);
	assert_true(p.converged && p.customers == 2357);
	assert_true(p.se_a > 0 && p.se_a < p.a && p.se_b < p.b);
	assert_int_equal(loyal_mbgnbd_log_likelihood(&ll, &p, d), 0);
	assert_double_near(ll, p.log_likelihood, 1e-9);
	loyal_bgnbd_data_free(d);
}

/* mpmath at 30 digits, with L written with beta and gamma functions:
 *   B(a,b+x+1)/B(a,b) G(r+x) al^r / (G(r) (al+T)^(r+x))
 *   + B(a+1,b+x)/B(a,b) G(r+x) al^r / (G(r) (al+tx)^(r+x)) */
static void test_mbgnbd_tiny_likelihood_matches_mpmath(void **state)
{
	loyal_bgnbd_data *d = loyal_test_tiny();
	loyal_mbgnbd_params p = params(0.5, 2.0, 0.8, 1.7);
	double ll = 0.0;

	(void)state;
	assert_int_equal(loyal_mbgnbd_log_likelihood(&ll, &p, d), 0);
	assert_double_near(ll, -64.182585468078625, 1e-9);
	p = params(2.5, 0.3, 3.1, 0.05);
	assert_int_equal(loyal_mbgnbd_log_likelihood(&ll, &p, d), 0);
	assert_double_near(ll, -103.17272495349405, 1e-9);
	loyal_bgnbd_data_free(d);
}

/* The analytic gradient of BG/NBD and MBG/NBD against a fourth-order
 * difference of the objective. */
static void test_mbgnbd_gradient_matches_differences(void **state)
{
	static const double pts[][4] = {
		{ 0.5, 2.0, 0.8, 1.7 }, { 2.5, 0.3, 3.1, 0.05 }, { 0.5248, 6.1831, 0.8914, 1.614 },
	};
	loyal_bgnbd_data *d = loyal_test_tiny();
	size_t i, k;
	int modified;

	(void)state;
	for (modified = 0; modified <= 1; modified++) {
		for (i = 0; i < sizeof(pts) / sizeof(pts[0]); i++) {
			double th[4], g[4], h = 1e-3;
			for (k = 0; k < 4; k++)
				th[k] = log(pts[i][k]);
			assert_true(isfinite(loyal__bg_objective_at(d, modified, th, g)));
			for (k = 0; k < 4; k++) {
				static const double step[4] = { -2, -1, 1, 2 };
				double t[4], f[4], scratch[4], gd;
				for (int j = 0; j < 4; j++) {
					memcpy(t, th, sizeof(t));
					t[k] += step[j] * h;
					f[j] = loyal__bg_objective_at(d, modified, t, scratch);
				}
				gd = (f[0] - 8.0 * f[1] + 8.0 * f[2] - f[3]) / (12.0 * h);
				assert_double_near(g[k], gd, 1e-8 * (1.0 + fabs(gd)));
			}
		}
	}
	loyal_bgnbd_data_free(d);
}

/* Predictions against mpmath quadrature over the drop-out probability p,
 * not through 2F1: an alive customer with rate lambda and drop-out
 * probability p makes (1 - e^(-lambda p t))/p purchases in t on average;
 * lambda integrates out in closed form, p numerically under its posterior
 * Beta(a, b+x+1) (conditional) or (1-p) under Beta(a, b) (a new
 * customer). r 0.5, alpha 2, a 0.8, b 1.7; x = 2, t_x = 5.5, T = 8. */
static void test_mbgnbd_predictions_match_mpmath(void **state)
{
	loyal_mbgnbd_params p = params(0.5, 2.0, 0.8, 1.7);

	(void)state;
	assert_rel_near(loyal_mbgnbd_p_alive(&p, 2, 5.5, 8), 0.69259326980533276, 1e-13);
	assert_rel_near(loyal_mbgnbd_expected_conditional(&p, 4, 2, 5.5, 8), 0.63183339003603992,
			1e-12);
	assert_rel_near(loyal_mbgnbd_p_no_purchase(&p, 4, 2, 5.5, 8), 0.60605374487441847, 1e-13);
	assert_rel_near(loyal_mbgnbd_expected_unconditional(&p, 6), 0.73478909423867716, 1e-12);
	/* unlike BG/NBD, a one-time buyer can have left */
	assert_rel_near(loyal_mbgnbd_p_alive(&p, 0, 0, 10), 0.46453268440539178, 1e-13);
	assert_double_near(loyal_mbgnbd_expected_conditional(&p, 0, 2, 5.5, 8), 0.0, 0.0);
	assert_double_near(loyal_mbgnbd_p_no_purchase(&p, 0, 2, 5.5, 8), 1.0, 0.0);
	assert_true(isnan(loyal_mbgnbd_p_alive(&p, 2, 9, 8)));
	p.a = 0;
	assert_true(isnan(loyal_mbgnbd_p_alive(&p, 2, 5.5, 8)));
}

static void test_mbgnbd_score_and_cumulative(void **state)
{
	loyal_mbgnbd_params p = params(0.5248, 6.1831, 0.8914, 1.614);
	const double x[] = { 0, 2, 7, 1 }, tx[] = { 0, 30.43, 35, 2 }, T[] = { 38.86, 38.86, 36, 10 };
	double alive[4], ey[4], s[2] = { 0, 1.5 }, count[2] = { 10, 5 }, t[2] = { 1, 20 }, out[2];

	(void)state;
	assert_int_equal(loyal_mbgnbd_score(&p, 39, 4, x, tx, T, alive, ey), 0);
	for (size_t i = 0; i < 4; i++) {
		assert_double_near(alive[i], loyal_mbgnbd_p_alive(&p, x[i], tx[i], T[i]), 0.0);
		assert_rel_near(ey[i], loyal_mbgnbd_expected_conditional(&p, 39, x[i], tx[i], T[i]),
				1e-15);
	}
	assert_int_equal(loyal_mbgnbd_cumulative(&p, 2, s, count, 2, t, out), 0);
	assert_rel_near(out[1], 10 * loyal_mbgnbd_expected_unconditional(&p, 20)
				+ 5 * loyal_mbgnbd_expected_unconditional(&p, 18.5), 1e-15);
}

/* Customers simulated from MBG/NBD (drop-out possible at every purchase,
 * the first included) are fitted back within 3 standard errors. */
static void test_mbgnbd_fit_recovers_simulated_parameters(void **state)
{
	const double r = 0.6, alpha = 5.0, a = 1.2, b = 3.0;
	loyal_bgnbd_data *d = NULL;
	loyal_mbgnbd_params p;
	int i, rc;

	(void)state;
	loyal_test_seed(11);
	assert_int_equal(loyal_bgnbd_data_new(&d), 0);
	for (i = 0; i < 20000; i++) {
		double lambda, drop, T = (double)(1 + i % 52), x, t_x;
		loyal_test_bg_customer(r, alpha, a, b, &lambda, &drop);
		loyal_test_bg_purchases(lambda, drop, 1, T, &x, &t_x);
		assert_int_equal(loyal_bgnbd_data_add(d, x, t_x, T), 0);
	}
	rc = loyal_mbgnbd_fit(&p, d, NULL);
	if (rc != 0)
		print_error("fit: %s\n", loyal_error_last()->message);
	assert_int_equal(rc, 0);
	print_message("r %.4g (%.2g) alpha %.4g (%.2g) a %.4g (%.2g) b %.4g (%.2g)\n", p.r,
		      p.se_r, p.alpha, p.se_alpha, p.a, p.se_a, p.b, p.se_b);
	assert_double_near(p.r, r, 3.0 * p.se_r);
	assert_double_near(p.alpha, alpha, 3.0 * p.se_alpha);
	assert_double_near(p.a, a, 3.0 * p.se_a);
	assert_double_near(p.b, b, 3.0 * p.se_b);
	loyal_bgnbd_data_free(d);
}

/* BG/NBD's penalty and P(no purchase), which share this code. */
static void test_mbgnbd_bgnbd_penalty_and_no_purchase(void **state)
{
	loyal_bgnbd_data *d = loyal_test_cdnow();
	loyal_bgnbd_fit_options o = LOYAL_BGNBD_FIT_OPTIONS_INIT;
	loyal_bgnbd_params p0, p1;
	double alive;

	(void)state;
	assert_int_equal(loyal_bgnbd_fit(&p0, d, NULL), 0);
	assert_double_near(p0.penalty, 0.0, 0.0);
	o.penalty = 0.05;
	assert_int_equal(loyal_bgnbd_fit(&p1, d, &o), 0);
	assert_true(p1.log_likelihood < p0.log_likelihood);
	assert_true(fabs(log(p1.r)) < fabs(log(p0.r)));
	assert_double_near(p1.penalty, 0.05, 0.0);
	/* a larger penalty gives up more likelihood */
	o.penalty = 0.5;
	assert_int_equal(loyal_bgnbd_fit(&p0, d, &o), 0);
	assert_true(p0.log_likelihood < p1.log_likelihood);

	p0 = p1;
	p0.r = 0.2426, p0.alpha = 4.4136, p0.a = 0.7929, p0.b = 2.4259;
	alive = loyal_bgnbd_p_alive(&p0, 2, 30.43, 38.86);
	assert_rel_near(loyal_bgnbd_p_no_purchase(&p0, 39, 2, 30.43, 38.86),
			1.0 - alive + alive * pow((4.4136 + 38.86) / (4.4136 + 38.86 + 39), 2.2426),
			1e-14);
	assert_double_near(loyal_bgnbd_p_no_purchase(&p0, 39, 0, 0, 38.86),
			   pow((4.4136 + 38.86) / (4.4136 + 38.86 + 39), 0.2426), 1e-15);
	loyal_bgnbd_data_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mbgnbd_cdnow_fit_matches_reference),
		cmocka_unit_test(test_mbgnbd_tiny_likelihood_matches_mpmath),
		cmocka_unit_test(test_mbgnbd_gradient_matches_differences),
		cmocka_unit_test(test_mbgnbd_predictions_match_mpmath),
		cmocka_unit_test(test_mbgnbd_score_and_cumulative),
		cmocka_unit_test(test_mbgnbd_fit_recovers_simulated_parameters),
		cmocka_unit_test(test_mbgnbd_bgnbd_penalty_and_no_purchase),
	};

	return loyal_test_status(cmocka_run_group_tests(tests, NULL, NULL));
}
