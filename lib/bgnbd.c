/*
 * BG/NBD model: grouped data, maximum-likelihood fit and predictions.
 *
 * The fit works on the distinct (x, t_x, T) triples. Within one evaluation
 * of the likelihood, everything that depends on x alone (the gamma and
 * digamma terms) is computed once per distinct x, and ln(alpha+T),
 * ln(alpha+t_x) once per distinct T and t_x value; what is left per triple is
 * one exp and one log1p for the log-sum-exp of the two terms of the
 * likelihood. Data whose times are whole days (or weeks) have few distinct T
 * and t_x values, so an evaluation is cheap even for millions of customers.
 */
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loyal/bgnbd.h"
#include "loyal/mbgnbd.h"
#include "bgnbd_p.h"
#include "errors_p.h"
#include "hyp2f1_p.h"
#include "optim_p.h"

/* Fits explore ln(parameter) within +-LOG_BOUND; loyal__optim_check_fit()
 * judges the end point (LOYAL__OPTIM_RUNAWAY, LOYAL__OPTIM_SUSPECT). */
#define LOG_BOUND 25.0
/* Largest change of a log-parameter in one quasi-Newton step (every fit:
 * loyal__fit_minimize). */
#define MAX_LOG_STEP 3.0
/* Threads of the likelihood: at most this many, each with at least
 * THREAD_GROUPS distinct triples (fewer are not worth starting one). */
#define MAX_THREADS 16
#define THREAD_GROUPS 16384

/* ---------------------------------------------------------------- data */

#define G_X(g) LOYAL__G_X(g)
#define G_TX(g) LOYAL__G_TX(g)
#define G_T(g) LOYAL__G_T(g)

int loyal_bgnbd_data_new(loyal_bgnbd_data **out)
{
	if (!out)
		return loyal__error(LOYAL_EINVAL, "loyal_bgnbd_data_new: out is NULL");
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : loyal__error_oom();
}

void loyal_bgnbd_data_free(loyal_bgnbd_data *d)
{
	if (!d)
		return;
	loyal__groups_free(&d->groups);
	free(d);
}

size_t loyal_bgnbd_data_customers(const loyal_bgnbd_data *d)
{
	return d ? d->groups.total : 0;
}

size_t loyal_bgnbd_data_groups(const loyal_bgnbd_data *d)
{
	return d ? d->groups.len : 0;
}

static int check_triple(double x, double t_x, double T)
{
	if (!isfinite(x) || !isfinite(t_x) || !isfinite(T))
		return loyal__error(LOYAL_EINVAL, "customer (x %g, t_x %g, T %g) has a value that is "
				    "not a finite number", x, t_x, T);
	if (x < 0.0 || x != floor(x))
		return loyal__error(LOYAL_EINVAL, "repeat purchases x = %g is not a whole number >= 0", x);
	if (t_x < 0.0)
		return loyal__error(LOYAL_EINVAL, "time of last purchase t_x = %g is negative", t_x);
	if (t_x > T)
		return loyal__error(LOYAL_EINVAL, "time of last purchase t_x = %g exceeds the "
				    "observation time T = %g", t_x, T);
	if (x == 0.0 && t_x != 0.0)
		return loyal__error(LOYAL_EINVAL, "customer with no repeat purchase (x = 0) has "
				    "t_x = %g; it must be 0", t_x);
	/* A repeat purchase at the very time of the first one has probability
	 * 0 in the model, and makes the likelihood unbounded (alpha -> 0). */
	if (x > 0.0 && t_x == 0.0)
		return loyal__error(LOYAL_EINVAL, "customer with %g repeat purchases has t_x = 0: "
				    "the last purchase must come after the first (count "
				    "purchases on the same day as one)", x);
	return 0;
}

int loyal_bgnbd_data_add_count(loyal_bgnbd_data *d, double x, double t_x, double T, size_t count)
{
	int rc;

	if (!d)
		return loyal__error(LOYAL_EINVAL, "loyal_bgnbd_data_add: data is NULL");
	if ((rc = check_triple(x, t_x, T)) != 0)
		return rc;
	{
		const double key[LOYAL__GROUP_KEYS] = { x, t_x, T };
		return loyal__groups_add(&d->groups, key, count);
	}
}

int loyal_bgnbd_data_add(loyal_bgnbd_data *d, double x, double t_x, double T)
{
	return loyal_bgnbd_data_add_count(d, x, t_x, T, 1);
}

