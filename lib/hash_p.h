#ifndef LOYAL_HASH_P_H
#define LOYAL_HASH_P_H

#include <stddef.h>
#include <stdint.h>

/*
 * Hashing of keys that come from input data. Every hash table fed by input
 * (customers, order ids, group keys) hashes with SipHash-1-3 under a key
 * drawn from getrandom() once per process, so ids crafted to collide cannot
 * make a run quadratic: whoever writes the file does not know the key.
 * Results never depend on the key: tables number their keys in the order
 * they were first added.
 */

/* SipHash-c-d of data[0..len) under the 128-bit key k0, k1 (the reference
 * algorithm; c = 1, d = 3 for the tables, 2-4 for the test vectors). */
uint64_t loyal__siphash(const void *data, size_t len, uint64_t k0, uint64_t k1, int c, int d);

/* The process key (drawn on first use, thread-safe). Tables copy it when
 * they are created and hash with loyal__sip13(). */
void loyal__hash_key(uint64_t key[2]);

/* The process's keyed hash of data[0..len): SipHash-1-3 under the
 * process key. */
uint64_t loyal__hash(const void *data, size_t len);

/* The keyed hash of a 64-bit value (numeric keys: the grouped model data). */
uint64_t loyal__hash_u64(uint64_t v);

/* Replace the process key (tests only: a fixed key makes probe counts
 * reproducible). */
void loyal__hash_set_key(uint64_t k0, uint64_t k1);

static inline uint64_t loyal__rotl64(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

#define LOYAL__SIPROUND(v0, v1, v2, v3) do { \
	v0 += v1; v1 = loyal__rotl64(v1, 13); v1 ^= v0; v0 = loyal__rotl64(v0, 32); \
	v2 += v3; v3 = loyal__rotl64(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = loyal__rotl64(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = loyal__rotl64(v1, 17); v1 ^= v2; v2 = loyal__rotl64(v2, 32); \
} while (0)

/* SipHash-1-3 of data[0..len) under k0, k1, inlined for the tables' hot
 * paths (the same function as loyal__siphash(..., 1, 3)). */
static inline uint64_t loyal__sip13(const void *data, size_t len, uint64_t k0, uint64_t k1)
{
	const unsigned char *p = (const unsigned char *)data;
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
	uint64_t b = (uint64_t)len << 56, m;
	size_t left = len & 7;
	const unsigned char *end = p + (len - left);

	for (; p != end; p += 8) {
		__builtin_memcpy(&m, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		m = __builtin_bswap64(m);
#endif
		v3 ^= m;
		LOYAL__SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	if (left >= 4) {
		uint32_t lo, hi;
		__builtin_memcpy(&lo, p, 4);
		__builtin_memcpy(&hi, p + left - 4, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		lo = __builtin_bswap32(lo);
		hi = __builtin_bswap32(hi);
#endif
		b |= (uint64_t)lo | ((uint64_t)hi << ((left - 4) * 8));
	} else {
		for (size_t i = 0; i < left; i++)
			b |= (uint64_t)p[i] << (8 * i);
	}
	v3 ^= b;
	LOYAL__SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	LOYAL__SIPROUND(v0, v1, v2, v3);
	LOYAL__SIPROUND(v0, v1, v2, v3);
	LOYAL__SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

/* splitmix64's finaliser: a bijection that spreads the bits of a 64-bit
 * value. Not keyed: only for values that do not come from input. */
uint64_t loyal__mix64(uint64_t h);

#endif
