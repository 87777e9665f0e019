/*
 * loyal shell: load files once, then run loyal's commands on them.
 *
 * Commands run in this process, one at a time, on the copies in memory
 * (shell_data.c); transaction commands also keep their loaded accumulators
 * (txn_cache_keep), so a second question on the same file with the same
 * input options is answered without reading it. Line editing is behind
 * line_edit.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_file.h"
#include "line_edit.h"
#include "shell.h"
#include "txn_input.h"

/* Loads of transaction files kept between commands (each may take as much
 * memory as the command that read it). */
#define KEPT_LOADS 2

static const struct cli_command_info info = {
	"shell",
	"loyal shell [options] [FILE...]",
	"Load the files once (surveys and orders; the kind is told by the columns),\n"
	"then read commands from standard input: any loyal command line, without\n"
	"'loyal', runs on the loaded files of its kind (nps and csat on surveys, the\n"
	"others on orders) unless it names files itself; '| COMMAND' sends its output\n"
	"to a shell command. Dot commands (.help) load files and set defaults. On a\n"
	"terminal: line editing, history and completion; otherwise no prompt, and the\n"
	"exit status is that of the first line that failed.",
};

/* ---- the option tables of the commands, for dispatch and completion ---- */

struct opt_name {
	char short_name;
	char *long_name;
	int takes_arg;
};

struct cmd_opts {
	const char *name;
	struct opt_name *opts;
	size_t n;
};

static struct cmd_opts *cmd_opts;
static size_t ncmd_opts;
static struct cmd_opts *probing;

static void probe(const struct cli_command_info *ci, const struct cli_opt *opts)
{
	size_t n = 0;

	(void)ci;
	for (const struct cli_opt *o = opts; o->kind != CLI_OPT_END_K; o++)
		n++;
	if (!(probing->opts = calloc(n ? n : 1, sizeof(*probing->opts))))
		return;
	for (const struct cli_opt *o = opts; o->kind != CLI_OPT_END_K; o++) {
		if (o->kind == CLI_OPT_GROUP_K)
			continue;
		struct opt_name *on = &probing->opts[probing->n];
		on->short_name = o->short_name;
		on->takes_arg = o->kind == CLI_OPT_STRING_K || o->kind == CLI_OPT_LIST_K;
		if (o->long_name && !(on->long_name = strdup(o->long_name)))
			return;
		probing->n++;
	}
}

/* Learn every command's options by letting cli_parse() hand over its table. */
static int probe_commands(void)
{
	const char *name;
	size_t n = 0;

	while (cli_command_name(n, NULL))
		n++;
	if (!(cmd_opts = calloc(n, sizeof(*cmd_opts))))
		return CLI_EXIT_OSERR;
	cli_parse_probe = probe;
	for (size_t i = 0; (name = cli_command_name(i, NULL)); i++) {
		char *argv[] = { (char *)name, NULL };
		if (!strcmp(name, "shell"))
			continue;
		probing = &cmd_opts[ncmd_opts++];
		probing->name = name;
		cli_command_fn(name)(1, argv);
	}
	cli_parse_probe = NULL;
	return 0;
}

static void cmd_opts_free(void)
{
	for (size_t i = 0; i < ncmd_opts; i++) {
		for (size_t k = 0; k < cmd_opts[i].n; k++)
			free(cmd_opts[i].opts[k].long_name);
		free(cmd_opts[i].opts);
	}
	free(cmd_opts);
	cmd_opts = NULL;
	ncmd_opts = 0;
}

static const struct cmd_opts *opts_of(const char *name)
{
	for (size_t i = 0; i < ncmd_opts; i++)
		if (!strcmp(cmd_opts[i].name, name))
			return &cmd_opts[i];
	return NULL;
}

/* The option that word `a` spells (with or without "=VALUE"), or NULL. */
static const struct opt_name *opt_find(const struct cmd_opts *co, const char *a)
{
	if (!co || a[0] != '-' || !a[1])
		return NULL;
	for (size_t i = 0; i < co->n; i++) {
		const struct opt_name *o = &co->opts[i];
		if (a[1] == '-' && o->long_name) {
			size_t n = strlen(o->long_name);
			if (!strncmp(a + 2, o->long_name, n) && (!a[2 + n] || a[2 + n] == '='))
				return o;
		} else if (a[1] != '-' && o->short_name == a[1]) {
			return o;
		}
	}
	return NULL;
}

