/*
 * Pareto/NBD model: maximum-likelihood fit and predictions.
 *
 * Everything rests on one integral,
 *
 *   I(p, q, A, B, y) = integral from y to infinity of (A+v)^-p (B+v)^-q dv
 *
 * (p + q > 1). With A >= B and z = (A-B)/(A+y) in [0, 1), substituting
 * z' = (A-B)/(A+v) turns it into an incomplete beta function, which is
 *
 *   I = (A+y)^-p (B+y)^(1-q) / (p+q-1) * 2F1(1, p; p+q; z)
 *
 * after Euler's transformation (and the same with (p, A) and (q, B)
 * swapped when B > A). 2F1(1, p; p+q; z) is a sum of positive terms, at
 * least 1, so its logarithm is well conditioned. The likelihood's integral
 * from t_x to T is I(t_x) - I(T) with p = r+x, q = s+1, A = alpha,
 * B = beta; Fader & Hardie's A0 is the same quantity. Computing it as a
 * difference of two tails loses nothing that matters: the difference is
 * added to the first term of the likelihood, which is at least as large as
 * s I(T).
 *
 * A fit evaluates I and its derivatives once per distinct (x, y) with y a
 * t_x or a T of the data, not once per customer.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "loyal/pnbd.h"
#include "bgnbd_p.h"
#include "errors_p.h"
#include "hyp2f1_p.h"
#include "optim_p.h"

#define LOG_BOUND 25.0

static const char *const param_names[4] = { "r", "alpha", "s", "beta" };

/* ln 2F1(1, p; p+q; z) (A >= B) or ln 2F1(1, q; p+q; z) (B > A), with z as
 * in log_tail(): the part of ln I that is not elementary. */
static double log_g(double p, double q, double A, double B, double y)
{
	if (A >= B)
		return log(loyal__hyp2f1_1b(p, p + q, (A - B) / (A + y)));
	return log(loyal__hyp2f1_1b(q, p + q, (B - A) / (B + y)));
}

/* The elementary part of ln I: ln I = log_e() + log_g(). */
static double log_e(double p, double q, double A, double B, double y)
{
	if (A >= B)
		return -p * log(A + y) + (1.0 - q) * log(B + y) - log(p + q - 1.0);
	return -q * log(B + y) + (1.0 - p) * log(A + y) - log(p + q - 1.0);
}

/* ln I(p, q, A, B, y); NAN when 2F1 cannot be evaluated. */
static double log_tail(double p, double q, double A, double B, double y)
{
	return log_e(p, q, A, B, y) + log_g(p, q, A, B, y);
}

/*
 * ln I and its derivatives with respect to p, A, q, B (in that order, the
 * order of r, alpha, s, beta) into d[4]. Everything elementary is
 * differentiated exactly: d ln I / dA = -p I(p+1, q) / I and
 * d ln I / dB = -q I(p, q+1) / I, whose ratios are formed from their
 * elementary parts and the 2F1 terms, never as a difference of two values
 * of ln I (which is about -q ln(B+y): millions when a fit runs off, where
 * such a difference would be noise). Only ln 2F1 is differentiated
 * numerically in p and q, by fourth-order central differences with a
 * relative step of 1e-3: 2F1 varies on the scale of its parameters, and a
 * relative step keeps the rounding error of a large parameter's derivative
 * from being multiplied by the parameter in the gradient in ln s.
 * Returns ln I, or NAN.
 */
static double log_tail_d(double p, double q, double A, double B, double y, double d[4])
{
	double g = log_g(p, q, A, B, y), hp = 1e-3 * p, hq = 1e-3 * q;
	double lA = log(A + y), lB = log(B + y), step = log((p + q - 1.0) / (p + q));

	d[1] = -p * exp(-lA + step + log_g(p + 1.0, q, A, B, y) - g);
	d[3] = -q * exp(-lB + step + log_g(p, q + 1.0, A, B, y) - g);
	d[0] = -lA - 1.0 / (p + q - 1.0)
	       + (log_g(p - 2.0 * hp, q, A, B, y) - 8.0 * log_g(p - hp, q, A, B, y)
		  + 8.0 * log_g(p + hp, q, A, B, y) - log_g(p + 2.0 * hp, q, A, B, y)) / (12.0 * hp);
	d[2] = -lB - 1.0 / (p + q - 1.0)
	       + (log_g(p, q - 2.0 * hq, A, B, y) - 8.0 * log_g(p, q - hq, A, B, y)
		  + 8.0 * log_g(p, q + hq, A, B, y) - log_g(p, q + 2.0 * hq, A, B, y)) / (12.0 * hq);
	return log_e(p, q, A, B, y) + g;
}