int loyal_bgnbd_data_merge(loyal_bgnbd_data *into, const loyal_bgnbd_data *from)
{
	if (!into || !from)
		return loyal__error(LOYAL_EINVAL, "loyal_bgnbd_data_merge: data is NULL");
	if (into == from)
		return loyal__error(LOYAL_EINVAL, "loyal_bgnbd_data_merge: cannot merge a data set "
				    "into itself");
	return loyal__groups_merge(&into->groups, &from->groups);
}

/* ------------------------------------------------------ fit workspace */

typedef struct {
	size_t ngroups;
	uint32_t *ix, *iT, *it; /* per group: ids of its x, T and t_x */
	double *w;              /* per group: customers */
	loyal__value_ids xs, Ts, ts;
	double *Wx;             /* customers per distinct x */
	/* per evaluation: */
	double *LT, *IT, *Lt, *It; /* ln(alpha+v), 1/(alpha+v) per distinct T, t_x */
	double *lbx, *ibx, *S4;    /* per distinct x */
	double N;                  /* customers */
	int bounded;               /* refuse log-parameters beyond LOG_BOUND */
	/* several threads: each group's four terms, summed afterwards */
	unsigned threads;
	double *terms;             /* 4 per group */
	/* 0 for BG/NBD; 1 for MBG/NBD, where the first purchase is a chance
	 * to drop out too: every b+x of BG/NBD becomes b+x+1 */
	double k;
} work;

static void work_free(work *wk)
{
	free(wk->terms);
	free(wk->ix);
	free(wk->w);
	loyal__value_ids_free(&wk->xs);
	loyal__value_ids_free(&wk->Ts);
	loyal__value_ids_free(&wk->ts);
	free(wk->Wx);
}

static int work_init(work *wk, const loyal_bgnbd_data *d, int modified)
{
	size_t K = d->groups.len, i;

	memset(wk, 0, sizeof(*wk));
	wk->k = modified ? 1.0 : 0.0;
	wk->ngroups = K;
	wk->N = (double)d->groups.total;
	if (K > UINT32_MAX)
		return loyal__error(LOYAL_EINVAL, "too many distinct (x, t_x, T) triples to fit");
	wk->ix = malloc(3 * K * sizeof(*wk->ix));
	wk->w = malloc(K * sizeof(*wk->w));
	if (!wk->ix || !wk->w || loyal__value_ids_init(&wk->xs, K) || loyal__value_ids_init(&wk->Ts, K) ||
	    loyal__value_ids_init(&wk->ts, K))
		goto oom;
	wk->iT = wk->ix + K;
	wk->it = wk->ix + 2 * K;
	for (i = 0; i < K; i++) {
		const loyal__group *g = &d->groups.g[i];
		wk->ix[i] = loyal__value_id(&wk->xs, G_X(g));
		wk->iT[i] = loyal__value_id(&wk->Ts, G_T(g));
		wk->it[i] = loyal__value_id(&wk->ts, G_TX(g));
		wk->w[i] = (double)g->n;
	}
	/* One block for everything sized by the distinct values. */
	wk->Wx = calloc(4 * wk->xs.n + 2 * wk->Ts.n + 2 * wk->ts.n, sizeof(double));
	if (!wk->Wx)
		goto oom;
	wk->lbx = wk->Wx + wk->xs.n;
	wk->ibx = wk->lbx + wk->xs.n;
	wk->S4 = wk->ibx + wk->xs.n;
	wk->LT = wk->S4 + wk->xs.n;
	wk->IT = wk->LT + wk->Ts.n;
	wk->Lt = wk->IT + wk->Ts.n;
	wk->It = wk->Lt + wk->ts.n;
	for (i = 0; i < K; i++)
		wk->Wx[wk->ix[i]] += wk->w[i];
	return 0;
oom:
	work_free(wk);
	return loyal__error_oom();
}

/*
 * The terms of group i at r (the per-evaluation arrays filled): what it
 * adds to the log-likelihood (t[0]), subtracts from the derivatives by r
 * and alpha (t[1], t[2]) and adds to S4 of its x (t[3]), each computed
 * exactly as the sums used to compute it inline (a - b is a + (-b) in
 * IEEE arithmetic), so that they can be computed on any thread.
 */
