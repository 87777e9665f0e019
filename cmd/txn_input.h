#ifndef LOYAL_TXN_INPUT_H
#define LOYAL_TXN_INPUT_H

#include "cli.h"
#include "loyal/txn.h"
#include "loyal/txn_input.h"

/*
 * Transaction input shared by the transaction commands (summary,
 * repurchase, retention, churn, clv) and `loyal check --kind transactions`:
 * resolve the columns of each input, validate every row into a txn_row,
 * classify skipped rows by reason, and feed the rest to a loyal_txn
 * accumulator. Every row read is either used or skipped for one reason.
 */

struct txn_opts {
	const char *customer_col, *order_col, *amount_col, *qty_col, *price_col;
	const char *occasion_name;
	const char *as_of_text;
	const char *returns_name;
	int strict;
	int allow_exponent;
	int skip_invalid;       /* --skip-invalid: count and report bad rows */

	/* resolved by txn_opts_finish() */
	int occasion_given;     /* --occasion was given */
	loyal_occasion occasion;
	loyal_returns returns;  /* --returns */
	int has_as_of;
	int32_t as_of;
	/* fixed by the first input, which later inputs must match */
	int layout_set;
	int has_order;          /* occasions are orders */
	int amount_kind;        /* TXN_AMOUNT_* */

	/* set by a command before txn_opts_finish(), 0 otherwise: */
	int need_amount;        /* an input without an amount is a data error (65) */
	/* A holdout period after --as-of (which is then required): rows dated
	 * in (as_of, holdout_to] are used too, the accumulator is finished at
	 * holdout_to, rows after it are skipped as "after --holdout-to" and
	 * the summary line names both dates. */
	int has_holdout;
	int32_t holdout_to;
	const char *holdout_text; /* the option as given, for messages */
	/* Also feed every used row to a loyal_txn_days (txn_data.days), for
	 * measures within a window or at an earlier day (segment, tiers). */
	int need_days;
};

enum { TXN_AMOUNT_NONE = 0, TXN_AMOUNT_COLUMN, TXN_AMOUNT_QTY_PRICE };

/* Pieces of the option lists below. */
#define TXN_OPT_CUSTOMER(t) \
	CLI_OPT_STRING(0, "customer-col", "NAME", &(t)->customer_col, \
		       "customer id column (default: found by header name)")
#define TXN_OPTS_AMOUNT(t) \
	CLI_OPT_STRING(0, "amount-col", "NAME", &(t)->amount_col, \
		       "line amount column (default: found by header name, if any)"), \
	CLI_OPT_STRING(0, "qty-col", "NAME", &(t)->qty_col, \
		       "quantity column: amount = quantity x price"), \
	CLI_OPT_STRING(0, "price-col", "NAME", &(t)->price_col, \
		       "unit price column, with a quantity column")
#define TXN_OPTS_ROWS(t) \
	CLI_OPT_STRING(0, "returns", "HOW", &(t)->returns_name, \
		       "net-day (default): a day netting to <= 0 holds no purchase; keep"), \
	CLI_OPT_FLAG(0, "strict", &(t)->strict, \
		     "a row without a customer id is an error, not skipped"), \
	CLI_OPT_FLAG(0, "allow-exponent", &(t)->allow_exponent, \
		     "accept amounts with an exponent, such as 1e3")

/* --skip-invalid, which every transaction command has (check reports
 * every row anyway). */
#define TXN_OPT_SKIP_INVALID(t) \
	CLI_OPT_FLAG(0, "skip-invalid", &(t)->skip_invalid, \
		     "skip and count invalid rows (value, number of fields) instead of failing")

/* The transaction input options of `check`; the commands add --skip-invalid. */
#define TXN_OPTS_CHECK_INPUT(t) \
	CLI_OPT_GROUP("Transactions"), \
	TXN_OPT_CUSTOMER(t), \
	CLI_OPT_STRING(0, "order-col", "NAME", &(t)->order_col, \
		       "order id column (default: found by header name, if any)"), \
	TXN_OPTS_AMOUNT(t), \
	CLI_OPT_STRING(0, "occasion", "KIND", &(t)->occasion_name, \
		       "a purchase is an order or a day (default: order if any)"), \
	CLI_OPT_STRING(0, "as-of", "DATE", &(t)->as_of_text, \
		       "end of the observation window (default: last date)"), \
	TXN_OPTS_ROWS(t)

