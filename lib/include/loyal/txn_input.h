#ifndef LOYAL_TXN_INPUT_PUBLIC_H
#define LOYAL_TXN_INPUT_PUBLIC_H

#include "common.h"
#include "reader.h"
#include "roles.h"
#include "txn.h"

/*
 * From the columns of an order-lines file to transactions: which column
 * plays which role (found by header name or named by the caller), and each
 * row validated into a loyal_txn_record or a structured error naming the
 * column and the reason. This is how `loyal` reads every transaction file;
 * a program reading orders through it gets the same rows, the same amounts
 * and the same errors.
 *
 * The rules:
 * - Columns are found by their role's aliases (loyal_role_aliases) unless
 *   named; a name or an alias matching two headers is an error.
 * - Order ids: none with LOYAL_TXN_ORDERS_NONE; required with
 *   LOYAL_TXN_ORDERS_REQUIRED or a named order column; otherwise used when
 *   a header matches.
 * - Amounts: a named amount column; or quantity x price when either is
 *   named (then both are required); or an amount column found by name,
 *   else quantity and price both found by name; else no amounts.
 * - A row: customer id (blank: a guest row, an error when strict), date
 *   (required), order id (required when there is an order column), amount
 *   or quantity and price (required, decimal numbers, an exponent only when
 *   allowed; quantity x price is exact in micro-units), checked in this
 *   order for every row, guest rows included. A negative amount is a
 *   return. Spaces and tabs around a value are not part of it.
 */

/* Where amounts come from. */
typedef enum {
	LOYAL_TXN_AMOUNT_NONE = 0,      /* no amounts: every amount is 0 */
	LOYAL_TXN_AMOUNT_COLUMN = 1,    /* one amount column */
	LOYAL_TXN_AMOUNT_QTY_PRICE = 2  /* quantity x unit price */
} loyal_txn_amount_kind;

/* Whether purchase occasions are told apart by an order id. */
typedef enum {
	LOYAL_TXN_ORDERS_AUTO = 0,     /* used when a header matches (or named) */
	LOYAL_TXN_ORDERS_REQUIRED = 1, /* an order column must be found */
	LOYAL_TXN_ORDERS_NONE = 2      /* no order column: occasions are days */
} loyal_txn_orders;

typedef struct {
	int version;
	/* Column names (header names, or numbers from 1 in a file without a
	 * header); NULL: found by the role's aliases. qty_col and price_col
	 * cannot be combined with amount_col. */
	const char *customer_col, *date_col, *order_col, *amount_col, *qty_col, *price_col;
	loyal_txn_orders orders;
	/* Date format (loyal_date_parse); NULL: the formats it guesses. */
	const char *date_format;
	/* A row without a customer id is an error, not a guest row. */
	int strict;
	/* Accept numbers with an exponent (1e3). */
	int allow_exponent;
} loyal_txn_input_options;

#define LOYAL_TXN_INPUT_OPTIONS_VERSION 1
#define LOYAL_TXN_INPUT_OPTIONS_INIT \
	{ LOYAL_TXN_INPUT_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, \
	  LOYAL_TXN_ORDERS_AUTO, NULL, 0, 0 }

/* The columns of one input (0-based; SIZE_MAX: none). Filled by the
 * library: the caller sets version (LOYAL_TXN_LAYOUT_INIT). */
typedef struct {
	int version;
	size_t customer, date, order, amount, quantity, price;
	loyal_txn_amount_kind amount_kind;
	/* After LOYAL_ECOLUMN: the role whose column was missing or ambiguous
	 * (LOYAL_ROLE_AMOUNT when amounts were looked for by name and
	 * found ambiguous), to say which option names it. */
	loyal_role failed_role;
} loyal_txn_layout;

#define LOYAL_TXN_LAYOUT_VERSION 1
#define LOYAL_TXN_LAYOUT_INIT { LOYAL_TXN_LAYOUT_VERSION, SIZE_MAX, SIZE_MAX, SIZE_MAX, \
				SIZE_MAX, SIZE_MAX, SIZE_MAX, LOYAL_TXN_AMOUNT_NONE, \
				LOYAL_ROLE_COUNT__ }

/*
 * Find the columns of reader r's header by the rules above, marking them
 * used (loyal_reader_use_column). opts may be NULL for the defaults.
 * Returns 0, LOYAL_ECOLUMN (missing or ambiguous column; the message in
 * loyal_error_last() names the file, and for an ambiguity the header
 * line; out->failed_role says which) or LOYAL_EINVAL.
 */
LOYAL_EXTERN(int) loyal_txn_layout_resolve(loyal_txn_layout *out, loyal_reader *r,
					   const loyal_txn_input_options *opts);

/* Why a row is not a valid transaction. Numbered; never renumbered. */
typedef enum {
	LOYAL_TXN_BAD_NONE = 0,
	LOYAL_TXN_BAD_GUEST = 1,          /* no customer id, with strict */
	LOYAL_TXN_BAD_DATE_EMPTY = 2,
	LOYAL_TXN_BAD_DATE = 3,           /* not a date (in the given format) */
	LOYAL_TXN_BAD_ORDER_EMPTY = 4,
	LOYAL_TXN_BAD_AMOUNT_EMPTY = 5,
	LOYAL_TXN_BAD_QUANTITY_EMPTY = 6,
	LOYAL_TXN_BAD_PRICE_EMPTY = 7,
	LOYAL_TXN_BAD_NUMBER = 8,         /* amount, quantity or price not a number
					   * (or out of range, or an exponent not allowed) */
	LOYAL_TXN_BAD_PRODUCT_RANGE = 9   /* quantity x price out of range */
} loyal_txn_bad;

/* A row's invalid value. Filled by the library: the caller sets version
 * (LOYAL_TXN_ROW_ERROR_INIT). */
typedef struct {
	int version;
	size_t column;        /* 0-based column of the value; SIZE_MAX: none */
	loyal_txn_bad code;
	char reason[320];     /* "date is empty", "'1,5' is not a number"... */
} loyal_txn_row_error;

#define LOYAL_TXN_ROW_ERROR_VERSION 1
#define LOYAL_TXN_ROW_ERROR_INIT { LOYAL_TXN_ROW_ERROR_VERSION, SIZE_MAX, LOYAL_TXN_BAD_NONE, "" }

/* One row as a transaction. The ids are borrowed from the reader until its
 * next row. Filled by the library: the caller sets version
 * (LOYAL_TXN_RECORD_INIT). */
typedef struct {
	int version;
	const char *customer;  /* "" with customer_len 0: a guest row */
	size_t customer_len;
	const char *order;     /* NULL without an order column */
	size_t order_len;
	int32_t day;           /* day number (loyal_date_parse) */
	int64_t amount;        /* micro-units; negative: a return; 0 without amounts */
} loyal_txn_record;

#define LOYAL_TXN_RECORD_VERSION 1
#define LOYAL_TXN_RECORD_INIT { LOYAL_TXN_RECORD_VERSION, "", 0, NULL, 0, 0, 0 }

/*
 * Map the current row of r (after loyal_reader_next() returned 0) through
 * layout into *rec. On an invalid value returns LOYAL_EVALUE with *err
 * filled (err may be NULL) and loyal_error_last() naming file, line and
 * column; *rec is then partly filled. LOYAL_EINVAL for a bad argument or
 * version.
 */
LOYAL_EXTERN(int) loyal_txn_record_read(loyal_txn_record *rec, loyal_txn_row_error *err,
					loyal_reader *r, const loyal_txn_layout *layout,
					const loyal_txn_input_options *opts);


#endif
