/* Line editing for `loyal shell`: the one file that includes readline. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include "line_edit.h"

#ifdef LOYAL_HAVE_READLINE
#include <readline/history.h>
#include <readline/readline.h>
#endif

#define HISTORY_MAX 1000

struct le_matches {
	char **items;
	size_t n, cap;
	const char *word;
	size_t word_len;
	int files;
};

void le_match_add(struct le_matches *m, const char *candidate)
{
	if (strncmp(candidate, m->word, m->word_len) != 0)
		return;
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->items[i], candidate))
			return;
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 32;
		char **p = realloc(m->items, cap * sizeof(*p));
		if (!p)
			return;
		m->items = p;
		m->cap = cap;
	}
	if ((m->items[m->n] = strdup(candidate)))
		m->n++;
}

void le_match_files(struct le_matches *m)
{
	m->files = 1;
}

static le_complete_fn completer;

#ifdef LOYAL_HAVE_READLINE

static void matches_free(struct le_matches *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->items[i]);
	free(m->items);
	memset(m, 0, sizeof(*m));
}

static char *history_path;

static struct le_matches current;
static size_t next_match;

static char *next_candidate(const char *text, int state)
{
	(void)text;
	if (state == 0)
		next_match = 0;
	if (next_match < current.n)
		return strdup(current.items[next_match++]);
	return NULL;
}

static char **complete(const char *text, int start, int end)
{
	char **result = NULL;

	rl_attempted_completion_over = 1; /* never readline's own file names */
	matches_free(&current);
	current.word = text;
	current.word_len = strlen(text);
	if (completer)
		completer(rl_line_buffer, (size_t)start, (size_t)end, &current);
	if (current.files) {
		rl_attempted_completion_over = 0;
		rl_filename_completion_desired = 1;
		result = rl_completion_matches(text, rl_filename_completion_function);
	} else if (current.n) {
		result = rl_completion_matches(text, next_candidate);
	}
	matches_free(&current);
	return result;
}

static char *line_read;
static int line_done;

static void on_line(char *line)
{
	line_read = line;
	line_done = 1;
	/* Remove the handler so a Ctrl-D line does not redisplay the prompt. */
	rl_callback_handler_remove();
}

int le_open(const char *path, le_complete_fn fn)
{
	completer = fn;
	rl_readline_name = "loyal";
	/* Signals are the shell's: its SIGINT handler only sets a flag, which
	 * le_read() sees when select() is interrupted. */
	rl_catch_signals = 0;
	rl_attempted_completion_function = complete;
	rl_completer_word_break_characters = " \t\n\"'|=";
	rl_completer_quote_characters = "\"'";
	using_history();
	stifle_history(HISTORY_MAX);
	free(history_path);
	history_path = path ? strdup(path) : NULL;
	if (history_path)
		read_history(history_path);
	return 0;
}

char *le_read(const char *prompt, volatile sig_atomic_t *interrupt)
{
	line_read = NULL;
	line_done = 0;
	rl_callback_handler_install(prompt, on_line);
	while (!line_done) {
		fd_set in;
		FD_ZERO(&in);
		FD_SET(fileno(rl_instream ? rl_instream : stdin), &in);
		int n = select(fileno(rl_instream ? rl_instream : stdin) + 1, &in, NULL, NULL, NULL);
		if (n < 0 && errno == EINTR) {
			if (interrupt && *interrupt) {
				/* Ctrl-C: drop the line being edited, as bash does. */
				*interrupt = 0;
				rl_free_line_state();
				rl_callback_sigcleanup();
				rl_replace_line("", 0);
				rl_crlf();
				rl_callback_handler_remove();
				return strdup("");
			}
			continue;
		}
		if (n < 0) {
			rl_callback_handler_remove();
			return NULL;
		}
		rl_callback_read_char();
	}
	return line_read;
}

void le_history_add(const char *line)
{
	const char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return;
	HIST_ENTRY *last = history_length > 0 ? history_get(history_base + history_length - 1)
					       : NULL;
	if (last && !strcmp(last->line, line))
		return;
	add_history(line);
}

int le_close(void)
{
	int rc = 0;

	if (history_path) {
		if ((rc = write_history(history_path)) == 0)
			history_truncate_file(history_path, HISTORY_MAX);
	}
	clear_history();
	free(history_path);
	history_path = NULL;
	rl_callback_handler_remove();
	return rc;
}

#else /* no readline: plain lines, no history, no completion */

int le_open(const char *path, le_complete_fn fn)
{
	(void)path;
	completer = fn;
	return 0;
}

char *le_read(const char *prompt, volatile sig_atomic_t *interrupt)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	fputs(prompt, stdout);
	fflush(stdout);
	errno = 0;
	if ((n = getline(&line, &cap, stdin)) < 0) {
		free(line);
		if (errno == EINTR && interrupt && *interrupt) {
			*interrupt = 0;
			clearerr(stdin);
			putchar('\n');
			return strdup("");
		}
		return NULL;
	}
	if (n > 0 && line[n - 1] == '\n')
		line[n - 1] = '\0';
	return line;
}

void le_history_add(const char *line)
{
	(void)line;
}

int le_close(void)
{
	return 0;
}

#endif
