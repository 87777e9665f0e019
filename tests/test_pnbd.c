#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "loyal/pnbd.h"
#include "loyal/holdout.h"
#include "loyal/errors.h"
#include "bgnbd_p.h"
#include "helpers.h"

static loyal_pnbd_params params(double r, double alpha, double s, double beta)
{
	loyal_pnbd_params p;

	memset(&p, 0, sizeof(p));
	p.r = r, p.alpha = alpha, p.s = s, p.beta = beta;
	return p;
}

/* Fader & Hardie (2005), "A note on deriving the Pareto/NBD model and
 * related expressions", on the CDNOW sample in weeks: r = 0.553,
 * alpha = 10.58, s = 0.606, beta = 11.67, LL = -9594.98. The likelihood is
 * flat along s and beta, so those are compared to 3 significant digits. */
static void test_pnbd_cdnow_fit_matches_note(void **state)
{
	loyal_bgnbd_data *d = loyal_test_cdnow();
	loyal_pnbd_params p;
	int rc;

	(void)state;
	rc = loyal_pnbd_fit(&p, d, NULL);
	if (rc != 0)
		print_error("fit: %s\n", loyal_error_last()->message);
	assert_int_equal(rc, 0);
	print_message("r %.6g alpha %.6g s %.6g beta %.6g LL %.6f (%d iterations)\n", p.r,
		      p.alpha, p.s, p.beta, p.log_likelihood, p.iterations);
	assert_double_near(p.r, 0.553, 0.0005);
	assert_double_near(p.alpha, 10.58, 0.005);
	assert_double_near(p.s, 0.606, 0.0005);
	assert_double_near(p.beta, 11.7, 0.05);
	assert_double_near(p.log_likelihood, -9594.98, 0.005);
	assert_int_equal(p.customers, 2357);
	assert_true(p.converged);
	assert_double_near(p.penalty, 0.0, 0.0);
	/* standard errors exist and are smaller than the parameters */
	assert_true(p.se_r > 0 && p.se_r < p.r && p.se_alpha < p.alpha);
	assert_true(p.se_s > 0 && p.se_s < p.s && p.se_beta < p.beta);
	/* the log-likelihood function agrees with the fit's */
	double ll;
	assert_int_equal(loyal_pnbd_log_likelihood(&ll, &p, d), 0);
	assert_double_near(ll, p.log_likelihood, 1e-9);
	loyal_bgnbd_data_free(d);
}

/* References from mpmath at 30 digits with the likelihood as in the
 * paper, its integral from t_x to T computed by mpmath.quad (not through
 * 2F1 as the library does): alpha < beta, alpha > beta, and alpha/beta = 1000. */
static void test_pnbd_tiny_likelihood_matches_mpmath(void **state)
{
	static const struct {
		double r, alpha, s, beta, ll;
	} ref[] = {
		{ 0.5, 2.0, 0.7, 3.0, -63.21871475911746 },
		{ 1.5, 8.0, 0.4, 0.5, -66.975609197300168 },
		{ 0.3, 50.0, 2.0, 0.05, -161.42828672400993 },
	};
	loyal_bgnbd_data *d = loyal_test_tiny();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ref) / sizeof(ref[0]); i++) {
		loyal_pnbd_params p = params(ref[i].r, ref[i].alpha, ref[i].s, ref[i].beta);
		double ll = 0.0;
		assert_int_equal(loyal_pnbd_log_likelihood(&ll, &p, d), 0);
		assert_double_near(ll, ref[i].ll, 1e-10);
	}
	loyal_pnbd_params bad = params(0.5, -1.0, 0.7, 3.0);
	double ll;
	assert_int_equal(loyal_pnbd_log_likelihood(&ll, &bad, d), LOYAL_EINVAL);
	loyal_bgnbd_data_free(d);
}

/* The fit's gradient (analytic in alpha, beta and the gamma terms, central
 * differences of ln I in r and s) against a fourth-order difference of the
 * objective itself, at points on both sides of alpha = beta. */
