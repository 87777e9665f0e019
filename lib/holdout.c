#include <math.h>

#include "errors_p.h"
#include "loyal/holdout.h"

int loyal_holdout_add(loyal_holdout *h, double predicted, double actual)
{
	if (!isfinite(predicted) || !isfinite(actual))
		return loyal__error(LOYAL_EINVAL, "holdout values must be finite");
	double err = predicted - actual;

	h->n++;
	h->sum_predicted += predicted;
	h->sum_actual += actual;
	h->sum_abs_error += fabs(err);
	h->sum_sq_error += err * err;
	double dp = predicted - h->mean_p;
	h->mean_p += dp / (double)h->n;
	double da = actual - h->mean_a;
	h->mean_a += da / (double)h->n;
	h->m2_p += dp * (predicted - h->mean_p);
	h->m2_a += da * (actual - h->mean_a);
	h->c_pa += dp * (actual - h->mean_a);
	return 0;
}

int loyal_holdout_compute(loyal_holdout_result *out, const loyal_holdout *h)
{
	if (!out || !h || !LOYAL__VERSION_OK(out->version, LOYAL_HOLDOUT_RESULT_VERSION))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_holdout_compute");
	if (h->n == 0)
		return loyal__error(LOYAL_ENODATA, "no customers to evaluate in the holdout window");
	double n = (double)h->n;

	out->customers = h->n;
	out->predicted = h->sum_predicted;
	out->actual = h->sum_actual;
	out->mae = h->sum_abs_error / n;
	out->rmse = sqrt(h->sum_sq_error / n);
	if (h->m2_p > 0 && h->m2_a > 0)
		out->correlation = h->c_pa / sqrt(h->m2_p * h->m2_a);
	else
		out->correlation = NAN;
	return 0;
}

typedef double (*unconditional_fn)(const void *p, double t);

static double bg_e(const void *p, double t)
{
	return loyal_bgnbd_expected_unconditional(p, t);
}

static double mbg_e(const void *p, double t)
{
	return loyal_mbgnbd_expected_unconditional(p, t);
}

static double pnbd_e(const void *p, double t)
{
	return loyal_pnbd_expected_unconditional(p, t);
}

static int cumulative(const char *fn, unconditional_fn e, const void *p, int params_ok,
		      size_t nk, const double *s, const double *count, size_t nt, const double *t,
		      double *out)
{
	if (!p || (nk && (!s || !count)) || (nt && (!t || !out)))
		return loyal__error(LOYAL_EINVAL, "invalid argument to %s", fn);
	/* the parameters are checked even when no term needs them */
	if (!params_ok)
		return loyal__error(LOYAL_EINVAL, "invalid model parameters");
	for (size_t j = 0; j < nt; j++) {
		double sum = 0;
		for (size_t k = 0; k < nk; k++) {
			if (t[j] <= s[k])
				continue;
			double v = e(p, t[j] - s[k]);
			if (!isfinite(v))
				return loyal__error(LOYAL_EINVAL, "invalid model parameters");
			sum += count[k] * v;
		}
		out[j] = sum;
	}
	return 0;
}

static int pos(double v)
{
	return isfinite(v) && v > 0;
}

int loyal_bgnbd_cumulative(const loyal_bgnbd_params *p, size_t nk, const double *s,
			   const double *count, size_t nt, const double *t, double *out)
{
	return cumulative("loyal_bgnbd_cumulative", bg_e, p,
			  p && pos(p->r) && pos(p->alpha) && pos(p->a) && pos(p->b),
			  nk, s, count, nt, t, out);
}

int loyal_mbgnbd_cumulative(const loyal_mbgnbd_params *p, size_t nk, const double *s,
			    const double *count, size_t nt, const double *t, double *out)
{
	return cumulative("loyal_mbgnbd_cumulative", mbg_e, p,
			  p && pos(p->r) && pos(p->alpha) && pos(p->a) && pos(p->b),
			  nk, s, count, nt, t, out);
}

int loyal_pnbd_cumulative(const loyal_pnbd_params *p, size_t nk, const double *s,
			  const double *count, size_t nt, const double *t, double *out)
{
	return cumulative("loyal_pnbd_cumulative", pnbd_e, p,
			  p && pos(p->r) && pos(p->alpha) && pos(p->s) && pos(p->beta),
			  nk, s, count, nt, t, out);
}
