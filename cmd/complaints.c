#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli_file.h"
#include "cli_prefix.h"
#include "result.h"
#include "partial.h"
#include "txn_input.h"
#include "txn_partial.h"

static const struct cli_command_info info = {
	"complaints",
	"loyal complaints [options] --orders ORDERS.csv COMPLAINTS.csv...",
	"Complaint rate: complaints set against the customers and orders of the same\n"
	"period (--period, --by a column of the complaints file). complaint_rate is\n"
	"complaining customers per 100 active customers (a purchase in the period);\n"
	"complaints_per_100_orders, repeat complainers and the resolution rate go with\n"
	"it. --churn compares the inactivity churn of customers who complained with\n"
	"that of the others. Ids are matched exactly, then trimmed, then case-folded;\n"
	"complaints by customers not in the orders are counted and reported. The\n"
	"unprefixed input options name the complaints file's columns, the --orders-\n"
	"ones the orders file's.",
};

#define DEFAULT_INACTIVE 90

/* Everything one run works with. */
struct run {
	struct cli_common c;    /* the complaints file, grouping, output */
	struct cli_common oc;   /* the orders file */
	struct txn_opts t;
	struct txn_data d;
	struct cli_list orders;
	const char *customer_col, *resolved_col, *inactive_text;
	int skip_invalid, churn;
	uint64_t inactive;
	int has_resolved;       /* every complaints file has the column */
	loyal_idmatch *match;
	loyal_complaints *acc;
	struct cli_groups g;    /* cells: --by values and period */
	int64_t pmin, pmax;     /* periods of the complaints used */
	int have_period;
	/* every complaint row read is one of: */
	uint64_t rows, used, invalid, filtered, after_as_of, blank_lines;
	uint64_t by_rule[5];    /* used complaints per id rule (NONE: unknown) */
	uint64_t no_id;         /* used complaints without a customer id */
	uint64_t files;
	/* the result (result.h): the period table's figures and columns */
	uint64_t *active, *order_counts; /* per period from p0, np of them */
	int64_t p0, first, last;        /* rows from period first to last */
	size_t np, ncells, ntuples, at;
	uint32_t *order, *tuples;       /* cells by their --by values; each tuple's first */
	struct cli_column cols[CLI_LIST_MAX + 16];
	char key[64], as_of_text[32];
	loyal_complaints_churn_row churn_rows[2]; /* --churn */
	loyal_ztest test;
	/* --partial and --from-partial: the complaints read, in order, kept
	 * until the orders' customers and as-of are known (loyal-complaints(1),
	 * PARTIAL STATES) */
	int collect, states;
	struct kept_complaint { int32_t day; int resolved; } *kept;
	struct kept_field { size_t off, len; } *fields; /* the id, then the --by values */
	size_t nkept, kept_cap, fields_cap;
	char *text;
	size_t text_len, text_cap;
};

static int grow(void **p, size_t *cap, size_t size, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 256;
	while (c < need)
		c *= 2;
	void *q = realloc(*p, c * size);
	if (!q)
		return cli_oom();
	*p = q;
	*cap = c;
	return 0;
}

/* One complaint read (valid, within --from/--to): set against the orders
 * now, or kept for the state. vals/lens: the --by values. */
