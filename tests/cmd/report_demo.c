/*
 * report_demo: writes a demonstration page of every building block of
 * `loyal report` (cmd/html.c, cmd/svg_chart.c) from fixed arrays: the
 * sample files' figures (as loyal nps, retention and csat print them) and
 * the edge cases a chart must survive (one point, all equal, missing
 * values, nothing at all, hostile and CJK names, more rows than the caps).
 * The tests check its HTML (check_html.py) and render it in headless
 * Chromium (render_png.py).
 *
 *     report_demo [--lang en|zh] OUT.html
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "html.h"
#include "svg_chart.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const months[] = { "2025-01", "2025-02", "2025-03", "2025-04",
				      "2025-05", "2025-06", "2025-07", "2025-08",
				      "2025-09", "2025-10", "2025-11", "2025-12" };

/* loyal nps data/survey.csv --by channel --period month */
static const double app_nps[] = { 2.5, -12.1, -2.1, -3.8, 16.0, 0.0, 24.0, -2.0, -9.3, 12.8, 21.8, 19.6 };
static const double app_moe[] = { 24.5, 27.5, 24.7, 22.6, 23.1, 25.2, 23.9, 25.0, 25.6, 24.0, 21.8, 19.4 };
static const double phone_nps[] = { -20.8, -10.7, 5.6, 18.8, 19.0, -10.0, -38.9, 0.0, -16.1, -14.8, -14.8, -27.6 };
static const double store_nps[] = { 22.4, 29.5, 51.2, 56.9, 52.7, 50.0, 45.9, 41.0, 38.7, 49.4, 37.1, 32.8 };

static void band(const double *y, const double *moe, size_t n, double *lo, double *hi)
{
	for (size_t i = 0; i < n; i++) {
		lo[i] = fmax(-100, y[i] - moe[i]);
		hi[i] = fmin(100, y[i] + moe[i]);
	}
}

static void kpis(struct html *h)
{
	const struct html_kpi k[] = {
		{ .label = html_label(h, HTML_L_NPS), .has_value = 1, .value = 21.8, .digits = 1,
		  .has_margin = 1, .margin = 21.8, .has_change = 1, .change = 9.1, .significant = 0,
		  .note = "55 responses" },
		{ .label = html_label(h, HTML_L_CSAT), .has_value = 1, .value = 50.0, .digits = 1,
		  .unit = "%", .has_change = 1, .change = -4.2, .significant = 1 },
		{ .label = html_label(h, HTML_L_REPURCHASE), .has_value = 1, .value = 35.7,
		  .digits = 1, .unit = "%", .has_change = 1, .change = 0.04, .significant = -1 },
		{ .label = html_label(h, HTML_L_RETENTION), .has_value = 1, .value = 12.7,
		  .digits = 1, .unit = "%", .has_change = 1, .change = -15.5, .significant = -1 },
		{ .label = html_label(h, HTML_L_CHURN), .has_value = 1, .value = 87.3, .digits = 1,
		  .unit = "%", .has_change = 1, .change = 15.5, .significant = -1,
		  .good = HTML_DOWN_IS_GOOD, .note = "as of 2011-12-09" },
		{ .label = html_label(h, HTML_L_CHURN), .has_value = 1, .value = 64.1, .digits = 1,
		  .unit = "%", .has_change = 1, .change = -2.3, .significant = 1,
		  .good = HTML_DOWN_IS_GOOD },
		{ .label = html_label(h, HTML_L_ACTIVE), .has_value = 1, .value = 30, .digits = 0,
		  .has_change = 1, .change = -49, .significant = -1, .good = HTML_NEUTRAL },
		{ .label = "<P(alive)> & \"mean\"", .has_value = 0 },
	};
	html_section_begin(h, html_label(h, HTML_L_SEC_KPIS));
	html_kpi_tiles(h, k, N(k));
	html_section_end(h);
}

