/* The HTML page writer of `loyal report`: escaping, page, sections, KPI
 * tiles and tables. The charts are in svg_chart.c. */
#include "html.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "loyal.h"

void html_init(struct html *h, FILE *fp, enum html_lang lang)
{
	h->fp = fp;
	h->lang = lang < HTML_LANG_COUNT ? lang : HTML_LANG_EN;
	h->next_id = 0;
	h->failed = 0;
}

int html_status(const struct html *h)
{
	return h->failed || ferror(h->fp) ? -1 : 0;
}

const char *html_label(const struct html *h, enum html_label id)
{
	return html_label_text(h->lang, id);
}

/* ---- UTF-8 ------------------------------------------------------------- */

unsigned long html_utf8_next(const unsigned char **pp)
{
	const unsigned char *p = *pp;
	unsigned long c = p[0];
	int n;
	unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */

	if (c < 0x80) {
		*pp = p + 1;
		return c;
	}
	/* RFC 3629's table: no overlong forms, no surrogates, nothing past
	 * U+10FFFF. */
	if (c >= 0xC2 && c <= 0xDF) {
		n = 1;
		c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 2;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
		c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 3;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
		c &= 0x07;
	} else {
		*pp = p + 1;
		return 0xFFFD;
	}
	if (p[1] < lo || p[1] > hi) {
		*pp = p + 1;
		return 0xFFFD;
	}
	for (int k = 1; k <= n; k++) {
		if (k > 1 && (p[k] & 0xC0) != 0x80) {
			*pp = p + 1;
			return 0xFFFD;
		}
		c = (c << 6) | (p[k] & 0x3F);
	}
	*pp = p + n + 1;
	return c;
}

/* The same ranges as the table format's alignment (cli.c), so a name is
 * as wide in the report as in the terminal. */
