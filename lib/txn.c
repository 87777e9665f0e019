#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errors_p.h"
#include "loyal/date.h"
#include "loyal/txn.h"
#include "strmap_p.h"

/* No purchase row yet: later than any real day. */
#define NO_DAY INT32_MAX
#define NO_OCC UINT32_MAX

struct loyal_txn {
	loyal_occasion occasion;
	int finished;
	int32_t as_of;

	/* Customers are interned to dense ids; the arrays below are indexed by
	 * them and always cover every interned id (grown before interning). */
	loyal__strmap customers;
	int64_t *net;          /* all amounts */
	int64_t *gross;        /* purchase amounts */
	uint64_t *return_rows;
	int32_t *group_day;    /* day of the row that set `group`; NO_DAY: none */
	uint32_t *group;
	size_t ccap;

	/* Occasions: key = 4-byte customer id + order id bytes (order mode) or
	 * + 4-byte day (day mode). The fixed-width prefix keeps keys of
	 * different customers apart whatever the order ids contain, and keys
	 * are compared in full, so distinct orders never merge. */
	loyal__strmap occ;
	uint32_t *occ_cust;
	int32_t *occ_day;      /* earliest day of the occasion's lines */
	int64_t *occ_spend;    /* purchase amounts of the occasion */
	size_t ocap;

	char *key;
	size_t key_cap;
	loyal_txn_stats st;

	/* Built by loyal_txn_finish(). */
	size_t *off;           /* ncustomers + 1: each customer's slice of days[] */
	int32_t *days;         /* occasion days, ascending within a customer */
	uint32_t *first_occ;   /* per customer: its first occasion, or NO_OCC */
	uint32_t *buyers;      /* customers with an occasion, in id order */
	size_t nbuyers;
};

int loyal_txn_new(loyal_txn **out, const loyal_txn_options *opts)
{
	loyal_txn *t;

	if (!out)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_txn_new");
	if (opts && (opts->version != LOYAL_TXN_OPTIONS_VERSION || (opts->occasion != LOYAL_OCCASION_DAY &&
					   opts->occasion != LOYAL_OCCASION_ORDER)))
		return loyal__error(LOYAL_EINVAL, "invalid transaction options");
	if (!(t = calloc(1, sizeof(*t))))
		return loyal__error_oom();
	t->occasion = opts ? opts->occasion : LOYAL_OCCASION_DAY;
	loyal__strmap_init(&t->customers);
	loyal__strmap_init(&t->occ);
	*out = t;
	return 0;
}

void loyal_txn_free(loyal_txn *t)
{
	if (!t)
		return;
	loyal__strmap_dispose(&t->customers);
	loyal__strmap_dispose(&t->occ);
	free(t->net);
	free(t->gross);
	free(t->return_rows);
	free(t->group_day);
	free(t->group);
	free(t->occ_cust);
	free(t->occ_day);
	free(t->occ_spend);
	free(t->key);
	free(t->off);
	free(t->days);
	free(t->first_occ);
	free(t->buyers);
	free(t);
}

/* realloc(p, cap * size) with an overflow check; NULL on failure (p is
 * then unchanged). Returning the pointer, rather than writing it through a
 * void **, keeps the typed pointers free of aliasing tricks. */
static void *grow(void *p, size_t cap, size_t size)
{
	if (cap > SIZE_MAX / size)
		return NULL;
	return realloc(p, cap * size);
}

/* Assign the grown array to `field`, or fail with LOYAL_ENOMEM. */
#define GROW(field, cap) do { \
	void *n__ = grow((field), (cap), sizeof(*(field))); \
	if (!n__) \
		return loyal__error_oom(); \
	(field) = n__; \
} while (0)

/* Make room for one more customer before interning it, so that a failed
 * allocation never leaves an id without its per-customer state. */
static int reserve_customer(loyal_txn *t)
{
	if (t->customers.count < t->ccap)
		return 0;
	size_t cap = t->ccap ? t->ccap * 2 : 256;
	/* Each array keeps its old contents if a later one fails. */
	GROW(t->net, cap);
	GROW(t->gross, cap);
	GROW(t->return_rows, cap);
	GROW(t->group_day, cap);
	GROW(t->group, cap);
	t->ccap = cap;
	return 0;
}

static int reserve_occasion(loyal_txn *t)
{
	if (t->occ.count < t->ocap)
		return 0;
	size_t cap = t->ocap ? t->ocap * 2 : 1024;
	GROW(t->occ_cust, cap);
	GROW(t->occ_day, cap);
	GROW(t->occ_spend, cap);
	t->ocap = cap;
	return 0;
}

