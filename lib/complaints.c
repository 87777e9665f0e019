#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errors_p.h"
#include "loyal/complaints.h"
#include "strmap_p.h"

struct loyal_complaints {
	loyal__strmap pairs;      /* (cell, customer) of known customers */
	uint32_t *pair_count;     /* complaints per pair */
	size_t pair_cap;
	loyal_complaints_cell *cells;
	size_t ncells;            /* cells with room */
	uint64_t *of_customer;    /* complaints per known customer */
	size_t ncustomers;
};

int loyal_complaints_new(loyal_complaints **out)
{
	loyal_complaints *c;

	if (!out)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_complaints_new");
	if (!(c = calloc(1, sizeof(*c))))
		return loyal__error_oom();
	loyal__strmap_init(&c->pairs);
	*out = c;
	return 0;
}

void loyal_complaints_free(loyal_complaints *c)
{
	if (!c)
		return;
	loyal__strmap_dispose(&c->pairs);
	free(c->pair_count);
	free(c->cells);
	free(c->of_customer);
	free(c);
}

/* Grow an array of `*n` elements of `size` bytes to hold index i, zeroed. */
static int grow(void **p, size_t *n, size_t size, size_t i)
{
	if (i < *n)
		return 0;
	size_t cap = *n ? *n * 2 : 16;
	while (cap <= i)
		cap *= 2;
	char *q = realloc(*p, cap * size);
	if (!q)
		return loyal__error_oom();
	memset(q + *n * size, 0, (cap - *n) * size);
	*p = q;
	*n = cap;
	return 0;
}

int loyal_complaints_add(loyal_complaints *c, uint32_t cell, uint32_t customer, int resolved)
{
	int error;

	if (!c || cell == UINT32_MAX)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_complaints_add");
	if ((error = grow((void **)&c->cells, &c->ncells, sizeof(*c->cells), cell)) < 0)
		return error;
	loyal_complaints_cell *k = &c->cells[cell];
	if (customer == LOYAL_COMPLAINTS_UNKNOWN) {
		k->complaints++;
		k->unknown++;
		k->resolved += resolved != 0;
		return 0;
	}
	if ((error = grow((void **)&c->of_customer, &c->ncustomers, sizeof(*c->of_customer),
			  customer)) < 0)
		return error;
	unsigned char key[8];
	memcpy(key, &cell, 4);
	memcpy(key + 4, &customer, 4);
	uint32_t id;
	int added;
	if ((error = loyal__strmap_intern(&c->pairs, (const char *)key, sizeof(key), &id, &added)) < 0)
		return error;
	size_t cap = c->pair_cap;
	if ((error = grow((void **)&c->pair_count, &cap, sizeof(*c->pair_count), id)) < 0)
		return error;
	c->pair_cap = cap;
	uint32_t n = ++c->pair_count[id];
	k->complaints++;
	k->resolved += resolved != 0;
	if (n == 1)
		k->customers++;
	else if (n == 2)
		k->repeat_customers++;
	c->of_customer[customer]++;
	return 0;
}

int loyal_complaints_cell_get(loyal_complaints_cell *out, const loyal_complaints *c, uint32_t cell)
{
	if (!out || !c || !LOYAL__VERSION_OK(out->version, LOYAL_COMPLAINTS_CELL_VERSION))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_complaints_cell_get");
	int version = out->version;
	if (cell < c->ncells)
		*out = c->cells[cell];
	else
		memset(out, 0, sizeof(*out));
	out->version = version;
	return 0;
}

uint64_t loyal_complaints_of(const loyal_complaints *c, uint32_t customer)
{
	return c && customer < c->ncustomers ? c->of_customer[customer] : 0;
}

int loyal_complaints_rates_of(loyal_complaints_rates *out, const loyal_complaints_cell *cell,
			      uint64_t active, uint64_t orders)
{
	if (!out || !cell || !LOYAL__VERSION_OK(out->version, LOYAL_COMPLAINTS_RATES_VERSION))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_complaints_rates_of");
	out->complaint_rate = active ? 100.0 * (double)cell->customers / (double)active : NAN;
	out->complaints_per_100_orders = orders ? 100.0 * (double)cell->complaints / (double)orders : NAN;
	out->resolution_rate = cell->complaints ?
		100.0 * (double)cell->resolved / (double)cell->complaints : NAN;
	return 0;
}

