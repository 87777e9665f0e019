#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "hyp2f1_p.h"
#include "helpers.h"

/*
 * Reference values from scipy.special.hyp2f1 (scipy 1.10.1, with
 * /usr/bin/python3), each checked against mpmath.hyp2f1 at 40 digits: they
 * agree to the relative difference in the comment.
 */
static const struct {
	double a, b, c, z, expected;
} table[] = {
	/* BG/NBD shapes: the CDNOW customer x = 2 at t = 39, and x = 300 */
	{ 2.2426, 4.4259, 4.2188, 0.4740281208066743, 4.5743234807916817 }, /* 2.7e-16 */
	{ 300.2426, 302.4259, 302.2188, 0.3868656147889797, 6.7391719088437033e+63 }, /* 2.8e-14 */
	{ 2.2185, -0.2071, 302.2188, 0.4, 0.99939086874490857 }, /* 9.2e-17 */
	{ 0.5, 1.5, 2.5, 0.3, 1.1080625510569324 }, /* 3.8e-16 */
	/* 2F1(1, 1; 2; z) = -ln(1-z)/z, also checkable by hand */
	{ 1, 1, 2, 0.5, 1.3862943611198901 }, /* 3.5e-16 */
	{ 1, 1, 2, 0.99, 4.6516870565536266 }, /* 4.6e-17 */
	{ 1, 1, 2, 0.999, 6.914669948931067 }, /* 3.3e-17 */
	/* close to z = 1, where the series alone would need thousands of terms */
	{ 2.5, 0.7, 4.0, 0.99, 2.6855754613973768 }, /* 1.1e-14 */
	{ 0.3, 1.7, 1.2, 0.999, 99.94937243548415 }, /* 6.3e-16 */
	{ 3.2, 4.1, 8.5, 0.999, 32.21352239257223 }, /* 2.1e-15 */
	{ 0.25, 2.4, 3.2, 0.9999, 1.7490618821587063 }, /* 1.4e-16 */
	/* c - a - b an integer (0 and 1): the connection formula's poles */
	{ 1.5, 2.5, 4.0, 0.999, 25.648290580560698 }, /* 2.1e-16 */
	{ 0.7, 1.3, 3.0, 0.99, 1.8226474189990443 }, /* 5.8e-16 */
	/* c - a - b < 0: the function grows without bound as z -> 1 */
	{ 2.2, 1.1, 1.5, 0.95, 175.89717200476045 }, /* 2.0e-15 */
	{ 20, 30, 45, 0.9, 46237744205.477432 }, /* 6.1e-16 */
	/* z < 0, through Pfaff's transformation */
	{ 5.0, 7.0, 3.5, -0.5, 0.009662145621152014 }, /* 2.2e-16 */
	{ 0.5, 0.5, 1.5, -3.0, 0.76034599630094579 }, /* 7.3e-16 */
	/* a polynomial (a = -3) */
	{ -3, 2.5, 4.0, 0.9, 0.13642187500000011 }, /* 8.5e-16 */
};

static void test_hyp2f1_matches_scipy(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		print_message("2F1(%g, %g; %g; %g)\n", table[i].a, table[i].b, table[i].c,
			      table[i].z);
		assert_rel_near(loyal__hyp2f1(table[i].a, table[i].b, table[i].c, table[i].z),
				table[i].expected, 1e-12);
	}
}

/* The same function where the series and the connection formula meet
 * (z = 0.5) and all the way to z = 1 - 1e-7, against the closed forms
 * 2F1(1, 1; 2; z) = -ln(1-z)/z and 2F1(1/2, 1; 3/2; z) = atanh(sqrt z)/sqrt z,
 * atanh(s) written as (2 ln(1+s) - ln(1-z))/2 so that it is itself accurate
 * (both have c - a - b an integer, the hardest case). */
static void test_hyp2f1_closed_forms_near_one(void **state)
{
	static const double z[] = { 0.4999, 0.5, 0.5001, 0.7, 0.9, 0.99, 0.999, 0.9999,
				    0.99999, 0.9999999 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(z) / sizeof(z[0]); i++) {
		double s = sqrt(z[i]);
		print_message("z = %g\n", z[i]);
		assert_rel_near(loyal__hyp2f1(1, 1, 2, z[i]), -log1p(-z[i]) / z[i], 1e-12);
		assert_rel_near(loyal__hyp2f1(0.5, 1, 1.5, z[i]),
				0.5 * (2.0 * log1p(s) - log1p(-z[i])) / s, 1e-12);
	}
}

/* 2F1 - 1 keeps its relative accuracy when it is tiny. References from
 * mpmath at 40 digits: hyp2f1(2.2185, 1e-6, 4.2, 0.999) - 1 and
 * hyp2f1(0.5, 0.5, 1.5, 1e-9) - 1. */
static void test_hyp2f1_minus_one_small_values(void **state)
{
	(void)state;
	assert_rel_near(loyal__hyp2f1m1(0.5, 0.5, 1.5, 1e-9), 1.6666666674166669e-10, 1e-14);
	assert_rel_near(loyal__hyp2f1m1(2.2185, 1e-6, 4.2, 0.999), 8.9831705502409848e-07, 1e-9);
	assert_rel_near(loyal__hyp2f1m1(1, 1, 2, 0.99), 4.6516870565536266 - 1.0, 1e-12);
	assert_double_near(loyal__hyp2f1m1(3, 0, 2, 0.5), 0.0, 0.0);
}