static void nps_trend(struct html *h)
{
	double lo[12], hi[12];
	band(app_nps, app_moe, 12, lo, hi);
	struct svg_series s = { .name = "app", .y = app_nps, .lo = lo, .hi = hi };
	struct svg_line_chart c = {
		.title = html_label(h, HTML_L_SEC_NPS_TREND), .x = months, .n = 12,
		.series = &s, .nseries = 1, .digits = 1, .y_title = "NPS",
		.band_name = html_label(h, HTML_L_BAND_95), .has_limits = 1, .lo_limit = -100,
		.hi_limit = 100, .has_ref = 1, .ref = 0,
	};
	html_section_begin(h, html_label(h, HTML_L_SEC_NPS_TREND));
	svg_line_chart(h, &c);

	/* several groups: a legend, no value labels */
	struct svg_series three[] = {
		{ .name = "app", .y = app_nps },
		{ .name = "phone", .y = phone_nps },
		{ .name = "store 门店", .y = store_nps },
	};
	c.series = three;
	c.nseries = 3;
	svg_line_chart(h, &c);
	html_section_end(h);
}

static void edge_lines(struct html *h)
{
	static const double one[] = { 42.0 };
	static const double one_lo[] = { 30.5 }, one_hi[] = { 53.5 };
	static const double same[] = { 20.0, 20.0, 20.0, 20.0 };
	static const double gaps[] = { 10.0, NAN, 14.0, 15.5, NAN, NAN, 9.0, 12.0 };
	static const double gaps_lo[] = { 5.0, NAN, 9.0, 11.0, NAN, NAN, 2.0, NAN };
	static const double gaps_hi[] = { 15.0, NAN, 19.0, 20.0, NAN, NAN, 16.0, NAN };
	static const double none[] = { NAN, NAN, NAN };
	static const double neg[] = { -100.0, -100.0, -95.5 };
	double days[400];
	const char *day_labels[400];
	char day_text[400][12];

	html_section_begin(h, "Edge cases: one period, all equal, gaps, none, limits, 400 days");
	struct svg_series s1 = { .y = one, .lo = one_lo, .hi = one_hi };
	struct svg_line_chart c = { .title = "one period", .x = months, .n = 1, .series = &s1,
				    .nseries = 1, .digits = 1, .y_title = "NPS",
				    .band_name = html_label(h, HTML_L_BAND_95) };
	svg_line_chart(h, &c);
	struct svg_series s2 = { .y = same };
	c = (struct svg_line_chart){ .title = "all equal", .x = months, .n = 4, .series = &s2,
				     .nseries = 1, .digits = 1, .y_title = "%" };
	svg_line_chart(h, &c);
	struct svg_series s3 = { .y = gaps, .lo = gaps_lo, .hi = gaps_hi };
	c = (struct svg_line_chart){ .title = "gaps", .x = months, .n = 8, .series = &s3,
				     .nseries = 1, .digits = 1, .y_title = "%",
				     .band_name = html_label(h, HTML_L_BAND_95), .include_zero = 1 };
	svg_line_chart(h, &c);
	struct svg_series s4 = { .y = none };
	c = (struct svg_line_chart){ .title = "nothing", .x = months, .n = 3, .series = &s4,
				     .nseries = 1, .digits = 1 };
	svg_line_chart(h, &c);
	struct svg_series s5 = { .y = neg };
	c = (struct svg_line_chart){ .title = "at the limit", .x = months, .n = 3, .series = &s5,
				     .nseries = 1, .digits = 1, .y_title = "NPS", .has_limits = 1,
				     .lo_limit = -100, .hi_limit = 100, .has_ref = 1, .ref = 0 };
	svg_line_chart(h, &c);
	/* a daily period over 400 days: the latest 120 are drawn, labels thinned */
	for (size_t i = 0; i < 400; i++) {
		days[i] = 30 + 10 * sin((double)i / 9.0) + (double)(i % 7);
		snprintf(day_text[i], sizeof(day_text[i]), "d%03zu", i + 1);
		day_labels[i] = day_text[i];
	}
	struct svg_series s6 = { .y = days };
	c = (struct svg_line_chart){ .title = "400 days", .x = day_labels, .n = 400, .series = &s6,
				     .nseries = 1, .digits = 1, .y_title = "%", .include_zero = 1,
				     .has_limits = 1, .lo_limit = 0, .hi_limit = 100 };
	svg_line_chart(h, &c);
	html_section_end(h);
}

