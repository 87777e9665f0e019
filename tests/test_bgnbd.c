#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "loyal/bgnbd.h"
#include "loyal/mbgnbd.h"
#include "loyal/errors.h"
#include "helpers.h"

/* ------------------------------------------------------------ CDNOW */

static void fit_cdnow(loyal_bgnbd_params *p)
{
	loyal_bgnbd_data *d = loyal_test_cdnow();
	int rc = loyal_bgnbd_fit(p, d, NULL);

	if (rc != 0)
		print_error("fit: %s\n", loyal_error_last()->message);
	assert_int_equal(rc, 0);
	assert_int_equal(loyal_bgnbd_data_customers(d), 2357);
	loyal_bgnbd_data_free(d);
}

/* Fader, Hardie & Lee (2005), section 5: r = 0.243, alpha = 4.414,
 * a = 0.793, b = 2.426, LL = -9582.4. */
static void test_bgnbd_cdnow_fit_matches_paper(void **state)
{
	loyal_bgnbd_params p;

	(void)state;
	fit_cdnow(&p);
	assert_double_near(p.r, 0.2426, 0.00005);
	assert_double_near(p.alpha, 4.4136, 0.0005);
	assert_double_near(p.a, 0.7929, 0.00005);
	assert_double_near(p.b, 2.4259, 0.0005);
	assert_double_near(p.log_likelihood, -9582.43, 0.005);
	assert_int_equal(p.customers, 2357);
	assert_int_equal(p.converged, 1);
	assert_true(p.iterations > 0);
}

/* Standard errors as the lifetimes package reports them for this data
 * (0.012557, 0.378221, 0.185719, 0.705345); recomputed independently with
 * /usr/bin/python3 + numpy: a 4-point finite-difference Hessian of the
 * total log-likelihood in log-parameters at the scipy optimum, inverted,
 * se = v * sqrt(diag): 0.0125574, 0.378224, 0.185735, 0.705422. */
static void test_bgnbd_cdnow_standard_errors(void **state)
{
	loyal_bgnbd_params p;

	(void)state;
	fit_cdnow(&p);
	assert_double_near(p.se_r, 0.012557, 0.00001);
	assert_double_near(p.se_alpha, 0.37822, 0.0003);
	assert_double_near(p.se_a, 0.18573, 0.0002);
	assert_double_near(p.se_b, 0.70542, 0.0007);
}

/* The paper's example (section 5): a customer with x = 2, t_x = 30.43,
 * T = 38.86 is expected to make 1.226 purchases in the next 39 weeks; the
 * BTYD/lifetimes P(alive) for the same customer is 0.7266. */
static void test_bgnbd_cdnow_customer_prediction(void **state)
{
	loyal_bgnbd_params p;

	(void)state;
	fit_cdnow(&p);
	assert_double_near(loyal_bgnbd_expected_conditional(&p, 39.0, 2.0, 30.43, 38.86),
			   1.226, 0.0005);
	assert_double_near(loyal_bgnbd_p_alive(&p, 2.0, 30.43, 38.86), 0.7266, 0.00005);
}

/* ---------------------------------------------------- small data sets */

/* Reference values from /usr/bin/python3 with mpmath at 40 digits, summing
 * ln L over the customers with L written as in the paper, with beta and
 * gamma functions (not the log-space form the library uses):
 *   B(a,b+x)/B(a,b) G(r+x) al^r / (G(r) (al+T)^(r+x))
 *   + [x>0] B(a+1,b+x-1)/B(a,b) G(r+x) al^r / (G(r) (al+tx)^(r+x)) */
static void test_bgnbd_tiny_likelihood_matches_mpmath(void **state)
{
	loyal_bgnbd_params p = { 0 };
	loyal_bgnbd_data *d = loyal_test_tiny();
	double ll = 0.0;

	(void)state;
	p.r = 0.5, p.alpha = 2.0, p.a = 0.8, p.b = 1.7;
	assert_int_equal(loyal_bgnbd_log_likelihood(&ll, &p, d), 0);
	assert_double_near(ll, -63.663332633893408, 1e-9);
	p.r = 2.5, p.alpha = 0.3, p.a = 3.1, p.b = 0.05;
	assert_int_equal(loyal_bgnbd_log_likelihood(&ll, &p, d), 0);
	assert_double_near(ll, -115.45378631234259, 1e-9);
	loyal_bgnbd_data_free(d);
}

