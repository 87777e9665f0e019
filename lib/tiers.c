/*
 * Value tiers, member tiers and the migration between two days (see
 * loyal/tiers.h for the rules).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errors_p.h"
#include "loyal/tiers.h"
#include "rank_p.h"

/* 100% in micro-percent: percentages are compared as exact integers. */
#define PCT_SCALE 100000000ULL

struct loyal_tiers {
	size_t n;
	int by_value;           /* value tiers (the summary has values) */
	int value_is_spend;
	size_t ntiers;
	char **names;
	int can_miss;
	int *tier;              /* per customer */
	uint32_t *group;        /* per customer, present or not */
	loyal_tiers_summary_row *sum;
	size_t nsum;
};

void loyal_tiers_free(loyal_tiers *t)
{
	if (!t)
		return;
	if (t->names)
		for (size_t k = 0; k < t->ntiers; k++)
			free(t->names[k]);
	free(t->names);
	free(t->tier);
	free(t->group);
	free(t->sum);
	free(t);
}

static int present(const loyal_measures *m, size_t i)
{
	return !m->present || m->present[i];
}

static int measures_ok(const loyal_measures *m)
{
	return m && m->version >= 1 && m->version <= LOYAL_MEASURES_VERSION;
}

/* A result with names copied and per-customer arrays allocated. */
static int tiers_new(loyal_tiers **out, const loyal_measures *m, size_t ntiers,
		     const char *const *names)
{
	loyal_tiers *t = calloc(1, sizeof(*t));
	size_t cap = m->n ? m->n : 1;

	if (!t)
		return loyal__error_oom();
	t->n = m->n;
	t->ntiers = ntiers;
	if (!(t->names = calloc(ntiers ? ntiers : 1, sizeof(*t->names))) ||
	    !(t->tier = malloc(cap * sizeof(*t->tier))) ||
	    !(t->group = malloc(cap * sizeof(*t->group))))
		goto oom;
	for (size_t k = 0; k < ntiers; k++) {
		size_t len = strlen(names[k]);
		if (!(t->names[k] = malloc(len + 1)))
			goto oom;
		memcpy(t->names[k], names[k], len + 1);
	}
	for (size_t i = 0; i < m->n; i++) {
		t->group[i] = m->group ? m->group[i] : 0;
		t->tier[i] = LOYAL_TIER_ABSENT;
	}
	*out = t;
	return 0;
oom:
	loyal_tiers_free(t);
	return loyal__error_oom();
}

/* Distinct values of g[i] over the customers with a tier in tier_a (or in
 * tier_b, when given), ascending. */
static int distinct(uint32_t **out, size_t *nout, const uint32_t *g, size_t n,
		    const int *tier_a, const int *tier_b)
{
	uint32_t *v = malloc((n ? n : 1) * sizeof(*v));
	size_t k = 0;

	if (!v)
		return loyal__error_oom();
	for (size_t i = 0; i < n; i++)
		if (tier_a[i] != LOYAL_TIER_ABSENT || (tier_b && tier_b[i] != LOYAL_TIER_ABSENT))
			v[k++] = g[i];
	*out = v;
	*nout = loyal__u32_distinct(v, k);
	return 0;
}

struct tier_acc {
	uint64_t customers, purchases;
	loyal__wide spend;
	double value, comp;     /* Neumaier sum of values, and its compensation */
	double min, max;
};

static void add_value(struct tier_acc *a, double v)
{
	double s = a->value + v;
	if (fabs(a->value) >= fabs(v))
		a->comp += (a->value - s) + v;
	else
		a->comp += (v - s) + a->value;
	a->value = s;
	if (a->customers == 1 || v < a->min)
		a->min = v;
	if (a->customers == 1 || v > a->max)
		a->max = v;
}

static double pct_of(double part, double whole)
{
	return whole > 0 ? 100.0 * part / whole : NAN;
}

