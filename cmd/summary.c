#include <stdlib.h>
#include <string.h>

#include "result.h"
#include "txn_input.h"

static const struct cli_command_info info = {
	"summary",
	"loyal summary [options] FILE...",
	"One row per customer who made a purchase: first and last purchase, purchase\n"
	"occasions, net spend, and the days between them and the as-of date. Guest rows\n"
	"(no customer id) are skipped; returns (negative amounts) reduce the spend.",
};

/* The command's options, loaded inputs and result columns (parse, compute,
 * render: result.h). */
struct summary {
	struct cli_common c;
	struct txn_opts t;
	struct txn_data d;
	struct cli_column cols[CLI_LIST_MAX + 12];
	int32_t as_of;
	char first[32], last[32], cohort[64];
};

static int parse(struct summary *s, int argc, char **argv, int *nargs)
{
	const struct cli_opt opts[] = {
		TXN_OPTS_INPUT(&s->t),
		CLI_OPTS_INPUT(&s->c),
		CLI_OPT_THREADS(&s->c),
		CLI_OPTS_PARTIAL(&s->c),
		TXN_OPTS_GROUPING(&s->c, "add a cohort column: period of the first purchase"),
		CLI_OPTS_OUTPUT(&s->c),
		CLI_OPT_END
	};
	int rc;

	if ((rc = cli_parse(&info, opts, argc, argv, nargs)) != CLI_CONTINUE)
		return rc;
	if ((rc = cli_common_finish(&info, &s->c)) != CLI_CONTINUE ||
	    (rc = txn_opts_finish(&info, &s->t)) != CLI_CONTINUE)
		return rc;
	if (*nargs == 0)
		return cli_usage_error(&info, "no input file (use - for standard input)");
	return CLI_CONTINUE;
}

static int summary_row(void *ctx, size_t i, struct cli_value *v)
{
	struct summary *s = ctx;
	loyal_txn_customer cu = LOYAL_TXN_CUSTOMER_INIT;
	size_t n = 0, ng;
	int error;

	if ((error = loyal_txn_customer_get(&cu, s->d.acc, i)) < 0)
		return cli_lib_error(error);
	v[n++] = CLI_STR(cu.id);
	if ((ng = txn_group_values(v + n, &s->d, cu.group)) == SIZE_MAX)
		return cli_oom();
	n += ng;
	if (s->c.period != LOYAL_PERIOD_NONE) {
		txn_period_key(s->cohort, sizeof(s->cohort), s->c.period,
			       loyal_period_index(s->c.period, cu.first_day));
		v[n++] = CLI_STR(s->cohort);
	}
	loyal_date_format(s->first, sizeof(s->first), cu.first_day);
	loyal_date_format(s->last, sizeof(s->last), cu.last_day);
	v[n++] = CLI_STR(s->first);
	v[n++] = CLI_STR(s->last);
	v[n++] = CLI_INT(cu.occasions);
	/* Exact in int64 micro-units; a double shows it exactly (shortest
	 * form) up to 15 significant digits. */
	v[n++] = s->d.has_amount ? CLI_NUM((double)cu.spend / 1e6) : CLI_NULL;
	v[n++] = CLI_INT(cu.t_x);
	v[n++] = CLI_INT(cu.T);
	v[n++] = CLI_INT((int64_t)s->as_of - cu.last_day);
	return 0;
}

/* One row per customer of the loaded accumulator. */
static int compute(struct summary *s, char **files, int nfiles, struct cli_result *res)
{
	struct cli_column *cols = s->cols;
	size_t nc = 0;
	int rc;

	if ((rc = txn_load(&s->d, &s->c, &s->t, files, nfiles)) != 0)
		return rc;
	cols[nc++] = (struct cli_column){ "customer", CLI_T_STR, 0 };
	nc += txn_group_columns(cols + nc, &s->d);
	if (s->c.period != LOYAL_PERIOD_NONE)
		cols[nc++] = (struct cli_column){ "cohort", CLI_T_STR, 0 };
	cols[nc++] = (struct cli_column){ "first_purchase", CLI_T_STR, 0 };
	cols[nc++] = (struct cli_column){ "last_purchase", CLI_T_STR, 0 };
	cols[nc++] = (struct cli_column){ "purchases", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "spend", CLI_T_NUM, 2 };
	cols[nc++] = (struct cli_column){ "recency_days", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "age_days", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "days_since_last", CLI_T_INT, 0 };
	s->as_of = loyal_txn_as_of(s->d.acc);
	cli_result_add(res, NULL, cols, nc, loyal_txn_customer_count(s->d.acc), summary_row, s);
	return 0;
}

int cmd_summary(int argc, char **argv)
{
	struct summary s = { 0 };
	struct cli_result res = { 0 };
	int nargs, rc;

	if ((rc = parse(&s, argc, argv, &nargs)) != CLI_CONTINUE)
		return rc;
	if ((rc = compute(&s, argv, nargs, &res)) == 0)
		rc = cli_render(&res, &s.c);
	txn_data_dispose(&s.d);
	return rc;
}
