/* Unit tests of the program's option parser (cmd/cli.c), output renderers
 * (cmd/cli_out.c) and result tables (cmd/result.c): what golden files of
 * the CLI do not show, such as the escaping of every special character in
 * every format, or the parser's edge cases no command's test reaches. */
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"
#include "helpers.h"
#include "parallel.h"
#include "partial.h"
#include "result.h"

/* ---- stand-ins for the parts of cmd/ these tests do not link ------------ */

/* partial.c: the shell's note of --partial options; parallel.c: -j and the
 * messages of threads, which these tests never start. */
void cli_partial_note(const struct cli_opt *opts, const struct cli_opt *o, const char *value)
{
	(void)opts;
	(void)o;
	(void)value;
}

int cli_threads_finish(const struct cli_command_info *info, struct cli_common *c)
{
	(void)info;
	c->nthreads = 1;
	return CLI_CONTINUE;
}

_Thread_local struct cli_msgs *cli_msg_sink;

int cli_msgs_append(struct cli_msgs *m, const char *line, size_t len)
{
	(void)m;
	(void)line;
	(void)len;
	return -1;
}

/* ---- capturing standard error and an output file ------------------------ */

static char tmpdir[64];

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	if (!fp)
		return NULL;
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static int saved_stderr = -1;
static char err_path[96];

static void err_begin(void)
{
	snprintf(err_path, sizeof(err_path), "%s/stderr", tmpdir);
	fflush(stderr);
	saved_stderr = dup(2);
	int fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	dup2(fd, 2);
	close(fd);
}

/* What was written to standard error since err_begin(); caller frees. */
static char *err_end(void)
{
	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	return slurp(err_path);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/loyal-test-cmd-cli-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	cli_cmd = "test";
	return 0;
}

