#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_file.h"
#include "parallel.h"

const char *cli_cmd = "";

/* Messages quote command-line values and data: control characters in them
 * are written as \n, \r, \t or \xHH (as libloyal's messages are), so one
 * message is one line and cannot drive the terminal. */
static size_t escape_into(char *dst, const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != 0x7f) {
			dst[n++] = (char)c;
		} else if (c == '\n' || c == '\r' || c == '\t') {
			dst[n++] = '\\';
			dst[n++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
		} else {
			static const char hex[] = "0123456789abcdef";
			dst[n++] = '\\';
			dst[n++] = 'x';
			dst[n++] = hex[c >> 4];
			dst[n++] = hex[c & 15];
		}
	}
	return n;
}

void cli_error(const char *fmt, ...)
{
	char msg[2048], line[4 * sizeof(msg) + 64];
	size_t n;
	va_list ap;

	if (!cli_msg_sink)
		fflush(stdout);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* The line is built first and written at once, so the messages of
	 * jobs sharing a stderr never interleave within a line (each byte
	 * escapes to at most 4). */
	if (*cli_cmd)
		n = (size_t)snprintf(line, 64, "loyal %s: ", cli_cmd);
	else
		n = (size_t)snprintf(line, 64, "loyal: ");
	if (n >= 64)
		n = 63;
	n += escape_into(line + n, msg);
	line[n++] = '\n';
	if (cli_msg_sink && cli_msgs_append(cli_msg_sink, line, n) == 0)
		return;
	fwrite(line, 1, n, stderr);
}

int cli_exit_status(int code)
{
	switch (code) {
	case LOYAL_OK: return CLI_EXIT_OK;
	case LOYAL_ENOMEM: return CLI_EXIT_OSERR;
	case LOYAL_EOPEN: return CLI_EXIT_NOINPUT;
	case LOYAL_EIO: return CLI_EXIT_IOERR;
	case LOYAL_EINVAL: return CLI_EXIT_USAGE;
	case LOYAL_ECSV:
	case LOYAL_EVALUE:
	case LOYAL_ECOLUMN:
	case LOYAL_ENODATA:
	case LOYAL_ECONVERGE:
	case LOYAL_ETOOBIG:
		return CLI_EXIT_DATA;
	}
	return CLI_EXIT_SOFTWARE;
}

int cli_lib_error(int code)
{
	const loyal_error_info *e = loyal_error_last();

	if (e && e->code == code) {
		cli_error("%s", e->message);
		cli_encoding_hint(e);
	} else {
		cli_error("%s", loyal_strerror(code));
	}
	return cli_exit_status(code);
}

void cli_encoding_hint(const loyal_error_info *e)
{
	/* once per thread: a part read on another thread fails with its own
	 * messages, hint included */
	static _Thread_local int given;
	char name[32], line[256];
	size_t i;

	if (given || !e || !e->encoding || !strcmp(e->encoding, "UTF-8"))
		return;
	for (i = 0; e->encoding[i] && i + 1 < sizeof(name); i++)
		name[i] = (char)(e->encoding[i] >= 'A' && e->encoding[i] <= 'Z'
				 ? e->encoding[i] - 'A' + 'a' : e->encoding[i]);
	name[i] = '\0';
	int n = snprintf(line, sizeof(line), "hint: the file is not UTF-8; its bytes read as %s: "
			 "give --encoding %s\n", e->encoding, name);
	given = 1;
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	/* through the thread's message sink, in order with its messages */
	if (cli_msg_sink && cli_msgs_append(cli_msg_sink, line, (size_t)n) == 0)
		return;
	fflush(stdout);
	fwrite(line, 1, (size_t)n, stderr);
}

/* ---- options ----------------------------------------------------------- */