static int use_complaint(struct run *R, const char *cf, size_t clen, int32_t day, int resolved,
			 const char *const *vals, const size_t *lens, int32_t as_of)
{
	size_t nby = R->c.by.n, nf = 1 + nby;
	int error, rc;

	if (R->collect) {
		size_t need = clen + 1;
		if ((rc = grow((void **)&R->kept, &R->kept_cap, sizeof(*R->kept), R->nkept + 1)) != 0 ||
		    (rc = grow((void **)&R->fields, &R->fields_cap, sizeof(*R->fields),
			       (R->nkept + 1) * nf)) != 0)
			return rc;
		for (size_t k = 0; k < nby; k++)
			need += lens[k] + 1;
		if ((rc = grow((void **)&R->text, &R->text_cap, 1, R->text_len + need)) != 0)
			return rc;
		struct kept_field *f = &R->fields[R->nkept * nf];
		for (size_t k = 0; k < nf; k++) {
			const char *v = k ? vals[k - 1] : cf;
			size_t len = k ? lens[k - 1] : clen;
			if (len)
				memcpy(R->text + R->text_len, v, len);
			R->text[R->text_len + len] = '\0';
			f[k] = (struct kept_field){ R->text_len, len };
			R->text_len += len + 1;
		}
		R->kept[R->nkept++] = (struct kept_complaint){ day, resolved };
		return 0;
	}
	if (day > as_of) {
		/* the orders end at as-of: a later complaint has no period to
		 * be set against */
		R->after_as_of++;
		return 0;
	}
	uint32_t who = LOYAL_COMPLAINTS_UNKNOWN, cell;
	loyal_idmatch_rule rule = LOYAL_IDMATCH_NONE;
	char norm[8];
	if (loyal_idmatch_normalize(norm, sizeof(norm), cf, clen) == 0) {
		R->no_id++;
	} else {
		if ((error = loyal_idmatch_find(R->match, cf, clen, &who, &rule)) < 0)
			return cli_lib_error(error);
		if (rule == LOYAL_IDMATCH_NONE || rule == LOYAL_IDMATCH_AMBIGUOUS)
			who = LOYAL_COMPLAINTS_UNKNOWN;
		R->by_rule[rule]++;
	}
	int64_t p = R->c.period != LOYAL_PERIOD_NONE ? loyal_period_index(R->c.period, day) : 0;
	if (!R->g.lib && (error = loyal_grouping_new(&R->g.lib, nby)) < 0)
		return cli_lib_error(error);
	if ((error = loyal_grouping_add(R->g.lib, vals, lens, p, &cell, NULL)) < 0 ||
	    (error = loyal_complaints_add(R->acc, cell, who, resolved)) < 0)
		return cli_lib_error(error);
	if (!R->have_period || p < R->pmin)
		R->pmin = p;
	if (!R->have_period || p > R->pmax)
		R->pmax = p;
	R->have_period = 1;
	R->used++;
	return 0;
}

static void warn_skipped(struct run *R, const char *file, uint64_t line, size_t col,
			 const char *reason)
{
	if (R->invalid <= 10)
		cli_error("%s:%llu:%zu: %s (row skipped)", file, (unsigned long long)line, col + 1,
			  reason);
	else if (R->invalid == 11)
		cli_error("more invalid rows skipped; the count is in the summary");
}

/* Read one complaints file into the accumulator. */
static int read_file(struct run *R, const char *path, int32_t as_of)
{
	struct cli_source s;
	loyal_complaints_input_options lo = LOYAL_COMPLAINTS_INPUT_OPTIONS_INIT;
	loyal_complaints_layout layout = LOYAL_COMPLAINTS_LAYOUT_INIT;
	loyal_complaints_row row = LOYAL_COMPLAINTS_ROW_INIT;
	size_t rcol;
	int rc = 0, error;

	if ((rc = cli_source_open(&s, path, &R->c, 1)) != 0)
		return rc;
	lo.customer_col = R->customer_col;
	lo.resolved_col = R->resolved_col;
	layout.date = s.date_col;
	layout.date_format = R->c.date_format;
	if ((error = loyal_complaints_layout_resolve(&layout, s.r, &lo)) < 0) {
		rc = cli_lib_error(error);
		if (layout.customer_failed && !R->customer_col)
			fprintf(stderr, "hint: name the column with --customer-col\n");
		goto done;
	}
	rcol = layout.resolved;
	/* The resolution rate needs the flag in every file. */
	if (R->files == 0)
		R->has_resolved = rcol != SIZE_MAX;
	else if (R->has_resolved != (rcol != SIZE_MAX)) {
		cli_error("%s: %s a resolved column, unlike the first complaints file", path,
			  rcol != SIZE_MAX ? "has" : "has no");
		rc = CLI_EXIT_DATA;
		goto done;
	}
	const char *name = loyal_reader_name(s.r);
	while ((error = loyal_reader_next(s.r)) != LOYAL_ITEROVER) {
		if (error < 0) {
			if (!R->skip_invalid || !loyal_reader_can_continue(s.r)) {
				rc = cli_lib_error(error);
				goto done;
			}
			R->rows++;
			R->invalid++;
			if (R->invalid <= 10)
				cli_error("%s (row skipped)", loyal_error_last()->message);
			continue;
		}
		R->rows++;
		uint64_t line = loyal_reader_line(s.r);
		if ((error = loyal_complaints_row_read(&row, s.r, &layout)) < 0) {
			rc = cli_lib_error(error);
			goto done;
		}
		if (error) {
			if (!R->skip_invalid) {
				cli_error("%s:%llu:%zu: %s", name, (unsigned long long)line,
					  row.bad_col + 1, row.reason);
				rc = CLI_EXIT_DATA;
				goto done;
			}
			R->invalid++;
			warn_skipped(R, name, line, row.bad_col, row.reason);
			continue;
		}
		if ((R->c.has_from && row.day < R->c.from_day) || (R->c.has_to && row.day > R->c.to_day)) {
			R->filtered++;
			continue;
		}
		const char *vals[CLI_LIST_MAX];
		size_t lens[CLI_LIST_MAX];
		for (size_t k = 0; k < R->c.by.n; k++)
			vals[k] = loyal_reader_field(s.r, s.by_cols[k], &lens[k]);
		if ((rc = use_complaint(R, row.customer, row.customer_len, row.day, row.resolved, vals,
					 lens, as_of)) != 0)
			goto done;
	}
	R->blank_lines += loyal_reader_blank_lines(s.r);
done:
	cli_source_close(&s);
	return rc;
}

