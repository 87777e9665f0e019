#ifndef LOYAL_LINE_EDIT_H
#define LOYAL_LINE_EDIT_H

#include <signal.h>
#include <stddef.h>

/*
 * Line editing for `loyal shell` (cmd/line_edit.c): the only file in the
 * program that includes readline, as sqlite's shell keeps it behind one
 * wrapper. Without readline at build time it reads plain lines.
 */

/* Candidates for the word being completed, filled by the shell. */
struct le_matches;

/* Add a candidate (copied); those not starting with the word are left out. */
void le_match_add(struct le_matches *m, const char *candidate);
/* Complete the word as a file name instead of from the candidates. */
void le_match_files(struct le_matches *m);

/* The shell's completer: `line` is the whole line, the word being completed
 * is line[start..end). */
typedef void (*le_complete_fn)(const char *line, size_t start, size_t end,
			       struct le_matches *m);

/*
 * Start line editing on the terminal: load the history from `history_path`
 * (NULL: no history; a missing file is an empty history) and complete with
 * `complete`. Returns 0.
 */
int le_open(const char *history_path, le_complete_fn complete);

/*
 * Show `prompt` and read one line. Returns it (the caller frees it), or
 * NULL at the end of input (Ctrl-D on an empty line). A Ctrl-C while
 * editing (the SIGINT handler set *interrupt) drops the line: the return
 * value is an empty line and *interrupt is cleared.
 */
char *le_read(const char *prompt, volatile sig_atomic_t *interrupt);

/* Remember a line in the history (not blank, not the same as the last). */
void le_history_add(const char *line);

/*
 * Save the history (the last 1000 lines) and leave the terminal as found.
 * Returns 0, or an errno value when the history file cannot be written.
 */
int le_close(void);

#endif
