#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model_input.h"
#include "result.h"

static const struct cli_command_info info = {
	"churn",
	"loyal churn [options] FILE...",
	"Churn scores from a model of repeat buying (BG/NBD by default; MBG/NBD,\n"
	"Pareto/NBD, or the best of the three with --model auto), fitted to the\n"
	"customers' purchase histories up to the as-of date: per customer the\n"
	"probability of still being a customer (p_alive), churn = 1 - p_alive, the\n"
	"expected purchases in the next --horizon units and the probability of none.\n"
	"--params prints the fit; --holdout-to checks its predictions against the\n"
	"purchases made after the as-of date, in total and period by period.",
};

enum sort_key { SORT_NONE = 0, SORT_CHURN, SORT_EXPECTED };

/* The tracking table's figures of one report unit (tracking_unit). */
struct tracking {
	const struct model_fit *f; /* the chosen fit; NULL before the first unit */
	int32_t *from, *to;        /* each row's span */
	double *pred;              /* predicted cumulative repeat purchases */
	uint64_t *actual;          /* actual cumulative repeat purchases */
	size_t nrow, next;
};

/* Everything one run works with. */
struct run {
	struct cli_common c;
	struct txn_opts t;
	struct txn_data d;
	struct model_opts mo;
	struct model_customers all;
	/* fit units: the groups, or everyone with --pooled or without --by */
	struct model_unit *fits;
	size_t nfits;
	/* report units: the groups with --by (also with --pooled), else the fits */
	struct model_unit *reports;
	size_t nreports;
	int32_t cut, end;       /* as-of day; last day of the data used */
	double horizon;         /* in the unit */
	double length;          /* of the holdout period, in the unit */
	loyal_period period;    /* of the tracking table */
	/* the command's options */
	const char *horizon_text, *sort_text, *top_text, *holdout_text;
	int params, curve, evaluation;
	enum sort_key sort;
	uint64_t top;
	/* the result (result.h): its columns and what its rows need */
	struct cli_column cols[MODEL_PARAMS_MAX_COLS], tcols[CLI_LIST_MAX + 16];
	double *pa, *ey;                /* scores, per customer or of one group */
	size_t *perm, *unit_of, *local; /* customer rows: order, unit, index in it */
	size_t at_unit, at_row;         /* --params: the next row's fit and row in it */
	size_t ev_unit;                 /* evaluation: the next row's unit and model */
	int ev_kind;
	size_t tr_unit;                 /* tracking: the unit of R->tr */
	struct tracking tr;
	char as_of_text[32], holdout_to_text[32], key[64], from_text[32], to_text[32];
};

/* The fit that made the predictions for report unit k. */
static const struct model_unit *fit_of(const struct run *R, size_t k)
{
	return R->fits == R->reports ? &R->fits[k] : &R->fits[0];
}

static size_t by_columns(struct cli_column *cols, struct run *R)
{
	return R->c.by.n ? txn_group_columns(cols, &R->d) : 0;
}

static size_t by_values(struct cli_value *v, struct run *R, const struct model_unit *u)
{
	if (!R->c.by.n || u->all)
		return 0;
	return txn_group_values(v, &R->d, u->group);
}

/* ---- customer rows ------------------------------------------------------ */

static int customer_row(void *ctx, size_t r, struct cli_value *v)
{
	struct run *R = ctx;
	size_t j = R->perm ? R->perm[r] : r, k = R->unit_of[j], i = R->local[j];
	const struct model_customers *m = &R->reports[k].m;
	const struct model_fit *f = model_chosen(&fit_of(R, k)->set);
	loyal_txn_customer cu = LOYAL_TXN_CUSTOMER_INIT;
	size_t n;
	int error;

	if ((error = loyal_txn_customer_get(&cu, R->d.acc, m->index[i])) < 0)
		return cli_lib_error(error);
	double none = model_p_no_purchase(f, R->horizon, m->x[i], m->t_x[i], m->T[i]);
	if (!isfinite(R->pa[j]) || !isfinite(R->ey[j]) || !isfinite(none)) {
		cli_error("internal error: no score for customer '%s'", cu.id);
		return CLI_EXIT_SOFTWARE;
	}
	if ((n = by_values(v, R, &R->reports[k])) == SIZE_MAX)
		return cli_oom();
	v[n++] = CLI_STR(cu.id);
	v[n++] = CLI_INT(m->x[i]);
	v[n++] = CLI_NUM(m->t_x[i]);
	v[n++] = CLI_NUM(m->T[i]);
	v[n++] = CLI_NUM(R->pa[j]);
	v[n++] = CLI_NUM(1.0 - R->pa[j]);
	v[n++] = CLI_NUM(R->ey[j]);
	v[n++] = CLI_NUM(none);
	return 0;
}