static void report(const struct run *R)
{
	if (R->c.quiet)
		return;
	uint64_t unknown = R->by_rule[LOYAL_IDMATCH_NONE] + R->by_rule[LOYAL_IDMATCH_AMBIGUOUS];
	cli_error("%llu complaint%s read from %llu file%s: %llu used, %llu invalid skipped, "
		  "%llu outside the date range, %llu after the as-of date; customers matched: "
		  "%llu exact, %llu after trimming spaces, %llu after folding case; "
		  "%llu complaint%s by customers not in the orders (%llu ambiguous), %llu without a "
		  "customer id",
		  (unsigned long long)R->rows, R->rows == 1 ? "" : "s",
		  (unsigned long long)R->files, R->files == 1 ? "" : "s",
		  (unsigned long long)R->used, (unsigned long long)R->invalid,
		  (unsigned long long)R->filtered, (unsigned long long)R->after_as_of,
		  (unsigned long long)R->by_rule[LOYAL_IDMATCH_EXACT],
		  (unsigned long long)R->by_rule[LOYAL_IDMATCH_TRIMMED],
		  (unsigned long long)R->by_rule[LOYAL_IDMATCH_FOLDED],
		  (unsigned long long)unknown, unknown == 1 ? "" : "s",
		  (unsigned long long)R->by_rule[LOYAL_IDMATCH_AMBIGUOUS],
		  (unsigned long long)R->no_id);
}

/* ---- the period table --------------------------------------------------- */

/* Row i: the (i / periods)-th --by tuple in the period first + i % periods;
 * the rows come in order, so R->at follows the tuple's cells. */
