#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "partial.h"
#include "cli_file.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	int state; /* has --partial: `loyal merge` replays its states */
	const char *description;
};

/* The command table, alphabetical. */
static const struct cmd commands[] = {
	{ "check", cmd_check, 0, "validate input files and report every bad row, computing nothing" },
	{ "churn", cmd_churn, 1, "churn scores: P(alive) and expected purchases (BG/NBD model)" },
	{ "clv", cmd_clv, 1, "customer lifetime value (BG/NBD and Gamma-Gamma models)" },
	{ "complaints", cmd_complaints, 1, "complaint rate per period set against active customers and orders" },
	{ "csat", cmd_csat, 1, "customer satisfaction (CSAT): share of top-two-box answers" },
	{ "loyalty", cmd_loyalty, 1, "loyalty index and matrix: survey answers joined to the orders" },
	{ "merge", cmd_merge, 0, "merge partial states of one command and print its result" },
	{ "nps", cmd_nps, 1, "Net Promoter Score of 0-10 survey answers" },
	{ "repurchase", cmd_repurchase, 1, "repurchase rate and days between purchases of the same customer" },
	{ "report", cmd_report, 0, "one self-contained HTML page of figures and charts, for managers" },
	{ "retention", cmd_retention, 1, "period-to-period retention, cohort matrix, churn rate at a date" },
	{ "segment", cmd_segment, 1, "RFM scores and named segments (Champions, At Risk...) of each customer" },
	{ "shell", cmd_shell, 0, "interactive shell: load files once, then run commands on them" },
	{ "summary", cmd_summary, 1, "one row per customer: first and last purchase, purchases, net spend" },
	{ "tiers", cmd_tiers, 1, "value tiers (high, mid, low), member tiers by rules, migration between dates" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void list_commands(FILE *out)
{
	fprintf(out, "usage: loyal <command> [options] FILE...\n"
		     "       loyal help <command>\n"
		     "       loyal --version\n\n"
		     "Customer-loyalty metrics from CSV files.\n\nCommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].description);
	fprintf(out, "\nRun 'loyal <command> --help' for a command's options; loyal(1) and\n"
		     "loyal-<command>(1) give the definitions.\n");
}

static const struct cmd *find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

const char *cli_command_name(size_t i, const char **description)
{
	if (i >= NCOMMANDS)
		return NULL;
	if (description)
		*description = commands[i].description;
	return commands[i].name;
}

int (*cli_command_fn(const char *name))(int argc, char **argv)
{
	const struct cmd *c = find(name);
	return c ? c->fn : NULL;
}

int (*cli_state_command_fn(const char *name))(int argc, char **argv)
{
	const struct cmd *c = find(name);
	return c && c->state ? c->fn : NULL;
}

/* Flush standard output and report a failure to write it: a full disk or a
 * closed pipe must not look like success (git's run_builtin does the same). */
static int finish_stdout(int status)
{
	if (cli_pipe_gone)
		cli_die_of_sigpipe();
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno == EPIPE) {
			/* The reader went away (loyal ... | head): leave quietly, as
			 * a process killed by SIGPIPE would. */
			cli_die_of_sigpipe();
		}
		cli_error("write error on standard output: %s", strerror(errno));
		return CLI_EXIT_IOERR;
	}
	if (fclose(stdout) != 0 && status == 0) {
		cli_error("write error on standard output: %s", strerror(errno));
		return CLI_EXIT_IOERR;
	}
	return status;
}

int main(int argc, char **argv)
{
	const struct cmd *c;

	cli_hold_closed_std_fds();

	/* The C locale is never changed: numbers are read and printed with '.'
	 * whatever LC_ALL says. */
	if (argc < 2) {
		list_commands(stderr);
		return CLI_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("loyal %s\n", loyal_version(NULL, NULL, NULL));
		return finish_stdout(0);
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    (!strcmp(argv[1], "help") && argc == 2)) {
		list_commands(stdout);
		return finish_stdout(0);
	}
	if (!strcmp(argv[1], "help")) {
		if (!(c = find(argv[2]))) {
			fprintf(stderr, "loyal: '%s' is not a loyal command; see 'loyal help'\n", argv[2]);
			return CLI_EXIT_USAGE;
		}
		char *hargv[] = { argv[2], "--help", NULL };
		cli_cmd = c->name;
		return finish_stdout(c->fn(2, hargv));
	}
	if (!(c = find(argv[1]))) {
		fprintf(stderr, "loyal: '%s' is not a loyal command; see 'loyal help'\n", argv[1]);
		return CLI_EXIT_USAGE;
	}
	cli_cmd = c->name;
	int rc = c->fn(argc - 1, argv + 1);
	/* --partial: the command stopped after writing its state */
	return finish_stdout(rc == CLI_PARTIAL_DONE ? 0 : rc);
}