/* Grouping must not change the likelihood: the same customers added one by
 * one, with counts, or merged from two halves give the same total. */
static void test_bgnbd_grouping_preserves_likelihood(void **state)
{
	loyal_bgnbd_params p = { 0 };
	loyal_bgnbd_data *one = loyal_test_tiny(), *counted = NULL, *half = NULL;
	double l1, l2, l3;

	(void)state;
	p.r = 0.5, p.alpha = 2.0, p.a = 0.8, p.b = 1.7;
	assert_int_equal(loyal_bgnbd_data_customers(one), 8);
	assert_int_equal(loyal_bgnbd_data_groups(one), 7); /* (0, 0, 10) twice */

	assert_int_equal(loyal_bgnbd_data_new(&counted), 0);
	assert_int_equal(loyal_bgnbd_data_add_count(counted, 0, 0, 10, 2), 0);
	assert_int_equal(loyal_bgnbd_data_add_count(counted, 1, 3, 10, 1), 0);
	assert_int_equal(loyal_bgnbd_data_add_count(counted, 2, 5.5, 8, 1), 0);
	assert_int_equal(loyal_bgnbd_data_add_count(counted, 7, 5, 8, 0), 0); /* adds nothing */
	assert_int_equal(loyal_bgnbd_data_new(&half), 0);
	assert_int_equal(loyal_bgnbd_data_add(half, 5, 7.25, 12), 0);
	assert_int_equal(loyal_bgnbd_data_add(half, 3, 2, 4), 0);
	assert_int_equal(loyal_bgnbd_data_add(half, 0, -0.0, 0.5), 0); /* -0 is 0 */
	assert_int_equal(loyal_bgnbd_data_add(half, 40, 30, 31), 0);
	assert_int_equal(loyal_bgnbd_data_merge(counted, half), 0);
	assert_int_equal(loyal_bgnbd_data_customers(counted), 8);
	assert_int_equal(loyal_bgnbd_data_groups(counted), 7);
	assert_int_equal(loyal_bgnbd_data_customers(half), 4);

	assert_int_equal(loyal_bgnbd_log_likelihood(&l1, &p, one), 0);
	assert_int_equal(loyal_bgnbd_log_likelihood(&l2, &p, counted), 0);
	assert_int_equal(loyal_bgnbd_log_likelihood(&l3, &p, half), 0);
	assert_double_near(l2, l1, 1e-12);
	assert_true(l3 > l1); /* half the customers: a larger (less negative) total */
	assert_int_equal(loyal_bgnbd_data_merge(counted, counted), LOYAL_EINVAL);
	loyal_bgnbd_data_free(one);
	loyal_bgnbd_data_free(counted);
	loyal_bgnbd_data_free(half);
	loyal_bgnbd_data_free(NULL);
}

