/* Unit tests of the report's page writer and charts: cmd/html.c,
 * cmd/html_labels.c and cmd/svg_chart.c. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"
#include "html.h"
#include "svg_chart.h"

/* ---- capturing what a writer writes ----------------------------------- */

struct capture {
	FILE *fp;
	char *buf;
	size_t len;
	struct html h;
};

static void cap_open(struct capture *c, enum html_lang lang)
{
	c->buf = NULL;
	c->len = 0;
	c->fp = open_memstream(&c->buf, &c->len);
	assert_non_null(c->fp);
	html_init(&c->h, c->fp, lang);
}

/* Finish and return the text written (freed by cap_free). */
static const char *cap_text(struct capture *c)
{
	assert_int_equal(fflush(c->fp), 0);
	assert_int_equal(html_status(&c->h), 0);
	fclose(c->fp);
	c->fp = NULL;
	return c->buf;
}

static void cap_free(struct capture *c)
{
	if (c->fp)
		fclose(c->fp);
	free(c->buf);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

#define assert_contains(hay, needle) do { \
	if (!strstr((hay), (needle))) { \
		print_error("expected to find \"%s\" in:\n%.4000s\n", (needle), (hay)); \
		_fail(__FILE__, __LINE__); \
	} \
} while (0)

#define assert_lacks(hay, needle) do { \
	const char *at__ = strstr((hay), (needle)); \
	if (at__) { \
		print_error("did not expect \"%s\" at: %.200s\n", (needle), at__); \
		_fail(__FILE__, __LINE__); \
	} \
} while (0)

static const char *escaped(struct capture *c, const char *s)
{
	cap_open(c, HTML_LANG_EN);
	html_text(&c->h, s);
	return cap_text(c);
}

/* ---- text -------------------------------------------------------------- */

static void test_cmd_html_escape_markup(void **state)
{
	struct capture c;
	(void)state;
	assert_string_equal(escaped(&c, "<a href=\"x\">&'b'</a>"),
			    "&lt;a href=&quot;x&quot;&gt;&amp;&#39;b&#39;&lt;/a&gt;");
	cap_free(&c);
	assert_string_equal(escaped(&c, "plain 满意度 text"), "plain 满意度 text");
	cap_free(&c);
}

static void test_cmd_html_escape_control_chars(void **state)
{
	struct capture c;
	(void)state;
	/* C0, DEL and C1 (U+0085 as C2 85) show as spaces, as in the table */
	assert_string_equal(escaped(&c, "a\x01\tb\nc\x1b[31m\x7f" "d\xC2\x85" "e"),
			    "a  b c [31m d e");
	cap_free(&c);
}

