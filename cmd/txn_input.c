#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "parallel.h"
#include "txn_input.h"
#include "txn_partial.h"

void txn_opts_days(struct txn_opts *t)
{
	t->occasion_given = 1;
	t->occasion = LOYAL_OCCASION_DAY;
}

int txn_opts_finish(const struct cli_command_info *info, struct txn_opts *t)
{
	if (t->occasion_name) {
		if (!strcmp(t->occasion_name, "order"))
			t->occasion = LOYAL_OCCASION_ORDER;
		else if (!strcmp(t->occasion_name, "day"))
			t->occasion = LOYAL_OCCASION_DAY;
		else
			return cli_usage_error(info, "unknown occasion '%s' (order or day)",
					       t->occasion_name);
		t->occasion_given = 1;
		if (t->occasion == LOYAL_OCCASION_DAY && t->order_col)
			return cli_usage_error(info, "--order-col cannot be used with --occasion day");
	}
	t->returns = LOYAL_RETURNS_NET_DAY;
	if (t->returns_name) {
		if (!strcmp(t->returns_name, "net-day"))
			t->returns = LOYAL_RETURNS_NET_DAY;
		else if (!strcmp(t->returns_name, "keep"))
			t->returns = LOYAL_RETURNS_KEEP;
		else
			return cli_usage_error(info, "unknown --returns '%s' (net-day or keep)",
					       t->returns_name);
	}
	if (t->amount_col && (t->qty_col || t->price_col))
		return cli_usage_error(info, "--amount-col cannot be combined with --qty-col or --price-col");
	if (t->as_of_text) {
		if (cli_parse_day(&t->as_of, "--as-of", t->as_of_text))
			return CLI_EXIT_USAGE;
		t->has_as_of = 1;
	}
	if (t->has_holdout && !t->has_as_of)
		return cli_usage_error(info, "--holdout-to needs --as-of, the end of the calibration period");
	if (t->has_holdout && t->holdout_to <= t->as_of)
		return cli_usage_error(info, "--holdout-to %s is not after --as-of %s",
				       t->holdout_text ? t->holdout_text : "", t->as_of_text);
	return CLI_CONTINUE;
}

/* ---- columns ----------------------------------------------------------- */

/* The option that names the column of a role, for the hint after a column
 * error: the flag and whether it was given. */
static const char *role_flag(loyal_role role, const struct cli_common *c,
			     const struct txn_opts *o, const char **given)
{
	switch (role) {
	case LOYAL_ROLE_DATE: *given = c->date_col; return "date-col";
	case LOYAL_ROLE_CUSTOMER: *given = o->customer_col; return "customer-col";
	case LOYAL_ROLE_ORDER: *given = o->order_col; return "order-col";
	/* a named amount column needs no hint: it was given */
	case LOYAL_ROLE_AMOUNT: *given = o->amount_col; return "amount-col";
	case LOYAL_ROLE_QUANTITY: *given = o->qty_col; return "qty-col";
	case LOYAL_ROLE_PRICE: *given = o->price_col; return "price-col";
	default: *given = NULL; return NULL;
	}
}

/* The library's reading of the options (loyal/txn_input.h). */
static void input_options(loyal_txn_input_options *in, const struct cli_common *c,
			  const struct txn_opts *o)
{
	*in = (loyal_txn_input_options)LOYAL_TXN_INPUT_OPTIONS_INIT;
	in->customer_col = o->customer_col;
	in->date_col = c->date_col;
	in->order_col = o->order_col;
	in->amount_col = o->amount_col;
	in->qty_col = o->qty_col;
	in->price_col = o->price_col;
	in->orders = !o->occasion_given ? LOYAL_TXN_ORDERS_AUTO
		   : o->occasion == LOYAL_OCCASION_DAY ? LOYAL_TXN_ORDERS_NONE
		   : LOYAL_TXN_ORDERS_REQUIRED;
	in->date_format = c->date_format;
	in->strict = o->strict;
	in->allow_exponent = o->allow_exponent;
}

int txn_source_open(struct txn_source *ts, const char *path, const struct cli_common *c,
		    struct txn_opts *o)
{
	int rc, error, kind, has_order;

	memset(ts, 0, sizeof(*ts));
	ts->layout = (loyal_txn_layout)LOYAL_TXN_LAYOUT_INIT;
	ts->order_col = ts->amount_col = ts->qty_col = ts->price_col = SIZE_MAX;
	input_options(&ts->in, c, o);
	if ((rc = cli_source_open(&ts->s, path, c, 1)) != 0)
		return rc;
	if ((error = loyal_txn_layout_resolve(&ts->layout, ts->s.r, &ts->in)) < 0) {
		const char *given, *flag = role_flag(ts->layout.failed_role, c, o, &given);
		rc = cli_lib_error(error);
		if (!given && flag)
			fprintf(stderr, "hint: name the column with --%s%s\n",
				c->opt_prefix ? c->opt_prefix : "", flag);
		goto fail;
	}
	ts->customer_col = ts->layout.customer;
	ts->order_col = ts->layout.order;
	ts->amount_col = ts->layout.amount;
	ts->qty_col = ts->layout.quantity;
	ts->price_col = ts->layout.price;
	has_order = ts->order_col != SIZE_MAX;
	kind = ts->layout.amount_kind == LOYAL_TXN_AMOUNT_COLUMN ? TXN_AMOUNT_COLUMN
	     : ts->layout.amount_kind == LOYAL_TXN_AMOUNT_QTY_PRICE ? TXN_AMOUNT_QTY_PRICE
	     : TXN_AMOUNT_NONE;
	if (o->need_amount && kind == TXN_AMOUNT_NONE) {
		cli_error("'%s' has no amount: no amount column, nor quantity and price columns, "
			  "found by header name", path);
		fprintf(stderr, "hint: name the amount with --amount-col, or --qty-col and --price-col\n");
		rc = CLI_EXIT_DATA;
		goto fail;
	}

