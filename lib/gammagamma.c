/*
 * Gamma-Gamma spend model: grouped data, maximum-likelihood fit and the
 * conditional expected spend.
 *
 * As for BG/NBD, the fit runs over distinct (x, m) pairs, with the gamma and
 * digamma terms computed once per distinct x; one log per pair is left.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loyal/gammagamma.h"
#include "errors_p.h"
#include "hyp2f1_p.h"
#include "optim_p.h"
#include "groups_p.h"

/* Fits explore ln(parameter) within +-LOG_BOUND; loyal__optim_check_fit()
 * judges the end point (LOYAL__OPTIM_RUNAWAY, LOYAL__OPTIM_SUSPECT). */
#define LOG_BOUND 25.0
#define MAX_LOG_STEP 3.0

/* Groups keyed {x, m}: repeat purchases and mean repeat spend. */
struct loyal_gg_data {
	loyal__groups groups;
};

#define G_X(g) ((g)->key[0])
#define G_M(g) ((g)->key[1])

int loyal_gg_data_new(loyal_gg_data **out)
{
	if (!out)
		return loyal__error(LOYAL_EINVAL, "loyal_gg_data_new: out is NULL");
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : loyal__error_oom();
}

void loyal_gg_data_free(loyal_gg_data *d)
{
	if (!d)
		return;
	loyal__groups_free(&d->groups);
	free(d);
}

size_t loyal_gg_data_customers(const loyal_gg_data *d)
{
	return d ? d->groups.total : 0;
}

int loyal_gg_data_add(loyal_gg_data *d, double x, double mean_spend)
{
	if (!d)
		return loyal__error(LOYAL_EINVAL, "loyal_gg_data_add: data is NULL");
	if (!isfinite(x) || x < 1.0 || x != floor(x))
		return loyal__error(LOYAL_EINVAL, "repeat transactions x = %g is not a whole "
				    "number >= 1 (the spend model needs repeat customers)", x);
	if (!isfinite(mean_spend) || !(mean_spend > 0.0))
		return loyal__error(LOYAL_EINVAL, "mean spend %g is not a finite amount > 0",
				    mean_spend);
	{
		const double key[LOYAL__GROUP_KEYS] = { x, mean_spend, 0.0 };
		return loyal__groups_add(&d->groups, key, 1);
	}
}

int loyal_gg_data_merge(loyal_gg_data *into, const loyal_gg_data *from)
{
	if (!into || !from)
		return loyal__error(LOYAL_EINVAL, "loyal_gg_data_merge: data is NULL");
	if (into == from)
		return loyal__error(LOYAL_EINVAL, "loyal_gg_data_merge: cannot merge a data set "
				    "into itself");
	return loyal__groups_merge(&into->groups, &from->groups);
}

/* ------------------------------------------------------ fit workspace */

typedef struct {
	size_t npairs;
	uint32_t *ix;       /* per pair: id of its x */
	double *w, *xm;     /* per pair: customers, x m */
	size_t nx;
	double *xv, *Wx;    /* distinct x and customers per x */
	double *Sx;         /* per distinct x: sum of w (ln m + ln x) */
	double const_ll;    /* sum of -w ln m, independent of the parameters */
	double *SL, *SI;    /* per evaluation, per distinct x: sum w ln(xm+g), w/(xm+g) */
	double N;
	int bounded;
} work;

static void work_free(work *wk)
{
	free(wk->ix);
	free(wk->w);
	free(wk->xv);
}

