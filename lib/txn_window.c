/*
 * Per-customer measures of a finished loyal_txn at a day and over a window
 * of days, and the accumulator of daily net amounts they need for spend.
 *
 * Purchases and days are read through loyal_txn's public API
 * (loyal_txn_customer_split counts the occasions on each side of a day), so
 * the definition of a purchase stays in txn.c alone.
 */
#include <stdlib.h>
#include <string.h>

#include "errors_p.h"
#include "loyal/date.h"
#include "loyal/partial.h"
#include "loyal/txn_window.h"
#include "strmap_p.h"

#define NONE UINT32_MAX

struct loyal_txn_days {
	loyal__strmap customers;
	/* (customer, day) pairs; slots hold entry index + 1, 0 = empty */
	uint32_t *e_cust;
	int32_t *e_day;
	int64_t *e_amount;
	size_t count, cap;
	uint32_t *slots;
	size_t nslots;         /* power of two, or 0 */
};

int loyal_txn_days_new(loyal_txn_days **out)
{
	loyal_txn_days *d;

	if (!out)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_txn_days_new");
	if (!(d = calloc(1, sizeof(*d))))
		return loyal__error_oom();
	loyal__strmap_init(&d->customers);
	*out = d;
	return 0;
}

void loyal_txn_days_free(loyal_txn_days *d)
{
	if (!d)
		return;
	loyal__strmap_dispose(&d->customers);
	free(d->e_cust);
	free(d->e_day);
	free(d->e_amount);
	free(d->slots);
	free(d);
}

static size_t pair_hash(uint32_t cust, int32_t day)
{
	uint64_t h = ((uint64_t)cust << 32 | (uint32_t)day) * 0x9e3779b97f4a7c15ULL;
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 29;
	return (size_t)h;
}

static int rehash(loyal_txn_days *d, size_t nslots)
{
	uint32_t *s = calloc(nslots, sizeof(*s));

	if (!s)
		return loyal__error_oom();
	for (size_t i = 0; i < d->count; i++) {
		size_t h = pair_hash(d->e_cust[i], d->e_day[i]) & (nslots - 1);
		while (s[h])
			h = (h + 1) & (nslots - 1);
		s[h] = (uint32_t)i + 1;
	}
	free(d->slots);
	d->slots = s;
	d->nslots = nslots;
	return 0;
}

static void *grow(void *p, size_t cap, size_t size)
{
	if (cap > SIZE_MAX / size)
		return NULL;
	return realloc(p, cap * size);
}

/* Add `amount` to the pair (cust, day), creating it. */
static int add_pair(loyal_txn_days *d, uint32_t cust, int32_t day, int64_t amount,
		    const char *id)
{
	size_t h;
	uint32_t e;
	int error;

	/* Keep the load at most 1/2 so probes stay short. */
	if ((d->count + 1) * 2 > d->nslots &&
	    (error = rehash(d, d->nslots ? d->nslots * 2 : 1024)) < 0)
		return error;
	h = pair_hash(cust, day) & (d->nslots - 1);
	while ((e = d->slots[h]) != 0) {
		e--;
		if (d->e_cust[e] == cust && d->e_day[e] == day) {
			if (__builtin_add_overflow(d->e_amount[e], amount, &d->e_amount[e]))
				return loyal__error(LOYAL_ETOOBIG, "the amount of customer '%s' on one day "
						    "is out of range", id);
			return 0;
		}
		h = (h + 1) & (d->nslots - 1);
	}
	if (d->count >= UINT32_MAX - 1)
		return loyal__error(LOYAL_ETOOBIG, "more than 2^32-2 customer days");
	if (d->count == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 1024;
		void *p;
		if (!(p = grow(d->e_cust, cap, sizeof(*d->e_cust))))
			return loyal__error_oom();
		d->e_cust = p;
		if (!(p = grow(d->e_day, cap, sizeof(*d->e_day))))
			return loyal__error_oom();
		d->e_day = p;
		if (!(p = grow(d->e_amount, cap, sizeof(*d->e_amount))))
			return loyal__error_oom();
		d->e_amount = p;
		d->cap = cap;
	}
	e = (uint32_t)d->count++;
	d->e_cust[e] = cust;
	d->e_day[e] = day;
	d->e_amount[e] = amount;
	d->slots[h] = e + 1;
	return 0;
}