static void test_pnbd_gradient_matches_differences(void **state)
{
	static const double pts[][4] = {
		{ 0.5, 2.0, 0.7, 3.0 }, { 1.5, 8.0, 0.4, 0.5 }, { 0.3, 50.0, 2.0, 0.05 },
		{ 0.553, 10.58, 0.606, 11.67 }, { 2.0, 2.0, 1.0, 2.0 },
	};
	loyal_bgnbd_data *d = loyal_test_tiny();
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(pts) / sizeof(pts[0]); i++) {
		double th[4], g[4], gd[4], h = 1e-3;
		for (k = 0; k < 4; k++)
			th[k] = log(pts[i][k]);
		assert_true(isfinite(loyal__pnbd_objective_at(d, th, g)));
		for (k = 0; k < 4; k++) {
			double t[4], f[4], scratch[4];
			int j;
			for (j = 0; j < 4; j++) {
				static const double step[4] = { -2, -1, 1, 2 };
				memcpy(t, th, sizeof(t));
				t[k] += step[j] * h;
				f[j] = loyal__pnbd_objective_at(d, t, scratch);
			}
			gd[k] = (f[0] - 8.0 * f[1] + 8.0 * f[2] - f[3]) / (12.0 * h);
			assert_double_near(g[k], gd[k], 1e-8 * (1.0 + fabs(gd[k])));
		}
	}
	loyal_bgnbd_data_free(d);
}

/* Predictions for a customer with x = 2, t_x = 5.5, T = 8, against mpmath:
 * P(alive) with the integral by quadrature; P(no purchase in 4 units) by a
 * double integral over the posterior Gamma(r+x, alpha+T) x Gamma(s, beta+T)
 * of 1 - lambda/(lambda+mu) (1 - e^-(lambda+mu) 4); the mean drop-out
 * probability per purchase by a double integral of mu/(lambda+mu) over the
 * prior. */
static void test_pnbd_predictions_match_mpmath(void **state)
{
	static const struct {
		double r, alpha, s, beta;
		double alive, ey4, none4, ex6, dropout;
	} ref[] = {
		{ 0.5, 2.0, 0.7, 3.0, 0.77391657109464977, 0.6917783501602009,
		  0.59815061140371124, 0.97597292578977338, 0.52910403465435986 },
		{ 1.5, 8.0, 0.4, 0.5, 0.82819314411333156, 0.6682236290401584,
		  0.58071626670878191, 0.57184162813063528, 0.57022793441612115 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ref) / sizeof(ref[0]); i++) {
		loyal_pnbd_params p = params(ref[i].r, ref[i].alpha, ref[i].s, ref[i].beta);
		assert_rel_near(loyal_pnbd_p_alive(&p, 2, 5.5, 8), ref[i].alive, 1e-12);
		assert_rel_near(loyal_pnbd_expected_conditional(&p, 4, 2, 5.5, 8), ref[i].ey4, 1e-12);
		assert_rel_near(loyal_pnbd_p_no_purchase(&p, 4, 2, 5.5, 8), ref[i].none4, 1e-10);
		assert_rel_near(loyal_pnbd_expected_unconditional(&p, 6), ref[i].ex6, 1e-12);
		assert_rel_near(loyal_pnbd_dropout_per_purchase(&p), ref[i].dropout, 1e-10);
	}
}

static void test_pnbd_prediction_edges(void **state)
{
	loyal_pnbd_params p = params(0.5, 2.0, 0.7, 3.0), q;
	double e0, e1, e2;

	(void)state;
	/* bought at the very end: nothing says they left */
	assert_double_near(loyal_pnbd_p_alive(&p, 3, 8, 8), 1.0, 0.0);
	/* a one-time buyer can have left */
	assert_true(loyal_pnbd_p_alive(&p, 0, 0, 8) < 1.0);
	/* t = 0 */
	assert_double_near(loyal_pnbd_expected_conditional(&p, 0, 2, 5.5, 8), 0.0, 0.0);
	assert_double_near(loyal_pnbd_p_no_purchase(&p, 0, 2, 5.5, 8), 1.0, 0.0);
	assert_double_near(loyal_pnbd_expected_unconditional(&p, 0), 0.0, 0.0);
	/* s = 1 is the limit of s -> 1 (a logarithm instead of a power) */
	q = params(0.5, 2.0, 1.0, 3.0);
	e1 = loyal_pnbd_expected_conditional(&q, 4, 2, 5.5, 8);
	q.s = 1.0 - 1e-7;
	e0 = loyal_pnbd_expected_conditional(&q, 4, 2, 5.5, 8);
	q.s = 1.0 + 1e-7;
	e2 = loyal_pnbd_expected_conditional(&q, 4, 2, 5.5, 8);
	assert_rel_near(e1, 0.5 * (e0 + e2), 1e-9);
	/* P(none) and E[Y] move in opposite directions with the horizon */
	assert_true(loyal_pnbd_p_no_purchase(&p, 10, 2, 5.5, 8) <
		    loyal_pnbd_p_no_purchase(&p, 4, 2, 5.5, 8));
	assert_true(loyal_pnbd_p_no_purchase(&p, 1e6, 2, 5.5, 8) >=
		    1.0 - loyal_pnbd_p_alive(&p, 2, 5.5, 8));
	/* invalid input */
	assert_true(isnan(loyal_pnbd_p_alive(NULL, 2, 5.5, 8)));
	assert_true(isnan(loyal_pnbd_p_alive(&p, 2, 9, 8)));
	assert_true(isnan(loyal_pnbd_p_alive(&p, 2.5, 5, 8)));
	assert_true(isnan(loyal_pnbd_expected_conditional(&p, -1, 2, 5.5, 8)));
	assert_true(isnan(loyal_pnbd_p_no_purchase(&p, NAN, 2, 5.5, 8)));
	q = params(0.5, 2.0, 0.0, 3.0);
	assert_true(isnan(loyal_pnbd_dropout_per_purchase(&q)));
	assert_true(isnan(loyal_pnbd_expected_unconditional(&q, 1)));
}

