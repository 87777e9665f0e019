#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "helpers.h"
#include "loyal.h"

/* A reader over text (kept by the caller until the reader is freed). */
static loyal_reader *open_text(const char *text)
{
	loyal_reader *r = NULL;
	assert_int_equal(loyal_reader_open_buffer(&r, text, strlen(text), "t.csv", NULL), 0);
	return r;
}

/* The layout of text's header, or the error. */
static int resolve(loyal_reader **r, loyal_txn_layout *l, const char *text,
		   const loyal_txn_input_options *o)
{
	*r = open_text(text);
	*l = (loyal_txn_layout)LOYAL_TXN_LAYOUT_INIT;
	return loyal_txn_layout_resolve(l, *r, o);
}

/* Read the next row: 0 with *rec, or LOYAL_EVALUE with *err. */
static int next(loyal_reader *r, const loyal_txn_layout *l, const loyal_txn_input_options *o,
		loyal_txn_record *rec, loyal_txn_row_error *err)
{
	assert_int_equal(loyal_reader_next(r), 0);
	*rec = (loyal_txn_record)LOYAL_TXN_RECORD_INIT;
	*err = (loyal_txn_row_error)LOYAL_TXN_ROW_ERROR_INIT;
	return loyal_txn_record_read(rec, err, r, l, o);
}

static void test_txn_input_aliases(void **state)
{
	loyal_reader *r;
	loyal_txn_layout l;
	(void)state;

	/* header names in other spellings and languages find their roles */
	assert_int_equal(resolve(&r, &l, "Invoice No,Customer ID,Order Date,Line Total\n", NULL), 0);
	assert_int_equal(l.order, 0);
	assert_int_equal(l.customer, 1);
	assert_int_equal(l.date, 2);
	assert_int_equal(l.amount_kind, LOYAL_TXN_AMOUNT_COLUMN);
	loyal_reader_free(r);

	/* no amount, no order: days and no amounts */
	assert_int_equal(resolve(&r, &l, "customer_id,date\n", NULL), 0);
	assert_int_equal(l.order, SIZE_MAX);
	assert_int_equal(l.amount, SIZE_MAX);
	assert_int_equal(l.amount_kind, LOYAL_TXN_AMOUNT_NONE);
	loyal_reader_free(r);

	/* a quantity without a price is no amount */
	assert_int_equal(resolve(&r, &l, "customer_id,date,quantity\n", NULL), 0);
	assert_int_equal(l.amount_kind, LOYAL_TXN_AMOUNT_NONE);
	assert_int_equal(l.quantity, SIZE_MAX);
	loyal_reader_free(r);
}

static void test_txn_input_column_errors(void **state)
{
	loyal_txn_input_options o = LOYAL_TXN_INPUT_OPTIONS_INIT;
	loyal_reader *r;
	loyal_txn_layout l;
	(void)state;

	assert_int_equal(resolve(&r, &l, "who,date\n", NULL), LOYAL_ECOLUMN);
	assert_int_equal(l.failed_role, LOYAL_ROLE_CUSTOMER);
	assert_non_null(strstr(loyal_error_last()->reason, "no customer column found"));
	loyal_reader_free(r);

	/* two amounts by name: ambiguous, the amount as a whole is named */
	assert_int_equal(resolve(&r, &l, "customer_id,date,amount,Amount \n", NULL), LOYAL_ECOLUMN);
	assert_int_equal(l.failed_role, LOYAL_ROLE_AMOUNT);
	loyal_reader_free(r);

	/* orders required, none found */
	o.orders = LOYAL_TXN_ORDERS_REQUIRED;
	assert_int_equal(resolve(&r, &l, "customer_id,date\n", &o), LOYAL_ECOLUMN);
	assert_int_equal(l.failed_role, LOYAL_ROLE_ORDER);
	loyal_reader_free(r);

	/* orders none: an order column is not looked for */
	o.orders = LOYAL_TXN_ORDERS_NONE;
	assert_int_equal(resolve(&r, &l, "order_id,customer_id,date\n", &o), 0);
	assert_int_equal(l.order, SIZE_MAX);
	loyal_reader_free(r);

	/* a named quantity needs a price */
	o = (loyal_txn_input_options)LOYAL_TXN_INPUT_OPTIONS_INIT;
	o.qty_col = "n";
	assert_int_equal(resolve(&r, &l, "customer_id,date,n\n", &o), LOYAL_ECOLUMN);
	assert_int_equal(l.failed_role, LOYAL_ROLE_PRICE);
	loyal_reader_free(r);

	/* an amount with quantity and price is refused */
	o.amount_col = "n";
	assert_int_equal(resolve(&r, &l, "customer_id,date,n\n", &o), LOYAL_EINVAL);
	loyal_reader_free(r);

	/* an unknown options version is refused; version 1 is read */
	o = (loyal_txn_input_options)LOYAL_TXN_INPUT_OPTIONS_INIT;
	o.version = LOYAL_TXN_INPUT_OPTIONS_VERSION + 1;
	assert_int_equal(resolve(&r, &l, "customer_id,date\n", &o), LOYAL_EINVAL);
	loyal_reader_free(r);
	o.version = 1;
	assert_int_equal(resolve(&r, &l, "customer_id,date\n", &o), 0);
	loyal_reader_free(r);
	/* a layout without its version is refused */
	r = open_text("customer_id,date\n");
	l = (loyal_txn_layout)LOYAL_TXN_LAYOUT_INIT;
	l.version = 0;
	assert_int_equal(loyal_txn_layout_resolve(&l, r, NULL), LOYAL_EINVAL);
	loyal_reader_free(r);
}