static int reserve_key(loyal_txn *t, size_t need)
{
	if (need <= t->key_cap)
		return 0;
	size_t cap = t->key_cap ? t->key_cap : 256;
	while (cap < need) {
		if (cap > SIZE_MAX / 2)
			return loyal__error_oom();
		cap *= 2;
	}
	char *k = realloc(t->key, cap);
	if (!k)
		return loyal__error_oom();
	t->key = k;
	t->key_cap = cap;
	return 0;
}

static int intern_customer(loyal_txn *t, const char *id, size_t len, uint32_t *cid)
{
	int added = 0, error;

	if ((error = reserve_customer(t)) < 0 ||
	    (error = loyal__strmap_intern(&t->customers, id, len, cid, &added)) < 0)
		return error;
	if (added) {
		t->net[*cid] = 0;
		t->gross[*cid] = 0;
		t->return_rows[*cid] = 0;
		t->group_day[*cid] = NO_DAY;
		t->group[*cid] = 0;
	}
	return 0;
}

/* Find or add the occasion whose key (customer id prefix included) is
 * t->key[0..len). */
static int intern_occasion(loyal_txn *t, size_t len, uint32_t cid, int32_t day, uint32_t *oid)
{
	int added = 0, error;

	if ((error = reserve_occasion(t)) < 0 ||
	    (error = loyal__strmap_intern(&t->occ, t->key, len, oid, &added)) < 0)
		return error;
	if (added) {
		t->occ_cust[*oid] = cid;
		t->occ_day[*oid] = day;
		t->occ_spend[*oid] = 0;
	} else if (day < t->occ_day[*oid]) {
		t->occ_day[*oid] = day;
	}
	return 0;
}

static void note_day(loyal_txn_stats *st, int32_t day)
{
	if (st->rows == 0 || day < st->first_day)
		st->first_day = day;
	if (st->rows == 0 || day > st->last_day)
		st->last_day = day;
}

/* Days of the years 1 to 9999, the range of the date parser: differences
 * of two of them fit an int32_t, and NO_DAY is never one of them. */
static int day_ok(int32_t day)
{
	return day >= loyal_days_from_civil(1, 1, 1) && day <= loyal_days_from_civil(9999, 12, 31);
}

int loyal_txn_add(loyal_txn *t, const loyal_txn_row *row)
{
	uint32_t cid, oid;
	int64_t net, gross;
	size_t klen;
	int error;

	if (!t || !row || !row->customer || row->customer_len == 0)
		return loyal__error(LOYAL_EINVAL, "a transaction needs a customer id");
	if (t->finished)
		return loyal__error(LOYAL_EINVAL, "rows added after loyal_txn_finish");
	if (!day_ok(row->day))
		return loyal__error(LOYAL_EINVAL, "day number %ld is outside the years 1 to 9999",
				    (long)row->day);
	if (row->amount >= 0 && t->occasion == LOYAL_OCCASION_ORDER &&
	    (!row->order || row->order_len == 0))
		return loyal__error(LOYAL_EINVAL, "a transaction needs an order id");
	if ((error = intern_customer(t, row->customer, row->customer_len, &cid)) < 0)
		return error;
	if (__builtin_add_overflow(t->net[cid], row->amount, &net))
		return loyal__error(LOYAL_ETOOBIG, "the spend of customer '%s' is out of range",
				    loyal__strmap_key(&t->customers, cid, NULL));
	if (row->amount < 0) {
		t->net[cid] = net;
		t->return_rows[cid]++;
		note_day(&t->st, row->day);
		t->st.rows++;
		t->st.return_rows++;
		return 0;
	}
	if (__builtin_add_overflow(t->gross[cid], row->amount, &gross))
		return loyal__error(LOYAL_ETOOBIG, "the spend of customer '%s' is out of range",
				    loyal__strmap_key(&t->customers, cid, NULL));
	/* An occasion's spend is part of its customer's gross spend, so it
	 * cannot overflow when the gross spend does not. */
	if (t->occasion == LOYAL_OCCASION_ORDER) {
		if (row->order_len > SIZE_MAX - 4)
			return loyal__error(LOYAL_ETOOBIG, "order id too long");
		klen = 4 + row->order_len;
		if ((error = reserve_key(t, klen)) < 0)
			return error;
		memcpy(t->key + 4, row->order, row->order_len);
	} else {
		klen = 8;
		if ((error = reserve_key(t, klen)) < 0)
			return error;
		memcpy(t->key + 4, &row->day, 4);
	}
	memcpy(t->key, &cid, 4);
	if ((error = intern_occasion(t, klen, cid, row->day, &oid)) < 0)
		return error;
	t->occ_spend[oid] += row->amount;
	t->net[cid] = net;
	t->gross[cid] = gross;
	if (row->day < t->group_day[cid]) {
		t->group_day[cid] = row->day;
		t->group[cid] = row->group;
	}
	note_day(&t->st, row->day);
	t->st.rows++;
	t->st.purchase_rows++;
	t->st.occasions = t->occ.count;
	return 0;
}