static void test_pnbd_score_and_cumulative(void **state)
{
	loyal_pnbd_params p = params(0.553, 10.58, 0.606, 11.67);
	const double x[] = { 0, 2, 7, 1, 3 }, tx[] = { 0, 30.43, 35, 2, 9 },
		     T[] = { 38.86, 38.86, 36, 10, 8 };
	double alive[5], ey[5], s[2] = { 0, 1.5 }, count[2] = { 10, 5 }, t[2] = { 1, 20 },
	       out[2];
	size_t i;

	(void)state;
	assert_int_equal(loyal_pnbd_score(&p, 39, 5, x, tx, T, alive, ey), 0);
	for (i = 0; i < 4; i++) {
		assert_double_near(alive[i], loyal_pnbd_p_alive(&p, x[i], tx[i], T[i]), 0.0);
		assert_double_near(ey[i], loyal_pnbd_expected_conditional(&p, 39, x[i], tx[i], T[i]),
				   0.0);
	}
	assert_true(isnan(alive[4]) && isnan(ey[4])); /* t_x > T */
	assert_int_equal(loyal_pnbd_score(&p, -1, 5, x, tx, T, alive, ey), LOYAL_EINVAL);
	assert_int_equal(loyal_pnbd_cumulative(&p, 2, s, count, 2, t, out), 0);
	assert_rel_near(out[0], 10 * loyal_pnbd_expected_unconditional(&p, 1), 1e-15);
	assert_rel_near(out[1], 10 * loyal_pnbd_expected_unconditional(&p, 20)
				+ 5 * loyal_pnbd_expected_unconditional(&p, 18.5), 1e-15);
	p.s = -1;
	assert_int_equal(loyal_pnbd_cumulative(&p, 2, s, count, 2, t, out), LOYAL_EINVAL);
}

/* Customers simulated from the model (fixed seed) are fitted back to the
 * parameters within 3 standard errors. */
static void test_pnbd_fit_recovers_simulated_parameters(void **state)
{
	const double r = 0.8, alpha = 6.0, s = 0.7, beta = 9.0;
	loyal_bgnbd_data *d = NULL;
	loyal_pnbd_params p;
	int i, rc;

	(void)state;
	loyal_test_seed(7);
	assert_int_equal(loyal_bgnbd_data_new(&d), 0);
	for (i = 0; i < 20000; i++) {
		double lambda = loyal_test_gamma(r) / alpha, mu = loyal_test_gamma(s) / beta;
		double T = (double)(1 + i % 52), death = -log(loyal_test_uniform()) / mu;
		double t = 0.0, t_x = 0.0, x = 0.0, end = death < T ? death : T;
		for (;;) {
			t += -log(loyal_test_uniform()) / lambda;
			if (t > end)
				break;
			x += 1.0;
			t_x = t;
		}
		assert_int_equal(loyal_bgnbd_data_add(d, x, t_x, T), 0);
	}
	rc = loyal_pnbd_fit(&p, d, NULL);
	if (rc != 0)
		print_error("fit: %s\n", loyal_error_last()->message);
	assert_int_equal(rc, 0);
	print_message("r %.4g (%.2g) alpha %.4g (%.2g) s %.4g (%.2g) beta %.4g (%.2g)\n", p.r,
		      p.se_r, p.alpha, p.se_alpha, p.s, p.se_s, p.beta, p.se_beta);
	assert_double_near(p.r, r, 3.0 * p.se_r);
	assert_double_near(p.alpha, alpha, 3.0 * p.se_alpha);
	assert_double_near(p.s, s, 3.0 * p.se_s);
	assert_double_near(p.beta, beta, 3.0 * p.se_beta);
	loyal_bgnbd_data_free(d);
}

