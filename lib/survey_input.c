/*
 * Survey columns to answers (loyal/survey_input.h): the row validation of
 * every survey command, so that `loyal check` and a program using the
 * library never disagree with a command about a row.
 */
#include <stdio.h>
#include <string.h>

#include "errors_p.h"
#include "text_p.h"
#include "loyal/date.h"
#include "loyal/nps.h"
#include "loyal/survey_input.h"

int loyal_survey_nps_answer(void *ctx, size_t k, const char *text, size_t len, int *value)
{
	(void)ctx;
	(void)k;
	return loyal_nps_parse(value, text, len);
}

static int invalid(loyal_survey_row *row, size_t col, loyal_survey_bad code)
{
	const loyal_error_info *e = loyal_error_last();

	row->bad_col = col;
	row->code = code;
	snprintf(row->reason, sizeof(row->reason), "%s",
		 e && e->reason ? e->reason : "invalid value");
	return LOYAL_SURVEY_ROW_INVALID;
}

int loyal_survey_row_read(loyal_survey_row *row, loyal_reader *r, const loyal_survey_layout *layout)
{
	if (!row || !r || !layout || !layout->parse || layout->ncols > LOYAL_SURVEY_MAX_COLS ||
	    !LOYAL__VERSION_OK(row->version, LOYAL_SURVEY_ROW_VERSION) ||
	    !LOYAL__VERSION_OK(layout->version, LOYAL_SURVEY_LAYOUT_VERSION))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_survey_row_read");
	row->answered = row->blank = 0;
	row->day = 0;
	row->bad_col = SIZE_MAX;
	row->code = LOYAL_SURVEY_BAD_NONE;
	row->reason[0] = '\0';
	for (size_t k = 0; k < layout->ncols; k++) {
		size_t len;
		const char *f = loyal__trim_blanks(loyal_reader_field(r, layout->cols[k], &len), &len);
		row->values[k] = -1;
		if (len == 0) {
			row->blank++;
			continue;
		}
		if (layout->parse(layout->ctx, k, f, len, &row->values[k]) < 0)
			return invalid(row, layout->cols[k], LOYAL_SURVEY_BAD_ANSWER);
		row->answered++;
	}
	if (layout->date != SIZE_MAX) {
		size_t len;
		const char *f = loyal_reader_field(r, layout->date, &len);
		loyal_datetime dt;
		if (loyal_date_parse(&dt, f, len, layout->date_format) < 0)
			return invalid(row, layout->date, LOYAL_SURVEY_BAD_DATE);
		row->day = dt.days;
	}
	return row->answered ? LOYAL_SURVEY_ROW_USED : LOYAL_SURVEY_ROW_BLANK;
}
