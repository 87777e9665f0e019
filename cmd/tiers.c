#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clv_values.h"
#include "result.h"
#include "txn_input.h"

static const struct cli_command_info info = {
	"tiers",
	"loyal tiers [options] FILE...",
	"Customer tiers. By default value tiers by net spend: the top 20% of customers\n"
	"by rank are high, the next 30% mid, the rest low (--split; customers with\n"
	"equal spend share a tier). With --members, member tiers by rules over spend\n"
	"and purchases within --window days, the first matching rule winning. With\n"
	"--compare DATE, the tiers on DATE beside those on the as-of date and each\n"
	"customer's move (new, upgraded, kept, downgraded, gone, untiered).",
};

struct tier_run {
	struct cli_common c;
	struct txn_opts t;
	struct txn_data d;
	loyal_value_tier_options vo;
	loyal_tier_rules *rules;    /* --members, or NULL for value tiers */
	int summary;
	int clv;                    /* --value clv */
	double *values;             /* with clv: each customer's CLV */
	int32_t window;             /* --window, 0: all history */
	int has_compare;
	int32_t compare;            /* --compare */
	const char *compare_text;
	/* computed */
	loyal_txn_window *w_now, *w_then;
	loyal_measures now, then;
	loyal_tiers *t_now, *t_then;
	loyal_tier_migration *mig;
	/* the result (result.h): the columns of its tables, and the orders of
	 * the summary's rows by their --by values */
	struct cli_column tier_cols[CLI_LIST_MAX + 16], cell_cols[CLI_LIST_MAX + 8],
		move_cols[CLI_LIST_MAX + 8];
	size_t *tier_perm, *cell_perm, *total_perm;
	size_t *then_at;            /* --compare: (group, tier) -> earlier summary row */
	size_t ntiers, ngroups;
};

/* "H,M": the shares of the high and mid tiers in percent. */
static int parse_split(struct tier_run *R, const char *text)
{
	const char *comma = strchr(text, ',');
	char first[64];
	double h, m;

	if (!comma || (size_t)(comma - text) >= sizeof(first)) {
		cli_error("option '--split' needs two percentages H,M such as 20,30, not '%s'", text);
		return CLI_EXIT_USAGE;
	}
	memcpy(first, text, (size_t)(comma - text));
	first[comma - text] = '\0';
	if (cli_parse_number(&h, "--split", first) || cli_parse_number(&m, "--split", comma + 1))
		return CLI_EXIT_USAGE;
	if (!(h >= 0 && m >= 0 && h + m <= 100)) {
		cli_error("option '--split' needs percentages from 0 to 100 whose sum is at most "
			  "100, not '%s'", text);
		return CLI_EXIT_USAGE;
	}
	R->vo.high_pct = h;
	R->vo.mid_pct = m;
	return 0;
}

/* --members RULES|FILE: a file when one exists by that name (or "-"), rules
 * when the text holds a colon, a file that cannot be opened otherwise. */
static int load_rules(struct tier_run *R, const char *arg)
{
	struct stat st;
	int error;

	if (!strcmp(arg, "-") || stat(arg, &st) == 0 || !strchr(arg, ':'))
		error = loyal_tier_rules_load(&R->rules, arg);
	else
		error = loyal_tier_rules_parse(&R->rules, arg, strlen(arg), "--members");
	return error < 0 ? cli_lib_error(error) : 0;
}

/* The tiers of the customers on the day of measures m. */
static int tiers_of(struct tier_run *R, loyal_tiers **out, const loyal_measures *m)
{
	int error = R->rules ? loyal_tiers_by_rules(out, m, R->rules)
			     : loyal_tiers_by_value(out, m, &R->vo);
	return error < 0 ? cli_lib_error(error) : 0;
}

/* The measures and tiers on the as-of date, and with --compare on its date
 * and the migration between them. */
