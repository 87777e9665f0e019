#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model_input.h"

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

static int write_customers(struct run *R, enum sort_key sort, uint64_t top)
{
	struct cli_out *out = NULL;
	size_t total = 0, at = 0, *perm = NULL, *unit_of = NULL, *local = NULL;
	double *pa = NULL, *ey = NULL, *key = NULL;
	int rc = 0, error;

	for (size_t k = 0; k < R->nreports; k++)
		total += R->reports[k].m.n;
	size_t cap = total ? total : 1;
	if (!(pa = malloc(cap * sizeof(*pa))) || !(ey = malloc(cap * sizeof(*ey))) ||
	    !(unit_of = malloc(cap * sizeof(*unit_of))) || !(local = malloc(cap * sizeof(*local)))) {
		rc = cli_oom();
		goto done;
	}
	for (size_t k = 0; k < R->nreports; k++) {
		const struct model_customers *m = &R->reports[k].m;
		const struct model_fit *f = model_chosen(&fit_of(R, k)->set);
		if ((error = model_score(f, R->horizon, m->n, m->x, m->t_x, m->T, pa + at,
					 ey + at)) < 0) {
			rc = cli_lib_error(error);
			goto done;
		}
		for (size_t i = 0; i < m->n; i++, at++) {
			unit_of[at] = k;
			local[at] = i;
		}
	}
	if (sort != SORT_NONE) {
		/* churn = 1 - p_alive, highest first, is p_alive lowest first */
		if (!(key = malloc(cap * sizeof(*key)))) {
			rc = cli_oom();
			goto done;
		}
		for (size_t i = 0; i < total; i++)
			key[i] = sort == SORT_CHURN ? 1.0 - pa[i] : ey[i];
		if (!(perm = model_order(key, total))) {
			rc = CLI_EXIT_OSERR;
			goto done;
		}
	}

	struct cli_column cols[CLI_LIST_MAX + 8];
	size_t nby = by_columns(cols, R), nc = nby;
	cols[nc++] = (struct cli_column){ "customer", CLI_T_STR, 0 };
	cols[nc++] = (struct cli_column){ "frequency", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "recency", CLI_T_NUM, 2 };
	cols[nc++] = (struct cli_column){ "T", CLI_T_NUM, 2 };
	cols[nc++] = (struct cli_column){ "p_alive", CLI_T_NUM, 4 };
	cols[nc++] = (struct cli_column){ "churn", CLI_T_NUM, 4 };
	cols[nc++] = (struct cli_column){ "expected_purchases", CLI_T_NUM, 4 };
	cols[nc++] = (struct cli_column){ "p_no_purchase", CLI_T_NUM, 4 };
	if ((rc = cli_out_open(&out, &R->c, cols, nc)) != 0)
		goto done;
	for (size_t r = 0; r < total && r < top; r++) {
		size_t j = perm ? perm[r] : r, k = unit_of[j], i = local[j];
		const struct model_customers *m = &R->reports[k].m;
		const struct model_fit *f = model_chosen(&fit_of(R, k)->set);
		struct cli_value v[CLI_LIST_MAX + 8];
		loyal_txn_customer cu;
		size_t n;

		if ((error = loyal_txn_customer_get(&cu, R->d.acc, m->index[i])) < 0) {
			rc = cli_lib_error(error);
			goto done;
		}
		double none = model_p_no_purchase(f, R->horizon, m->x[i], m->t_x[i], m->T[i]);
		if (!isfinite(pa[j]) || !isfinite(ey[j]) || !isfinite(none)) {
			cli_error("internal error: no score for customer '%s'", cu.id);
			rc = CLI_EXIT_SOFTWARE;
			goto done;
		}
		if ((n = by_values(v, R, &R->reports[k])) == SIZE_MAX) {
			rc = cli_oom();
			goto done;
		}
		v[n++] = CLI_STR(cu.id);
		v[n++] = CLI_INT(m->x[i]);
		v[n++] = CLI_NUM(m->t_x[i]);
		v[n++] = CLI_NUM(m->T[i]);
		v[n++] = CLI_NUM(pa[j]);
		v[n++] = CLI_NUM(1.0 - pa[j]);
		v[n++] = CLI_NUM(ey[j]);
		v[n++] = CLI_NUM(none);
		if ((rc = cli_out_row(out, v)) != 0)
			goto done;
	}
done:
	rc = cli_out_close(out, rc);
	free(pa);
	free(ey);
	free(key);
	free(perm);
	free(unit_of);
	free(local);
	return rc;
}

