/*
 * Order-line columns to transactions (loyal/txn_input.h): the rules by
 * which `loyal` reads every transaction file, so that a program using the
 * library reads the same rows the same way.
 */
#include <stdio.h>
#include <string.h>

#include "errors_p.h"
#include "text_p.h"
#include "loyal/date.h"
#include "loyal/number.h"
#include "loyal/txn_input.h"

static const loyal_txn_input_options defaults = LOYAL_TXN_INPUT_OPTIONS_INIT;

/* Find an optional role by its aliases: SIZE_MAX when no header matches.
 * An ambiguous match is still an error. */
static int find_optional(size_t *col, loyal_reader *r, const char *role, loyal_role which)
{
	int error = loyal_reader_find_column(col, r, role, NULL, loyal_role_aliases(which));
	const loyal_error_info *e;

	if (error == LOYAL_ECOLUMN && (e = loyal_error_last()) && e->line == 0) {
		/* not found (an ambiguity names the header line) */
		loyal_error_clear();
		*col = SIZE_MAX;
		return 0;
	}
	return error;
}

static int find(size_t *col, loyal_txn_layout *out, loyal_reader *r, const char *role,
		const char *given, loyal_role which)
{
	int error = loyal_reader_find_column(col, r, role, given, loyal_role_aliases(which));

	if (error < 0)
		out->failed_role = which;
	return error;
}

int loyal_txn_layout_resolve(loyal_txn_layout *out, loyal_reader *r,
			     const loyal_txn_input_options *opts)
{
	int error;

	if (!out || !r || !LOYAL__VERSION_OK(out->version, LOYAL_TXN_LAYOUT_VERSION))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_txn_layout_resolve");
	if (!opts)
		opts = &defaults;
	if (!LOYAL__VERSION_OK(opts->version, LOYAL_TXN_INPUT_OPTIONS_VERSION))
		return loyal__error(LOYAL_EINVAL, "unsupported loyal_txn_input_options version %d",
				    opts->version);
	if (opts->amount_col && (opts->qty_col || opts->price_col))
		return loyal__error(LOYAL_EINVAL, "an amount column cannot be combined with "
				    "quantity and price columns");
	if (opts->orders == LOYAL_TXN_ORDERS_NONE && opts->order_col)
		return loyal__error(LOYAL_EINVAL, "an order column cannot be named when "
				    "occasions are days");
	out->customer = out->date = out->order = SIZE_MAX;
	out->amount = out->quantity = out->price = SIZE_MAX;
	out->amount_kind = LOYAL_TXN_AMOUNT_NONE;
	out->failed_role = LOYAL_ROLE_COUNT__;

	if ((error = find(&out->date, out, r, "date", opts->date_col, LOYAL_ROLE_DATE)) < 0 ||
	    (error = find(&out->customer, out, r, "customer", opts->customer_col,
			  LOYAL_ROLE_CUSTOMER)) < 0)
		return error;

	if (opts->orders == LOYAL_TXN_ORDERS_NONE) {
		/* occasions are days */
	} else if (opts->order_col || opts->orders == LOYAL_TXN_ORDERS_REQUIRED) {
		if ((error = find(&out->order, out, r, "order", opts->order_col,
				  LOYAL_ROLE_ORDER)) < 0)
			return error;
	} else if ((error = find_optional(&out->order, r, "order", LOYAL_ROLE_ORDER)) < 0) {
		out->failed_role = LOYAL_ROLE_ORDER;
		return error;
	}

	if (opts->amount_col) {
		if ((error = find(&out->amount, out, r, "amount", opts->amount_col,
				  LOYAL_ROLE_AMOUNT)) < 0)
			return error;
	} else if (opts->qty_col || opts->price_col) {
		if ((error = find(&out->quantity, out, r, "quantity", opts->qty_col,
				  LOYAL_ROLE_QUANTITY)) < 0 ||
		    (error = find(&out->price, out, r, "price", opts->price_col,
				  LOYAL_ROLE_PRICE)) < 0)
			return error;
	} else {
		if ((error = find_optional(&out->amount, r, "amount", LOYAL_ROLE_AMOUNT)) < 0 ||
		    (out->amount == SIZE_MAX &&
		     ((error = find_optional(&out->quantity, r, "quantity", LOYAL_ROLE_QUANTITY)) < 0 ||
		      (error = find_optional(&out->price, r, "price", LOYAL_ROLE_PRICE)) < 0))) {
			/* the amount is looked for as a whole: name it */
			out->failed_role = LOYAL_ROLE_AMOUNT;
			return error;
		}
		if (out->quantity == SIZE_MAX || out->price == SIZE_MAX)
			out->quantity = out->price = SIZE_MAX;
	}
	out->amount_kind = out->amount != SIZE_MAX ? LOYAL_TXN_AMOUNT_COLUMN
			 : out->quantity != SIZE_MAX ? LOYAL_TXN_AMOUNT_QTY_PRICE
			 : LOYAL_TXN_AMOUNT_NONE;
	return 0;
}

