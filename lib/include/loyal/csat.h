#ifndef LOYAL_CSAT_H
#define LOYAL_CSAT_H

#include "common.h"

/*
 * Customer satisfaction (CSAT). Answers are points on a scale lo..hi
 * (1-5 by default; 1-7, 1-10 and 0-10 are common). The top two boxes are the
 * two highest points (4-5 on 1-5, 6-7 on 1-7, 9-10 on 1-10 and 0-10).
 *
 *   csat = 100 * answers in the top two boxes / answers
 *   mean = sum of answers / answers
 */
typedef struct {
	int lo, hi;          /* the scale */
	uint64_t counts[11]; /* answers per point; counts[k] is point lo + k */
} loyal_csat;

typedef struct {
	uint64_t responses, satisfied;
	double csat; /* 0-100 */
	double mean; /* on the scale */
} loyal_csat_result;

/* Start an empty accumulator on scale lo..hi. The scale must have 3 to 11
 * points with lo >= 0. Returns 0 or LOYAL_EINVAL. */
LOYAL_EXTERN(int) loyal_csat_init(loyal_csat *acc, int lo, int hi);

/* Parse a scale written "LO-HI" ("1-5"). Returns 0 or LOYAL_EINVAL. */
LOYAL_EXTERN(int) loyal_csat_parse_scale(int *lo, int *hi, const char *text);

/*
 * Read one answer s[0..len): a whole number on the scale, or, on the 1-5
 * scale only, a text label (case-insensitive English, or Chinese):
 *   5: very satisfied, 很满意, 非常满意
 *   4: satisfied, 比较满意
 *   3: neutral, neither satisfied nor dissatisfied, 满意, 一般
 *   2: dissatisfied, unsatisfied, 不满意
 *   1: very dissatisfied, very unsatisfied, 很不满意, 非常不满意
 * Surrounding spaces are ignored. Returns 0 with *point set, or LOYAL_EVALUE
 * with a reason ("'6' is outside the scale 1-5").
 */
LOYAL_EXTERN(int) loyal_csat_parse_answer(int *point, const loyal_csat *acc,
					  const char *s, size_t len);

/* Count one answer. Returns 0 or LOYAL_EVALUE when off the scale. */
LOYAL_EXTERN(int) loyal_csat_add(loyal_csat *acc, int point);

/* Add the counts of `from` (same scale) to `into`. Returns 0 or LOYAL_EINVAL. */
LOYAL_EXTERN(int) loyal_csat_merge(loyal_csat *into, const loyal_csat *from);

/* Compute the result. Returns 0 or LOYAL_ENODATA when no answer was counted. */
LOYAL_EXTERN(int) loyal_csat_compute(loyal_csat_result *out, const loyal_csat *acc);

#endif