static int summarise(loyal_tiers *t, const loyal_measures *m)
{
	uint32_t *groups = NULL;
	struct tier_acc *acc = NULL, *tot = NULL;
	size_t ng = 0, per = t->ntiers + (t->can_miss ? 1 : 0);
	int error;

	if ((error = distinct(&groups, &ng, t->group, t->n, t->tier, NULL)) < 0)
		return error;
	if (ng && (!(acc = calloc(ng * per, sizeof(*acc))) || !(tot = calloc(ng, sizeof(*tot))) ||
		   !(t->sum = calloc(ng * per, sizeof(*t->sum))))) {
		error = loyal__error_oom();
		goto done;
	}
	for (size_t i = 0; i < t->n; i++) {
		int k = t->tier[i];
		if (k == LOYAL_TIER_ABSENT)
			continue;
		size_t g = loyal__u32_find(groups, ng, t->group[i]);
		size_t slot = k == LOYAL_TIER_NONE ? t->ntiers : (size_t)k;
		struct tier_acc *a[2] = { &acc[g * per + slot], &tot[g] };
		double v = !t->by_value ? 0 : m->value ? m->value[i] : (double)m->spend[i] / 1e6;
		for (int j = 0; j < 2; j++) {
			a[j]->customers++;
			if (m->purchases)
				a[j]->purchases += m->purchases[i];
			loyal__wide_add(&a[j]->spend, m->spend[i]);
			if (t->by_value)
				add_value(a[j], v);
		}
	}
	for (size_t g = 0; g < ng; g++) {
		double gspend = loyal__wide_double(&tot[g].spend) / 1e6;
		double gvalue = t->value_is_spend ? gspend : tot[g].value + tot[g].comp;
		for (size_t k = 0; k < per; k++) {
			const struct tier_acc *a = &acc[g * per + k];
			loyal_tiers_summary_row *x = &t->sum[g * per + k];
			double n = (double)a->customers;
			x->group = groups[g];
			x->tier = k == t->ntiers ? LOYAL_TIER_NONE : (int)k;
			x->customers = a->customers;
			x->customers_pct = 100.0 * n / (double)tot[g].customers;
			x->spend = loyal__wide_double(&a->spend) / 1e6;
			x->spend_pct = pct_of(x->spend, gspend);
			x->mean_spend = a->customers ? x->spend / n : NAN;
			x->mean_purchases = a->customers && m->purchases ? (double)a->purchases / n : NAN;
			x->value = x->value_pct = x->min_value = x->max_value = NAN;
			if (t->by_value) {
				x->value = t->value_is_spend ? x->spend : a->value + a->comp;
				x->value_pct = pct_of(x->value, gvalue);
				if (a->customers) {
					x->min_value = a->min;
					x->max_value = a->max;
				}
			}
		}
	}
	t->nsum = ng * per;
done:
	free(groups);
	free(acc);
	free(tot);
	return error;
}

/* ---- value tiers ------------------------------------------------------- */

/* A percentage in micro-percent, or -1 when out of 0..100. */
static int64_t micro_pct(double p)
{
	if (!(p >= 0 && p <= 100))
		return -1;
	return llround(p * 1e6);
}

int loyal_tiers_by_value(loyal_tiers **out, const loyal_measures *m,
			 const loyal_value_tier_options *opts)
{
	static const char *const names[3] = { "high", "mid", "low" };
	loyal_value_tier_options o = LOYAL_VALUE_TIER_OPTIONS_INIT;
	loyal_tiers *t = NULL;
	uint64_t *keys = NULL;
	uint32_t *below = NULL, *size = NULL;
	int64_t h, md;
	int error;

	if (!out || !measures_ok(m) || (m->n && !m->spend))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_tiers_by_value");
	if (opts) {
		if (opts->version < 1 || opts->version > LOYAL_VALUE_TIER_OPTIONS_VERSION)
			return loyal__error(LOYAL_EINVAL, "invalid value tier options");
		o = *opts;
	}
	h = micro_pct(o.high_pct);
	md = micro_pct(o.mid_pct);
	if (h < 0 || md < 0 || (uint64_t)(h + md) > PCT_SCALE)
		return loyal__error(LOYAL_EINVAL, "the high and mid shares must be 0 to 100%% and "
				    "add up to at most 100%% (got %g and %g)", o.high_pct, o.mid_pct);
	if (m->value)
		for (size_t i = 0; i < m->n; i++)
			if (present(m, i) && !isfinite(m->value[i]))
				return loyal__error(LOYAL_EINVAL, "the value of customer %zu is not a "
						    "finite number", i);
	if ((error = tiers_new(&t, m, 3, names)) < 0)
		return error;
	t->by_value = 1;
	t->value_is_spend = !m->value;
	{
		size_t cap = m->n ? m->n : 1;
		if (!(keys = malloc(cap * sizeof(*keys))) || !(below = malloc(cap * sizeof(*below))) ||
		    !(size = malloc(cap * sizeof(*size)))) {
			error = loyal__error_oom();
			goto done;
		}
	}
	for (size_t i = 0; i < m->n; i++)
		keys[i] = m->value ? loyal__rank_key_f64(present(m, i) ? m->value[i] : 0)
				   : loyal__rank_key_i64(m->spend[i]);
	if ((error = loyal__rank(below, size, m->n, keys, m->group, m->present)) < 0)
		goto done;
	for (size_t i = 0; i < m->n; i++) {
		if (!present(m, i))
			continue;
		/* q = below / size against 1 - share, as exact integers */
		uint64_t q = (uint64_t)below[i] * PCT_SCALE;
		if (q >= (PCT_SCALE - (uint64_t)h) * size[i])
			t->tier[i] = 0;
		else if (q >= (PCT_SCALE - (uint64_t)h - (uint64_t)md) * size[i])
			t->tier[i] = 1;
		else
			t->tier[i] = 2;
	}
	if ((error = summarise(t, m)) < 0)
		goto done;
	*out = t;
	t = NULL;
done:
	loyal_tiers_free(t);
	free(keys);
	free(below);
	free(size);
	return error;
}

