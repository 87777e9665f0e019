#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "errors_p.h"
#include "loyal/loyalty.h"
#include "strmap_p.h"

int loyal_loyalty_classify(loyal_loyalty_result *out, const loyal_loyalty_input *in)
{
	if (!out || !LOYAL__VERSION_OK(out->version, LOYAL_LOYALTY_RESULT_VERSION) ||
	    !in || in->lo < 0 || in->hi - in->lo < 2 ||
	    (in->satisfaction != -1 && (in->satisfaction < in->lo || in->satisfaction > in->hi)) ||
	    in->recommend < -1 || in->recommend > 10 ||
	    (in->satisfaction < 0 && in->recommend < 0) ||
	    (in->purchases && !(in->p_repurchase >= 0.0 && in->p_repurchase <= 1.0)))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_loyalty_classify");
	int s = in->satisfaction, r = in->recommend;
	double sum = 0.0;
	int parts = 0;

	out->referral = r < 0 ? -1 : r >= 9 ? LOYAL_REFERRAL_VERY_LIKELY
		: r >= 7 ? LOYAL_REFERRAL_POSSIBLE : LOYAL_REFERRAL_UNLIKELY;
	out->detractor = r >= 0 && r <= 6;
	out->dissatisfied = s >= 0 && s <= in->lo + 1;
	out->attitude = r >= 0 ? r >= 9 : s >= in->hi - 1;
	out->repeat = in->purchases >= 2;
	if (!in->purchases) {
		out->band = out->behaviour = out->quadrant = -1;
		out->index = NAN;
		return 0;
	}
	double p = in->p_repurchase;
	out->band = p > 0.7 ? LOYAL_BAND_HIGH : p >= 0.3 ? LOYAL_BAND_MID : LOYAL_BAND_LOW;
	out->behaviour = out->repeat;
	out->quadrant = out->attitude ? (out->behaviour ? LOYAL_QUADRANT_TRUE : LOYAL_QUADRANT_LATENT)
		: (out->behaviour ? LOYAL_QUADRANT_SPURIOUS : LOYAL_QUADRANT_NONE);
	if (s >= 0) {
		sum += 100.0 * (s - in->lo) / (double)(in->hi - in->lo);
		parts++;
	}
	sum += 100.0 * p;
	parts++;
	if (r >= 0) {
		sum += 10.0 * r;
		parts++;
	}
	out->index = sum / parts;
	return 0;
}

const char *loyal_loyalty_referral_name(int referral)
{
	static const char *const names[] = { "unlikely", "possible", "very likely" };
	return referral >= 0 && referral <= 2 ? names[referral] : NULL;
}

const char *loyal_loyalty_band_name(int band)
{
	static const char *const names[] = { "low", "mid", "high" };
	return band >= 0 && band <= 2 ? names[band] : NULL;
}

const char *loyal_loyalty_quadrant_name(int quadrant)
{
	static const char *const names[] = { "true", "latent", "spurious", "none" };
	return quadrant >= 0 && quadrant <= 3 ? names[quadrant] : NULL;
}

/* ---- the join ----------------------------------------------------------- */

struct customer {
	loyal_loyalty_behaviour b;
	size_t id_off;        /* in the arena */
	size_t row;           /* its row, SIZE_MAX without an answer */
};

struct row {
	size_t customer;      /* SIZE_MAX: not matched */
	size_t id_off;        /* the id as first written (unmatched rows) */
	int32_t day;
	int satisfaction, recommend;
	loyal_idmatch_rule rule;
};

struct loyal_loyalty {
	loyal_loyalty_options opts;
	loyal_idmatch *match;
	struct customer *cust;
	size_t ncust, cust_cap;
	struct row *rows;
	size_t nrows, rows_cap;
	loyal__strmap unmatched; /* normal forms of unmatched ids */
	size_t *unmatched_row;   /* per key */
	size_t unmatched_cap;
	char *arena;
	size_t arena_len, arena_cap;
	char *norm;
	size_t norm_cap;
	loyal_loyalty_stats st;
};

