#ifndef LOYAL_BGNBD_H
#define LOYAL_BGNBD_H

#include "common.h"

/*
 * The BG/NBD model of repeat buying (Fader, Hardie & Lee 2005, "Counting
 * your customers the easy way: an alternative to the Pareto/NBD model",
 * Marketing Science 24(2)).
 *
 * Each customer is described by three numbers, all in one time unit of the
 * caller's choosing (weeks in the paper):
 *   x    number of repeat purchases in the calibration period (purchase
 *        occasions after the first one), a whole number >= 0
 *   t_x  time of the last purchase, measured from the first one
 *        (0 when x = 0)
 *   T    length of the calibration period, from the first purchase to its end
 *
 * While alive a customer buys at rate lambda ~ Gamma(shape r, rate alpha);
 * after every purchase they drop out for good with probability
 * p ~ Beta(a, b). With B the beta function, the likelihood of one customer is
 *
 *   L = B(a, b+x)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+T)^(r+x))
 *     + [x > 0] B(a+1, b+x-1)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+t_x)^(r+x))
 *
 * Customers are grouped by identical (x, t_x, T), so fitting costs time in
 * proportion to the number of distinct triples, not of customers.
 *
 * The MBG/NBD (mbgnbd.h) and Pareto/NBD (pnbd.h) models are fitted to the
 * same data, a loyal_bgnbd_data, with the same fit options.
 */

/* Customers to fit, grouped by identical (x, t_x, T). Opaque. Also the
 * input of loyal_mbgnbd_fit() and loyal_pnbd_fit(). */
typedef struct loyal_bgnbd_data loyal_bgnbd_data;

/* Create an empty data set in *out. Returns 0, or LOYAL_ENOMEM (then *out is
 * NULL). The caller frees it with loyal_bgnbd_data_free(). */
LOYAL_EXTERN(int) loyal_bgnbd_data_new(loyal_bgnbd_data **out);

/* Add one customer. x must be a whole number >= 0, 0 <= t_x <= T, all
 * finite; t_x must be 0 when x is 0 and > 0 when x > 0 (a repeat purchase at
 * the time of the first has probability 0 and makes the likelihood
 * unbounded: count purchases on the same day as one occasion). Returns 0,
 * LOYAL_EINVAL for an invalid triple (with a reason in loyal_error_last();
 * d is unchanged) or LOYAL_ENOMEM. */
LOYAL_EXTERN(int) loyal_bgnbd_data_add(loyal_bgnbd_data *d, double x, double t_x, double T);

/* Add `count` customers with the same (x, t_x, T), as loyal_bgnbd_data_add()
 * would one at a time. A count of 0 checks the triple and adds nothing. */
LOYAL_EXTERN(int) loyal_bgnbd_data_add_count(loyal_bgnbd_data *d, double x, double t_x,
					     double T, size_t count);

/* Add every customer of `from` to `into`; `from` is unchanged and still owned
 * by the caller. Returns 0, LOYAL_EINVAL if an argument is NULL or the total
 * would overflow, or LOYAL_ENOMEM (then `into` holds some of `from`). */
LOYAL_EXTERN(int) loyal_bgnbd_data_merge(loyal_bgnbd_data *into, const loyal_bgnbd_data *from);

/* Number of customers added (0 for NULL). */
LOYAL_EXTERN(size_t) loyal_bgnbd_data_customers(const loyal_bgnbd_data *d);

/* Number of distinct (x, t_x, T) triples, what a fit's cost grows with
 * (0 for NULL). */
LOYAL_EXTERN(size_t) loyal_bgnbd_data_groups(const loyal_bgnbd_data *d);

/* Free a data set. Accepts NULL. */
LOYAL_EXTERN(void) loyal_bgnbd_data_free(loyal_bgnbd_data *d);