/* Operands among words[1..n): what is neither an option nor its value. */
static size_t count_operands(const struct cmd_opts *co, char **words, size_t n)
{
	size_t operands = 0;

	for (size_t i = 1; i < n; i++) {
		const char *a = words[i];
		if (!strcmp(a, "--"))
			return operands + (n - i - 1);
		if (a[0] != '-' || !a[1]) {
			operands++;
			continue;
		}
		const struct opt_name *o = opt_find(co, a);
		if (o && o->takes_arg && !strchr(a, '=') && !(a[1] != '-' && a[2]))
			i++;
	}
	return operands;
}

static int has_option(const struct cmd_opts *co, char **words, size_t n, const char *long_name)
{
	for (size_t i = 1; i < n && strcmp(words[i], "--"); i++) {
		const struct opt_name *o = opt_find(co, words[i]);
		if (o && o->long_name && !strcmp(o->long_name, long_name))
			return 1;
	}
	return 0;
}

/* ---- words ------------------------------------------------------------- */

struct words {
	char **w;
	size_t n, cap;
	char *pipe; /* the shell command after an unquoted '|', or NULL */
};

static void words_free(struct words *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->w[i]);
	free(w->w);
	free(w->pipe);
	memset(w, 0, sizeof(*w));
}

static int words_push(struct words *w, const char *s, size_t len)
{
	if (w->n + 2 > w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 16;
		char **p = realloc(w->w, cap * sizeof(*p));
		if (!p)
			return -1;
		w->w = p;
		w->cap = cap;
	}
	if (!(w->w[w->n] = malloc(len + 1)))
		return -1;
	memcpy(w->w[w->n], s, len);
	w->w[w->n][len] = '\0';
	w->w[++w->n] = NULL;
	return 0;
}

/*
 * Split a line as a POSIX shell splits words: blanks separate, '...' is
 * literal, "..." keeps blanks and takes \" \\ \$ \` as escapes, a
 * backslash outside quotes escapes the next character, '#' at the start of
 * a word begins a comment, and an unquoted '|' ends the words: the rest
 * goes to /bin/sh. Returns 0, or -1 with *err set.
 */
static int split_line(struct words *w, const char *line, const char **err)
{
	size_t len = strlen(line), n = 0;
	char *buf = malloc(len + 1);
	const char *p = line;

	memset(w, 0, sizeof(*w));
	if (!buf) {
		*err = "out of memory";
		return -1;
	}
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p || *p == '#')
			break;
		if (*p == '|') {
			const char *cmd = p + 1;
			while (*cmd == ' ' || *cmd == '\t')
				cmd++;
			if (!*cmd) {
				*err = "'|' with no command after it";
				goto fail;
			}
			if (!(w->pipe = strdup(cmd))) {
				*err = "out of memory";
				goto fail;
			}
			break;
		}
		n = 0;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n' && *p != '|') {
			if (*p == '\'') {
				const char *end = strchr(p + 1, '\'');
				if (!end) {
					*err = "unterminated quote (')";
					goto fail;
				}
				memcpy(buf + n, p + 1, (size_t)(end - p - 1));
				n += (size_t)(end - p - 1);
				p = end + 1;
			} else if (*p == '"') {
				for (p++; *p && *p != '"'; p++) {
					if (*p == '\\' && p[1] && strchr("\"\\$`", p[1]))
						p++;
					buf[n++] = *p;
				}
				if (*p != '"') {
					*err = "unterminated quote (\")";
					goto fail;
				}
				p++;
			} else if (*p == '\\' && p[1]) {
				buf[n++] = p[1];
				p += 2;
			} else {
				buf[n++] = *p++;
			}
		}
		if (words_push(w, buf, n) != 0) {
			*err = "out of memory";
			goto fail;
		}
	}
	free(buf);
	return 0;
fail:
	free(buf);
	words_free(w);
	return -1;
}

