#ifndef LOYAL_NPS_H
#define LOYAL_NPS_H

#include "common.h"

/*
 * Net Promoter Score. An accumulator counts 0-10 answers; results are
 * computed from the counts, so two accumulators merge by adding counts.
 *
 *   promoters  = answers 9-10, passives = 7-8, detractors = 0-6
 *   p = promoters / n, d = detractors / n
 *   nps   = 100 (p - d)                              (points, -100..100)
 *   moe95 = 100 * 1.96 * sqrt((p + d - (p - d)^2) / n)  (95% margin, points)
 */
typedef struct {
	uint64_t counts[11]; /* answers per score 0..10 */
} loyal_nps;

#define LOYAL_NPS_INIT { { 0 } }

typedef struct {
	int version; /* set by the caller: LOYAL_NPS_RESULT_INIT (see libloyal(3), Versions) */
	uint64_t responses, promoters, passives, detractors;
	double promoters_pct, passives_pct, detractors_pct; /* 0-100 */
	double nps;   /* -100..100 */
	double moe95; /* points */
	double variance; /* variance of the NPS estimate, in squared shares */
} loyal_nps_result;

#define LOYAL_NPS_RESULT_VERSION 1
#define LOYAL_NPS_RESULT_INIT { .version = LOYAL_NPS_RESULT_VERSION }

/* Count one answer. Returns 0, or LOYAL_EVALUE when score is not 0-10. */
LOYAL_EXTERN(int) loyal_nps_add(loyal_nps *acc, int score);

/* Read one answer s[0..len): a whole number 0-10, surrounding spaces
 * ignored; also written with a decimal point and zeros ("9.0", "10.00"), as
 * pandas writes the numbers of a column with blanks. Returns 0 with *score
 * set, or LOYAL_EVALUE with a reason such as "score '11' is outside 0-10"
 * or "score '9.5' is not a whole number 0-10". */
LOYAL_EXTERN(int) loyal_nps_parse(int *score, const char *s, size_t len);

/* Add the counts of `from` to `into`. */
LOYAL_EXTERN(void) loyal_nps_merge(loyal_nps *into, const loyal_nps *from);

/* Compute the result. Returns 0, or LOYAL_ENODATA when no answer was counted
 * (there is no NPS of nothing). */
LOYAL_EXTERN(int) loyal_nps_compute(loyal_nps_result *out, const loyal_nps *acc);

/*
 * Compare two results (earlier `a`, later `b`): *change = b.nps - a.nps in
 * points; *significant = 1 when |z| > 1.96 for z = (b - a) / sqrt(var_a + var_b)
 * (two-sample z-test on the NPS variances). When both variances are zero
 * the test is undefined and *significant is -1 (no answer rather than a
 * made-up one).
 */
LOYAL_EXTERN(void) loyal_nps_compare(const loyal_nps_result *a, const loyal_nps_result *b,
				     double *change, int *significant);

#endif
