/* File safety: inputs, output targets, signals. See cli_file.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_file.h"

/* ---- standard descriptors ----------------------------------------------- */

/* Descriptors 0-2 that were closed when the program started (bit n). */
static unsigned closed_std;

/*
 * A closed standard descriptor (a daemon or cron job may start with one)
 * would be taken by the next file opened, so -o's temporary file could
 * become "standard output". Each closed one is held by /dev/null opened
 * read-only: nothing else lands on it, and writing to it still fails
 * (EBADF) as writing to the closed descriptor did.
 */
void cli_hold_closed_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
			closed_std |= 1u << fd;
			int nfd = open("/dev/null", O_RDONLY);
			if (nfd >= 0 && nfd != fd) {
				dup2(nfd, fd);
				close(nfd);
			}
		}
	}
}

/*
 * With no file operand, standard input is read when it can hold data: not
 * a terminal (someone would have to type the CSV; a usage error helps
 * more), not closed, and not /dev/null, which is where xargs (run with no
 * file found), `ssh -n` and systemd services leave it (an empty input is
 * an error either way; "no input file" names the cause).
 */
int cli_stdin_is_input(void)
{
	struct stat in, null;

	if ((closed_std & 1u) || isatty(0) || fstat(0, &in) != 0)
		return 0;
	if (S_ISCHR(in.st_mode) && stat("/dev/null", &null) == 0 && S_ISCHR(null.st_mode) &&
	    in.st_rdev == null.st_rdev)
		return 0;
	return 1;
}

/* ---- input identity ------------------------------------------------------ */

struct input_id {
	dev_t dev;
	ino_t ino;
	int index; /* operand number */
};

static struct input_id *inputs; /* sorted by (dev, ino, index) */
static size_t ninputs;
static char **input_names;

static int id_cmp(const void *pa, const void *pb)
{
	const struct input_id *a = pa, *b = pb;

	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	if (a->ino != b->ino)
		return a->ino < b->ino ? -1 : 1;
	return (a->index > b->index) - (a->index < b->index);
}

static const char *input_label(const char *name)
{
	return strcmp(name, "-") ? name : "- (standard input)";
}

/*
 * Every operand is identified once by (device, inode): stat for a name,
 * fstat for "-". Sorting finds the same file under two names in
 * O(n log n) (120,000 operands used to take 14 s pairwise). Character
 * devices (a terminal, /dev/null) are not compared: reading one twice
 * does not count the same rows twice.
 */
static void inputs_free(void)
{
	free(inputs);
	inputs = NULL;
	ninputs = 0;
}

int cli_inputs_register(const struct cli_command_info *info, char **names, int n)
{
	static int registered;
	int dashes = 0;

	inputs_free();
	if (!registered && atexit(inputs_free) == 0)
		registered = 1;
	input_names = names;
	if (n > 0 && !(inputs = malloc((size_t)n * sizeof(*inputs))))
		return cli_oom();
	for (int i = 0; i < n; i++) {
		struct stat st;
		int is_dash = !strcmp(names[i], "-");
		dashes += is_dash;
		if ((is_dash ? fstat(0, &st) : stat(names[i], &st)) != 0 || S_ISCHR(st.st_mode))
			continue;
		inputs[ninputs++] = (struct input_id){ st.st_dev, st.st_ino, i };
	}
	if (ninputs > 1)
		qsort(inputs, ninputs, sizeof(*inputs), id_cmp);
	/* The pair to report: of all files named twice, the one whose second
	 * name comes first on the command line, as a left-to-right reading
	 * would find it. */
	int first = -1, second = -1;
	for (size_t k = 1; k < ninputs; k++) {
		if (inputs[k].dev == inputs[k - 1].dev && inputs[k].ino == inputs[k - 1].ino &&
		    (k < 2 || inputs[k - 2].dev != inputs[k].dev || inputs[k - 2].ino != inputs[k].ino) &&
		    (second < 0 || inputs[k].index < second)) {
			first = inputs[k - 1].index;
			second = inputs[k].index;
		}
	}
	if (second >= 0 || dashes > 1) {
		if (dashes > 1 && (second < 0 || (!strcmp(names[first], "-") &&
						  !strcmp(names[second], "-"))))
			return cli_usage_error(info, "standard input (-) is given twice");
		return cli_usage_error(info, "'%s' and '%s' are the same file: its rows would "
				       "count twice", input_label(names[first]),
				       input_label(names[second]));
	}
	return CLI_CONTINUE;
}

