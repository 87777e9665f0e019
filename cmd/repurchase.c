#include <stdlib.h>
#include <string.h>

#include "txn_input.h"

static const struct cli_command_info info = {
	"repurchase",
	"loyal repurchase [options] FILE...",
	"Repurchase rate: the share of customers with two or more purchase occasions\n"
	"among those with at least one, in percent, with the mean and median days\n"
	"between consecutive purchases of the same customer.",
};

int cmd_repurchase(int argc, char **argv)
{
	struct cli_common c = { 0 };
	struct txn_opts t = { 0 };
	struct txn_data d = { 0 };
	struct cli_out *out = NULL;
	loyal_txn_repurchase_row *rows = NULL;
	uint32_t *groups = NULL;
	size_t nrows = 0, *perm = NULL;
	const char *within_text = NULL;
	uint64_t within = 0;
	int nargs, rc, error;
	const struct cli_opt opts[] = {
		CLI_OPT_GROUP("Repurchase"),
		CLI_OPT_STRING(0, "within", "DAYS", &within_text,
			       "also the share who bought again within DAYS"),
		TXN_OPTS_INPUT(&t),
		CLI_OPTS_INPUT(&c),
		CLI_OPT_THREADS(&c),
		CLI_OPTS_PARTIAL(&c),
		TXN_OPTS_GROUPING(&c, "one row per cohort: period of the first purchase"),
		CLI_OPTS_OUTPUT(&c),
		CLI_OPT_END
	};

	if ((rc = cli_parse(&info, opts, argc, argv, &nargs)) != CLI_CONTINUE)
		return rc;
	if ((rc = cli_common_finish(&info, &c)) != CLI_CONTINUE ||
	    (rc = txn_opts_finish(&info, &t)) != CLI_CONTINUE)
		return rc;
	if (within_text && cli_parse_count(&within, "--within", within_text, 0, INT32_MAX))
		return CLI_EXIT_USAGE;
	if (nargs == 0)
		return cli_usage_error(&info, "no input file (use - for standard input)");
	if ((rc = txn_load(&d, &c, &t, argv, nargs)) != 0)
		goto done;

	loyal_txn_repurchase_options ro = LOYAL_TXN_REPURCHASE_OPTIONS_INIT;
	ro.cohort_period = c.period;
	ro.within_days = within_text ? (int32_t)within : -1;
	if ((error = loyal_txn_repurchase(&rows, &nrows, d.acc, &ro)) < 0) {
		rc = cli_lib_error(error);
		goto done;
	}
	if (!(groups = malloc((nrows ? nrows : 1) * sizeof(*groups)))) {
		cli_error("out of memory");
		rc = CLI_EXIT_OSERR;
		goto done;
	}
	for (size_t i = 0; i < nrows; i++)
		groups[i] = rows[i].group;
	if (!(perm = txn_order_rows(&d, groups, nrows))) {
		cli_error("out of memory");
		rc = CLI_EXIT_OSERR;
		goto done;
	}

	struct cli_column cols[CLI_LIST_MAX + 12];
	size_t nc = txn_group_columns(cols, &d);
	if (c.period != LOYAL_PERIOD_NONE)
		cols[nc++] = (struct cli_column){ "cohort", CLI_T_STR, 0 };
	cols[nc++] = (struct cli_column){ "customers", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "repeat_customers", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "repurchase_rate", CLI_T_NUM, 1 };
	cols[nc++] = (struct cli_column){ "repeat_purchases", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "mean_days_between", CLI_T_NUM, 1 };
	cols[nc++] = (struct cli_column){ "median_days_between", CLI_T_NUM, 1 };
	if (within_text) {
		cols[nc++] = (struct cli_column){ "within_eligible", CLI_T_INT, 0 };
		cols[nc++] = (struct cli_column){ "within_repeat", CLI_T_INT, 0 };
		cols[nc++] = (struct cli_column){ "within_rate", CLI_T_NUM, 1 };
	}
	if ((rc = cli_out_open(&out, &c, cols, nc)) != 0)
		goto done;
	for (size_t i = 0; i < nrows; i++) {
		const loyal_txn_repurchase_row *r = &rows[perm[i]];
		struct cli_value v[CLI_LIST_MAX + 12];
		char cohort[64];
		size_t n;

		if ((n = txn_group_values(v, &d, r->group)) == SIZE_MAX) {
			cli_error("out of memory");
			rc = CLI_EXIT_OSERR;
			goto done;
		}
		if (c.period != LOYAL_PERIOD_NONE) {
			txn_period_key(cohort, sizeof(cohort), c.period, r->cohort);
			v[n++] = CLI_STR(cohort);
		}
		v[n++] = CLI_INT(r->customers);
		v[n++] = CLI_INT(r->repeat_customers);
		v[n++] = txn_num(r->repurchase_rate);
		v[n++] = CLI_INT(r->repeat_purchases);
		v[n++] = txn_num(r->mean_days_between);
		v[n++] = txn_num(r->median_days_between);
		if (within_text) {
			v[n++] = CLI_INT(r->within_eligible);
			v[n++] = CLI_INT(r->within_repeat);
			v[n++] = txn_num(r->within_rate);
		}
		if ((rc = cli_out_row(out, v)) != 0)
			goto done;
	}
done:
	rc = cli_out_close(out, rc);
	loyal_txn_repurchase_free(rows);
	free(groups);
	free(perm);
	txn_data_dispose(&d);
	return rc;
}