static void test_bgnbd_add_rejects_bad_triples(void **state)
{
	loyal_bgnbd_data *d = NULL;

	(void)state;
	assert_int_equal(loyal_bgnbd_data_new(&d), 0);
	assert_int_equal(loyal_bgnbd_data_add(d, 2, 11, 10), LOYAL_EINVAL); /* t_x > T */
	assert_non_null(strstr(loyal_error_last()->message, "exceeds"));
	assert_int_equal(loyal_bgnbd_data_add(d, -1, 0, 10), LOYAL_EINVAL);
	assert_int_equal(loyal_bgnbd_data_add(d, 1.5, 1, 10), LOYAL_EINVAL);
	assert_int_equal(loyal_bgnbd_data_add(d, 0, 3, 10), LOYAL_EINVAL); /* x = 0, t_x > 0 */
	assert_int_equal(loyal_bgnbd_data_add(d, 1, -1, 10), LOYAL_EINVAL);
	assert_int_equal(loyal_bgnbd_data_add(d, 2, 0, 10), LOYAL_EINVAL); /* x > 0, t_x = 0 */
	assert_non_null(strstr(loyal_error_last()->message, "same day"));
	assert_int_equal(loyal_bgnbd_data_add(d, 1, 1, NAN), LOYAL_EINVAL);
	assert_int_equal(loyal_bgnbd_data_add(d, INFINITY, 1, 10), LOYAL_EINVAL);
	assert_int_equal(loyal_bgnbd_data_add(NULL, 1, 1, 10), LOYAL_EINVAL);
	assert_int_equal(loyal_bgnbd_data_customers(d), 0);
	assert_int_equal(loyal_bgnbd_data_groups(d), 0);
	assert_int_equal(loyal_bgnbd_data_add(d, 1, 10, 10), 0); /* t_x == T is fine */
	assert_int_equal(loyal_bgnbd_data_customers(d), 1);
	loyal_bgnbd_data_free(d);
}

static void test_bgnbd_fit_without_data_is_enodata(void **state)
{
	loyal_bgnbd_data *d = NULL;
	loyal_bgnbd_params p;

	(void)state;
	assert_int_equal(loyal_bgnbd_data_new(&d), 0);
	assert_int_equal(loyal_bgnbd_fit(&p, d, NULL), LOYAL_ENODATA);
	assert_non_null(strstr(loyal_error_last()->message, "no customers"));
	/* many customers, but only one with a repeat purchase */
	assert_int_equal(loyal_bgnbd_data_add_count(d, 0, 0, 20, 100), 0);
	assert_int_equal(loyal_bgnbd_data_add(d, 3, 8, 20), 0);
	assert_int_equal(loyal_bgnbd_fit(&p, d, NULL), LOYAL_ENODATA);
	assert_non_null(strstr(loyal_error_last()->message, "at least 2"));
	loyal_bgnbd_data_free(d);
}

static void test_bgnbd_fit_reports_nonconvergence(void **state)
{
	loyal_bgnbd_data *d = loyal_test_tiny();
	loyal_bgnbd_fit_options o = LOYAL_BGNBD_FIT_OPTIONS_INIT;
	loyal_bgnbd_params p;
	const loyal_error_info *e;

	(void)state;
	o.max_iterations = 1;
	assert_int_equal(loyal_bgnbd_fit(&p, d, &o), LOYAL_ECONVERGE);
	e = loyal_error_last();
	assert_non_null(e);
	assert_int_equal(e->code, LOYAL_ECONVERGE);
	assert_non_null(strstr(e->message, "1 iteration "));
	assert_non_null(strstr(e->message, "gradient norm"));
	assert_int_equal(p.converged, 0);

	o.max_iterations = 0;
	assert_int_equal(loyal_bgnbd_fit(&p, d, &o), LOYAL_EINVAL);
	o.max_iterations = 100;
	o.tolerance = 0.0;
	assert_int_equal(loyal_bgnbd_fit(&p, d, &o), LOYAL_EINVAL);
	o.tolerance = 1e-8;
	o.version = 99;
	assert_int_equal(loyal_bgnbd_fit(&p, d, &o), LOYAL_EINVAL);
	assert_int_equal(loyal_bgnbd_fit(NULL, d, NULL), LOYAL_EINVAL);
	loyal_bgnbd_data_free(d);
}

/* Nobody ever drops out here (everyone buys steadily right up to T), so b
 * runs off to infinity: the fit must fail loudly, not return a nonsense or
 * NaN estimate with status 0. */