static inline void group_terms(const work *wk, double r, size_t i, double t[4])
{
	uint32_t k = wk->ix[i], jT = wk->iT[i], jt;
	double x = wk->xs.vals[k], w = wk->w[i], rx = r + x, lT = wk->LT[jT];
	double A3, A4, dd, e, q, p3, p4;

	if (x + wk->k == 0.0) {
		t[0] = -(w * rx * lT);
		t[1] = w * lT;
		t[2] = w * rx * wk->IT[jT];
		t[3] = 0.0;
		return;
	}
	jt = wk->it[i];
	/* log-sum-exp of A3 and A4, and their softmax weights */
	A3 = -rx * lT;
	A4 = wk->lbx[k] - rx * wk->Lt[jt];
	dd = A3 - A4;
	e = exp(-fabs(dd));
	q = 1.0 / (1.0 + e);
	/* log(1 + e) rather than log1p(e): the absolute error is what
	 * counts in a sum, and log is the faster of the two. */
	if (dd >= 0.0) {
		p3 = q;
		p4 = e * q;
		t[0] = w * (A3 + log(1.0 + e));
	} else {
		p3 = e * q;
		p4 = q;
		t[0] = w * (A4 + log(1.0 + e));
	}
	t[1] = w * (p3 * lT + p4 * wk->Lt[jt]);
	t[2] = w * rx * (p3 * wk->IT[jT] + p4 * wk->It[jt]);
	t[3] = w * p4;
}

struct terms_part {
	const work *wk;
	double r;
	size_t from, to;
};

static void *terms_run(void *arg)
{
	const struct terms_part *p = arg;

	for (size_t i = p->from; i < p->to; i++)
		group_terms(p->wk, p->r, i, p->wk->terms + 4 * i);
	return NULL;
}

/* Every group's terms into wk->terms, on wk->threads threads. */
static void group_terms_all(work *wk, double r)
{
	struct terms_part parts[MAX_THREADS];
	pthread_t tid[MAX_THREADS];
	int started[MAX_THREADS] = { 0 };
	size_t n = wk->threads > 1 ? wk->threads : 1;

	for (size_t k = 0; k < n; k++)
		parts[k] = (struct terms_part){ wk, r, wk->ngroups / n * k,
						k + 1 == n ? wk->ngroups : wk->ngroups / n * (k + 1) };
	for (size_t k = 1; k < n; k++)
		started[k] = pthread_create(&tid[k], NULL, terms_run, &parts[k]) == 0;
	terms_run(&parts[0]);
	for (size_t k = 1; k < n; k++) {
		if (started[k])
			pthread_join(tid[k], NULL);
		else
			terms_run(&parts[k]);
	}
}

/*
 * Mean negative log-likelihood per customer at th = (ln r, ln alpha, ln a,
 * ln b), and its gradient with respect to th. Per customer, as in the paper
 * and in the lifetimes package, with k = 0 (BG/NBD) or 1 (MBG/NBD):
 *   ln L = A1 + A2 + ln(exp(A3) + [x+k > 0] exp(A4))
 *   A1 = lnG(r+x) - lnG(r) + r ln alpha
 *   A2 = lnG(a+b) + lnG(b+x+k) - lnG(b) - lnG(a+b+x+k)
 *   A3 = -(r+x) ln(alpha+T)
 *   A4 = ln a - ln(b+x+k-1) - (r+x) ln(alpha+t_x)
 * (MBG/NBD: B(a, b+x+1)/B(a, b) for a customer alive at T, who survived
 * x+1 purchases, and B(a+1, b+x)/B(a, b) for one who left right after the
 * last purchase, the first one included.)
 */
