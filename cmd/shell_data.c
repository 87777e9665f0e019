/* The files `loyal shell` holds in memory, and the one place where a
 * command's input can be such a file instead of a path on disk. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "shell.h"

static struct shell_file *files;
static size_t nfiles;

const char *shell_kind_name(enum shell_kind kind)
{
	return kind == SHELL_SURVEY ? "survey" : kind == SHELL_ORDERS ? "orders" : "any";
}

size_t shell_nfiles(void)
{
	return nfiles;
}

const struct shell_file *shell_file_at(size_t i)
{
	return i < nfiles ? &files[i] : NULL;
}

static void file_free(struct shell_file *f)
{
	free(f->path);
	free(f->data);
	for (size_t i = 0; i < f->ncols; i++)
		free(f->cols[i]);
	free(f->cols);
	memset(f, 0, sizeof(*f));
}

void shell_unload_all(void)
{
	for (size_t i = 0; i < nfiles; i++)
		file_free(&files[i]);
	free(files);
	files = NULL;
	nfiles = 0;
}

/* The loaded file that `path` names: by the name it was loaded under, or
 * as the same file (device and inode) under another name. */
static struct shell_file *find(const char *path)
{
	struct stat st;

	for (size_t i = 0; i < nfiles; i++)
		if (!strcmp(files[i].path, path))
			return &files[i];
	if (nfiles == 0 || !strcmp(path, "-") || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return NULL;
	for (size_t i = 0; i < nfiles; i++)
		if (files[i].dev == st.st_dev && files[i].ino == st.st_ino)
			return &files[i];
	return NULL;
}

int cli_loaded(const char *path)
{
	return find(path) != NULL;
}

int cli_reader_open(loyal_reader **r, const char *path, const loyal_read_options *o)
{
	const struct shell_file *f = nfiles ? find(path) : NULL;

	if (f)
		return loyal_reader_open_buffer(r, f->data, f->len, path, o);
	return loyal_reader_open(r, path, o);
}

/* The whole file into memory, in large reads; Ctrl-C stops it. */
static int read_all(struct shell_file *f, const char *path)
{
	struct stat st;
	size_t cap;
	int fd, rc = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == EINTR && cli_interrupted)
			return CLI_EXIT_INTERRUPTED; /* a FIFO with no writer */
		cli_error("cannot open '%s': %s", path, strerror(errno));
		return CLI_EXIT_NOINPUT;
	}
	if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
		cli_error("cannot read '%s': %s", path, S_ISDIR(st.st_mode) ? "Is a directory"
								   : strerror(errno));
		close(fd);
		return CLI_EXIT_NOINPUT;
	}
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	cap = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 1 : 1 << 20;
	if (!(f->data = malloc(cap))) {
		cli_error("out of memory loading '%s' (%zu bytes)", path, cap);
		close(fd);
		return CLI_EXIT_OSERR;
	}
	for (;;) {
		if (cli_interrupted) {
			rc = CLI_EXIT_INTERRUPTED;
			break;
		}
		if (f->len == cap) {
			char *p = realloc(f->data, cap * 2);
			if (!p) {
				cli_error("out of memory loading '%s'", path);
				rc = CLI_EXIT_OSERR;
				break;
			}
			f->data = p;
			cap *= 2;
		}
		size_t want = cap - f->len < ((size_t)8 << 20) ? cap - f->len : (size_t)8 << 20;
		ssize_t n = read(fd, f->data + f->len, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cli_error("cannot read '%s': %s", path, strerror(errno));
			rc = CLI_EXIT_IOERR;
			break;
		}
		if (n == 0)
			break;
		f->len += (size_t)n;
	}
	close(fd);
	return rc;
}

static int has_role(loyal_reader *r, loyal_role role)
{
	size_t col;
	return loyal_reader_find_column(&col, r, loyal_role_name(role), NULL,
					loyal_role_aliases(role)) == 0;
}

/* The header names, and the kind when not given. */
static int read_header(struct shell_file *f, const char *path, enum shell_kind kind)
{
	loyal_reader *r = NULL;
	int error, rc = 0;

	if ((error = loyal_reader_open_buffer(&r, f->data, f->len, path, NULL)) < 0) {
		/* Given its kind, the file may still be read by commands with
		 * --encoding, --delimiter...: they report what goes wrong. */
		if (kind != SHELL_ANY)
			return 0;
		rc = cli_lib_error(error);
		fprintf(stderr, "hint: name its kind: .load survey|orders '%s'\n", path);
		return rc;
	}
	size_t n = loyal_reader_columns(r);
	if (!(f->cols = calloc(n, sizeof(*f->cols)))) {
		rc = cli_oom();
		goto done;
	}
	for (f->ncols = 0; f->ncols < n; f->ncols++)
		if (!(f->cols[f->ncols] = strdup(loyal_reader_column_name(r, f->ncols)))) {
			rc = cli_oom();
			goto done;
		}
	if (kind == SHELL_ANY) {
		if (has_role(r, LOYAL_ROLE_NPS) || has_role(r, LOYAL_ROLE_CSAT))
			kind = SHELL_SURVEY;
		else if (has_role(r, LOYAL_ROLE_CUSTOMER) && has_role(r, LOYAL_ROLE_DATE))
			kind = SHELL_ORDERS;
		else {
			cli_error("cannot tell the kind of '%s': no NPS or satisfaction column "
				  "(a survey), nor customer and date columns (orders)", path);
			fprintf(stderr, "hint: name its kind: .load survey|orders '%s'\n", path);
			rc = CLI_EXIT_DATA;
			goto done;
		}
	}
done:
	f->kind = kind;
	loyal_reader_free(r);
	return rc;
}

/* Data rows, for .files: a reading of the whole copy with no column used.
 * A file the reader rejects as a whole has no count (its commands report
 * why). */
static int count_rows(struct shell_file *f, const char *path)
{
	loyal_reader *r = NULL;
	int error;

	if (loyal_reader_open_buffer(&r, f->data, f->len, path, NULL) < 0)
		return 0;
	while ((error = loyal_reader_next(r)) != LOYAL_ITEROVER) {
		if ((loyal_reader_rows(r) & 0xffff) == 0 && cli_interrupted) {
			loyal_reader_free(r);
			return CLI_EXIT_INTERRUPTED;
		}
		if (error < 0 && !loyal_reader_can_continue(r))
			break;
	}
	f->rows_known = error == LOYAL_ITEROVER;
	f->rows = loyal_reader_rows(r);
	loyal_reader_free(r);
	loyal_error_clear();
	return 0;
}

int shell_load(const char *path, enum shell_kind kind)
{
	struct shell_file f = { 0 };
	int rc;

	if (!strcmp(path, "-")) {
		cli_error("cannot load standard input: it is the shell's input");
		return CLI_EXIT_USAGE;
	}
	if ((rc = read_all(&f, path)) != 0 || (rc = read_header(&f, path, kind)) != 0 ||
	    (rc = count_rows(&f, path)) != 0 || !(f.path = strdup(path))) {
		if (rc == 0) {
			rc = cli_oom();
		}
		file_free(&f);
		return rc;
	}
	/* The same file again replaces its copy, in its place. */
	for (size_t i = 0; i < nfiles; i++) {
		if (!strcmp(files[i].path, path) ||
		    (files[i].dev == f.dev && files[i].ino == f.ino)) {
			file_free(&files[i]);
			files[i] = f;
			return 0;
		}
	}
	struct shell_file *p = realloc(files, (nfiles + 1) * sizeof(*p));
	if (!p) {
		file_free(&f);
		return cli_oom();
	}
	files = p;
	files[nfiles++] = f;
	return 0;
}