int loyal_loyalty_new(loyal_loyalty **out, const loyal_loyalty_options *opts)
{
	loyal_loyalty_options def = LOYAL_LOYALTY_OPTIONS_INIT;
	loyal_loyalty *l;
	int error;

	if (!opts)
		opts = &def;
	if (!out || opts->version < 1 || opts->version > LOYAL_LOYALTY_OPTIONS_VERSION ||
	    opts->lo < 0 || opts->hi - opts->lo < 2)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_loyalty_new");
	if (!(l = calloc(1, sizeof(*l))))
		return loyal__error_oom();
	l->opts = *opts;
	loyal__strmap_init(&l->unmatched);
	if ((error = loyal_idmatch_new(&l->match)) < 0) {
		loyal_loyalty_free(l);
		return error;
	}
	*out = l;
	return 0;
}

void loyal_loyalty_free(loyal_loyalty *l)
{
	if (!l)
		return;
	loyal_idmatch_free(l->match);
	loyal__strmap_dispose(&l->unmatched);
	free(l->unmatched_row);
	free(l->cust);
	free(l->rows);
	free(l->arena);
	free(l->norm);
	free(l);
}

static int reserve(void **p, size_t *cap, size_t size, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 64;
	while (c < need)
		c *= 2;
	void *q = realloc(*p, c * size);
	if (!q)
		return loyal__error_oom();
	*p = q;
	*cap = c;
	return 0;
}

static int keep(loyal_loyalty *l, const char *s, size_t len, size_t *off)
{
	int error = reserve((void **)&l->arena, &l->arena_cap, 1, l->arena_len + len + 1);
	if (error < 0)
		return error;
	memcpy(l->arena + l->arena_len, s, len);
	l->arena[l->arena_len + len] = '\0';
	*off = l->arena_len;
	l->arena_len += len + 1;
	return 0;
}

int loyal_loyalty_add_customer(loyal_loyalty *l, const char *id, size_t len,
			       const loyal_loyalty_behaviour *b)
{
	int error;

	if (!l || !id || !len || !b || l->nrows || b->purchases == 0 ||
	    !(b->p_repurchase >= 0.0 && b->p_repurchase <= 1.0) || l->ncust >= UINT32_MAX - 1)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_loyalty_add_customer");
	if ((error = reserve((void **)&l->cust, &l->cust_cap, sizeof(*l->cust), l->ncust + 1)) < 0)
		return error;
	if ((error = loyal_idmatch_add(l->match, id, len, (uint32_t)l->ncust)) < 0)
		return error;
	struct customer *c = &l->cust[l->ncust];
	c->b = *b;
	c->row = SIZE_MAX;
	if ((error = keep(l, id, len, &c->id_off)) < 0)
		return error;
	l->ncust++;
	l->st.customers++;
	return 0;
}

static int new_row(loyal_loyalty *l, size_t *at)
{
	int error = reserve((void **)&l->rows, &l->rows_cap, sizeof(*l->rows), l->nrows + 1);
	if (error < 0)
		return error;
	*at = l->nrows++;
	return 0;
}

