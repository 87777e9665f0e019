#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <zlib.h>
#include <zstd.h>

#include "helpers.h"
#include "loyal.h"

static loyal_reader *open_text(const char *text, const loyal_read_options *opts)
{
	loyal_reader *r = NULL;
	int error = loyal_reader_open_buffer(&r, text, strlen(text), "t.csv", opts);
	if (error < 0)
		fail_msg("open failed: %s", loyal_error_last()->message);
	return r;
}

/* Read every row using all columns; return the first error or ITEROVER. */
static int drain(loyal_reader *r)
{
	int error;
	for (size_t i = 0; i < loyal_reader_columns(r); i++)
		loyal_reader_use_column(r, i);
	while ((error = loyal_reader_next(r)) == 0)
		;
	return error;
}

static void test_reader_quoting_and_lines(void **state)
{
	const char *text = "id,comment,score\r\n"
			   "1,\"a, b\",9\r\n"
			   "2,\"she said \"\"hi\"\"\",7\r\n"
			   "3,\"two\r\nlines\",10\r\n"
			   "4,plain,0\r\n";
	loyal_reader *r = open_text(text, NULL);
	size_t len;
	(void)state;

	assert_int_equal(loyal_reader_columns(r), 3);
	assert_int_equal(loyal_reader_delimiter(r), ',');
	for (size_t i = 0; i < 3; i++)
		loyal_reader_use_column(r, i);
	assert_int_equal(loyal_reader_next(r), 0);
	assert_string_equal(loyal_reader_field(r, 1, &len), "a, b");
	assert_int_equal(len, 4);
	assert_int_equal(loyal_reader_line(r), 2);
	assert_int_equal(loyal_reader_next(r), 0);
	assert_string_equal(loyal_reader_field(r, 1, NULL), "she said \"hi\"");
	assert_int_equal(loyal_reader_line(r), 3);
	assert_int_equal(loyal_reader_next(r), 0);
	assert_string_equal(loyal_reader_field(r, 1, NULL), "two\r\nlines");
	assert_int_equal(loyal_reader_line(r), 4);
	assert_int_equal(loyal_reader_next(r), 0);
	assert_int_equal(loyal_reader_line(r), 6); /* the quoted line break counted */
	assert_string_equal(loyal_reader_field(r, 2, NULL), "0");
	assert_int_equal(loyal_reader_next(r), LOYAL_ITEROVER);
	assert_int_equal(loyal_reader_rows(r), 4);
	loyal_reader_free(r);
}

static void test_reader_bom_and_delimiters(void **state)
{
	static const struct {
		const char *text;
		char delim;
	} cases[] = {
		{ "\xEF\xBB\xBF" "a;b;c\n1;2;3\n", ';' },
		{ "a\tb\n1\t2\n", '\t' },
		{ "a|b|c\n1|2|3\n", '|' },
		{ "\"x,y\";b\n1;2\n", ';' }, /* the comma inside quotes does not count */
		{ "single\n1\n", ',' },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		loyal_reader *r = open_text(cases[i].text, NULL);
		assert_int_equal(loyal_reader_delimiter(r), cases[i].delim);
		assert_int_equal(drain(r), LOYAL_ITEROVER);
		loyal_reader_free(r);
	}
	loyal_reader *r = open_text("\xEF\xBB\xBF\"id\",x\n1,2\n", NULL);
	assert_true(loyal_reader_had_bom(r));
	assert_string_equal(loyal_reader_column_name(r, 0), "id");
	loyal_reader_free(r);

	loyal_read_options o = LOYAL_READ_OPTIONS_INIT;
	o.delimiter = ';';
	r = open_text("a,b;c\n1,2;3\n", &o);
	assert_int_equal(loyal_reader_columns(r), 2);
	loyal_reader_free(r);
}

static void test_reader_header_matching(void **state)
{
	loyal_reader *r = open_text("Response ID,Submitted At,How likely,Likelihood To Recommend\n"
				    "1,2025-01-01,x,9\n", NULL);
	size_t col;
	(void)state;

	assert_int_equal(loyal_reader_find_column(&col, r, "date", NULL,
						  loyal_role_aliases(LOYAL_ROLE_DATE)), 0);
	assert_int_equal(col, 1);
	assert_int_equal(loyal_reader_find_column(&col, r, "NPS score", NULL,
						  loyal_role_aliases(LOYAL_ROLE_NPS)), 0);
	assert_int_equal(col, 3);
	assert_int_equal(loyal_reader_find_column(&col, r, "x", "how-likely", NULL), 0);
	assert_int_equal(col, 2);
	assert_int_equal(loyal_reader_find_column(&col, r, "x", "nothing", NULL), LOYAL_ECOLUMN);
	assert_int_equal(loyal_reader_find_column(&col, r, "customer", NULL,
						  loyal_role_aliases(LOYAL_ROLE_CUSTOMER)),
			 LOYAL_ECOLUMN);
	assert_non_null(strstr(loyal_error_last()->message, "no customer column found"));
	loyal_reader_free(r);

	/* Real exports: Google Forms, Qualtrics, SurveyMonkey date columns */
	const char *dates[] = { "Timestamp", "RecordedDate", "End Date", "created_at" };
	for (size_t i = 0; i < 4; i++) {
		char text[128];
		snprintf(text, sizeof(text), "score,%s\n1,2025-01-01\n", dates[i]);
		r = open_text(text, NULL);
		assert_int_equal(loyal_reader_find_column(&col, r, "date", NULL,
							  loyal_role_aliases(LOYAL_ROLE_DATE)), 0);
		assert_int_equal(col, 1);
		loyal_reader_free(r);
	}
	/* two columns matching the deciding alias are ambiguous */
	r = open_text("nps,NPS\n1,2\n", NULL);
	assert_int_equal(loyal_reader_find_column(&col, r, "NPS score", NULL,
						  loyal_role_aliases(LOYAL_ROLE_NPS)), LOYAL_ECOLUMN);
	loyal_reader_free(r);
}

