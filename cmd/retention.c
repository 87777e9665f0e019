#include <stdlib.h>
#include <string.h>

#include "result.h"
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

/* The command's options, loaded inputs and the library's result of one of
 * the three tables (result.h). */
struct retention {
	struct cli_common c;
	struct txn_opts t;
	struct txn_data d;
	const char *inactive_text, *max_periods_text;
	uint64_t inactive, max_periods;
	int cohorts, unbounded;
	loyal_txn_retention_row *periods;
	loyal_txn_cohort_row *cohort_rows;
	loyal_txn_inactive_row *inactive_rows;
	size_t nrows, *perm, width;
	struct cli_column *cols;
	char (*names)[24]; /* cohort matrix: the offsets' column names */
	double *whole;     /* cohort matrix, JSON: whether each cell is whole */
	char key[64], asof[32];
};

static int period_row(void *ctx, size_t i, struct cli_value *v)
{
	struct retention *p = ctx;
	const loyal_txn_retention_row *r = &p->periods[p->perm[i]];
	size_t n;

	/* a period is always set without --inactive */
	if ((n = txn_row_keys(v, &p->d, r->group, p->c.period, r->period, p->key,
			      sizeof(p->key))) == SIZE_MAX)
		return cli_oom();
	v[n++] = CLI_INT(r->active_prev);
	v[n++] = CLI_INT(r->retained);
	v[n++] = txn_num(r->retention);
	v[n++] = txn_num(r->churn);
	v[n++] = CLI_INT(r->new_customers);
	v[n++] = CLI_INT(r->active);
	v[n++] = txn_num(r->crr);
	v[n++] = CLI_BOOL(r->complete);
	return 0;
}

static int period_table(struct retention *p, struct cli_result *res)
{
	int error;

	if ((error = loyal_txn_retention(&p->periods, &p->nrows, p->d.acc, p->c.period)) < 0)
		return cli_lib_error(error);
	if (p->nrows == 0) {
		cli_error("every purchase is in the same %s: retention needs two periods",
			  loyal_period_name(p->c.period));
		return CLI_EXIT_DATA;
	}
	if (!(p->perm = order_of(&p->d, p->periods, p->nrows, sizeof(*p->periods))) ||
	    !(p->cols = malloc((CLI_LIST_MAX + 10) * sizeof(*p->cols))))
		return cli_oom();
	struct cli_column *cols = p->cols;
	size_t nc = txn_group_columns(cols, &p->d);
	cols[nc++] = (struct cli_column){ "period", CLI_T_STR, 0 };
	cols[nc++] = (struct cli_column){ "active_prev", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "retained", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "retention", CLI_T_NUM, 1 };
	cols[nc++] = (struct cli_column){ "churn", CLI_T_NUM, 1 };
	cols[nc++] = (struct cli_column){ "new", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "active", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "crr", CLI_T_NUM, 1 };
	cols[nc++] = (struct cli_column){ "complete", CLI_T_BOOL, 0 };
	cli_result_add(res, NULL, cols, nc, p->nrows, period_row, p);
	return 0;
}

static int cohort_row(void *ctx, size_t i, struct cli_value *v)
{
	struct retention *p = ctx;
	const loyal_txn_cohort_row *r = &p->cohort_rows[p->perm[i]];
	size_t n;

	if ((n = txn_row_keys(v, &p->d, r->group, p->c.period, r->cohort, p->key,
			      sizeof(p->key))) == SIZE_MAX)
		return cli_oom();
	v[n++] = CLI_INT(r->customers);
	if (p->c.format == CLI_FMT_JSON) {
		v[n] = (struct cli_value){ .nums = r->retention, .nnums = r->ncells };
		n++;
		for (size_t k = 0; k < r->ncells; k++)
			p->whole[k] = k < r->complete_cells;
		v[n] = (struct cli_value){ .nums = p->whole, .nnums = r->ncells };
		n++;
	} else {
		for (size_t k = 0; k < p->width; k++)
			v[n++] = k < r->ncells ? CLI_NUM(r->retention[k]) : CLI_NULL;
		v[n++] = CLI_BOOL(r->complete_cells == r->ncells);
	}
	return 0;
}

