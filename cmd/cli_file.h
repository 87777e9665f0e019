#ifndef LOYAL_CLI_FILE_H
#define LOYAL_CLI_FILE_H

#include <stdio.h>
#include <sys/stat.h>

#include "cli.h"

/*
 * File safety for the program (cmd/cli_file.c): which files are inputs,
 * where an output goes, and what a signal leaves behind.
 *
 *  - Standard descriptors closed at start are held by /dev/null, so no file
 *    the program opens can become "standard output".
 *  - Inputs are identified by (device, inode), standard input included
 *    (fstat), so the same file is never read twice and never overwritten
 *    by -o or --rejects, whatever it is called.
 *  - An output target (-o FILE) is written through a temporary file renamed
 *    into place, or in place when it cannot be replaced: a descriptor name
 *    (/dev/stdout, /dev/fd/N), a device, a FIFO.
 *  - Every signal whose default action ends the process removes the
 *    temporary files first.
 */

/* Call first in main(): hold closed descriptors 0-2 with /dev/null. */
void cli_hold_closed_std_fds(void);

/* Whether a command with no file operand reads standard input: it is open
 * and neither a terminal nor /dev/null. */
int cli_stdin_is_input(void);

/*
 * Record the input operands (kept, not copied: argv outlives the command)
 * and refuse the same file twice, "-" included. Returns CLI_CONTINUE, or an
 * exit status after a message (64, or 71 out of memory).
 */
int cli_inputs_register(const struct cli_command_info *info, char **names, int n);

/* The input operand that is the file `st` describes, or NULL. */
const char *cli_input_same_as(const struct stat *st);

/* An output target. */
struct cli_target {
	FILE *fp;
	const char *path; /* as given, for messages */
	char *dest;       /* the file written or replaced (symbolic links followed) */
	char *tmp_path;   /* the temporary file renamed to dest, or NULL */
	int direct;       /* written in place: a descriptor, device or FIFO */
};

/* Refuse an output target that is an input file, before anything is read:
 * CLI_CONTINUE or 64 after a message. */
int cli_target_check(const char *path);

/* Open `path` for writing (see loyal(1), -o). Returns 0, or an exit status
 * after a message: 64 (an input file), 71, 73. */
int cli_target_open(struct cli_target *t, const char *path);

/* Finish: with status 0, flush and move the file into place; otherwise
 * discard it. Returns the final status (74 on a write error, 73 when the
 * rename fails). A closed pipe ends the program as SIGPIPE would. */
int cli_target_close(struct cli_target *t, int status);

/* End the program quietly as if killed by SIGPIPE (a reader went away),
 * also when SIGPIPE is ignored; in `loyal shell` (cli_shell_running)
 * return instead, and the command fails. */
void cli_die_of_sigpipe(void);
extern int cli_shell_running;
/* Set when -o named a pipe whose reader went away (-o /dev/stdout | head):
 * main ends the program as SIGPIPE would after the command returns. */
extern int cli_pipe_gone;

#endif