static void test_bgnbd_fit_unidentified_is_econverge(void **state)
{
	loyal_bgnbd_data *d = NULL;
	loyal_bgnbd_params p;
	int rc, i;

	(void)state;
	assert_int_equal(loyal_bgnbd_data_new(&d), 0);
	for (i = 1; i <= 30; i++)
		assert_int_equal(loyal_bgnbd_data_add(d, 10 + i % 7, 52, 52), 0);
	rc = loyal_bgnbd_fit(&p, d, NULL);
	if (rc == 0) {
		print_error("fit returned r %g alpha %g a %g b %g\n", p.r, p.alpha, p.a, p.b);
		assert_true(isfinite(p.r) && isfinite(p.alpha) && isfinite(p.a) && isfinite(p.b));
	}
	assert_int_equal(rc, LOYAL_ECONVERGE);
	assert_non_null(strstr(loyal_error_last()->message, "without bound"));
	loyal_bgnbd_data_free(d);
}

/* Extreme histories (thousands of purchases, very long T) must give a
 * finite likelihood and finite predictions, not overflow to inf or NaN.
 * References from /usr/bin/python3 + mpmath at 50 digits, with the paper's
 * formulas as written (hyp2f1 with maxterms=10**7). The likelihood is a
 * density in t_x, so a burst of 100000 purchases in 3 weeks makes it large. */
static void test_bgnbd_large_values_stay_finite(void **state)
{
	loyal_bgnbd_params p = { 0 };
	loyal_bgnbd_data *d = NULL;
	double ll = 0.0;

	(void)state;
	p.r = 0.2426, p.alpha = 4.4136, p.a = 0.7929, p.b = 2.4259;
	assert_int_equal(loyal_bgnbd_data_new(&d), 0);
	assert_int_equal(loyal_bgnbd_data_add(d, 5000, 9e5, 1e6), 0);
	assert_int_equal(loyal_bgnbd_data_add(d, 0, 0, 1e7), 0);
	assert_int_equal(loyal_bgnbd_data_add(d, 100000, 3, 3), 0);
	assert_int_equal(loyal_bgnbd_log_likelihood(&ll, &p, d), 0);
	assert_double_near(ll, 819960.23218097531, 1e-6);
	assert_double_near(loyal_bgnbd_p_alive(&p, 5000, 9e5, 1e6), 1.0055109099460566e-225,
			   1e-12 * 1.0055109099460566e-225);
	assert_double_near(loyal_bgnbd_p_alive(&p, 100000, 3, 3), 0.99999207117592475, 1e-14);
	assert_double_near(loyal_bgnbd_expected_conditional(&p, 52, 100000, 3, 3),
			   260178.48709619025 * 0.99999207117592475, 1e-9 * 260178.5);
	loyal_bgnbd_data_free(d);
}

static void test_bgnbd_p_alive_without_repeat_is_one(void **state)
{
	loyal_bgnbd_params p = { 0 };

	(void)state;
	p.r = 0.2426, p.alpha = 4.4136, p.a = 0.7929, p.b = 2.4259;
	assert_double_near(loyal_bgnbd_p_alive(&p, 0, 0, 38.86), 1.0, 0.0);
	assert_double_near(loyal_bgnbd_p_alive(&p, 0, 0, 1e6), 1.0, 0.0);
	/* just bought: hardly any time to have left since */
	assert_true(loyal_bgnbd_p_alive(&p, 3, 20, 20) > loyal_bgnbd_p_alive(&p, 3, 5, 20));
	/* hand-checked: x = 1, t_x = T gives 1/(1 + a/b) = b/(a+b) */
	assert_double_near(loyal_bgnbd_p_alive(&p, 1, 10, 10), 2.4259 / (0.7929 + 2.4259), 1e-15);
	assert_true(isnan(loyal_bgnbd_p_alive(&p, 1, 11, 10)));
	assert_true(isnan(loyal_bgnbd_p_alive(&p, -1, 0, 10)));
	assert_true(isnan(loyal_bgnbd_p_alive(NULL, 1, 1, 10)));
	p.a = 0.0;
	assert_true(isnan(loyal_bgnbd_p_alive(&p, 1, 1, 10)));
}

