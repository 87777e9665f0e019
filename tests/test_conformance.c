/*
 * Conformance of the CSV reader: the csv-spectrum corpus (../shared), and
 * loyal's own fixtures of malformed and unusual files (tests/fixtures/csv).
 * A file that parses is compared field by field with NAME.json beside it
 * (an array of objects, keys in header order); a file that does not is
 * checked against the exact sequence of rows and errors it must give.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "helpers.h"
#include "loyal.h"

/* ---- a small JSON reader: [ { "key": "string", ... }, ... ] ------------- */

struct jrow {
	size_t n;
	char *keys[64];
	char *vals[64];
};

struct jdoc {
	size_t n;
	struct jrow rows[64];
};

static void skip_ws(const char **p)
{
	while (**p == ' ' || **p == '\n' || **p == '\r' || **p == '\t')
		(*p)++;
}

static void put_utf8(char **o, unsigned cp)
{
	unsigned char *u = (unsigned char *)*o;
	if (cp < 0x80) {
		*u++ = (unsigned char)cp;
	} else if (cp < 0x800) {
		*u++ = (unsigned char)(0xC0 | (cp >> 6));
		*u++ = (unsigned char)(0x80 | (cp & 0x3F));
	} else {
		*u++ = (unsigned char)(0xE0 | (cp >> 12));
		*u++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		*u++ = (unsigned char)(0x80 | (cp & 0x3F));
	}
	*o = (char *)u;
}

static char *json_string(const char **p)
{
	skip_ws(p);
	if (**p != '"')
		fail_msg("JSON: string expected at '%.20s'", *p);
	(*p)++;
	char *out = malloc(strlen(*p) + 1), *o = out;
	while (**p && **p != '"') {
		char c = *(*p)++;
		if (c != '\\') {
			*o++ = c;
			continue;
		}
		c = *(*p)++;
		switch (c) {
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'u': {
			unsigned cp = 0;
			for (int i = 0; i < 4; i++) {
				char h = *(*p)++;
				cp = cp * 16 + (unsigned)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
			}
			put_utf8(&o, cp);
			break;
		}
		default: *o++ = c;
		}
	}
	if (**p != '"')
		fail_msg("JSON: unterminated string");
	(*p)++;
	*o = '\0';
	return out;
}

static void json_parse(struct jdoc *d, const char *text)
{
	const char *p = text;

	memset(d, 0, sizeof(*d));
	skip_ws(&p);
	assert_int_equal(*p++, '[');
	skip_ws(&p);
	while (*p == '{') {
		struct jrow *r = &d->rows[d->n++];
		p++;
		skip_ws(&p);
		while (*p == '"') {
			r->keys[r->n] = json_string(&p);
			skip_ws(&p);
			assert_int_equal(*p++, ':');
			r->vals[r->n++] = json_string(&p);
			skip_ws(&p);
			if (*p == ',')
				p++;
			skip_ws(&p);
		}
		assert_int_equal(*p++, '}');
		skip_ws(&p);
		if (*p == ',')
			p++;
		skip_ws(&p);
	}
	assert_int_equal(*p, ']');
}

static void json_free(struct jdoc *d)
{
	for (size_t i = 0; i < d->n; i++)
		for (size_t k = 0; k < d->rows[i].n; k++) {
			free(d->rows[i].keys[k]);
			free(d->rows[i].vals[k]);
		}
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		fail_msg("cannot open %s", path);
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	if (len)
		*len = (size_t)n;
	return buf;
}

/* ---- comparisons ---------------------------------------------------------- */

/* Parse `path` (read from the file, then again from memory) and compare
 * with the JSON document. */
