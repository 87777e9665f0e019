#ifndef LOYAL_PNBD_H
#define LOYAL_PNBD_H

#include "common.h"
#include "bgnbd.h"

/*
 * The Pareto/NBD model of repeat buying (Schmittlein, Morrison & Colombo
 * 1987, "Counting your customers: who are they and what will they do
 * next?", Management Science 33(1)), with the likelihood and P(alive) of
 * Fader & Hardie's note "A note on deriving the Pareto/NBD model and
 * related expressions" (2005).
 *
 * While alive a customer buys at rate lambda ~ Gamma(shape r, rate alpha),
 * a Poisson process; their lifetime is exponential with rate
 * mu ~ Gamma(shape s, rate beta), independent of lambda: a customer can
 * leave at any time, not only after a purchase, and one who never bought
 * again can have left too. The data are the (x, t_x, T) of bgnbd.h, in a
 * loyal_bgnbd_data, and the fit options are loyal_bgnbd_fit_options.
 *
 * Likelihood of one customer:
 *
 *   L = G(r+x) alpha^r beta^s / G(r)
 *       * [ 1/((alpha+T)^(r+x) (beta+T)^s)
 *           + s * integral from t_x to T of (alpha+y)^-(r+x) (beta+y)^-(s+1) dy ]
 *
 * where the integral (Fader & Hardie's s/(r+s+x) A0) is written with the
 * Gauss hypergeometric function 2F1(1, b; c; z), evaluated so that it
 * stays accurate where its series converges too slowly (large x, alpha
 * and beta far apart).
 */
typedef struct {
	double r, alpha;  /* purchase rate ~ Gamma(shape r, rate alpha) */
	double s, beta;   /* drop-out rate ~ Gamma(shape s, rate beta) */
	/* Standard errors by the delta method from the inverse observed
	 * information, as in loyal_bgnbd_params; INFINITY when singular. */
	double se_r, se_alpha, se_s, se_beta;
	double log_likelihood; /* total, at the estimate, without penalty */
	size_t customers;
	int iterations;
	int converged;
	double penalty;        /* the penalty the fit used (0: none) */
} loyal_pnbd_params;

/*
 * Fit the model to d by maximum likelihood on the logarithms of the
 * parameters (quasi-Newton; the gradient is analytic in alpha and beta and
 * in the gamma-function terms, and by fourth-order central differences of
 * the integral's logarithm in r and s). opts may be NULL. Returns as
 * loyal_bgnbd_fit(): 0, LOYAL_EINVAL, LOYAL_ENODATA (fewer than 2
 * customers with a repeat purchase), LOYAL_ECONVERGE (not converged, or
 * parameters the data do not determine, such as s and beta growing
 * together when every customer's drop-out rate seems the same),
 * LOYAL_ENOMEM.
 */
LOYAL_EXTERN(int) loyal_pnbd_fit(loyal_pnbd_params *out, const loyal_bgnbd_data *d,
				 const loyal_bgnbd_fit_options *opts);

/* Total log-likelihood of d under p's r, alpha, s, beta. Returns 0,
 * LOYAL_EINVAL (NULL, parameters not finite and positive, or a likelihood
 * that cannot be evaluated), LOYAL_ENODATA or LOYAL_ENOMEM. */
LOYAL_EXTERN(int) loyal_pnbd_log_likelihood(double *out, const loyal_pnbd_params *p,
					    const loyal_bgnbd_data *d);

/*
 * P(alive at T | x, t_x, T): the first term of the bracket of L over the
 * whole bracket (Fader & Hardie's equation 19). NAN when p is NULL, a
 * parameter is not finite and positive, or the history is not finite with
 * x a whole number >= 0 and 0 <= t_x <= T.
 */
LOYAL_EXTERN(double) loyal_pnbd_p_alive(const loyal_pnbd_params *p, double x, double t_x,
					double T);

/*
 * E[Y(t) | x, t_x, T], the expected purchases in (T, T+t]:
 *
 *   (r+x)(beta+T) / ((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)] P(alive)
 *
 * (its limit (r+x)(beta+T)/(alpha+T) ln((beta+T+t)/(beta+T)) P(alive) at
 * s = 1). Same NAN cases, and NAN for t < 0 or not finite; 0 for t = 0.
 */
LOYAL_EXTERN(double) loyal_pnbd_expected_conditional(const loyal_pnbd_params *p, double t,
						     double x, double t_x, double T);

/* E[X(t)] = r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)], the expected
 * repeat purchases in the first t units of a newly acquired customer. */
LOYAL_EXTERN(double) loyal_pnbd_expected_unconditional(const loyal_pnbd_params *p, double t);

/*
 * P(no purchase in (T, T+t] | x, t_x, T) = 1 - P(alive) + P(alive) P0, where
 * for a customer alive at T with rates lambda and mu, no purchase comes
 * before death or t: 1 - lambda/(lambda+mu) (1 - e^-(lambda+mu)t), so that
 * under their posterior (lambda ~ Gamma(r+x, alpha+T), mu ~ Gamma(s, beta+T))
 *
 *   P0 = 1 - (r+x) (alpha+T)^(r+x) (beta+T)^s
 *            * integral from 0 to t of (alpha+T+y)^-(r+x+1) (beta+T+y)^-s dy
 *
 * Same NAN cases as loyal_pnbd_expected_conditional(); 1 for t = 0.
 */
LOYAL_EXTERN(double) loyal_pnbd_p_no_purchase(const loyal_pnbd_params *p, double t, double x,
					      double t_x, double T);

/*
 * The population's mean probability of leaving before the next purchase,
 * E[mu / (lambda + mu)] under the Gamma mixing distributions: the
 * Pareto/NBD counterpart of BG/NBD's mean drop-out probability per
 * purchase a/(a+b). NAN for invalid parameters.
 */
LOYAL_EXTERN(double) loyal_pnbd_dropout_per_purchase(const loyal_pnbd_params *p);

/* Score n customers: p_alive[i] and expected[i] (over the next t units) as
 * the functions above; either output may be NULL. Returns 0, or
 * LOYAL_EINVAL (NULL input, invalid parameters or t); an invalid history
 * gives NAN in its place. */
LOYAL_EXTERN(int) loyal_pnbd_score(const loyal_pnbd_params *p, double t, size_t n,
				   const double *x, const double *t_x, const double *T,
				   double *p_alive, double *expected);

/* The expected cumulative repeat purchases of a cohort, as
 * loyal_bgnbd_cumulative() for the Pareto/NBD model (E[X] of
 * loyal_pnbd_expected_unconditional()). */
LOYAL_EXTERN(int) loyal_pnbd_cumulative(const loyal_pnbd_params *p, size_t nk,
					const double *s, const double *count,
					size_t nt, const double *t, double *out);

#endif