static double objective(void *ctx, const double *th, double *grad)
{
	work *wk = ctx;
	double r, al, a, b, lal, la, lgr, lgb, lgab, psr, psb, psab, sh = wk->k;
	double ll = 0.0, gr = 0.0, gal = 0.0, ga = 0.0, gb = 0.0;
	size_t i;

	for (i = 0; i < 4; i++)
		if (!isfinite(th[i]) || (wk->bounded && fabs(th[i]) > LOG_BOUND))
			return INFINITY;
	r = exp(th[0]);
	al = exp(th[1]);
	a = exp(th[2]);
	b = exp(th[3]);
	lal = th[1];
	la = th[2];
	lgr = lgamma(r);
	lgb = lgamma(b);
	lgab = lgamma(a + b);
	psr = loyal__digamma(r);
	psb = loyal__digamma(b);
	psab = loyal__digamma(a + b);

	for (i = 0; i < wk->Ts.n; i++) {
		wk->LT[i] = log(al + wk->Ts.vals[i]);
		wk->IT[i] = 1.0 / (al + wk->Ts.vals[i]);
	}
	for (i = 0; i < wk->ts.n; i++) {
		wk->Lt[i] = log(al + wk->ts.vals[i]);
		wk->It[i] = 1.0 / (al + wk->ts.vals[i]);
	}
	for (i = 0; i < wk->xs.n; i++) {
		double x = wk->xs.vals[i], W = wk->Wx[i];
		double psabx = loyal__digamma(a + b + x + sh);
		ll += W * (lgamma(r + x) - lgr + r * lal + lgab + lgamma(b + x + sh) - lgb
			   - lgamma(a + b + x + sh));
		gr += W * (loyal__digamma(r + x) - psr + lal);
		gal += W * r / al;
		ga += W * (psab - psabx);
		gb += W * (psab + loyal__digamma(b + x + sh) - psb - psabx);
		if (x + sh > 0.0) {
			wk->lbx[i] = la - log(b + x + sh - 1.0);
			wk->ibx[i] = 1.0 / (b + x + sh - 1.0);
		}
		wk->S4[i] = 0.0;
	}
	if (wk->terms) {
		/* the terms on the threads, then summed here in the order of
		 * the loop below: the same numbers to the last bit */
		group_terms_all(wk, r);
		for (i = 0; i < wk->ngroups; i++) {
			const double *t = wk->terms + 4 * i;
			ll += t[0];
			gr -= t[1];
			gal -= t[2];
			if (wk->xs.vals[wk->ix[i]] + sh != 0.0)
				wk->S4[wk->ix[i]] += t[3];
		}
	} else {
		for (i = 0; i < wk->ngroups; i++) {
			double t[4];
			group_terms(wk, r, i, t);
			ll += t[0];
			gr -= t[1];
			gal -= t[2];
			if (wk->xs.vals[wk->ix[i]] + sh != 0.0)
				wk->S4[wk->ix[i]] += t[3];
		}
	}
	for (i = 0; i < wk->xs.n; i++) {
		if (wk->xs.vals[i] + sh > 0.0) {
			ga += wk->S4[i] / a;
			gb -= wk->S4[i] * wk->ibx[i];
		}
	}
	/* d/d(ln v) = v d/dv; minimise the mean negative log-likelihood. */
	grad[0] = -r * gr / wk->N;
	grad[1] = -al * gal / wk->N;
	grad[2] = -a * ga / wk->N;
	grad[3] = -b * gb / wk->N;
	return -ll / wk->N;
}

static int params_ok(const loyal_bgnbd_params *p)
{
	return p && isfinite(p->r) && p->r > 0.0 && isfinite(p->alpha) && p->alpha > 0.0 &&
	       isfinite(p->a) && p->a > 0.0 && isfinite(p->b) && p->b > 0.0;
}

static const char *model_name(int modified)
{
	return modified ? "MBG/NBD" : "BG/NBD";
}

int loyal__bg_log_likelihood(double *out, const loyal_bgnbd_params *p, const loyal_bgnbd_data *d,
			     int modified)
{
	double th[4], g[4], f;
	work wk;
	int rc;

	if (!out || !p || !d)
		return loyal__error(LOYAL_EINVAL, "loyal_%s_log_likelihood: argument is NULL",
				    modified ? "mbgnbd" : "bgnbd");
	if (!params_ok(p))
		return loyal__error(LOYAL_EINVAL, "%s parameters must be finite and positive "
				    "(r %g, alpha %g, a %g, b %g)", model_name(modified), p->r,
				    p->alpha, p->a, p->b);
	if (d->groups.total == 0)
		return loyal__error(LOYAL_ENODATA, "no customers: the log-likelihood is undefined");
	if ((rc = work_init(&wk, d, modified)) != 0)
		return rc;
	th[0] = log(p->r);
	th[1] = log(p->alpha);
	th[2] = log(p->a);
	th[3] = log(p->b);
	f = objective(&wk, th, g);
	work_free(&wk);
	*out = -f * (double)d->groups.total;
	return 0;
}

double loyal__bg_objective_at(const loyal_bgnbd_data *d, int modified, const double th[4],
			      double grad[4])
{
	double f;
	work wk;

	if (work_init(&wk, d, modified) != 0)
		return NAN;
	f = objective(&wk, th, grad);
	work_free(&wk);
	return f;
}

int loyal_bgnbd_log_likelihood(double *out, const loyal_bgnbd_params *p, const loyal_bgnbd_data *d)
{
	return loyal__bg_log_likelihood(out, p, d, 0);
}

/* --------------------------------------------------------------- fit */

static const char *const param_names[4] = { "r", "alpha", "a", "b" };


