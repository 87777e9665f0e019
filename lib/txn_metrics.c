/*
 * Metrics of a finished transaction accumulator: repurchase, period
 * retention, the cohort matrix and inactivity churn (loyal/txn.h). The
 * accumulator itself is built in txn.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errors_p.h"
#include "loyal/date.h"
#include "loyal/txn.h"
#include "strmap_p.h"
#include "txn_p.h"

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return x < y ? -1 : x > y;
}

/* ---- segments: (group, cohort) pairs of the buyers ----------------------- */

struct segs {
	loyal__strmap map;
	uint32_t *of_buyer; /* per buyer: its segment */
	uint32_t *group;    /* per segment */
	int64_t *cohort;
	size_t cap;
	uint32_t *sorted;   /* segment ids by (group, cohort) */
};

static void segs_dispose(struct segs *s)
{
	loyal__strmap_dispose(&s->map);
	free(s->of_buyer);
	free(s->group);
	free(s->cohort);
	free(s->sorted);
}

struct seg_key {
	uint32_t group;
	uint32_t id;
	int64_t cohort;
};

static int seg_cmp(const void *pa, const void *pb)
{
	const struct seg_key *a = pa, *b = pb;
	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	return a->cohort < b->cohort ? -1 : a->cohort > b->cohort;
}

static int period_ok(loyal_period p)
{
	return p >= LOYAL_PERIOD_NONE && p <= LOYAL_PERIOD_YEAR;
}

/* Number the segments of the buyers: by group, and by the period of the
 * first occasion unless p is LOYAL_PERIOD_NONE. */
static int segs_build(struct segs *s, const loyal_txn *t, loyal_period p)
{
	char key[12];
	int error;

	memset(s, 0, sizeof(*s));
	loyal__strmap_init(&s->map);
	if (!(s->of_buyer = malloc((t->nbuyers ? t->nbuyers : 1) * sizeof(*s->of_buyer))))
		return loyal__error_oom();
	for (size_t i = 0; i < t->nbuyers; i++) {
		uint32_t c = t->buyers[i], id;
		int64_t cohort = p == LOYAL_PERIOD_NONE ? 0 : loyal_period_index(p, t->days[t->off[c]]);
		int added;
		if (s->map.count == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 16;
			GROW(s->group, cap);
			GROW(s->cohort, cap);
			s->cap = cap;
		}
		memcpy(key, &t->cust[c].group, 4);
		memcpy(key + 4, &cohort, 8);
		if ((error = loyal__strmap_intern(&s->map, key, sizeof(key), &id, &added)) < 0)
			return error;
		if (added) {
			s->group[id] = t->cust[c].group;
			s->cohort[id] = cohort;
		}
		s->of_buyer[i] = id;
	}
	/* Sorted through a scratch array of keys: a comparator reading the
	 * segments through a global would not be thread-safe. */
	size_t n = s->map.count;
	struct seg_key *keys = malloc((n ? n : 1) * sizeof(*keys));
	if (!keys || !(s->sorted = malloc((n ? n : 1) * sizeof(*s->sorted)))) {
		free(keys);
		return loyal__error_oom();
	}
	for (size_t i = 0; i < n; i++)
		keys[i] = (struct seg_key){ s->group[i], (uint32_t)i, s->cohort[i] };
	qsort(keys, n, sizeof(*keys), seg_cmp);
	for (size_t i = 0; i < n; i++)
		s->sorted[i] = keys[i].id;
	free(keys);
	return 0;
}

static int check_finished(const loyal_txn *t, const void *rows, const size_t *nrows)
{
	if (!t || !rows || !nrows)
		return loyal__error(LOYAL_EINVAL, "invalid argument");
	if (!t->finished)
		return loyal__error(LOYAL_EINVAL, "results are read after loyal_txn_finish");
	return 0;
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : NAN;
}

/* ---- repurchase -------------------------------------------------------- */

/* The median of a[0..m), m > 0, values in 0..span (the mean of the middle
 * two for an even m). Many gaps over a short span (a year of daily data)
 * are counted instead of sorted: linear, and exact all the same. */
static int median_days(double *out, int32_t *a, size_t m, int64_t span)
{
	size_t lo = (m - 1) / 2, hi = m / 2;

	if (m >= 64 && span >= 0 && (uint64_t)span < 4 * (uint64_t)m) {
		size_t *count = calloc((size_t)span + 1, sizeof(*count)), seen = 0;
		int64_t vlo = -1, vhi = -1;
		if (!count)
			return loyal__error_oom();
		for (size_t i = 0; i < m; i++)
			count[a[i]]++;
		for (int64_t v = 0; v <= span && vhi < 0; v++) {
			seen += count[v];
			if (vlo < 0 && seen > lo)
				vlo = v;
			if (seen > hi)
				vhi = v;
		}
		free(count);
		*out = ((double)vlo + (double)vhi) / 2;
		return 0;
	}
	qsort(a, m, sizeof(*a), cmp_i32);
	*out = m % 2 ? a[m / 2] : ((double)a[lo] + (double)a[hi]) / 2;
	return 0;
}