	/* Every input must be read the same way as the first. */
	if (!o->layout_set) {
		o->layout_set = 1;
		o->has_order = has_order;
		o->amount_kind = kind;
	} else if (has_order != o->has_order) {
		cli_error("'%s' has %s order column, unlike the first input "
			  "(use --order-col or --occasion day)", path, has_order ? "an" : "no");
		rc = CLI_EXIT_DATA;
		goto fail;
	} else if ((kind == TXN_AMOUNT_NONE) != (o->amount_kind == TXN_AMOUNT_NONE)) {
		cli_error("'%s' has %s amount column, unlike the first input "
			  "(use --amount-col, or --qty-col and --price-col)", path,
			  kind == TXN_AMOUNT_NONE ? "no" : "an");
		rc = CLI_EXIT_DATA;
		goto fail;
	}
	return 0;
fail:
	cli_source_close(&ts->s);
	return rc;
}

void txn_source_close(struct txn_source *ts)
{
	cli_source_close(&ts->s);
}

/* ---- rows -------------------------------------------------------------- */

int txn_read_row(struct txn_source *ts, const struct cli_common *c, const struct txn_opts *o,
		 struct txn_row *row)
{
	loyal_txn_record rec = LOYAL_TXN_RECORD_INIT;
	loyal_txn_row_error err = LOYAL_TXN_ROW_ERROR_INIT;

	row->skip = TXN_USE;
	row->order = NULL;
	row->order_len = 0;
	row->amount = 0;
	row->bad_col = SIZE_MAX;
	row->reason[0] = '\0';
	/* the library reads the date column the source found */
	ts->layout.date = ts->s.date_col;
	if (loyal_txn_record_read(&rec, &err, ts->s.r, &ts->layout, &ts->in) < 0) {
		row->bad_col = err.column;
		if (err.code == LOYAL_TXN_BAD_GUEST)
			snprintf(row->reason, sizeof(row->reason),
				 "customer id is empty (a guest row; --strict rejects it)");
		else
			memcpy(row->reason, err.reason, sizeof(row->reason));
		return LOYAL_EVALUE;
	}
	row->customer = rec.customer;
	row->customer_len = rec.customer_len;
	row->order = rec.order;
	row->order_len = rec.order_len;
	row->day = rec.day;
	row->amount = rec.amount;

	if (row->customer_len == 0)
		row->skip = TXN_SKIP_GUEST;
	else if ((c->has_from && row->day < c->from_day) || (c->has_to && row->day > c->to_day))
		row->skip = TXN_SKIP_RANGE;
	else if (o->has_as_of && row->day > (o->has_holdout ? o->holdout_to : o->as_of))
		row->skip = TXN_SKIP_AS_OF;
	return 0;
}

int txn_row_error(const struct txn_source *ts, const struct txn_row *row)
{
	cli_error("%s:%llu:%zu: %s", loyal_reader_name(ts->s.r),
		  (unsigned long long)loyal_reader_line(ts->s.r), row->bad_col + 1, row->reason);
	return CLI_EXIT_DATA;
}

/* ---- loading ----------------------------------------------------------- */

void txn_latest_add(struct txn_latest *l, int32_t day, const char *file, uint64_t line)
{
	if (l->have && day == l->day) {
		l->rows++;
		return;
	}
	if (!l->have || day > l->day) {
		if (l->have) {
			l->before = l->day;
			l->have_before = 1;
		}
		*l = (struct txn_latest){ 1, l->have_before, day, l->before, 1, file, line };
		return;
	}
	if (!l->have_before || day > l->before) {
		l->before = day;
		l->have_before = 1;
	}
}

int txn_latest_is_outlier(const struct txn_latest *l)
{
	return l->have && l->have_before && (int64_t)l->day - l->before > 366;
}

/* Add the rows of m to l, m's rows coming after l's (the parts of a file). */
static void txn_latest_merge(struct txn_latest *l, const struct txn_latest *m)
{
	struct txn_latest r;
	int32_t cand[4];
	int n = 0;

	if (!m->have)
		return;
	if (!l->have) {
		*l = *m;
		return;
	}
	r = m->day > l->day ? *m : *l; /* on a tie, l's first row comes first */
	if (m->day == l->day)
		r.rows = l->rows + m->rows;
	/* the latest date before: the largest of the others below r.day */
	cand[n++] = l->day;
	cand[n++] = m->day;
	if (l->have_before)
		cand[n++] = l->before;
	if (m->have_before)
		cand[n++] = m->before;
	r.have_before = 0;
	for (int i = 0; i < n; i++)
		if (cand[i] < r.day && (!r.have_before || cand[i] > r.before)) {
			r.before = cand[i];
			r.have_before = 1;
		}
	*l = r;
}

