#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "loyal/errors.h"
#include "loyal/gammagamma.h"
#include "helpers.h"

/* ------------------------------------------------------------ CDNOW */

/*
 * CDNOW_sample.txt (loyal_test_cdnow_rows) as Gamma-Gamma data with the
 * convention that reproduces Fader & Hardie's estimates, the one of
 * lifetimes' summary_data_from_transaction_data:
 * transactions on the same day are one transaction with their dollars
 * summed; within the calibration period (to 1997-09-30 inclusive), x is the
 * number of transactions after the first and m the mean value of those x
 * (the first purchase excluded). Customers with x = 0 are left out.
 * Skips the test when the shared data are absent.
 */
static loyal_gg_data *load_cdnow(void)
{
	struct loyal_test_cdnow_row *rows;
	long end;
	size_t n = loyal_test_cdnow_rows(&rows, &end), i, j;
	loyal_gg_data *d = NULL;

	assert_int_equal(loyal_gg_data_new(&d), 0);
	for (i = 0; i < n; i = j) {
		/* the first day's rows belong to the first purchase */
		long day = rows[i].day, repeats = 0;
		double repeat_total = 0.0;
		for (j = i + 1; j < n && rows[j].customer == rows[i].customer; j++) {
			if (rows[j].day > end || rows[j].day == rows[i].day)
				continue;
			if (rows[j].day != day) {
				repeats++;
				day = rows[j].day;
			}
			repeat_total += rows[j].dollars;
		}
		if (repeats > 0)
			assert_int_equal(loyal_gg_data_add(d, (double)repeats,
							   repeat_total / (double)repeats), 0);
	}
	free(rows);
	return d;
}

/* Fader & Hardie, "The Gamma-Gamma Model of Monetary Value" (2013): on the
 * 946 CDNOW sample customers with repeat purchases in weeks 1-39,
 * p = 6.25, q = 3.74, gamma = 15.44, LL = -4055.92. Finer references
 * (scipy BFGS, gtol 1e-10, on the lifetimes log-likelihood, with
 * /usr/bin/python3): 6.249571, 3.744224, 15.443521, -4055.917695; standard
 * errors from a 4-point finite-difference Hessian: 1.19007, 0.290135,
 * 4.15948. */
static void test_gammagamma_cdnow_fit_matches_paper(void **state)
{
	loyal_gg_data *d = load_cdnow();
	loyal_gg_params p;
	int rc;

	(void)state;
	assert_int_equal(loyal_gg_data_customers(d), 946);
	rc = loyal_gg_fit(&p, d, NULL);
	if (rc != 0)
		print_error("fit: %s\n", loyal_error_last()->message);
	assert_int_equal(rc, 0);
	assert_double_near(p.p, 6.25, 0.005);
	assert_double_near(p.q, 3.74, 0.005);
	assert_double_near(p.gamma, 15.44, 0.005);
	assert_double_near(p.log_likelihood, -4055.92, 0.005);
	assert_double_near(p.p, 6.249571, 1e-4);
	assert_double_near(p.q, 3.744224, 1e-4);
	assert_double_near(p.gamma, 15.443521, 1e-4);
	assert_double_near(p.log_likelihood, -4055.917695, 1e-6);
	assert_double_near(p.se_p, 1.19007, 2e-3);
	assert_double_near(p.se_q, 0.290135, 5e-4);
	assert_double_near(p.se_gamma, 4.15948, 5e-3);
	assert_int_equal(p.customers, 946);
	assert_int_equal(p.converged, 1);
	loyal_gg_data_free(d);
}

/* References from /usr/bin/python3 with mpmath at 40 digits, summing the
 * log of the density as written in the header:
 *   G(px+q)/(G(px) G(q)) g^q m^(px-1) x^(px) / (g + x m)^(px+q). */