static int params_ok(const loyal_pnbd_params *p)
{
	return p && isfinite(p->r) && p->r > 0.0 && isfinite(p->alpha) && p->alpha > 0.0 &&
	       isfinite(p->s) && p->s > 0.0 && isfinite(p->beta) && p->beta > 0.0;
}

/* ---------------------------------------------------------- workspace */

/* A distinct (x, y) pair, y a t_x or T value. */
typedef struct {
	double x, y;
} pair;

typedef struct {
	size_t ngroups;
	double *gx, *w;          /* per group: x, customers */
	double *gtx, *gT;        /* per group: t_x, T */
	uint32_t *e1, *e2;       /* per group: pair ids of (x, t_x) and (x, T) */
	uint32_t *ix;            /* per group: id of x */
	loyal__value_ids xs;
	double *Wx;              /* customers per distinct x */
	pair *pairs;
	size_t npairs;
	double *lI, *dI;         /* per pair: ln I and its 4 derivatives */
	double N;
	int bounded;
} work;

static void work_free(work *wk)
{
	free(wk->gx);
	free(wk->e1);
	free(wk->pairs);
	free(wk->lI);
	free(wk->Wx);
	loyal__value_ids_free(&wk->xs);
}

static int pair_cmp(const void *a, const void *b)
{
	const pair *u = a, *v = b;

	if (u->x != v->x)
		return u->x < v->x ? -1 : 1;
	if (u->y != v->y)
		return u->y < v->y ? -1 : 1;
	return 0;
}

static uint32_t pair_id(const work *wk, double x, double y)
{
	pair key = { x, y };
	const pair *hit = bsearch(&key, wk->pairs, wk->npairs, sizeof(pair), pair_cmp);

	return (uint32_t)(hit - wk->pairs);
}

static int work_init(work *wk, const loyal_bgnbd_data *d)
{
	size_t K = d->groups.len, i, n;

	memset(wk, 0, sizeof(*wk));
	wk->ngroups = K;
	wk->N = (double)d->groups.total;
	if (K > UINT32_MAX / 2)
		return loyal__error(LOYAL_EINVAL, "too many distinct (x, t_x, T) triples to fit");
	if (!(wk->gx = malloc(4 * K * sizeof(double))) ||
	    !(wk->e1 = malloc(3 * K * sizeof(uint32_t))) ||
	    !(wk->pairs = malloc(2 * K * sizeof(pair))) || loyal__value_ids_init(&wk->xs, K))
		goto oom;
	wk->w = wk->gx + K;
	wk->gtx = wk->gx + 2 * K;
	wk->gT = wk->gx + 3 * K;
	wk->e2 = wk->e1 + K;
	wk->ix = wk->e1 + 2 * K;
	for (i = 0; i < K; i++) {
		const loyal__group *g = &d->groups.g[i];
		wk->gx[i] = LOYAL__G_X(g) + 0.0; /* -0 as +0 */
		wk->gtx[i] = LOYAL__G_TX(g) + 0.0;
		wk->gT[i] = LOYAL__G_T(g) + 0.0;
		wk->w[i] = (double)g->n;
		wk->ix[i] = loyal__value_id(&wk->xs, wk->gx[i]);
		wk->pairs[2 * i] = (pair){ wk->gx[i], wk->gtx[i] };
		wk->pairs[2 * i + 1] = (pair){ wk->gx[i], wk->gT[i] };
	}
	qsort(wk->pairs, 2 * K, sizeof(pair), pair_cmp);
	for (i = n = 0; i < 2 * K; i++)
		if (n == 0 || pair_cmp(&wk->pairs[n - 1], &wk->pairs[i]) != 0)
			wk->pairs[n++] = wk->pairs[i];
	wk->npairs = n;
	for (i = 0; i < K; i++) {
		wk->e1[i] = pair_id(wk, wk->gx[i], wk->gtx[i]);
		wk->e2[i] = pair_id(wk, wk->gx[i], wk->gT[i]);
	}
	if (!(wk->lI = malloc(5 * (n ? n : 1) * sizeof(double))) ||
	    !(wk->Wx = calloc(wk->xs.n ? wk->xs.n : 1, sizeof(double))))
		goto oom;
	wk->dI = wk->lI + n;
	for (i = 0; i < K; i++)
		wk->Wx[wk->ix[i]] += wk->w[i];
	return 0;
oom:
	work_free(wk);
	return loyal__error_oom();
}

