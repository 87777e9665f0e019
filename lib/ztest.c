#include <math.h>

#include "errors_p.h"
#include "loyal/ztest.h"

static void finish(loyal_ztest *out, double diff, double se)
{
	out->difference = diff;
	if (!(se > 0.0)) {
		out->z = out->p_value = NAN;
		out->significant = -1;
		return;
	}
	out->z = diff / 100.0 / se;
	out->p_value = erfc(fabs(out->z) / sqrt(2.0));
	out->significant = out->p_value < 0.05;
}

int loyal_ztest_shares(loyal_ztest *out, uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2)
{
	if (!out || !LOYAL__VERSION_OK(out->version, LOYAL_ZTEST_VERSION) || k1 > n1 || k2 > n2)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_ztest_shares");
	if (n1 == 0 || n2 == 0)
		return loyal__error(LOYAL_ENODATA, "a group without members has no share to compare");
	double a = (double)k1 / (double)n1, b = (double)k2 / (double)n2;
	double s = (double)(k1 + k2) / (double)(n1 + n2);
	finish(out, 100.0 * (a - b), sqrt(s * (1.0 - s) * (1.0 / (double)n1 + 1.0 / (double)n2)));
	return 0;
}

int loyal_ztest_nps(loyal_ztest *out, const loyal_nps_result *a, const loyal_nps_result *b)
{
	if (!out || !LOYAL__VERSION_OK(out->version, LOYAL_ZTEST_VERSION) || !a || !b ||
	    a->responses == 0 || b->responses == 0)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_ztest_nps");
	finish(out, a->nps - b->nps, sqrt(a->variance + b->variance));
	return 0;
}