/* Every customer's scores, in input order (by group first) or by --sort. */
static int customer_table(struct run *R, struct cli_result *res)
{
	size_t total = 0, at = 0;
	double *key = NULL;
	int error;

	for (size_t k = 0; k < R->nreports; k++)
		total += R->reports[k].m.n;
	size_t cap = total ? total : 1;
	if (!(R->pa = malloc(cap * sizeof(*R->pa))) || !(R->ey = malloc(cap * sizeof(*R->ey))) ||
	    !(R->unit_of = malloc(cap * sizeof(*R->unit_of))) ||
	    !(R->local = malloc(cap * sizeof(*R->local))))
		return cli_oom();
	for (size_t k = 0; k < R->nreports; k++) {
		const struct model_customers *m = &R->reports[k].m;
		const struct model_fit *f = model_chosen(&fit_of(R, k)->set);
		if ((error = model_score(f, R->horizon, m->n, m->x, m->t_x, m->T, R->pa + at,
					 R->ey + at)) < 0)
			return cli_lib_error(error);
		for (size_t i = 0; i < m->n; i++, at++) {
			R->unit_of[at] = k;
			R->local[at] = i;
		}
	}
	if (R->sort != SORT_NONE) {
		/* churn = 1 - p_alive, highest first, is p_alive lowest first */
		if (!(key = malloc(cap * sizeof(*key))))
			return cli_oom();
		for (size_t i = 0; i < total; i++)
			key[i] = R->sort == SORT_CHURN ? 1.0 - R->pa[i] : R->ey[i];
		R->perm = model_order(key, total);
		free(key);
		if (!R->perm)
			return CLI_EXIT_OSERR;
	}

	struct cli_column *cols = R->cols;
	size_t nc = by_columns(cols, R);
	cols[nc++] = (struct cli_column){ "customer", CLI_T_STR, 0 };
	cols[nc++] = (struct cli_column){ "frequency", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "recency", CLI_T_NUM, 2 };
	cols[nc++] = (struct cli_column){ "T", CLI_T_NUM, 2 };
	cols[nc++] = (struct cli_column){ "p_alive", CLI_T_NUM, 4 };
	cols[nc++] = (struct cli_column){ "churn", CLI_T_NUM, 4 };
	cols[nc++] = (struct cli_column){ "expected_purchases", CLI_T_NUM, 4 };
	cols[nc++] = (struct cli_column){ "p_no_purchase", CLI_T_NUM, 4 };
	cli_result_add(res, NULL, cols, nc, total < R->top ? total : (size_t)R->top, customer_row, R);
	return 0;
}

/* --by with --pooled: one row per group, from the one fit. */
static int group_row(void *ctx, size_t k, struct cli_value *v)
{
	struct run *R = ctx;
	const struct model_customers *m = &R->reports[k].m;
	const struct model_fit *f = model_chosen(&fit_of(R, k)->set);
	double alive = 0.0, expected = 0.0, none = 0.0;
	uint64_t repeat = 0;
	size_t n, cap = m->n ? m->n : 1;
	int error;

	free(R->pa);
	free(R->ey);
	R->ey = NULL;
	if (!(R->pa = malloc(cap * sizeof(*R->pa))) || !(R->ey = malloc(cap * sizeof(*R->ey))))
		return cli_oom();
	if ((error = model_score(f, R->horizon, m->n, m->x, m->t_x, m->T, R->pa, R->ey)) < 0)
		return cli_lib_error(error);
	for (size_t i = 0; i < m->n; i++) {
		alive += R->pa[i];
		expected += R->ey[i];
		none += model_p_no_purchase(f, R->horizon, m->x[i], m->t_x[i], m->T[i]);
		repeat += m->x[i] > 0;
	}
	if (!isfinite(alive) || !isfinite(expected) || !isfinite(none)) {
		cli_error("internal error: no score for %.*s", (int)strcspn(R->reports[k].label, ":"),
			  R->reports[k].label);
		return CLI_EXIT_SOFTWARE;
	}
	if ((n = by_values(v, R, &R->reports[k])) == SIZE_MAX)
		return cli_oom();
	v[n++] = CLI_INT(m->n);
	v[n++] = CLI_INT(repeat);
	v[n++] = CLI_NUM(alive / (double)m->n);
	v[n++] = CLI_NUM(1.0 - alive / (double)m->n);
	v[n++] = CLI_NUM(alive);
	v[n++] = CLI_NUM(expected);
	v[n++] = CLI_NUM(none / (double)m->n);
	return 0;
}

