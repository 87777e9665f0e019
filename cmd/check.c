#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "survey.h"
#include "txn_input.h"

static const struct cli_command_info info = {
	"check",
	"loyal check --kind KIND [options] FILE...",
	"Validate input files without computing anything: the delimiter, encoding and\n"
	"line ends found, the column of each role, and every row read, usable or\n"
	"rejected. Problems go to standard error with file:line:column and a reason.\n"
	"Rows are validated by the same code as the metric commands. KIND is survey\n"
	"(nps, csat), transactions (summary, repurchase, retention) or complaints.",
};

#define DEFAULT_MAX_ERRORS 20

enum kind { KIND_SURVEY = 1, KIND_TXN, KIND_COMPLAINTS };

struct check {
	enum kind kind;
	struct cli_common c;
	uint64_t max_errors;
	struct cli_out *rejects;
	struct cli_out *clean;  /* --clean: the rows that passed, as read */
	const char *eol;        /* the line end of the file being read */

	/* survey columns */
	const char *score_col, *csat_col;
	struct cli_list cols;
	loyal_csat scale;
	loyal_csat_labels *labels;
	/* per answer column of the file being read: the built-in labels seen */
	loyal_csat seen[SURVEY_MAX_COLS];
	uint64_t nps_counts[11]; /* the NPS answers of the file being read */
	size_t nps_k; /* which answer column is the NPS score (0), or SIZE_MAX */
	int nps, csat; /* the roles checked: both for --kind survey */

	/* transactions (and the customer column of complaints) */
	struct txn_opts t;
	/* complaints */
	const char *resolved_col;

	/* totals */
	uint64_t files, rows, usable, no_answer, rejected, file_problems, problems;
	uint64_t no_id; /* complaints without a customer id */
	uint64_t bad_encoding; /* rows with invalid UTF-8 in columns not checked */
	uint64_t skipped[TXN_SKIP__COUNT];
	int open_failed, read_failed;
	int incomplete; /* a file was not read to its end (--clean is not written) */
};

/* A line of the report on standard output (nothing with -q). */
static void say(const struct check *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const struct check *k, const char *fmt, ...)
{
	va_list ap;

	if (k->c.quiet)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

/* ---- problems ----------------------------------------------------------- */

/* A csv field from bytes that may hold anything, NUL included: the rejects
 * file keeps a row exactly as it was read. */
static void put_field(FILE *fp, const char *s, size_t len)
{
	fputc('"', fp);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			fputc('"', fp);
		fputc(s[i], fp);
	}
	fputc('"', fp);
}

/*
 * One problem: counted always, listed on standard error while fewer than
 * --max-errors have been, and, for a rejected row (raw non-NULL), written to
 * --rejects with the row's bytes. `line` and `column` 0 mean unknown.
 */
static void problem(struct check *k, const char *file, uint64_t line, uint64_t column,
		    const char *reason, const char *raw, size_t rawlen)
{
	char where[64];

	k->problems++;
	if (line && column)
		snprintf(where, sizeof(where), ":%llu:%llu", (unsigned long long)line,
			 (unsigned long long)column);
	else if (line)
		snprintf(where, sizeof(where), ":%llu", (unsigned long long)line);
	else
		where[0] = '\0';
	if (k->problems <= k->max_errors)
		cli_error("%s%s: %s", file, where, reason);
	if (k->rejects && raw) {
		FILE *fp = cli_out_stream(k->rejects);
		put_field(fp, file, strlen(file));
		fprintf(fp, ",%llu,%llu,", (unsigned long long)line, (unsigned long long)column);
		put_field(fp, reason, strlen(reason));
		fputc(',', fp);
		put_field(fp, raw, rawlen);
		fputc('\n', fp);
	}
}

/* The last libloyal error as a problem (its own location). */
static void lib_problem(struct check *k, loyal_reader *r, const char *file)
{
	const loyal_error_info *e = loyal_error_last();
	size_t rawlen = 0;
	const char *raw = r ? loyal_reader_raw(r, &rawlen) : NULL;

	problem(k, e && e->file ? e->file : file, e ? e->line : 0, e ? e->column : 0,
		e ? e->reason : "failure", raw, rawlen);
	cli_encoding_hint(e);
}

/* A value problem of the current row (survey: reason in loyal_error_last()). */
static void row_problem(struct check *k, loyal_reader *r, size_t col, const char *reason)
{
	size_t rawlen;
	const char *raw = loyal_reader_raw(r, &rawlen);

	problem(k, loyal_reader_name(r), loyal_reader_line(r), col + 1, reason, raw, rawlen);
}

