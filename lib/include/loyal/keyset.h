#ifndef LOYAL_KEYSET_H
#define LOYAL_KEYSET_H

#include "common.h"

/*
 * A set of byte strings numbered densely in the order they were first added
 * (0, 1, 2, ...). Used to number customers and result groups, so memory
 * grows with the distinct keys, never with the rows read.
 */
typedef struct loyal_keyset loyal_keyset;

/* Create an empty set in *out; free it with loyal_keyset_free().
 * Returns 0 or LOYAL_ENOMEM. */
LOYAL_EXTERN(int) loyal_keyset_new(loyal_keyset **out);

/* Release the set and its keys. Accepts NULL. */
LOYAL_EXTERN(void) loyal_keyset_free(loyal_keyset *ks);

/* Find `key` (len bytes, may hold any byte) or add it. *id receives its
 * number; *added (may be NULL) is set to 1 when the key is new.
 * Returns 0, LOYAL_ENOMEM, LOYAL_ETOOBIG (more than 2^32-2 keys) or
 * LOYAL_EINVAL (ks or id NULL, or key NULL with len > 0). */
LOYAL_EXTERN(int) loyal_keyset_add(loyal_keyset *ks, const char *key, size_t len,
				   uint32_t *id, int *added);

/* Find `key`: 0 with *id, or LOYAL_ITEROVER when absent. */
LOYAL_EXTERN(int) loyal_keyset_find(const loyal_keyset *ks, const char *key, size_t len,
				    uint32_t *id);

/* Key number `id`, NUL-terminated, its length in *len when non-NULL; NULL
 * (and *len 0) when there is no key `id`.
 * Borrowed: valid until the next loyal_keyset_add() or free. */
LOYAL_EXTERN(const char *) loyal_keyset_key(const loyal_keyset *ks, uint32_t id, size_t *len);

/* Add the keys of `src` to `dst`, in src's order, as if each had been
 * added to dst with loyal_keyset_add() after dst's own: keys new to dst
 * are numbered after its keys. map[i] receives dst's number of src's key i
 * (map has loyal_keyset_count(src) entries; the caller's), so values the
 * caller keeps per key can be merged too. src is unchanged.
 * Returns 0, LOYAL_ENOMEM, LOYAL_ETOOBIG or LOYAL_EINVAL; after a failure
 * dst may hold some of src's keys. */
LOYAL_EXTERN(int) loyal_keyset_merge(loyal_keyset *dst, const loyal_keyset *src, uint32_t *map);

/* Number of keys. */
LOYAL_EXTERN(size_t) loyal_keyset_count(const loyal_keyset *ks);

#endif