/* ---- state ------------------------------------------------------------- */

static struct {
	int interactive;
	int bail;
	int timer;
	const char *format; /* default --format, or NULL */
	int status;         /* of the first line that failed */
	int quit;
	int running;        /* a command is running */
} sh;

static const char *const formats[] = { "table", "csv", "tsv", "json", NULL };

static void on_sigint(int sig)
{
	(void)sig;
	if (sh.running && cli_interrupted) {
		/* A second Ctrl-C: the command did not stop (a model being
		 * fitted); end the shell as Ctrl-C ends a command. */
		signal(SIGINT, SIG_DFL);
		raise(SIGINT);
	}
	cli_interrupted = 1;
}

static void on_sigpipe(int sig)
{
	(void)sig;
}

/* check's --kind word on the line (--kind K, --kind=K, -k K), or NULL. */
static const char *kind_word(char **w, size_t n)
{
	for (size_t i = 1; i < n && strcmp(w[i], "--"); i++) {
		if (!strncmp(w[i], "--kind=", 7))
			return w[i] + 7;
		if ((!strcmp(w[i], "--kind") || !strcmp(w[i], "-k")) && i + 1 < n)
			return w[i + 1];
	}
	return NULL;
}

/* Which loaded files a command reads when it names none: check's by its
 * --kind (every file without one: check then says --kind is needed). */
static enum shell_kind kind_of(const char *cmd, char **w, size_t n)
{
	if (!strcmp(cmd, "nps") || !strcmp(cmd, "csat"))
		return SHELL_SURVEY;
	if (strcmp(cmd, "check"))
		return SHELL_ORDERS;
	const char *k = kind_word(w, n);
	if (!k)
		return SHELL_ANY;
	return !strcmp(k, "transactions") || !strcmp(k, "txn") ? SHELL_ORDERS : SHELL_SURVEY;
}

static int shell_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int shell_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("loyal shell: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_EXIT_USAGE;
}