static int rate_row(void *ctx, size_t i, struct cli_value *v)
{
	struct run *R = ctx;
	size_t nper = (size_t)(R->last - R->first + 1), k = i / nper;
	int64_t p = R->first + (int64_t)(i % nper);
	size_t end = k + 1 < R->ntuples ? R->tuples[k + 1] : R->ncells;
	loyal_complaints_cell cell = LOYAL_COMPLAINTS_CELL_INIT;
	loyal_complaints_rates rates = LOYAL_COMPLAINTS_RATES_INIT;
	size_t n = 0;

	if (i % nper == 0)
		R->at = R->tuples[k];
	/* the tuple's cells are in period order */
	if (R->at < end && loyal_grouping_period(R->g.lib, R->order[R->at]) == p) {
		loyal_complaints_cell_get(&cell, R->acc, R->order[R->at]);
		R->at++;
	}
	if (R->ncells && (n = cli_groups_values(v, &R->g, R->order[R->tuples[k]])) == SIZE_MAX)
		return cli_oom();
	if (R->c.period != LOYAL_PERIOD_NONE) {
		loyal_period_key(R->key, sizeof(R->key), R->c.period, p);
		v[n++] = CLI_STR(R->key);
	}
	uint64_t act = p >= R->p0 && p < R->p0 + (int64_t)R->np ? R->active[p - R->p0] : 0;
	uint64_t ord = p >= R->p0 && p < R->p0 + (int64_t)R->np ? R->order_counts[p - R->p0] : 0;
	loyal_complaints_rates_of(&rates, &cell, act, ord);
	v[n++] = CLI_INT(cell.complaints);
	v[n++] = CLI_INT(cell.unknown);
	v[n++] = CLI_INT(cell.customers);
	v[n++] = CLI_INT(cell.repeat_customers);
	v[n++] = CLI_INT(act);
	v[n++] = CLI_INT(ord);
	v[n++] = txn_num(rates.complaint_rate);
	v[n++] = txn_num(rates.complaints_per_100_orders);
	if (R->has_resolved) {
		v[n++] = CLI_INT(cell.resolved);
		v[n++] = txn_num(rates.resolution_rate);
	}
	return 0;
}

static int rate_table(struct run *R, struct cli_result *res)
{
	int error;

	R->ncells = cli_groups_count(&R->g);
	if ((error = loyal_complaints_activity(&R->active, &R->order_counts, &R->p0, &R->np,
					       R->d.acc, R->c.period)) < 0)
		return cli_lib_error(error);
	R->first = R->p0;
	R->last = R->p0 + (int64_t)R->np - 1;
	if (R->have_period && R->pmin < R->first)
		R->first = R->pmin;
	if (R->have_period && R->pmax > R->last)
		R->last = R->pmax;
	/* The --by tuples: the first cell of each, in the order of the values;
	 * without --by one tuple, whether or not there are complaints. */
	if (!(R->order = cli_groups_sorted(&R->g)) ||
	    !(R->tuples = malloc((R->ncells + 1) * sizeof(*R->tuples))))
		return cli_oom();
	for (size_t i = 0; i < R->ncells; i++)
		if (i == 0 || !cli_groups_same_by(&R->g, R->order[i - 1], R->order[i]))
			R->tuples[R->ntuples++] = (uint32_t)i; /* position in order[] */
	if (R->c.by.n == 0 && R->ntuples == 0)
		R->tuples[R->ntuples++] = 0;

	struct cli_column *cols = R->cols;
	size_t nc = cli_group_columns(cols, &R->c);
	cols[nc++] = (struct cli_column){ "complaints", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "unknown_customer_complaints", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "complaining_customers", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "repeat_complainers", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "active_customers", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "orders", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "complaint_rate", CLI_T_NUM, 2 };
	cols[nc++] = (struct cli_column){ "complaints_per_100_orders", CLI_T_NUM, 2 };
	if (R->has_resolved) {
		cols[nc++] = (struct cli_column){ "resolved", CLI_T_INT, 0 };
		cols[nc++] = (struct cli_column){ "resolution_rate", CLI_T_NUM, 1 };
	}
	size_t nper = R->last >= R->first ? (size_t)(R->last - R->first + 1) : 0;
	cli_result_add(res, NULL, cols, nc, R->ntuples * nper, rate_row, R);
	return 0;
}

/* ---- --churn ------------------------------------------------------------ */

static const struct cli_column churn_cols[] = {
	{ "customers_who", CLI_T_STR, 0 }, { "customers", CLI_T_INT, 0 },
	{ "eligible", CLI_T_INT, 0 }, { "inactive", CLI_T_INT, 0 },
	{ "churn_rate", CLI_T_NUM, 1 }, { "difference", CLI_T_NUM, 1 },
	{ "z", CLI_T_NUM, 2 }, { "p_value", CLI_T_NUM, 4 },
	{ "significant", CLI_T_BOOL, 0 }, { "as_of", CLI_T_STR, 0 },
	{ "inactive_days", CLI_T_INT, 0 },
};