static int work_init(work *wk, const loyal_gg_data *d)
{
	size_t K = d->groups.len, i;
	loyal__value_ids xs;

	memset(wk, 0, sizeof(*wk));
	wk->npairs = K;
	wk->N = (double)d->groups.total;
	if (K > UINT32_MAX)
		return loyal__error(LOYAL_EINVAL, "too many distinct (x, mean spend) pairs to fit");
	wk->ix = malloc((K ? K : 1) * sizeof(*wk->ix));
	wk->w = malloc(2 * (K ? K : 1) * sizeof(*wk->w));
	if (!wk->ix || !wk->w || loyal__value_ids_init(&xs, K) != 0) {
		work_free(wk);
		return loyal__error_oom();
	}
	wk->xm = wk->w + K;
	for (i = 0; i < K; i++) {
		const loyal__group *g = &d->groups.g[i];
		wk->ix[i] = loyal__value_id(&xs, G_X(g));
		wk->w[i] = (double)g->n;
		wk->xm[i] = G_X(g) * G_M(g);
	}
	/* One block for everything sized by the distinct x. */
	wk->nx = xs.n;
	wk->xv = calloc(5 * (xs.n ? xs.n : 1), sizeof(*wk->xv));
	if (!wk->xv) {
		loyal__value_ids_free(&xs);
		work_free(wk);
		return loyal__error_oom();
	}
	memcpy(wk->xv, xs.vals, xs.n * sizeof(*wk->xv));
	loyal__value_ids_free(&xs);
	wk->Wx = wk->xv + wk->nx;
	wk->Sx = wk->Wx + wk->nx;
	wk->SL = wk->Sx + wk->nx;
	wk->SI = wk->SL + wk->nx;
	for (i = 0; i < K; i++) {
		const loyal__group *g = &d->groups.g[i];
		double lm = log(G_M(g));
		wk->Wx[wk->ix[i]] += wk->w[i];
		wk->Sx[wk->ix[i]] += wk->w[i] * (lm + log(G_X(g)));
		wk->const_ll -= wk->w[i] * lm;
	}
	return 0;
}

/*
 * Mean negative log-likelihood per customer at th = (ln p, ln q, ln gamma)
 * and its gradient. Per customer (the lifetimes package's form):
 *   ln f = lnG(px+q) - lnG(px) - lnG(q) + q ln gamma + (px-1) ln m
 *          + px ln x - (px+q) ln(x m + gamma)
 * Summed over a group of equal x, the terms in ln m and ln x collect into
 * precomputed sums, leaving one log per distinct (x, m).
 */
static double objective(void *ctx, const double *th, double *grad)
{
	work *wk = ctx;
	double p, q, g, lg, lgq, psq, ll = wk->const_ll, gp = 0.0, gq = 0.0, gg = 0.0;
	size_t i;

	for (i = 0; i < 3; i++)
		if (!isfinite(th[i]) || (wk->bounded && fabs(th[i]) > LOG_BOUND))
			return INFINITY;
	p = exp(th[0]);
	q = exp(th[1]);
	g = exp(th[2]);
	lg = th[2];
	lgq = lgamma(q);
	psq = loyal__digamma(q);
	for (i = 0; i < wk->nx; i++)
		wk->SL[i] = wk->SI[i] = 0.0;
	for (i = 0; i < wk->npairs; i++) {
		double v = wk->xm[i] + g, w = wk->w[i];
		wk->SL[wk->ix[i]] += w * log(v);
		wk->SI[wk->ix[i]] += w / v;
	}
	for (i = 0; i < wk->nx; i++) {
		double x = wk->xv[i], W = wk->Wx[i], px = p * x;
		double ps = loyal__digamma(px + q);
		ll += W * (lgamma(px + q) - lgamma(px) - lgq + q * lg) + px * wk->Sx[i]
		      - (px + q) * wk->SL[i];
		gp += x * (W * (ps - loyal__digamma(px)) + wk->Sx[i] - wk->SL[i]);
		gq += W * (ps - psq + lg) - wk->SL[i];
		gg += W * q / g - (px + q) * wk->SI[i];
	}
	grad[0] = -p * gp / wk->N;
	grad[1] = -q * gq / wk->N;
	grad[2] = -g * gg / wk->N;
	return -ll / wk->N;
}

static int params_ok(const loyal_gg_params *p)
{
	return p && isfinite(p->p) && p->p > 0.0 && isfinite(p->q) && p->q > 0.0 &&
	       isfinite(p->gamma) && p->gamma > 0.0;
}