/* log(e^u + e^v) */
static double log_add(double u, double v)
{
	if (u < v) {
		double t = u;
		u = v;
		v = t;
	}
	if (v == -INFINITY)
		return u;
	return u + log1p(exp(v - u));
}

/*
 * Mean negative log-likelihood per customer at th = (ln r, ln alpha, ln s,
 * ln beta) and its gradient. Per customer:
 *   ln L = A1 + ln(E + s J)
 *   A1 = lnG(r+x) - lnG(r) + r ln alpha + s ln beta
 *   E  = (alpha+T)^-(r+x) (beta+T)^-s
 *   J  = I(t_x) - I(T),  I with p = r+x, q = s+1, A = alpha, B = beta
 * For the gradient of ln(E + s J), with rho = I(T)/I(t_x) and
 * u = s I(t_x)/(E + s J), d(sJ)/(E + sJ) = u (dlnI(t_x) - rho dlnI(T)),
 * which stays finite as t_x -> T (J -> 0) where dJ/J would not.
 */
static double objective(void *ctx, const double *th, double *grad)
{
	work *wk = ctx;
	double r, al, s, be, lal, lbe, ls, lgr, psr;
	double ll = 0.0, g[4] = { 0.0, 0.0, 0.0, 0.0 };
	size_t i;

	for (i = 0; i < 4; i++)
		if (!isfinite(th[i]) || (wk->bounded && fabs(th[i]) > LOG_BOUND))
			return INFINITY;
	r = exp(th[0]);
	al = exp(th[1]);
	s = exp(th[2]);
	be = exp(th[3]);
	lal = th[1];
	lbe = th[3];
	ls = th[2];
	lgr = lgamma(r);
	psr = loyal__digamma(r);

	for (i = 0; i < wk->npairs; i++) {
		wk->lI[i] = log_tail_d(r + wk->pairs[i].x, s + 1.0, al, be, wk->pairs[i].y,
				       wk->dI + 4 * i);
		if (!isfinite(wk->lI[i]))
			return INFINITY;
	}
	for (i = 0; i < wk->xs.n; i++) {
		double x = wk->xs.vals[i], W = wk->Wx[i];
		ll += W * (lgamma(r + x) - lgr + r * lal + s * lbe);
		g[0] += W * (loyal__digamma(r + x) - psr + lal);
		g[1] += W * r / al;
		g[2] += W * lbe;
		g[3] += W * s / be;
	}
	for (i = 0; i < wk->ngroups; i++) {
		double x = wk->gx[i], T = wk->gT[i], w = wk->w[i];
		double laT = log(al + T), lbT = log(be + T);
		double lE = -(r + x) * laT - s * lbT, lL, wE;
		double dE[4];

		dE[0] = -laT;
		dE[1] = -(r + x) / (al + T);
		dE[2] = -lbT;
		dE[3] = -s / (be + T);
		if (wk->gtx[i] < T) {
			uint32_t e1 = wk->e1[i], e2 = wk->e2[i];
			double l1 = wk->lI[e1], l2 = wk->lI[e2], rho = exp(l2 - l1);
			const double *d1 = wk->dI + 4 * e1, *d2 = wk->dI + 4 * e2;
			double lsJ = rho < 1.0 ? ls + l1 + log1p(-rho) : -INFINITY, u, wJ;
			int k;

			lL = log_add(lE, lsJ);
			wE = exp(lE - lL);
			wJ = exp(lsJ - lL);
			u = exp(ls + l1 - lL);
			for (k = 0; k < 4; k++)
				g[k] += w * (wE * dE[k] + u * (d1[k] - rho * d2[k]));
			g[2] += w * wJ / s;
		} else {
			int k;
			lL = lE;
			for (k = 0; k < 4; k++)
				g[k] += w * dE[k];
		}
		ll += w * lL;
	}
	grad[0] = -r * g[0] / wk->N;
	grad[1] = -al * g[1] / wk->N;
	grad[2] = -s * g[2] / wk->N;
	grad[3] = -be * g[3] / wk->N;
	return -ll / wk->N;
}