static void test_hyp2f1_domain(void **state)
{
	(void)state;
	assert_double_near(loyal__hyp2f1(1.5, 2.5, 3.5, 0.0), 1.0, 0.0);
	assert_double_near(loyal__hyp2f1(0.0, 2.5, 3.5, 0.7), 1.0, 0.0);
	/* Gauss's value at z = 1 when c - a - b > 0: from scipy, 1.280937118489361 */
	assert_rel_near(loyal__hyp2f1(0.5, 0.7, 2.5, 1.0), 1.280937118489361, 1e-13);
	assert_true(isinf(loyal__hyp2f1(1.0, 1.0, 2.0, 1.0)));
	assert_true(isnan(loyal__hyp2f1(1.0, 1.0, 2.0, 1.5)));
	assert_true(isnan(loyal__hyp2f1(1.0, 1.0, 0.0, 0.5)));  /* c = 0 */
	assert_true(isnan(loyal__hyp2f1(1.0, 1.0, -2.0, 0.5))); /* c = -2 */
	assert_true(isnan(loyal__hyp2f1(NAN, 1.0, 2.0, 0.5)));
	assert_true(isnan(loyal__hyp2f1(1.0, 1.0, 2.0, NAN)));
}

/* Digamma against scipy.special.digamma (agreeing with mpmath to 1e-16). */
static void test_hyp2f1_digamma(void **state)
{
	static const double x[][2] = {
		{ 1e-3, -1000.5755719318103 },
		{ 0.2426, -4.3583618532225143 },
		{ 1.0, -0.57721566490153287 },
		{ 2.5, 0.70315664064524319 },
		{ 10.0, 2.2517525890667209 },
		{ 123.4, 4.8113737751162775 },
		{ 1e6, 13.81551005796419 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(x) / sizeof(x[0]); i++)
		assert_rel_near(loyal__digamma(x[i][0]), x[i][1], 1e-14);
	/* near its zero at 1.4616..., absolute accuracy */
	assert_double_near(loyal__digamma(1.4616321449683622), 0.0, 1e-15);
	assert_true(isnan(loyal__digamma(0.0)));
	assert_true(isnan(loyal__digamma(-3.0)));
	/* reflection: psi(-0.5) = psi(1.5) + pi cot(pi 0.5)... = 0.03648997397857652 */
	assert_rel_near(loyal__digamma(-0.5), 0.03648997397857652, 1e-13);
}

/*
 * 2F1(1, b; c; z), the Pareto/NBD special case, over the space its
 * likelihood reaches (tests/make-hyp2f1-table.py: b from 0.01 to 5000, c - b
 * from 0.05 to 50, 1 - z from 0.5 down to 1e-10), against mpmath at 40
 * digits. Near z = 1 the function is ill-conditioned in z (kappa in the
 * table; up to 1e6 here): no method working from the double z can beat
 * kappa ulps there, so the bound is 2e-12 (1 + kappa). The worst case
 * measured is 1.0e-9 at b = 5000, c - b = 1, 1 - z = 1e-10 (kappa 7e5).
 * The general loyal__hyp2f1() lost up to 1.2e-8 on the same table.
 */
static const struct {
	double b, c, z, value, kappa;
} table_1b[] = {
#include "hyp2f1_1b_table.h"
};

static void test_hyp2f1_1b_matches_mpmath(void **state)
{
	size_t i, n = sizeof(table_1b) / sizeof(table_1b[0]);
	double worst = 0.0;

	(void)state;
	assert_int_equal(n, 7 * 7 * 6);
	for (i = 0; i < n; i++) {
		double got = loyal__hyp2f1_1b(table_1b[i].b, table_1b[i].c, table_1b[i].z);
		double err = fabs(got - table_1b[i].value) / table_1b[i].value;
		if (!(err <= 2e-12 * (1.0 + table_1b[i].kappa)))
			print_error("2F1(1, %g; %g; 1 - %g) = %.17g, mpmath %.17g (kappa %g)\n",
				    table_1b[i].b, table_1b[i].c, 1.0 - table_1b[i].z, got,
				    table_1b[i].value, table_1b[i].kappa);
		assert_true(err <= 2e-12 * (1.0 + table_1b[i].kappa));
		if (err > worst)
			worst = err;
	}
	print_message("worst relative error %.3g over %zu values\n", worst, n);
	/* outside the continued fraction's domain: the general function */
	assert_rel_near(loyal__hyp2f1_1b(1.0, 2.0, 0.5), -log(0.5) / 0.5, 1e-14);
	assert_double_near(loyal__hyp2f1_1b(2.0, 3.0, 0.0), 1.0, 0.0);
	assert_true(isnan(loyal__hyp2f1_1b(2.0, 3.0, 1.5)));
	assert_true(isnan(loyal__hyp2f1_1b(NAN, 3.0, 0.5)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hyp2f1_matches_scipy),
		cmocka_unit_test(test_hyp2f1_closed_forms_near_one),
		cmocka_unit_test(test_hyp2f1_minus_one_small_values),
		cmocka_unit_test(test_hyp2f1_domain),
		cmocka_unit_test(test_hyp2f1_digamma),
		cmocka_unit_test(test_hyp2f1_1b_matches_mpmath),
	};

	return loyal_test_status(cmocka_run_group_tests(tests, NULL, NULL));
}