/* --skip-invalid: the first MAX_WARNINGS invalid rows are reported, all
 * are counted in the summary line. A part keeps the messages of its first
 * ones; they are printed in file order when the parts are handed over, so
 * reading on several threads says what reading on one says. */
#define MAX_WARNINGS 10

/* Rows go to the accumulator in groups (loyal_txn_add_rows), with their
 * ids copied out of the reader. */
#define BATCH 256

/* Returned by load_file() when a part after the first hit a limit whose
 * position depends on the rows before it (a customer's spend out of range,
 * too many customers): the inputs are then read again on one thread, so
 * the message names the row a single read names. */
#define TXN_RETRY (-2)

/* One part of a file (the whole file when it is not split). */
struct txn_part {
	struct cli_common *c;
	const struct txn_opts *o;
	struct txn_source ts;
	loyal_txn *acc;            /* part 0: the data's accumulator; others: own */
	loyal_txn_days *days;      /* the same for the daily amounts, or NULL */
	struct cli_groups *groups; /* part 0: the data's groups; others: own */
	struct cli_groups own;
	int first;                 /* part 0 */
	uint64_t rows, skipped[TXN_SKIP__COUNT], holdout_rows;
	int32_t max_day;
	int have_day;
	struct txn_latest latest;  /* of the part's rows within --from/--to */
	const char *path;
	int rc;                    /* exit status, or TXN_RETRY */
	struct cli_msgs msgs;
	int threaded;
	/* --skip-invalid: the messages of the part's first invalid rows, and
	 * the likely encoding of text that was not UTF-8 */
	char skip_msg[MAX_WARNINGS][1200];
	const char *enc_guess;
	/* the batch */
	loyal_txn_row batch[BATCH];
	uint64_t line[BATCH];
	size_t off[BATCH][2], nb;
	char *ids;
	size_t ids_len, ids_cap;
};

static int flush(struct txn_part *p)
{
	size_t done;
	int error;

	if (!p->nb)
		return 0;
	for (size_t k = 0; k < p->nb; k++) {
		p->batch[k].customer = p->ids + p->off[k][0];
		p->batch[k].order = p->batch[k].order_len ? p->ids + p->off[k][1] : NULL;
	}
	error = loyal_txn_add_rows(p->acc, p->batch, p->nb, &done);
	/* the daily amounts get the same rows */
	for (size_t k = 0; error >= 0 && p->days && k < p->nb; k++) {
		if ((error = loyal_txn_days_add(p->days, &p->batch[k])) < 0)
			done = k;
	}
	p->nb = 0;
	p->ids_len = 0;
	if (error < 0) {
		const loyal_error_info *e = loyal_error_last();
		if (error == LOYAL_ETOOBIG && !p->first)
			return TXN_RETRY;
		cli_error("%s:%llu: %s", loyal_reader_name(p->ts.s.r),
			  (unsigned long long)p->line[done], e ? e->reason : loyal_strerror(error));
		return cli_exit_status(error);
	}
	return 0;
}

static int keep_ids(struct txn_part *p, const struct txn_row *row)
{
	size_t need = p->ids_len + row->customer_len + row->order_len;

	if (need > p->ids_cap) {
		size_t cap = p->ids_cap ? p->ids_cap : 4096;
		while (cap < need)
			cap *= 2;
		char *b = realloc(p->ids, cap);
		if (!b) {
			return cli_oom();
		}
		p->ids = b;
		p->ids_cap = cap;
	}
	p->off[p->nb][0] = p->ids_len;
	memcpy(p->ids + p->ids_len, row->customer, row->customer_len);
	p->ids_len += row->customer_len;
	p->off[p->nb][1] = p->ids_len;
	if (row->order_len)
		memcpy(p->ids + p->ids_len, row->order, row->order_len);
	p->ids_len += row->order_len;
	return 0;
}