double loyal__pnbd_objective_at(const loyal_bgnbd_data *d, const double th[4], double grad[4])
{
	double f;
	work wk;

	if (work_init(&wk, d) != 0)
		return NAN;
	f = objective(&wk, th, grad);
	work_free(&wk);
	return f;
}

int loyal_pnbd_log_likelihood(double *out, const loyal_pnbd_params *p, const loyal_bgnbd_data *d)
{
	double th[4], g[4], f;
	work wk;
	int rc;

	if (!out || !p || !d)
		return loyal__error(LOYAL_EINVAL, "loyal_pnbd_log_likelihood: argument is NULL");
	if (!params_ok(p))
		return loyal__error(LOYAL_EINVAL, "Pareto/NBD parameters must be finite and "
				    "positive (r %g, alpha %g, s %g, beta %g)", p->r, p->alpha,
				    p->s, p->beta);
	if (d->groups.total == 0)
		return loyal__error(LOYAL_ENODATA, "no customers: the log-likelihood is undefined");
	if ((rc = work_init(&wk, d)) != 0)
		return rc;
	th[0] = log(p->r);
	th[1] = log(p->alpha);
	th[2] = log(p->s);
	th[3] = log(p->beta);
	f = objective(&wk, th, g);
	work_free(&wk);
	if (!isfinite(f))
		return loyal__error(LOYAL_EINVAL, "the Pareto/NBD log-likelihood cannot be "
				    "evaluated at r %g, alpha %g, s %g, beta %g", p->r, p->alpha,
				    p->s, p->beta);
	*out = -f * (double)d->groups.total;
	return 0;
}

int loyal_pnbd_fit(loyal_pnbd_params *out, const loyal_bgnbd_data *d,
		   const loyal_bgnbd_fit_options *opts)
{
	loyal__fit_settings fs;
	double th[4], se[4], sum_x, sum_T, log_likelihood;
	work wk;
	int rc, iterations;

	if (!out || !d)
		return loyal__error(LOYAL_EINVAL, "loyal_pnbd_fit: argument is NULL");
	if ((rc = loyal__fit_begin(&fs, d, opts, "Pareto/NBD", &sum_x, &sum_T)) != 0)
		return rc;
	if ((rc = work_init(&wk, d)) != 0)
		return rc;
	wk.bounded = 1;

	/* r = s = 1, alpha matching the observed purchase rate, and beta the
	 * mean observation time (a median lifetime of that length). */
	th[0] = 0.0;
	th[1] = log(fmin(fmax(sum_T / sum_x, 1e-6), 1e6));
	th[2] = 0.0;
	th[3] = log(fmin(fmax(sum_T / wk.N, 1e-6), 1e6));
	rc = loyal__fit_minimize("Pareto/NBD", &fs, objective, &wk, wk.N, param_names, th,
				 &log_likelihood, &iterations, se);

	memset(out, 0, sizeof(*out));
	out->r = exp(th[0]);
	out->alpha = exp(th[1]);
	out->s = exp(th[2]);
	out->beta = exp(th[3]);
	out->log_likelihood = log_likelihood;
	out->customers = d->groups.total;
	out->iterations = iterations;
	out->penalty = fs.penalty;
	if (rc == 0) {
		out->se_r = se[0];
		out->se_alpha = se[1];
		out->se_s = se[2];
		out->se_beta = se[3];
		out->converged = 1;
	} else {
		out->se_r = out->se_alpha = out->se_s = out->se_beta = NAN;
	}
	work_free(&wk);
	return rc;
}

/* -------------------------------------------------------- predictions */

/* P(alive) for valid parameters and history: E / (E + s J). */
static double alive_raw(const loyal_pnbd_params *p, double x, double t_x, double T)
{
	double lE, l1, l2, lsJ;

	if (t_x >= T)
		return 1.0;
	lE = -(p->r + x) * log(p->alpha + T) - p->s * log(p->beta + T);
	l1 = log_tail(p->r + x, p->s + 1.0, p->alpha, p->beta, t_x);
	l2 = log_tail(p->r + x, p->s + 1.0, p->alpha, p->beta, T);
	if (!isfinite(l1) || !isfinite(l2))
		return NAN;
	if (l2 >= l1)
		return 1.0;
	lsJ = log(p->s) + l1 + log1p(-exp(l2 - l1));
	/* 1 / (1 + e^(lsJ - lE)) without overflow */
	if (lsJ > lE) {
		double e = exp(lE - lsJ);
		return e / (1.0 + e);
	}
	return 1.0 / (1.0 + exp(lsJ - lE));
}