int loyal_txn_merge(loyal_txn *dst, const loyal_txn *src)
{
	uint32_t *cmap = NULL;
	int error = 0;

	if (!dst || !src || dst == src)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_txn_merge");
	if (dst->finished || src->finished)
		return loyal__error(LOYAL_EINVAL, "cannot merge a finished accumulator");
	if (dst->occasion != src->occasion)
		return loyal__error(LOYAL_EINVAL, "cannot merge accumulators with different occasions");
	if (src->customers.count &&
	    !(cmap = malloc(src->customers.count * sizeof(*cmap))))
		return loyal__error_oom();
	for (uint32_t c = 0; c < src->customers.count; c++) {
		size_t len;
		const char *id = loyal__strmap_key(&src->customers, c, &len);
		uint32_t d;
		if ((error = intern_customer(dst, id, len, &d)) < 0)
			goto done;
		if (__builtin_add_overflow(dst->net[d], src->net[c], &dst->net[d]) ||
		    __builtin_add_overflow(dst->gross[d], src->gross[c], &dst->gross[d])) {
			error = loyal__error(LOYAL_ETOOBIG, "the spend of customer '%s' is out of range", id);
			goto done;
		}
		dst->return_rows[d] += src->return_rows[c];
		if (src->group_day[c] < dst->group_day[d]) {
			dst->group_day[d] = src->group_day[c];
			dst->group[d] = src->group[c];
		}
		cmap[c] = d;
	}
	for (uint32_t o = 0; o < src->occ.count; o++) {
		size_t len;
		const char *k = loyal__strmap_key(&src->occ, o, &len);
		uint32_t d = cmap[src->occ_cust[o]], oid;
		if ((error = reserve_key(dst, len)) < 0)
			goto done;
		memcpy(dst->key, &d, 4);
		memcpy(dst->key + 4, k + 4, len - 4);
		if ((error = intern_occasion(dst, len, d, src->occ_day[o], &oid)) < 0)
			goto done;
		dst->occ_spend[oid] += src->occ_spend[o];
	}
	if (src->st.rows) {
		if (dst->st.rows == 0 || src->st.first_day < dst->st.first_day)
			dst->st.first_day = src->st.first_day;
		if (dst->st.rows == 0 || src->st.last_day > dst->st.last_day)
			dst->st.last_day = src->st.last_day;
	}
	dst->st.rows += src->st.rows;
	dst->st.purchase_rows += src->st.purchase_rows;
	dst->st.return_rows += src->st.return_rows;
	dst->st.occasions = dst->occ.count;
done:
	free(cmap);
	return error;
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return x < y ? -1 : x > y;
}

static void sort_days(int32_t *d, size_t n)
{
	if (n > 24) {
		qsort(d, n, sizeof(*d), cmp_i32);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		int32_t v = d[i];
		size_t j = i;
		for (; j > 0 && d[j - 1] > v; j--)
			d[j] = d[j - 1];
		d[j] = v;
	}
}