static void test_reader_no_header(void **state)
{
	loyal_read_options o = LOYAL_READ_OPTIONS_INIT;
	loyal_reader *r;
	size_t col;
	(void)state;

	o.no_header = 1;
	r = open_text("a,9\nb,10\n", &o);
	assert_int_equal(loyal_reader_find_column(&col, r, "NPS score", "2", NULL), 0);
	assert_int_equal(col, 1);
	assert_int_equal(loyal_reader_next(r), 0);
	assert_string_equal(loyal_reader_field(r, 1, NULL), "9");
	assert_int_equal(loyal_reader_line(r), 1);
	assert_int_equal(loyal_reader_next(r), 0);
	assert_string_equal(loyal_reader_field(r, 1, NULL), "10");
	assert_int_equal(loyal_reader_next(r), LOYAL_ITEROVER);
	assert_int_equal(loyal_reader_find_column(&col, r, "x", "3", NULL), LOYAL_ECOLUMN);
	loyal_reader_free(r);
}

static void expect_error(const char *text, int code, uint64_t line, uint64_t column,
			 const char *reason_part)
{
	loyal_reader *r = NULL;
	int error = loyal_reader_open_buffer(&r, text, strlen(text), "t.csv", NULL);

	if (error == 0)
		error = drain(r);
	loyal_reader_free(r);
	assert_int_equal(error, code);
	const loyal_error_info *e = loyal_error_last();
	assert_non_null(e);
	if (line != e->line || column != e->column || !strstr(e->reason, reason_part))
		fail_msg("got '%s' at %llu:%llu for %s", e->message, (unsigned long long)e->line,
			 (unsigned long long)e->column, text);
}

static void test_reader_rejects_malformed(void **state)
{
	(void)state;
	expect_error("a,b\n1,x\"y\n", LOYAL_ECSV, 2, 2, "stray quote");
	expect_error("a,b\n1,\"x\"y\n", LOYAL_ECSV, 2, 2, "after a closing quote");
	expect_error("a,b\n1,\"open\n2,3\n", LOYAL_ECSV, 2, 2, "not closed");
	expect_error("a,b,c\n1,2\n", LOYAL_ECSV, 2, 3, "row has 2 fields, the header has 3");
	expect_error("a,b\n1,2,3\n", LOYAL_ECSV, 2, 3, "row has 3 fields, the header has 2");
	expect_error("a,b\n1,2,\n", LOYAL_ECSV, 2, 3, "row has 3 fields"); /* trailing delimiter */
	expect_error("", LOYAL_ECSV, 0, 0, "empty");
	expect_error("a,b\n1,\xC3\x28\n", LOYAL_EVALUE, 2, 2, "invalid UTF-8");
	/* a UTF-16 byte-order mark, then half a character */
	expect_error("\xFF\xFE" "a", LOYAL_ECSV, 1, 1, "not valid UTF-16LE");
}

static void test_reader_nul_byte(void **state)
{
	static const char text[] = "a,b\n1,x\0y\n";
	loyal_reader *r = NULL;
	(void)state;

	assert_int_equal(loyal_reader_open_buffer(&r, text, sizeof(text) - 1, "t.csv", NULL), 0);
	assert_int_equal(drain(r), LOYAL_ECSV);
	assert_int_equal(loyal_error_last()->line, 2);
	assert_int_equal(loyal_error_last()->column, 2);
	assert_non_null(strstr(loyal_error_last()->reason, "NUL"));
	loyal_reader_free(r);
}

/* Row errors leave the reader usable: the bad row is consumed whole (also
 * when it spans lines) and the next row is read; file-level errors stick. */
