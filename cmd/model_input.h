#ifndef LOYAL_MODEL_INPUT_H
#define LOYAL_MODEL_INPUT_H

#include "parallel.h"
#include "txn_input.h"

/*
 * Shared by the model commands (churn, clv): the model and time unit
 * options, the purchase statistics of the calibration customers, fitting
 * one model or choosing among all three (--model auto), their predictions
 * behind one interface, the warnings about a doubtful fit, and the rows of
 * --params. The definitions are in loyal-churn(1).
 */

enum model_kind { MODEL_BGNBD = 0, MODEL_MBGNBD, MODEL_PNBD, MODEL_NKINDS };
#define MODEL_AUTO MODEL_NKINDS

struct model_opts {
	const char *unit_name;
	const char *max_iterations_text;
	const char *model_name;
	const char *penalty_text;
	int pooled;

	/* resolved by model_opts_finish() */
	const char *unit;       /* "day", "week" or "month" */
	double unit_days;       /* 1, 7 or 30 */
	int max_iterations;
	int model;              /* an enum model_kind, or MODEL_AUTO */
	double penalty;         /* 0: none */
	int quiet;              /* -q: no notes or warnings on standard error */
	size_t threads;         /* -j: for grouping and fitting a million customers */
};

#define MODEL_MAX_THREADS 8

#define MODEL_OPTS(m) \
	CLI_OPT_GROUP("Model"), \
	CLI_OPT_STRING(0, "model", "M", &(m)->model_name, \
		       "bgnbd (default), mbgnbd, pnbd, or auto: fit all three and choose"), \
	CLI_OPT_STRING(0, "penalty", "L", &(m)->penalty_text, \
		       "L2 penalty L on the log-parameters (default 0: none)"), \
	CLI_OPT_STRING(0, "unit", "UNIT", &(m)->unit_name, \
		       "time unit: day, week (7 days, default) or month (30 days)"), \
	CLI_OPT_STRING(0, "max-iterations", "N", &(m)->max_iterations_text, \
		       "give up a fit after N quasi-Newton iterations (default 200)")

/* --by, --pooled, --from and --to of the model commands. */
#define MODEL_OPTS_BY(c, m) \
	CLI_OPT_GROUP("Grouping"), \
	CLI_OPT_LIST(0, "by", "COL", &(c)->by, \
		     "fit each group of customers by COL at first purchase (repeatable)"), \
	CLI_OPT_FLAG(0, "pooled", &(m)->pooled, \
		     "with --by: one fit for all customers, results summed per group"), \
	CLI_OPT_STRING(0, "from", "DATE", &(c)->from, "ignore rows dated before DATE"), \
	CLI_OPT_STRING(0, "to", "DATE", &(c)->to, "ignore rows dated after DATE")

/* Validate the model options; returns CLI_CONTINUE or 64 after a usage
 * message. */
int model_opts_finish(const struct cli_command_info *info, struct model_opts *m,
		      const struct cli_common *c);

/* Short and long names: "pnbd" and "Pareto/NBD". */
const char *model_key(int kind);
const char *model_title(int kind);

/* The calibration customers (first purchase on or before the cut) and
 * their statistics in the unit. Arrays of n elements. */
struct model_customers {
	size_t n;
	size_t *index;          /* customer number in the accumulator */
	uint32_t *group;        /* their --by group (0 without --by) */
	int32_t *first;         /* day of their first purchase */
	double *x, *t_x, *T;    /* repeat purchases; times in the unit */
	uint64_t *holdout;      /* purchases after the cut (holdout period) */
	int32_t first_day, last_first_day; /* earliest and latest first purchase */
};

/* Fill *m from the finished accumulator, splitting each customer's history
 * at day `cut` (the as-of day), on up to `threads` threads for many
 * customers. Returns 0 or an exit status after a message;
 * model_customers_dispose() is needed in both cases. */
int model_customers_load(struct model_customers *m, const loyal_txn *acc, int32_t cut,
			 double unit_days, size_t threads);
/* The customers of `from` in group g (all of them when all is set), in
 * their order. Returns 0 or an exit status. */
int model_customers_subset(struct model_customers *m, const struct model_customers *from,
			   uint32_t g, int all);
void model_customers_dispose(struct model_customers *m);


/* One fitted model. */
struct model_fit {
	int kind;
	int fitted;             /* 1 when the fit succeeded */
	loyal_bgnbd_params bg;  /* BG/NBD and MBG/NBD */
	loyal_pnbd_params pn;   /* Pareto/NBD */
	double bic;             /* 4 ln(customers) - 2 log_likelihood */
};

/* The models fitted to one set of customers and the one chosen. */
struct model_set {
	struct model_fit fit[MODEL_NKINDS];
	int tried[MODEL_NKINDS];
	int chosen;             /* kind, or -1 */
	const char *chosen_by;  /* "--model", "BIC", "holdout RMSE" */
};