/*
 * The reader checks the encoding of the columns a command reads; check
 * looks at every field, so a file in another encoding (GB18030 from a
 * Chinese survey platform, Latin-1 from Excel) is not called clean UTF-8
 * because its bad bytes sit in a comment column. Such a field is a
 * problem of the file, not of the row: the row is still usable (the
 * commands would use it, and --rejects lists the rows they would reject).
 * Returns the number of rows found so far with such a field.
 */
static uint64_t check_row_encoding(struct check *k, loyal_reader *r, uint64_t bad_rows)
{
	size_t len, col = 0, start = 0;
	const char *raw = loyal_reader_raw(r, &len);
	char delim = loyal_reader_delimiter(r);
	int quoted = 0;

	if (!raw || loyal_utf8_valid(raw, len))
		return bad_rows;
	/* The row parsed, so its quotes are balanced: a delimiter outside
	 * them ends a field. */
	for (size_t i = 0; i <= len; i++) {
		if (i < len && (quoted || raw[i] != delim)) {
			if (raw[i] == '"')
				quoted = !quoted;
			continue;
		}
		if (!loyal_utf8_valid(raw + start, i - start)) {
			char why[400];
			const char *enc = loyal_reader_encoding(r);
			if (strcmp(enc, "UTF-8"))
				/* converted: the bytes were not valid in the given encoding */
				snprintf(why, sizeof(why), "column '%s' holds bytes that are not "
					 "valid %s (not read by the command)",
					 loyal_reader_column_name(r, col), enc);
			else
				snprintf(why, sizeof(why), "invalid UTF-8 in column '%s' (not read by "
					 "the command, but the file is not UTF-8 text: convert it "
					 "first)", loyal_reader_column_name(r, col));
			problem(k, loyal_reader_name(r), loyal_reader_line(r), col + 1, why, NULL, 0);
			if (!strcmp(enc, "UTF-8")) {
				loyal_error_info guess = { 0 };
				guess.encoding = loyal_encoding_guess(raw + start, i - start);
				cli_encoding_hint(&guess);
			}
			return bad_rows + 1;
		}
		col++;
		start = i + 1;
	}
	return bad_rows;
}

static void describe_encoding(struct check *k, uint64_t bad_rows)
{
	k->bad_encoding += bad_rows;
	if (bad_rows)
		say(k, "  %-14s%llu row%s with invalid UTF-8 in columns not checked\n", "not UTF-8",
		    (unsigned long long)bad_rows, bad_rows == 1 ? "" : "s");
}

/* ---- --clean --------------------------------------------------------------- */

/* Start the clean copy of a file: its byte-order mark and header as read
 * (converted to UTF-8 when the input is), and its line end. */
static void clean_start(struct check *k, loyal_reader *r)
{
	uint64_t lf, crlf, cr;
	size_t len;
	const char *raw;

	if (!k->clean)
		return;
	loyal_reader_line_ends(r, &lf, &crlf, &cr);
	k->eol = crlf ? "\r\n" : cr && !lf ? "\r" : "\n";
	FILE *fp = cli_out_stream(k->clean);
	if (loyal_reader_had_bom(r))
		fputs("\xEF\xBB\xBF", fp);
	if (!k->c.no_header && (raw = loyal_reader_raw(r, &len)) != NULL) {
		fwrite(raw, 1, len, fp);
		fputs(k->eol, fp);
	}
}

/* A row that passed, to the clean copy. */
static void clean_row(struct check *k, loyal_reader *r)
{
	size_t len;
	const char *raw;

	if (!k->clean || !(raw = loyal_reader_raw(r, &len)))
		return;
	FILE *fp = cli_out_stream(k->clean);
	fwrite(raw, 1, len, fp);
	fputs(k->eol, fp);
}

/* ---- the report on standard output ---------------------------------------- */

static void describe_reader(const struct check *k, loyal_reader *r)
{
	char d = loyal_reader_delimiter(r);
	const char *dname = d == ',' ? "comma" : d == ';' ? "semicolon" : d == '\t' ? "tab"
			  : d == '|' ? "vertical bar" : NULL;

	if (dname)
		say(k, "  %-14s%s", "delimiter", dname);
	else
		say(k, "  %-14s'%c'", "delimiter", d);
	say(k, " (%s)\n", k->c.delimiter ? "given" : "detected");
	const char *enc = loyal_reader_encoding(r);
	if (!strcmp(enc, "UTF-8"))
		say(k, "  %-14sUTF-8, %s\n", "encoding",
		    loyal_reader_had_bom(r) ? "with a byte-order mark" : "no byte-order mark");
	else
		say(k, "  %-14s%s%s, converted to UTF-8\n", "encoding", enc,
		    k->c.encoding ? " (given)" : loyal_reader_had_bom(r) ? " (byte-order mark)" : "");
	say(k, "  %-14s%zu%s\n", "columns", loyal_reader_columns(r),
	    k->c.no_header ? " (no header)" : "");
}

