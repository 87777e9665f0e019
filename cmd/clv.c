#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clv_values.h"
#include "model_input.h"
#include "result.h"

static const struct cli_command_info info = {
	"clv",
	"loyal clv [options] FILE...",
	"Customer lifetime value over the next --months months of 30 days: the expected\n"
	"purchases of each month (BG/NBD model by default, or --model) times the\n"
	"customer's expected spend per purchase (Gamma-Gamma model), discounted by\n"
	"--discount a month. Needs amounts. --params prints both fitted models.",
};

enum sort_key { SORT_NONE = 0, SORT_CLV, SORT_EXPECTED, SORT_SPEND };

/* One fit unit's spend model and its customers' values. */
struct spend {
	loyal_gg_params gg;
	double *pa, *ey, *spend, *clv; /* per customer of the unit */
};

struct run {
	struct cli_common c;
	struct txn_opts t;
	struct txn_data *d;     /* the loaded transactions (data, or a caller's) */
	struct txn_data data;
	struct model_opts mo;
	struct model_customers all;
	struct model_unit *fits;
	size_t nfits;
	struct spend *sp;       /* per fit unit */
	uint64_t months;
	double discount;
	/* the command's options (cmd_clv) */
	const char *months_text, *discount_text, *sort_text, *top_text;
	int params;
	enum sort_key sort;
	uint64_t top;
	/* the result (result.h): its columns and what its rows need */
	struct cli_column cols[MODEL_PARAMS_MAX_COLS];
	size_t *perm, *unit_of, *local; /* customer rows: order, unit, index in it */
	struct model_unit *groups;      /* --pooled: the groups */
	size_t ngroups;
	size_t at_unit, at_row;         /* --params: the next row's unit and row in it */
};

static void spend_free(struct spend *s)
{
	free(s->pa);
	free(s->ey);
	free(s->spend);
	free(s->clv);
}

