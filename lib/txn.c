#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors_p.h"
#include "mem_p.h"
#include "loyal/date.h"
#include "loyal/txn.h"
#include "strmap_p.h"
#include "txn_p.h"

/*
 * How rows are accumulated, and why.
 *
 * A customer is interned once (strmap) and owns one 64-byte record of
 * running totals, so a row touches three cache lines that a batch can
 * prefetch: the map's slot, the key record, the customer record.
 *
 * Purchase rows are folded into per-customer "purchase records", appended
 * to one log: a record is a run of a customer's lines with the same
 * occasion key (order id, or day), with their earliest day and their spend.
 * A line whose key equals its customer's last record's key is added to
 * that record; any other line starts a record. Order lines are contiguous
 * in real exports, so an order costs one record and no lookup, and no
 * order id is ever interned (they are packed into 64 bits, exactly; see
 * pack_order()). A customer's records are chained newest first.
 *
 * loyal_txn_finish() walks each customer's chain and merges records with
 * equal keys (an order whose lines were not contiguous), which gives the
 * occasions exactly as a table of all (customer, order) pairs would, with
 * memory for one 24-byte record per run instead of a table entry per
 * order. Merging accumulators (loyal_txn_merge) appends one log to the
 * other and links the chains, so the parts of a file read by different
 * threads give exactly the result of reading it whole: finish sees the
 * same records per customer, in the same order.
 *
 * Same-day cancellations (LOYAL_RETURNS_NET_DAY): a return row is logged
 * as a record of its own, with the key RETURN_KEY and its negative amount
 * (purchase records never have a negative spend), so that finish can sum a
 * customer's returns of each day against the occasions of that day. The
 * records merge as any others; with LOYAL_RETURNS_KEEP returns are not
 * logged at all.
 */


#define MAX_FINISH_THREADS 16
/* Fewer records are folded on the calling thread alone. */
#define FINISH_THREADS_FROM ((size_t)1 << 16)



/*
 * Order ids as 64-bit keys, equal exactly when the ids are equal. The top
 * two bits say how the rest holds the id:
 *   RAW     up to 7 bytes, with the length in bits 56-58;
 *   NUM     a decimal number without a leading zero, below 2^62;
 *   PREFIX  an interned prefix (id < 2^16, bits 44-59), the number of
 *           trailing digits k (1-12, bits 40-43) and their value: the
 *           "INV-2024-000123" kind, where few prefixes share many orders;
 *   LONG    anything else, interned whole (id below 2^62).
 * Each id has one encoding in a given accumulator: it is chosen by the
 * first of these that fits, and a prefix table, once full, stays full.
 */
#define TAG_SHIFT 62
enum { TAG_RAW = 0, TAG_NUM = 1, TAG_PREFIX = 2, TAG_LONG = 3 };
#define MAX_PREFIXES 65536
#define PREFIX_DIGITS 12


int loyal_txn_new(loyal_txn **out, const loyal_txn_options *opts)
{
	loyal_txn *t;

	if (!out)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_txn_new");
	if (opts && ((opts->version < 1 || opts->version > LOYAL_TXN_OPTIONS_VERSION) ||
		     (opts->occasion != LOYAL_OCCASION_DAY && opts->occasion != LOYAL_OCCASION_ORDER) ||
		     (opts->version >= 3 && opts->returns != LOYAL_RETURNS_NET_DAY &&
		      opts->returns != LOYAL_RETURNS_KEEP)))
		return loyal__error(LOYAL_EINVAL, "invalid transaction options");
	if (!(t = calloc(1, sizeof(*t))))
		return loyal__error_oom();
	t->occasion = opts ? opts->occasion : LOYAL_OCCASION_DAY;
	/* options older than version 3 predate the cancellations: keep all */
	t->returns = !opts ? LOYAL_RETURNS_NET_DAY
		   : opts->version >= 3 ? opts->returns : LOYAL_RETURNS_KEEP;
	/* a version 1 struct ends before `threads` */
	t->threads = opts && opts->version >= 2 && opts->threads > 1 ? opts->threads : 1;
	if (t->threads > MAX_FINISH_THREADS)
		t->threads = MAX_FINISH_THREADS;
	loyal__strmap_init(&t->customers);
	loyal__strmap_init(&t->prefixes);
	loyal__strmap_init(&t->longs);
	*out = t;
	return 0;
}

static void free_log(loyal_txn *t)
{
	loyal__big_free(t->recs, t->rcap * sizeof(*t->recs));
	t->recs = NULL;
	t->nrecs = t->rcap = 0;
	loyal__strmap_dispose(&t->prefixes);
	loyal__strmap_dispose(&t->longs);
}

void loyal_txn_free(loyal_txn *t)
{
	if (!t)
		return;
	loyal__strmap_dispose(&t->customers);
	loyal__big_free(t->cust, t->ccap * sizeof(*t->cust));
	free_log(t);
	free(t->off);
	free(t->days);
	free(t->repeat_spend);
	free(t->buyers);
	free(t);
}