int html_char_is_wide(unsigned long c)
{
	return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) ||
	       (c >= 0x3041 && c <= 0x33FF) || (c >= 0x3400 && c <= 0x4DBF) ||
	       (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
	       (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
	       (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
	       (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
	       (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD);
}

int html_char_is_combining(unsigned long c)
{
	return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
	       (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
	       (c >= 0xFE20 && c <= 0xFE2F) || c == 0x200B || c == 0x200D ||
	       (c >= 0xFE00 && c <= 0xFE0F);
}

static size_t char_cols(unsigned long c)
{
	return html_char_is_combining(c) ? 0 : html_char_is_wide(c) ? 2 : 1;
}

size_t html_display_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t w = 0;

	while (*p)
		w += char_cols(html_utf8_next(&p));
	return w;
}

/* ---- escaping ---------------------------------------------------------- */

/*
 * Text is written in runs of bytes that need nothing, between the
 * replacements: & < > " ' as references; C0 and C1 control characters and
 * DEL as a space (the table format shows them so); invalid UTF-8 and
 * noncharacters, which HTML parsers flag, as U+FFFD.
 */
void html_text_n(struct html *h, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len, *run = p;
	FILE *fp = h->fp;

	while (p < end && *p) {
		const unsigned char *at = p;
		const char *rep = NULL;

		if (*p < 0x80) {
			switch (*p) {
			case '&': rep = "&amp;"; break;
			case '<': rep = "&lt;"; break;
			case '>': rep = "&gt;"; break;
			case '"': rep = "&quot;"; break;
			case '\'': rep = "&#39;"; break;
			default:
				if (*p < 0x20 || *p == 0x7F)
					rep = " ";
			}
			p++;
		} else {
			unsigned long c = html_utf8_next(&p);
			if (p > end) {
				/* the cut fell inside a character: end the text before it */
				p = at;
				break;
			}
			if (c >= 0x80 && c <= 0x9F)
				rep = " ";
			else if (c == 0xFFFD && !(at[0] == 0xEF && at[1] == 0xBF && at[2] == 0xBD))
				rep = "\xEF\xBF\xBD";
			else if ((c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE)
				rep = "\xEF\xBF\xBD";
		}
		if (rep) {
			if (at > run)
				fwrite(run, 1, (size_t)(at - run), fp);
			fputs(rep, fp);
			run = p;
		}
	}
	if (p > run)
		fwrite(run, 1, (size_t)(p - run), fp);
}

void html_text(struct html *h, const char *s)
{
	if (s)
		html_text_n(h, s, strlen(s));
}

void html_text_cut(struct html *h, const char *s, size_t max_cols)
{
	const unsigned char *p = (const unsigned char *)s, *keep = p;
	size_t w = 0;

	if (!s)
		return;
	if (!max_cols || html_display_width(s) <= max_cols) {
		html_text(h, s);
		return;
	}
	/* whole characters, the last column for the ellipsis; combining marks
	 * stay with the character they follow */
	while (*p) {
		const unsigned char *q = p;
		size_t cw = char_cols(html_utf8_next(&q));
		if (w + cw > max_cols - 1)
			break;
		w += cw;
		p = q;
		while (*p) {
			q = p;
			if (char_cols(html_utf8_next(&q)) != 0)
				break;
			p = q;
		}
		keep = p;
	}
	html_text_n(h, s, (size_t)(keep - (const unsigned char *)s));
	fputs("\xE2\x80\xA6", h->fp);
}

void html_textf(struct html *h, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	html_text(h, buf);
}

void html_raw(struct html *h, const char *s)
{
	fputs(s, h->fp);
}

void html_rawf(struct html *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(h->fp, fmt, ap);
	va_end(ap);
}

void html_labelf(struct html *h, enum html_label id, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, id);
	/* The labels' formats are fixed strings of this program; both
	 * languages take the same conversions (a unit test checks). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vsnprintf(buf, sizeof(buf), html_label(h, id), ap);
#pragma GCC diagnostic pop
	va_end(ap);
	html_text(h, buf);
}

char *html_format_number(char *buf, size_t size, double v, int digits)
{
	if (!isfinite(v)) {
		snprintf(buf, size, "-");
		return buf;
	}
	snprintf(buf, size, "%.*f", digits, v);
	/* "-0.0" reads as a sign that is not there (as in the table format) */
	if (buf[0] == '-' && strspn(buf + 1, "0.") == strlen(buf + 1))
		memmove(buf, buf + 1, strlen(buf));
	return buf;
}

/* ---- page -------------------------------------------------------------- */

/*
 * Simple CSS that mail clients keep: no web fonts (the reader's own sans
 * serif, with the usual CJK faces named), no layout beyond inline blocks,
 * and colours kept when printed.
 */
static const char page_css[] =
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact;box-sizing:border-box}"
	"body{margin:0;padding:24px;background:#fff;color:#1f2328;"
	"font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,"
	"\"Noto Sans CJK SC\",\"PingFang SC\",\"Microsoft YaHei\",\"WenQuanYi Micro Hei\","
	"sans-serif;font-size:15px;line-height:1.45}\n"
	".page{max-width:960px;margin:0 auto}\n"
	"h1{font-size:24px;margin:0 0 4px}\n"
	".sub{color:#59636e;margin:0 0 16px}\n"
	"section{margin:28px 0 0;break-inside:avoid;page-break-inside:avoid}\n"
	"h2{font-size:18px;margin:0 0 10px;padding-bottom:4px;border-bottom:1px solid #d1d9e0}\n"
	".kpi{display:inline-block;vertical-align:top;width:146px;min-height:128px;"
	"margin:0 10px 10px 0;padding:10px 12px;border:1px solid #d1d9e0;border-radius:6px}\n"
	".kpi .l{color:#59636e;font-size:13px}\n"
	".kpi .v{font-size:28px;font-weight:600;line-height:1.25;font-variant-numeric:tabular-nums}\n"
	".kpi .u{font-size:16px;font-weight:400;margin-left:2px}\n"
	".kpi .m,.kpi .x{color:#59636e;font-size:13px}\n"
	".kpi .c{font-size:13px;font-weight:600}\n"
	".kpi .nd{font-size:16px;color:#59636e;font-style:italic;line-height:2.2}\n"
	".good{color:#1a7f37}.bad{color:#cf222e}.flat{color:#59636e}\n"
	".missing{color:#59636e;font-style:italic;border:1px dashed #d1d9e0;padding:8px 12px;margin:8px 0}\n"
	".note{color:#59636e;font-size:13px;margin:4px 0}\n"
	"table{border-collapse:collapse;font-size:14px;margin:4px 0}\n"
	"th,td{padding:3px 10px;border-bottom:1px solid #e5e9ed;text-align:left;vertical-align:top}\n"
	"th{border-bottom:2px solid #d1d9e0;font-weight:600}\n"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	"figure{margin:0 0 18px}svg{max-width:100%;height:auto;display:block}\n"
	"footer{margin-top:32px;padding-top:8px;border-top:1px solid #d1d9e0;color:#59636e;font-size:13px}\n"
	"@media print{body{padding:0}.kpi{break-inside:avoid}}\n"
	"@page{margin:12mm}\n";

void html_page_begin(struct html *h, const char *title, const char *subtitle)
{
	html_rawf(h, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
		  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		  "<meta name=\"generator\" content=\"loyal %s\">\n<title>",
		  html_lang_tag(h->lang), LOYAL_VERSION);
	html_text(h, title);
	html_raw(h, "</title>\n<style>\n");
	html_raw(h, page_css);
	html_raw(h, "</style>\n</head>\n<body>\n<div class=\"page\">\n<h1>");
	html_text(h, title);
	html_raw(h, "</h1>\n");
	if (subtitle) {
		html_raw(h, "<p class=\"sub\">");
		html_text(h, subtitle);
		html_raw(h, "</p>\n");
	}
}

void html_page_end(struct html *h)
{
	html_raw(h, "<footer>");
	html_labelf(h, HTML_L_GENERATED_BY_F, LOYAL_VERSION);
	html_raw(h, "</footer>\n</div>\n</body>\n</html>\n");
}

void html_section_begin(struct html *h, const char *title)
{
	html_raw(h, "<section>\n<h2>");
	html_text(h, title);
	html_raw(h, "</h2>\n");
}

void html_section_end(struct html *h)
{
	html_raw(h, "</section>\n");
}

void html_missing(struct html *h, const char *why)
{
	html_raw(h, "<p class=\"missing\">");
	html_text(h, html_label(h, HTML_L_NO_DATA));
	if (why && *why) {
		html_raw(h, h->lang == HTML_LANG_ZH ? "\xEF\xBC\x9A" : ": ");
		html_text(h, why);
	}
	html_raw(h, "</p>\n");
}

void html_note(struct html *h, const char *text)
{
	html_raw(h, "<p class=\"note\">");
	html_text(h, text);
	html_raw(h, "</p>\n");
}

/* ---- KPI tiles --------------------------------------------------------- */

static void kpi_tile(struct html *h, const struct html_kpi *k)
{
	char num[64];

	html_raw(h, "<div class=\"kpi\"><div class=\"l\">");
	html_text(h, k->label);
	html_raw(h, "</div>");
	if (!k->has_value || !isfinite(k->value)) {
		html_raw(h, "<div class=\"nd\">");
		html_text(h, html_label(h, HTML_L_NO_DATA));
		html_raw(h, "</div>");
	} else {
		html_raw(h, "<div class=\"v\">");
		html_text(h, html_format_number(num, sizeof(num), k->value, k->digits));
		if (k->unit && *k->unit) {
			html_raw(h, "<span class=\"u\">");
			html_text(h, k->unit);
			html_raw(h, "</span>");
		}
		html_raw(h, "</div>");
	}
	if (k->has_value && k->has_margin && isfinite(k->margin)) {
		html_raw(h, "<div class=\"m\">");
		html_text(h, html_label(h, HTML_L_MARGIN));
		html_raw(h, " \xC2\xB1&#8202;"); /* ± and a hair space */
		html_text(h, html_format_number(num, sizeof(num), k->margin, k->digits));
		html_raw(h, "</div>");
	}
	if (k->has_value && k->has_change && isfinite(k->change)) {
		html_format_number(num, sizeof(num), k->change, k->digits);
		/* the arrow follows the number as shown: a change printed as 0.0
		 * is no change */
		int sign = strspn(num, "-0.") == strlen(num) ? 0 : num[0] == '-' ? -1 : 1;
		const char *arrow = sign > 0 ? "\xE2\x96\xB2" : sign < 0 ? "\xE2\x96\xBC" : "\xE2\x96\xBA";
		const char *tone = "flat";
		if (sign && k->good != HTML_NEUTRAL && k->significant != 0)
			tone = (sign > 0) == (k->good == HTML_UP_IS_GOOD) ? "good" : "bad";
		html_rawf(h, "<div class=\"c %s\">%s ", tone, arrow);
		html_text(h, num);
		html_raw(h, "</div><div class=\"x\">");
		html_text(h, html_label(h, HTML_L_CHANGE));
		if (k->significant >= 0) {
			html_raw(h, h->lang == HTML_LANG_ZH ? "\xEF\xBC\x8C" : ", ");
			html_text(h, html_label(h, k->significant ? HTML_L_SIGNIFICANT
								    : HTML_L_NOT_SIGNIFICANT));
		}
		html_raw(h, "</div>");
	}
	if (k->note && *k->note) {
		html_raw(h, "<div class=\"x\">");
		html_text(h, k->note);
		html_raw(h, "</div>");
	}
	html_raw(h, "</div>");
}

void html_kpi_tiles(struct html *h, const struct html_kpi *k, size_t n)
{
	if (!n) {
		html_missing(h, NULL);
		return;
	}
	html_raw(h, "<div class=\"kpis\">");
	for (size_t i = 0; i < n; i++)
		kpi_tile(h, &k[i]);
	html_raw(h, "</div>\n");
}

/* ---- tables ------------------------------------------------------------ */

static int is_numeric(enum cli_type t)
{
	return t == CLI_T_INT || t == CLI_T_NUM || t == CLI_T_NUMS;
}

static void table_cell(struct html *h, const struct cli_column *col, const struct cli_value *v,
		       size_t max_text_cols)
{
	char num[64];

	if (v->null) {
		html_raw(h, "-");
		return;
	}
	switch (col->type) {
	case CLI_T_STR:
	case CLI_T_GROUP:
		html_text_cut(h, v->s ? v->s : "", max_text_cols);
		break;
	case CLI_T_INT:
		html_rawf(h, "%lld", (long long)v->i);
		break;
	case CLI_T_NUM:
		html_text(h, html_format_number(num, sizeof(num), v->d, col->digits));
		break;
	case CLI_T_BOOL:
		html_text(h, html_label(h, v->i ? HTML_L_YES : HTML_L_NO));
		break;
	case CLI_T_NUMS:
		for (size_t k = 0; k < v->nnums; k++) {
			if (k)
				html_raw(h, " ");
			html_text(h, html_format_number(num, sizeof(num), v->nums[k], col->digits));
		}
		break;
	case CLI_T_BOOLS:
		/* the yes/no of each cell (retention --cohorts' complete list) */
		for (size_t k = 0; k < v->nnums; k++) {
			if (k)
				html_raw(h, " ");
			html_text(h, html_label(h, v->nums[k] != 0 ? HTML_L_YES : HTML_L_NO));
		}
		break;
	}
}

void html_table(struct html *h, const struct cli_column *cols, const char *const *headers,
		size_t ncols, const struct cli_value *cells, size_t nrows, size_t max_rows,
		size_t max_text_cols)
{
	size_t shown = max_rows && nrows > max_rows ? max_rows : nrows;

	if (!nrows || !ncols) {
		html_missing(h, NULL);
		return;
	}
	html_raw(h, "<table>\n<thead><tr>");
	for (size_t i = 0; i < ncols; i++) {
		html_raw(h, is_numeric(cols[i].type) ? "<th class=\"n\">" : "<th>");
		html_text(h, headers && headers[i] ? headers[i] : cols[i].name);
		html_raw(h, "</th>");
	}
	html_raw(h, "</tr></thead>\n<tbody>\n");
	for (size_t r = 0; r < shown; r++) {
		html_raw(h, "<tr>");
		for (size_t i = 0; i < ncols; i++) {
			html_raw(h, is_numeric(cols[i].type) ? "<td class=\"n\">" : "<td>");
			table_cell(h, &cols[i], &cells[r * ncols + i], max_text_cols);
			html_raw(h, "</td>");
		}
		html_raw(h, "</tr>\n");
	}
	html_raw(h, "</tbody>\n</table>\n");
	if (shown < nrows) {
		html_raw(h, "<p class=\"note\">");
		html_labelf(h, HTML_L_MORE_ROWS_F, nrows - shown, shown, nrows);
		html_raw(h, "</p>\n");
	}
}