/* The fit units: with --by (and not --pooled) each group of calibration
 * customers in the order of their --by values, otherwise everyone as one
 * unit. A unit's label names it in messages ("" for everyone). */
struct model_unit {
	struct model_customers m;
	uint32_t group;
	int all;               /* everyone: m is borrowed (see model_units_make) */
	char label[256];
	struct model_set set;
};

/* Split m into units (see above); *units is the caller's to free with
 * model_units_free(). The unit of everyone (all set) borrows m's arrays:
 * free the units before m. Returns 0 or an exit status. */
int model_units_make(struct model_unit **units, size_t *n, const struct model_customers *m,
		     struct txn_data *d, int by_group);
void model_units_free(struct model_unit *units, size_t n);

/*
 * Fit --model (or all three for auto) to the customers of m. `label` names
 * the customers in messages ("" for all of them, or "group Country=EIRE: ").
 * A single model that cannot be fitted is an error (65) with the reason,
 * the last point reached and a hint; with auto, a model that cannot be
 * fitted is reported (unless quiet) and the others are used, and it is an
 * error only when none can be. Chooses by BIC. Returns 0 or an exit status.
 */
int model_fit_set(struct model_set *s, const struct model_customers *m,
		  const struct model_opts *mo, const char *label);

/*
 * model_fit_set() on every customer of the finished accumulator acc who
 * bought by day `cut`, without their (x, t_x, T) copied out: each thread
 * groups its range of customers straight from acc. For output that needs
 * only the fit (--params without --by or a holdout). *n receives the
 * number of customers (0: nothing was fitted, and no message was given).
 * The same fit, to the last bit, as model_customers_load() then
 * model_fit_set(). Returns 0 or an exit status after a message.
 */
int model_fit_all(struct model_set *s, size_t *n, const loyal_txn *acc, int32_t cut,
		  const struct model_opts *mo);

/* The chosen model of a set. */
const struct model_fit *model_chosen(const struct model_set *s);

/* Predictions of a fitted model, as the library functions of its kind. */
int model_score(const struct model_fit *f, double t, size_t n, const double *x,
		const double *t_x, const double *T, double *p_alive, double *expected);
double model_p_no_purchase(const struct model_fit *f, double t, double x, double t_x, double T);
int model_cumulative(const struct model_fit *f, size_t nk, const double *s, const double *count,
		     size_t nt, const double *t, double *out);
double model_log_likelihood(const struct model_fit *f);
/* Mean probability of dropping out at (BG/NBD, MBG/NBD) or before (Pareto/NBD)
 * a purchase. */
double model_dropout_per_purchase(const struct model_fit *f);

/* Warn (stderr, unless quiet) when the fit says customers almost never
 * drop out, or a standard error exceeds its parameter. */
void model_warn_doubtful(const struct model_fit *f, const struct model_opts *mo,
			 const char *label);
/* Say which model --model auto chose and why (unless quiet). */
void model_note_choice(const struct model_set *s, const struct model_opts *mo,
		       const char *label);

/* Fit the Gamma-Gamma model to d: returns 0, or an exit status (65 for too
 * little data or a fit that fails or does not converge) after a message;
 * a fit whose population mean spend does not exist (q <= 1) is a failure
 * too. */
int model_fit_gg(loyal_gg_params *p, const loyal_gg_data *d, const struct model_opts *mo,
		 const char *label);

/* Sort key for --sort: a permutation of n items by key, largest first,
 * ties in item order. Returns NULL when out of memory (after a message). */
size_t *model_order(const double *key, size_t n);

/* Parse --top N (a whole number >= 1); returns 0 or 64 after a message. */
int model_parse_top(const struct cli_command_info *info, uint64_t *out, const char *text);

/* ---- --params ----------------------------------------------------------- */

#define MODEL_PARAMS_MAX_COLS (CLI_LIST_MAX + 32)

/* The --params columns after ncols_by --by columns already in cols: the
 * models' parameters, and the Gamma-Gamma ones with_gg. Returns the total. */
size_t model_params_columns(struct cli_column *cols, size_t ncols_by, int with_gg);
/* One row per fitted model of s (the chosen one marked), after the nby
 * --by values already in vals; then a Gamma-Gamma row when gg is not NULL. */
int model_params_write(struct cli_out *out, struct cli_value *vals, size_t nby,
		       const struct model_set *s, const loyal_gg_params *gg,
		       const struct model_opts *mo);
/* The same rows one at a time, for a result table (result.h): their count,
 * and the values of row `row` (< that count) after the nby --by values. */
size_t model_params_count(const struct model_set *s, int with_gg);
void model_params_values(struct cli_value *vals, size_t nby, size_t row,
			 const struct model_set *s, const loyal_gg_params *gg,
			 const struct model_opts *mo);

#endif