int loyal_txn_finish(loyal_txn *t, int32_t as_of)
{
	size_t ncust, nocc, *cursor = NULL;
	int error = 0;

	if (!t)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_txn_finish");
	if (t->finished)
		return loyal__error(LOYAL_EINVAL, "loyal_txn_finish called twice");
	if (!day_ok(as_of))
		return loyal__error(LOYAL_EINVAL, "as-of day number %ld is outside the years 1 "
				    "to 9999", (long)as_of);
	if (t->st.rows && t->st.last_day > as_of)
		return loyal__error(LOYAL_EINVAL, "a transaction is dated after the as-of date");
	ncust = t->customers.count;
	nocc = t->occ.count;
	if (!(t->off = calloc(ncust + 1, sizeof(*t->off))) ||
	    !(t->days = malloc((nocc ? nocc : 1) * sizeof(*t->days))) ||
	    !(t->first_occ = malloc((ncust ? ncust : 1) * sizeof(*t->first_occ))) ||
	    !(t->buyers = malloc((ncust ? ncust : 1) * sizeof(*t->buyers))) ||
	    !(cursor = malloc((ncust ? ncust : 1) * sizeof(*cursor)))) {
		error = loyal__error_oom();
		goto done;
	}
	for (size_t o = 0; o < nocc; o++)
		t->off[t->occ_cust[o] + 1]++;
	for (size_t c = 0; c < ncust; c++) {
		t->off[c + 1] += t->off[c];
		cursor[c] = t->off[c];
		t->first_occ[c] = NO_OCC;
	}
	/* Occasion ids ascend in the order occasions were first added, so a
	 * strict comparison keeps the first added on a tie of days. */
	for (size_t o = 0; o < nocc; o++) {
		uint32_t c = t->occ_cust[o];
		t->days[cursor[c]++] = t->occ_day[o];
		if (t->first_occ[c] == NO_OCC || t->occ_day[o] < t->occ_day[t->first_occ[c]])
			t->first_occ[c] = (uint32_t)o;
	}
	t->nbuyers = 0;
	for (size_t c = 0; c < ncust; c++) {
		size_t n = t->off[c + 1] - t->off[c];
		if (n) {
			sort_days(t->days + t->off[c], n);
			t->buyers[t->nbuyers++] = (uint32_t)c;
		} else if (t->return_rows[c]) {
			t->st.return_only_customers++;
			t->st.return_only_rows += t->return_rows[c];
		}
	}
	t->st.customers = t->nbuyers;
	t->as_of = as_of;
	t->finished = 1;
done:
	free(cursor);
	if (error) {
		free(t->off);
		free(t->days);
		free(t->first_occ);
		free(t->buyers);
		t->off = NULL;
		t->days = NULL;
		t->first_occ = NULL;
		t->buyers = NULL;
	}
	return error;
}

int loyal_txn_get_stats(loyal_txn_stats *out, const loyal_txn *t)
{
	if (!out || !t)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_txn_get_stats");
	*out = t->st;
	return 0;
}

int32_t loyal_txn_as_of(const loyal_txn *t)
{
	return t && t->finished ? t->as_of : 0;
}

size_t loyal_txn_customer_count(const loyal_txn *t)
{
	return t && t->finished ? t->nbuyers : 0;
}

int loyal_txn_customer_get(loyal_txn_customer *out, const loyal_txn *t, size_t i)
{
	if (!out || !t || !t->finished || i >= t->nbuyers)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_txn_customer_get");
	uint32_t c = t->buyers[i];
	size_t lo = t->off[c], hi = t->off[c + 1];

	memset(out, 0, sizeof(*out));
	out->id = loyal__strmap_key(&t->customers, c, &out->id_len);
	out->group = t->group[c];
	out->first_day = t->days[lo];
	out->last_day = t->days[hi - 1];
	out->occasions = hi - lo;
	out->spend = t->net[c];
	out->gross_spend = t->gross[c];
	out->repeat_spend = t->gross[c] - t->occ_spend[t->first_occ[c]];
	out->x = out->occasions - 1;
	out->t_x = out->last_day - out->first_day;
	out->T = t->as_of - out->first_day;
	out->mean_repeat_spend = out->x ? (double)out->repeat_spend / 1e6 / (double)out->x : NAN;
	return 0;
}

/* ---- calibration and holdout periods ------------------------------------ */

int loyal_txn_customer_split(loyal_txn_split *out, const loyal_txn *t, size_t i, int32_t cut)
{
	if (!out || !t || !t->finished || i >= t->nbuyers || cut > t->as_of)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_txn_customer_split");
	uint32_t c = t->buyers[i];
	const int32_t *d = t->days + t->off[c];
	size_t n = t->off[c + 1] - t->off[c], k = 0;

	memset(out, 0, sizeof(*out));
	/* Days ascend, so the calibration occasions are a prefix. */
	while (k < n && d[k] <= cut)
		k++;
	out->holdout = n - k;
	if (k == 0)
		return 0;
	out->calibration = 1;
	out->x = k - 1;
	out->t_x = d[k - 1] - d[0];
	out->T = cut - d[0];
	return 0;
}

