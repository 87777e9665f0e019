/*
 * RFM scores and named segments (see loyal/segment.h for the rules).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors_p.h"
#include "text_p.h"
#include "loyal/reader.h"
#include "loyal/segment.h"
#include "rank_p.h"

#define MAX_BINS 100
#define OTHERS "Others"

struct seg_row {
	char *name;
	unsigned lo[3], hi[3];  /* hi 0: no upper end (a * range) */
	uint64_t line;          /* 0 for the default table */
	uint64_t col[3];        /* field numbers of the ranges */
};

struct loyal_rfm_segments {
	struct seg_row *rows;
	size_t n, cap;
	char *source;           /* name for messages; NULL: the default table */
};

void loyal_rfm_segments_free(loyal_rfm_segments *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->rows[i].name);
	free(s->rows);
	free(s->source);
	free(s);
}

static char *dup_n(const char *s, size_t len)
{
	char *d = malloc(len + 1);
	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

static int push_row(loyal_rfm_segments *s, const char *name, size_t len, const unsigned lo[3],
		    const unsigned hi[3], uint64_t line, const uint64_t col[3])
{
	struct seg_row *r;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		if (!(r = realloc(s->rows, cap * sizeof(*r))))
			return loyal__error_oom();
		s->rows = r;
		s->cap = cap;
	}
	r = &s->rows[s->n];
	if (!(r->name = dup_n(name, len)))
		return loyal__error_oom();
	memcpy(r->lo, lo, sizeof(r->lo));
	memcpy(r->hi, hi, sizeof(r->hi));
	memcpy(r->col, col, sizeof(r->col));
	r->line = line;
	s->n++;
	return 0;
}

int loyal_rfm_segments_default(loyal_rfm_segments **out)
{
	static const struct {
		const char *name;
		unsigned lo[3], hi[3];
	} def[] = {
		{ "Champions", { 4, 4, 4 }, { 5, 5, 5 } },
		{ "Loyal Customers", { 2, 3, 3 }, { 5, 5, 5 } },
		{ "Potential Loyalist", { 3, 1, 1 }, { 5, 3, 3 } },
		{ "New Customers", { 4, 1, 1 }, { 5, 1, 1 } },
		{ "Promising", { 3, 1, 1 }, { 4, 1, 1 } },
		{ "Need Attention", { 2, 2, 2 }, { 3, 3, 3 } },
		{ "About To Sleep", { 2, 1, 1 }, { 3, 2, 2 } },
		{ "At Risk", { 1, 2, 2 }, { 2, 5, 5 } },
		{ "Can't Lose Them", { 1, 4, 4 }, { 1, 5, 5 } },
		{ "Lost", { 1, 1, 1 }, { 2, 2, 2 } },
	};
	static const uint64_t nocol[3] = { 0, 0, 0 };
	loyal_rfm_segments *s;
	int error;

	if (!out)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_rfm_segments_default");
	if (!(s = calloc(1, sizeof(*s))))
		return loyal__error_oom();
	for (size_t i = 0; i < sizeof(def) / sizeof(def[0]); i++) {
		if ((error = push_row(s, def[i].name, strlen(def[i].name), def[i].lo, def[i].hi, 0,
				      nocol)) < 0) {
			loyal_rfm_segments_free(s);
			return error;
		}
	}
	*out = s;
	return 0;
}

/* ---- the table as CSV --------------------------------------------------- */

static const char *const name_aliases[] = { "segment", "name", NULL };
static const char *const r_aliases[] = { "r", "recency", NULL };
static const char *const f_aliases[] = { "f", "frequency", NULL };
static const char *const m_aliases[] = { "m", "monetary", NULL };

/* A whole number 1..999 from s[0..len). */
static int small_number(unsigned *out, const char *s, size_t len)
{
	unsigned v = 0;

	if (len == 0 || len > 3)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v == 0)
		return -1;
	*out = v;
	return 0;
}

/* "N", "N-M" or "*", spaces around each part allowed. */
static int parse_range(unsigned *lo, unsigned *hi, const char *s, size_t len)
{
	const char *dash;

	s = loyal__trim_blanks(s, &len);
	if (len == 1 && *s == '*') {
		*lo = 1;
		*hi = 0;
		return 0;
	}
	if (!(dash = memchr(s, '-', len))) {
		if (small_number(lo, s, len) < 0)
			return -1;
		*hi = *lo;
		return 0;
	}
	size_t a = (size_t)(dash - s), b = len - a - 1;
	const char *t = dash + 1;
	while (a && (s[a - 1] == ' ' || s[a - 1] == '\t'))
		a--;
	while (b && (*t == ' ' || *t == '\t')) {
		t++;
		b--;
	}
	if (small_number(lo, s, a) < 0 || small_number(hi, t, b) < 0)
		return -1;
	return 0;
}