static double seconds(struct timeval t)
{
	return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

/* ---- dot commands ------------------------------------------------------ */

static void print_help(void)
{
	const char *name, *desc;

	printf("Commands (each runs on the loaded files of its kind unless it names files):\n");
	for (size_t i = 0; (name = cli_command_name(i, &desc)); i++)
		if (strcmp(name, "shell"))
			printf("  %-12s %s\n", name, desc);
	printf("  %-12s %s\n", "help CMD", "the options of a command (as CMD --help)");
	printf("\nAfter a command: -o FILE writes its result to FILE; | COMMAND pipes it to\n"
	       "a shell command.\n\nDot commands:\n"
	       "  .help                     this text\n"
	       "  .load [survey|orders] FILE  load FILE into memory (kind: from its columns)\n"
	       "  .files                    the loaded files: kind, rows, columns, bytes\n"
	       "  .columns [FILE]           the column names of the loaded files\n"
	       "  .timer on|off             show the time each command takes\n"
	       "  .format table|csv|tsv|json  the output format of commands without --format\n"
	       "  .bail on|off              stop at the first line that fails\n"
	       "  .quit                     leave (also Ctrl-D)\n");
}

static int on_off(const char *cmd, char **w, size_t n, int *target)
{
	if (n != 2 || (strcmp(w[1], "on") && strcmp(w[1], "off")))
		return shell_error("usage: %s on|off", cmd);
	*target = !strcmp(w[1], "on");
	return 0;
}

static int dot_files(void)
{
	printf("%-7s %12s %8s %14s  %s\n", "kind", "rows", "columns", "bytes", "file");
	for (size_t i = 0; i < shell_nfiles(); i++) {
		const struct shell_file *f = shell_file_at(i);
		char rows[32] = "-";
		if (f->rows_known)
			snprintf(rows, sizeof(rows), "%llu", (unsigned long long)f->rows);
		printf("%-7s %12s %8zu %14zu  %s\n", shell_kind_name(f->kind), rows, f->ncols,
		       f->len, f->path);
	}
	return 0;
}

static int dot_columns(char **w, size_t n)
{
	int found = 0;

	for (size_t i = 0; i < shell_nfiles(); i++) {
		const struct shell_file *f = shell_file_at(i);
		if (n > 1 && strcmp(f->path, w[1]))
			continue;
		found = 1;
		printf("%s:", f->path);
		for (size_t k = 0; k < f->ncols; k++)
			printf(" %s", f->cols[k]);
		printf("\n");
	}
	if (n > 1 && !found)
		return shell_error("'%s' is not loaded", w[1]);
	return 0;
}

static int load(const char *path, enum shell_kind kind)
{
	int rc;

	cli_cmd = "shell";
	txn_cache_clear(); /* kept loads may name the file being replaced */
	if ((rc = shell_load(path, kind)) == CLI_EXIT_INTERRUPTED)
		cli_error("interrupted: '%s' not loaded", path);
	return rc;
}

static int dot_command(char **w, size_t n)
{
	const char *c = w[0];

	if (!strcmp(c, ".help"))
		print_help();
	else if (!strcmp(c, ".quit") || !strcmp(c, ".exit"))
		sh.quit = 1;
	else if (!strcmp(c, ".files"))
		return dot_files();
	else if (!strcmp(c, ".columns"))
		return n > 2 ? shell_error("usage: .columns [FILE]") : dot_columns(w, n);
	else if (!strcmp(c, ".timer"))
		return on_off(c, w, n, &sh.timer);
	else if (!strcmp(c, ".bail"))
		return on_off(c, w, n, &sh.bail);
	else if (!strcmp(c, ".format")) {
		size_t k;
		for (k = 0; n == 2 && formats[k] && strcmp(formats[k], w[1]); k++)
			;
		if (n != 2 || !formats[k])
			return shell_error("usage: .format table|csv|tsv|json");
		sh.format = formats[k];
	} else if (!strcmp(c, ".load")) {
		enum shell_kind kind = SHELL_ANY;
		size_t first = 1;
		if (n > 2 && (!strcmp(w[1], "survey") || !strcmp(w[1], "orders"))) {
			kind = !strcmp(w[1], "survey") ? SHELL_SURVEY : SHELL_ORDERS;
			first = 2;
		}
		if (n <= first)
			return shell_error("usage: .load [survey|orders] FILE...");
		for (size_t i = first; i < n; i++) {
			int rc = load(w[i], kind);
			if (rc)
				return rc;
		}
	} else {
		return shell_error("unknown dot command '%s'; see .help", c);
	}
	return 0;
}

/* ---- running a command line -------------------------------------------- */

/* Whether the line asks for the command's --help. */
static int asks_help(const struct words *w)
{
	for (size_t i = 1; i < w->n && strcmp(w->w[i], "--"); i++)
		if (!strcmp(w->w[i], "--help") || !strcmp(w->w[i], "-h"))
			return 1;
	return 0;
}

/* Whether the line reads a complaints file (complaints, check --kind
 * complaints): the shell does not tell one from orders by its columns, so
 * the line names it. */
static int reads_complaints(const struct words *w)
{
	const char *k;

	return !strcmp(w->w[0], "complaints") ||
	       (!strcmp(w->w[0], "check") && (k = kind_word(w->w, w->n)) && !strcmp(k, "complaints"));
}

/* The commands that name their inputs with --survey FILE and --orders FILE,
 * never as operands. */
static int by_option(const char *cmd)
{
	return !strcmp(cmd, "loyalty") || !strcmp(cmd, "report");
}

/* For loyalty and report: an input option the line does not give is filled
 * with the loaded files of its kind (--survey with the surveys, --orders
 * with the orders); report reads one file of each, so two loaded files of
 * a kind it is not given are an error asking to name one. */
static int add_input_options(const char *name, const struct cmd_opts *co, struct words *w,
			     char **argv, size_t *argc)
{
	static const struct { const char *opt; enum shell_kind kind; } in[] = {
		{ "survey", SHELL_SURVEY }, { "orders", SHELL_ORDERS }
	};
	int many = strcmp(name, "report") != 0, given = 0, help = asks_help(w);

	/* loyalty's merge of states reads no survey or orders file */
	if (has_option(co, w->w, w->n, "from-partial"))
		return 0;
	for (size_t k = 0; k < 2; k++)
		given |= has_option(co, w->w, w->n, in[k].opt);
	for (size_t k = 0; k < 2 && !help; k++) {
		size_t n = 0;
		if (has_option(co, w->w, w->n, in[k].opt))
			continue;
		for (size_t i = 0; i < shell_nfiles(); i++)
			n += shell_file_at(i)->kind == in[k].kind;
		if (n > 1 && !many)
			return shell_error("%s: %zu %s files are loaded: name one with --%s", name,
					   n, in[k].opt, in[k].opt);
		for (size_t i = 0; i < shell_nfiles(); i++) {
			const struct shell_file *f = shell_file_at(i);
			if (f->kind != in[k].kind)
				continue;
			argv[(*argc)++] = in[k].kind == SHELL_SURVEY ? "--survey" : "--orders";
			argv[(*argc)++] = f->path;
			given = 1;
		}
	}
	if (!given && !help)
		return shell_error("%s: no survey or orders file is loaded: name them with --survey "
				   "and --orders, or .load them", name);
	return 0;
}

static int run_command(struct words *w)
{
	const char *name = w->w[0];
	int (*fn)(int, char **);
	const struct cmd_opts *co;
	char **argv = NULL;
	size_t argc = 0, operands;
	int rc;

	if (!strcmp(name, "help")) {
		if (w->n == 1) {
			print_help();
			return 0;
		}
		if (w->n > 2 || !cli_command_fn(w->w[1]) || !strcmp(w->w[1], "shell"))
			return shell_error("'%s' is not a loyal command; see .help", w->w[1]);
		name = w->w[1];
		char *hargv[] = { (char *)name, "--help", NULL };
		cli_cmd = name;
		return cli_command_fn(name)(2, hargv);
	}
	if (!strcmp(name, "shell"))
		return shell_error("already in the shell; .load loads more files");
	if (!(fn = cli_command_fn(name)))
		return shell_error("'%s' is not a loyal command or dot command; see .help", name);
	co = opts_of(name);
	for (size_t i = 1; i < w->n; i++)
		if (!strcmp(w->w[i], "-") && count_operands(co, w->w, i + 1) >
						     count_operands(co, w->w, i))
			return shell_error("%s: standard input is the shell's input: name a file",
					   name);
	operands = count_operands(co, w->w, w->n);

	/* argv: the words, --format from .format, then the loaded files
	 * (--survey F / --orders F for a command that names its inputs with
	 * options: two words a file). */
	size_t extra = 3 + 2 * shell_nfiles(); /* --format FMT, -- */
	if (!(argv = calloc(w->n + extra + 1, sizeof(*argv))))
		return shell_error("out of memory");
	argv[argc++] = w->w[0];
	if (sh.format && has_option(co, w->w, w->n, "format") == 0 && opt_find(co, "--format")) {
		argv[argc++] = "--format";
		argv[argc++] = (char *)sh.format;
	}
	/* before the words: after a "--" of theirs an option is an operand */
	if (by_option(name) && (rc = add_input_options(name, co, w, argv, &argc)) != 0) {
		free(argv);
		return rc;
	}
	for (size_t i = 1; i < w->n; i++)
		argv[argc++] = w->w[i];
	if (reads_complaints(w) && !operands && !asks_help(w)) {
		free(argv);
		return shell_error("%s: name the complaints file (it may be loaded: it is then read "
				   "from memory)", name);
	}
	if (!operands && !by_option(name) && !reads_complaints(w)) {
		enum shell_kind want = kind_of(name, w->w, w->n);
		size_t added = 0;
		int ended = 0;
		for (size_t i = 1; i < w->n; i++)
			ended |= !strcmp(w->w[i], "--");
		if (!ended)
			argv[argc++] = "--";
		for (size_t i = 0; i < shell_nfiles(); i++) {
			const struct shell_file *f = shell_file_at(i);
			if (want == SHELL_ANY || f->kind == want) {
				argv[argc++] = f->path;
				added++;
			}
		}
		if (!added && !asks_help(w)) {
			free(argv);
			return shell_error("%s: no %s file is loaded: name one, or .load it", name,
					   want == SHELL_SURVEY ? "survey" : want == SHELL_ORDERS
					   ? "orders" : "");
		}
	}
	argv[argc] = NULL;

	cli_cmd = name;
	sh.running = 1;
	rc = fn((int)argc, argv);
	sh.running = 0;
	if (rc == CLI_EXIT_INTERRUPTED)
		cli_error("interrupted");
	cli_cmd = "shell";
	free(argv);
	return rc;
}

/* Flush what a line wrote; a write error fails the line. With `piped`, a
 * reader that went away (| head) is no error. */
static int finish_output(int status, int piped)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		int e = errno;
		clearerr(stdout);
		if (piped)
			return status; /* the reader after '|' left (head) */
		if (e == EPIPE) {
			/* the shell's own reader went away: end as loyal does */
			cli_shell_running = 0;
			cli_die_of_sigpipe();
		}
		cli_error("write error on standard output: %s", strerror(e));
		return status ? status : CLI_EXIT_IOERR;
	}
	return status;
}

