#include <stdlib.h>
#include <string.h>

#include "txn_input.h"

static const struct cli_command_info info = {
	"retention",
	"loyal retention [options] FILE...",
	"Customer retention from period to period (default: month): of the customers who\n"
	"bought in one period, the share who bought again in the next. --cohorts prints\n"
	"the cohort matrix instead, --inactive the churn rate at the as-of date.",
};

/* Rows of the three kinds carry their group first; gather the groups to
 * order the rows by the --by values. */
static size_t *order_of(const struct txn_data *d, const void *rows, size_t n, size_t stride)
{
	uint32_t *g = malloc((n ? n : 1) * sizeof(*g));
	size_t *perm;

	if (!g)
		return NULL;
	for (size_t i = 0; i < n; i++)
		memcpy(&g[i], (const char *)rows + i * stride, sizeof(*g));
	perm = txn_order_rows(d, g, n);
	free(g);
	return perm;
}

#define DEFAULT_MAX_PERIODS 10000

/*
 * The period table and the cohort matrix have a row or a cell for every
 * period from the first date to the as-of: their memory and size grow
 * with that span, not with the data. One placeholder date (9999-12-31)
 * would make a day matrix of millions of columns, so the span is capped.
 */
static int check_periods(const struct txn_data *d, const struct cli_common *c,
			 uint64_t max_periods)
{
	int32_t as_of = loyal_txn_as_of(d->acc);
	int64_t first = loyal_period_index(c->period, d->lib.first_day);
	int64_t last = loyal_period_index(c->period, as_of);
	uint64_t n = last >= first ? (uint64_t)(last - first) + 1 : 1;
	char from[16], to[16];

	if (n <= max_periods)
		return 0;
	loyal_date_format(from, sizeof(from), d->lib.first_day);
	loyal_date_format(to, sizeof(to), as_of);
	cli_error("the table would span %llu periods (%s, from %s to the as-of %s), more than "
		  "--max-periods %llu", (unsigned long long)n, loyal_period_name(c->period), from,
		  to, (unsigned long long)max_periods);
	fprintf(stderr, "hint: give --as-of or --to, a longer --period, or a larger --max-periods\n");
	return CLI_EXIT_DATA;
}

static int period_table(struct txn_data *d, const struct cli_common *c)
{
	loyal_txn_retention_row *rows = NULL;
	struct cli_out *out = NULL;
	size_t nrows = 0, *perm = NULL;
	int rc = 0, error;

	if ((error = loyal_txn_retention(&rows, &nrows, d->acc, c->period)) < 0)
		return cli_lib_error(error);
	if (nrows == 0) {
		cli_error("every purchase is in the same %s: retention needs two periods",
			  loyal_period_name(c->period));
		rc = CLI_EXIT_DATA;
		goto done;
	}
	if (!(perm = order_of(d, rows, nrows, sizeof(*rows)))) {
		rc = cli_oom();
		goto done;
	}
	struct cli_column cols[CLI_LIST_MAX + 10];
	size_t nc = txn_group_columns(cols, d);
	cols[nc++] = (struct cli_column){ "period", CLI_T_STR, 0 };
	cols[nc++] = (struct cli_column){ "active_prev", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "retained", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "retention", CLI_T_NUM, 1 };
	cols[nc++] = (struct cli_column){ "churn", CLI_T_NUM, 1 };
	cols[nc++] = (struct cli_column){ "new", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "active", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "crr", CLI_T_NUM, 1 };
	cols[nc++] = (struct cli_column){ "complete", CLI_T_BOOL, 0 };
	if ((rc = cli_out_open(&out, c, cols, nc)) != 0)
		goto done;
	for (size_t i = 0; i < nrows; i++) {
		const loyal_txn_retention_row *r = &rows[perm[i]];
		struct cli_value v[CLI_LIST_MAX + 10];
		char key[64];
		size_t n;

		if ((n = txn_group_values(v, d, r->group)) == SIZE_MAX) {
			rc = cli_oom();
			goto done;
		}
		txn_period_key(key, sizeof(key), c->period, r->period);
		v[n++] = CLI_STR(key);
		v[n++] = CLI_INT(r->active_prev);
		v[n++] = CLI_INT(r->retained);
		v[n++] = txn_num(r->retention);
		v[n++] = txn_num(r->churn);
		v[n++] = CLI_INT(r->new_customers);
		v[n++] = CLI_INT(r->active);
		v[n++] = txn_num(r->crr);
		v[n++] = CLI_BOOL(r->complete);
		if ((rc = cli_out_row(out, v)) != 0)
			goto done;
	}
done:
	rc = cli_out_close(out, rc);
	loyal_txn_retention_free(rows);
	free(perm);
	return rc;
}