/* After the rows: what was seen on the way. */
static void describe_lines(const struct check *k, loyal_reader *r)
{
	uint64_t lf, crlf, cr;

	say(k, "  %-14s%llu\n", "blank lines", (unsigned long long)loyal_reader_blank_lines(r));
	loyal_reader_line_ends(r, &lf, &crlf, &cr);
	int kinds = (lf > 0) + (crlf > 0) + (cr > 0);
	say(k, "  %-14s", "line ends");
	if (kinds == 0)
		say(k, "none\n");
	else if (kinds == 1)
		say(k, "%s\n", lf ? "LF" : crlf ? "CRLF" : "CR");
	else
		say(k, "mixed: %llu LF, %llu CRLF, %llu CR\n", (unsigned long long)lf,
		       (unsigned long long)crlf, (unsigned long long)cr);
}

static void describe_column(const struct check *k, loyal_reader *r, const char *role, size_t col)
{
	if (col == SIZE_MAX)
		say(k, "  %-14snot found\n", role);
	else
		say(k, "  %-14scolumn %zu, %s\n", role, col + 1, loyal_reader_column_name(r, col));
}

/* ---- survey ------------------------------------------------------------- */

static int survey_parse(void *vctx, size_t k, const char *text, size_t len, int *value)
{
	struct check *ck = vctx;
	int error;
	if (k == ck->nps_k) {
		if ((error = loyal_nps_parse(value, text, len)) < 0)
			return error;
		ck->nps_counts[*value]++;
		return 0;
	}
	if ((error = loyal_csat_read(value, &ck->scale, ck->labels, text, len)) < 0)
		return error;
	/* the labels decide how 满意 reads, at the end of the file */
	loyal_csat_add_answer(&ck->seen[k], *value);
	return 0;
}

/*
 * Find a role's column: `given` exactly, or by its aliases. A role looked
 * for by alias and not found is not an error (*col = SIZE_MAX); an
 * ambiguous match or a named column that is missing is.
 */
static int find_role(size_t *col, loyal_reader *r, const char *role, const char *given,
		     loyal_role which)
{
	int error = loyal_reader_find_column(col, r, role, given, loyal_role_aliases(which));
	const loyal_error_info *e;

	if (error == LOYAL_ECOLUMN && !given && (e = loyal_error_last()) && e->line == 0) {
		loyal_error_clear();
		*col = SIZE_MAX;
		return 0;
	}
	return error;
}

/*
 * Resolve the survey columns of one input and describe them: the date, then
 * the answer columns (the NPS score first) into cols[0..*n). With no column
 * named, every role found by header name is checked; with --score-col,
 * --csat-col or --cols, only the named ones. Returns 0, a libloyal error,
 * 1 when no answer column was found, or 2 after a usage error (two --by
 * options naming one column).
 */
static int survey_columns(struct check *k, struct cli_source *s, size_t *cols, size_t *n)
{
	loyal_reader *r = s->r;
	int any_named = k->score_col || k->csat_col || k->cols.n;
	size_t col;
	int error;

	*n = 0;
	k->nps_k = SIZE_MAX;
	if ((error = find_role(&s->date_col, r, "date", k->c.date_col, LOYAL_ROLE_DATE)) < 0)
		return error;
	describe_column(k, r, "date", s->date_col);
	for (size_t i = 0; i < k->c.by.n; i++) {
		if ((error = loyal_reader_find_column(&s->by_cols[i], r, "--by", k->c.by.items[i],
						      NULL)) < 0)
			return error;
		describe_column(k, r, "--by", s->by_cols[i]);
	}
	if (cli_by_distinct(r, s->by_cols, &k->c) != 0)
		return 2;
	if (k->nps && (!any_named || k->score_col)) {
		if ((error = find_role(&col, r, "NPS score", k->score_col, LOYAL_ROLE_NPS)) < 0)
			return error;
		describe_column(k, r, "NPS score", col);
		if (col != SIZE_MAX) {
			k->nps_k = 0;
			cols[(*n)++] = col;
		}
	}
	if (!k->csat) {
		/* --kind nps */
	} else if (k->cols.n) {
		for (size_t i = 0; i < k->cols.n; i++) {
			if ((error = find_role(&col, r, "satisfaction", k->cols.items[i],
					       LOYAL_ROLE_CSAT)) < 0)
				return error;
			describe_column(k, r, "satisfaction", col);
			cols[(*n)++] = col;
		}
	} else if (!any_named || k->csat_col) {
		if ((error = find_role(&col, r, "satisfaction", k->csat_col, LOYAL_ROLE_CSAT)) < 0)
			return error;
		/* A header on both lists ("score", "rating") is taken as the NPS
		 * score unless named with --csat-col. */
		if (col != SIZE_MAX && k->nps_k == 0 && col == cols[0]) {
			say(k, "  %-14snot checked (column %zu is the NPS score; loyal csat reads "
			       "it as satisfaction: --kind csat checks it so)\n", "satisfaction",
			       col + 1);
		} else {
			describe_column(k, r, "satisfaction", col);
			if (col != SIZE_MAX)
				cols[(*n)++] = col;
		}
	}
	return *n ? 0 : 1;
}