int loyal_gg_log_likelihood(double *out, const loyal_gg_params *p, const loyal_gg_data *d)
{
	double th[3], g[3], f;
	work wk;
	int rc;

	if (!out || !p || !d)
		return loyal__error(LOYAL_EINVAL, "loyal_gg_log_likelihood: argument is NULL");
	if (!params_ok(p))
		return loyal__error(LOYAL_EINVAL, "Gamma-Gamma parameters must be finite and "
				    "positive (p %g, q %g, gamma %g)", p->p, p->q, p->gamma);
	if (d->groups.total == 0)
		return loyal__error(LOYAL_ENODATA, "no customers: the log-likelihood is undefined");
	if ((rc = work_init(&wk, d)) != 0)
		return rc;
	th[0] = log(p->p);
	th[1] = log(p->q);
	th[2] = log(p->gamma);
	f = objective(&wk, th, g);
	work_free(&wk);
	*out = -f * (double)d->groups.total;
	return 0;
}

static const char *const param_names[3] = { "p", "q", "gamma" };


int loyal_gg_fit(loyal_gg_params *out, const loyal_gg_data *d, const loyal_gg_fit_options *opts)
{
	static const loyal_gg_fit_options defaults = LOYAL_GG_FIT_OPTIONS_INIT;
	loyal__optim_options oo;
	loyal__optim_result res;
	double th[3], se[3], sum_m = 0.0;
	size_t i;
	work wk;
	int rc, status;

	if (!out || !d)
		return loyal__error(LOYAL_EINVAL, "loyal_gg_fit: argument is NULL");
	if (!opts)
		opts = &defaults;
	if (!LOYAL__VERSION_OK(opts->version, LOYAL_GG_FIT_OPTIONS_VERSION))
		return loyal__error(LOYAL_EINVAL, "Gamma-Gamma fit options version %d is not "
				    "supported (expected 1 to %d)", opts->version,
				    LOYAL_GG_FIT_OPTIONS_VERSION);
	if (opts->max_iterations < 1 || !(opts->tolerance > 0.0) || !isfinite(opts->tolerance))
		return loyal__error(LOYAL_EINVAL, "Gamma-Gamma fit options: max_iterations %d must "
				    "be >= 1 and tolerance %g finite and > 0",
				    opts->max_iterations, opts->tolerance);
	if (d->groups.total < 2)
		return loyal__error(LOYAL_ENODATA, "the Gamma-Gamma fit needs at least 2 customers "
				    "with repeat purchases; got %zu", d->groups.total);
	if ((rc = work_init(&wk, d)) != 0)
		return rc;
	wk.bounded = 1;

	/* Start from p = 1, q = 2, where the population mean spend p gamma/(q-1)
	 * is gamma: set it to the observed mean. */
	for (i = 0; i < d->groups.len; i++)
		sum_m += G_M(&d->groups.g[i]) * (double)d->groups.g[i].n;
	th[0] = 0.0;
	th[1] = log(2.0);
	th[2] = log(sum_m / wk.N);
	oo.max_iterations = opts->max_iterations;
	oo.gtol = opts->tolerance;
	oo.max_step = MAX_LOG_STEP;
	status = loyal__optim_bfgs(objective, &wk, 3, th, &oo, &res);

	memset(out, 0, sizeof(*out));
	out->p = exp(th[0]);
	out->q = exp(th[1]);
	out->gamma = exp(th[2]);
	out->log_likelihood = -res.f * wk.N;
	out->customers = d->groups.total;
	out->iterations = res.iterations;

	if ((rc = loyal__optim_conclude("Gamma-Gamma", status, &res, 3, th, param_names,
					 opts->tolerance, objective, &wk, wk.N,
					 out->log_likelihood, se)) != 0)
		goto done;
	out->se_p = se[0];
	out->se_q = se[1];
	out->se_gamma = se[2];
	out->converged = 1;
	rc = 0;
done:
	if (rc != 0)
		out->se_p = out->se_q = out->se_gamma = NAN;
	work_free(&wk);
	return rc;
}

double loyal_gg_expected_spend(const loyal_gg_params *p, double x, double mean_spend)
{
	double den;

	if (!params_ok(p) || !isfinite(x) || x < 0.0 || x != floor(x))
		return NAN;
	if (x > 0.0 && (!isfinite(mean_spend) || !(mean_spend > 0.0)))
		return NAN;
	if (x == 0.0)
		mean_spend = 0.0;
	den = p->p * x + p->q - 1.0;
	if (!(den > 0.0))
		return INFINITY;
	return p->p * (p->gamma + x * mean_spend) / den;
}