/* ---- member tiers ------------------------------------------------------ */

int loyal_tiers_by_rules(loyal_tiers **out, const loyal_measures *m, const loyal_tier_rules *rules)
{
	loyal_tiers *t = NULL;
	const char **names = NULL;
	size_t nt;
	int error;

	if (!out || !measures_ok(m) || !rules || (m->n && (!m->spend || !m->purchases)))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_tiers_by_rules");
	nt = loyal_tier_rules_count(rules);
	if (!(names = malloc((nt ? nt : 1) * sizeof(*names))))
		return loyal__error_oom();
	for (size_t k = 0; k < nt; k++)
		names[k] = loyal_tier_rules_name(rules, k);
	error = tiers_new(&t, m, nt, names);
	free(names);
	if (error < 0)
		return error;
	t->can_miss = loyal_tier_rules_can_miss(rules);
	for (size_t i = 0; i < m->n; i++)
		if (present(m, i))
			t->tier[i] = loyal_tier_rules_match(rules, m->spend[i], m->purchases[i]);
	if ((error = summarise(t, m)) < 0)
		goto done;
	*out = t;
	t = NULL;
done:
	loyal_tiers_free(t);
	return error;
}

/* ---- reading ----------------------------------------------------------- */

size_t loyal_tiers_count(const loyal_tiers *t)
{
	return t ? t->n : 0;
}

size_t loyal_tiers_tier_count(const loyal_tiers *t)
{
	return t ? t->ntiers : 0;
}

const char *loyal_tiers_tier_name(const loyal_tiers *t, int k)
{
	return t && k >= 0 && (size_t)k < t->ntiers ? t->names[k] : NULL;
}

int loyal_tiers_can_miss(const loyal_tiers *t)
{
	return t ? t->can_miss : 0;
}

int loyal_tiers_tier_of(const loyal_tiers *t, size_t i)
{
	return t && i < t->n ? t->tier[i] : LOYAL_TIER_ABSENT;
}

size_t loyal_tiers_summary_count(const loyal_tiers *t)
{
	return t ? t->nsum : 0;
}

const loyal_tiers_summary_row *loyal_tiers_summary_at(const loyal_tiers *t, size_t k)
{
	return t && k < t->nsum ? &t->sum[k] : NULL;
}

/* ---- migration --------------------------------------------------------- */

const char *loyal_tier_move_name(int move)
{
	switch (move) {
	case LOYAL_MOVE_NEW: return "new";
	case LOYAL_MOVE_UPGRADED: return "upgraded";
	case LOYAL_MOVE_KEPT: return "kept";
	case LOYAL_MOVE_DOWNGRADED: return "downgraded";
	case LOYAL_MOVE_GONE: return "gone";
	case LOYAL_MOVE_UNTIERED: return "untiered";
	}
	return "";
}

/* The move between two states (tier numbers, NONE or ABSENT). Absent on
 * the later day counts as no tier. */
static loyal_tier_move move_of(int from, int to)
{
	if (from == LOYAL_TIER_ABSENT)
		return to == LOYAL_TIER_ABSENT ? LOYAL_MOVE_NONE : LOYAL_MOVE_NEW;
	if (to < 0)
		return from < 0 ? LOYAL_MOVE_UNTIERED : LOYAL_MOVE_GONE;
	if (from < 0 || to < from)
		return LOYAL_MOVE_UPGRADED;
	return to == from ? LOYAL_MOVE_KEPT : LOYAL_MOVE_DOWNGRADED;
}

struct loyal_tier_migration {
	size_t n;
	unsigned char *move;
	loyal_tier_migration_cell *cells;
	size_t ncells;
	loyal_tier_migration_total *totals;
	size_t ntotals;
};

void loyal_tier_migration_free(loyal_tier_migration *m)
{
	if (!m)
		return;
	free(m->move);
	free(m->cells);
	free(m->totals);
	free(m);
}