#define TXN_OPTS_INPUT(t) \
	TXN_OPTS_CHECK_INPUT(t), \
	TXN_OPT_SKIP_INVALID(t)

/* The transaction options of the model commands (churn, clv). They have
 * no --order-col or --occasion: the models' purchase occasions are always
 * calendar days (see txn_opts_days()). */
#define TXN_OPTS_MODEL_INPUT(t) \
	CLI_OPT_GROUP("Transactions"), \
	TXN_OPT_CUSTOMER(t), \
	TXN_OPTS_AMOUNT(t), \
	CLI_OPT_STRING(0, "as-of", "DATE", &(t)->as_of_text, \
		       "end of the calibration period (default: last date)"), \
	TXN_OPTS_ROWS(t), \
	TXN_OPT_SKIP_INVALID(t)

/* Make purchase occasions calendar days whatever the input's columns (any
 * order column is not looked for), as --occasion day does. For commands
 * whose time resolution is the day: two purchases on one day happen at the
 * same time. Call before txn_opts_finish(). */
void txn_opts_days(struct txn_opts *t);

/* The shared grouping options with the meaning of --period of a
 * transaction command (the targets are those of CLI_OPTS_GROUPING). */
#define TXN_OPTS_GROUPING(c, period_help) \
	CLI_OPT_GROUP("Grouping"), \
	CLI_OPT_LIST(0, "by", "COL", &(c)->by, \
		     "group customers by COL at first purchase (repeatable)"), \
	CLI_OPT_STRING(0, "period", "P", &(c)->period_name, period_help), \
	CLI_OPT_STRING(0, "from", "DATE", &(c)->from, "ignore rows dated before DATE"), \
	CLI_OPT_STRING(0, "to", "DATE", &(c)->to, "ignore rows dated after DATE")

/* Validate --occasion, --as-of and the column flags; returns CLI_CONTINUE
 * or 64 after a usage message. */
int txn_opts_finish(const struct cli_command_info *info, struct txn_opts *t);

/* One input with its columns resolved. */
struct txn_source {
	struct cli_source s;    /* reader, date column, --by columns */
	size_t customer_col;
	size_t order_col;       /* SIZE_MAX: none */
	size_t amount_col;      /* SIZE_MAX: none */
	size_t qty_col, price_col;
	/* the same columns as libloyal resolved them, and the options it
	 * reads rows with (loyal/txn_input.h) */
	loyal_txn_layout layout;
	loyal_txn_input_options in;
};

/* Why a valid row is not used. */
enum txn_skip {
	TXN_USE = 0,
	TXN_SKIP_GUEST,    /* no customer id */
	TXN_SKIP_RANGE,    /* dated outside --from/--to */
	TXN_SKIP_AS_OF,    /* dated after --as-of (after --holdout-to with a holdout) */
	TXN_SKIP_INVALID,  /* an invalid value or row, with --skip-invalid */
	TXN_SKIP__COUNT
};

/* One validated row. Strings are borrowed from the reader until its next row. */
struct txn_row {
	const char *customer;
	size_t customer_len;    /* 0: a guest row */
	const char *order;
	size_t order_len;
	int32_t day;
	int64_t amount;         /* micro-units; 0 without an amount column */
	enum txn_skip skip;
	/* after an invalid value: */
	size_t bad_col;         /* 0-based column */
	char reason[320];
};

/* Open `path` and resolve its columns (the first input fixes whether there
 * are order ids and amounts; later ones must have the same). Returns 0 or
 * an exit status after reporting. */
int txn_source_open(struct txn_source *ts, const char *path, const struct cli_common *c,
		    struct txn_opts *o);
void txn_source_close(struct txn_source *ts);

/*
 * Validate the reader's current row into *row: the customer id (blank is a
 * guest row, an error with --strict), the date, the order id (when
 * occasions are orders) and the amount, in this order and for every row,
 * guest rows included; then set row->skip. Returns 0, or LOYAL_EVALUE with
 * row->bad_col and row->reason set.
 */