static int churn_row(void *ctx, size_t g, struct cli_value *v)
{
	struct run *R = ctx;
	const loyal_ztest *test = &R->test;
	size_t n = 0;

	v[n++] = CLI_STR(g == 0 ? "complained" : "did not complain");
	v[n++] = CLI_INT(R->churn_rows[g].customers);
	v[n++] = CLI_INT(R->churn_rows[g].eligible);
	v[n++] = CLI_INT(R->churn_rows[g].inactive);
	v[n++] = txn_num(R->churn_rows[g].churn_rate);
	v[n++] = g == 0 ? txn_num(test->difference) : CLI_NULL;
	v[n++] = g == 0 ? txn_num(test->z) : CLI_NULL;
	v[n++] = g == 0 ? txn_num(test->p_value) : CLI_NULL;
	v[n++] = g == 0 && test->significant >= 0 ? CLI_BOOL(test->significant) : CLI_NULL;
	v[n++] = CLI_STR(R->as_of_text);
	v[n++] = CLI_INT(R->inactive);
	return 0;
}

static int churn_table(struct run *R, struct cli_result *res)
{
	int error;

	R->churn_rows[0] = R->churn_rows[1] = (loyal_complaints_churn_row)LOYAL_COMPLAINTS_CHURN_ROW_INIT;
	R->test = (loyal_ztest)LOYAL_ZTEST_INIT;
	if ((error = loyal_complaints_churn(R->churn_rows, &R->test, R->acc, R->d.acc,
					    (int32_t)R->inactive)) < 0)
		return cli_lib_error(error);
	loyal_date_format(R->as_of_text, sizeof(R->as_of_text), loyal_txn_as_of(R->d.acc));
	cli_result_add(res, NULL, churn_cols, sizeof(churn_cols) / sizeof(churn_cols[0]), 2,
		       churn_row, R);
	return 0;
}

/* ---- partial states ----------------------------------------------------- */

/*
 * The complaints' part of a complaints state, after the orders'
 * (txn_partial.c):
 *   complaints FILES ROWS INVALID FILTERED BLANK_LINES HAS_RESOLVED COMPLAINTS
 *   c  ID DAY RESOLVED BY...   every valid complaint within --from/--to, in
 *                              the order read (the id as written, the --by
 *                              values)
 *   complaints-end
 */

static int tail_write(void *ctx, loyal_partial_writer *w)
{
	struct run *R = ctx;
	size_t nf = 1 + R->c.by.n;
	char day[32];

	loyal_partial_put_str(w, "complaints");
	loyal_partial_put_uint(w, R->files);
	loyal_partial_put_uint(w, R->rows);
	loyal_partial_put_uint(w, R->invalid);
	loyal_partial_put_uint(w, R->filtered);
	loyal_partial_put_uint(w, R->blank_lines);
	loyal_partial_put_int(w, R->has_resolved);
	loyal_partial_put_uint(w, R->nkept);
	loyal_partial_end_line(w);
	for (size_t i = 0; i < R->nkept; i++) {
		const struct kept_field *f = &R->fields[i * nf];
		loyal_partial_put_str(w, "c");
		loyal_partial_put(w, R->text + f[0].off, f[0].len);
		loyal_date_format(day, sizeof(day), R->kept[i].day);
		loyal_partial_put_str(w, day);
		loyal_partial_put_int(w, R->kept[i].resolved);
		for (size_t k = 1; k < nf; k++)
			loyal_partial_put(w, R->text + f[k].off, f[k].len);
		if (loyal_partial_end_line(w) < 0)
			return CLI_EXIT_IOERR;
	}
	loyal_partial_put_str(w, "complaints-end");
	if (loyal_partial_end_line(w) < 0)
		return CLI_EXIT_IOERR;
	return 0;
}

