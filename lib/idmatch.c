#include <stdlib.h>
#include <string.h>

#include "errors_p.h"
#include "loyal/idmatch.h"
#include "strmap_p.h"

/* Three maps, one per rule: exact ids, trimmed ids and normal forms
 * (trimmed and folded), each to the customer's number, or AMBIGUOUS when
 * several reference ids share the key. */
#define AMBIGUOUS UINT32_MAX

struct rule_map {
	loyal__strmap map;
	uint32_t *value; /* per key id */
	size_t cap;
};

struct loyal_idmatch {
	struct rule_map exact, trimmed, folded;
	char *buf;        /* scratch for a normal form */
	size_t buf_cap;
};

int loyal_idmatch_new(loyal_idmatch **out)
{
	loyal_idmatch *m;

	if (!out)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_idmatch_new");
	if (!(m = calloc(1, sizeof(*m))))
		return loyal__error_oom();
	loyal__strmap_init(&m->exact.map);
	loyal__strmap_init(&m->trimmed.map);
	loyal__strmap_init(&m->folded.map);
	*out = m;
	return 0;
}

static void rule_map_dispose(struct rule_map *r)
{
	loyal__strmap_dispose(&r->map);
	free(r->value);
}

void loyal_idmatch_free(loyal_idmatch *m)
{
	if (!m)
		return;
	rule_map_dispose(&m->exact);
	rule_map_dispose(&m->trimmed);
	rule_map_dispose(&m->folded);
	free(m->buf);
	free(m);
}

/* Length of a white-space character at s[0..len) (one the rules trim), or 0. */
static size_t space_at(const unsigned char *s, size_t len)
{
	if (len >= 1 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' || s[0] == '\n'))
		return 1;
	if (len >= 2 && s[0] == 0xc2 && s[1] == 0xa0)
		return 2;
	if (len >= 3 && s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80)
		return 3;
	return 0;
}

/* Length of a white-space character ending s[0..len), or 0. */
static size_t space_before(const unsigned char *s, size_t len)
{
	if (len >= 1 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' ||
			 s[len - 1] == '\n'))
		return 1;
	if (len >= 2 && s[len - 2] == 0xc2 && s[len - 1] == 0xa0)
		return 2;
	if (len >= 3 && s[len - 3] == 0xe3 && s[len - 2] == 0x80 && s[len - 1] == 0x80)
		return 3;
	return 0;
}

static void trim(const char **id, size_t *len)
{
	const unsigned char *s = (const unsigned char *)*id;
	size_t n = *len, k;

	while ((k = space_at(s, n)) != 0) {
		s += k;
		n -= k;
	}
	while ((k = space_before(s, n)) != 0)
		n -= k;
	*id = (const char *)s;
	*len = n;
}

size_t loyal_idmatch_normalize(char *buf, size_t size, const char *id, size_t len)
{
	trim(&id, &len);
	for (size_t i = 0; i < len && i + 1 < size; i++) {
		char c = id[i];
		buf[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	if (size)
		buf[len < size ? len : size - 1] = '\0';
	return len;
}

/* The normal form of id in m's scratch buffer. */
static int fold(loyal_idmatch *m, const char *id, size_t len, const char **out, size_t *outlen)
{
	trim(&id, &len);
	if (len + 1 > m->buf_cap) {
		size_t cap = len + 1 > 64 ? len + 1 : 64;
		char *b = realloc(m->buf, cap);
		if (!b)
			return loyal__error_oom();
		m->buf = b;
		m->buf_cap = cap;
	}
	loyal_idmatch_normalize(m->buf, m->buf_cap, id, len);
	*out = m->buf;
	*outlen = len;
	return 0;
}

/* Map key to value; a key already mapped to another value becomes
 * ambiguous. *added tells whether the key is new. */
static int rule_put(struct rule_map *r, const char *key, size_t len, uint32_t value, int *added)
{
	uint32_t id;
	int error = loyal__strmap_intern(&r->map, key, len, &id, added);

	if (error < 0)
		return error;
	if (id >= r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		while (cap <= id)
			cap *= 2;
		uint32_t *v = realloc(r->value, cap * sizeof(*v));
		if (!v)
			return loyal__error_oom();
		r->value = v;
		r->cap = cap;
	}
	if (*added)
		r->value[id] = value;
	else if (r->value[id] != value)
		r->value[id] = AMBIGUOUS;
	return 0;
}

/* Look key up in r: 1 found (value or AMBIGUOUS in *value), 0 absent. */
static int rule_get(const struct rule_map *r, const char *key, size_t len, uint32_t *value)
{
	uint32_t id;

	if (r->map.count == 0 || loyal__strmap_find(&r->map, key, len, &id) != 0)
		return 0;
	*value = r->value[id];
	return 1;
}

int loyal_idmatch_add(loyal_idmatch *m, const char *id, size_t len, uint32_t value)
{
	const char *t = id, *f = NULL;
	size_t tlen = len, flen = 0;
	int added, error;

	if (!m || !id || len == 0 || value == AMBIGUOUS)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_idmatch_add");
	uint32_t old;
	if (rule_get(&m->exact, id, len, &old))
		return loyal__error(LOYAL_EINVAL, "customer id '%.*s' added twice", (int)len, id);
	if ((error = rule_put(&m->exact, id, len, value, &added)) < 0)
		return error;
	trim(&t, &tlen);
	if ((error = rule_put(&m->trimmed, t, tlen, value, &added)) < 0)
		return error;
	if ((error = fold(m, id, len, &f, &flen)) < 0)
		return error;
	return rule_put(&m->folded, f, flen, value, &added);
}

int loyal_idmatch_find(const loyal_idmatch *m, const char *id, size_t len, uint32_t *value,
		       loyal_idmatch_rule *rule)
{
	const char *t = id;
	size_t tlen = len;
	uint32_t v;

	if (!m || (!id && len) || !value || !rule)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_idmatch_find");
	*value = AMBIGUOUS;
	*rule = LOYAL_IDMATCH_NONE;
	if (!id)
		id = t = "";
	if (rule_get(&m->exact, id, len, &v)) {
		*value = v;
		*rule = LOYAL_IDMATCH_EXACT;
		return 0;
	}
	trim(&t, &tlen);
	if (rule_get(&m->trimmed, t, tlen, &v)) {
		*rule = v == AMBIGUOUS ? LOYAL_IDMATCH_AMBIGUOUS : LOYAL_IDMATCH_TRIMMED;
		*value = v;
		return 0;
	}
	/* The normal form, without the matcher's scratch buffer (m is const):
	 * on the stack when short, else allocated. */
	char small[256], *f = small;
	if (tlen + 1 > sizeof(small) && !(f = malloc(tlen + 1)))
		return loyal__error_oom();
	loyal_idmatch_normalize(f, tlen + 1, t, tlen);
	if (rule_get(&m->folded, f, tlen, &v)) {
		*rule = v == AMBIGUOUS ? LOYAL_IDMATCH_AMBIGUOUS : LOYAL_IDMATCH_FOLDED;
		*value = v;
	}
	if (f != small)
		free(f);
	return 0;
}

const char *loyal_idmatch_rule_name(loyal_idmatch_rule rule)
{
	switch (rule) {
	case LOYAL_IDMATCH_EXACT: return "exact";
	case LOYAL_IDMATCH_TRIMMED: return "trimmed";
	case LOYAL_IDMATCH_FOLDED: return "folded";
	case LOYAL_IDMATCH_AMBIGUOUS: return "ambiguous";
	default: return "none";
	}
}