int loyal_tier_migration_compute(loyal_tier_migration **out, const loyal_tiers *from,
				 const loyal_tiers *to)
{
	loyal_tier_migration *m = NULL;
	uint32_t *groups = NULL;
	uint64_t *count = NULL;
	int fstates[66], tstates[66], *fs = fstates, *ts = tstates;
	size_t ng = 0, nf = 0, nt = 0, T;
	int to_absent = 0, error = 0;

	if (!out || !from || !to)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_tier_migration_compute");
	if (from->n != to->n || from->ntiers != to->ntiers)
		return loyal__error(LOYAL_EINVAL, "the two tier sets describe different customers "
				    "or tiers");
	T = to->ntiers;
	for (size_t k = 0; k < T; k++)
		if (strcmp(from->names[k], to->names[k]))
			return loyal__error(LOYAL_EINVAL, "tier %zu is '%s' on one day and '%s' on "
					    "the other", k + 1, from->names[k], to->names[k]);
	if (!(m = calloc(1, sizeof(*m))) ||
	    !(m->move = malloc(from->n ? from->n : 1))) {
		error = loyal__error_oom();
		goto done;
	}
	m->n = from->n;
	for (size_t i = 0; i < m->n; i++) {
		m->move[i] = (unsigned char)move_of(from->tier[i], to->tier[i]);
		if (from->tier[i] != LOYAL_TIER_ABSENT && to->tier[i] == LOYAL_TIER_ABSENT)
			to_absent = 1;
	}
	/* the states on each side, in the order of the matrix */
	if (T + 2 > sizeof(fstates) / sizeof(fstates[0]) &&
	    (!(fs = malloc((T + 2) * sizeof(*fs))) || !(ts = malloc((T + 2) * sizeof(*ts))))) {
		error = loyal__error_oom();
		goto done;
	}
	for (size_t k = 0; k < T; k++)
		fs[nf++] = ts[nt++] = (int)k;
	if (from->can_miss)
		fs[nf++] = LOYAL_TIER_NONE;
	fs[nf++] = LOYAL_TIER_ABSENT;
	if (to->can_miss)
		ts[nt++] = LOYAL_TIER_NONE;
	if (to_absent)
		ts[nt++] = LOYAL_TIER_ABSENT;
	if ((error = distinct(&groups, &ng, to->group, m->n, from->tier, to->tier)) < 0)
		goto done;
	if (ng && (!(count = calloc(ng * nf * nt, sizeof(*count))) ||
		   !(m->cells = malloc(ng * nf * nt * sizeof(*m->cells))) ||
		   !(m->totals = calloc(ng * (LOYAL_MOVE_COUNT - 1), sizeof(*m->totals))))) {
		error = loyal__error_oom();
		goto done;
	}
	for (size_t i = 0; i < m->n; i++) {
		int f = from->tier[i], t = to->tier[i];
		if (m->move[i] == LOYAL_MOVE_NONE)
			continue;
		size_t g = loyal__u32_find(groups, ng, to->group[i]);
		size_t a = f >= 0 ? (size_t)f : f == LOYAL_TIER_NONE ? T : nf - 1;
		size_t b = t >= 0 ? (size_t)t : t == LOYAL_TIER_NONE ? T : nt - 1;
		count[(g * nf + a) * nt + b]++;
	}
	for (size_t g = 0; g < ng; g++) {
		uint64_t all = 0, per[LOYAL_MOVE_COUNT] = { 0 };
		for (size_t a = 0; a < nf; a++)
			for (size_t b = 0; b < nt; b++) {
				loyal_tier_move mv = move_of(fs[a], ts[b]);
				uint64_t c = count[(g * nf + a) * nt + b];
				if (mv == LOYAL_MOVE_NONE)
					continue;
				m->cells[m->ncells++] = (loyal_tier_migration_cell){
					groups[g], fs[a], ts[b], mv, c };
				per[mv] += c;
				all += c;
			}
		for (int mv = LOYAL_MOVE_NEW; mv < LOYAL_MOVE_COUNT; mv++)
			m->totals[m->ntotals++] = (loyal_tier_migration_total){
				groups[g], (loyal_tier_move)mv, per[mv],
				all ? 100.0 * (double)per[mv] / (double)all : NAN };
	}
	*out = m;
	m = NULL;
done:
	loyal_tier_migration_free(m);
	free(groups);
	free(count);
	if (fs != fstates)
		free(fs);
	if (ts != tstates)
		free(ts);
	return error;
}

loyal_tier_move loyal_tier_migration_move(const loyal_tier_migration *m, size_t i)
{
	return m && i < m->n ? (loyal_tier_move)m->move[i] : LOYAL_MOVE_NONE;
}

size_t loyal_tier_migration_cell_count(const loyal_tier_migration *m)
{
	return m ? m->ncells : 0;
}

const loyal_tier_migration_cell *loyal_tier_migration_cell_at(const loyal_tier_migration *m,
							      size_t k)
{
	return m && k < m->ncells ? &m->cells[k] : NULL;
}

size_t loyal_tier_migration_total_count(const loyal_tier_migration *m)
{
	return m ? m->ntotals : 0;
}

const loyal_tier_migration_total *loyal_tier_migration_total_at(const loyal_tier_migration *m,
								size_t k)
{
	return m && k < m->ntotals ? &m->totals[k] : NULL;
}