/* A file-level problem that ends the reading of a file. Returns an exit
 * status to stop at once (out of memory), else 0. */
static int file_problem(struct check *k, const char *path, int error)
{
	k->file_problems++;
	if (error == LOYAL_ENOMEM) {
		return cli_oom();
	}
	if (error == LOYAL_EOPEN)
		k->open_failed = 1;
	if (error == LOYAL_EIO)
		k->read_failed = 1;
	lib_problem(k, NULL, path);
	return 0;
}

/*
 * The next row of a checked file: 1 when one is read (counted in *rows);
 * 0 at the end. A row the reader rejects is counted in *rows and
 * *rejected, reported, and skipped; a problem that stops the reading is
 * reported, marks the file incomplete and sets *stopped, or *rc for a
 * status to stop at once (then 0 too).
 */
static int next_row(struct check *k, loyal_reader *r, const char *path, uint64_t *rows,
		    uint64_t *rejected, int *stopped, int *rc)
{
	int error;

	while ((error = loyal_reader_next(r)) != LOYAL_ITEROVER) {
		if (error >= 0) {
			(*rows)++;
			return 1;
		}
		if (!loyal_reader_can_continue(r)) {
			k->incomplete = 1;
			if ((*rc = file_problem(k, path, error)) == 0)
				*stopped = 1;
			return 0;
		}
		(*rows)++;
		(*rejected)++;
		lib_problem(k, r, path);
	}
	return 0;
}

/* A file its command's source could not open (the message is written):
 * a problem of the file; out of memory, or two --by options naming one
 * column, stop the run (their status), anything else does not (0). */
static int not_opened(struct check *k, int rc)
{
	k->file_problems++;
	k->problems++;
	k->incomplete = 1;
	say(k, "  not read\n");
	if (rc == CLI_EXIT_NOINPUT)
		k->open_failed = 1;
	if (rc == CLI_EXIT_IOERR)
		k->read_failed = 1;
	return rc == CLI_EXIT_OSERR || rc == CLI_EXIT_USAGE ? rc : 0;
}