static int measure(struct tier_run *R)
{
	int32_t as_of = loyal_txn_as_of(R->d.acc);
	int rc, error;

	R->now = R->then = (loyal_measures)LOYAL_MEASURES_INIT;
	if ((error = loyal_txn_window_new(&R->w_now, R->d.acc, R->d.days, as_of, R->window)) < 0 ||
	    (error = loyal_txn_window_measures(&R->now, R->w_now)) < 0)
		return cli_lib_error(error);
	if (R->clv) {
		if (!(R->values = malloc((R->now.n ? R->now.n : 1) * sizeof(double))))
			return cli_oom();
		if ((rc = clv_values(R->values, &R->d, &R->c)) != 0)
			return rc;
		R->now.value = R->values;
	}
	if ((rc = tiers_of(R, &R->t_now, &R->now)) != 0)
		return rc;
	if (!R->has_compare)
		return 0;
	if ((error = loyal_txn_window_new(&R->w_then, R->d.acc, R->d.days, R->compare,
					  R->window)) < 0 ||
	    (error = loyal_txn_window_measures(&R->then, R->w_then)) < 0)
		return cli_lib_error(error);
	if ((rc = tiers_of(R, &R->t_then, &R->then)) != 0)
		return rc;
	if ((error = loyal_tier_migration_compute(&R->mig, R->t_then, R->t_now)) < 0)
		return cli_lib_error(error);
	return 0;
}

/* A tier as an output value: its name, or null for no tier. */
static struct cli_value tier_value(const loyal_tiers *t, int k)
{
	const char *name = loyal_tiers_tier_name(t, k);
	return name ? CLI_STR(name) : CLI_NULL;
}

static int customer_row(void *ctx, size_t i, struct cli_value *v)
{
	struct tier_run *R = ctx;
	loyal_txn_customer cu = LOYAL_TXN_CUSTOMER_INIT;
	size_t n = 0, ng;
	int error;

	if ((error = loyal_txn_customer_get(&cu, R->d.acc, i)) < 0)
		return cli_lib_error(error);
	v[n++] = CLI_STR(cu.id);
	if ((ng = txn_group_values(v + n, &R->d, cu.group)) == SIZE_MAX)
		return cli_oom();
	n += ng;
	if (R->has_compare) {
		if (R->then.present[i]) {
			v[n++] = CLI_INT(R->then.purchases[i]);
			v[n++] = CLI_NUM((double)R->then.spend[i] / 1e6);
		} else {
			/* not a customer yet on that day */
			v[n++] = CLI_NULL;
			v[n++] = CLI_NULL;
		}
		v[n++] = tier_value(R->t_then, loyal_tiers_tier_of(R->t_then, i));
	}
	v[n++] = CLI_INT(R->now.purchases[i]);
	v[n++] = CLI_NUM((double)R->now.spend[i] / 1e6);
	if (R->clv)
		v[n++] = CLI_NUM(R->values[i]);
	v[n++] = tier_value(R->t_now, loyal_tiers_tier_of(R->t_now, i));
	if (R->has_compare)
		v[n++] = CLI_STR(loyal_tier_move_name(loyal_tier_migration_move(R->mig, i)));
	return 0;
}

static int customer_table(struct tier_run *R, struct cli_result *res)
{
	struct cli_column *cols = R->tier_cols;
	size_t nc = 0;

	cols[nc++] = (struct cli_column){ "customer", CLI_T_STR, 0 };
	nc += txn_group_columns(cols + nc, &R->d);
	if (R->has_compare) {
		cols[nc++] = (struct cli_column){ "purchases_then", CLI_T_INT, 0 };
		cols[nc++] = (struct cli_column){ "spend_then", CLI_T_NUM, 2 };
		cols[nc++] = (struct cli_column){ "tier_then", CLI_T_STR, 0 };
	}
	cols[nc++] = (struct cli_column){ "purchases", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "spend", CLI_T_NUM, 2 };
	if (R->clv)
		cols[nc++] = (struct cli_column){ "value", CLI_T_NUM, 2 };
	cols[nc++] = (struct cli_column){ "tier", CLI_T_STR, 0 };
	if (R->has_compare)
		cols[nc++] = (struct cli_column){ "move", CLI_T_STR, 0 };
	cli_result_add(res, NULL, cols, nc, R->now.n, customer_row, R);
	return 0;
}

