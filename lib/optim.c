/*
 * BFGS with a strong-Wolfe line search (Nocedal & Wright, Numerical
 * Optimization, 2nd ed., algorithms 6.1, 3.5 and 3.6). The problems here
 * have at most a handful of variables, so the dense inverse-Hessian update
 * costs nothing next to one evaluation of a likelihood.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "errors_p.h"
#include "optim_p.h"

#define C1 1e-4         /* sufficient decrease */
#define C2 0.9          /* curvature, the usual value for quasi-Newton */
#define MAX_BRACKET 40  /* evaluations while bracketing */
#define MAX_ZOOM 40     /* evaluations while zooming */

typedef struct {
	loyal__objective_fn fn;
	void *ctx;
	size_t n;
	const double *x0; /* start of the line */
	const double *p;  /* direction */
	double f0, dg0;   /* f and its directional derivative at the start */
	double ftol;      /* how far rounding may move f near a minimum */
	double *x, *g;    /* scratch: point and gradient of the last probe */
	int evaluations;
} line;

typedef struct {
	double a, f, dg;
} probe;

static double dot(size_t n, const double *u, const double *v)
{
	double s = 0.0;
	size_t i;

	for (i = 0; i < n; i++)
		s += u[i] * v[i];
	return s;
}

static double max_abs(size_t n, const double *v)
{
	double m = 0.0;
	size_t i;

	for (i = 0; i < n; i++)
		if (!(fabs(v[i]) <= m))
			m = fabs(v[i]); /* also propagates NaN */
	return m;
}

static int all_finite(size_t n, const double *v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return 0;
	return 1;
}

/* Evaluates at x0 + a p; a non-finite value or gradient reads as +inf. */
static probe evaluate(line *ls, double a)
{
	probe pr;
	size_t i;

	for (i = 0; i < ls->n; i++)
		ls->x[i] = ls->x0[i] + a * ls->p[i];
	pr.a = a;
	pr.f = ls->fn(ls->ctx, ls->x, ls->g);
	ls->evaluations++;
	if (!isfinite(pr.f) || !all_finite(ls->n, ls->g)) {
		pr.f = HUGE_VAL;
		pr.dg = NAN;
	} else {
		pr.dg = dot(ls->n, ls->g, ls->p);
	}
	return pr;
}

/* Sufficient decrease. Near a minimum the decrease a step can bring falls
 * below the rounding noise of f, a sum over many customers; there, as in
 * Hager & Zhang's CG_DESCENT, the "approximate Wolfe" test replaces it: f
 * within the noise band of f0 and a slope that shows the quadratic model
 * decreased enough, dg <= (2 C1 - 1) dg0. */
static int sufficient(const line *ls, const probe *pr)
{
	if (pr->f <= ls->f0 + C1 * pr->a * ls->dg0)
		return 1;
	return pr->f <= ls->f0 + ls->ftol && pr->dg <= (2.0 * C1 - 1.0) * ls->dg0;
}

static int curvature(const line *ls, const probe *pr)
{
	return fabs(pr->dg) <= -C2 * ls->dg0;
}

/* Minimiser of the cubic through (lo, hi) with their values and slopes,
 * kept inside the middle 80% of the interval; bisection when the cubic has
 * no usable minimum or hi is not a finite probe. */
static double interpolate(const probe *lo, const probe *hi)
{
	double d = hi->a - lo->a, lim1 = lo->a + 0.1 * d, lim2 = hi->a - 0.1 * d, a;

	if (isfinite(hi->f) && isfinite(hi->dg)) {
		double d1 = lo->dg + hi->dg - 3.0 * (lo->f - hi->f) / (lo->a - hi->a);
		double disc = d1 * d1 - lo->dg * hi->dg;
		if (disc >= 0.0) {
			double d2 = (d > 0 ? 1.0 : -1.0) * sqrt(disc);
			double den = hi->dg - lo->dg + 2.0 * d2;
			if (den != 0.0) {
				a = hi->a - d * (hi->dg + d2 - d1) / den;
				if (isfinite(a)) {
					double lo_lim = fmin(lim1, lim2), hi_lim = fmax(lim1, lim2);
					return fmin(fmax(a, lo_lim), hi_lim);
				}
			}
		}
	}
	return 0.5 * (lo->a + hi->a);
}

