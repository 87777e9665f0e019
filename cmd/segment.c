#include <stdlib.h>
#include <string.h>

#include "result.h"
#include "txn_input.h"

static const struct cli_command_info info = {
	"segment",
	"loyal segment [options] FILE...",
	"RFM scores and named segments. Every customer gets a recency (R), frequency (F)\n"
	"and monetary (M) score from 1 to --bins: sorted ascending by the measure,\n"
	"score = 1 + floor(bins x (rank_min - 1) / customers), equal values equal\n"
	"scores (R sorts by days since the last purchase, descending). The segment is\n"
	"the first row of the table (R's rfm_segment table, or --segments) that holds\n"
	"the three scores, or Others. With --by, scores are computed within each group.",
};

/* The options of one run. */
struct seg_run {
	struct cli_common c;
	struct txn_opts t;
	struct txn_data d;
	loyal_rfm_options ro;
	loyal_rfm_segments *table;  /* --segments, or NULL for the default */
	int summary;
	/* the result (result.h): the scores and what the rows need */
	loyal_txn_window *w;
	loyal_measures m;
	loyal_rfm *rfm;
	size_t *perm;               /* --summary: rows by their --by values */
	struct cli_column cols[CLI_LIST_MAX + 12];
	char code[48];
};

/*
 * Check the table against the bins before reading any input: scoring no
 * customer runs every check loyal_rfm_compute() makes of the options
 * (ranges above the bins, the default table with bins other than 5).
 */
static int check_options(const struct seg_run *R)
{
	static const int32_t days = 0;
	static const uint64_t purchases = 0;
	static const int64_t spend = 0;
	loyal_measures m = LOYAL_MEASURES_INIT;
	loyal_rfm *none = NULL;
	int error;

	m.n = 0;
	m.days_since_last = &days;
	m.purchases = &purchases;
	m.spend = &spend;
	if ((error = loyal_rfm_compute(&none, &m, &R->ro)) < 0)
		return cli_lib_error(error);
	loyal_rfm_free(none);
	return 0;
}

static int customer_row(void *ctx, size_t i, struct cli_value *v)
{
	struct seg_run *R = ctx;
	const loyal_rfm_customer *x = loyal_rfm_customer_at(R->rfm, i);
	loyal_txn_customer cu = LOYAL_TXN_CUSTOMER_INIT;
	size_t n = 0, ng;
	int error;

	if ((error = loyal_txn_customer_get(&cu, R->d.acc, i)) < 0)
		return cli_lib_error(error);
	if (!x || !x->present) {
		/* every customer of the accumulator is one at its as-of day */
		cli_error("internal error: customer '%s' has no scores", cu.id);
		return CLI_EXIT_SOFTWARE;
	}
	v[n++] = CLI_STR(cu.id);
	if ((ng = txn_group_values(v + n, &R->d, cu.group)) == SIZE_MAX)
		return cli_oom();
	n += ng;
	loyal_rfm_code(R->code, sizeof(R->code), R->rfm, i);
	v[n++] = CLI_INT(R->m.days_since_last[i]);
	v[n++] = CLI_INT(R->m.purchases[i]);
	/* exact micro-units, shown exactly up to 15 significant digits */
	v[n++] = CLI_NUM((double)R->m.spend[i] / 1e6);
	v[n++] = CLI_INT(x->r);
	v[n++] = CLI_INT(x->f);
	v[n++] = CLI_INT(x->m);
	v[n++] = CLI_STR(R->code);
	v[n++] = CLI_STR(loyal_rfm_segment_name(R->rfm, (size_t)x->segment));
	return 0;
}

static int customer_table(struct seg_run *R, struct cli_result *res)
{
	struct cli_column *cols = R->cols;
	size_t nc = 0;

	cols[nc++] = (struct cli_column){ "customer", CLI_T_STR, 0 };
	nc += txn_group_columns(cols + nc, &R->d);
	cols[nc++] = (struct cli_column){ "days_since_last", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "purchases", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "spend", CLI_T_NUM, 2 };
	cols[nc++] = (struct cli_column){ "r", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "f", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "m", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "rfm", CLI_T_STR, 0 };
	cols[nc++] = (struct cli_column){ "segment", CLI_T_STR, 0 };
	cli_result_add(res, NULL, cols, nc, R->m.n, customer_row, R);
	return 0;
}

static int summary_row(void *ctx, size_t k, struct cli_value *v)
{
	struct seg_run *R = ctx;
	const loyal_rfm_summary_row *x = loyal_rfm_summary_at(R->rfm, R->perm[k]);
	size_t n;

	if ((n = txn_group_values(v, &R->d, x->group)) == SIZE_MAX)
		return cli_oom();
	v[n++] = CLI_STR(loyal_rfm_segment_name(R->rfm, x->segment));
	v[n++] = CLI_INT(x->customers);
	v[n++] = txn_num(x->customers_pct);
	v[n++] = CLI_NUM(x->spend);
	v[n++] = txn_num(x->spend_pct);
	v[n++] = txn_num(x->mean_days_since_last);
	v[n++] = txn_num(x->mean_purchases);
	v[n++] = txn_num(x->mean_spend);
	return 0;
}