static void compare_with_json(const char *path, const char *json_path)
{
	char *json = slurp(json_path, NULL);
	struct jdoc d;
	size_t len;
	char *data = slurp(path, &len);

	json_parse(&d, json);
	for (int pass = 0; pass < 2; pass++) {
		loyal_reader *r = NULL;
		int error = pass ? loyal_reader_open_buffer(&r, data, len, path, NULL)
				 : loyal_reader_open(&r, path, NULL);
		if (error < 0)
			fail_msg("%s: %s", path, loyal_error_last()->message);
		for (size_t c = 0; c < loyal_reader_columns(r); c++)
			loyal_reader_use_column(r, c);
		size_t n = 0;
		while ((error = loyal_reader_next(r)) == 0) {
			if (n >= d.n)
				fail_msg("%s: more rows than the %zu expected", path, d.n);
			struct jrow *jr = &d.rows[n++];
			if (loyal_reader_columns(r) != jr->n)
				fail_msg("%s: %zu columns, expected %zu", path,
					 loyal_reader_columns(r), jr->n);
			for (size_t c = 0; c < jr->n; c++) {
				size_t flen;
				const char *f = loyal_reader_field(r, c, &flen);
				if (strcmp(loyal_reader_column_name(r, c), jr->keys[c]))
					fail_msg("%s: column %zu is '%s', expected '%s'", path, c + 1,
						 loyal_reader_column_name(r, c), jr->keys[c]);
				if (!f || flen != strlen(jr->vals[c]) || memcmp(f, jr->vals[c], flen))
					fail_msg("%s: row %zu column '%s' is '%s', expected '%s'", path, n,
						 jr->keys[c], f ? f : "(null)", jr->vals[c]);
			}
		}
		if (error != LOYAL_ITEROVER)
			fail_msg("%s: %s", path, loyal_error_last()->message);
		if (n != d.n)
			fail_msg("%s: %zu rows, expected %zu", path, n, d.n);
		loyal_reader_free(r);
	}
	json_free(&d);
	free(json);
	free(data);
}

/*
 * The events of reading a file with every column used, as text:
 * "O<line>:<column>:<reason>" when opening fails; otherwise one "ok" per
 * good row, "E<line>:<column>:<reason>" per row error (the reader goes on),
 * and at the end "end" or "F<line>:<column>:<reason>" for a fatal error.
 */
static void events(char *out, size_t size, const char *path, const void *data, size_t len)
{
	loyal_reader *r = NULL;
	size_t n = 0;
	int error = data ? loyal_reader_open_buffer(&r, data, len, path, NULL)
			 : loyal_reader_open(&r, path, NULL);
	const loyal_error_info *e;

	out[0] = '\0';
#define ADD(...) (n += (size_t)snprintf(out + n, n < size ? size - n : 0, __VA_ARGS__))
	if (error < 0) {
		e = loyal_error_last();
		ADD("O%llu:%llu:%s", (unsigned long long)e->line, (unsigned long long)e->column,
		    e->reason);
		return;
	}
	for (size_t c = 0; c < loyal_reader_columns(r); c++)
		loyal_reader_use_column(r, c);
	for (;;) {
		error = loyal_reader_next(r);
		if (error == 0) {
			ADD("ok;");
			continue;
		}
		if (error == LOYAL_ITEROVER) {
			ADD("end");
			break;
		}
		e = loyal_error_last();
		ADD("%c%llu:%llu:%s", loyal_reader_can_continue(r) ? 'E' : 'F',
		    (unsigned long long)e->line, (unsigned long long)e->column, e->reason);
		if (!loyal_reader_can_continue(r))
			break;
		ADD(";");
	}
	/* Errors stick: reading on gives the same error again. */
	if (error != LOYAL_ITEROVER)
		assert_int_equal(loyal_reader_next(r), error);
	loyal_reader_free(r);
#undef ADD
}

static void expect_events(const char *path, const char *want)
{
	char got[1024];
	size_t len;
	char *data = slurp(path, &len);

	events(got, sizeof(got), path, NULL, 0);
	if (strcmp(got, want))
		fail_msg("%s (from the file):\n   got: %s\n  want: %s", path, got, want);
	events(got, sizeof(got), path, data, len);
	if (strcmp(got, want))
		fail_msg("%s (from memory):\n   got: %s\n  want: %s", path, got, want);
	free(data);
}

static const char *fixtures(void)
{
	const char *f = getenv("LOYAL_FIXTURES");
	if (!f) {
		fail_msg("LOYAL_FIXTURES must name tests/fixtures (ctest sets it)");
		return "";  /* not reached: fail_msg() ends the test */
	}
	return f;
}

/* ---- tests ---------------------------------------------------------------- */