int loyal_txn_repurchase(loyal_txn_repurchase_row **rows, size_t *nrows, const loyal_txn *t,
			 const loyal_txn_repurchase_options *opts)
{
	loyal_txn_repurchase_options o = LOYAL_TXN_REPURCHASE_OPTIONS_INIT;
	struct segs s;
	loyal_txn_repurchase_row *r = NULL;
	size_t *goff = NULL, *gcur = NULL, n = 0;
	int32_t *gaps = NULL;
	int64_t *gsum = NULL;
	int error;

	if ((error = check_finished(t, rows, nrows)) < 0)
		return error;
	if (opts)
		o = *opts;
	if (!LOYAL__VERSION_OK(o.version, LOYAL_TXN_REPURCHASE_OPTIONS_VERSION) ||
	    !period_ok(o.cohort_period))
		return loyal__error(LOYAL_EINVAL, "invalid repurchase options");
	*rows = NULL;
	*nrows = 0;
	if ((error = segs_build(&s, t, o.cohort_period)) < 0)
		goto done;
	n = s.map.count;
	if (!n)
		goto done;
	if (!(r = calloc(n, sizeof(*r))) || !(goff = calloc(n + 1, sizeof(*goff))) ||
	    !(gcur = malloc(n * sizeof(*gcur))) || !(gsum = calloc(n, sizeof(*gsum))) ||
	    !(gaps = malloc((t->nocc ? t->nocc : 1) * sizeof(*gaps)))) {
		error = loyal__error_oom();
		goto done;
	}
	/* Accumulate per segment id; r[] is reordered at the end. */
	for (size_t i = 0; i < t->nbuyers; i++) {
		uint32_t c = t->buyers[i], g = s.of_buyer[i];
		const int32_t *d = t->days + t->off[c];
		size_t k = t->off[c + 1] - t->off[c];
		loyal_txn_repurchase_row *x = &r[g];
		x->customers++;
		x->repeat_purchases += k - 1;
		if (k > 1)
			x->repeat_customers++;
		gsum[g] += (int64_t)d[k - 1] - d[0];
		goff[g + 1] += k - 1;
		if (o.within_days >= 0 && (int64_t)t->as_of - d[0] >= o.within_days) {
			x->within_eligible++;
			if (k > 1 && (int64_t)d[1] - d[0] <= o.within_days)
				x->within_repeat++;
		}
	}
	for (size_t g = 0; g < n; g++) {
		goff[g + 1] += goff[g];
		gcur[g] = goff[g];
	}
	for (size_t i = 0; i < t->nbuyers; i++) {
		uint32_t c = t->buyers[i], g = s.of_buyer[i];
		for (size_t j = t->off[c] + 1; j < t->off[c + 1]; j++)
			gaps[gcur[g]++] = t->days[j] - t->days[j - 1];
	}
	for (size_t g = 0; g < n; g++) {
		loyal_txn_repurchase_row *x = &r[g];
		size_t m = goff[g + 1] - goff[g];
		int32_t *a = gaps + goff[g];
		x->group = s.group[g];
		x->cohort = s.cohort[g];
		x->repurchase_rate = pct(x->repeat_customers, x->customers);
		x->mean_days_between = m ? (double)gsum[g] / (double)m : NAN;
		x->median_days_between = NAN;
		if (m && (error = median_days(&x->median_days_between, a, m,
					      (int64_t)t->st.last_day - t->st.first_day)) < 0)
			goto done;
		x->within_rate = o.within_days >= 0 ? pct(x->within_repeat, x->within_eligible) : NAN;
	}
	/* Hand out the rows in (group, cohort) order. */
	{
		loyal_txn_repurchase_row *sorted = malloc(n * sizeof(*sorted));
		if (!sorted) {
			error = loyal__error_oom();
			goto done;
		}
		for (size_t i = 0; i < n; i++)
			sorted[i] = r[s.sorted[i]];
		free(r);
		r = sorted;
	}
	*rows = r;
	*nrows = n;
	r = NULL;
done:
	free(r);
	free(goff);
	free(gcur);
	free(gsum);
	free(gaps);
	segs_dispose(&s);
	return error;
}

void loyal_txn_repurchase_free(loyal_txn_repurchase_row *rows)
{
	free(rows);
}

/* ---- period retention -------------------------------------------------- */