/* lo is a step that went downhill (slope < 0, f no higher than f0 beyond
 * the noise band); hi is one past the minimum along the line (slope >= 0,
 * or f too high). Narrow the interval down to a point satisfying the Wolfe
 * conditions. Returns 0 when *out is the last point probed (its gradient
 * is in ls->g), 1 when it is an earlier one, -1 on failure. */
static int zoom(line *ls, probe lo, probe hi, probe *out)
{
	int i;

	for (i = 0; i < MAX_ZOOM; i++) {
		probe pr = evaluate(ls, interpolate(&lo, &hi));
		if (sufficient(ls, &pr) && curvature(ls, &pr)) {
			*out = pr;
			return 0;
		}
		if (!isfinite(pr.f) || pr.dg >= 0.0 || !sufficient(ls, &pr))
			hi = pr;
		else
			lo = pr;
	}
	/* Out of patience: a step that still went downhill will do. */
	if (lo.a > 0.0) {
		*out = lo;
		return 1;
	}
	return -1;
}

/* A step along p satisfying the Wolfe conditions (Nocedal & Wright
 * algorithm 3.5, with the noise-tolerant decrease test), starting from a0
 * and never beyond amax. On success the returned probe's point and gradient
 * are left in ls->x and ls->g. */
static int line_search(line *ls, double a0, double amax, probe *out)
{
	probe prev = { 0.0, ls->f0, ls->dg0 }, pr;
	int i, rc = -1;

	pr.a = a0;
	for (i = 0; i < MAX_BRACKET; i++) {
		pr = evaluate(ls, pr.a);
		if (!isfinite(pr.f)) {
			/* Outside the domain: come back towards the last good point. */
			pr.a = prev.a + 0.2 * (pr.a - prev.a);
			continue;
		}
		if (sufficient(ls, &pr) && curvature(ls, &pr)) {
			*out = pr;
			return 0;
		}
		if (pr.dg >= 0.0 || !sufficient(ls, &pr)) {
			rc = zoom(ls, prev, pr, out);
			break;
		}
		/* Still going down steeply: look further. */
		if (pr.a >= amax) {
			*out = pr;
			return 0;
		}
		prev = pr;
		pr.a = fmin(2.0 * pr.a, amax);
	}
	if (rc == 1)
		*out = evaluate(ls, out->a); /* put its point and gradient back */
	return rc < 0 ? -1 : 0;
}

static void scaled_identity(size_t n, double *H, double scale)
{
	size_t i;

	memset(H, 0, n * n * sizeof(*H));
	for (i = 0; i < n; i++)
		H[i * n + i] = scale;
}