typedef struct {
	int version;        /* LOYAL_BGNBD_FIT_OPTIONS_VERSION */
	int max_iterations; /* quasi-Newton iterations before giving up, >= 1 */
	/* Converged when no component of the gradient of the mean per-customer
	 * log-likelihood with respect to (ln r, ln alpha, ln a, ln b) exceeds
	 * this in magnitude; > 0. */
	double tolerance;
	/* Version 2: an L2 penalty on the log-parameters, for fits that run to
	 * a boundary: the fit minimises
	 *   -log_likelihood / customers + penalty * sum (ln theta_i)^2
	 * over the model's four parameters theta_i. >= 0; 0 (the default) is
	 * plain maximum likelihood. It pulls each parameter towards 1; the
	 * lifetimes package's penalizer_coef penalises theta_i^2 instead. As
	 * alpha and beta are in the caller's time unit, so is the penalty's
	 * effect on them. Ignored in a version 1 struct. */
	double penalty;
	/* Version 3: threads for the BG/NBD and MBG/NBD likelihood over many
	 * distinct triples (Pareto/NBD ignores it); 0 or 1: the calling thread
	 * only. The fit is the same to the last bit with any number: the
	 * threads compute each triple's terms, which are then summed in one
	 * order. Read as 1 in an older struct. */
	unsigned threads;
} loyal_bgnbd_fit_options;

#define LOYAL_BGNBD_FIT_OPTIONS_VERSION 3
#define LOYAL_BGNBD_FIT_OPTIONS_INIT { LOYAL_BGNBD_FIT_OPTIONS_VERSION, 200, 1e-8, 0.0, 1 }

/* Fitted (or given) model parameters. Only r, alpha, a and b are read by the
 * prediction functions below, so a caller may fill those in by hand. */
typedef struct {
	double r, alpha;   /* purchase rate ~ Gamma(shape r, rate alpha) */
	double a, b;       /* dropout probability ~ Beta(a, b) */
	/* Standard errors, from the inverse of the observed information
	 * (finite differences of the analytic gradient) by the delta method;
	 * INFINITY when the information matrix is singular. With a penalty,
	 * the information of the penalised objective (smaller errors). */
	double se_r, se_alpha, se_a, se_b;
	double log_likelihood; /* total over all customers, at the estimate
	                        * (without the penalty) */
	size_t customers;      /* customers fitted */
	int iterations;        /* quasi-Newton iterations used */
	int converged;         /* 1 after a successful fit */
	double penalty;        /* the penalty the fit used (0: none) */
} loyal_bgnbd_params;

/*
 * Fit the model to d by maximum likelihood (quasi-Newton on the logarithms
 * of the parameters, analytic gradient). opts may be NULL for the defaults.
 *
 * Returns 0 with *out filled in, or:
 *   LOYAL_EINVAL     an argument is NULL or an option is invalid;
 *   LOYAL_ENODATA    no customers, or fewer than 2 with a repeat purchase;
 *   LOYAL_ECONVERGE  the fit failed or did not converge; loyal_error_last()
 *                    says how (iterations, gradient norm). *out then holds
 *                    the last point reached, with converged = 0 and NAN
 *                    standard errors, for diagnosis only;
 *   LOYAL_ENOMEM.
 * On success every field of *out is finite except possibly an INFINITY
 * standard error.
 */
LOYAL_EXTERN(int) loyal_bgnbd_fit(loyal_bgnbd_params *out, const loyal_bgnbd_data *d,
				  const loyal_bgnbd_fit_options *opts);

/* Total log-likelihood of the customers in d under p's r, alpha, a, b (no
 * penalty), into
 * *out. Returns 0, LOYAL_EINVAL for a NULL argument or parameters that are
 * not finite and positive, LOYAL_ENODATA for an empty d, or LOYAL_ENOMEM. */
LOYAL_EXTERN(int) loyal_bgnbd_log_likelihood(double *out, const loyal_bgnbd_params *p,
					     const loyal_bgnbd_data *d);

/*
 * Probability that a customer with history (x, t_x, T) is still alive at T:
 *
 *   P(alive) = 1 / (1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))
 *
 * It is 1 when x = 0. Returns NAN when p is NULL, a parameter is not finite
 * and positive, or the history is not finite with x >= 0, 0 <= t_x <= T.
 */
