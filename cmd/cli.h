#ifndef LOYAL_CLI_H
#define LOYAL_CLI_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "loyal.h"

/* Exit statuses (sysexits.h values), documented in loyal(1). */
enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_USAGE = 64,     /* bad command line */
	CLI_EXIT_DATA = 65,      /* bad input data, or nothing to compute */
	CLI_EXIT_NOINPUT = 66,   /* an input cannot be opened */
	CLI_EXIT_SOFTWARE = 70,  /* internal error */
	CLI_EXIT_OSERR = 71,     /* out of memory or another system failure */
	CLI_EXIT_CANTCREAT = 73, /* the output cannot be created */
	CLI_EXIT_IOERR = 74,     /* read or write error, including a full disk */
	CLI_EXIT_INTERRUPTED = 130 /* stopped by Ctrl-C in `loyal shell` */
};

/* Set by `loyal shell` on Ctrl-C; a command's read loop stops with
 * CLI_EXIT_INTERRUPTED when it sees it (0 outside the shell). */
extern volatile sig_atomic_t cli_interrupted;

/* Open an input for a command: the copy `loyal shell` holds in memory when
 * it loaded `path`, else the file (see loyal_reader_open). */
int cli_reader_open(loyal_reader **r, const char *path, const loyal_read_options *o);
/* Whether `loyal shell` holds `path` in memory. */
int cli_loaded(const char *path);

/* Returned by cli_parse() when the command should go on. */
#define CLI_CONTINUE (-1)

/* Name of the running subcommand, for messages ("nps"). */
extern const char *cli_cmd;

/* "loyal <cmd>: <message>" on stderr; or, on a thread that set
 * cli_msg_sink, kept there to be printed later (see parallel.h). */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
struct cli_msgs;
extern _Thread_local struct cli_msgs *cli_msg_sink;
int cli_msgs_append(struct cli_msgs *m, const char *line, size_t len);
/* "out of memory" as cli_error() writes it; returns CLI_EXIT_OSERR (71). */
int cli_oom(void);
/* Report libloyal's last error for status `code`; returns the exit status. */
int cli_lib_error(int code);
/* After reporting error `e`: when it is text that is not UTF-8, a hint
 * naming the encoding its bytes most likely are in (once per run). */
void cli_encoding_hint(const loyal_error_info *e);
/* Exit status for a libloyal status code. */
int cli_exit_status(int code);

/* ---- declarative options -------------------------------------------- */

#define CLI_LIST_MAX 16

struct cli_list {
	const char *items[CLI_LIST_MAX];
	size_t n;
};

enum cli_opt_kind {
	CLI_OPT_END_K = 0,
	CLI_OPT_FLAG_K,   /* int target set to 1 */
	CLI_OPT_STRING_K, /* const char * target */
	CLI_OPT_LIST_K,   /* struct cli_list target; repeatable */
	CLI_OPT_GROUP_K   /* a heading in --help */
};

struct cli_opt {
	enum cli_opt_kind kind;
	char short_name;
	const char *long_name;
	const char *arg;  /* name of the argument in help ("NAME") */
	void *target;
	const char *help;
};

#define CLI_OPT_FLAG(s, l, t, h) { CLI_OPT_FLAG_K, (s), (l), NULL, (t), (h) }
#define CLI_OPT_STRING(s, l, a, t, h) { CLI_OPT_STRING_K, (s), (l), (a), (t), (h) }
#define CLI_OPT_LIST(s, l, a, t, h) { CLI_OPT_LIST_K, (s), (l), (a), (t), (h) }
#define CLI_OPT_GROUP(h) { CLI_OPT_GROUP_K, 0, NULL, NULL, NULL, (h) }
#define CLI_OPT_END { CLI_OPT_END_K, 0, NULL, NULL, NULL, NULL }

struct cli_command_info {
	const char *name;
	const char *usage;   /* "loyal nps [options] FILE..." */
	const char *summary; /* one paragraph */
};

/*
 * Parse argv against `opts`. Options and operands may be mixed; "--" ends
 * options; "-" is an operand (standard input). Operands are moved, in order,
 * to argv[*nargs...] starting at argv[0]. Returns CLI_CONTINUE, or an exit
 * status to return at once (0 after --help, 64 on a usage error).
 */
int cli_parse(const struct cli_command_info *info, const struct cli_opt *opts,
	      int argc, char **argv, int *nargs);
