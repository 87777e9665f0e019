#ifndef LOYAL_ZTEST_H
#define LOYAL_ZTEST_H

#include "common.h"
#include "nps.h"

/*
 * Two-sample z tests of a difference between two groups (repeat against
 * one-time buyers, complainers against the others), two-sided at the 5%
 * level:
 *
 *   shares  a = k1 / n1, b = k2 / n2, pooled s = (k1 + k2) / (n1 + n2)
 *           z = (a - b) / sqrt(s (1 - s) (1 / n1 + 1 / n2))
 *           (the classic two-proportion z test)
 *   NPS     z = (nps1 - nps2) / 100 / sqrt(var1 + var2), with the variance
 *           of each NPS estimate (p + d - (p - d)^2) / n (loyal_nps_result),
 *           as loyal_nps_compare() tests a change
 *
 *   p_value = 2 (1 - Phi(|z|)) = erfc(|z| / sqrt 2); significant: p < 0.05
 */
typedef struct {
	int version; /* set by the caller: LOYAL_ZTEST_INIT (see libloyal(3), Versions) */
	double difference;  /* first minus second, in points (percent or NPS) */
	double z;           /* NaN when the variance is 0 (the test is undefined) */
	double p_value;     /* NaN with z */
	int significant;    /* 1, 0, or -1 when undefined */
} loyal_ztest;

#define LOYAL_ZTEST_VERSION 1
#define LOYAL_ZTEST_INIT { .version = LOYAL_ZTEST_VERSION }

/* Compare shares k1/n1 and k2/n2 (k <= n). Returns 0, or LOYAL_ENODATA
 * when n1 or n2 is 0, LOYAL_EINVAL when k > n or out is NULL. */
LOYAL_EXTERN(int) loyal_ztest_shares(loyal_ztest *out, uint64_t k1, uint64_t n1,
				     uint64_t k2, uint64_t n2);

/* Compare two NPS results (from loyal_nps_compute). Returns 0 or
 * LOYAL_EINVAL (NULL argument, a result without responses). */
LOYAL_EXTERN(int) loyal_ztest_nps(loyal_ztest *out, const loyal_nps_result *a,
				  const loyal_nps_result *b);

#endif