static void test_gammagamma_tiny_likelihood_matches_mpmath(void **state)
{
	static const double t[][2] = {
		{ 1, 20.0 }, { 1, 20.0 }, { 2, 35.5 }, { 5, 12.25 }, { 12, 80.0 }, { 3, 1.5 },
	};
	loyal_gg_params p = { 0 };
	loyal_gg_data *d = NULL, *half = NULL, *rest = NULL;
	double ll = 0.0, merged = 0.0;
	size_t i;

	(void)state;
	assert_int_equal(loyal_gg_data_new(&d), 0);
	assert_int_equal(loyal_gg_data_new(&half), 0);
	assert_int_equal(loyal_gg_data_new(&rest), 0);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(loyal_gg_data_add(d, t[i][0], t[i][1]), 0);
		assert_int_equal(loyal_gg_data_add(i % 2 ? half : rest, t[i][0], t[i][1]), 0);
	}
	p.p = 6.25, p.q = 3.74, p.gamma = 15.44;
	assert_int_equal(loyal_gg_log_likelihood(&ll, &p, d), 0);
	assert_double_near(ll, -41.151135631062061, 1e-10);
	assert_int_equal(loyal_gg_data_merge(half, rest), 0);
	assert_int_equal(loyal_gg_data_customers(half), 6);
	assert_int_equal(loyal_gg_log_likelihood(&merged, &p, half), 0);
	assert_double_near(merged, ll, 1e-10);
	p.p = 0.8, p.q = 1.3, p.gamma = 200.0;
	assert_int_equal(loyal_gg_log_likelihood(&ll, &p, d), 0);
	assert_double_near(ll, -35.745893617290026, 1e-10);
	p.q = -1.0;
	assert_int_equal(loyal_gg_log_likelihood(&ll, &p, d), LOYAL_EINVAL);
	assert_int_equal(loyal_gg_data_merge(d, d), LOYAL_EINVAL);
	loyal_gg_data_free(d);
	loyal_gg_data_free(half);
	loyal_gg_data_free(rest);
}

static void test_gammagamma_add_rejects_bad_values(void **state)
{
	loyal_gg_data *d = NULL;

	(void)state;
	assert_int_equal(loyal_gg_data_new(&d), 0);
	assert_int_equal(loyal_gg_data_add(d, 0, 10.0), LOYAL_EINVAL); /* x < 1 */
	assert_non_null(strstr(loyal_error_last()->message, ">= 1"));
	assert_int_equal(loyal_gg_data_add(d, 0.5, 10.0), LOYAL_EINVAL);
	assert_int_equal(loyal_gg_data_add(d, 2.5, 10.0), LOYAL_EINVAL);
	assert_int_equal(loyal_gg_data_add(d, 2, 0.0), LOYAL_EINVAL); /* spend <= 0 */
	assert_int_equal(loyal_gg_data_add(d, 2, -3.0), LOYAL_EINVAL);
	assert_int_equal(loyal_gg_data_add(d, 2, NAN), LOYAL_EINVAL);
	assert_int_equal(loyal_gg_data_add(d, INFINITY, 5.0), LOYAL_EINVAL);
	assert_int_equal(loyal_gg_data_add(NULL, 2, 5.0), LOYAL_EINVAL);
	assert_int_equal(loyal_gg_data_customers(d), 0);
	assert_int_equal(loyal_gg_data_add(d, 1, 0.01), 0);
	assert_int_equal(loyal_gg_data_customers(d), 1);
	loyal_gg_data_free(d);
	loyal_gg_data_free(NULL);
}

