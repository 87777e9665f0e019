/* The charts of `loyal report` as inline SVG (see svg_chart.h). Layout is
 * computed here from estimated text widths; nothing is left to a script. */
#include "svg_chart.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define FONT 12.0           /* px: ticks, labels, values */
#define CHART_W 840.0       /* line, bar and stacked charts */
#define PAGE_W 960.0        /* the page's content width (html.c's CSS) */
#define MAX_LABEL_PX 200.0  /* a row label is cut past this */
#define GRID "#e5e9ed"
#define AXIS "#8c959f"
#define INK "#1f2328"
#define MUTED "#59636e"

/* Series colours: distinct for the usual colour blindnesses in the first
 * four (blue, orange, green-teal, pink), then more. */
static const char *const palette[] = {
	"#2f6fb0", "#e07b00", "#2e9e6a", "#c43c7a", "#7a52b3", "#1d97a8", "#8c8c2a", "#6b7280",
};
#define NPALETTE (sizeof(palette) / sizeof(palette[0]))

static const char *const tone_fill[] = {
	[SVG_TONE_NEUTRAL] = "#4e79a7",
	[SVG_TONE_GOOD] = "#1a9850",
	[SVG_TONE_BAD] = "#d73027",
	[SVG_TONE_MID] = "#bdbdbd",
};

/* ---- ticks --------------------------------------------------------------- */

int svg_nice_ticks(double lo, double hi, size_t target, struct svg_ticks *out)
{
	if (!isfinite(lo) || !isfinite(hi) || lo > hi)
		return -1;
	if (target < 1)
		target = 1;
	if (hi - lo <= 1e-9 * fmax(1.0, fmax(fabs(lo), fabs(hi)))) {
		/* one value: a scale around it */
		double d = lo != 0 ? fabs(lo) * 0.1 : 1.0;
		lo -= d;
		hi += d;
	}
	double raw = (hi - lo) / (double)target;
	double mag = pow(10.0, floor(log10(raw)));
	double f = raw / mag;
	double step = (f <= 1.0 ? 1.0 : f <= 2.0 ? 2.0 : f <= 5.0 ? 5.0 : 10.0) * mag;
	double first = floor(lo / step + 1e-9) * step;
	double last = ceil(hi / step - 1e-9) * step;

	if (!isfinite(step) || step <= 0 || !isfinite(first) || !isfinite(last))
		return -1;
	out->first = first;
	out->step = step;
	out->count = (size_t)llround((last - first) / step) + 1;
	out->digits = step >= 1.0 ? 0 : (int)ceil(-log10(step) - 1e-9);
	return 0;
}

/* Whole-number ticks for whole-number values (counts): no 0.5 customer. */
static void whole_ticks(struct svg_ticks *t)
{
	if (t->step >= 1)
		return;
	double last = t->first + t->step * (double)(t->count - 1);
	t->first = floor(t->first + 1e-9);
	t->step = 1;
	t->count = (size_t)llround(ceil(last - 1e-9) - t->first) + 1;
	t->digits = 0;
}

static double tick_at(const struct svg_ticks *t, size_t i)
{
	double v = t->first + (double)i * t->step;
	/* 0.30000000000000004 and -0 are not what the axis means */
	double r = pow(10.0, t->digits);
	v = round(v * r) / r;
	return v == 0 ? 0.0 : v;
}

/* ---- text ---------------------------------------------------------------- */

/* Advance of an ASCII character in em, after DejaVu Sans (Arial and
 * Helvetica are narrower, so labels spaced by this do not collide there). */
static double ascii_em(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return 0.64;
	switch (c) {
	case ' ': case '.': case ',': case ':': case ';': case '!': case '\'': case '|':
		return 0.33;
	case 'i': case 'j': case 'l':
		return 0.28;
	case 'f': case 't': case '(': case ')': case '[': case ']': case '/': case '-':
		return 0.39;
	case 'r':
		return 0.42;
	case 's': case 'c': case 'z':
		return 0.56;
	case 'm':
		return 0.98;
	case 'w':
		return 0.82;
	case 'I': case 'J':
		return 0.30;
	case 'M':
		return 0.87;
	case 'W':
		return 0.99;
	case '%':
		return 0.95;
	case '@':
		return 1.0;
	}
	if (c >= 'A' && c <= 'Z')
		return 0.72;
	if (c >= 'a' && c <= 'z')
		return 0.62;
	return 0.64;
}

static double char_em(unsigned long c)
{
	if (c < 0x80)
		return c < 0x20 || c == 0x7F ? 0.33 : ascii_em((unsigned char)c);
	if (html_char_is_combining(c))
		return 0;
	if (html_char_is_wide(c))
		return 1.0;
	if (c == 0x2026 || (c >= 0x2190 && c <= 0x25FF))
		return 1.0;
	return 0.7;
}

double svg_text_width(const char *s, double font_px)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	double em = 0;

	while (*p)
		em += char_em(html_utf8_next(&p));
	return em * font_px;
}

