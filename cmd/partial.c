#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_file.h"
#include "partial.h"

/* ---- the options that decide a state ------------------------------------ */

#define MAX_NOTED 256

static struct noted {
	char name[64]; /* "--by", "-d" */
	char *value;   /* NULL for a flag */
} noted[MAX_NOTED];
static size_t nnoted;
/* Option values are copied here, not allocated: a command's allocations
 * are all freed before it returns (tests/cli_failmalloc.sh counts them). */
static char pool[32768];
static size_t pool_used;
static int noted_overflow;

static int decides_state(const char *group, const struct cli_opt *o)
{
	static const char *const groups[] = { "Input", "Transactions", "Grouping", "CSAT",
						"Survey file", "Orders file" };
	/* tiers --value: clv counts purchases in days, spend in orders */
	/* complaints: its columns are options of its own group */
	static const char *const names[] = { "skip-invalid", "score-col", "holdout-to", "value",
					      "customer-col", "resolved-col" };

	if (o->long_name && (!strcmp(o->long_name, "threads") || !strcmp(o->long_name, "partial") ||
			     !strcmp(o->long_name, "from-partial")))
		return 0;
	for (size_t i = 0; i < sizeof(groups) / sizeof(*groups); i++)
		if (group && !strcmp(group, groups[i]))
			return 1;
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (o->long_name && !strcmp(o->long_name, names[i]))
			return 1;
	return 0;
}

void cli_partial_note(const struct cli_opt *opts, const struct cli_opt *o, const char *value)
{
	const char *group = NULL;

	for (const struct cli_opt *p = opts; p != o && p->kind != CLI_OPT_END_K; p++)
		if (p->kind == CLI_OPT_GROUP_K)
			group = p->help;
	if (!decides_state(group, o))
		return;
	if (nnoted == MAX_NOTED || (value && strlen(value) + 1 > sizeof(pool) - pool_used)) {
		noted_overflow = 1;
		return;
	}
	struct noted *n = &noted[nnoted++];
	if (o->long_name)
		snprintf(n->name, sizeof(n->name), "--%s", o->long_name);
	else
		snprintf(n->name, sizeof(n->name), "-%c", o->short_name);
	/* a copy: list values are cut at their commas when applied */
	n->value = NULL;
	if (value) {
		n->value = pool + pool_used;
		memcpy(n->value, value, strlen(value) + 1);
		pool_used += strlen(value) + 1;
	}
}

/* ---- writing -------------------------------------------------------------- */

/* -o FILE: the state is written as results are (a temporary file renamed
 * into place when complete, removed on failure or a signal). One state is
 * written at a time. */
static struct cli_target target;
static int has_target;

static int to_file(void *ctx, const char *p, size_t n)
{
	if (fwrite(p, 1, n, (FILE *)ctx) != n)
		return LOYAL_EIO;
	return 0;
}

int partial_begin(loyal_partial_writer **w, const struct cli_common *c)
{
	FILE *fp = stdout;
	int error, rc;

	*w = NULL;
	if (noted_overflow) {
		cli_error("too many or too long options to record in a partial state");
		return CLI_EXIT_USAGE;
	}
	has_target = 0;
	if (c->output && strcmp(c->output, "-")) {
		if ((rc = cli_target_open(&target, c->output)) != 0)
			return rc;
		has_target = 1;
		fp = target.fp;
	}
	if ((error = loyal_partial_writer_new(w, to_file, fp)) < 0) {
		rc = cli_lib_error(error);
		if (has_target)
			rc = cli_target_close(&target, rc);
		has_target = 0;
		return rc;
	}
	loyal_partial_put_str(*w, "command");
	loyal_partial_put_str(*w, cli_cmd);
	loyal_partial_end_line(*w);
	for (size_t i = 0; i < nnoted; i++) {
		loyal_partial_put_str(*w, "option");
		loyal_partial_put_str(*w, noted[i].name);
		if (noted[i].value)
			loyal_partial_put_str(*w, noted[i].value);
		loyal_partial_end_line(*w);
	}
	return 0;
}

int partial_end(loyal_partial_writer *w, int rc)
{
	int error;

	if (rc == 0 && (error = loyal_partial_finish(w)) < 0) {
		cli_error("cannot write the partial state: %s", strerror(errno));
		rc = CLI_EXIT_IOERR;
	}
	loyal_partial_writer_free(w);
	if (has_target) {
		/* flushed, checked and renamed into place only when complete */
		has_target = 0;
		rc = cli_target_close(&target, rc);
	}
	return rc ? rc : CLI_PARTIAL_DONE;
}