static int check_survey_file(struct check *k, const char *path)
{
	struct cli_source s;
	size_t cols[SURVEY_MAX_COLS], n = 0;
	struct survey_spec spec = { 0, 1, NULL, survey_parse, NULL, NULL, NULL, NULL, NULL, NULL };
	struct survey_row row;
	uint64_t rows = 0, usable = 0, no_answer = 0, rejected = 0, bad_encoding = 0;
	int error, rc = 0, stopped = 0;

	memset(&s, 0, sizeof(s));
	s.date_col = SIZE_MAX;
	say(k, "%s\n", path);
	if ((error = cli_reader_open(&s.r, path, &k->c.read)) < 0) {
		say(k, "  not read\n");
		k->incomplete = 1;
		return file_problem(k, path, error);
	}
	loyal_reader_keep_raw(s.r, 1);
	describe_reader(k, s.r);
	clean_start(k, s.r);
	if ((error = survey_columns(k, &s, cols, &n)) == 2) {
		rc = CLI_EXIT_USAGE;
		goto done;
	} else if (error != 0) {
		k->file_problems++;
		k->incomplete = 1;
		if (error < 0) {
			lib_problem(k, NULL, path);
		} else {
			char why[160];
			snprintf(why, sizeof(why), "no NPS score or satisfaction column found%s",
				 k->score_col || k->csat_col || k->cols.n ? ""
				 : " (name it with --score-col, --csat-col or --cols)");
			problem(k, path, 0, 0, why, NULL, 0);
		}
		say(k, "  %-14snot read\n", "rows");
		goto done;
	}
	spec.ncols = n;
	for (size_t i = 0; i < n; i++)
		loyal_csat_init(&k->seen[i], k->scale.lo, k->scale.hi);
	memset(k->nps_counts, 0, sizeof(k->nps_counts));
	while (next_row(k, s.r, path, &rows, &rejected, &stopped, &rc) > 0) {
		bad_encoding = check_row_encoding(k, s.r, bad_encoding);
		switch (survey_check_row(&spec, k, &s, &k->c, cols, &row)) {
		case SURVEY_ROW_USED:
			usable++;
			clean_row(k, s.r);
			break;
		case SURVEY_ROW_BLANK:
			no_answer++;
			clean_row(k, s.r);
			break;
		default:
			rejected++;
			row_problem(k, s.r, row.bad_col, loyal_error_last()->reason);
		}
	}
	if (rc != 0)
		goto done;
	say(k, "  %-14s%llu%s: %llu usable, %llu with no answer, %llu rejected\n", "rows",
	       (unsigned long long)rows, stopped ? " read before the error" : "",
	       (unsigned long long)usable, (unsigned long long)no_answer,
	       (unsigned long long)rejected);
	describe_encoding(k, bad_encoding);
	/* 满意 in a satisfaction column: which scale the column's labels say */
	for (size_t i = 0; i < n; i++) {
		const char *name = loyal_reader_column_name(s.r, cols[i]);
		int point;
		char msg[512];
		if (i == k->nps_k) {
			/* a 1-5 rating taken for a 0-10 score (as loyal nps warns;
			 * a problem with --strict) */
			if (!survey_nps_rating(msg, sizeof(msg), k->nps_counts, name))
				continue;
			say(k, "  %-14s%s: all within 1-5 (a rating?)\n", "NPS answers", name);
			if (k->t.strict) {
				k->file_problems++;
				problem(k, path, 0, 0, msg, NULL, 0);
			} else {
				cli_error("warning: %s: %s", path, msg);
			}
			continue;
		}
		if (loyal_csat_decide(&point, k->seen[i].labels_seen, name) < 0) {
			k->file_problems++;
			problem(k, path, 0, 0, loyal_error_last()->reason, NULL, 0);
			fprintf(stderr, "hint: give the scale with --labels '满意=4' or '满意=3'\n");
			say(k, "  %-14s%s: 满意 is ambiguous\n", "labels", name);
		} else if (point) {
			say(k, "  %-14s%s: 满意 read as %d\n", "labels", name, point);
		}
	}
	describe_lines(k, s.r);
done:
	k->rows += rows;
	k->usable += usable;
	k->no_answer += no_answer;
	k->rejected += rejected;
	cli_source_close(&s);
	return rc;
}

/* ---- transactions --------------------------------------------------------- */

static int check_txn_file(struct check *k, const char *path)
{
	struct txn_source ts;
	struct txn_row row;
	uint64_t rows = 0, usable = 0, rejected = 0, skipped[TXN_SKIP__COUNT] = { 0 };
	uint64_t bad_encoding = 0;
	int rc, stopped = 0;

	say(k, "%s\n", path);
	/* The transaction commands' own column rules, messages included. */
	if ((rc = txn_source_open(&ts, path, &k->c, &k->t)) != 0)
		return not_opened(k, rc);
	loyal_reader *r = ts.s.r;
	loyal_reader_keep_raw(r, 1);
	describe_reader(k, r);
	clean_start(k, r);
	for (size_t i = 0; i < k->c.by.n; i++)
		describe_column(k, r, "--by", ts.s.by_cols[i]);
	describe_column(k, r, "customer", ts.customer_col);
	describe_column(k, r, "date", ts.s.date_col);
	describe_column(k, r, "order", ts.order_col);
	if (ts.amount_col != SIZE_MAX || ts.qty_col == SIZE_MAX) {
		describe_column(k, r, "amount", ts.amount_col);
	} else {
		describe_column(k, r, "quantity", ts.qty_col);
		describe_column(k, r, "price", ts.price_col);
	}
	rc = 0;
	while (next_row(k, r, path, &rows, &rejected, &stopped, &rc) > 0) {
		bad_encoding = check_row_encoding(k, r, bad_encoding);
		if (txn_read_row(&ts, &k->c, &k->t, &row) < 0) {
			rejected++;
			row_problem(k, r, row.bad_col, row.reason);
			continue;
		}
		if (row.skip == TXN_USE)
			usable++;
		else
			skipped[row.skip]++;
		clean_row(k, r);
	}
	if (rc != 0)
		goto done;
	say(k, "  %-14s%llu%s: %llu usable, %llu guest (no customer id), %llu after --as-of, "
	       "%llu rejected\n", "rows", (unsigned long long)rows,
	       stopped ? " read before the error" : "", (unsigned long long)usable,
	       (unsigned long long)skipped[TXN_SKIP_GUEST],
	       (unsigned long long)skipped[TXN_SKIP_AS_OF], (unsigned long long)rejected);
	describe_encoding(k, bad_encoding);
	describe_lines(k, r);
done:
	k->rows += rows;
	k->usable += usable;
	k->rejected += rejected;
	for (int i = 0; i < TXN_SKIP__COUNT; i++)
		k->skipped[i] += skipped[i];
	txn_source_close(&ts);
	return rc;
}

