#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors_p.h"
#include "loyal/date.h"
#include "loyal/partial.h"
#include "txn_p.h"

/*
 * The partial state of a transaction accumulator (see partial.h): exactly
 * what loyal_txn_finish() and loyal_txn_merge() use, so that a state read
 * back finishes and merges as the accumulator written:
 *
 *   txn  OCCASION RETURNS ROWS PURCHASE_ROWS RETURN_ROWS FIRST_DAY LAST_DAY CUSTOMERS
 *   c    ID NET GROSS RETURN_ROWS GROUP_DAY GROUP RECORDS
 *   p    ORDER DAY SPEND        a purchase record (ORDER empty for day occasions)
 *   r    DAY AMOUNT             a return record (same-day netting)
 *   txn-end
 *
 * Days are written as ISO dates (GROUP_DAY "-" when the customer has no
 * purchase row), amounts in micro-units. A customer's records are oldest
 * first: finish folds equal keys in that order, and "first added" breaks
 * ties of days.
 */

static int put_day(loyal_partial_writer *w, int32_t day)
{
	char buf[32];

	loyal_date_format(buf, sizeof(buf), day);
	return loyal_partial_put_str(w, buf);
}

/* YYYY-MM-DD, a real date of the years 1 to 9999. */
static int parse_iso(int32_t *out, const char *s, size_t len)
{
	int y = 0;
	unsigned m, d, yy, mm, dd;

	if (len != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (size_t i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
	d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	*out = loyal_days_from_civil(y, m, d);
	int yr;
	loyal_civil_from_days(*out, &yr, &mm, &dd);
	yy = (unsigned)yr;
	return yy == (unsigned)y && mm == m && dd == d ? 0 : -1;
}

int loyal_txn_state_write(const loyal_txn *t, loyal_partial_writer *w)
{
	uint32_t *chain = NULL;
	size_t chain_cap = 0, ncust;
	char buf[4096 + 64];
	int error = 0;

	if (!t || !w || t->finished)
		return loyal__error(LOYAL_EINVAL, "loyal_txn_state_write needs an unfinished accumulator");
	ncust = t->customers.count;
	loyal_partial_put_str(w, "txn");
	loyal_partial_put_str(w, t->occasion == LOYAL_OCCASION_DAY ? "day" : "order");
	loyal_partial_put_str(w, t->returns == LOYAL_RETURNS_NET_DAY ? "net-day" : "keep");
	loyal_partial_put_uint(w, t->st.rows);
	loyal_partial_put_uint(w, t->st.purchase_rows);
	loyal_partial_put_uint(w, t->st.return_rows);
	if (t->st.rows) {
		put_day(w, t->st.first_day);
		put_day(w, t->st.last_day);
	} else {
		loyal_partial_put_str(w, "-");
		loyal_partial_put_str(w, "-");
	}
	loyal_partial_put_uint(w, ncust);
	if ((error = loyal_partial_end_line(w)) < 0)
		return error;
	for (size_t c = 0; c < ncust; c++) {
		const struct cust *cu = &t->cust[c];
		size_t len, n = 0;
		const char *id = loyal__strmap_key(&t->customers, (uint32_t)c, &len);
		loyal_partial_put_str(w, "c");
		loyal_partial_put(w, id, len);
		loyal_partial_put_int(w, cu->net);
		loyal_partial_put_int(w, cu->gross);
		loyal_partial_put_uint(w, cu->return_rows);
		if (cu->group_day == NO_DAY)
			loyal_partial_put_str(w, "-");
		else
			put_day(w, cu->group_day);
		loyal_partial_put_uint(w, cu->group);
		loyal_partial_put_uint(w, cu->nrec);
		if ((error = loyal_partial_end_line(w)) < 0)
			goto done;
		/* the chain is newest first: collect, then write oldest first */
		if (cu->nrec > chain_cap) {
			size_t cap = chain_cap ? chain_cap : 64;
			while (cap < cu->nrec)
				cap *= 2;
			uint32_t *p = realloc(chain, cap * sizeof(*p));
			if (!p) {
				error = loyal__error_oom();
				goto done;
			}
			chain = p;
			chain_cap = cap;
		}
		for (uint32_t at = cu->head; at && n < cu->nrec; at = t->recs[at - 1].prev)
			chain[n++] = at - 1;
		while (n--) {
			const struct rec *r = &t->recs[chain[n]];
			if (r->key == RETURN_KEY) {
				loyal_partial_put_str(w, "r");
				put_day(w, r->day);
				loyal_partial_put_int(w, r->spend);
			} else {
				loyal_partial_put_str(w, "p");
				if (t->occasion == LOYAL_OCCASION_ORDER) {
					const char *o = loyal_txn__order_text(t, r->key, buf, &len);
					loyal_partial_put(w, o, len);
				} else {
					loyal_partial_put(w, "", 0);
				}
				put_day(w, r->day);
				loyal_partial_put_int(w, r->spend);
			}
			if ((error = loyal_partial_end_line(w)) < 0)
				goto done;
		}
	}
	loyal_partial_put_str(w, "txn-end");
	error = loyal_partial_end_line(w);
done:
	free(chain);
	return error;
}

/* Field i as a day ("-" allowed when dash_ok: *out = NO_DAY). */
static int get_day(int32_t *out, const loyal_partial_reader *r, size_t i, int dash_ok)
{
	size_t len;
	const char *s = loyal_partial_field(r, i, &len);

	if (s && dash_ok && !strcmp(s, "-")) {
		*out = NO_DAY;
		return 0;
	}
	if (!s || parse_iso(out, s, len) < 0)
		return loyal_partial_fail(r, i + 1, "'%s' is not a date (YYYY-MM-DD)", s ? s : "");
	return 0;
}

static int next_record(loyal_partial_reader *r, const char *kind)
{
	int error = loyal_partial_next(r);
	if (error == LOYAL_ITEROVER)
		return loyal_partial_fail(r, 0, "the state ends before its '%s' record", kind);
	return error;
}

int loyal_txn_state_read(loyal_txn *t, loyal_partial_reader *r, uint32_t max_group)
{
	int64_t v;
	uint64_t rows, prow, rrow, ncust;
	int32_t first = 0, last = 0;
	int error;

	if (!t || !r || t->finished || t->customers.count || t->st.rows)
		return loyal__error(LOYAL_EINVAL, "loyal_txn_state_read needs an empty accumulator");
	if ((error = loyal_partial_expect(r, 9)) < 0)
		return error;
	const char *occ = loyal_partial_field(r, 1, NULL), *ret = loyal_partial_field(r, 2, NULL);
	if (strcmp(occ, t->occasion == LOYAL_OCCASION_DAY ? "day" : "order"))
		return loyal_partial_fail(r, 2, "the state counts purchases by %s, not by %s", occ,
					  t->occasion == LOYAL_OCCASION_DAY ? "day" : "order");
	if (strcmp(ret, t->returns == LOYAL_RETURNS_NET_DAY ? "net-day" : "keep"))
		return loyal_partial_fail(r, 3, "the state was made with --returns %s", ret);
	if ((error = loyal_partial_get_uint(&rows, r, 3)) < 0 ||
	    (error = loyal_partial_get_uint(&prow, r, 4)) < 0 ||
	    (error = loyal_partial_get_uint(&rrow, r, 5)) < 0 ||
	    (error = loyal_partial_get_uint(&ncust, r, 8)) < 0)
		return error;
	if (prow + rrow != rows || prow > rows)
		return loyal_partial_fail(r, 4, "purchase and return rows do not add up to the rows");
	if (rows && ((error = get_day(&first, r, 6, 0)) < 0 || (error = get_day(&last, r, 7, 0)) < 0))
		return error;
	if (ncust > UINT32_MAX - 2)
		return loyal_partial_fail(r, 9, "too many customers");
	for (uint64_t c = 0; c < ncust; c++) {
		uint64_t retn, group, nrec;
		int64_t net, gross;
		int32_t gday;
		uint32_t cid;
		size_t len;
		if ((error = next_record(r, "c")) < 0)
			return error;
		const char *kind = loyal_partial_field(r, 0, NULL);
		if (strcmp(kind, "c"))
			return loyal_partial_fail(r, 1, "a 'c' record (customer %llu of %llu) was "
						  "expected, not '%s'", (unsigned long long)c + 1,
						  (unsigned long long)ncust, kind);
		if ((error = loyal_partial_expect(r, 8)) < 0 ||
		    (error = loyal_partial_get_int(&net, r, 2, INT64_MIN, INT64_MAX)) < 0 ||
		    (error = loyal_partial_get_int(&gross, r, 3, 0, INT64_MAX)) < 0 ||
		    (error = loyal_partial_get_uint(&retn, r, 4)) < 0 ||
		    (error = get_day(&gday, r, 5, 1)) < 0 ||
		    (error = loyal_partial_get_uint(&group, r, 6)) < 0 ||
		    (error = loyal_partial_get_uint(&nrec, r, 7)) < 0)
			return error;
		if (retn > UINT32_MAX)
			return loyal_partial_fail(r, 5, "too many returns");
		if (group > max_group)
			return loyal_partial_fail(r, 7, "group %llu is not in the state's groups",
						  (unsigned long long)group);
		const char *id = loyal_partial_field(r, 1, &len);
		if (len == 0)
			return loyal_partial_fail(r, 2, "empty customer id");
		uint32_t before = (uint32_t)t->customers.count;
		uint64_t cline = loyal_partial_line(r);
		if ((error = loyal_txn__intern_customer(t, id, len, &cid)) < 0)
			return error;
		if (cid != before)
			return loyal_partial_fail(r, 2, "customer '%s' is written twice", id);
		if ((error = loyal_txn__reserve_recs(t, t->nrecs + nrec)) < 0)
			return error;
		struct cust *cu = &t->cust[cid];
		int64_t sum_p = 0, sum_r = 0;
		uint64_t nret = 0;
		for (uint64_t k = 0; k < nrec; k++) {
			struct rec *x;
			int32_t day;
			int64_t amount;
			if ((error = next_record(r, "p")) < 0)
				return error;
			kind = loyal_partial_field(r, 0, NULL);
			int is_ret = !strcmp(kind, "r");
			if (!is_ret && strcmp(kind, "p"))
				return loyal_partial_fail(r, 1, "record %llu of %llu of the customer of "
							  "line %llu: 'p' or 'r' expected, not '%s'",
							  (unsigned long long)k + 1,
							  (unsigned long long)nrec,
							  (unsigned long long)cline, kind);
			if ((error = loyal_partial_expect(r, is_ret ? 3 : 4)) < 0 ||
			    (error = get_day(&day, r, is_ret ? 1 : 2, 0)) < 0 ||
			    (error = loyal_partial_get_int(&amount, r, is_ret ? 2 : 3,
							   is_ret ? INT64_MIN : 0,
							   is_ret ? -1 : INT64_MAX)) < 0)
				return error;
			if (is_ret && t->returns != LOYAL_RETURNS_NET_DAY)
				return loyal_partial_fail(r, 1, "a return record with --returns keep");
			if (day < first || day > last)
				return loyal_partial_fail(r, is_ret ? 2 : 3, "a day outside the state's "
							  "first and last days");
			x = &t->recs[t->nrecs];
			x->day = day;
			x->spend = amount;
			if (is_ret) {
				x->key = RETURN_KEY;
				nret++;
				if (__builtin_add_overflow(sum_r, amount, &sum_r))
					return loyal_partial_fail(r, 3, "returns out of range");
			} else if (t->occasion == LOYAL_OCCASION_DAY) {
				x->key = (uint32_t)day;
				if (__builtin_add_overflow(sum_p, amount, &sum_p))
					return loyal_partial_fail(r, 4, "spend out of range");
			} else {
				const char *o = loyal_partial_field(r, 1, &len);
				if (len == 0)
					return loyal_partial_fail(r, 2, "empty order id");
				if ((error = loyal_txn__pack_order(t, o, len, &x->key)) < 0)
					return error;
				if (__builtin_add_overflow(sum_p, amount, &sum_p))
					return loyal_partial_fail(r, 4, "spend out of range");
			}
			x->prev = cu->head;
			cu->head = (uint32_t)++t->nrecs;
			if (!cu->tail)
				cu->tail = cu->head;
			cu->nrec++;
			cu->last_key = x->key;
		}
		/* the totals must be those of the records (returns are recorded
		 * one by one only when they are netted by day) */
		if (sum_p != gross || (t->returns == LOYAL_RETURNS_NET_DAY &&
				       (nret != retn || sum_r != net - gross)))
			return loyal_partial_fail(r, 0, "the totals of the 'c' record of line %llu "
						  "are not those of its records",
						  (unsigned long long)cline);
		cu->net = net;
		cu->gross = gross;
		cu->return_rows = (uint32_t)retn;
		cu->group_day = gday;
		cu->group = (uint32_t)group;
	}
	if ((error = next_record(r, "txn-end")) < 0)
		return error;
	if (strcmp(loyal_partial_field(r, 0, NULL), "txn-end"))
		return loyal_partial_fail(r, 1, "'txn-end' expected after %llu customers, not '%s'",
					  (unsigned long long)ncust, loyal_partial_field(r, 0, NULL));
	t->st.rows = rows;
	t->st.purchase_rows = prow;
	t->st.return_rows = rrow;
	t->st.first_day = first;
	t->st.last_day = last;
	(void)v;
	return 0;
}