/* Fit the Gamma-Gamma model of unit u and compute every customer's values. */
static int unit_values(struct run *R, struct model_unit *u, struct spend *out)
{
	const struct model_customers *m = &u->m;
	const struct model_fit *f = model_chosen(&u->set);
	loyal_gg_data *gd = NULL;
	size_t n = m->n, cap = n ? n : 1;
	uint64_t one_time = 0, nonpositive = 0;
	int rc = 0, error;

	if (!(out->pa = malloc(cap * sizeof(double))) || !(out->ey = calloc(cap, sizeof(double))) ||
	    !(out->spend = malloc(cap * sizeof(double))) || !(out->clv = calloc(cap, sizeof(double)))) {
		rc = cli_oom();
		goto done;
	}
	/* The spend model: repeat customers whose mean repeat spend and net
	 * spend are both above 0. Everyone else gets the population mean. */
	if ((error = loyal_gg_data_new(&gd)) < 0) {
		rc = cli_lib_error(error);
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		loyal_txn_customer cu = LOYAL_TXN_CUSTOMER_INIT;
		if ((error = loyal_txn_customer_get(&cu, R->d->acc, m->index[i])) < 0) {
			rc = cli_lib_error(error);
			goto done;
		}
		out->spend[i] = NAN; /* the population mean, once known */
		if (cu.x == 0) {
			one_time++;
		} else if (!(cu.mean_repeat_spend > 0) || cu.spend <= 0) {
			nonpositive++;
		} else {
			out->spend[i] = cu.mean_repeat_spend;
			if ((error = loyal_gg_data_add(gd, (double)cu.x, cu.mean_repeat_spend)) < 0) {
				rc = cli_lib_error(error);
				goto done;
			}
		}
	}
	if (!R->c.quiet) {
		uint64_t fitted = loyal_gg_data_customers(gd);
		cli_error("%sspend model: %llu repeat customer%s fitted; %llu one-time buyer%s and "
			  "%llu repeat customer%s whose mean repeat spend or net spend is 0 or less "
			  "get the population mean", u->label,
			  (unsigned long long)fitted, fitted == 1 ? "" : "s",
			  (unsigned long long)one_time, one_time == 1 ? "" : "s",
			  (unsigned long long)nonpositive, nonpositive == 1 ? "" : "s");
	}
	if (loyal_gg_data_customers(gd) < 2) {
		/* say why in this command's terms, not the library's */
		cli_error("%sthe Gamma-Gamma spend model needs at least 2 repeat customers whose "
			  "mean repeat spend and net spend are above 0; %llu of %llu repeat "
			  "customer%s qualify", u->label,
			  (unsigned long long)loyal_gg_data_customers(gd),
			  (unsigned long long)(n - one_time), n - one_time == 1 ? "" : "s");
		rc = CLI_EXIT_DATA;
		goto done;
	}
	if ((rc = model_fit_gg(&out->gg, gd, &R->mo, u->label)) != 0)
		goto done;
	double population = loyal_gg_expected_spend(&out->gg, 0, 0);
	for (size_t i = 0; i < n; i++)
		out->spend[i] = isnan(out->spend[i]) ? population
			      : loyal_gg_expected_spend(&out->gg, m->x[i], out->spend[i]);

	/* CLV = sum over months i of (E[Y(30 i days)] - E[Y(30 (i-1) days)])
	 * spend / (1 + d)^i (libloyal's loyal_clv_*); out->ey: E[Y(30 M days)] */
	loyal_clv_options co = LOYAL_CLV_OPTIONS_INIT;
	co.periods = (unsigned)R->months;
	co.period_days = 30.0;
	co.unit_days = R->mo.unit_days;
	co.discount = R->discount;
	switch (f->kind) {
	case MODEL_BGNBD:
		error = loyal_clv_bgnbd(out->clv, out->ey, out->pa, &f->bg, n, m->x, m->t_x, m->T,
					out->spend, &co);
		break;
	case MODEL_MBGNBD:
		error = loyal_clv_mbgnbd(out->clv, out->ey, out->pa, &f->bg, n, m->x, m->t_x, m->T,
					 out->spend, &co);
		break;
	default:
		error = loyal_clv_pnbd(out->clv, out->ey, out->pa, &f->pn, n, m->x, m->t_x, m->T,
				       out->spend, &co);
	}
	if (error < 0)
		rc = cli_lib_error(error);
done:
	loyal_gg_data_free(gd);
	return rc;
}

static size_t by_values(struct cli_value *v, struct run *R, uint32_t group)
{
	return R->c.by.n ? txn_group_values(v, R->d, group) : 0;
}

/* ---- the result: one of three tables -------------------------------------- */

/* --params: each fit unit's models (after its --by values), unit by unit;
 * the rows come in order, so the next one's place is kept in R. */
static int params_row(void *ctx, size_t i, struct cli_value *v)
{
	struct run *R = ctx;
	int grouped = R->c.by.n && !R->mo.pooled;
	(void)i;

	while (R->at_row >= model_params_count(&R->fits[R->at_unit].set, 1)) {
		R->at_unit++;
		R->at_row = 0;
	}
	const struct model_unit *u = &R->fits[R->at_unit];
	size_t n = grouped ? by_values(v, R, u->group) : 0;
	if (n == SIZE_MAX)
		return cli_oom();
	model_params_values(v, n, R->at_row++, &u->set, &R->sp[R->at_unit].gg, &R->mo);
	return 0;
}

static int params_table(struct run *R, struct cli_result *res)
{
	int grouped = R->c.by.n && !R->mo.pooled;
	size_t nby = grouped ? txn_group_columns(R->cols, R->d) : 0;
	size_t nc = model_params_columns(R->cols, nby, 1), nrows = 0;

	for (size_t k = 0; k < R->nfits; k++)
		nrows += model_params_count(&R->fits[k].set, 1);
	cli_result_add(res, NULL, R->cols, nc, nrows, params_row, R);
	return 0;
}