static int run_line(const char *line)
{
	struct words w;
	const char *err = NULL;
	FILE *pipe = NULL;
	int saved = -1, rc;
	struct timeval t0, t1;
	struct rusage r0, r1;

	if (split_line(&w, line, &err) != 0)
		return shell_error("%s", err);
	if (w.n == 0) {
		rc = w.pipe ? shell_error("'|' with no command before it") : 0;
		words_free(&w);
		return rc;
	}
	if (w.pipe) {
		fflush(stdout);
		if (!(pipe = popen(w.pipe, "w")) || (saved = dup(STDOUT_FILENO)) < 0 ||
		    dup2(fileno(pipe), STDOUT_FILENO) < 0) {
			rc = shell_error("cannot run '%s': %s", w.pipe, strerror(errno));
			if (saved >= 0)
				close(saved);
			if (pipe)
				pclose(pipe);
			words_free(&w);
			return CLI_EXIT_OSERR;
		}
	}
	gettimeofday(&t0, NULL);
	getrusage(RUSAGE_SELF, &r0);
	cli_interrupted = 0;
	rc = w.w[0][0] == '.' ? dot_command(w.w, w.n) : run_command(&w);
	rc = finish_output(rc, pipe != NULL);
	cli_interrupted = 0;
	if (pipe) {
		dup2(saved, STDOUT_FILENO);
		close(saved);
		int ps = pclose(pipe);
		/* Like set -o pipefail: the command's failure, else the pipe's. */
		if (rc == 0 && ps != 0) {
			int code = ps < 0 ? CLI_EXIT_OSERR
				 : WIFEXITED(ps) ? WEXITSTATUS(ps) : 128 + WTERMSIG(ps);
			shell_error("'%s' exited with status %d", w.pipe, code);
			rc = code;
		}
	}
	if (sh.timer) {
		gettimeofday(&t1, NULL);
		getrusage(RUSAGE_SELF, &r1);
		fprintf(stderr, "time: real %.3f s, user %.3f s, sys %.3f s\n",
			seconds(t1) - seconds(t0), seconds(r1.ru_utime) - seconds(r0.ru_utime),
			seconds(r1.ru_stime) - seconds(r0.ru_stime));
	}
	fflush(stderr);
	words_free(&w);
	return rc;
}