int partial_groups_write(loyal_partial_writer *w, const struct cli_groups *g, size_t nby)
{
	for (size_t id = 0; id < cli_groups_count(g); id++) {
		loyal_partial_put_str(w, "g");
		loyal_partial_put_int(w, loyal_grouping_period(g->lib, (uint32_t)id));
		for (size_t k = 0; k < nby; k++) {
			size_t len;
			const char *v = loyal_grouping_value(g->lib, (uint32_t)id, k, &len);
			loyal_partial_put(w, v ? v : "", len);
		}
		if (loyal_partial_end_line(w) < 0)
			return CLI_EXIT_IOERR;
	}
	return 0;
}

/* ---- reading -------------------------------------------------------------- */

int partial_error(int error)
{
	return cli_lib_error(error);
}

int partial_next(loyal_partial_reader *r)
{
	int error = loyal_partial_next(r);

	if (error == LOYAL_ITEROVER)
		error = loyal_partial_fail(r, 0, "the state ends too early");
	return error < 0 ? partial_error(error) : 0;
}

/* "loyal CMD OPTIONS" of a state's header or of this run, for messages. */
static void describe(char *buf, size_t size, const char *cmd, struct noted *n, size_t count)
{
	size_t len = (size_t)snprintf(buf, size, "loyal %s", cmd);
	for (size_t i = 0; i < count && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, n[i].value ? " %s %s" : " %s",
					n[i].name, n[i].value ? n[i].value : "");
}