static void test_txn_input_qty_price(void **state)
{
	loyal_txn_input_options o = LOYAL_TXN_INPUT_OPTIONS_INIT;
	loyal_reader *r;
	loyal_txn_layout l;
	loyal_txn_record rec;
	loyal_txn_row_error err;
	(void)state;

	assert_int_equal(resolve(&r, &l, "InvoiceNo,Quantity,UnitPrice,CustomerID,InvoiceDate\n"
				 "536365,6,2.55,17850,2010-12-01\n"
				 "C536379,-1,27.50, 14527 ,2010-12-01\n"
				 "536366,3,1e2,17850,2010-12-02\n"
				 "536367,99999999999,99999999999,17850,2010-12-02\n", &o), 0);
	assert_int_equal(l.amount_kind, LOYAL_TXN_AMOUNT_QTY_PRICE);
	assert_int_equal(next(r, &l, &o, &rec, &err), 0);
	assert_int_equal(rec.amount, 15300000); /* 6 x 2.55 = 15.30, in micro-units */
	assert_int_equal(rec.order_len, 6);
	assert_memory_equal(rec.order, "536365", 6);
	/* a return: negative; spaces around the id are not part of it */
	assert_int_equal(next(r, &l, &o, &rec, &err), 0);
	assert_int_equal(rec.amount, -27500000);
	assert_int_equal(rec.customer_len, 5);
	assert_memory_equal(rec.customer, "14527", 5);
	/* an exponent: refused unless allowed */
	assert_int_equal(next(r, &l, &o, &rec, &err), LOYAL_EVALUE);
	assert_int_equal(err.code, LOYAL_TXN_BAD_NUMBER);
	assert_int_equal(err.column, 2);
	assert_true(err.reason[0] != '\0');
	assert_string_equal(loyal_error_last()->reason, err.reason);
	assert_int_equal(loyal_error_last()->line, 4);
	assert_int_equal(loyal_error_last()->column, 3);
	/* the product out of range names the quantity */
	assert_int_equal(next(r, &l, &o, &rec, &err), LOYAL_EVALUE);
	assert_int_equal(err.code, LOYAL_TXN_BAD_PRODUCT_RANGE);
	assert_int_equal(err.column, 1);
	assert_string_equal(err.reason, "quantity x price is out of range");
	loyal_reader_free(r);

	o.allow_exponent = 1;
	assert_int_equal(resolve(&r, &l, "customer,date,qty,price\nc1,2024-01-02,3,1e2\n", &o), 0);
	assert_int_equal(next(r, &l, &o, &rec, &err), 0);
	assert_int_equal(rec.amount, 300000000);
	loyal_reader_free(r);
}

static void test_txn_input_guests(void **state)
{
	loyal_txn_input_options o = LOYAL_TXN_INPUT_OPTIONS_INIT;
	const char *text = "customer_id,date,amount\n,2024-01-02,5\n,,5\n";
	loyal_reader *r;
	loyal_txn_layout l;
	loyal_txn_record rec;
	loyal_txn_row_error err;
	(void)state;

	/* a guest row is a record without a customer, still validated */
	assert_int_equal(resolve(&r, &l, text, &o), 0);
	assert_int_equal(next(r, &l, &o, &rec, &err), 0);
	assert_int_equal(rec.customer_len, 0);
	assert_int_equal(rec.amount, 5000000);
	assert_int_equal(next(r, &l, &o, &rec, &err), LOYAL_EVALUE);
	assert_int_equal(err.code, LOYAL_TXN_BAD_DATE_EMPTY);
	loyal_reader_free(r);
	/* strict: an error on the customer column */
	o.strict = 1;
	assert_int_equal(resolve(&r, &l, text, &o), 0);
	assert_int_equal(next(r, &l, &o, &rec, &err), LOYAL_EVALUE);
	assert_int_equal(err.code, LOYAL_TXN_BAD_GUEST);
	assert_int_equal(err.column, 0);
	loyal_reader_free(r);
}