static void test_reader_row_errors_continue(void **state)
{
	static const char text[] = "a,b,c\n"
				   "1,2\n"              /* short */
				   "2,\"x\ny\",3,4\n"     /* long, over two lines */
				   "3,n\0l,5\n"          /* NUL byte */
				   "4,\xC3\x28,6\n"      /* invalid UTF-8 */
				   "5,ok,7\n"
				   "6,\"bad\"x,8\n"      /* text after a closing quote: fatal */
				   "7,after,9\n";
	static const struct {
		int code;
		uint64_t line, column;
		const char *reason, *raw;
	} want[] = {
		{ LOYAL_ECSV, 2, 3, "row has 2 fields, the header has 3", "1,2" },
		{ LOYAL_ECSV, 3, 4, "row has 4 fields, the header has 3", "2,\"x\ny\",3,4" },
		{ LOYAL_ECSV, 5, 2, "NUL byte", NULL },
		{ LOYAL_EVALUE, 6, 2, "invalid UTF-8 in column 'b'", "4,\xC3\x28,6" },
	};
	loyal_reader *r = NULL;
	size_t len;
	(void)state;

	assert_int_equal(loyal_reader_open_buffer(&r, text, sizeof(text) - 1, "t.csv", NULL), 0);
	loyal_reader_keep_raw(r, 1);
	loyal_reader_use_column(r, 1);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(loyal_reader_next(r), want[i].code);
		assert_true(loyal_reader_can_continue(r));
		const loyal_error_info *e = loyal_error_last();
		if (e->line != want[i].line || e->column != want[i].column ||
		    !strstr(e->reason, want[i].reason))
			fail_msg("row %zu: got '%s'", i, e->message);
		if (want[i].raw)
			assert_string_equal(loyal_reader_raw(r, &len), want[i].raw);
		/* the fields of a rejected row are not available */
		assert_null(loyal_reader_field(r, 1, NULL));
	}
	assert_int_equal(loyal_reader_next(r), 0);
	assert_true(!loyal_reader_can_continue(r));
	assert_string_equal(loyal_reader_field(r, 1, NULL), "ok");
	assert_string_equal(loyal_reader_raw(r, &len), "5,ok,7");
	assert_int_equal(loyal_reader_line(r), 7);
	assert_int_equal(loyal_reader_next(r), LOYAL_ECSV);
	assert_true(!loyal_reader_can_continue(r));
	assert_int_equal(loyal_error_last()->line, 8);
	assert_int_equal(loyal_reader_next(r), LOYAL_ECSV); /* sticky */
	assert_true(!loyal_reader_can_continue(r));
	assert_int_equal(loyal_reader_rows(r), 5);
	loyal_reader_free(r);
}

static void test_reader_raw_and_line_ends(void **state)
{
	loyal_reader *r = open_text("a,b\r\n\r\n  \n1,\"x\r\ny\"\r2,3\n4,5", NULL);
	uint64_t lf, crlf, cr;
	size_t len;
	(void)state;

	assert_null(loyal_reader_raw(r, &len));
	loyal_reader_keep_raw(r, 1);
	assert_int_equal(loyal_reader_next(r), 0);
	assert_string_equal(loyal_reader_raw(r, &len), "1,\"x\r\ny\"");
	assert_int_equal(len, 8);
	assert_int_equal(loyal_reader_next(r), 0);
	assert_string_equal(loyal_reader_raw(r, NULL), "2,3");
	assert_int_equal(loyal_reader_next(r), 0);
	assert_string_equal(loyal_reader_raw(r, NULL), "4,5");
	assert_int_equal(loyal_reader_next(r), LOYAL_ITEROVER);
	loyal_reader_line_ends(r, &lf, &crlf, &cr);
	assert_int_equal(lf, 2);
	assert_int_equal(crlf, 3);
	assert_int_equal(cr, 1);
	loyal_reader_free(r);

	/* no_header: the first row, read when opening, has its raw bytes too */
	loyal_read_options o = LOYAL_READ_OPTIONS_INIT;
	o.no_header = 1;
	r = open_text("x,1\ny,2\n", &o);
	loyal_reader_keep_raw(r, 1);
	assert_int_equal(loyal_reader_next(r), 0);
	assert_string_equal(loyal_reader_raw(r, NULL), "x,1");
	assert_int_equal(loyal_reader_next(r), 0);
	assert_string_equal(loyal_reader_raw(r, NULL), "y,2");
	loyal_reader_free(r);
}

static void test_reader_line_ends_and_blank_lines(void **state)
{
	loyal_reader *r;
	(void)state;

	/* CR-only, mixed line ends, blank lines, no final newline */
	r = open_text("a,b\r1,2\r\n\n3,4\n   \n5,6", NULL);
	loyal_reader_use_column(r, 0);
	assert_int_equal(loyal_reader_next(r), 0);
	assert_int_equal(loyal_reader_line(r), 2);
	assert_int_equal(loyal_reader_next(r), 0);
	assert_int_equal(loyal_reader_line(r), 4);
	assert_string_equal(loyal_reader_field(r, 0, NULL), "3");
	assert_int_equal(loyal_reader_next(r), 0);
	assert_int_equal(loyal_reader_line(r), 6);
	assert_string_equal(loyal_reader_field(r, 0, NULL), "5");
	assert_int_equal(loyal_reader_next(r), LOYAL_ITEROVER);
	assert_int_equal(loyal_reader_blank_lines(r), 2);
	loyal_reader_free(r);
}

static void test_reader_field_size_limit(void **state)
{
	loyal_read_options o = LOYAL_READ_OPTIONS_INIT;
	size_t n = 300000;
	char *text = malloc(n + 32);
	(void)state;

	strcpy(text, "a,b\n1,\"");
	memset(text + 7, 'x', n);
	strcpy(text + 7 + n, "\"\n");
	o.max_field_size = 100000;
	loyal_reader *r = NULL;
	assert_int_equal(loyal_reader_open_buffer(&r, text, strlen(text), "t.csv", &o), 0);
	assert_int_equal(drain(r), LOYAL_ETOOBIG);
	assert_int_equal(loyal_error_last()->line, 2);
	loyal_reader_free(r);
	o.max_field_size = 0; /* default 16 MiB: accepted */
	r = open_text(text, &o);
	assert_int_equal(drain(r), LOYAL_ITEROVER);
	loyal_reader_free(r);
	/* a limit near SIZE_MAX is no limit (it once wrapped around) */
	o.max_field_size = SIZE_MAX;
	r = open_text(text, &o);
	assert_int_equal(drain(r), LOYAL_ITEROVER);
	loyal_reader_free(r);
	o.max_field_size = SIZE_MAX - 0x1ffff;
	r = open_text(text, &o);
	assert_int_equal(drain(r), LOYAL_ITEROVER);
	loyal_reader_free(r);
	free(text);
}