static void read_part(void *arg)
{
	struct txn_part *p = arg;
	struct cli_common *c = p->c;
	const struct txn_opts *o = p->o;
	struct txn_row row;
	int rc = 0, error;

	if (p->threaded)
		cli_msg_sink = &p->msgs;
	while ((error = loyal_reader_next(p->ts.s.r)) != LOYAL_ITEROVER) {
		if (error < 0) {
			/* a row the reader could not take apart (number of fields,
			 * NUL byte, invalid text): with --skip-invalid, skipped */
			if (!o->skip_invalid || !loyal_reader_can_continue(p->ts.s.r))
				break;
			const loyal_error_info *e = loyal_error_last();
			uint64_t k = p->skipped[TXN_SKIP_INVALID]++;
			p->rows++;
			if (k < MAX_WARNINGS)
				snprintf(p->skip_msg[k], sizeof(p->skip_msg[k]), "%s", e->message);
			if (!p->enc_guess && e->encoding)
				p->enc_guess = e->encoding;
			continue;
		}
		if ((p->rows & 0xffff) == 0 && cli_interrupted) {
			rc = CLI_EXIT_INTERRUPTED; /* Ctrl-C in loyal shell */
			goto done;
		}
		p->rows++;
		if (txn_read_row(&p->ts, c, o, &row) < 0) {
			if (o->skip_invalid) {
				uint64_t k = p->skipped[TXN_SKIP_INVALID]++;
				if (k < MAX_WARNINGS)
					snprintf(p->skip_msg[k], sizeof(p->skip_msg[k]), "%s:%llu:%zu: %s",
						 loyal_reader_name(p->ts.s.r),
						 (unsigned long long)loyal_reader_line(p->ts.s.r),
						 row.bad_col + 1, row.reason);
				continue;
			}
			/* rows kept in the batch come first */
			if ((rc = flush(p)) == 0)
				rc = txn_row_error(&p->ts, &row);
			goto done;
		}
		/* The default as-of is the latest date within --from/--to, of
		 * any row: guest rows and returns count, rows outside do not
		 * (a guest row is skipped as a guest before its date is judged). */
		int in_range = !((c->has_from && row.day < c->from_day) ||
				 (c->has_to && row.day > c->to_day));
		if (in_range && (!p->have_day || row.day > p->max_day)) {
			p->max_day = row.day;
			p->have_day = 1;
		}
		if (in_range)
			txn_latest_add(&p->latest, row.day, p->path, loyal_reader_line(p->ts.s.r));
		if (row.skip != TXN_USE) {
			p->skipped[row.skip]++;
			continue;
		}
		uint32_t group = 0;
		if (c->by.n) {
			/* its message (out of memory) comes after those of the
			 * rows kept in the batch */
			struct cli_msgs later = { 0 }, *sink = cli_msg_sink;
			cli_msg_sink = &later;
			rc = cli_groups_id(p->groups, &p->ts.s, c, 0, &group, NULL);
			cli_msg_sink = sink;
			if (rc != 0) {
				int first = flush(p);
				if (first)
					rc = first;
				else if (sink)
					cli_msgs_append(sink, later.buf, later.len);
				else
					cli_msgs_flush(&later);
			}
			cli_msgs_free(&later);
			if (rc != 0)
				goto done;
		}
		if ((rc = keep_ids(p, &row)) != 0)
			goto done;
		p->batch[p->nb] = (loyal_txn_row){ NULL, row.customer_len, NULL, row.order_len,
						   row.day, row.amount, group };
		p->line[p->nb] = loyal_reader_line(p->ts.s.r);
		if (++p->nb == BATCH && (rc = flush(p)) != 0)
			goto done;
		if (o->has_holdout && row.day > o->as_of)
			p->holdout_rows++;
	}
	if ((rc = flush(p)) != 0)
		goto done;
	if (error != LOYAL_ITEROVER)
		rc = cli_lib_error(error);
done:
	p->rc = rc;
	cli_msg_sink = NULL;
}

/* The part's invalid rows, up to the first MAX_WARNINGS of the data (call
 * before add_counts). */
static void report_skipped(struct txn_data *d, const struct txn_part *p)
{
	uint64_t before = d->skipped[TXN_SKIP_INVALID], n = p->skipped[TXN_SKIP_INVALID];

	for (uint64_t k = 0; k < n && before + k < MAX_WARNINGS; k++)
		cli_error("%s (row skipped)", p->skip_msg[k]);
	if (before <= MAX_WARNINGS && before + n > MAX_WARNINGS)
		cli_error("more invalid rows skipped; the count is in the summary");
	if (!d->enc_guess)
		d->enc_guess = p->enc_guess;
}

static void add_counts(struct txn_data *d, const struct txn_part *p, int32_t *max_day,
		       int *have_day)
{
	d->rows += p->rows;
	d->holdout_rows += p->holdout_rows;
	for (int k = 0; k < TXN_SKIP__COUNT; k++)
		d->skipped[k] += p->skipped[k];
	if (p->have_day && (!*have_day || p->max_day > *max_day)) {
		*max_day = p->max_day;
		*have_day = 1;
	}
	txn_latest_merge(&d->latest, &p->latest);
}

/* Merge part p (after the first) into the data: its groups, renumbered,
 * then its accumulator. */
static int merge_part(struct txn_data *d, struct txn_part *p)
{
	uint32_t *map = NULL;
	int rc = 0, error;

	if (p->c->by.n) {
		if ((rc = cli_groups_merge(&d->groups, &p->own, &map)) != 0)
			return rc;
		error = loyal_txn_map_groups(p->acc, map, cli_groups_count(&p->own));
		free(map);
		if (error < 0)
			return cli_lib_error(error);
	}
	if (p->days) {
		error = loyal_txn_days_merge(d->days, p->days);
		loyal_txn_days_free(p->days);
		p->days = NULL;
		if (error < 0)
			return error == LOYAL_ETOOBIG ? TXN_RETRY : cli_lib_error(error);
	}
	/* the part's memory is given back as it is merged */
	error = loyal_txn_merge_free(d->acc, p->acc);
	p->acc = NULL;
	if (error < 0)
		return error == LOYAL_ETOOBIG ? TXN_RETRY : cli_lib_error(error);
	return 0;
}

