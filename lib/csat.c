#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer_p.h"
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

/* Built-in labels of the 1-5 scale; an answer code is LOYAL_CSAT_LABEL + index. */
enum {
	L_VERY_SAT, L_EXTREMELY_SAT, L_SAT, L_SOMEWHAT_SAT, L_NEUTRAL, L_NEITHER, L_NEITHER_OR,
	L_DISSAT, L_UNSAT, L_SOMEWHAT_DISSAT, L_VERY_DISSAT, L_VERY_UNSAT, L_EXTREMELY_DISSAT,
	L_FEICHANG, L_HEN, L_BIJIAO, L_JIAO, L_MANYI, L_YIBAN, L_BU, L_BIJIAO_BU, L_BUTAI,
	L_JIAO_BU, L_FEICHANG_BU, L_HEN_BU, L_COUNT
};

static const struct {
	const char *text;
	int point; /* 0: depends on the column's scale */
} labels[L_COUNT] = {
	[L_VERY_SAT] = { "very satisfied", 5 },
	[L_EXTREMELY_SAT] = { "extremely satisfied", 5 },
	[L_SAT] = { "satisfied", 4 },
	[L_SOMEWHAT_SAT] = { "somewhat satisfied", 4 },
	[L_NEUTRAL] = { "neutral", 3 },
	[L_NEITHER] = { "neither satisfied nor dissatisfied", 3 },
	[L_NEITHER_OR] = { "neither satisfied or dissatisfied", 3 },
	[L_DISSAT] = { "dissatisfied", 2 },
	[L_UNSAT] = { "unsatisfied", 2 },
	[L_SOMEWHAT_DISSAT] = { "somewhat dissatisfied", 2 },
	[L_VERY_DISSAT] = { "very dissatisfied", 1 },
	[L_VERY_UNSAT] = { "very unsatisfied", 1 },
	[L_EXTREMELY_DISSAT] = { "extremely dissatisfied", 1 },
	[L_FEICHANG] = { "\xe9\x9d\x9e\xe5\xb8\xb8\xe6\xbb\xa1\xe6\x84\x8f", 5 }, /* 非常满意 */
	[L_HEN] = { "\xe5\xbe\x88\xe6\xbb\xa1\xe6\x84\x8f", 5 },                 /* 很满意 */
	[L_BIJIAO] = { "\xe6\xaf\x94\xe8\xbe\x83\xe6\xbb\xa1\xe6\x84\x8f", 4 },   /* 比较满意 */
	[L_JIAO] = { "\xe8\xbe\x83\xe6\xbb\xa1\xe6\x84\x8f", 4 },                /* 较满意 */
	[L_MANYI] = { "\xe6\xbb\xa1\xe6\x84\x8f", 0 },                           /* 满意 */
	[L_YIBAN] = { "\xe4\xb8\x80\xe8\x88\xac", 3 },                           /* 一般 */
	[L_BU] = { "\xe4\xb8\x8d\xe6\xbb\xa1\xe6\x84\x8f", 2 },                  /* 不满意 */
	[L_BIJIAO_BU] = { "\xe6\xaf\x94\xe8\xbe\x83\xe4\xb8\x8d\xe6\xbb\xa1\xe6\x84\x8f", 2 }, /* 比较不满意 */
	[L_BUTAI] = { "\xe4\xb8\x8d\xe5\xa4\xaa\xe6\xbb\xa1\xe6\x84\x8f", 2 },    /* 不太满意 */
	[L_JIAO_BU] = { "\xe8\xbe\x83\xe4\xb8\x8d\xe6\xbb\xa1\xe6\x84\x8f", 2 },  /* 较不满意 */
	[L_FEICHANG_BU] = { "\xe9\x9d\x9e\xe5\xb8\xb8\xe4\xb8\x8d\xe6\xbb\xa1\xe6\x84\x8f", 1 }, /* 非常不满意 */
	[L_HEN_BU] = { "\xe5\xbe\x88\xe4\xb8\x8d\xe6\xbb\xa1\xe6\x84\x8f", 1 },   /* 很不满意 */
};

#define BIT(i) ((uint64_t)1 << (i))