int loyal__fit_settings_read(loyal__fit_settings *out, const loyal_bgnbd_fit_options *opts,
			     const char *model)
{
	static const loyal_bgnbd_fit_options defaults = LOYAL_BGNBD_FIT_OPTIONS_INIT;

	if (!opts)
		opts = &defaults;
	/* version 1 had no penalty field: read it only from version 2 */
	if (!LOYAL__VERSION_OK(opts->version, LOYAL_BGNBD_FIT_OPTIONS_VERSION))
		return loyal__error(LOYAL_EINVAL, "%s fit options version %d is not supported "
				    "(expected 1 to %d)", model, opts->version,
				    LOYAL_BGNBD_FIT_OPTIONS_VERSION);
	out->max_iterations = opts->max_iterations;
	out->tolerance = opts->tolerance;
	out->penalty = opts->version >= 2 ? opts->penalty : 0.0;
	out->threads = opts->version >= 3 && opts->threads > 1 ? opts->threads : 1;
	if (out->threads > MAX_THREADS)
		out->threads = MAX_THREADS;
	if (out->max_iterations < 1 || !(out->tolerance > 0.0) || !isfinite(out->tolerance))
		return loyal__error(LOYAL_EINVAL, "%s fit options: max_iterations %d must be "
				    ">= 1 and tolerance %g finite and > 0",
				    model, out->max_iterations, out->tolerance);
	if (!(out->penalty >= 0.0) || !isfinite(out->penalty))
		return loyal__error(LOYAL_EINVAL, "%s fit options: penalty %g must be finite "
				    "and >= 0", model, out->penalty);
	return 0;
}

/* Customers with a repeat purchase in d, and the sums of x and T over all
 * customers. */
static size_t repeaters_of(const loyal_bgnbd_data *d, double *sum_x, double *sum_T)
{
	size_t i, repeaters = 0;

	*sum_x = *sum_T = 0.0;
	for (i = 0; i < d->groups.len; i++) {
		const loyal__group *gr = &d->groups.g[i];
		if (G_X(gr) > 0.0)
			repeaters += gr->n;
		*sum_x += G_X(gr) * (double)gr->n;
		*sum_T += G_T(gr) * (double)gr->n;
	}
	return repeaters;
}

int loyal__fit_begin(loyal__fit_settings *fs, const loyal_bgnbd_data *d,
		     const loyal_bgnbd_fit_options *opts, const char *model, double *sum_x,
		     double *sum_T)
{
	size_t repeaters;
	int rc;

	if ((rc = loyal__fit_settings_read(fs, opts, model)) != 0)
		return rc;
	if (d->groups.total == 0)
		return loyal__error(LOYAL_ENODATA, "no customers to fit the %s model to", model);
	repeaters = repeaters_of(d, sum_x, sum_T);
	if (repeaters < 2)
		return loyal__error(LOYAL_ENODATA, "the %s fit needs at least 2 customers with "
				    "repeat purchases; %zu of %zu customers have any",
				    model, repeaters, d->groups.total);
	return 0;
}

int loyal__fit_minimize(const char *model, const loyal__fit_settings *fs,
			loyal__objective_fn fn, void *ctx, double N, const char *const names[4],
			double th[4], double *log_likelihood, int *iterations, double se[4])
{
	loyal__penalized pen = { fn, ctx, 4, fs->penalty };
	loyal__optim_options oo;
	loyal__optim_result res;
	double g[4];
	int status;

	oo.max_iterations = fs->max_iterations;
	oo.gtol = fs->tolerance;
	oo.max_step = MAX_LOG_STEP;
	status = loyal__optim_bfgs(loyal__penalized_objective, &pen, 4, th, &oo, &res);
	*log_likelihood = -fn(ctx, th, g) * N;
	*iterations = res.iterations;
	return loyal__optim_conclude(model, status, &res, 4, th, names, fs->tolerance,
				     loyal__penalized_objective, &pen, N, *log_likelihood, se);
}

