#ifndef LOYAL_GROUPS_P_H
#define LOYAL_GROUPS_P_H

#include <stddef.h>
#include <stdint.h>

/*
 * Grouped data of the models: customers with the same sufficient
 * statistics (x, t_x, T for BG/NBD; x, mean spend for Gamma-Gamma) count
 * once, with their number as the weight, so a fit costs the number of
 * distinct keys, not of customers.
 */
#define LOYAL__GROUP_KEYS 3

typedef struct {
	double key[LOYAL__GROUP_KEYS]; /* unused coordinates are 0 */
	size_t n;                      /* customers with this key */
} loyal__group;

typedef struct {
	loyal__group *g;  /* in order of first appearance */
	size_t len, cap;
	size_t *slots;    /* index into g + 1; 0 = empty */
	size_t nslots;    /* power of two, or 0 before the first add */
	size_t total;     /* sum of n */
	uint64_t k0, k1;  /* hash key, taken at the first add */
	int keyed;
} loyal__groups;

/* The hash of a key, for power-of-two tables. */
size_t loyal__group_hash(const double key[LOYAL__GROUP_KEYS]);

/* Adds count to the group of key (creating it); -0 and +0 are one key.
 * A zeroed loyal__groups is empty and ready. */
int loyal__groups_add(loyal__groups *gs, const double key[LOYAL__GROUP_KEYS], size_t count);

/* Adds every group of from to into (into != from). */
int loyal__groups_merge(loyal__groups *into, const loyal__groups *from);

void loyal__groups_free(loyal__groups *gs);

/* Dense ids 0, 1, ... for the distinct values of one coordinate. */
typedef struct {
	double *vals;  /* vals[id] */
	size_t n;
	size_t *slots; /* id + 1 */
	size_t nslots;
} loyal__value_ids;

/* Room for max_values distinct values; -1 when out of memory. */
int loyal__value_ids_init(loyal__value_ids *m, size_t max_values);

/* The id of v, given a new one when v was not seen (at most max_values). */
uint32_t loyal__value_id(loyal__value_ids *m, double v);

void loyal__value_ids_free(loyal__value_ids *m);

#endif
