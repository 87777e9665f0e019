#ifndef LOYAL_CLI_RESULT_H
#define LOYAL_CLI_RESULT_H

#include "cli.h"

/*
 * A command's result: one or more tables of declared columns whose rows
 * are produced on demand, and one renderer that writes any result in the
 * format of --format (table, csv, tsv, json) through cli_out.c.
 *
 * Every command has three parts, each a function of its file:
 *
 *   parse    argv -> the command's options (cli_parse, cli_common_finish,
 *            the command's own checks); returns CLI_CONTINUE or a status.
 *   compute  options + inputs -> struct cli_result, through library calls.
 *            It prints nothing but the load's messages on stderr (the
 *            summary line, warnings, errors); it writes nothing to stdout.
 *   render   cli_render(): the result in a format; the command adds
 *            nothing of its own.
 *
 * Columns are declared once (name, type, decimals in the table format) and
 * serve the header of every format. Rows are not copied: a table's row()
 * callback fills row i's values from the library's result (the command's
 * context), so a million-row result is not held twice. Text values need to
 * stay valid only until the next row() call.
 *
 * row() is called for i = 0, 1, ... nrows - 1, in that order, each once, so
 * a row may depend on the one before it (a change from the previous period)
 * through state kept in ctx. It returns 0 or an exit status after a
 * message; rendering stops there and -o leaves no file.
 *
 * A result of several tables (a --summary after the rows, the sections of
 * `check`) is one JSON object {"NAME": [rows], ...} when `named` is set;
 * unnamed, the tables follow each other (a blank line between them, csv and
 * tsv repeating the header). The context a command's tables point to is
 * the command's own and is freed by the command after rendering.
 *
 * The shape of a command file (cmd/summary.c is the smallest example):
 *
 *   struct NAME { struct cli_common c; ...options; ...loaded state;
 *                 struct cli_column cols[...]; ...row buffers; };
 *   static int parse(struct NAME *, int argc, char **argv, int *nargs);
 *   static int NAME_row(void *ctx, size_t i, struct cli_value *v);
 *   static int compute(struct NAME *, char **files, int nfiles,
 *                      struct cli_result *res);
 *   int cmd_NAME(int argc, char **argv)
 *   {
 *           parse; compute; cli_render(&res, &x.c); free what x holds;
 *   }
 *
 * Adding a command is that file, a row in cmd/main.c's table, a man page
 * (its COLUMNS from the column declarations), a golden test, and the
 * library module that computes it (and its cmd_NAME declaration in
 * cli.h). `report` has the same three parts, but its render writes an HTML
 * page from the computed figures (report_data.c) instead of a result
 * table. Not result tables: `check` writes a report of each file as it
 * reads it, and --rejects/--clean copy input rows through; `merge` reads
 * states and hands them to the command that wrote them; `shell` runs the
 * other commands.
 */

#define CLI_RESULT_MAX_TABLES 8

struct cli_table {
	const char *name; /* the JSON key of a named result; else NULL */
	const struct cli_column *cols;
	size_t ncols;
	size_t nrows;
	/* Fill vals[0..ncols) for row i; 0 or an exit status. */
	int (*row)(void *ctx, size_t i, struct cli_value *vals);
	void *ctx;
};

struct cli_result {
	struct cli_table tables[CLI_RESULT_MAX_TABLES];
	size_t ntables;
	int named; /* JSON: one object of named tables (cli_out_open_named) */
};

/* Append a table (copied; its columns and ctx are borrowed until the result
 * is rendered). Returns the table, or NULL past CLI_RESULT_MAX_TABLES. */
struct cli_table *cli_result_add(struct cli_result *r, const char *name,
				 const struct cli_column *cols, size_t ncols, size_t nrows,
				 int (*row)(void *ctx, size_t i, struct cli_value *vals),
				 void *ctx);

/*
 * Write result `r` in the format and to the destination of `c` (-o FILE
 * moved into place only when everything was written). Returns 0 or an exit
 * status (73 for -o, 74 for a write error, or a row()'s status).
 */
int cli_render(const struct cli_result *r, const struct cli_common *c);

#endif
