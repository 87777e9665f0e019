#ifndef LOYAL_BGNBD_P_H
#define LOYAL_BGNBD_P_H

#include "loyal/bgnbd.h"
#include "groups_p.h"
#include "optim_p.h"

/*
 * Internals shared by the models fitted to (x, t_x, T) data: BG/NBD and
 * MBG/NBD (bgnbd.c, mbgnbd.c), which differ only in whether a customer can
 * drop out right after the first purchase, and Pareto/NBD (pnbd.c).
 */

/* Groups keyed {x, t_x, T}. */
struct loyal_bgnbd_data {
	loyal__groups groups;
};

#define LOYAL__G_X(g) ((g)->key[0])
#define LOYAL__G_TX(g) ((g)->key[1])
#define LOYAL__G_T(g) ((g)->key[2])

/* Fit options after checking (either version of loyal_bgnbd_fit_options);
 * returns 0 or LOYAL_EINVAL with a message naming `model`. */
typedef struct {
	int max_iterations;
	double tolerance;
	double penalty;
	unsigned threads;       /* >= 1 */
} loyal__fit_settings;

int loyal__fit_settings_read(loyal__fit_settings *out, const loyal_bgnbd_fit_options *opts,
			     const char *model);

/*
 * The start of every fit of `model` ("BG/NBD") to d: its options read into
 * *fs, then at least one customer and at least 2 with a repeat purchase.
 * Writes the sums of x and T over all customers (for starting points).
 * Returns 0, or LOYAL_EINVAL or LOYAL_ENODATA with a message naming model.
 */
int loyal__fit_begin(loyal__fit_settings *fs, const loyal_bgnbd_data *d,
		     const loyal_bgnbd_fit_options *opts, const char *model, double *sum_x,
		     double *sum_T);

/*
 * The rest of every fit: minimise fn (the mean negative log-likelihood per
 * customer over N customers, with ctx) plus fs->penalty on the
 * log-parameters th[4], named names[4], from the starting point in th; th
 * is left at the estimate. Writes the log-likelihood there (without the
 * penalty) and the iterations done, then judges the fit and writes the
 * standard errors into se[4] (loyal__optim_conclude()). Returns 0, or
 * LOYAL_ECONVERGE naming model with se[] all NaN.
 */
int loyal__fit_minimize(const char *model, const loyal__fit_settings *fs,
			loyal__objective_fn fn, void *ctx, double N, const char *const names[4],
			double th[4], double *log_likelihood, int *iterations, double se[4]);

/* Whether (x, t_x, T) is a history the predictions take: finite, x a whole
 * number >= 0, 0 <= t_x <= T. */
int loyal__bg_history_ok(double x, double t_x, double T);

/* The BG/NBD family: `modified` 0 for BG/NBD, 1 for MBG/NBD. Each is the
 * public function of that model (see bgnbd.h, mbgnbd.h). */
int loyal__bg_fit(loyal_bgnbd_params *out, const loyal_bgnbd_data *d,
		  const loyal_bgnbd_fit_options *opts, int modified);
int loyal__bg_log_likelihood(double *out, const loyal_bgnbd_params *p,
			     const loyal_bgnbd_data *d, int modified);
double loyal__bg_p_alive(const loyal_bgnbd_params *p, double x, double t_x, double T,
			 int modified);
double loyal__bg_expected_conditional(const loyal_bgnbd_params *p, double t, double x,
				      double t_x, double T, int modified);
double loyal__bg_expected_unconditional(const loyal_bgnbd_params *p, double t, int modified);
double loyal__bg_p_no_purchase(const loyal_bgnbd_params *p, double t, double x, double t_x,
			       double T, int modified);
int loyal__bg_score(const loyal_bgnbd_params *p, double t, size_t n, const double *x,
		    const double *t_x, const double *T, double *p_alive, double *expected,
		    int modified);

/* The fits' objective at th = the logarithms of the four parameters: the
 * mean negative log-likelihood per customer, and its gradient with
 * respect to th into grad (what the quasi-Newton fit uses). For tests;
 * NAN when it cannot be evaluated or memory runs out. */
double loyal__bg_objective_at(const loyal_bgnbd_data *d, int modified, const double th[4],
			      double grad[4]);
double loyal__pnbd_objective_at(const loyal_bgnbd_data *d, const double th[4], double grad[4]);

#endif
