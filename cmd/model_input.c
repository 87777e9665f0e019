#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model_input.h"

int model_opts_finish(const struct cli_command_info *info, struct model_opts *m)
{
	static const struct { const char *name; double days; } units[] = {
		{ "day", 1.0 }, { "week", 7.0 }, { "month", 30.0 },
	};
	const char *name = m->unit_name ? m->unit_name : "week";
	size_t k;

	for (k = 0; k < 3 && strcmp(units[k].name, name); k++)
		;
	if (k == 3)
		return cli_usage_error(info, "unknown unit '%s' (day, week or month)", name);
	m->unit = units[k].name;
	m->unit_days = units[k].days;
	m->max_iterations = 200;
	if (m->max_iterations_text) {
		uint64_t v;
		if (cli_parse_count(&v, "--max-iterations", m->max_iterations_text, 1, 100000))
			return CLI_EXIT_USAGE;
		m->max_iterations = (int)v;
	}
	return CLI_CONTINUE;
}

int model_parse_top(const struct cli_command_info *info, uint64_t *out, const char *text)
{
	(void)info;
	return cli_parse_count(out, "--top", text, 1, UINT64_MAX) ? CLI_EXIT_USAGE : 0;
}

static int oom(void)
{
	cli_error("out of memory");
	return CLI_EXIT_OSERR;
}

int model_customers_load(struct model_customers *m, const loyal_txn *acc, int32_t cut,
			 double unit_days)
{
	size_t total = loyal_txn_customer_count(acc), n = 0;
	int error;

	memset(m, 0, sizeof(*m));
	size_t cap = total ? total : 1;
	if (!(m->index = malloc(cap * sizeof(*m->index))) || !(m->x = malloc(cap * sizeof(double))) ||
	    !(m->t_x = malloc(cap * sizeof(double))) || !(m->T = malloc(cap * sizeof(double))) ||
	    !(m->holdout = malloc(cap * sizeof(*m->holdout))))
		return oom();
	for (size_t i = 0; i < total; i++) {
		loyal_txn_split s;
		if ((error = loyal_txn_customer_split(&s, acc, i, cut)) < 0)
			return cli_lib_error(error);
		if (!s.calibration)
			continue;
		int32_t first = cut - s.T;
		if (n == 0 || first < m->first_day)
			m->first_day = first;
		if (n == 0 || first > m->last_first_day)
			m->last_first_day = first;
		m->index[n] = i;
		m->x[n] = (double)s.x;
		m->t_x[n] = s.t_x / unit_days;
		m->T[n] = s.T / unit_days;
		m->holdout[n] = s.holdout;
		n++;
	}
	m->n = n;
	return 0;
}

void model_customers_dispose(struct model_customers *m)
{
	free(m->index);
	free(m->x);
	free(m->t_x);
	free(m->T);
	free(m->holdout);
	memset(m, 0, sizeof(*m));
}

int model_fit_bgnbd(loyal_bgnbd_params *p, const struct model_customers *m,
		    const struct model_opts *mo)
{
	loyal_bgnbd_fit_options fo = LOYAL_BGNBD_FIT_OPTIONS_INIT;
	loyal_bgnbd_data *d = NULL;
	int error, rc = 0;

	if ((error = loyal_bgnbd_data_new(&d)) < 0)
		return cli_lib_error(error);
	for (size_t i = 0; i < m->n; i++) {
		if ((error = loyal_bgnbd_data_add(d, m->x[i], m->t_x[i], m->T[i])) < 0) {
			/* Day occasions make every triple valid; anything else is a bug. */
			rc = error == LOYAL_ENOMEM ? cli_lib_error(error) : CLI_EXIT_SOFTWARE;
			if (rc == CLI_EXIT_SOFTWARE)
				cli_error("internal error: %s", loyal_error_last()->message);
			goto done;
		}
	}
	fo.max_iterations = mo->max_iterations;
	if ((error = loyal_bgnbd_fit(p, d, &fo)) < 0) {
		rc = cli_lib_error(error);
		if (error == LOYAL_ECONVERGE) {
			cli_error("last point reached, not an estimate: r %.6g, alpha %.6g, a %.6g, "
				  "b %.6g (alpha in %ss), log-likelihood %.6g",
				  p->r, p->alpha, p->a, p->b, mo->unit, p->log_likelihood);
			fprintf(stderr, "hint: see FIT FAILURES in loyal-churn(1)\n");
		}
	}
done:
	loyal_bgnbd_data_free(d);
	return rc;
}

int model_fit_gg(loyal_gg_params *p, const loyal_gg_data *d, const struct model_opts *mo)
{
	loyal_gg_fit_options fo = LOYAL_GG_FIT_OPTIONS_INIT;
	int error;

	fo.max_iterations = mo->max_iterations;
	if ((error = loyal_gg_fit(p, d, &fo)) < 0) {
		int rc = cli_lib_error(error);
		if (error == LOYAL_ECONVERGE) {
			cli_error("last point reached, not an estimate: p %.6g, q %.6g, gamma %.6g, "
				  "log-likelihood %.6g", p->p, p->q, p->gamma, p->log_likelihood);
			fprintf(stderr, "hint: see FIT FAILURES in loyal-clv(1)\n");
		}
		return rc;
	}
	if (!(p->q > 1.0)) {
		cli_error("the Gamma-Gamma fit gives q = %.6g <= 1: the population's mean spend "
			  "does not exist, so no expected spend can be computed "
			  "(p %.6g, gamma %.6g)", p->q, p->p, p->gamma);
		return CLI_EXIT_DATA;
	}
	return 0;
}

struct keyed {
	double key;
	size_t i;
};

