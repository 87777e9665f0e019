#ifndef LOYAL_LOYALTY_H
#define LOYAL_LOYALTY_H

#include "common.h"
#include "idmatch.h"
#include "nps.h"
#include "ztest.h"

/*
 * Attitude meets behaviour: survey answers joined to purchase histories.
 * loyal-loyalty(1) states every definition for users; in short, for one
 * customer with a satisfaction answer s on the scale lo..hi and a 0-10
 * likelihood to recommend r (either may be missing, not both):
 *
 *  - referral: very likely (r 9-10), possible (7-8), unlikely (0-6);
 *  - repeat: two or more purchase occasions;
 *  - repurchase band of p = P(at least one purchase in the horizon):
 *    high (p > 0.7), mid (0.3 <= p <= 0.7), low (p < 0.3);
 *  - attitude high: a promoter (r 9-10); without r, s in the top two boxes
 *    of its scale (4-5 on 1-5);
 *  - behaviour high: repeat;
 *  - quadrant (Dick & Basu 1994): true (attitude and behaviour high),
 *    latent (attitude high only), spurious (behaviour high only), none;
 *  - index: the mean of the components present among
 *      100 (s - lo) / (hi - lo)   (= (s - 1) x 25 on 1-5),
 *      100 p,
 *      10 r.
 *
 * A respondent without a purchase in the orders has no behaviour: repeat
 * is 0 and band, behaviour, quadrant and index are undefined (-1, NaN).
 */
enum { LOYAL_REFERRAL_UNLIKELY = 0, LOYAL_REFERRAL_POSSIBLE = 1, LOYAL_REFERRAL_VERY_LIKELY = 2 };
enum { LOYAL_BAND_LOW = 0, LOYAL_BAND_MID = 1, LOYAL_BAND_HIGH = 2 };
enum { LOYAL_QUADRANT_TRUE = 0, LOYAL_QUADRANT_LATENT = 1, LOYAL_QUADRANT_SPURIOUS = 2,
       LOYAL_QUADRANT_NONE = 3 };

typedef struct {
	int lo, hi;           /* satisfaction scale (1-5 usually) */
	int satisfaction;     /* a point lo..hi, or -1 */
	int recommend;        /* 0-10, or -1 */
	uint64_t purchases;   /* purchase occasions; 0: not in the orders */
	double p_repurchase;  /* 0-1, read when purchases > 0 */
} loyal_loyalty_input;

typedef struct {
	int version; /* set by the caller: LOYAL_LOYALTY_RESULT_INIT (see libloyal(3), Versions) */
	int referral;         /* LOYAL_REFERRAL_*, -1 without r */
	int repeat;           /* 1 or 0 */
	int band;             /* LOYAL_BAND_*, -1 without purchases */
	int attitude;         /* 1 high, 0 low */
	int behaviour;        /* 1 high, 0 low, -1 without purchases */
	int quadrant;         /* LOYAL_QUADRANT_*, -1 without purchases */
	int dissatisfied;     /* s in the bottom two boxes of its scale */
	int detractor;        /* r 0-6 */
	double index;         /* 0-100; NaN without purchases */
} loyal_loyalty_result;

#define LOYAL_LOYALTY_RESULT_VERSION 1
#define LOYAL_LOYALTY_RESULT_INIT { .version = LOYAL_LOYALTY_RESULT_VERSION }

/* Classify one customer. Returns 0, or LOYAL_EINVAL (a scale of fewer than
 * 3 points, s or r off their scale, neither given, p outside 0-1 or NaN
 * with purchases). */
LOYAL_EXTERN(int) loyal_loyalty_classify(loyal_loyalty_result *out, const loyal_loyalty_input *in);

/* Names for output: "very likely", "high", "true", ... (NULL for -1). */
LOYAL_EXTERN(const char *) loyal_loyalty_referral_name(int referral);
LOYAL_EXTERN(const char *) loyal_loyalty_band_name(int band);
LOYAL_EXTERN(const char *) loyal_loyalty_quadrant_name(int quadrant);