static int customer_row(void *ctx, size_t r, struct cli_value *v)
{
	struct run *R = ctx;
	size_t j = R->perm ? R->perm[r] : r, k = R->unit_of[j], i = R->local[j];
	const struct spend *s = &R->sp[k];
	const struct model_customers *m = &R->fits[k].m;
	loyal_txn_customer cu = LOYAL_TXN_CUSTOMER_INIT;
	size_t n;
	int error;

	if ((error = loyal_txn_customer_get(&cu, R->d->acc, m->index[i])) < 0)
		return cli_lib_error(error);
	if (!isfinite(s->pa[i]) || !isfinite(s->ey[i]) || !isfinite(s->spend[i]) ||
	    !isfinite(s->clv[i])) {
		cli_error("internal error: no value for customer '%s'", cu.id);
		return CLI_EXIT_SOFTWARE;
	}
	if ((n = by_values(v, R, m->group[i])) == SIZE_MAX)
		return cli_oom();
	v[n++] = CLI_STR(cu.id);
	v[n++] = CLI_NUM(s->pa[i]);
	v[n++] = CLI_NUM(s->ey[i]);
	v[n++] = CLI_NUM(s->spend[i]);
	v[n++] = CLI_NUM(s->clv[i]);
	return 0;
}

/* One row per customer, in input order (by group first, with --by) or by
 * --sort, at most --top. */
static int customer_table(struct run *R, struct cli_result *res)
{
	size_t total = 0, at = 0;
	double *key = NULL;

	for (size_t k = 0; k < R->nfits; k++)
		total += R->fits[k].m.n;
	size_t cap = total ? total : 1;
	if (!(R->unit_of = malloc(cap * sizeof(*R->unit_of))) ||
	    !(R->local = malloc(cap * sizeof(*R->local))) || !(key = malloc(cap * sizeof(*key)))) {
		free(key);
		return cli_oom();
	}
	for (size_t k = 0; k < R->nfits; k++) {
		for (size_t i = 0; i < R->fits[k].m.n; i++, at++) {
			const struct spend *s = &R->sp[k];
			R->unit_of[at] = k;
			R->local[at] = i;
			key[at] = R->sort == SORT_CLV ? s->clv[i] : R->sort == SORT_EXPECTED ? s->ey[i]
				: s->spend[i];
		}
	}
	if (R->sort != SORT_NONE && !(R->perm = model_order(key, total))) {
		free(key);
		return CLI_EXIT_OSERR;
	}
	free(key);

	struct cli_column *cols = R->cols;
	size_t nc = R->c.by.n ? txn_group_columns(cols, R->d) : 0;
	cols[nc++] = (struct cli_column){ "customer", CLI_T_STR, 0 };
	cols[nc++] = (struct cli_column){ "p_alive", CLI_T_NUM, 4 };
	cols[nc++] = (struct cli_column){ "expected_purchases", CLI_T_NUM, 4 };
	cols[nc++] = (struct cli_column){ "expected_spend", CLI_T_NUM, 2 };
	cols[nc++] = (struct cli_column){ "clv", CLI_T_NUM, 2 };
	cli_result_add(res, NULL, cols, nc, total < R->top ? total : (size_t)R->top, customer_row, R);
	return 0;
}

static int group_row(void *ctx, size_t g, struct cli_value *v)
{
	struct run *R = ctx;
	/* the one fit unit holds everyone, in the order of R->all */
	const struct spend *s = &R->sp[0];
	double alive = 0, expected = 0, clv = 0, spend = 0;
	size_t n = 0, count = 0;

	for (size_t i = 0; i < R->all.n; i++) {
		if (R->all.group[i] != R->groups[g].group)
			continue;
		alive += s->pa[i];
		expected += s->ey[i];
		clv += s->clv[i];
		spend += s->ey[i] * s->spend[i];
		count++;
	}
	if ((n = by_values(v, R, R->groups[g].group)) == SIZE_MAX)
		return cli_oom();
	v[n++] = CLI_INT(count);
	v[n++] = CLI_NUM(alive / (double)count);
	v[n++] = CLI_NUM(expected);
	/* the spend per expected purchase, weighted by the purchases */
	v[n++] = expected > 0 ? CLI_NUM(spend / expected) : CLI_NULL;
	v[n++] = CLI_NUM(clv);
	v[n++] = CLI_NUM(clv / (double)count);
	return 0;
}