int txn_read_row(struct txn_source *ts, const struct cli_common *c, const struct txn_opts *o,
		 struct txn_row *row);

/* Report the invalid value of *row at file:line:column; returns 65. */
int txn_row_error(const struct txn_source *ts, const struct txn_row *row);

/* ---- the whole input, accumulated ------------------------------------- */

/* The latest date of the rows that set the default as-of, and the latest
 * before it, to tell a placeholder date (9999-12-31 for "no date") that
 * would set the as-of far away. Feed every such row. */
struct txn_latest {
	int have, have_before;
	int32_t day;         /* the latest date */
	int32_t before;      /* the latest date before it */
	uint64_t rows;       /* rows dated `day` */
	const char *file;    /* the first of them (file names outlive the run) */
	uint64_t line;
};

void txn_latest_add(struct txn_latest *l, int32_t day, const char *file, uint64_t line);
/* Whether the latest date is more than a year (366 days) after every
 * other row's. */
int txn_latest_is_outlier(const struct txn_latest *l);

struct txn_data {
	loyal_txn *acc;
	struct cli_groups groups;  /* --by values, interned (period index 0) */
	int has_amount;
	int as_of_known;           /* --as-of, or a row dated within the window */
	uint64_t files, rows, skipped[TXN_SKIP__COUNT];
	uint64_t holdout_rows;     /* rows added dated after as-of (with a holdout) */
	const char *enc_guess;     /* --skip-invalid: likely encoding of text that
	                            * was not UTF-8, for one hint at the end */
	struct txn_latest latest;  /* of the rows within --from/--to */
	loyal_txn_stats lib;       /* after the accumulator is finished */
	loyal_txn_days *days;      /* with o->need_days: the same rows per day */
	int cached;                /* borrowed from the shell's cache: not freed */
};

/* Read every input, validate and classify each row, accumulate the used
 * ones, then finish the accumulator at --as-of (default: the last date of
 * the rows within --from/--to), or at the end of the holdout period when
 * o->has_holdout. Prints the summary line (unless -q) and fails with 65
 * when no customer made a purchase. Returns 0 or an exit status;
 * txn_data_dispose() is needed in both cases. */
int txn_load(struct txn_data *d, struct cli_common *c, struct txn_opts *o,
	     char **files, int nfiles);
void txn_data_dispose(struct txn_data *d);

/* ---- loyal shell: loaded inputs kept between commands ------------------ */

/* Keep the accumulators of up to n loads (0, the default: none) of files
 * held in memory by the shell (cli_loaded), so that the next command with
 * the same files and the same input options (columns, dates, --by, --from,
 * --to, --as-of, --returns...) takes them instead of reading again. A
 * load that reported invalid rows is not kept (its warnings would be
 * missing next time). txn_cache_clear() frees them all. */
void txn_cache_keep(size_t n);
void txn_cache_clear(void);

/* A permutation of n result rows (given their group ids, already in
 * (group id, period) order) that orders them by the --by values, keeping
 * the period order within a group. Caller frees; NULL when out of memory. */
size_t *txn_order_rows(const struct txn_data *d, const uint32_t *group_of_row, size_t n);

/* Output helpers: the --by columns, and their values for group id (see
 * cli_group_columns / cli_group_values); period key text into buf. */
size_t txn_group_columns(struct cli_column *cols, const struct txn_data *d);
size_t txn_group_values(struct cli_value *vals, struct txn_data *d, uint32_t group);
/* The key columns that open a grouped row: the --by values of `group`,
 * then, unless `period` is LOYAL_PERIOD_NONE, the period key of `index`
 * (written into buf, which must live until the row is written). The number
 * of values, or SIZE_MAX when out of memory (not yet reported). */
size_t txn_row_keys(struct cli_value *vals, struct txn_data *d, uint32_t group,
		    loyal_period period, int64_t index, char *buf, size_t size);
void txn_period_key(char *buf, size_t size, loyal_period p, int64_t index);
/* A double that may be NaN (undefined) as an output value. */
struct cli_value txn_num(double v);

#endif
