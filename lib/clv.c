/*
 * Customer lifetime value: each period's expected purchases, valued at the
 * expected spend and discounted (loyal/clv.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errors_p.h"
#include "loyal/clv.h"

typedef int (*score_fn)(const void *p, double t, size_t n, const double *x, const double *t_x,
			const double *T, double *p_alive, double *expected);

static int score_bgnbd(const void *p, double t, size_t n, const double *x, const double *t_x,
		       const double *T, double *p_alive, double *expected)
{
	return loyal_bgnbd_score(p, t, n, x, t_x, T, p_alive, expected);
}

static int score_mbgnbd(const void *p, double t, size_t n, const double *x, const double *t_x,
			const double *T, double *p_alive, double *expected)
{
	return loyal_mbgnbd_score(p, t, n, x, t_x, T, p_alive, expected);
}

static int score_pnbd(const void *p, double t, size_t n, const double *x, const double *t_x,
		      const double *T, double *p_alive, double *expected)
{
	return loyal_pnbd_score(p, t, n, x, t_x, T, p_alive, expected);
}

static int clv(score_fn score, const void *p, double *out, double *expected, double *p_alive,
	       size_t n, const double *x, const double *t_x, const double *T,
	       const double *spend, const loyal_clv_options *opts)
{
	static const loyal_clv_options defaults = LOYAL_CLV_OPTIONS_INIT;
	double *prev = NULL, *cur = NULL, factor = 1.0;
	int error = 0;

	if (!opts)
		opts = &defaults;
	if (!LOYAL__VERSION_OK(opts->version, LOYAL_CLV_OPTIONS_VERSION))
		return loyal__error(LOYAL_EINVAL, "CLV options version %d is not supported "
				    "(expected 1 to %d)", opts->version, LOYAL_CLV_OPTIONS_VERSION);
	if (opts->periods < 1 || !(opts->period_days > 0) || !isfinite(opts->period_days) ||
	    !(opts->unit_days > 0) || !isfinite(opts->unit_days) ||
	    !(opts->discount >= 0 && opts->discount < 1))
		return loyal__error(LOYAL_EINVAL, "CLV options: periods %u must be >= 1, "
				    "period_days %g and unit_days %g finite and > 0, discount %g "
				    "from 0 to below 1", opts->periods, opts->period_days,
				    opts->unit_days, opts->discount);
	if (!p || (n && (!out || !x || !t_x || !T || !spend)))
		return loyal__error(LOYAL_EINVAL, "loyal_clv: an argument is NULL");
	if (!(prev = calloc(n ? n : 1, sizeof(*prev))) || !(cur = malloc((n ? n : 1) *
									 sizeof(*cur)))) {
		error = loyal__error_oom();
		goto done;
	}
	memset(out, 0, n * sizeof(*out));
	for (unsigned k = 1; k <= opts->periods; k++) {
		double horizon = opts->period_days * (double)k / opts->unit_days;
		if ((error = score(p, horizon, n, x, t_x, T, k == 1 ? p_alive : NULL, cur)) < 0)
			goto done;
		factor /= 1.0 + opts->discount;
		for (size_t i = 0; i < n; i++)
			out[i] += (cur[i] - prev[i]) * spend[i] * factor;
		double *swap = prev;
		prev = cur;
		cur = swap;
	}
	if (expected && n)
		memcpy(expected, prev, n * sizeof(*expected));
done:
	free(prev);
	free(cur);
	return error;
}

int loyal_clv_bgnbd(double *out, double *expected, double *p_alive, const loyal_bgnbd_params *p,
		    size_t n, const double *x, const double *t_x, const double *T,
		    const double *spend, const loyal_clv_options *opts)
{
	return clv(score_bgnbd, p, out, expected, p_alive, n, x, t_x, T, spend, opts);
}

int loyal_clv_mbgnbd(double *out, double *expected, double *p_alive,
		     const loyal_mbgnbd_params *p, size_t n, const double *x, const double *t_x,
		     const double *T, const double *spend, const loyal_clv_options *opts)
{
	return clv(score_mbgnbd, p, out, expected, p_alive, n, x, t_x, T, spend, opts);
}

int loyal_clv_pnbd(double *out, double *expected, double *p_alive, const loyal_pnbd_params *p,
		   size_t n, const double *x, const double *t_x, const double *T,
		   const double *spend, const loyal_clv_options *opts)
{
	return clv(score_pnbd, p, out, expected, p_alive, n, x, t_x, T, spend, opts);
}
