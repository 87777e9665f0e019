#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model_input.h"

static const struct cli_command_info info = {
	"clv",
	"loyal clv [options] FILE...",
	"Customer lifetime value over the next --months months of 30 days: the expected\n"
	"purchases of each month (BG/NBD model) times the customer's expected spend per\n"
	"purchase (Gamma-Gamma model), discounted by --discount a month. Needs amounts.\n"
	"--params prints both fitted models.",
};

enum sort_key { SORT_NONE = 0, SORT_CLV, SORT_EXPECTED, SORT_SPEND };

static int oom(void)
{
	cli_error("out of memory");
	return CLI_EXIT_OSERR;
}

int cmd_clv(int argc, char **argv)
{
	struct cli_common c = { 0 };
	struct txn_opts t = { 0 };
	struct txn_data d = { 0 };
	struct model_opts mo = { 0 };
	struct model_customers m = { 0 };
	struct cli_out *out = NULL;
	loyal_bgnbd_params bg;
	loyal_gg_params gg;
	loyal_gg_data *gd = NULL;
	const char *months_text = NULL, *discount_text = NULL, *sort_text = NULL, *top_text = NULL;
	double *pa = NULL, *prev = NULL, *cur = NULL, *spend = NULL, *clv = NULL;
	size_t *perm = NULL;
	int params = 0, nargs, rc, error;
	enum sort_key sort = SORT_NONE;
	uint64_t months = 12, top = UINT64_MAX;
	double discount = 0.01;
	const struct cli_opt opts[] = {
		CLI_OPT_GROUP("Lifetime value"),
		CLI_OPT_STRING(0, "months", "M", &months_text,
			       "months of 30 days to add up (default 12)"),
		CLI_OPT_STRING(0, "discount", "D", &discount_text,
			       "discount rate per month, 0.01 for 1% (default 0.01)"),
		CLI_OPT_STRING(0, "sort", "KEY", &sort_text,
			       "clv, expected_purchases or expected_spend, highest first "
			       "(default: input order)"),
		CLI_OPT_STRING(0, "top", "N", &top_text, "only the first N customers"),
		CLI_OPT_FLAG(0, "params", &params,
			     "print both fitted models instead of the customers"),
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
	if (months_text) {
		if (cli_parse_count(&months, "--months", months_text, 1, 1200))
			return CLI_EXIT_USAGE;
	}
	if (discount_text) {
		if (cli_parse_number(&discount, "--discount", discount_text))
			return CLI_EXIT_USAGE;
		if (!(discount >= 0 && discount < 1))
			return cli_usage_error(&info, "--discount needs a monthly rate from 0 to below 1 "
					       "(0.01 is 1%%), not '%s'", discount_text);
	}
	if (sort_text) {
		if (!strcmp(sort_text, "clv"))
			sort = SORT_CLV;
		else if (!strcmp(sort_text, "expected_purchases"))
			sort = SORT_EXPECTED;
		else if (!strcmp(sort_text, "expected_spend"))
			sort = SORT_SPEND;
		else
			return cli_usage_error(&info, "unknown sort key '%s' (clv, expected_purchases "
					       "or expected_spend)", sort_text);
	}
	if (top_text && model_parse_top(&info, &top, top_text))
		return CLI_EXIT_USAGE;
	if (params && (months_text || discount_text || sort_text || top_text))
		return cli_usage_error(&info, "--months, --discount, --sort and --top apply to the "
				       "customer rows, not to --params");
	txn_opts_days(&t);
	t.need_amount = 1;
	if ((rc = txn_opts_finish(&info, &t)) != CLI_CONTINUE)
		return rc;
	if (nargs == 0)
		return cli_usage_error(&info, "no input file (use - for standard input)");
	if ((rc = txn_load(&d, &c, &t, argv, nargs)) != 0)
		goto done;

	int32_t cut = loyal_txn_as_of(d.acc);
	size_t n;
	if ((rc = model_customers_load(&m, d.acc, cut, mo.unit_days)) != 0 ||
	    (rc = model_fit_bgnbd(&bg, &m, &mo)) != 0)
		goto done;
	n = m.n;

	/* The spend model: repeat customers whose mean repeat spend and net
	 * spend are both above 0. Everyone else gets the population mean. */
	uint64_t one_time = 0, nonpositive = 0;
	if ((error = loyal_gg_data_new(&gd)) < 0) {
		rc = cli_lib_error(error);
		goto done;
	}
	if (!(spend = malloc((n ? n : 1) * sizeof(*spend)))) {
		rc = oom();
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		loyal_txn_customer cu;
		if ((error = loyal_txn_customer_get(&cu, d.acc, m.index[i])) < 0) {
			rc = cli_lib_error(error);
			goto done;
		}
		spend[i] = NAN; /* the population mean, once known */
		if (cu.x == 0) {
			one_time++;
		} else if (!(cu.mean_repeat_spend > 0) || cu.spend <= 0) {
			nonpositive++;
		} else {
			spend[i] = cu.mean_repeat_spend;
			if ((error = loyal_gg_data_add(gd, (double)cu.x, cu.mean_repeat_spend)) < 0) {
				rc = cli_lib_error(error);
				goto done;
			}
		}
	}
	if (!c.quiet) {
		uint64_t fitted = loyal_gg_data_customers(gd);
		cli_error("spend model: %llu repeat customer%s fitted; %llu one-time buyer%s and "
			  "%llu repeat customer%s whose mean repeat spend or net spend is 0 or less "
			  "get the population mean",
			  (unsigned long long)fitted, fitted == 1 ? "" : "s",
			  (unsigned long long)one_time, one_time == 1 ? "" : "s",
			  (unsigned long long)nonpositive, nonpositive == 1 ? "" : "s");
	}
	if (loyal_gg_data_customers(gd) < 2) {
		/* say why in this command's terms, not the library's */
		cli_error("the Gamma-Gamma spend model needs at least 2 repeat customers whose "
			  "mean repeat spend and net spend are above 0; %llu of %llu repeat "
			  "customer%s qualify",
			  (unsigned long long)loyal_gg_data_customers(gd),
			  (unsigned long long)(n - one_time), n - one_time == 1 ? "" : "s");
		rc = CLI_EXIT_DATA;
		goto done;
	}
	if ((rc = model_fit_gg(&gg, gd, &mo)) != 0)
		goto done;
	double population = loyal_gg_expected_spend(&gg, 0, 0);

	if (params) {
		struct cli_column cols[24];
		size_t nc = model_params_columns(cols, 1);
		if ((rc = cli_out_open(&out, &c, cols, nc)) == 0)
			rc = model_params_write(out, &bg, &gg, &mo);
		/* closed here: the output reads cols until then */
		rc = cli_out_close(out, rc);
		out = NULL;
		goto done;
	}

	/* Expected spend per purchase, then CLV = sum over months i of
	 * (E[Y(30 i days)] - E[Y(30 (i-1) days)]) spend / (1 + d)^i. */
	for (size_t i = 0; i < n; i++)
		spend[i] = isnan(spend[i]) ? population
			 : loyal_gg_expected_spend(&gg, m.x[i], spend[i]);
	if (!(pa = malloc((n ? n : 1) * sizeof(*pa))) || !(prev = calloc(n ? n : 1, sizeof(*prev))) ||
	    !(cur = malloc((n ? n : 1) * sizeof(*cur))) || !(clv = calloc(n ? n : 1, sizeof(*clv)))) {
		rc = oom();
		goto done;
	}
	double factor = 1.0;
	for (uint64_t i = 1; i <= months; i++) {
		double horizon = 30.0 * (double)i / mo.unit_days;
		if ((error = loyal_bgnbd_score(&bg, horizon, n, m.x, m.t_x, m.T, i == 1 ? pa : NULL,
					       cur)) < 0) {
			rc = cli_lib_error(error);
			goto done;
		}
		factor /= 1.0 + discount;
		for (size_t k = 0; k < n; k++)
			clv[k] += (cur[k] - prev[k]) * spend[k] * factor;
		double *swap = prev;
		prev = cur;
		cur = swap;
	}
	/* prev now holds E[Y(30 M days)] */
	if (sort != SORT_NONE) {
		const double *src = sort == SORT_CLV ? clv : sort == SORT_EXPECTED ? prev : spend;
		if (!(perm = model_order(src, n))) {
			rc = CLI_EXIT_OSERR;
			goto done;
		}
	}

	static const struct cli_column cols[] = {
		{ "customer", CLI_T_STR, 0 },
		{ "p_alive", CLI_T_NUM, 4 },
		{ "expected_purchases", CLI_T_NUM, 4 },
		{ "expected_spend", CLI_T_NUM, 2 },
		{ "clv", CLI_T_NUM, 2 },
	};
	if ((rc = cli_out_open(&out, &c, cols, sizeof(cols) / sizeof(cols[0]))) != 0)
		goto done;
	for (size_t r = 0; r < n && r < top; r++) {
		size_t i = perm ? perm[r] : r;
		loyal_txn_customer cu;
		if ((error = loyal_txn_customer_get(&cu, d.acc, m.index[i])) < 0) {
			rc = cli_lib_error(error);
			goto done;
		}
		if (!isfinite(pa[i]) || !isfinite(prev[i]) || !isfinite(spend[i]) || !isfinite(clv[i])) {
			cli_error("internal error: no value for customer '%s'", cu.id);
			rc = CLI_EXIT_SOFTWARE;
			goto done;
		}
		struct cli_value v[] = {
			CLI_STR(cu.id), CLI_NUM(pa[i]), CLI_NUM(prev[i]), CLI_NUM(spend[i]),
			CLI_NUM(clv[i]),
		};
		if ((rc = cli_out_row(out, v)) != 0)
			goto done;
	}
done:
	rc = cli_out_close(out, rc);
	loyal_gg_data_free(gd);
	free(pa);
	free(prev);
	free(cur);
	free(spend);
	free(clv);
	free(perm);
	model_customers_dispose(&m);
	txn_data_dispose(&d);
	return rc;
}