static int load_file(struct txn_data *d, struct cli_common *c, struct txn_opts *o,
		     const char *path, int32_t *max_day, int *have_day)
{
	struct txn_source ts;
	loyal_reader *readers[LOYAL_READER_MAX_PARTS];
	struct txn_part *parts = NULL;
	void *args[LOYAL_READER_MAX_PARTS];
	size_t n = 1;
	int rc, error;

	if ((rc = txn_source_open(&ts, path, c, o)) != 0)
		return rc;
	if (!d->acc) {
		loyal_txn_options to = LOYAL_TXN_OPTIONS_INIT;
		to.occasion = o->has_order ? LOYAL_OCCASION_ORDER : LOYAL_OCCASION_DAY;
		to.threads = (unsigned)c->nthreads;
		to.returns = o->returns;
		d->has_amount = o->amount_kind != TXN_AMOUNT_NONE;
		if ((error = loyal_txn_new(&d->acc, &to)) < 0 ||
		    (o->need_days && (error = loyal_txn_days_new(&d->days)) < 0)) {
			rc = cli_lib_error(error);
			goto done;
		}
	}
	if ((rc = cli_split(&ts.s, c, readers, &n)) != 0)
		goto done;
	if (!(parts = calloc(n, sizeof(*parts)))) {
		rc = cli_oom();
		goto done;
	}
	for (size_t k = 0; k < n; k++) {
		struct txn_part *p = &parts[k];
		p->c = c;
		p->o = o;
		p->ts = ts;
		p->ts.s.r = readers[k];
		p->path = path;
		p->first = k == 0;
		p->threaded = n > 1;
		p->acc = d->acc;
		p->days = d->days;
		p->groups = &d->groups;
		args[k] = p;
		if (k == 0)
			continue;
		loyal_txn_options to = LOYAL_TXN_OPTIONS_INIT;
		to.occasion = o->has_order ? LOYAL_OCCASION_ORDER : LOYAL_OCCASION_DAY;
		to.threads = (unsigned)c->nthreads;
		to.returns = o->returns;
		p->acc = NULL;
		p->days = NULL;
		if ((error = loyal_txn_new(&p->acc, &to)) < 0 ||
		    (o->need_days && (error = loyal_txn_days_new(&p->days)) < 0)) {
			rc = cli_lib_error(error);
			goto done;
		}
		if ((rc = cli_groups_init(&p->own)) != 0)
			goto done;
		p->groups = &p->own;
	}
	cli_run_parts(n, read_part, args);
	/* Hand the parts over in file order, up to the first that failed. */
	for (size_t k = 0; k < n && rc == 0; k++) {
		struct txn_part *p = &parts[k];
		if (p->rc != TXN_RETRY)
			report_skipped(d, p);
		add_counts(d, p, max_day, have_day);
		if (p->rc == TXN_RETRY) {
			rc = TXN_RETRY;
			break;
		}
		cli_msgs_flush(&p->msgs);
		if ((rc = p->rc) != 0)
			break;
		if (k > 0)
			rc = merge_part(d, p);
	}
done:
	if (parts) {
		for (size_t k = 0; k < n; k++) {
			if (k > 0) {
				loyal_txn_free(parts[k].acc);
				loyal_txn_days_free(parts[k].days);
				cli_groups_dispose(&parts[k].own);
			}
			cli_msgs_free(&parts[k].msgs);
			free(parts[k].ids);
		}
	}
	for (size_t k = 1; k < n; k++)
		loyal_reader_free(readers[k]);
	free(parts);
	txn_source_close(&ts);
	return rc;
}

