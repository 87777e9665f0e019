/* loyal report: one self-contained HTML page of the figures of the survey
 * and order commands (see loyal-report(1)). */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli_file.h"
#include "report.h"
#include "svg_chart.h"

static const struct cli_command_info info = {
	"report",
	"loyal report [options] [--survey FILE] [--orders FILE] -o FILE",
	"One self-contained HTML page for the people who act on the numbers: key figures,\n"
	"charts and the customers most worth a call, from a survey export (NPS, CSAT)\n"
	"and an order export (repurchase, retention, cohorts, churn). Either input alone\n"
	"gives the sections it can; the others say why they are empty.",
};

#define DEFAULT_TOP 20
#define DEFAULT_INACTIVE 90

/* A label formatted into buf (the labels' formats are this program's). */
static const char *labelf(char *buf, size_t size, const struct html *h, enum html_label id, ...)
{
	va_list ap;

	va_start(ap, id);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vsnprintf(buf, size, html_label(h, id), ap);
#pragma GCC diagnostic pop
	va_end(ap);
	return buf;
}

static const char *u64(char *buf, size_t size, uint64_t v)
{
	snprintf(buf, size, "%llu", (unsigned long long)v);
	return buf;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* ---- page parts --------------------------------------------------------- */

struct page {
	struct html h;
	struct report_opts *o;
	struct report_survey *sv;
	struct report_orders *od;
};

/* A section without data says why. */
static void missing(struct page *p, enum report_state st, const char *column)
{
	struct html *h = &p->h;
	char buf[512], a[32], b[32];

	switch (st) {
	case REPORT_NOT_GIVEN:
		html_missing(h, html_label(h, column ? HTML_L_NO_SURVEY : HTML_L_NO_ORDERS));
		break;
	case REPORT_NO_COLUMN:
		html_missing(h, labelf(buf, sizeof(buf), h, HTML_L_NO_COLUMN_F,
				       base_name(p->o->survey_path), column));
		break;
	case REPORT_ONE_PERIOD:
		html_missing(h, html_label(h, HTML_L_ONE_PERIOD));
		break;
	case REPORT_TOO_LONG:
		html_missing(h, labelf(buf, sizeof(buf), h, HTML_L_TOO_LONG_F,
				       u64(a, sizeof(a), p->od->span),
				       u64(b, sizeof(b), p->od->span > 10000 ? 10000 : 1000)));
		break;
	case REPORT_NO_AMOUNTS:
		html_missing(h, html_label(h, HTML_L_NO_AMOUNTS));
		break;
	case REPORT_MODEL_FAILED:
		html_missing(h, html_label(h, HTML_L_MODEL_FAILED));
		break;
	case REPORT_STDIN_ONCE:
		html_missing(h, html_label(h, HTML_L_STDIN_ONCE));
		break;
	case REPORT_NO_DATES:
		html_missing(h, labelf(buf, sizeof(buf), h, HTML_L_NO_DATES_F,
				       base_name(p->o->survey_path)));
		break;
	case REPORT_OK:
	case REPORT_NO_DATA:
		html_missing(h, NULL);
		break;
	}
}

static void kpis(struct page *p)
{
	struct html *h = &p->h;
	const struct report_survey *sv = p->sv;
	const struct report_orders *od = p->od;
	struct html_kpi k[6];
	char notes[6][256], a[32], b[32];
	size_t n = 0;

	memset(k, 0, sizeof(k));
	/* NPS of the latest period, with the change from the one before */
	k[n].label = html_label(h, HTML_L_NPS);
	k[n].digits = 1;
	k[n].significant = -1;
	if (sv->nps_state == REPORT_OK) {
		const struct report_nps_point *pt = &sv->trend[sv->ntrend - 1];
		k[n].has_value = 1;
		k[n].value = pt->r.nps;
		k[n].has_margin = 1;
		k[n].margin = pt->r.moe95;
		k[n].has_change = pt->has_change;
		k[n].change = pt->change;
		k[n].significant = pt->significant;
		k[n].note = sv->undated
			? labelf(notes[n], sizeof(notes[n]), h, HTML_L_ALL_ANSWERS_F,
				 u64(a, sizeof(a), pt->r.responses))
			: labelf(notes[n], sizeof(notes[n]), h, HTML_L_IN_PERIOD_F, pt->key,
				 u64(a, sizeof(a), pt->r.responses));
	}
	n++;
	/* CSAT of the latest period */
	k[n].label = html_label(h, HTML_L_CSAT);
	k[n].digits = 1;
	k[n].unit = "%";
	k[n].significant = -1;
	if (sv->csat_state == REPORT_OK) {
		size_t i = sv->ncsat;
		while (i > 0 && !sv->csat[i - 1].ok)
			i--;
		if (i > 0) {
			const struct report_csat_point *pt = &sv->csat[i - 1];
			k[n].has_value = 1;
			k[n].value = pt->r.csat;
			if (i > 1 && sv->csat[i - 2].ok) {
				k[n].has_change = 1;
				k[n].change = pt->r.csat - sv->csat[i - 2].r.csat;
			}
			k[n].note = sv->undated
				? labelf(notes[n], sizeof(notes[n]), h, HTML_L_ALL_ANSWERS_F,
					 u64(a, sizeof(a), pt->r.responses))
				: labelf(notes[n], sizeof(notes[n]), h, HTML_L_IN_PERIOD_F, pt->key,
					 u64(a, sizeof(a), pt->r.responses));
		}
	}
	n++;
	/* repurchase rate over the whole range */
	k[n].label = html_label(h, HTML_L_REPURCHASE);
	k[n].digits = 1;
	k[n].unit = "%";
	k[n].significant = -1;
	if (od->rep_state == REPORT_OK && !isnan(od->rep.repurchase_rate)) {
		k[n].has_value = 1;
		k[n].value = od->rep.repurchase_rate;
		k[n].note = labelf(notes[n], sizeof(notes[n]), h, HTML_L_REPEAT_NOTE_F,
				   u64(a, sizeof(a), od->rep.repeat_customers),
				   u64(b, sizeof(b), od->rep.customers));
	}
	n++;
	/* period retention and active customers of the latest whole period */
	const loyal_txn_retention_row *rr = od->ret_state == REPORT_OK ? &od->ret[od->kpi_row] : NULL;
	const loyal_txn_retention_row *rp = rr && od->kpi_row > 0 ? rr - 1 : NULL;
	char key[REPORT_KEY] = "";
	if (rr) {
		loyal_period_key(key, sizeof(key), p->o->co.period, rr->period);
		labelf(notes[n], sizeof(notes[n]), h, rr->complete ? HTML_L_LATEST_COMPLETE_F
								  : HTML_L_PARTIAL_F, key);
	}
	k[n].label = html_label(h, HTML_L_RETENTION);
	k[n].digits = 1;
	k[n].unit = "%";
	k[n].significant = -1;
	if (rr && !isnan(rr->retention)) {
		k[n].has_value = 1;
		k[n].value = rr->retention;
		k[n].has_change = rp && !isnan(rp->retention);
		k[n].change = rp ? rr->retention - rp->retention : 0;
		k[n].note = notes[n];
	}
	n++;
	/* churn rate at as-of */
	k[n].label = html_label(h, HTML_L_CHURN);
	k[n].digits = 1;
	k[n].unit = "%";
	k[n].significant = -1;
	k[n].good = HTML_DOWN_IS_GOOD;
	if (od->inact_state == REPORT_OK) {
		k[n].has_value = 1;
		k[n].value = od->inact.churn_rate;
		k[n].note = labelf(notes[n], sizeof(notes[n]), h, HTML_L_INACTIVE_F,
				   u64(a, sizeof(a), p->o->inactive_days));
	}
	n++;
	k[n].label = html_label(h, HTML_L_ACTIVE);
	k[n].digits = 0;
	k[n].significant = -1;
	if (rr) {
		k[n].has_value = 1;
		k[n].value = (double)rr->active;
		k[n].has_change = rp != NULL;
		k[n].change = rp ? (double)rr->active - (double)rp->active : 0;
		k[n].note = notes[n - 2];
	}
	n++;
	html_section_begin(h, html_label(h, HTML_L_SEC_KPIS));
	html_kpi_tiles(h, k, n);
	html_section_end(h);
}

static void nps_trend(struct page *p)
{
	struct html *h = &p->h;
	const struct report_survey *sv = p->sv;
	size_t n = sv->ntrend;

	html_section_begin(h, html_label(h, HTML_L_SEC_NPS_TREND));
	if (sv->nps_state != REPORT_OK || sv->undated) {
		missing(p, sv->nps_state == REPORT_OK ? REPORT_NO_DATES : sv->nps_state, "NPS");
		html_section_end(h);
		return;
	}
	double *y = malloc(n * sizeof(double)), *lo = malloc(n * sizeof(double)),
	       *hi = malloc(n * sizeof(double));
	const char **x = malloc(n * sizeof(*x));
	if (!y || !lo || !hi || !x) {
		h->failed = 1;
	} else {
		for (size_t i = 0; i < n; i++) {
			const loyal_nps_result *r = &sv->trend[i].r;
			x[i] = sv->trend[i].key;
			y[i] = r->nps;
			lo[i] = fmax(-100.0, r->nps - r->moe95);
			hi[i] = fmin(100.0, r->nps + r->moe95);
		}
		struct svg_series s = { .y = y, .lo = lo, .hi = hi };
		struct svg_line_chart c = {
			.title = html_label(h, HTML_L_SEC_NPS_TREND), .x = x, .n = n, .series = &s,
			.nseries = 1, .digits = 1, .y_title = "NPS",
			.band_name = html_label(h, HTML_L_BAND_95), .has_limits = 1,
			.lo_limit = -100, .hi_limit = 100, .has_ref = 1, .ref = 0,
		};
		svg_line_chart(h, &c);
	}
	free(y);
	free(lo);
	free(hi);
	free(x);
	html_section_end(h);
}

static void nps_groups(struct page *p)
{
	struct html *h = &p->h;
	const struct report_survey *sv = p->sv;
	size_t n = sv->ngroups;

	html_section_begin(h, html_label(h, HTML_L_SEC_NPS_GROUPS));
	if (sv->nps_state != REPORT_OK || n == 0) {
		missing(p, sv->nps_state, "NPS");
		html_section_end(h);
		return;
	}
	const char **rows = malloc(n * sizeof(*rows));
	double *pct = malloc(3 * n * sizeof(double)), *nps = malloc(n * sizeof(double));
	if (!rows || !pct || !nps) {
		h->failed = 1;
	} else {
		const char *parts[] = { html_label(h, HTML_L_PROMOTERS), html_label(h, HTML_L_PASSIVES),
					html_label(h, HTML_L_DETRACTORS) };
		static const char *const colours[] = { "#1a9850", "#c9c9c9", "#d73027" };
		for (size_t i = 0; i < n; i++) {
			const loyal_nps_result *r = &sv->group_r[i];
			rows[i] = p->o->cs.by.n ? sv->group[i] : html_label(h, HTML_L_ALL);
			pct[3 * i] = r->promoters_pct;
			pct[3 * i + 1] = r->passives_pct;
			pct[3 * i + 2] = r->detractors_pct;
			nps[i] = r->nps;
		}
		struct svg_stack_chart c = {
			.title = html_label(h, HTML_L_SEC_NPS_GROUPS), .rows = rows, .nrows = n,
			.parts = parts, .colours = colours, .nparts = 3, .pct = pct, .digits = 1,
			.value_title = "NPS", .value = nps, .value_digits = 1,
		};
		svg_stack_chart(h, &c);
	}
	free(rows);
	free(pct);
	free(nps);
	html_section_end(h);
}

static void csat_dist(struct page *p)
{
	struct html *h = &p->h;
	const struct report_survey *sv = p->sv;
	char names[11][8], buf[256], a[32];
	const char *x[11];
	double y[11];
	unsigned char tone[11];

	html_section_begin(h, html_label(h, HTML_L_SEC_CSAT_DIST));
	if (sv->csat_state != REPORT_OK) {
		missing(p, sv->csat_state, "CSAT");
		html_section_end(h);
		return;
	}
	int np = sv->hi - sv->lo + 1;
	uint64_t total = 0;
	for (int k = 0; k < np; k++) {
		int point = sv->lo + k;
		snprintf(names[k], sizeof(names[k]), "%d", point);
		x[k] = names[k];
		y[k] = (double)sv->csat_all.counts[k];
		total += sv->csat_all.counts[k];
		/* the top two boxes count as satisfied (loyal-csat(1)) */
		tone[k] = point >= sv->hi - 1 ? SVG_TONE_GOOD : point == sv->hi - 2 ? SVG_TONE_MID
										: SVG_TONE_BAD;
	}
	struct svg_bar_chart c = { .title = html_label(h, HTML_L_SEC_CSAT_DIST), .x = x,
				   .n = (size_t)np, .y = y, .digits = 0,
				   .x_title = html_label(h, HTML_L_SCORE),
				   .y_title = html_label(h, HTML_L_RESPONSES), .tone = tone };
	svg_bar_chart(h, &c);
	html_note(h, labelf(buf, sizeof(buf), h, HTML_L_CSAT_DIST_F, u64(a, sizeof(a), total)));
	html_section_end(h);
}

static void retention(struct page *p)
{
	struct html *h = &p->h;
	const struct report_orders *od = p->od;
	size_t n = od->nret;
	char buf[256];

	html_section_begin(h, html_label(h, HTML_L_SEC_RETENTION));
	if (od->ret_state != REPORT_OK) {
		missing(p, od->ret_state, NULL);
		html_section_end(h);
		return;
	}
	char (*keys)[REPORT_KEY] = malloc(n * sizeof(*keys));
	const char **x = malloc(n * sizeof(*x));
	double *y = malloc(n * sizeof(double));
	if (!keys || !x || !y) {
		h->failed = 1;
	} else {
		for (size_t i = 0; i < n; i++) {
			loyal_period_key(keys[i], sizeof(keys[i]), p->o->co.period, od->ret[i].period);
			x[i] = keys[i];
			y[i] = od->ret[i].retention;
		}
		struct svg_series s = { .y = y };
		struct svg_line_chart c = { .title = html_label(h, HTML_L_SEC_RETENTION), .x = x,
					    .n = n, .series = &s, .nseries = 1, .digits = 1,
					    .y_title = "%", .include_zero = 1, .has_limits = 1,
					    .lo_limit = 0, .hi_limit = 100 };
		svg_line_chart(h, &c);
		if (!od->ret[n - 1].complete)
			html_note(h, labelf(buf, sizeof(buf), h, HTML_L_PARTIAL_F, keys[n - 1]));
	}
	free(keys);
	free(x);
	free(y);
	html_section_end(h);
}

static void cohorts(struct page *p)
{
	struct html *h = &p->h;
	const struct report_orders *od = p->od;
	size_t n = od->ncoh, width = 0;
	char buf[256];

	html_section_begin(h, html_label(h, HTML_L_SEC_COHORTS));
	if (od->coh_state != REPORT_OK) {
		missing(p, od->coh_state, NULL);
		html_section_end(h);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (od->coh[i].ncells > width)
			width = od->coh[i].ncells;
	char (*rkeys)[REPORT_KEY] = malloc(n * sizeof(*rkeys));
	char (*ckeys)[24] = malloc(width * sizeof(*ckeys));
	const char **rows = malloc(n * sizeof(*rows)), **cols = malloc(width * sizeof(*cols));
	double *v = malloc(n * width * sizeof(double)), *extra = malloc(n * sizeof(double));
	if (!rkeys || !ckeys || !rows || !cols || !v || !extra) {
		h->failed = 1;
	} else {
		for (size_t k = 0; k < width; k++) {
			snprintf(ckeys[k], sizeof(ckeys[k]), "%zu", k);
			cols[k] = ckeys[k];
		}
		for (size_t i = 0; i < n; i++) {
			const loyal_txn_cohort_row *r = &od->coh[i];
			loyal_period_key(rkeys[i], sizeof(rkeys[i]), p->o->co.period, r->cohort);
			rows[i] = rkeys[i];
			extra[i] = (double)r->customers;
			for (size_t k = 0; k < width; k++)
				v[i * width + k] = k < r->ncells ? r->retention[k] : NAN;
		}
		struct svg_heatmap c = {
			.title = html_label(h, HTML_L_SEC_COHORTS), .corner = html_label(h, HTML_L_COHORT),
			.rows = rows, .nrows = n, .cols = cols, .ncols = width,
			.cols_title = html_label(h, HTML_L_PERIODS_SINCE_FIRST), .v = v, .digits = 1,
			.extra_title = html_label(h, HTML_L_CUSTOMERS), .extra = extra,
			.extra_digits = 0, .first_scaled_col = 1,
		};
		svg_heatmap(h, &c);
		if (od->coh[n - 1].complete_cells < od->coh[n - 1].ncells) {
			char key[REPORT_KEY];
			loyal_period_key(key, sizeof(key), p->o->co.period,
					 od->coh[n - 1].cohort + (int64_t)od->coh[n - 1].ncells - 1);
			html_note(h, labelf(buf, sizeof(buf), h, HTML_L_PARTIAL_F, key));
		}
	}
	free(rkeys);
	free(ckeys);
	free(rows);
	free(cols);
	free(v);
	free(extra);
	html_section_end(h);
}

static void p_alive(struct page *p)
{
	struct html *h = &p->h;
	const struct report_orders *od = p->od;
	static const char *const bins[] = { "0.0-0.1", "0.1-0.2", "0.2-0.3", "0.3-0.4", "0.4-0.5",
					    "0.5-0.6", "0.6-0.7", "0.7-0.8", "0.8-0.9", "0.9-1.0" };
	double counts[10];
	char buf[512], a[32];

	html_section_begin(h, html_label(h, HTML_L_SEC_P_ALIVE));
	if (od->model_state != REPORT_OK) {
		missing(p, od->model_state, NULL);
		html_section_end(h);
		return;
	}
	svg_histogram_bins(od->p_alive, od->ncust, 0.0, 1.0, 10, counts);
	struct svg_bar_chart c = { .title = html_label(h, HTML_L_SEC_P_ALIVE), .x = bins, .n = 10,
				   .y = counts, .digits = 0, .x_title = html_label(h, HTML_L_P_ALIVE),
				   .y_title = html_label(h, HTML_L_CUSTOMERS) };
	svg_bar_chart(h, &c);
	html_note(h, labelf(buf, sizeof(buf), h, HTML_L_P_ALIVE_NOTE_F, u64(a, sizeof(a), od->ncust),
			    model_title(od->model_kind)));
	html_section_end(h);
}

static void call_list(struct page *p)
{
	struct html *h = &p->h;
	const struct report_orders *od = p->od;
	int amounts = od->d.has_amount;

	html_section_begin(h, html_label(h, HTML_L_SEC_CALL_LIST));
	if (od->model_state != REPORT_OK) {
		missing(p, od->model_state, NULL);
		html_section_end(h);
		return;
	}
	if (od->ncalls == 0) {
		html_missing(h, html_label(h, HTML_L_CALL_NONE));
		html_section_end(h);
		return;
	}
	/* decimals as the subcommands' table format: summary's net_spend,
	 * churn's p_alive */
	struct cli_column cols[6];
	const char *heads[6];
	size_t nc = 0;
	cols[nc] = (struct cli_column){ "customer", CLI_T_STR, 0 };
	heads[nc++] = html_label(h, HTML_L_COL_CUSTOMER);
	cols[nc] = (struct cli_column){ "last_purchase", CLI_T_STR, 0 };
	heads[nc++] = html_label(h, HTML_L_COL_LAST);
	cols[nc] = (struct cli_column){ "purchases", CLI_T_INT, 0 };
	heads[nc++] = html_label(h, HTML_L_COL_PURCHASE_DAYS);
	if (amounts) {
		cols[nc] = (struct cli_column){ "net_spend", CLI_T_NUM, 2 };
		heads[nc++] = html_label(h, HTML_L_COL_NET_SPEND);
	}
	cols[nc] = (struct cli_column){ "p_alive", CLI_T_NUM, 4 };
	heads[nc++] = html_label(h, HTML_L_P_ALIVE);
	cols[nc] = (struct cli_column){ "value_at_risk", CLI_T_NUM, 2 };
	heads[nc++] = html_label(h, HTML_L_COL_AT_RISK);

	struct cli_value *cells = calloc(od->ncalls * nc, sizeof(*cells));
	char (*days)[16] = malloc(od->ncalls * sizeof(*days));
	if (!cells || !days) {
		h->failed = 1;
	} else {
		for (size_t i = 0; i < od->ncalls; i++) {
			const struct report_call *c = &od->calls[i];
			struct cli_value *v = cells + i * nc;
			size_t k = 0;
			loyal_date_format(days[i], sizeof(days[i]), c->last_day);
			v[k++] = CLI_STR(c->id);
			v[k++] = CLI_STR(days[i]);
			v[k++] = CLI_INT(c->purchases);
			if (amounts)
				v[k++] = CLI_NUM(c->spend);
			v[k++] = CLI_NUM(c->p_alive);
			v[k++] = CLI_NUM(c->at_risk);
		}
		html_table(h, cols, heads, nc, cells, od->ncalls, 0, 40);
		html_note(h, html_label(h, HTML_L_CALL_NOTE));
	}
	free(cells);
	free(days);
	html_section_end(h);
}

/* ---- segments and value tiers ------------------------------------------ */

/* Fills of the default RFM table's segments, in its order (best first,
 * lost last, Others grey), and of the value tiers high, mid, low. */
static const char *const segment_fill[] = {
	"#1a9850", "#66bd63", "#a6d96a", "#2f6fb0", "#74add1", "#fee08b",
	"#fdae61", "#f46d43", "#d73027", "#a50026", "#9ca3af",
};
static const char *const tier_fill[] = { "#1a9850", "#a6d96a", "#d9d9d9" };

/* A row of the segments' or the tiers' summary, as the page shows it. */
struct share_row {
	const char *name;
	uint64_t customers;
	double customers_pct, spend, spend_pct, mean_spend;
};

/*
 * One block of the section: two stacked bars, the share of customers and
 * the share of net spend of each row with customers, then the table of
 * every row (the columns and decimals of loyal segment/tiers --summary the
 * page has room for), then the note.
 */
static void share_block(struct page *p, enum html_label name_label, const char *const *fills,
			size_t nfills, const struct share_row *x, size_t n, enum html_label note)
{
	static const struct cli_column cols[] = {
		{ "name", CLI_T_STR, 0 }, { "customers", CLI_T_INT, 0 },
		{ "customers_pct", CLI_T_NUM, 1 }, { "spend", CLI_T_NUM, 2 },
		{ "spend_pct", CLI_T_NUM, 1 }, { "mean_spend", CLI_T_NUM, 2 },
	};
	struct html *h = &p->h;
	const char *heads[] = {
		html_label(h, name_label), html_label(h, HTML_L_CUSTOMERS),
		html_label(h, HTML_L_COL_CUSTOMERS_PCT), html_label(h, HTML_L_COL_NET_SPEND),
		html_label(h, HTML_L_COL_SPEND_PCT), html_label(h, HTML_L_COL_MEAN_SPEND),
	};
	const char *rows[2] = { html_label(h, HTML_L_CUSTOMERS), html_label(h, HTML_L_COL_NET_SPEND) };
	size_t m = n ? n : 1, k = 0;
	const char **parts = malloc(m * sizeof(*parts));
	const char **colours = malloc(m * sizeof(*colours));
	double *pct = malloc(2 * m * sizeof(*pct));
	struct cli_value *cells = calloc(m * 6, sizeof(*cells));

	if (!parts || !colours || !pct || !cells) {
		h->failed = 1;
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		k += x[i].customers > 0;
	for (size_t i = 0, j = 0; i < n; i++) {
		struct cli_value *v = cells + i * 6;
		v[0] = CLI_STR(x[i].name);
		v[1] = CLI_INT(x[i].customers);
		v[2] = txn_num(x[i].customers_pct);
		v[3] = CLI_NUM(x[i].spend);
		v[4] = txn_num(x[i].spend_pct);
		v[5] = txn_num(x[i].mean_spend);
		if (!x[i].customers)
			continue;
		parts[j] = x[i].name;
		colours[j] = i < nfills ? fills[i] : "#6b7280";
		pct[j] = x[i].customers_pct;
		pct[k + j] = x[i].spend_pct;
		j++;
	}
	struct svg_stack_chart c = { .title = heads[0], .rows = rows, .nrows = 2, .parts = parts,
				     .colours = colours, .nparts = k, .pct = pct, .digits = 1 };
	svg_stack_chart(h, &c);
	html_table(h, cols, heads, 6, cells, n, 0, 40);
	html_note(h, html_label(h, note));
done:
	free(parts);
	free(colours);
	free(pct);
	free(cells);
}

static void segments(struct page *p)
{
	struct html *h = &p->h;
	const struct report_orders *od = p->od;

	html_section_begin(h, html_label(h, HTML_L_SEC_SEGMENTS));
	if (od->seg_state != REPORT_OK) {
		missing(p, od->seg_state, NULL);
		html_section_end(h);
		return;
	}
	/* one group (the report has no --by for orders): rows in table order */
	size_t ns = loyal_rfm_summary_count(od->rfm), nt = loyal_tiers_summary_count(od->tiers);
	struct share_row *x = malloc(((ns > nt ? ns : nt) + 1) * sizeof(*x));
	if (!x) {
		h->failed = 1;
		html_section_end(h);
		return;
	}
	for (size_t k = 0; k < ns; k++) {
		const loyal_rfm_summary_row *r = loyal_rfm_summary_at(od->rfm, k);
		x[k] = (struct share_row){
			html_name_text(h->lang, loyal_rfm_segment_name(od->rfm, r->segment)),
			r->customers, r->customers_pct, r->spend, r->spend_pct, r->mean_spend };
	}
	share_block(p, HTML_L_COL_SEGMENT, segment_fill,
		    sizeof(segment_fill) / sizeof(segment_fill[0]), x, ns, HTML_L_SEGMENTS_NOTE);
	for (size_t k = 0; k < nt; k++) {
		const loyal_tiers_summary_row *r = loyal_tiers_summary_at(od->tiers, k);
		x[k] = (struct share_row){
			html_name_text(h->lang, loyal_tiers_tier_name(od->tiers, r->tier)),
			r->customers, r->customers_pct, r->spend, r->spend_pct, r->mean_spend };
	}
	share_block(p, HTML_L_COL_TIER, tier_fill, sizeof(tier_fill) / sizeof(tier_fill[0]), x, nt,
		    HTML_L_TIERS_NOTE);
	free(x);
	html_section_end(h);
}

static void inputs(struct page *p)
{
	struct html *h = &p->h;
	const struct report_survey *sv = p->sv;
	const struct report_orders *od = p->od;
	static const struct cli_column cols[] = {
		{ "input", CLI_T_STR, 0 }, { "file", CLI_T_STR, 0 }, { "read", CLI_T_INT, 0 },
		{ "used", CLI_T_INT, 0 },  { "skipped", CLI_T_INT, 0 }, { "details", CLI_T_STR, 0 },
	};
	const char *heads[] = { html_label(h, HTML_L_COL_INPUT), html_label(h, HTML_L_COL_FILE),
				html_label(h, HTML_L_COL_READ), html_label(h, HTML_L_COL_USED),
				html_label(h, HTML_L_COL_SKIPPED), html_label(h, HTML_L_COL_DETAILS) };
	struct cli_value cells[2 * 6];
	char details[2][512], n[5][32], buf[128];
	size_t rows = 0;

	html_section_begin(h, html_label(h, HTML_L_SEC_INPUTS));
	if (p->o->survey_path) {
		const struct survey_stats *st = sv->nps_ran ? &sv->nps_st : &sv->csat_st;
		struct cli_value *v = cells + 6 * rows;
		v[0] = CLI_STR(html_label(h, HTML_L_SURVEY));
		v[1] = CLI_STR(p->o->survey_path);
		v[2] = CLI_INT(st->rows);
		v[3] = CLI_INT(st->used);
		v[4] = CLI_INT(st->blank_rows + st->invalid + st->filtered);
		v[5] = CLI_STR(labelf(details[rows], sizeof(details[rows]), h, HTML_L_SURVEY_DETAILS_F,
				      u64(n[0], 32, sv->nps_st.used), u64(n[1], 32, sv->csat_st.used),
				      u64(n[2], 32, st->blank_rows), u64(n[3], 32, st->invalid),
				      u64(n[4], 32, st->filtered)));
		rows++;
	}
	if (p->o->orders_path) {
		const struct txn_data *d = &od->d;
		uint64_t skipped = d->lib.return_only_rows;
		for (int k = 1; k < TXN_SKIP__COUNT; k++)
			skipped += d->skipped[k];
		struct cli_value *v = cells + 6 * rows;
		v[0] = CLI_STR(html_label(h, HTML_L_ORDERS));
		v[1] = CLI_STR(p->o->orders_path);
		v[2] = CLI_INT(d->rows);
		v[3] = CLI_INT(d->lib.rows - d->lib.return_only_rows);
		v[4] = CLI_INT(skipped);
		v[5] = CLI_STR(labelf(details[rows], sizeof(details[rows]), h, HTML_L_ORDERS_DETAILS_F,
				      u64(n[0], 32, d->skipped[TXN_SKIP_GUEST]),
				      u64(n[1], 32, d->skipped[TXN_SKIP_RANGE]),
				      u64(n[2], 32, d->skipped[TXN_SKIP_AS_OF]),
				      u64(n[3], 32, d->lib.return_only_rows),
				      u64(n[4], 32, d->skipped[TXN_SKIP_INVALID])));
		rows++;
	}
	html_table(h, cols, heads, 6, cells, rows, 0, 0);
	if (p->o->orders_path) {
		char day[16];
		loyal_date_format(day, sizeof(day), od->as_of);
		html_note(h, labelf(buf, sizeof(buf), h, HTML_L_AS_OF_F, day));
	}
	html_raw(h, "<p class=\"note\">");
	html_text(h, html_label(h, HTML_L_DEFINITIONS));
	html_raw(h, h->lang == HTML_LANG_ZH ? "\xEF\xBC\x9A" : ": ");
	html_text(h, "loyal-nps(1), loyal-csat(1), loyal-repurchase(1), loyal-retention(1), "
		     "loyal-churn(1), loyal-segment(1), loyal-tiers(1), loyal-report(1)");
	html_raw(h, "</p>\n");
	html_section_end(h);
}

static void write_page(struct page *p, const char *title)
{
	struct html *h = &p->h;
	char sub[256], a[128], b[128];

	b[0] = '\0';
	if (p->o->orders_path) {
		char day[16];
		loyal_date_format(day, sizeof(day), p->od->as_of);
		labelf(b, sizeof(b), h, HTML_L_AS_OF_F, day);
	}
	/* the period asked for (an undated survey has none of its own) */
	labelf(a, sizeof(a), h, HTML_L_PERIOD_F, loyal_period_name(p->o->co.period));
	snprintf(sub, sizeof(sub), "%s%s%s", b, b[0] ? " \xC2\xB7 " : "", a);
	html_page_begin(h, title ? title : html_label(h, HTML_L_TITLE), sub);
	kpis(p);
	nps_trend(p);
	nps_groups(p);
	csat_dist(p);
	retention(p);
	cohorts(p);
	p_alive(p);
	call_list(p);
	segments(p);
	inputs(p);
	html_page_end(h);
}

/* ---- the command -------------------------------------------------------- */

/* The command's options, its computed figures (report_data.c), and the
 * page's title and target. */
struct report_run {
	struct report_opts o;
	struct report_survey sv;
	struct report_orders od;
	const char *title, *output;
};

/* The options, checked; the inputs registered. */
static int parse(struct report_run *R, int argc, char **argv)
{
	struct report_opts *op = &R->o;
	const char *lang = NULL, *top_text = NULL, *inactive_text = NULL;
	int nargs, rc, explicit_dash = 0;
	struct cli_common *cs = &op->cs, *co = &op->co;
	const struct cli_opt opts[] = {
		CLI_OPT_GROUP("Report"),
		CLI_OPT_STRING(0, "survey", "FILE", &op->survey_path,
			       "survey export: NPS and CSAT sections"),
		CLI_OPT_STRING(0, "orders", "FILE", &op->orders_path,
			       "order export: repurchase, retention, cohort and churn sections"),
		CLI_OPT_STRING(0, "title", "TEXT", &R->title,
			       "the page's title (default: Customer loyalty report)"),
		CLI_OPT_STRING(0, "lang", "LANG", &lang, "labels in en (default) or zh; numbers identical"),
		CLI_OPT_STRING(0, "top", "N", &top_text,
			       "customers in the call list (default 20)"),
		CLI_OPT_STRING(0, "inactive", "DAYS", &inactive_text,
			       "churn rate: customers with no purchase for more than DAYS (default 90)"),
		CLI_OPT_GROUP("Survey"),
		CLI_OPT_STRING(0, "score-col", "NAME", &op->score_col,
			       "column holding the 0-10 answer (default: found by header name)"),
		CLI_OPT_STRING(0, "csat-col", "NAME", &op->csat_col,
			       "column holding the satisfaction answer (default: found by header name)"),
		CLI_OPT_STRING(0, "scale", "LO-HI", &op->scale,
			       "satisfaction scale: 1-5 (default), 1-7, 1-10, 0-10"),
		CLI_OPT_STRING(0, "labels", "MAP", &op->labels_arg,
			       "text answers' points: 'TEXT=POINT,...' or a file of text,point lines"),
		CLI_OPT_LIST(0, "by", "COL", &cs->by,
			     "promoters, passives and detractors per value of COL (repeatable)"),
		CLI_OPT_STRING(0, "survey-encoding", "ENC", &cs->encoding,
			       "the survey's encoding: gb18030, gbk, utf-16... (default UTF-8)"),
		CLI_OPT_STRING(0, "survey-delimiter", "CHAR", &cs->delimiter,
			       "the survey's field delimiter (default: detected)"),
		CLI_OPT_STRING(0, "survey-date-col", "NAME", &cs->date_col,
			       "the survey's date column (default: found by header name)"),
		CLI_OPT_STRING(0, "survey-date-format", "FMT", &cs->date_format,
			       "strptime-style format of the survey's dates"),
		TXN_OPTS_INPUT(&op->t),
		CLI_OPT_STRING(0, "orders-encoding", "ENC", &co->encoding,
			       "the order file's encoding (default UTF-8)"),
		CLI_OPT_STRING(0, "orders-delimiter", "CHAR", &co->delimiter,
			       "the order file's field delimiter (default: detected)"),
		CLI_OPT_STRING(0, "orders-date-col", "NAME", &co->date_col,
			       "the order file's date column (default: found by header name)"),
		CLI_OPT_STRING(0, "orders-date-format", "FMT", &co->date_format,
			       "strptime-style format of the order file's dates"),
		CLI_OPT_THREADS(co),
		MODEL_OPTS(&op->mo),
		CLI_OPT_GROUP("Periods"),
		CLI_OPT_STRING(0, "period", "P", &cs->period_name,
			       "NPS, CSAT, retention and cohort periods: day, week, month (default), "
			       "quarter, year"),
		CLI_OPT_STRING(0, "from", "DATE", &cs->from, "ignore rows dated before DATE"),
		CLI_OPT_STRING(0, "to", "DATE", &cs->to, "ignore rows dated after DATE"),
		CLI_OPT_GROUP("Output"),
		CLI_OPT_STRING('o', "output", "FILE", &R->output,
			       "write the page to FILE atomically (default: standard output)"),
		CLI_OPT_STRING(0, "max-field-size", "BYTES", &cs->max_field_size,
			       "reject fields longer than BYTES (default 16777216)"),
		CLI_OPT_FLAG('q', "quiet", &cs->quiet, "no summary lines or notes on standard error"),
		CLI_OPT_END
	};

	for (int i = 1; i < argc; i++)
		explicit_dash |= !strcmp(argv[i], "-") &&
				 (i == 1 || argv[i - 1][0] != '-' || !strcmp(argv[i - 1], "-"));
	if ((rc = cli_parse(&info, opts, argc, argv, &nargs)) != CLI_CONTINUE)
		return rc;
	/* inputs are options: an operand is a mistake (an implicit standard
	 * input, which cli_parse adds when it is a pipe, is not) */
	if (nargs > 1 || (nargs == 1 && (strcmp(argv[0], "-") || explicit_dash)))
		return cli_usage_error(&info, "unexpected operand '%s': give the inputs with --survey "
				       "and --orders", argv[0]);
	if (!op->survey_path && !op->orders_path)
		return cli_usage_error(&info, "no input: give --survey FILE, --orders FILE or both");
	{
		char *names[3];
		int n = 0;
		if (op->survey_path)
			names[n++] = (char *)op->survey_path;
		if (op->orders_path)
			names[n++] = (char *)op->orders_path;
		names[n] = NULL;
		static char *kept[3];
		memcpy(kept, names, sizeof(names));
		if ((rc = cli_inputs_register(&info, kept, n)) != CLI_CONTINUE)
			return rc;
	}
	if (R->output && strcmp(R->output, "-") && cli_target_check(R->output) != CLI_CONTINUE)
		return CLI_EXIT_USAGE;
	if (!cs->period_name)
		cs->period_name = "month";
	/* hints name the date options as the report spells them */
	cs->date_opt_prefix = "survey-";
	co->date_opt_prefix = "orders-";
	/* the orders share the periods, range, limits and quietness */
	co->period_name = cs->period_name;
	co->from = cs->from;
	co->to = cs->to;
	co->max_field_size = cs->max_field_size;
	co->quiet = cs->quiet;
	cs->threads = co->threads;
	if ((rc = cli_common_finish(&info, cs)) != CLI_CONTINUE)
		return rc;
	if ((rc = cli_common_finish(&info, co)) != CLI_CONTINUE ||
	    (rc = txn_opts_finish(&info, &op->t)) != CLI_CONTINUE ||
	    (rc = model_opts_finish(&info, &op->mo, co)) != CLI_CONTINUE)
		return rc;
	op->lang = HTML_LANG_EN;
	if (lang && html_lang_parse(lang, &op->lang) < 0)
		return cli_usage_error(&info, "unknown language '%s' (en or zh)", lang);
	op->top = DEFAULT_TOP;
	if (top_text && model_parse_top(&info, &op->top, top_text))
		return CLI_EXIT_USAGE;
	op->inactive_days = DEFAULT_INACTIVE;
	if (inactive_text &&
	    cli_parse_count(&op->inactive_days, "--inactive", inactive_text, 0, INT32_MAX))
		return CLI_EXIT_USAGE;
	if (op->scale) {
		int lo, hi;
		if (loyal_csat_parse_scale(&lo, &hi, op->scale) < 0)
			return cli_usage_error(&info, "--scale: %s", loyal_error_last()->reason);
	}
	return CLI_CONTINUE;
}

/* Every figure of the page, from the survey and the orders. */
static int compute(struct report_run *R)
{
	int rc;

	if ((rc = report_survey_load(&R->sv, &R->o)) != 0)
		return rc;
	return report_orders_load(&R->od, &R->o);
}

/* The page, to -o FILE (atomically) or standard output. */
static int render(struct report_run *R)
{
	struct cli_common oc = { 0 };
	struct cli_out *out = NULL;
	int rc;

	oc.format = CLI_FMT_RAW;
	oc.output = R->output;
	if ((rc = cli_out_open(&out, &oc, NULL, 0)) != 0)
		return cli_out_close(out, rc);
	struct page p = { .o = &R->o, .sv = &R->sv, .od = &R->od };
	html_init(&p.h, cli_out_stream(out), R->o.lang);
	write_page(&p, R->title);
	if (p.h.failed)
		rc = cli_oom(); /* a write error is cli_out_close's to report */
	return cli_out_close(out, rc);
}

int cmd_report(int argc, char **argv)
{
	struct report_run R;
	int rc;

	memset(&R, 0, sizeof(R));
	if ((rc = parse(&R, argc, argv)) == CLI_CONTINUE && (rc = compute(&R)) == 0)
		rc = render(&R);
	report_survey_dispose(&R.sv);
	report_orders_dispose(&R.od);
	return rc;
}