static void test_conformance_csv_spectrum(void **state)
{
	const char *shared = loyal_test_shared_data();
	char dir[1024], path[1200], json[1200];
	struct dirent *de;
	DIR *d;
	int n = 0;
	(void)state;

	if (!shared) {
		print_message("skipped: ../shared/data is absent (no csv-spectrum corpus)\n");
		loyal_test_skip();
	}
	snprintf(dir, sizeof(dir), "%s/csv-spectrum/csvs", shared);
	if (!(d = opendir(dir))) {
		print_message("skipped: %s is absent\n", dir);
		loyal_test_skip();
	}
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 4, ".csv"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!strcmp(de->d_name, "location_coordinates.csv")) {
			/* bare quotes inside unquoted fields: rejected in strict mode
			 * (its JSON does not match the CSV and is not used) */
			expect_events(path, "F2:2:stray quote: a quote inside an unquoted field "
				      "(quote the whole field and double the quote)");
			n++;
			continue;
		}
		snprintf(json, sizeof(json), "%s/csv-spectrum/json/%.*s.json", shared,
			 (int)(l - 4), de->d_name);
		compare_with_json(path, json);
		n++;
	}
	closedir(d);
	print_message("%d csv-spectrum files checked\n", n);
	assert_true(n >= 12);
}

/* Every fixture that parses has a .json of its rows. */
static void test_conformance_fixtures_that_parse(void **state)
{
	char dir[1024], path[1200], json[1200];
	struct dirent *de;
	DIR *d;
	int n = 0;
	(void)state;

	snprintf(dir, sizeof(dir), "%s/csv", fixtures());
	assert_non_null(d = opendir(dir));
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 6 || strcmp(de->d_name + l - 5, ".json"))
			continue;
		snprintf(json, sizeof(json), "%s/%s", dir, de->d_name);
		snprintf(path, sizeof(path), "%s/%.*s.csv", dir, (int)(l - 5), de->d_name);
		compare_with_json(path, json);
		n++;
	}
	closedir(d);
	assert_true(n >= 10);
}

static void test_conformance_fixtures_rejected(void **state)
{
	static const struct {
		const char *file, *events;
	} cases[] = {
		{ "unterminated_quote.csv",
		  "ok;F3:2:quoted field is not closed before the end of the file" },
		{ "text_after_quote.csv",
		  "F2:2:text after a closing quote (a field may not continue after its closing quote)" },
		{ "stray_quote.csv",
		  "F2:2:stray quote: a quote inside an unquoted field (quote the whole field and double the quote)" },
		{ "short_row.csv", "ok;E3:3:row has 2 fields, the header has 3;ok;end" },
		{ "long_row.csv", "ok;E3:4:row has 4 fields, the header has 3;ok;end" },
		{ "trailing_delimiter.csv", "E2:3:row has 3 fields, the header has 2;end" },
		{ "nul_byte.csv", "ok;E3:3:NUL byte in field (is this a binary or UTF-16 file?);ok;end" },
		{ "invalid_utf8.csv",
		  "ok;E3:2:invalid UTF-8 in column 'nps';E4:3:invalid UTF-8 in column 'comment';end" },
		{ "invalid_utf8_header.csv", "O1:2:invalid UTF-8 in header name" },
		{ "empty.csv", "O0:0:file is empty: no header row" },
		{ "utf16le_no_bom.csv", "O1:0:file starts with NUL bytes: it looks like UTF-16 "
					"without a byte-order mark, or binary; give its encoding "
					"or convert it to UTF-8 text first" },
	};
	char path[1200];
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(path, sizeof(path), "%s/csv/%s", fixtures(), cases[i].file);
		expect_events(path, cases[i].events);
	}
}

