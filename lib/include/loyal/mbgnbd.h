#ifndef LOYAL_MBGNBD_H
#define LOYAL_MBGNBD_H

#include "common.h"
#include "bgnbd.h"

/*
 * The MBG/NBD model of repeat buying (Batislam, Denizel & Filiztekin 2007,
 * "Empirical validation and comparison of models for customer base
 * analysis", International Journal of Research in Marketing 24(3); the
 * same as Hoppe & Wagner's central-variant BG/NBD).
 *
 * As BG/NBD (bgnbd.h), except that a customer can also drop out right
 * after the first purchase: while alive a customer buys at rate
 * lambda ~ Gamma(shape r, rate alpha); after every purchase, the first one
 * included, they drop out for good with probability p ~ Beta(a, b). So a
 * customer with no repeat purchase can have left, and P(alive) is below 1
 * for every customer. Likelihood of one customer (B the beta function):
 *
 *   L = B(a, b+x+1)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+T)^(r+x))
 *     + B(a+1, b+x)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+t_x)^(r+x))
 *
 * The data, the fit options and the parameter struct are those of BG/NBD:
 * a loyal_bgnbd_data, a loyal_bgnbd_fit_options and, under its own name,
 * a loyal_bgnbd_params (r, alpha, a, b and their standard errors).
 */
typedef loyal_bgnbd_params loyal_mbgnbd_params;

/* Fit the model to d by maximum likelihood (quasi-Newton on the logarithms
 * of the parameters, analytic gradient), with the options, returns and
 * refusals of loyal_bgnbd_fit(): LOYAL_EINVAL, LOYAL_ENODATA (fewer than 2
 * customers with a repeat purchase), LOYAL_ECONVERGE (not converged, or
 * parameters the data do not determine), LOYAL_ENOMEM. */
LOYAL_EXTERN(int) loyal_mbgnbd_fit(loyal_mbgnbd_params *out, const loyal_bgnbd_data *d,
				   const loyal_bgnbd_fit_options *opts);

/* Total log-likelihood of d under p, as loyal_bgnbd_log_likelihood(). */
LOYAL_EXTERN(int) loyal_mbgnbd_log_likelihood(double *out, const loyal_mbgnbd_params *p,
					      const loyal_bgnbd_data *d);

/*
 * P(alive | x, t_x, T) = 1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x)),
 * for x = 0 too. NAN for invalid parameters or history, as
 * loyal_bgnbd_p_alive().
 */
LOYAL_EXTERN(double) loyal_mbgnbd_p_alive(const loyal_mbgnbd_params *p, double x, double t_x,
					  double T);

/*
 * E[Y(t) | x, t_x, T], the expected purchases in (T, T+t]:
 *
 *   (a+b+x)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x)
 *                      2F1(r+x, b+x+1; a+b+x; t/(alpha+T+t))] P(alive)
 *
 * (BG/NBD's with b+1 for b: an alive customer has survived x+1 purchases).
 * Same NAN cases as loyal_bgnbd_expected_conditional(); 0 for t = 0.
 */
LOYAL_EXTERN(double) loyal_mbgnbd_expected_conditional(const loyal_mbgnbd_params *p, double t,
						       double x, double t_x, double T);

/*
 * E[X(t)], the expected repeat purchases in the first t units of a newly
 * acquired customer:
 *
 *   b/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b+1; a+b; t/(alpha+t))]
 */
LOYAL_EXTERN(double) loyal_mbgnbd_expected_unconditional(const loyal_mbgnbd_params *p, double t);

/*
 * P(no purchase in (T, T+t] | x, t_x, T)
 *   = 1 - P(alive) + P(alive) ((alpha+T)/(alpha+T+t))^(r+x).
 */
LOYAL_EXTERN(double) loyal_mbgnbd_p_no_purchase(const loyal_mbgnbd_params *p, double t,
						double x, double t_x, double T);

/* Score n customers at once, as loyal_bgnbd_score(). */
LOYAL_EXTERN(int) loyal_mbgnbd_score(const loyal_mbgnbd_params *p, double t, size_t n,
				     const double *x, const double *t_x, const double *T,
				     double *p_alive, double *expected);

/* The expected cumulative repeat purchases of a cohort, as
 * loyal_bgnbd_cumulative() for the MBG/NBD model (E[X] of
 * loyal_mbgnbd_expected_unconditional()). */
LOYAL_EXTERN(int) loyal_mbgnbd_cumulative(const loyal_mbgnbd_params *p, size_t nk,
					  const double *s, const double *count,
					  size_t nt, const double *t, double *out);

#endif