/* --by with --pooled: one row per group, from the one fit of each model. */
static int group_table(struct run *R, struct cli_result *res)
{
	int rc;

	if ((rc = model_units_make(&R->groups, &R->ngroups, &R->all, R->d, 1)) != 0)
		return rc;
	struct cli_column *cols = R->cols;
	size_t nc = txn_group_columns(cols, R->d);
	cols[nc++] = (struct cli_column){ "customers", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "p_alive", CLI_T_NUM, 4 };
	cols[nc++] = (struct cli_column){ "expected_purchases", CLI_T_NUM, 2 };
	cols[nc++] = (struct cli_column){ "expected_spend", CLI_T_NUM, 2 };
	cols[nc++] = (struct cli_column){ "clv", CLI_T_NUM, 2 };
	cols[nc++] = (struct cli_column){ "mean_clv", CLI_T_NUM, 2 };
	cli_result_add(res, NULL, cols, nc, R->ngroups, group_row, R);
	return 0;
}

/* Fit the models of every fit unit and compute every customer's values. */
static int fit_all(struct run *R)
{
	int rc;

	if ((rc = model_customers_load(&R->all, R->d->acc, loyal_txn_as_of(R->d->acc),
				       R->mo.unit_days, R->mo.threads)) != 0 ||
	    (rc = model_units_make(&R->fits, &R->nfits, &R->all, R->d,
				   R->c.by.n > 0 && !R->mo.pooled)) != 0)
		return rc;
	if (!(R->sp = calloc(R->nfits ? R->nfits : 1, sizeof(*R->sp))))
		return cli_oom();
	for (size_t k = 0; k < R->nfits; k++) {
		if ((rc = model_fit_set(&R->fits[k].set, &R->fits[k].m, &R->mo, R->fits[k].label)) != 0)
			return rc;
		model_note_choice(&R->fits[k].set, &R->mo, R->fits[k].label);
		model_warn_doubtful(model_chosen(&R->fits[k].set), &R->mo, R->fits[k].label);
		if ((rc = unit_values(R, &R->fits[k], &R->sp[k])) != 0)
			return rc;
	}
	if (R->mo.penalty > 0 && !R->c.quiet)
		cli_error("note: fitted with --penalty %g (an L2 penalty on the log-parameters): "
			  "the estimates are shrunk towards 1 and are not maximum likelihood",
			  R->mo.penalty);
	return 0;
}

static void run_free(struct run *R)
{
	for (size_t k = 0; R->sp && k < R->nfits; k++)
		spend_free(&R->sp[k]);
	free(R->sp);
	model_units_free(R->fits, R->nfits);
	model_units_free(R->groups, R->ngroups);
	model_customers_dispose(&R->all);
	free(R->perm);
	free(R->unit_of);
	free(R->local);
}

int clv_values(double *out, struct txn_data *d, const struct cli_common *c)
{
	struct run R;
	int rc;

	memset(&R, 0, sizeof(R));
	R.c = *c;
	R.d = d;
	R.months = 12;
	R.discount = 0.01;
	if ((rc = model_opts_finish(&info, &R.mo, &R.c)) != CLI_CONTINUE)
		return rc;
	for (size_t i = 0; i < loyal_txn_customer_count(d->acc); i++)
		out[i] = NAN;
	if ((rc = fit_all(&R)) == 0)
		for (size_t k = 0; k < R.nfits; k++)
			for (size_t i = 0; i < R.fits[k].m.n; i++)
				out[R.fits[k].m.index[i]] = R.sp[k].clv[i];
	run_free(&R);
	return rc;
}

