/*
 * The keyed hash of the tables (lib/hash.c) and the string map's spread
 * under ids built to collide.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers.h"
#include "hash_p.h"
#include "loyal/keyset.h"
#include "strmap_p.h"

/* The reference vectors of SipHash-2-4 (key 00..0f, message 00..n-1) and
 * of SipHash-1-3 (the same, as Rust's SipHasher13 and a Python
 * transcription of the paper give them). */
static void test_hash_siphash_vectors(void **state)
{
	static const struct {
		size_t n;
		uint64_t h24, h13;
	} v[] = {
		{ 0, 0x726fdb47dd0e0e31ULL, 0xabac0158050fc4dcULL },
		{ 1, 0x74f839c593dc67fdULL, 0xc9f49bf37d57ca93ULL },
		{ 7, 0xab0200f58b01d137ULL, 0xd3927d989bb11140ULL },
		{ 8, 0x93f5f5799a932462ULL, 0x369095118d299a8eULL },
		{ 15, 0xa129ca6149be45e5ULL, 0xd320d86d2a519956ULL },
		{ 63, 0x958a324ceb064572ULL, 0x9d199062b7bbb3a8ULL },
	};
	unsigned char msg[64], key[16];
	uint64_t k0, k1;
	(void)state;

	for (int i = 0; i < 64; i++)
		msg[i] = (unsigned char)i;
	for (int i = 0; i < 16; i++)
		key[i] = (unsigned char)i;
	memcpy(&k0, key, 8); /* little-endian, as the vectors are */
	memcpy(&k1, key + 8, 8);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_true(loyal__siphash(msg, v[i].n, k0, k1, 2, 4) == v[i].h24);
		assert_true(loyal__siphash(msg, v[i].n, k0, k1, 1, 3) == v[i].h13);
	}
	/* the inlined SipHash-1-3 of the tables is the same function */
	for (size_t n = 0; n <= 64; n++)
		assert_true(loyal__sip13(msg, n, k0, k1) == loyal__siphash(msg, n, k0, k1, 1, 3));
}

/* ---- the unkeyed hash of loyal 0.1.0, and ids that collide under it ---- */

static uint64_t mix64(uint64_t h)
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

/* lib/strmap.c's loyal__hash up to 0.1.0: FNV-1a over 8-byte words, then
 * mix64. Without a key, anyone can compute it. */
static uint64_t old_hash(const void *data, size_t len)
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
	return mix64(h);
}

/* One word step of old_hash is invertible: x -> (x * P) ^ ((x * P) >> 29).
 * So for any first word, a second word can be solved for that brings the
 * state to the same value: every such 16-byte id has the same hash. */
static uint64_t inv_step(uint64_t z)
{
	uint64_t y = z ^ (z >> 29) ^ (z >> 58), inv = 0x100000001b3ULL;

	for (int i = 0; i < 5; i++) /* Newton: inverse of P modulo 2^64 */
		inv *= 2 - 0x100000001b3ULL * inv;
	return y * inv;
}

static uint64_t step(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x100000001b3ULL;
	return h ^ (h >> 29);
}

static void colliding_id(unsigned char id[16], uint64_t i)
{
	uint64_t h0 = 0xcbf29ce484222325ULL ^ 16, target = 0x0123456789abcdefULL;
	uint64_t w1 = 0x3030303030303030ULL + i, w2 = inv_step(target) ^ step(h0, w1);
	memcpy(id, &w1, 8);
	memcpy(id + 8, &w2, 8);
}

/* 20,000 distinct ids with one hash under the old function: a table using
 * it probes 200 million slots to insert them (quadratic). The keyed map
 * inserts and finds them in a number of probes linear in their count. */
static void test_hash_colliding_ids_stay_linear(void **state)
{
	enum { N = 20000 };
	loyal__strmap m;
	unsigned char id[16];
	uint32_t got;
	(void)state;

	colliding_id(id, 0);
	uint64_t h = old_hash(id, 16);
	for (uint64_t i = 1; i < N; i++) {
		unsigned char other[16];
		colliding_id(other, i);
		assert_true(memcmp(other, id, 16) != 0);
		assert_true(old_hash(other, 16) == h);
	}

	/* the old table: one run of N slots, N (N + 1) / 2 probes */
	uint64_t old_probes = 0;
	for (uint64_t i = 0; i < N; i++)
		old_probes += i + 1;
	assert_true(old_probes > (uint64_t)N * N / 2);

	loyal__strmap_init(&m);
	for (uint64_t i = 0; i < N; i++) {
		int added;
		colliding_id(id, i);
		assert_int_equal(loyal__strmap_intern(&m, (const char *)id, 16, &got, &added), 0);
		assert_int_equal(added, 1);
		assert_int_equal(got, i);
	}
	for (uint64_t i = 0; i < N; i++) {
		int added;
		colliding_id(id, N - 1 - i);
		assert_int_equal(loyal__strmap_intern(&m, (const char *)id, 16, &got, &added), 0);
		assert_int_equal(added, 0);
		assert_int_equal(got, N - 1 - i);
	}
	/* 2N lookups at a load of at most 3/4: a few probes each */
	print_message("%d colliding ids: %llu probes (the old hash: %llu)\n", N,
		      (unsigned long long)m.probes, (unsigned long long)old_probes);
	assert_true(m.probes < 8ULL * N);
	loyal__strmap_dispose(&m);
}

/* Another key, another spread, the same ids: results never depend on it. */
static void test_hash_key_changes_slots_not_ids(void **state)
{
	loyal__strmap a, b;
	uint32_t id;
	(void)state;

	loyal__hash_set_key(1, 2);
	loyal__strmap_init(&a);
	loyal__hash_set_key(3, 4);
	loyal__strmap_init(&b);
	assert_true(a.k0 != b.k0);
	for (int i = 0; i < 1000; i++) {
		char k[16];
		int n = snprintf(k, sizeof(k), "c%d", i);
		assert_int_equal(loyal__strmap_intern(&a, k, (size_t)n, &id, NULL), 0);
		assert_int_equal(id, (uint32_t)i);
		assert_int_equal(loyal__strmap_intern(&b, k, (size_t)n, &id, NULL), 0);
		assert_int_equal(id, (uint32_t)i);
	}
	int differ = 0;
	for (size_t s = 0; s < a.nslots; s++)
		differ |= (uint32_t)a.slots[s] != (uint32_t)b.slots[s];
	assert_true(differ);
	loyal__strmap_dispose(&a);
	loyal__strmap_dispose(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_siphash_vectors),
		cmocka_unit_test(test_hash_colliding_ids_stay_linear),
		cmocka_unit_test(test_hash_key_changes_slots_not_ids),
	};
	return loyal_test_status(cmocka_run_group_tests(tests, NULL, NULL));
}