LOYAL_EXTERN(double) loyal_bgnbd_p_alive(const loyal_bgnbd_params *p, double x, double t_x,
					 double T);

/*
 * Expected number of purchases in the next t time units, (T, T+t], of a
 * customer with history (x, t_x, T) (the paper's equation 10):
 *
 *   E[Y(t) | x, t_x, T] =
 *     (a+b+x-1)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x)
 *                            * 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))]
 *     * P(alive)
 *
 * evaluated through Euler's transformation of 2F1 and, where a or a+b+x-1
 * come within 1e-3 of the removable singularities at a = 1 and a+b+x = 1, by
 * interpolation from nearby parameter values. Same NAN cases as
 * loyal_bgnbd_p_alive(), and NAN for t < 0 or not finite; 0 for t = 0.
 */
LOYAL_EXTERN(double) loyal_bgnbd_expected_conditional(const loyal_bgnbd_params *p, double t,
						      double x, double t_x, double T);

/*
 * Probability that a customer with history (x, t_x, T) makes no purchase in
 * the next t time units, (T, T+t]:
 *
 *   P(Y(t) = 0 | x, t_x, T) = 1 - P(alive) + P(alive) ((alpha+T)/(alpha+T+t))^(r+x)
 *
 * (a customer alive at T can only drop out after a purchase). Same NAN cases
 * as loyal_bgnbd_expected_conditional(); 1 for t = 0.
 */
LOYAL_EXTERN(double) loyal_bgnbd_p_no_purchase(const loyal_bgnbd_params *p, double t, double x,
					       double t_x, double T);

/*
 * Expected number of repeat purchases in the first t time units of a newly
 * acquired customer (the paper's equation 9):
 *
 *   E[X(t)] = (a+b-1)/(a-1) * [1 - (alpha/(alpha+t))^r
 *                                  * 2F1(r, b; a+b-1; t/(alpha+t))]
 *
 * NAN when p is NULL, a parameter is not finite and positive, or t < 0 or
 * not finite; 0 for t = 0.
 */
LOYAL_EXTERN(double) loyal_bgnbd_expected_unconditional(const loyal_bgnbd_params *p, double t);

/*
 * Score n customers in one call: for customer i with history (x[i], t_x[i],
 * T[i]), p_alive[i] = loyal_bgnbd_p_alive() and expected[i] =
 * loyal_bgnbd_expected_conditional() over the next t time units, with the
 * same values and the same NAN for an invalid history. Either output may be
 * NULL to skip it (t is then ignored if expected is NULL). All arrays are
 * the caller's, of n elements.
 *
 * Faster than one call per customer when customers share x and T, as they
 * do when times are whole days: the hypergeometric part of the expectation
 * does not depend on t_x and is computed once per distinct (x, T).
 *
 * Returns 0; LOYAL_EINVAL when p or an input array is NULL, a parameter is
 * not finite and positive, or t is not finite and >= 0; LOYAL_ENOMEM (the
 * outputs are then partly written).
 */
LOYAL_EXTERN(int) loyal_bgnbd_score(const loyal_bgnbd_params *p, double t, size_t n,
				    const double *x, const double *t_x, const double *T,
				    double *p_alive, double *expected);

/*
 * Expected cumulative repeat purchases of a cohort at times t[0..nt):
 *
 *   out[j] = sum over k of count[k] * E[X(t[j] - s[k])]   (terms with t[j] <= s[k] are 0)
 *
 * for count[k] customers acquired at time s[k] (same unit as the model),
 * E[X] being loyal_bgnbd_expected_unconditional(). Customers acquired on the
 * same day should be passed as one (s, count) pair: the cost is nk * nt.
 * Returns 0, or LOYAL_EINVAL for NULL arrays or invalid parameters.
 */
LOYAL_EXTERN(int) loyal_bgnbd_cumulative(const loyal_bgnbd_params *p, size_t nk,
					 const double *s, const double *count,
					 size_t nt, const double *t, double *out);

#endif
