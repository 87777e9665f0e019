/*
 * Complaints columns to complaints (loyal/complaints_input.h): the column
 * rules and row validation of `loyal complaints`, shared with `loyal
 * check --kind complaints` and any program using the library.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "errors_p.h"
#include "text_p.h"
#include "loyal/complaints_input.h"
#include "loyal/date.h"
#include "loyal/roles.h"

static const char *const resolved_aliases[] = {
	"resolved", "is_resolved", "resolution", "status", "是否解决", "处理结果", "处理状态", NULL
};

const char *const *loyal_complaints_resolved_aliases(void)
{
	return resolved_aliases;
}

int loyal_complaints_parse_resolved(const char *s, size_t len)
{
	static const char *const yes[] = { "yes", "y", "true", "1", "resolved", "closed", "done",
					   "是", "已解决", "已处理", NULL };
	static const char *const no[] = { "no", "n", "false", "0", "unresolved", "open", "pending",
					  "否", "未解决", "未处理", "处理中", NULL };

	s = loyal__trim_blanks(s, &len);
	if (len == 0)
		return 0;
	for (int k = 0; yes[k]; k++)
		if (strlen(yes[k]) == len && !strncasecmp(yes[k], s, len))
			return 1;
	for (int k = 0; no[k]; k++)
		if (strlen(no[k]) == len && !strncasecmp(no[k], s, len))
			return 0;
	return -1;
}

int loyal_complaints_layout_resolve(loyal_complaints_layout *out, loyal_reader *r,
				    const loyal_complaints_input_options *opts)
{
	const loyal_complaints_input_options defaults = LOYAL_COMPLAINTS_INPUT_OPTIONS_INIT;
	const loyal_error_info *e;
	int error;

	if (!opts)
		opts = &defaults;
	if (!out || !r || !LOYAL__VERSION_OK(out->version, LOYAL_COMPLAINTS_LAYOUT_VERSION) ||
	    !LOYAL__VERSION_OK(opts->version, LOYAL_COMPLAINTS_INPUT_OPTIONS_VERSION))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_complaints_layout_resolve");
	out->customer = out->resolved = SIZE_MAX;
	out->customer_failed = 1;
	if ((error = loyal_reader_find_column(&out->customer, r, "customer", opts->customer_col,
					      loyal_role_aliases(LOYAL_ROLE_CUSTOMER))) < 0)
		return error;
	out->customer_failed = 0;
	error = loyal_reader_find_column(&out->resolved, r, "resolved", opts->resolved_col,
					 opts->resolved_col ? NULL : resolved_aliases);
	if (error < 0) {
		/* an unnamed column that is not there (an ambiguity names the
		 * header line) */
		if (opts->resolved_col || error != LOYAL_ECOLUMN || !(e = loyal_error_last()) ||
		    e->line != 0)
			return error;
		loyal_error_clear();
		out->resolved = SIZE_MAX;
	}
	return 0;
}

static int invalid(loyal_complaints_row *row, size_t col, loyal_complaints_bad code)
{
	row->bad_col = col;
	row->code = code;
	return 1;
}

int loyal_complaints_row_read(loyal_complaints_row *row, loyal_reader *r,
			      const loyal_complaints_layout *layout)
{
	size_t dlen, rlen = 0;
	const char *df, *rf = NULL;
	loyal_datetime dt;

	if (!row || !r || !layout || layout->customer == SIZE_MAX || layout->date == SIZE_MAX ||
	    !LOYAL__VERSION_OK(row->version, LOYAL_COMPLAINTS_ROW_VERSION) ||
	    !LOYAL__VERSION_OK(layout->version, LOYAL_COMPLAINTS_LAYOUT_VERSION))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_complaints_row_read");
	row->customer = loyal_reader_field(r, layout->customer, &row->customer_len);
	if (!row->customer) {
		row->customer = "";
		row->customer_len = 0;
	}
	row->day = 0;
	row->resolved = 0;
	row->bad_col = SIZE_MAX;
	row->code = LOYAL_COMPLAINTS_BAD_NONE;
	row->reason[0] = '\0';
	df = loyal_reader_field(r, layout->date, &dlen);
	if (layout->resolved != SIZE_MAX) {
		rf = loyal_reader_field(r, layout->resolved, &rlen);
		row->resolved = loyal_complaints_parse_resolved(rf, rf ? rlen : 0);
	}
	if (!df || dlen == 0) {
		snprintf(row->reason, sizeof(row->reason), "date is empty");
		return invalid(row, layout->date, LOYAL_COMPLAINTS_BAD_DATE_EMPTY);
	}
	if (loyal_date_parse(&dt, df, dlen, layout->date_format) < 0) {
		const loyal_error_info *e = loyal_error_last();
		snprintf(row->reason, sizeof(row->reason), "%s",
			 e && e->reason ? e->reason : "not a date");
		return invalid(row, layout->date, LOYAL_COMPLAINTS_BAD_DATE);
	}
	row->day = dt.days;
	if (row->resolved < 0) {
		snprintf(row->reason, sizeof(row->reason), "resolved flag '%.*s' is not yes/no, "
			 "true/false, 1/0, resolved/open or 是/否", (int)(rlen > 64 ? 64 : rlen), rf);
		row->resolved = 0;
		return invalid(row, layout->resolved, LOYAL_COMPLAINTS_BAD_RESOLVED);
	}
	return 0;
}