/* Each reason for a bad value, with its column. */
static void test_txn_input_bad_values(void **state)
{
	static const struct {
		const char *row;
		loyal_txn_bad code;
		size_t column;
		const char *reason; /* NULL: the parser's */
	} cases[] = {
		{ "o1,c1,,5\n", LOYAL_TXN_BAD_DATE_EMPTY, 2, "date is empty" },
		{ "o1,c1,2024-13-45,5\n", LOYAL_TXN_BAD_DATE, 2, NULL },
		{ "o1,c1,yesterday,5\n", LOYAL_TXN_BAD_DATE, 2, NULL },
		{ ",c1,2024-01-02,5\n", LOYAL_TXN_BAD_ORDER_EMPTY, 0, "order id is empty" },
		{ "o1,c1,2024-01-02,\n", LOYAL_TXN_BAD_AMOUNT_EMPTY, 3, "amount is empty" },
		{ "o1,c1,2024-01-02,1.2.3\n", LOYAL_TXN_BAD_NUMBER, 3, NULL },
		{ "o1,c1,2024-01-02,\"1,5\"\n", LOYAL_TXN_BAD_NUMBER, 3, NULL },
		/* the first bad value of a row in column order: date before amount */
		{ "o1,c1,,x\n", LOYAL_TXN_BAD_DATE_EMPTY, 2, "date is empty" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[256];
		loyal_reader *r;
		loyal_txn_layout l;
		loyal_txn_record rec;
		loyal_txn_row_error err;
		snprintf(text, sizeof(text), "order_id,customer_id,date,amount\n%s", cases[i].row);
		assert_int_equal(resolve(&r, &l, text, NULL), 0);
		assert_int_equal(next(r, &l, NULL, &rec, &err), LOYAL_EVALUE);
		assert_int_equal(err.code, cases[i].code);
		assert_int_equal(err.column, cases[i].column);
		if (cases[i].reason)
			assert_string_equal(err.reason, cases[i].reason);
		else
			assert_true(strlen(err.reason) > 0);
		assert_int_equal(loyal_error_last()->code, LOYAL_EVALUE);
		assert_int_equal(loyal_error_last()->column, cases[i].column + 1);
		loyal_reader_free(r);
	}

	/* quantity and price empty */
	const char *qp[] = { "c1,2024-01-02,,2\n", "c1,2024-01-02,2,\n" };
	for (int i = 0; i < 2; i++) {
		char text[128];
		loyal_reader *r;
		loyal_txn_layout l;
		loyal_txn_record rec;
		loyal_txn_row_error err;
		snprintf(text, sizeof(text), "customer,date,quantity,price\n%s", qp[i]);
		assert_int_equal(resolve(&r, &l, text, NULL), 0);
		assert_int_equal(next(r, &l, NULL, &rec, &err), LOYAL_EVALUE);
		assert_int_equal(err.code, i ? LOYAL_TXN_BAD_PRICE_EMPTY : LOYAL_TXN_BAD_QUANTITY_EMPTY);
		assert_string_equal(err.reason, i ? "price is empty" : "quantity is empty");
		assert_int_equal(err.column, (size_t)(2 + i));
		loyal_reader_free(r);
	}
}

static void test_txn_input_date_format(void **state)
{
	loyal_txn_input_options o = LOYAL_TXN_INPUT_OPTIONS_INIT;
	loyal_reader *r;
	loyal_txn_layout l;
	loyal_txn_record rec;
	loyal_txn_row_error err;
	loyal_datetime dt;
	(void)state;

	o.date_format = "%d/%m/%Y";
	o.date_col = "when";
	assert_int_equal(resolve(&r, &l, "customer,when,date\nc1,02/01/2024,x\n", &o), 0);
	assert_int_equal(l.date, 1);
	assert_int_equal(next(r, &l, &o, &rec, &err), 0);
	assert_int_equal(loyal_date_parse(&dt, "2024-01-02", 10, NULL), 0);
	assert_int_equal(rec.day, dt.days);
	/* no error struct: the message is in loyal_error_last() */
	assert_int_equal(loyal_reader_next(r), LOYAL_ITEROVER);
	loyal_reader_free(r);
	r = open_text("customer,date\nc1,\n");
	l = (loyal_txn_layout)LOYAL_TXN_LAYOUT_INIT;
	assert_int_equal(loyal_txn_layout_resolve(&l, r, NULL), 0);
	assert_int_equal(loyal_reader_next(r), 0);
	rec = (loyal_txn_record)LOYAL_TXN_RECORD_INIT;
	assert_int_equal(loyal_txn_record_read(&rec, NULL, r, &l, NULL), LOYAL_EVALUE);
	assert_string_equal(loyal_error_last()->message, "t.csv:2:2: date is empty");
	/* a record without its version is refused */
	rec.version = 0;
	assert_int_equal(loyal_txn_record_read(&rec, NULL, r, &l, NULL), LOYAL_EINVAL);
	loyal_reader_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_txn_input_aliases),
		cmocka_unit_test(test_txn_input_column_errors),
		cmocka_unit_test(test_txn_input_qty_price),
		cmocka_unit_test(test_txn_input_guests),
		cmocka_unit_test(test_txn_input_bad_values),
		cmocka_unit_test(test_txn_input_date_format),
	};
	return loyal_test_status(cmocka_run_group_tests(tests, NULL, NULL));
}