struct loyal_csat_labels {
	char **text;
	size_t *len;
	int *point;
	size_t n, cap;
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

static void trim(const char **s, size_t *len)
{
	while (*len && ((*s)[0] == ' ' || (*s)[0] == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
		(*len)--;
}

/* A label of the custom set: its point, or -1. */
static int custom_point(const loyal_csat_labels *l, const char *s, size_t len)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (label_equal(l->text[i], s, len))
			return l->point[i];
	return -1;
}

/* A built-in label: its index, or -1. */
static int builtin_label(const char *s, size_t len)
{
	for (int i = 0; i < L_COUNT; i++)
		if (label_equal(labels[i].text, s, len))
			return i;
	return -1;
}

static int starts_with(const char *s, size_t len, const char *prefix, size_t *plen)
{
	size_t n = strlen(prefix);
	if (len < n || memcmp(s, prefix, n))
		return 0;
	*plen = n;
	return 1;
}

/*
 * A number written with its label: "5 - Very satisfied", "5. 非常满意",
 * "5: ...", "5) ...", "5、..." (the label not starting with a digit, so
 * "4.5" is no such thing), or "Very satisfied (5)" / "非常满意（5）".
 * Returns 1 with the number and the label, else 0.
 */
static int numbered(int64_t *num, const char **text, size_t *tlen, const char *s, size_t len)
{
	static const char *const seps[] = {
		"-", ".", ":", ")", "\xe2\x80\x93" /* – */, "\xe2\x80\x94" /* — */,
		"\xef\xbc\x9a" /* ： */, "\xef\xbc\x89" /* ） */, "\xe3\x80\x81" /* 、 */,
	};
	size_t i = 0, n;

	while (i < len && i < 3 && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i > 0 && (i == len || s[i] < '0' || s[i] > '9')) {
		size_t j = i;
		while (j < len && s[j] == ' ')
			j++;
		for (size_t k = 0; k < sizeof(seps) / sizeof(seps[0]); k++) {
			if (!starts_with(s + j, len - j, seps[k], &n))
				continue;
			const char *t = s + j + n;
			size_t tl = len - j - n;
			trim(&t, &tl);
			if (!tl || (*t >= '0' && *t <= '9'))
				return 0;
			if (loyal_parse_int64(num, s, i) < 0)
				return 0;
			*text = t;
			*tlen = tl;
			return 1;
		}
		return 0;
	}
	/* a number in parentheses at the end */
	size_t close = 0, open = 0;
	if (len >= 1 && s[len - 1] == ')')
		close = 1;
	else if (len >= 3 && !memcmp(s + len - 3, "\xef\xbc\x89", 3))
		close = 3;
	else
		return 0;
	size_t d = len - close;
	while (d > 0 && s[d - 1] >= '0' && s[d - 1] <= '9')
		d--;
	if (d == len - close || len - close - d > 3)
		return 0;
	if (d >= 1 && s[d - 1] == '(')
		open = 1;
	else if (d >= 3 && !memcmp(s + d - 3, "\xef\xbc\x88", 3))
		open = 3;
	else
		return 0;
	const char *t = s;
	size_t tl = d - open;
	trim(&t, &tl);
	if (!tl || loyal_parse_int64(num, s + d, len - close - d) < 0)
		return 0;
	*text = t;
	*tlen = tl;
	return 1;
}

#define SHOWN(len) ((int)((len) > 64 ? 64 : (len)))

int loyal_csat_read(int *answer, const loyal_csat *acc, const loyal_csat_labels *custom,
		    const char *s, size_t len)
{
	int64_t v;
	int p, five = acc->lo == 1 && acc->hi == 5;
	const char *t;
	size_t tl;

	trim(&s, &len);
	if (len && ((s[0] >= '0' && s[0] <= '9') || s[0] == '-' || s[0] == '+') &&
	    loyal__parse_whole(&v, s, len) == 0) {
		if (v < acc->lo || v > acc->hi)
			return loyal__error(LOYAL_EVALUE, "'%.*s' is outside the scale %d-%d",
					    SHOWN(len), s, acc->lo, acc->hi);
		*answer = (int)v;
		return 0;
	}
	if ((p = custom_point(custom, s, len)) >= 0) {
		if (p < acc->lo || p > acc->hi)
			return loyal__error(LOYAL_EVALUE, "'%.*s' is given the point %d, outside the "
					    "scale %d-%d", SHOWN(len), s, p, acc->lo, acc->hi);
		*answer = p;
		return 0;
	}
	if (numbered(&v, &t, &tl, s, len)) {
		if (v < acc->lo || v > acc->hi)
			return loyal__error(LOYAL_EVALUE, "'%.*s' is outside the scale %d-%d",
					    SHOWN(len), s, acc->lo, acc->hi);
		int say = custom_point(custom, t, tl), b = five ? builtin_label(t, tl) : -1;
		if (say < 0 && b >= 0)
			say = labels[b].point;
		if (say > 0 && say != v)
			return loyal__error(LOYAL_EVALUE, "'%.*s': the number says %d and the label %d",
					    SHOWN(len), s, (int)v, say);
		*answer = (int)v;
		return 0;
	}
	if (len && ((s[0] >= '0' && s[0] <= '9') || s[0] == '-' || s[0] == '+'))
		return loyal__error(LOYAL_EVALUE, "'%.*s' is not a whole number", SHOWN(len), s);
	if (five && (p = builtin_label(s, len)) >= 0) {
		*answer = LOYAL_CSAT_LABEL + p;
		return 0;
	}
	if (five)
		return loyal__error(LOYAL_EVALUE, "'%.*s' is not a satisfaction answer "
				    "(a number 1-5 or a label such as 'very satisfied')", SHOWN(len), s);
	return loyal__error(LOYAL_EVALUE, "'%.*s' is not a whole number on the scale %d-%d",
			    SHOWN(len), s, acc->lo, acc->hi);
}

int loyal_csat_parse_answer(int *point, const loyal_csat *acc, const char *s, size_t len)
{
	int answer, error;

	if ((error = loyal_csat_read(&answer, acc, NULL, s, len)) < 0)
		return error;
	if (answer >= LOYAL_CSAT_LABEL) {
		int p = labels[answer - LOYAL_CSAT_LABEL].point;
		if (p == 0)
			return loyal__error(LOYAL_EVALUE, "'%s' is 4 or 3 depending on the column's "
					    "scale (see loyal_csat_decide)", labels[L_MANYI].text);
		answer = p;
	}
	*point = answer;
	return 0;
}

int loyal_csat_add_answer(loyal_csat *acc, int answer)
{
	if (answer >= LOYAL_CSAT_LABEL && answer < LOYAL_CSAT_LABEL + L_COUNT &&
	    acc->lo == 1 && acc->hi == 5) {
		int i = answer - LOYAL_CSAT_LABEL;
		acc->labels_seen |= BIT(i);
		if (labels[i].point == 0) {
			acc->pending++;
			return 0;
		}
		answer = labels[i].point;
	}
	return loyal_csat_add(acc, answer);
}

/* The Chinese labels seen, for messages: "满意, 不满意". */
static void list_seen(char *buf, size_t size, uint64_t seen)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = L_FEICHANG; i < L_COUNT && n < size; i++)
		if (seen & BIT(i))
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "", labels[i].text);
}