static int cohort_matrix(struct txn_data *d, const struct cli_common *c, int unbounded)
{
	loyal_txn_cohort_options co = LOYAL_TXN_COHORT_OPTIONS_INIT;
	loyal_txn_cohort_row *rows = NULL;
	struct cli_out *out = NULL;
	struct cli_column *cols = NULL;
	struct cli_value *v = NULL;
	char (*names)[24] = NULL;
	double *whole = NULL;
	size_t nrows = 0, *perm = NULL, width = 0;
	int json = c->format == CLI_FMT_JSON, rc = 0, error;

	co.period = c->period;
	co.unbounded = unbounded;
	if ((error = loyal_txn_cohorts(&rows, &nrows, d->acc, &co)) < 0)
		return cli_lib_error(error);
	for (size_t i = 0; i < nrows; i++)
		if (rows[i].ncells > width)
			width = rows[i].ncells;
	/* JSON holds each cohort's cells in one array; the other formats have a
	 * column per period offset, empty where a cohort has not reached it. */
	size_t ncols = CLI_LIST_MAX + 4 + (json ? 1 : width);
	if (!(perm = order_of(d, rows, nrows, sizeof(*rows))) ||
	    !(cols = malloc(ncols * sizeof(*cols))) || !(v = malloc(ncols * sizeof(*v))) ||
	    !(names = malloc((width ? width : 1) * sizeof(*names))) ||
	    !(whole = malloc((width ? width : 1) * sizeof(*whole)))) {
		rc = cli_oom();
		goto done;
	}
	size_t nc = txn_group_columns(cols, d);
	cols[nc++] = (struct cli_column){ "cohort", CLI_T_STR, 0 };
	cols[nc++] = (struct cli_column){ "customers", CLI_T_INT, 0 };
	/* Whether the cells cover whole periods: the last cell of every row is
	 * the period of as-of, partial unless as-of is its last day. JSON has
	 * a list parallel to retention; the other formats say it of the last
	 * cell in a trailing column. */
	if (json) {
		cols[nc++] = (struct cli_column){ "retention", CLI_T_NUMS, 1 };
		cols[nc++] = (struct cli_column){ "complete", CLI_T_BOOLS, 0 };
	} else {
		for (size_t k = 0; k < width; k++) {
			snprintf(names[k], sizeof(names[k]), "%zu", k);
			cols[nc++] = (struct cli_column){ names[k], CLI_T_NUM, 1 };
		}
		cols[nc++] = (struct cli_column){ "complete", CLI_T_BOOL, 0 };
	}
	if ((rc = cli_out_open(&out, c, cols, nc)) != 0)
		goto done;
	for (size_t i = 0; i < nrows; i++) {
		const loyal_txn_cohort_row *r = &rows[perm[i]];
		char key[64];
		size_t n;

		if ((n = txn_group_values(v, d, r->group)) == SIZE_MAX) {
			rc = cli_oom();
			goto done;
		}
		txn_period_key(key, sizeof(key), c->period, r->cohort);
		v[n++] = CLI_STR(key);
		v[n++] = CLI_INT(r->customers);
		if (json) {
			v[n] = (struct cli_value){ .nums = r->retention, .nnums = r->ncells };
			n++;
			for (size_t k = 0; k < r->ncells; k++)
				whole[k] = k < r->complete_cells;
			v[n] = (struct cli_value){ .nums = whole, .nnums = r->ncells };
			n++;
		} else {
			for (size_t k = 0; k < width; k++)
				v[n++] = k < r->ncells ? CLI_NUM(r->retention[k]) : CLI_NULL;
			v[n++] = CLI_BOOL(r->complete_cells == r->ncells);
		}
		if ((rc = cli_out_row(out, v)) != 0)
			goto done;
	}
done:
	rc = cli_out_close(out, rc);
	loyal_txn_cohorts_free(rows);
	free(perm);
	free(cols);
	free(v);
	free(names);
	free(whole);
	return rc;
}