/* ---- the join ----------------------------------------------------------- */

/*
 * An accumulator joining survey answers to customers. Add every customer of
 * the orders with its behaviour (loyal_loyalty_add_customer), then every
 * answer (loyal_loyalty_add_answer), whose customer id is matched by the
 * rules of idmatch.h. Each respondent (a matched customer, or else the
 * normal form of the id: see loyal_idmatch_normalize) keeps its latest
 * answer: the latest day, and on a tie (or without dates) the answer added
 * last. With all_answers every answer is kept as its own row.
 */
typedef struct loyal_loyalty loyal_loyalty;

typedef struct {
	int version;
	int lo, hi;        /* the satisfaction scale */
	int all_answers;   /* 1: a row per answer instead of per respondent */
} loyal_loyalty_options;

#define LOYAL_LOYALTY_OPTIONS_VERSION 1
#define LOYAL_LOYALTY_OPTIONS_INIT { LOYAL_LOYALTY_OPTIONS_VERSION, 1, 5, 0 }

/* The behaviour of one customer of the orders. */
typedef struct {
	uint64_t purchases;    /* purchase occasions, >= 1 */
	double p_repurchase;   /* P(at least one purchase in the horizon) */
	double churn;          /* 1 - P(alive) */
	double spend;          /* net spend, NaN without amounts */
	int32_t last_purchase; /* day number */
} loyal_loyalty_behaviour;

/* No date on an answer. */
#define LOYAL_LOYALTY_NO_DAY INT32_MIN

/* An empty accumulator (opts NULL: the defaults). Returns 0, LOYAL_EINVAL
 * or LOYAL_ENOMEM. */
LOYAL_EXTERN(int) loyal_loyalty_new(loyal_loyalty **out, const loyal_loyalty_options *opts);
LOYAL_EXTERN(void) loyal_loyalty_free(loyal_loyalty *l);

/* Add customer id[0..len) (copied) with its behaviour; before any answer.
 * Returns 0, LOYAL_EINVAL (an id added twice, answers already added, bad
 * values) or LOYAL_ENOMEM. */
LOYAL_EXTERN(int) loyal_loyalty_add_customer(loyal_loyalty *l, const char *id, size_t len,
					     const loyal_loyalty_behaviour *b);

/* A satisfaction answer whose point is not known yet (满意, whose point
 * depends on the column's scale: see csat.h); give it with
 * loyal_loyalty_resolve() once every answer has been added. */
#define LOYAL_LOYALTY_PENDING (-2)

/* Add one answer of id[0..len) (copied) dated `day` (or LOYAL_LOYALTY_NO_DAY)
 * with a satisfaction point (or LOYAL_LOYALTY_PENDING) and a 0-10
 * recommendation (-1 when blank; not both). An id that is blank once trimmed is LOYAL_EVALUE. *rule (may be
 * NULL) receives the rule that matched the id. Returns 0, LOYAL_EVALUE,
 * LOYAL_EINVAL or LOYAL_ENOMEM. */
LOYAL_EXTERN(int) loyal_loyalty_add_answer(loyal_loyalty *l, const char *id, size_t len,
					   int32_t day, int satisfaction, int recommend,
					   loyal_idmatch_rule *rule);

/* Give the pending satisfaction answers the point `point` (lo..hi).
 * Returns 0, or LOYAL_EINVAL (a point off the scale while answers are
 * pending). Rows cannot be read while answers are pending. */
LOYAL_EXTERN(int) loyal_loyalty_resolve(loyal_loyalty *l, int point);