size_t svg_text_fit(const char *s, double max_px, double font_px)
{
	const unsigned char *p = (const unsigned char *)s, *keep = p;
	double budget, w = 0;

	if (svg_text_width(s, font_px) <= max_px)
		return strlen(s);
	budget = max_px - 1.0 * font_px; /* the ellipsis */
	while (*p) {
		const unsigned char *q = p;
		double cw = char_em(html_utf8_next(&q)) * font_px;
		if (w + cw > budget)
			break;
		w += cw;
		p = q;
		while (*p) {
			q = p;
			if (char_em(html_utf8_next(&q)) != 0)
				break;
			p = q;
		}
		keep = p;
	}
	return (size_t)(keep - (const unsigned char *)s);
}

/* <text> with escaped content cut to max_px (0: no limit); a cut text
 * keeps its whole value in a <title>, shown as a tooltip. */
static void text_at(struct html *h, double x, double y, const char *anchor, const char *fill,
		    const char *attrs, const char *s, double max_px)
{
	size_t len = strlen(s), keep = max_px > 0 ? svg_text_fit(s, max_px, FONT) : len;

	html_rawf(h, "<text x=\"%.1f\" y=\"%.1f\"", x, y);
	if (anchor && strcmp(anchor, "start"))
		html_rawf(h, " text-anchor=\"%s\"", anchor);
	if (fill && strcmp(fill, INK))
		html_rawf(h, " fill=\"%s\"", fill);
	if (attrs)
		html_rawf(h, " %s", attrs);
	html_raw(h, ">");
	if (keep < len) {
		html_raw(h, "<title>");
		html_text(h, s);
		html_raw(h, "</title>");
		html_text_n(h, s, keep);
		html_raw(h, "\xE2\x80\xA6");
	} else {
		html_text(h, s);
	}
	html_raw(h, "</text>");
}

/* Label i of an array the caller may leave NULL (or hold NULLs). */
static const char *label_of(const char *const *a, size_t i)
{
	return a && a[i] ? a[i] : "";
}

/* Width a label takes once cut to max_px. */
static double label_px(const char *s, double max_px)
{
	double w = svg_text_width(s, FONT);
	return w > max_px ? max_px : w;
}

/* ---- colours --------------------------------------------------------- */

/* ColorBrewer Blues without its lightest step, which vanishes on white. */
static const unsigned char blues[][3] = {
	{ 0xde, 0xeb, 0xf7 }, { 0xc6, 0xdb, 0xef }, { 0x9e, 0xca, 0xe1 }, { 0x6b, 0xae, 0xd6 },
	{ 0x42, 0x92, 0xc6 }, { 0x21, 0x71, 0xb5 }, { 0x08, 0x51, 0x9c }, { 0x08, 0x30, 0x6b },
};

void svg_heat_colour(double t, unsigned char rgb[3])
{
	const size_t last = sizeof(blues) / sizeof(blues[0]) - 1;

	if (!(t > 0))
		t = 0;
	if (t > 1)
		t = 1;
	double x = t * (double)last;
	size_t i = (size_t)x;
	if (i >= last)
		i = last - 1;
	double f = x - (double)i;
	for (int k = 0; k < 3; k++)
		rgb[k] = (unsigned char)lround(blues[i][k] + f * (blues[i + 1][k] - blues[i][k]));
}

static double channel(unsigned char v)
{
	double c = v / 255.0;
	return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double luminance(const unsigned char c[3])
{
	return 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2]);
}