/* ---- rows -------------------------------------------------------------- */

/* The reader trims unquoted fields; quoted ones keep their spaces, which
 * never belong to an id, a date or a number. */
static const char *field(loyal_reader *r, size_t col, size_t *len)
{
	return loyal__trim_blanks(loyal_reader_field(r, col, len), len);
}

static int bad(loyal_txn_row_error *err, loyal_reader *r, size_t col, loyal_txn_bad code,
	       const char *reason)
{
	if (err) {
		err->column = col;
		err->code = code;
		snprintf(err->reason, sizeof(err->reason), "%s", reason);
	}
	return loyal__error_at(LOYAL_EVALUE, loyal_reader_name(r), loyal_reader_line(r), col + 1,
			       "%s", reason);
}

/* A value the library's parser refused: its reason. */
static int bad_lib(loyal_txn_row_error *err, loyal_reader *r, size_t col, loyal_txn_bad code)
{
	const loyal_error_info *e = loyal_error_last();
	char reason[320];

	snprintf(reason, sizeof(reason), "%s", e && e->reason ? e->reason : "invalid value");
	return bad(err, r, col, code, reason);
}

static int number(int64_t *out, loyal_txn_row_error *err, loyal_reader *r, size_t col,
		  const char *what, loyal_txn_bad empty, int allow_exponent)
{
	size_t len;
	const char *f = field(r, col, &len);

	if (len == 0) {
		char msg[64];
		snprintf(msg, sizeof(msg), "%s is empty", what);
		return bad(err, r, col, empty, msg);
	}
	if (loyal_parse_decimal(out, f, len, allow_exponent) < 0)
		return bad_lib(err, r, col, LOYAL_TXN_BAD_NUMBER);
	return 0;
}

int loyal_txn_record_read(loyal_txn_record *rec, loyal_txn_row_error *err, loyal_reader *r,
			  const loyal_txn_layout *layout, const loyal_txn_input_options *opts)
{
	loyal_datetime dt;
	const char *f;
	size_t len;

	if (!rec || !r || !layout || !LOYAL__VERSION_OK(rec->version, LOYAL_TXN_RECORD_VERSION) ||
	    !LOYAL__VERSION_OK(layout->version, LOYAL_TXN_LAYOUT_VERSION) ||
	    (err && !LOYAL__VERSION_OK(err->version, LOYAL_TXN_ROW_ERROR_VERSION)))
		return loyal__error(LOYAL_EINVAL, "invalid argument to loyal_txn_record_read");
	if (!opts)
		opts = &defaults;
	rec->order = NULL;
	rec->order_len = 0;
	rec->amount = 0;
	if (err) {
		err->column = SIZE_MAX;
		err->code = LOYAL_TXN_BAD_NONE;
		err->reason[0] = '\0';
	}

	rec->customer = field(r, layout->customer, &rec->customer_len);
	if (rec->customer_len == 0 && opts->strict)
		return bad(err, r, layout->customer, LOYAL_TXN_BAD_GUEST,
			   "customer id is empty (a guest row; strict reading rejects it)");

	f = field(r, layout->date, &len);
	if (len == 0)
		return bad(err, r, layout->date, LOYAL_TXN_BAD_DATE_EMPTY, "date is empty");
	if (loyal_date_parse(&dt, f, len, opts->date_format) < 0)
		return bad_lib(err, r, layout->date, LOYAL_TXN_BAD_DATE);
	rec->day = dt.days;

	if (layout->order != SIZE_MAX) {
		rec->order = field(r, layout->order, &rec->order_len);
		if (rec->order_len == 0)
			return bad(err, r, layout->order, LOYAL_TXN_BAD_ORDER_EMPTY, "order id is empty");
	}

	if (layout->amount != SIZE_MAX) {
		return number(&rec->amount, err, r, layout->amount, "amount",
			      LOYAL_TXN_BAD_AMOUNT_EMPTY, opts->allow_exponent);
	} else if (layout->quantity != SIZE_MAX) {
		int64_t q, p;
		int error;
		if ((error = number(&q, err, r, layout->quantity, "quantity",
				    LOYAL_TXN_BAD_QUANTITY_EMPTY, opts->allow_exponent)) < 0 ||
		    (error = number(&p, err, r, layout->price, "price",
				    LOYAL_TXN_BAD_PRICE_EMPTY, opts->allow_exponent)) < 0)
			return error;
		if (loyal_decimal_mul(&rec->amount, q, p) < 0)
			return bad(err, r, layout->quantity, LOYAL_TXN_BAD_PRODUCT_RANGE,
				   "quantity x price is out of range");
	}
	return 0;
}
