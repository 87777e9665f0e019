#ifndef LOYAL_STRMAP_P_H
#define LOYAL_STRMAP_P_H

#include <stddef.h>
#include <stdint.h>

/*
 * Interns byte strings to dense ids 0, 1, 2, ... (open addressing, keys
 * copied into one growing arena). Used for customers and group keys, so
 * memory grows with distinct keys, never with rows.
 */
typedef struct {
	uint32_t *slots;   /* id + 1, 0 = empty */
	size_t nslots;     /* power of two */
	size_t count;
	char *arena;       /* keys, each NUL-terminated */
	size_t arena_len, arena_cap;
	size_t *offs;      /* per id: offset of key in arena */
	uint32_t *lens;
	uint64_t *hashes;
	size_t ids_cap;
	uint32_t last;     /* id of the last key interned: exports repeat a key
			    * on consecutive rows (the lines of one order) */
} loyal__strmap;

void loyal__strmap_init(loyal__strmap *m);
void loyal__strmap_dispose(loyal__strmap *m);

/* Find or add key; *id receives its id, *added (may be NULL) whether it is new.
 * Returns 0 or LOYAL_ENOMEM. */
int loyal__strmap_intern(loyal__strmap *m, const char *key, size_t len,
			 uint32_t *id, int *added);

/* Find key; returns 0 with *id, or LOYAL_ITEROVER when absent. */
int loyal__strmap_find(const loyal__strmap *m, const char *key, size_t len, uint32_t *id);

/* The key of `id` (NUL-terminated; borrowed until the map changes). */
const char *loyal__strmap_key(const loyal__strmap *m, uint32_t id, size_t *len);

uint64_t loyal__hash(const void *data, size_t len);

/* splitmix64's finaliser: spreads the bits of a 64-bit key for
 * power-of-two hash tables. */
uint64_t loyal__mix64(uint64_t h);

#endif