double svg_contrast(const unsigned char a[3], const unsigned char b[3])
{
	double la = luminance(a), lb = luminance(b);
	return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

const char *svg_text_colour_on(const unsigned char rgb[3])
{
	static const unsigned char white[3] = { 255, 255, 255 }, black[3] = { 0, 0, 0 };
	return svg_contrast(rgb, white) >= svg_contrast(rgb, black) ? "#ffffff" : "#000000";
}

static int parse_colour(const char *s, unsigned char rgb[3])
{
	unsigned v;
	if (!s || strlen(s) != 7 || s[0] != '#' || strspn(s + 1, "0123456789abcdefABCDEF") != 6 ||
	    sscanf(s + 1, "%6x", &v) != 1)
		return -1;
	rgb[0] = (unsigned char)(v >> 16);
	rgb[1] = (unsigned char)(v >> 8);
	rgb[2] = (unsigned char)v;
	return 0;
}

/* A fill colour from the caller: only #rrggbb reaches the page. */
static const char *safe_colour(const char *s, size_t i)
{
	unsigned char rgb[3];
	return parse_colour(s, rgb) == 0 ? s : palette[i % NPALETTE];
}

/* ---- histogram ------------------------------------------------------- */

size_t svg_histogram_bins(const double *x, size_t n, double lo, double hi, size_t nbins,
			  double *counts)
{
	size_t out = 0;

	for (size_t b = 0; b < nbins; b++)
		counts[b] = 0;
	if (!nbins || !(hi > lo) || !isfinite(lo) || !isfinite(hi))
		return n;
	for (size_t i = 0; i < n; i++) {
		double v = x[i];
		if (!isfinite(v) || v < lo || v > hi) {
			out++;
			continue;
		}
		size_t b = (size_t)((v - lo) / (hi - lo) * (double)nbins);
		if (b >= nbins)
			b = nbins - 1;
		counts[b] += 1;
	}
	return out;
}

/* ---- pieces shared by the charts -------------------------------------- */

static void svg_open(struct html *h, double w, double ht, const char *title)
{
	html_rawf(h, "<figure><svg width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
		     "role=\"img\" font-size=\"%.0f\" fill=\"" INK "\" aria-label=\"",
		  w, ht, w, ht, FONT);
	html_text(h, title ? title : "");
	html_raw(h, "\">");
	if (title && *title) {
		html_raw(h, "<title>");
		html_text(h, title);
		html_raw(h, "</title>");
	}
	html_raw(h, "\n");
}

static void svg_close(struct html *h)
{
	html_raw(h, "</svg></figure>\n");
}

static void note_begin(struct html *h)
{
	html_raw(h, "<p class=\"note\">");
}

static void note_end(struct html *h)
{
	html_raw(h, "</p>\n");
}

struct legend_item {
	const char *name;
	const char *fill;
	double opacity;
};

#define LEGEND_ROW 20.0
#define LEGEND_NAME_MAX 180.0

/* Lay out (and with draw, write) legend items in rows from x0 across w;
 * returns the height taken. */
static double legend(struct html *h, const struct legend_item *it, size_t n, double x0,
		     double y0, double w, int draw)
{
	double x = x0, y = y0;

	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		double iw = 12 + 5 + label_px(it[i].name, LEGEND_NAME_MAX) + 18;
		if (x > x0 && x + iw > x0 + w) {
			x = x0;
			y += LEGEND_ROW;
		}
		if (draw) {
			html_rawf(h, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"",
				  x, y + 2, it[i].fill);
			if (it[i].opacity < 1)
				html_rawf(h, " fill-opacity=\"%.2f\"", it[i].opacity);
			html_raw(h, "/>");
			text_at(h, x + 17, y + 12.5, "start", NULL, NULL, it[i].name, LEGEND_NAME_MAX);
		}
		x += iw;
	}
	if (draw)
		html_raw(h, "\n");
	return y - y0 + LEGEND_ROW;
}

/* Which x labels to write so they do not overlap: every step-th counted
 * back from the last, which is always written. */
static size_t x_label_step(const char *const *x, size_t from, size_t n, double slot,
			   double max_px)
{
	double widest = 0;

	for (size_t i = 0; i < n; i++) {
		double w = label_px(label_of(x, from + i), max_px);
		if (w > widest)
			widest = w;
	}
	size_t step = (size_t)ceil((widest + 10) / slot);
	return step ? step : 1;
}

/* Horizontal grid lines and their values along the y axis. */
static void y_axis(struct html *h, const struct svg_ticks *t, double dlo, double dhi,
		   double left, double right_x, double top, double ph)
{
	char num[64];

	for (size_t i = 0; i < t->count; i++) {
		double v = tick_at(t, i);
		if (v < dlo - 1e-9 || v > dhi + 1e-9)
			continue;
		double y = top + ph * (dhi - v) / (dhi - dlo);
		html_rawf(h, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"" GRID
			     "\"/>",
			  left, right_x, y, y);
		text_at(h, left - 6, y + 4, "end", MUTED, NULL,
			html_format_number(num, sizeof(num), v, t->digits), 0);
	}
	html_raw(h, "\n");
}

static double tick_label_width(const struct svg_ticks *t)
{
	char num[64];
	double w = 0;

	for (size_t i = 0; i < t->count; i++) {
		double tw = svg_text_width(html_format_number(num, sizeof(num), tick_at(t, i), t->digits),
					   FONT);
		if (tw > w)
			w = tw;
	}
	return w;
}

/* Category labels under a plot, thinned; also ticks on the axis line. */
static void x_axis(struct html *h, const char *const *x, size_t from, size_t n, double left,
		   double slot, double base)
{
	const double max_px = 120;
	size_t step = x_label_step(x, from, n, slot, max_px);

	html_rawf(h, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"" AXIS "\"/>",
		  left, left + slot * (double)n, base, base);
	for (size_t i = 0; i < n; i++) {
		if ((n - 1 - i) % step)
			continue;
		double cx = left + ((double)i + 0.5) * slot;
		html_rawf(h, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"" AXIS
			     "\"/>",
			  cx, cx, base, base + 4);
		text_at(h, cx, base + 17, "middle", MUTED, NULL, label_of(x, from + i),
			step == 1 ? slot - 4 : max_px);
	}
	html_raw(h, "\n");
}

/* ---- line chart ---------------------------------------------------------- */

struct end_label {
	double x, y, w;
	size_t s;
};