/* A permutation of n rows ordering them by the --by values of their
 * groups (see txn_order_rows), from a function giving each row's group. */
static size_t *order(struct tier_run *R, size_t n, uint32_t (*group)(const void *, size_t),
		     const void *x)
{
	uint32_t *g = malloc((n ? n : 1) * sizeof(*g));
	size_t *perm;

	if (!g)
		return NULL;
	for (size_t k = 0; k < n; k++)
		g[k] = group(x, k);
	perm = txn_order_rows(&R->d, g, n);
	free(g);
	return perm;
}

static uint32_t summary_group(const void *t, size_t k)
{
	return loyal_tiers_summary_at(t, k)->group;
}

static uint32_t cell_group(const void *m, size_t k)
{
	return loyal_tier_migration_cell_at(m, k)->group;
}

static uint32_t total_group(const void *m, size_t k)
{
	return loyal_tier_migration_total_at(m, k)->group;
}

/* The index of (group, tier) in a table of ngroups x (ntiers + 1) slots,
 * the last of each group for no tier. */
static size_t slot(uint32_t group, int tier, size_t ntiers)
{
	return (size_t)group * (ntiers + 1) + (tier >= 0 ? (size_t)tier : ntiers);
}

static int tier_row(void *ctx, size_t k, struct cli_value *v)
{
	struct tier_run *R = ctx;
	const loyal_tiers *t = R->t_now;
	const loyal_tiers_summary_row *x = loyal_tiers_summary_at(t, R->tier_perm[k]);
	size_t n;

	if ((n = txn_group_values(v, &R->d, x->group)) == SIZE_MAX)
		return cli_oom();
	v[n++] = tier_value(t, x->tier);
	if (R->has_compare) {
		/* the same group and tier on the earlier day: absent when the
		 * group had no customer by then */
		size_t j = x->group < R->ngroups ? R->then_at[slot(x->group, x->tier, R->ntiers)]
						 : SIZE_MAX;
		const loyal_tiers_summary_row *y =
			j == SIZE_MAX ? NULL : loyal_tiers_summary_at(R->t_then, j);
		v[n++] = y ? CLI_INT(y->customers) : CLI_INT(0);
		v[n++] = y ? txn_num(y->customers_pct) : CLI_NULL;
		v[n++] = y ? CLI_NUM(y->spend) : CLI_NUM(0);
		v[n++] = y ? txn_num(y->spend_pct) : CLI_NULL;
	}
	v[n++] = CLI_INT(x->customers);
	v[n++] = txn_num(x->customers_pct);
	v[n++] = CLI_NUM(x->spend);
	v[n++] = txn_num(x->spend_pct);
	if (!R->has_compare) {
		v[n++] = txn_num(x->mean_spend);
		v[n++] = txn_num(x->mean_purchases);
		if (R->clv) {
			v[n++] = txn_num(x->value);
			v[n++] = txn_num(x->value_pct);
		}
		if (R->rules == NULL) {
			v[n++] = txn_num(x->min_value);
			v[n++] = txn_num(x->max_value);
		}
	}
	return 0;
}

/* Summary per tier: one table, or with --compare the tiers on both days
 * side by side. */