int loyal_txn_daily_counts(const loyal_txn *t, int32_t cut, int32_t from_day, size_t ndays,
			   uint64_t *acquired, uint64_t *repeats)
{
	if (!t || !t->finished || (ndays && !acquired && !repeats) ||
	    ndays > (size_t)((int64_t)INT32_MAX - from_day) + 1)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_txn_daily_counts");
	if (acquired)
		memset(acquired, 0, ndays * sizeof(*acquired));
	if (repeats)
		memset(repeats, 0, ndays * sizeof(*repeats));
	for (size_t i = 0; i < t->nbuyers; i++) {
		uint32_t c = t->buyers[i];
		const int32_t *d = t->days + t->off[c];
		size_t n = t->off[c + 1] - t->off[c];
		if (d[0] > cut)
			continue;
		for (size_t k = 0; k < n; k++) {
			int64_t at = (int64_t)d[k] - from_day;
			if (at < 0 || (uint64_t)at >= ndays)
				continue;
			if (k == 0) {
				if (acquired)
					acquired[at]++;
			} else if (repeats) {
				repeats[at]++;
			}
		}
	}
	return 0;
}

/* ---- segments: (group, cohort) pairs of the buyers ----------------------- */

struct segs {
	loyal__strmap map;
	uint32_t *of_buyer; /* per buyer: its segment */
	uint32_t *group;    /* per segment */
	int64_t *cohort;
	size_t cap;
	uint32_t *sorted;   /* segment ids by (group, cohort) */
};

static void segs_dispose(struct segs *s)
{
	loyal__strmap_dispose(&s->map);
	free(s->of_buyer);
	free(s->group);
	free(s->cohort);
	free(s->sorted);
}

struct seg_key {
	uint32_t group;
	uint32_t id;
	int64_t cohort;
};

static int seg_cmp(const void *pa, const void *pb)
{
	const struct seg_key *a = pa, *b = pb;
	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	return a->cohort < b->cohort ? -1 : a->cohort > b->cohort;
}

static int period_ok(loyal_period p)
{
	return p >= LOYAL_PERIOD_NONE && p <= LOYAL_PERIOD_YEAR;
}

/* Number the segments of the buyers: by group, and by the period of the
 * first occasion unless p is LOYAL_PERIOD_NONE. */
static int segs_build(struct segs *s, const loyal_txn *t, loyal_period p)
{
	char key[12];
	int error;

	memset(s, 0, sizeof(*s));
	loyal__strmap_init(&s->map);
	if (!(s->of_buyer = malloc((t->nbuyers ? t->nbuyers : 1) * sizeof(*s->of_buyer))))
		return loyal__error_oom();
	for (size_t i = 0; i < t->nbuyers; i++) {
		uint32_t c = t->buyers[i], id;
		int64_t cohort = p == LOYAL_PERIOD_NONE ? 0 : loyal_period_index(p, t->days[t->off[c]]);
		int added;
		if (s->map.count == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 16;
			GROW(s->group, cap);
			GROW(s->cohort, cap);
			s->cap = cap;
		}
		memcpy(key, &t->group[c], 4);
		memcpy(key + 4, &cohort, 8);
		if ((error = loyal__strmap_intern(&s->map, key, sizeof(key), &id, &added)) < 0)
			return error;
		if (added) {
			s->group[id] = t->group[c];
			s->cohort[id] = cohort;
		}
		s->of_buyer[i] = id;
	}
	/* Sorted through a scratch array of keys: a comparator reading the
	 * segments through a global would not be thread-safe. */
	size_t n = s->map.count;
	struct seg_key *keys = malloc((n ? n : 1) * sizeof(*keys));
	if (!keys || !(s->sorted = malloc((n ? n : 1) * sizeof(*s->sorted)))) {
		free(keys);
		return loyal__error_oom();
	}
	for (size_t i = 0; i < n; i++)
		keys[i] = (struct seg_key){ s->group[i], (uint32_t)i, s->cohort[i] };
	qsort(keys, n, sizeof(*keys), seg_cmp);
	for (size_t i = 0; i < n; i++)
		s->sorted[i] = keys[i].id;
	free(keys);
	return 0;
}

static int check_finished(const loyal_txn *t, const void *rows, const size_t *nrows)
{
	if (!t || !rows || !nrows)
		return loyal__error(LOYAL_EINVAL, "invalid argument");
	if (!t->finished)
		return loyal__error(LOYAL_EINVAL, "results are read after loyal_txn_finish");
	return 0;
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : NAN;
}

/* ---- repurchase -------------------------------------------------------- */

