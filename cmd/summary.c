#include <stdlib.h>
#include <string.h>

#include "txn_input.h"

static const struct cli_command_info info = {
	"summary",
	"loyal summary [options] FILE...",
	"One row per customer who made a purchase: first and last purchase, purchase\n"
	"occasions, net spend, and the days between them and the as-of date. Guest rows\n"
	"(no customer id) are skipped; returns (negative amounts) reduce the spend.",
};

int cmd_summary(int argc, char **argv)
{
	struct cli_common c = { 0 };
	struct txn_opts t = { 0 };
	struct txn_data d = { 0 };
	struct cli_out *out = NULL;
	int nargs, rc;
	const struct cli_opt opts[] = {
		TXN_OPTS_INPUT(&t),
		CLI_OPTS_INPUT(&c),
		CLI_OPT_THREADS(&c),
		CLI_OPTS_PARTIAL(&c),
		TXN_OPTS_GROUPING(&c, "add a cohort column: period of the first purchase"),
		CLI_OPTS_OUTPUT(&c),
		CLI_OPT_END
	};

	if ((rc = cli_parse(&info, opts, argc, argv, &nargs)) != CLI_CONTINUE)
		return rc;
	if ((rc = cli_common_finish(&info, &c)) != CLI_CONTINUE ||
	    (rc = txn_opts_finish(&info, &t)) != CLI_CONTINUE)
		return rc;
	if (nargs == 0)
		return cli_usage_error(&info, "no input file (use - for standard input)");
	if ((rc = txn_load(&d, &c, &t, argv, nargs)) != 0)
		goto done;

	struct cli_column cols[CLI_LIST_MAX + 12];
	size_t nc = 0;
	cols[nc++] = (struct cli_column){ "customer", CLI_T_STR, 0 };
	nc += txn_group_columns(cols + nc, &d);
	if (c.period != LOYAL_PERIOD_NONE)
		cols[nc++] = (struct cli_column){ "cohort", CLI_T_STR, 0 };
	cols[nc++] = (struct cli_column){ "first_purchase", CLI_T_STR, 0 };
	cols[nc++] = (struct cli_column){ "last_purchase", CLI_T_STR, 0 };
	cols[nc++] = (struct cli_column){ "purchases", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "spend", CLI_T_NUM, 2 };
	cols[nc++] = (struct cli_column){ "recency_days", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "age_days", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "days_since_last", CLI_T_INT, 0 };
	if ((rc = cli_out_open(&out, &c, cols, nc)) != 0)
		goto done;

	int32_t as_of = loyal_txn_as_of(d.acc);
	for (size_t i = 0; i < loyal_txn_customer_count(d.acc); i++) {
		struct cli_value v[CLI_LIST_MAX + 12];
		char first[32], last[32], cohort[64];
		loyal_txn_customer cu;
		size_t n = 0, ng;
		int error;

		if ((error = loyal_txn_customer_get(&cu, d.acc, i)) < 0) {
			rc = cli_lib_error(error);
			goto done;
		}
		v[n++] = CLI_STR(cu.id);
		if ((ng = txn_group_values(v + n, &d, cu.group)) == SIZE_MAX) {
			cli_error("out of memory");
			rc = CLI_EXIT_OSERR;
			goto done;
		}
		n += ng;
		if (c.period != LOYAL_PERIOD_NONE) {
			txn_period_key(cohort, sizeof(cohort), c.period,
				       loyal_period_index(c.period, cu.first_day));
			v[n++] = CLI_STR(cohort);
		}
		loyal_date_format(first, sizeof(first), cu.first_day);
		loyal_date_format(last, sizeof(last), cu.last_day);
		v[n++] = CLI_STR(first);
		v[n++] = CLI_STR(last);
		v[n++] = CLI_INT(cu.occasions);
		/* Exact in int64 micro-units; a double shows it exactly (shortest
		 * form) up to 15 significant digits. */
		v[n++] = d.has_amount ? CLI_NUM((double)cu.spend / 1e6) : CLI_NULL;
		v[n++] = CLI_INT(cu.t_x);
		v[n++] = CLI_INT(cu.T);
		v[n++] = CLI_INT((int64_t)as_of - cu.last_day);
		if ((rc = cli_out_row(out, v)) != 0)
			goto done;
	}
done:
	rc = cli_out_close(out, rc);
	txn_data_dispose(&d);
	return rc;
}