static int group_table(struct run *R, struct cli_result *res)
{
	struct cli_column *cols = R->cols;
	size_t nc = by_columns(cols, R);

	cols[nc++] = (struct cli_column){ "customers", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "repeat_customers", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "p_alive", CLI_T_NUM, 4 };
	cols[nc++] = (struct cli_column){ "churn", CLI_T_NUM, 4 };
	cols[nc++] = (struct cli_column){ "expected_alive", CLI_T_NUM, 2 };
	cols[nc++] = (struct cli_column){ "expected_purchases", CLI_T_NUM, 2 };
	cols[nc++] = (struct cli_column){ "p_no_purchase", CLI_T_NUM, 4 };
	cli_result_add(res, NULL, cols, nc, R->nreports, group_row, R);
	return 0;
}

/* ---- --params ----------------------------------------------------------- */

/* Each fit's models, fit by fit; the rows come in order, so the next one's
 * place is kept in R. With --pooled there is one fit: no group columns. */
static int params_row(void *ctx, size_t i, struct cli_value *v)
{
	struct run *R = ctx;
	int grouped = R->c.by.n && !R->mo.pooled;
	(void)i;

	while (R->at_row >= model_params_count(&R->fits[R->at_unit].set, 0)) {
		R->at_unit++;
		R->at_row = 0;
	}
	const struct model_unit *u = &R->fits[R->at_unit];
	size_t n = grouped ? by_values(v, R, u) : 0;
	if (n == SIZE_MAX)
		return cli_oom();
	model_params_values(v, n, R->at_row++, &u->set, NULL, &R->mo);
	return 0;
}

static int params_table(struct run *R, struct cli_result *res)
{
	int grouped = R->c.by.n && !R->mo.pooled;
	size_t nby = grouped ? by_columns(R->cols, R) : 0, nrows = 0;
	size_t nc = model_params_columns(R->cols, nby, 0);

	for (size_t k = 0; k < R->nfits; k++)
		nrows += model_params_count(&R->fits[k].set, 0);
	cli_result_add(res, NULL, R->cols, nc, nrows, params_row, R);
	return 0;
}

/* ---- holdout: evaluation and tracking ---------------------------------- */

/* The holdout evaluation of fit f on the customers of m. */
static int evaluate(loyal_holdout_result *res, const struct model_fit *f,
		    const struct model_customers *m, double length)
{
	loyal_holdout h = LOYAL_HOLDOUT_INIT;
	double *ey = malloc((m->n ? m->n : 1) * sizeof(*ey));
	int error;

	if (!ey)
		return cli_oom();
	if ((error = model_score(f, length, m->n, m->x, m->t_x, m->T, NULL, ey)) < 0) {
		free(ey);
		return cli_lib_error(error);
	}
	for (size_t i = 0; i < m->n; i++) {
		if ((error = loyal_holdout_add(&h, ey[i], (double)m->holdout[i])) < 0) {
			free(ey);
			return cli_lib_error(error);
		}
	}
	free(ey);
	if ((error = loyal_holdout_compute(res, &h)) < 0)
		return cli_lib_error(error);
	return 0;
}

/* --model auto with a holdout period: each fit unit keeps the model with
 * the lowest RMSE of its customers' predicted holdout purchases. */