/* A file larger than the reader's block, with CRLF line ends and quoted line
 * breaks everywhere, so line ends straddle block boundaries. */
static void test_reader_large_file_line_numbers(void **state)
{
	char path[] = "/tmp/loyal-test-XXXXXX";
	int fd = mkstemp(path);
	FILE *fp = fdopen(fd, "w");
	const int rows = 40000;
	loyal_reader *r = NULL;
	int error;
	uint64_t n = 0;
	(void)state;

	fputs("id,comment,score\r\n", fp);
	for (int i = 0; i < rows; i++)
		fprintf(fp, "%d,\"line one\r\nline two, \"\"q\"\"\",%d\r\n", i, i % 11);
	fclose(fp);
	assert_int_equal(loyal_reader_open(&r, path, NULL), 0);
	loyal_reader_use_column(r, 0);
	loyal_reader_use_column(r, 2);
	while ((error = loyal_reader_next(r)) == 0) {
		char want[16];
		snprintf(want, sizeof(want), "%llu", (unsigned long long)n);
		assert_string_equal(loyal_reader_field(r, 0, NULL), want);
		assert_int_equal(loyal_reader_line(r), 2 + 2 * n);
		n++;
	}
	assert_int_equal(error, LOYAL_ITEROVER);
	assert_int_equal(n, rows);
	loyal_reader_free(r);
	unlink(path);
}

/* The delimiter is detected from the whole header line however the reads
 * split it (found by fuzzing): here the first read ends after 5000 bytes
 * holding one tab, and the commas come after. */
static void test_reader_delimiter_from_whole_header_line(void **state)
{
	int fds[2];
	loyal_reader *r = NULL;
	pid_t pid;
	(void)state;

	assert_int_equal(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		char head[5000];
		close(fds[0]);
		memset(head, 'a', sizeof(head));
		head[10] = '\t';
		if (write(fds[1], head, sizeof(head)) != (ssize_t)sizeof(head))
			_exit(1);
		nanosleep(&(struct timespec){ 0, 200000000 }, NULL);
		static const char rest[] = ",b,c,d\n1,2,3,4\n";
		if (write(fds[1], rest, sizeof(rest) - 1) != (ssize_t)sizeof(rest) - 1)
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(loyal_reader_open_fd(&r, fds[0], "pipe", NULL), 0);
	assert_int_equal(loyal_reader_delimiter(r), ',');
	assert_int_equal(loyal_reader_columns(r), 4);
	loyal_reader_free(r);
	close(fds[0]);
	int st;
	waitpid(pid, &st, 0);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* Blank lines before the header are skipped, also when the delimiter is
 * detected: it comes from the header line, not the blank one. */
static void test_reader_blank_lines_before_header(void **state)
{
	static const char *texts[] = { "\na;b\n1;2\n", "  \r\na\tb\n1\t2\n", "\r\n\n  \na|b\n1|2\n" };
	static const char delims[] = { ';', '\t', '|' };
	(void)state;

	for (size_t i = 0; i < 3; i++) {
		loyal_reader *r = open_text(texts[i], NULL);
		assert_int_equal(loyal_reader_delimiter(r), delims[i]);
		assert_int_equal(loyal_reader_columns(r), 2);
		assert_string_equal(loyal_reader_column_name(r, 1), "b");
		loyal_reader_free(r);
	}
}

static void test_reader_open_missing_file(void **state)
{
	loyal_reader *r = NULL;
	(void)state;

	assert_int_equal(loyal_reader_open(&r, "/nonexistent/x.csv", NULL), LOYAL_EOPEN);
	assert_null(r);
	assert_non_null(strstr(loyal_error_last()->message, "/nonexistent/x.csv"));
}

/* ---- split ------------------------------------------------------------ */

struct text {
	char *s;
	size_t len, cap;
};

static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	char buf[2048];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (t->len + (size_t)n + 1 > t->cap) {
		t->cap = (t->len + (size_t)n + 1) * 2;
		t->s = realloc(t->s, t->cap);
		assert_non_null(t->s);
	}
	memcpy(t->s + t->len, buf, (size_t)n + 1);
	t->len += (size_t)n;
}

/* Everything reading parts[0..n) in order shows, as a command reads them
 * (up to the first error that ends a part): rows with their line and
 * fields, errors with their message, and the counts. */
static char *transcript(loyal_reader **parts, size_t n)
{
	struct text t = { NULL, 0, 0 };
	uint64_t rows = 0, blank = 0, lf = 0, crlf = 0, cr = 0;
	int stopped = 0;

	put(&t, "");
	for (size_t k = 0; k < n && !stopped; k++) {
		loyal_reader *r = parts[k];
		int error;
		while ((error = loyal_reader_next(r)) != LOYAL_ITEROVER) {
			if (error < 0) {
				put(&t, "error %d: %s%s\n", error, loyal_error_last()->message,
				    loyal_reader_can_continue(r) ? "" : " (stops)");
				if (!loyal_reader_can_continue(r)) {
					stopped = 1;
					break;
				}
				continue;
			}
			put(&t, "line %llu:", (unsigned long long)loyal_reader_line(r));
			for (size_t c = 0; c < loyal_reader_columns(r); c++) {
				size_t len;
				const char *f = loyal_reader_field(r, c, &len);
				put(&t, " [%s]", f ? f : "-");
			}
			put(&t, "\n");
		}
		uint64_t a, b, c;
		loyal_reader_line_ends(r, &a, &b, &c);
		lf += a;
		crlf += b;
		cr += c;
		rows += loyal_reader_rows(r);
		blank += loyal_reader_blank_lines(r);
	}
	if (!stopped)
		put(&t, "rows %llu, blank lines %llu, line ends %llu/%llu/%llu\n",
		    (unsigned long long)rows, (unsigned long long)blank, (unsigned long long)lf,
		    (unsigned long long)crlf, (unsigned long long)cr);
	return t.s;
}

/* Read `text` whole, then split every way (2 to 64 parts of at least one
 * byte: the cuts fall after every line), from memory and from a file; the
 * transcripts must be the same. Returns the largest number of parts made. */
static loyal_reader *open_for_split(const char *text, const char *path,
				    const loyal_read_options *opts)
{
	loyal_reader *r = NULL;

	if (path)
		assert_int_equal(loyal_reader_open(&r, path, opts), 0);
	else
		assert_int_equal(loyal_reader_open_buffer(&r, text, strlen(text), "t.csv", opts), 0);
	for (size_t c = 0; c < loyal_reader_columns(r); c++)
		loyal_reader_use_column(r, c);
	return r;
}

static size_t check_splits(const char *text, const loyal_read_options *opts)
{
	size_t len = strlen(text), most = 1;
	loyal_reader *parts[LOYAL_READER_MAX_PARTS];
	char path[] = "/tmp/loyal-split-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	for (int from_file = 0; from_file < 2; from_file++) {
		const char *name = from_file ? path : NULL;
		loyal_reader *r = open_for_split(text, name, opts);
		char *whole = transcript(&r, 1);
		loyal_reader_free(r);
		for (size_t want = 2; want <= LOYAL_READER_MAX_PARTS; want++) {
			size_t n;
			r = open_for_split(text, name, opts);
			assert_int_equal(loyal_reader_split(r, parts, want, 1, &n), 0);
			assert_true(n >= 1 && n <= want && parts[0] == r);
			if (n > most)
				most = n;
			char *split = transcript(parts, n);
			if (strcmp(whole, split) != 0)
				fail_msg("%s split in %zu (of %zu) differs:\n--- whole\n%s--- split\n%s",
					 from_file ? "file" : "buffer", n, want, whole, split);
			free(split);
			for (size_t k = 0; k < n; k++)
				loyal_reader_free(parts[k]);
		}
		free(whole);
	}
	unlink(path);
	return most;
}

