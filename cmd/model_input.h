#ifndef LOYAL_MODEL_INPUT_H
#define LOYAL_MODEL_INPUT_H

#include "txn_input.h"

/*
 * Shared by the model commands (churn, clv): the time unit, the BG/NBD
 * statistics of the calibration customers, the fit and its failures, and
 * the parameter rows of --params. The definitions are in loyal-churn(1).
 */

struct model_opts {
	const char *unit_name;
	const char *max_iterations_text;

	/* resolved by model_opts_finish() */
	const char *unit;       /* "day", "week" or "month" */
	double unit_days;       /* 1, 7 or 30 */
	int max_iterations;
};

#define MODEL_OPTS(m) \
	CLI_OPT_STRING(0, "unit", "UNIT", &(m)->unit_name, \
		       "time unit: day, week (7 days, default) or month (30 days)"), \
	CLI_OPT_STRING(0, "max-iterations", "N", &(m)->max_iterations_text, \
		       "give up a fit after N quasi-Newton iterations (default 200)")

/* Validate --unit and --max-iterations; returns CLI_CONTINUE or 64 after a
 * usage message. */
int model_opts_finish(const struct cli_command_info *info, struct model_opts *m);

/* The calibration customers (first purchase on or before the cut) and
 * their BG/NBD statistics in the unit. Arrays of n elements. */
struct model_customers {
	size_t n;
	size_t *index;          /* customer number in the accumulator */
	double *x, *t_x, *T;    /* repeat purchases; times in the unit */
	uint64_t *holdout;      /* purchases after the cut (holdout period) */
	int32_t first_day, last_first_day; /* earliest and latest first purchase */
};

/* Fill *m from the finished accumulator, splitting each customer's history
 * at day `cut` (the as-of day). Returns 0 or an exit status after a
 * message; model_customers_dispose() is needed in both cases. */
int model_customers_load(struct model_customers *m, const loyal_txn *acc, int32_t cut,
			 double unit_days);
void model_customers_dispose(struct model_customers *m);

/* Fit the BG/NBD model to m. Returns 0, or an exit status (65 for too
 * little data or a fit that fails or does not converge) after a message
 * that says why, with the last point reached for a failed fit. */
int model_fit_bgnbd(loyal_bgnbd_params *p, const struct model_customers *m,
		    const struct model_opts *mo);

/* Fit the Gamma-Gamma model to d, with the same failures as
 * model_fit_bgnbd(); a fit whose population mean spend does not exist
 * (q <= 1) is a failure too. */
int model_fit_gg(loyal_gg_params *p, const loyal_gg_data *d, const struct model_opts *mo);

/* Sort key for --sort: a permutation of n items by key, largest first,
 * ties in item order. Returns NULL when out of memory (after a message). */
size_t *model_order(const double *key, size_t n);

/* Parse --top N (a whole number >= 1); returns 0 or 64 after a message. */
int model_parse_top(const struct cli_command_info *info, uint64_t *out, const char *text);

/* The --params rows. With gg NULL: one BG/NBD row; otherwise a BG/NBD row
 * and a Gamma-Gamma row with the columns of both. cols must hold 24. */
size_t model_params_columns(struct cli_column *cols, int with_gg);
int model_params_write(struct cli_out *out, const loyal_bgnbd_params *bg,
		       const loyal_gg_params *gg, const struct model_opts *mo);

#endif