static int choose_by_holdout(struct run *R)
{
	for (size_t k = 0; k < R->nfits; k++) {
		struct model_set *s = &R->fits[k].set;
		double best = INFINITY;
		for (int j = 0; j < MODEL_NKINDS; j++) {
			loyal_holdout_result res = LOYAL_HOLDOUT_RESULT_INIT;
			int rc;
			if (!s->fit[j].fitted)
				continue;
			if ((rc = evaluate(&res, &s->fit[j], &R->fits[k].m, R->length)) != 0)
				return rc;
			if (res.rmse < best) {
				best = res.rmse;
				s->chosen = j;
			}
		}
		s->chosen_by = "holdout RMSE";
	}
	return 0;
}

static void evaluation_columns(struct cli_column *cols, size_t *nc)
{
	size_t n = *nc;

	cols[n++] = (struct cli_column){ "model", CLI_T_STR, 0 };
	cols[n++] = (struct cli_column){ "chosen", CLI_T_BOOL, 0 };
	cols[n++] = (struct cli_column){ "customers", CLI_T_INT, 0 };
	cols[n++] = (struct cli_column){ "predicted", CLI_T_NUM, 2 };
	cols[n++] = (struct cli_column){ "actual", CLI_T_INT, 0 };
	cols[n++] = (struct cli_column){ "mae", CLI_T_NUM, 4 };
	cols[n++] = (struct cli_column){ "rmse", CLI_T_NUM, 4 };
	cols[n++] = (struct cli_column){ "correlation", CLI_T_NUM, 4 };
	cols[n++] = (struct cli_column){ "log_likelihood", CLI_T_NUM, 2 };
	cols[n++] = (struct cli_column){ "bic", CLI_T_NUM, 2 };
	cols[n++] = (struct cli_column){ "as_of", CLI_T_STR, 0 };
	cols[n++] = (struct cli_column){ "holdout_to", CLI_T_STR, 0 };
	cols[n++] = (struct cli_column){ "length", CLI_T_NUM, 2 };
	cols[n++] = (struct cli_column){ "unit", CLI_T_STR, 0 };
	*nc = n;
}

/* One row per report unit and fitted model, in order (the place of the
 * next one kept in R). */
static int evaluation_row(void *ctx, size_t i, struct cli_value *v)
{
	struct run *R = ctx;
	loyal_holdout_result res = LOYAL_HOLDOUT_RESULT_INIT;
	size_t n;
	int rc;
	(void)i;

	for (;;) {
		if (R->ev_kind == MODEL_NKINDS) {
			R->ev_kind = 0;
			R->ev_unit++;
		}
		if (fit_of(R, R->ev_unit)->set.fit[R->ev_kind].fitted)
			break;
		R->ev_kind++;
	}
	size_t k = R->ev_unit;
	int j = R->ev_kind++;
	const struct model_set *s = &fit_of(R, k)->set;
	const struct model_fit *f = &s->fit[j];
	if ((rc = evaluate(&res, f, &R->reports[k].m, R->length)) != 0)
		return rc;
	if ((n = by_values(v, R, &R->reports[k])) == SIZE_MAX)
		return cli_oom();
	v[n++] = CLI_STR(model_key(j));
	v[n++] = CLI_BOOL(s->chosen == j);
	v[n++] = CLI_INT(res.customers);
	v[n++] = CLI_NUM(res.predicted);
	v[n++] = CLI_INT((int64_t)res.actual);
	v[n++] = CLI_NUM(res.mae);
	v[n++] = CLI_NUM(res.rmse);
	v[n++] = txn_num(res.correlation);
	v[n++] = CLI_NUM(model_log_likelihood(f));
	v[n++] = CLI_NUM(f->bic);
	v[n++] = CLI_STR(R->as_of_text);
	v[n++] = CLI_STR(R->holdout_to_text);
	v[n++] = CLI_NUM(R->length);
	v[n++] = CLI_STR(R->mo.unit);
	return 0;
}

static void tracking_columns(struct cli_column *cols, size_t *nc)
{
	size_t n = *nc;

	cols[n++] = (struct cli_column){ "period", CLI_T_STR, 0 };
	cols[n++] = (struct cli_column){ "from", CLI_T_STR, 0 };
	cols[n++] = (struct cli_column){ "to", CLI_T_STR, 0 };
	cols[n++] = (struct cli_column){ "part", CLI_T_STR, 0 };
	cols[n++] = (struct cli_column){ "model", CLI_T_STR, 0 };
	cols[n++] = (struct cli_column){ "predicted", CLI_T_NUM, 2 };
	cols[n++] = (struct cli_column){ "actual", CLI_T_INT, 0 };
	cols[n++] = (struct cli_column){ "predicted_cumulative", CLI_T_NUM, 2 };
	cols[n++] = (struct cli_column){ "actual_cumulative", CLI_T_INT, 0 };
	*nc = n;
}

