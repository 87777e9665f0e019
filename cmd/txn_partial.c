#include <stdlib.h>
#include <string.h>

#include "parallel.h"
#include "partial.h"
#include "txn_partial.h"

/*
 * The partial state of the transaction commands: after the header,
 *   load  FILES ROWS GUEST RANGE AS_OF INVALID HOLDOUT_ROWS MAX_DAY HAS_ORDER AMOUNT_KIND
 *   g ... the --by groups (partial_groups_write)
 *   txn ... txn-end   the accumulator (loyal_txn_state_write)
 *   days ... days-end the daily amounts, when the command needs them
 *                     (loyal_txn_days_state_write; tiers writes them always)
 *   ...               a second part of the command's own (txn_partial_set_tail)
 */

static const struct txn_partial_tail *tail;

void txn_partial_set_tail(const struct txn_partial_tail *t)
{
	tail = t;
}

int txn_partial_write(struct txn_data *d, const struct cli_common *c, const struct txn_opts *o,
		      int32_t max_day, int have_day)
{
	loyal_partial_writer *w;
	char day[32] = "-";
	int rc, error;

	if ((rc = partial_begin(&w, c)) != 0)
		return rc;
	if (have_day)
		loyal_date_format(day, sizeof(day), max_day);
	loyal_partial_put_str(w, "load");
	loyal_partial_put_uint(w, d->files);
	loyal_partial_put_uint(w, d->rows);
	for (int k = 1; k < TXN_SKIP__COUNT; k++)
		loyal_partial_put_uint(w, d->skipped[k]);
	loyal_partial_put_uint(w, d->holdout_rows);
	loyal_partial_put_str(w, day);
	loyal_partial_put_int(w, o->has_order);
	loyal_partial_put_int(w, o->amount_kind);
	loyal_partial_end_line(w);
	if ((rc = partial_groups_write(w, &d->groups, c->by.n)) != 0)
		return partial_end(w, rc);
	if ((error = loyal_txn_state_write(d->acc, w)) < 0 ||
	    (d->days && (error = loyal_txn_days_state_write(d->days, w)) < 0))
		rc = error == LOYAL_EIO ? CLI_EXIT_IOERR : cli_lib_error(error);
	if (rc == 0 && tail && tail->write)
		rc = tail->write(tail->ctx, w);
	return partial_end(w, rc);
}