static int tail_read(void *ctx, loyal_partial_reader *r, const char *path)
{
	struct run *R = ctx;
	size_t nby = R->c.by.n;
	uint64_t v[7];
	int error, rc;

	if (strcmp(loyal_partial_field(r, 0, NULL), "complaints"))
		return partial_error(loyal_partial_fail(r, 1, "a 'complaints' record was expected"));
	if ((error = loyal_partial_expect(r, 8)) < 0)
		return partial_error(error);
	for (size_t k = 0; k < 7; k++)
		if ((error = loyal_partial_get_uint(&v[k], r, k + 1)) < 0)
			return partial_error(error);
	if (v[5] > 1)
		return partial_error(loyal_partial_fail(r, 7, "0 or 1 was expected"));
	/* the resolution rate needs the flag in every file (as in one run) */
	if (R->states++ == 0) {
		R->has_resolved = (int)v[5];
	} else if (R->has_resolved != (int)v[5]) {
		cli_error("%s: its complaints files %s resolved column, unlike the first state's",
			  path, v[5] ? "have a" : "have no");
		return CLI_EXIT_DATA;
	}
	R->files += v[0];
	R->rows += v[1];
	R->invalid += v[2];
	R->filtered += v[3];
	R->blank_lines += v[4];
	for (uint64_t n = 0;; n++) {
		if ((rc = partial_next(r)) != 0)
			return rc;
		if (strcmp(loyal_partial_field(r, 0, NULL), "c")) {
			if (n != v[6])
				return partial_error(loyal_partial_fail(r, 1, "%llu complaints were "
									"expected, not %llu",
									(unsigned long long)v[6],
									(unsigned long long)n));
			break;
		}
		const char *vals[CLI_LIST_MAX], *id, *day;
		size_t lens[CLI_LIST_MAX], idlen;
		loyal_datetime dt;
		int64_t resolved;
		if (nby > CLI_LIST_MAX)
			return cli_lib_error(LOYAL_EINVAL);
		if ((error = loyal_partial_expect(r, 4 + nby)) < 0 ||
		    (error = loyal_partial_get_int(&resolved, r, 3, 0, 1)) < 0)
			return partial_error(error);
		id = loyal_partial_field(r, 1, &idlen);
		day = loyal_partial_field(r, 2, NULL);
		if (loyal_date_parse(&dt, day, strlen(day), "%Y-%m-%d") < 0)
			return partial_error(loyal_partial_fail(r, 3, "'%s' is not a date", day));
		for (size_t k = 0; k < nby; k++)
			vals[k] = loyal_partial_field(r, 4 + k, &lens[k]);
		if ((rc = use_complaint(R, id, idlen, dt.days, (int)resolved, vals, lens, 0)) != 0)
			return rc;
	}
	if (strcmp(loyal_partial_field(r, 0, NULL), "complaints-end") || loyal_partial_nfields(r) != 1)
		return partial_error(loyal_partial_fail(r, 1, "'complaints-end' was expected"));
	return 0;
}

/* ---- the command -------------------------------------------------------- */

