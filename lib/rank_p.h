#ifndef LOYAL_RANK_P_H
#define LOYAL_RANK_P_H

#include <stddef.h>
#include <stdint.h>

/*
 * Ranks within groups, the rank_min rule shared by RFM scores and value
 * tiers: customers are sorted ascending by a key within their group, and a
 * customer's rank_min is the 1-based position of the first customer of the
 * group holding the same key. Equal keys get equal ranks.
 */

/* Order-preserving maps to unsigned keys: a < b exactly when
 * key(a) < key(b). Both zeros of a double map to one key. */
uint64_t loyal__rank_key_i64(int64_t v);
uint64_t loyal__rank_key_f64(double v);

/*
 * For each customer i with present[i] (all when present is NULL):
 * below[i] = rank_min - 1, the number of customers of its group with a
 * smaller key; size[i] = the number of present customers of its group.
 * Absent customers get 0 in both. group may be NULL (one group).
 * Returns 0, LOYAL_ETOOBIG (n >= 2^32 - 1) or LOYAL_ENOMEM.
 */
int loyal__rank(uint32_t *below, uint32_t *size, size_t n, const uint64_t *keys,
		const uint32_t *group, const unsigned char *present);

/* The groups of a summary by group (segments, tiers): sorts v[0..n)
 * ascending and drops repeats in place; returns the number left. */
size_t loyal__u32_distinct(uint32_t *v, size_t n);

/* In v[0..n), ascending: the index of the first value not below x (x's
 * index when v holds it). */
size_t loyal__u32_find(const uint32_t *v, size_t n, uint32_t x);

/* A sum of int64_t values kept exactly in 128 bits (without compiler
 * extensions), read once as a double. */
typedef struct {
	int64_t hi;
	uint64_t lo;
} loyal__wide;

void loyal__wide_add(loyal__wide *w, int64_t v);
double loyal__wide_double(const loyal__wide *w);

#endif