/* ---- complaints ----------------------------------------------------------- */

/* A complaints file as `loyal complaints` reads it (loyal/complaints_input.h):
 * the date, customer and resolved columns, then every row's date and flag. */
static int check_complaints_file(struct check *k, const char *path)
{
	struct cli_source s;
	loyal_complaints_input_options lo = LOYAL_COMPLAINTS_INPUT_OPTIONS_INIT;
	loyal_complaints_layout layout = LOYAL_COMPLAINTS_LAYOUT_INIT;
	loyal_complaints_row row = LOYAL_COMPLAINTS_ROW_INIT;
	uint64_t rows = 0, usable = 0, no_id = 0, rejected = 0, bad_encoding = 0;
	int error, rc, stopped = 0;
	char norm[8];

	say(k, "%s\n", path);
	/* the command's own date and --by column rules, messages included */
	if ((rc = cli_source_open(&s, path, &k->c, 1)) != 0)
		return not_opened(k, rc);
	loyal_reader *r = s.r;
	loyal_reader_keep_raw(r, 1);
	describe_reader(k, r);
	clean_start(k, r);
	lo.customer_col = k->t.customer_col;
	lo.resolved_col = k->resolved_col;
	layout.date = s.date_col;
	layout.date_format = k->c.date_format;
	if ((error = loyal_complaints_layout_resolve(&layout, r, &lo)) < 0) {
		k->incomplete = 1;
		if ((rc = file_problem(k, path, error)) != 0)
			goto done;
		if (layout.customer_failed && !k->t.customer_col)
			fprintf(stderr, "hint: name the column with --customer-col\n");
		say(k, "  %-14snot read\n", "rows");
		goto done;
	}
	for (size_t i = 0; i < k->c.by.n; i++)
		describe_column(k, r, "--by", s.by_cols[i]);
	describe_column(k, r, "customer", layout.customer);
	describe_column(k, r, "date", layout.date);
	describe_column(k, r, "resolved", layout.resolved);
	while (next_row(k, r, path, &rows, &rejected, &stopped, &rc) > 0) {
		bad_encoding = check_row_encoding(k, r, bad_encoding);
		if ((error = loyal_complaints_row_read(&row, r, &layout)) < 0) {
			rc = cli_lib_error(error);
			goto done;
		}
		if (error) {
			rejected++;
			row_problem(k, r, row.bad_col, row.reason);
			continue;
		}
		usable++;
		if (loyal_idmatch_normalize(norm, sizeof(norm), row.customer, row.customer_len) == 0)
			no_id++;
		clean_row(k, r);
	}
	if (rc != 0)
		goto done;
	say(k, "  %-14s%llu%s: %llu usable, %llu without a customer id, %llu rejected\n", "rows",
	       (unsigned long long)rows, stopped ? " read before the error" : "",
	       (unsigned long long)usable, (unsigned long long)no_id, (unsigned long long)rejected);
	describe_encoding(k, bad_encoding);
	describe_lines(k, r);
done:
	k->rows += rows;
	k->usable += usable;
	k->no_id += no_id;
	k->rejected += rejected;
	cli_source_close(&s);
	return rc;
}

/* ---- the command ------------------------------------------------------------ */