static int load(struct run *R, char **files, int nfiles)
{
	char *order_files[CLI_LIST_MAX];
	struct txn_partial_tail tail = { tail_write, tail_read, R };
	int rc, error;

	for (size_t i = 0; i < R->orders.n; i++)
		order_files[i] = (char *)R->orders.items[i];
	if (R->c.partial || R->c.from_partial) {
		/* the complaints are kept until the orders' customers and as-of
		 * are known: read first, or from the states with the orders */
		R->collect = 1;
		for (int i = 0; !R->c.from_partial && i < nfiles; i++) {
			if ((rc = read_file(R, files[i], INT32_MAX)) != 0)
				return rc;
			R->files++;
		}
		txn_partial_set_tail(&tail);
		rc = R->c.from_partial ? txn_load(&R->d, &R->oc, &R->t, files, nfiles)
				       : txn_load(&R->d, &R->oc, &R->t, order_files, (int)R->orders.n);
		txn_partial_set_tail(NULL);
	} else {
		rc = txn_load(&R->d, &R->oc, &R->t, order_files, (int)R->orders.n);
	}
	if (rc != 0)
		return rc;
	if ((error = loyal_idmatch_new(&R->match)) < 0 ||
	    (error = loyal_complaints_new(&R->acc)) < 0)
		return cli_lib_error(error);
	for (size_t i = 0; i < loyal_txn_customer_count(R->d.acc); i++) {
		loyal_txn_customer cu = LOYAL_TXN_CUSTOMER_INIT;
		if ((error = loyal_txn_customer_get(&cu, R->d.acc, i)) < 0 ||
		    (error = loyal_idmatch_add(R->match, cu.id, cu.id_len, (uint32_t)i)) < 0)
			return cli_lib_error(error);
	}
	/* the cells' values shown are the --by values: the period is the
	 * table's own column */
	if ((rc = cli_groups_init_as(&R->g, &R->c, LOYAL_PERIOD_NONE)) != 0)
		return rc;
	int32_t as_of = loyal_txn_as_of(R->d.acc);
	for (int i = 0; !R->collect && i < nfiles; i++) {
		if ((rc = read_file(R, files[i], as_of)) != 0)
			return rc;
		R->files++;
	}
	/* the complaints of the states, in their order */
	R->collect = 0;
	for (size_t i = 0; i < R->nkept; i++) {
		const struct kept_field *f = &R->fields[i * (1 + R->c.by.n)];
		const char *vals[CLI_LIST_MAX];
		size_t lens[CLI_LIST_MAX];
		for (size_t k = 0; k < R->c.by.n; k++) {
			vals[k] = R->text + f[1 + k].off;
			lens[k] = f[1 + k].len;
		}
		if ((rc = use_complaint(R, R->text + f[0].off, f[0].len, R->kept[i].day,
					R->kept[i].resolved, vals, lens, as_of)) != 0)
			return rc;
	}
	report(R);
	return 0;
}

