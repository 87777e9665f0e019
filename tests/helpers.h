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

/* Path of ../shared/data beside the project, or NULL when it is absent. */
const char *loyal_test_shared_data(void);

#endif