static void report(const struct cli_common *c, const struct txn_opts *o,
		   const struct txn_data *d, uint64_t used)
{
	uint64_t skipped = d->lib.return_only_rows;
	char asof[128], occ[192];

	if (c->quiet)
		return;
	for (int k = 1; k < TXN_SKIP__COUNT; k++)
		skipped += d->skipped[k];
	/* No as-of to show when no row had a date in the window. */
	snprintf(asof, sizeof(asof), "; as-of ");
	if (o->has_holdout) {
		char a[32], h[32];
		loyal_date_format(a, sizeof(a), o->as_of);
		loyal_date_format(h, sizeof(h), o->holdout_to);
		snprintf(asof, sizeof(asof), "; as-of %s; holdout to %s (%llu row%s after as-of)",
			 a, h, (unsigned long long)d->holdout_rows, d->holdout_rows == 1 ? "" : "s");
	} else if (d->as_of_known) {
		loyal_date_format(asof + 8, sizeof(asof) - 8, loyal_txn_as_of(d->acc));
	} else {
		asof[0] = '\0';
	}
	/* What a purchase occasion is, and what the cancellations removed. */
	int n = snprintf(occ, sizeof(occ), "; %llu purchase occasion%s (%s), ",
			 (unsigned long long)d->lib.occasions, d->lib.occasions == 1 ? "" : "s",
			 o->has_order ? "orders" : "days");
	if (o->returns == LOYAL_RETURNS_KEEP)
		snprintf(occ + n, sizeof(occ) - (size_t)n, "returns kept");
	else if (d->lib.cancelled_customers)
		snprintf(occ + n, sizeof(occ) - (size_t)n, "%llu cancelled by same-day returns, "
			 "leaving %llu customer%s without a purchase",
			 (unsigned long long)d->lib.cancelled_occasions,
			 (unsigned long long)d->lib.cancelled_customers,
			 d->lib.cancelled_customers == 1 ? "" : "s");
	else
		snprintf(occ + n, sizeof(occ) - (size_t)n, "%llu cancelled by same-day returns",
			 (unsigned long long)d->lib.cancelled_occasions);
	cli_error("%llu row%s read from %llu file%s: %llu used (purchase lines %llu, "
		  "return lines %llu), %llu skipped (guest rows %llu, outside --from/--to %llu, "
		  "%s %llu, returns without a purchase %llu, invalid rows %llu)%s%s",
		  (unsigned long long)d->rows, d->rows == 1 ? "" : "s",
		  (unsigned long long)d->files, d->files == 1 ? "" : "s",
		  (unsigned long long)used, (unsigned long long)d->lib.purchase_rows,
		  (unsigned long long)(d->lib.return_rows - d->lib.return_only_rows),
		  (unsigned long long)skipped,
		  (unsigned long long)d->skipped[TXN_SKIP_GUEST],
		  (unsigned long long)d->skipped[TXN_SKIP_RANGE],
		  o->has_holdout ? "after --holdout-to" : "after as-of",
		  (unsigned long long)d->skipped[TXN_SKIP_AS_OF],
		  (unsigned long long)d->lib.return_only_rows,
		  (unsigned long long)d->skipped[TXN_SKIP_INVALID], asof, occ);
}

/* ---- loads kept by loyal shell -------------------------------------------- */

struct txn_kept {
	char *key;
	struct txn_data d;
	char *file;                 /* latest.file, owned */
	int32_t max_day;
	int have_day;
	int has_order, amount_kind; /* the layout the first input fixed */
	uint64_t used;              /* when last taken, for eviction */
};

static struct txn_kept *kept;
static size_t nkept, kept_max;
static uint64_t kept_clock;

void txn_cache_clear(void)
{
	for (size_t i = 0; i < nkept; i++) {
		kept[i].d.cached = 0;
		txn_data_dispose(&kept[i].d);
		free(kept[i].key);
		free(kept[i].file);
	}
	free(kept);
	kept = NULL;
	nkept = 0;
}

void txn_cache_keep(size_t n)
{
	txn_cache_clear();
	kept_max = n;
}

static int key_add(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	char head[32];
	int h = snprintf(head, sizeof(head), s ? "%zu:" : "-:", n);

	if (*len + (size_t)h + n + 1 > *cap) {
		size_t c = (*len + (size_t)h + n + 1) * 2;
		char *p = realloc(*buf, c);
		if (!p)
			return -1;
		*buf = p;
		*cap = c;
	}
	memcpy(*buf + *len, head, (size_t)h);
	if (n)
		memcpy(*buf + *len + h, s, n);
	*len += (size_t)h + n;
	(*buf)[*len] = '\0';
	return 0;
}

/* Everything that decides what a load holds, as one string; NULL when the
 * load is not to be kept (not every file in memory) or out of memory. */
static char *kept_key(const struct cli_common *c, const struct txn_opts *o, char **files,
		      int nfiles)
{
	char *buf = NULL, num[256];
	size_t len = 0, cap = 0;
	int bad = 0;

	for (int i = 0; i < nfiles; i++)
		if (!cli_loaded(files[i]))
			return NULL;
	snprintf(num, sizeof(num), "%d %d %zu %d %d %d %ld %d %ld %d %d %d %d %d %d %d %ld %d %d %ld %zu %d",
		 c->read.delimiter, c->read.no_header, c->read.max_field_size, nfiles,
		 o->occasion_given, (int)o->occasion, (long)o->returns, o->strict,
		 (long)o->allow_exponent, o->skip_invalid, o->has_as_of, (int)o->as_of,
		 o->need_amount, o->has_holdout, (int)o->holdout_to, c->has_from,
		 (long)c->from_day, c->has_to, (int)c->to_day, (long)o->layout_set, c->by.n,
		 o->need_days);
	bad |= key_add(&buf, &len, &cap, num);
	for (int i = 0; i < nfiles; i++)
		bad |= key_add(&buf, &len, &cap, files[i]);
	const char *text[] = { c->read.encoding, c->date_col, c->date_format, o->customer_col,
			       o->order_col, o->amount_col, o->qty_col, o->price_col };
	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++)
		bad |= key_add(&buf, &len, &cap, text[i]);
	for (size_t i = 0; i < c->by.n; i++)
		bad |= key_add(&buf, &len, &cap, c->by.items[i]);
	if (bad) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Keep a finished load; d then borrows it. */
