/* The figures of `loyal report`, computed by the same input loops and
 * library calls as loyal nps, csat, repurchase, retention and churn. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* ---- survey ------------------------------------------------------------- */

/* One pass over the survey for one measure: NPS (csat == 0) or CSAT.
 * Groups are the --by values and the period, as the subcommands make them. */
struct sv_ctx {
	const struct report_opts *o;
	int csat;
	int missing;          /* the column was looked for by name and not found */
	loyal_nps *nps;       /* per group */
	loyal_csat *cs;       /* per group */
	size_t cap;
	loyal_csat scale;     /* the scale, for parsing */
	loyal_csat_labels *labels;
	char *colname;
};

static int sv_resolve(void *vctx, struct cli_source *s, size_t *cols)
{
	struct sv_ctx *ctx = vctx;
	const char *given = ctx->csat ? ctx->o->csat_col : ctx->o->score_col;
	int error = loyal_reader_find_column(&cols[0], s->r, ctx->csat ? "satisfaction" : "NPS score",
					     given, loyal_role_aliases(ctx->csat ? LOYAL_ROLE_CSAT
										 : LOYAL_ROLE_NPS));
	if (error < 0) {
		if (error == LOYAL_ECOLUMN && !given) {
			/* a survey of one measure: the other's sections say so */
			if (!ctx->o->cs.quiet)
				cli_error("note: %s; the %s sections of the page have no data",
					  loyal_error_last()->message, ctx->csat ? "CSAT" : "NPS");
			ctx->missing = 1;
			return CLI_EXIT_DATA;
		}
		return cli_lib_error(error);
	}
	if (!ctx->colname && !(ctx->colname = strdup(loyal_reader_column_name(s->r, cols[0]))))
		return cli_oom();
	return 0;
}

static int sv_parse(void *vctx, size_t k, const char *text, size_t len, int *value)
{
	struct sv_ctx *ctx = vctx;
	(void)k;
	if (ctx->csat)
		return loyal_csat_read(value, &ctx->scale, ctx->labels, text, len);
	return loyal_nps_parse(value, text, len);
}

static int sv_add(void *vctx, uint32_t group, size_t k, int value)
{
	struct sv_ctx *ctx = vctx;
	(void)k;
	if (group >= ctx->cap) {
		size_t cap = ctx->cap ? ctx->cap * 2 : 16;
		while (cap <= group)
			cap *= 2;
		if (ctx->csat) {
			loyal_csat *a = realloc(ctx->cs, cap * sizeof(*a));
			if (!a)
				return cli_oom();
			for (size_t i = ctx->cap; i < cap; i++)
				loyal_csat_init(&a[i], ctx->scale.lo, ctx->scale.hi);
			ctx->cs = a;
		} else {
			loyal_nps *a = realloc(ctx->nps, cap * sizeof(*a));
			if (!a)
				return cli_oom();
			memset(a + ctx->cap, 0, (cap - ctx->cap) * sizeof(*a));
			ctx->nps = a;
		}
		ctx->cap = cap;
	}
	if (ctx->csat)
		loyal_csat_add_answer(&ctx->cs[group], value);
	else
		loyal_nps_add(&ctx->nps[group], value);
	return 0;
}

/* Distinct period indexes of the groups, sorted; and for each group the
 * position of its period. */
static int64_t *periods_of(struct cli_groups *g, size_t *np, size_t **pos)
{
	size_t n = cli_groups_count(g), k = 0;
	int64_t *p = malloc((n ? n : 1) * sizeof(*p));

	*pos = malloc((n ? n : 1) * sizeof(**pos));
	if (!p || !*pos) {
		free(p);
		free(*pos);
		*pos = NULL;
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		p[i] = loyal_grouping_period(g->lib, (uint32_t)i);
	/* insertion into a sorted unique list: periods are few */
	for (size_t i = 0; i < n; i++) {
		int64_t v = p[i];
		size_t j = 0;
		while (j < k && p[j] < v)
			j++;
		if (j < k && p[j] == v)
			continue;
		memmove(p + j + 1, p + j, (k - j) * sizeof(*p));
		p[j] = v;
		k++;
	}
	for (size_t i = 0; i < n; i++) {
		size_t lo = 0, hi = k;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (p[mid] < loyal_grouping_period(g->lib, (uint32_t)i))
				lo = mid + 1;
			else
				hi = mid;
		}
		(*pos)[i] = lo;
	}
	*np = k;
	return p;
}

