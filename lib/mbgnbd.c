/*
 * MBG/NBD: the BG/NBD code with the first purchase as a chance to drop out
 * (bgnbd.c does both; `modified` = 1 here).
 */
#include "loyal/mbgnbd.h"
#include "bgnbd_p.h"

int loyal_mbgnbd_fit(loyal_mbgnbd_params *out, const loyal_bgnbd_data *d,
		     const loyal_bgnbd_fit_options *opts)
{
	return loyal__bg_fit(out, d, opts, 1);
}

int loyal_mbgnbd_log_likelihood(double *out, const loyal_mbgnbd_params *p,
				const loyal_bgnbd_data *d)
{
	return loyal__bg_log_likelihood(out, p, d, 1);
}

double loyal_mbgnbd_p_alive(const loyal_mbgnbd_params *p, double x, double t_x, double T)
{
	return loyal__bg_p_alive(p, x, t_x, T, 1);
}

double loyal_mbgnbd_expected_conditional(const loyal_mbgnbd_params *p, double t, double x,
					 double t_x, double T)
{
	return loyal__bg_expected_conditional(p, t, x, t_x, T, 1);
}

double loyal_mbgnbd_expected_unconditional(const loyal_mbgnbd_params *p, double t)
{
	return loyal__bg_expected_unconditional(p, t, 1);
}

double loyal_mbgnbd_p_no_purchase(const loyal_mbgnbd_params *p, double t, double x, double t_x,
				  double T)
{
	return loyal__bg_p_no_purchase(p, t, x, t_x, T, 1);
}

int loyal_mbgnbd_score(const loyal_mbgnbd_params *p, double t, size_t n, const double *x,
		       const double *t_x, const double *T, double *p_alive, double *expected)
{
	return loyal__bg_score(p, t, n, x, t_x, T, p_alive, expected, 1);
}
