#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model_input.h"

static const struct cli_command_info info = {
	"churn",
	"loyal churn [options] FILE...",
	"Churn scores from the BG/NBD model of repeat buying, fitted to the customers'\n"
	"purchase histories up to the as-of date: per customer the probability of still\n"
	"being a customer (p_alive), churn = 1 - p_alive, and the expected purchases in\n"
	"the next --horizon units. --params prints the fit; --holdout-to checks its\n"
	"predictions against the purchases made after the as-of date.",
};

enum sort_key { SORT_NONE = 0, SORT_CHURN, SORT_EXPECTED };

static int oom(void)
{
	cli_error("out of memory");
	return CLI_EXIT_OSERR;
}

/* One row per customer: frequency, recency, T, p_alive, churn, expected. */
static int write_customers(const struct cli_common *c, const struct txn_data *d,
			   const struct model_customers *m, const loyal_bgnbd_params *p,
			   double horizon, enum sort_key sort, uint64_t top)
{
	struct cli_out *out = NULL;
	double *pa = NULL, *ey = NULL, *key = NULL;
	size_t *perm = NULL, n = m->n;
	int rc = 0, error;

	if (!(pa = malloc((n ? n : 1) * sizeof(*pa))) || !(ey = malloc((n ? n : 1) * sizeof(*ey)))) {
		rc = oom();
		goto done;
	}
	if ((error = loyal_bgnbd_score(p, horizon, n, m->x, m->t_x, m->T, pa, ey)) < 0) {
		rc = cli_lib_error(error);
		goto done;
	}
	if (sort != SORT_NONE) {
		/* churn = 1 - p_alive, highest first, is p_alive lowest first */
		if (!(key = malloc((n ? n : 1) * sizeof(*key)))) {
			rc = oom();
			goto done;
		}
		for (size_t i = 0; i < n; i++)
			key[i] = sort == SORT_CHURN ? 1.0 - pa[i] : ey[i];
		if (!(perm = model_order(key, n))) {
			rc = CLI_EXIT_OSERR;
			goto done;
		}
	}

	static const struct cli_column cols[] = {
		{ "customer", CLI_T_STR, 0 },
		{ "frequency", CLI_T_INT, 0 },
		{ "recency", CLI_T_NUM, 2 },
		{ "T", CLI_T_NUM, 2 },
		{ "p_alive", CLI_T_NUM, 4 },
		{ "churn", CLI_T_NUM, 4 },
		{ "expected_purchases", CLI_T_NUM, 4 },
	};
	if ((rc = cli_out_open(&out, c, cols, sizeof(cols) / sizeof(cols[0]))) != 0)
		goto done;
	for (size_t r = 0; r < n && r < top; r++) {
		size_t i = perm ? perm[r] : r;
		loyal_txn_customer cu;
		if ((error = loyal_txn_customer_get(&cu, d->acc, m->index[i])) < 0) {
			rc = cli_lib_error(error);
			goto done;
		}
		if (!isfinite(pa[i]) || !isfinite(ey[i])) {
			cli_error("internal error: no score for customer '%s'", cu.id);
			rc = CLI_EXIT_SOFTWARE;
			goto done;
		}
		struct cli_value v[] = {
			CLI_STR(cu.id), CLI_INT(m->x[i]), CLI_NUM(m->t_x[i]), CLI_NUM(m->T[i]),
			CLI_NUM(pa[i]), CLI_NUM(1.0 - pa[i]), CLI_NUM(ey[i]),
		};
		if ((rc = cli_out_row(out, v)) != 0)
			goto done;
	}
done:
	rc = cli_out_close(out, rc);
	free(pa);
	free(ey);
	free(key);
	free(perm);
	return rc;
}