int loyal_csat_decide(int *point, uint64_t seen, const char *column)
{
	char list[256], where[300];

	*point = 0;
	if (!(seen & BIT(L_MANYI)))
		return 0;
	int has3 = (seen & BIT(L_YIBAN)) != 0;
	int has4 = (seen & (BIT(L_BIJIAO) | BIT(L_JIAO))) != 0;
	int a = (seen & (BIT(L_FEICHANG) | BIT(L_FEICHANG_BU))) != 0;
	int b = (seen & (BIT(L_HEN) | BIT(L_HEN_BU))) != 0;
	if (has3 != has4) {
		*point = has3 ? 4 : 3;
		return 0;
	}
	if (!has3 && a != b) {
		*point = a ? 4 : 3;
		return 0;
	}
	list_seen(list, sizeof(list), seen);
	if (column)
		snprintf(where, sizeof(where), "column '%s'", column);
	else
		snprintf(where, sizeof(where), "a column");
	return loyal__error(LOYAL_EVALUE, "%s: %s is 4 on the scale %s/%s/%s/%s/%s and 3 on "
			    "%s/%s/%s/%s/%s, and its labels (%s) %s", where, labels[L_MANYI].text,
			    labels[L_FEICHANG].text, labels[L_MANYI].text, labels[L_YIBAN].text,
			    labels[L_BU].text, labels[L_FEICHANG_BU].text, labels[L_HEN].text,
			    labels[L_BIJIAO].text, labels[L_MANYI].text, labels[L_BU].text,
			    labels[L_HEN_BU].text, list,
			    has3 || (a && b) ? "belong to both" : "do not say which");
}

