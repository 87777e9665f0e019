/*
 * Output: the table, csv, tsv and json renderers of a command's result
 * rows, written to standard output or, with -o, to a file moved into
 * place at the end (cli_file.c).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_file.h"
#include "parallel.h"

/* ---- output ------------------------------------------------------------ */

struct cli_out {
	FILE *fp;
	struct cli_target target; /* -o FILE */
	int has_target;
	size_t max_width;         /* table format: widest text, 0 for no limit */
	enum cli_format format;
	int excel_safe;
	const struct cli_column *cols;
	size_t ncols;
	const char **names; /* column names as printed (see unique_names) */
	char **owned;       /* the renamed ones */
	uint64_t rows;
	/* table format: every cell kept as text until the widths are known */
	char **cells;
	size_t ncells, cells_cap;
	size_t *width;
	int named;          /* several named tables (cli_out_open_named) */
};

static int out_fail(struct cli_out *o)
{
	(void)o;
	return cli_oom();
}

static void put_csv_text(FILE *fp, const char *s);
static void put_tsv_text(FILE *fp, const char *s);
static const char *cut_to_width(const char *text, size_t max, char **owned);

static int name_taken(const struct cli_out *o, size_t self, const char *name)
{
	for (size_t j = 0; j < o->ncols; j++)
		if (j != self && !strcmp(o->names[j], name))
			return 1;
	return 0;
}

/*
 * Output column names are unique, so a JSON object never has a key twice
 * and a CSV header names each column once: a --by column named like another
 * column (a result column such as nps or period, or the customer column) is
 * printed as by_NAME (by_by_NAME if that is taken too). Result columns keep
 * their documented names.
 */
static int unique_names(struct cli_out *o)
{
	if (!(o->names = calloc(o->ncols ? o->ncols : 1, sizeof(*o->names))) ||
	    !(o->owned = calloc(o->ncols ? o->ncols : 1, sizeof(*o->owned))))
		return -1;
	for (size_t i = 0; i < o->ncols; i++)
		o->names[i] = o->cols[i].name;
	for (size_t i = 0; i < o->ncols; i++) {
		if (o->cols[i].type != CLI_T_GROUP)
			continue;
		while (name_taken(o, i, o->names[i])) {
			size_t n = strlen(o->names[i]) + 4;
			char *s = malloc(n);
			if (!s)
				return -1;
			snprintf(s, n, "by_%s", o->names[i]);
			free(o->owned[i]);
			o->owned[i] = s;
			o->names[i] = s;
		}
	}
	return 0;
}

static void put_json_text(FILE *fp, const char *s);
static void write_table(struct cli_out *o);
static void write_header(struct cli_out *o);

static int out_open(struct cli_out **out, const struct cli_common *c,
		    const struct cli_column *cols, size_t ncols, const char *name);

int cli_out_open(struct cli_out **out, const struct cli_common *c,
		 const struct cli_column *cols, size_t ncols)
{
	return out_open(out, c, cols, ncols, NULL);
}

int cli_out_open_named(struct cli_out **out, const struct cli_common *c, const char *name,
		       const struct cli_column *cols, size_t ncols)
{
	return out_open(out, c, cols, ncols, name);
}

/* The column widths and unique names of the current table. */
static int table_setup(struct cli_out *o)
{
	if (o->format == CLI_FMT_TABLE && !(o->width = calloc(o->ncols ? o->ncols : 1, sizeof(size_t))))
		return -1;
	if (unique_names(o) < 0)
		return -1;
	for (size_t i = 0; o->format == CLI_FMT_TABLE && i < o->ncols; i++) {
		/* a --by column's name comes from the input, as its values do;
		 * result columns keep their documented names */
		char *cut;
		if (o->cols[i].type != CLI_T_GROUP)
			continue;
		if (!cut_to_width(o->names[i], o->max_width, &cut))
			return -1;
		if (cut) {
			free(o->owned[i]);
			o->owned[i] = cut;
			o->names[i] = cut;
		}
	}
	return 0;
}

static void table_reset(struct cli_out *o)
{
	for (size_t i = 0; i < o->ncells; i++)
		free(o->cells[i]);
	o->ncells = 0;
	for (size_t i = 0; o->owned && i < o->ncols; i++)
		free(o->owned[i]);
	free(o->owned);
	free(o->names);
	free(o->width);
	o->owned = NULL;
	o->names = NULL;
	o->width = NULL;
	o->rows = 0;
}