static void nps_groups(struct html *h)
{
	static const char *const rows[] = {
		"app", "phone", "store 门店", "web", "<b>&amp;\"x\"</b>\x1f\x7f",
		"a channel name far too long to be shown whole in the label column of the chart",
		"没有答卷的渠道",
	};
	static const double pct[] = {
		39.3, 41.1, 19.6,  27.6, 17.2, 55.2,  50.0, 32.8, 17.2,  45.8, 36.4, 17.8,
		100.0, 0.0, 0.0,   2.0, 3.0, 95.0,    NAN, NAN, NAN,
	};
	static const double nps[] = { 19.6, -27.6, 32.8, 28.0, 100.0, -93.0, NAN };
	const char *parts[] = { html_label(h, HTML_L_PROMOTERS), html_label(h, HTML_L_PASSIVES),
				html_label(h, HTML_L_DETRACTORS) };
	static const char *const colours[] = { "#1a9850", "#c9c9c9", "#d73027" };
	struct svg_stack_chart c = {
		.title = html_label(h, HTML_L_SEC_NPS_GROUPS), .rows = rows, .nrows = N(rows),
		.parts = parts, .colours = colours, .nparts = 3, .pct = pct, .digits = 1,
		.value_title = "NPS", .value = nps, .value_digits = 1,
	};
	html_section_begin(h, html_label(h, HTML_L_SEC_NPS_GROUPS));
	svg_stack_chart(h, &c);
	c.max_rows = 3;
	c.value = NULL;
	svg_stack_chart(h, &c);
	html_section_end(h);
}

static void csat(struct html *h)
{
	static const char *const x[] = { "1", "2", "3", "4", "5" };
	static const double y[] = { 0, 1, 1, 0, 2 };
	static const unsigned char tone[] = { SVG_TONE_BAD, SVG_TONE_BAD, SVG_TONE_MID,
					      SVG_TONE_GOOD, SVG_TONE_GOOD };
	static const double zeros[] = { 0, 0, 0, 0, 0 };
	struct svg_bar_chart c = { .title = html_label(h, HTML_L_SEC_CSAT_DIST), .x = x, .n = 5,
				   .y = y, .digits = 0, .x_title = html_label(h, HTML_L_SCORE),
				   .y_title = html_label(h, HTML_L_RESPONSES), .tone = tone };
	html_section_begin(h, html_label(h, HTML_L_SEC_CSAT_DIST));
	svg_bar_chart(h, &c);
	c.y = zeros;
	c.title = "no answers yet";
	svg_bar_chart(h, &c);
	html_section_end(h);
}

static void p_alive(struct html *h)
{
	static const char *const bins[] = { "0.0–0.1", "0.1–0.2", "0.2–0.3", "0.3–0.4", "0.4–0.5",
					    "0.5–0.6", "0.6–0.7", "0.7–0.8", "0.8–0.9", "0.9–1.0" };
	double x[500], counts[10];
	unsigned long s = 12345;

	/* a U-shaped P(alive) sample, as BG/NBD gives: many near 0 and 1 */
	for (size_t i = 0; i < N(x); i++) {
		s = s * 6364136223846793005UL + 1442695040888963407UL;
		double u = (double)(s >> 11) / 9007199254740992.0;
		x[i] = i % 3 ? pow(u, 3) : 1 - pow(u, 4);
	}
	x[7] = NAN; /* not counted: reported by the function */
	svg_histogram_bins(x, N(x), 0, 1, 10, counts);
	struct svg_bar_chart c = { .title = html_label(h, HTML_L_SEC_P_ALIVE), .x = bins, .n = 10,
				   .y = counts, .digits = 0, .x_title = html_label(h, HTML_L_P_ALIVE),
				   .y_title = html_label(h, HTML_L_CUSTOMERS) };
	html_section_begin(h, html_label(h, HTML_L_SEC_P_ALIVE));
	svg_bar_chart(h, &c);
	html_section_end(h);
}