int loyal_complaints_activity(uint64_t **active_out, uint64_t **orders_out, int64_t *first,
			      size_t *n_out, const loyal_txn *t, loyal_period period)
{
	size_t ncust = t ? loyal_txn_customer_count(t) : 0;
	uint64_t *active = NULL, *orders = NULL, *acq = NULL, *rep = NULL;
	loyal_txn_retention_row *rows = NULL;
	size_t nrows = 0;
	int error = 0;

	if (!active_out || !orders_out || !first || !n_out || !t)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_complaints_activity");
	if (ncust == 0)
		return loyal__error(LOYAL_ENODATA, "no customer made a purchase");
	int32_t day0 = INT32_MAX, as_of = loyal_txn_as_of(t);
	for (size_t i = 0; i < ncust; i++) {
		loyal_txn_customer cu = LOYAL_TXN_CUSTOMER_INIT;
		if ((error = loyal_txn_customer_get(&cu, t, i)) < 0)
			return error;
		if (cu.group != 0)
			return loyal__error(LOYAL_EINVAL, "loyal_complaints_activity: groups are not supported");
		if (cu.first_day < day0)
			day0 = cu.first_day;
	}
	size_t ndays = (size_t)(as_of - day0) + 1;
	int64_t p0 = period == LOYAL_PERIOD_NONE ? 0 : loyal_period_index(period, day0);
	int64_t p1 = period == LOYAL_PERIOD_NONE ? 0 : loyal_period_index(period, as_of);
	size_t np = (size_t)(p1 - p0) + 1;
	if (!(active = calloc(np, sizeof(*active))) || !(orders = calloc(np, sizeof(*orders))) ||
	    !(acq = malloc(ndays * sizeof(*acq))) || !(rep = malloc(ndays * sizeof(*rep)))) {
		error = loyal__error_oom();
		goto done;
	}
	if ((error = loyal_txn_daily_counts(t, as_of, day0, ndays, acq, rep)) < 0)
		goto done;
	for (size_t d = 0; d < ndays; d++) {
		int32_t day = day0 + (int32_t)d;
		size_t k = period == LOYAL_PERIOD_NONE ? 0 : (size_t)(loyal_period_index(period, day) - p0);
		orders[k] += acq[d] + rep[d];
		/* the first period: its active customers are the new ones */
		if (k == 0)
			active[0] += acq[d];
	}
	if (period == LOYAL_PERIOD_NONE) {
		active[0] = ncust;
	} else {
		if ((error = loyal_txn_retention(&rows, &nrows, t, period)) < 0)
			goto done;
		for (size_t r = 0; r < nrows; r++) {
			if (rows[r].period <= p0 || rows[r].period > p1)
				continue;
			active[rows[r].period - p0] = rows[r].active;
		}
	}
	*active_out = active;
	*orders_out = orders;
	*first = p0;
	*n_out = np;
	active = orders = NULL;
done:
	free(active);
	free(orders);
	free(acq);
	free(rep);
	loyal_txn_retention_free(rows);
	return error;
}

int loyal_complaints_churn(loyal_complaints_churn_row out[2], loyal_ztest *test,
			   const loyal_complaints *c, const loyal_txn *t, int32_t days)
{
	if (!out || !test || !c || !t || days < 0 ||
	    !LOYAL__VERSION_OK(out[0].version, LOYAL_COMPLAINTS_CHURN_ROW_VERSION) ||
	    !LOYAL__VERSION_OK(out[1].version, LOYAL_COMPLAINTS_CHURN_ROW_VERSION) ||
	    !LOYAL__VERSION_OK(test->version, LOYAL_ZTEST_VERSION))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_complaints_churn");
	size_t ncust = loyal_txn_customer_count(t);
	int32_t as_of = loyal_txn_as_of(t);
	int version = out[0].version;
	memset(out, 0, 2 * sizeof(*out));
	out[0].version = out[1].version = version;
	for (size_t i = 0; i < ncust; i++) {
		loyal_txn_customer cu = LOYAL_TXN_CUSTOMER_INIT;
		int error = loyal_txn_customer_get(&cu, t, i);
		if (error < 0)
			return error;
		loyal_complaints_churn_row *r = &out[loyal_complaints_of(c, (uint32_t)i) ? 0 : 1];
		r->customers++;
		if (as_of - cu.first_day > days) {
			r->eligible++;
			r->inactive += as_of - cu.last_day > days;
		}
	}
	for (int g = 0; g < 2; g++)
		out[g].churn_rate = out[g].eligible ?
			100.0 * (double)out[g].inactive / (double)out[g].eligible : NAN;
	if (out[0].eligible && out[1].eligible)
		return loyal_ztest_shares(test, out[0].inactive, out[0].eligible, out[1].inactive,
					  out[1].eligible);
	test->difference = out[0].eligible && out[1].eligible ? 0 : NAN;
	test->z = test->p_value = NAN;
	test->significant = -1;
	return 0;
}