/* Set by `loyal shell` to learn a command's options: cli_parse() hands it
 * the table and returns 0 at once, parsing nothing. */
extern void (*cli_parse_probe)(const struct cli_command_info *info, const struct cli_opt *opts);
void cli_usage(FILE *out, const struct cli_command_info *info, const struct cli_opt *opts);
/* Print "loyal <cmd>: <msg>" then the usage line; returns 64. */
int cli_usage_error(const struct cli_command_info *info, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Parse a non-negative whole number option; returns 0 or prints and returns 64. */
/* A whole number from min to max for option `opt`; one message otherwise. */
int cli_parse_count(uint64_t *out, const char *opt, const char *text, uint64_t min,
		    uint64_t max);
int cli_parse_number(double *out, const char *opt, const char *text);
int cli_parse_day(int32_t *out, const char *opt, const char *text);

/* ---- options shared by every command --------------------------------- */

/* CLI_FMT_RAW: the output layer writes nothing itself; the command writes
 * to cli_out_stream() (check --clean). Not a --format. */
enum cli_format { CLI_FMT_TABLE = 0, CLI_FMT_CSV, CLI_FMT_TSV, CLI_FMT_JSON, CLI_FMT_RAW };

struct cli_common {
	/* input */
	const char *delimiter;
	int no_header;
	const char *max_field_size;
	const char *date_col;
	const char *date_format;
	const char *threads;
	const char *encoding;
	/* grouping */
	struct cli_list by;
	const char *period_name;
	const char *from, *to;
	/* output */
	const char *format_name;
	const char *output;
	int quiet;
	int excel_safe;
	const char *max_width_text;
	int bom;
	/* partial states (cmd/partial.c): write the state instead of the
	 * result; read states instead of CSV files */
	int partial, from_partial;

	/* resolved by cli_common_finish() */
	loyal_read_options read;
	size_t nthreads;    /* -j, LOYAL_THREADS, or the cores (at most 8) */
	size_t part_min;    /* smallest part of a split file, in bytes */
	loyal_period period;
	int has_from, has_to;
	int32_t from_day, to_day;
	enum cli_format format;
	size_t max_width; /* table format: widest text cell, 0 for no limit */
	/* set by a command reading two kinds of file: the prefix of this
	 * input's options ("orders-"), for the hints that name them */
	const char *opt_prefix;
	/* the prefix of this input's date options when only they have one
	 * (report: --survey-date-col, --orders-date-col); NULL: opt_prefix */
	const char *date_opt_prefix;
};

#define CLI_OPTS_INPUT(c) \
	CLI_OPT_GROUP("Input"), \
	CLI_OPT_STRING('d', "delimiter", "CHAR", &(c)->delimiter, \
		       "field delimiter: , ; tab | or any single character (default: detected)"), \
	CLI_OPT_FLAG(0, "no-header", &(c)->no_header, \
		     "the first row is data; name columns by number from 1"), \
	CLI_OPT_STRING(0, "encoding", "ENC", &(c)->encoding, \
		       "input encoding: gb18030, gbk, big5, utf-16, latin1... (default UTF-8)"), \
	CLI_OPT_STRING(0, "date-col", "NAME", &(c)->date_col, \
		       "column holding the date (default: found by header name)"), \
	CLI_OPT_STRING(0, "date-format", "FMT", &(c)->date_format, \
		       "strptime-style date format, e.g. %m/%d/%Y (default: ISO 8601 or YYYYMMDD)"), \
	CLI_OPT_STRING(0, "max-field-size", "BYTES", &(c)->max_field_size, \
		       "reject fields longer than BYTES (default 16777216)")

/* For the commands that read a large file on several threads (not check). */
#define CLI_OPT_THREADS(c) \
	CLI_OPT_STRING('j', "threads", "N", &(c)->threads, \
		       "threads reading a large file (default: the cores, at most 8)")

/* For the metric commands whose state merges (cmd/partial.h). */
#define CLI_OPTS_PARTIAL(c) \
	CLI_OPT_GROUP("Partial results (loyal-merge(1))"), \
	CLI_OPT_FLAG(0, "partial", &(c)->partial, \
		     "write the mergeable state of the inputs instead of the result"), \
	CLI_OPT_FLAG(0, "from-partial", &(c)->from_partial, \
		     "the FILEs are partial states of this command to merge")

#define CLI_OPTS_GROUPING(c) \
	CLI_OPT_GROUP("Grouping"), \
	CLI_OPT_LIST(0, "by", "COL", &(c)->by, \
		     "one result row per value of COL (repeatable)"), \
	CLI_OPT_STRING(0, "period", "P", &(c)->period_name, \
		       "split by date: day, week, month, quarter or year"), \
	CLI_OPT_STRING(0, "from", "DATE", &(c)->from, "ignore rows dated before DATE"), \
	CLI_OPT_STRING(0, "to", "DATE", &(c)->to, "ignore rows dated after DATE")

#define CLI_OPTS_OUTPUT(c) \
	CLI_OPT_GROUP("Output"), \
	CLI_OPT_STRING('f', "format", "FMT", &(c)->format_name, \
		       "table (default), csv, tsv or json"), \
	CLI_OPT_STRING('o', "output", "FILE", &(c)->output, \
		       "write the result to FILE atomically instead of standard output"), \
	CLI_OPT_FLAG(0, "excel-safe", &(c)->excel_safe, \
		     "prefix text cells starting with = + - @ with ' (spreadsheet formula injection)"), \
	CLI_OPT_STRING(0, "max-width", "N", &(c)->max_width_text, \
		       "table format: cut text wider than N columns with an ellipsis (default 60, 0: no limit)"), \
	CLI_OPT_FLAG(0, "bom", &(c)->bom, \
		     "start csv or tsv output with a UTF-8 byte-order mark (for Excel)"), \
	CLI_OPT_FLAG('q', "quiet", &(c)->quiet, "no summary line on standard error")

/* Validate and convert the shared options; returns CLI_CONTINUE or 64. */
int cli_common_finish(const struct cli_command_info *info, struct cli_common *c);

/* ---- output ---------------------------------------------------------- */

/* CLI_T_GROUP is text too: the value of a --by column, whose name comes
 * from the input and is printed as by_NAME when another column has it. */
/* CLI_T_BOOLS: an array of true/false (nums holds 1 or 0), JSON only. */
enum cli_type { CLI_T_STR = 0, CLI_T_INT, CLI_T_NUM, CLI_T_BOOL, CLI_T_NUMS, CLI_T_GROUP,
		CLI_T_BOOLS };

struct cli_column {
	const char *name;
	enum cli_type type;
	int digits; /* decimals shown in the table format */
};

struct cli_value {
	int null; /* no value: empty in csv/tsv, null in json, "-" in the table */
	const char *s;
	int64_t i;
	double d;
	const double *nums; /* CLI_T_NUMS: an array of numbers */
	size_t nnums;
};

struct cli_out;

/* Start the output described by `c` (format, -o). The column array must stay
 * valid until cli_out_close(). Returns 0 or an exit status (73). */
int cli_out_open(struct cli_out **out, const struct cli_common *c,
		 const struct cli_column *cols, size_t ncols);
/* An output of several tables, the first named `name`: start it as
 * cli_out_open() does, then call cli_out_next_table() between tables. In
 * the table format the tables follow each other with a blank line between;
 * in csv and tsv, a blank line and the next table's header; in JSON the
 * output is one object {"NAME": [rows], "NAME2": [rows], ...}. */
int cli_out_open_named(struct cli_out **out, const struct cli_common *c, const char *name,
		       const struct cli_column *cols, size_t ncols);
/* End the current table and start the next, named `name`, with its own
 * columns (valid until cli_out_close()). Returns 0 or an exit status. */
int cli_out_next_table(struct cli_out *o, const char *name, const struct cli_column *cols,
		       size_t ncols);
/* Write one row of ncols values; returns 0 or an exit status. */
int cli_out_row(struct cli_out *o, const struct cli_value *vals);
/* Finish: on success (status 0) flush and, with -o, move the file into
 * place; otherwise discard. Returns the final exit status. */
int cli_out_close(struct cli_out *o, int status);
/* The stream behind an output, for writers that format their own rows
 * (csv format only); cli_out_close() still finishes it. */
FILE *cli_out_stream(struct cli_out *o);

#define CLI_NULL ((struct cli_value){ .null = 1 })
#define CLI_STR(v) ((struct cli_value){ .s = (v) })
#define CLI_INT(v) ((struct cli_value){ .i = (int64_t)(v) })
#define CLI_NUM(v) ((struct cli_value){ .d = (v) })
#define CLI_BOOL(v) ((struct cli_value){ .i = (v) ? 1 : 0 })

/* ---- grouped input (survey commands) --------------------------------- */

struct cli_source {
	loyal_reader *r;
	size_t date_col; /* SIZE_MAX when not used */
	size_t by_cols[CLI_LIST_MAX];
};

/* Open `path` with the shared options; find the date column when
 * `need_date` or any date option is set, and the --by columns. */
int cli_source_open(struct cli_source *s, const char *path, const struct cli_common *c,
		    int need_date);
void cli_source_close(struct cli_source *s);
/* A usage error (64, after a message) when two --by options found the same
 * column (cols[i] is the column of c->by.items[i]); else 0. */
int cli_by_distinct(loyal_reader *r, const size_t *cols, const struct cli_common *c);
/* Parse the date of the current row; reports a located data error (65). */
int cli_source_date(struct cli_source *s, const struct cli_common *c, int32_t *days);
/* Report a value error at the current row and column (uses loyal_error_last's
 * reason); returns 65. */
int cli_source_value_error(struct cli_source *s, size_t col);

/* Groups: --by values plus the period index, interned to dense ids by
 * libloyal's grouping (loyal/grouping.h: length-prefixed values, so no two
 * tuples of values share a group). */
struct cli_groups {
	loyal_grouping *lib;       /* made at the first row, or by _init_as */
	const char *const *names;  /* cli_groups_init_as: the --by names */
	size_t nby;                /* cli_groups_init_as: the --by count */
	loyal_period shown;        /* cli_groups_init_as: the period shown */
	int has_shape;             /* set by cli_groups_init_as */
	char *val;                 /* the period's text */
};

int cli_groups_init(struct cli_groups *g);
/* Groups that know their --by columns (c->by, which must outlive g) and the
 * period their values show (LOYAL_PERIOD_NONE: none, whatever c->period
 * is), for cli_groups_columns() and cli_groups_values(). */
int cli_groups_init_as(struct cli_groups *g, const struct cli_common *c, loyal_period shown);
void cli_groups_dispose(struct cli_groups *g);
/* Id of the current row's group. */
int cli_groups_id(struct cli_groups *g, struct cli_source *s, const struct cli_common *c,
		  int64_t period_index, uint32_t *id, int *added);
size_t cli_groups_count(const struct cli_groups *g);
/* Ids sorted by --by values (each by its bytes, a prefix first), then
 * period. Caller frees; NULL when out of memory. */
uint32_t *cli_groups_sorted(const struct cli_groups *g);
/* Whether two groups have the same --by values. */
int cli_groups_same_by(const struct cli_groups *g, uint32_t a, uint32_t b);

/* Add the --by and period columns to a column array; returns the count added. */
size_t cli_group_columns(struct cli_column *cols, const struct cli_common *c);
/* Fill the --by and period values of group id; returns the count filled, or
 * SIZE_MAX when out of memory. The strings stay valid until the groups
 * change or the next call. */
size_t cli_group_values(struct cli_value *vals, struct cli_groups *g, uint32_t id,
			const struct cli_common *c);
/* The same for groups made by cli_groups_init_as(), from what they know. */
size_t cli_groups_columns(struct cli_column *cols, const struct cli_groups *g);
size_t cli_groups_values(struct cli_value *vals, struct cli_groups *g, uint32_t id);

/* The command table of cmd/main.c, for the shell: the name and one-line
 * description of entry i (NULL past the end), and a command's function. */
const char *cli_command_name(size_t i, const char **description);
int (*cli_command_fn(const char *name))(int argc, char **argv);
/* The same for a command that writes partial states (--partial), whose
 * states `loyal merge` replays; NULL for any other. */
int (*cli_state_command_fn(const char *name))(int argc, char **argv);

/* Commands */
int cmd_check(int argc, char **argv);
int cmd_churn(int argc, char **argv);
int cmd_clv(int argc, char **argv);
int cmd_complaints(int argc, char **argv);
int cmd_csat(int argc, char **argv);
int cmd_loyalty(int argc, char **argv);
int cmd_nps(int argc, char **argv);
int cmd_repurchase(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_retention(int argc, char **argv);
int cmd_segment(int argc, char **argv);
int cmd_shell(int argc, char **argv);
int cmd_summary(int argc, char **argv);
int cmd_tiers(int argc, char **argv);

#endif
