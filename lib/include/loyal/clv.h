#ifndef LOYAL_CLV_H
#define LOYAL_CLV_H

#include "common.h"
#include "bgnbd.h"
#include "mbgnbd.h"
#include "pnbd.h"

/*
 * Customer lifetime value from a fitted purchase model and each customer's
 * expected spend per purchase (for instance loyal_gg_expected_spend()):
 *
 *   clv = sum over k = 1..periods of
 *         (E[X(h_k)] - E[X(h_(k-1))]) * spend / (1 + discount)^k
 *
 * where E[X(h)] is the customer's expected purchases in the h time units
 * after T (the model's conditional expectation), h_k = k * period_days /
 * unit_days and h_0 = 0: each period's expected purchases, valued at the
 * expected spend and discounted at the end of the period. loyal clv(1)
 * computes its clv column with these functions.
 */
typedef struct {
	int version;
	unsigned periods;   /* periods to add up, 1 or more */
	double period_days; /* length of a period in days, > 0 */
	double unit_days;   /* days in the model's time unit (t_x, T): 1, 7... > 0 */
	double discount;    /* discount rate per period, 0 <= discount < 1 */
} loyal_clv_options;

#define LOYAL_CLV_OPTIONS_VERSION 1
/* 12 periods of 30 days, a model fitted in weeks, 1% a period. */
#define LOYAL_CLV_OPTIONS_INIT { LOYAL_CLV_OPTIONS_VERSION, 12, 30.0, 7.0, 0.01 }

/*
 * The lifetime value of n customers (x repeat purchases, the last at t_x,
 * observed for T, in the model's time unit; spend[i] expected per purchase)
 * under a fitted BG/NBD model. For each customer i: clv[i] as above;
 * expected[i] (may be NULL) E[X(h_periods)], the purchases expected over
 * all the periods; p_alive[i] (may be NULL) the probability that the
 * customer is alive at T. The arrays are the caller's, of n elements; opts
 * may be NULL for LOYAL_CLV_OPTIONS_INIT.
 * (A spend that is not finite gives a clv that is not finite.)
 * Returns 0; LOYAL_EINVAL (NULL array, invalid parameters or options);
 * LOYAL_ENOMEM.
 */
LOYAL_EXTERN(int) loyal_clv_bgnbd(double *clv, double *expected, double *p_alive,
				  const loyal_bgnbd_params *p, size_t n, const double *x,
				  const double *t_x, const double *T, const double *spend,
				  const loyal_clv_options *opts);

/* The same under a fitted MBG/NBD model. */
LOYAL_EXTERN(int) loyal_clv_mbgnbd(double *clv, double *expected, double *p_alive,
				   const loyal_mbgnbd_params *p, size_t n, const double *x,
				   const double *t_x, const double *T, const double *spend,
				   const loyal_clv_options *opts);

/* The same under a fitted Pareto/NBD model. */
LOYAL_EXTERN(int) loyal_clv_pnbd(double *clv, double *expected, double *p_alive,
				 const loyal_pnbd_params *p, size_t n, const double *x,
				 const double *t_x, const double *T, const double *spend,
				 const loyal_clv_options *opts);

#endif