static int tier_table(struct tier_run *R, struct cli_result *res)
{
	const loyal_tiers *t = R->t_now;
	struct cli_column *cols = R->tier_cols;
	size_t nrows = loyal_tiers_summary_count(t), nc;
	int value = R->rules == NULL;

	R->ntiers = loyal_tiers_tier_count(t);
	R->ngroups = R->c.by.n ? cli_groups_count(&R->d.groups) : 1;
	if (!(R->tier_perm = order(R, nrows, summary_group, t)))
		return cli_oom();
	if (R->has_compare) {
		/* where each (group, tier) of the earlier day is in its summary */
		size_t nslots = R->ngroups * (R->ntiers + 1);
		if (!(R->then_at = malloc((nslots ? nslots : 1) * sizeof(*R->then_at))))
			return cli_oom();
		for (size_t k = 0; k < nslots; k++)
			R->then_at[k] = SIZE_MAX;
		for (size_t k = 0; k < loyal_tiers_summary_count(R->t_then); k++) {
			const loyal_tiers_summary_row *y = loyal_tiers_summary_at(R->t_then, k);
			if (y->group < R->ngroups)
				R->then_at[slot(y->group, y->tier, R->ntiers)] = k;
		}
	}
	nc = txn_group_columns(cols, &R->d);
	cols[nc++] = (struct cli_column){ "tier", CLI_T_STR, 0 };
	if (R->has_compare) {
		cols[nc++] = (struct cli_column){ "customers_then", CLI_T_INT, 0 };
		cols[nc++] = (struct cli_column){ "customers_pct_then", CLI_T_NUM, 1 };
		cols[nc++] = (struct cli_column){ "spend_then", CLI_T_NUM, 2 };
		cols[nc++] = (struct cli_column){ "spend_pct_then", CLI_T_NUM, 1 };
	}
	cols[nc++] = (struct cli_column){ "customers", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "customers_pct", CLI_T_NUM, 1 };
	cols[nc++] = (struct cli_column){ "spend", CLI_T_NUM, 2 };
	cols[nc++] = (struct cli_column){ "spend_pct", CLI_T_NUM, 1 };
	if (!R->has_compare) {
		cols[nc++] = (struct cli_column){ "mean_spend", CLI_T_NUM, 2 };
		cols[nc++] = (struct cli_column){ "mean_purchases", CLI_T_NUM, 2 };
		if (R->clv) {
			cols[nc++] = (struct cli_column){ "value", CLI_T_NUM, 2 };
			cols[nc++] = (struct cli_column){ "value_pct", CLI_T_NUM, 1 };
		}
		if (value) {
			cols[nc++] = (struct cli_column){ "min_value", CLI_T_NUM, 2 };
			cols[nc++] = (struct cli_column){ "max_value", CLI_T_NUM, 2 };
		}
	}
	cli_result_add(res, "tiers", cols, nc, nrows, tier_row, R);
	return 0;
}

static int cell_row(void *ctx, size_t k, struct cli_value *v)
{
	struct tier_run *R = ctx;
	const loyal_tier_migration_cell *x = loyal_tier_migration_cell_at(R->mig, R->cell_perm[k]);
	size_t n;

	if ((n = txn_group_values(v, &R->d, x->group)) == SIZE_MAX)
		return cli_oom();
	v[n++] = tier_value(R->t_then, x->from);
	v[n++] = tier_value(R->t_now, x->to);
	v[n++] = CLI_STR(loyal_tier_move_name(x->move));
	v[n++] = CLI_INT(x->customers);
	return 0;
}

static int total_row(void *ctx, size_t k, struct cli_value *v)
{
	struct tier_run *R = ctx;
	const loyal_tier_migration_total *x = loyal_tier_migration_total_at(R->mig, R->total_perm[k]);
	size_t n;

	if ((n = txn_group_values(v, &R->d, x->group)) == SIZE_MAX)
		return cli_oom();
	v[n++] = CLI_STR(loyal_tier_move_name(x->move));
	v[n++] = CLI_INT(x->customers);
	v[n++] = txn_num(x->customers_pct);
	return 0;
}

/* With --compare: the migration matrix, one row per cell, and the totals
 * per move. */