static void test_cmd_html_escape_invalid_utf8(void **state)
{
	struct capture c;
	(void)state;
	/* a stray byte, an overlong '/', a surrogate, a truncated sequence,
	 * a noncharacter: each becomes U+FFFD; a real U+FFFD stays one */
	assert_string_equal(escaped(&c, "x\xFFy"), "x\xEF\xBF\xBDy");
	cap_free(&c);
	assert_string_equal(escaped(&c, "\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");
	cap_free(&c);
	assert_string_equal(escaped(&c, "\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
	cap_free(&c);
	assert_string_equal(escaped(&c, "ab\xE6\xBB"), "ab\xEF\xBF\xBD\xEF\xBF\xBD");
	cap_free(&c);
	assert_string_equal(escaped(&c, "\xEF\xBF\xBE"), "\xEF\xBF\xBD");
	cap_free(&c);
	assert_string_equal(escaped(&c, "\xEF\xBF\xBD"), "\xEF\xBF\xBD");
	cap_free(&c);
	assert_string_equal(escaped(&c, "\xF0\x9F\x98\x80 \xF4\x90\x80\x80"),
			    "\xF0\x9F\x98\x80 \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
	cap_free(&c);
}

static void test_cmd_html_text_n_cuts_at_characters(void **state)
{
	struct capture c;
	(void)state;
	cap_open(&c, HTML_LANG_EN);
	html_text_n(&c.h, "满意", 4); /* the second character is cut: left out */
	assert_string_equal(cap_text(&c), "满");
	cap_free(&c);
}

static void test_cmd_html_text_cut_by_display_width(void **state)
{
	struct capture c;
	(void)state;
	cap_open(&c, HTML_LANG_EN);
	html_text_cut(&c.h, "满意度调查", 5);
	assert_string_equal(cap_text(&c), "满意…");
	cap_free(&c);
	cap_open(&c, HTML_LANG_EN);
	html_text_cut(&c.h, "a<cdef", 4);
	assert_string_equal(cap_text(&c), "a&lt;c…");
	cap_free(&c);
	/* combining marks stay with their letter */
	cap_open(&c, HTML_LANG_EN);
	html_text_cut(&c.h, "e\xCC\x81" "e\xCC\x81" "e\xCC\x81", 2);
	assert_string_equal(cap_text(&c), "e\xCC\x81…");
	cap_free(&c);
	cap_open(&c, HTML_LANG_EN);
	html_text_cut(&c.h, "fits", 4);
	html_text_cut(&c.h, "nolimit", 0);
	assert_string_equal(cap_text(&c), "fitsnolimit");
	cap_free(&c);
}

static void test_cmd_html_display_width(void **state)
{
	(void)state;
	assert_int_equal(html_display_width(""), 0);
	assert_int_equal(html_display_width("abc"), 3);
	assert_int_equal(html_display_width("满意"), 4);
	assert_int_equal(html_display_width("e\xCC\x81"), 1);
	assert_int_equal(html_display_width("\xFF"), 1);
	assert_int_equal(html_display_width("ＡＢ"), 4); /* fullwidth forms */
}

static void test_cmd_html_format_number_as_table(void **state)
{
	char b[64];
	(void)state;
	assert_string_equal(html_format_number(b, sizeof(b), 21.8, 1), "21.8");
	assert_string_equal(html_format_number(b, sizeof(b), -12.14, 1), "-12.1");
	assert_string_equal(html_format_number(b, sizeof(b), -0.04, 1), "0.0");
	assert_string_equal(html_format_number(b, sizeof(b), -0.0, 4), "0.0000");
	assert_string_equal(html_format_number(b, sizeof(b), 100, 1), "100.0");
	assert_string_equal(html_format_number(b, sizeof(b), 1520.25, 0), "1520");
	assert_string_equal(html_format_number(b, sizeof(b), NAN, 1), "-");
	assert_string_equal(html_format_number(b, sizeof(b), INFINITY, 1), "-");
	assert_string_equal(html_format_number(b, sizeof(b), -INFINITY, 1), "-");
}

/* ---- labels ------------------------------------------------------------ */

static int has_cjk(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p)
		if (html_char_is_wide(html_utf8_next(&p)))
			return 1;
	return 0;
}

/* The conversions of a printf format, e.g. "%zu%zu%s" ("%%" left out). */
static void conversions(const char *fmt, char *out, size_t size)
{
	size_t n = 0;
	for (const char *p = fmt; *p; p++) {
		if (*p != '%')
			continue;
		if (p[1] == '%') {
			p++;
			continue;
		}
		const char *q = p + 1;
		while (*q && !strchr("diouxXeEfgGsc", *q))
			q++;
		assert_true(*q);
		for (const char *r = p; r <= q && n + 1 < size; r++)
			out[n++] = *r;
		p = q;
	}
	out[n] = '\0';
}

static void test_cmd_html_labels_complete(void **state)
{
	static const enum html_label formats[] = {
		HTML_L_GENERATED_BY_F, HTML_L_MORE_ROWS_F, HTML_L_EARLIER_POINTS_F,
		HTML_L_EARLIER_COHORTS_F, HTML_L_LATER_COLUMNS_F, HTML_L_MORE_SERIES_F,
		HTML_L_AS_OF_F, HTML_L_PERIOD_F, HTML_L_NO_COLUMN_F, HTML_L_TOO_LONG_F,
		HTML_L_IN_PERIOD_F, HTML_L_LATEST_COMPLETE_F, HTML_L_PARTIAL_F, HTML_L_INACTIVE_F,
		HTML_L_REPEAT_NOTE_F, HTML_L_CSAT_DIST_F, HTML_L_P_ALIVE_NOTE_F,
		HTML_L_SURVEY_DETAILS_F, HTML_L_ORDERS_DETAILS_F,
	};
	(void)state;
	for (int id = 0; id < HTML_L_COUNT; id++) {
		const char *en = html_label_text(HTML_LANG_EN, (enum html_label)id);
		const char *zh = html_label_text(HTML_LANG_ZH, (enum html_label)id);
		if (!*en || !*zh || has_cjk(en) || !has_cjk(zh)) {
			print_error("label %d: en \"%s\", zh \"%s\"\n", id, en, zh);
			fail();
		}
	}
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		char a[64], b[64];
		conversions(html_label_text(HTML_LANG_EN, formats[i]), a, sizeof(a));
		conversions(html_label_text(HTML_LANG_ZH, formats[i]), b, sizeof(b));
		assert_true(strlen(a) > 0);
		assert_string_equal(a, b);
	}
	assert_string_equal(html_label_text(HTML_LANG_EN, HTML_L_COUNT), "");
}

static void test_cmd_html_lang(void **state)
{
	enum html_lang l = HTML_LANG_COUNT;
	(void)state;
	assert_int_equal(html_lang_parse("zh", &l), 0);
	assert_int_equal(l, HTML_LANG_ZH);
	assert_int_equal(html_lang_parse("en", &l), 0);
	assert_int_equal(l, HTML_LANG_EN);
	assert_int_equal(html_lang_parse("EN", &l), -1);
	assert_int_equal(html_lang_parse("fr", &l), -1);
	assert_int_equal(html_lang_parse("", &l), -1);
	assert_string_equal(html_lang_tag(HTML_LANG_ZH), "zh-Hans");
}

/* ---- page -------------------------------------------------------------- */

static void test_cmd_html_page_self_contained(void **state)
{
	struct capture c;
	(void)state;
	cap_open(&c, HTML_LANG_ZH);
	html_page_begin(&c.h, "<report> & \"title\"", NULL);
	html_section_begin(&c.h, "a <section>");
	html_missing(&c.h, "no --orders file");
	html_section_end(&c.h);
	html_page_end(&c.h);
	const char *t = cap_text(&c);
	assert_true(strncmp(t, "<!DOCTYPE html>\n<html lang=\"zh-Hans\">\n<head>\n<meta charset=\"utf-8\">",
			    strlen("<!DOCTYPE html>\n<html lang=\"zh-Hans\">\n<head>\n<meta charset=\"utf-8\">")) == 0);
	assert_contains(t, "<title>&lt;report&gt; &amp; &quot;title&quot;</title>");
	assert_contains(t, "<h2>a &lt;section&gt;</h2>");
	assert_contains(t, "无数据：no --orders file");
	assert_contains(t, "由 loyal " LOYAL_VERSION " 生成");
	assert_lacks(t, "http");
	assert_lacks(t, "<script");
	assert_lacks(t, "url(");
	assert_lacks(t, "@import");
	assert_true(strlen(t) > 0 && t[strlen(t) - 1] == '\n');
	assert_contains(t, "</html>\n");
	cap_free(&c);
}

static void test_cmd_html_write_error_reported(void **state)
{
	struct html h;
	(void)state;
	FILE *fp = fopen("/dev/full", "w");
	if (!fp)
		loyal_test_skip();
	html_init(&h, fp, HTML_LANG_EN);
	html_page_begin(&h, "t", NULL);
	for (int i = 0; i < 2000; i++)
		html_text(&h, "0123456789");
	html_page_end(&h);
	fflush(fp);
	assert_int_equal(html_status(&h), -1);
	fclose(fp);
}

/* ---- KPI tiles ------------------------------------------------------------ */

static const char *one_kpi(struct capture *c, struct html_kpi k)
{
	cap_open(c, HTML_LANG_EN);
	k.label = k.label ? k.label : "K";
	html_kpi_tiles(&c->h, &k, 1);
	return cap_text(c);
}

static void test_cmd_html_kpi_direction(void **state)
{
	struct capture c;
	const char *t;
	(void)state;
	t = one_kpi(&c, (struct html_kpi){ .has_value = 1, .value = 21.8, .digits = 1, .has_margin = 1,
					   .margin = 4.25, .has_change = 1, .change = 9.1,
					   .significant = 1 });
	assert_contains(t, ">21.8<");
	assert_contains(t, "4.2</div>"); /* as printf rounds 4.25: the table's way */
	assert_contains(t, "<div class=\"c good\">\xE2\x96\xB2 9.1</div>");
	assert_contains(t, "significant (95%)");
	cap_free(&c);
	/* churn falling is good news */
	t = one_kpi(&c, (struct html_kpi){ .has_value = 1, .value = 64.1, .digits = 1, .unit = "%",
					   .has_change = 1, .change = -2.3, .significant = -1,
					   .good = HTML_DOWN_IS_GOOD });
	assert_contains(t, "<div class=\"c good\">\xE2\x96\xBC -2.3</div>");
	assert_contains(t, "<span class=\"u\">%</span>");
	assert_lacks(t, "significant");
	cap_free(&c);
	t = one_kpi(&c, (struct html_kpi){ .has_value = 1, .value = 87.3, .digits = 1,
					   .has_change = 1, .change = 15.5, .significant = -1,
					   .good = HTML_DOWN_IS_GOOD });
	assert_contains(t, "<div class=\"c bad\">\xE2\x96\xB2 15.5</div>");
	cap_free(&c);
	/* tested and not significant: grey, and it says so */
	t = one_kpi(&c, (struct html_kpi){ .has_value = 1, .value = 1, .digits = 1, .has_change = 1,
					   .change = -14.6, .significant = 0 });
	assert_contains(t, "<div class=\"c flat\">\xE2\x96\xBC -14.6</div>");
	assert_contains(t, "not significant");
	cap_free(&c);
	/* a change that shows as 0.0 has no direction, whatever its sign */
	t = one_kpi(&c, (struct html_kpi){ .has_value = 1, .value = 1, .digits = 1, .has_change = 1,
					   .change = -0.04, .significant = 1 });
	assert_contains(t, "<div class=\"c flat\">\xE2\x96\xBA 0.0</div>");
	cap_free(&c);
	t = one_kpi(&c, (struct html_kpi){ .has_value = 1, .value = 30, .digits = 0, .has_change = 1,
					   .change = 5, .significant = -1, .good = HTML_NEUTRAL });
	assert_contains(t, "<div class=\"c flat\">\xE2\x96\xB2 5</div>");
	cap_free(&c);
}

static void test_cmd_html_kpi_no_data(void **state)
{
	struct capture c;
	const char *t;
	(void)state;
	t = one_kpi(&c, (struct html_kpi){ .label = "<NPS>", .has_value = 0, .has_change = 1,
					   .change = 3 });
	assert_contains(t, "&lt;NPS&gt;");
	assert_contains(t, "No data");
	assert_lacks(t, "\xE2\x96"); /* no arrow without a value */
	cap_free(&c);
	t = one_kpi(&c, (struct html_kpi){ .has_value = 1, .value = NAN, .has_margin = 1,
					   .margin = NAN });
	assert_contains(t, "No data");
	assert_lacks(t, "nan");
	assert_lacks(t, "\xC2\xB1");
	cap_free(&c);
}

/* ---- tables ------------------------------------------------------------ */

static void test_cmd_html_table(void **state)
{
	static const struct cli_column cols[] = {
		{ "customer", CLI_T_STR, 0 }, { "p_alive", CLI_T_NUM, 4 },
		{ "orders", CLI_T_INT, 0 },   { "lapsed", CLI_T_BOOL, 0 },
	};
	const struct cli_value cells[] = {
		{ .s = "<b>A&B</b>" }, { .d = 0.03125 }, { .i = 12 }, { .i = 1 },
		{ .s = "王小明王小明" }, { .null = 1 }, { .i = -3 }, { .i = 0 },
		{ .s = "c" }, { .d = -0.00001 }, { .i = 0 }, { .i = 0 },
	};
	const char *headers[] = { "Customer <id>", NULL, "orders", "lapsed" };
	struct capture c;
	(void)state;
	cap_open(&c, HTML_LANG_EN);
	html_table(&c.h, cols, headers, 4, cells, 3, 2, 10);
	const char *t = cap_text(&c);
	assert_contains(t, "<th>Customer &lt;id&gt;</th><th class=\"n\">p_alive</th>");
	assert_contains(t, "<td>&lt;b&gt;A&amp;B&lt;/b&gt;</td><td class=\"n\">0.0312</td>"
			   "<td class=\"n\">12</td><td>yes</td>");
	assert_contains(t, "<td>王小明王…</td><td class=\"n\">-</td><td class=\"n\">-3</td><td>no</td>");
	assert_lacks(t, "<td>c</td>");
	assert_contains(t, "1 more rows not shown (first 2 of 3)");
	assert_int_equal(count(t, "<tr>"), 3);
	cap_free(&c);

	cap_open(&c, HTML_LANG_ZH);
	html_table(&c.h, cols, NULL, 4, cells, 0, 0, 0);
	assert_contains(cap_text(&c), "无数据");
	cap_free(&c);
}

/* ---- chart building blocks --------------------------------------------- */

static void check_ticks(double lo, double hi)
{
	struct svg_ticks t;
	assert_int_equal(svg_nice_ticks(lo, hi, 5, &t), 0);
	double last = t.first + t.step * (double)(t.count - 1);
	double m = t.step / pow(10, floor(log10(t.step) + 1e-9));
	if (!(t.first <= lo + 1e-9 * fabs(lo) && last >= hi - 1e-9 * fabs(hi) && t.count >= 2 &&
	      t.count <= 12 && (fabs(m - 1) < 1e-6 || fabs(m - 2) < 1e-6 || fabs(m - 5) < 1e-6))) {
		print_error("[%g, %g]: first %g step %g count %zu\n", lo, hi, t.first, t.step,
			    t.count);
		fail();
	}
	/* the decimals show each tick exactly */
	char a[64], b[64];
	for (size_t i = 0; i < t.count; i++) {
		double v = t.first + t.step * (double)i;
		snprintf(a, sizeof(a), "%.*f", t.digits, v);
		snprintf(b, sizeof(b), "%.*f", t.digits + 3, v);
		assert_double_near(strtod(a, NULL), strtod(b, NULL), 1e-9 * fmax(1, fabs(v)));
	}
}

static void test_cmd_svg_nice_ticks(void **state)
{
	struct svg_ticks t;
	(void)state;
	assert_int_equal(svg_nice_ticks(0, 100, 5, &t), 0);
	assert_double_near(t.first, 0, 0);
	assert_double_near(t.step, 20, 0);
	assert_int_equal(t.count, 6);
	assert_int_equal(t.digits, 0);
	assert_int_equal(svg_nice_ticks(-12.1, 24, 5, &t), 0);
	assert_double_near(t.first, -20, 1e-12);
	assert_double_near(t.step, 10, 1e-12);
	assert_int_equal(t.count, 6);
	assert_int_equal(svg_nice_ticks(0, 0.37, 5, &t), 0);
	assert_double_near(t.step, 0.1, 1e-12);
	assert_int_equal(t.count, 5);
	assert_int_equal(t.digits, 1);
	/* one value: a scale around it */
	assert_int_equal(svg_nice_ticks(20, 20, 5, &t), 0);
	assert_true(t.first < 20 && t.first + t.step * (double)(t.count - 1) > 20);
	assert_int_equal(svg_nice_ticks(0, 0, 5, &t), 0);
	assert_true(t.first < 0 && t.first + t.step * (double)(t.count - 1) > 0);
	assert_int_equal(svg_nice_ticks(NAN, 1, 5, &t), -1);
	assert_int_equal(svg_nice_ticks(0, INFINITY, 5, &t), -1);
	assert_int_equal(svg_nice_ticks(3, 1, 5, &t), -1);

	static const double ranges[][2] = {
		{ -100, 100 }, { -95.5, -100 + 1e-9 }, { 0.0312, 0.0313 }, { 1, 1e6 },
		{ -3e-7, 4e-7 }, { 12.7, 35.9 }, { 0, 168 }, { 999.5, 1000.5 }, { -1e12, 1e12 },
	};
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		check_ticks(fmin(ranges[i][0], ranges[i][1]), fmax(ranges[i][0], ranges[i][1]));
	unsigned long s = 7;
	for (int i = 0; i < 2000; i++) {
		s = s * 6364136223846793005UL + 1442695040888963407UL;
		double a = ((double)(s >> 11) / 9007199254740992.0 - 0.5) * pow(10, (int)(s % 9) - 3);
		s = s * 6364136223846793005UL + 1442695040888963407UL;
		double b = a + (double)(s >> 11) / 9007199254740992.0 * pow(10, (int)(s % 7) - 2);
		check_ticks(a, b);
	}
}

static void test_cmd_svg_text_width(void **state)
{
	(void)state;
	assert_double_near(svg_text_width("", 12), 0, 0);
	assert_double_near(svg_text_width(NULL, 12), 0, 0);
	assert_double_near(svg_text_width("满意", 10), 20, 1e-9);
	assert_double_near(svg_text_width("e\xCC\x81", 10), svg_text_width("e", 10), 1e-9);
	double w = svg_text_width("2025-01", 12);
	assert_true(w > 40 && w < 56); /* DejaVu Sans: 48.6 px */
	assert_true(svg_text_width("WWW", 12) > svg_text_width("iii", 12) * 2);
	/* fit: whole characters plus an ellipsis (1 em) within the width */
	assert_int_equal(svg_text_fit("满意度调查问卷", 45, 10), 9);
	assert_int_equal(svg_text_fit("short", 100, 10), 5);
	assert_int_equal(svg_text_fit("满意", 5, 10), 0);
	assert_int_equal(svg_text_fit("e\xCC\x81" "e\xCC\x81" "e\xCC\x81", 18, 10), 3);
}

static void test_cmd_svg_heat_colour_contrast(void **state)
{
	static const unsigned char lightest[3] = { 0xde, 0xeb, 0xf7 }, darkest[3] = { 0x08, 0x30, 0x6b };
	static const unsigned char white[3] = { 255, 255, 255 }, black[3] = { 0, 0, 0 };
	unsigned char rgb[3], prev[3] = { 255, 255, 255 };
	(void)state;
	svg_heat_colour(0, rgb);
	assert_memory_equal(rgb, lightest, 3);
	svg_heat_colour(1, rgb);
	assert_memory_equal(rgb, darkest, 3);
	svg_heat_colour(-5, rgb);
	assert_memory_equal(rgb, lightest, 3);
	svg_heat_colour(NAN, rgb);
	assert_memory_equal(rgb, lightest, 3);
	svg_heat_colour(7, rgb);
	assert_memory_equal(rgb, darkest, 3);
	assert_double_near(svg_contrast(white, black), 21, 1e-9);
	for (int i = 0; i <= 1000; i++) {
		svg_heat_colour(i / 1000.0, rgb);
		/* darker as t grows: a monotone scale */
		assert_true(svg_contrast(rgb, white) + 1e-9 >= svg_contrast(prev, white));
		memcpy(prev, rgb, 3);
		const char *tc = svg_text_colour_on(rgb);
		double ratio = svg_contrast(rgb, strcmp(tc, "#ffffff") ? black : white);
		if (ratio < 4.5) {
			print_error("t = %g: contrast %.2f of %s on #%02x%02x%02x\n", i / 1000.0, ratio,
				    tc, rgb[0], rgb[1], rgb[2]);
			fail();
		}
	}
	svg_heat_colour(1, rgb);
	assert_string_equal(svg_text_colour_on(rgb), "#ffffff");
	svg_heat_colour(0, rgb);
	assert_string_equal(svg_text_colour_on(rgb), "#000000");
}

static void test_cmd_svg_histogram_bins(void **state)
{
	const double x[] = { 0, 0.05, 0.1, 0.95, 1.0, NAN, -0.1, 1.1, INFINITY, 0.5 };
	double counts[10];
	(void)state;
	assert_int_equal(svg_histogram_bins(x, 10, 0, 1, 10, counts), 4);
	assert_double_near(counts[0], 2, 0);
	assert_double_near(counts[1], 1, 0);
	assert_double_near(counts[5], 1, 0);
	assert_double_near(counts[9], 2, 0);
	double sum = 0;
	for (int i = 0; i < 10; i++)
		sum += counts[i];
	assert_double_near(sum, 6, 0);
	assert_int_equal(svg_histogram_bins(x, 10, 1, 1, 10, counts), 10);
	assert_double_near(counts[0], 0, 0);
}

/* ---- charts ------------------------------------------------------------ */

static const char *const months[] = { "2025-01", "2025-02", "2025-03", "2025-04",
				      "2025-05", "2025-06", "2025-07", "2025-08" };

static const char *line(struct capture *c, const double *y, const double *lo, const double *hi,
			size_t n)
{
	struct svg_series s = { .name = "s", .y = y, .lo = lo, .hi = hi };
	struct svg_line_chart ch = { .title = "t", .x = months, .n = n, .series = &s,
				     .nseries = 1, .digits = 1, .y_title = "NPS",
				     .band_name = "band" };
	cap_open(c, HTML_LANG_EN);
	assert_int_equal(svg_line_chart(&c->h, &ch), 0);
	return cap_text(c);
}

static void test_cmd_svg_line_cases(void **state)
{
	struct capture c;
	const char *t;
	(void)state;
	/* nothing to draw: the section says so */
	static const double none[] = { NAN, INFINITY, -INFINITY };
	t = line(&c, none, NULL, NULL, 3);
	assert_contains(t, "No data: no value to draw");
	assert_lacks(t, "<svg");
	cap_free(&c);
	t = line(&c, none, NULL, NULL, 0);
	assert_contains(t, "No data");
	cap_free(&c);
	/* one point: a dot and its band as a bar, no line */
	static const double one[] = { 42 }, one_lo[] = { 30 }, one_hi[] = { 54 };
	t = line(&c, one, one_lo, one_hi, 1);
	assert_int_equal(count(t, "<circle"), 1);
	assert_int_equal(count(t, "<path"), 0);
	assert_int_equal(count(t, "<polygon"), 0);
	assert_int_equal(count(t, "fill-opacity=\"0.18\"/>"), 2); /* band bar and legend */
	assert_contains(t, ">42.0</text>");
	cap_free(&c);
	/* all equal: a scale around the value, the value written */
	static const double same[] = { 20, 20, 20, 20 };
	t = line(&c, same, NULL, NULL, 4);
	assert_int_equal(count(t, ">20.0</text>"), 4);
	assert_int_equal(count(t, "<path"), 1);
	assert_lacks(t, "nan");
	cap_free(&c);
	/* gaps break the line: runs of 2, 1 (a dot) and 2 */
	static const double gaps[] = { 10, 11, NAN, 14, NAN, NAN, 9, 12 };
	t = line(&c, gaps, NULL, NULL, 8);
	assert_int_equal(count(t, "<path"), 2);
	assert_int_equal(count(t, "<circle"), 5);
	assert_lacks(t, "nan");
	assert_lacks(t, "inf");
	cap_free(&c);
	/* the label of every x category is written when they fit */
	assert_int_equal(count(line(&c, gaps, NULL, NULL, 8), ">2025-0"), 8);
	cap_free(&c);
}

static void test_cmd_svg_line_caps_and_thins(void **state)
{
	static double y[400];
	static char text[400][8];
	const char *x[400];
	struct capture c;
	(void)state;
	for (int i = 0; i < 400; i++) {
		y[i] = i % 50;
		snprintf(text[i], sizeof(text[i]), "d%03d", i);
		x[i] = text[i];
	}
	struct svg_series s = { .y = y };
	struct svg_line_chart ch = { .title = "t", .x = x, .n = 400, .series = &s, .nseries = 1,
				     .digits = 1 };
	cap_open(&c, HTML_LANG_EN);
	svg_line_chart(&c.h, &ch);
	const char *t = cap_text(&c);
	assert_contains(t, "280 earlier periods not shown");
	assert_lacks(t, ">d279<");
	assert_contains(t, ">d399</text>"); /* the latest label always shows */
	size_t labels = count(t, ">d");
	assert_true(labels > 5 && labels < 40);
	/* one value label (the latest) rather than 120 overlapping ones */
	assert_int_equal(count(t, "paint-order"), 1);
	assert_true(strlen(t) < 20000);
	cap_free(&c);
}

static void test_cmd_svg_line_limits(void **state)
{
	static const double y[] = { 90, 95, 99 }, lo[] = { 70, 80, 90 }, hi[] = { 110, 120, 130 };
	struct svg_series s = { .y = y, .lo = lo, .hi = hi };
	struct svg_line_chart ch = { .title = "t", .x = months, .n = 3, .series = &s, .nseries = 1,
				     .digits = 1, .has_limits = 1, .lo_limit = -100,
				     .hi_limit = 100, .has_ref = 1, .ref = 0 };
	struct capture c;
	(void)state;
	cap_open(&c, HTML_LANG_EN);
	svg_line_chart(&c.h, &ch);
	const char *t = cap_text(&c);
	/* the scale stops at 100 and goes down to the reference 0 */
	assert_contains(t, ">100</text>");
	assert_contains(t, ">0</text>");
	assert_lacks(t, ">120</text>");
	assert_contains(t, "stroke-dasharray");
	cap_free(&c);
}

/* The y of the text element whose content is `label`. */
static double label_y(const char *t, const char *label)
{
	const char *at = strstr(t, label);
	assert_non_null(at);
	while (at > t && strncmp(at, "<text", 5))
		at--;
	const char *y = strstr(at, " y=\"");
	assert_non_null(y);
	return atof(y + 4);
}

static void test_cmd_svg_line_series_labels_apart(void **state)
{
	static const double a[] = { 10, 20.0 }, b[] = { 30, 20.5 }, d[] = { 50, 60 };
	struct svg_series s[] = { { .name = "a", .y = a }, { .name = "b", .y = b },
				  { .name = "d", .y = d } };
	struct svg_line_chart ch = { .title = "t", .x = months, .n = 2, .series = s, .nseries = 3,
				     .digits = 1 };
	struct capture c;
	(void)state;
	cap_open(&c, HTML_LANG_EN);
	svg_line_chart(&c.h, &ch);
	const char *t = cap_text(&c);
	/* one label per series, the latest value; close values kept apart */
	assert_int_equal(count(t, "paint-order"), 3);
	assert_true(fabs(label_y(t, ">20.0</text>") - label_y(t, ">20.5</text>")) >= 12);
	assert_contains(t, ">60.0</text>");
	assert_lacks(t, ">10.0</text>");
	cap_free(&c);
}

static void test_cmd_svg_stack(void **state)
{
	static const char *const rows[] = { "app", "<b>&</b>", "empty", "d", "e" };
	static const char *const parts[] = { "Promoters", "Passives", "Detractors" };
	static const char *const colours[] = { "#1a9850", "red\" onload=\"alert(1)", "#d73027" };
	static const double pct[] = { 39.3, 41.1, 19.6, 100, 0, 0, NAN, NAN, NAN,
				      1, 1, 1, 2, 2, 2 };
	static const double nps[] = { 19.6, 100, NAN, 0, 0 };
	struct svg_stack_chart ch = { .title = "t", .rows = rows, .nrows = 5, .parts = parts,
				      .colours = colours, .nparts = 3, .pct = pct, .digits = 1,
				      .value_title = "NPS", .value = nps, .value_digits = 1,
				      .max_rows = 4 };
	struct capture c;
	(void)state;
	cap_open(&c, HTML_LANG_EN);
	assert_int_equal(svg_stack_chart(&c.h, &ch), 0);
	const char *t = cap_text(&c);
	assert_contains(t, ">39.3%</text>");
	assert_contains(t, ">41.1%</text>");
	assert_contains(t, ">&lt;b&gt;&amp;&lt;/b&gt;</text>");
	assert_contains(t, ">no value</text>");
	assert_contains(t, "1 more rows not shown (first 4 of 5)");
	assert_lacks(t, ">e</text>");
	assert_lacks(t, "onload");
	assert_lacks(t, "nan");
	/* rows whose rounded shares sum to 3 still fill the bar */
	assert_int_equal(count(t, "<rect"), 3 + 3 + 1 + 3); /* legend, app, <b>, d */
	cap_free(&c);

	static const double allnan[] = { NAN, NAN, NAN };
	ch = (struct svg_stack_chart){ .title = "t", .rows = rows, .nrows = 1, .parts = parts,
				       .nparts = 3, .pct = allnan, .digits = 1 };
	cap_open(&c, HTML_LANG_EN);
	svg_stack_chart(&c.h, &ch);
	assert_contains(cap_text(&c), "No data");
	cap_free(&c);
}

static void test_cmd_svg_bars(void **state)
{
	static const char *const x[] = { "1", "2", "3", "4", "5" };
	static const double y[] = { 0, 1, NAN, 3, 2 };
	static const double zeros[] = { 0, 0, 0, 0, 0 };
	static const double nans[] = { NAN, NAN, NAN, NAN, NAN };
	struct svg_bar_chart ch = { .title = "t", .x = x, .n = 5, .y = y, .digits = 0,
				    .x_title = "score" };
	struct capture c;
	(void)state;
	cap_open(&c, HTML_LANG_EN);
	svg_bar_chart(&c.h, &ch);
	const char *t = cap_text(&c);
	assert_int_equal(count(t, "<rect"), 4);
	assert_contains(t, ">3</text>");
	assert_contains(t, ">-</text>"); /* the missing value */
	assert_lacks(t, ">0.5</text>");  /* counts: whole-number ticks */
	assert_contains(t, ">score</text>");
	cap_free(&c);
	ch.y = zeros;
	cap_open(&c, HTML_LANG_EN);
	svg_bar_chart(&c.h, &ch);
	t = cap_text(&c);
	assert_contains(t, "<svg");
	assert_contains(t, ">1</text>"); /* an axis up to one */
	assert_lacks(t, ">0.2</text>");
	cap_free(&c);
	ch.y = nans;
	cap_open(&c, HTML_LANG_EN);
	svg_bar_chart(&c.h, &ch);
	assert_contains(cap_text(&c), "No data");
	cap_free(&c);
}

static void test_cmd_svg_heatmap(void **state)
{
	static double v[40 * 40];
	static char rn[40][12], cn[40][4];
	const char *rows[40], *cols[40];
	struct capture c;
	(void)state;
	for (int r = 0; r < 40; r++) {
		snprintf(rn[r], sizeof(rn[r]), "c%02d", r);
		snprintf(cn[r], sizeof(cn[r]), "%d", r);
		rows[r] = rn[r];
		cols[r] = cn[r];
		for (int j = 0; j < 40; j++)
			v[r * 40 + j] = j == 0 ? 100 : r + j >= 40 ? NAN : 50.0 - j;
	}
	struct svg_heatmap ch = { .title = "t", .corner = "cohort", .rows = rows, .nrows = 40,
				  .cols = cols, .ncols = 40, .v = v, .digits = 1,
				  .first_scaled_col = 1 };
	cap_open(&c, HTML_LANG_EN);
	assert_int_equal(svg_heatmap(&c.h, &ch), 0);
	const char *t = cap_text(&c);
	/* the latest 24 rows, the columns that fit 960 px, notes of the rest */
	assert_contains(t, "16 earlier cohorts not shown");
	assert_lacks(t, ">c15</text>");
	assert_contains(t, ">c16</text>");
	assert_contains(t, ">c39</text>");
	assert_contains(t, "not shown</p>");
	const char *w = strstr(t, "<svg width=\"");
	assert_non_null(w);
	assert_true(atof(w + strlen("<svg width=\"")) <= 960);
	size_t rects = count(t, "<rect");
	assert_true(rects <= 24 * 24 + 5);
	/* the darkest cell has white text; the uncoloured first column and
	 * missing cells are marked */
	assert_contains(t, "fill=\"#08306b\"/><text");
	assert_contains(t, "fill=\"#ffffff\">49.0</text>");
	assert_contains(t, "fill=\"#f0f2f4\"");
	assert_contains(t, ">-</text>");
	assert_lacks(t, "nan");
	cap_free(&c);

	/* caps given by the caller */
	ch.max_rows = 3;
	ch.max_cols = 4;
	cap_open(&c, HTML_LANG_EN);
	svg_heatmap(&c.h, &ch);
	t = cap_text(&c);
	assert_contains(t, "37 earlier cohorts not shown");
	assert_contains(t, "periods after 3 not shown");
	cap_free(&c);

	/* all equal: one colour, no division by zero */
	static const double eq[] = { 5, 5, 5, 5 };
	ch = (struct svg_heatmap){ .title = "t", .rows = rows, .nrows = 2, .cols = cols,
				   .ncols = 2, .v = eq, .digits = 1 };
	cap_open(&c, HTML_LANG_EN);
	svg_heatmap(&c.h, &ch);
	t = cap_text(&c);
	assert_int_equal(count(t, ">5.0</text>"), 5); /* four cells and the legend */
	assert_lacks(t, "nan");
	cap_free(&c);

	static const double none[] = { NAN, NAN };
	ch = (struct svg_heatmap){ .title = "t", .rows = rows, .nrows = 1, .cols = cols,
				   .ncols = 2, .v = none, .digits = 1 };
	cap_open(&c, HTML_LANG_EN);
	svg_heatmap(&c.h, &ch);
	assert_contains(cap_text(&c), "No data");
	cap_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmd_html_escape_markup),
		cmocka_unit_test(test_cmd_html_escape_control_chars),
		cmocka_unit_test(test_cmd_html_escape_invalid_utf8),
		cmocka_unit_test(test_cmd_html_text_n_cuts_at_characters),
		cmocka_unit_test(test_cmd_html_text_cut_by_display_width),
		cmocka_unit_test(test_cmd_html_display_width),
		cmocka_unit_test(test_cmd_html_format_number_as_table),
		cmocka_unit_test(test_cmd_html_labels_complete),
		cmocka_unit_test(test_cmd_html_lang),
		cmocka_unit_test(test_cmd_html_page_self_contained),
		cmocka_unit_test(test_cmd_html_write_error_reported),
		cmocka_unit_test(test_cmd_html_kpi_direction),
		cmocka_unit_test(test_cmd_html_kpi_no_data),
		cmocka_unit_test(test_cmd_html_table),
		cmocka_unit_test(test_cmd_svg_nice_ticks),
		cmocka_unit_test(test_cmd_svg_text_width),
		cmocka_unit_test(test_cmd_svg_heat_colour_contrast),
		cmocka_unit_test(test_cmd_svg_histogram_bins),
		cmocka_unit_test(test_cmd_svg_line_cases),
		cmocka_unit_test(test_cmd_svg_line_caps_and_thins),
		cmocka_unit_test(test_cmd_svg_line_limits),
		cmocka_unit_test(test_cmd_svg_line_series_labels_apart),
		cmocka_unit_test(test_cmd_svg_stack),
		cmocka_unit_test(test_cmd_svg_bars),
		cmocka_unit_test(test_cmd_svg_heatmap),
	};
	return loyal_test_status(cmocka_run_group_tests(tests, NULL, NULL));
}