static void retention(struct html *h)
{
	static const char *const periods[] = { "2011-01", "2011-02", "2011-03", "2011-04",
					       "2011-05", "2011-06", "2011-07", "2011-08",
					       "2011-09", "2011-10", "2011-11", "2011-12" };
	/* loyal retention data/orders.csv --period month */
	static const double r[] = { 33.7, 31.8, 35.9, 21.2, 31.9, 32.5, 33.7, 35.7, 35.9, 31.5, 28.2, 12.7 };
	struct svg_series s = { .y = r };
	struct svg_line_chart c = { .title = html_label(h, HTML_L_SEC_RETENTION), .x = periods,
				    .n = 12, .series = &s, .nseries = 1, .digits = 1, .y_title = "%",
				    .include_zero = 1, .has_limits = 1, .lo_limit = 0, .hi_limit = 100 };
	html_section_begin(h, html_label(h, HTML_L_SEC_RETENTION));
	svg_line_chart(h, &c);
	html_section_end(h);
}

static void cohorts(struct html *h)
{
	static const char *const rows[] = { "2010-12", "2011-01", "2011-02", "2011-03", "2011-04",
					    "2011-05", "2011-06", "2011-07", "2011-08", "2011-09",
					    "2011-10", "2011-11", "2011-12" };
	static const char *const cols[] = { "0", "1", "2", "3", "4", "5", "6",
					    "7", "8", "9", "10", "11", "12" };
	static const double customers[] = { 104, 72, 53, 50, 54, 52, 40, 38, 34, 39, 44, 31, 9 };
	/* loyal retention data/orders.csv --cohorts */
#define M NAN
	static const double v[13 * 13] = {
		100.0, 33.7, 17.3, 16.3, 10.6, 14.4, 9.6, 7.7, 6.7, 4.8, 7.7, 3.8, 1.9,
		100.0, 29.2, 29.2, 9.7, 22.2, 9.7, 6.9, 6.9, 5.6, 2.8, 4.2, 4.2, M,
		100.0, 30.2, 20.8, 15.1, 13.2, 3.8, 5.7, 5.7, 7.5, 1.9, 3.8, M, M,
		100.0, 22.0, 12.0, 8.0, 6.0, 6.0, 8.0, 6.0, 4.0, 4.0, M, M, M,
		100.0, 31.5, 13.0, 16.7, 7.4, 5.6, 3.7, 5.6, 0.0, M, M, M, M,
		100.0, 38.5, 32.7, 26.9, 15.4, 17.3, 17.3, 0.0, M, M, M, M, M,
		100.0, 40.0, 25.0, 15.0, 17.5, 5.0, 0.0, M, M, M, M, M, M,
		100.0, 31.6, 26.3, 13.2, 7.9, 0.0, M, M, M, M, M, M, M,
		100.0, 29.4, 17.6, 5.9, 5.9, M, M, M, M, M, M, M, M,
		100.0, 33.3, 20.5, 5.1, M, M, M, M, M, M, M, M, M,
		100.0, 25.0, 9.1, M, M, M, M, M, M, M, M, M, M,
		100.0, 12.9, M, M, M, M, M, M, M, M, M, M, M,
		100.0, M, M, M, M, M, M, M, M, M, M, M, M,
	};
	struct svg_heatmap c = {
		.title = html_label(h, HTML_L_SEC_COHORTS), .corner = html_label(h, HTML_L_COHORT),
		.rows = rows, .nrows = 13, .cols = cols, .ncols = 13,
		.cols_title = html_label(h, HTML_L_PERIODS_SINCE_FIRST), .v = v, .digits = 1,
		.extra_title = html_label(h, HTML_L_CUSTOMERS), .extra = customers,
		.extra_digits = 0, .first_scaled_col = 1,
	};
	html_section_begin(h, html_label(h, HTML_L_SEC_COHORTS));
	svg_heatmap(h, &c);
	html_section_end(h);

	/* 40 weekly cohorts of 40 periods: cut to the latest 24 rows and the
	 * columns that fit the page */
	static double big[40 * 40];
	static char names[40][16], colnames[40][8];
	const char *bigrows[40], *bigcols[40];
	for (size_t r = 0; r < 40; r++) {
		snprintf(names[r], sizeof(names[r]), "2024-W%02zu", r + 1);
		snprintf(colnames[r], sizeof(colnames[r]), "%zu", r);
		bigrows[r] = names[r];
		bigcols[r] = colnames[r];
		for (size_t j = 0; j < 40; j++)
			big[r * 40 + j] = j == 0 ? 100.0 : r + j >= 40 ? NAN : 60.0 * exp(-0.15 * (double)j) + (double)((r * 7 + j * 3) % 5);
	}
	c.rows = bigrows;
	c.nrows = 40;
	c.cols = bigcols;
	c.ncols = 40;
	c.v = big;
	c.extra = NULL;
	html_section_begin(h, "Cohort retention, 40 weekly cohorts (capped)");
	svg_heatmap(h, &c);
	html_section_end(h);
}