static int day_ok(int32_t day)
{
	return day >= loyal_days_from_civil(1, 1, 1) && day <= loyal_days_from_civil(9999, 12, 31);
}

int loyal_txn_days_add(loyal_txn_days *d, const loyal_txn_row *row)
{
	uint32_t cid;
	int error;

	if (!d || !row || !row->customer || row->customer_len == 0)
		return loyal__error(LOYAL_EINVAL, "a transaction needs a customer id");
	if (!day_ok(row->day))
		return loyal__error(LOYAL_EINVAL, "day number %ld is outside the years 1 to 9999",
				    (long)row->day);
	if (d->customers.count >= UINT32_MAX - 1 &&
	    loyal__strmap_find(&d->customers, row->customer, row->customer_len, &cid) != 0)
		return loyal__error(LOYAL_ETOOBIG, "more than 2^32-2 customers");
	if ((error = loyal__strmap_intern(&d->customers, row->customer, row->customer_len,
					  &cid, NULL)) < 0)
		return error;
	return add_pair(d, cid, row->day, row->amount,
			loyal__strmap_key(&d->customers, cid, NULL));
}

int loyal_txn_days_merge(loyal_txn_days *dst, const loyal_txn_days *src)
{
	uint32_t *map = NULL;
	int error = 0;

	if (!dst || !src || dst == src)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_txn_days_merge");
	if (src->customers.count &&
	    !(map = malloc(src->customers.count * sizeof(*map))))
		return loyal__error_oom();
	for (uint32_t c = 0; c < src->customers.count; c++) {
		size_t len;
		const char *id = loyal__strmap_key(&src->customers, c, &len);
		if ((error = loyal__strmap_intern(&dst->customers, id, len, &map[c], NULL)) < 0)
			goto done;
	}
	for (size_t e = 0; e < src->count; e++) {
		uint32_t c = map[src->e_cust[e]];
		if ((error = add_pair(dst, c, src->e_day[e], src->e_amount[e],
				      loyal__strmap_key(&dst->customers, c, NULL))) < 0)
			goto done;
	}
done:
	free(map);
	return error;
}

/* ---- measures at a day ------------------------------------------------- */

struct loyal_txn_window {
	int32_t at, days;
	size_t n;
	uint32_t *group;
	unsigned char *present;
	int32_t *days_since_last;
	uint64_t *purchases;
	int64_t *spend;
};

void loyal_txn_window_free(loyal_txn_window *w)
{
	if (!w)
		return;
	free(w->group);
	free(w->present);
	free(w->days_since_last);
	free(w->purchases);
	free(w->spend);
	free(w);
}

/* Occasions of customer i on or before `cut` and the day of the last of
 * them (valid when the count is not 0). */
static int occasions_by(uint64_t *count, int32_t *last, const loyal_txn *t, size_t i,
			const loyal_txn_customer *c, int32_t cut)
{
	loyal_txn_split s = LOYAL_TXN_SPLIT_INIT;
	int error;

	if (cut >= loyal_txn_as_of(t)) {
		*count = c->occasions;
		*last = c->last_day;
		return 0;
	}
	if (cut < c->first_day) {
		*count = 0;
		return 0;
	}
	if ((error = loyal_txn_customer_split(&s, t, i, cut)) < 0)
		return error;
	*count = s.calibration ? s.x + 1 : 0;
	*last = c->first_day + s.t_x;
	return 0;
}

/* Spend of every customer within from..to from the daily amounts, with a
 * check that each customer's total over all days is their net spend. */