static void test_gammagamma_fit_errors(void **state)
{
	loyal_gg_data *d = NULL;
	loyal_gg_params p;
	loyal_gg_fit_options o = LOYAL_GG_FIT_OPTIONS_INIT;
	int i;

	(void)state;
	assert_int_equal(loyal_gg_data_new(&d), 0);
	assert_int_equal(loyal_gg_fit(&p, d, NULL), LOYAL_ENODATA);
	assert_int_equal(loyal_gg_data_add(d, 3, 25.0), 0);
	assert_int_equal(loyal_gg_fit(&p, d, NULL), LOYAL_ENODATA);
	assert_non_null(strstr(loyal_error_last()->message, "at least 2"));
	for (i = 0; i < 50; i++)
		assert_int_equal(loyal_gg_data_add(d, 1 + i % 4, 10.0 + (i * 37) % 41), 0);
	o.max_iterations = 1;
	assert_int_equal(loyal_gg_fit(&p, d, &o), LOYAL_ECONVERGE);
	assert_non_null(strstr(loyal_error_last()->message, "1 iteration "));
	assert_non_null(strstr(loyal_error_last()->message, "gradient norm"));
	assert_int_equal(p.converged, 0);
	o.max_iterations = 200;
	o.tolerance = -1.0;
	assert_int_equal(loyal_gg_fit(&p, d, &o), LOYAL_EINVAL);
	o.tolerance = 1e-8;
	o.version = 0;
	assert_int_equal(loyal_gg_fit(&p, d, &o), LOYAL_EINVAL);
	assert_int_equal(loyal_gg_fit(&p, NULL, NULL), LOYAL_EINVAL);
	loyal_gg_data_free(d);
}

/* Everyone spends exactly the same: there is no heterogeneity for the
 * model to find, and the fit must say so rather than return garbage. */
static void test_gammagamma_fit_degenerate_is_econverge(void **state)
{
	loyal_gg_data *d = NULL;
	loyal_gg_params p;
	int i, rc;

	(void)state;
	assert_int_equal(loyal_gg_data_new(&d), 0);
	for (i = 0; i < 40; i++)
		assert_int_equal(loyal_gg_data_add(d, 1 + i % 5, 20.0), 0);
	rc = loyal_gg_fit(&p, d, NULL);
	if (rc == 0)
		print_error("fit returned p %g q %g gamma %g\n", p.p, p.q, p.gamma);
	assert_int_equal(rc, LOYAL_ECONVERGE);
	assert_non_null(strstr(loyal_error_last()->message, "without bound"));
	loyal_gg_data_free(d);
}

/* Hand-checked: E[Z | x, m] = p (gamma + x m) / (p x + q - 1). */
static void test_gammagamma_expected_spend(void **state)
{
	loyal_gg_params p = { 0 };

	(void)state;
	p.p = 6.25, p.q = 3.74, p.gamma = 15.44;
	/* population mean p gamma / (q - 1) = 96.5 / 2.74 */
	assert_double_near(loyal_gg_expected_spend(&p, 0, 0), 96.5 / 2.74, 1e-12);
	/* x = 1, m = 40: 6.25 * 55.44 / 8.99 */
	assert_double_near(loyal_gg_expected_spend(&p, 1, 40.0), 6.25 * 55.44 / 8.99, 1e-12);
	/* x = 10, m = 20: 6.25 * 215.44 / 65.24 */
	assert_double_near(loyal_gg_expected_spend(&p, 10, 20.0), 6.25 * 215.44 / 65.24, 1e-12);
	/* shrinks towards the customer's own mean as x grows */
	assert_double_near(loyal_gg_expected_spend(&p, 1e6, 20.0), 20.0, 1e-3);
	assert_true(isnan(loyal_gg_expected_spend(&p, 1, 0.0)));
	assert_true(isnan(loyal_gg_expected_spend(&p, 1.5, 10.0)));
	assert_true(isnan(loyal_gg_expected_spend(&p, -1, 10.0)));
	assert_true(isnan(loyal_gg_expected_spend(NULL, 1, 10.0)));
	/* q <= 1: no population mean */
	p.q = 0.9;
	assert_true(isinf(loyal_gg_expected_spend(&p, 0, 0)));
	assert_double_near(loyal_gg_expected_spend(&p, 1, 10.0), 6.25 * 25.44 / 6.15, 1e-12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gammagamma_cdnow_fit_matches_paper),
		cmocka_unit_test(test_gammagamma_tiny_likelihood_matches_mpmath),
		cmocka_unit_test(test_gammagamma_add_rejects_bad_values),
		cmocka_unit_test(test_gammagamma_fit_errors),
		cmocka_unit_test(test_gammagamma_fit_degenerate_is_econverge),
		cmocka_unit_test(test_gammagamma_expected_spend),
	};

	return loyal_test_status(cmocka_run_group_tests(tests, NULL, NULL));
}