static int parse(struct run *R, int argc, char **argv, int *nargs)
{
	const struct cli_opt opts[] = {
		CLI_OPT_GROUP("Lifetime value"),
		CLI_OPT_STRING(0, "months", "M", &R->months_text,
			       "months of 30 days to add up (default 12)"),
		CLI_OPT_STRING(0, "discount", "D", &R->discount_text,
			       "discount rate per month, 0.01 for 1% (default 0.01)"),
		CLI_OPT_STRING(0, "sort", "KEY", &R->sort_text,
			       "clv, expected_purchases or expected_spend, highest first "
			       "(default: input order)"),
		CLI_OPT_STRING(0, "top", "N", &R->top_text, "only the first N customers"),
		CLI_OPT_FLAG(0, "params", &R->params,
			     "print both fitted models instead of the customers"),
		MODEL_OPTS(&R->mo),
		MODEL_OPTS_BY(&R->c, &R->mo),
		TXN_OPTS_MODEL_INPUT(&R->t),
		CLI_OPTS_INPUT(&R->c),
		CLI_OPT_THREADS(&R->c),
		CLI_OPTS_PARTIAL(&R->c),
		CLI_OPTS_OUTPUT(&R->c),
		CLI_OPT_END
	};
	int rc;

	R->months = 12;
	R->discount = 0.01;
	R->top = UINT64_MAX;
	if ((rc = cli_parse(&info, opts, argc, argv, nargs)) != CLI_CONTINUE)
		return rc;
	if ((rc = cli_common_finish(&info, &R->c)) != CLI_CONTINUE ||
	    (rc = model_opts_finish(&info, &R->mo, &R->c)) != CLI_CONTINUE)
		return rc;
	if (R->months_text) {
		if (cli_parse_count(&R->months, "--months", R->months_text, 1, 1200))
			return CLI_EXIT_USAGE;
	}
	if (R->discount_text) {
		if (cli_parse_number(&R->discount, "--discount", R->discount_text))
			return CLI_EXIT_USAGE;
		if (!(R->discount >= 0 && R->discount < 1))
			return cli_usage_error(&info, "--discount needs a monthly rate from 0 to below 1 "
					       "(0.01 is 1%%), not '%s'", R->discount_text);
	}
	if (R->sort_text) {
		if (!strcmp(R->sort_text, "clv"))
			R->sort = SORT_CLV;
		else if (!strcmp(R->sort_text, "expected_purchases"))
			R->sort = SORT_EXPECTED;
		else if (!strcmp(R->sort_text, "expected_spend"))
			R->sort = SORT_SPEND;
		else
			return cli_usage_error(&info, "unknown sort key '%s' (clv, expected_purchases "
					       "or expected_spend)", R->sort_text);
	}
	if (R->top_text && model_parse_top(&info, &R->top, R->top_text))
		return CLI_EXIT_USAGE;
	if (R->params && (R->months_text || R->discount_text || R->sort_text || R->top_text))
		return cli_usage_error(&info, "--months, --discount, --sort and --top apply to the "
				       "customer rows, not to --params");
	if (R->mo.pooled && (R->sort_text || R->top_text))
		return cli_usage_error(&info, "--sort and --top apply to customer rows; --pooled "
				       "prints one row per group");
	txn_opts_days(&R->t);
	R->t.need_amount = 1;
	if ((rc = txn_opts_finish(&info, &R->t)) != CLI_CONTINUE)
		return rc;
	if (*nargs == 0)
		return cli_usage_error(&info, "no input file (use - for standard input)");
	return CLI_CONTINUE;
}

/* Load, fit every fit unit's models, then one of the three tables. */
static int compute(struct run *R, char **files, int nfiles, struct cli_result *res)
{
	int rc;

	R->d = &R->data;
	if ((rc = txn_load(R->d, &R->c, &R->t, files, nfiles)) != 0 || (rc = fit_all(R)) != 0)
		return rc;
	if (R->params)
		return params_table(R, res);
	if (R->mo.pooled)
		return group_table(R, res);
	return customer_table(R, res);
}

int cmd_clv(int argc, char **argv)
{
	struct run R;
	struct cli_result res = { 0 };
	int nargs, rc;

	memset(&R, 0, sizeof(R));
	if ((rc = parse(&R, argc, argv, &nargs)) != CLI_CONTINUE)
		return rc;
	if ((rc = compute(&R, argv, nargs, &res)) == 0)
		rc = cli_render(&res, &R.c);
	run_free(&R);
	txn_data_dispose(&R.data);
	return rc;
}