static void test_reader_split_same_as_whole(void **state)
{
	static const char *const texts[] = {
		/* plain, LF */
		"id,name,score\n1,a,9\n2,b,7\n3,c,10\n4,d,0\n5,e,5\n6,f,6\n",
		/* CRLF, no final line end */
		"id,name,score\r\n1,a,9\r\n2,b,7\r\n3,c,10\r\n4,d,0",
		/* quoted line breaks (LF, CRLF, CR), doubled quotes, delimiters */
		"id,comment,score\n1,\"two\nlines\",9\n2,\"say \"\"hi\"\"\n\",7\n"
		"3,\"a,b\r\nc\",8\n4,\"x\ry\",1\n5,\"\n\n\n\",2\n6,plain,3\n",
		/* a quoted field spanning many lines */
		"id,text\n1,\"l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\nl10\"\n2,end\n3,x\n",
		/* blank lines and lines of spaces between and after rows */
		"a,b\n\n1,2\n   \n\n3,4\n\n\n5,6\n  \n",
		/* lone CR line ends: not cut (no line feed) */
		"a,b\r1,2\r3,4\r5,6\r7,8\r",
		/* mixed */
		"a,b\r\n1,2\n3,4\r5,\"6\r\n7\"\n8,9\r\n",
		/* a row with the wrong number of fields (the next row is read) */
		"a,b,c\n1,2,3\n4,5\n6,7,8\n9,10,11,12\n13,14,15\n",
		/* invalid UTF-8 and a NUL byte in rows */
		"a,b\n1,x\n2,\xff\xfe\n3,y\n4,z\n",
		/* a stray quote stops the file: later parts are not read */
		"a,b\n1,2\n3,x\"y\n5,6\n7,8\n9,10\n",
		/* text after a closing quote */
		"a,b\n1,2\n3,\"x\"y\n5,6\n7,8\n",
		/* a quoted field not closed before the end */
		"a,b\n1,2\n3,4\n5,\"six\n7,8\n9,10\n",
		/* a UTF-8 byte-order mark, semicolons */
		"\xef\xbb\xbf" "a;b\n1;2\n3;4\n5;6\n",
		/* quotes around whole fields with spaces outside */
		"a,b\n \"1\" , \"2\" \n\"3\",\"4\"\n5,6\n",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		check_splits(texts[i], NULL);
	/* the first row is data */
	loyal_read_options o = LOYAL_READ_OPTIONS_INIT;
	o.no_header = 1;
	assert_true(check_splits("1,2\n3,\"4\n5\"\n6,7\n8,9\n", &o) > 1);
	/* cuts happen where they can */
	assert_true(check_splits(texts[0], NULL) >= 6);
	assert_int_equal(check_splits(texts[5], NULL), 1);
}

/* ---- encodings ------------------------------------------------------------ */

/* "渠道,满意度\r\n线上,非常满意\r\n门店,\"多\r\n行\"\r\n" in GB18030 */
static const char gb_text[] =
	"\xc7\xfe\xb5\xc0,\xc2\xfa\xd2\xe2\xb6\xc8\r\n"
	"\xcf\xdf\xc9\xcf,\xb7\xc7\xb3\xa3\xc2\xfa\xd2\xe2\r\n"
	"\xc3\xc5\xb5\xea,\"\xb6\xe0\r\n\xd0\xd0\"\r\n";

static void check_gb_rows(loyal_reader *r)
{
	assert_string_equal(loyal_reader_encoding(r), "gb18030");
	assert_string_equal(loyal_reader_column_name(r, 0), "渠道");
	assert_string_equal(loyal_reader_column_name(r, 1), "满意度");
	loyal_reader_use_column(r, 0);
	loyal_reader_use_column(r, 1);
	assert_int_equal(loyal_reader_next(r), 0);
	assert_string_equal(loyal_reader_field(r, 0, NULL), "线上");
	assert_string_equal(loyal_reader_field(r, 1, NULL), "非常满意");
	assert_int_equal(loyal_reader_line(r), 2);
	assert_int_equal(loyal_reader_next(r), 0);
	assert_string_equal(loyal_reader_field(r, 1, NULL), "多\r\n行");
	assert_int_equal(loyal_reader_line(r), 3);
	assert_int_equal(loyal_reader_next(r), LOYAL_ITEROVER);
}

static void test_reader_encoding_gb18030(void **state)
{
	loyal_read_options o = LOYAL_READ_OPTIONS_INIT;
	loyal_reader *r = NULL;
	(void)state;

	o.encoding = "gb18030";
	r = open_text(gb_text, &o);
	check_gb_rows(r);
	loyal_reader_free(r);

	FILE *fp = tmpfile();
	assert_non_null(fp);
	assert_int_equal(fwrite(gb_text, 1, strlen(gb_text), fp), strlen(gb_text));
	fflush(fp);
	rewind(fp);
	assert_int_equal(loyal_reader_open_fd(&r, fileno(fp), "t.csv", &o), 0);
	check_gb_rows(r);
	loyal_reader_free(r);
	fclose(fp);

	/* without the option: invalid UTF-8, and the bytes read as GB18030 */
	assert_int_equal(loyal_reader_open_buffer(&r, gb_text, strlen(gb_text), "t.csv", NULL),
			 LOYAL_ECSV);
	assert_null(r);
	const loyal_error_info *e = loyal_error_last();
	assert_non_null(e);
	assert_string_equal(e->reason, "invalid UTF-8 in header name");
	assert_int_equal(e->line, 1);
	assert_int_equal(e->column, 1);
	assert_string_equal(e->encoding, "GB18030");
}

/* gzip (two members) or zstd (one frame) of text[0..len), malloc'ed. */
static unsigned char *compressed(const char *text, size_t len, int zst, size_t *out_len)
{
	size_t cap = len + 1024, n = 0;
	unsigned char *buf = malloc(cap);
	assert_non_null(buf);
	if (zst) {
		n = ZSTD_compress(buf, cap, text, len, 3);
		assert_false(ZSTD_isError(n));
	} else {
		for (int k = 0; k < 2; k++) {
			z_stream z;
			memset(&z, 0, sizeof(z));
			assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
			z.next_in = (unsigned char *)text + (k ? len / 2 : 0);
			z.avail_in = (uInt)(k ? len - len / 2 : len / 2);
			z.next_out = buf + n;
			z.avail_out = (uInt)(cap - n);
			assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
			n = cap - z.avail_out;
			deflateEnd(&z);
		}
	}
	*out_len = n;
	return buf;
}

/* Compressed input, found by its magic bytes: the rows of the text, read
 * from a buffer and from a file descriptor, converted from GB18030 after
 * decompression; a compressed file is not split; a truncated one is an
 * error of the file. */
static void test_reader_compressed(void **state)
{
	loyal_read_options o = LOYAL_READ_OPTIONS_INIT;
	loyal_reader *r = NULL, *parts[4];
	size_t len, nparts = 0;
	(void)state;

	o.encoding = "gb18030";
	for (int zst = 0; zst < 2; zst++) {
		unsigned char *z = compressed(gb_text, strlen(gb_text), zst, &len);
		assert_int_equal(loyal_reader_open_buffer(&r, z, len, "t.csv.gz", &o), 0);
		assert_string_equal(loyal_reader_compression(r), zst ? "zstd" : "gzip");
		check_gb_rows(r);
		loyal_reader_free(r);

		FILE *fp = tmpfile();
		assert_non_null(fp);
		assert_int_equal(fwrite(z, 1, len, fp), len);
		fflush(fp);
		rewind(fp);
		assert_int_equal(loyal_reader_open_fd(&r, fileno(fp), "t.csv.gz", &o), 0);
		assert_int_equal(loyal_reader_split(r, parts, 4, 1, &nparts), 0);
		assert_int_equal(nparts, 1);
		check_gb_rows(r);
		loyal_reader_free(r);
		fclose(fp);

		/* cut in the middle of the stream */
		int error = loyal_reader_open_buffer(&r, z, len - 9, "t.csv.gz", &o);
		if (error == 0) {
			error = drain(r);
			loyal_reader_free(r);
		}
		assert_int_equal(error, LOYAL_ECSV);
		assert_non_null(strstr(loyal_error_last()->reason, "ends early"));
		free(z);
	}
	r = open_text("a,b\n1,2\n", NULL);
	assert_null(loyal_reader_compression(r));
	loyal_reader_free(r);
}

/* Thousands of rows of two-byte characters: sequences split at every block
 * boundary of the file descriptor reader still convert, and line numbers
 * are those of the file. */
static void test_reader_encoding_block_boundaries(void **state)
{
	loyal_read_options o = LOYAL_READ_OPTIONS_INIT;
	loyal_reader *r = NULL;
	FILE *fp = tmpfile();
	uint64_t rows = 0;
	(void)state;

	assert_non_null(fp);
	fputs("n,\xc2\xfa\xd2\xe2\r\n", fp); /* n,满意 */
	for (int i = 0; i < 60000; i++)
		fprintf(fp, "%d,%s\r\n", i, i % 3 ? "\xc2\xfa\xd2\xe2" : "\"\xb6\xe0\n\xd0\xd0\"");
	fflush(fp);
	rewind(fp);
	o.encoding = "GB18030";
	assert_int_equal(loyal_reader_open_fd(&r, fileno(fp), "big.csv", &o), 0);
	loyal_reader_use_column(r, 0);
	loyal_reader_use_column(r, 1);
	uint64_t line = 2;
	while (loyal_reader_next(r) == 0) {
		char want[8];
		snprintf(want, sizeof(want), "%llu", (unsigned long long)rows);
		assert_string_equal(loyal_reader_field(r, 0, NULL), want);
		assert_string_equal(loyal_reader_field(r, 1, NULL), rows % 3 ? "满意" : "多\n行");
		assert_int_equal(loyal_reader_line(r), line);
		line += rows % 3 ? 1 : 2;
		rows++;
	}
	assert_int_equal(rows, 60000);
	loyal_reader_free(r);
	fclose(fp);
}

static void test_reader_encoding_utf16_bom(void **state)
{
	/* FF FE, then "id,名\r\n1,张三\r\n" in UTF-16LE */
	static const char le[] = "\xff\xfei\0d\0,\0\rT\r\0\n\0" "1\0,\0 _\tN\r\0\n\0";
	static const char be[] = "\xfe\xff\0i\0d\0,T\r\0\r\0\n\0" "1\0,_ N\t\0\r\0\n";
	loyal_reader *r = NULL;
	(void)state;

	assert_int_equal(loyal_reader_open_buffer(&r, le, sizeof(le) - 1, "t.csv", NULL), 0);
	assert_string_equal(loyal_reader_encoding(r), "UTF-16LE");
	assert_true(loyal_reader_had_bom(r));
	assert_string_equal(loyal_reader_column_name(r, 1), "名");
	loyal_reader_use_column(r, 1);
	assert_int_equal(loyal_reader_next(r), 0);
	assert_string_equal(loyal_reader_field(r, 1, NULL), "张三");
	assert_int_equal(loyal_reader_next(r), LOYAL_ITEROVER);
	loyal_reader_free(r);

	assert_int_equal(loyal_reader_open_buffer(&r, be, sizeof(be) - 1, "t.csv", NULL), 0);
	assert_string_equal(loyal_reader_encoding(r), "UTF-16BE");
	loyal_reader_use_column(r, 1);
	assert_int_equal(loyal_reader_next(r), 0);
	assert_string_equal(loyal_reader_field(r, 1, NULL), "张三");
	loyal_reader_free(r);
}

/* A byte not valid in the given encoding is an error of its row and
 * column, where the column is used; elsewhere it is ignored. */
static void test_reader_encoding_invalid_bytes(void **state)
{
	loyal_read_options o = LOYAL_READ_OPTIONS_INIT;
	loyal_reader *r = NULL;
	(void)state;

	o.encoding = "gb18030";
	r = open_text("a,b,c\n1,x,y\n2,\x81,z\n3,ok,\x81\n", &o);
	loyal_reader_use_column(r, 1);
	assert_int_equal(loyal_reader_next(r), 0);
	assert_int_equal(loyal_reader_next(r), LOYAL_EVALUE);
	assert_true(loyal_reader_can_continue(r));
	const loyal_error_info *e = loyal_error_last();
	assert_int_equal(e->line, 3);
	assert_int_equal(e->column, 2);
	assert_string_equal(e->reason, "column 'b' holds bytes that are not valid gb18030");
	assert_null(e->encoding);
	/* column c is not used */
	assert_int_equal(loyal_reader_next(r), 0);
	assert_string_equal(loyal_reader_field(r, 1, NULL), "ok");
	assert_int_equal(loyal_reader_next(r), LOYAL_ITEROVER);
	loyal_reader_free(r);
}

static void test_reader_encoding_names(void **state)
{
	(void)state;
	assert_int_equal(loyal_encoding_check("GBK"), 0);
	assert_int_equal(loyal_encoding_check("utf8"), 0);
	assert_int_equal(loyal_encoding_check("UTF-8"), 0);
	assert_int_equal(loyal_encoding_check("big5"), 0);
	assert_int_equal(loyal_encoding_check("latin1"), 0);
	assert_int_equal(loyal_encoding_check("no-such-encoding"), LOYAL_EINVAL);
	assert_non_null(strstr(loyal_error_last()->reason, "unknown encoding 'no-such-encoding'"));
	assert_string_equal(loyal_encoding_guess("\xc2\xfa\xd2\xe2", 4), "GB18030");
	assert_string_equal(loyal_encoding_guess("caf\xe9 au lait", 12), "Windows-1252");
	assert_string_equal(loyal_encoding_guess("\x81", 1), "Latin-1");
	assert_string_equal(loyal_encoding_guess("ok", 2), "UTF-8");

	loyal_read_options o = LOYAL_READ_OPTIONS_INIT;
	loyal_reader *r = NULL;
	o.encoding = "no-such-encoding";
	assert_int_equal(loyal_reader_open_buffer(&r, "a\n1\n", 4, "t.csv", &o), LOYAL_EINVAL);
	assert_null(r);
}

static void test_reader_chinese_header_names(void **state)
{
	char buf[64];
	size_t col;
	(void)state;

	loyal_normalize_name(buf, sizeof(buf), "客户 ID");
	assert_string_equal(buf, "客户id");
	loyal_normalize_name(buf, sizeof(buf), "\xef\xbc\xa9\xef\xbc\xa4"); /* fullwidth ＩＤ */
	assert_string_equal(buf, "id");
	loyal_normalize_name(buf, sizeof(buf), "提交时间："); /* fullwidth colon */
	assert_string_equal(buf, "提交时间");
	loyal_normalize_name(buf, sizeof(buf), "订单号、");
	assert_string_equal(buf, "订单号");

	/* an "ID" row number beside 客户ID: the customer is 客户ID */
	loyal_reader *r = open_text("ID,客户ID,下单时间,订单编号,实付金额,数量,单价,渠道\n"
				    "1,C1,2025-01-01,A1,10,1,10,门店\n", NULL);
	assert_int_equal(loyal_reader_find_column(&col, r, "customer", NULL,
						  loyal_role_aliases(LOYAL_ROLE_CUSTOMER)), 0);
	assert_int_equal(col, 1);
	assert_int_equal(loyal_reader_find_column(&col, r, "date", NULL,
						  loyal_role_aliases(LOYAL_ROLE_DATE)), 0);
	assert_int_equal(col, 2);
	assert_int_equal(loyal_reader_find_column(&col, r, "order", NULL,
						  loyal_role_aliases(LOYAL_ROLE_ORDER)), 0);
	assert_int_equal(col, 3);
	assert_int_equal(loyal_reader_find_column(&col, r, "amount", NULL,
						  loyal_role_aliases(LOYAL_ROLE_AMOUNT)), 0);
	assert_int_equal(col, 4);
	assert_int_equal(loyal_reader_find_column(&col, r, "quantity", NULL,
						  loyal_role_aliases(LOYAL_ROLE_QUANTITY)), 0);
	assert_int_equal(col, 5);
	assert_int_equal(loyal_reader_find_column(&col, r, "price", NULL,
						  loyal_role_aliases(LOYAL_ROLE_PRICE)), 0);
	assert_int_equal(col, 6);
	assert_int_equal(loyal_reader_find_column(&col, r, "--by", "渠道", NULL), 0);
	assert_int_equal(col, 7);
	loyal_reader_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_quoting_and_lines),
		cmocka_unit_test(test_reader_bom_and_delimiters),
		cmocka_unit_test(test_reader_header_matching),
		cmocka_unit_test(test_reader_no_header),
		cmocka_unit_test(test_reader_rejects_malformed),
		cmocka_unit_test(test_reader_nul_byte),
		cmocka_unit_test(test_reader_row_errors_continue),
		cmocka_unit_test(test_reader_raw_and_line_ends),
		cmocka_unit_test(test_reader_line_ends_and_blank_lines),
		cmocka_unit_test(test_reader_field_size_limit),
		cmocka_unit_test(test_reader_large_file_line_numbers),
		cmocka_unit_test(test_reader_delimiter_from_whole_header_line),
		cmocka_unit_test(test_reader_blank_lines_before_header),
		cmocka_unit_test(test_reader_open_missing_file),
		cmocka_unit_test(test_reader_split_same_as_whole),
		cmocka_unit_test(test_reader_encoding_gb18030),
		cmocka_unit_test(test_reader_encoding_block_boundaries),
		cmocka_unit_test(test_reader_encoding_utf16_bom),
		cmocka_unit_test(test_reader_encoding_invalid_bytes),
		cmocka_unit_test(test_reader_encoding_names),
		cmocka_unit_test(test_reader_chinese_header_names),
		cmocka_unit_test(test_reader_compressed),
	};
	return loyal_test_status(cmocka_run_group_tests(tests, NULL, NULL));
}