static int teardown(void **state)
{
	char path[128];
	(void)state;
	snprintf(path, sizeof(path), "%s/stderr", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	return 0;
}

/* ---- the option parser -------------------------------------------------- */

static const struct cli_command_info info = { "test", "loyal test [options] FILE...",
					      "A command for tests." };

struct opts {
	int flag, quiet;
	const char *str, *fmt;
	struct cli_list list;
};

/* Parse argv (NULL-terminated, argv[0] the command) against a small table;
 * argv is copied so that list values may be split in place. */
static int parse(struct opts *o, int *nargs, char ***operands, const char *const *args)
{
	static char store[16][256];
	static char *argv[17];
	int argc = 0;

	memset(o, 0, sizeof(*o));
	for (; args[argc]; argc++) {
		snprintf(store[argc], sizeof(store[argc]), "%s", args[argc]);
		argv[argc] = store[argc];
	}
	argv[argc] = NULL;
	const struct cli_opt table[] = {
		CLI_OPT_GROUP("Test"),
		CLI_OPT_FLAG(0, "flag", &o->flag, "a flag"),
		CLI_OPT_FLAG('q', "quiet", &o->quiet, "quiet"),
		CLI_OPT_STRING('s', "str", "TEXT", &o->str, "a string"),
		CLI_OPT_STRING('f', "format", "FMT", &o->fmt, "a format"),
		CLI_OPT_LIST(0, "by", "COL", &o->list, "a list"),
		CLI_OPT_END
	};
	*operands = argv;
	return cli_parse(&info, table, argc, argv, nargs);
}

static void test_cmd_cli_parse_forms(void **state)
{
	struct opts o;
	char **ops;
	int n;
	(void)state;

	const char *a1[] = { "test", "--str=a=b", "x.csv", "--flag", "y.csv", NULL };
	assert_int_equal(parse(&o, &n, &ops, a1), CLI_CONTINUE);
	assert_string_equal(o.str, "a=b"); /* only the first '=' separates */
	assert_int_equal(o.flag, 1);
	assert_int_equal(n, 2);
	assert_string_equal(ops[0], "x.csv");
	assert_string_equal(ops[1], "y.csv");
	assert_null(ops[2]);

	/* an empty value after '=' is a value */
	const char *a2[] = { "test", "--str=", "x", NULL };
	assert_int_equal(parse(&o, &n, &ops, a2), CLI_CONTINUE);
	assert_string_equal(o.str, "");

	/* short options bundle: -qf csv, -fcsv, -qfcsv */
	const char *a3[] = { "test", "-qf", "csv", "x", NULL };
	assert_int_equal(parse(&o, &n, &ops, a3), CLI_CONTINUE);
	assert_int_equal(o.quiet, 1);
	assert_string_equal(o.fmt, "csv");
	const char *a4[] = { "test", "-qfjson", "x", NULL };
	assert_int_equal(parse(&o, &n, &ops, a4), CLI_CONTINUE);
	assert_int_equal(o.quiet, 1);
	assert_string_equal(o.fmt, "json");

	/* the value of an option may start with '-' */
	const char *a5[] = { "test", "--str", "-x", "f", NULL };
	assert_int_equal(parse(&o, &n, &ops, a5), CLI_CONTINUE);
	assert_string_equal(o.str, "-x");
	assert_int_equal(n, 1);
}

static void test_cmd_cli_parse_repeated(void **state)
{
	struct opts o;
	char **ops;
	int n;
	(void)state;

	/* a string option given twice: the last wins */
	const char *a1[] = { "test", "--str", "one", "-s", "two", "x", NULL };
	assert_int_equal(parse(&o, &n, &ops, a1), CLI_CONTINUE);
	assert_string_equal(o.str, "two");

	/* a list accumulates, and a comma adds several items */
	const char *a2[] = { "test", "--by", "a,b", "--by=c", "x", NULL };
	assert_int_equal(parse(&o, &n, &ops, a2), CLI_CONTINUE);
	assert_int_equal(o.list.n, 3);
	assert_string_equal(o.list.items[0], "a");
	assert_string_equal(o.list.items[1], "b");
	assert_string_equal(o.list.items[2], "c");

	/* an empty item is refused, as is a 17th */
	const char *a3[] = { "test", "--by", "a,,b", "x", NULL };
	err_begin();
	assert_int_equal(parse(&o, &n, &ops, a3), CLI_EXIT_USAGE);
	char *err = err_end();
	assert_non_null(strstr(err, "loyal test: option '--by' needs a non-empty value"));
	free(err);
	const char *a4[] = { "test", "--by", "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q", "x", NULL };
	err_begin();
	assert_int_equal(parse(&o, &n, &ops, a4), CLI_EXIT_USAGE);
	err = err_end();
	assert_non_null(strstr(err, "given more than 16 times"));
	free(err);
}

static void test_cmd_cli_parse_operands(void **state)
{
	struct opts o;
	char **ops;
	int n;
	(void)state;

	/* "--" ends the options: what follows is an operand, even "--flag";
	 * "-" is an operand (standard input) */
	const char *a1[] = { "test", "-", "--", "--flag", "-q", NULL };
	assert_int_equal(parse(&o, &n, &ops, a1), CLI_CONTINUE);
	assert_int_equal(o.flag, 0);
	assert_int_equal(o.quiet, 0);
	assert_int_equal(n, 3);
	assert_string_equal(ops[0], "-");
	assert_string_equal(ops[1], "--flag");
	assert_string_equal(ops[2], "-q");

	/* the same file twice would count its rows twice */
	char path[128];
	snprintf(path, sizeof(path), "%s/stderr", tmpdir);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fclose(fp);
	const char *a2[] = { "test", path, path, NULL };
	err_begin();
	assert_int_equal(parse(&o, &n, &ops, a2), CLI_EXIT_USAGE);
	char *err = err_end();
	assert_non_null(strstr(err, "are the same file"));
	free(err);
}

static void test_cmd_cli_parse_errors(void **state)
{
	struct opts o;
	char **ops;
	int n;
	char *err;
	(void)state;

	const char *a1[] = { "test", "--nope=1", "x", NULL };
	err_begin();
	assert_int_equal(parse(&o, &n, &ops, a1), CLI_EXIT_USAGE);
	err = err_end();
	assert_non_null(strstr(err, "loyal test: unknown option '--nope'\n"));
	assert_non_null(strstr(err, "usage: loyal test [options] FILE..."));
	free(err);

	const char *a2[] = { "test", "-qz", "x", NULL };
	err_begin();
	assert_int_equal(parse(&o, &n, &ops, a2), CLI_EXIT_USAGE);
	err = err_end();
	assert_non_null(strstr(err, "unknown option '-z'"));
	free(err);

	/* a prefix of a long option is not the option */
	const char *a3[] = { "test", "--fla", "x", NULL };
	err_begin();
	assert_int_equal(parse(&o, &n, &ops, a3), CLI_EXIT_USAGE);
	free(err_end());

	const char *a4[] = { "test", "--flag=1", "x", NULL };
	err_begin();
	assert_int_equal(parse(&o, &n, &ops, a4), CLI_EXIT_USAGE);
	err = err_end();
	assert_non_null(strstr(err, "option '--flag' takes no value"));
	free(err);

	const char *a5[] = { "test", "x", "--str", NULL };
	err_begin();
	assert_int_equal(parse(&o, &n, &ops, a5), CLI_EXIT_USAGE);
	err = err_end();
	assert_non_null(strstr(err, "option '--str' needs a value (TEXT)"));
	free(err);

	const char *a6[] = { "test", "x", "-s", NULL };
	err_begin();
	assert_int_equal(parse(&o, &n, &ops, a6), CLI_EXIT_USAGE);
	err = err_end();
	assert_non_null(strstr(err, "option '-s' needs a value (TEXT)"));
	free(err);
}

static void test_cmd_cli_parse_count(void **state)
{
	uint64_t v = 99;
	char *err;
	(void)state;

	assert_int_equal(cli_parse_count(&v, "--n", "0", 0, 10), 0);
	assert_int_equal(v, 0);
	assert_int_equal(cli_parse_count(&v, "--n", "10", 0, 10), 0);
	assert_int_equal(v, 10);
	v = 7;
	err_begin();
	/* beyond int64, whatever the maximum */
	assert_int_equal(cli_parse_count(&v, "--n", "18446744073709551615", 0, UINT64_MAX),
			 CLI_EXIT_USAGE);
	assert_int_equal(cli_parse_count(&v, "--n", "11", 0, 10), CLI_EXIT_USAGE);
	assert_int_equal(cli_parse_count(&v, "--n", "-1", 0, 10), CLI_EXIT_USAGE);
	assert_int_equal(cli_parse_count(&v, "--n", "1.5", 0, 10), CLI_EXIT_USAGE);
	assert_int_equal(cli_parse_count(&v, "--n", "", 0, 10), CLI_EXIT_USAGE);
	assert_int_equal(cli_parse_count(&v, "--n", "0", 1, UINT64_MAX), CLI_EXIT_USAGE);
	err = err_end();
	assert_int_equal(v, 7); /* untouched on error */
	assert_non_null(strstr(err, "option '--n' needs a whole number from 0 to 10, not '11'"));
	assert_non_null(strstr(err, "option '--n' needs a whole number >= 1, not '0'"));
	free(err);
	assert_int_equal(cli_parse_count(&v, "--n", "9223372036854775807", 0, UINT64_MAX), 0);
	assert_int_equal(v, (uint64_t)INT64_MAX);
}

static void test_cmd_cli_parse_number(void **state)
{
	double d = 0;
	char *err;
	(void)state;

	assert_int_equal(cli_parse_number(&d, "--x", "0.5"), 0);
	assert_double_near(d, 0.5, 0);
	assert_int_equal(cli_parse_number(&d, "--x", "-2.000001"), 0);
	assert_double_near(d, -2.000001, 1e-12);
	err_begin();
	assert_int_equal(cli_parse_number(&d, "--x", "0.0000004"), CLI_EXIT_USAGE);
	assert_int_equal(cli_parse_number(&d, "--x", "1e-7"), CLI_EXIT_USAGE);
	assert_int_equal(cli_parse_number(&d, "--x", "abc"), CLI_EXIT_USAGE);
	assert_int_equal(cli_parse_number(&d, "--x", ""), CLI_EXIT_USAGE);
	err = err_end();
	assert_non_null(strstr(err, "option '--x' takes at most 6 decimal places, not '0.0000004'"));
	assert_non_null(strstr(err, "option '--x' needs a number"));
	free(err);
}

static void test_cmd_cli_parse_day(void **state)
{
	int32_t day = -1, day2 = -1;
	char *err;
	(void)state;

	assert_int_equal(cli_parse_day(&day, "--from", "1970-01-02"), 0);
	assert_int_equal(day, 1);
	assert_int_equal(cli_parse_day(&day, "--from", "2024-02-29"), 0);
	assert_int_equal(cli_parse_day(&day2, "--from", "20240229"), 0);
	assert_int_equal(day, day2);
	err_begin();
	assert_int_equal(cli_parse_day(&day, "--from", "2023-02-29"), CLI_EXIT_USAGE);
	assert_int_equal(cli_parse_day(&day, "--from", "2024-01-01 10:00"), CLI_EXIT_USAGE);
	assert_int_equal(cli_parse_day(&day, "--from", "tomorrow"), CLI_EXIT_USAGE);
	err = err_end();
	assert_non_null(strstr(err, "has a time of day"));
	free(err);
}

/* ---- rendering a result ------------------------------------------------- */

/* A table of fixed rows (values given as the row callback returns them). */
struct fixed {
	const struct cli_value *rows;
	size_t ncols;
	size_t fail_at; /* row index whose callback fails, or SIZE_MAX */
};

static int fixed_row(void *ctx, size_t i, struct cli_value *v)
{
	const struct fixed *f = ctx;

	if (i == f->fail_at) {
		cli_error("row %zu cannot be made", i);
		return CLI_EXIT_DATA;
	}
	memcpy(v, f->rows + i * f->ncols, f->ncols * sizeof(*v));
	return 0;
}

/* Render `r` in `format` to a file through -o; returns its text (caller
 * frees), NULL when no file was left; *status gets cli_render's status. */
static char *render_to_text(const struct cli_result *r, enum cli_format format, int excel_safe,
			    size_t max_width, int *status)
{
	struct cli_common c = { 0 };
	char path[128];

	snprintf(path, sizeof(path), "%s/out", tmpdir);
	unlink(path);
	c.output = path;
	c.format = format;
	c.excel_safe = excel_safe;
	c.max_width = max_width;
	*status = cli_render(r, &c);
	char *text = slurp(path);
	unlink(path);
	return text;
}

static char *render_ok(const struct cli_result *r, enum cli_format format)
{
	int st;
	char *text = render_to_text(r, format, 0, 60, &st);
	assert_int_equal(st, 0);
	assert_non_null(text);
	return text;
}

static const struct cli_column special_cols[] = {
	{ "name", CLI_T_STR, 0 }, { "n", CLI_T_INT, 0 }, { "x", CLI_T_NUM, 2 },
	{ "ok", CLI_T_BOOL, 0 },
};

/* Text with every character a format must escape. */
static const struct cli_value special_rows[] = {
	{ .s = "plain" }, { .i = 1 }, { .d = 0.5 }, { .i = 1 },
	{ .s = "a,b \"q\"" }, { .i = -2 }, { .d = -0.001 }, { .i = 0 },
	{ .s = "tab\there\nline\\ \x01" }, { .i = 3 }, { .null = 1 }, { .null = 1 },
	{ .s = " lead" }, { .i = 4 }, { .d = 1234.5678 }, { .i = 1 },
};

static void special_result(struct cli_result *r, struct fixed *f)
{
	*f = (struct fixed){ special_rows, 4, SIZE_MAX };
	memset(r, 0, sizeof(*r));
	assert_non_null(cli_result_add(r, NULL, special_cols, 4, 4, fixed_row, f));
}

static void test_cmd_cli_render_csv(void **state)
{
	struct cli_result r;
	struct fixed f;
	(void)state;

	special_result(&r, &f);
	char *t = render_ok(&r, CLI_FMT_CSV);
	/* quoted when holding a comma, a quote, a line break or an edge space;
	 * a tab and other control characters pass as they are; numbers in
	 * their shortest exact form; null is empty */
	assert_string_equal(t, "name,n,x,ok\n"
			       "plain,1,0.5,true\n"
			       "\"a,b \"\"q\"\"\",-2,-0.001,false\n"
			       "\"tab\there\nline\\ \x01\",3,,\n"
			       "\" lead\",4,1234.5678,true\n");
	free(t);
}

static void test_cmd_cli_render_tsv(void **state)
{
	struct cli_result r;
	struct fixed f;
	(void)state;

	special_result(&r, &f);
	char *t = render_ok(&r, CLI_FMT_TSV);
	/* TSV cannot quote: tab, line breaks and backslash are escaped */
	assert_string_equal(t, "name\tn\tx\tok\n"
			       "plain\t1\t0.5\ttrue\n"
			       "a,b \"q\"\t-2\t-0.001\tfalse\n"
			       "tab\\there\\nline\\\\ \x01\t3\t\t\n"
			       " lead\t4\t1234.5678\ttrue\n");
	free(t);
}

static void test_cmd_cli_render_json(void **state)
{
	struct cli_result r;
	struct fixed f;
	(void)state;

	special_result(&r, &f);
	char *t = render_ok(&r, CLI_FMT_JSON);
	assert_string_equal(t, "[\n"
			       "{\"name\": \"plain\", \"n\": 1, \"x\": 0.5, \"ok\": true},\n"
			       "{\"name\": \"a,b \\\"q\\\"\", \"n\": -2, \"x\": -0.001, \"ok\": false},\n"
			       "{\"name\": \"tab\\there\\nline\\\\ \\u0001\", \"n\": 3, \"x\": null, "
			       "\"ok\": null},\n"
			       "{\"name\": \" lead\", \"n\": 4, \"x\": 1234.5678, \"ok\": true}\n"
			       "]\n");
	free(t);
}

static void test_cmd_cli_render_table(void **state)
{
	struct cli_result r;
	struct fixed f;
	(void)state;

	special_result(&r, &f);
	char *t = render_ok(&r, CLI_FMT_TABLE);
	/* text left, numbers right, at the column's decimals; control
	 * characters shown as spaces; null as "-"; -0.00 without its sign;
	 * the last column unpadded on the right */
	assert_string_equal(t, "name               n        x     ok\n"
			       "plain              1     0.50   true\n"
			       "a,b \"q\"           -2     0.00  false\n"
			       "tab here line\\     3        -      -\n"
			       " lead              4  1234.57   true\n");
	free(t);
}

static void test_cmd_cli_render_empty(void **state)
{
	struct cli_result r = { 0 };
	struct fixed f = { special_rows, 4, SIZE_MAX };
	(void)state;

	cli_result_add(&r, NULL, special_cols, 4, 0, fixed_row, &f);
	char *t = render_ok(&r, CLI_FMT_JSON);
	assert_string_equal(t, "[]\n");
	free(t);
	t = render_ok(&r, CLI_FMT_CSV);
	assert_string_equal(t, "name,n,x,ok\n");
	free(t);
	t = render_ok(&r, CLI_FMT_TABLE);
	assert_string_equal(t, "name  n  x  ok\n");
	free(t);
}

static void test_cmd_cli_render_excel_safe(void **state)
{
	static const struct cli_column cols[] = { { "v", CLI_T_STR, 0 } };
	static const struct cli_value rows[] = { { .s = "=1+1" }, { .s = "-x" }, { .s = "a=b" },
						 { .s = "@sum" } };
	struct fixed f = { rows, 1, SIZE_MAX };
	struct cli_result r = { 0 };
	int st;
	(void)state;

	cli_result_add(&r, NULL, cols, 1, 4, fixed_row, &f);
	char *t = render_to_text(&r, CLI_FMT_CSV, 1, 60, &st);
	assert_int_equal(st, 0);
	assert_string_equal(t, "v\n'=1+1\n'-x\na=b\n'@sum\n");
	free(t);
}

static void test_cmd_cli_render_max_width(void **state)
{
	static const struct cli_column cols[] = { { "v", CLI_T_STR, 0 }, { "n", CLI_T_INT, 0 } };
	static const struct cli_value rows[] = { { .s = "abcdefgh" }, { .i = 1 },
						 { .s = "\xe4\xb8\xad\xe6\x96\x87\xe5\xad\x97" },
						 { .i = 2 } };
	struct fixed f = { rows, 2, SIZE_MAX };
	struct cli_result r = { 0 };
	int st;
	(void)state;

	cli_result_add(&r, NULL, cols, 2, 2, fixed_row, &f);
	/* cut to 5 columns, the last one an ellipsis; a wide character that
	 * would cross the limit is left out */
	char *t = render_to_text(&r, CLI_FMT_TABLE, 0, 5, &st);
	assert_int_equal(st, 0);
	assert_string_equal(t, "v      n\n"
			       "abcd\xe2\x80\xa6  1\n"
			       "\xe4\xb8\xad\xe6\x96\x87\xe2\x80\xa6  2\n");
	free(t);
	/* the machine formats are never cut */
	t = render_to_text(&r, CLI_FMT_CSV, 0, 5, &st);
	assert_string_equal(t, "v,n\nabcdefgh,1\n\xe4\xb8\xad\xe6\x96\x87\xe5\xad\x97,2\n");
	free(t);
}

/* A --by column named like a result column is printed as by_NAME. */
static void test_cmd_cli_render_group_columns(void **state)
{
	static const struct cli_column cols[] = {
		{ "nps", CLI_T_GROUP, 0 }, { "by_nps", CLI_T_GROUP, 0 }, { "store", CLI_T_GROUP, 0 },
		{ "nps", CLI_T_NUM, 1 },
	};
	static const struct cli_value rows[] = { { .s = "a" }, { .s = "b" }, { .s = "c,d" },
						 { .d = 12.25 } };
	struct fixed f = { rows, 4, SIZE_MAX };
	struct cli_result r = { 0 };
	(void)state;

	cli_result_add(&r, NULL, cols, 4, 1, fixed_row, &f);
	char *t = render_ok(&r, CLI_FMT_CSV);
	assert_string_equal(t, "by_by_nps,by_nps,store,nps\na,b,\"c,d\",12.25\n");
	free(t);
	t = render_ok(&r, CLI_FMT_JSON);
	assert_string_equal(t, "[\n{\"by_by_nps\": \"a\", \"by_nps\": \"b\", \"store\": \"c,d\", "
			       "\"nps\": 12.25}\n]\n");
	free(t);
	t = render_ok(&r, CLI_FMT_TABLE);
	assert_string_equal(t, "by_by_nps  by_nps  store   nps\n"
			       "a          b       c,d    12.2\n");
	free(t);
}

static const struct cli_column two_cols[] = { { "k", CLI_T_STR, 0 }, { "v", CLI_T_INT, 0 } };
static const struct cli_value two_rows[] = { { .s = "a" }, { .i = 1 }, { .s = "b" }, { .i = 2 } };
static const struct cli_column one_col[] = { { "total", CLI_T_NUM, 1 } };
static const struct cli_value one_row[] = { { .d = 3 } };

static void two_tables(struct cli_result *r, struct fixed *f1, struct fixed *f2, int named)
{
	*f1 = (struct fixed){ two_rows, 2, SIZE_MAX };
	*f2 = (struct fixed){ one_row, 1, SIZE_MAX };
	memset(r, 0, sizeof(*r));
	r->named = named;
	cli_result_add(r, "rows", two_cols, 2, 2, fixed_row, f1);
	cli_result_add(r, "summary", one_col, 1, 1, fixed_row, f2);
}

static void test_cmd_cli_render_tables(void **state)
{
	struct cli_result r;
	struct fixed f1, f2;
	char *t;
	(void)state;

	two_tables(&r, &f1, &f2, 1);
	t = render_ok(&r, CLI_FMT_JSON);
	assert_string_equal(t, "{\"rows\": [\n{\"k\": \"a\", \"v\": 1},\n{\"k\": \"b\", \"v\": 2}\n],\n"
			       "\"summary\": [\n{\"total\": 3}\n]}\n");
	free(t);
	t = render_ok(&r, CLI_FMT_CSV);
	assert_string_equal(t, "k,v\na,1\nb,2\n\ntotal\n3\n");
	free(t);
	t = render_ok(&r, CLI_FMT_TSV);
	assert_string_equal(t, "k\tv\na\t1\nb\t2\n\ntotal\n3\n");
	free(t);
	t = render_ok(&r, CLI_FMT_TABLE);
	assert_string_equal(t, "k  v\na  1\nb  2\n\ntotal\n  3.0\n");
	free(t);
}

/* A row that cannot be made stops the output: with -o no file is left, and
 * the row's status is the command's. */
static void test_cmd_cli_render_row_error(void **state)
{
	struct cli_result r = { 0 };
	struct fixed f = { two_rows, 2, 1 };
	int st;
	(void)state;

	cli_result_add(&r, NULL, two_cols, 2, 2, fixed_row, &f);
	err_begin();
	char *t = render_to_text(&r, CLI_FMT_CSV, 0, 60, &st);
	char *err = err_end();
	assert_int_equal(st, CLI_EXIT_DATA);
	assert_null(t);
	assert_string_equal(err, "loyal test: row 1 cannot be made\n");
	free(err);
}

/* A number that could not be computed must reach the renderer as null. */
static void test_cmd_cli_render_nan(void **state)
{
	static const struct cli_value rows[] = { { .d = NAN } };
	struct cli_result r = { 0 };
	struct fixed f = { rows, 1, SIZE_MAX };
	int st;
	(void)state;

	cli_result_add(&r, NULL, one_col, 1, 1, fixed_row, &f);
	err_begin();
	char *t = render_to_text(&r, CLI_FMT_JSON, 0, 60, &st);
	char *err = err_end();
	assert_int_equal(st, CLI_EXIT_SOFTWARE);
	assert_null(t);
	assert_non_null(strstr(err, "column 'total' has no finite value"));
	free(err);
}

static void test_cmd_cli_result_limit(void **state)
{
	struct cli_result r = { 0 };
	struct fixed f = { one_row, 1, SIZE_MAX };
	(void)state;

	for (size_t i = 0; i < CLI_RESULT_MAX_TABLES; i++)
		assert_non_null(cli_result_add(&r, NULL, one_col, 1, 1, fixed_row, &f));
	assert_null(cli_result_add(&r, NULL, one_col, 1, 1, fixed_row, &f));
	assert_int_equal(r.ntables, CLI_RESULT_MAX_TABLES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmd_cli_parse_forms),
		cmocka_unit_test(test_cmd_cli_parse_repeated),
		cmocka_unit_test(test_cmd_cli_parse_operands),
		cmocka_unit_test(test_cmd_cli_parse_errors),
		cmocka_unit_test(test_cmd_cli_parse_count),
		cmocka_unit_test(test_cmd_cli_parse_number),
		cmocka_unit_test(test_cmd_cli_parse_day),
		cmocka_unit_test(test_cmd_cli_render_csv),
		cmocka_unit_test(test_cmd_cli_render_tsv),
		cmocka_unit_test(test_cmd_cli_render_json),
		cmocka_unit_test(test_cmd_cli_render_table),
		cmocka_unit_test(test_cmd_cli_render_empty),
		cmocka_unit_test(test_cmd_cli_render_excel_safe),
		cmocka_unit_test(test_cmd_cli_render_max_width),
		cmocka_unit_test(test_cmd_cli_render_group_columns),
		cmocka_unit_test(test_cmd_cli_render_tables),
		cmocka_unit_test(test_cmd_cli_render_row_error),
		cmocka_unit_test(test_cmd_cli_render_nan),
		cmocka_unit_test(test_cmd_cli_result_limit),
	};
	return loyal_test_status(cmocka_run_group_tests(tests, setup, teardown));
}