static int keyed_cmp(const void *pa, const void *pb)
{
	const struct keyed *a = pa, *b = pb;
	/* largest first; NaN (never expected) last; ties in item order */
	int an = isnan(a->key), bn = isnan(b->key);
	if (an != bn)
		return an - bn;
	if (!an && a->key != b->key)
		return a->key > b->key ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

size_t *model_order(const double *key, size_t n)
{
	struct keyed *k = malloc((n ? n : 1) * sizeof(*k));
	size_t *perm = malloc((n ? n : 1) * sizeof(*perm));

	if (!k || !perm) {
		free(k);
		free(perm);
		oom();
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		k[i] = (struct keyed){ key[i], i };
	qsort(k, n, sizeof(*k), keyed_cmp);
	for (size_t i = 0; i < n; i++)
		perm[i] = k[i].i;
	free(k);
	return perm;
}

/* ---- --params ----------------------------------------------------------- */

size_t model_params_columns(struct cli_column *cols, int with_gg)
{
	size_t n = 0;

	cols[n++] = (struct cli_column){ "model", CLI_T_STR, 0 };
	cols[n++] = (struct cli_column){ "r", CLI_T_NUM, 4 };
	cols[n++] = (struct cli_column){ "alpha", CLI_T_NUM, 4 };
	cols[n++] = (struct cli_column){ "a", CLI_T_NUM, 4 };
	cols[n++] = (struct cli_column){ "b", CLI_T_NUM, 4 };
	if (with_gg) {
		cols[n++] = (struct cli_column){ "p", CLI_T_NUM, 4 };
		cols[n++] = (struct cli_column){ "q", CLI_T_NUM, 4 };
		cols[n++] = (struct cli_column){ "gamma", CLI_T_NUM, 4 };
	}
	cols[n++] = (struct cli_column){ "log_likelihood", CLI_T_NUM, 2 };
	cols[n++] = (struct cli_column){ "customers", CLI_T_INT, 0 };
	cols[n++] = (struct cli_column){ "iterations", CLI_T_INT, 0 };
	cols[n++] = (struct cli_column){ "converged", CLI_T_BOOL, 0 };
	cols[n++] = (struct cli_column){ "se_r", CLI_T_NUM, 4 };
	cols[n++] = (struct cli_column){ "se_alpha", CLI_T_NUM, 4 };
	cols[n++] = (struct cli_column){ "se_a", CLI_T_NUM, 4 };
	cols[n++] = (struct cli_column){ "se_b", CLI_T_NUM, 4 };
	if (with_gg) {
		cols[n++] = (struct cli_column){ "se_p", CLI_T_NUM, 4 };
		cols[n++] = (struct cli_column){ "se_q", CLI_T_NUM, 4 };
		cols[n++] = (struct cli_column){ "se_gamma", CLI_T_NUM, 4 };
		cols[n++] = (struct cli_column){ "mean_spend", CLI_T_NUM, 2 };
	}
	cols[n++] = (struct cli_column){ "unit", CLI_T_STR, 0 };
	return n;
}

/* A standard error: INFINITY (a singular information matrix) has no value. */
static struct cli_value se(double v)
{
	return isfinite(v) ? CLI_NUM(v) : CLI_NULL;
}

int model_params_write(struct cli_out *out, const loyal_bgnbd_params *bg,
		       const loyal_gg_params *gg, const struct model_opts *mo)
{
	struct cli_value v[24];
	size_t n = 0;
	int rc, with_gg = gg != NULL;

	v[n++] = CLI_STR("bgnbd");
	v[n++] = CLI_NUM(bg->r);
	v[n++] = CLI_NUM(bg->alpha);
	v[n++] = CLI_NUM(bg->a);
	v[n++] = CLI_NUM(bg->b);
	if (with_gg)
		v[n++] = CLI_NULL, v[n++] = CLI_NULL, v[n++] = CLI_NULL;
	v[n++] = CLI_NUM(bg->log_likelihood);
	v[n++] = CLI_INT(bg->customers);
	v[n++] = CLI_INT(bg->iterations);
	v[n++] = CLI_BOOL(bg->converged);
	v[n++] = se(bg->se_r);
	v[n++] = se(bg->se_alpha);
	v[n++] = se(bg->se_a);
	v[n++] = se(bg->se_b);
	if (with_gg)
		v[n++] = CLI_NULL, v[n++] = CLI_NULL, v[n++] = CLI_NULL, v[n++] = CLI_NULL;
	v[n++] = CLI_STR(mo->unit);
	if ((rc = cli_out_row(out, v)) != 0 || !with_gg)
		return rc;

	n = 0;
	v[n++] = CLI_STR("gammagamma");
	v[n++] = CLI_NULL, v[n++] = CLI_NULL, v[n++] = CLI_NULL, v[n++] = CLI_NULL;
	v[n++] = CLI_NUM(gg->p);
	v[n++] = CLI_NUM(gg->q);
	v[n++] = CLI_NUM(gg->gamma);
	v[n++] = CLI_NUM(gg->log_likelihood);
	v[n++] = CLI_INT(gg->customers);
	v[n++] = CLI_INT(gg->iterations);
	v[n++] = CLI_BOOL(gg->converged);
	v[n++] = CLI_NULL, v[n++] = CLI_NULL, v[n++] = CLI_NULL, v[n++] = CLI_NULL;
	v[n++] = se(gg->se_p);
	v[n++] = se(gg->se_q);
	v[n++] = se(gg->se_gamma);
	v[n++] = CLI_NUM(loyal_gg_expected_spend(gg, 0, 0));
	v[n++] = CLI_NULL;
	return cli_out_row(out, v);
}
