/*
 * Groups of a grouped result: tuples of text values plus a period index,
 * interned to dense ids.
 *
 * A group's key is, for each value, its length (4 bytes), its bytes and a
 * NUL (so a value can be handed out in place as a C string), then the
 * period index (8 bytes). The lengths make the key unambiguous whatever
 * bytes the values hold; an earlier layout joined the values with 0x1f,
 * and ("x\x1fy", "z") fell into the group of ("x", "y\x1fz").
 */
#include <stdlib.h>
#include <string.h>

#include "errors_p.h"
#include "loyal/grouping.h"
#include "strmap_p.h"

struct loyal_grouping {
	loyal__strmap map;
	size_t nvalues;
	char *buf; /* the key being built */
	size_t buf_cap;
};

int loyal_grouping_new(loyal_grouping **out, size_t nvalues)
{
	loyal_grouping *g;

	if (!out || nvalues > LOYAL_GROUPING_MAX_VALUES)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_grouping_new");
	if (!(g = calloc(1, sizeof(*g))))
		return loyal__error_oom();
	loyal__strmap_init(&g->map);
	g->nvalues = nvalues;
	*out = g;
	return 0;
}

void loyal_grouping_free(loyal_grouping *g)
{
	if (!g)
		return;
	loyal__strmap_dispose(&g->map);
	free(g->buf);
	free(g);
}

size_t loyal_grouping_nvalues(const loyal_grouping *g)
{
	return g ? g->nvalues : 0;
}

size_t loyal_grouping_count(const loyal_grouping *g)
{
	return g ? g->map.count : 0;
}

int loyal_grouping_add(loyal_grouping *g, const char *const *values, const size_t *lens,
		       int64_t period, uint32_t *id, int *added)
{
	size_t need = sizeof(period), n = 0;

	if (!g || !id || (g->nvalues && (!values || !lens)))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_grouping_add");
	for (size_t k = 0; k < g->nvalues; k++) {
		if (!values[k] && lens[k])
			return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_grouping_add");
		if (need > (size_t)UINT32_MAX - 5 || lens[k] > (size_t)UINT32_MAX - 5 - need)
			return loyal__error(LOYAL_ETOOBIG, "group values longer than 4 GiB");
		need += 4 + lens[k] + 1;
	}
	if (need > g->buf_cap) {
		size_t cap = g->buf_cap ? g->buf_cap : 256;
		while (cap < need)
			cap *= 2;
		char *b = realloc(g->buf, cap);
		if (!b)
			return loyal__error_oom();
		g->buf = b;
		g->buf_cap = cap;
	}
	for (size_t k = 0; k < g->nvalues; k++) {
		uint32_t len = (uint32_t)lens[k];
		memcpy(g->buf + n, &len, 4);
		n += 4;
		if (len)
			memcpy(g->buf + n, values[k], len);
		n += len;
		g->buf[n++] = '\0';
	}
	memcpy(g->buf + n, &period, sizeof(period));
	n += sizeof(period);
	return loyal__strmap_intern(&g->map, g->buf, n, id, added);
}

/* Value k of a key (at most nvalues values), its length in *len. */
static const char *key_value(const char *key, size_t k, size_t *len)
{
	uint32_t l;

	for (;;) {
		memcpy(&l, key, 4);
		if (k-- == 0)
			break;
		key += 4 + (size_t)l + 1;
	}
	*len = l;
	return key + 4;
}

static int64_t key_period(const char *key, size_t keylen)
{
	int64_t p;

	memcpy(&p, key + keylen - sizeof(p), sizeof(p));
	return p;
}

const char *loyal_grouping_value(const loyal_grouping *g, uint32_t id, size_t k, size_t *len)
{
	size_t l = 0;
	const char *v = NULL;

	if (g && id < g->map.count && k < g->nvalues)
		v = key_value(loyal__strmap_key(&g->map, id, NULL), k, &l);
	if (len)
		*len = l;
	return v;
}

int64_t loyal_grouping_period(const loyal_grouping *g, uint32_t id)
{
	size_t len;

	if (!g || id >= g->map.count)
		return 0;
	const char *key = loyal__strmap_key(&g->map, id, &len);
	return key_period(key, len);
}

/* Keys compared value by value; the key carries its own layout, so no
 * context is needed (qsort has none to give). */
static int key_cmp(const char *a, size_t alen, const char *b, size_t blen, int with_period)
{
	const char *ea = a + alen - sizeof(int64_t), *eb = b + blen - sizeof(int64_t);

	while (a < ea && b < eb) {
		uint32_t la, lb;
		memcpy(&la, a, 4);
		memcpy(&lb, b, 4);
		int c = memcmp(a + 4, b + 4, la < lb ? la : lb);
		if (c)
			return c;
		if (la != lb)
			return la < lb ? -1 : 1;
		a += 4 + (size_t)la + 1;
		b += 4 + (size_t)lb + 1;
	}
	if (!with_period)
		return 0;
	int64_t x, y;
	memcpy(&x, ea, sizeof(x));
	memcpy(&y, eb, sizeof(y));
	return x < y ? -1 : x > y;
}

int loyal_grouping_compare(const loyal_grouping *g, uint32_t a, uint32_t b, int with_period)
{
	size_t la, lb;

	if (!g || a >= g->map.count || b >= g->map.count)
		return (a > b) - (a < b);
	const char *ka = loyal__strmap_key(&g->map, a, &la);
	const char *kb = loyal__strmap_key(&g->map, b, &lb);
	return key_cmp(ka, la, kb, lb, with_period);
}

struct sort_rec {
	const char *key;
	size_t len;
	uint32_t id;
};

static int sort_rec_cmp(const void *pa, const void *pb)
{
	const struct sort_rec *a = pa, *b = pb;
	int c = key_cmp(a->key, a->len, b->key, b->len, 1);

	return c ? c : (a->id > b->id) - (a->id < b->id);
}

int loyal_grouping_sorted(const loyal_grouping *g, uint32_t *ids)
{
	size_t n = loyal_grouping_count(g);
	struct sort_rec *recs;

	if (!g || (n && !ids))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_grouping_sorted");
	if (!(recs = malloc((n ? n : 1) * sizeof(*recs))))
		return loyal__error_oom();
	for (size_t i = 0; i < n; i++) {
		recs[i].key = loyal__strmap_key(&g->map, (uint32_t)i, &recs[i].len);
		recs[i].id = (uint32_t)i;
	}
	qsort(recs, n, sizeof(*recs), sort_rec_cmp);
	for (size_t i = 0; i < n; i++)
		ids[i] = recs[i].id;
	free(recs);
	return 0;
}

int loyal_grouping_merge(loyal_grouping *dst, const loyal_grouping *src, uint32_t *map)
{
	int error;

	if (!dst || !src || dst == src || dst->nvalues != src->nvalues ||
	    (src->map.count && !map))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_grouping_merge");
	if ((error = loyal__strmap_reserve(&dst->map, dst->map.count + src->map.count)) < 0)
		return error;
	for (uint32_t i = 0; i < src->map.count; i++) {
		size_t len;
		const char *key = loyal__strmap_key(&src->map, i, &len);
		if ((error = loyal__strmap_intern(&dst->map, key, len, &map[i], NULL)) < 0)
			return error;
	}
	return 0;
}