const char *cli_input_same_as(const struct stat *st)
{
	struct input_id key = { st->st_dev, st->st_ino, -1 };
	size_t lo = 0, hi = ninputs;

	if (!S_ISREG(st->st_mode))
		return NULL;
	/* the first entry not below key */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (id_cmp(&inputs[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < ninputs && inputs[lo].dev == key.dev && inputs[lo].ino == key.ino)
		return input_names[inputs[lo].index];
	return NULL;
}

/* ---- signals and temporary files ------------------------------------------ */

/*
 * Temporary output files are removed when a signal ends the run, so an
 * interrupted run leaves neither a half-written report nor litter beside it
 * (the previous report was never touched). The handler only calls unlink(),
 * which is async-signal-safe, then dies of the same signal.
 */
#define MAX_TEMPS 4
static const char *volatile temps[MAX_TEMPS];

/* Every signal whose default action ends the process (POSIX's "T" and
 * "A" actions, and the real-time signals), except SIGKILL. */
static sigset_t term_signals;

static void term_signals_init(void)
{
	static const int sigs[] = {
		SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGUSR1,
		SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGXCPU, SIGXFSZ, SIGVTALRM,
		SIGPROF, SIGSYS,
#ifdef SIGSTKFLT
		SIGSTKFLT,
#endif
#ifdef SIGPOLL
		SIGPOLL,
#endif
#ifdef SIGPWR
		SIGPWR,
#endif
#ifdef SIGEMT
		SIGEMT,
#endif
#ifdef SIGLOST
		SIGLOST,
#endif
	};

	sigemptyset(&term_signals);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&term_signals, sigs[i]);
	for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
		sigaddset(&term_signals, s);
}

static void remove_temps(void)
{
	for (size_t i = 0; i < MAX_TEMPS; i++)
		if (temps[i])
			unlink(temps[i]);
}

static void on_fatal_signal(int sig)
{
	int saved = errno;

	remove_temps();
	/* The signal is blocked in its handler: raised again, it ends the
	 * process by its default action once the handler returns. */
	signal(sig, SIG_DFL);
	raise(sig);
	errno = saved;
}

static void install_handlers(void)
{
	static int installed;

	if (installed)
		return;
	installed = 1;
	term_signals_init();
	for (int s = 1; s < 128; s++) {
		struct sigaction sa, old;
		if (sigismember(&term_signals, s) != 1 || sigaction(s, NULL, &old) != 0)
			continue;
		/* A signal the caller ignores (nohup, a background job) stays
		 * ignored, and a handler already there (a sanitizer's) is kept. */
		if ((old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL)
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_fatal_signal;
		sa.sa_mask = term_signals;
		sigaction(s, &sa, NULL);
	}
}

static void temp_register(const char *path)
{
	install_handlers();
	for (size_t i = 0; i < MAX_TEMPS; i++) {
		if (!temps[i]) {
			temps[i] = path;
			return;
		}
	}
}

static void temp_forget(const char *path)
{
	for (size_t i = 0; i < MAX_TEMPS; i++)
		if (temps[i] == path)
			temps[i] = NULL;
}

int cli_shell_running;
int cli_pipe_gone;

void cli_die_of_sigpipe(void)
{
	sigset_t set;

	if (cli_shell_running)
		return; /* in loyal shell the command ends, not the shell */

	remove_temps();
	fflush(stderr);
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(SIGPIPE);
	_exit(128 + SIGPIPE); /* not reached */
}

/* ---- output targets ---------------------------------------------------------- */

/* The descriptor a name stands for: /dev/stdin, /dev/stdout, /dev/stderr,
 * /dev/fd/N or /proc/self/fd/N; -1 for any other name. */
static int descriptor_of(const char *path)
{
	static const char *const std[] = { "/dev/stdin", "/dev/stdout", "/dev/stderr" };
	const char *p = NULL;
	int v = 0;

	for (int i = 0; i < 3; i++)
		if (!strcmp(path, std[i]))
			return i;
	if (!strncmp(path, "/dev/fd/", 8))
		p = path + 8;
	else if (!strncmp(path, "/proc/self/fd/", 14))
		p = path + 14;
	if (!p || !*p || strlen(p) > 9)
		return -1;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v;
}

/*
 * Follow the symbolic links of the last component of `path` (up to 40, as
 * the kernel does): *dest is the file to write or create, a dangling
 * link's target included; or *fd the descriptor a name on the way stands
 * for. Directories on the way are left to the kernel. Returns 0 or an
 * errno value (ELOOP, ENOMEM, a readlink error).
 */
static int follow_links(const char *path, char **dest, int *fd)
{
	char *cur = strdup(path);

	*dest = NULL;
	*fd = -1;
	if (!cur)
		return ENOMEM;
	for (int hops = 0;; hops++) {
		struct stat st;
		if ((*fd = descriptor_of(cur)) >= 0) {
			free(cur);
			return 0;
		}
		/* Missing (created by the rename) or not a link: the file itself. */
		if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode)) {
			*dest = cur;
			return 0;
		}
		if (hops == 40) {
			free(cur);
			return ELOOP;
		}
		size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 256;
		char *target;
		ssize_t n;
		for (;;) {
			if (!(target = malloc(cap))) {
				free(cur);
				return ENOMEM;
			}
			if ((n = readlink(cur, target, cap)) < 0) {
				int err = errno;
				free(target);
				free(cur);
				return err;
			}
			if ((size_t)n < cap)
				break;
			free(target);
			cap *= 2;
		}
		target[n] = '\0';
		/* A relative target is relative to the link's directory. */
		const char *slash = strrchr(cur, '/');
		if (target[0] != '/' && slash) {
			size_t dirlen = (size_t)(slash - cur) + 1;
			char *next = malloc(dirlen + (size_t)n + 1);
			if (!next) {
				free(target);
				free(cur);
				return ENOMEM;
			}
			memcpy(next, cur, dirlen);
			memcpy(next + dirlen, target, (size_t)n + 1);
			free(target);
			target = next;
		}
		free(cur);
		cur = target;
	}
}