void cli_usage(FILE *out, const struct cli_command_info *info, const struct cli_opt *opts)
{
	fprintf(out, "usage: %s\n\n%s\n", info->usage, info->summary);
	for (const struct cli_opt *o = opts; o->kind != CLI_OPT_END_K; o++) {
		char left[64];
		int n = 0;

		if (o->kind == CLI_OPT_GROUP_K) {
			fprintf(out, "\n%s options:\n", o->help);
			continue;
		}
		if (o->short_name)
			n = snprintf(left, sizeof(left), "  -%c, --%s", o->short_name, o->long_name);
		else
			n = snprintf(left, sizeof(left), "      --%s", o->long_name);
		if (o->arg && n > 0 && (size_t)n < sizeof(left))
			snprintf(left + n, sizeof(left) - (size_t)n, " %s", o->arg);
		if (strlen(left) <= 28)
			fprintf(out, "%-30s%s\n", left, o->help);
		else
			fprintf(out, "%s\n%-30s%s\n", left, "", o->help);
	}
	fprintf(out, "  -h, --help                  show this help\n");
	fprintf(out, "\nSee loyal-%s(1) for the definitions and examples.\n", info->name);
}

int cli_usage_error(const struct cli_command_info *info, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "loyal %s: ", info->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: %s\n", info->usage);
	fprintf(stderr, "Try 'loyal %s --help' for more information.\n", info->name);
	return CLI_EXIT_USAGE;
}

static const struct cli_opt *find_long(const struct cli_opt *opts, const char *name, size_t len)
{
	for (const struct cli_opt *o = opts; o->kind != CLI_OPT_END_K; o++)
		if (o->long_name && strlen(o->long_name) == len && !strncmp(o->long_name, name, len))
			return o;
	return NULL;
}

static const struct cli_opt *find_short(const struct cli_opt *opts, char c)
{
	for (const struct cli_opt *o = opts; o->kind != CLI_OPT_END_K; o++)
		if (o->kind != CLI_OPT_GROUP_K && o->short_name == c)
			return o;
	return NULL;
}

static int apply(const struct cli_command_info *info, const struct cli_opt *o,
		 const char *value, const char *spelled)
{
	switch (o->kind) {
	case CLI_OPT_FLAG_K:
		*(int *)o->target = 1;
		return CLI_CONTINUE;
	case CLI_OPT_STRING_K:
		*(const char **)o->target = value;
		return CLI_CONTINUE;
	case CLI_OPT_LIST_K: {
		struct cli_list *l = o->target;
		/* A comma-separated value adds several items ("--by a,b"). */
		char *copy = (char *)value;
		for (;;) {
			char *comma = strchr(copy, ',');
			if (comma)
				*comma = '\0';
			if (!*copy)
				return cli_usage_error(info, "option '%s' needs a non-empty value", spelled);
			if (l->n == CLI_LIST_MAX)
				return cli_usage_error(info, "option '%s' given more than %d times",
						       spelled, CLI_LIST_MAX);
			l->items[l->n++] = copy;
			if (!comma)
				break;
			copy = comma + 1;
		}
		return CLI_CONTINUE;
	}
	default:
		return CLI_EXIT_SOFTWARE;
	}
}

void (*cli_parse_probe)(const struct cli_command_info *info, const struct cli_opt *opts);
volatile sig_atomic_t cli_interrupted;

