#ifndef LOYAL_REPORT_H
#define LOYAL_REPORT_H

/*
 * `loyal report` (cmd/report.c: options and the page; cmd/report_data.c:
 * the figures). The figures are computed first, by the library calls and
 * input loops of the subcommands (survey.h, txn_input.h, model_input.h),
 * then the page is written from them. The definitions are in
 * loyal-report(1) and the man pages of the subcommands.
 */

#include "html.h"
#include "model_input.h"
#include "survey.h"

#define REPORT_KEY 32

/* Why a section has nothing to show. */
enum report_state {
	REPORT_OK = 0,
	REPORT_NOT_GIVEN,   /* its input was not given */
	REPORT_NO_COLUMN,   /* the input has no column for it */
	REPORT_NO_DATA,     /* nothing to compute from */
	REPORT_ONE_PERIOD,  /* every purchase in one period */
	REPORT_TOO_LONG,    /* more periods than the page's bound */
	REPORT_NO_AMOUNTS,  /* needs amounts */
	REPORT_MODEL_FAILED,
	REPORT_STDIN_ONCE,  /* orders from standard input: no second reading */
	REPORT_NO_DATES     /* the survey has no date column: no periods */
};

struct report_opts {
	const char *survey_path, *orders_path;
	struct cli_common cs, co; /* survey and order input options */
	struct txn_opts t;
	struct model_opts mo;
	const char *score_col, *csat_col, *scale, *labels_arg;
	uint64_t top, inactive_days;
	enum html_lang lang;
};

struct report_nps_point {
	char key[REPORT_KEY];
	loyal_nps_result r;
	int has_change;
	double change;
	int significant; /* -1: not tested */
};

struct report_csat_point {
	char key[REPORT_KEY];
	loyal_csat_result r;
	int ok; /* has answers */
};

struct report_survey {
	enum report_state nps_state, csat_state;
	/* no date column (and none named, no --from/--to): the figures are of
	 * every answer, one "period" */
	int undated;
	/* NPS per period (all --by groups together), oldest first */
	struct report_nps_point *trend;
	size_t ntrend;
	/* NPS per --by group (all periods together), or one row "all" */
	char **group;
	loyal_nps_result *group_r;
	size_t ngroups;
	struct survey_stats nps_st, csat_st;
	int nps_ran, csat_ran;
	/* CSAT per period, and every answer */
	struct report_csat_point *csat;
	size_t ncsat;
	loyal_csat csat_all;
	int lo, hi;
};

struct report_call {
	const char *id; /* borrowed from the accumulator */
	int32_t last_day;
	uint64_t purchases;
	double spend, p_alive, at_risk;
};

struct report_orders {
	struct txn_data d;   /* occasions as the transaction commands count them */
	struct txn_data dd;  /* day occasions for the model, when d's are orders */
	int dd_loaded;
	int32_t as_of;
	enum report_state rep_state, ret_state, coh_state, inact_state, model_state;
	uint64_t span;       /* periods from the first purchase to the as-of */
	loyal_txn_repurchase_row rep;
	loyal_txn_retention_row *ret;
	size_t nret;
	size_t kpi_row;      /* the latest whole period of ret (or the last) */
	loyal_txn_cohort_row *coh;
	size_t ncoh;
	loyal_txn_inactive_row inact;
	/* the churn model */
	int model_kind;
	size_t ncust;
	double *p_alive;
	struct report_call *calls;
	size_t ncalls;
	int has_amount;
	/* RFM segments and value tiers at the as-of date, as loyal segment
	 * --summary and loyal tiers --summary compute them (their defaults) */
	enum report_state seg_state;
	loyal_txn_window *w;
	loyal_measures m;
	loyal_rfm *rfm;
	loyal_tiers *tiers;
};

/* Compute the survey figures; returns 0 or an exit status after a message. */
int report_survey_load(struct report_survey *s, struct report_opts *o);
void report_survey_dispose(struct report_survey *s);
/* Compute the order figures; returns 0 or an exit status after a message.
 * report_orders_dispose() is needed in both cases. */
int report_orders_load(struct report_orders *r, struct report_opts *o);
void report_orders_dispose(struct report_orders *r);

#endif