static int parse(struct run *R, int argc, char **argv, int *nargs)
{
	struct cli_opt_table tab;
	const struct cli_opt *opts;
	char *inputs[2 * CLI_LIST_MAX + 2];
	int rc;
	const struct cli_opt own[] = {
		CLI_OPT_GROUP("Complaints"),
		CLI_OPT_LIST(0, "orders", "FILE", &R->orders,
			     "the orders (order lines) to set the complaints against (repeatable)"),
		CLI_OPT_STRING(0, "customer-col", "NAME", &R->customer_col,
			       "complaints: customer id column (default: found by header name)"),
		CLI_OPT_STRING(0, "resolved-col", "NAME", &R->resolved_col,
			       "complaints: resolved flag column (default: 'resolved' or 'status', if any)"),
		CLI_OPT_FLAG(0, "churn", &R->churn,
			     "compare the churn rate of customers who complained with the others'"),
		CLI_OPT_STRING(0, "inactive", "DAYS", &R->inactive_text,
			       "with --churn: churned means no purchase for more than DAYS (default 90)"),
		CLI_OPT_FLAG(0, "skip-invalid", &R->skip_invalid,
			     "complaints: skip and count invalid rows instead of failing"),
		CLI_OPTS_INPUT(&R->c),
		CLI_OPT_THREADS(&R->oc),
		CLI_OPT_GROUP("Grouping"),
		CLI_OPT_LIST(0, "by", "COL", &R->c.by,
			     "one row per value of COL of the complaints file, e.g. category (repeatable)"),
		CLI_OPT_STRING(0, "period", "P", &R->c.period_name,
			       "one row per day, week, month, quarter or year (default: one row)"),
		CLI_OPT_STRING(0, "from", "DATE", &R->c.from, "ignore complaints and orders before DATE"),
		CLI_OPT_STRING(0, "to", "DATE", &R->c.to, "ignore complaints and orders after DATE"),
		CLI_OPT_END
	};
	const struct cli_opt orders_opts[] = {
		CLI_OPTS_INPUT(&R->oc),
		TXN_OPTS_INPUT(&R->t),
		CLI_OPT_END
	};
	const struct cli_opt output[] = { CLI_OPTS_PARTIAL(&R->c), CLI_OPTS_OUTPUT(&R->c), CLI_OPT_END };

	cli_opt_table_init(&tab);
	cli_opt_table_add(&tab, own);
	cli_opt_table_add_prefixed(&tab, orders_opts, "orders-", "Orders file");
	cli_opt_table_add(&tab, output);
	if (!(opts = cli_opt_table_done(&tab)))
		return CLI_EXIT_SOFTWARE;

	R->oc.opt_prefix = "orders-";
	if ((rc = cli_parse(&info, opts, argc, argv, nargs)) != CLI_CONTINUE)
		return rc;
	if (R->c.from_partial && R->orders.n)
		return cli_usage_error(&info, "--from-partial reads the states given as operands, "
				       "not --orders");
	if (R->orders.n == 0 && !R->c.from_partial)
		return cli_usage_error(&info, "--orders names the orders file: no complaint rate without it");
	if (*nargs == 0)
		return cli_usage_error(&info, "no complaints file (use - for standard input)");
	/* the state is the orders' with the complaints' after it (txn_partial.c) */
	R->oc.partial = R->c.partial;
	R->oc.from_partial = R->c.from_partial;
	if (R->c.partial)
		R->oc.output = R->c.output;
	/* Every input, complaints and orders, is read once, and none is the
	 * output (cli_parse registered the complaints files only). */
	for (int i = 0; i < *nargs; i++)
		inputs[i] = argv[i];
	for (size_t i = 0; i < R->orders.n; i++)
		inputs[*nargs + i] = (char *)R->orders.items[i];
	inputs[*nargs + R->orders.n] = NULL;
	if ((rc = cli_inputs_register(&info, inputs, *nargs + (int)R->orders.n)) != CLI_CONTINUE)
		return rc;
	/* The orders' options first: the complaints file's --date-format is
	 * then the one --from and --to are read with. */
	R->oc.quiet = R->c.quiet;
	if ((rc = cli_common_finish(&info, &R->oc)) != CLI_CONTINUE ||
	    (rc = cli_common_finish(&info, &R->c)) != CLI_CONTINUE ||
	    (rc = txn_opts_finish(&info, &R->t)) != CLI_CONTINUE)
		return rc;
	R->oc.has_from = R->c.has_from;
	R->oc.from_day = R->c.from_day;
	R->oc.from = R->c.from;
	R->oc.has_to = R->c.has_to;
	R->oc.to_day = R->c.to_day;
	R->oc.to = R->c.to;
	/* The window the user gave ends at --to: complaints up to it count,
	 * even after the last order line before it. */
	if (R->c.has_to && !R->t.has_as_of) {
		R->t.has_as_of = 1;
		R->t.as_of = R->c.to_day;
		R->t.as_of_text = R->c.to;
	}
	R->inactive = DEFAULT_INACTIVE;
	if (R->inactive_text && !R->churn)
		return cli_usage_error(&info, "--inactive goes with --churn");
	if (R->inactive_text &&
	    cli_parse_count(&R->inactive, "--inactive", R->inactive_text, 0, INT32_MAX))
		return CLI_EXIT_USAGE;
	if (R->churn && (R->c.by.n || R->c.period != LOYAL_PERIOD_NONE))
		return cli_usage_error(&info, "--churn compares all customers: it takes no --by or --period");
	return CLI_CONTINUE;
}

static int compute(struct run *R, char **files, int nfiles, struct cli_result *res)
{
	int rc;

	if ((rc = load(R, files, nfiles)) != 0)
		return rc;
	return R->churn ? churn_table(R, res) : rate_table(R, res);
}

int cmd_complaints(int argc, char **argv)
{
	struct run R;
	struct cli_result res = { 0 };
	int nargs, rc;

	memset(&R, 0, sizeof(R));
	if ((rc = parse(&R, argc, argv, &nargs)) != CLI_CONTINUE)
		return rc;
	if ((rc = compute(&R, argv, nargs, &res)) == 0)
		rc = cli_render(&res, &R.c);
	free(R.active);
	free(R.order_counts);
	free(R.order);
	free(R.tuples);
	txn_partial_set_tail(NULL);
	free(R.kept);
	free(R.fields);
	free(R.text);
	cli_groups_dispose(&R.g);
	loyal_complaints_free(R.acc);
	loyal_idmatch_free(R.match);
	txn_data_dispose(&R.d);
	return rc;
}
