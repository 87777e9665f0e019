/*
 * Benchmark of RFM segments, value tiers, member tiers and migration at
 * real scale: 1,000,000 customers (default) with about 10 order lines each
 * over 18 months, fed to a loyal_txn and a loyal_txn_days, in the order of
 * an export (by date), so the hash tables leave the CPU caches.
 *
 * Prints the time of each step and the memory of the daily amounts.
 * Usage: bench_segment [customers]. Not run by ctest.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include "loyal.h"

static uint64_t state = 88172645463325252ULL;

static uint64_t next(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Peak resident memory so far, in MB. */
static double peak_mb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024;
}

static void check(int rc, const char *what)
{
	if (rc < 0) {
		fprintf(stderr, "bench_segment: %s: %s\n", what, loyal_error_last()->message);
		exit(1);
	}
}

struct line {
	uint32_t cust;
	int32_t day;
	int64_t amount;
};

static int by_day(const void *a, const void *b)
{
	const struct line *x = a, *y = b;
	return x->day < y->day ? -1 : x->day > y->day;
}

int main(int argc, char **argv)
{
	size_t ncust = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000, n = 0, cap;
	int32_t start = loyal_days_from_civil(2023, 1, 1), span = 546;
	int32_t as_of = start + span - 1;
	struct line *lines;
	double t0, t1;

	cap = ncust * 12;
	if (!(lines = malloc(cap * sizeof(*lines))))
		return 1;
	for (size_t c = 0; c < ncust && n + 12 <= cap; c++) {
		int k = 1 + (int)(next() % 6);
		int32_t d = start + (int32_t)(next() % (uint64_t)span);
		for (int j = 0; j < k && d <= as_of; j++) {
			int lines_of_day = 1 + (int)(next() % 3);
			for (int l = 0; l < lines_of_day; l++)
				lines[n++] = (struct line){ (uint32_t)c, d,
							    (int64_t)(next() % 20000) * 10000 };
			d += 1 + (int32_t)(next() % 90);
		}
		if (next() % 20 == 0 && d <= as_of && n < cap)
			lines[n++] = (struct line){ (uint32_t)c, d, -(int64_t)(next() % 5000) * 10000 };
	}
	qsort(lines, n, sizeof(*lines), by_day);
	printf("%zu customers, %zu order lines over %d days\n", ncust, n, span);

	loyal_txn *t = NULL;
	loyal_txn_days *d = NULL;
	check(loyal_txn_new(&t, NULL), "txn");
	check(loyal_txn_days_new(&d), "days");
	char id[16];
	t0 = now();
	for (size_t i = 0; i < n; i++) {
		loyal_txn_row r = { id, 0, NULL, 0, lines[i].day, lines[i].amount, 0 };
		r.customer_len = (size_t)snprintf(id, sizeof(id), "C%07u", lines[i].cust);
		check(loyal_txn_add(t, &r), "add");
	}
	t1 = now();
	printf("loyal_txn_add:        %6.2f s (%.1f M lines/s), peak memory %.0f MB\n", t1 - t0,
	       (double)n / (t1 - t0) / 1e6, peak_mb());
	t0 = now();
	for (size_t i = 0; i < n; i++) {
		loyal_txn_row r = { id, 0, NULL, 0, lines[i].day, lines[i].amount, 0 };
		r.customer_len = (size_t)snprintf(id, sizeof(id), "C%07u", lines[i].cust);
		check(loyal_txn_days_add(d, &r), "days add");
	}
	t1 = now();
	printf("loyal_txn_days_add:   %6.2f s (%.1f M lines/s), peak memory %.0f MB\n", t1 - t0,
	       (double)n / (t1 - t0) / 1e6, peak_mb());
	free(lines);
	check(loyal_txn_finish(t, as_of), "finish");

	loyal_txn_window *w = NULL, *ww = NULL, *wc = NULL;
	loyal_measures m = LOYAL_MEASURES_INIT, mw = LOYAL_MEASURES_INIT, mc = LOYAL_MEASURES_INIT;
	t0 = now();
	check(loyal_txn_window_new(&w, t, NULL, as_of, 0), "window");
	t1 = now();
	printf("measures at as-of:    %6.2f s\n", t1 - t0);
	t0 = now();
	check(loyal_txn_window_new(&ww, t, d, as_of, 365), "window");
	t1 = now();
	printf("measures, 365 days:   %6.2f s\n", t1 - t0);
	check(loyal_txn_window_new(&wc, t, d, as_of - 182, 365), "window");
	loyal_txn_window_measures(&m, w);
	loyal_txn_window_measures(&mw, ww);
	loyal_txn_window_measures(&mc, wc);

	loyal_rfm *rfm = NULL;
	t0 = now();
	check(loyal_rfm_compute(&rfm, &m, NULL), "rfm");
	t1 = now();
	printf("RFM scores, segments: %6.2f s (%zu customers)\n", t1 - t0, loyal_rfm_count(rfm));
	loyal_tiers *v = NULL, *a = NULL, *b = NULL;
	t0 = now();
	check(loyal_tiers_by_value(&v, &m, NULL), "value tiers");
	t1 = now();
	printf("value tiers:          %6.2f s (high: %.1f%% of spend)\n", t1 - t0,
	       loyal_tiers_summary_at(v, 0)->spend_pct);
	loyal_tier_rules *rules = NULL;
	static const char text[] = "gold: spend >= 3000, purchases >= 4; silver: spend >= 1000; "
				   "bronze: purchases >= 1";
	check(loyal_tier_rules_parse(&rules, text, strlen(text), NULL), "rules");
	loyal_tier_migration *mg = NULL;
	t0 = now();
	check(loyal_tiers_by_rules(&a, &mc, rules), "member tiers");
	check(loyal_tiers_by_rules(&b, &mw, rules), "member tiers");
	check(loyal_tier_migration_compute(&mg, a, b), "migration");
	t1 = now();
	printf("member tiers x2, migration: %6.2f s\n", t1 - t0);
	loyal_tier_migration_free(mg);
	loyal_tier_rules_free(rules);
	loyal_tiers_free(a);
	loyal_tiers_free(b);
	loyal_tiers_free(v);
	loyal_rfm_free(rfm);
	loyal_txn_window_free(w);
	loyal_txn_window_free(ww);
	loyal_txn_window_free(wc);
	loyal_txn_days_free(d);
	loyal_txn_free(t);
	return 0;
}