int cmd_check(int argc, char **argv)
{
	struct check k;
	const char *kind = NULL, *max_errors = NULL, *rejects = NULL, *scale = NULL;
	const char *labels_arg = NULL, *clean = NULL;
	int nargs, rc;
	memset(&k, 0, sizeof(k));
	const struct cli_opt opts[] = {
		CLI_OPT_GROUP("Check"),
		CLI_OPT_STRING('k', "kind", "KIND", &kind,
			       "what the files hold: survey (nps, csat: what that command reads), "
			       "transactions or complaints (required)"),
		CLI_OPT_STRING(0, "max-errors", "N",
			       &max_errors, "list the first N problems (default 20); all are counted"),
		CLI_OPT_STRING(0, "rejects", "FILE", &rejects,
			       "write every rejected row to FILE (csv: file,line,column,reason,row)"),
		CLI_OPT_STRING(0, "clean", "FILE", &clean,
			       "write the header and every row that passed to FILE, as read"),
		CLI_OPT_FLAG('q', "quiet", &k.c.quiet, "no report on standard output: problems and exit status only"),
		CLI_OPT_GROUP("Survey"),
		CLI_OPT_STRING(0, "score-col", "NAME", &k.score_col,
			       "check only this NPS score column (and those named by --csat-col, --cols)"),
		CLI_OPT_STRING(0, "csat-col", "NAME", &k.csat_col,
			       "check only this satisfaction column (and --score-col)"),
		CLI_OPT_LIST(0, "cols", "A,B,...", &k.cols, "check only these satisfaction columns (and --score-col)"),
		CLI_OPT_STRING(0, "scale", "LO-HI", &scale,
			       "satisfaction scale: 1-5 (default), 1-7, 1-10, 0-10"),
		CLI_OPT_STRING(0, "labels", "MAP", &labels_arg,
			       "text answers' points: 'TEXT=POINT,...' or a file (as loyal csat)"),
		CLI_OPT_GROUP("Complaints"),
		CLI_OPT_STRING(0, "resolved-col", "NAME", &k.resolved_col,
			       "resolved flag column (default: found by header name, if any)"),
		CLI_OPT_GROUP("Survey and transactions"),
		CLI_OPT_LIST(0, "by", "COL", &k.c.by,
			     "also check column COL, which a command's --by reads (repeatable)"),
		TXN_OPTS_CHECK_INPUT(&k.t),
		CLI_OPTS_INPUT(&k.c),
		CLI_OPT_END
	};

	if ((rc = cli_parse(&info, opts, argc, argv, &nargs)) != CLI_CONTINUE)
		return rc;
	if ((rc = cli_common_finish(&info, &k.c)) != CLI_CONTINUE)
		return rc;
	if (!kind)
		return cli_usage_error(&info, "--kind is required: survey, nps, csat, transactions or "
				       "complaints");
	if (!strcmp(kind, "survey") || !strcmp(kind, "nps") || !strcmp(kind, "csat")) {
		k.kind = KIND_SURVEY;
		k.nps = strcmp(kind, "csat") != 0;
		k.csat = strcmp(kind, "nps") != 0;
	}
	else if (!strcmp(kind, "transactions") || !strcmp(kind, "txn"))
		k.kind = KIND_TXN;
	else if (!strcmp(kind, "complaints"))
		k.kind = KIND_COMPLAINTS;
	else
		return cli_usage_error(&info, "unknown kind '%s' (survey, nps, csat, transactions or "
				       "complaints)", kind);
	if (k.resolved_col && k.kind != KIND_COMPLAINTS)
		return cli_usage_error(&info, "--resolved-col needs --kind complaints");
	k.max_errors = DEFAULT_MAX_ERRORS;
	if (max_errors && cli_parse_count(&k.max_errors, "--max-errors", max_errors, 0, UINT64_MAX))
		return CLI_EXIT_USAGE;
	if (k.kind == KIND_SURVEY) {
		int lo = 1, hi = 5;
		if (k.t.customer_col || k.t.order_col || k.t.amount_col || k.t.qty_col ||
		    k.t.price_col || k.t.occasion_name || k.t.as_of_text || k.t.allow_exponent)
			return cli_usage_error(&info, "the transaction options need --kind transactions");
		if (scale && loyal_csat_parse_scale(&lo, &hi, scale) < 0)
			return cli_usage_error(&info, "--scale: %s", loyal_error_last()->reason);
		loyal_csat_init(&k.scale, lo, hi);
		if (k.cols.n && k.csat_col)
			return cli_usage_error(&info, "--csat-col and --cols cannot be used together");
		if (!k.csat && (k.csat_col || k.cols.n || scale || labels_arg))
			return cli_usage_error(&info, "--csat-col, --cols, --scale and --labels do not "
					       "apply to --kind nps");
		if (!k.nps && k.score_col)
			return cli_usage_error(&info, "--score-col does not apply to --kind csat");
		if (k.cols.n + (k.score_col != NULL) > SURVEY_MAX_COLS)
			return cli_usage_error(&info, "at most %d answer columns", SURVEY_MAX_COLS);
	} else {
		if (k.score_col || k.csat_col || k.cols.n || scale || labels_arg)
			return cli_usage_error(&info, "the survey options need --kind survey, nps or csat");
		if (k.kind == KIND_COMPLAINTS &&
		    (k.t.order_col || k.t.amount_col || k.t.qty_col || k.t.price_col ||
		     k.t.occasion_name || k.t.as_of_text || k.t.allow_exponent || k.t.returns_name ||
		     k.t.strict))
			return cli_usage_error(&info, "of the transaction options, --kind complaints "
					       "takes --customer-col only");
		if ((rc = txn_opts_finish(&info, &k.t)) != CLI_CONTINUE)
			return rc;
	}
	if (nargs == 0)
		return cli_usage_error(&info, "no input file (use - for standard input)");
	if ((rc = survey_load_labels(&k.labels, labels_arg)) != 0)
		return rc;
	if (clean && nargs > 1)
		return cli_usage_error(&info, "--clean takes one input file (a clean copy of it)");
	if (clean && rejects && !strcmp(clean, rejects))
		return cli_usage_error(&info, "--clean and --rejects name the same file");

	if (rejects) {
		static const struct cli_column rej_cols[] = {
			{ "file", CLI_T_STR, 0 }, { "line", CLI_T_INT, 0 }, { "column", CLI_T_INT, 0 },
			{ "reason", CLI_T_STR, 0 }, { "row", CLI_T_STR, 0 },
		};
		struct cli_common rc_out = { 0 };
		rc_out.format = CLI_FMT_CSV;
		rc_out.output = rejects;
		if ((rc = cli_out_open(&k.rejects, &rc_out, rej_cols, 5)) != 0)
			goto done;
	}
	if (clean) {
		struct cli_common co = { 0 };
		co.format = CLI_FMT_RAW;
		co.output = clean;
		if ((rc = cli_out_open(&k.clean, &co, NULL, 0)) != 0)
			goto done;
	}
	for (int i = 0; i < nargs; i++) {
		rc = k.kind == KIND_SURVEY ? check_survey_file(&k, argv[i])
		   : k.kind == KIND_TXN    ? check_txn_file(&k, argv[i])
					   : check_complaints_file(&k, argv[i]);
		if (rc != 0)
			goto done;
		k.files++;
	}
	if (k.usable == 0 && k.file_problems == 0) {
		k.file_problems++;
		problem(&k, nargs == 1 ? argv[0] : "input", 0, 0,
			"no usable row: every command would fail on this input", NULL, 0);
	}
	if (k.problems > k.max_errors)
		cli_error("%llu more problem%s not listed (--max-errors %llu)",
			  (unsigned long long)(k.problems - k.max_errors),
			  k.problems - k.max_errors == 1 ? "" : "s",
			  (unsigned long long)k.max_errors);
	say(&k, "%s: %llu file%s, %llu row%s: %llu usable", k.problems ? "not clean" : "clean",
	       (unsigned long long)k.files, k.files == 1 ? "" : "s",
	       (unsigned long long)k.rows, k.rows == 1 ? "" : "s",
	       (unsigned long long)k.usable);
	if (k.kind == KIND_SURVEY)
		say(&k, ", %llu with no answer", (unsigned long long)k.no_answer);
	else if (k.kind == KIND_COMPLAINTS)
		say(&k, ", %llu without a customer id", (unsigned long long)k.no_id);
	else
		say(&k, ", %llu guest, %llu after --as-of",
		       (unsigned long long)k.skipped[TXN_SKIP_GUEST],
		       (unsigned long long)k.skipped[TXN_SKIP_AS_OF]);
	if (k.bad_encoding)
		say(&k, ", %llu with invalid UTF-8 in columns not checked",
		    (unsigned long long)k.bad_encoding);
	say(&k, ", %llu rejected, %llu file-level problem%s\n", (unsigned long long)k.rejected,
	       (unsigned long long)k.file_problems, k.file_problems == 1 ? "" : "s");
	rc = k.read_failed ? CLI_EXIT_IOERR : k.open_failed ? CLI_EXIT_NOINPUT
	   : k.problems ? CLI_EXIT_DATA : CLI_EXIT_OK;
done:
	if (k.rejects) {
		/* The rejects are written whatever the verdict; only a failure
		 * to finish the run discards them. */
		int st = cli_out_close(k.rejects, rc == CLI_EXIT_OSERR ? rc : 0);
		if (st != 0)
			rc = st;
	}
	if (k.clean) {
		/* So is the clean copy, unless the file could not be read to its
		 * end: then it would hold only a part of the good rows. */
		int st = cli_out_close(k.clean, rc == CLI_EXIT_OSERR ? rc : k.incomplete ?
				       CLI_EXIT_DATA : 0);
		if (k.incomplete && !k.c.quiet)
			cli_error("--clean: '%s' not written: the input was not read to its end", clean);
		if (st != 0 && st != CLI_EXIT_DATA)
			rc = st;
	}
	loyal_csat_labels_free(k.labels);
	return rc;
}