/* The --by values of group id joined with " / ". */
static char *by_name(struct cli_groups *g, uint32_t id, const struct cli_common *c)
{
	struct cli_value v[CLI_LIST_MAX + 1];
	size_t len = 0;
	char *s;

	if (cli_group_values(v, g, id, c) == SIZE_MAX)
		return NULL;
	for (size_t i = 0; i < c->by.n; i++)
		len += strlen(v[i].s ? v[i].s : "") + 3;
	if (!(s = malloc(len + 1)))
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; i < c->by.n; i++) {
		if (i)
			strcat(s, " / ");
		strcat(s, v[i].s ? v[i].s : "");
	}
	return s;
}

static int nps_figures(struct report_survey *s, struct sv_ctx *ctx, struct cli_groups *g,
		       const struct cli_common *c)
{
	size_t n = cli_groups_count(g), np = 0, *pos = NULL;
	int64_t *periods = NULL;
	loyal_nps *per = NULL;
	uint32_t *order = NULL;
	int rc = 0;

	if (!(periods = periods_of(g, &np, &pos)) || !(per = calloc(np ? np : 1, sizeof(*per))) ||
	    !(s->trend = calloc(np ? np : 1, sizeof(*s->trend))) || !(order = cli_groups_sorted(g)) ||
	    !(s->group = calloc(n ? n : 1, sizeof(*s->group))) ||
	    !(s->group_r = calloc(n ? n : 1, sizeof(*s->group_r)))) {
		rc = cli_oom();
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		loyal_nps_merge(&per[pos[i]], &ctx->nps[i]);
	/* as loyal nps --period P prints them: a change from the row before */
	for (size_t k = 0; k < np; k++) {
		struct report_nps_point *pt = &s->trend[s->ntrend];
		pt->r.version = LOYAL_NPS_RESULT_VERSION;
		if (loyal_nps_compute(&pt->r, &per[k]) < 0)
			continue;
		loyal_period_key(pt->key, sizeof(pt->key), c->period, periods[k]);
		pt->significant = -1;
		if (s->ntrend > 0) {
			loyal_nps_compare(&s->trend[s->ntrend - 1].r, &pt->r, &pt->change,
					  &pt->significant);
			pt->has_change = 1;
		}
		s->ntrend++;
	}
	/* per --by group, every period together (loyal nps --by COL) */
	for (size_t i = 0; i < n;) {
		loyal_nps acc = LOYAL_NPS_INIT;
		size_t j = i;
		while (j < n && (j == i || c->by.n == 0 || cli_groups_same_by(g, order[i], order[j])))
			loyal_nps_merge(&acc, &ctx->nps[order[j++]]);
		s->group_r[s->ngroups].version = LOYAL_NPS_RESULT_VERSION;
		if (loyal_nps_compute(&s->group_r[s->ngroups], &acc) == 0) {
			s->group[s->ngroups] = c->by.n ? by_name(g, order[i], c) : strdup("");
			if (!s->group[s->ngroups]) {
				rc = cli_oom();
				goto done;
			}
			s->ngroups++;
		}
		i = j;
	}
	s->nps_state = s->ntrend ? REPORT_OK : REPORT_NO_DATA;
done:
	free(periods);
	free(pos);
	free(per);
	free(order);
	return rc;
}

static int csat_figures(struct report_survey *s, struct sv_ctx *ctx, struct cli_groups *g,
			const struct cli_common *c)
{
	size_t n = cli_groups_count(g), np = 0, *pos = NULL;
	int64_t *periods = NULL;
	loyal_csat *per = NULL;
	int rc = 0, point;
	uint64_t seen = 0;

	/* 满意 is 4 or 3 by the labels of the whole column, as loyal csat decides */
	for (size_t i = 0; i < n; i++)
		seen |= ctx->cs[i].labels_seen;
	if ((rc = survey_csat_decide(&point, seen, ctx->colname ? ctx->colname : "?", c->quiet)) != 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		loyal_csat_resolve(&ctx->cs[i], point);
	if (!(periods = periods_of(g, &np, &pos)) || !(per = malloc((np ? np : 1) * sizeof(*per))) ||
	    !(s->csat = calloc(np ? np : 1, sizeof(*s->csat)))) {
		rc = cli_oom();
		goto done;
	}
	for (size_t k = 0; k < np; k++)
		loyal_csat_init(&per[k], ctx->scale.lo, ctx->scale.hi);
	loyal_csat_init(&s->csat_all, ctx->scale.lo, ctx->scale.hi);
	for (size_t i = 0; i < n; i++) {
		loyal_csat_merge(&per[pos[i]], &ctx->cs[i]);
		loyal_csat_merge(&s->csat_all, &ctx->cs[i]);
	}
	for (size_t k = 0; k < np; k++) {
		struct report_csat_point *pt = &s->csat[k];
		loyal_period_key(pt->key, sizeof(pt->key), c->period, periods[k]);
		pt->r.version = LOYAL_CSAT_RESULT_VERSION;
		pt->ok = loyal_csat_compute(&pt->r, &per[k]) == 0;
	}
	s->ncsat = np;
	s->lo = ctx->scale.lo;
	s->hi = ctx->scale.hi;
	s->csat_state = np ? REPORT_OK : REPORT_NO_DATA;
done:
	free(periods);
	free(pos);
	free(per);
	return rc;
}

static int survey_pass(struct report_survey *s, struct report_opts *o, int csat)
{
	struct sv_ctx ctx = { 0 };
	struct cli_groups g;
	char *files[2] = { (char *)o->survey_path, NULL };
	int rc;

	ctx.o = o;
	ctx.csat = csat;
	loyal_csat_init(&ctx.scale, 1, 5);
	if (csat && o->scale &&
	    loyal_csat_parse_scale(&ctx.scale.lo, &ctx.scale.hi, o->scale) == 0)
		loyal_csat_init(&ctx.scale, ctx.scale.lo, ctx.scale.hi);
	if (csat && (rc = survey_load_labels(&ctx.labels, o->labels_arg)) != 0)
		return rc;
	if ((rc = cli_groups_init(&g)) != 0) {
		loyal_csat_labels_free(ctx.labels);
		return rc;
	}
	struct survey_spec spec = { 1, o->t.skip_invalid, sv_resolve, sv_parse, sv_add,
				    NULL, NULL, NULL, NULL, NULL };
	rc = survey_run(&o->cs, files, 1, &g, &spec, &ctx, csat ? &s->csat_st : &s->nps_st);
	if (rc != 0 && ctx.missing) {
		if (csat)
			s->csat_state = REPORT_NO_COLUMN;
		else
			s->nps_state = REPORT_NO_COLUMN;
		rc = 0;
		goto done;
	}
	if (rc != 0)
		goto done;
	if (csat) {
		s->csat_ran = 1;
		rc = csat_figures(s, &ctx, &g, &o->cs);
	} else {
		s->nps_ran = 1;
		rc = nps_figures(s, &ctx, &g, &o->cs);
	}
done:
	free(ctx.nps);
	free(ctx.cs);
	free(ctx.colname);
	loyal_csat_labels_free(ctx.labels);
	cli_groups_dispose(&g);
	return rc;
}

/*
 * Whether the survey has no date column: a survey tool's export without
 * one (an Excel sheet of answers) still has an NPS and a CSAT, of every
 * answer. Only when no date option asks for dates; the header of a named
 * file is read for it (standard input can be read only once: it must have
 * the column, as before).
 */
static int survey_undated(const struct report_opts *o)
{
	const struct cli_common *c = &o->cs;
	loyal_reader *r = NULL;
	size_t col;
	int undated = 0;

	if (c->date_col || c->has_from || c->has_to || !strcmp(o->survey_path, "-"))
		return 0;
	if (cli_reader_open(&r, o->survey_path, &c->read) == 0) {
		const loyal_error_info *e;
		int error = loyal_reader_find_column(&col, r, "date", NULL,
						     loyal_role_aliases(LOYAL_ROLE_DATE));
		/* missing, not ambiguous (an ambiguity names the header line) */
		undated = error == LOYAL_ECOLUMN && (e = loyal_error_last()) && e->line == 0;
	}
	/* a file that cannot be read is reported by the reading itself */
	loyal_error_clear();
	loyal_reader_free(r);
	return undated;
}

int report_survey_load(struct report_survey *s, struct report_opts *o)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->nps_state = s->csat_state = REPORT_NOT_GIVEN;
	if (!o->survey_path)
		return 0;
	if ((s->undated = survey_undated(o)))
		o->cs.period = LOYAL_PERIOD_NONE;
	if ((rc = survey_pass(s, o, 0)) != 0)
		return rc;
	if (!strcmp(o->survey_path, "-")) {
		/* standard input is read once: the NPS took it */
		s->csat_state = REPORT_STDIN_ONCE;
	} else if ((rc = survey_pass(s, o, 1)) != 0) {
		return rc;
	}
	if (s->nps_state == REPORT_NO_COLUMN && s->csat_state != REPORT_OK &&
	    s->csat_state != REPORT_NO_DATA) {
		cli_error("%s: no NPS score or satisfaction column: nothing to report from the survey",
			  o->survey_path);
		fprintf(stderr, "hint: name the columns with --score-col and --csat-col\n");
		return CLI_EXIT_DATA;
	}
	if (!o->cs.quiet) {
		const struct survey_stats *st = s->nps_ran ? &s->nps_st : &s->csat_st;
		cli_error("%s: %llu rows read: NPS from %llu, CSAT from %llu; %llu with no answer, "
			  "%llu invalid skipped, %llu outside the date range", o->survey_path,
			  (unsigned long long)st->rows, (unsigned long long)s->nps_st.used,
			  (unsigned long long)s->csat_st.used, (unsigned long long)st->blank_rows,
			  (unsigned long long)st->invalid, (unsigned long long)st->filtered);
	}
	return 0;
}

void report_survey_dispose(struct report_survey *s)
{
	for (size_t i = 0; i < s->ngroups; i++)
		free(s->group[i]);
	free(s->group);
	free(s->group_r);
	free(s->trend);
	free(s->csat);
}

/* ---- orders ------------------------------------------------------------- */

/* The bound of the retention table and the cohort matrix, as loyal
 * retention's --max-periods (the matrix grows with its square). */
#define MAX_PERIODS 10000
#define MAX_COHORT_PERIODS 1000

static int order_figures(struct report_orders *r, struct report_opts *o)
{
	const struct cli_common *c = &o->co;
	int error;

	r->as_of = loyal_txn_as_of(r->d.acc);
	r->has_amount = o->t.amount_kind != TXN_AMOUNT_NONE;

	/* repurchase rate: loyal repurchase, one row */
	loyal_txn_repurchase_options ro = LOYAL_TXN_REPURCHASE_OPTIONS_INIT;
	loyal_txn_repurchase_row *rows = NULL;
	size_t n = 0;
	if ((error = loyal_txn_repurchase(&rows, &n, r->d.acc, &ro)) < 0)
		return cli_lib_error(error);
	r->rep_state = n ? REPORT_OK : REPORT_NO_DATA;
	if (n)
		r->rep = rows[0];
	loyal_txn_repurchase_free(rows);

	/* churn rate at as-of: loyal retention --inactive DAYS */
	loyal_txn_inactive_row *in = NULL;
	if ((error = loyal_txn_inactive(&in, &n, r->d.acc, (int32_t)o->inactive_days,
					LOYAL_PERIOD_NONE)) < 0)
		return cli_lib_error(error);
	r->inact_state = n && !isnan(in[0].churn_rate) ? REPORT_OK : REPORT_NO_DATA;
	if (n)
		r->inact = in[0];
	loyal_txn_inactive_free(in);

	/* period retention and cohorts: loyal retention [--cohorts] --period P */
	int64_t first = loyal_period_index(c->period, r->d.lib.first_day);
	int64_t last = loyal_period_index(c->period, r->as_of);
	r->span = last >= first ? (uint64_t)(last - first) + 1 : 1;
	if (r->span > MAX_PERIODS) {
		r->ret_state = r->coh_state = REPORT_TOO_LONG;
		return 0;
	}
	if ((error = loyal_txn_retention(&r->ret, &r->nret, r->d.acc, c->period)) < 0)
		return cli_lib_error(error);
	r->ret_state = r->nret ? REPORT_OK : REPORT_ONE_PERIOD;
	r->kpi_row = r->nret ? r->nret - 1 : 0;
	for (size_t i = r->nret; i-- > 0;) {
		if (r->ret[i].complete && !isnan(r->ret[i].retention)) {
			r->kpi_row = i;
			break;
		}
	}
	if (r->span > MAX_COHORT_PERIODS) {
		r->coh_state = REPORT_TOO_LONG;
		return 0;
	}
	loyal_txn_cohort_options co = LOYAL_TXN_COHORT_OPTIONS_INIT;
	co.period = c->period;
	if ((error = loyal_txn_cohorts(&r->coh, &r->ncoh, r->d.acc, &co)) < 0)
		return cli_lib_error(error);
	r->coh_state = r->ncoh ? REPORT_OK : REPORT_NO_DATA;
	return 0;
}

/* The churn model as loyal churn fits it (day occasions, everyone as one
 * unit), P(alive) of every customer, and the customers most worth a call. */
static int model_figures(struct report_orders *r, struct report_opts *o)
{
	struct txn_data *md = &r->d;
	struct model_customers m = { 0 };
	struct model_set set;
	double *ey = NULL, *key = NULL;
	size_t *perm = NULL;
	int rc = 0, error;

	if (o->t.has_order) {
		/* purchases are orders here; the models count days (loyal churn) */
		if (!strcmp(o->orders_path, "-")) {
			r->model_state = REPORT_STDIN_ONCE;
			return 0;
		}
		struct txn_opts t = o->t;
		struct cli_common c = o->co;
		char *files[2] = { (char *)o->orders_path, NULL };
		t.layout_set = 0;
		t.has_order = 0;
		t.amount_kind = TXN_AMOUNT_NONE;
		txn_opts_days(&t);
		c.quiet = 1;
		r->dd_loaded = 1;
		if ((rc = txn_load(&r->dd, &c, &t, files, 1)) != 0)
			return rc;
		md = &r->dd;
	}
	if ((rc = model_customers_load(&m, md->acc, loyal_txn_as_of(md->acc), o->mo.unit_days, o->mo.threads)) != 0)
		goto done;
	if (m.n == 0) {
		r->model_state = REPORT_NO_DATA;
		goto done;
	}
	if ((rc = model_fit_set(&set, &m, &o->mo, "")) != 0) {
		/* a fit the data do not allow (65) is said on standard error and
		 * the page says the model is missing; running out of memory (71)
		 * or an internal error fails the report */
		if (rc != CLI_EXIT_DATA)
			goto done;
		rc = 0;
		r->model_state = REPORT_MODEL_FAILED;
		goto done;
	}
	model_note_choice(&set, &o->mo, "");
	model_warn_doubtful(model_chosen(&set), &o->mo, "");
	const struct model_fit *f = model_chosen(&set);
	r->model_kind = f->kind;
	r->ncust = m.n;
	if (!(r->p_alive = malloc(m.n * sizeof(double))) || !(ey = malloc(m.n * sizeof(double))) ||
	    !(key = malloc(m.n * sizeof(double)))) {
		rc = cli_oom();
		goto done;
	}
	if ((error = model_score(f, 365.0 / o->mo.unit_days, m.n, m.x, m.t_x, m.T, r->p_alive,
				 ey)) < 0) {
		rc = cli_lib_error(error);
		goto done;
	}
	/* value at risk: the value (net spend, or purchases without amounts)
	 * times the probability that the customer is gone */
	for (size_t i = 0; i < m.n; i++) {
		loyal_txn_customer cu = LOYAL_TXN_CUSTOMER_INIT;
		if ((error = loyal_txn_customer_get(&cu, md->acc, m.index[i])) < 0) {
			rc = cli_lib_error(error);
			goto done;
		}
		double value = r->has_amount ? (double)cu.spend / 1e6 : (double)cu.occasions;
		double risk = value * (1.0 - r->p_alive[i]);
		key[i] = value > 0 && r->p_alive[i] < 1.0 && risk > 0 ? risk : -1.0;
	}
	if (!(perm = model_order(key, m.n))) {
		rc = CLI_EXIT_OSERR;
		goto done;
	}
	size_t top = o->top < m.n ? (size_t)o->top : m.n;
	if (!(r->calls = calloc(top ? top : 1, sizeof(*r->calls)))) {
		rc = cli_oom();
		goto done;
	}
	for (size_t k = 0; k < top && key[perm[k]] > 0; k++) {
		size_t i = perm[k];
		loyal_txn_customer cu = LOYAL_TXN_CUSTOMER_INIT;
		if ((error = loyal_txn_customer_get(&cu, md->acc, m.index[i])) < 0) {
			rc = cli_lib_error(error);
			goto done;
		}
		struct report_call *call = &r->calls[r->ncalls++];
		call->id = cu.id;
		call->last_day = cu.last_day;
		call->purchases = cu.occasions;
		call->spend = (double)cu.spend / 1e6;
		call->p_alive = r->p_alive[i];
		call->at_risk = key[i];
	}
	r->model_state = REPORT_OK;
done:
	model_customers_dispose(&m);
	free(ey);
	free(key);
	free(perm);
	return rc;
}

/* RFM segments and value tiers of every customer at the as-of date: the
 * library calls of loyal segment --summary and loyal tiers --summary with
 * their defaults (5 bins and R's rfm table; high 20%, mid 30%). Both
 * rank net spend: without amounts there is nothing to rank. */
static int segment_figures(struct report_orders *r)
{
	loyal_rfm_options ro = LOYAL_RFM_OPTIONS_INIT;
	loyal_value_tier_options vo = LOYAL_VALUE_TIER_OPTIONS_INIT;
	int error;

	if (!r->d.has_amount) {
		r->seg_state = REPORT_NO_AMOUNTS;
		return 0;
	}
	r->m = (loyal_measures)LOYAL_MEASURES_INIT;
	if ((error = loyal_txn_window_new(&r->w, r->d.acc, NULL, r->as_of, 0)) < 0 ||
	    (error = loyal_txn_window_measures(&r->m, r->w)) < 0 ||
	    (error = loyal_rfm_compute(&r->rfm, &r->m, &ro)) < 0 ||
	    (error = loyal_tiers_by_value(&r->tiers, &r->m, &vo)) < 0)
		return cli_lib_error(error);
	r->seg_state = r->m.n ? REPORT_OK : REPORT_NO_DATA;
	return 0;
}

int report_orders_load(struct report_orders *r, struct report_opts *o)
{
	char *files[2] = { (char *)o->orders_path, NULL };
	int rc;

	memset(r, 0, sizeof(*r));
	r->rep_state = r->ret_state = r->coh_state = r->inact_state = r->model_state =
		r->seg_state = REPORT_NOT_GIVEN;
	if (!o->orders_path)
		return 0;
	if ((rc = txn_load(&r->d, &o->co, &o->t, files, 1)) != 0)
		return rc;
	if ((rc = order_figures(r, o)) != 0 || (rc = segment_figures(r)) != 0)
		return rc;
	return model_figures(r, o);
}

void report_orders_dispose(struct report_orders *r)
{
	loyal_rfm_free(r->rfm);
	loyal_tiers_free(r->tiers);
	loyal_txn_window_free(r->w);
	loyal_txn_retention_free(r->ret);
	loyal_txn_cohorts_free(r->coh);
	free(r->p_alive);
	free(r->calls);
	txn_data_dispose(&r->d);
	if (r->dd_loaded)
		txn_data_dispose(&r->dd);
}