static int migration_tables(struct tier_run *R, struct cli_result *res)
{
	size_t ncells = loyal_tier_migration_cell_count(R->mig);
	size_t ntotals = loyal_tier_migration_total_count(R->mig);
	struct cli_column *cols = R->cell_cols;
	size_t nc;

	if (!(R->cell_perm = order(R, ncells, cell_group, R->mig)) ||
	    !(R->total_perm = order(R, ntotals, total_group, R->mig)))
		return cli_oom();
	nc = txn_group_columns(cols, &R->d);
	cols[nc++] = (struct cli_column){ "from", CLI_T_STR, 0 };
	cols[nc++] = (struct cli_column){ "to", CLI_T_STR, 0 };
	cols[nc++] = (struct cli_column){ "move", CLI_T_STR, 0 };
	cols[nc++] = (struct cli_column){ "customers", CLI_T_INT, 0 };
	cli_result_add(res, "migration", cols, nc, ncells, cell_row, R);
	cols = R->move_cols;
	nc = txn_group_columns(cols, &R->d);
	cols[nc++] = (struct cli_column){ "move", CLI_T_STR, 0 };
	cols[nc++] = (struct cli_column){ "customers", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "customers_pct", CLI_T_NUM, 1 };
	cli_result_add(res, "moves", cols, nc, ntotals, total_row, R);
	return 0;
}

/* The result: the customers, or with --summary the tiers (and with
 * --compare the migration, one JSON object of three tables). */
static int result_of(struct tier_run *R, struct cli_result *res)
{
	int rc;

	if (!R->summary)
		return customer_table(R, res);
	res->named = R->has_compare;
	if ((rc = tier_table(R, res)) != 0 || !R->has_compare)
		return rc;
	return migration_tables(R, res);
}

static void run_dispose(struct tier_run *R)
{
	loyal_tier_migration_free(R->mig);
	loyal_tiers_free(R->t_now);
	loyal_tiers_free(R->t_then);
	loyal_txn_window_free(R->w_now);
	loyal_txn_window_free(R->w_then);
	loyal_tier_rules_free(R->rules);
	free(R->values);
	free(R->tier_perm);
	free(R->then_at);
	free(R->cell_perm);
	free(R->total_perm);
	txn_data_dispose(&R->d);
}