static void kept_add(char *key, struct txn_data *d, const struct txn_opts *o, int32_t max_day,
		     int have_day)
{
	struct txn_kept *k;

	if (nkept == kept_max) {
		/* make room: the least recently taken goes */
		size_t old = 0;
		for (size_t i = 1; i < nkept; i++)
			if (kept[i].used < kept[old].used)
				old = i;
		kept[old].d.cached = 0;
		txn_data_dispose(&kept[old].d);
		free(kept[old].key);
		free(kept[old].file);
		kept[old] = kept[--nkept];
	}
	if (!kept && !(kept = calloc(kept_max, sizeof(*kept)))) {
		free(key);
		return;
	}
	k = &kept[nkept];
	memset(k, 0, sizeof(*k));
	if (d->latest.file && !(k->file = strdup(d->latest.file))) {
		free(key);
		return;
	}
	nkept++;
	k->key = key;
	k->d = *d;
	k->d.latest.file = k->file;
	k->max_day = max_day;
	k->have_day = have_day;
	k->has_order = o->has_order;
	k->amount_kind = o->amount_kind;
	k->used = ++kept_clock;
	d->cached = 1;
}

static int load_all(struct txn_data *d, struct cli_common *c, struct txn_opts *o,
		    char **files, int nfiles, int32_t *max_day_out, int *have_day_out)
{
	int32_t max_day = 0;
	int have_day = 0, rc, error;

	memset(d, 0, sizeof(*d));
	if (c->has_from && o->has_as_of && c->from_day > o->as_of) {
		cli_error("--from %s is after --as-of %s: no row could be used", c->from,
			  o->as_of_text);
		return CLI_EXIT_USAGE;
	}
	/* A read on several threads may have to start again on one (see
	 * TXN_RETRY): only when every input can be read twice. */
	for (int i = 0; i < nfiles && c->nthreads > 1; i++) {
		struct stat st;
		if (stat(files[i], &st) < 0 || !S_ISREG(st.st_mode) || !strcmp(files[i], "-"))
			c->nthreads = 1;
	}
	if (c->from_partial) {
		if ((rc = txn_partial_load(d, c, o, files, nfiles, &max_day, &have_day)) != 0)
			return rc;
		goto loaded;
	}
again:
	/* the groups of the transaction commands are customers', not
	 * periods: their values never show a period */
	if ((rc = cli_groups_init_as(&d->groups, c, LOYAL_PERIOD_NONE)) != 0)
		return rc;
	for (int i = 0; i < nfiles; i++) {
		if ((rc = load_file(d, c, o, files[i], &max_day, &have_day)) == TXN_RETRY) {
			txn_data_dispose(d);
			memset(d, 0, sizeof(*d));
			max_day = 0;
			have_day = 0;
			c->nthreads = 1;
			goto again;
		}
		if (rc != 0)
			return rc;
		d->files++;
	}
loaded:
	/* --partial (also of merged states: the reduce can be a tree) */
	if (c->partial)
		return txn_partial_write(d, c, o, max_day, have_day);
	if (d->enc_guess) {
		/* rows skipped for text that is not UTF-8: one hint, at the end */
		loyal_error_info guess = { 0 };
		guess.encoding = d->enc_guess;
		cli_encoding_hint(&guess);
	}
	d->as_of_known = o->has_as_of || have_day;
	d->lib.version = LOYAL_TXN_STATS_VERSION;
	if ((error = loyal_txn_finish(d->acc, o->has_holdout ? o->holdout_to
					      : o->has_as_of ? o->as_of : max_day)) < 0 ||
	    (error = loyal_txn_get_stats(&d->lib, d->acc)) < 0)
		return cli_lib_error(error);

	*max_day_out = max_day;
	*have_day_out = have_day;
	return 0;
}

/* After the load (read now or kept): the summary line and the checks of
 * the whole input. */
static int loaded(struct txn_data *d, const struct cli_common *c, const struct txn_opts *o,
		  int32_t max_day, int have_day)
{
	/* Returns of customers who never bought are skipped too. */
	uint64_t used = d->lib.rows - d->lib.return_only_rows, sum = d->lib.rows;
	for (int k = 1; k < TXN_SKIP__COUNT; k++)
		sum += d->skipped[k];
	report(c, o, d, used);
	if (sum != d->rows) {
		cli_error("internal error: %llu rows read but %llu accounted for",
			  (unsigned long long)d->rows, (unsigned long long)sum);
		return CLI_EXIT_SOFTWARE;
	}
	if (d->lib.customers == 0) {
		cli_error("no customer made a purchase: nothing to compute");
		return CLI_EXIT_DATA;
	}
	if (!o->has_as_of && txn_latest_is_outlier(&d->latest) && !c->quiet) {
		/* A placeholder for "no date" (9999-12-31, 2099-01-01 in ERP
		 * exports) would set the as-of: every customer looks long gone,
		 * and period tables run to that date (see --max-periods). */
		char day[16], before[16], rows[48] = "";
		loyal_date_format(day, sizeof(day), d->latest.day);
		loyal_date_format(before, sizeof(before), d->latest.before);
		if (d->latest.rows > 1)
			snprintf(rows, sizeof(rows), " (%llu rows)", (unsigned long long)d->latest.rows);
		cli_error("warning: %s:%llu: the date %s%s is more than a year after every other "
			  "row's (the latest is %s) and sets the as-of: a placeholder for no date? "
			  "Give --as-of or --to", d->latest.file, (unsigned long long)d->latest.line,
			  day, rows, before);
	}
	if (o->has_holdout && have_day && max_day < o->holdout_to && !c->quiet) {
		char last[16];
		loyal_date_format(last, sizeof(last), max_day);
		cli_error("warning: the data end on %s, before --holdout-to %s: the actual "
			  "purchases after %s are not in the data, while the predictions run "
			  "to %s", last, o->holdout_text ? o->holdout_text : "", last,
			  o->holdout_text ? o->holdout_text : "");
	}
	return 0;
}