static int window_spend(loyal_txn_window *w, const loyal_txn *t, const loyal_txn_days *d,
			int32_t from, int32_t to)
{
	uint32_t *of = NULL;
	int64_t *total = NULL;
	int error = 0;

	if (!(of = malloc((d->customers.count ? d->customers.count : 1) * sizeof(*of))) ||
	    !(total = calloc(w->n ? w->n : 1, sizeof(*total)))) {
		error = loyal__error_oom();
		goto done;
	}
	for (size_t c = 0; c < d->customers.count; c++)
		of[c] = NONE;
	for (size_t i = 0; i < w->n; i++) {
		loyal_txn_customer c = LOYAL_TXN_CUSTOMER_INIT;
		uint32_t id;
		if ((error = loyal_txn_customer_get(&c, t, i)) < 0)
			goto done;
		if (loyal__strmap_find(&d->customers, c.id, c.id_len, &id) == 0)
			of[id] = (uint32_t)i;
	}
	for (size_t e = 0; e < d->count; e++) {
		uint32_t i = of[d->e_cust[e]];
		if (i == NONE)
			continue; /* a customer with returns only: not a customer */
		if (__builtin_add_overflow(total[i], d->e_amount[e], &total[i]) ||
		    (d->e_day[e] >= from && d->e_day[e] <= to &&
		     __builtin_add_overflow(w->spend[i], d->e_amount[e], &w->spend[i]))) {
			error = loyal__error(LOYAL_ETOOBIG, "the spend of customer '%s' is out of range",
					     loyal__strmap_key(&d->customers, d->e_cust[e], NULL));
			goto done;
		}
	}
	for (size_t i = 0; i < w->n; i++) {
		loyal_txn_customer c = LOYAL_TXN_CUSTOMER_INIT;
		if ((error = loyal_txn_customer_get(&c, t, i)) < 0)
			goto done;
		if (total[i] != c.spend) {
			error = loyal__error(LOYAL_EINVAL, "the daily amounts were not fed the same rows "
					     "as the transactions (customer '%s')", c.id);
			goto done;
		}
	}
done:
	free(of);
	free(total);
	return error;
}

int loyal_txn_window_new(loyal_txn_window **out, const loyal_txn *t, const loyal_txn_days *d,
			 int32_t at, int32_t days)
{
	loyal_txn_window *w = NULL;
	int32_t as_of, from;
	int error = 0;

	if (!out || !t)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_txn_window_new");
	/* Whether t is finished, through the public API: loyal_txn_daily_counts()
	 * fails only on an unfinished accumulator when asked for no day (and
	 * costs one test per customer with a cut before every day). */
	if (loyal_txn_daily_counts(t, INT32_MIN, 0, 0, NULL, NULL) < 0)
		return loyal__error(LOYAL_EINVAL, "measures are read after loyal_txn_finish");
	as_of = loyal_txn_as_of(t);
	if (days < 0)
		return loyal__error(LOYAL_EINVAL, "a window of %ld days", (long)days);
	if (at > as_of || !day_ok(at))
		return loyal__error(LOYAL_EINVAL, "the day of the measures is after the as-of day "
				    "or outside the years 1 to 9999");
	if (!d && (at != as_of || days != 0))
		return loyal__error(LOYAL_EINVAL, "spend before the as-of day or within a window "
				    "needs the daily amounts (loyal_txn_days)");
	/* the first day of the window, clamped to the first day there is */
	from = days == 0 || (int64_t)at - days + 1 < loyal_days_from_civil(1, 1, 1)
		       ? loyal_days_from_civil(1, 1, 1) : at - days + 1;
	if (!(w = calloc(1, sizeof(*w)))) {
		error = loyal__error_oom();
		goto done;
	}
	w->at = at;
	w->days = days;
	w->n = loyal_txn_customer_count(t);
	{
		size_t n = w->n ? w->n : 1;
		if (!(w->group = malloc(n * sizeof(*w->group))) ||
		    !(w->present = malloc(n * sizeof(*w->present))) ||
		    !(w->days_since_last = malloc(n * sizeof(*w->days_since_last))) ||
		    !(w->purchases = malloc(n * sizeof(*w->purchases))) ||
		    !(w->spend = calloc(n, sizeof(*w->spend)))) {
			error = loyal__error_oom();
			goto done;
		}
	}
	for (size_t i = 0; i < w->n; i++) {
		loyal_txn_customer c = LOYAL_TXN_CUSTOMER_INIT;
		uint64_t by_at, before;
		int32_t last = 0, ignored;
		if ((error = loyal_txn_customer_get(&c, t, i)) < 0 ||
		    (error = occasions_by(&by_at, &last, t, i, &c, at)) < 0)
			goto done;
		w->group[i] = c.group;
		w->present[i] = by_at > 0;
		w->days_since_last[i] = by_at ? at - last : 0;
		before = 0;
		if (by_at && days && from > c.first_day &&
		    (error = occasions_by(&before, &ignored, t, i, &c, from - 1)) < 0)
			goto done;
		w->purchases[i] = by_at - before;
		if (!d)
			w->spend[i] = c.spend;
	}
	if (d && (error = window_spend(w, t, d, from, at)) < 0)
		goto done;
	*out = w;
	w = NULL;
done:
	loyal_txn_window_free(w);
	return error;
}

