#ifndef LOYAL_OPTIM_P_H
#define LOYAL_OPTIM_P_H

#include <stddef.h>

/*
 * A small quasi-Newton minimiser for the model fits (bgnbd.c,
 * gammagamma.c): BFGS with a strong-Wolfe line search, for smooth objectives
 * of a few variables with an analytic gradient. Internal to libloyal.
 * Nothing here allocates, prints or keeps state between calls.
 */

/* Largest number of variables the minimiser handles. */
#define LOYAL__OPTIM_MAX_DIM 8

/* The objective: returns f(x) and writes its gradient into grad (n values).
 * Returns NAN or +INFINITY when x lies outside the objective's domain; the
 * minimiser then steps back. */
typedef double (*loyal__objective_fn)(void *ctx, const double *x, double *grad);

typedef struct {
	int max_iterations; /* BFGS iterations (one line search each), >= 1 */
	double gtol;        /* converged when max_i |grad_i| <= gtol */
	double max_step;    /* largest change of any coordinate per iteration; 0: none */
} loyal__optim_options;

/* Outcome of loyal__optim_bfgs(), in loyal__optim_result.status. */
enum {
	LOYAL__OPTIM_CONVERGED = 0,  /* the gradient test was met */
	LOYAL__OPTIM_MAXITER = 1,    /* max_iterations ran out first */
	LOYAL__OPTIM_LINESEARCH = 2, /* no step along the search direction lowered f */
	LOYAL__OPTIM_NONFINITE = 3   /* f or its gradient is not finite at the start */
};

typedef struct {
	int status;      /* one of the LOYAL__OPTIM_* values above */
	int iterations;  /* BFGS iterations done */
	int evaluations; /* calls of the objective */
	double f;        /* objective at the returned x */
	double gnorm;    /* max_i |grad_i| at the returned x */
} loyal__optim_result;

/* Minimises fn starting from x (n values, 1 <= n <= LOYAL__OPTIM_MAX_DIM).
 * On return x holds the best point found, whatever the status, and *res
 * describes the run. Returns res->status (0 when converged), or
 * LOYAL_EINVAL (negative) for invalid arguments, in which case x and *res
 * are untouched. */
int loyal__optim_bfgs(loyal__objective_fn fn, void *ctx, size_t n, double *x,
		      const loyal__optim_options *opts, loyal__optim_result *res);

/* The Hessian of fn at x by central differences of its gradient with
 * coordinate step `step`, symmetrised, into H (n*n values, row-major).
 * Returns 0, or -1 if fn or its gradient is not finite at a probe point. */
int loyal__optim_hessian(loyal__objective_fn fn, void *ctx, size_t n, const double *x,
			 double step, double *H);

/* Inverts the symmetric positive definite n*n matrix A (row-major) in place,
 * by Cholesky factorisation. Returns 0, or -1 if A is not numerically
 * positive definite (A is then left in an unspecified state). */
int loyal__optim_invert_spd(size_t n, double *A);

/* Log-parameters beyond +-LOYAL__OPTIM_RUNAWAY (a factor e^23 from 1) mean
 * the fit is heading for 0 or infinity; those beyond +-LOYAL__OPTIM_SUSPECT
 * (a factor 1e4) are named when reporting it. */
#define LOYAL__OPTIM_RUNAWAY 23.0
#define LOYAL__OPTIM_SUSPECT 9.21

/*
 * After a fit passed loyal__optim_check_fit() and se[n] was filled by
 * loyal__optim_std_errors(): a parameter beyond LOYAL__OPTIM_SUSPECT whose
 * standard error cannot be computed sits where the likelihood is flat in
 * its direction (a and b of BG/NBD growing together, for one), so the data
 * do not determine it. Returns 0, or LOYAL_ECONVERGE saying so.
 */
int loyal__optim_check_determined(const char *model, size_t n, const double *th,
				  const double *se, const char *const *names);

/*
 * Judge a fit of `model` ("BG/NBD") over log-parameters th[n] named
 * names[n], as left by loyal__optim_bfgs() with `status` and *res.
 * Returns 0 when it converged with every parameter within bounds, or
 * LOYAL_ECONVERGE with a message saying what failed: not finite at the
 * start, parameters that run off without bound (named, with their values),
 * too many iterations, or a stalled line search.
 */
int loyal__optim_check_fit(const char *model, int status, const loyal__optim_result *res,
			   size_t n, const double *th, const char *const *names, double tol);

/*
 * Standard errors of the natural parameters exp(th[i]) of a fit that
 * minimised fn, the mean negative log-likelihood over N customers: the
 * covariance of the log-parameters is the inverse Hessian of N * fn, and
 * se(v) = v se(ln v) (delta method). Writes se[n]; an entry is INFINITY
 * when the Hessian cannot be computed or inverted.
 */
void loyal__optim_std_errors(loyal__objective_fn fn, void *ctx, size_t n, const double *th,
			     double N, double *se);

/*
 * The end of every model fit, after loyal__optim_bfgs() left th[n] with
 * `status` and *res: loyal__optim_check_fit(), then the standard errors
 * (loyal__optim_std_errors() of fn, the mean negative log-likelihood over N
 * customers, with ctx) into se[n], loyal__optim_check_determined(), and a
 * finite log_likelihood at the estimate. Returns 0, or LOYAL_ECONVERGE
 * naming `model` with se[] all NaN.
 */
int loyal__optim_conclude(const char *model, int status, const loyal__optim_result *res,
			  size_t n, const double *th, const char *const *names, double tol,
			  loyal__objective_fn fn, void *ctx, double N, double log_likelihood,
			  double *se);

/*
 * An objective plus an L2 penalty on its variables (the log-parameters of
 * a fit): f(x) + penalty * sum x_i^2, for the fits' penalty option (as the
 * penalizer_coef of the lifetimes package, but on the logarithms of the
 * parameters, so that it pulls them towards 1 rather than towards 0).
 * Pass loyal__penalized_objective with a loyal__penalized as its context.
 */
typedef struct {
	loyal__objective_fn fn;
	void *ctx;
	size_t n;
	double penalty; /* >= 0 */
} loyal__penalized;

double loyal__penalized_objective(void *ctx, const double *x, double *grad);

#endif
