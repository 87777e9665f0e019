#ifndef LOYAL_TESTS_HELPERS_H
#define LOYAL_TESTS_HELPERS_H

#include <math.h>
#include <stdio.h>

/* cmocka 1.1's assert_float_equal casts to float; this compares doubles
 * with an absolute tolerance and prints both values on failure. */
#define assert_double_near(actual, expected, tol) do { \
	double a__ = (actual), e__ = (expected), t__ = (tol); \
	if (!(fabs(a__ - e__) <= t__)) { \
		print_error("%s = %.10g, expected %.10g (tolerance %g)\n", \
			    #actual, a__, e__, t__); \
		_fail(__FILE__, __LINE__); \
	} \
} while (0)

/* actual within rel x |expected| of expected. */
#define assert_rel_near(actual, expected, rel) \
	assert_double_near((actual), (expected), (rel) * fabs(expected))

/* Skip the calling test (cmocka's skip()) and remember that one was
 * skipped, so that loyal_test_status() reports it to ctest. */
void loyal_test_note_skip(void);
#define loyal_test_skip() do { loyal_test_note_skip(); skip(); } while (0)

/* The exit status of a test program from the number of failed tests that
 * cmocka_run_group_tests() returned: that number when non-zero, else 77
 * when a test was skipped (ctest's SKIP_RETURN_CODE: the program did not
 * run everything it holds), else 0. */
int loyal_test_status(int failed);

/* Path of ../shared/data beside the project, or NULL when it is absent. */
const char *loyal_test_shared_data(void);

#include <stdint.h>
#include "loyal/bgnbd.h"

/* The CDNOW sample (../shared/data/cdnow/CDNOW_sample.txt) as model data,
 * as in Fader, Hardie & Lee (2005): purchase occasions are distinct days,
 * calibration to 1997-09-30 inclusive, weeks; 2,357 customers. Skips the
 * calling test when the shared data are absent. The caller frees it. */
loyal_bgnbd_data *loyal_test_cdnow(void);

/* Eight customers' (x, t_x, T), the models' small fixture, whose
 * likelihoods the BG/NBD, MBG/NBD and Pareto/NBD tests compare with
 * mpmath's. The caller frees it. */
loyal_bgnbd_data *loyal_test_tiny(void);

/* The CDNOW sample's rows (customer_id sample_id YYYYMMDD cds dollars,
 * 6,919 of them) sorted by customer and day: *out (the caller frees it)
 * and the end of the calibration period, 1997-09-30, as days since
 * 1970-01-01 in *end. Returns the number of rows; skips the calling test
 * when the shared data are absent. */
struct loyal_test_cdnow_row {
	long customer, day; /* day: days since 1970-01-01 */
	double dollars;
};
size_t loyal_test_cdnow_rows(struct loyal_test_cdnow_row **out, long *end);

/* A fixed-seed random stream for simulations: splitmix64 uniforms in
 * (0, 1) and Gamma(shape, 1) draws (Marsaglia & Tsang). */
void loyal_test_seed(uint64_t seed);
double loyal_test_uniform(void);
double loyal_test_gamma(double shape);

/* A customer of the BG/NBD model drawn from that stream: its purchase rate
 * *lambda (Gamma(r) / alpha) and its chance *drop (Beta(a, b)) of dropping
 * out after a purchase. */
void loyal_test_bg_customer(double r, double alpha, double a, double b, double *lambda,
			    double *drop);

/* That customer's repeat purchases over (0, T] drawn from the stream: their
 * number *x and the time of the last, *t_x (0 without any). modified: the
 * MBG/NBD model, where the customer may also drop out right at the first
 * purchase. */
void loyal_test_bg_purchases(double lambda, double drop, int modified, double T, double *x,
			     double *t_x);

#endif