int loyal__optim_bfgs(loyal__objective_fn fn, void *ctx, size_t n, double *x,
		      const loyal__optim_options *opts, loyal__optim_result *res)
{
	double H[LOYAL__OPTIM_MAX_DIM * LOYAL__OPTIM_MAX_DIM];
	double g[LOYAL__OPTIM_MAX_DIM], p[LOYAL__OPTIM_MAX_DIM];
	double xs[LOYAL__OPTIM_MAX_DIM], gs[LOYAL__OPTIM_MAX_DIM];
	double s[LOYAL__OPTIM_MAX_DIM], y[LOYAL__OPTIM_MAX_DIM], Hy[LOYAL__OPTIM_MAX_DIM];
	double f;
	int fresh = 1, it;
	size_t i, j;
	line ls;

	if (!fn || !x || !opts || !res || n == 0 || n > LOYAL__OPTIM_MAX_DIM ||
	    opts->max_iterations < 1 || !(opts->gtol > 0.0) || !(opts->max_step >= 0.0))
		return LOYAL_EINVAL;

	memset(res, 0, sizeof(*res));
	f = fn(ctx, x, g);
	res->evaluations = 1;
	res->f = f;
	res->gnorm = max_abs(n, g);
	if (!isfinite(f) || !all_finite(n, g)) {
		res->status = LOYAL__OPTIM_NONFINITE;
		return res->status;
	}
	scaled_identity(n, H, 1.0);

	for (it = 0; ; it++) {
		double amax, a0, pmax, ys, yHy;
		probe pr;

		if (res->gnorm <= opts->gtol) {
			res->status = LOYAL__OPTIM_CONVERGED;
			break;
		}
		if (it >= opts->max_iterations) {
			res->status = LOYAL__OPTIM_MAXITER;
			break;
		}
		/* p = -H g, which is a descent direction while H stays positive
		 * definite; if rounding broke that, start H afresh. */
		for (i = 0; i < n; i++) {
			p[i] = 0.0;
			for (j = 0; j < n; j++)
				p[i] -= H[i * n + j] * g[j];
		}
		if (!(dot(n, p, g) < 0.0)) {
			scaled_identity(n, H, 1.0);
			fresh = 1;
			for (i = 0; i < n; i++)
				p[i] = -g[i];
		}
		pmax = max_abs(n, p);
		amax = opts->max_step > 0.0 ? opts->max_step / pmax : HUGE_VAL;
		a0 = fmin(1.0, amax);

		ls.fn = fn;
		ls.ctx = ctx;
		ls.n = n;
		ls.x0 = x;
		ls.p = p;
		ls.f0 = f;
		ls.dg0 = dot(n, g, p);
		ls.ftol = 1e-10 * (fabs(f) + 1e-3);
		ls.x = xs;
		ls.g = gs;
		ls.evaluations = 0;
		if (line_search(&ls, a0, amax, &pr) != 0 || !(pr.a > 0.0)) {
			res->evaluations += ls.evaluations;
			if (fresh) {
				res->status = LOYAL__OPTIM_LINESEARCH;
				break;
			}
			/* The curvature model may be stale: retry as steepest descent. */
			scaled_identity(n, H, 1.0);
			fresh = 1;
			continue;
		}
		res->evaluations += ls.evaluations;
		res->iterations = it + 1;

		for (i = 0; i < n; i++) {
			s[i] = xs[i] - x[i];
			y[i] = gs[i] - g[i];
			x[i] = xs[i];
			g[i] = gs[i];
		}
		f = pr.f;
		res->f = f;
		res->gnorm = max_abs(n, g);

		/* Inverse BFGS update, H <- (I - rho s y') H (I - rho y s') + rho s s',
		 * skipped when the curvature y's is not safely positive. */
		ys = dot(n, y, s);
		if (!(ys > 1e-12 * sqrt(dot(n, y, y) * dot(n, s, s))))
			continue;
		if (fresh) {
			scaled_identity(n, H, ys / dot(n, y, y));
			fresh = 0;
		}
		for (i = 0; i < n; i++) {
			Hy[i] = 0.0;
			for (j = 0; j < n; j++)
				Hy[i] += H[i * n + j] * y[j];
		}
		yHy = dot(n, y, Hy);
		for (i = 0; i < n; i++)
			for (j = 0; j < n; j++)
				H[i * n + j] += ((ys + yHy) * s[i] * s[j] / ys
						 - Hy[i] * s[j] - s[i] * Hy[j]) / ys;
	}
	return res->status;
}