typedef struct {
	int version; /* set by the caller: LOYAL_LOYALTY_STATS_INIT (see libloyal(3), Versions) */
	uint64_t answers;              /* answers added */
	uint64_t by_rule[5];           /* answers per loyal_idmatch_rule */
	uint64_t respondents;          /* distinct respondents */
	uint64_t respondents_without_purchases;
	uint64_t customers;            /* customers added */
	uint64_t customers_without_answers;
} loyal_loyalty_stats;

#define LOYAL_LOYALTY_STATS_VERSION 1
#define LOYAL_LOYALTY_STATS_INIT { .version = LOYAL_LOYALTY_STATS_VERSION }

LOYAL_EXTERN(int) loyal_loyalty_get_stats(loyal_loyalty_stats *out, const loyal_loyalty *l);

/* One result row: a respondent (or an answer with all_answers). */
typedef struct {
	int version; /* set by the caller: LOYAL_LOYALTY_ROW_INIT (see libloyal(3), Versions) */
	const char *customer;    /* the orders' id when matched, else the id as
	                          * first written; borrowed until free */
	loyal_idmatch_rule rule; /* how the (latest) answer's id matched */
	int32_t answer_day;      /* or LOYAL_LOYALTY_NO_DAY */
	loyal_loyalty_input in;
	loyal_loyalty_result out;
	int matched;             /* a customer of the orders */
	double churn, spend;     /* NaN when not matched (spend: or no amounts) */
	double value_at_risk;    /* spend x churn; NaN when either is */
	int32_t last_purchase;   /* when matched */
} loyal_loyalty_row;

#define LOYAL_LOYALTY_ROW_VERSION 1
#define LOYAL_LOYALTY_ROW_INIT { .version = LOYAL_LOYALTY_ROW_VERSION }

/* Number of rows: respondents in the order of their first answer (or
 * every answer in order with all_answers). */
LOYAL_EXTERN(size_t) loyal_loyalty_count(const loyal_loyalty *l);

/* Row i. Returns 0 or LOYAL_EINVAL. */
LOYAL_EXTERN(int) loyal_loyalty_get(loyal_loyalty_row *out, const loyal_loyalty *l, size_t i);

/* The loyalty matrix over the rows of matched customers. */
typedef struct {
	int version; /* set by the caller: LOYAL_LOYALTY_MATRIX_INIT (see libloyal(3), Versions) */
	uint64_t customers[4];   /* per LOYAL_QUADRANT_* */
	double share[4];         /* 100 x customers / total */
	double spend[4];         /* sum of net spend, rounded to the micro-unit;
	                          * NaN without amounts */
	double spend_share[4];   /* 100 x spend / total spend; NaN when the total is not > 0 */
	uint64_t total;
	double total_spend;      /* NaN without amounts */
	/* attitude by behaviour: [0] repeat buyers, [1] one-time buyers */
	uint64_t buyers[2];
	loyal_nps nps[2];        /* their recommendations */
	uint64_t csat_responses[2], csat_satisfied[2]; /* top two boxes */
	double csat_mean[2];     /* mean satisfaction point; NaN without answers */
} loyal_loyalty_matrix;

#define LOYAL_LOYALTY_MATRIX_VERSION 1
#define LOYAL_LOYALTY_MATRIX_INIT { .version = LOYAL_LOYALTY_MATRIX_VERSION }

/* Compute the matrix. Returns 0, LOYAL_EINVAL (all_answers) or
 * LOYAL_ENODATA (no respondent is a customer of the orders). */
LOYAL_EXTERN(int) loyal_loyalty_matrix_compute(loyal_loyalty_matrix *out, const loyal_loyalty *l);

/* The follow-up list: rows of detractors or dissatisfied respondents,
 * sorted by value at risk, highest first (NaN last), ties in row order.
 * *order (caller frees; NULL when *n is 0) holds row numbers. Returns 0,
 * LOYAL_EINVAL or LOYAL_ENOMEM. */
LOYAL_EXTERN(int) loyal_loyalty_followup(size_t **order, size_t *n, const loyal_loyalty *l);

#endif
