/*
 * Member tier rules: "gold: spend >= 5000, purchases >= 12; silver: ...".
 * The grammar is in loyal/tiers.h. Errors name the line and the column in
 * characters, so a CJK tier name does not shift the column of the mistake.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors_p.h"
#include "loyal/number.h"
#include "loyal/tiers.h"

#define MAX_RULES_FILE ((size_t)1 << 20)

enum { M_SPEND, M_PURCHASES };
enum { OP_GE, OP_GT, OP_LE, OP_LT, OP_EQ };

struct cond {
	int measure, op;
	int64_t value;
};

struct rule {
	char *name;
	size_t first, ncond; /* conditions conds[first .. first + ncond) */
};

struct loyal_tier_rules {
	struct rule *rules;
	size_t n, cap;
	struct cond *conds;
	size_t nconds, ccap;
};

void loyal_tier_rules_free(loyal_tier_rules *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		free(r->rules[i].name);
	free(r->rules);
	free(r->conds);
	free(r);
}

/* Parsing state: the text, its name, and the current line. */
struct parser {
	const char *src;
	const char *line;  /* start of the current line */
	uint64_t lineno;
	loyal_tier_rules *r;
};

/* Column of byte p of the current line, in characters from 1. */
static uint64_t column(const struct parser *ps, const char *p)
{
	uint64_t c = 1;
	for (const char *q = ps->line; q < p; q++)
		if (((unsigned char)*q & 0xc0) != 0x80)
			c++;
	return c;
}

#define FAIL(ps, at, ...) \
	loyal__error_at(LOYAL_EINVAL, (ps)->src, (ps)->lineno, column((ps), (at)), __VA_ARGS__)

/* Length of the valid UTF-8 prefix of s[0..len) (len when all valid). */
static size_t utf8_prefix(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned c = p[i], need;
		uint32_t cp, min;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			cp = c & 0x1f;
			min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			cp = c & 0x0f;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			return i;
		}
		if (len - i <= need)
			return i;
		for (unsigned k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return i;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += need + 1;
	}
	return len;
}

/* ASCII case-insensitive comparison of s[0..len) with a lower-case word
 * (strncasecmp would follow the locale). */
static int word_is(const char *s, size_t len, const char *word)
{
	if (strlen(word) != len)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
		if (c != word[i])
			return 0;
	}
	return 1;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

static void trim(const char **s, const char **e)
{
	while (*s < *e && is_space(**s))
		(*s)++;
	while (*e > *s && is_space((*e)[-1]))
		(*e)--;
}

static int add_rule(struct parser *ps, const char *name, size_t len)
{
	loyal_tier_rules *r = ps->r;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 8;
		struct rule *n = realloc(r->rules, cap * sizeof(*n));
		if (!n)
			return loyal__error_oom();
		r->rules = n;
		r->cap = cap;
	}
	struct rule *x = &r->rules[r->n];
	if (!(x->name = malloc(len + 1)))
		return loyal__error_oom();
	memcpy(x->name, name, len);
	x->name[len] = '\0';
	x->first = r->nconds;
	x->ncond = 0;
	r->n++;
	return 0;
}

static int add_cond(struct parser *ps, int measure, int op, int64_t value)
{
	loyal_tier_rules *r = ps->r;

	if (r->nconds == r->ccap) {
		size_t cap = r->ccap ? r->ccap * 2 : 16;
		struct cond *n = realloc(r->conds, cap * sizeof(*n));
		if (!n)
			return loyal__error_oom();
		r->conds = n;
		r->ccap = cap;
	}
	r->conds[r->nconds++] = (struct cond){ measure, op, value };
	r->rules[r->n - 1].ncond++;
	return 0;
}

/* A number the parser refused: its reason, located at the number. The
 * reason is copied first: it lives in the buffer the new message goes to. */
static int fail_number(const struct parser *ps, const char *at, const char *measure)
{
	char reason[256];
	const loyal_error_info *e = loyal_error_last();

	snprintf(reason, sizeof(reason), "%s", e ? e->reason : "not a number");
	return FAIL(ps, at, "%s: %s", measure, reason);
}

