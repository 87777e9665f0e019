#ifndef LOYAL_COMPLAINTS_INPUT_PUBLIC_H
#define LOYAL_COMPLAINTS_INPUT_PUBLIC_H

#include "common.h"
#include "reader.h"

/*
 * From the columns of a complaints file to complaints: which column holds
 * the customer id and the resolved flag, and each row validated the way
 * `loyal complaints` and `loyal check --kind complaints` validate it.
 * The rules:
 * - The customer column is found by the customer role's aliases
 *   (loyal_role_aliases) unless named; required.
 * - The resolved column is found by loyal_complaints_resolved_aliases()
 *   unless named; a named one is required, an unnamed one is optional (then
 *   every complaint is open).
 * - The date column is the caller's (the reader's date rules).
 * - A row: date (required, a date), resolved flag (blank: open; else one of
 *   the words of loyal_complaints_parse_resolved()), checked in this order.
 *   The customer id is not checked: a blank one is a complaint without a
 *   customer, counted by the caller.
 */

/* The header names a resolved column is found by, NULL-terminated:
 * resolved, is_resolved, resolution, status, 是否解决, 处理结果, 处理状态. */
LOYAL_EXTERN(const char *const *) loyal_complaints_resolved_aliases(void);

/*
 * A resolved flag from text[0..len), spaces and tabs around it ignored,
 * ASCII case folded: 1 for yes, y, true, 1, resolved, closed, done, 是,
 * 已解决, 已处理; 0 for blank (still open), no, n, false, 0, unresolved,
 * open, pending, 否, 未解决, 未处理, 处理中; -1 for anything else.
 */
LOYAL_EXTERN(int) loyal_complaints_parse_resolved(const char *text, size_t len);

typedef struct {
	int version;
	/* Column names (header names, or numbers from 1 in a file without a
	 * header); NULL: found by name as above. */
	const char *customer_col, *resolved_col;
} loyal_complaints_input_options;

#define LOYAL_COMPLAINTS_INPUT_OPTIONS_VERSION 1
#define LOYAL_COMPLAINTS_INPUT_OPTIONS_INIT { LOYAL_COMPLAINTS_INPUT_OPTIONS_VERSION, NULL, NULL }

/* The columns of one complaints file (0-based; SIZE_MAX: none). The
 * caller sets version (LOYAL_COMPLAINTS_LAYOUT_INIT), date and
 * date_format; loyal_complaints_layout_resolve() sets customer and
 * resolved. */
typedef struct {
	int version;
	size_t customer, date, resolved;
	const char *date_format; /* NULL: the formats loyal_date_parse guesses */
	/* After LOYAL_ECOLUMN: 1 when the customer column was missing or
	 * ambiguous, 0 when the resolved column was. */
	int customer_failed;
} loyal_complaints_layout;

#define LOYAL_COMPLAINTS_LAYOUT_VERSION 1
#define LOYAL_COMPLAINTS_LAYOUT_INIT \
	{ LOYAL_COMPLAINTS_LAYOUT_VERSION, SIZE_MAX, SIZE_MAX, SIZE_MAX, NULL, 0 }

/*
 * Find the customer and resolved columns of reader r's header by the rules
 * above, marking them used. opts may be NULL for the defaults. Returns 0,
 * LOYAL_ECOLUMN (loyal_error_last() names the file; out->customer_failed
 * says which) or LOYAL_EINVAL.
 */
LOYAL_EXTERN(int) loyal_complaints_layout_resolve(loyal_complaints_layout *out, loyal_reader *r,
						  const loyal_complaints_input_options *opts);

/* Why a row is not a valid complaint. Numbered; never renumbered. */
typedef enum {
	LOYAL_COMPLAINTS_BAD_NONE = 0,
	LOYAL_COMPLAINTS_BAD_DATE_EMPTY = 1,
	LOYAL_COMPLAINTS_BAD_DATE = 2,     /* not a date (in the given format) */
	LOYAL_COMPLAINTS_BAD_RESOLVED = 3  /* not a resolved flag */
} loyal_complaints_bad;

/* One row. Filled by the library: the caller sets version
 * (LOYAL_COMPLAINTS_ROW_INIT). */
typedef struct {
	int version;
	const char *customer;   /* as read, valid until the next row; may be blank */
	size_t customer_len;
	int32_t day;
	int resolved;           /* 1 resolved, 0 open (or no resolved column) */
	/* an invalid row: */
	size_t bad_col;         /* 0-based column; SIZE_MAX otherwise */
	loyal_complaints_bad code;
	char reason[400];       /* "date is empty", "resolved flag 'x' is not ..." */
} loyal_complaints_row;

#define LOYAL_COMPLAINTS_ROW_VERSION 1
#define LOYAL_COMPLAINTS_ROW_INIT { LOYAL_COMPLAINTS_ROW_VERSION, NULL, 0, 0, 0, SIZE_MAX, \
				    LOYAL_COMPLAINTS_BAD_NONE, "" }

/*
 * Validate the current row of r (after loyal_reader_next() returned 0)
 * through layout into *row. Returns 0 for a valid complaint, 1 for an
 * invalid row (row->bad_col, code, reason), LOYAL_EINVAL for a bad
 * argument or version.
 */
LOYAL_EXTERN(int) loyal_complaints_row_read(loyal_complaints_row *row, loyal_reader *r,
					    const loyal_complaints_layout *layout);

#endif
