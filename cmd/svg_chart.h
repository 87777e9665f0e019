#ifndef LOYAL_SVG_CHART_H
#define LOYAL_SVG_CHART_H

/*
 * The charts of `loyal report`, drawn by loyal itself as inline SVG inside
 * the page of html.h: no script, no font or file loaded, readable printed.
 *
 * Every chart takes plain arrays of labels and numbers and borrows them
 * for the call only. A value that is not finite (NAN) is missing: a gap in
 * a line, "-" in a cell, never a zero. A chart with nothing to draw says
 * so in the page (html_missing) instead of leaving its section empty.
 * Charts bound their size: at most `max_*` categories, rows or columns are
 * drawn (0: the default named below), with a note of what was left out.
 * Labels are measured by display width (a CJK character counts as one em)
 * and cut with an ellipsis rather than overlap; x-axis labels are thinned
 * to every k-th, always keeping the latest.
 *
 * Numbers in the charts are written as the table format writes them
 * (html_format_number with the chart's `digits`).
 */

#include <stddef.h>

#include "html.h"

/* ---- building blocks (exposed for the tests) ----------------------------- */

/* Axis ticks: first, first + step, ..., first + (count - 1) * step. */
struct svg_ticks {
	double first, step;
	size_t count;
	int digits; /* decimals that show every tick exactly */
};

/*
 * "Nice" ticks (1, 2 or 5 times a power of ten) covering [lo, hi] with
 * about `target` intervals: the first tick is <= lo and the last >= hi.
 * lo == hi is widened around the value. Returns 0, or -1 when lo or hi is
 * not finite or lo > hi.
 */
int svg_nice_ticks(double lo, double hi, size_t target, struct svg_ticks *out);

/* Estimated width in pixels of `s` in the page's sans-serif font at
 * `font_px` (metrics of DejaVu Sans, the widest of the usual faces, so
 * that labels placed by this estimate do not overlap in the others; East
 * Asian wide characters one em). */
double svg_text_width(const char *s, double font_px);
/* Bytes of `s` to keep so that they plus an ellipsis fit `max_px`; strlen(s)
 * when all of `s` fits. Cuts between whole characters. */
size_t svg_text_fit(const char *s, double max_px, double font_px);

/* The heatmap's colour at t in [0, 1] (light to dark blue, ColorBrewer's
 * sequential Blues), as red, green, blue. */
void svg_heat_colour(double t, unsigned char rgb[3]);
/* The text colour, "#ffffff" or "#000000", of higher contrast on `rgb`: at
 * least 4.58:1 whatever the fill (WCAG AA asks 4.5:1). */
const char *svg_text_colour_on(const unsigned char rgb[3]);
/* WCAG contrast ratio of two colours (1 to 21). */
double svg_contrast(const unsigned char a[3], const unsigned char b[3]);

/*
 * Count values into `nbins` equal bins over [lo, hi] (the last bin holds
 * hi itself): counts[i] for [lo + i w, lo + (i + 1) w). Values that are not
 * finite or fall outside are not counted; returns how many were not.
 */
size_t svg_histogram_bins(const double *x, size_t n, double lo, double hi, size_t nbins,
			  double *counts);

/* ---- charts ------------------------------------------------------------- */

struct svg_series {
	const char *name; /* legend text (a chart of one series shows none) */
	const double *y;  /* n values */
	const double *lo; /* optional band of n lower and upper bounds, or NULL */
	const double *hi;
};

struct svg_line_chart {
	const char *title;          /* for screen readers (<title>, aria-label) */
	const char *const *x;       /* n category labels (periods), oldest first */
	size_t n;
	const struct svg_series *series;
	size_t nseries;             /* at most 8 drawn, then a note */
	int digits;                 /* decimals of the values, as in the table */
	const char *y_title;        /* above the y axis, e.g. "NPS" or "%" */
	const char *band_name;      /* legend text of the band, e.g. "95% interval" */
	int has_limits;             /* the scale never goes past [lo_limit, hi_limit] */
	double lo_limit, hi_limit;  /* e.g. -100, 100 for NPS; 0, 100 for a rate */
	int include_zero;           /* the scale includes 0 */
	int has_ref;                /* a dashed reference line at `ref` (e.g. NPS 0) */
	double ref;
	size_t max_points;          /* keep the latest max_points categories (0: 120) */
};

/* A line per series over the categories, its band shaded; each value
 * written over its point when they fit (one series). Returns html_status(). */
int svg_line_chart(struct html *h, const struct svg_line_chart *c);

struct svg_stack_chart {
	const char *title;
	const char *const *rows;     /* nrows labels (the --by groups) */
	size_t nrows;
	const char *const *parts;    /* nparts legend names */
	const char *const *colours;  /* nparts fills "#rrggbb", or NULL for the palette */
	size_t nparts;
	const double *pct;           /* nrows * nparts shares in percent, row-major, as
				      * the table shows them; a row of missing values
				      * is drawn as "no value" */
	int digits;
	const char *value_title;     /* heading of an optional right-hand column */
	const double *value;         /* nrows values (e.g. NPS), or NULL */
	int value_digits;
	size_t max_rows;             /* 0: 30 */
};

/* Stacked 100% horizontal bars: one bar per row, its parts side by side
 * with their shares written inside when they fit. The shares are printed
 * as given; the widths are normalised to the row's sum, so that rounded
 * shares still fill the bar. Returns html_status(). */
int svg_stack_chart(struct html *h, const struct svg_stack_chart *c);

enum svg_tone { SVG_TONE_NEUTRAL = 0, SVG_TONE_GOOD, SVG_TONE_BAD, SVG_TONE_MID };

struct svg_bar_chart {
	const char *title;
	const char *const *x;         /* n category labels ("1".."5", bins) */
	size_t n;
	const double *y;              /* n values; missing: "-" on the axis */
	int digits;
	const char *x_title, *y_title;
	const unsigned char *tone;    /* optional n enum svg_tone values */
	size_t max_bars;              /* 0: 60 (the first are kept) */
};

/* Vertical bars from zero with their values written above them (a
 * histogram when x are bins). Returns html_status(). */
int svg_bar_chart(struct html *h, const struct svg_bar_chart *c);

struct svg_heatmap {
	const char *title;
	const char *corner;           /* heading of the row labels ("cohort") */
	const char *const *rows;      /* nrows labels, oldest first */
	size_t nrows;
	const char *const *cols;      /* ncols labels ("0", "1", ...) */
	size_t ncols;
	const char *cols_title;       /* over the columns ("periods since first purchase") */
	const double *v;              /* nrows * ncols, row-major; NAN: no value */
	int digits;
	const char *extra_title;      /* optional column after the labels ("customers") */
	const double *extra;          /* nrows values, or NULL */
	int extra_digits;
	size_t first_scaled_col;      /* columns before it are not coloured (period 0
				       * is 100% by definition and would flatten the
				       * scale) */
	int has_domain;               /* colour domain [lo, hi]; otherwise the shown
				       * coloured values' min and max */
	double lo, hi;
	size_t max_rows, max_cols;    /* 0: 24 rows and as many columns as fit the
				       * page (at least 6); the latest rows and the
				       * first columns are kept */
};

/* A table of coloured cells with the values written in them, text dark or
 * white by contrast; a colour legend and notes of what was cut follow.
 * Returns html_status(). */
int svg_heatmap(struct html *h, const struct svg_heatmap *c);

#endif