/* Reference values from /usr/bin/python3 with mpmath (40 digits) using the
 * paper's equation 10 as written, with mpmath.hyp2f1:
 *   (a+b+x-1)/(a-1) (1 - ((al+T)/(al+T+t))^(r+x)
 *     hyp2f1(r+x, b+x, a+b+x-1, t/(al+T+t))) P(alive). */
static void test_bgnbd_expected_conditional_matches_mpmath(void **state)
{
	static const struct {
		double r, alpha, a, b, t, x, t_x, T, expected, p_alive;
	} c[] = {
		{ 0.2426, 4.4136, 0.7929, 2.4259, 39, 2, 30.43, 38.86,
		  1.225922657987033, 0.72661404485424712 },
		{ 0.2426, 4.4136, 0.7929, 2.4259, 39, 0, 0, 38.86, 0.19478676916062003, 1.0 },
		/* tiny t: no cancellation in 1 - G */
		{ 0.2426, 4.4136, 0.7929, 2.4259, 1e-6, 3, 20, 30,
		  6.0972462166708443e-8, 0.64709860621453857 },
		/* large x */
		{ 0.2426, 4.4136, 0.7929, 2.4259, 52, 300, 77, 78,
		  140.31584769948053, 0.90680046538023183 },
		/* z = 500/501.05 close to 1, a near the removable singularity a = 1 */
		{ 0.5, 0.05, 1.0004, 2.0, 500, 1, 0.5, 1, 6.8322431687356432, 0.43114196402064357 },
		{ 0.5, 0.05, 0.9999999, 2.0, 500, 1, 0.5, 1,
		  6.8404537436369638, 0.43124007506051962 },
		/* a + b = 1 and x = 0: the 2F1 pole cancelled by the prefactor */
		{ 1.3, 0.2, 0.3, 0.7000002, 1000, 0, 0, 0.1, 358.57192584511015, 1.0 },
		/* z = 1 - 3e-5 */
		{ 0.8, 0.01, 2.5, 0.5, 10000, 4, 0.2, 0.3, 0.71024466263371859, 0.17756121321883792 },
		{ 3.0, 10.0, 5.0, 20.0, 26, 12, 50, 52, 3.3506366274825154, 0.79128721773613074 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		loyal_bgnbd_params p = { 0 };
		p.r = c[i].r, p.alpha = c[i].alpha, p.a = c[i].a, p.b = c[i].b;
		print_message("case %zu\n", i);
		assert_double_near(loyal_bgnbd_expected_conditional(&p, c[i].t, c[i].x, c[i].t_x,
								     c[i].T),
				   c[i].expected, 1e-9 * c[i].expected);
		assert_double_near(loyal_bgnbd_p_alive(&p, c[i].x, c[i].t_x, c[i].T),
				   c[i].p_alive, 1e-13);
	}
}

/* Equation 9, references from mpmath as above:
 *   (a+b-1)/(a-1) (1 - (al/(al+t))^r hyp2f1(r, b, a+b-1, t/(al+t))). */
static void test_bgnbd_expected_unconditional_matches_mpmath(void **state)
{
	loyal_bgnbd_params p = { 0 };

	(void)state;
	p.r = 0.2426, p.alpha = 4.4136, p.a = 0.7929, p.b = 2.4259;
	assert_double_near(loyal_bgnbd_expected_unconditional(&p, 39), 1.1950476815137786, 1e-11);
	assert_double_near(loyal_bgnbd_expected_unconditional(&p, 78), 1.8580239048662915, 1e-11);
	assert_double_near(loyal_bgnbd_expected_unconditional(&p, 0), 0.0, 0.0);
	assert_true(isnan(loyal_bgnbd_expected_unconditional(&p, -1)));
	/* a = 1 exactly: the limit, against mpmath (60 digits) at a = 1 + 1e-30 */
	p.r = 0.5, p.alpha = 0.05, p.a = 1.0, p.b = 2.0;
	assert_double_near(loyal_bgnbd_expected_unconditional(&p, 500), 13.727693355025918,
			   1e-9 * 13.73);
	assert_double_near(loyal_bgnbd_expected_conditional(&p, 500, 1, 0.5, 1),
			   6.8404516898440466, 1e-9 * 6.84);
	/* a + b = 1 */
	p.r = 1.3, p.alpha = 0.2, p.a = 0.3, p.b = 0.7;
	assert_double_near(loyal_bgnbd_expected_unconditional(&p, 1000), 476.26562292894952,
			   1e-9 * 476.3);
	/* tiny t: E[X(t)] ~ t r/alpha (1 - 0) = 2/3 t */
	p.r = 2, p.alpha = 3, p.a = 4, p.b = 5;
	assert_double_near(loyal_bgnbd_expected_unconditional(&p, 1e-7), 6.6666665185185215e-8,
			   1e-20);
	/* the newly acquired customer is the conditional one with x = t_x = T = 0 */
	assert_double_near(loyal_bgnbd_expected_unconditional(&p, 10),
			   loyal_bgnbd_expected_conditional(&p, 10, 0, 0, 0), 1e-14);
}

/* The batch scorer gives exactly the one-customer values, shares the
 * work between customers with the same (x, T), and marks invalid
 * histories NAN like the one-customer functions. */
static void test_bgnbd_score_matches_single_calls(void **state)
{
	enum { N = 2000 };
	static double x[N], t_x[N], T[N], alive[N], expected[N], only_alive[N];
	loyal_bgnbd_params p = { 0 };
	size_t i;

	(void)state;
	p.r = 0.2426, p.alpha = 4.4136, p.a = 0.7929, p.b = 2.4259;
	for (i = 0; i < N; i++) {
		x[i] = (double)(i % 9);
		T[i] = (double)(7 + i % 50) / 7.0;
		t_x[i] = x[i] > 0 ? T[i] * (double)(1 + i % 13) / 13.0 : 0.0;
	}
	x[5] = -1.0;           /* invalid */
	t_x[6] = T[6] + 1.0;   /* invalid */
	assert_int_equal(loyal_bgnbd_score(&p, 39.0, N, x, t_x, T, alive, expected), 0);
	for (i = 0; i < N; i++) {
		double a1 = loyal_bgnbd_p_alive(&p, x[i], t_x[i], T[i]);
		double e1 = loyal_bgnbd_expected_conditional(&p, 39.0, x[i], t_x[i], T[i]);
		if (i == 5 || i == 6) {
			assert_true(isnan(alive[i]) && isnan(expected[i]) && isnan(a1) && isnan(e1));
			continue;
		}
		assert_double_near(alive[i], a1, 0.0);
		assert_double_near(expected[i], e1, 0.0);
	}
	/* outputs may be skipped */
	assert_int_equal(loyal_bgnbd_score(&p, NAN, N, x, t_x, T, only_alive, NULL), 0);
	assert_double_near(only_alive[100], alive[100], 0.0);
	assert_int_equal(loyal_bgnbd_score(&p, 0.0, N, x, t_x, T, NULL, expected), 0);
	assert_double_near(expected[100], 0.0, 0.0);
	assert_int_equal(loyal_bgnbd_score(&p, -1.0, N, x, t_x, T, NULL, expected), LOYAL_EINVAL);
	assert_int_equal(loyal_bgnbd_score(&p, 1.0, N, NULL, t_x, T, alive, expected),
			 LOYAL_EINVAL);
	assert_int_equal(loyal_bgnbd_score(&p, 1.0, 0, NULL, NULL, NULL, NULL, NULL), 0);
	p.b = -1.0;
	assert_int_equal(loyal_bgnbd_score(&p, 1.0, N, x, t_x, T, alive, expected), LOYAL_EINVAL);
}

/* Data simulated from the model itself (fixed seed) are fitted back close
 * to the parameters that generated them. */
static void test_bgnbd_fit_recovers_simulated_parameters(void **state)
{
	const double r = 0.6, alpha = 5.0, a = 1.2, b = 3.0;
	loyal_bgnbd_data *d = NULL;
	loyal_bgnbd_params p;
	int i, rc;

	(void)state;
	loyal_test_seed(42);
	assert_int_equal(loyal_bgnbd_data_new(&d), 0);
	for (i = 0; i < 20000; i++) {
		double lambda, drop, T = (double)(1 + i % 52), x, t_x;
		loyal_test_bg_customer(r, alpha, a, b, &lambda, &drop);
		loyal_test_bg_purchases(lambda, drop, 0, T, &x, &t_x);
		assert_int_equal(loyal_bgnbd_data_add(d, x, t_x, T), 0);
	}
	rc = loyal_bgnbd_fit(&p, d, NULL);
	if (rc != 0)
		print_error("fit: %s\n", loyal_error_last()->message);
	assert_int_equal(rc, 0);
	/* within 3 standard errors */
	assert_double_near(p.r, r, 3.0 * p.se_r);
	assert_double_near(p.alpha, alpha, 3.0 * p.se_alpha);
	assert_double_near(p.a, a, 3.0 * p.se_a);
	assert_double_near(p.b, b, 3.0 * p.se_b);
	assert_true(p.se_r > 0.0 && p.se_r < 0.1);
	loyal_bgnbd_data_free(d);
}

/* The likelihood on several threads gives the same fit to the last bit
 * (BG/NBD and MBG/NBD), and a version 2 options struct (no threads field)
 * is still read. 40000 simulated customers with continuous times: as many
 * distinct triples, enough for threads to be used. */
static void test_bgnbd_fit_threads_same_bits(void **state)
{
	loyal_bgnbd_fit_options o1 = LOYAL_BGNBD_FIT_OPTIONS_INIT, oj = LOYAL_BGNBD_FIT_OPTIONS_INIT;
	loyal_bgnbd_fit_options v2 = { 2, 200, 1e-8, 0.0, 7 };
	loyal_bgnbd_data *d = NULL;
	loyal_bgnbd_params p1, pj;
	int i;

	(void)state;
	loyal_test_seed(7);
	assert_int_equal(loyal_bgnbd_data_new(&d), 0);
	for (i = 0; i < 40000; i++) {
		double lambda, drop, T, x, t_x;
		loyal_test_bg_customer(0.5, 4.0, 0.8, 2.5, &lambda, &drop);
		T = 1.0 + 51.0 * loyal_test_uniform();
		loyal_test_bg_purchases(lambda, drop, 0, T, &x, &t_x);
		assert_int_equal(loyal_bgnbd_data_add(d, x, t_x, T), 0);
	}
	assert_true(loyal_bgnbd_data_groups(d) > 32768);
	for (int modified = 0; modified < 2; modified++) {
		int (*fit)(loyal_bgnbd_params *, const loyal_bgnbd_data *,
			   const loyal_bgnbd_fit_options *) = modified ? loyal_mbgnbd_fit : loyal_bgnbd_fit;
		o1.threads = 1;
		assert_int_equal(fit(&p1, d, &o1), 0);
		for (unsigned j = 2; j <= 3; j++) {
			oj.threads = j;
			memset(&pj, 0xff, sizeof(pj));
			assert_int_equal(fit(&pj, d, &oj), 0);
			assert_memory_equal(&p1, &pj, sizeof(p1));
		}
		/* version 2: the garbage where threads would be is not read */
		memset(&pj, 0xff, sizeof(pj));
		assert_int_equal(fit(&pj, d, &v2), 0);
		assert_memory_equal(&p1, &pj, sizeof(p1));
	}
	loyal_bgnbd_data_free(d);
}

/* The customers cut into contiguous parts, each grouped on its own and the
 * parts merged in order (as `loyal churn -j N` groups a million
 * customers), give the same groups in the same order, hence the same fit
 * to the last bit, as grouping the whole list at once. Whole-day times, so
 * that the parts share most of their triples. */
static void test_bgnbd_merged_parts_fit_same_bits(void **state)
{
	enum { N = 30000, PARTS = 3 };
	static double x[N], t_x[N], T[N];
	loyal_bgnbd_data *whole = NULL, *part[PARTS] = { NULL };
	loyal_bgnbd_params p1, p2;
	int i, k;

	(void)state;
	loyal_test_seed(11);
	for (i = 0; i < N; i++) {
		double lambda, drop, t = 0.0;
		loyal_test_bg_customer(0.5, 4.0, 0.8, 2.5, &lambda, &drop);
		T[i] = (double)(1 + (int)(364.0 * loyal_test_uniform())) / 7.0;
		x[i] = t_x[i] = 0.0;
		for (;;) {
			t += -log(loyal_test_uniform()) / lambda;
			if (t > T[i])
				break;
			/* whole days after the first purchase */
			if (ceil(t * 7.0) / 7.0 > T[i])
				break;
			x[i] += 1.0;
			t_x[i] = ceil(t * 7.0) / 7.0;
			if (loyal_test_uniform() < drop)
				break;
		}
	}
	assert_int_equal(loyal_bgnbd_data_new(&whole), 0);
	for (i = 0; i < N; i++)
		assert_int_equal(loyal_bgnbd_data_add(whole, x[i], t_x[i], T[i]), 0);
	for (k = 0; k < PARTS; k++) {
		assert_int_equal(loyal_bgnbd_data_new(&part[k]), 0);
		for (i = N / PARTS * k; i < N / PARTS * (k + 1); i++)
			assert_int_equal(loyal_bgnbd_data_add(part[k], x[i], t_x[i], T[i]), 0);
		if (k)
			assert_int_equal(loyal_bgnbd_data_merge(part[0], part[k]), 0);
	}
	/* fewer groups than customers, and the parts share triples */
	assert_true(loyal_bgnbd_data_groups(whole) < N * 2 / 3);
	assert_true(loyal_bgnbd_data_groups(part[1]) + loyal_bgnbd_data_groups(part[2]) >
		    loyal_bgnbd_data_groups(whole) - loyal_bgnbd_data_groups(part[1]));
	assert_int_equal(loyal_bgnbd_data_groups(part[0]), loyal_bgnbd_data_groups(whole));
	assert_int_equal(loyal_bgnbd_data_customers(part[0]), N);
	assert_int_equal(loyal_bgnbd_fit(&p1, whole, NULL), 0);
	memset(&p2, 0xff, sizeof(p2));
	assert_int_equal(loyal_bgnbd_fit(&p2, part[0], NULL), 0);
	assert_memory_equal(&p1, &p2, sizeof(p1));
	loyal_bgnbd_data_free(whole);
	for (k = 0; k < PARTS; k++)
		loyal_bgnbd_data_free(part[k]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bgnbd_cdnow_fit_matches_paper),
		cmocka_unit_test(test_bgnbd_cdnow_standard_errors),
		cmocka_unit_test(test_bgnbd_cdnow_customer_prediction),
		cmocka_unit_test(test_bgnbd_tiny_likelihood_matches_mpmath),
		cmocka_unit_test(test_bgnbd_grouping_preserves_likelihood),
		cmocka_unit_test(test_bgnbd_add_rejects_bad_triples),
		cmocka_unit_test(test_bgnbd_fit_without_data_is_enodata),
		cmocka_unit_test(test_bgnbd_fit_reports_nonconvergence),
		cmocka_unit_test(test_bgnbd_fit_unidentified_is_econverge),
		cmocka_unit_test(test_bgnbd_large_values_stay_finite),
		cmocka_unit_test(test_bgnbd_p_alive_without_repeat_is_one),
		cmocka_unit_test(test_bgnbd_expected_conditional_matches_mpmath),
		cmocka_unit_test(test_bgnbd_expected_unconditional_matches_mpmath),
		cmocka_unit_test(test_bgnbd_score_matches_single_calls),
		cmocka_unit_test(test_bgnbd_fit_recovers_simulated_parameters),
		cmocka_unit_test(test_bgnbd_merged_parts_fit_same_bits),
		cmocka_unit_test(test_bgnbd_fit_threads_same_bits),
	};

	return loyal_test_status(cmocka_run_group_tests(tests, NULL, NULL));
}