/* The tracking rows' spans of report unit k (from[j] to to[j], when not
 * NULL): the periods from its first purchase to the end, the one holding
 * the as-of date split in two at it. Returns their count. */
static size_t tracking_spans(const struct run *R, size_t k, int32_t *from, int32_t *to)
{
	int32_t day0 = R->reports[k].m.first_day, end = R->end, cut = R->cut;
	int64_t p0 = loyal_period_index(R->period, day0), p1 = loyal_period_index(R->period, end);
	size_t nrow = 0;

	for (int64_t p = p0; p <= p1; p++) {
		int32_t a = loyal_period_start(R->period, p), b = loyal_period_start(R->period, p + 1) - 1;
		if (a < day0)
			a = day0;
		if (b > end)
			b = end;
		if (cut >= a && cut < b) {
			if (from) {
				from[nrow] = a;
				to[nrow] = cut;
			}
			nrow++;
			a = cut + 1;
		}
		if (from) {
			from[nrow] = a;
			to[nrow] = b;
		}
		nrow++;
	}
	return nrow;
}

static void tracking_free(struct tracking *t)
{
	free(t->from);
	free(t->to);
	free(t->pred);
	free(t->actual);
	memset(t, 0, sizeof(*t));
}

/*
 * The tracking rows of report unit k: its customers' repeat purchases per
 * period, predicted and actual, from the period of their first purchase to
 * the end. The period holding the as-of date is split in two rows at it,
 * so that every row is either calibration or holdout. Predicted: the sum
 * over the customers of E[X(to - first purchase)] (a new customer's
 * expected repeat purchases; 0 before the first purchase), as in the
 * papers' tracking plots; actual: their purchases after the first.
 */
static int tracking_unit(struct run *R, size_t k, struct tracking *t)
{
	const struct model_customers *m = &R->reports[k].m;
	const struct model_fit *f = model_chosen(&fit_of(R, k)->set);
	int32_t day0 = m->first_day, end = R->end, cut = R->cut;
	int64_t p0 = loyal_period_index(R->period, day0), p1 = loyal_period_index(R->period, end);
	size_t cap = (size_t)(p1 - p0 + 2), nk = 0;
	size_t ndays = (size_t)((int64_t)end - day0) + 1;
	double *tt = NULL, *s = NULL, *count = NULL;
	uint64_t *acq = NULL, *rep = NULL;
	int rc = 0, error;

	tracking_free(t);
	t->f = f;
	if (!(t->from = malloc(cap * sizeof(*t->from))) || !(t->to = malloc(cap * sizeof(*t->to))) ||
	    !(tt = malloc(cap * sizeof(*tt))) || !(t->pred = malloc(cap * sizeof(*t->pred))) ||
	    !(t->actual = calloc(cap, sizeof(*t->actual))) || !(acq = calloc(ndays, sizeof(*acq))) ||
	    !(s = malloc(ndays * sizeof(*s))) || !(count = malloc(ndays * sizeof(*count)))) {
		rc = cli_oom();
		goto done;
	}
	t->nrow = tracking_spans(R, k, t->from, t->to);
	for (size_t j = 0; j < t->nrow; j++)
		tt[j] = (t->to[j] - day0) / R->mo.unit_days;
	for (size_t i = 0; i < m->n; i++)
		acq[m->first[i] - day0]++;
	for (size_t d = 0; d < ndays; d++) {
		if (acq[d]) {
			s[nk] = (double)d / R->mo.unit_days;
			count[nk++] = (double)acq[d];
		}
	}
	if ((error = model_cumulative(f, nk, s, count, t->nrow, tt, t->pred)) < 0) {
		rc = cli_lib_error(error);
		goto done;
	}
	/* actual cumulative repeat purchases at each row's end */
	if (R->reports[k].all) {
		if (!(rep = malloc(ndays * sizeof(*rep)))) {
			rc = cli_oom();
			goto done;
		}
		if ((error = loyal_txn_daily_counts(R->d.acc, cut, day0, ndays, NULL, rep)) < 0) {
			rc = cli_lib_error(error);
			goto done;
		}
		uint64_t sum = 0;
		size_t d = 0;
		for (size_t j = 0; j < t->nrow; j++) {
			for (; d < ndays && day0 + (int64_t)d <= t->to[j]; d++)
				sum += rep[d];
			t->actual[j] = sum;
		}
	} else {
		for (size_t i = 0; i < m->n; i++) {
			for (size_t j = 0; j < t->nrow; j++) {
				loyal_txn_split sp = LOYAL_TXN_SPLIT_INIT;
				if (t->to[j] < m->first[i])
					continue;
				if ((error = loyal_txn_customer_split(&sp, R->d.acc, m->index[i],
								      t->to[j])) < 0) {
					rc = cli_lib_error(error);
					goto done;
				}
				t->actual[j] += sp.x;
			}
		}
	}
done:
	free(tt);
	free(s);
	free(count);
	free(acq);
	free(rep);
	return rc;
}