int loyal_txn_retention(loyal_txn_retention_row **rows, size_t *nrows, const loyal_txn *t,
			loyal_period period)
{
	struct segs s;
	int64_t *minp = NULL, last;
	size_t *base = NULL, total = 0, nout = 0, n = 0;
	uint64_t *cnt = NULL; /* per segment and period: active, new, retained */
	loyal_txn_retention_row *r = NULL;
	int error;

	if ((error = check_finished(t, rows, nrows)) < 0)
		return error;
	if (period == LOYAL_PERIOD_NONE || !period_ok(period))
		return loyal__error(LOYAL_EINVAL, "retention needs a period");
	*rows = NULL;
	*nrows = 0;
	if ((error = segs_build(&s, t, LOYAL_PERIOD_NONE)) < 0)
		goto done;
	n = s.map.count;
	if (!n)
		goto done;
	last = loyal_period_index(period, t->as_of);
	int last_whole = loyal_period_index(period, t->as_of + 1) > last;
	if (!(minp = malloc(n * sizeof(*minp))) || !(base = malloc((n + 1) * sizeof(*base)))) {
		error = loyal__error_oom();
		goto done;
	}
	for (size_t g = 0; g < n; g++)
		minp[g] = last;
	for (size_t i = 0; i < t->nbuyers; i++) {
		int64_t p = loyal_period_index(period, t->days[t->off[t->buyers[i]]]);
		if (p < minp[s.of_buyer[i]])
			minp[s.of_buyer[i]] = p;
	}
	for (size_t g = 0; g < n; g++) {
		size_t len = (size_t)(last - minp[g]) + 1;
		base[g] = total;
		if (len > SIZE_MAX / (3 * sizeof(uint64_t)) - total) {
			error = loyal__error_oom();
			goto done;
		}
		total += len;
		nout += len - 1;
	}
	base[n] = total;
	if (!(cnt = calloc(total * 3, sizeof(*cnt)))) {
		error = loyal__error_oom();
		goto done;
	}
	for (size_t i = 0; i < t->nbuyers; i++) {
		uint32_t c = t->buyers[i], g = s.of_buyer[i];
		uint64_t *a = cnt + 3 * base[g];
		int64_t prev = INT64_MIN;
		for (size_t j = t->off[c]; j < t->off[c + 1]; j++) {
			int64_t p = loyal_period_index(period, t->days[j]);
			size_t k = (size_t)(p - minp[g]);
			if (p == prev)
				continue;
			a[3 * k]++;
			if (prev == INT64_MIN)
				a[3 * k + 1]++;
			else if (prev == p - 1)
				a[3 * k + 2]++;
			prev = p;
		}
	}
	if (nout && !(r = calloc(nout, sizeof(*r)))) {
		error = loyal__error_oom();
		goto done;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t g = s.sorted[i];
		const uint64_t *a = cnt + 3 * base[g];
		size_t len = base[g + 1] - base[g];
		for (size_t j = 1; j < len; j++) {
			loyal_txn_retention_row *x = &r[k++];
			x->group = s.group[g];
			x->period = minp[g] + (int64_t)j;
			x->active_prev = a[3 * (j - 1)];
			x->active = a[3 * j];
			x->new_customers = a[3 * j + 1];
			x->retained = a[3 * j + 2];
			x->retention = pct(x->retained, x->active_prev);
			x->churn = x->active_prev ? 100.0 - x->retention : NAN;
			x->crr = pct(x->active - x->new_customers, x->active_prev);
			x->complete = x->period < last || last_whole;
		}
	}
	*rows = r;
	*nrows = nout;
	r = NULL;
done:
	free(r);
	free(cnt);
	free(minp);
	free(base);
	segs_dispose(&s);
	return error;
}

void loyal_txn_retention_free(loyal_txn_retention_row *rows)
{
	free(rows);
}

/* ---- cohort matrix ----------------------------------------------------- */