int cli_parse(const struct cli_command_info *info, const struct cli_opt *opts,
	      int argc, char **argv, int *nargs)
{
	static char dash[] = "-";
	int n = 0, only_operands = 0;

	if (cli_parse_probe) {
		cli_parse_probe(info, opts);
		return CLI_EXIT_OK;
	}

	for (int i = 1; i < argc; i++) {
		char *a = argv[i];

		if (only_operands || a[0] != '-' || a[1] == '\0') {
			argv[n++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_operands = 1;
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			cli_usage(stdout, info, opts);
			return CLI_EXIT_OK;
		}
		const struct cli_opt *o;
		const char *value = NULL;
		char spelled[3] = "-?";
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			if (!(o = find_long(opts, name, len)))
				return cli_usage_error(info, "unknown option '--%.*s'", (int)len, name);
			if (eq) {
				if (o->kind == CLI_OPT_FLAG_K)
					return cli_usage_error(info, "option '--%s' takes no value",
							       o->long_name);
				value = eq + 1;
			}
		} else {
			/* Short options bundle as with getopt: "-qf csv" is "-q -f
			 * csv"; an option taking a value takes the rest of the word
			 * ("-fcsv") or the next one. */
			const char *p = a + 1;
			for (;;) {
				spelled[1] = *p;
				if (*p == 'h') {
					cli_usage(stdout, info, opts);
					return CLI_EXIT_OK;
				}
				if (!(o = find_short(opts, *p)))
					return cli_usage_error(info, "unknown option '-%c'", *p);
				if (o->kind != CLI_OPT_FLAG_K || !p[1])
					break;
				int rc = apply(info, o, NULL, spelled);
				if (rc != CLI_CONTINUE)
					return rc;
				p++;
			}
			if (o->kind != CLI_OPT_FLAG_K && p[1])
				value = p + 1;
			a = spelled;
		}
		if (o->kind != CLI_OPT_FLAG_K && !value) {
			if (i + 1 >= argc)
				return cli_usage_error(info, "option '%s' needs a value (%s)", a, o->arg);
			value = argv[++i];
		}
		int rc = apply(info, o, value, a);
		if (rc != CLI_CONTINUE)
			return rc;
	}
	/* No file named: standard input, as jq, mlr and sort read it, unless
	 * it is a terminal or has nothing to give (the command then reports
	 * the missing operand). */
	if (n == 0 && cli_stdin_is_input())
		argv[n++] = dash;
	*nargs = n;
	argv[n] = NULL;
	/* Every operand is an input file. Each is read once: the same file (or
	 * standard input) twice would count its rows twice. */
	return cli_inputs_register(info, argv, n);
}

int cli_parse_count(uint64_t *out, const char *opt, const char *text, uint64_t min,
		    uint64_t max)
{
	int64_t v;

	if (loyal_parse_int64(&v, text, strlen(text)) < 0 || v < 0 || (uint64_t)v < min ||
	    (uint64_t)v > max) {
		if (max == UINT64_MAX || (max > INT64_MAX && min == 0))
			cli_error("option '%s' needs a whole number >= %llu, not '%s'", opt,
				  (unsigned long long)min, text);
		else
			cli_error("option '%s' needs a whole number from %llu to %llu, not '%s'",
				  opt, (unsigned long long)min, (unsigned long long)max, text);
		return CLI_EXIT_USAGE;
	}
	*out = (uint64_t)v;
	return 0;
}

int cli_parse_number(double *out, const char *opt, const char *text)
{
	int64_t micros;

	/* Through the exact decimal parser: the locale never changes how an
	 * option value is read. Option values are read to 6 decimal places:
	 * more are refused rather than rounded away (0.0000004 or 1e-7 to 0),
	 * whatever the spelling of the value. */
	if (loyal_parse_decimal(&micros, text, strlen(text), 1) < 0) {
		cli_error("option '%s' needs a number: %s", opt, loyal_error_last()->reason);
		return CLI_EXIT_USAGE;
	}
	if (loyal_parse_decimal_exact(&micros, text, strlen(text), 1) < 0) {
		cli_error("option '%s' takes at most 6 decimal places, not '%s'", opt, text);
		return CLI_EXIT_USAGE;
	}
	*out = (double)micros / 1e6;
	return 0;
}

/* --date-format, which the date options accept too (set by
 * cli_common_finish(), before any of them is parsed). */
static const char *option_date_format;

int cli_parse_day(int32_t *out, const char *opt, const char *text)
{
	loyal_datetime dt;
	size_t len = strlen(text), start = 0;

	while (start < len && (text[start] == ' ' || text[start] == '\t'))
		start++;
	while (len > start && (text[len - 1] == ' ' || text[len - 1] == '\t'))
		len--;
	if (loyal_date_parse(&dt, text, strlen(text), NULL) == 0) {
		/* Every date-only layout (YYYY-MM-DD, YYYY/MM/DD, YYYYMMDD) has at most 10
		 * characters: anything longer carries a time of day. */
		if (len - start > 10)
			goto time_of_day;
	} else if (!option_date_format) {
		cli_error("option '%s': %s", opt, loyal_error_last()->reason);
		return CLI_EXIT_USAGE;
	} else if (loyal_date_parse(&dt, text, strlen(text), option_date_format) < 0) {
		cli_error("option '%s': '%s' is neither an ISO 8601 date nor in --date-format "
			  "'%s'", opt, text, option_date_format);
		return CLI_EXIT_USAGE;
	} else if (dt.seconds != 0) {
		goto time_of_day;
	}
	*out = dt.days;
	return 0;
time_of_day:
	cli_error("option '%s': '%s' has a time of day; dates in options are whole days "
		  "(give YYYY-MM-DD)", opt, text);
	return CLI_EXIT_USAGE;
}

