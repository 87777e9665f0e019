#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "helpers.h"
#include "loyal.h"

/* A 1-5 parser that refuses anything else, counting its calls. */
static int five(void *ctx, size_t k, const char *text, size_t len, int *value)
{
	(void)k;
	(*(int *)ctx)++;
	if (len != 1 || text[0] < '1' || text[0] > '5') {
		loyal_error_clear();
		return loyal_nps_parse(value, "x", 1); /* any library reason */
	}
	*value = text[0] - '0';
	return 0;
}

static void test_survey_input_rows(void **state)
{
	const char *text = "nps,csat,date\n"
			   " 9 ,4,2025-01-02\n"  /* used: spaces ignored */
			   ",,2025-01-03\n"      /* blank: a non-response */
			   "7,,2025-01-04\n"     /* used, one blank answer */
			   "11,4,2025-01-05\n"   /* invalid score */
			   "8,6,2025-01-06\n"    /* invalid satisfaction */
			   "8,3,someday\n";      /* invalid date */
	loyal_reader *r;
	loyal_survey_layout l = LOYAL_SURVEY_LAYOUT_INIT;
	loyal_survey_row row = LOYAL_SURVEY_ROW_INIT;
	loyal_datetime dt;
	int calls = 0;
	(void)state;

	assert_int_equal(loyal_reader_open_buffer(&r, text, strlen(text), "s.csv", NULL), 0);
	l.ncols = 1;
	l.parse = loyal_survey_nps_answer;
	assert_int_equal(loyal_reader_find_column(&l.cols[0], r, "NPS score", NULL,
						  loyal_role_aliases(LOYAL_ROLE_NPS)), 0);
	assert_int_equal(loyal_reader_find_column(&l.date, r, "date", NULL,
						  loyal_role_aliases(LOYAL_ROLE_DATE)), 0);
	/* the NPS column alone first; the csat column later */
	l.cols[1] = 1;
	loyal_reader_use_column(r, 1);
	assert_int_equal(loyal_reader_next(r), 0);
	assert_int_equal(loyal_survey_row_read(&row, r, &l), LOYAL_SURVEY_ROW_USED);
	assert_int_equal(row.values[0], 9);
	assert_int_equal(row.answered, 1);
	assert_int_equal(loyal_date_parse(&dt, "2025-01-02", 10, NULL), 0);
	assert_int_equal(row.day, dt.days);

	assert_int_equal(loyal_reader_next(r), 0);
	assert_int_equal(loyal_survey_row_read(&row, r, &l), LOYAL_SURVEY_ROW_BLANK);
	assert_int_equal(row.blank, 1);
	assert_int_equal(row.values[0], -1);

	/* both columns through a parser of 1-5: the score 7 is refused */
	l.ncols = 2;
	l.parse = five;
	l.ctx = &calls;
	assert_int_equal(loyal_reader_next(r), 0);
	assert_int_equal(loyal_survey_row_read(&row, r, &l), LOYAL_SURVEY_ROW_INVALID);
	assert_int_equal(row.code, LOYAL_SURVEY_BAD_ANSWER);
	assert_int_equal(row.bad_col, 0); /* 7 is not 1-5 */
	assert_int_equal(calls, 1);
	l.parse = loyal_survey_nps_answer;

	assert_int_equal(loyal_reader_next(r), 0);
	assert_int_equal(loyal_survey_row_read(&row, r, &l), LOYAL_SURVEY_ROW_INVALID);
	assert_int_equal(row.bad_col, 0);
	assert_int_equal(row.code, LOYAL_SURVEY_BAD_ANSWER);
	assert_string_equal(row.reason, loyal_error_last()->reason);

	assert_int_equal(loyal_reader_next(r), 0);
	assert_int_equal(loyal_survey_row_read(&row, r, &l), LOYAL_SURVEY_ROW_USED);
	assert_int_equal(row.values[1], 6); /* 0-10 parser: 6 is valid */

	assert_int_equal(loyal_reader_next(r), 0);
	assert_int_equal(loyal_survey_row_read(&row, r, &l), LOYAL_SURVEY_ROW_INVALID);
	assert_int_equal(row.code, LOYAL_SURVEY_BAD_DATE);
	assert_int_equal(row.bad_col, 2);
	assert_true(row.reason[0] != '\0');

	/* versions: an unset row or layout is refused */
	row.version = 0;
	assert_int_equal(loyal_survey_row_read(&row, r, &l), LOYAL_EINVAL);
	row.version = LOYAL_SURVEY_ROW_VERSION;
	l.version = LOYAL_SURVEY_LAYOUT_VERSION + 1;
	assert_int_equal(loyal_survey_row_read(&row, r, &l), LOYAL_EINVAL);
	loyal_reader_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_survey_input_rows),
	};
	return loyal_test_status(cmocka_run_group_tests(tests, NULL, NULL));
}