int loyal__optim_hessian(loyal__objective_fn fn, void *ctx, size_t n, const double *x,
			 double step, double *H)
{
	double xp[LOYAL__OPTIM_MAX_DIM], gp[LOYAL__OPTIM_MAX_DIM], gm[LOYAL__OPTIM_MAX_DIM];
	size_t i, j;

	if (n == 0 || n > LOYAL__OPTIM_MAX_DIM)
		return -1;
	for (i = 0; i < n; i++) {
		memcpy(xp, x, n * sizeof(*xp));
		xp[i] = x[i] + step;
		if (!isfinite(fn(ctx, xp, gp)) || !all_finite(n, gp))
			return -1;
		xp[i] = x[i] - step;
		if (!isfinite(fn(ctx, xp, gm)) || !all_finite(n, gm))
			return -1;
		for (j = 0; j < n; j++)
			H[j * n + i] = (gp[j] - gm[j]) / (2.0 * step);
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			H[i * n + j] = H[j * n + i] = 0.5 * (H[i * n + j] + H[j * n + i]);
	return 0;
}

int loyal__optim_invert_spd(size_t n, double *A)
{
	double L[LOYAL__OPTIM_MAX_DIM * LOYAL__OPTIM_MAX_DIM];
	double Li[LOYAL__OPTIM_MAX_DIM * LOYAL__OPTIM_MAX_DIM];
	size_t i, j, k;

	if (n == 0 || n > LOYAL__OPTIM_MAX_DIM)
		return -1;
	/* A = L L' */
	memset(L, 0, sizeof(L));
	for (j = 0; j < n; j++) {
		double d = A[j * n + j];
		for (k = 0; k < j; k++)
			d -= L[j * n + k] * L[j * n + k];
		if (!(d > 1e-300) || !isfinite(d))
			return -1;
		L[j * n + j] = sqrt(d);
		for (i = j + 1; i < n; i++) {
			double v = A[i * n + j];
			for (k = 0; k < j; k++)
				v -= L[i * n + k] * L[j * n + k];
			L[i * n + j] = v / L[j * n + j];
		}
	}
	/* Li = L^-1 (lower triangular), then A^-1 = Li' Li. */
	memset(Li, 0, sizeof(Li));
	for (j = 0; j < n; j++) {
		Li[j * n + j] = 1.0 / L[j * n + j];
		for (i = j + 1; i < n; i++) {
			double v = 0.0;
			for (k = j; k < i; k++)
				v -= L[i * n + k] * Li[k * n + j];
			Li[i * n + j] = v / L[i * n + i];
		}
	}
	for (i = 0; i < n; i++)
		for (j = 0; j <= i; j++) {
			double v = 0.0;
			for (k = i; k < n; k++)
				v += Li[k * n + i] * Li[k * n + j];
			A[i * n + j] = A[j * n + i] = v;
		}
	for (i = 0; i < n * n; i++)
		if (!isfinite(A[i]))
			return -1;
	return 0;
}

int loyal__optim_check_fit(const char *model, int status, const loyal__optim_result *res,
			   size_t n, const double *th, const char *const *names, double tol)
{
	const char *its = res->iterations == 1 ? "iteration" : "iterations";
	char what[160];
	size_t i, used = 0;
	int runaway = 0, several;

	what[0] = '\0';
	for (i = 0; i < n; i++) {
		if (fabs(th[i]) > LOYAL__OPTIM_RUNAWAY)
			runaway = 1;
		if (fabs(th[i]) > LOYAL__OPTIM_SUSPECT && used < sizeof(what)) {
			int k = snprintf(what + used, sizeof(what) - used, "%s%s = %.3g",
					 used ? ", " : "", names[i], exp(th[i]));
			if (k > 0)
				used += (size_t)k;
		}
	}
	if (status == LOYAL__OPTIM_CONVERGED && !runaway)
		return 0;
	several = strchr(what, ',') != NULL;
	if (status == LOYAL__OPTIM_NONFINITE)
		return loyal__error(LOYAL_ECONVERGE, "%s fit failed: the log-likelihood is not "
				    "finite at the starting point", model);
	if (runaway || what[0])
		return loyal__error(LOYAL_ECONVERGE, "%s fit did not converge in %d %s: %s %s off "
				    "without bound, so the data do not determine %s (gradient "
				    "norm %.3g, tolerance %.3g)", model, res->iterations, its, what,
				    several ? "run" : "runs", several ? "them" : "it", res->gnorm, tol);
	if (status == LOYAL__OPTIM_MAXITER)
		return loyal__error(LOYAL_ECONVERGE, "%s fit did not converge in %d %s (gradient "
				    "norm %.3g, tolerance %.3g)", model, res->iterations, its,
				    res->gnorm, tol);
	return loyal__error(LOYAL_ECONVERGE, "%s fit stalled after %d %s: no step improves the "
			    "likelihood (gradient norm %.3g, tolerance %.3g)", model,
			    res->iterations, its, res->gnorm, tol);
}

int loyal__optim_check_determined(const char *model, size_t n, const double *th,
				  const double *se, const char *const *names)
{
	char what[160];
	size_t i, used = 0;

	what[0] = '\0';
	for (i = 0; i < n; i++) {
		if (fabs(th[i]) > LOYAL__OPTIM_SUSPECT && !isfinite(se[i]) && used < sizeof(what)) {
			int k = snprintf(what + used, sizeof(what) - used, "%s%s = %.3g",
					 used ? ", " : "", names[i], exp(th[i]));
			if (k > 0)
				used += (size_t)k;
		}
	}
	if (!what[0])
		return 0;
	return loyal__error(LOYAL_ECONVERGE, "%s fit stopped at %s, where the likelihood is flat "
			    "(no standard error can be computed): the data do not determine %s",
			    model, what, strchr(what, ',') ? "them" : "it");
}

void loyal__optim_std_errors(loyal__objective_fn fn, void *ctx, size_t n, const double *th,
			     double N, double *se)
{
	double H[LOYAL__OPTIM_MAX_DIM * LOYAL__OPTIM_MAX_DIM], g[LOYAL__OPTIM_MAX_DIM];
	size_t i;
	int ok;

	/* Evaluate at th first: objectives keep per-point state. */
	ok = isfinite(fn(ctx, th, g)) && loyal__optim_hessian(fn, ctx, n, th, 1e-4, H) == 0;
	if (ok) {
		for (i = 0; i < n * n; i++)
			H[i] *= N;
		ok = loyal__optim_invert_spd(n, H) == 0;
	}
	for (i = 0; i < n; i++)
		se[i] = ok ? exp(th[i]) * sqrt(H[i * (n + 1)]) : INFINITY;
}

double loyal__penalized_objective(void *ctx, const double *x, double *grad)
{
	const loyal__penalized *pen = ctx;
	double f = pen->fn(pen->ctx, x, grad), sq = 0.0;
	size_t i;

	if (pen->penalty == 0.0)
		return f;
	for (i = 0; i < pen->n; i++) {
		sq += x[i] * x[i];
		grad[i] += 2.0 * pen->penalty * x[i];
	}
	return f + pen->penalty * sq;
}

int loyal__optim_conclude(const char *model, int status, const loyal__optim_result *res,
			  size_t n, const double *th, const char *const *names, double tol,
			  loyal__objective_fn fn, void *ctx, double N, double log_likelihood,
			  double *se)
{
	int rc;

	for (size_t i = 0; i < n; i++)
		se[i] = NAN;
	if ((rc = loyal__optim_check_fit(model, status, res, n, th, names, tol)) != 0)
		return rc;
	loyal__optim_std_errors(fn, ctx, n, th, N, se);
	if ((rc = loyal__optim_check_determined(model, n, th, se, names)) == 0 &&
	    !isfinite(log_likelihood))
		rc = loyal__error(LOYAL_ECONVERGE, "%s fit failed: the log-likelihood at the "
				  "estimate is not finite", model);
	if (rc != 0)
		for (size_t i = 0; i < n; i++)
			se[i] = NAN;
	return rc;
}