int partial_open(loyal_partial_reader **out, const char *path)
{
	loyal_partial_reader *r = NULL;
	struct noted *got = NULL;
	size_t ngot = 0;
	char cmd[64] = "", want[1024], have[1024];
	int error, rc = 0, same;

	*out = NULL;
	if ((error = loyal_partial_reader_open(&r, path)) < 0)
		return partial_error(error);
	if (!(got = calloc(MAX_NOTED, sizeof(*got)))) {
		rc = cli_lib_error(LOYAL_ENOMEM);
		goto done;
	}
	for (;;) {
		if ((rc = partial_next(r)) != 0)
			goto done;
		const char *kind = loyal_partial_field(r, 0, NULL);
		if (!strcmp(kind, "command") && loyal_partial_nfields(r) == 2 && !cmd[0]) {
			snprintf(cmd, sizeof(cmd), "%s", loyal_partial_field(r, 1, NULL));
		} else if (!strcmp(kind, "option") && cmd[0] && ngot < MAX_NOTED &&
			   (loyal_partial_nfields(r) == 2 || loyal_partial_nfields(r) == 3)) {
			snprintf(got[ngot].name, sizeof(got[ngot].name), "%s",
				 loyal_partial_field(r, 1, NULL));
			got[ngot++].value = (char *)loyal_partial_field(r, 2, NULL);
			if (got[ngot - 1].value && !(got[ngot - 1].value = strdup(got[ngot - 1].value))) {
				rc = cli_lib_error(LOYAL_ENOMEM);
				goto done;
			}
		} else if (!cmd[0]) {
			rc = partial_error(loyal_partial_fail(r, 1, "a 'command' record was expected"));
			goto done;
		} else {
			break;
		}
	}
	same = !strcmp(cmd, cli_cmd) && ngot == nnoted;
	for (size_t i = 0; same && i < ngot; i++)
		same = !strcmp(got[i].name, noted[i].name) &&
		       !got[i].value == !noted[i].value &&
		       (!got[i].value || !strcmp(got[i].value, noted[i].value));
	if (!same) {
		describe(have, sizeof(have), cmd, got, ngot);
		describe(want, sizeof(want), cli_cmd, noted, nnoted);
		cli_error("%s: a partial state of '%s', not of '%s': states merge into the command "
			  "that wrote them, with the same input and grouping options", path, have, want);
		rc = CLI_EXIT_DATA;
	}
done:
	for (size_t i = 0; got && i < ngot; i++)
		free(got[i].value);
	free(got);
	if (rc) {
		loyal_partial_reader_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

int partial_groups_read(loyal_partial_reader *r, struct cli_groups *g, size_t nby)
{
	const char *vals[LOYAL_GROUPING_MAX_VALUES];
	size_t lens[LOYAL_GROUPING_MAX_VALUES];
	int rc = 0, error;

	if (nby > LOYAL_GROUPING_MAX_VALUES)
		return cli_lib_error(LOYAL_EINVAL);
	while (!strcmp(loyal_partial_field(r, 0, NULL), "g")) {
		int64_t period;
		uint32_t id;
		int isnew = 0;
		if ((error = loyal_partial_expect(r, 2 + nby)) < 0 ||
		    (error = loyal_partial_get_int(&period, r, 1, INT64_MIN, INT64_MAX)) < 0)
			return partial_error(error);
		for (size_t k = 0; k < nby; k++)
			vals[k] = loyal_partial_field(r, 2 + k, &lens[k]);
		if (!g->lib && (error = loyal_grouping_new(&g->lib, nby)) < 0)
			return cli_lib_error(error);
		if ((error = loyal_grouping_add(g->lib, vals, lens, period, &id, &isnew)) < 0)
			return cli_lib_error(error);
		if (!isnew)
			return partial_error(loyal_partial_fail(r, 0, "a group written twice"));
		if ((rc = partial_next(r)) != 0)
			return rc;
	}
	return rc;
}

/* ---- loyal merge ------------------------------------------------------------ */

static const struct cli_command_info merge_info = {
	"merge",
	"loyal merge [output options] [PARTIAL...]",
	"Merge partial states written by 'loyal COMMAND --partial' (one per shard of the\n"
	"input) and print COMMAND's result, as one run over all the shards would. The\n"
	"states, given as files or concatenated on standard input, must come from the\n"
	"same command with the same input and grouping options.",
};

/* Standard input: the states it holds, one after another, each into a
 * temporary file (a state is read twice: its header, then by the command). */
static int spool_stdin(char ***paths, size_t *n)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *out = NULL;
	int rc = 0;
	const char *dir = getenv("TMPDIR");

	if (!dir || !*dir)
		dir = "/tmp";
	while ((len = getline(&line, &cap, stdin)) >= 0) {
		if (!out || (len == 16 && !memcmp(line, "loyal-partial\t1\n", 16) && *n)) {
			if (out && fclose(out) != 0) {
				out = NULL;
				rc = CLI_EXIT_IOERR;
				break;
			}
			char **p = realloc(*paths, (*n + 1) * sizeof(*p));
			char *path = malloc(strlen(dir) + 32);
			if (!p || !path) {
				if (p)
					*paths = p;
				free(path);
				out = NULL;
				rc = cli_lib_error(LOYAL_ENOMEM);
				break;
			}
			*paths = p;
			sprintf(path, "%s/loyal-merge-XXXXXX", dir);
			int fd = mkstemp(path);
			if (fd < 0 || !(out = fdopen(fd, "w"))) {
				cli_error("cannot create a temporary file in '%s': %s", dir, strerror(errno));
				if (fd >= 0)
					close(fd);
				free(path);
				rc = CLI_EXIT_CANTCREAT;
				break;
			}
			(*paths)[(*n)++] = path;
		}
		if (fwrite(line, 1, (size_t)len, out) != (size_t)len) {
			rc = CLI_EXIT_IOERR;
			break;
		}
	}
	if (out && fclose(out) != 0 && !rc)
		rc = CLI_EXIT_IOERR;
	if (!rc && ferror(stdin)) {
		cli_error("cannot read standard input: %s", strerror(errno));
		rc = CLI_EXIT_IOERR;
	}
	if (!rc && *n == 0) {
		cli_error("standard input is empty: no partial state to merge");
		rc = CLI_EXIT_DATA;
	}
	free(line);
	return rc;
}

int cmd_merge(int argc, char **argv)
{
	char **files = NULL, **spooled = NULL, **args = NULL, **owned = NULL;
	size_t nfiles = 0, nspooled = 0, nopts = 0;
	char **opts = NULL;
	loyal_partial_reader *r = NULL;
	int rc = 0, error;

	/* the shell asks each command for its options: merge has its
	 * command's, known only from a state */
	if (cli_parse_probe)
		return 0;
	/* Every argument goes to the command, after the options recorded in
	 * the states; the states are its operands, the first of them names
	 * the command. Standard input ("-", or no state named) is spooled. */
	if (!(files = calloc((size_t)argc + 1, sizeof(*files))))
		goto oom;
	int first = -1, stdin_at = -1, cand = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			printf("usage: %s\n\n%s\n\nOptions: the command's own options that do not "
			       "decide its state (output\noptions, --top, --within...); --partial "
			       "writes the merged state (a tree\nof reduces). See loyal-merge(1).\n",
			       merge_info.usage, merge_info.summary);
			rc = 0;
			goto done;
		}
		if (!strcmp(a, "-")) {
			if (stdin_at >= 0) {
				rc = cli_usage_error(&merge_info, "standard input given twice");
				goto done;
			}
			stdin_at = i;
		} else if (first < 0 && a[0] != '-' && !access(a, R_OK)) {
			loyal_partial_reader *t = NULL;
			if (cand < 0)
				cand = i;
			if (loyal_partial_reader_open(&t, a) == 0)
				first = i;
			loyal_partial_reader_free(t);
		}
	}
	if (first < 0 && stdin_at < 0 && cand >= 0) {
		/* a file, but not a state: say why */
		loyal_partial_reader *t = NULL;
		rc = partial_error(loyal_partial_reader_open(&t, argv[cand]));
		loyal_partial_reader_free(t);
		goto done;
	}
	if (first < 0 && stdin_at < 0 && isatty(STDIN_FILENO)) {
		rc = cli_usage_error(&merge_info, "no partial state (files, or standard input)");
		goto done;
	}
	if (first < 0 || stdin_at >= 0) {
		if ((rc = spool_stdin(&spooled, &nspooled)) != 0)
			goto done;
	}
	if (!(opts = calloc((size_t)argc + nspooled + 1, sizeof(*opts))))
		goto oom;
	for (int i = 1; i < argc; i++) {
		if (i == stdin_at) {
			for (size_t k = 0; k < nspooled; k++)
				opts[nopts++] = spooled[k];
			continue;
		}
		opts[nopts++] = argv[i];
	}
	if (stdin_at < 0)
		for (size_t k = 0; k < nspooled; k++)
			opts[nopts++] = spooled[k];
	files[nfiles++] = first >= 0 ? argv[first] : spooled[0];
	/* the command and its options, from the first state */
	if ((error = loyal_partial_reader_open(&r, files[0])) < 0) {
		rc = partial_error(error);
		goto done;
	}
	if ((rc = partial_next(r)) != 0)
		goto done;
	if (strcmp(loyal_partial_field(r, 0, NULL), "command") || loyal_partial_nfields(r) != 2 ||
	    !cli_state_command_fn(loyal_partial_field(r, 1, NULL))) {
		rc = partial_error(loyal_partial_fail(r, 1, "a 'command' record naming a metric "
						      "command was expected"));
		goto done;
	}
	char *name = strdup(loyal_partial_field(r, 1, NULL));
	size_t cap = 4 + 2 * MAX_NOTED + nopts + nfiles, n = 0;
	if (!name || !(args = calloc(cap, sizeof(*args))) || !(owned = calloc(cap, sizeof(*owned)))) {
		free(name);
		goto oom;
	}
	args[n++] = name;
	for (;;) {
		if ((rc = partial_next(r)) != 0)
			goto done;
		if (strcmp(loyal_partial_field(r, 0, NULL), "option") || n >= 1 + 2 * MAX_NOTED)
			break;
		for (size_t k = 1; k < loyal_partial_nfields(r); k++)
			if (!(args[n++] = strdup(loyal_partial_field(r, k, NULL))))
				goto oom;
	}
	if (!(args[n++] = strdup("--from-partial")))
		goto oom;
	for (size_t k = 0; k < nopts; k++)
		if (!(args[n++] = strdup(opts[k])))
			goto oom;
	(void)nfiles;
	loyal_partial_reader_free(r);
	r = NULL;
	/* the command moves its operands within args: free from a copy */
	memcpy(owned, args, n * sizeof(*args));
	static char cmdname[64];
	snprintf(cmdname, sizeof(cmdname), "%s", owned[0]);
	cli_cmd = cmdname;
	rc = cli_state_command_fn(owned[0])((int)n, args);
	goto done;
oom:
	rc = cli_lib_error(LOYAL_ENOMEM);
done:
	loyal_partial_reader_free(r);
	if (owned && owned[0]) {
		for (size_t k = 0; owned[k]; k++)
			free(owned[k]);
	} else if (args) {
		for (size_t k = 0; args[k]; k++)
			free(args[k]);
	}
	free(owned);
	free(args);
	for (size_t k = 0; k < nspooled; k++) {
		unlink(spooled[k]);
		free(spooled[k]);
	}
	free(spooled);
	free(files);
	free(opts);
	return rc;
}