/* The holdout evaluation: one row. */
static int write_holdout(const struct cli_common *c, const struct txn_opts *t,
			 const struct model_customers *m, const loyal_bgnbd_params *p,
			 const struct model_opts *mo)
{
	struct cli_out *out = NULL;
	double *ey = NULL, length = (t->holdout_to - t->as_of) / mo->unit_days;
	loyal_holdout h = LOYAL_HOLDOUT_INIT;
	loyal_holdout_result res;
	char as_of[32], to[32];
	int rc = 0, error;

	if (!(ey = malloc((m->n ? m->n : 1) * sizeof(*ey))))
		return oom();
	if ((error = loyal_bgnbd_score(p, length, m->n, m->x, m->t_x, m->T, NULL, ey)) < 0) {
		rc = cli_lib_error(error);
		goto done;
	}
	for (size_t i = 0; i < m->n; i++) {
		if ((error = loyal_holdout_add(&h, ey[i], (double)m->holdout[i])) < 0) {
			rc = cli_lib_error(error);
			goto done;
		}
	}
	if ((error = loyal_holdout_compute(&res, &h)) < 0) {
		rc = cli_lib_error(error);
		goto done;
	}

	static const struct cli_column cols[] = {
		{ "customers", CLI_T_INT, 0 },
		{ "predicted", CLI_T_NUM, 2 },
		{ "actual", CLI_T_INT, 0 },
		{ "mae", CLI_T_NUM, 4 },
		{ "rmse", CLI_T_NUM, 4 },
		{ "correlation", CLI_T_NUM, 4 },
		{ "as_of", CLI_T_STR, 0 },
		{ "holdout_to", CLI_T_STR, 0 },
		{ "length", CLI_T_NUM, 2 },
		{ "unit", CLI_T_STR, 0 },
	};
	loyal_date_format(as_of, sizeof(as_of), t->as_of);
	loyal_date_format(to, sizeof(to), t->holdout_to);
	struct cli_value v[] = {
		CLI_INT(res.customers), CLI_NUM(res.predicted), CLI_INT((int64_t)res.actual),
		CLI_NUM(res.mae), CLI_NUM(res.rmse), txn_num(res.correlation),
		CLI_STR(as_of), CLI_STR(to), CLI_NUM(length), CLI_STR(mo->unit),
	};
	if ((rc = cli_out_open(&out, c, cols, sizeof(cols) / sizeof(cols[0]))) != 0)
		goto done;
	rc = cli_out_row(out, v);
done:
	rc = cli_out_close(out, rc);
	free(ey);
	return rc;
}

/*
 * The tracking curve: cumulative repeat purchases of the calibration
 * customers, predicted (each acquisition day's customers times E[X(t)] since
 * that day) and actual, at the end of each unit period counted from the
 * first acquisition, plus the as-of day and the last day when they fall
 * between period ends.
 */
static int write_curve(const struct cli_common *c, const struct txn_data *d, int32_t cut,
		       int32_t end, const struct model_customers *m, const loyal_bgnbd_params *p,
		       const struct model_opts *mo)
{
	struct cli_out *out = NULL;
	int32_t day0 = m->first_day, step = (int32_t)mo->unit_days;
	size_t ndays = (size_t)((int64_t)end - day0) + 1, nk = 0, nt = 0;
	uint64_t *acq = NULL, *rep = NULL;
	double *s = NULL, *count = NULL, *tt = NULL, *pred = NULL;
	int32_t *ends = NULL;
	int rc = 0, error;

	if (!(acq = malloc(ndays * sizeof(*acq))) || !(rep = malloc(ndays * sizeof(*rep))) ||
	    !(s = malloc(ndays * sizeof(*s))) || !(count = malloc(ndays * sizeof(*count)))) {
		rc = oom();
		goto done;
	}
	if ((error = loyal_txn_daily_counts(d->acc, cut, day0, ndays, acq, rep)) < 0) {
		rc = cli_lib_error(error);
		goto done;
	}
	for (size_t k = 0; k < ndays; k++) {
		if (acq[k]) {
			s[nk] = (double)k / mo->unit_days;
			count[nk++] = (double)acq[k];
		}
	}
	/* Period ends day0 + step, day0 + 2 step, ... up to end, with cut and
	 * end inserted in order. */
	size_t cap = ndays / (size_t)step + 3;
	if (!(ends = malloc(cap * sizeof(*ends))) || !(tt = malloc(cap * sizeof(*tt))) ||
	    !(pred = malloc(cap * sizeof(*pred)))) {
		rc = oom();
		goto done;
	}
	for (int64_t e = (int64_t)day0 + step;; e += step) {
		int64_t next = e < end ? e : end;
		if (cut > (nt ? ends[nt - 1] : day0) && cut < next)
			ends[nt++] = cut;
		ends[nt++] = (int32_t)next;
		if (next == end)
			break;
	}
	for (size_t j = 0; j < nt; j++)
		tt[j] = (ends[j] - day0) / mo->unit_days;
	if ((error = loyal_bgnbd_cumulative(p, nk, s, count, nt, tt, pred)) < 0) {
		rc = cli_lib_error(error);
		goto done;
	}

	static const struct cli_column cols[] = {
		{ "date", CLI_T_STR, 0 },
		{ "elapsed", CLI_T_NUM, 2 },
		{ "predicted_cumulative", CLI_T_NUM, 2 },
		{ "actual_cumulative", CLI_T_INT, 0 },
		{ "period", CLI_T_STR, 0 },
	};
	if ((rc = cli_out_open(&out, c, cols, sizeof(cols) / sizeof(cols[0]))) != 0)
		goto done;
	uint64_t actual = 0;
	size_t k = 0;
	for (size_t j = 0; j < nt; j++) {
		char date[32];
		for (; k < ndays && day0 + (int64_t)k <= ends[j]; k++)
			actual += rep[k];
		loyal_date_format(date, sizeof(date), ends[j]);
		struct cli_value v[] = {
			CLI_STR(date), CLI_NUM(tt[j]), CLI_NUM(pred[j]), CLI_INT(actual),
			CLI_STR(ends[j] <= cut ? "calibration" : "holdout"),
		};
		if ((rc = cli_out_row(out, v)) != 0)
			goto done;
	}
done:
	rc = cli_out_close(out, rc);
	free(acq);
	free(rep);
	free(s);
	free(count);
	free(ends);
	free(tt);
	free(pred);
	return rc;
}