int loyal__bg_fit(loyal_bgnbd_params *out, const loyal_bgnbd_data *d,
		  const loyal_bgnbd_fit_options *opts, int modified)
{
	const char *model = model_name(modified);
	loyal__fit_settings fs;
	double th[4], se[4], sum_x, sum_T, log_likelihood;
	work wk;
	int rc, iterations;

	if (!out || !d)
		return loyal__error(LOYAL_EINVAL, "loyal_%s_fit: argument is NULL",
				    modified ? "mbgnbd" : "bgnbd");
	if ((rc = loyal__fit_begin(&fs, d, opts, model, &sum_x, &sum_T)) != 0)
		return rc;
	if ((rc = work_init(&wk, d, modified)) != 0)
		return rc;
	wk.bounded = 1;
	wk.threads = fs.threads;
	if (wk.threads > wk.ngroups / THREAD_GROUPS)
		wk.threads = (unsigned)(wk.ngroups / THREAD_GROUPS);
	/* without the memory for the terms, the calling thread does it all */
	if (wk.threads > 1 && wk.ngroups <= SIZE_MAX / (4 * sizeof(double)))
		wk.terms = malloc(4 * wk.ngroups * sizeof(double));

	/* Start from r = a = b = 1, with alpha matching the observed rate of
	 * repeat purchases (the mean rate is r/alpha). */
	th[0] = 0.0;
	th[1] = log(fmin(fmax(sum_T / sum_x, 1e-6), 1e6));
	th[2] = 0.0;
	th[3] = 0.0;
	rc = loyal__fit_minimize(model, &fs, objective, &wk, wk.N, param_names, th,
				 &log_likelihood, &iterations, se);

	memset(out, 0, sizeof(*out));
	out->r = exp(th[0]);
	out->alpha = exp(th[1]);
	out->a = exp(th[2]);
	out->b = exp(th[3]);
	/* the likelihood itself, without the penalty */
	out->log_likelihood = log_likelihood;
	out->customers = d->groups.total;
	out->iterations = iterations;
	out->penalty = fs.penalty;
	if (rc == 0) {
		out->se_r = se[0];
		out->se_alpha = se[1];
		out->se_a = se[2];
		out->se_b = se[3];
		out->converged = 1;
	} else {
		out->se_r = out->se_alpha = out->se_a = out->se_b = NAN;
	}
	work_free(&wk);
	return rc;
}

int loyal_bgnbd_fit(loyal_bgnbd_params *out, const loyal_bgnbd_data *d,
		    const loyal_bgnbd_fit_options *opts)
{
	return loyal__bg_fit(out, d, opts, 0);
}

/* -------------------------------------------------------- predictions */

int loyal__bg_history_ok(double x, double t_x, double T)
{
	return isfinite(x) && isfinite(t_x) && isfinite(T) && x >= 0.0 && x == floor(x) &&
	       t_x >= 0.0 && t_x <= T;
}

/* P(alive) for a valid history; d is the log-odds of having dropped out
 * right after the last purchase against being alive. k = 1 (MBG/NBD): the
 * first purchase counts as a chance to drop out too. */
static double p_alive_raw(const loyal_bgnbd_params *p, double x, double t_x, double T, double k)
{
	double d;

	if (x + k == 0.0)
		return 1.0;
	d = log(p->a / (p->b + x + k - 1.0)) + (p->r + x) * log1p((T - t_x) / (p->alpha + t_x));
	if (d > 0.0) {
		double e = exp(-d);
		return e / (1.0 + e);
	}
	return 1.0 / (1.0 + exp(d));
}

double loyal__bg_p_alive(const loyal_bgnbd_params *p, double x, double t_x, double T,
			 int modified)
{
	if (!params_ok(p) || !loyal__bg_history_ok(x, t_x, T))
		return NAN;
	return p_alive_raw(p, x, t_x, T, modified);
}

double loyal_bgnbd_p_alive(const loyal_bgnbd_params *p, double x, double t_x, double T)
{
	return loyal__bg_p_alive(p, x, t_x, T, 0);
}

/*
 * (a+b+x-1)/(a-1) * (1 - G), G = ((alpha+T)/(alpha+T+t))^(r+x)
 * 2F1(r+x, b+x; a+b+x-1; z), z = t/(alpha+T+t). Euler's transformation
 * gives G = (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z), whose parameters do
 * not grow with x, and 1 - G = -(expm1((a-1) L) + (1-z)^(a-1) (2F1 - 1))
 * with L = ln(1-z) loses nothing to cancellation when t is small.
 */
static double core_raw(double r, double a, double b, double x, double z, double L)
{
	double eps = a - 1.0, C = a + b + x - 1.0, e = eps * L;
	double m = loyal__hyp2f1m1(a + b - 1.0 - r, eps, C, z);

	return C / eps * -(expm1(e) + exp(e) * m);
}

/* Step for interpolating across a removable singularity: the function
 * varies like (1-z)^(a-1), so the step shrinks as ln(1-z) grows (see
 * near_one() in hyp2f1.c for the balance of errors). */