static int has_control(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

static int matches_all(const struct seg_row *r)
{
	for (int k = 0; k < 3; k++)
		if (r->lo[k] > 1 || r->hi[k] != 0)
			return 0;
	return 1;
}

static int read_table(loyal_rfm_segments **out, loyal_reader *rd)
{
	static const char *const measure[3] = { "R", "F", "M" };
	loyal_rfm_segments *s = NULL;
	const char *src = loyal_reader_name(rd);
	size_t col[4];
	int error;

	if ((error = loyal_reader_find_column(&col[0], rd, "segment", NULL, name_aliases)) < 0 ||
	    (error = loyal_reader_find_column(&col[1], rd, "R score", NULL, r_aliases)) < 0 ||
	    (error = loyal_reader_find_column(&col[2], rd, "F score", NULL, f_aliases)) < 0 ||
	    (error = loyal_reader_find_column(&col[3], rd, "M score", NULL, m_aliases)) < 0)
		return error;
	if (!(s = calloc(1, sizeof(*s))) || !(s->source = dup_n(src, strlen(src)))) {
		error = loyal__error_oom();
		goto done;
	}
	while ((error = loyal_reader_next(rd)) == 0) {
		uint64_t line = loyal_reader_line(rd), fcol[3];
		unsigned lo[3], hi[3];
		size_t len, flen;
		const char *name = loyal__trim_blanks(loyal_reader_field(rd, col[0], &len), &len);
		if (len == 0) {
			error = loyal__error_at(LOYAL_EINVAL, src, line, col[0] + 1,
						"empty segment name");
			goto done;
		}
		if (has_control(name, len)) {
			error = loyal__error_at(LOYAL_EINVAL, src, line, col[0] + 1,
						"segment name with a control character");
			goto done;
		}
		if (s->n && matches_all(&s->rows[s->n - 1])) {
			error = loyal__error_at(LOYAL_EINVAL, src, line, col[0] + 1,
						"segment '%.*s' can never match: '%s' before it "
						"matches every customer", (int)len, name,
						s->rows[s->n - 1].name);
			goto done;
		}
		for (size_t i = 0; i < s->n; i++) {
			if (strlen(s->rows[i].name) == len && !memcmp(s->rows[i].name, name, len)) {
				error = loyal__error_at(LOYAL_EINVAL, src, line, col[0] + 1,
							"segment '%.*s' is named twice (first on "
							"line %llu)", (int)len, name,
							(unsigned long long)s->rows[i].line);
				goto done;
			}
		}
		for (int k = 0; k < 3; k++) {
			const char *f = loyal_reader_field(rd, col[k + 1], &flen);
			fcol[k] = col[k + 1] + 1;
			if (parse_range(&lo[k], &hi[k], f, flen) < 0) {
				error = loyal__error_at(LOYAL_EINVAL, src, line, fcol[k],
							"%s range '%s' is not N, N-M or * (scores "
							"from 1)", measure[k], f);
				goto done;
			}
			if (hi[k] && hi[k] < lo[k]) {
				error = loyal__error_at(LOYAL_EINVAL, src, line, fcol[k],
							"%s range '%s' is empty (%u > %u)", measure[k],
							f, lo[k], hi[k]);
				goto done;
			}
		}
		if ((error = push_row(s, name, len, lo, hi, line, fcol)) < 0)
			goto done;
		if (len == strlen(OTHERS) && !memcmp(name, OTHERS, len) &&
		    !matches_all(&s->rows[s->n - 1])) {
			error = loyal__error_at(LOYAL_EINVAL, src, line, col[0] + 1,
						"'" OTHERS "' names the customers no row matches: "
						"only a last row of * * * may be named so");
			goto done;
		}
	}
	if (error != LOYAL_ITEROVER)
		goto done;
	error = 0;
	if (s->n == 0) {
		error = loyal__error_at(LOYAL_EINVAL, src, 0, 0, "no segment rows");
		goto done;
	}
	*out = s;
	s = NULL;
done:
	loyal_rfm_segments_free(s);
	return error;
}

int loyal_rfm_segments_parse(loyal_rfm_segments **out, const char *text, size_t len,
			     const char *name)
{
	loyal_reader *rd = NULL;
	int error;

	if (!out || (!text && len))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_rfm_segments_parse");
	if ((error = loyal_reader_open_buffer(&rd, text ? text : "", len,
					      name ? name : "segments", NULL)) < 0)
		return error;
	error = read_table(out, rd);
	loyal_reader_free(rd);
	return error;
}

int loyal_rfm_segments_load(loyal_rfm_segments **out, const char *path)
{
	loyal_reader *rd = NULL;
	int error;

	if (!out || !path)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_rfm_segments_load");
	if ((error = loyal_reader_open(&rd, path, NULL)) < 0)
		return error;
	error = read_table(out, rd);
	loyal_reader_free(rd);
	return error;
}

size_t loyal_rfm_segments_count(const loyal_rfm_segments *s)
{
	return s ? s->n : 0;
}

const char *loyal_rfm_segments_name(const loyal_rfm_segments *s, size_t k)
{
	if (!s || k > s->n)
		return NULL;
	return k == s->n ? OTHERS : s->rows[k].name;
}

int loyal_rfm_segments_ranges(const loyal_rfm_segments *s, size_t k, unsigned lo[3],
			      unsigned hi[3])
{
	if (!s || k >= s->n || !lo || !hi)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_rfm_segments_ranges");
	memcpy(lo, s->rows[k].lo, sizeof(s->rows[k].lo));
	memcpy(hi, s->rows[k].hi, sizeof(s->rows[k].hi));
	return 0;
}

static int in_range(const struct seg_row *r, int k, unsigned v)
{
	return v >= r->lo[k] && (r->hi[k] == 0 || v <= r->hi[k]);
}

size_t loyal_rfm_segments_match(const loyal_rfm_segments *s, unsigned r, unsigned f, unsigned m)
{
	if (!s)
		return 0;
	for (size_t i = 0; i < s->n; i++)
		if (in_range(&s->rows[i], 0, r) && in_range(&s->rows[i], 1, f) &&
		    in_range(&s->rows[i], 2, m))
			return i;
	return s->n;
}

int loyal_rfm_segments_cells(uint64_t *out, const loyal_rfm_segments *s, unsigned bins,
			     size_t k)
{
	uint64_t n = 0;

	if (!out || !s || k > s->n || bins < 1 || bins > MAX_BINS)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_rfm_segments_cells");
	for (unsigned r = 1; r <= bins; r++)
		for (unsigned f = 1; f <= bins; f++)
			for (unsigned m = 1; m <= bins; m++)
				n += loyal_rfm_segments_match(s, r, f, m) == k;
	*out = n;
	return 0;
}

/* ---- scores ------------------------------------------------------------ */

struct loyal_rfm {
	unsigned bins;
	size_t n;
	loyal_rfm_customer *cust;
	size_t nseg;            /* segments, "Others" included when reachable */
	char **names;
	loyal_rfm_summary_row *sum;
	size_t nsum;
};

void loyal_rfm_free(loyal_rfm *r)
{
	if (!r)
		return;
	if (r->names)
		for (size_t k = 0; k < r->nseg; k++)
			free(r->names[k]);
	free(r->names);
	free(r->cust);
	free(r->sum);
	free(r);
}

/* Whether row r of the table matches every score 1..bins. */
static int covers(const struct seg_row *r, unsigned bins)
{
	for (int k = 0; k < 3; k++)
		if (r->lo[k] > 1 || (r->hi[k] != 0 && r->hi[k] < bins))
			return 0;
	return 1;
}

/* The table is usable with this many bins: ranges within 1..bins, no row
 * after one that matches every customer. Sets *others to whether some
 * customer can be left unmatched. */
static int check_table(const loyal_rfm_segments *s, unsigned bins, int *others)
{
	static const char *const measure[3] = { "R", "F", "M" };

	if (!s->source && bins != 5)
		return loyal__error(LOYAL_EINVAL, "the default segment table is written for 5 bins, "
				    "not %u: give a segment table for %u bins", bins, bins);
	*others = 1;
	for (size_t i = 0; i < s->n; i++) {
		const struct seg_row *r = &s->rows[i];
		for (int k = 0; k < 3; k++)
			if (r->lo[k] > bins || r->hi[k] > bins)
				return loyal__error_at(LOYAL_EINVAL, s->source, r->line, r->col[k],
						       "%s range of segment '%s' goes above %u, "
						       "the number of bins", measure[k], r->name, bins);
		if (covers(r, bins)) {
			if (i + 1 < s->n)
				return loyal__error_at(LOYAL_EINVAL, s->source, s->rows[i + 1].line,
						       0, "segment '%s' can never match: '%s' "
						       "before it matches every customer with %u bins",
						       s->rows[i + 1].name, r->name, bins);
			*others = 0;
		}
	}
	return 0;
}

/* The distinct groups of the present customers, ascending: *out (caller
 * frees) and *ng. */
static int distinct_groups(uint32_t **out, size_t *ng, const loyal_measures *m)
{
	uint32_t *g = malloc((m->n ? m->n : 1) * sizeof(*g));
	size_t k = 0;

	if (!g)
		return loyal__error_oom();
	for (size_t i = 0; i < m->n; i++)
		if (!m->present || m->present[i])
			g[k++] = m->group ? m->group[i] : 0;
	*out = g;
	*ng = loyal__u32_distinct(g, k);
	return 0;
}

struct seg_acc {
	uint64_t customers, purchases;
	double days;
	loyal__wide spend;
};

static int summarise(loyal_rfm *r, const loyal_measures *m)
{
	uint32_t *groups = NULL;
	struct seg_acc *acc = NULL, *tot = NULL;
	size_t ng = 0;
	int error;

	if ((error = distinct_groups(&groups, &ng, m)) < 0)
		return error;
	if (ng && (!(acc = calloc(ng * r->nseg, sizeof(*acc))) ||
		   !(tot = calloc(ng, sizeof(*tot))) ||
		   !(r->sum = calloc(ng * r->nseg, sizeof(*r->sum))))) {
		error = loyal__error_oom();
		goto done;
	}
	for (size_t i = 0; i < m->n; i++) {
		const loyal_rfm_customer *c = &r->cust[i];
		if (!c->present)
			continue;
		size_t g = loyal__u32_find(groups, ng, c->group);
		struct seg_acc *a[2] = { &acc[g * r->nseg + (size_t)c->segment], &tot[g] };
		for (int k = 0; k < 2; k++) {
			a[k]->customers++;
			a[k]->purchases += m->purchases[i];
			a[k]->days += m->days_since_last[i];
			loyal__wide_add(&a[k]->spend, m->spend[i]);
		}
	}
	for (size_t g = 0; g < ng; g++) {
		double gspend = loyal__wide_double(&tot[g].spend) / 1e6;
		for (size_t k = 0; k < r->nseg; k++) {
			const struct seg_acc *a = &acc[g * r->nseg + k];
			loyal_rfm_summary_row *x = &r->sum[g * r->nseg + k];
			double n = (double)a->customers;
			x->group = groups[g];
			x->segment = k;
			x->customers = a->customers;
			x->customers_pct = 100.0 * n / (double)tot[g].customers;
			x->spend = loyal__wide_double(&a->spend) / 1e6;
			x->spend_pct = gspend > 0 ? 100.0 * x->spend / gspend : NAN;
			x->mean_days_since_last = a->customers ? a->days / n : NAN;
			x->mean_purchases = a->customers ? (double)a->purchases / n : NAN;
			x->mean_spend = a->customers ? x->spend / n : NAN;
		}
	}
	r->nsum = ng * r->nseg;
done:
	free(groups);
	free(acc);
	free(tot);
	return error;
}

int loyal_rfm_compute(loyal_rfm **out, const loyal_measures *m, const loyal_rfm_options *opts)
{
	loyal_rfm_options o = LOYAL_RFM_OPTIONS_INIT;
	loyal_rfm_segments *def = NULL;
	const loyal_rfm_segments *table;
	loyal_rfm *r = NULL;
	uint64_t *keys = NULL;
	uint32_t *below[3] = { NULL, NULL, NULL }, *size = NULL;
	size_t n;
	int others = 1, error = 0;

	if (!out || !m || m->version < 1 || m->version > LOYAL_MEASURES_VERSION ||
	    (m->n && (!m->days_since_last || !m->purchases || !m->spend)))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_rfm_compute");
	if (opts) {
		if (opts->version < 1 || opts->version > LOYAL_RFM_OPTIONS_VERSION)
			return loyal__error(LOYAL_EINVAL, "invalid RFM options");
		o = *opts;
	}
	if (o.bins < 1 || o.bins > MAX_BINS)
		return loyal__error(LOYAL_EINVAL, "%u bins: the number of bins is 1 to %d", o.bins,
				    MAX_BINS);
	n = m->n;
	for (size_t i = 0; i < n; i++)
		if ((!m->present || m->present[i]) && m->days_since_last[i] < 0)
			return loyal__error(LOYAL_EINVAL, "a negative days_since_last (customer %zu)", i);
	if (!(table = o.segments)) {
		if ((error = loyal_rfm_segments_default(&def)) < 0)
			return error;
		table = def;
	}
	if ((error = check_table(table, o.bins, &others)) < 0)
		goto done;
	if (!(r = calloc(1, sizeof(*r)))) {
		error = loyal__error_oom();
		goto done;
	}
	r->bins = o.bins;
	r->n = n;
	r->nseg = table->n + (others ? 1 : 0);
	if (!(r->names = calloc(r->nseg, sizeof(*r->names)))) {
		error = loyal__error_oom();
		goto done;
	}
	for (size_t k = 0; k < r->nseg; k++) {
		const char *nm = loyal_rfm_segments_name(table, k);
		if (!(r->names[k] = dup_n(nm, strlen(nm)))) {
			error = loyal__error_oom();
			goto done;
		}
	}
	{
		size_t cap = n ? n : 1;
		if (!(r->cust = calloc(cap, sizeof(*r->cust))) ||
		    !(keys = malloc(cap * sizeof(*keys))) || !(size = malloc(cap * sizeof(*size)))) {
			error = loyal__error_oom();
			goto done;
		}
		for (int k = 0; k < 3; k++)
			if (!(below[k] = malloc(cap * sizeof(*below[k])))) {
				error = loyal__error_oom();
				goto done;
			}
	}
	/* R: days_since_last descending, as an ascending key of its negation */
	for (size_t i = 0; i < n; i++)
		keys[i] = loyal__rank_key_i64(-(int64_t)m->days_since_last[i]);
	if ((error = loyal__rank(below[0], size, n, keys, m->group, m->present)) < 0)
		goto done;
	for (size_t i = 0; i < n; i++)
		keys[i] = m->purchases[i];
	if ((error = loyal__rank(below[1], size, n, keys, m->group, m->present)) < 0)
		goto done;
	for (size_t i = 0; i < n; i++)
		keys[i] = loyal__rank_key_i64(m->spend[i]);
	if ((error = loyal__rank(below[2], size, n, keys, m->group, m->present)) < 0)
		goto done;
	for (size_t i = 0; i < n; i++) {
		loyal_rfm_customer *c = &r->cust[i];
		c->group = m->group ? m->group[i] : 0;
		c->present = !m->present || m->present[i];
		if (!c->present) {
			c->segment = -1;
			continue;
		}
		unsigned sc[3];
		for (int k = 0; k < 3; k++)
			sc[k] = 1 + (unsigned)((uint64_t)o.bins * below[k][i] / size[i]);
		c->r = sc[0];
		c->f = sc[1];
		c->m = sc[2];
		c->rank_r = below[0][i] + 1;
		c->rank_f = below[1][i] + 1;
		c->rank_m = below[2][i] + 1;
		c->group_size = size[i];
		c->segment = (int)loyal_rfm_segments_match(table, c->r, c->f, c->m);
	}
	if ((error = summarise(r, m)) < 0)
		goto done;
	*out = r;
	r = NULL;
done:
	loyal_rfm_free(r);
	loyal_rfm_segments_free(def);
	free(keys);
	free(size);
	for (int k = 0; k < 3; k++)
		free(below[k]);
	return error;
}

size_t loyal_rfm_count(const loyal_rfm *r)
{
	return r ? r->n : 0;
}

unsigned loyal_rfm_bins(const loyal_rfm *r)
{
	return r ? r->bins : 0;
}

const loyal_rfm_customer *loyal_rfm_customer_at(const loyal_rfm *r, size_t i)
{
	return r && i < r->n ? &r->cust[i] : NULL;
}

size_t loyal_rfm_code(char *buf, size_t size, const loyal_rfm *r, size_t i)
{
	const loyal_rfm_customer *c = loyal_rfm_customer_at(r, i);
	int n;

	if (!c || !c->present)
		n = snprintf(buf, size, "%s", "");
	else if (r->bins <= 9)
		n = snprintf(buf, size, "%u%u%u", c->r, c->f, c->m);
	else
		n = snprintf(buf, size, "%u-%u-%u", c->r, c->f, c->m);
	return n < 0 ? 0 : (size_t)n;
}

size_t loyal_rfm_segment_count(const loyal_rfm *r)
{
	return r ? r->nseg : 0;
}

const char *loyal_rfm_segment_name(const loyal_rfm *r, size_t k)
{
	return r && k < r->nseg ? r->names[k] : NULL;
}

size_t loyal_rfm_summary_count(const loyal_rfm *r)
{
	return r ? r->nsum : 0;
}

const loyal_rfm_summary_row *loyal_rfm_summary_at(const loyal_rfm *r, size_t k)
{
	return r && k < r->nsum ? &r->sum[k] : NULL;
}