/* ---- completion -------------------------------------------------------- */

static void complete_columns(struct le_matches *m)
{
	for (size_t i = 0; i < shell_nfiles(); i++) {
		const struct shell_file *f = shell_file_at(i);
		for (size_t k = 0; k < f->ncols; k++)
			le_match_add(m, f->cols[k]);
	}
}

static void complete_value(const char *opt, struct le_matches *m)
{
	static const char *const periods[] = { "day", "week", "month", "quarter", "year", NULL };
	size_t n = strlen(opt);

	if (!strcmp(opt, "--by") || (n > 6 && !strcmp(opt + n - 4, "-col")))
		complete_columns(m);
	else if (!strcmp(opt, "--format") || !strcmp(opt, "-f"))
		for (size_t i = 0; formats[i]; i++)
			le_match_add(m, formats[i]);
	else if (!strcmp(opt, "--period") || !strcmp(opt, "--cohort-period"))
		for (size_t i = 0; periods[i]; i++)
			le_match_add(m, periods[i]);
	else
		le_match_files(m);
}

static void complete(const char *line, size_t start, size_t end, struct le_matches *m)
{
	struct words w;
	const char *err, *name;
	char *prefix = strndup(line, start);

	(void)end;
	if (!prefix || split_line(&w, prefix, &err) != 0 || w.pipe) {
		/* inside a quote, or after '|': the shell's business */
		free(prefix);
		if (prefix)
			le_match_files(m);
		return;
	}
	if (w.n == 0) {
		static const char *const dots[] = { ".help", ".load", ".files", ".columns",
						    ".timer", ".format", ".bail", ".quit", NULL };
		for (size_t i = 0; (name = cli_command_name(i, NULL)); i++)
			if (strcmp(name, "shell"))
				le_match_add(m, name);
		le_match_add(m, "help");
		for (size_t i = 0; dots[i]; i++)
			le_match_add(m, dots[i]);
		goto done;
	}
	const char *first = w.w[0], *prev = w.w[w.n - 1];
	if (!strcmp(first, ".load")) {
		if (w.n == 1) {
			/* a kind or a file: a word starting like a kind gets it */
			le_match_add(m, "survey");
			le_match_add(m, "orders");
			if (strncmp(line + start, "s", start < end ? 1 : 0) &&
			    strncmp(line + start, "o", start < end ? 1 : 0))
				le_match_files(m);
			else if (start == end)
				le_match_files(m);
		} else {
			le_match_files(m);
		}
	} else if (!strcmp(first, ".timer") || !strcmp(first, ".bail")) {
		le_match_add(m, "on");
		le_match_add(m, "off");
	} else if (!strcmp(first, ".format")) {
		for (size_t i = 0; formats[i]; i++)
			le_match_add(m, formats[i]);
	} else if (!strcmp(first, ".columns")) {
		for (size_t i = 0; i < shell_nfiles(); i++)
			le_match_add(m, shell_file_at(i)->path);
	} else if (!strcmp(first, "help")) {
		for (size_t i = 0; (name = cli_command_name(i, NULL)); i++)
			if (strcmp(name, "shell"))
				le_match_add(m, name);
	} else if (first[0] != '.') {
		const struct cmd_opts *co = opts_of(first);
		const struct opt_name *o = opt_find(co, prev);
		if (start > 0 && line[start - 1] == '=' && o) {
			complete_value(prev[1] == '-' ? prev : "", m);
			if (o->long_name) {
				char spelled[128];
				snprintf(spelled, sizeof(spelled), "--%s", o->long_name);
				complete_value(spelled, m);
			}
		} else if (o && o->takes_arg && !strchr(prev, '=') && w.n > 1) {
			char spelled[128];
			snprintf(spelled, sizeof(spelled), "--%s", o->long_name ? o->long_name : "");
			complete_value(o->long_name ? spelled : prev, m);
		} else if (line[start] == '-' && co) {
			for (size_t i = 0; i < co->n; i++) {
				char spelled[128];
				if (!co->opts[i].long_name)
					continue;
				snprintf(spelled, sizeof(spelled), "--%s", co->opts[i].long_name);
				le_match_add(m, spelled);
			}
			le_match_add(m, "--help");
		} else {
			le_match_files(m);
		}
	}
done:
	words_free(&w);
	free(prefix);
}