int loyal_txn_repurchase(loyal_txn_repurchase_row **rows, size_t *nrows, const loyal_txn *t,
			 const loyal_txn_repurchase_options *opts)
{
	loyal_txn_repurchase_options o = LOYAL_TXN_REPURCHASE_OPTIONS_INIT;
	struct segs s;
	loyal_txn_repurchase_row *r = NULL;
	size_t *goff = NULL, *gcur = NULL, n = 0;
	int32_t *gaps = NULL;
	int64_t *gsum = NULL;
	int error;

	if ((error = check_finished(t, rows, nrows)) < 0)
		return error;
	if (opts)
		o = *opts;
	if (o.version != LOYAL_TXN_REPURCHASE_OPTIONS_VERSION || !period_ok(o.cohort_period))
		return loyal__error(LOYAL_EINVAL, "invalid repurchase options");
	*rows = NULL;
	*nrows = 0;
	if ((error = segs_build(&s, t, o.cohort_period)) < 0)
		goto done;
	n = s.map.count;
	if (!n)
		goto done;
	if (!(r = calloc(n, sizeof(*r))) || !(goff = calloc(n + 1, sizeof(*goff))) ||
	    !(gcur = malloc(n * sizeof(*gcur))) || !(gsum = calloc(n, sizeof(*gsum))) ||
	    !(gaps = malloc((t->occ.count ? t->occ.count : 1) * sizeof(*gaps)))) {
		error = loyal__error_oom();
		goto done;
	}
	/* Accumulate per segment id; r[] is reordered at the end. */
	for (size_t i = 0; i < t->nbuyers; i++) {
		uint32_t c = t->buyers[i], g = s.of_buyer[i];
		const int32_t *d = t->days + t->off[c];
		size_t k = t->off[c + 1] - t->off[c];
		loyal_txn_repurchase_row *x = &r[g];
		x->customers++;
		x->repeat_purchases += k - 1;
		if (k > 1)
			x->repeat_customers++;
		gsum[g] += (int64_t)d[k - 1] - d[0];
		goff[g + 1] += k - 1;
		if (o.within_days >= 0 && (int64_t)t->as_of - d[0] >= o.within_days) {
			x->within_eligible++;
			if (k > 1 && (int64_t)d[1] - d[0] <= o.within_days)
				x->within_repeat++;
		}
	}
	for (size_t g = 0; g < n; g++) {
		goff[g + 1] += goff[g];
		gcur[g] = goff[g];
	}
	for (size_t i = 0; i < t->nbuyers; i++) {
		uint32_t c = t->buyers[i], g = s.of_buyer[i];
		for (size_t j = t->off[c] + 1; j < t->off[c + 1]; j++)
			gaps[gcur[g]++] = t->days[j] - t->days[j - 1];
	}
	for (size_t g = 0; g < n; g++) {
		loyal_txn_repurchase_row *x = &r[g];
		size_t m = goff[g + 1] - goff[g];
		int32_t *a = gaps + goff[g];
		x->group = s.group[g];
		x->cohort = s.cohort[g];
		x->repurchase_rate = pct(x->repeat_customers, x->customers);
		x->mean_days_between = m ? (double)gsum[g] / (double)m : NAN;
		x->median_days_between = NAN;
		if (m) {
			qsort(a, m, sizeof(*a), cmp_i32);
			x->median_days_between = m % 2 ? a[m / 2]
					       : ((double)a[m / 2 - 1] + (double)a[m / 2]) / 2;
		}
		x->within_rate = o.within_days >= 0 ? pct(x->within_repeat, x->within_eligible) : NAN;
	}
	/* Hand out the rows in (group, cohort) order. */
	{
		loyal_txn_repurchase_row *sorted = malloc(n * sizeof(*sorted));
		if (!sorted) {
			error = loyal__error_oom();
			goto done;
		}
		for (size_t i = 0; i < n; i++)
			sorted[i] = r[s.sorted[i]];
		free(r);
		r = sorted;
	}
	*rows = r;
	*nrows = n;
	r = NULL;
done:
	free(r);
	free(goff);
	free(gcur);
	free(gsum);
	free(gaps);
	segs_dispose(&s);
	return error;
}

void loyal_txn_repurchase_free(loyal_txn_repurchase_row *rows)
{
	free(rows);
}

/* ---- period retention -------------------------------------------------- */

