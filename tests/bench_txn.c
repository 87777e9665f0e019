/*
 * Benchmark of the transaction accumulator alone (no CSV): 10M order lines
 * of 1M customers, one order id per line, customers drawn at random, so
 * that the tables leave the CPU caches as they do on a real year of a
 * retailer. Times loyal_txn_add_rows, a merge of two halves and finish
 * (on two threads).
 *
 * Usage: bench_txn [lines [customers]]. Not run by ctest.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "loyal/errors.h"
#include "loyal/txn.h"

static uint64_t state = 0x9e3779b97f4a7c15ULL;

static uint64_t next_u64(void)
{
	uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define BATCH 256

static double feed(loyal_txn *t, size_t from, size_t to, size_t customers)
{
	loyal_txn_row rows[BATCH];
	char ids[BATCH][2][24];
	double t0 = now();
	size_t nb = 0;

	for (size_t i = from; i < to; i++) {
		uint64_t c = next_u64() % customers;
		int cl = snprintf(ids[nb][0], 24, "%llu", (unsigned long long)(10000000 + c * 89));
		int ol = snprintf(ids[nb][1], 24, "%llu", (unsigned long long)(50000000 + i));
		int64_t amount = (int64_t)(next_u64() % 5000) * 10000 - (i % 100 == 0 ? 60000000 : 0);
		rows[nb] = (loyal_txn_row){ ids[nb][0], (size_t)cl, ids[nb][1], (size_t)ol,
					    738000 + (int32_t)(i * 366 / to), amount, 0 };
		if (++nb == BATCH || i + 1 == to) {
			if (loyal_txn_add_rows(t, rows, nb, NULL) < 0) {
				fprintf(stderr, "add: %s\n", loyal_error_last()->message);
				exit(1);
			}
			nb = 0;
		}
	}
	return now() - t0;
}

int main(int argc, char **argv)
{
	size_t lines = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
	size_t customers = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000;
	loyal_txn_options o = LOYAL_TXN_OPTIONS_INIT;
	loyal_txn *a, *b;
	double t0;

	o.occasion = LOYAL_OCCASION_ORDER;
	o.threads = 2;
	if (loyal_txn_new(&a, &o) < 0 || loyal_txn_new(&b, &o) < 0)
		return 1;
	printf("add, first half:  %.3f s\n", feed(a, 0, lines / 2, customers));
	printf("add, second half: %.3f s\n", feed(b, lines / 2, lines, customers));
	t0 = now();
	if (loyal_txn_merge_free(a, b) < 0)
		return 1;
	printf("merge:            %.3f s\n", now() - t0);
	t0 = now();
	if (loyal_txn_finish(a, 738000 + 366) < 0) {
		fprintf(stderr, "finish: %s\n", loyal_error_last()->message);
		return 1;
	}
	printf("finish:           %.3f s\n", now() - t0);
	loyal_txn_stats st = LOYAL_TXN_STATS_INIT;
	loyal_txn_get_stats(&st, a);
	printf("%llu customers, %llu occasions\n", (unsigned long long)st.customers,
	       (unsigned long long)st.occasions);
	loyal_txn_free(a);
	return 0;
}
