#include <stdio.h>
#include <string.h>

#include "errors_p.h"
#include "loyal/csat.h"
#include "loyal/number.h"

int loyal_csat_init(loyal_csat *acc, int lo, int hi)
{
	if (lo < 0 || hi - lo < 2 || hi - lo > 10)
		return loyal__error(LOYAL_EINVAL,
				    "scale %d-%d is not supported: it needs 3 to 11 points "
				    "starting at 0 or more", lo, hi);
	memset(acc, 0, sizeof(*acc));
	acc->lo = lo;
	acc->hi = hi;
	return 0;
}

int loyal_csat_parse_scale(int *lo, int *hi, const char *text)
{
	int a, b, n = 0;

	if (sscanf(text, "%d-%d%n", &a, &b, &n) != 2 || text[n] != '\0')
		return loyal__error(LOYAL_EINVAL, "scale '%s' is not of the form LO-HI (e.g. 1-5)", text);
	loyal_csat probe;
	int error = loyal_csat_init(&probe, a, b);
	if (error < 0)
		return error;
	*lo = a;
	*hi = b;
	return 0;
}

static const struct {
	const char *text;
	int point;
} labels[] = {
	{ "very satisfied", 5 }, { "satisfied", 4 }, { "neutral", 3 },
	{ "neither satisfied nor dissatisfied", 3 }, { "dissatisfied", 2 },
	{ "unsatisfied", 2 }, { "very dissatisfied", 1 }, { "very unsatisfied", 1 },
	{ "\xe5\xbe\x88\xe6\xbb\xa1\xe6\x84\x8f", 5 },             /* 很满意 */
	{ "\xe9\x9d\x9e\xe5\xb8\xb8\xe6\xbb\xa1\xe6\x84\x8f", 5 }, /* 非常满意 */
	{ "\xe6\xaf\x94\xe8\xbe\x83\xe6\xbb\xa1\xe6\x84\x8f", 4 }, /* 比较满意 */
	{ "\xe6\xbb\xa1\xe6\x84\x8f", 3 },                         /* 满意 */
	{ "\xe4\xb8\x80\xe8\x88\xac", 3 },                         /* 一般 */
	{ "\xe4\xb8\x8d\xe6\xbb\xa1\xe6\x84\x8f", 2 },             /* 不满意 */
	{ "\xe5\xbe\x88\xe4\xb8\x8d\xe6\xbb\xa1\xe6\x84\x8f", 1 }, /* 很不满意 */
	{ "\xe9\x9d\x9e\xe5\xb8\xb8\xe4\xb8\x8d\xe6\xbb\xa1\xe6\x84\x8f", 1 }, /* 非常不满意 */
};

/* ASCII letters in any case; a run of spaces or tabs in s matches the
 * single space of the label ("Very  satisfied"). */
static int label_equal(const char *label, const char *s, size_t len)
{
	size_t i = 0, j = 0;

	while (j < len && label[i]) {
		char c = s[j];
		if (label[i] == ' ') {
			if (c != ' ' && c != '\t')
				return 0;
			while (j < len && (s[j] == ' ' || s[j] == '\t'))
				j++;
			i++;
			continue;
		}
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != label[i])
			return 0;
		i++;
		j++;
	}
	return j == len && label[i] == '\0';
}

int loyal_csat_parse_answer(int *point, const loyal_csat *acc, const char *s, size_t len)
{
	int64_t v;

	/* spaces and tabs around the answer, as around numbers */
	while (len && (s[0] == ' ' || s[0] == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len && ((s[0] >= '0' && s[0] <= '9') || s[0] == '-' || s[0] == '+')) {
		if (loyal_parse_int64(&v, s, len) < 0)
			return loyal__error(LOYAL_EVALUE, "'%.*s' is not a whole number",
					    (int)(len > 64 ? 64 : len), s);
		if (v < acc->lo || v > acc->hi)
			return loyal__error(LOYAL_EVALUE, "'%.*s' is outside the scale %d-%d",
					    (int)(len > 64 ? 64 : len), s, acc->lo, acc->hi);
		*point = (int)v;
		return 0;
	}
	if (acc->lo == 1 && acc->hi == 5) {
		for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
			if (label_equal(labels[i].text, s, len)) {
				*point = labels[i].point;
				return 0;
			}
		}
		return loyal__error(LOYAL_EVALUE, "'%.*s' is not a satisfaction answer "
				    "(a number 1-5 or a label such as 'very satisfied')",
				    (int)(len > 64 ? 64 : len), s);
	}
	return loyal__error(LOYAL_EVALUE, "'%.*s' is not a whole number on the scale %d-%d",
			    (int)(len > 64 ? 64 : len), s, acc->lo, acc->hi);
}

int loyal_csat_add(loyal_csat *acc, int point)
{
	if (point < acc->lo || point > acc->hi)
		return loyal__error(LOYAL_EVALUE, "%d is outside the scale %d-%d",
				    point, acc->lo, acc->hi);
	acc->counts[point - acc->lo]++;
	return 0;
}

int loyal_csat_merge(loyal_csat *into, const loyal_csat *from)
{
	if (into->lo != from->lo || into->hi != from->hi)
		return loyal__error(LOYAL_EINVAL, "cannot merge CSAT counts on different scales");
	for (int k = 0; k <= into->hi - into->lo; k++)
		into->counts[k] += from->counts[k];
	return 0;
}

int loyal_csat_compute(loyal_csat_result *out, const loyal_csat *acc)
{
	loyal_csat_result r = { 0 };
	double sum = 0;

	for (int k = 0; k <= acc->hi - acc->lo; k++) {
		r.responses += acc->counts[k];
		sum += (double)acc->counts[k] * (acc->lo + k);
		if (acc->lo + k >= acc->hi - 1)
			r.satisfied += acc->counts[k];
	}
	if (r.responses == 0)
		return loyal__error(LOYAL_ENODATA, "no valid answers: the CSAT is undefined");
	r.csat = 100.0 * (double)r.satisfied / (double)r.responses;
	r.mean = sum / (double)r.responses;
	*out = r;
	return 0;
}