static int cohort_matrix(struct retention *p, struct cli_result *res)
{
	loyal_txn_cohort_options co = LOYAL_TXN_COHORT_OPTIONS_INIT;
	int json = p->c.format == CLI_FMT_JSON, error;
	size_t width = 0;

	co.period = p->c.period;
	co.unbounded = p->unbounded;
	if ((error = loyal_txn_cohorts(&p->cohort_rows, &p->nrows, p->d.acc, &co)) < 0)
		return cli_lib_error(error);
	for (size_t i = 0; i < p->nrows; i++)
		if (p->cohort_rows[i].ncells > width)
			width = p->cohort_rows[i].ncells;
	p->width = width;
	/* JSON holds each cohort's cells in one array; the other formats have a
	 * column per period offset, empty where a cohort has not reached it. */
	size_t ncols = CLI_LIST_MAX + 4 + (json ? 1 : width);
	if (!(p->perm = order_of(&p->d, p->cohort_rows, p->nrows, sizeof(*p->cohort_rows))) ||
	    !(p->cols = malloc(ncols * sizeof(*p->cols))) ||
	    !(p->names = malloc((width ? width : 1) * sizeof(*p->names))) ||
	    !(p->whole = malloc((width ? width : 1) * sizeof(*p->whole))))
		return cli_oom();
	struct cli_column *cols = p->cols;
	size_t nc = txn_group_columns(cols, &p->d);
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
			snprintf(p->names[k], sizeof(p->names[k]), "%zu", k);
			cols[nc++] = (struct cli_column){ p->names[k], CLI_T_NUM, 1 };
		}
		cols[nc++] = (struct cli_column){ "complete", CLI_T_BOOL, 0 };
	}
	cli_result_add(res, NULL, cols, nc, p->nrows, cohort_row, p);
	return 0;
}

static int inactive_row(void *ctx, size_t i, struct cli_value *v)
{
	struct retention *p = ctx;
	const loyal_txn_inactive_row *r = &p->inactive_rows[p->perm[i]];
	size_t n;

	if ((n = txn_row_keys(v, &p->d, r->group, p->c.period, r->cohort, p->key,
			      sizeof(p->key))) == SIZE_MAX)
		return cli_oom();
	v[n++] = CLI_STR(p->asof);
	v[n++] = CLI_INT(r->customers);
	v[n++] = CLI_INT(r->eligible);
	v[n++] = CLI_INT(r->inactive);
	v[n++] = txn_num(r->churn_rate);
	return 0;
}

static int inactive_churn(struct retention *p, struct cli_result *res)
{
	int error;

	if ((error = loyal_txn_inactive(&p->inactive_rows, &p->nrows, p->d.acc,
					(int32_t)p->inactive, p->c.period)) < 0)
		return cli_lib_error(error);
	if (!(p->perm = order_of(&p->d, p->inactive_rows, p->nrows, sizeof(*p->inactive_rows))) ||
	    !(p->cols = malloc((CLI_LIST_MAX + 6) * sizeof(*p->cols))))
		return cli_oom();
	loyal_date_format(p->asof, sizeof(p->asof), loyal_txn_as_of(p->d.acc));
	struct cli_column *cols = p->cols;
	size_t nc = txn_group_columns(cols, &p->d);
	if (p->c.period != LOYAL_PERIOD_NONE)
		cols[nc++] = (struct cli_column){ "cohort", CLI_T_STR, 0 };
	cols[nc++] = (struct cli_column){ "as_of", CLI_T_STR, 0 };
	cols[nc++] = (struct cli_column){ "customers", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "eligible", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "inactive", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "churn_rate", CLI_T_NUM, 1 };
	cli_result_add(res, NULL, cols, nc, p->nrows, inactive_row, p);
	return 0;
}