/* Make room for one more customer before interning it, so that a failed
 * allocation never leaves an id without its record. */
static int reserve_customer(loyal_txn *t)
{
	if (t->customers.count < t->ccap)
		return 0;
	size_t cap = t->ccap ? t->ccap * 2 : 256;
	if (cap > SIZE_MAX / sizeof(struct cust))
		return loyal__error_oom();
	struct cust *c = loyal__big_realloc(t->cust, t->ccap * sizeof(*c), cap * sizeof(*c));
	if (!c)
		return loyal__error_oom();
	t->cust = c;
	t->ccap = cap;
	return 0;
}

static int reserve_recs(loyal_txn *t, size_t n)
{
	if (n <= t->rcap)
		return 0;
	if (n > (size_t)UINT32_MAX - 1)
		return loyal__error(LOYAL_ETOOBIG, "more than %lu purchase records in one "
				    "accumulator", (unsigned long)UINT32_MAX - 1);
	size_t cap = t->rcap ? t->rcap : 1024;
	while (cap < n)
		cap *= 2;
	if (cap > SIZE_MAX / sizeof(struct rec))
		return loyal__error_oom();
	struct rec *r = loyal__big_realloc(t->recs, t->rcap * sizeof(*r), cap * sizeof(*r));
	if (!r)
		return loyal__error_oom();
	t->recs = r;
	t->rcap = cap;
	return 0;
}