int cli_common_finish(const struct cli_command_info *info, struct cli_common *c)
{
	loyal_read_options ro = LOYAL_READ_OPTIONS_INIT;

	if (c->delimiter) {
		const char *d = c->delimiter;
		if (!strcmp(d, "tab") || !strcmp(d, "\\t"))
			ro.delimiter = '\t';
		else if (strlen(d) == 1 && d[0] != '"' && d[0] != '\n' && d[0] != '\r')
			ro.delimiter = d[0];
		else
			return cli_usage_error(info, "delimiter '%s' is not a single character", d);
	}
	ro.no_header = c->no_header;
	if (c->encoding) {
		if (loyal_encoding_check(c->encoding) < 0)
			return cli_usage_error(info, "--encoding: %s", loyal_error_last()->reason);
		ro.encoding = c->encoding;
	}
	if (c->max_field_size) {
		uint64_t v;
		if (cli_parse_count(&v, "--max-field-size", c->max_field_size, 1, SIZE_MAX))
			return CLI_EXIT_USAGE;
		ro.max_field_size = (size_t)v;
	}
	c->read = ro;
	if (cli_threads_finish(info, c) != CLI_CONTINUE)
		return CLI_EXIT_USAGE;
	option_date_format = c->date_format;
	if (c->date_format && loyal_date_parse_format_check(c->date_format) < 0)
		return cli_usage_error(info, "--date-format: %s", loyal_error_last()->reason);
	for (size_t i = 0; i < c->by.n; i++)
		for (size_t j = 0; j < i; j++)
			if (!strcmp(c->by.items[i], c->by.items[j]))
				return cli_usage_error(info, "--by %s is given twice", c->by.items[i]);
	c->period = LOYAL_PERIOD_NONE;
	if (c->period_name && loyal_period_parse(&c->period, c->period_name) < 0)
		return cli_usage_error(info, "unknown period '%s' (day, week, month, quarter, year)",
				       c->period_name);
	if (c->from) {
		if (cli_parse_day(&c->from_day, "--from", c->from))
			return CLI_EXIT_USAGE;
		c->has_from = 1;
	}
	if (c->to) {
		if (cli_parse_day(&c->to_day, "--to", c->to))
			return CLI_EXIT_USAGE;
		c->has_to = 1;
	}
	if (c->has_from && c->has_to && c->from_day > c->to_day)
		return cli_usage_error(info, "--from %s is after --to %s", c->from, c->to);
	if (c->output && strcmp(c->output, "-") && cli_target_check(c->output) != CLI_CONTINUE)
		return CLI_EXIT_USAGE;
	c->max_width = 60;
	if (c->max_width_text) {
		uint64_t v;
		if (cli_parse_count(&v, "--max-width", c->max_width_text, 0, 1000000))
			return CLI_EXIT_USAGE;
		c->max_width = (size_t)v;
	}
	c->format = CLI_FMT_TABLE;
	if (c->format_name) {
		static const char *const names[] = { "table", "csv", "tsv", "json" };
		size_t k;
		for (k = 0; k < 4 && strcmp(names[k], c->format_name); k++)
			;
		if (k == 4)
			return cli_usage_error(info, "unknown format '%s' (table, csv, tsv, json)",
					       c->format_name);
		c->format = (enum cli_format)k;
	}
	if (c->bom && c->format != CLI_FMT_CSV && c->format != CLI_FMT_TSV)
		return cli_usage_error(info, "--bom needs --format csv or tsv");
	return CLI_CONTINUE;
}

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
	cli_error("out of memory");
	return CLI_EXIT_OSERR;
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
		cli_error("out of memory");
		return CLI_EXIT_OSERR;
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
		cli_error("out of memory");
		return CLI_EXIT_OSERR;
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
