#include <stdlib.h>
#include <string.h>

#include "errors_p.h"
#include "strmap_p.h"

/* FNV-1a over 8-byte words, then a 64-bit finaliser (splitmix64): fast for
 * short ids and well mixed for power-of-two tables. */
uint64_t loyal__hash(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ULL ^ len;

	while (len >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 29;
		p += 8;
		len -= 8;
	}
	while (len--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return loyal__mix64(h);
}

uint64_t loyal__mix64(uint64_t h)
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

void loyal__strmap_init(loyal__strmap *m)
{
	memset(m, 0, sizeof(*m));
}

void loyal__strmap_dispose(loyal__strmap *m)
{
	free(m->slots);
	free(m->arena);
	free(m->offs);
	free(m->lens);
	free(m->hashes);
	memset(m, 0, sizeof(*m));
}

static int key_equal(const loyal__strmap *m, uint32_t id, const char *key, size_t len)
{
	return m->lens[id] == len && memcmp(m->arena + m->offs[id], key, len) == 0;
}

static int grow_table(loyal__strmap *m)
{
	size_t n = m->nslots ? m->nslots * 2 : 64;
	uint32_t *s = calloc(n, sizeof(*s));
	if (!s)
		return loyal__error_oom();
	for (size_t id = 0; id < m->count; id++) {
		size_t i = (size_t)m->hashes[id] & (n - 1);
		while (s[i])
			i = (i + 1) & (n - 1);
		s[i] = (uint32_t)id + 1;
	}
	free(m->slots);
	m->slots = s;
	m->nslots = n;
	return 0;
}

int loyal__strmap_find(const loyal__strmap *m, const char *key, size_t len, uint32_t *id)
{
	if (!m->nslots)
		return LOYAL_ITEROVER;
	uint64_t h = loyal__hash(key, len);
	size_t i = (size_t)h & (m->nslots - 1);
	while (m->slots[i]) {
		uint32_t cand = m->slots[i] - 1;
		if (m->hashes[cand] == h && key_equal(m, cand, key, len)) {
			*id = cand;
			return 0;
		}
		i = (i + 1) & (m->nslots - 1);
	}
	return LOYAL_ITEROVER;
}

int loyal__strmap_intern(loyal__strmap *m, const char *key, size_t len,
			 uint32_t *id, int *added)
{
	int error;

	if (m->count && key_equal(m, m->last, key, len)) {
		*id = m->last;
		if (added)
			*added = 0;
		return 0;
	}
	if (len > UINT32_MAX)
		return loyal__error(LOYAL_ETOOBIG, "key too long");
	if ((m->count + 1) * 4 > m->nslots * 3 && (error = grow_table(m)) < 0)
		return error;
	uint64_t h = loyal__hash(key, len);
	size_t i = (size_t)h & (m->nslots - 1);
	while (m->slots[i]) {
		uint32_t cand = m->slots[i] - 1;
		if (m->hashes[cand] == h && key_equal(m, cand, key, len)) {
			*id = m->last = cand;
			if (added)
				*added = 0;
			return 0;
		}
		i = (i + 1) & (m->nslots - 1);
	}
	if (m->count >= UINT32_MAX - 1)
		return loyal__error(LOYAL_ETOOBIG, "too many distinct keys");
	if (m->count == m->ids_cap) {
		size_t cap = m->ids_cap ? m->ids_cap * 2 : 64;
		size_t *o = realloc(m->offs, cap * sizeof(*o));
		if (!o)
			return loyal__error_oom();
		m->offs = o;
		uint32_t *l = realloc(m->lens, cap * sizeof(*l));
		if (!l)
			return loyal__error_oom();
		m->lens = l;
		uint64_t *hs = realloc(m->hashes, cap * sizeof(*hs));
		if (!hs)
			return loyal__error_oom();
		m->hashes = hs;
		m->ids_cap = cap;
	}
	if (m->arena_len + len + 1 > m->arena_cap) {
		size_t cap = m->arena_cap ? m->arena_cap : 4096;
		while (cap < m->arena_len + len + 1)
			cap *= 2;
		char *a = realloc(m->arena, cap);
		if (!a)
			return loyal__error_oom();
		m->arena = a;
		m->arena_cap = cap;
	}
	memcpy(m->arena + m->arena_len, key, len);
	m->arena[m->arena_len + len] = '\0';
	uint32_t nid = (uint32_t)m->count++;
	m->offs[nid] = m->arena_len;
	m->lens[nid] = (uint32_t)len;
	m->hashes[nid] = h;
	m->arena_len += len + 1;
	m->slots[i] = nid + 1;
	*id = m->last = nid;
	if (added)
		*added = 1;
	return 0;
}

const char *loyal__strmap_key(const loyal__strmap *m, uint32_t id, size_t *len)
{
	if (len)
		*len = m->lens[id];
	return m->arena + m->offs[id];
}