/* Invalid UTF-8 only matters in the columns a command uses. */
static void test_conformance_invalid_utf8_unused_column(void **state)
{
	char path[1200];
	loyal_reader *r = NULL;
	size_t col;
	(void)state;

	snprintf(path, sizeof(path), "%s/csv/invalid_utf8.csv", fixtures());
	assert_int_equal(loyal_reader_open(&r, path, NULL), 0);
	assert_int_equal(loyal_reader_find_column(&col, r, "id", "id", NULL), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(loyal_reader_next(r), 0);
	assert_int_equal(loyal_reader_next(r), LOYAL_ITEROVER);
	loyal_reader_free(r);
}

static void test_conformance_columns(void **state)
{
	char path[1200];
	loyal_reader *r = NULL;
	size_t col;
	(void)state;

	snprintf(path, sizeof(path), "%s/csv/duplicate_column.csv", fixtures());
	assert_int_equal(loyal_reader_open(&r, path, NULL), 0);
	assert_int_equal(loyal_reader_find_column(&col, r, "NPS score", NULL,
						  loyal_role_aliases(LOYAL_ROLE_NPS)), LOYAL_ECOLUMN);
	assert_non_null(strstr(loyal_error_last()->reason, "ambiguous"));
	/* named: the header equal to the name wins; a loose match of both
	 * is still ambiguous */
	assert_int_equal(loyal_reader_find_column(&col, r, "NPS score", "nps", NULL), 0);
	assert_int_equal(col, 1);
	assert_int_equal(loyal_reader_find_column(&col, r, "NPS score", "NPS", NULL), 0);
	assert_int_equal(col, 2);
	assert_int_equal(loyal_reader_find_column(&col, r, "NPS score", "Nps", NULL), LOYAL_ECOLUMN);
	assert_non_null(strstr(loyal_error_last()->reason, "ambiguous"));
	loyal_reader_free(r);

	snprintf(path, sizeof(path), "%s/csv/missing_column.csv", fixtures());
	assert_int_equal(loyal_reader_open(&r, path, NULL), 0);
	assert_int_equal(loyal_reader_find_column(&col, r, "NPS score", NULL,
						  loyal_role_aliases(LOYAL_ROLE_NPS)), LOYAL_ECOLUMN);
	assert_non_null(strstr(loyal_error_last()->reason, "no NPS score column found"));
	loyal_reader_free(r);
}

/* 100,000 columns: read, found by name, and a row one field too long. */
static void test_conformance_100000_columns(void **state)
{
	const size_t ncols = 100000;
	size_t cap = 4 * (ncols + 1) * 10 + 64, n = 0, col;
	char *text = malloc(cap);
	loyal_reader *r = NULL;
	(void)state;

	for (int row = 0; row < 4; row++) {
		size_t fields = row == 3 ? ncols + 1 : ncols;
		for (size_t i = 0; i < fields; i++)
			n += (size_t)snprintf(text + n, cap - n, row == 0 ? "%sc%zu" : "%s%zu",
					      i ? "," : "", i + (size_t)row);
		text[n++] = '\n';
	}
	assert_int_equal(loyal_reader_open_buffer(&r, text, n, "wide.csv", NULL), 0);
	assert_int_equal(loyal_reader_columns(r), ncols);
	assert_int_equal(loyal_reader_find_column(&col, r, "x", "c99999", NULL), 0);
	assert_int_equal(col, 99999);
	assert_int_equal(loyal_reader_next(r), 0);
	assert_string_equal(loyal_reader_field(r, 99999, NULL), "100000");
	assert_int_equal(loyal_reader_next(r), 0);
	assert_int_equal(loyal_reader_next(r), LOYAL_ECSV);
	assert_true(loyal_reader_can_continue(r));
	assert_int_equal(loyal_error_last()->line, 4);
	assert_int_equal(loyal_error_last()->column, 100001);
	assert_int_equal(loyal_reader_next(r), LOYAL_ITEROVER);
	loyal_reader_free(r);
	free(text);
}

/* A runaway quote stops at the field size limit instead of eating memory. */
static void test_conformance_runaway_quote(void **state)
{
	loyal_read_options o = LOYAL_READ_OPTIONS_INIT;
	size_t n = 3u << 20;
	char *text = malloc(n);
	loyal_reader *r = NULL;
	(void)state;

	memcpy(text, "id,note\n1,\"", 11);
	for (size_t i = 11; i < n; i++)
		text[i] = (i % 80) ? 'x' : '\n';
	o.max_field_size = 1u << 20;
	assert_int_equal(loyal_reader_open_buffer(&r, text, n, "runaway.csv", &o), 0);
	assert_int_equal(loyal_reader_next(r), LOYAL_ETOOBIG);
	assert_false(loyal_reader_can_continue(r));
	assert_int_equal(loyal_error_last()->line, 2);
	assert_int_equal(loyal_error_last()->column, 2);
	assert_non_null(strstr(loyal_error_last()->reason, "longer than 1048576 bytes"));
	loyal_reader_free(r);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conformance_csv_spectrum),
		cmocka_unit_test(test_conformance_fixtures_that_parse),
		cmocka_unit_test(test_conformance_fixtures_rejected),
		cmocka_unit_test(test_conformance_invalid_utf8_unused_column),
		cmocka_unit_test(test_conformance_columns),
		cmocka_unit_test(test_conformance_100000_columns),
		cmocka_unit_test(test_conformance_runaway_quote),
	};
	return loyal_test_status(cmocka_run_group_tests(tests, NULL, NULL));
}