static void call_list(struct html *h)
{
	static const struct cli_column cols[] = {
		{ "customer", CLI_T_STR, 0 },  { "segment", CLI_T_GROUP, 0 },
		{ "p_alive", CLI_T_NUM, 4 },   { "clv", CLI_T_NUM, 2 },
		{ "orders", CLI_T_INT, 0 },    { "lapsed", CLI_T_BOOL, 0 },
	};
	const char *headers[] = { "customer", "segment", html_label(h, HTML_L_P_ALIVE), "CLV",
				  "orders", "lapsed" };
	static const struct cli_value cells[] = {
		{ .s = "14911" }, { .s = "Champions" }, { .d = 0.0312 }, { .d = 1520.5 }, { .i = 201 }, { .i = 1 },
		{ .s = "<script>alert(1)</script>" }, { .s = "At risk & \"lapsing\"" }, { .d = 0.1 }, { .d = 980.0 }, { .i = 12 }, { .i = 0 },
		{ .s = "王小明\x01\x1b[31m" }, { .s = "高价值客户" }, { .d = -0.0 }, { .d = 640.25 }, { .i = 9 }, { .i = 1 },
		{ .s = "bad utf-8 \xff\xfe here" }, { .null = 1 }, { .null = 1 }, { .d = 10.0 }, { .i = 3 }, { .i = 0 },
		{ .s = "a customer identifier that is very long indeed, longer than any column should be" }, { .s = "x" }, { .d = 0.2 }, { .d = 5.0 }, { .i = 1 }, { .i = 0 },
	};
	html_section_begin(h, html_label(h, HTML_L_SEC_CALL_LIST));
	html_table(h, cols, headers, N(cols), cells, 5, 4, 40);
	html_section_end(h);

	html_section_begin(h, html_label(h, HTML_L_SEC_SEGMENTS));
	html_missing(h, "no --orders file was given");
	html_section_end(h);
}

int main(int argc, char **argv)
{
	enum html_lang lang = HTML_LANG_EN;
	const char *path = NULL;
	struct html h;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--lang") && i + 1 < argc) {
			if (html_lang_parse(argv[++i], &lang)) {
				fprintf(stderr, "report_demo: unknown language '%s'\n", argv[i]);
				return 64;
			}
		} else {
			path = argv[i];
		}
	}
	if (!path) {
		fprintf(stderr, "usage: report_demo [--lang en|zh] OUT.html\n");
		return 64;
	}
	FILE *fp = fopen(path, "w");
	if (!fp) {
		perror(path);
		return 73;
	}
	html_init(&h, fp, lang);
	html_page_begin(&h, lang == HTML_LANG_ZH ? "客户忠诚度报告（示例）" : "Loyalty report (demo)",
			"data/survey.csv & data/orders.csv <as of 2011-12-09> \"demo\"");
	kpis(&h);
	nps_trend(&h);
	nps_groups(&h);
	csat(&h);
	retention(&h);
	cohorts(&h);
	p_alive(&h);
	call_list(&h);
	edge_lines(&h);
	html_page_end(&h);
	int bad = fflush(fp) != 0 || html_status(&h) != 0;
	if (fclose(fp) != 0 || bad) {
		fprintf(stderr, "report_demo: write error on '%s'\n", path);
		return 74;
	}
	return 0;
}
