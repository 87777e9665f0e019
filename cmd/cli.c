/*
 * Options: the declarative option tables, --help, and the options shared
 * by every command. Messages are in cli_msg.c, output in cli_out.c,
 * sources and groups in cli_source.c.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "partial.h"
#include "cli_file.h"
#include "parallel.h"

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
				cli_partial_note(opts, o, NULL);
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
		cli_partial_note(opts, o, value);
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