static int refuse_input(const char *path, const char *input)
{
	if (!strcmp(input, "-"))
		cli_error("'%s' is also an input file (standard input): writing there would "
			  "destroy it", path);
	else
		cli_error("'%s' is also an input file: writing there would destroy it", path);
	return CLI_EXIT_USAGE;
}

static int open_failed(struct cli_target *t, const char *what, int err)
{
	if (err == ENOMEM)
		return cli_oom();
	cli_error("cannot %s '%s': %s", what, t->path, strerror(err));
	return CLI_EXIT_CANTCREAT;
}

/*
 * A descriptor name (-o /dev/stdout, /dev/fd/3) is written through a copy
 * of that descriptor, never by opening the file it leads to: opening
 * /dev/stdout anew would truncate `>> log.txt`, and renaming over it
 * would replace log.txt. The copy shares the offset and the flags, so a
 * descriptor opened for appending is appended to.
 */
static int open_descriptor(struct cli_target *t, int fd)
{
	struct stat st;
	const char *input;
	int flags = fcntl(fd, F_GETFL), nfd;

	if (flags < 0 || (fd <= 2 && (closed_std & (1u << fd)))) {
		cli_error("cannot write '%s': descriptor %d is not open", t->path, fd);
		return CLI_EXIT_CANTCREAT;
	}
	if ((flags & O_ACCMODE) == O_RDONLY) {
		cli_error("cannot write '%s': descriptor %d is open for reading only", t->path, fd);
		return CLI_EXIT_CANTCREAT;
	}
	if (fstat(fd, &st) == 0 && (input = cli_input_same_as(&st)))
		return refuse_input(t->path, input);
	if ((nfd = dup(fd)) < 0)
		return open_failed(t, "write", errno);
	if (!(t->fp = fdopen(nfd, "w"))) {
		int err = errno;
		close(nfd);
		return open_failed(t, "write", err);
	}
	t->direct = 1;
	return 0;
}

/* A device, FIFO or socket cannot be replaced by renaming a file over it,
 * and must not be (renaming over /dev/null as root replaced the device):
 * it is written in place. */
static int open_in_place(struct cli_target *t)
{
	int fd = open(t->dest, O_WRONLY | O_NOCTTY);

	if (fd < 0)
		return open_failed(t, "open", errno);
	if (!(t->fp = fdopen(fd, "w"))) {
		int err = errno;
		close(fd);
		return open_failed(t, "open", err);
	}
	t->direct = 1;
	return 0;
}

/* A regular file (or a new one) is written to a temporary file beside it
 * and renamed into place by cli_target_close(). `old` is the file being
 * replaced, NULL for a new one. */