/* The tracking rows of the report units one after the other: a unit's
 * figures are computed when its first row is asked for. */
static int tracking_row(void *ctx, size_t i, struct cli_value *v)
{
	struct run *R = ctx;
	struct tracking *t = &R->tr;
	size_t n, j;
	int rc;
	(void)i;

	while (!t->f || t->next == t->nrow) {
		if (t->f)
			R->tr_unit++;
		if ((rc = tracking_unit(R, R->tr_unit, t)) != 0)
			return rc;
	}
	j = t->next++;
	if ((n = by_values(v, R, &R->reports[R->tr_unit])) == SIZE_MAX)
		return cli_oom();
	loyal_period_key(R->key, sizeof(R->key), R->period, loyal_period_index(R->period, t->to[j]));
	loyal_date_format(R->from_text, sizeof(R->from_text), t->from[j]);
	loyal_date_format(R->to_text, sizeof(R->to_text), t->to[j]);
	v[n++] = CLI_STR(R->key);
	v[n++] = CLI_STR(R->from_text);
	v[n++] = CLI_STR(R->to_text);
	v[n++] = CLI_STR(t->to[j] <= R->cut ? "calibration" : "holdout");
	v[n++] = CLI_STR(model_key(t->f->kind));
	v[n++] = CLI_NUM(t->pred[j] - (j ? t->pred[j - 1] : 0.0));
	v[n++] = CLI_INT(t->actual[j] - (j ? t->actual[j - 1] : 0));
	v[n++] = CLI_NUM(t->pred[j]);
	v[n++] = CLI_INT(t->actual[j]);
	return 0;
}

/* --holdout-to: the evaluation, then the tracking table (either alone with
 * --evaluation or --curve); both make one JSON object of two tables. */
static int holdout_tables(struct run *R, int evaluation, int tracking, struct cli_result *res)
{
	size_t ne = by_columns(R->cols, R), nt = by_columns(R->tcols, R);

	evaluation_columns(R->cols, &ne);
	tracking_columns(R->tcols, &nt);
	res->named = evaluation && tracking;
	if (evaluation) {
		size_t rows = 0;
		for (size_t k = 0; k < R->nreports; k++)
			for (int j = 0; j < MODEL_NKINDS; j++)
				rows += fit_of(R, k)->set.fit[j].fitted != 0;
		loyal_date_format(R->as_of_text, sizeof(R->as_of_text), R->cut);
		loyal_date_format(R->holdout_to_text, sizeof(R->holdout_to_text), R->t.holdout_to);
		cli_result_add(res, "evaluation", R->cols, ne, rows, evaluation_row, R);
	}
	if (tracking) {
		size_t rows = 0;
		for (size_t k = 0; k < R->nreports; k++)
			rows += tracking_spans(R, k, NULL, NULL);
		cli_result_add(res, "tracking", R->tcols, nt, rows, tracking_row, R);
	}
	return 0;
}

/* ---- the command -------------------------------------------------------- */