static double clampd(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

int svg_line_chart(struct html *h, const struct svg_line_chart *c)
{
	size_t maxp = c->max_points ? c->max_points : 120;
	size_t n = c->n, from = 0, ns = c->nseries > NPALETTE ? NPALETTE : c->nseries;
	double lo = INFINITY, hi = -INFINITY;
	size_t npts = 0;
	int any_band = 0;
	char num[64];

	if (n > maxp) {
		from = n - maxp;
		n = maxp;
	}
	for (size_t s = 0; s < ns; s++) {
		const struct svg_series *se = &c->series[s];
		for (size_t i = from; i < from + n; i++) {
			if (se->y && isfinite(se->y[i])) {
				lo = fmin(lo, se->y[i]);
				hi = fmax(hi, se->y[i]);
				npts++;
			}
			if (se->lo && se->hi && isfinite(se->lo[i]) && isfinite(se->hi[i])) {
				lo = fmin(lo, se->lo[i]);
				hi = fmax(hi, se->hi[i]);
				any_band = 1;
			}
		}
	}
	if (!npts) {
		html_missing(h, html_label(h, HTML_L_NO_DATA_CHART));
		return html_status(h);
	}
	if (c->include_zero) {
		lo = fmin(lo, 0);
		hi = fmax(hi, 0);
	}
	if (c->has_ref && isfinite(c->ref)) {
		lo = fmin(lo, c->ref);
		hi = fmax(hi, c->ref);
	}
	if (c->has_limits) {
		lo = clampd(lo, c->lo_limit, c->hi_limit);
		hi = clampd(hi, c->lo_limit, c->hi_limit);
	}
	struct svg_ticks t;
	if (svg_nice_ticks(lo, hi, 5, &t)) {
		html_missing(h, html_label(h, HTML_L_NO_DATA_CHART));
		return html_status(h);
	}
	if (c->digits == 0)
		whole_ticks(&t);
	double dlo = t.first, dhi = tick_at(&t, t.count - 1);
	if (c->has_limits) {
		dlo = fmax(dlo, c->lo_limit);
		dhi = fmin(dhi, c->hi_limit);
		if (!(dhi > dlo)) {
			dlo = t.first;
			dhi = tick_at(&t, t.count - 1);
		}
	}

	/* legend: the series when there are several, and the band */
	struct legend_item items[NPALETTE + 1];
	size_t nitems = 0;
	if (ns > 1)
		for (size_t s = 0; s < ns; s++)
			items[nitems++] = (struct legend_item){ c->series[s].name ? c->series[s].name : "",
								palette[s], 1 };
	if (any_band && c->band_name)
		items[nitems++] = (struct legend_item){ c->band_name, palette[0], 0.18 };
	double W = CHART_W;
	double leg_h = legend(h, items, nitems, 8, 0, W - 16, 0);
	double title_y = leg_h + 14;
	double top = leg_h + 26, ph = 210;
	double left = fmax(36, tick_label_width(&t) + 12), right = 14;
	double pw = W - left - right, slot = pw / (double)n;
	double H = top + ph + 30;

	svg_open(h, W, H, c->title);
	legend(h, items, nitems, 8, 0, W - 16, 1);
	if (c->y_title)
		text_at(h, 4, title_y, "start", MUTED, NULL, c->y_title, left + 200);
	y_axis(h, &t, dlo, dhi, left, W - right, top, ph);
#define YPOS(v) (top + ph * (dhi - clampd((v), dlo, dhi)) / (dhi - dlo))
#define XPOS(i) (left + ((double)(i) + 0.5) * slot)
	if (c->has_ref && isfinite(c->ref) && c->ref >= dlo && c->ref <= dhi)
		html_rawf(h, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"" AXIS
			     "\" stroke-dasharray=\"4 3\"/>\n",
			  left, W - right, YPOS(c->ref), YPOS(c->ref));
	x_axis(h, c->x, from, n, left, slot, top + ph);

	for (size_t s = 0; s < ns; s++) {
		const struct svg_series *se = &c->series[s];
		const char *col = palette[s];
		/* band: one polygon per run of consecutive bounds */
		for (size_t i = 0; se->lo && se->hi && i < n;) {
			size_t a = i;
			while (i < n && isfinite(se->lo[from + i]) && isfinite(se->hi[from + i]))
				i++;
			if (i == a) {
				i++;
				continue;
			}
			if (i - a == 1) {
				html_rawf(h, "<rect x=\"%.1f\" y=\"%.1f\" width=\"8\" height=\"%.1f\" "
					     "fill=\"%s\" fill-opacity=\"0.18\"/>",
					  XPOS(a) - 4, YPOS(se->hi[from + a]),
					  YPOS(se->lo[from + a]) - YPOS(se->hi[from + a]), col);
				continue;
			}
			html_rawf(h, "<polygon fill=\"%s\" fill-opacity=\"0.18\" points=\"", col);
			for (size_t k = a; k < i; k++)
				html_rawf(h, "%.1f,%.1f ", XPOS(k), YPOS(se->hi[from + k]));
			for (size_t k = i; k-- > a;)
				html_rawf(h, "%.1f,%.1f%s", XPOS(k), YPOS(se->lo[from + k]), k > a ? " " : "");
			html_raw(h, "\"/>\n");
		}
		/* line: one path per run of values; a lone value is a dot */
		for (size_t i = 0; i < n;) {
			size_t a = i;
			while (i < n && isfinite(se->y[from + i]))
				i++;
			if (i == a) {
				i++;
				continue;
			}
			if (i - a > 1) {
				html_rawf(h, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
					     "stroke-linejoin=\"round\" d=\"",
					  col);
				for (size_t k = a; k < i; k++)
					html_rawf(h, "%s%.1f %.1f", k == a ? "M" : " L", XPOS(k),
						  YPOS(se->y[from + k]));
				html_raw(h, "\"/>\n");
			}
			if (i - a == 1 || n <= 60)
				for (size_t k = a; k < i; k++)
					html_rawf(h, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>",
						  XPOS(k), YPOS(se->y[from + k]), col);
		}
		html_raw(h, "\n");
	}

	/* values over the points: all of them when they fit their slots
	 * (one series), else only the latest of each series */
	int all = ns == 1 && n <= 36;
	for (size_t i = 0; all && i < n; i++)
		if (isfinite(c->series[0].y[from + i]) &&
		    svg_text_width(html_format_number(num, sizeof(num), c->series[0].y[from + i], c->digits),
				   FONT) + 4 > slot)
			all = 0;
	/* the latest values of several series: kept apart vertically so
	 * that close values do not print over each other */
	struct end_label lab[NPALETTE];
	size_t nlab = 0;
	for (size_t s = 0; s < ns; s++) {
		const double *y = c->series[s].y;
		size_t last = n;
		for (size_t i = n; i-- > 0;)
			if (isfinite(y[from + i])) {
				last = i;
				break;
			}
		for (size_t i = 0; i < n; i++) {
			if (!isfinite(y[from + i]) || (!all && i != last))
				continue;
			html_format_number(num, sizeof(num), y[from + i], c->digits);
			double tw = svg_text_width(num, FONT);
			double px = clampd(XPOS(i), left + tw / 2, W - 2 - tw / 2);
			double py = YPOS(y[from + i]) - 8;
			if (py - FONT < top - 10)
				py = YPOS(y[from + i]) + 18;
			if (!all) {
				lab[nlab++] = (struct end_label){ px, py, tw, s };
				continue;
			}
			text_at(h, px, py, "middle", INK, "font-weight=\"600\" stroke=\"#ffffff\" "
				"stroke-width=\"3\" paint-order=\"stroke\"", num, 0);
		}
	}
	for (size_t i = 1; i < nlab; i++) /* insertion sort by height */
		for (size_t k = i; k > 0 && lab[k].y < lab[k - 1].y; k--) {
			struct end_label tmp = lab[k];
			lab[k] = lab[k - 1];
			lab[k - 1] = tmp;
		}
	for (size_t i = 1; i < nlab; i++)
		for (size_t k = 0; k < i; k++)
			if (fabs(lab[i].x - lab[k].x) < (lab[i].w + lab[k].w) / 2 + 2 &&
			    lab[i].y < lab[k].y + FONT + 1)
				lab[i].y = lab[k].y + FONT + 1;
	for (size_t i = 0; i < nlab; i++) {
		const double *y = c->series[lab[i].s].y;
		size_t last = n;
		for (size_t k = n; k-- > 0;)
			if (isfinite(y[from + k])) {
				last = k;
				break;
			}
		text_at(h, lab[i].x, lab[i].y, "middle", ns > 1 ? palette[lab[i].s] : INK,
			"font-weight=\"600\" stroke=\"#ffffff\" stroke-width=\"3\" "
			"paint-order=\"stroke\"",
			html_format_number(num, sizeof(num), y[from + last], c->digits), 0);
	}
#undef YPOS
#undef XPOS
	svg_close(h);
	if (from) {
		note_begin(h);
		html_labelf(h, HTML_L_EARLIER_POINTS_F, from);
		note_end(h);
	}
	if (c->nseries > ns) {
		note_begin(h);
		html_labelf(h, HTML_L_MORE_SERIES_F, c->nseries - ns);
		note_end(h);
	}
	return html_status(h);
}

/* ---- stacked 100% bars ------------------------------------------------- */

int svg_stack_chart(struct html *h, const struct svg_stack_chart *c)
{
	size_t maxr = c->max_rows ? c->max_rows : 30;
	size_t nr = c->nrows > maxr ? maxr : c->nrows;
	const double row_h = 28, bar_h = 18;
	char num[64];
	int any = 0;

	for (size_t r = 0; r < nr && !any; r++)
		for (size_t p = 0; p < c->nparts; p++)
			if (isfinite(c->pct[r * c->nparts + p]) && c->pct[r * c->nparts + p] > 0)
				any = 1;
	if (!any || !c->nparts) {
		html_missing(h, html_label(h, HTML_L_NO_DATA_CHART));
		return html_status(h);
	}

	struct legend_item items[16];
	size_t nitems = c->nparts < 16 ? c->nparts : 16;
	for (size_t p = 0; p < nitems; p++)
		items[p] = (struct legend_item){ label_of(c->parts, p),
						 safe_colour(c->colours ? c->colours[p] : NULL, p), 1 };
	double W = CHART_W;
	double lw = 0, vw = 0;
	for (size_t r = 0; r < nr; r++)
		lw = fmax(lw, label_px(label_of(c->rows, r), MAX_LABEL_PX));
	if (c->value) {
		vw = c->value_title ? svg_text_width(c->value_title, FONT) : 0;
		for (size_t r = 0; r < nr; r++)
			vw = fmax(vw, svg_text_width(html_format_number(num, sizeof(num), c->value[r],
									c->value_digits),
						     FONT));
		vw += 16;
	}
	/* room on the right for half of the "100%" under the bar's end */
	double x0 = 4 + lw + 10, bw = W - x0 - fmax(vw, 24) - 8;
	double leg_h = legend(h, items, nitems, x0, 0, W - x0 - 8, 0);
	double top = leg_h + (c->value && c->value_title ? 22 : 6);
	double H = top + (double)nr * row_h + 24;

	svg_open(h, W, H, c->title);
	legend(h, items, nitems, x0, 0, W - x0 - 8, 1);
	if (c->value && c->value_title)
		text_at(h, W - 8, top - 6, "end", MUTED, "font-weight=\"600\"", c->value_title, 0);
	/* quarter lines behind the bars, labelled under them */
	for (int q = 0; q <= 4; q++) {
		double x = x0 + bw * q / 4.0;
		html_rawf(h, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"" GRID
			     "\"/>",
			  x, x, top, top + (double)nr * row_h);
		char pct[16];
		snprintf(pct, sizeof(pct), "%d%%", q * 25);
		text_at(h, x, top + (double)nr * row_h + 15, "middle", MUTED, NULL, pct, 0);
	}
	html_raw(h, "\n");
	for (size_t r = 0; r < nr; r++) {
		const double *row = c->pct + r * c->nparts;
		double y = top + (double)r * row_h, by = y + (row_h - bar_h) / 2, total = 0;
		for (size_t p = 0; p < c->nparts; p++)
			if (isfinite(row[p]) && row[p] > 0)
				total += row[p];
		text_at(h, x0 - 8, y + row_h / 2 + 4, "end", NULL, NULL, label_of(c->rows, r),
			MAX_LABEL_PX);
		if (c->value)
			text_at(h, W - 8, y + row_h / 2 + 4, "end", NULL, NULL,
				html_format_number(num, sizeof(num), c->value[r], c->value_digits), 0);
		if (!(total > 0)) {
			text_at(h, x0 + 4, y + row_h / 2 + 4, "start", MUTED, "font-style=\"italic\"",
				html_label(h, HTML_L_NO_VALUE), 0);
			continue;
		}
		double x = x0;
		for (size_t p = 0; p < c->nparts; p++) {
			if (!isfinite(row[p]) || row[p] <= 0)
				continue;
			double w = bw * row[p] / total;
			const char *fill = safe_colour(c->colours ? c->colours[p] : NULL, p);
			unsigned char rgb[3];
			html_format_number(num, sizeof(num), row[p], c->digits);
			html_rawf(h, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" fill=\"%s\">"
				     "<title>",
				  x, by, w, bar_h, fill);
			html_text(h, label_of(c->parts, p));
			html_textf(h, ": %s%%", num);
			html_raw(h, "</title></rect>");
			char shown[80];
			snprintf(shown, sizeof(shown), "%s%%", num);
			if (svg_text_width(shown, FONT) + 6 <= w) {
				parse_colour(fill, rgb);
				text_at(h, x + w / 2, by + bar_h / 2 + 4, "middle", svg_text_colour_on(rgb),
					NULL, shown, 0);
			}
			x += w;
		}
		html_raw(h, "\n");
	}
	svg_close(h);
	if (nr < c->nrows) {
		note_begin(h);
		html_labelf(h, HTML_L_MORE_ROWS_F, c->nrows - nr, nr, c->nrows);
		note_end(h);
	}
	return html_status(h);
}

/* ---- bars --------------------------------------------------------------- */

int svg_bar_chart(struct html *h, const struct svg_bar_chart *c)
{
	size_t maxb = c->max_bars ? c->max_bars : 60;
	size_t n = c->n > maxb ? maxb : c->n;
	double lo = 0, hi = 0;
	size_t nvals = 0;
	char num[64];

	for (size_t i = 0; i < n; i++)
		if (isfinite(c->y[i])) {
			lo = fmin(lo, c->y[i]);
			hi = fmax(hi, c->y[i]);
			nvals++;
		}
	if (!nvals) {
		html_missing(h, html_label(h, HTML_L_NO_DATA_CHART));
		return html_status(h);
	}
	if (hi == lo)
		hi = lo + 1; /* all zero: an axis up to one */
	struct svg_ticks t;
	if (svg_nice_ticks(lo, hi, 5, &t)) {
		html_missing(h, html_label(h, HTML_L_NO_DATA_CHART));
		return html_status(h);
	}
	if (c->digits == 0)
		whole_ticks(&t);
	double dlo = t.first, dhi = tick_at(&t, t.count - 1);
	double W = CHART_W, top = 40, ph = 190;
	double left = fmax(36, tick_label_width(&t) + 12), right = 14;
	double pw = W - left - right, slot = pw / (double)n;
	double barw = fmin(slot * 0.7, 64);
	double H = top + ph + (c->x_title ? 46 : 28);
	int values = 1;

	for (size_t i = 0; i < n; i++)
		if (svg_text_width(html_format_number(num, sizeof(num), c->y[i], c->digits), FONT) + 2 >
		    slot)
			values = 0;
	svg_open(h, W, H, c->title);
	if (c->y_title)
		text_at(h, 4, 14, "start", MUTED, NULL, c->y_title, left + 200);
	y_axis(h, &t, dlo, dhi, left, W - right, top, ph);
#define YPOS(v) (top + ph * (dhi - (v)) / (dhi - dlo))
	x_axis(h, c->x, 0, n, left, slot, YPOS(0));
	for (size_t i = 0; i < n; i++) {
		double cx = left + ((double)i + 0.5) * slot, v = c->y[i];
		if (!isfinite(v)) {
			text_at(h, cx, YPOS(0) - 5, "middle", MUTED, NULL, "-", 0);
			continue;
		}
		unsigned tone = c->tone && c->tone[i] <= SVG_TONE_MID ? c->tone[i] : SVG_TONE_NEUTRAL;
		double y0 = YPOS(0), y1 = YPOS(v);
		html_rawf(h, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>",
			  cx - barw / 2, fmin(y0, y1), barw, fabs(y1 - y0), tone_fill[tone]);
		if (values)
			text_at(h, cx, v >= 0 ? y1 - 5 : y1 + 15, "middle", NULL, NULL,
				html_format_number(num, sizeof(num), v, c->digits), 0);
	}
#undef YPOS
	if (c->x_title)
		text_at(h, left + pw / 2, H - 6, "middle", MUTED, NULL, c->x_title, pw);
	html_raw(h, "\n");
	svg_close(h);
	if (n < c->n) {
		note_begin(h);
		html_labelf(h, HTML_L_MORE_ROWS_F, c->n - n, n, c->n);
		note_end(h);
	}
	return html_status(h);
}

/* ---- heatmap ------------------------------------------------------------ */

int svg_heatmap(struct html *h, const struct svg_heatmap *c)
{
	size_t maxr = c->max_rows ? c->max_rows : 24;
	size_t nr = c->nrows > maxr ? maxr : c->nrows, r0 = c->nrows - nr;
	size_t nc = c->ncols;
	const double cell_h = 24;
	double lo = INFINITY, hi = -INFINITY;
	size_t nvals = 0;
	char num[64];

	/* widths first: they decide how many columns fit the page */
	double cell_w = 40, lw, ew = 0;
	lw = c->corner ? svg_text_width(c->corner, FONT) : 0;
	for (size_t r = r0; r < c->nrows; r++)
		lw = fmax(lw, label_px(label_of(c->rows, r), 160));
	lw += 14;
	if (c->extra) {
		ew = c->extra_title ? svg_text_width(c->extra_title, FONT) : 0;
		for (size_t r = r0; r < c->nrows; r++)
			ew = fmax(ew, svg_text_width(html_format_number(num, sizeof(num), c->extra[r],
									c->extra_digits),
						     FONT));
		ew += 14;
	}
	for (size_t r = r0; r < c->nrows; r++)
		for (size_t j = 0; j < nc; j++)
			cell_w = fmax(cell_w, svg_text_width(html_format_number(num, sizeof(num),
									c->v[r * c->ncols + j],
									c->digits),
							     FONT) + 10);
	for (size_t j = 0; j < nc; j++)
		cell_w = fmax(cell_w, label_px(label_of(c->cols, j), 80) + 10);
	double x0 = lw + ew;
	if (c->max_cols) {
		if (nc > c->max_cols)
			nc = c->max_cols;
	} else {
		size_t fit = (size_t)((PAGE_W - x0 - 8) / cell_w);
		if (fit < 6)
			fit = 6;
		if (nc > fit)
			nc = fit;
	}
	for (size_t r = r0; r < c->nrows; r++)
		for (size_t j = c->first_scaled_col; j < nc; j++) {
			double v = c->v[r * c->ncols + j];
			if (isfinite(v)) {
				lo = fmin(lo, v);
				hi = fmax(hi, v);
				nvals++;
			}
		}
	int any = nvals > 0;
	for (size_t r = r0; r < c->nrows && !any; r++)
		for (size_t j = 0; j < nc && !any; j++)
			any = isfinite(c->v[r * c->ncols + j]);
	if (!nr || !nc || !any) {
		html_missing(h, html_label(h, HTML_L_NO_DATA_CHART));
		return html_status(h);
	}
	if (c->has_domain) {
		lo = c->lo;
		hi = c->hi;
	}

	double head = c->cols_title ? 40 : 24, top = head + 4;
	double legend_y = top + (double)nr * cell_h + 14;
	double W = fmax(x0 + (double)nc * cell_w + 8, 420);
	double H = legend_y + 44;

	svg_open(h, W, H, c->title);
	if (c->cols_title)
		text_at(h, x0 + (double)nc * cell_w / 2, 14, "middle", MUTED, NULL, c->cols_title,
			fmax((double)nc * cell_w, 200));
	if (c->corner)
		text_at(h, 4, head - 6, "start", MUTED, "font-weight=\"600\"", c->corner, lw - 10);
	if (c->extra && c->extra_title)
		text_at(h, x0 - 8, head - 6, "end", MUTED, "font-weight=\"600\"", c->extra_title, 0);
	for (size_t j = 0; j < nc; j++)
		text_at(h, x0 + ((double)j + 0.5) * cell_w, head - 6, "middle", MUTED,
			"font-weight=\"600\"", label_of(c->cols, j), cell_w - 4);
	html_raw(h, "\n");
	for (size_t r = r0; r < c->nrows; r++) {
		double y = top + (double)(r - r0) * cell_h;
		text_at(h, 4, y + cell_h / 2 + 4, "start", NULL, NULL, label_of(c->rows, r),
			lw - 14);
		if (c->extra)
			text_at(h, x0 - 8, y + cell_h / 2 + 4, "end", NULL, NULL,
				html_format_number(num, sizeof(num), c->extra[r], c->extra_digits), 0);
		for (size_t j = 0; j < nc; j++) {
			double v = c->v[r * c->ncols + j], x = x0 + (double)j * cell_w;
			unsigned char rgb[3] = { 0xf0, 0xf2, 0xf4 };
			if (!isfinite(v)) {
				/* missing: an outlined empty cell with the table's "-" */
				html_rawf(h, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
					     "fill=\"#ffffff\" stroke=\"" GRID "\"/>",
					  x + 1.5, y + 1.5, cell_w - 3, cell_h - 3);
				text_at(h, x + cell_w / 2, y + cell_h / 2 + 4, "middle", AXIS, NULL, "-", 0);
				continue;
			}
			if (j >= c->first_scaled_col)
				svg_heat_colour(hi - lo > 1e-12 ? (v - lo) / (hi - lo) : 0.5, rgb);
			html_rawf(h, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				     "fill=\"#%02x%02x%02x\"/>",
				  x + 1, y + 1, cell_w - 2, cell_h - 2, rgb[0], rgb[1], rgb[2]);
			text_at(h, x + cell_w / 2, y + cell_h / 2 + 4, "middle", svg_text_colour_on(rgb),
				NULL, html_format_number(num, sizeof(num), v, c->digits), 0);
		}
		html_raw(h, "\n");
	}
	/* legend: five steps of the scale with their values, then what the
	 * uncoloured and the empty cells mean */
	double lx = 4;
	if (nvals) {
		for (int k = 0; k <= 4; k++) {
			unsigned char rgb[3];
			double v = hi - lo > 1e-12 ? lo + (hi - lo) * k / 4.0 : lo;
			svg_heat_colour(hi - lo > 1e-12 ? k / 4.0 : 0.5, rgb);
			html_rawf(h, "<rect x=\"%.1f\" y=\"%.1f\" width=\"36\" height=\"14\" "
				     "fill=\"#%02x%02x%02x\"/>",
				  lx + k * 38.0, legend_y, rgb[0], rgb[1], rgb[2]);
			text_at(h, lx + k * 38.0 + 18, legend_y + 28, "middle", MUTED, NULL,
				html_format_number(num, sizeof(num), v, c->digits), 0);
			if (hi - lo <= 1e-12)
				break;
		}
		lx += 5 * 38.0 + 16;
	}
	text_at(h, lx, legend_y + 11, "start", MUTED, NULL, html_label(h, HTML_L_MISSING_CELL),
		W - lx - 4);
	if (c->first_scaled_col > 0)
		text_at(h, lx, legend_y + 29, "start", MUTED, NULL, html_label(h, HTML_L_NOT_COLOURED),
			W - lx - 4);
	html_raw(h, "\n");
	svg_close(h);
	if (r0) {
		note_begin(h);
		html_labelf(h, HTML_L_EARLIER_COHORTS_F, r0);
		note_end(h);
	}
	if (nc < c->ncols) {
		note_begin(h);
		html_labelf(h, HTML_L_LATER_COLUMNS_F, label_of(c->cols, nc - 1));
		note_end(h);
	}
	return html_status(h);
}