static int open_temporary(struct cli_target *t, const struct stat *old)
{
	const char *dest = t->dest;
	size_t n = strlen(dest) + 16;
	int fd;

	if (!(t->tmp_path = malloc(n)))
		return cli_oom();
	/* FILE.tmpXXXXXX, or DIR/.loyal.tmpXXXXXX when FILE's name is too long
	 * to take the suffix (NAME_MAX is 255 bytes). */
	const char *base = strrchr(dest, '/');
	base = base ? base + 1 : dest;
	if (strlen(base) + 10 <= 255)
		snprintf(t->tmp_path, n, "%s.tmpXXXXXX", dest);
	else
		snprintf(t->tmp_path, n, "%.*s.loyal.tmpXXXXXX", (int)(base - dest), dest);
	if ((fd = mkstemp(t->tmp_path)) < 0) {
		int err = errno;
		free(t->tmp_path);
		t->tmp_path = NULL;
		if (err == ENOMEM)
			return cli_oom();
		cli_error("cannot create '%s' (through a temporary file beside it): %s", t->path,
			  strerror(err));
		return CLI_EXIT_CANTCREAT;
	}
	temp_register(t->tmp_path);
	if (old) {
		/* The report replacing a file keeps its owner (when allowed: as
		 * root), group (when the user belongs to it) and permissions, so
		 * a private 0600 report stays private. Owner first: chown may
		 * clear permission bits. */
		if (fchown(fd, old->st_uid, old->st_gid) != 0 && fchown(fd, (uid_t)-1, old->st_gid) != 0) {
			/* neither: the new file keeps the user's own group */
		}
		fchmod(fd, old->st_mode & 0777);
	} else {
		/* mkstemp makes the file private (0600); a new report gets the
		 * mode of any newly created file instead. */
		mode_t mask = umask(0);
		umask(mask);
		fchmod(fd, 0666 & ~mask);
	}
	if (!(t->fp = fdopen(fd, "w"))) {
		int err = errno;
		close(fd);
		unlink(t->tmp_path);
		temp_forget(t->tmp_path);
		free(t->tmp_path);
		t->tmp_path = NULL;
		return open_failed(t, "create", err);
	}
	return 0;
}

int cli_target_check(const char *path)
{
	struct stat st;
	const char *input = NULL;
	char *dest;
	int fd;

	if (follow_links(path, &dest, &fd) != 0)
		return CLI_CONTINUE; /* reported by cli_target_open() */
	if (fd >= 0 ? fstat(fd, &st) == 0 : stat(dest, &st) == 0)
		input = cli_input_same_as(&st);
	free(dest);
	return input ? refuse_input(path, input) : CLI_CONTINUE;
}

int cli_target_open(struct cli_target *t, const char *path)
{
	struct stat st;
	const char *input;
	int fd, err, rc;

	memset(t, 0, sizeof(*t));
	t->path = path;
	if ((err = follow_links(path, &t->dest, &fd)) != 0)
		return open_failed(t, "create", err);
	if (fd >= 0)
		rc = open_descriptor(t, fd);
	else if (stat(t->dest, &st) != 0)
		rc = open_temporary(t, NULL);
	else if ((input = cli_input_same_as(&st)))
		rc = refuse_input(path, input);
	else if (!S_ISREG(st.st_mode))
		rc = open_in_place(t);
	else
		rc = open_temporary(t, &st);
	if (rc != 0) {
		free(t->dest);
		t->dest = NULL;
	}
	return rc;
}

int cli_target_close(struct cli_target *t, int status)
{
	int failed = ferror(t->fp) != 0, saved = failed ? errno : 0;

	if (t->direct) {
		if (fflush(t->fp) != 0)
			failed = 1, saved = errno;
		if (fclose(t->fp) != 0 && !saved)
			failed = 1, saved = errno;
		if (status == 0 && failed) {
			/* The reader of a pipe went away (-o /dev/stdout | head):
			 * a quiet end, as for standard output. */
			if (saved == EPIPE && !cli_shell_running) {
				/* the program ends as SIGPIPE would once the command
				 * has returned and freed what it holds (main.c) */
				cli_pipe_gone = 1;
				status = CLI_EXIT_IOERR;
			} else {
				cli_error("cannot write '%s': %s", t->path, strerror(saved));
				status = CLI_EXIT_IOERR;
			}
		}
	} else if (t->tmp_path) {
		if (fflush(t->fp) != 0 || fsync(fileno(t->fp)) != 0)
			failed = 1, saved = errno;
		if (fclose(t->fp) != 0)
			failed = 1, saved = errno;
		if (status == 0 && failed) {
			cli_error("cannot write '%s': %s", t->path, strerror(saved));
			status = CLI_EXIT_IOERR;
		}
		/* Once the report is in place the run has succeeded: the
		 * terminating signals stay blocked from the rename to the exit, so
		 * a signal in the last cleanup cannot report a failure (exit
		 * 128+N) for a run whose report was replaced. */
		sigset_t old;
		if (status == 0)
			sigprocmask(SIG_BLOCK, &term_signals, &old);
		if (status == 0 && rename(t->tmp_path, t->dest) != 0) {
			cli_error("cannot create '%s': %s", t->path, strerror(errno));
			status = CLI_EXIT_CANTCREAT;
			sigprocmask(SIG_SETMASK, &old, NULL);
		}
		if (status != 0)
			unlink(t->tmp_path);
		temp_forget(t->tmp_path);
		free(t->tmp_path);
		t->tmp_path = NULL;
	}
	free(t->dest);
	t->dest = NULL;
	t->fp = NULL;
	return status;
}