static int intern_customer(loyal_txn *t, const char *id, size_t len, uint64_t h, uint32_t *cid)
{
	int added = 0, error;

	if ((error = reserve_customer(t)) < 0 ||
	    (error = loyal__strmap_intern_h(&t->customers, id, len, h, cid, &added)) < 0)
		return error;
	if (added) {
		struct cust *c = &t->cust[*cid];
		memset(c, 0, sizeof(*c));
		c->group_day = NO_DAY;
	}
	return 0;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int intern_long(loyal_txn *t, const char *s, size_t len, uint64_t *key)
{
	uint32_t id;
	int error = loyal__strmap_intern(&t->longs, s, len, &id, NULL);

	if (error < 0)
		return error;
	*key = ((uint64_t)TAG_LONG << TAG_SHIFT) | id;
	return 0;
}

/* The key of order id s[0..len), len >= 1 (see TAG_*). */
static int pack_order(loyal_txn *t, const char *s, size_t len, uint64_t *key)
{
	size_t run = 0;

	if (len <= 7) {
		uint64_t k = 0;
		memcpy(&k, s, len);
		*key = k | ((uint64_t)len << 56);
		return 0;
	}
	while (run < len && is_digit(s[len - 1 - run]))
		run++;
	if (run == len && len <= 19 && s[0] != '0') {
		uint64_t v = 0;
		size_t i;
		for (i = 0; i < len && v < (1ULL << TAG_SHIFT) / 10; i++)
			v = v * 10 + (uint64_t)(s[i] - '0');
		if (i == len && v < (1ULL << TAG_SHIFT)) {
			*key = ((uint64_t)TAG_NUM << TAG_SHIFT) | v;
			return 0;
		}
	}
	if (run > 0) {
		size_t k = run < PREFIX_DIGITS ? run : PREFIX_DIGITS, plen = len - k;
		uint64_t v = 0;
		uint32_t pid;
		int error = loyal__strmap_find(&t->prefixes, s, plen, &pid);
		if (error == LOYAL_ITEROVER && t->prefixes.count < MAX_PREFIXES)
			error = loyal__strmap_intern(&t->prefixes, s, plen, &pid, NULL);
		else if (error == LOYAL_ITEROVER)
			return intern_long(t, s, len, key);
		if (error < 0)
			return error;
		for (size_t i = plen; i < len; i++)
			v = v * 10 + (uint64_t)(s[i] - '0');
		*key = ((uint64_t)TAG_PREFIX << TAG_SHIFT) | ((uint64_t)pid << 44) |
		       ((uint64_t)k << 40) | v;
		return 0;
	}
	return intern_long(t, s, len, key);
}

/* The order id of a PREFIX or LONG key of t, into buf (at least 4096 + the
 * longest prefix bytes: callers use unpack_len first). */
static const char *unpack_order(const loyal_txn *t, uint64_t key, char *buf, size_t *len)
{
	unsigned tag = (unsigned)(key >> TAG_SHIFT);

	if (tag == TAG_LONG)
		return loyal__strmap_key(&t->longs, (uint32_t)(key & 0xffffffffu), len);
	/* TAG_PREFIX */
	size_t plen, k = (size_t)((key >> 40) & 0xf);
	const char *p = loyal__strmap_key(&t->prefixes, (uint32_t)((key >> 44) & 0xffff), &plen);
	uint64_t v = key & ((1ULL << 40) - 1);
	memcpy(buf, p, plen);
	for (size_t i = k; i > 0; i--) {
		buf[plen + i - 1] = (char)('0' + v % 10);
		v /= 10;
	}
	*len = plen + k;
	return buf;
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

static int check_row(const loyal_txn *t, const loyal_txn_row *row)
{
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
	return 0;
}

/* A new record of customer c, the row's amount and day under occasion key
 * `key`, becoming the customer's newest. */
static inline int push_rec(loyal_txn *t, struct cust *c, uint64_t key, const loyal_txn_row *row)
{
	int error;

	if ((error = reserve_recs(t, t->nrecs + 1)) < 0)
		return error;
	struct rec *r = &t->recs[t->nrecs];
	r->key = key;
	r->spend = row->amount;
	r->day = row->day;
	r->prev = c->head;
	c->head = (uint32_t)++t->nrecs;
	if (!c->tail)
		c->tail = c->head;
	c->nrec++;
	c->last_key = key;
	return 0;
}

/* loyal_txn_add() once the row is checked and its customer id hashed. */
static int add_row(loyal_txn *t, const loyal_txn_row *row, uint64_t h)
{
	uint32_t cid;
	int64_t net, gross;
	uint64_t key;
	struct cust *c;
	int error;

	if ((error = intern_customer(t, row->customer, row->customer_len, h, &cid)) < 0)
		return error;
	c = &t->cust[cid];
	if (__builtin_add_overflow(c->net, row->amount, &net))
		return loyal__error(LOYAL_ETOOBIG, "the spend of customer '%s' is out of range",
				    loyal__strmap_key(&t->customers, cid, NULL));
	if (row->amount < 0) {
		if (c->return_rows == UINT32_MAX)
			return loyal__error(LOYAL_ETOOBIG, "customer '%s' has more than %lu returns",
					    loyal__strmap_key(&t->customers, cid, NULL),
					    (unsigned long)UINT32_MAX);
		if (t->returns == LOYAL_RETURNS_NET_DAY) {
			/* a record of its own, netted against its day in finish;
			 * the next purchase line starts a new record */
			if ((error = push_rec(t, c, RETURN_KEY, row)) < 0)
				return error;
		}
		c->net = net;
		c->return_rows++;
		note_day(&t->st, row->day);
		t->st.rows++;
		t->st.return_rows++;
		return 0;
	}
	if (__builtin_add_overflow(c->gross, row->amount, &gross))
		return loyal__error(LOYAL_ETOOBIG, "the spend of customer '%s' is out of range",
				    loyal__strmap_key(&t->customers, cid, NULL));
	if (t->occasion == LOYAL_OCCASION_DAY)
		key = (uint32_t)row->day;
	else if ((error = pack_order(t, row->order, row->order_len, &key)) < 0)
		return error;
	/* A record's spend is part of its customer's gross spend, so it
	 * cannot overflow when the gross spend does not. */
	if (c->nrec && c->last_key == key) {
		struct rec *r = &t->recs[c->head - 1];
		r->spend += row->amount;
		if (row->day < r->day)
			r->day = row->day;
	} else {
		if ((error = push_rec(t, c, key, row)) < 0)
			return error;
	}
	c->net = net;
	c->gross = gross;
	if (row->day < c->group_day) {
		c->group_day = row->day;
		c->group = row->group;
	}
	note_day(&t->st, row->day);
	t->st.rows++;
	t->st.purchase_rows++;
	return 0;
}

int loyal_txn_add(loyal_txn *t, const loyal_txn_row *row)
{
	int error = check_row(t, row);

	if (error < 0)
		return error;
	return add_row(t, row, loyal__strmap_hash(&t->customers, row->customer, row->customer_len));
}

/*
 * Rows are processed as a pipeline: row i's customer id is hashed and its
 * slot requested, row i - DIST1's slot is read and the records it names
 * requested, and row i - DIST2 is added, by then with its cache lines at
 * hand. A million customers do not fit in the caches, so this turns three
 * memory latencies per row into a fraction of one.
 */
#define DIST1 16
#define DIST2 32
#define RING 64 /* > DIST2, a power of two */

int loyal_txn_add_rows(loyal_txn *t, const loyal_txn_row *rows, size_t n, size_t *done)
{
	uint64_t h[RING];
	size_t i, k = 0;
	int error = 0;

	for (i = 0; i < n; i++)
		if ((error = check_row(t, &rows[i])) < 0)
			break;
	n = i; /* rows before a bad one are added, then its error returned */
	for (i = 0; i < n + DIST2; i++) {
		if (i < n) {
			h[i % RING] = loyal__strmap_hash(&t->customers, rows[i].customer,
							 rows[i].customer_len);
			loyal__strmap_prefetch(&t->customers, h[i % RING]);
		}
		if (i >= DIST1 && i - DIST1 < n) {
			uint32_t id;
			if (loyal__strmap_peek(&t->customers, h[(i - DIST1) % RING], &id)) {
				__builtin_prefetch(&t->customers.recs[id]);
				__builtin_prefetch(&t->cust[id], 1);
			}
		}
		if (i >= DIST2 && (k = i - DIST2) < n) {
			int e = add_row(t, &rows[k], h[k % RING]);
			if (e < 0) {
				if (done)
					*done = k;
				return e;
			}
		}
	}
	if (done)
		*done = n;
	return error;
}

int loyal_txn_map_groups(loyal_txn *t, const uint32_t *map, size_t n)
{
	if (!t || (n && !map) || t->finished)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_txn_map_groups");
	for (size_t c = 0; c < t->customers.count; c++)
		if (t->cust[c].group_day != NO_DAY && t->cust[c].group >= n)
			return loyal__error(LOYAL_EINVAL, "group %lu has no entry in the map",
					    (unsigned long)t->cust[c].group);
	for (size_t c = 0; c < t->customers.count; c++)
		if (t->cust[c].group_day != NO_DAY)
			t->cust[c].group = map[t->cust[c].group];
	return 0;
}

/* The key in dst of a key of src (order keys that name interned strings
 * are numbered per accumulator), with pmap: src prefix id -> dst prefix id
 * (NO_PREFIX: re-encode) and lmap: src long id -> dst key. */
#define NO_PREFIX UINT32_MAX

static int map_key(loyal_txn *dst, const loyal_txn *src, const uint32_t *pmap,
		   const uint64_t *lmap, uint64_t key, uint64_t *out)
{
	unsigned tag = (unsigned)(key >> TAG_SHIFT);
	char buf[4096 + 64];
	const char *s;
	size_t len, plen;

	if (dst->occasion == LOYAL_OCCASION_DAY || tag == TAG_RAW || tag == TAG_NUM ||
	    key == RETURN_KEY) {
		*out = key;
		return 0;
	}
	if (tag == TAG_LONG) {
		*out = lmap[key & 0xffffffffu];
		return 0;
	}
	uint32_t pid = (uint32_t)((key >> 44) & 0xffff);
	if (pmap[pid] != NO_PREFIX) {
		*out = (key & ~(0xffffULL << 44)) | ((uint64_t)pmap[pid] << 44);
		return 0;
	}
	/* dst's prefix table is full without this prefix: the id is a LONG
	 * key in dst */
	loyal__strmap_key(&src->prefixes, pid, &plen);
	if (plen + PREFIX_DIGITS > sizeof(buf)) {
		char *big = malloc(plen + PREFIX_DIGITS);
		int error;
		if (!big)
			return loyal__error_oom();
		s = unpack_order(src, key, big, &len);
		error = intern_long(dst, s, len, out);
		free(big);
		return error;
	}
	s = unpack_order(src, key, buf, &len);
	return intern_long(dst, s, len, out);
}

/* Records are copied in chunks; a consumed src gives their memory back
 * chunk by chunk. */
#define COPY_CHUNK ((size_t)1 << 16)

static int merge(loyal_txn *dst, loyal_txn *src, int consume)
{
	uint32_t *cmap = NULL, *pmap = NULL;
	uint64_t *lmap = NULL, *kmap = NULL;
	size_t base, nsrc = src->customers.count;
	int error = 0;

	if (nsrc && !(cmap = malloc(nsrc * sizeof(*cmap))))
		return loyal__error_oom();
	if ((error = reserve_recs(dst, dst->nrecs + src->nrecs)) < 0 ||
	    (error = loyal__strmap_reserve(&dst->customers, dst->customers.count + nsrc)) < 0)
		goto done;
	/*
	 * Customers, in src's order: new ones are numbered after dst's, as if
	 * src's rows had been added to dst. Pipelined as loyal_txn_add_rows():
	 * hash and request the slot, then the records, then intern.
	 */
	uint64_t h[RING];
	for (size_t i = 0; i < nsrc + DIST2; i++) {
		if (i < nsrc) {
			size_t len;
			const char *id = loyal__strmap_key(&src->customers, (uint32_t)i, &len);
			h[i % RING] = loyal__strmap_hash(&dst->customers, id, len);
			loyal__strmap_prefetch(&dst->customers, h[i % RING]);
		}
		if (i >= DIST1 && i - DIST1 < nsrc) {
			uint32_t id;
			if (loyal__strmap_peek(&dst->customers, h[(i - DIST1) % RING], &id)) {
				__builtin_prefetch(&dst->customers.recs[id]);
				__builtin_prefetch(&dst->cust[id], 1);
			}
		}
		if (i >= DIST2 && i - DIST2 < nsrc) {
			size_t c = i - DIST2, len;
			const char *id = loyal__strmap_key(&src->customers, (uint32_t)c, &len);
			if ((error = intern_customer(dst, id, len, h[c % RING], &cmap[c])) < 0)
				goto done;
		}
	}
	/* Keys that name interned strings: prefixes and long ids, once each. */
	if (dst->occasion == LOYAL_OCCASION_ORDER && (src->prefixes.count || src->longs.count)) {
		int full = 0;
		if (!(pmap = malloc((src->prefixes.count + 1) * sizeof(*pmap))) ||
		    !(lmap = malloc((src->longs.count + 1) * sizeof(*lmap)))) {
			error = loyal__error_oom();
			goto done;
		}
		for (uint32_t p = 0; p < src->prefixes.count; p++) {
			size_t len;
			const char *s = loyal__strmap_key(&src->prefixes, p, &len);
			error = loyal__strmap_find(&dst->prefixes, s, len, &pmap[p]);
			if (error == LOYAL_ITEROVER && dst->prefixes.count < MAX_PREFIXES)
				error = loyal__strmap_intern(&dst->prefixes, s, len, &pmap[p], NULL);
			else if (error == LOYAL_ITEROVER) {
				pmap[p] = NO_PREFIX;
				full = 1;
				error = 0;
			}
			if (error < 0)
				goto done;
		}
		for (uint32_t l = 0; l < src->longs.count; l++) {
			size_t len;
			const char *s = loyal__strmap_key(&src->longs, l, &len);
			if ((error = intern_long(dst, s, len, &lmap[l])) < 0)
				goto done;
		}
		/* Rare: re-encoding may intern, so it is done before anything
		 * changes, into a key per record. */
		if (full) {
			if (!(kmap = malloc((src->nrecs + 1) * sizeof(*kmap)))) {
				error = loyal__error_oom();
				goto done;
			}
			for (size_t r = 0; r < src->nrecs; r++)
				if ((error = map_key(dst, src, pmap, lmap, src->recs[r].key, &kmap[r])) < 0)
					goto done;
		}
	}
	/* Totals are checked before anything changes (cmap is one-to-one). */
	for (size_t c = 0; c < nsrc; c++) {
		const struct cust *s = &src->cust[c], *d = &dst->cust[cmap[c]];
		int64_t x;
		uint32_t y;
		if (c + 16 < nsrc)
			__builtin_prefetch(&dst->cust[cmap[c + 16]]);
		if (__builtin_add_overflow(d->net, s->net, &x) ||
		    __builtin_add_overflow(d->gross, s->gross, &x)) {
			error = loyal__error(LOYAL_ETOOBIG, "the spend of customer '%s' is out of range",
					     loyal__strmap_key(&src->customers, (uint32_t)c, NULL));
			goto done;
		}
		if (__builtin_add_overflow(d->return_rows, s->return_rows, &y)) {
			error = loyal__error(LOYAL_ETOOBIG, "customer '%s' has more than %lu returns",
					     loyal__strmap_key(&src->customers, (uint32_t)c, NULL),
					     (unsigned long)UINT32_MAX);
			goto done;
		}
	}
	/* Nothing can fail from here on. */
	if (consume)
		loyal__strmap_dispose(&src->customers);
	base = dst->nrecs;
	for (size_t from = 0; from < src->nrecs; from += COPY_CHUNK) {
		size_t to = src->nrecs - from < COPY_CHUNK ? src->nrecs : from + COPY_CHUNK;
		for (size_t r = from; r < to; r++) {
			struct rec *x = &dst->recs[base + r];
			*x = src->recs[r];
			if (x->prev)
				x->prev += (uint32_t)base;
			if (kmap)
				x->key = kmap[r];
			else if (pmap)
				map_key(dst, src, pmap, lmap, x->key, &x->key);
		}
		if (consume)
			loyal__big_release(src->recs, src->rcap * sizeof(*src->recs),
					   from * sizeof(*src->recs), to * sizeof(*src->recs));
	}
	dst->nrecs += src->nrecs;
	for (size_t c = 0; c < nsrc; c++) {
		const struct cust *s = &src->cust[c];
		struct cust *d = &dst->cust[cmap[c]];
		if (c + 16 < nsrc) {
			const struct cust *s2 = &src->cust[c + 16];
			__builtin_prefetch(&dst->cust[cmap[c + 16]], 1);
			if (s2->nrec)
				__builtin_prefetch(&dst->recs[base + s2->tail - 1], 1);
		}
		d->net += s->net;
		d->gross += s->gross;
		d->return_rows += s->return_rows;
		if (s->group_day < d->group_day) {
			d->group_day = s->group_day;
			d->group = s->group;
		}
		if (s->nrec) {
			dst->recs[base + s->tail - 1].prev = d->head;
			d->head = s->head + (uint32_t)base;
			if (!d->tail)
				d->tail = s->tail + (uint32_t)base;
			d->nrec += s->nrec;
			d->last_key = dst->recs[d->head - 1].key;
		}
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
done:
	free(cmap);
	free(pmap);
	free(lmap);
	free(kmap);
	return error;
}

static int merge_check(const loyal_txn *dst, const loyal_txn *src)
{
	if (!dst || !src || dst == src)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_txn_merge");
	if (dst->finished || src->finished)
		return loyal__error(LOYAL_EINVAL, "cannot merge a finished accumulator");
	if (dst->occasion != src->occasion || dst->returns != src->returns)
		return loyal__error(LOYAL_EINVAL, "cannot merge accumulators with different occasions "
				    "or returns");
	return 0;
}

int loyal_txn_merge(loyal_txn *dst, const loyal_txn *src)
{
	int error = merge_check(dst, src);

	/* consume = 0: src is only read */
	return error < 0 ? error : merge(dst, (loyal_txn *)(uintptr_t)src, 0);
}

int loyal_txn_merge_free(loyal_txn *dst, loyal_txn *src)
{
	int error = merge_check(dst, src);

	if (error == 0)
		error = merge(dst, src, 1);
	if (src != dst)
		loyal_txn_free(src);
	return error;
}

/* ---- finish: records to occasions --------------------------------------- */

struct occ {
	uint64_t key;
	int64_t spend;
	int32_t day;
	uint32_t seq; /* position of its first record among the customer's */
};

static int occ_by_key(const void *pa, const void *pb)
{
	const struct occ *a = pa, *b = pb;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int occ_by_day(const void *pa, const void *pb)
{
	const struct occ *a = pa, *b = pb;
	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void sort_occ(struct occ *o, size_t n, int (*cmp)(const void *, const void *))
{
	if (n > 16) {
		qsort(o, n, sizeof(*o), cmp);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		struct occ v = o[i];
		size_t j = i;
		for (; j > 0 && cmp(&o[j - 1], &v) > 0; j--)
			o[j] = o[j - 1];
		o[j] = v;
	}
}

/*
 * The occasions of one customer from its records o[0..n) (in the order
 * added; seq set): records with equal keys are one occasion, dated by the
 * earliest and with the sum of the spends. Leaves the occasions sorted by
 * day (ties: the first added first) in o[0..) and returns their number.
 */
static size_t fold_occasions(struct occ *o, size_t n)
{
	size_t m = 0;

	if (n == 1)
		return 1;
	sort_occ(o, n, occ_by_key);
	for (size_t i = 0; i < n; i++) {
		if (m && o[m - 1].key == o[i].key) {
			o[m - 1].spend += o[i].spend;
			if (o[i].day < o[m - 1].day)
				o[m - 1].day = o[i].day;
			continue; /* seq: the first by key order is the first added */
		}
		o[m++] = o[i];
	}
	sort_occ(o, m, occ_by_day);
	return m;
}

/*
 * Walking the chains. A customer's records lie anywhere in the log, so
 * each step of a chain is a cache miss; LANES customers are walked side by
 * side, each lane's next record requested a round before it is read, so
 * that the misses overlap. A customer with more than BIG_CHAIN records is
 * walked on its own (its chain is long enough to wait on).
 */
#define LANES 32
#define BIG_CHAIN 4096

struct lane {
	size_t c;       /* customer */
	uint32_t r;     /* next record + 1 */
	size_t j;       /* records still to read */
	struct occ o[BIG_CHAIN];
};

/*
 * Same-day cancellations: the occasions o[0..m) (sorted by day) less those
 * on a day whose purchases and returns r[0..nr) (return records, any
 * order) net to zero or below. Returns the occasions kept, still sorted.
 */
static size_t cancel_days(struct occ *o, size_t m, struct occ *r, size_t nr)
{
	size_t kept = 0, i = 0, k = 0;

	sort_occ(r, nr, occ_by_day);
	while (i < m) {
		int32_t day = o[i].day;
		size_t j = i;
		int64_t buy = 0, ret = 0;
		/* a day's purchases are part of the customer's gross spend: no
		 * overflow */
		while (j < m && o[j].day == day)
			buy += o[j++].spend;
		while (k < nr && r[k].day < day)
			k++;
		/* a day's returns may sum beyond the range where the net
		 * spend does not: below INT64_MIN they cancel the day anyway */
		for (; k < nr && r[k].day == day; k++)
			if (__builtin_add_overflow(ret, r[k].spend, &ret))
				ret = INT64_MIN;
		if (!(ret < 0 && buy + ret <= 0))
			while (i < j)
				o[kept++] = o[i++];
		i = j;
	}
	return kept;
}

/* A customer with purchase records and no occasion left (count[]). */
#define ALL_CANCELLED UINT32_MAX

/* Fold customer c's records o[0..n) into its occasions: days go to
 * days[at..), their number to count[c] (ALL_CANCELLED when same-day
 * returns removed all); the occasions removed are added to *cancelled. */
static void finish_customer(loyal_txn *t, size_t c, struct occ *o, size_t n, size_t at,
			    uint32_t *count, uint64_t *cancelled)
{
	size_t np = n, m;

	/* return records (negative spend) to the end */
	for (size_t i = 0; i < np;) {
		if (o[i].spend < 0) {
			struct occ x = o[i];
			o[i] = o[--np];
			o[np] = x;
		} else {
			i++;
		}
	}
	m = np ? fold_occasions(o, np) : 0;
	if (np < n) {
		size_t kept = cancel_days(o, m, o + np, n - np);
		*cancelled += m - kept;
		if (m && !kept) {
			count[c] = ALL_CANCELLED;
			return;
		}
		m = kept;
	}
	int64_t spend = 0;
	for (size_t j = 0; j < m; j++) {
		t->days[at + j] = o[j].day;
		spend += o[j].spend;
	}
	count[c] = (uint32_t)m;
	t->repeat_spend[c] = m ? spend - o[0].spend : 0;
}

static int walk_chains(loyal_txn *t, uint32_t *count, size_t from, size_t ncust,
		       uint64_t *cancelled)
{
	size_t next = from, busy = 0;
	struct lane *lanes = malloc(LANES * sizeof(*lanes));
	struct occ *big = NULL;
	int idle[LANES];

	if (!lanes)
		return loyal__error_oom();
	for (int L = 0; L < LANES; L++)
		idle[L] = 1;
	for (;;) {
		for (int L = 0; L < LANES; L++) {
			struct lane *ln = &lanes[L];
			if (idle[L]) {
				/* the next customer with records */
				while (next < ncust && t->cust[next].nrec == 0)
					next++;
				if (next == ncust)
					continue;
				size_t c = next++, n = t->cust[c].nrec;
				if (n > BIG_CHAIN) {
					struct occ *b = realloc(big, n * sizeof(*b));
					if (!b) {
						free(big);
						free(lanes);
						return loyal__error_oom();
					}
					big = b;
					uint32_t r = t->cust[c].head;
					for (size_t j = n; j-- > 0;) {
						const struct rec *x = &t->recs[r - 1];
						big[j] = (struct occ){ x->key, x->spend, x->day, (uint32_t)j };
						r = x->prev;
					}
					finish_customer(t, c, big, n, t->off[c], count, cancelled);
					L--; /* the lane is still idle */
					continue;
				}
				ln->c = c;
				ln->r = t->cust[c].head;
				ln->j = n;
				__builtin_prefetch(&t->recs[ln->r - 1]);
				idle[L] = 0;
				busy++;
				continue;
			}
			/* the chain runs newest first */
			const struct rec *x = &t->recs[ln->r - 1];
			ln->j--;
			ln->o[ln->j] = (struct occ){ x->key, x->spend, x->day, (uint32_t)ln->j };
			ln->r = x->prev;
			if (ln->j) {
				__builtin_prefetch(&t->recs[ln->r - 1]);
				continue;
			}
			finish_customer(t, ln->c, ln->o, t->cust[ln->c].nrec, t->off[ln->c], count,
					cancelled);
			idle[L] = 1;
			busy--;
		}
		if (!busy && next >= ncust)
			break;
	}
	free(big);
	free(lanes);
	return 0;
}

struct walk {
	loyal_txn *t;
	uint32_t *count;
	size_t from, to;
	int error;
	uint64_t cancelled;
};

static void *walk_thread(void *p)
{
	struct walk *w = p;
	w->error = walk_chains(w->t, w->count, w->from, w->to, &w->cancelled);
	return NULL;
}

/* The customers' chains, on t->threads threads for a large accumulator:
 * each walks a range of customers with about as many records, writing
 * only its customers' slices. */
static int walk_all(loyal_txn *t, uint32_t *count)
{
	size_t n = t->threads, ncust = t->customers.count;
	struct walk w[MAX_FINISH_THREADS];
	pthread_t tid[MAX_FINISH_THREADS];
	int started[MAX_FINISH_THREADS] = { 0 }, error = 0;

	if (n < 2 || t->nrecs < FINISH_THREADS_FROM)
		return walk_chains(t, count, 0, ncust, &t->st.cancelled_occasions);
	size_t c = 0, seen = 0;
	for (size_t k = 0; k < n; k++) {
		size_t want = t->nrecs / n * (k + 1);
		w[k] = (struct walk){ t, count, c, c, 0, 0 };
		while (c < ncust && (k + 1 == n || seen < want))
			seen += t->cust[c++].nrec;
		w[k].to = c;
	}
	for (size_t k = 1; k < n; k++)
		started[k] = pthread_create(&tid[k], NULL, walk_thread, &w[k]) == 0;
	walk_thread(&w[0]);
	for (size_t k = 1; k < n; k++) {
		if (started[k])
			pthread_join(tid[k], NULL);
		else
			walk_thread(&w[k]);
	}
	for (size_t k = 0; k < n; k++) {
		if (w[k].error < 0 && !error)
			error = w[k].error;
		t->st.cancelled_occasions += w[k].cancelled;
	}
	/* an error recorded on another thread is not this thread's last */
	return error < 0 ? loyal__error_oom() : 0;
}

int loyal_txn_finish(loyal_txn *t, int32_t as_of)
{
	size_t ncust, pos = 0;
	uint32_t *count = NULL;
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
	/* A million customers: huge pages save most of the page faults (each
	 * a trap into the kernel, dear on a virtual machine) and of the TLB
	 * misses of the per-customer walks below. */
	if (!(t->off = loyal__huge_malloc((ncust + 1) * sizeof(*t->off))) ||
	    !(t->days = loyal__huge_malloc((t->nrecs ? t->nrecs : 1) * sizeof(*t->days))) ||
	    !(t->repeat_spend = loyal__huge_malloc((ncust ? ncust : 1) * sizeof(*t->repeat_spend))) ||
	    !(t->buyers = loyal__huge_malloc((ncust ? ncust : 1) * sizeof(*t->buyers))) ||
	    !(count = loyal__huge_malloc((ncust ? ncust : 1) * sizeof(*count)))) {
		error = loyal__error_oom();
		goto done;
	}
	memset(t->off, 0, (ncust + 1) * sizeof(*t->off));
	/* Each customer's occasions are written where its records would go
	 * (there are at most as many), then moved together. */
	for (size_t c = 0; c < ncust; c++) {
		t->off[c] = pos;
		pos += t->cust[c].nrec;
		count[c] = 0;
	}
	if ((error = walk_all(t, count)) < 0)
		goto done;
	pos = 0;
	t->nbuyers = 0;
	for (size_t c = 0; c < ncust; c++) {
		const struct cust *cu = &t->cust[c];
		size_t from = t->off[c];
		t->off[c] = pos;
		if (count[c] == ALL_CANCELLED) {
			t->st.cancelled_customers++;
			continue;
		}
		if (!count[c]) {
			/* no record, or (net-day) return records only */
			if (cu->return_rows) {
				t->st.return_only_customers++;
				t->st.return_only_rows += cu->return_rows;
			}
			continue;
		}
		if (from != pos)
			memmove(t->days + pos, t->days + from, count[c] * sizeof(*t->days));
		pos += count[c];
		t->buyers[t->nbuyers++] = (uint32_t)c;
	}
	t->off[ncust] = pos;
	t->nocc = pos;
	t->st.occasions = pos;
	t->st.customers = t->nbuyers;
	t->as_of = as_of;
	t->finished = 1;
	if (pos < t->nrecs) {
		int32_t *d = realloc(t->days, (pos ? pos : 1) * sizeof(*d));
		if (d)
			t->days = d;
	}
	free_log(t);
done:
	free(count);
	if (error) {
		free(t->off);
		free(t->days);
		free(t->repeat_spend);
		free(t->buyers);
		t->off = NULL;
		t->days = NULL;
		t->repeat_spend = NULL;
		t->buyers = NULL;
	}
	return error;
}

int loyal_txn_get_stats(loyal_txn_stats *out, const loyal_txn *t)
{
	if (!out || !t || !LOYAL__VERSION_OK(out->version, LOYAL_TXN_STATS_VERSION))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_txn_get_stats");
	int version = out->version;
	*out = t->st;
	out->version = version;
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
	if (!out || !t || !t->finished || i >= t->nbuyers ||
	    !LOYAL__VERSION_OK(out->version, LOYAL_TXN_CUSTOMER_VERSION))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_txn_customer_get");
	uint32_t c = t->buyers[i];
	size_t lo = t->off[c], hi = t->off[c + 1];
	int version = out->version;

	memset(out, 0, sizeof(*out));
	out->version = version;
	out->id = loyal__strmap_key(&t->customers, c, &out->id_len);
	out->group = t->cust[c].group;
	out->first_day = t->days[lo];
	out->last_day = t->days[hi - 1];
	out->occasions = hi - lo;
	out->spend = t->cust[c].net;
	out->gross_spend = t->cust[c].gross;
	out->repeat_spend = t->repeat_spend[c];
	out->x = out->occasions - 1;
	out->t_x = out->last_day - out->first_day;
	out->T = t->as_of - out->first_day;
	out->mean_repeat_spend = out->x ? (double)out->repeat_spend / 1e6 / (double)out->x : NAN;
	return 0;
}

/* ---- calibration and holdout periods ------------------------------------ */

int loyal_txn_customer_split(loyal_txn_split *out, const loyal_txn *t, size_t i, int32_t cut)
{
	if (!out || !t || !t->finished || i >= t->nbuyers || cut > t->as_of ||
	    !LOYAL__VERSION_OK(out->version, LOYAL_TXN_SPLIT_VERSION))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_txn_customer_split");
	uint32_t c = t->buyers[i];
	const int32_t *d = t->days + t->off[c];
	size_t n = t->off[c + 1] - t->off[c], k = 0;
	int version = out->version;

	memset(out, 0, sizeof(*out));
	out->version = version;
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

/* ---- for lib/txn_state.c ------------------------------------------------ */

int loyal_txn__intern_customer(loyal_txn *t, const char *id, size_t len, uint32_t *cid)
{
	return intern_customer(t, id, len, loyal__strmap_hash(&t->customers, id, len), cid);
}

int loyal_txn__reserve_recs(loyal_txn *t, size_t n)
{
	return reserve_recs(t, n);
}

int loyal_txn__pack_order(loyal_txn *t, const char *s, size_t len, uint64_t *key)
{
	return pack_order(t, s, len, key);
}

const char *loyal_txn__order_text(const loyal_txn *t, uint64_t key, char *buf, size_t *len)
{
	unsigned tag = (unsigned)(key >> TAG_SHIFT);

	if (tag == TAG_RAW) {
		*len = (size_t)((key >> 56) & 7);
		for (size_t i = 0; i < *len; i++)
			buf[i] = (char)((key >> (8 * i)) & 0xff);
		return buf;
	}
	if (tag == TAG_NUM) {
		*len = (size_t)snprintf(buf, 32, "%llu",
					(unsigned long long)(key & ((1ULL << TAG_SHIFT) - 1)));
		return buf;
	}
	return unpack_order(t, key, buf, len);
}