/* (1 - e^(-eps L)) / eps, which is L at eps = 0. */
static double one_minus_pow(double eps, double L)
{
	return eps == 0.0 ? L : -expm1(-eps * L) / eps;
}

double loyal_pnbd_p_alive(const loyal_pnbd_params *p, double x, double t_x, double T)
{
	if (!params_ok(p) || !loyal__bg_history_ok(x, t_x, T))
		return NAN;
	return alive_raw(p, x, t_x, T);
}

/* E[Y(t) | alive, x, T]: the part of the expectation without P(alive). */
static double expected_alive(const loyal_pnbd_params *p, double t, double x, double T)
{
	return (p->r + x) / (p->alpha + T) * (p->beta + T)
	       * one_minus_pow(p->s - 1.0, log1p(t / (p->beta + T)));
}

double loyal_pnbd_expected_conditional(const loyal_pnbd_params *p, double t, double x,
				       double t_x, double T)
{
	if (!params_ok(p) || !loyal__bg_history_ok(x, t_x, T) || !isfinite(t) || t < 0.0)
		return NAN;
	if (t == 0.0)
		return 0.0;
	return expected_alive(p, t, x, T) * alive_raw(p, x, t_x, T);
}

double loyal_pnbd_expected_unconditional(const loyal_pnbd_params *p, double t)
{
	if (!params_ok(p) || !isfinite(t) || t < 0.0)
		return NAN;
	if (t == 0.0)
		return 0.0;
	return p->r / p->alpha * p->beta * one_minus_pow(p->s - 1.0, log1p(t / p->beta));
}

double loyal_pnbd_p_no_purchase(const loyal_pnbd_params *p, double t, double x, double t_x,
				double T)
{
	double alive, rx, A, B, l0, lt, c0, none;

	if (!params_ok(p) || !loyal__bg_history_ok(x, t_x, T) || !isfinite(t) || t < 0.0)
		return NAN;
	if (t == 0.0)
		return 1.0;
	alive = alive_raw(p, x, t_x, T);
	rx = p->r + x;
	A = p->alpha + T;
	B = p->beta + T;
	/* c0 = E[lambda/(lambda+mu)] under the posterior of an alive customer */
	l0 = log_tail(rx + 1.0, p->s, A, B, 0.0);
	lt = log_tail(rx + 1.0, p->s, A, B, t);
	if (!isfinite(l0) || !isfinite(lt))
		return NAN;
	c0 = exp(log(rx) + rx * log(A) + p->s * log(B) + l0);
	none = 1.0 - c0 * -expm1(lt - l0);
	return (1.0 - alive) + alive * fmin(fmax(none, 0.0), 1.0);
}

double loyal_pnbd_dropout_per_purchase(const loyal_pnbd_params *p)
{
	double l;

	if (!params_ok(p))
		return NAN;
	l = log_tail(p->r, p->s + 1.0, p->alpha, p->beta, 0.0);
	return exp(log(p->s) + p->r * log(p->alpha) + p->s * log(p->beta) + l);
}

int loyal_pnbd_score(const loyal_pnbd_params *p, double t, size_t n, const double *x,
		     const double *t_x, const double *T, double *p_alive, double *expected)
{
	size_t i;

	if (!p || (n > 0 && (!x || !t_x || !T)))
		return loyal__error(LOYAL_EINVAL, "loyal_pnbd_score: argument is NULL");
	if (!params_ok(p))
		return loyal__error(LOYAL_EINVAL, "Pareto/NBD parameters must be finite and "
				    "positive (r %g, alpha %g, s %g, beta %g)", p->r, p->alpha,
				    p->s, p->beta);
	if (expected && (!isfinite(t) || t < 0.0))
		return loyal__error(LOYAL_EINVAL, "prediction horizon t = %g is not a finite "
				    "time >= 0", t);
	for (i = 0; i < n; i++) {
		double alive;

		if (!loyal__bg_history_ok(x[i], t_x[i], T[i])) {
			if (p_alive)
				p_alive[i] = NAN;
			if (expected)
				expected[i] = NAN;
			continue;
		}
		alive = alive_raw(p, x[i], t_x[i], T[i]);
		if (p_alive)
			p_alive[i] = alive;
		if (expected)
			expected[i] = t == 0.0 ? 0.0 : expected_alive(p, t, x[i], T[i]) * alive;
	}
	return 0;
}