static int parse(struct retention *p, int argc, char **argv, int *nargs)
{
	const struct cli_opt opts[] = {
		CLI_OPT_GROUP("Retention"),
		CLI_OPT_FLAG(0, "cohorts", &p->cohorts,
			     "print the cohort matrix instead"),
		CLI_OPT_FLAG(0, "unbounded", &p->unbounded,
			     "with --cohorts: count up to the last purchase"),
		CLI_OPT_STRING(0, "inactive", "DAYS", &p->inactive_text,
			       "print the share inactive for more than DAYS"),
		CLI_OPT_STRING(0, "max-periods", "N", &p->max_periods_text,
			       "refuse a table spanning more than N periods (default 10000)"),
		TXN_OPTS_INPUT(&p->t),
		CLI_OPTS_INPUT(&p->c),
		CLI_OPT_THREADS(&p->c),
		CLI_OPTS_PARTIAL(&p->c),
		TXN_OPTS_GROUPING(&p->c, "period (default month); with --inactive: cohorts"),
		CLI_OPTS_OUTPUT(&p->c),
		CLI_OPT_END
	};
	int rc;

	p->max_periods = DEFAULT_MAX_PERIODS;
	if ((rc = cli_parse(&info, opts, argc, argv, nargs)) != CLI_CONTINUE)
		return rc;
	if (!p->inactive_text && !p->c.period_name)
		p->c.period_name = "month";
	if ((rc = cli_common_finish(&info, &p->c)) != CLI_CONTINUE ||
	    (rc = txn_opts_finish(&info, &p->t)) != CLI_CONTINUE)
		return rc;
	if (p->inactive_text &&
	    cli_parse_count(&p->inactive, "--inactive", p->inactive_text, 0, INT32_MAX))
		return CLI_EXIT_USAGE;
	if (p->max_periods_text &&
	    cli_parse_count(&p->max_periods, "--max-periods", p->max_periods_text, 1, UINT32_MAX))
		return CLI_EXIT_USAGE;
	if (p->inactive_text && p->cohorts)
		return cli_usage_error(&info, "--inactive and --cohorts exclude each other");
	if (p->unbounded && !p->cohorts)
		return cli_usage_error(&info, "--unbounded needs --cohorts");
	if (!p->inactive_text && p->c.period == LOYAL_PERIOD_NONE)
		return cli_usage_error(&info, "retention needs a period (day, week, month, quarter, year)");
	if (*nargs == 0)
		return cli_usage_error(&info, "no input file (use - for standard input)");
	return CLI_CONTINUE;
}

static int compute(struct retention *p, char **files, int nfiles, struct cli_result *res)
{
	int rc;

	if ((rc = txn_load(&p->d, &p->c, &p->t, files, nfiles)) != 0)
		return rc;
	if (p->inactive_text)
		return inactive_churn(p, res);
	if ((rc = check_periods(&p->d, &p->c, p->max_periods)) != 0)
		return rc;
	return p->cohorts ? cohort_matrix(p, res) : period_table(p, res);
}

int cmd_retention(int argc, char **argv)
{
	struct retention p = { 0 };
	struct cli_result res = { 0 };
	int nargs, rc;

	if ((rc = parse(&p, argc, argv, &nargs)) != CLI_CONTINUE)
		return rc;
	if ((rc = compute(&p, argv, nargs, &res)) == 0)
		rc = cli_render(&res, &p.c);
	loyal_txn_retention_free(p.periods);
	loyal_txn_cohorts_free(p.cohort_rows);
	loyal_txn_inactive_free(p.inactive_rows);
	free(p.perm);
	free(p.cols);
	free(p.names);
	free(p.whole);
	txn_data_dispose(&p.d);
	return rc;
}
