#include <math.h>

#include "answer_p.h"
#include "errors_p.h"
#include "loyal/nps.h"
#include "loyal/number.h"

int loyal_nps_add(loyal_nps *acc, int score)
{
	if (score < 0 || score > 10)
		return loyal__error(LOYAL_EVALUE, "score %d is outside 0-10", score);
	acc->counts[score]++;
	return 0;
}

int loyal_nps_parse(int *score, const char *s, size_t len)
{
	int64_t v;
	int shown = len > 40 ? 40 : (int)len;

	if (loyal__parse_whole(&v, s, len) < 0)
		return loyal__error(LOYAL_EVALUE, "score '%.*s' is not a whole number 0-10", shown, s);
	if (v < 0 || v > 10)
		return loyal__error(LOYAL_EVALUE, "score '%.*s' is outside 0-10", shown, s);
	*score = (int)v;
	return 0;
}

void loyal_nps_merge(loyal_nps *into, const loyal_nps *from)
{
	for (int i = 0; i <= 10; i++)
		into->counts[i] += from->counts[i];
}

int loyal_nps_compute(loyal_nps_result *out, const loyal_nps *acc)
{
	loyal_nps_result r = { 0 };

	if (!out || !acc || !LOYAL__VERSION_OK(out->version, LOYAL_NPS_RESULT_VERSION))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_nps_compute");
	r.version = out->version;

	for (int i = 0; i <= 10; i++) {
		r.responses += acc->counts[i];
		if (i >= 9)
			r.promoters += acc->counts[i];
		else if (i >= 7)
			r.passives += acc->counts[i];
		else
			r.detractors += acc->counts[i];
	}
	if (r.responses == 0)
		return loyal__error(LOYAL_ENODATA, "no valid answers: the NPS is undefined");
	double n = (double)r.responses;
	double p = (double)r.promoters / n, d = (double)r.detractors / n;
	r.promoters_pct = 100.0 * p;
	r.passives_pct = 100.0 * (double)r.passives / n;
	r.detractors_pct = 100.0 * d;
	r.nps = 100.0 * (p - d);
	r.variance = (p + d - (p - d) * (p - d)) / n;
	if (r.variance < 0)
		r.variance = 0; /* rounding when p + d == (p - d)^2 */
	r.moe95 = 100.0 * 1.96 * sqrt(r.variance);
	*out = r;
	return 0;
}

void loyal_nps_compare(const loyal_nps_result *a, const loyal_nps_result *b,
		       double *change, int *significant)
{
	double diff = b->nps - a->nps;
	double var = a->variance + b->variance;

	*change = diff;
	if (var <= 0)
		*significant = -1;
	else
		*significant = fabs(diff / 100.0) / sqrt(var) > 1.96;
}
