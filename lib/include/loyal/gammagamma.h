#ifndef LOYAL_GAMMAGAMMA_H
#define LOYAL_GAMMAGAMMA_H

#include "common.h"

/*
 * The Gamma-Gamma model of spend per transaction (Fader & Hardie 2013, "The
 * Gamma-Gamma Model of Monetary Value"; Colombo & Jiang 1999).
 *
 * Each customer is described by
 *   x   number of repeat transactions, a whole number >= 1
 *   m   their mean value (the mean of the x repeat transactions)
 *
 * A customer's transaction values are Gamma(shape p, rate nu), so their mean
 * spend is p/nu; across customers nu ~ Gamma(shape q, rate gamma). The
 * likelihood of one customer's mean m is
 *
 *   f(m | x) = G(px+q) / (G(px) G(q)) * gamma^q m^(px-1) x^(px)
 *              / (gamma + x m)^(px+q)
 *
 * The model assumes spend is independent of the number of transactions;
 * only customers with at least one repeat transaction enter the fit.
 * Customers are grouped by identical (x, m), so fitting costs time in
 * proportion to the number of distinct pairs.
 */

/* Customers to fit, grouped by identical (x, m). Opaque. */
typedef struct loyal_gg_data loyal_gg_data;

/* Create an empty data set in *out. Returns 0, or LOYAL_ENOMEM (then *out is
 * NULL). The caller frees it with loyal_gg_data_free(). */
LOYAL_EXTERN(int) loyal_gg_data_new(loyal_gg_data **out);

/* Add one customer with x repeat transactions of mean value mean_spend.
 * Returns 0, LOYAL_EINVAL when x is not a whole number >= 1 or mean_spend is
 * not finite and > 0 (with a reason in loyal_error_last(); d is unchanged),
 * or LOYAL_ENOMEM. */
LOYAL_EXTERN(int) loyal_gg_data_add(loyal_gg_data *d, double x, double mean_spend);

/* Add every customer of `from` to `into`; `from` is unchanged and still owned
 * by the caller. Returns 0, LOYAL_EINVAL if an argument is NULL or the total
 * would overflow, or LOYAL_ENOMEM (then `into` holds some of `from`). */
LOYAL_EXTERN(int) loyal_gg_data_merge(loyal_gg_data *into, const loyal_gg_data *from);

/* Number of customers added (0 for NULL). */
LOYAL_EXTERN(size_t) loyal_gg_data_customers(const loyal_gg_data *d);

/* Free a data set. Accepts NULL. */
LOYAL_EXTERN(void) loyal_gg_data_free(loyal_gg_data *d);

typedef struct {
	int version;        /* LOYAL_GG_FIT_OPTIONS_VERSION */
	int max_iterations; /* quasi-Newton iterations before giving up, >= 1 */
	/* Converged when no component of the gradient of the mean per-customer
	 * log-likelihood with respect to (ln p, ln q, ln gamma) exceeds this in
	 * magnitude; > 0. */
	double tolerance;
} loyal_gg_fit_options;

#define LOYAL_GG_FIT_OPTIONS_VERSION 1
#define LOYAL_GG_FIT_OPTIONS_INIT { LOYAL_GG_FIT_OPTIONS_VERSION, 200, 1e-8 }

/* Fitted (or given) model parameters. Only p, q and gamma are read by
 * loyal_gg_expected_spend(), so a caller may fill those in by hand. */
typedef struct {
	double p;     /* shape of the transaction values */
	double q;     /* shape of the customers' rate nu */
	double gamma; /* rate (inverse scale) of nu, in the currency's units */
	/* Standard errors, from the inverse of the observed information
	 * (finite differences of the analytic gradient) by the delta method;
	 * INFINITY when the information matrix is singular. */
	double se_p, se_q, se_gamma;
	double log_likelihood; /* total over all customers, at the estimate */
	size_t customers;      /* customers fitted */
	int iterations;        /* quasi-Newton iterations used */
	int converged;         /* 1 after a successful fit */
} loyal_gg_params;

/*
 * Fit the model to d by maximum likelihood (quasi-Newton on the logarithms
 * of the parameters, analytic gradient). opts may be NULL for the defaults.
 *
 * Returns 0 with *out filled in, or:
 *   LOYAL_EINVAL     an argument is NULL or an option is invalid;
 *   LOYAL_ENODATA    fewer than 2 customers;
 *   LOYAL_ECONVERGE  the fit failed or did not converge; loyal_error_last()
 *                    says how (iterations, gradient norm). *out then holds
 *                    the last point reached, with converged = 0 and NAN
 *                    standard errors, for diagnosis only;
 *   LOYAL_ENOMEM.
 * On success every field of *out is finite except possibly an INFINITY
 * standard error.
 */
LOYAL_EXTERN(int) loyal_gg_fit(loyal_gg_params *out, const loyal_gg_data *d,
			       const loyal_gg_fit_options *opts);

/* Total log-likelihood of the customers in d under p's p, q, gamma, into
 * *out. Returns 0, LOYAL_EINVAL for a NULL argument or parameters that are
 * not finite and positive, LOYAL_ENODATA for an empty d, or LOYAL_ENOMEM. */
LOYAL_EXTERN(int) loyal_gg_log_likelihood(double *out, const loyal_gg_params *p,
					  const loyal_gg_data *d);

/*
 * Expected value of a transaction of a customer with x repeat transactions
 * of mean value mean_spend, the mean of the posterior of p/nu:
 *
 *   E[Z | x, m] = p (gamma + x m) / (p x + q - 1)
 *               = w * p gamma/(q-1) + (1 - w) * m,   w = (q-1)/(p x + q - 1)
 *
 * a weighted average of the population mean p gamma/(q - 1) and the
 * customer's own mean. x = 0 gives the population mean (mean_spend is then
 * ignored). Returns INFINITY when p x + q <= 1 (the mean does not exist),
 * and NAN when p is NULL, a parameter is not finite and positive, x is not a
 * whole number >= 0, or x > 0 and mean_spend is not finite and > 0.
 */
LOYAL_EXTERN(double) loyal_gg_expected_spend(const loyal_gg_params *p, double x,
					     double mean_spend);

#endif