int cli_out_next_table(struct cli_out *o, const char *name, const struct cli_column *cols,
		       size_t ncols)
{
	switch (o->format) {
	case CLI_FMT_TABLE:
		write_table(o);
		fputc('\n', o->fp);
		break;
	case CLI_FMT_CSV:
	case CLI_FMT_TSV:
		fputc('\n', o->fp);
		break;
	case CLI_FMT_JSON:
		fputs(o->rows ? "\n],\n" : "],\n", o->fp);
		put_json_text(o->fp, name);
		fputs(": [", o->fp);
		break;
	case CLI_FMT_RAW:
		/* the command writes the stream itself */
		break;
	}
	table_reset(o);
	o->cols = cols;
	o->ncols = ncols;
	if (table_setup(o) < 0)
		return out_fail(o);
	if (o->format == CLI_FMT_CSV || o->format == CLI_FMT_TSV)
		write_header(o);
	return 0;
}

static void write_header(struct cli_out *o)
{
	for (size_t i = 0; i < o->ncols; i++) {
		if (i)
			fputc(o->format == CLI_FMT_CSV ? ',' : '\t', o->fp);
		/* a --by column's name comes from the input: quote it as
		 * any text cell */
		(o->format == CLI_FMT_CSV ? put_csv_text : put_tsv_text)(o->fp, o->names[i]);
	}
	fputc('\n', o->fp);
}

static int out_open(struct cli_out **out, const struct cli_common *c,
		    const struct cli_column *cols, size_t ncols, const char *name)
{
	struct cli_out *o = calloc(1, sizeof(*o));

	if (!o) {
		return cli_oom();
	}
	o->format = c->format;
	o->named = name != NULL;
	o->excel_safe = c->excel_safe;
	o->cols = cols;
	o->ncols = ncols;
	o->fp = stdout;
	if (c->output && strcmp(c->output, "-")) {
		int rc = cli_target_open(&o->target, c->output);
		if (rc != 0) {
			free(o);
			return rc;
		}
		o->fp = o->target.fp;
		o->has_target = 1;
	}
	o->max_width = c->max_width;
	if (table_setup(o) < 0) {
		cli_out_close(o, CLI_EXIT_OSERR);
		return cli_oom();
	}
	*out = o;
	if (c->bom && (o->format == CLI_FMT_CSV || o->format == CLI_FMT_TSV))
		fputs("\xEF\xBB\xBF", o->fp);
	if (o->format == CLI_FMT_CSV || o->format == CLI_FMT_TSV) {
		write_header(o);
	} else if (o->format == CLI_FMT_JSON) {
		if (name) {
			fputc('{', o->fp);
			put_json_text(o->fp, name);
			fputs(": ", o->fp);
		}
		fputc('[', o->fp);
	}
	return 0;
}

static void put_csv_text(FILE *fp, const char *s)
{
	int quote = !*s ? 0 : (s[0] == ' ' || s[strlen(s) - 1] == ' ');

	for (const char *p = s; *p && !quote; p++)
		if (*p == ',' || *p == '"' || *p == '\n' || *p == '\r')
			quote = 1;
	if (!quote) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			fputc('"', fp);
		fputc(*p, fp);
	}
	fputc('"', fp);
}

/* TSV cannot quote: tab, line breaks and backslash are escaped as \t \n \r \\. */
static void put_tsv_text(FILE *fp, const char *s)
{
	for (const char *p = s; *p; p++) {
		switch (*p) {
		case '\t': fputs("\\t", fp); break;
		case '\n': fputs("\\n", fp); break;
		case '\r': fputs("\\r", fp); break;
		case '\\': fputs("\\\\", fp); break;
		default: fputc(*p, fp);
		}
	}
}

static void put_json_text(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", fp);
		else if (*p == '\r')
			fputs("\\r", fp);
		else if (*p == '\t')
			fputs("\\t", fp);
		else if (*p < 0x20)
			fprintf(fp, "\\u%04x", *p);
		else
			fputc(*p, fp);
	}
	fputc('"', fp);
}

static int needs_excel_guard(const char *s)
{
	return s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
	       s[0] == '\t' || s[0] == '\r';
}

/* Text of a numeric value for the machine formats: shortest exact form. */
static void format_num(char *buf, size_t size, const struct cli_column *col,
		       const struct cli_value *v, int table)
{
	switch (col->type) {
	case CLI_T_INT:
		snprintf(buf, size, "%lld", (long long)v->i);
		break;
	case CLI_T_BOOL:
		snprintf(buf, size, "%s", v->i ? "true" : "false");
		break;
	case CLI_T_NUM:
		if (table) {
			snprintf(buf, size, "%.*f", col->digits, v->d);
			/* "-0.0" reads as a sign that is not there */
			if (buf[0] == '-' && strspn(buf + 1, "0.") == strlen(buf + 1))
				memmove(buf, buf + 1, strlen(buf));
		} else if (!loyal_format_double(buf, size, v->d)) {
			buf[0] = '\0';
		}
		break;
	default:
		buf[0] = '\0';
	}
}

