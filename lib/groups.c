/*
 * Weighted groups of identical numeric keys, and dense ids of distinct
 * values: the grouped data behind the BG/NBD and Gamma-Gamma fits.
 */
#include <stdlib.h>
#include <string.h>

#include "errors_p.h"
#include "groups_p.h"
#include "hash_p.h"
#include "mem_p.h"

static uint64_t bits(double v)
{
	uint64_t u;

	memcpy(&u, &v, sizeof(u));
	return u;
}

/* Keyed (hash_p.h): the keys come from the input's dates and amounts. */
size_t loyal__group_hash(const double key[LOYAL__GROUP_KEYS])
{
	uint64_t b[LOYAL__GROUP_KEYS];
	int k;

	for (k = 0; k < LOYAL__GROUP_KEYS; k++)
		b[k] = bits(key[k]);
	return (size_t)loyal__hash(b, sizeof(b));
}

/* The same, with the key the table took (no per-call key lookup). */
static size_t group_hash(const loyal__groups *gs, const double key[LOYAL__GROUP_KEYS])
{
	uint64_t b[LOYAL__GROUP_KEYS];
	int k;

	for (k = 0; k < LOYAL__GROUP_KEYS; k++)
		b[k] = bits(key[k]);
	return (size_t)loyal__sip13(b, sizeof(b), gs->k0, gs->k1);
}

static int same_key(const double *a, const double *b)
{
	int k;

	for (k = 0; k < LOYAL__GROUP_KEYS; k++)
		if (a[k] != b[k])
			return 0;
	return 1;
}

static int rehash(loyal__groups *gs, size_t nslots)
{
	size_t *slots = loyal__huge_malloc(nslots * sizeof(*slots)), i;

	if (!slots)
		return loyal__error_oom();
	memset(slots, 0, nslots * sizeof(*slots));
	for (i = 0; i < gs->len; i++) {
		size_t h = group_hash(gs, gs->g[i].key) & (nslots - 1);
		while (slots[h])
			h = (h + 1) & (nslots - 1);
		slots[h] = i + 1;
	}
	free(gs->slots);
	gs->slots = slots;
	gs->nslots = nslots;
	return 0;
}

int loyal__groups_add(loyal__groups *gs, const double key[LOYAL__GROUP_KEYS], size_t count)
{
	double k[LOYAL__GROUP_KEYS];
	size_t h;
	int i, rc;

	if (count == 0)
		return 0;
	if (gs->total > SIZE_MAX - count)
		return loyal__error(LOYAL_EINVAL, "too many customers for one data set");
	if (!gs->keyed) {
		uint64_t hk[2];
		loyal__hash_key(hk);
		gs->k0 = hk[0];
		gs->k1 = hk[1];
		gs->keyed = 1;
	}
	/* One key per value: -0 and +0 would hash apart. */
	for (i = 0; i < LOYAL__GROUP_KEYS; i++)
		k[i] = key[i] == 0.0 ? 0.0 : key[i];
	if (gs->len + 1 > gs->nslots / 2) {
		size_t n = gs->nslots ? 2 * gs->nslots : 64;
		if (n < gs->nslots || n > SIZE_MAX / sizeof(*gs->slots))
			return loyal__error_oom();
		if ((rc = rehash(gs, n)) != 0)
			return rc;
	}
	h = group_hash(gs, k) & (gs->nslots - 1);
	while (gs->slots[h]) {
		loyal__group *g = &gs->g[gs->slots[h] - 1];
		if (same_key(g->key, k)) {
			g->n += count;
			gs->total += count;
			return 0;
		}
		h = (h + 1) & (gs->nslots - 1);
	}
	if (gs->len == gs->cap) {
		size_t cap = gs->cap ? 2 * gs->cap : 64;
		loyal__group *g;
		if (cap > SIZE_MAX / sizeof(*g))
			return loyal__error_oom();
		/* a quarter of a million triples: grown in place (mremap), not
		 * copied at each doubling */
		if (!(g = loyal__big_realloc(gs->g, gs->cap * sizeof(*g), cap * sizeof(*g))))
			return loyal__error_oom();
		gs->g = g;
		gs->cap = cap;
	}
	memcpy(gs->g[gs->len].key, k, sizeof(k));
	gs->g[gs->len].n = count;
	gs->slots[h] = ++gs->len;
	gs->total += count;
	return 0;
}

int loyal__groups_merge(loyal__groups *into, const loyal__groups *from)
{
	size_t i;
	int rc;

	if (into->total > SIZE_MAX - from->total)
		return loyal__error(LOYAL_EINVAL, "too many customers for one data set");
	for (i = 0; i < from->len; i++)
		if ((rc = loyal__groups_add(into, from->g[i].key, from->g[i].n)) != 0)
			return rc;
	return 0;
}

void loyal__groups_free(loyal__groups *gs)
{
	loyal__big_free(gs->g, gs->cap * sizeof(*gs->g));
	free(gs->slots);
	memset(gs, 0, sizeof(*gs));
}

int loyal__value_ids_init(loyal__value_ids *m, size_t max_values)
{
	size_t nslots = 64;

	memset(m, 0, sizeof(*m));
	while (nslots < 2 * max_values)
		nslots *= 2;
	m->nslots = nslots;
	m->vals = malloc((max_values ? max_values : 1) * sizeof(*m->vals));
	if ((m->slots = loyal__huge_malloc(nslots * sizeof(*m->slots))))
		memset(m->slots, 0, nslots * sizeof(*m->slots));
	return m->vals && m->slots ? 0 : -1;
}

uint32_t loyal__value_id(loyal__value_ids *m, double v)
{
	size_t h = (size_t)loyal__hash_u64(bits(v)) & (m->nslots - 1);

	while (m->slots[h]) {
		if (m->vals[m->slots[h] - 1] == v)
			return (uint32_t)(m->slots[h] - 1);
		h = (h + 1) & (m->nslots - 1);
	}
	m->vals[m->n] = v;
	m->slots[h] = ++m->n;
	return (uint32_t)(m->n - 1);
}

void loyal__value_ids_free(loyal__value_ids *m)
{
	free(m->vals);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}