int loyal_txn_cohorts(loyal_txn_cohort_row **rows, size_t *nrows, const loyal_txn *t,
		      const loyal_txn_cohort_options *opts)
{
	loyal_txn_cohort_options o = LOYAL_TXN_COHORT_OPTIONS_INIT;
	struct segs s;
	loyal_txn_cohort_row *r = NULL;
	size_t *row_of = NULL, total = 0, n = 0;
	int64_t last;
	int error;

	if ((error = check_finished(t, rows, nrows)) < 0)
		return error;
	if (opts)
		o = *opts;
	if (!LOYAL__VERSION_OK(o.version, LOYAL_TXN_COHORT_OPTIONS_VERSION) ||
	    o.period == LOYAL_PERIOD_NONE ||
	    !period_ok(o.period))
		return loyal__error(LOYAL_EINVAL, "the cohort matrix needs a period");
	*rows = NULL;
	*nrows = 0;
	if ((error = segs_build(&s, t, o.period)) < 0)
		goto done;
	n = s.map.count;
	if (!n)
		goto done;
	last = loyal_period_index(o.period, t->as_of);
	int last_whole = loyal_period_index(o.period, t->as_of + 1) > last;
	for (size_t g = 0; g < n; g++) {
		size_t len = (size_t)(last - s.cohort[g]) + 1;
		if (len > (SIZE_MAX / 2 - n * sizeof(*r)) / 16 - total) {
			error = loyal__error_oom();
			goto done;
		}
		total += len;
	}
	/* One block: the rows, then every row's counts, then its percentages. */
	if (!(row_of = malloc(n * sizeof(*row_of))) ||
	    !(r = calloc(1, n * sizeof(*r) + total * (sizeof(uint64_t) + sizeof(double))))) {
		error = loyal__error_oom();
		goto done;
	}
	uint64_t *act = (uint64_t *)(r + n);
	double *ret = (double *)(act + total);
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t g = s.sorted[i];
		r[i].group = s.group[g];
		r[i].cohort = s.cohort[g];
		r[i].ncells = (size_t)(last - s.cohort[g]) + 1;
		r[i].complete_cells = r[i].ncells - !last_whole;
		r[i].active = act + at;
		r[i].retention = ret + at;
		at += r[i].ncells;
		row_of[g] = i;
	}
	for (size_t i = 0; i < t->nbuyers; i++) {
		uint32_t c = t->buyers[i];
		loyal_txn_cohort_row *x = &r[row_of[s.of_buyer[i]]];
		uint64_t *a = (uint64_t *)x->active;
		x->customers++;
		if (o.unbounded) {
			/* Counted once at the last period; suffix sums below
			 * spread it over every earlier cell. */
			a[loyal_period_index(o.period, t->days[t->off[c + 1] - 1]) - x->cohort]++;
			continue;
		}
		int64_t prev = INT64_MIN;
		for (size_t j = t->off[c]; j < t->off[c + 1]; j++) {
			int64_t p = loyal_period_index(o.period, t->days[j]);
			if (p != prev)
				a[p - x->cohort]++;
			prev = p;
		}
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t *a = (uint64_t *)r[i].active;
		double *pc = (double *)r[i].retention;
		if (o.unbounded)
			for (size_t k = r[i].ncells - 1; k > 0; k--)
				a[k - 1] += a[k];
		for (size_t k = 0; k < r[i].ncells; k++)
			pc[k] = pct(a[k], r[i].customers);
	}
	*rows = r;
	*nrows = n;
	r = NULL;
done:
	free(r);
	free(row_of);
	segs_dispose(&s);
	return error;
}

void loyal_txn_cohorts_free(loyal_txn_cohort_row *rows)
{
	free(rows);
}

/* ---- inactivity churn -------------------------------------------------- */

int loyal_txn_inactive(loyal_txn_inactive_row **rows, size_t *nrows, const loyal_txn *t,
		       int32_t days, loyal_period cohort_period)
{
	struct segs s;
	loyal_txn_inactive_row *acc = NULL, *r = NULL;
	size_t n = 0;
	int error;

	if ((error = check_finished(t, rows, nrows)) < 0)
		return error;
	if (days < 0 || !period_ok(cohort_period))
		return loyal__error(LOYAL_EINVAL, "invalid inactivity options");
	*rows = NULL;
	*nrows = 0;
	if ((error = segs_build(&s, t, cohort_period)) < 0)
		goto done;
	n = s.map.count;
	if (!n)
		goto done;
	if (!(acc = calloc(n, sizeof(*acc))) || !(r = malloc(n * sizeof(*r)))) {
		error = loyal__error_oom();
		goto done;
	}
	for (size_t i = 0; i < t->nbuyers; i++) {
		uint32_t c = t->buyers[i];
		loyal_txn_inactive_row *x = &acc[s.of_buyer[i]];
		x->customers++;
		if ((int64_t)t->as_of - t->days[t->off[c]] > days)
			x->eligible++;
		if ((int64_t)t->as_of - t->days[t->off[c + 1] - 1] > days)
			x->inactive++;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t g = s.sorted[i];
		r[i] = acc[g];
		r[i].group = s.group[g];
		r[i].cohort = s.cohort[g];
		r[i].churn_rate = pct(r[i].inactive, r[i].eligible);
	}
	*rows = r;
	*nrows = n;
	r = NULL;
done:
	free(acc);
	free(r);
	segs_dispose(&s);
	return error;
}

void loyal_txn_inactive_free(loyal_txn_inactive_row *rows)
{
	free(rows);
}