/*
 * Columns a text takes on a terminal, for aligning the table: East Asian
 * wide and fullwidth characters (CJK, Hangul, fullwidth forms, most emoji)
 * take two, combining marks none, everything else one. Invalid UTF-8
 * bytes count one each. Not locale-dependent, unlike wcwidth().
 */
static int is_wide(uint32_t c)
{
	return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) ||
	       (c >= 0x3041 && c <= 0x33FF) || (c >= 0x3400 && c <= 0x4DBF) ||
	       (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
	       (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
	       (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
	       (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
	       (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD);
}

static int is_combining(uint32_t c)
{
	return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
	       (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
	       (c >= 0xFE20 && c <= 0xFE2F) || c == 0x200B || c == 0x200D ||
	       (c >= 0xFE00 && c <= 0xFE0F);
}

/* The width of the character at *pp, which is moved past it. */
static size_t char_width(const unsigned char **pp)
{
	const unsigned char *p = *pp;
	uint32_t c = *p;
	int n = c < 0x80 ? 0 : c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : -1;

	if (n < 0) {
		/* a stray continuation byte */
		*pp = p + 1;
		return 1;
	}
	c &= n ? 0x3F >> n : 0x7F;
	int k = 1;
	for (; k <= n && (p[k] & 0xC0) == 0x80; k++)
		c = (c << 6) | (p[k] & 0x3F);
	if (k <= n) {
		/* truncated sequence: count its bytes */
		*pp = p + k;
		return (size_t)k;
	}
	*pp = p + n + 1;
	return is_combining(c) ? 0 : is_wide(c) ? 2 : 1;
}

static size_t display_width(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t w = 0;

	while (*p)
		w += char_width(&p);
	return w;
}

/*
 * The table cuts text wider than --max-width columns to that width, its
 * last column an ellipsis, so one long value (a 1 MB --by value) cannot
 * pad every row of the table to its width. Whole characters only: a wide
 * character that would cross the limit is left out. Returns a new string,
 * or NULL when out of memory; `text` itself when it fits.
 */
static const char *cut_to_width(const char *text, size_t max, char **owned)
{
	static const char ellipsis[] = "\xe2\x80\xa6"; /* U+2026 */
	const unsigned char *p = (const unsigned char *)text, *keep = p;
	size_t w = 0;

	*owned = NULL;
	if (!max || display_width(text) <= max)
		return text;
	while (*p) {
		const unsigned char *q = p;
		size_t cw = char_width(&q);
		if (w + cw > max - 1)
			break;
		w += cw;
		p = q;
		/* combining marks stay with the character they follow */
		while (*p) {
			q = p;
			if (char_width(&q) != 0)
				break;
			p = q;
		}
		keep = p;
	}
	size_t n = (size_t)(keep - (const unsigned char *)text);
	if (!(*owned = malloc(n + sizeof(ellipsis))))
		return NULL;
	memcpy(*owned, text, n);
	memcpy(*owned + n, ellipsis, sizeof(ellipsis));
	return *owned;
}

static int keep_cell(struct cli_out *o, const char *text, size_t col, int is_text)
{
	char *cut = NULL;

	if (o->ncells == o->cells_cap) {
		size_t cap = o->cells_cap ? o->cells_cap * 2 : 256;
		char **c = realloc(o->cells, cap * sizeof(*c));
		if (!c)
			return out_fail(o);
		o->cells = c;
		o->cells_cap = cap;
	}
	if (is_text && !(text = cut_to_width(text, o->max_width, &cut)))
		return out_fail(o);
	if (cut)
		o->cells[o->ncells] = cut;
	else if (!(o->cells[o->ncells] = strdup(text)))
		return out_fail(o);
	o->ncells++;
	size_t w = display_width(text);
	if (w > o->width[col])
		o->width[col] = w;
	return 0;
}

int cli_out_row(struct cli_out *o, const struct cli_value *vals)
{
	char num[64];
	FILE *fp = o->fp;

	if (o->format == CLI_FMT_JSON)
		fputs(o->rows ? ",\n{" : "\n{", fp);
	for (size_t i = 0; i < o->ncols; i++) {
		const struct cli_column *col = &o->cols[i];
		const struct cli_value *v = &vals[i];
		const char *text = NULL;
		int is_text = col->type == CLI_T_STR || col->type == CLI_T_GROUP;
		char *guarded = NULL;

		if (!v->null && col->type == CLI_T_NUM && !isfinite(v->d)) {
			/* A value that could not be computed must be null by then:
			 * never print nan, and never an empty cell in its place. */
			cli_error("internal error: column '%s' has no finite value (please report "
				  "this with the command line)", col->name);
			free(guarded);
			return CLI_EXIT_SOFTWARE;
		}
		if (v->null) {
			text = o->format == CLI_FMT_TABLE ? "-" : o->format == CLI_FMT_JSON ? "null" : "";
			is_text = 0;
		} else if (is_text) {
			text = v->s ? v->s : "";
			if (o->excel_safe && needs_excel_guard(text)) {
				size_t n = strlen(text) + 2;
				if (!(guarded = malloc(n)))
					return out_fail(o);
				snprintf(guarded, n, "'%s", text);
				text = guarded;
			}
		} else if (col->type == CLI_T_NUMS || col->type == CLI_T_BOOLS) {
			is_text = 0;
			text = NULL;
		} else {
			format_num(num, sizeof(num), col, v, o->format == CLI_FMT_TABLE);
			text = num;
		}

		switch (o->format) {
		case CLI_FMT_TABLE:
			if (col->type == CLI_T_NUMS && !v->null) {
				/* not expected in tables: commands expand arrays into columns */
				text = "";
			}
			if (keep_cell(o, text, i, is_text)) {
				free(guarded);
				return CLI_EXIT_OSERR;
			}
			break;
		case CLI_FMT_CSV:
		case CLI_FMT_TSV:
			if (i)
				fputc(o->format == CLI_FMT_CSV ? ',' : '\t', fp);
			if (col->type == CLI_T_NUMS && !v->null) {
				for (size_t k = 0; k < v->nnums; k++) {
					if (k)
						fputc(o->format == CLI_FMT_CSV ? ',' : '\t', fp);
					if (loyal_format_double(num, sizeof(num), v->nums[k]))
						fputs(num, fp);
				}
			} else if (is_text) {
				(o->format == CLI_FMT_CSV ? put_csv_text : put_tsv_text)(fp, text);
			} else {
				fputs(text, fp);
			}
			break;
		case CLI_FMT_JSON:
			if (i)
				fputs(", ", fp);
			put_json_text(fp, o->names[i]);
			fputs(": ", fp);
			if (col->type == CLI_T_BOOLS && !v->null) {
				fputc('[', fp);
				for (size_t k = 0; k < v->nnums; k++)
					fputs(v->nums[k] != 0 ? (k ? ", true" : "true")
							      : (k ? ", false" : "false"), fp);
				fputc(']', fp);
			} else if (col->type == CLI_T_NUMS && !v->null) {
				fputc('[', fp);
				for (size_t k = 0; k < v->nnums; k++) {
					if (k)
						fputs(", ", fp);
					fputs(loyal_format_double(num, sizeof(num), v->nums[k]) ? num : "null", fp);
				}
				fputc(']', fp);
			} else if (is_text) {
				put_json_text(fp, text);
			} else if (col->type == CLI_T_NUM && !v->null && !*text) {
				fputs("null", fp);
			} else {
				fputs(text, fp);
			}
			break;
		case CLI_FMT_RAW:
			/* the command writes the stream itself */
			break;
		}
		free(guarded);
	}
	if (o->format == CLI_FMT_JSON)
		fputc('}', fp);
	else if (o->format != CLI_FMT_TABLE)
		fputc('\n', fp);
	o->rows++;
	return 0;
}

static void write_table(struct cli_out *o)
{
	FILE *fp = o->fp;

	for (size_t i = 0; i < o->ncols; i++) {
		size_t w = display_width(o->names[i]);
		if (w > o->width[i])
			o->width[i] = w;
	}
	for (size_t r = 0; r <= o->rows; r++) {
		for (size_t i = 0; i < o->ncols; i++) {
			const char *text = r == 0 ? o->names[i] : o->cells[(r - 1) * o->ncols + i];
			size_t pad = o->width[i] - display_width(text);
			int left = o->cols[i].type == CLI_T_STR || o->cols[i].type == CLI_T_GROUP;
			if (i)
				fputs("  ", fp);
			if (!left)
				fprintf(fp, "%*s", (int)pad, "");
			/* A table is for reading: line breaks, tabs and other control
			 * characters in text are shown as spaces. */
			for (const unsigned char *p = (const unsigned char *)text; *p; p++)
				fputc(*p < 0x20 || *p == 0x7f ? ' ' : *p, fp);
			if (left && i + 1 < o->ncols)
				fprintf(fp, "%*s", (int)pad, "");
		}
		fputc('\n', fp);
	}
}

FILE *cli_out_stream(struct cli_out *o)
{
	return o->fp;
}

int cli_out_close(struct cli_out *o, int status)
{
	if (!o)
		return status;
	if (status == 0) {
		if (o->format == CLI_FMT_TABLE)
			write_table(o);
		else if (o->format == CLI_FMT_JSON)
			fputs(o->rows ? (o->named ? "\n]}\n" : "\n]\n") : (o->named ? "]}\n" : "]\n"),
			      o->fp);
	}
	if (o->has_target)
		status = cli_target_close(&o->target, status);
	table_reset(o);
	free(o->cells);
	free(o);
	return status;
}