static int summary_table(struct seg_run *R, struct cli_result *res)
{
	struct cli_column *cols = R->cols;
	size_t nrows = loyal_rfm_summary_count(R->rfm), nc;
	uint32_t *groups = NULL;

	/* rows by the --by values of their group, segments in table order */
	if (!(groups = malloc((nrows ? nrows : 1) * sizeof(*groups))))
		return cli_oom();
	for (size_t k = 0; k < nrows; k++)
		groups[k] = loyal_rfm_summary_at(R->rfm, k)->group;
	R->perm = txn_order_rows(&R->d, groups, nrows);
	free(groups);
	if (!R->perm)
		return cli_oom();
	nc = txn_group_columns(cols, &R->d);
	cols[nc++] = (struct cli_column){ "segment", CLI_T_STR, 0 };
	cols[nc++] = (struct cli_column){ "customers", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "customers_pct", CLI_T_NUM, 1 };
	cols[nc++] = (struct cli_column){ "spend", CLI_T_NUM, 2 };
	cols[nc++] = (struct cli_column){ "spend_pct", CLI_T_NUM, 1 };
	cols[nc++] = (struct cli_column){ "mean_days_since_last", CLI_T_NUM, 1 };
	cols[nc++] = (struct cli_column){ "mean_purchases", CLI_T_NUM, 2 };
	cols[nc++] = (struct cli_column){ "mean_spend", CLI_T_NUM, 2 };
	cli_result_add(res, NULL, cols, nc, nrows, summary_row, R);
	return 0;
}

static int parse(struct seg_run *R, int argc, char **argv, int *nargs)
{
	const char *bins_text = NULL, *segments_path = NULL;
	uint64_t bins = 5;
	int rc, error;
	const struct cli_opt opts[] = {
		CLI_OPT_GROUP("Segments"),
		CLI_OPT_STRING(0, "bins", "K", &bins_text,
			       "scores from 1 to K, 1 to 100 (default 5; other than 5 needs --segments)"),
		CLI_OPT_STRING(0, "segments", "FILE", &segments_path,
			       "segment table: CSV with columns segment, r, f, m (default: R's rfm table)"),
		CLI_OPT_FLAG(0, "summary", &R->summary,
			     "one row per segment: customers, spend and their shares, means"),
		TXN_OPTS_INPUT(&R->t),
		CLI_OPTS_INPUT(&R->c),
		CLI_OPT_THREADS(&R->c),
		CLI_OPT_GROUP("Grouping"),
		CLI_OPT_LIST(0, "by", "COL", &R->c.by,
			     "score within each group of customers by COL at first purchase (repeatable)"),
		CLI_OPT_STRING(0, "from", "DATE", &R->c.from, "ignore rows dated before DATE"),
		CLI_OPT_STRING(0, "to", "DATE", &R->c.to, "ignore rows dated after DATE"),
		CLI_OPTS_OUTPUT(&R->c),
		CLI_OPTS_PARTIAL(&R->c),
		CLI_OPT_END
	};

	R->ro = (loyal_rfm_options)LOYAL_RFM_OPTIONS_INIT;
	if ((rc = cli_parse(&info, opts, argc, argv, nargs)) != CLI_CONTINUE)
		return rc;
	R->t.need_amount = 1;
	if ((rc = cli_common_finish(&info, &R->c)) != CLI_CONTINUE ||
	    (rc = txn_opts_finish(&info, &R->t)) != CLI_CONTINUE)
		return rc;
	if (bins_text && cli_parse_count(&bins, "--bins", bins_text, 1, 100))
		return CLI_EXIT_USAGE;
	R->ro.bins = (unsigned)bins;
	if (*nargs == 0)
		return cli_usage_error(&info, "no input file (use - for standard input)");
	for (int i = 0; segments_path && !strcmp(segments_path, "-") && i < *nargs; i++)
		if (!strcmp(argv[i], "-"))
			return cli_usage_error(&info, "--segments - and the input - cannot both be "
					       "standard input");
	if (segments_path) {
		if ((error = loyal_rfm_segments_load(&R->table, segments_path)) < 0) {
			/* a table that does not parse is a bad option, whatever the
			 * reader calls it (bad CSV, a missing column) */
			rc = cli_lib_error(error);
			return error == LOYAL_ECSV || error == LOYAL_ECOLUMN || error == LOYAL_EVALUE
				? CLI_EXIT_USAGE : rc;
		}
		R->ro.segments = R->table;
	}
	if ((rc = check_options(R)) != 0)
		return rc;
	return CLI_CONTINUE;
}

/* Load, then score the customers: their measures at the as-of day over all
 * history. */
static int compute(struct seg_run *R, char **files, int nfiles, struct cli_result *res)
{
	int rc, error;

	if ((rc = txn_load(&R->d, &R->c, &R->t, files, nfiles)) != 0)
		return rc;
	R->m = (loyal_measures)LOYAL_MEASURES_INIT;
	if ((error = loyal_txn_window_new(&R->w, R->d.acc, NULL, loyal_txn_as_of(R->d.acc), 0)) < 0 ||
	    (error = loyal_txn_window_measures(&R->m, R->w)) < 0 ||
	    (error = loyal_rfm_compute(&R->rfm, &R->m, &R->ro)) < 0)
		return cli_lib_error(error);
	return R->summary ? summary_table(R, res) : customer_table(R, res);
}

int cmd_segment(int argc, char **argv)
{
	struct seg_run R;
	struct cli_result res = { 0 };
	int nargs, rc;

	memset(&R, 0, sizeof(R));
	if ((rc = parse(&R, argc, argv, &nargs)) == CLI_CONTINUE &&
	    (rc = compute(&R, argv, nargs, &res)) == 0)
		rc = cli_render(&res, &R.c);
	free(R.perm);
	loyal_rfm_free(R.rfm);
	loyal_txn_window_free(R.w);
	txn_data_dispose(&R.d);
	loyal_rfm_segments_free(R.table);
	return rc;
}