static int parse(struct run *R, int argc, char **argv, int *nargs)
{
	const struct cli_opt opts[] = {
		CLI_OPT_GROUP("Churn"),
		CLI_OPT_STRING(0, "horizon", "N", &R->horizon_text,
			       "expected purchases in the next N units (default: 365 days)"),
		CLI_OPT_STRING(0, "sort", "KEY", &R->sort_text,
			       "churn or expected_purchases, highest first (default: input order)"),
		CLI_OPT_STRING(0, "top", "N", &R->top_text, "only the first N customers"),
		CLI_OPT_FLAG(0, "params", &R->params, "print the fitted model instead of the customers"),
		CLI_OPT_STRING(0, "holdout-to", "DATE", &R->holdout_text,
			       "fit up to --as-of, then compare with the purchases up to DATE"),
		CLI_OPT_FLAG(0, "evaluation", &R->evaluation,
			     "with --holdout-to: only the evaluation, not the tracking table"),
		CLI_OPT_FLAG(0, "curve", &R->curve,
			     "only the tracking table: repeat purchases per period, predicted and actual"),
		CLI_OPT_STRING(0, "period", "P", &R->c.period_name,
			       "tracking table periods: day, week, month (default), quarter or year"),
		MODEL_OPTS(&R->mo),
		MODEL_OPTS_BY(&R->c, &R->mo),
		TXN_OPTS_MODEL_INPUT(&R->t),
		CLI_OPTS_INPUT(&R->c),
		CLI_OPT_THREADS(&R->c),
		CLI_OPTS_PARTIAL(&R->c),
		CLI_OPTS_OUTPUT(&R->c),
		CLI_OPT_END
	};
	const char *horizon_text, *sort_text, *top_text, *holdout_text;
	int rc;

	R->top = UINT64_MAX;
	if ((rc = cli_parse(&info, opts, argc, argv, nargs)) != CLI_CONTINUE)
		return rc;
	horizon_text = R->horizon_text;
	sort_text = R->sort_text;
	top_text = R->top_text;
	holdout_text = R->holdout_text;
	if ((rc = cli_common_finish(&info, &R->c)) != CLI_CONTINUE ||
	    (rc = model_opts_finish(&info, &R->mo, &R->c)) != CLI_CONTINUE)
		return rc;
	R->horizon = 365.0 / R->mo.unit_days;
	if (horizon_text) {
		if (cli_parse_number(&R->horizon, "--horizon", horizon_text))
			return CLI_EXIT_USAGE;
		if (!(R->horizon > 0))
			return cli_usage_error(&info, "--horizon needs a number of %ss above 0, not '%s'",
					       R->mo.unit, horizon_text);
	}
	if (sort_text) {
		if (!strcmp(sort_text, "churn"))
			R->sort = SORT_CHURN;
		else if (!strcmp(sort_text, "expected_purchases"))
			R->sort = SORT_EXPECTED;
		else
			return cli_usage_error(&info, "unknown sort key '%s' (churn or expected_purchases)",
					       sort_text);
	}
	if (top_text && model_parse_top(&info, &R->top, top_text))
		return CLI_EXIT_USAGE;
	if (holdout_text) {
		if (cli_parse_day(&R->t.holdout_to, "--holdout-to", holdout_text))
			return CLI_EXIT_USAGE;
		R->t.has_holdout = 1;
		R->t.holdout_text = holdout_text;
	}
	/* One output shape per run. */
	if (R->params && (holdout_text || R->curve))
		return cli_usage_error(&info, "--params cannot be combined with --holdout-to or --curve");
	if ((R->params || holdout_text || R->curve) && (horizon_text || sort_text || top_text))
		return cli_usage_error(&info, "--horizon, --sort and --top apply to the customer rows, "
				       "not to --params, --holdout-to or --curve");
	if (R->evaluation && (!holdout_text || R->curve))
		return cli_usage_error(&info, "--evaluation needs --holdout-to and excludes --curve");
	if (R->c.period_name && !holdout_text && !R->curve)
		return cli_usage_error(&info, "--period sets the periods of the tracking table "
				       "(--holdout-to or --curve)");
	if (R->mo.pooled && (sort_text || top_text))
		return cli_usage_error(&info, "--sort and --top apply to customer rows; --pooled "
				       "prints one row per group");
	R->period = R->c.period == LOYAL_PERIOD_NONE ? LOYAL_PERIOD_MONTH : R->c.period;
	/* the groups of --by are customers', not periods: the period is the
	 * tracking table's */
	R->c.period = LOYAL_PERIOD_NONE;
	txn_opts_days(&R->t);
	if ((rc = txn_opts_finish(&info, &R->t)) != CLI_CONTINUE)
		return rc;
	if (*nargs == 0)
		return cli_usage_error(&info, "no input file (use - for standard input)");
	return CLI_CONTINUE;
}