int txn_load(struct txn_data *d, struct cli_common *c, struct txn_opts *o,
	     char **files, int nfiles)
{
	char *key = kept_max ? kept_key(c, o, files, nfiles) : NULL;
	int32_t max_day = 0;
	int have_day = 0, rc;

	for (size_t i = 0; key && i < nkept; i++) {
		struct txn_kept *k = &kept[i];
		if (strcmp(k->key, key) != 0)
			continue;
		free(key);
		*d = k->d;
		d->cached = 1;
		/* the --by names are this command's (the key holds the same
		 * columns; the kept ones may be another command's, gone) */
		d->groups.names = c->by.items;
		d->groups.nby = c->by.n;
		o->layout_set = 1;
		o->has_order = k->has_order;
		o->amount_kind = k->amount_kind;
		k->used = ++kept_clock;
		return loaded(d, c, o, k->max_day, k->have_day);
	}
	rc = load_all(d, c, o, files, nfiles, &max_day, &have_day);
	if (rc == 0)
		rc = loaded(d, c, o, max_day, have_day);
	if (rc == 0 && key && !d->skipped[TXN_SKIP_INVALID] && !d->enc_guess)
		kept_add(key, d, o, max_day, have_day);
	else
		free(key);
	return rc;
}

void txn_data_dispose(struct txn_data *d)
{
	if (d->cached) {
		/* the shell's kept load: only the groups' scratch buffers
		 * (cli_group_values) may have moved */
		for (size_t i = 0; i < nkept; i++)
			if (kept[i].d.acc == d->acc)
				kept[i].d.groups = d->groups;
		memset(d, 0, sizeof(*d));
		return;
	}
	loyal_txn_free(d->acc);
	d->acc = NULL;
	loyal_txn_days_free(d->days);
	d->days = NULL;
	cli_groups_dispose(&d->groups);
}

/* ---- output helpers ---------------------------------------------------- */

size_t *txn_order_rows(const struct txn_data *d, const uint32_t *group_of_row, size_t n)
{
	size_t ng = cli_groups_count(&d->groups);
	size_t *perm = malloc((n ? n : 1) * sizeof(*perm));
	size_t *start = NULL;
	uint32_t *sorted = NULL, *rank = NULL;

	if (!perm)
		return NULL;
	if (d->groups.nby == 0 || ng == 0) {
		for (size_t i = 0; i < n; i++)
			perm[i] = i;
		return perm;
	}
	/* A counting sort by the rank of the group keeps each group's rows in
	 * their period order. */
	if (!(sorted = cli_groups_sorted(&d->groups)) ||
	    !(rank = malloc(ng * sizeof(*rank))) || !(start = calloc(ng + 1, sizeof(*start)))) {
		free(perm);
		perm = NULL;
		goto done;
	}
	for (size_t i = 0; i < ng; i++)
		rank[sorted[i]] = (uint32_t)i;
	for (size_t i = 0; i < n; i++)
		start[rank[group_of_row[i]] + 1]++;
	for (size_t i = 0; i < ng; i++)
		start[i + 1] += start[i];
	for (size_t i = 0; i < n; i++)
		perm[start[rank[group_of_row[i]]]++] = i;
done:
	free(sorted);
	free(rank);
	free(start);
	return perm;
}

size_t txn_group_columns(struct cli_column *cols, const struct txn_data *d)
{
	return cli_groups_columns(cols, &d->groups);
}

size_t txn_group_values(struct cli_value *vals, struct txn_data *d, uint32_t group)
{
	if (d->groups.nby == 0)
		return 0;
	return cli_groups_values(vals, &d->groups, group);
}

size_t txn_row_keys(struct cli_value *vals, struct txn_data *d, uint32_t group,
		    loyal_period period, int64_t index, char *buf, size_t size)
{
	size_t n = txn_group_values(vals, d, group);

	if (n != SIZE_MAX && period != LOYAL_PERIOD_NONE) {
		loyal_period_key(buf, size, period, index);
		vals[n++] = CLI_STR(buf);
	}
	return n;
}

void txn_period_key(char *buf, size_t size, loyal_period p, int64_t index)
{
	loyal_period_key(buf, size, p, index);
}

struct cli_value txn_num(double v)
{
	return isnan(v) ? CLI_NULL : CLI_NUM(v);
}
