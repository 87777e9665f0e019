#ifndef LOYAL_PARTIAL_CMD_H
#define LOYAL_PARTIAL_CMD_H

#include "cli.h"
#include "loyal/partial.h"

/*
 * Partial states of the metric commands (loyal-merge(1)): --partial writes
 * the state of the inputs to standard output instead of the result;
 * --from-partial reads states instead of CSV files; `loyal merge` runs the
 * command that wrote the states with the options recorded in them.
 *
 * A state starts with its command and the options that decide it (those
 * of the groups Input, Transactions, Grouping and CSAT, and --skip-invalid,
 * --score-col and --holdout-to), as given; states are merged only into a
 * run of the same command with the same such options (exit status 65
 * otherwise).
 */

/* Returned by a command after --partial wrote the state: not an exit
 * status, main() exits 0. */
#define CLI_PARTIAL_DONE 1000

/* Called by cli_parse() for each option given, before it is applied. */
void cli_partial_note(const struct cli_opt *opts, const struct cli_opt *o, const char *value);

/* Start a state on standard output, or with -o in c->output atomically
 * (a temporary file renamed by partial_end): the first line, the command
 * and the recorded options. Returns 0 or an exit status. */
int partial_begin(loyal_partial_writer **w, const struct cli_common *c);
/* Finish it (the last line), flush; with -o, move the file into place
 * (rc 0) or remove it. Returns CLI_PARTIAL_DONE or an exit status. */
int partial_end(loyal_partial_writer *w, int rc);

/* Open a state and check its command and options against this run's;
 * the current record is the first after them. Returns 0 or an exit status
 * after a message. */
int partial_open(loyal_partial_reader **r, const char *path);
/* The next record, which must exist; returns 0 or an exit status. */
int partial_next(loyal_partial_reader *r);
/* Report a libloyal error of reading a state; returns the exit status. */
int partial_error(int error);

/* Groups: one "g" record per group in id order (period index, --by values). */
int partial_groups_write(loyal_partial_writer *w, const struct cli_groups *g, size_t nby);
/* Read the "g" records starting at the current one into `local` (fresh);
 * the current record is then the first after them. */
int partial_groups_read(loyal_partial_reader *r, struct cli_groups *local, size_t nby);

int cmd_merge(int argc, char **argv);

#endif