int loyal_loyalty_add_answer(loyal_loyalty *l, const char *id, size_t len, int32_t day,
			     int satisfaction, int recommend, loyal_idmatch_rule *rule_out)
{
	loyal_idmatch_rule rule;
	uint32_t who;
	size_t at = SIZE_MAX, nlen;
	int error, fresh = 1;

	if (!l || (!id && len) || recommend < -1 || recommend > 10 ||
	    (satisfaction != -1 && satisfaction != LOYAL_LOYALTY_PENDING &&
	     (satisfaction < l->opts.lo || satisfaction > l->opts.hi)) ||
	    (satisfaction == -1 && recommend < 0))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_loyalty_add_answer");
	if (!id)
		id = "";
	if ((error = reserve((void **)&l->norm, &l->norm_cap, 1, len + 1)) < 0)
		return error;
	nlen = loyal_idmatch_normalize(l->norm, l->norm_cap, id, len);
	if (nlen == 0)
		return loyal__error(LOYAL_EVALUE, "the customer id is blank");
	if ((error = loyal_idmatch_find(l->match, id, len, &who, &rule)) < 0)
		return error;
	if (rule_out)
		*rule_out = rule;
	int matched = rule == LOYAL_IDMATCH_EXACT || rule == LOYAL_IDMATCH_TRIMMED ||
		      rule == LOYAL_IDMATCH_FOLDED;
	if (matched) {
		at = l->cust[who].row;
		fresh = at == SIZE_MAX;
	} else {
		uint32_t key;
		int added;
		if ((error = loyal__strmap_intern(&l->unmatched, l->norm, nlen, &key, &added)) < 0)
			return error;
		if ((error = reserve((void **)&l->unmatched_row, &l->unmatched_cap,
				     sizeof(*l->unmatched_row), (size_t)key + 1)) < 0)
			return error;
		if (added)
			l->unmatched_row[key] = SIZE_MAX;
		at = l->unmatched_row[key];
		fresh = at == SIZE_MAX;
		if (fresh && (error = new_row(l, &at)) == 0) {
			l->unmatched_row[key] = at;
			error = keep(l, id, len, &l->rows[at].id_off);
			if (error < 0) {
				l->nrows--;
				l->unmatched_row[key] = SIZE_MAX;
			}
		}
		if (error < 0)
			return error;
	}
	if (matched && fresh) {
		if ((error = new_row(l, &at)) < 0)
			return error;
		l->cust[who].row = at;
	}
	if (fresh) {
		l->st.respondents++;
		if (!matched)
			l->st.respondents_without_purchases++;
	}
	l->st.answers++;
	l->st.by_rule[rule]++;
	struct row *r;
	if (l->opts.all_answers && !fresh) {
		/* every answer its own row; the respondent keeps its first */
		size_t first = at;
		if ((error = new_row(l, &at)) < 0)
			return error;
		l->rows[at].id_off = l->rows[first].id_off;
		fresh = 1;
	}
	r = &l->rows[at];
	if (!fresh && day != LOYAL_LOYALTY_NO_DAY && r->day != LOYAL_LOYALTY_NO_DAY && day < r->day)
		return 0; /* an earlier answer than the one kept */
	r->customer = matched ? who : SIZE_MAX;
	r->day = day;
	r->satisfaction = satisfaction;
	r->recommend = recommend;
	r->rule = rule;
	return 0;
}

int loyal_loyalty_resolve(loyal_loyalty *l, int point)
{
	if (!l)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_loyalty_resolve");
	for (size_t i = 0; i < l->nrows; i++) {
		if (l->rows[i].satisfaction != LOYAL_LOYALTY_PENDING)
			continue;
		if (point < l->opts.lo || point > l->opts.hi)
			return loyal__error(LOYAL_EINVAL, "pending satisfaction answers need a point "
					    "on the scale %d-%d", l->opts.lo, l->opts.hi);
		l->rows[i].satisfaction = point;
	}
	return 0;
}

int loyal_loyalty_get_stats(loyal_loyalty_stats *out, const loyal_loyalty *l)
{
	if (!out || !l || !LOYAL__VERSION_OK(out->version, LOYAL_LOYALTY_STATS_VERSION))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_loyalty_get_stats");
	int version = out->version;
	*out = l->st;
	out->version = version;
	out->customers_without_answers = 0;
	for (size_t i = 0; i < l->ncust; i++)
		out->customers_without_answers += l->cust[i].row == SIZE_MAX;
	return 0;
}

size_t loyal_loyalty_count(const loyal_loyalty *l)
{
	return l ? l->nrows : 0;
}

int loyal_loyalty_get(loyal_loyalty_row *out, const loyal_loyalty *l, size_t i)
{
	if (!out || !l || i >= l->nrows || !LOYAL__VERSION_OK(out->version, LOYAL_LOYALTY_ROW_VERSION))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_loyalty_get");
	const struct row *r = &l->rows[i];
	const struct customer *c = r->customer != SIZE_MAX ? &l->cust[r->customer] : NULL;

	int version = out->version;
	memset(out, 0, sizeof(*out));
	out->version = version;
	out->out.version = LOYAL_LOYALTY_RESULT_VERSION;
	out->customer = l->arena + (c ? c->id_off : r->id_off);
	out->rule = r->rule;
	out->answer_day = r->day;
	out->in.lo = l->opts.lo;
	out->in.hi = l->opts.hi;
	out->in.satisfaction = r->satisfaction;
	out->in.recommend = r->recommend;
	out->in.purchases = c ? c->b.purchases : 0;
	out->in.p_repurchase = c ? c->b.p_repurchase : NAN;
	out->matched = c != NULL;
	out->churn = c ? c->b.churn : NAN;
	out->spend = c ? c->b.spend : NAN;
	out->value_at_risk = out->spend * out->churn;
	out->last_purchase = c ? c->b.last_purchase : 0;
	return loyal_loyalty_classify(&out->out, &out->in);
}