static double interp_step(double L)
{
	return 2e-3 / pow(fmax(1.0, -L), 0.8);
}

/* Value at u (in steps of h from the singular point) of the cubic through
 * the values v[0..3] at -2, -1, 1, 2. */
static double cubic4(const double v[4], double u)
{
	static const double k[4] = { -2.0, -1.0, 1.0, 2.0 };
	double sum = 0.0;
	int i, j;

	for (i = 0; i < 4; i++) {
		double weight = 1.0;
		for (j = 0; j < 4; j++)
			if (j != i)
				weight *= (u - k[j]) / (k[i] - k[j]);
		sum += weight * v[i];
	}
	return sum;
}

/* core_raw(), interpolated in b where a+b+x-1 is near 0 (2F1 has a pole
 * there that the prefactor cancels; possible only when x = 0). */
static double core_b(double r, double a, double b, double x, double z, double L)
{
	double C = a + b + x - 1.0, h, v[4];
	int i;

	/* interp_step() <= 2e-3: most calls need not compute it */
	if (fabs(C) >= 1e-3 || fabs(C) >= 0.5 * (h = interp_step(L)))
		return core_raw(r, a, b, x, z, L);
	for (i = 0; i < 4; i++) {
		double k = i < 2 ? i - 2.0 : i - 1.0;
		v[i] = core_raw(r, a, b - C + k * h, x, z, L);
	}
	return cubic4(v, C / h);
}

/* core_b(), interpolated in a where a is near 1 (0/0 in the prefactor). */
static double core(double r, double a, double b, double x, double z, double L)
{
	double eps = a - 1.0, h, v[4];
	int i;

	if (fabs(eps) >= 1e-3 || fabs(eps) >= 0.5 * (h = interp_step(L)))
		return core_b(r, a, b, x, z, L);
	for (i = 0; i < 4; i++) {
		double k = i < 2 ? i - 2.0 : i - 1.0;
		v[i] = core_b(r, 1.0 + k * h, b, x, z, L);
	}
	return cubic4(v, eps / h);
}

/* The part of E[Y(t) | x, t_x, T] that does not depend on t_x: everything
 * but the factor P(alive). An alive customer's drop-out probability has
 * the posterior Beta(a, b+x+k), so MBG/NBD's is BG/NBD's with b+1 for b. */
static double expected_alive(const loyal_bgnbd_params *p, double t, double x, double T, double k)
{
	double z = t / (p->alpha + T + t), L = -log1p(t / (p->alpha + T));

	return core(p->r, p->a, p->b + k, x, z, L);
}

double loyal__bg_expected_conditional(const loyal_bgnbd_params *p, double t, double x,
				      double t_x, double T, int modified)
{
	if (!params_ok(p) || !loyal__bg_history_ok(x, t_x, T) || !isfinite(t) || t < 0.0)
		return NAN;
	if (t == 0.0)
		return 0.0;
	return expected_alive(p, t, x, T, modified) * p_alive_raw(p, x, t_x, T, modified);
}

double loyal_bgnbd_expected_conditional(const loyal_bgnbd_params *p, double t, double x,
					double t_x, double T)
{
	return loyal__bg_expected_conditional(p, t, x, t_x, T, 0);
}

/* An alive customer makes no purchase in (T, T+t] exactly when the Poisson
 * process has no event there (drop-out only ever follows a purchase), with
 * probability E[exp(-lambda t)] under the posterior Gamma(r+x, alpha+T). */
double loyal__bg_p_no_purchase(const loyal_bgnbd_params *p, double t, double x, double t_x,
			       double T, int modified)
{
	double alive;

	if (!params_ok(p) || !loyal__bg_history_ok(x, t_x, T) || !isfinite(t) || t < 0.0)
		return NAN;
	alive = p_alive_raw(p, x, t_x, T, modified);
	return (1.0 - alive) + alive * exp(-(p->r + x) * log1p(t / (p->alpha + T)));
}

double loyal_bgnbd_p_no_purchase(const loyal_bgnbd_params *p, double t, double x, double t_x,
				 double T)
{
	return loyal__bg_p_no_purchase(p, t, x, t_x, T, 0);
}

/* (x, T) -> expected_alive(), for loyal_bgnbd_score(). */
static size_t hash_xT(double x, double T)
{
	const double key[LOYAL__GROUP_KEYS] = { x, T, 0.0 };

	return loyal__group_hash(key);
}

typedef struct {
	double x, T, value;
} memo_entry;

