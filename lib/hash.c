/*
 * SipHash (Aumasson and Bernstein, 2012), after the reference C code, and
 * the process key. SipHash-1-3 is what Rust's HashMap and CPython use for
 * the same purpose: fast on short keys, and a keyed PRF, so that the slot
 * of an id cannot be predicted without the key.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "hash_p.h"

static uint64_t key0, key1;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static uint64_t load64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static uint64_t rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

#define SIPROUND do { \
	v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32); \
	v2 += v3; v3 = rotl(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = rotl(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32); \
} while (0)

uint64_t loyal__siphash(const void *data, size_t len, uint64_t k0, uint64_t k1, int c, int d)
{
	const unsigned char *p = data;
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
	uint64_t b = (uint64_t)len << 56, m;
	size_t left = len & 7;
	const unsigned char *end = p + (len - left);
	int i;

	for (; p != end; p += 8) {
		m = load64(p);
		v3 ^= m;
		for (i = 0; i < c; i++)
			SIPROUND;
		v0 ^= m;
	}
	switch (left) {
	case 7: b |= (uint64_t)p[6] << 48; /* fall through */
	case 6: b |= (uint64_t)p[5] << 40; /* fall through */
	case 5: b |= (uint64_t)p[4] << 32; /* fall through */
	case 4: b |= (uint64_t)p[3] << 24; /* fall through */
	case 3: b |= (uint64_t)p[2] << 16; /* fall through */
	case 2: b |= (uint64_t)p[1] << 8;  /* fall through */
	case 1: b |= (uint64_t)p[0]; break;
	case 0: break;
	}
	v3 ^= b;
	for (i = 0; i < c; i++)
		SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	for (i = 0; i < d; i++)
		SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* The key comes from the kernel's random source. Without one (a seccomp
 * sandbox refusing getrandom, no /dev/urandom) the clock and an address
 * still make it differ between runs, which is all a table needs against
 * input written in advance. */
static void init_key(void)
{
	uint64_t k[2] = { 0, 0 };
	size_t got = 0;

	while (got < sizeof(k)) {
		ssize_t n = getrandom((char *)k + got, sizeof(k) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got < sizeof(k)) {
		int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			ssize_t n = read(fd, k, sizeof(k));
			got = n == (ssize_t)sizeof(k) ? sizeof(k) : 0;
			close(fd);
		}
	}
	if (got < sizeof(k)) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		k[0] ^= loyal__mix64((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
		k[1] ^= loyal__mix64((uint64_t)(uintptr_t)&ts ^ (uint64_t)getpid());
	}
	key0 = k[0];
	key1 = k[1];
}

void loyal__hash_key(uint64_t key[2])
{
	pthread_once(&key_once, init_key);
	key[0] = key0;
	key[1] = key1;
}

uint64_t loyal__hash(const void *data, size_t len)
{
	pthread_once(&key_once, init_key);
	return loyal__sip13(data, len, key0, key1);
}

uint64_t loyal__hash_u64(uint64_t v)
{
	unsigned char b[8];

	memcpy(b, &v, 8);
	return loyal__hash(b, 8);
}

void loyal__hash_set_key(uint64_t k0, uint64_t k1)
{
	pthread_once(&key_once, init_key);
	key0 = k0;
	key1 = k1;
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
