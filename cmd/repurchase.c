#include <stdlib.h>
#include <string.h>

#include "result.h"
#include "txn_input.h"

static const struct cli_command_info info = {
	"repurchase",
	"loyal repurchase [options] FILE...",
	"Repurchase rate: the share of customers with two or more purchase occasions\n"
	"among those with at least one, in percent, with the mean and median days\n"
	"between consecutive purchases of the same customer.",
};

/* The command's options, loaded inputs and result (result.h). */
struct repurchase {
	struct cli_common c;
	struct txn_opts t;
	struct txn_data d;
	const char *within_text;
	uint64_t within;
	loyal_txn_repurchase_row *rows;
	size_t nrows, *perm;
	struct cli_column cols[CLI_LIST_MAX + 12];
	char cohort[64];
};

static int parse(struct repurchase *p, int argc, char **argv, int *nargs)
{
	const struct cli_opt opts[] = {
		CLI_OPT_GROUP("Repurchase"),
		CLI_OPT_STRING(0, "within", "DAYS", &p->within_text,
			       "also the share who bought again within DAYS"),
		TXN_OPTS_INPUT(&p->t),
		CLI_OPTS_INPUT(&p->c),
		CLI_OPT_THREADS(&p->c),
		CLI_OPTS_PARTIAL(&p->c),
		TXN_OPTS_GROUPING(&p->c, "one row per cohort: period of the first purchase"),
		CLI_OPTS_OUTPUT(&p->c),
		CLI_OPT_END
	};
	int rc;

	if ((rc = cli_parse(&info, opts, argc, argv, nargs)) != CLI_CONTINUE)
		return rc;
	if ((rc = cli_common_finish(&info, &p->c)) != CLI_CONTINUE ||
	    (rc = txn_opts_finish(&info, &p->t)) != CLI_CONTINUE)
		return rc;
	if (p->within_text &&
	    cli_parse_count(&p->within, "--within", p->within_text, 0, INT32_MAX))
		return CLI_EXIT_USAGE;
	if (*nargs == 0)
		return cli_usage_error(&info, "no input file (use - for standard input)");
	return CLI_CONTINUE;
}

static int repurchase_row(void *ctx, size_t i, struct cli_value *v)
{
	struct repurchase *p = ctx;
	const loyal_txn_repurchase_row *r = &p->rows[p->perm[i]];
	size_t n;

	if ((n = txn_row_keys(v, &p->d, r->group, p->c.period, r->cohort, p->cohort,
			      sizeof(p->cohort))) == SIZE_MAX)
		return cli_oom();
	v[n++] = CLI_INT(r->customers);
	v[n++] = CLI_INT(r->repeat_customers);
	v[n++] = txn_num(r->repurchase_rate);
	v[n++] = CLI_INT(r->repeat_purchases);
	v[n++] = txn_num(r->mean_days_between);
	v[n++] = txn_num(r->median_days_between);
	if (p->within_text) {
		v[n++] = CLI_INT(r->within_eligible);
		v[n++] = CLI_INT(r->within_repeat);
		v[n++] = txn_num(r->within_rate);
	}
	return 0;
}

/* The library's repurchase rows, ordered by the --by values. */
static int compute(struct repurchase *p, char **files, int nfiles, struct cli_result *res)
{
	uint32_t *groups = NULL;
	struct cli_column *cols = p->cols;
	int rc, error;

	if ((rc = txn_load(&p->d, &p->c, &p->t, files, nfiles)) != 0)
		return rc;
	loyal_txn_repurchase_options ro = LOYAL_TXN_REPURCHASE_OPTIONS_INIT;
	ro.cohort_period = p->c.period;
	ro.within_days = p->within_text ? (int32_t)p->within : -1;
	if ((error = loyal_txn_repurchase(&p->rows, &p->nrows, p->d.acc, &ro)) < 0)
		return cli_lib_error(error);
	if (!(groups = malloc((p->nrows ? p->nrows : 1) * sizeof(*groups))))
		return cli_oom();
	for (size_t i = 0; i < p->nrows; i++)
		groups[i] = p->rows[i].group;
	p->perm = txn_order_rows(&p->d, groups, p->nrows);
	free(groups);
	if (!p->perm)
		return cli_oom();

	size_t nc = txn_group_columns(cols, &p->d);
	if (p->c.period != LOYAL_PERIOD_NONE)
		cols[nc++] = (struct cli_column){ "cohort", CLI_T_STR, 0 };
	cols[nc++] = (struct cli_column){ "customers", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "repeat_customers", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "repurchase_rate", CLI_T_NUM, 1 };
	cols[nc++] = (struct cli_column){ "repeat_purchases", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "mean_days_between", CLI_T_NUM, 1 };
	cols[nc++] = (struct cli_column){ "median_days_between", CLI_T_NUM, 1 };
	if (p->within_text) {
		cols[nc++] = (struct cli_column){ "within_eligible", CLI_T_INT, 0 };
		cols[nc++] = (struct cli_column){ "within_repeat", CLI_T_INT, 0 };
		cols[nc++] = (struct cli_column){ "within_rate", CLI_T_NUM, 1 };
	}
	cli_result_add(res, NULL, cols, nc, p->nrows, repurchase_row, p);
	return 0;
}

int cmd_repurchase(int argc, char **argv)
{
	struct repurchase p = { 0 };
	struct cli_result res = { 0 };
	int nargs, rc;

	if ((rc = parse(&p, argc, argv, &nargs)) != CLI_CONTINUE)
		return rc;
	if ((rc = compute(&p, argv, nargs, &res)) == 0)
		rc = cli_render(&res, &p.c);
	loyal_txn_repurchase_free(p.rows);
	free(p.perm);
	txn_data_dispose(&p.d);
	return rc;
}