static int load_one(struct txn_data *d, struct cli_common *c, struct txn_opts *o, const char *path,
		    int32_t *max_day, int *have_day)
{
	loyal_partial_reader *r = NULL;
	struct cli_groups local;
	loyal_txn *part = NULL;
	uint64_t v[TXN_SKIP__COUNT + 3];
	int64_t has_order, kind;
	uint32_t *map = NULL;
	int rc, error;

	if ((rc = cli_groups_init(&local)) != 0)
		return rc;
	if ((rc = partial_open(&r, path)) != 0)
		goto done;
	if (strcmp(loyal_partial_field(r, 0, NULL), "load") ||
	    loyal_partial_nfields(r) != (size_t)TXN_SKIP__COUNT + 6) {
		rc = partial_error(loyal_partial_fail(r, 1, "a 'load' record with %d fields was expected",
						      TXN_SKIP__COUNT + 6));
		goto done;
	}
	for (size_t k = 0; k < (size_t)TXN_SKIP__COUNT + 2; k++)
		if ((error = loyal_partial_get_uint(&v[k], r, k + 1)) < 0) {
			rc = partial_error(error);
			goto done;
		}
	size_t at = (size_t)TXN_SKIP__COUNT + 3;
	const char *day = loyal_partial_field(r, at, NULL);
	if ((error = loyal_partial_get_int(&has_order, r, at + 1, 0, 1)) < 0 ||
	    (error = loyal_partial_get_int(&kind, r, at + 2, TXN_AMOUNT_NONE, TXN_AMOUNT_QTY_PRICE)) < 0) {
		rc = partial_error(error);
		goto done;
	}
	if (strcmp(day, "-")) {
		loyal_datetime dt;
		if (loyal_date_parse(&dt, day, strlen(day), "%Y-%m-%d") < 0) {
			rc = partial_error(loyal_partial_fail(r, (unsigned)at + 1, "'%s' is not a date", day));
			goto done;
		}
		if (!*have_day || dt.days > *max_day)
			*max_day = dt.days;
		*have_day = 1;
	}
	/* the layout of the map step's inputs, as txn_source_open() fixes it */
	if (!o->layout_set) {
		o->layout_set = 1;
		o->has_order = (int)has_order;
		o->amount_kind = (int)kind;
	} else if (o->has_order != has_order ||
		   (o->amount_kind == TXN_AMOUNT_NONE) != (kind == TXN_AMOUNT_NONE)) {
		cli_error("%s: its inputs had %s order column and %s amount, unlike the first "
			  "state's", path, has_order ? "an" : "no", kind ? "an" : "no");
		rc = CLI_EXIT_DATA;
		goto done;
	}
	if (o->need_amount && kind == TXN_AMOUNT_NONE) {
		cli_error("%s: its inputs have no amount", path);
		rc = CLI_EXIT_DATA;
		goto done;
	}
	if ((rc = partial_next(r)) != 0 || (rc = partial_groups_read(r, &local, c->by.n)) != 0)
		goto done;
	loyal_txn_options to = LOYAL_TXN_OPTIONS_INIT;
	to.occasion = o->has_order ? LOYAL_OCCASION_ORDER : LOYAL_OCCASION_DAY;
	to.threads = (unsigned)c->nthreads;
	to.returns = o->returns;
	if (!d->acc) {
		d->has_amount = o->amount_kind != TXN_AMOUNT_NONE;
		if ((error = loyal_txn_new(&d->acc, &to)) < 0) {
			rc = cli_lib_error(error);
			goto done;
		}
	}
	if (strcmp(loyal_partial_field(r, 0, NULL), "txn")) {
		rc = partial_error(loyal_partial_fail(r, 1, "a 'txn' record was expected"));
		goto done;
	}
	size_t ng = cli_groups_count(&local);
	if ((error = loyal_txn_new(&part, &to)) < 0 ||
	    (error = loyal_txn_state_read(part, r, ng ? (uint32_t)ng - 1 : 0)) < 0) {
		rc = partial_error(error);
		goto done;
	}
	error = loyal_partial_next(r);
	if (error == 0 && !strcmp(loyal_partial_field(r, 0, NULL), "days")) {
		/* the daily amounts: kept when this run needs them */
		if (o->need_days) {
			if (!d->days && (error = loyal_txn_days_new(&d->days)) < 0) {
				rc = cli_lib_error(error);
				goto done;
			}
			if ((error = loyal_txn_days_state_read(d->days, r)) < 0) {
				rc = partial_error(error);
				goto done;
			}
		} else {
			/* not needed: passed over (the reader still checks the lines) */
			do {
				if ((rc = partial_next(r)) != 0)
					goto done;
			} while (strcmp(loyal_partial_field(r, 0, NULL), "days-end"));
		}
		error = loyal_partial_next(r);
	} else if (o->need_days && (error == 0 || error == LOYAL_ITEROVER)) {
		cli_error("%s: the state has no daily amounts (written by an older loyal, or "
			  "by a command that does not keep them)", path);
		rc = CLI_EXIT_DATA;
		goto done;
	}
	if (tail && tail->read) {
		if (error == LOYAL_ITEROVER)
			error = loyal_partial_fail(r, 0, "the state ends before its '%s' part", cli_cmd);
		if (error < 0) {
			rc = partial_error(error);
			goto done;
		}
		if ((rc = tail->read(tail->ctx, r, path)) != 0)
			goto done;
		error = loyal_partial_next(r);
	}
	if (error != LOYAL_ITEROVER) {
		rc = partial_error(error < 0 ? error
				   : loyal_partial_fail(r, 1, "the state goes on after 'txn-end'"));
		goto done;
	}
	/* without --by no group is interned and every customer is in group 0 */
	if (c->by.n) {
		if ((rc = cli_groups_merge(&d->groups, &local, &map)) != 0)
			goto done;
		if ((error = loyal_txn_map_groups(part, map, ng)) < 0) {
			rc = cli_lib_error(error);
			goto done;
		}
	}
	error = loyal_txn_merge_free(d->acc, part);
	part = NULL;
	if (error < 0) {
		rc = cli_lib_error(error);
		goto done;
	}
	d->files += v[0];
	d->rows += v[1];
	for (int k = 1; k < TXN_SKIP__COUNT; k++)
		d->skipped[k] += v[1 + (size_t)k];
	d->holdout_rows += v[TXN_SKIP__COUNT + 1];
done:
	free(map);
	loyal_txn_free(part);
	loyal_partial_reader_free(r);
	cli_groups_dispose(&local);
	return rc;
}

int txn_partial_load(struct txn_data *d, struct cli_common *c, struct txn_opts *o, char **files,
		     int nfiles, int32_t *max_day, int *have_day)
{
	int rc;

	if ((rc = cli_groups_init_as(&d->groups, c, LOYAL_PERIOD_NONE)) != 0)
		return rc;
	for (int i = 0; i < nfiles; i++)
		if ((rc = load_one(d, c, o, files[i], max_day, have_day)) != 0)
			return rc;
	return 0;
}