int cmd_churn(int argc, char **argv)
{
	struct cli_common c = { 0 };
	struct txn_opts t = { 0 };
	struct txn_data d = { 0 };
	struct model_opts mo = { 0 };
	struct model_customers m = { 0 };
	struct cli_out *out = NULL;
	loyal_bgnbd_params p;
	const char *horizon_text = NULL, *sort_text = NULL, *top_text = NULL;
	const char *holdout_text = NULL;
	int params = 0, curve = 0, nargs, rc;
	enum sort_key sort = SORT_NONE;
	uint64_t top = UINT64_MAX;
	double horizon;
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
		CLI_OPT_FLAG(0, "curve", &curve,
			     "cumulative repeat purchases per unit, predicted and actual"),
		MODEL_OPTS(&mo),
		TXN_OPTS_MODEL_INPUT(&t),
		CLI_OPTS_INPUT(&c),
		CLI_OPT_THREADS(&c),
		CLI_OPTS_OUTPUT(&c),
		CLI_OPT_END
	};

	if ((rc = cli_parse(&info, opts, argc, argv, &nargs)) != CLI_CONTINUE)
		return rc;
	if ((rc = cli_common_finish(&info, &c)) != CLI_CONTINUE ||
	    (rc = model_opts_finish(&info, &mo)) != CLI_CONTINUE)
		return rc;
	horizon = 365.0 / mo.unit_days;
	if (horizon_text) {
		if (cli_parse_number(&horizon, "--horizon", horizon_text))
			return CLI_EXIT_USAGE;
		if (!(horizon > 0))
			return cli_usage_error(&info, "--horizon needs a number of %ss above 0, not '%s'",
					       mo.unit, horizon_text);
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
		if (cli_parse_day(&t.holdout_to, "--holdout-to", holdout_text))
			return CLI_EXIT_USAGE;
		t.has_holdout = 1;
		t.holdout_text = holdout_text;
	}
	/* One output shape per run. */
	if (params && (holdout_text || curve))
		return cli_usage_error(&info, "--params cannot be combined with --holdout-to or --curve");
	if ((params || holdout_text || curve) && (horizon_text || sort_text || top_text))
		return cli_usage_error(&info, "--horizon, --sort and --top apply to the customer rows, "
				       "not to --params, --holdout-to or --curve");
	txn_opts_days(&t);
	if ((rc = txn_opts_finish(&info, &t)) != CLI_CONTINUE)
		return rc;
	if (nargs == 0)
		return cli_usage_error(&info, "no input file (use - for standard input)");
	if ((rc = txn_load(&d, &c, &t, argv, nargs)) != 0)
		goto done;

	int32_t cut = t.has_holdout ? t.as_of : loyal_txn_as_of(d.acc);
	if ((rc = model_customers_load(&m, d.acc, cut, mo.unit_days)) != 0 ||
	    (rc = model_fit_bgnbd(&p, &m, &mo)) != 0)
		goto done;

	if (params) {
		struct cli_column cols[24];
		size_t nc = model_params_columns(cols, 0);
		if ((rc = cli_out_open(&out, &c, cols, nc)) == 0)
			rc = model_params_write(out, &p, NULL, &mo);
		rc = cli_out_close(out, rc);
	} else if (curve) {
		rc = write_curve(&c, &d, cut, loyal_txn_as_of(d.acc), &m, &p, &mo);
	} else if (t.has_holdout) {
		rc = write_holdout(&c, &t, &m, &p, &mo);
	} else {
		rc = write_customers(&c, &d, &m, &p, horizon, sort, top);
	}
done:
	model_customers_dispose(&m);
	txn_data_dispose(&d);
	return rc;
}
