#ifndef LOYAL_CLI_PREFIX_H
#define LOYAL_CLI_PREFIX_H

#include "cli.h"

/*
 * Option tables of commands that read two kinds of file (loyalty: a survey
 * and orders; complaints: complaints and orders). Each input's options are
 * the existing tables (CLI_OPTS_INPUT, TXN_OPTS_*, ...) given a prefix:
 * --date-col becomes --orders-date-col, with the same target and help, so
 * the prefixed options cannot drift from the unprefixed ones.
 */
#define CLI_PREFIX_MAX_OPTS 96
#define CLI_PREFIX_NAME_MAX 48

struct cli_opt_table {
	struct cli_opt opts[CLI_PREFIX_MAX_OPTS + 1]; /* ends with CLI_OPT_END */
	size_t n;
	char names[CLI_PREFIX_MAX_OPTS][CLI_PREFIX_NAME_MAX];
	char headings[8][64];
	size_t nheadings;
	int overflow;
};

/* Start an empty table. */
void cli_opt_table_init(struct cli_opt_table *t);
/* Append the options of src (up to CLI_OPT_END) as they are. */
void cli_opt_table_add(struct cli_opt_table *t, const struct cli_opt *src);
/* Append the options of src with long names prefixed `prefix` ("orders-")
 * and no short names, under one heading (src's headings are dropped). */
void cli_opt_table_add_prefixed(struct cli_opt_table *t, const struct cli_opt *src,
				const char *prefix, const char *heading);
/* The finished table: NULL when it overflowed (an internal error, after a
 * message). */
const struct cli_opt *cli_opt_table_done(struct cli_opt_table *t);

#endif