/* One condition, s..e trimmed and not empty. */
static int parse_cond(struct parser *ps, const char *s, const char *e)
{
	const char *p = s, *w, *num;
	int measure, op;
	int64_t v;

	while (p < e && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_'))
		p++;
	if (word_is(s, (size_t)(p - s), "spend"))
		measure = M_SPEND;
	else if (word_is(s, (size_t)(p - s), "purchases"))
		measure = M_PURCHASES;
	else if (p == s)
		return FAIL(ps, s, "a condition starts with spend or purchases, not '%.*s'",
			    (int)(e - s), s);
	else
		return FAIL(ps, s, "unknown measure '%.*s' (spend or purchases)", (int)(p - s), s);
	while (p < e && is_space(*p))
		p++;
	w = p;
	if (p + 1 < e && p[0] == '>' && p[1] == '=') {
		op = OP_GE;
		p += 2;
	} else if (p + 1 < e && p[0] == '<' && p[1] == '=') {
		op = OP_LE;
		p += 2;
	} else if (p + 1 < e && p[0] == '=' && p[1] == '=') {
		op = OP_EQ;
		p += 2;
	} else if (p < e && *p == '>') {
		op = OP_GT;
		p++;
	} else if (p < e && *p == '<') {
		op = OP_LT;
		p++;
	} else if (p < e && *p == '=') {
		op = OP_EQ;
		p++;
	} else {
		return FAIL(ps, w, "expected one of >= > <= < = after '%.*s'", (int)(w - s), s);
	}
	while (p < e && is_space(*p))
		p++;
	num = p;
	if (num == e)
		return FAIL(ps, num, "a number is missing after '%.*s'", (int)(num - s), s);
	if (measure == M_SPEND) {
		if (loyal_parse_decimal(&v, num, (size_t)(e - num), 0) < 0)
			return fail_number(ps, num, "spend");
	} else {
		if (loyal_parse_int64(&v, num, (size_t)(e - num)) < 0)
			return fail_number(ps, num, "purchases");
		if (v < 0)
			return FAIL(ps, num, "purchases: '%.*s' is below 0", (int)(e - num), num);
	}
	return add_cond(ps, measure, op, v);
}

/* One rule, s..e (not yet trimmed, without its ';'). */
static int parse_rule(struct parser *ps, const char *s, const char *e)
{
	loyal_tier_rules *r = ps->r;
	const char *colon, *ns, *ne;
	int error;

	trim(&s, &e);
	if (s == e)
		return 0; /* an empty rule */
	if (!(colon = memchr(s, ':', (size_t)(e - s))))
		return FAIL(ps, s, "'%.*s' has no ':' (NAME: CONDITIONS, or NAME: for every "
			    "customer)", (int)(e - s), s);
	ns = s;
	ne = colon;
	trim(&ns, &ne);
	if (ns == ne)
		return FAIL(ps, s, "a tier without a name");
	for (const char *p = ns; p < ne; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return FAIL(ps, p, "tier name with a control character");
	for (size_t i = 0; i < r->n; i++)
		if (strlen(r->rules[i].name) == (size_t)(ne - ns) &&
		    !memcmp(r->rules[i].name, ns, (size_t)(ne - ns)))
			return FAIL(ps, ns, "tier '%.*s' is named twice", (int)(ne - ns), ns);
	if (r->n && r->rules[r->n - 1].ncond == 0)
		return FAIL(ps, ns, "tier '%.*s' can never match: '%s' before it has no condition "
			    "and takes every customer", (int)(ne - ns), ns, r->rules[r->n - 1].name);
	if ((error = add_rule(ps, ns, (size_t)(ne - ns))) < 0)
		return error;
	const char *p = colon + 1, *cs = p, *ce = e;
	trim(&cs, &ce);
	if (cs == ce)
		return 0; /* no condition: every customer */
	for (;;) {
		const char *comma = memchr(p, ',', (size_t)(e - p));
		const char *q = comma ? comma : e;
		cs = p;
		ce = q;
		trim(&cs, &ce);
		if (cs == ce)
			return FAIL(ps, cs, "an empty condition (conditions are separated by ',')");
		if ((error = parse_cond(ps, cs, ce)) < 0)
			return error;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

int loyal_tier_rules_parse(loyal_tier_rules **out, const char *text, size_t len,
			   const char *name)
{
	struct parser ps = { name ? name : "rules", NULL, 0, NULL };
	const char *end = text + len, *p = text;
	int error = 0;

	if (!out || (!text && len))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_tier_rules_parse");
	if (!(ps.r = calloc(1, sizeof(*ps.r))))
		return loyal__error_oom();
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *s = p, *bad;
		ps.line = p;
		ps.lineno++;
		if (le > p && le[-1] == '\r')
			le--;
		if ((bad = p + utf8_prefix(p, (size_t)(le - p))) != le) {
			error = FAIL(&ps, bad, "invalid UTF-8");
			goto done;
		}
		while (s < le && is_space(*s))
			s++;
		if (s < le && *s != '#') {
			for (const char *q = p;;) {
				const char *semi = memchr(q, ';', (size_t)(le - q));
				if ((error = parse_rule(&ps, q, semi ? semi : le)) < 0)
					goto done;
				if (!semi)
					break;
				q = semi + 1;
			}
		}
		p = nl ? nl + 1 : end;
	}
	if (ps.r->n == 0) {
		error = loyal__error_at(LOYAL_EINVAL, ps.src, 0, 0,
					"no tier (rules look like 'gold: spend >= 5000; silver:')");
		goto done;
	}
	*out = ps.r;
	ps.r = NULL;
done:
	loyal_tier_rules_free(ps.r);
	return error;
}

int loyal_tier_rules_load(loyal_tier_rules **out, const char *path)
{
	FILE *f;
	char *buf = NULL;
	size_t len = 0;
	int error = 0, is_stdin;

	if (!out || !path)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_tier_rules_load");
	is_stdin = !strcmp(path, "-");
	if (!(f = is_stdin ? stdin : fopen(path, "rb")))
		return loyal__error_at(LOYAL_EOPEN, path, 0, 0, "cannot open: %s", strerror(errno));
	if (!(buf = malloc(MAX_RULES_FILE + 1))) {
		error = loyal__error_oom();
		goto done;
	}
	len = fread(buf, 1, MAX_RULES_FILE + 1, f);
	if (ferror(f)) {
		error = loyal__error_at(LOYAL_EIO, path, 0, 0, "read error: %s", strerror(errno));
		goto done;
	}
	if (len > MAX_RULES_FILE) {
		error = loyal__error_at(LOYAL_ETOOBIG, path, 0, 0, "a rules file is at most 1 MiB");
		goto done;
	}
	/* a UTF-8 byte-order mark, as editors on Windows write it */
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		error = loyal_tier_rules_parse(out, buf + 3, len - 3, path);
	else
		error = loyal_tier_rules_parse(out, buf, len, path);
done:
	free(buf);
	if (!is_stdin)
		fclose(f);
	return error;
}

size_t loyal_tier_rules_count(const loyal_tier_rules *r)
{
	return r ? r->n : 0;
}

const char *loyal_tier_rules_name(const loyal_tier_rules *r, size_t k)
{
	return r && k < r->n ? r->rules[k].name : NULL;
}

int loyal_tier_rules_can_miss(const loyal_tier_rules *r)
{
	return !r || r->n == 0 || r->rules[r->n - 1].ncond != 0;
}

static int holds(const struct cond *c, int64_t spend, uint64_t purchases)
{
	if (c->measure == M_SPEND) {
		int64_t v = spend, t = c->value;
		switch (c->op) {
		case OP_GE: return v >= t;
		case OP_GT: return v > t;
		case OP_LE: return v <= t;
		case OP_LT: return v < t;
		default: return v == t;
		}
	} else {
		uint64_t v = purchases, t = (uint64_t)c->value;
		switch (c->op) {
		case OP_GE: return v >= t;
		case OP_GT: return v > t;
		case OP_LE: return v <= t;
		case OP_LT: return v < t;
		default: return v == t;
		}
	}
}

int loyal_tier_rules_match(const loyal_tier_rules *r, int64_t spend, uint64_t purchases)
{
	if (!r)
		return LOYAL_TIER_NONE;
	for (size_t i = 0; i < r->n; i++) {
		const struct rule *x = &r->rules[i];
		size_t k = 0;
		while (k < x->ncond && holds(&r->conds[x->first + k], spend, purchases))
			k++;
		if (k == x->ncond)
			return (int)i;
	}
	return LOYAL_TIER_NONE;
}
