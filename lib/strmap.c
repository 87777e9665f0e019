#include <stdlib.h>
#include <string.h>

#include "errors_p.h"
#include "mem_p.h"
#include "strmap_p.h"

/* Grown at 3/4 full: with 8-byte slots, eight share a cache line, so the
 * longer runs of linear probing cost little. */
#define MAX_LOAD_NUM 3
#define MAX_LOAD_DEN 4

void loyal__strmap_init(loyal__strmap *m)
{
	uint64_t k[2];

	memset(m, 0, sizeof(*m));
	loyal__hash_key(k);
	m->k0 = k[0];
	m->k1 = k[1];
}

void loyal__strmap_dispose(loyal__strmap *m)
{
	loyal__big_free(m->slots, m->nslots * sizeof(*m->slots));
	loyal__big_free(m->recs, m->recs_cap * sizeof(*m->recs));
	free(m->arena);
	memset(m, 0, sizeof(*m));
}

static inline int key_equal(const loyal__strmap *m, uint32_t id, uint64_t h, const char *key,
			    size_t len)
{
	const loyal__strmap_rec *r = &m->recs[id];
	if (r->hash_lo != (uint32_t)h || r->len != len)
		return 0;
	return memcmp(len <= LOYAL__STRMAP_INLINE ? r->k.inl : m->arena + r->k.off, key, len) == 0;
}

static int rehash(loyal__strmap *m, size_t n)
{
	uint64_t *s;

	if (n > SIZE_MAX / sizeof(*s) || !(s = loyal__big_realloc(NULL, 0, n * sizeof(*s))))
		return loyal__error_oom();
	/* The old slots give each id's hash: their tag and its record's low
	 * half. */
	for (size_t k = 0; k < m->nslots; k++) {
		uint64_t old = m->slots[k];
		if (!old)
			continue;
		uint64_t h = (old & 0xffffffff00000000ULL) | m->recs[(uint32_t)old - 1].hash_lo;
		size_t i = (size_t)h & (n - 1);
		while (s[i])
			i = (i + 1) & (n - 1);
		s[i] = old;
	}
	loyal__big_free(m->slots, m->nslots * sizeof(*m->slots));
	m->slots = s;
	m->nslots = n;
	return 0;
}

static int reserve_recs(loyal__strmap *m, size_t n)
{
	if (n <= m->recs_cap)
		return 0;
	size_t cap = m->recs_cap ? m->recs_cap : 64;
	while (cap < n) {
		if (cap > SIZE_MAX / 2 / sizeof(*m->recs))
			return loyal__error_oom();
		cap *= 2;
	}
	loyal__strmap_rec *r = loyal__big_realloc(m->recs, m->recs_cap * sizeof(*r), cap * sizeof(*r));
	if (!r)
		return loyal__error_oom();
	m->recs = r;
	m->recs_cap = cap;
	return 0;
}

int loyal__strmap_reserve(loyal__strmap *m, size_t n)
{
	size_t slots = m->nslots ? m->nslots : 64;
	int error;

	while (n * MAX_LOAD_DEN > slots * MAX_LOAD_NUM) {
		if (slots > SIZE_MAX / 4)
			return loyal__error_oom();
		slots *= 2;
	}
	if (slots != m->nslots && (error = rehash(m, slots)) < 0)
		return error;
	return reserve_recs(m, n);
}

int loyal__strmap_find(const loyal__strmap *m, const char *key, size_t len, uint32_t *id)
{
	if (!m->nslots)
		return LOYAL_ITEROVER;
	uint64_t h = loyal__strmap_hash(m, key, len), tag = h & 0xffffffff00000000ULL;
	size_t mask = m->nslots - 1, i = (size_t)h & mask;
	for (uint64_t s; (s = m->slots[i]) != 0; i = (i + 1) & mask) {
		if ((s & 0xffffffff00000000ULL) == tag && key_equal(m, (uint32_t)s - 1, h, key, len)) {
			*id = (uint32_t)s - 1;
			return 0;
		}
	}
	return LOYAL_ITEROVER;
}

int loyal__strmap_intern_h(loyal__strmap *m, const char *key, size_t len, uint64_t h,
			   uint32_t *id, int *added)
{
	uint64_t tag = h & 0xffffffff00000000ULL;
	int error;

	if (m->count && key_equal(m, m->last, h, key, len)) {
		*id = m->last;
		if (added)
			*added = 0;
		return 0;
	}
	if (len > UINT32_MAX)
		return loyal__error(LOYAL_ETOOBIG, "key too long");
	if ((m->count + 1) * MAX_LOAD_DEN > m->nslots * MAX_LOAD_NUM &&
	    (error = rehash(m, m->nslots ? m->nslots * 2 : 64)) < 0)
		return error;
	size_t mask = m->nslots - 1, i = (size_t)h & mask;
	for (uint64_t s; (s = m->slots[i]) != 0; i = (i + 1) & mask) {
		m->probes++;
		if ((s & 0xffffffff00000000ULL) == tag && key_equal(m, (uint32_t)s - 1, h, key, len)) {
			*id = m->last = (uint32_t)s - 1;
			if (added)
				*added = 0;
			return 0;
		}
	}
	m->probes++;
	if (m->count >= UINT32_MAX - 1)
		return loyal__error(LOYAL_ETOOBIG, "too many distinct keys");
	if ((error = reserve_recs(m, m->count + 1)) < 0)
		return error;
	loyal__strmap_rec *r = &m->recs[m->count];
	if (len <= LOYAL__STRMAP_INLINE) {
		memset(r->k.inl, 0, sizeof(r->k.inl));
		memcpy(r->k.inl, key, len);
	} else {
		if (m->arena_len + len + 1 > m->arena_cap) {
			size_t cap = m->arena_cap ? m->arena_cap : 4096;
			while (cap < m->arena_len + len + 1) {
				if (cap > SIZE_MAX / 2)
					return loyal__error_oom();
				cap *= 2;
			}
			char *a = realloc(m->arena, cap);
			if (!a)
				return loyal__error_oom();
			m->arena = a;
			m->arena_cap = cap;
		}
		memcpy(m->arena + m->arena_len, key, len);
		m->arena[m->arena_len + len] = '\0';
		r->k.off = m->arena_len;
		m->arena_len += len + 1;
	}
	r->hash_lo = (uint32_t)h;
	r->len = (uint32_t)len;
	uint32_t nid = (uint32_t)m->count++;
	m->slots[i] = tag | (uint64_t)(nid + 1);
	*id = m->last = nid;
	if (added)
		*added = 1;
	return 0;
}

int loyal__strmap_intern(loyal__strmap *m, const char *key, size_t len,
			 uint32_t *id, int *added)
{
	/* the key of the last row again (a group, the lines of one order):
	 * no need to hash it */
	if (m->count) {
		const loyal__strmap_rec *r = &m->recs[m->last];
		if (r->len == len &&
		    memcmp(len <= LOYAL__STRMAP_INLINE ? r->k.inl : m->arena + r->k.off, key, len) == 0) {
			*id = m->last;
			if (added)
				*added = 0;
			return 0;
		}
	}
	return loyal__strmap_intern_h(m, key, len, loyal__strmap_hash(m, key, len), id, added);
}