/* --by with --pooled: one row per group, from the one fit. */
static int write_group_summaries(struct run *R)
{
	struct cli_out *out = NULL;
	double *pa = NULL, *ey = NULL;
	int rc = 0, error;

	struct cli_column cols[CLI_LIST_MAX + 8];
	size_t nby = by_columns(cols, R), nc = nby;
	cols[nc++] = (struct cli_column){ "customers", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "repeat_customers", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "p_alive", CLI_T_NUM, 4 };
	cols[nc++] = (struct cli_column){ "churn", CLI_T_NUM, 4 };
	cols[nc++] = (struct cli_column){ "expected_alive", CLI_T_NUM, 2 };
	cols[nc++] = (struct cli_column){ "expected_purchases", CLI_T_NUM, 2 };
	cols[nc++] = (struct cli_column){ "p_no_purchase", CLI_T_NUM, 4 };
	if ((rc = cli_out_open(&out, &R->c, cols, nc)) != 0)
		goto done;
	for (size_t k = 0; k < R->nreports; k++) {
		const struct model_customers *m = &R->reports[k].m;
		const struct model_fit *f = model_chosen(&fit_of(R, k)->set);
		double alive = 0.0, expected = 0.0, none = 0.0;
		uint64_t repeat = 0;
		struct cli_value v[CLI_LIST_MAX + 8];
		size_t n, cap = m->n ? m->n : 1;

		free(pa);
		free(ey);
		ey = NULL;
		if (!(pa = malloc(cap * sizeof(*pa))) || !(ey = malloc(cap * sizeof(*ey)))) {
			rc = cli_oom();
			goto done;
		}
		if ((error = model_score(f, R->horizon, m->n, m->x, m->t_x, m->T, pa, ey)) < 0) {
			rc = cli_lib_error(error);
			goto done;
		}
		for (size_t i = 0; i < m->n; i++) {
			alive += pa[i];
			expected += ey[i];
			none += model_p_no_purchase(f, R->horizon, m->x[i], m->t_x[i], m->T[i]);
			repeat += m->x[i] > 0;
		}
		if (!isfinite(alive) || !isfinite(expected) || !isfinite(none)) {
			cli_error("internal error: no score for %.*s", (int)strcspn(R->reports[k].label, ":"),
				  R->reports[k].label);
			rc = CLI_EXIT_SOFTWARE;
			goto done;
		}
		if ((n = by_values(v, R, &R->reports[k])) == SIZE_MAX) {
			rc = cli_oom();
			goto done;
		}
		v[n++] = CLI_INT(m->n);
		v[n++] = CLI_INT(repeat);
		v[n++] = CLI_NUM(alive / (double)m->n);
		v[n++] = CLI_NUM(1.0 - alive / (double)m->n);
		v[n++] = CLI_NUM(alive);
		v[n++] = CLI_NUM(expected);
		v[n++] = CLI_NUM(none / (double)m->n);
		if ((rc = cli_out_row(out, v)) != 0)
			goto done;
	}
done:
	rc = cli_out_close(out, rc);
	free(pa);
	free(ey);
	return rc;
}

/* ---- --params ----------------------------------------------------------- */

