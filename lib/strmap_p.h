#ifndef LOYAL_STRMAP_P_H
#define LOYAL_STRMAP_P_H

#include <stddef.h>
#include <stdint.h>

#include "hash_p.h"

/*
 * Interns byte strings to dense ids 0, 1, 2, ... in the order they are
 * first added. Used for customers, group keys and long order ids, so memory
 * grows with distinct keys, never with rows.
 *
 * Laid out for tables that outgrow the CPU caches (a million customers):
 *  - a slot is 8 bytes, the id and 32 bits of the key's hash (a tag), so a
 *    probe reads one cache line and a tag mismatch never looks at a key;
 *  - each id has a 24-byte record with the low 32 bits of its hash, its
 *    length and, up to LOYAL__STRMAP_INLINE bytes, the key itself; longer
 *    keys live in an arena. A hit costs two cache misses (slot, record),
 *    and callers that look up many keys at once can prefetch both
 *    (loyal__strmap_prefetch, loyal__strmap_peek).
 *  - the hash is SipHash-1-3 under the process key (hash_p.h), so crafted
 *    keys cannot collide on purpose; `probes` counts slots inspected.
 */
#define LOYAL__STRMAP_INLINE 15

typedef struct {
	uint32_t hash_lo;  /* the slot's tag holds the high half */
	uint32_t len;
	union {
		char inl[LOYAL__STRMAP_INLINE + 1]; /* NUL-terminated */
		uint64_t off;                       /* len > LOYAL__STRMAP_INLINE: arena offset */
	} k;
} loyal__strmap_rec;

typedef struct {
	uint64_t *slots;   /* (tag << 32) | (id + 1); 0 = empty */
	size_t nslots;     /* power of two, or 0 before the first key */
	size_t count;
	loyal__strmap_rec *recs;
	size_t recs_cap;
	char *arena;       /* long keys, each NUL-terminated */
	size_t arena_len, arena_cap;
	uint64_t k0, k1;   /* hash key */
	uint32_t last;     /* id of the last key interned: exports repeat a key
			    * on consecutive rows (the lines of one order) */
	uint64_t probes;   /* slots inspected, for tests of the hash's spread */
} loyal__strmap;

void loyal__strmap_init(loyal__strmap *m);
void loyal__strmap_dispose(loyal__strmap *m);

/* The hash of a key for this map. */
static inline uint64_t loyal__strmap_hash(const loyal__strmap *m, const void *key, size_t len)
{
	return loyal__sip13(key, len, m->k0, m->k1);
}

/* Prefetch the slot of hash h (before a batch of lookups). */
static inline void loyal__strmap_prefetch(const loyal__strmap *m, uint64_t h)
{
	if (m->nslots)
		__builtin_prefetch(&m->slots[h & (m->nslots - 1)]);
}

/* The id in the first slot for h whose tag matches, without comparing
 * keys: a guess, for prefetching the id's records. Returns 1 with *id, or 0. */
static inline int loyal__strmap_peek(const loyal__strmap *m, uint64_t h, uint32_t *id)
{
	if (!m->nslots)
		return 0;
	size_t mask = m->nslots - 1, i = (size_t)h & mask;
	uint64_t s;
	for (int k = 0; k < 8 && (s = m->slots[i]) != 0; k++, i = (i + 1) & mask) {
		if ((s >> 32) == (h >> 32)) {
			*id = (uint32_t)s - 1;
			return 1;
		}
	}
	return 0;
}

/* Find or add key, whose hash is h; *id receives its id, *added (may be
 * NULL) whether it is new. Returns 0, LOYAL_ENOMEM or LOYAL_ETOOBIG. */
int loyal__strmap_intern_h(loyal__strmap *m, const char *key, size_t len, uint64_t h,
			   uint32_t *id, int *added);

/* Find or add key; as loyal__strmap_intern_h(). */
int loyal__strmap_intern(loyal__strmap *m, const char *key, size_t len,
			 uint32_t *id, int *added);

/* Find key; returns 0 with *id, or LOYAL_ITEROVER when absent. */
int loyal__strmap_find(const loyal__strmap *m, const char *key, size_t len, uint32_t *id);

/* The key of `id` (NUL-terminated; borrowed until the map changes). */
static inline const char *loyal__strmap_key(const loyal__strmap *m, uint32_t id, size_t *len)
{
	const loyal__strmap_rec *r = &m->recs[id];
	if (len)
		*len = r->len;
	return r->len <= LOYAL__STRMAP_INLINE ? r->k.inl : m->arena + r->k.off;
}

/* Make room for `n` keys in all (no growth until then). Returns 0 or
 * LOYAL_ENOMEM. */
int loyal__strmap_reserve(loyal__strmap *m, size_t n);

#endif