int loyal_txn_retention(loyal_txn_retention_row **rows, size_t *nrows, const loyal_txn *t,
			loyal_period period)
{
	struct segs s;
	int64_t *minp = NULL, last;
	size_t *base = NULL, total = 0, nout = 0, n = 0;
	uint64_t *cnt = NULL; /* per segment and period: active, new, retained */
	loyal_txn_retention_row *r = NULL;
	int error;

	if ((error = check_finished(t, rows, nrows)) < 0)
		return error;
	if (period == LOYAL_PERIOD_NONE || !period_ok(period))
		return loyal__error(LOYAL_EINVAL, "retention needs a period");
	*rows = NULL;
	*nrows = 0;
	if ((error = segs_build(&s, t, LOYAL_PERIOD_NONE)) < 0)
		goto done;
	n = s.map.count;
	if (!n)
		goto done;
	last = loyal_period_index(period, t->as_of);
	if (!(minp = malloc(n * sizeof(*minp))) || !(base = malloc((n + 1) * sizeof(*base)))) {
		error = loyal__error_oom();
		goto done;
	}
	for (size_t g = 0; g < n; g++)
		minp[g] = last;
	for (size_t i = 0; i < t->nbuyers; i++) {
		int64_t p = loyal_period_index(period, t->days[t->off[t->buyers[i]]]);
		if (p < minp[s.of_buyer[i]])
			minp[s.of_buyer[i]] = p;
	}
	for (size_t g = 0; g < n; g++) {
		size_t len = (size_t)(last - minp[g]) + 1;
		base[g] = total;
		if (len > SIZE_MAX / (3 * sizeof(uint64_t)) - total) {
			error = loyal__error_oom();
			goto done;
		}
		total += len;
		nout += len - 1;
	}
	base[n] = total;
	if (!(cnt = calloc(total * 3, sizeof(*cnt)))) {
		error = loyal__error_oom();
		goto done;
	}
	for (size_t i = 0; i < t->nbuyers; i++) {
		uint32_t c = t->buyers[i], g = s.of_buyer[i];
		uint64_t *a = cnt + 3 * base[g];
		int64_t prev = INT64_MIN;
		for (size_t j = t->off[c]; j < t->off[c + 1]; j++) {
			int64_t p = loyal_period_index(period, t->days[j]);
			size_t k = (size_t)(p - minp[g]);
			if (p == prev)
				continue;
			a[3 * k]++;
			if (prev == INT64_MIN)
				a[3 * k + 1]++;
			else if (prev == p - 1)
				a[3 * k + 2]++;
			prev = p;
		}
	}
	if (nout && !(r = calloc(nout, sizeof(*r)))) {
		error = loyal__error_oom();
		goto done;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t g = s.sorted[i];
		const uint64_t *a = cnt + 3 * base[g];
		size_t len = base[g + 1] - base[g];
		for (size_t j = 1; j < len; j++) {
			loyal_txn_retention_row *x = &r[k++];
			x->group = s.group[g];
			x->period = minp[g] + (int64_t)j;
			x->active_prev = a[3 * (j - 1)];
			x->active = a[3 * j];
			x->new_customers = a[3 * j + 1];
			x->retained = a[3 * j + 2];
			x->retention = pct(x->retained, x->active_prev);
			x->churn = x->active_prev ? 100.0 - x->retention : NAN;
			x->crr = pct(x->active - x->new_customers, x->active_prev);
		}
	}
	*rows = r;
	*nrows = nout;
	r = NULL;
done:
	free(r);
	free(cnt);
	free(minp);
	free(base);
	segs_dispose(&s);
	return error;
}

void loyal_txn_retention_free(loyal_txn_retention_row *rows)
{
	free(rows);
}

/* ---- cohort matrix ----------------------------------------------------- */