static int inactive_churn(struct txn_data *d, const struct cli_common *c, int32_t days)
{
	loyal_txn_inactive_row *rows = NULL;
	struct cli_out *out = NULL;
	size_t nrows = 0, *perm = NULL;
	char asof[32];
	int rc = 0, error;

	if ((error = loyal_txn_inactive(&rows, &nrows, d->acc, days, c->period)) < 0)
		return cli_lib_error(error);
	if (!(perm = order_of(d, rows, nrows, sizeof(*rows)))) {
		rc = cli_oom();
		goto done;
	}
	loyal_date_format(asof, sizeof(asof), loyal_txn_as_of(d->acc));
	struct cli_column cols[CLI_LIST_MAX + 6];
	size_t nc = txn_group_columns(cols, d);
	if (c->period != LOYAL_PERIOD_NONE)
		cols[nc++] = (struct cli_column){ "cohort", CLI_T_STR, 0 };
	cols[nc++] = (struct cli_column){ "as_of", CLI_T_STR, 0 };
	cols[nc++] = (struct cli_column){ "customers", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "eligible", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "inactive", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "churn_rate", CLI_T_NUM, 1 };
	if ((rc = cli_out_open(&out, c, cols, nc)) != 0)
		goto done;
	for (size_t i = 0; i < nrows; i++) {
		const loyal_txn_inactive_row *r = &rows[perm[i]];
		struct cli_value v[CLI_LIST_MAX + 6];
		char key[64];
		size_t n;

		if ((n = txn_group_values(v, d, r->group)) == SIZE_MAX) {
			rc = cli_oom();
			goto done;
		}
		if (c->period != LOYAL_PERIOD_NONE) {
			txn_period_key(key, sizeof(key), c->period, r->cohort);
			v[n++] = CLI_STR(key);
		}
		v[n++] = CLI_STR(asof);
		v[n++] = CLI_INT(r->customers);
		v[n++] = CLI_INT(r->eligible);
		v[n++] = CLI_INT(r->inactive);
		v[n++] = txn_num(r->churn_rate);
		if ((rc = cli_out_row(out, v)) != 0)
			goto done;
	}
done:
	rc = cli_out_close(out, rc);
	loyal_txn_inactive_free(rows);
	free(perm);
	return rc;
}

int cmd_retention(int argc, char **argv)
{
	struct cli_common c = { 0 };
	struct txn_opts t = { 0 };
	struct txn_data d = { 0 };
	const char *inactive_text = NULL, *max_periods_text = NULL;
	uint64_t inactive = 0, max_periods = DEFAULT_MAX_PERIODS;
	int cohorts = 0, unbounded = 0, nargs, rc;
	const struct cli_opt opts[] = {
		CLI_OPT_GROUP("Retention"),
		CLI_OPT_FLAG(0, "cohorts", &cohorts,
			     "print the cohort matrix instead"),
		CLI_OPT_FLAG(0, "unbounded", &unbounded,
			     "with --cohorts: count up to the last purchase"),
		CLI_OPT_STRING(0, "inactive", "DAYS", &inactive_text,
			       "print the share inactive for more than DAYS"),
		CLI_OPT_STRING(0, "max-periods", "N", &max_periods_text,
			       "refuse a table spanning more than N periods (default 10000)"),
		TXN_OPTS_INPUT(&t),
		CLI_OPTS_INPUT(&c),
		CLI_OPT_THREADS(&c),
		CLI_OPTS_PARTIAL(&c),
		TXN_OPTS_GROUPING(&c, "period (default month); with --inactive: cohorts"),
		CLI_OPTS_OUTPUT(&c),
		CLI_OPT_END
	};

	if ((rc = cli_parse(&info, opts, argc, argv, &nargs)) != CLI_CONTINUE)
		return rc;
	if (!inactive_text && !c.period_name)
		c.period_name = "month";
	if ((rc = cli_common_finish(&info, &c)) != CLI_CONTINUE ||
	    (rc = txn_opts_finish(&info, &t)) != CLI_CONTINUE)
		return rc;
	if (inactive_text && cli_parse_count(&inactive, "--inactive", inactive_text, 0, INT32_MAX))
		return CLI_EXIT_USAGE;
	if (max_periods_text &&
	    cli_parse_count(&max_periods, "--max-periods", max_periods_text, 1, UINT32_MAX))
		return CLI_EXIT_USAGE;
	if (inactive_text && cohorts)
		return cli_usage_error(&info, "--inactive and --cohorts exclude each other");
	if (unbounded && !cohorts)
		return cli_usage_error(&info, "--unbounded needs --cohorts");
	if (!inactive_text && c.period == LOYAL_PERIOD_NONE)
		return cli_usage_error(&info, "retention needs a period (day, week, month, quarter, year)");
	if (nargs == 0)
		return cli_usage_error(&info, "no input file (use - for standard input)");
	if ((rc = txn_load(&d, &c, &t, argv, nargs)) == 0) {
		if (inactive_text)
			rc = inactive_churn(&d, &c, (int32_t)inactive);
		else if ((rc = check_periods(&d, &c, max_periods)) != 0)
			; /* reported */
		else if (cohorts)
			rc = cohort_matrix(&d, &c, unbounded);
		else
			rc = period_table(&d, &c);
	}
	txn_data_dispose(&d);
	return rc;
}
