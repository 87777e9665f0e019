#ifndef LOYAL_BGNBD_P_H
#define LOYAL_BGNBD_P_H

#include "loyal/bgnbd.h"
#include "groups_p.h"

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

/* Customers with a repeat purchase in d, and the sums of x and T over all
 * customers (for starting points). */
size_t loyal__bg_repeaters(const loyal_bgnbd_data *d, double *sum_x, double *sum_T);

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