/* Customers who all buy at the same steady pace and never leave: nothing
 * determines the drop-out heterogeneity, and the fit says so rather than
 * print parameters. */
static void test_pnbd_undetermined_fit_is_refused(void **state)
{
	loyal_bgnbd_data *d = NULL;
	loyal_pnbd_params p;
	int i, rc;

	(void)state;
	assert_int_equal(loyal_bgnbd_data_new(&d), 0);
	for (i = 0; i < 300; i++) {
		double T = 20.0 + i % 30;
		/* a purchase every 2 units, the last one within 2 units of T */
		double x = floor(T / 2.0);
		assert_int_equal(loyal_bgnbd_data_add(d, x, 2.0 * x, T), 0);
	}
	rc = loyal_pnbd_fit(&p, d, NULL);
	assert_int_equal(rc, LOYAL_ECONVERGE);
	print_message("%s\n", loyal_error_last()->message);
	assert_false(p.converged);
	assert_true(isnan(p.se_r));
	loyal_bgnbd_data_free(d);
}

/* The penalty pulls the log-parameters towards 0 (the parameters towards
 * 1) at the cost of likelihood; version 1 options have no penalty. */
static void test_pnbd_penalty(void **state)
{
	loyal_bgnbd_data *d = loyal_test_cdnow();
	loyal_bgnbd_fit_options o = LOYAL_BGNBD_FIT_OPTIONS_INIT;
	loyal_pnbd_params p0, p1;

	(void)state;
	assert_int_equal(loyal_pnbd_fit(&p0, d, NULL), 0);
	o.penalty = 0.01;
	assert_int_equal(loyal_pnbd_fit(&p1, d, &o), 0);
	assert_double_near(p1.penalty, 0.01, 0.0);
	assert_true(p1.log_likelihood < p0.log_likelihood);
	assert_true(fabs(log(p1.alpha)) < fabs(log(p0.alpha)));
	assert_true(fabs(log(p1.beta)) < fabs(log(p0.beta)));
	o.version = 1; /* a version 1 struct has no penalty field: ignored */
	assert_int_equal(loyal_pnbd_fit(&p1, d, &o), 0);
	assert_double_near(p1.log_likelihood, p0.log_likelihood, 1e-9);
	o.version = 2;
	o.penalty = -1;
	assert_int_equal(loyal_pnbd_fit(&p1, d, &o), LOYAL_EINVAL);
	o.penalty = 0;
	o.version = LOYAL_BGNBD_FIT_OPTIONS_VERSION + 1; /* not defined yet */
	assert_int_equal(loyal_pnbd_fit(&p1, d, &o), LOYAL_EINVAL);
	loyal_bgnbd_data_free(d);
}

static void test_pnbd_fit_needs_repeat_customers(void **state)
{
	loyal_bgnbd_data *d = NULL;
	loyal_pnbd_params p;

	(void)state;
	assert_int_equal(loyal_bgnbd_data_new(&d), 0);
	assert_int_equal(loyal_pnbd_fit(&p, d, NULL), LOYAL_ENODATA);
	assert_int_equal(loyal_bgnbd_data_add(d, 1, 2, 5), 0);
	assert_int_equal(loyal_bgnbd_data_add(d, 0, 0, 5), 0);
	assert_int_equal(loyal_pnbd_fit(&p, d, NULL), LOYAL_ENODATA);
	assert_int_equal(loyal_pnbd_fit(NULL, d, NULL), LOYAL_EINVAL);
	loyal_bgnbd_data_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pnbd_cdnow_fit_matches_note),
		cmocka_unit_test(test_pnbd_tiny_likelihood_matches_mpmath),
		cmocka_unit_test(test_pnbd_gradient_matches_differences),
		cmocka_unit_test(test_pnbd_predictions_match_mpmath),
		cmocka_unit_test(test_pnbd_prediction_edges),
		cmocka_unit_test(test_pnbd_score_and_cumulative),
		cmocka_unit_test(test_pnbd_fit_recovers_simulated_parameters),
		cmocka_unit_test(test_pnbd_undetermined_fit_is_refused),
		cmocka_unit_test(test_pnbd_penalty),
		cmocka_unit_test(test_pnbd_fit_needs_repeat_customers),
	};

	return loyal_test_status(cmocka_run_group_tests(tests, NULL, NULL));
}