/* The options, checked; the --members rules loaded. */
static int parse(struct tier_run *R, int argc, char **argv, int *nargs)
{
	const char *value_text = NULL, *split_text = NULL, *members_text = NULL;
	const char *window_text = NULL;
	uint64_t window = 0;
	int rc;

	R->vo = (loyal_value_tier_options)LOYAL_VALUE_TIER_OPTIONS_INIT;
	const struct cli_opt opts[] = {
		CLI_OPT_GROUP("Tiers"),
		CLI_OPT_STRING(0, "value", "WHAT", &value_text,
			       "value tiers by spend (net spend, default) or clv (lifetime value, as "
			       "loyal clv computes it)"),
		CLI_OPT_STRING(0, "split", "H,M", &split_text,
			       "value tiers: the top H% are high, the next M% mid (default 20,30)"),
		CLI_OPT_STRING(0, "members", "RULES", &members_text,
			       "member tiers by rules ('gold: spend >= 5000, purchases >= 12; "
			       "silver: spend >= 1000; bronze:') or a file of them"),
		CLI_OPT_STRING(0, "window", "DAYS", &window_text,
			       "spend and purchases of the DAYS days ending on the day of the tiers "
			       "(default: all history)"),
		CLI_OPT_STRING(0, "compare", "DATE", &R->compare_text,
			       "also the tiers on DATE, and each customer's move since"),
		CLI_OPT_FLAG(0, "summary", &R->summary,
			     "one row per tier with its share of spend; with --compare, the "
			     "migration matrix too"),
		TXN_OPTS_INPUT(&R->t),
		CLI_OPTS_INPUT(&R->c),
		CLI_OPT_THREADS(&R->c),
		CLI_OPT_GROUP("Grouping"),
		CLI_OPT_LIST(0, "by", "COL", &R->c.by,
			     "rank within each group of customers by COL at first purchase (repeatable)"),
		CLI_OPT_STRING(0, "from", "DATE", &R->c.from, "ignore rows dated before DATE"),
		CLI_OPT_STRING(0, "to", "DATE", &R->c.to, "ignore rows dated after DATE"),
		CLI_OPTS_OUTPUT(&R->c),
		CLI_OPTS_PARTIAL(&R->c),
		CLI_OPT_END
	};

	if ((rc = cli_parse(&info, opts, argc, argv, nargs)) != CLI_CONTINUE)
		return rc;
	if (value_text && strcmp(value_text, "spend") && strcmp(value_text, "clv"))
		return cli_usage_error(&info, "unknown value '%s' (spend or clv)", value_text);
	R->clv = value_text && !strcmp(value_text, "clv");
	if (R->clv && (R->compare_text || window_text))
		return cli_usage_error(&info, "--value clv ranks the lifetime value on the as-of "
				       "date, from all history: not with --compare or --window");
	if (R->clv && R->t.occasion_name)
		return cli_usage_error(&info, "--value clv counts purchases in days, as the models "
				       "do: --occasion does not apply");
	if (R->clv)
		txn_opts_days(&R->t);
	R->t.need_amount = 1;
	if ((rc = cli_common_finish(&info, &R->c)) != CLI_CONTINUE ||
	    (rc = txn_opts_finish(&info, &R->t)) != CLI_CONTINUE)
		return rc;
	if (members_text && (value_text || split_text))
		return cli_usage_error(&info, "--members gives member tiers; --value and --split "
				       "are for value tiers");
	if (split_text && (rc = parse_split(R, split_text)) != 0)
		return rc;
	if (window_text) {
		if (cli_parse_count(&window, "--window", window_text, 1, 3652059))
			return CLI_EXIT_USAGE;
		R->window = (int32_t)window;
	}
	if (R->compare_text) {
		if (cli_parse_day(&R->compare, "--compare", R->compare_text))
			return CLI_EXIT_USAGE;
		R->has_compare = 1;
	}
	if (*nargs == 0)
		return cli_usage_error(&info, "no input file (use - for standard input)");
	for (int i = 0; members_text && !strcmp(members_text, "-") && i < *nargs; i++)
		if (!strcmp(argv[i], "-"))
			return cli_usage_error(&info, "--members - and the input - cannot both be "
					       "standard input");
	if (members_text && (rc = load_rules(R, members_text)) != 0)
		return rc;
	if (R->t.has_as_of && R->has_compare && R->compare > R->t.as_of)
		return cli_usage_error(&info, "--compare %s is after --as-of %s: compare with an "
				       "earlier date", R->compare_text, R->t.as_of_text);
	return CLI_CONTINUE;
}

/* Load the inputs, the tiers on the as-of date (and --compare's), and the
 * result's tables. */
static int compute(struct tier_run *R, char **files, int nfiles, struct cli_result *res)
{
	int rc;

	/* the daily amounts, for a window or an earlier day; a partial
	 * state keeps them, so that its merge can use --window or --compare */
	R->t.need_days = R->window > 0 || R->has_compare || R->c.partial;
	if ((rc = txn_load(&R->d, &R->c, &R->t, files, nfiles)) != 0)
		return rc;
	if (R->has_compare && R->compare > loyal_txn_as_of(R->d.acc)) {
		char as_of[16];
		loyal_date_format(as_of, sizeof(as_of), loyal_txn_as_of(R->d.acc));
		return cli_usage_error(&info, "--compare %s is after the as-of date %s (the last "
				       "date in the data): compare with an earlier date",
				       R->compare_text, as_of);
	}
	if ((rc = measure(R)) != 0)
		return rc;
	return result_of(R, res);
}

int cmd_tiers(int argc, char **argv)
{
	struct tier_run R;
	struct cli_result res = { 0 };
	int nargs, rc;

	memset(&R, 0, sizeof(R));
	if ((rc = parse(&R, argc, argv, &nargs)) == CLI_CONTINUE &&
	    (rc = compute(&R, argv, nargs, &res)) == 0)
		rc = cli_render(&res, &R.c);
	run_dispose(&R);
	return rc;
}