/* ---- the shell --------------------------------------------------------- */

/* $XDG_STATE_HOME/loyal/history, or ~/.local/state/loyal/history; the
 * directories are made. NULL when there is no home. */
static char *history_file(void)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char *path;
	size_t n;

	if (state && state[0] == '/') {
		n = strlen(state) + 32;
		if (!(path = malloc(n)))
			return NULL;
		snprintf(path, n, "%s/loyal/history", state);
	} else if (home && home[0]) {
		n = strlen(home) + 48;
		if (!(path = malloc(n)))
			return NULL;
		snprintf(path, n, "%s/.local/state/loyal/history", home);
	} else {
		return NULL;
	}
	/* mkdir -p of the directories */
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			fprintf(stderr, "loyal shell: warning: cannot create '%s': %s: no history\n",
				path, strerror(errno));
		*p = '/';
	}
	return path;
}

static char *read_plain_line(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);

	if (n < 0) {
		free(line);
		return NULL;
	}
	if (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	if (n > 0 && line[n - 1] == '\r')
		line[--n] = '\0';
	return line;
}

int cmd_shell(int argc, char **argv)
{
	const char *format = NULL;
	int nargs, rc, bail = 0, timer = 0;
	char *history = NULL;
	const struct cli_opt opts[] = {
		CLI_OPT_GROUP("Shell"),
		CLI_OPT_FLAG(0, "bail", &bail, "stop at the first line that fails (.bail on)"),
		CLI_OPT_FLAG(0, "timer", &timer, "show the time each command takes (.timer on)"),
		CLI_OPT_STRING('f', "format", "FMT", &format,
			       "output format of commands without --format: table, csv, tsv, json"),
		CLI_OPT_END
	};

	int dash = 0;
	for (int i = 1; i < argc; i++)
		dash |= !strcmp(argv[i], "-");
	if ((rc = cli_parse(&info, opts, argc, argv, &nargs)) != CLI_CONTINUE)
		return rc;
	if (nargs == 1 && !dash && !strcmp(argv[0], "-"))
		nargs = 0; /* cli_parse's "-" for standard input: here, the script */
	memset(&sh, 0, sizeof(sh));
	sh.bail = bail;
	sh.timer = timer;
	if (format) {
		size_t k;
		for (k = 0; formats[k] && strcmp(formats[k], format); k++)
			;
		if (!formats[k])
			return cli_usage_error(&info, "unknown format '%s' (table, csv, tsv or json)",
					       format);
		sh.format = formats[k];
	}
	sh.interactive = isatty(STDIN_FILENO);
	if (probe_commands() != 0) {
		rc = cli_oom();
		goto done;
	}
	cli_shell_running = 1;
	txn_cache_keep(KEPT_LOADS);
	/* A handler, not SIG_IGN: a write to a pipe whose reader left fails
	 * with EPIPE here, while the shell commands after '|' (exec'd, so
	 * back to the default) still die of SIGPIPE as in any shell. */
	struct sigaction pipe_sa;
	memset(&pipe_sa, 0, sizeof(pipe_sa));
	pipe_sa.sa_handler = on_sigpipe;
	sigemptyset(&pipe_sa.sa_mask);
	sigaction(SIGPIPE, &pipe_sa, NULL);
	if (sh.interactive) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_sigint;
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = 0; /* no SA_RESTART: a read or select sees EINTR */
		sigaction(SIGINT, &sa, NULL);
	}
	for (int i = 0; i < nargs; i++) {
		if ((rc = load(argv[i], SHELL_ANY)) != 0)
			goto done;
	}
	if (sh.interactive) {
		history = history_file();
		le_open(history, complete);
		printf("loyal %s shell: .help for help, Ctrl-D to leave\n", LOYAL_VERSION);
	}
	while (!sh.quit) {
		char *line = sh.interactive ? le_read("loyal> ", &cli_interrupted)
					    : read_plain_line();
		if (!line) {
			if (sh.interactive)
				putchar('\n');
			break;
		}
		if (sh.interactive)
			le_history_add(line);
		cli_cmd = "shell";
		rc = run_line(line);
		free(line);
		/* A script's status is its first failure; a person at the
		 * terminal saw the messages, and leaves with 0 unless .bail
		 * stopped the shell. */
		if (rc != 0 && sh.status == 0 && (!sh.interactive || sh.bail))
			sh.status = rc;
		if (rc != 0 && sh.bail)
			break;
	}
	rc = sh.status;
	if (sh.interactive) {
		int e = le_close();
		if (e && history)
			fprintf(stderr, "loyal shell: warning: cannot save the history in '%s': %s\n",
				history, strerror(e));
	}
done:
	fflush(stdout);
	free(history);
	txn_cache_keep(0);
	shell_unload_all();
	cmd_opts_free();
	cli_shell_running = 0;
	cli_cmd = "shell";
	return rc;
}