static int write_params(struct run *R)
{
	struct cli_out *out = NULL;
	struct cli_column cols[MODEL_PARAMS_MAX_COLS];
	struct cli_value v[MODEL_PARAMS_MAX_COLS];
	/* with --pooled there is one fit: no group columns */
	int grouped = R->c.by.n && !R->mo.pooled;
	size_t nby = grouped ? by_columns(cols, R) : 0, nc;
	int rc;

	nc = model_params_columns(cols, nby, 0);
	if ((rc = cli_out_open(&out, &R->c, cols, nc)) != 0)
		return rc;
	for (size_t k = 0; k < R->nfits && rc == 0; k++) {
		size_t n = grouped ? by_values(v, R, &R->fits[k]) : 0;
		if (n == SIZE_MAX) {
			rc = cli_oom();
			break;
		}
		rc = model_params_write(out, v, n, &R->fits[k].set, NULL, &R->mo);
	}
	return cli_out_close(out, rc);
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
			loyal_holdout_result res;
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

static int evaluation_rows(struct cli_out *out, struct run *R)
{
	char as_of[32], to[32];
	int rc;

	loyal_date_format(as_of, sizeof(as_of), R->cut);
	loyal_date_format(to, sizeof(to), R->t.holdout_to);
	for (size_t k = 0; k < R->nreports; k++) {
		const struct model_set *s = &fit_of(R, k)->set;
		for (int j = 0; j < MODEL_NKINDS; j++) {
			const struct model_fit *f = &s->fit[j];
			struct cli_value v[CLI_LIST_MAX + 16];
			loyal_holdout_result res;
			size_t n;

			if (!f->fitted)
				continue;
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
			v[n++] = CLI_STR(as_of);
			v[n++] = CLI_STR(to);
			v[n++] = CLI_NUM(R->length);
			v[n++] = CLI_STR(R->mo.unit);
			if ((rc = cli_out_row(out, v)) != 0)
				return rc;
		}
	}
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

/*
 * The tracking rows of report unit k: its customers' repeat purchases per
 * period, predicted and actual, from the period of their first purchase to
 * the end. The period holding the as-of date is split in two rows at it,
 * so that every row is either calibration or holdout. Predicted: the sum
 * over the customers of E[X(to - first purchase)] (a new customer's
 * expected repeat purchases; 0 before the first purchase), as in the
 * papers' tracking plots; actual: their purchases after the first.
 */
static int tracking_rows(struct cli_out *out, struct run *R, size_t k)
{
	const struct model_customers *m = &R->reports[k].m;
	const struct model_fit *f = model_chosen(&fit_of(R, k)->set);
	int32_t day0 = m->first_day, end = R->end, cut = R->cut;
	int64_t p0 = loyal_period_index(R->period, day0), p1 = loyal_period_index(R->period, end);
	size_t cap = (size_t)(p1 - p0 + 2), nrow = 0, nk = 0;
	size_t ndays = (size_t)((int64_t)end - day0) + 1;
	int32_t *from = NULL, *to = NULL;
	double *tt = NULL, *pred = NULL, *s = NULL, *count = NULL;
	uint64_t *acq = NULL, *actual = NULL, *rep = NULL;
	int rc = 0, error;

	if (!(from = malloc(cap * sizeof(*from))) || !(to = malloc(cap * sizeof(*to))) ||
	    !(tt = malloc(cap * sizeof(*tt))) || !(pred = malloc(cap * sizeof(*pred))) ||
	    !(actual = calloc(cap, sizeof(*actual))) || !(acq = calloc(ndays, sizeof(*acq))) ||
	    !(s = malloc(ndays * sizeof(*s))) || !(count = malloc(ndays * sizeof(*count)))) {
		rc = cli_oom();
		goto done;
	}
	for (int64_t p = p0; p <= p1; p++) {
		int32_t a = loyal_period_start(R->period, p), b = loyal_period_start(R->period, p + 1) - 1;
		if (a < day0)
			a = day0;
		if (b > end)
			b = end;
		if (cut >= a && cut < b) {
			from[nrow] = a;
			to[nrow++] = cut;
			a = cut + 1;
		}
		from[nrow] = a;
		to[nrow++] = b;
	}
	for (size_t j = 0; j < nrow; j++)
		tt[j] = (to[j] - day0) / R->mo.unit_days;
	for (size_t i = 0; i < m->n; i++)
		acq[m->first[i] - day0]++;
	for (size_t d = 0; d < ndays; d++) {
		if (acq[d]) {
			s[nk] = (double)d / R->mo.unit_days;
			count[nk++] = (double)acq[d];
		}
	}
	if ((error = model_cumulative(f, nk, s, count, nrow, tt, pred)) < 0) {
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
		for (size_t j = 0; j < nrow; j++) {
			for (; d < ndays && day0 + (int64_t)d <= to[j]; d++)
				sum += rep[d];
			actual[j] = sum;
		}
	} else {
		for (size_t i = 0; i < m->n; i++) {
			for (size_t j = 0; j < nrow; j++) {
				loyal_txn_split sp;
				if (to[j] < m->first[i])
					continue;
				if ((error = loyal_txn_customer_split(&sp, R->d.acc, m->index[i], to[j])) < 0) {
					rc = cli_lib_error(error);
					goto done;
				}
				actual[j] += sp.x;
			}
		}
	}
	for (size_t j = 0; j < nrow; j++) {
		struct cli_value v[CLI_LIST_MAX + 16];
		char key[64], a[32], b[32];
		size_t n;

		if ((n = by_values(v, R, &R->reports[k])) == SIZE_MAX) {
			rc = cli_oom();
			goto done;
		}
		loyal_period_key(key, sizeof(key), R->period, loyal_period_index(R->period, to[j]));
		loyal_date_format(a, sizeof(a), from[j]);
		loyal_date_format(b, sizeof(b), to[j]);
		v[n++] = CLI_STR(key);
		v[n++] = CLI_STR(a);
		v[n++] = CLI_STR(b);
		v[n++] = CLI_STR(to[j] <= cut ? "calibration" : "holdout");
		v[n++] = CLI_STR(model_key(f->kind));
		v[n++] = CLI_NUM(pred[j] - (j ? pred[j - 1] : 0.0));
		v[n++] = CLI_INT(actual[j] - (j ? actual[j - 1] : 0));
		v[n++] = CLI_NUM(pred[j]);
		v[n++] = CLI_INT(actual[j]);
		if ((rc = cli_out_row(out, v)) != 0)
			goto done;
	}
done:
	free(from);
	free(to);
	free(tt);
	free(pred);
	free(s);
	free(count);
	free(acq);
	free(actual);
	free(rep);
	return rc;
}

/* --holdout-to: the evaluation, then the tracking table (either alone with
 * --evaluation or --curve). */
static int write_holdout(struct run *R, int evaluation, int tracking)
{
	struct cli_column ecols[CLI_LIST_MAX + 16], tcols[CLI_LIST_MAX + 16];
	size_t ne = by_columns(ecols, R), nt = by_columns(tcols, R);
	struct cli_out *out = NULL;
	int rc = 0;

	evaluation_columns(ecols, &ne);
	tracking_columns(tcols, &nt);
	if (evaluation && tracking)
		rc = cli_out_open_named(&out, &R->c, "evaluation", ecols, ne);
	else if (evaluation)
		rc = cli_out_open(&out, &R->c, ecols, ne);
	else
		rc = cli_out_open(&out, &R->c, tcols, nt);
	if (rc != 0)
		return rc;
	if (evaluation)
		rc = evaluation_rows(out, R);
	if (rc == 0 && evaluation && tracking)
		rc = cli_out_next_table(out, "tracking", tcols, nt);
	for (size_t k = 0; rc == 0 && tracking && k < R->nreports; k++)
		rc = tracking_rows(out, R, k);
	return cli_out_close(out, rc);
}

/* ---- the command -------------------------------------------------------- */

int cmd_churn(int argc, char **argv)
{
	struct run R;
	const char *horizon_text = NULL, *sort_text = NULL, *top_text = NULL;
	const char *holdout_text = NULL;
	int params = 0, curve = 0, evaluation = 0, nargs, rc;
	enum sort_key sort = SORT_NONE;
	uint64_t top = UINT64_MAX;

	memset(&R, 0, sizeof(R));
	const struct cli_opt opts[] = {
		CLI_OPT_GROUP("Churn"),
		CLI_OPT_STRING(0, "horizon", "N", &horizon_text,
			       "expected purchases in the next N units (default: 365 days)"),
		CLI_OPT_STRING(0, "sort", "KEY", &sort_text,
			       "churn or expected_purchases, highest first (default: input order)"),
		CLI_OPT_STRING(0, "top", "N", &top_text, "only the first N customers"),
		CLI_OPT_FLAG(0, "params", &params, "print the fitted model instead of the customers"),
		CLI_OPT_STRING(0, "holdout-to", "DATE", &holdout_text,
			       "fit up to --as-of, then compare with the purchases up to DATE"),
		CLI_OPT_FLAG(0, "evaluation", &evaluation,
			     "with --holdout-to: only the evaluation, not the tracking table"),
		CLI_OPT_FLAG(0, "curve", &curve,
			     "only the tracking table: repeat purchases per period, predicted and actual"),
		CLI_OPT_STRING(0, "period", "P", &R.c.period_name,
			       "tracking table periods: day, week, month (default), quarter or year"),
		MODEL_OPTS(&R.mo),
		MODEL_OPTS_BY(&R.c, &R.mo),
		TXN_OPTS_MODEL_INPUT(&R.t),
		CLI_OPTS_INPUT(&R.c),
		CLI_OPT_THREADS(&R.c),
		CLI_OPTS_PARTIAL(&R.c),
		CLI_OPTS_OUTPUT(&R.c),
		CLI_OPT_END
	};

	if ((rc = cli_parse(&info, opts, argc, argv, &nargs)) != CLI_CONTINUE)
		return rc;
	if ((rc = cli_common_finish(&info, &R.c)) != CLI_CONTINUE ||
	    (rc = model_opts_finish(&info, &R.mo, &R.c)) != CLI_CONTINUE)
		return rc;
	R.horizon = 365.0 / R.mo.unit_days;
	if (horizon_text) {
		if (cli_parse_number(&R.horizon, "--horizon", horizon_text))
			return CLI_EXIT_USAGE;
		if (!(R.horizon > 0))
			return cli_usage_error(&info, "--horizon needs a number of %ss above 0, not '%s'",
					       R.mo.unit, horizon_text);
	}
	if (sort_text) {
		if (!strcmp(sort_text, "churn"))
			sort = SORT_CHURN;
		else if (!strcmp(sort_text, "expected_purchases"))
			sort = SORT_EXPECTED;
		else
			return cli_usage_error(&info, "unknown sort key '%s' (churn or expected_purchases)",
					       sort_text);
	}
	if (top_text && model_parse_top(&info, &top, top_text))
		return CLI_EXIT_USAGE;
	if (holdout_text) {
		if (cli_parse_day(&R.t.holdout_to, "--holdout-to", holdout_text))
			return CLI_EXIT_USAGE;
		R.t.has_holdout = 1;
		R.t.holdout_text = holdout_text;
	}
	/* One output shape per run. */
	if (params && (holdout_text || curve))
		return cli_usage_error(&info, "--params cannot be combined with --holdout-to or --curve");
	if ((params || holdout_text || curve) && (horizon_text || sort_text || top_text))
		return cli_usage_error(&info, "--horizon, --sort and --top apply to the customer rows, "
				       "not to --params, --holdout-to or --curve");
	if (evaluation && (!holdout_text || curve))
		return cli_usage_error(&info, "--evaluation needs --holdout-to and excludes --curve");
	if (R.c.period_name && !holdout_text && !curve)
		return cli_usage_error(&info, "--period sets the periods of the tracking table "
				       "(--holdout-to or --curve)");
	if (R.mo.pooled && (sort_text || top_text))
		return cli_usage_error(&info, "--sort and --top apply to customer rows; --pooled "
				       "prints one row per group");
	R.period = R.c.period == LOYAL_PERIOD_NONE ? LOYAL_PERIOD_MONTH : R.c.period;
	/* the groups of --by are customers', not periods: the period is the
	 * tracking table's */
	R.c.period = LOYAL_PERIOD_NONE;
	txn_opts_days(&R.t);
	if ((rc = txn_opts_finish(&info, &R.t)) != CLI_CONTINUE)
		return rc;
	if (nargs == 0)
		return cli_usage_error(&info, "no input file (use - for standard input)");
	if ((rc = txn_load(&R.d, &R.c, &R.t, argv, nargs)) != 0)
		goto done;

	R.end = loyal_txn_as_of(R.d.acc);
	R.cut = R.t.has_holdout ? R.t.as_of : R.end;
	R.length = (R.t.holdout_to - R.t.as_of) / R.mo.unit_days;
	if ((rc = model_customers_load(&R.all, R.d.acc, R.cut, R.mo.unit_days,
					R.mo.threads)) != 0)
		goto done;
	if (R.all.n == 0) {
		cli_error("no customer made a purchase by the as-of date: nothing to fit");
		rc = CLI_EXIT_DATA;
		goto done;
	}
	if ((rc = model_units_make(&R.fits, &R.nfits, &R.all, &R.d,
				   R.c.by.n > 0 && !R.mo.pooled)) != 0)
		goto done;
	if (R.mo.pooled) {
		if ((rc = model_units_make(&R.reports, &R.nreports, &R.all, &R.d, 1)) != 0)
			goto done;
	} else {
		R.reports = R.fits;
		R.nreports = R.nfits;
	}
	for (size_t k = 0; k < R.nfits; k++)
		if ((rc = model_fit_set(&R.fits[k].set, &R.fits[k].m, &R.mo, R.fits[k].label)) != 0)
			goto done;
	if (R.t.has_holdout && R.mo.model == MODEL_AUTO && (rc = choose_by_holdout(&R)) != 0)
		goto done;
	for (size_t k = 0; k < R.nfits; k++) {
		model_note_choice(&R.fits[k].set, &R.mo, R.fits[k].label);
		model_warn_doubtful(model_chosen(&R.fits[k].set), &R.mo, R.fits[k].label);
	}
	if (R.mo.penalty > 0 && !R.c.quiet)
		cli_error("note: fitted with --penalty %g (an L2 penalty on the log-parameters): "
			  "the estimates are shrunk towards 1 and are not maximum likelihood",
			  R.mo.penalty);

	if (params)
		rc = write_params(&R);
	else if (curve)
		rc = write_holdout(&R, 0, 1);
	else if (R.t.has_holdout)
		rc = write_holdout(&R, 1, !evaluation);
	else if (R.mo.pooled)
		rc = write_group_summaries(&R);
	else
		rc = write_customers(&R, sort, top);
done:
	if (R.reports != R.fits)
		model_units_free(R.reports, R.nreports);
	model_units_free(R.fits, R.nfits);
	model_customers_dispose(&R.all);
	txn_data_dispose(&R.d);
	return rc;
}