int loyal_csat_resolve(loyal_csat *acc, int point)
{
	if (!acc->pending)
		return 0;
	if (point < acc->lo || point > acc->hi)
		return loyal__error(LOYAL_EINVAL, "pending answers need a point on the scale");
	acc->counts[point - acc->lo] += acc->pending;
	acc->pending = 0;
	return 0;
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
	into->pending += from->pending;
	into->labels_seen |= from->labels_seen;
	return 0;
}

int loyal_csat_compute(loyal_csat_result *out, const loyal_csat *acc)
{
	loyal_csat_result r = { 0 };
	double sum = 0;

	if (!out || !acc || !LOYAL__VERSION_OK(out->version, LOYAL_CSAT_RESULT_VERSION))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_csat_compute");
	r.version = out->version;

	if (acc->pending)
		return loyal__error(LOYAL_EINVAL, "%llu answers wait for their point "
				    "(loyal_csat_resolve)", (unsigned long long)acc->pending);
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

/* ---- custom labels ------------------------------------------------------ */

int loyal_csat_labels_new(loyal_csat_labels **out)
{
	if (!(*out = calloc(1, sizeof(**out))))
		return loyal__error_oom();
	return 0;
}

void loyal_csat_labels_free(loyal_csat_labels *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->text[i]);
	free(l->text);
	free(l->len);
	free(l->point);
	free(l);
}

size_t loyal_csat_labels_count(const loyal_csat_labels *l)
{
	return l ? l->n : 0;
}

int loyal_csat_labels_add(loyal_csat_labels *l, const char *text, size_t len, int point)
{
	trim(&text, &len);
	if (!l || !len)
		return loyal__error(LOYAL_EINVAL, "a label is empty");
	if (point < 0 || point > 10)
		return loyal__error(LOYAL_EINVAL, "label '%.*s': point %d is not 0-10",
				    SHOWN(len), text, point);
	/* Stored in the comparing form: lower-case ASCII, one space per run. */
	char *t = malloc(len + 1);
	size_t n = 0;
	if (!t)
		return loyal__error_oom();
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == ' ' || c == '\t') {
			if (n && t[n - 1] == ' ')
				continue;
			c = ' ';
		} else if (c >= 'A' && c <= 'Z') {
			c = (char)(c - 'A' + 'a');
		}
		t[n++] = c;
	}
	t[n] = '\0';
	int have = custom_point(l, text, len);
	if (have >= 0) {
		free(t);
		if (have == point)
			return 0;
		return loyal__error(LOYAL_EINVAL, "label '%.*s' is given two points, %d and %d",
				    SHOWN(len), text, have, point);
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		char **a = realloc(l->text, cap * sizeof(*a));
		if (a)
			l->text = a;
		size_t *b = a ? realloc(l->len, cap * sizeof(*b)) : NULL;
		if (b)
			l->len = b;
		int *c = b ? realloc(l->point, cap * sizeof(*c)) : NULL;
		if (!c) {
			free(t);
			return loyal__error_oom();
		}
		l->point = c;
		l->cap = cap;
	}
	l->text[l->n] = t;
	l->len[l->n] = n;
	l->point[l->n] = point;
	l->n++;
	return 0;
}

int loyal_csat_labels_parse(loyal_csat_labels *l, const char *spec)
{
	const char *p = spec;
	int error;

	if (!l || !spec || !*spec)
		return loyal__error(LOYAL_EINVAL, "no labels given");
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		const char *eq = memchr(p, '=', n);
		int64_t v;
		if (!eq)
			return loyal__error(LOYAL_EINVAL, "'%.*s' is not TEXT=POINT", SHOWN(n), p);
		if (loyal_parse_int64(&v, eq + 1, n - (size_t)(eq + 1 - p)) < 0 || v < 0 || v > 10)
			return loyal__error(LOYAL_EINVAL, "'%.*s': the point must be a whole number "
					    "0-10", SHOWN(n), p);
		if ((error = loyal_csat_labels_add(l, p, (size_t)(eq - p), (int)v)) < 0)
			return error;
		if (!comma)
			break;
		p = comma + 1;
	}
	return 0;
}