/* Load, fit the model of every fit unit, then one of the output shapes. */
static int compute(struct run *R, char **files, int nfiles, struct cli_result *res)
{
	int rc;

	if ((rc = txn_load(&R->d, &R->c, &R->t, files, nfiles)) != 0)
		return rc;
	R->end = loyal_txn_as_of(R->d.acc);
	R->cut = R->t.has_holdout ? R->t.as_of : R->end;
	R->length = (R->t.holdout_to - R->t.as_of) / R->mo.unit_days;
	if (R->params && !R->c.by.n && !R->t.has_holdout) {
		/* only the fit of everyone: grouped straight from the
		 * accumulator, no per-customer copy (a million customers) */
		size_t n;
		if (!(R->fits = calloc(1, sizeof(*R->fits))))
			return cli_oom();
		R->fits[0].all = 1;
		R->nfits = 1;
		R->reports = R->fits;
		R->nreports = 1;
		if ((rc = model_fit_all(&R->fits[0].set, &n, R->d.acc, R->cut, &R->mo)) != 0)
			return rc;
		if (n == 0) {
			cli_error("no customer made a purchase by the as-of date: nothing to fit");
			return CLI_EXIT_DATA;
		}
		goto fitted;
	}
	if ((rc = model_customers_load(&R->all, R->d.acc, R->cut, R->mo.unit_days,
				       R->mo.threads)) != 0)
		return rc;
	if (R->all.n == 0) {
		cli_error("no customer made a purchase by the as-of date: nothing to fit");
		return CLI_EXIT_DATA;
	}
	if ((rc = model_units_make(&R->fits, &R->nfits, &R->all, &R->d,
				   R->c.by.n > 0 && !R->mo.pooled)) != 0)
		return rc;
	if (R->mo.pooled) {
		if ((rc = model_units_make(&R->reports, &R->nreports, &R->all, &R->d, 1)) != 0)
			return rc;
	} else {
		R->reports = R->fits;
		R->nreports = R->nfits;
	}
	for (size_t k = 0; k < R->nfits; k++)
		if ((rc = model_fit_set(&R->fits[k].set, &R->fits[k].m, &R->mo, R->fits[k].label)) != 0)
			return rc;
	if (R->t.has_holdout && R->mo.model == MODEL_AUTO && (rc = choose_by_holdout(R)) != 0)
		return rc;
fitted:
	for (size_t k = 0; k < R->nfits; k++) {
		model_note_choice(&R->fits[k].set, &R->mo, R->fits[k].label);
		model_warn_doubtful(model_chosen(&R->fits[k].set), &R->mo, R->fits[k].label);
	}
	if (R->mo.penalty > 0 && !R->c.quiet)
		cli_error("note: fitted with --penalty %g (an L2 penalty on the log-parameters): "
			  "the estimates are shrunk towards 1 and are not maximum likelihood",
			  R->mo.penalty);

	if (R->params)
		return params_table(R, res);
	if (R->curve)
		return holdout_tables(R, 0, 1, res);
	if (R->t.has_holdout)
		return holdout_tables(R, 1, !R->evaluation, res);
	if (R->mo.pooled)
		return group_table(R, res);
	return customer_table(R, res);
}

int cmd_churn(int argc, char **argv)
{
	struct run R;
	struct cli_result res = { 0 };
	int nargs, rc;

	memset(&R, 0, sizeof(R));
	if ((rc = parse(&R, argc, argv, &nargs)) != CLI_CONTINUE)
		return rc;
	if ((rc = compute(&R, argv, nargs, &res)) == 0)
		rc = cli_render(&res, &R.c);
	tracking_free(&R.tr);
	free(R.pa);
	free(R.ey);
	free(R.perm);
	free(R.unit_of);
	free(R.local);
	if (R.reports != R.fits)
		model_units_free(R.reports, R.nreports);
	model_units_free(R.fits, R.nfits);
	model_customers_dispose(&R.all);
	txn_data_dispose(&R.d);
	return rc;
}