int loyal_txn_cohorts(loyal_txn_cohort_row **rows, size_t *nrows, const loyal_txn *t,
		      const loyal_txn_cohort_options *opts)
{
	loyal_txn_cohort_options o = LOYAL_TXN_COHORT_OPTIONS_INIT;
	struct segs s;
	loyal_txn_cohort_row *r = NULL;
	size_t *row_of = NULL, total = 0, n = 0;
	int64_t last;
	int error;

	if ((error = check_finished(t, rows, nrows)) < 0)
		return error;
	if (opts)
		o = *opts;
	if (o.version != LOYAL_TXN_COHORT_OPTIONS_VERSION || o.period == LOYAL_PERIOD_NONE ||
	    !period_ok(o.period))
		return loyal__error(LOYAL_EINVAL, "the cohort matrix needs a period");
	*rows = NULL;
	*nrows = 0;
	if ((error = segs_build(&s, t, o.period)) < 0)
		goto done;
	n = s.map.count;
	if (!n)
		goto done;
	last = loyal_period_index(o.period, t->as_of);
	for (size_t g = 0; g < n; g++) {
		size_t len = (size_t)(last - s.cohort[g]) + 1;
		if (len > (SIZE_MAX / 2 - n * sizeof(*r)) / 16 - total) {
			error = loyal__error_oom();
			goto done;
		}
		total += len;
	}
	/* One block: the rows, then every row's counts, then its percentages. */
	if (!(row_of = malloc(n * sizeof(*row_of))) ||
	    !(r = calloc(1, n * sizeof(*r) + total * (sizeof(uint64_t) + sizeof(double))))) {
		error = loyal__error_oom();
		goto done;
	}
	uint64_t *act = (uint64_t *)(r + n);
	double *ret = (double *)(act + total);
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t g = s.sorted[i];
		r[i].group = s.group[g];
		r[i].cohort = s.cohort[g];
		r[i].ncells = (size_t)(last - s.cohort[g]) + 1;
		r[i].active = act + at;
		r[i].retention = ret + at;
		at += r[i].ncells;
		row_of[g] = i;
	}
	for (size_t i = 0; i < t->nbuyers; i++) {
		uint32_t c = t->buyers[i];
		loyal_txn_cohort_row *x = &r[row_of[s.of_buyer[i]]];
		uint64_t *a = (uint64_t *)x->active;
		x->customers++;
		if (o.unbounded) {
			/* Counted once at the last period; suffix sums below
			 * spread it over every earlier cell. */
			a[loyal_period_index(o.period, t->days[t->off[c + 1] - 1]) - x->cohort]++;
			continue;
		}
		int64_t prev = INT64_MIN;
		for (size_t j = t->off[c]; j < t->off[c + 1]; j++) {
			int64_t p = loyal_period_index(o.period, t->days[j]);
			if (p != prev)
				a[p - x->cohort]++;
			prev = p;
		}
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t *a = (uint64_t *)r[i].active;
		double *pc = (double *)r[i].retention;
		if (o.unbounded)
			for (size_t k = r[i].ncells - 1; k > 0; k--)
				a[k - 1] += a[k];
		for (size_t k = 0; k < r[i].ncells; k++)
			pc[k] = pct(a[k], r[i].customers);
	}
	*rows = r;
	*nrows = n;
	r = NULL;
done:
	free(r);
	free(row_of);
	segs_dispose(&s);
	return error;
}

void loyal_txn_cohorts_free(loyal_txn_cohort_row *rows)
{
	free(rows);
}

/* ---- inactivity churn -------------------------------------------------- */

int loyal_txn_inactive(loyal_txn_inactive_row **rows, size_t *nrows, const loyal_txn *t,
		       int32_t days, loyal_period cohort_period)
{
	struct segs s;
	loyal_txn_inactive_row *acc = NULL, *r = NULL;
	size_t n = 0;
	int error;

	if ((error = check_finished(t, rows, nrows)) < 0)
		return error;
	if (days < 0 || !period_ok(cohort_period))
		return loyal__error(LOYAL_EINVAL, "invalid inactivity options");
	*rows = NULL;
	*nrows = 0;
	if ((error = segs_build(&s, t, cohort_period)) < 0)
		goto done;
	n = s.map.count;
	if (!n)
		goto done;
	if (!(acc = calloc(n, sizeof(*acc))) || !(r = malloc(n * sizeof(*r)))) {
		error = loyal__error_oom();
		goto done;
	}
	for (size_t i = 0; i < t->nbuyers; i++) {
		uint32_t c = t->buyers[i];
		loyal_txn_inactive_row *x = &acc[s.of_buyer[i]];
		x->customers++;
		if ((int64_t)t->as_of - t->days[t->off[c + 1] - 1] > days)
			x->inactive++;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t g = s.sorted[i];
		r[i] = acc[g];
		r[i].group = s.group[g];
		r[i].cohort = s.cohort[g];
		r[i].churn_rate = pct(r[i].inactive, r[i].customers);
	}
	*rows = r;
	*nrows = n;
	r = NULL;
done:
	free(acc);
	free(r);
	segs_dispose(&s);
	return error;
}

void loyal_txn_inactive_free(loyal_txn_inactive_row *rows)
{
	free(rows);
}