int loyal_loyalty_matrix_compute(loyal_loyalty_matrix *m, const loyal_loyalty *l)
{
	double total_spend = 0.0;
	double csat_sum[2] = { 0, 0 };
	int error;

	if (!m || !l || !LOYAL__VERSION_OK(m->version, LOYAL_LOYALTY_MATRIX_VERSION))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_loyalty_matrix_compute");
	if (l->opts.all_answers)
		return loyal__error(LOYAL_EINVAL, "the matrix takes one answer per customer");
	int version = m->version;
	memset(m, 0, sizeof(*m));
	m->version = version;
	for (size_t i = 0; i < l->nrows; i++) {
		loyal_loyalty_row row = LOYAL_LOYALTY_ROW_INIT;
		if ((error = loyal_loyalty_get(&row, l, i)) < 0)
			return error;
		if (!row.matched)
			continue;
		int q = row.out.quadrant, g = row.out.repeat ? 0 : 1;
		m->customers[q]++;
		m->spend[q] += row.spend;
		total_spend += row.spend;
		m->total++;
		m->buyers[g]++;
		if (row.in.recommend >= 0)
			loyal_nps_add(&m->nps[g], row.in.recommend);
		if (row.in.satisfaction >= 0) {
			m->csat_responses[g]++;
			m->csat_satisfied[g] += row.in.satisfaction >= l->opts.hi - 1;
			csat_sum[g] += row.in.satisfaction;
		}
	}
	if (m->total == 0)
		return loyal__error(LOYAL_ENODATA, "no respondent is a customer of the orders");
	/* the spends are whole micro-units: keep the sums so */
	total_spend = round(total_spend * 1e6) / 1e6;
	m->total_spend = total_spend;
	for (int q = 0; q < 4; q++) {
		m->spend[q] = round(m->spend[q] * 1e6) / 1e6;
		m->share[q] = 100.0 * (double)m->customers[q] / (double)m->total;
		m->spend_share[q] = total_spend > 0 ? 100.0 * m->spend[q] / total_spend : NAN;
	}
	for (int g = 0; g < 2; g++)
		m->csat_mean[g] = m->csat_responses[g] ? csat_sum[g] / (double)m->csat_responses[g] : NAN;
	return 0;
}

struct risk {
	double key; /* value at risk, NaN last */
	size_t row;
};

static int by_risk(const void *pa, const void *pb)
{
	const struct risk *a = pa, *b = pb;
	int na = isnan(a->key), nb = isnan(b->key);

	if (na != nb)
		return na - nb;
	if (!na && a->key != b->key)
		return a->key > b->key ? -1 : 1;
	return a->row < b->row ? -1 : a->row > b->row;
}

int loyal_loyalty_followup(size_t **order, size_t *n, const loyal_loyalty *l)
{
	struct risk *r = NULL;
	size_t *o = NULL, k = 0;
	int error = 0;

	if (!order || !n || !l)
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_loyalty_followup");
	*order = NULL;
	*n = 0;
	if (!l->nrows)
		return 0;
	if (!(r = malloc(l->nrows * sizeof(*r)))) {
		error = loyal__error_oom();
		goto done;
	}
	for (size_t i = 0; i < l->nrows; i++) {
		loyal_loyalty_row row = LOYAL_LOYALTY_ROW_INIT;
		if ((error = loyal_loyalty_get(&row, l, i)) < 0)
			goto done;
		if (row.out.detractor || row.out.dissatisfied)
			r[k++] = (struct risk){ row.value_at_risk, i };
	}
	if (k == 0)
		goto done;
	qsort(r, k, sizeof(*r), by_risk);
	if (!(o = malloc(k * sizeof(*o)))) {
		error = loyal__error_oom();
		goto done;
	}
	for (size_t i = 0; i < k; i++)
		o[i] = r[i].row;
	*order = o;
	*n = k;
done:
	free(r);
	return error;
}
