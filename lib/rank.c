/*
 * Ranks within groups (see rank_p.h), by a least-significant-digit radix
 * sort of (group, key) pairs: a million customers sort in a few passes
 * over memory, where qsort's comparator calls would dominate.
 */
#include <stdlib.h>
#include <string.h>

#include "errors_p.h"
#include "rank_p.h"

uint64_t loyal__rank_key_i64(int64_t v)
{
	return (uint64_t)v ^ ((uint64_t)1 << 63);
}

uint64_t loyal__rank_key_f64(double v)
{
	uint64_t u;

	if (v == 0)
		v = 0; /* -0 and +0 are one value */
	memcpy(&u, &v, sizeof(u));
	/* negatives: all bits flipped (larger magnitude sorts first);
	 * positives: the sign bit set, above every negative */
	return u >> 63 ? ~u : u | ((uint64_t)1 << 63);
}

struct item {
	uint64_t key;
	uint32_t group;
	uint32_t idx;
};

/* One stable counting-sort pass on byte `b` of the key (b < 8) or of the
 * group (b >= 8). Returns 0 when every item has the same byte there, and
 * nothing was moved. */
static int pass(struct item *dst, const struct item *src, size_t n, unsigned b)
{
	size_t count[256] = { 0 }, at = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned v = b < 8 ? (unsigned)(src[i].key >> (8 * b)) & 0xff
				   : (src[i].group >> (8 * (b - 8))) & 0xff;
		count[v]++;
	}
	for (unsigned v = 0; v < 256; v++) {
		size_t c = count[v];
		if (c == n)
			return 0;
		count[v] = at;
		at += c;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned v = b < 8 ? (unsigned)(src[i].key >> (8 * b)) & 0xff
				   : (src[i].group >> (8 * (b - 8))) & 0xff;
		dst[count[v]++] = src[i];
	}
	return 1;
}

int loyal__rank(uint32_t *below, uint32_t *size, size_t n, const uint64_t *keys,
		const uint32_t *group, const unsigned char *present)
{
	struct item *a = NULL, *b = NULL;
	size_t m = 0;

	if (n >= UINT32_MAX)
		return loyal__error(LOYAL_ETOOBIG, "more than 2^32-2 customers to rank");
	memset(below, 0, n * sizeof(*below));
	memset(size, 0, n * sizeof(*size));
	if (n == 0)
		return 0;
	if (!(a = malloc(n * sizeof(*a))) || !(b = malloc(n * sizeof(*b)))) {
		free(a);
		return loyal__error_oom();
	}
	for (size_t i = 0; i < n; i++)
		if (!present || present[i])
			a[m++] = (struct item){ keys[i], group ? group[i] : 0, (uint32_t)i };
	for (unsigned byte = 0; byte < 12; byte++) {
		if (pass(b, a, m, byte)) {
			struct item *t = a;
			a = b;
			b = t;
		}
	}
	for (size_t start = 0; start < m;) {
		size_t end = start, first = start;
		while (end < m && a[end].group == a[start].group)
			end++;
		for (size_t j = start; j < end; j++) {
			if (a[j].key != a[first].key)
				first = j;
			below[a[j].idx] = (uint32_t)(first - start);
			size[a[j].idx] = (uint32_t)(end - start);
		}
		start = end;
	}
	free(a);
	free(b);
	return 0;
}

void loyal__wide_add(loyal__wide *w, int64_t v)
{
	uint64_t lo = w->lo + (uint64_t)v;

	/* v is sign-extended: a negative v adds 2^64 - |v| to lo and -1 to hi */
	w->hi += (lo < w->lo) - (v < 0);
	w->lo = lo;
}

double loyal__wide_double(const loyal__wide *w)
{
	if (w->hi == 0)
		return (double)w->lo;
	if (w->hi == -1 && w->lo >= ((uint64_t)1 << 63))
		return -(double)(~w->lo + 1);
	/* Beyond 64 bits: two roundings (hi * 2^64 exact, then the sum), which
	 * is within one part in 2^52 of the value. */
	return (double)w->hi * 18446744073709551616.0 + (double)w->lo;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

size_t loyal__u32_distinct(uint32_t *v, size_t n)
{
	size_t u = 0;

	qsort(v, n, sizeof(*v), cmp_u32);
	for (size_t i = 0; i < n; i++)
		if (u == 0 || v[i] != v[u - 1])
			v[u++] = v[i];
	return u;
}

size_t loyal__u32_find(const uint32_t *v, size_t n, uint32_t x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