int loyal_txn_window_measures(loyal_measures *out, const loyal_txn_window *w)
{
	if (!out || !w || !LOYAL__VERSION_OK(out->version, LOYAL_MEASURES_VERSION))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_txn_window_measures");
	int version = out->version;
	*out = (loyal_measures)LOYAL_MEASURES_INIT;
	out->version = version;
	out->n = w->n;
	out->group = w->group;
	out->present = w->present;
	out->days_since_last = w->days_since_last;
	out->purchases = w->purchases;
	out->spend = w->spend;
	return 0;
}

int32_t loyal_txn_window_day(const loyal_txn_window *w)
{
	return w ? w->at : 0;
}

int32_t loyal_txn_window_days(const loyal_txn_window *w)
{
	return w ? w->days : 0;
}

/* ---- partial state (loyal-merge(1)) ------------------------------------ */

/*
 *   days  PAIRS
 *   d     ID DAY AMOUNT     one (customer, day) pair, amount in micro-units
 *   days-end
 *
 * Amounts are whole micro-units, so pairs merge exactly in any order.
 */
int loyal_txn_days_state_write(const loyal_txn_days *d, loyal_partial_writer *w)
{
	char day[32];
	int error;

	if (!d || !w)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_txn_days_state_write");
	loyal_partial_put_str(w, "days");
	loyal_partial_put_uint(w, d->count);
	if ((error = loyal_partial_end_line(w)) < 0)
		return error;
	for (size_t e = 0; e < d->count; e++) {
		size_t len;
		const char *id = loyal__strmap_key(&d->customers, d->e_cust[e], &len);
		loyal_date_format(day, sizeof(day), d->e_day[e]);
		loyal_partial_put_str(w, "d");
		loyal_partial_put(w, id, len);
		loyal_partial_put_str(w, day);
		loyal_partial_put_int(w, d->e_amount[e]);
		if ((error = loyal_partial_end_line(w)) < 0)
			return error;
	}
	loyal_partial_put_str(w, "days-end");
	return loyal_partial_end_line(w);
}

int loyal_txn_days_state_read(loyal_txn_days *d, loyal_partial_reader *r)
{
	uint64_t count;
	int error;

	if (!d || !r)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_txn_days_state_read");
	if (strcmp(loyal_partial_field(r, 0, NULL), "days") ||
	    (error = loyal_partial_expect(r, 2)) < 0)
		return loyal_partial_fail(r, 1, "a 'days' record with 2 fields was expected");
	if ((error = loyal_partial_get_uint(&count, r, 1)) < 0)
		return error;
	for (uint64_t k = 0; k < count; k++) {
		loyal_txn_row row;
		loyal_datetime dt;
		size_t len, dlen;
		int64_t amount;
		if ((error = loyal_partial_next(r)) < 0)
			return error;
		if (error == LOYAL_ITEROVER)
			return loyal_partial_fail(r, 0, "the state ends too early");
		if (strcmp(loyal_partial_field(r, 0, NULL), "d") || (error = loyal_partial_expect(r, 4)) < 0)
			return loyal_partial_fail(r, 1, "a 'd' record with 4 fields was expected");
		memset(&row, 0, sizeof(row));
		row.customer = loyal_partial_field(r, 1, &len);
		row.customer_len = len;
		const char *day = loyal_partial_field(r, 2, &dlen);
		if (len == 0)
			return loyal_partial_fail(r, 2, "an empty customer id");
		if (loyal_date_parse(&dt, day, dlen, "%Y-%m-%d") < 0 || !day_ok(dt.days))
			return loyal_partial_fail(r, 3, "'%s' is not a date", day);
		if ((error = loyal_partial_get_int(&amount, r, 3, INT64_MIN, INT64_MAX)) < 0)
			return error;
		row.day = dt.days;
		row.amount = amount;
		if ((error = loyal_txn_days_add(d, &row)) < 0)
			return error;
	}
	if ((error = loyal_partial_next(r)) < 0)
		return error;
	if (error == LOYAL_ITEROVER)
		return loyal_partial_fail(r, 0, "the state ends too early");
	if (strcmp(loyal_partial_field(r, 0, NULL), "days-end") || loyal_partial_nfields(r) != 1)
		return loyal_partial_fail(r, 1, "a 'days-end' record was expected after %llu 'd' "
					  "records", (unsigned long long)count);
	return 0;
}