typedef struct {
	memo_entry *e;
	size_t n, mask; /* entries used; slots - 1 */
	unsigned char *used;
} memo;

static int memo_grow(memo *m)
{
	size_t slots = m->mask ? 2 * (m->mask + 1) : 1024, i;
	memo_entry *e;
	unsigned char *used;

	if (slots > SIZE_MAX / sizeof(*e))
		return -1;
	e = malloc(slots * sizeof(*e));
	used = calloc(slots, 1);
	if (!e || !used) {
		free(e);
		free(used);
		return -1;
	}
	for (i = 0; m->mask && i <= m->mask; i++) {
		if (m->used[i]) {
			size_t h = hash_xT(m->e[i].x, m->e[i].T) & (slots - 1);
			while (used[h])
				h = (h + 1) & (slots - 1);
			e[h] = m->e[i];
			used[h] = 1;
		}
	}
	free(m->e);
	free(m->used);
	m->e = e;
	m->used = used;
	m->mask = slots - 1;
	return 0;
}

int loyal__bg_score(const loyal_bgnbd_params *p, double t, size_t n, const double *x,
		    const double *t_x, const double *T, double *p_alive, double *expected,
		    int modified)
{
	memo m = { NULL, 0, 0, NULL };
	double k = modified ? 1.0 : 0.0;
	size_t i;
	int rc = 0;

	if (!p || (n > 0 && (!x || !t_x || !T)))
		return loyal__error(LOYAL_EINVAL, "loyal_%s_score: argument is NULL",
				    modified ? "mbgnbd" : "bgnbd");
	if (!params_ok(p))
		return loyal__error(LOYAL_EINVAL, "%s parameters must be finite and positive "
				    "(r %g, alpha %g, a %g, b %g)", model_name(modified), p->r,
				    p->alpha, p->a, p->b);
	if (expected && (!isfinite(t) || t < 0.0))
		return loyal__error(LOYAL_EINVAL, "prediction horizon t = %g is not a finite "
				    "time >= 0", t);
	for (i = 0; i < n; i++) {
		double xi = x[i], Ti = T[i], alive, v;
		size_t h;

		if (!loyal__bg_history_ok(xi, t_x[i], Ti)) {
			if (p_alive)
				p_alive[i] = NAN;
			if (expected)
				expected[i] = NAN;
			continue;
		}
		alive = p_alive_raw(p, xi, t_x[i], Ti, k);
		if (p_alive)
			p_alive[i] = alive;
		if (!expected)
			continue;
		if (t == 0.0) {
			expected[i] = 0.0;
			continue;
		}
		if (2 * (m.n + 1) > m.mask + 1 && memo_grow(&m) != 0) {
			rc = loyal__error_oom();
			goto done;
		}
		if (xi == 0.0)
			xi = 0.0; /* one key for -0 and +0 */
		if (Ti == 0.0)
			Ti = 0.0;
		h = hash_xT(xi, Ti) & m.mask;
		while (m.used[h] && (m.e[h].x != xi || m.e[h].T != Ti))
			h = (h + 1) & m.mask;
		if (!m.used[h]) {
			m.e[h].x = xi;
			m.e[h].T = Ti;
			m.e[h].value = expected_alive(p, t, xi, Ti, k);
			m.used[h] = 1;
			m.n++;
		}
		v = m.e[h].value;
		expected[i] = v * alive;
	}
done:
	free(m.e);
	free(m.used);
	return rc;
}

int loyal_bgnbd_score(const loyal_bgnbd_params *p, double t, size_t n, const double *x,
		      const double *t_x, const double *T, double *p_alive, double *expected)
{
	return loyal__bg_score(p, t, n, x, t_x, T, p_alive, expected, 0);
}

/* MBG/NBD: a new customer is still alive after the first purchase with
 * probability b/(a+b), and the drop-out probability of those who are has
 * the posterior Beta(a, b+1). */
double loyal__bg_expected_unconditional(const loyal_bgnbd_params *p, double t, int modified)
{
	double v;

	if (!params_ok(p) || !isfinite(t) || t < 0.0)
		return NAN;
	if (t == 0.0)
		return 0.0;
	v = core(p->r, p->a, p->b + (modified ? 1.0 : 0.0), 0.0, t / (p->alpha + t),
		 -log1p(t / p->alpha));
	return modified ? p->b / (p->a + p->b) * v : v;
}

double loyal_bgnbd_expected_unconditional(const loyal_bgnbd_params *p, double t)
{
	return loyal__bg_expected_unconditional(p, t, 0);
}
