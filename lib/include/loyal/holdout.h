#ifndef LOYAL_HOLDOUT_H
#define LOYAL_HOLDOUT_H

#include "common.h"
#include "bgnbd.h"
#include "mbgnbd.h"
#include "pnbd.h"

/*
 * Holdout checks of a purchase model: compare each customer's predicted
 * purchases in a holdout window with the actual ones, in numbers rather
 * than plots.
 *
 *   mae         = mean |predicted - actual|
 *   rmse        = sqrt(mean (predicted - actual)^2)
 *   correlation = Pearson correlation of predicted and actual over customers
 */
typedef struct {
	uint64_t n;
	double sum_predicted, sum_actual;
	double sum_abs_error, sum_sq_error;
	/* Welford's running means and co-moments, for a stable correlation */
	double mean_p, mean_a, m2_p, m2_a, c_pa;
} loyal_holdout;

#define LOYAL_HOLDOUT_INIT { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }

typedef struct {
	int version; /* set by the caller: LOYAL_HOLDOUT_RESULT_INIT (see libloyal(3), Versions) */
	uint64_t customers;
	double predicted, actual; /* totals over customers */
	double mae, rmse;
	double correlation;       /* NAN when either side has no variance */
} loyal_holdout_result;

#define LOYAL_HOLDOUT_RESULT_VERSION 1
#define LOYAL_HOLDOUT_RESULT_INIT { .version = LOYAL_HOLDOUT_RESULT_VERSION }

/* Add one customer's predicted and actual purchases. Returns 0, or
 * LOYAL_EINVAL when a value is not finite. */
LOYAL_EXTERN(int) loyal_holdout_add(loyal_holdout *h, double predicted, double actual);

/* Compute the result. Returns 0 or LOYAL_ENODATA when no customer was added. */
LOYAL_EXTERN(int) loyal_holdout_compute(loyal_holdout_result *out, const loyal_holdout *h);

/* The expected cumulative repeat purchases of a cohort under each model,
 * loyal_bgnbd_cumulative(), loyal_mbgnbd_cumulative() and
 * loyal_pnbd_cumulative(), are declared in their model's header (included
 * above). */

#endif
