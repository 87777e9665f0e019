#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli_file.h"
#include "cli_prefix.h"
#include "model_input.h"
#include "result.h"
#include "survey.h"
#include "partial.h"
#include "txn_partial.h"

static const struct cli_command_info info = {
	"loyalty",
	"loyal loyalty [options] --survey SURVEY.csv --orders ORDERS.csv",
	"Attitude meets behaviour: each respondent's latest survey answer joined to\n"
	"their orders by customer id. Per customer: satisfaction, likelihood to\n"
	"recommend and its referral band, purchases, the probability of buying again\n"
	"within --horizon (churn model) and its band, attitude, behaviour, the\n"
	"Dick & Basu quadrant (true, latent, spurious, none) and the loyalty index.\n"
	"--matrix prints the quadrants and the NPS and CSAT of repeat against\n"
	"one-time buyers with a z test; --followup the detractors and dissatisfied\n"
	"customers by value at risk. Input options come with a --survey- and an\n"
	"--orders- prefix.",
};

/* The survey columns, and the 满意 tally of the satisfaction column. */
struct survey_in {
	const char *customer_col, *score_col, *csat_col, *scale, *labels_arg;
	int skip_invalid;
	int lo, hi;
	loyal_csat_labels *labels;
	loyal_csat tally;         /* every satisfaction answer, for 满意's scale */
	uint64_t nps_counts[11];  /* every recommendation, for the 1-5 check */
	char *csat_name, *nps_name;
	/* of the file being read */
	size_t k_nps, k_csat;     /* answer column numbers, SIZE_MAX when absent */
	size_t ncols;
	int has_nps, has_csat;    /* fixed by the first file */
	int files_seen;
};

struct run {
	struct cli_common c;      /* output */
	struct cli_common sc;     /* the survey files */
	struct cli_common oc;     /* the orders files */
	struct txn_opts t;
	struct txn_data d;
	struct model_opts mo;
	struct model_customers all;
	struct model_set set;
	struct survey_in sv;
	struct cli_list surveys, orders;
	const char *answers_name, *horizon_text, *top_text;
	int matrix, followup, all_answers;
	double horizon;
	uint64_t top;
	loyal_loyalty *L;
	struct survey_stats st;
	uint64_t no_id;           /* used answers without a customer id */
	int has_dates;            /* every survey file has a date column */
	/* the result (result.h) */
	loyal_loyalty_matrix m;   /* --matrix */
	size_t *followup_order;   /* --followup: customers by value at risk */
	char day1[32], day2[32];
	/* --partial and --from-partial: the answers, in the order read, kept
	 * until the orders' customers are known (loyal-loyalty(1), PARTIAL STATES) */
	int collect, states;
	struct kept_answer { size_t id_off, id_len; int32_t day; int sat, rec; } *kept;
	size_t nkept, kept_cap;
	char *ids;
	size_t ids_len, ids_cap;
};

/* ---- the orders and the model ------------------------------------------- */

static int load_orders(struct run *R, char **files, int nfiles)
{
	double *pa = NULL, *ey = NULL;
	int rc, error;

	if ((rc = txn_load(&R->d, &R->oc, &R->t, files, nfiles)) != 0)
		return rc;
	int32_t as_of = loyal_txn_as_of(R->d.acc);
	if ((rc = model_customers_load(&R->all, R->d.acc, as_of, R->mo.unit_days, R->mo.threads)) != 0)
		return rc;
	if ((rc = model_fit_set(&R->set, &R->all, &R->mo, "")) != 0)
		return rc;
	model_note_choice(&R->set, &R->mo, "");
	model_warn_doubtful(model_chosen(&R->set), &R->mo, "");
	if (R->mo.penalty > 0 && !R->c.quiet)
		cli_error("note: fitted with --penalty %g (an L2 penalty on the log-parameters): "
			  "the estimates are shrunk towards 1 and are not maximum likelihood",
			  R->mo.penalty);
	const struct model_fit *f = model_chosen(&R->set);
	const struct model_customers *m = &R->all;
	size_t cap = m->n ? m->n : 1;
	if (!(pa = malloc(cap * sizeof(*pa))) || !(ey = malloc(cap * sizeof(*ey)))) {
		rc = cli_oom();
		goto done;
	}
	if ((error = model_score(f, R->horizon, m->n, m->x, m->t_x, m->T, pa, ey)) < 0) {
		rc = cli_lib_error(error);
		goto done;
	}
	for (size_t i = 0; i < m->n; i++) {
		loyal_txn_customer cu = LOYAL_TXN_CUSTOMER_INIT;
		loyal_loyalty_behaviour b;
		if ((error = loyal_txn_customer_get(&cu, R->d.acc, m->index[i])) < 0) {
			rc = cli_lib_error(error);
			goto done;
		}
		double none = model_p_no_purchase(f, R->horizon, m->x[i], m->t_x[i], m->T[i]);
		if (!isfinite(pa[i]) || !isfinite(none)) {
			cli_error("internal error: no score for customer '%s'", cu.id);
			rc = CLI_EXIT_SOFTWARE;
			goto done;
		}
		b.purchases = cu.occasions;
		b.p_repurchase = fmin(1.0, fmax(0.0, 1.0 - none));
		b.churn = 1.0 - pa[i];
		b.spend = R->d.has_amount ? (double)cu.spend / 1e6 : NAN;
		b.last_purchase = cu.last_day;
		if ((error = loyal_loyalty_add_customer(R->L, cu.id, cu.id_len, &b)) < 0) {
			rc = cli_lib_error(error);
			goto done;
		}
	}
done:
	free(pa);
	free(ey);
	return rc;
}

/* ---- the survey --------------------------------------------------------- */

static int sv_parse(void *vctx, size_t k, const char *text, size_t len, int *value)
{
	struct survey_in *sv = vctx;

	if (k == sv->k_nps)
		return loyal_nps_parse(value, text, len);
	return loyal_csat_read(value, &sv->tally, sv->labels, text, len);
}

static int keep_name(char **name, loyal_reader *r, size_t col)
{
	if (!*name && !(*name = strdup(loyal_reader_column_name(r, col))))
		return cli_oom();
	return 0;
}

/* Find the survey columns of one file: customer (required), date, NPS and
 * satisfaction (at least one; the first file decides which). */
static int resolve(struct run *R, struct cli_source *s, size_t *ccol, size_t *cols)
{
	struct survey_in *sv = &R->sv;
	const loyal_error_info *e;
	size_t col;
	int error;

	error = loyal_reader_find_column(ccol, s->r, "customer", sv->customer_col,
					 loyal_role_aliases(LOYAL_ROLE_CUSTOMER));
	if (error < 0) {
		int st = cli_lib_error(error);
		if (!sv->customer_col)
			fprintf(stderr, "hint: name the column with --survey-customer-col\n");
		return st;
	}
	/* The date is optional: without it the answer read last is the latest. */
	error = loyal_reader_find_column(&s->date_col, s->r, "date", R->sc.date_col,
					 loyal_role_aliases(LOYAL_ROLE_DATE));
	if (error < 0) {
		e = loyal_error_last();
		if (R->sc.date_col || !e || e->line != 0)
			return cli_lib_error(error);
		s->date_col = SIZE_MAX;
	}
	if (sv->files_seen == 0)
		R->has_dates = s->date_col != SIZE_MAX;
	else if (R->has_dates != (s->date_col != SIZE_MAX))
		R->has_dates = 0;
	sv->ncols = 0;
	sv->k_nps = sv->k_csat = SIZE_MAX;
	const struct {
		const char *given, *role;
		loyal_role which;
		int *has;
		size_t *k;
		char **name;
	} want[2] = {
		{ sv->score_col, "NPS score", LOYAL_ROLE_NPS, &sv->has_nps, &sv->k_nps, &sv->nps_name },
		{ sv->csat_col, "satisfaction", LOYAL_ROLE_CSAT, &sv->has_csat, &sv->k_csat,
		  &sv->csat_name },
	};
	for (int w = 0; w < 2; w++) {
		error = loyal_reader_find_column(&col, s->r, want[w].role, want[w].given,
						 loyal_role_aliases(want[w].which));
		if (error < 0) {
			e = loyal_error_last();
			if (want[w].given || !e || e->line != 0 || (sv->files_seen && *want[w].has))
				return cli_lib_error(error);
			if (!sv->files_seen)
				*want[w].has = 0;
			continue;
		}
		if (!sv->files_seen)
			*want[w].has = 1;
		else if (!*want[w].has)
			continue; /* the first file had none: not read */
		*want[w].k = sv->ncols;
		cols[sv->ncols++] = col;
		if (keep_name(want[w].name, s->r, col))
			return CLI_EXIT_OSERR;
	}
	/* One column found for both (a header both lists hold, such as
	 * "rating"): it is the one named, or else the likelihood to recommend. */
	if (sv->k_nps != SIZE_MAX && sv->k_csat != SIZE_MAX && cols[sv->k_nps] == cols[sv->k_csat]) {
		if (sv->score_col && sv->csat_col) {
			cli_error("%s: --survey-score-col and --survey-csat-col name the same column '%s'",
				  loyal_reader_name(s->r), loyal_reader_column_name(s->r, cols[0]));
			return CLI_EXIT_USAGE;
		}
		if (sv->csat_col) {
			cols[0] = cols[sv->k_csat];
			sv->k_nps = SIZE_MAX;
			sv->has_nps = 0;
			free(sv->nps_name);
			sv->nps_name = NULL;
		} else {
			sv->has_csat = 0;
			free(sv->csat_name);
			sv->csat_name = NULL;
		}
		sv->k_csat = sv->k_nps == SIZE_MAX ? 0 : SIZE_MAX;
		sv->k_nps = sv->k_nps == SIZE_MAX ? SIZE_MAX : 0;
		sv->ncols = 1;
	}
	if (sv->ncols == 0) {
		cli_error("%s: neither a likelihood-to-recommend (NPS) nor a satisfaction column "
			  "found", loyal_reader_name(s->r));
		fprintf(stderr, "hint: name them with --survey-score-col and --survey-csat-col\n");
		return CLI_EXIT_DATA;
	}
	sv->files_seen++;
	return 0;
}

/* One answer read: joined now, or kept for the state (blank ids too: they
 * are counted when joined). */
static int use_answer(struct run *R, const char *id, size_t len, int32_t day, int sat, int rec)
{
	int error;

	if (R->collect) {
		if (R->nkept == R->kept_cap) {
			size_t cap = R->kept_cap ? 2 * R->kept_cap : 256;
			struct kept_answer *k = realloc(R->kept, cap * sizeof(*k));
			if (!k)
				return cli_oom();
			R->kept = k;
			R->kept_cap = cap;
		}
		if (R->ids_len + len + 1 > R->ids_cap) {
			size_t cap = R->ids_cap ? 2 * R->ids_cap : 4096;
			while (cap < R->ids_len + len + 1)
				cap *= 2;
			char *p = realloc(R->ids, cap);
			if (!p)
				return cli_oom();
			R->ids = p;
			R->ids_cap = cap;
		}
		if (len)
			memcpy(R->ids + R->ids_len, id, len);
		R->ids[R->ids_len + len] = '\0';
		R->kept[R->nkept++] = (struct kept_answer){ R->ids_len, len, day, sat, rec };
		R->ids_len += len + 1;
		return 0;
	}
	error = loyal_loyalty_add_answer(R->L, id, len, day, sat, rec, NULL);
	if (error == LOYAL_EVALUE) {
		/* an anonymous answer: nothing to join it to */
		R->no_id++;
		return 0;
	}
	if (error < 0)
		return cli_lib_error(error);
	R->st.used++;
	return 0;
}

static void warn_skipped(struct run *R, const char *msg)
{
	if (R->st.invalid <= 10)
		cli_error("%s (row skipped)", msg);
	else if (R->st.invalid == 11)
		cli_error("more invalid rows skipped; the count is in the summary");
}

static int read_survey(struct run *R, const char *path)
{
	struct survey_in *sv = &R->sv;
	struct cli_source s;
	struct survey_row row;
	size_t ccol, cols[2];
	int rc, error;

	if ((rc = cli_source_open(&s, path, &R->sc, 0)) != 0)
		return rc;
	if ((rc = resolve(R, &s, &ccol, cols)) != 0)
		goto done;
	struct survey_spec spec = { sv->ncols, sv->skip_invalid, NULL, sv_parse, NULL,
				    NULL, NULL, NULL, NULL, NULL };
	while ((error = loyal_reader_next(s.r)) != LOYAL_ITEROVER) {
		if (error < 0) {
			if (!sv->skip_invalid || !loyal_reader_can_continue(s.r)) {
				rc = cli_lib_error(error);
				goto done;
			}
			R->st.rows++;
			R->st.invalid++;
			warn_skipped(R, loyal_error_last()->message);
			continue;
		}
		R->st.rows++;
		int kind = survey_check_row(&spec, sv, &s, &R->sc, cols, &row);
		R->st.blank_answers += row.blank;
		if (kind == SURVEY_ROW_INVALID) {
			if (!sv->skip_invalid) {
				rc = cli_source_value_error(&s, row.bad_col);
				goto done;
			}
			const loyal_error_info *e = loyal_error_last();
			char msg[1200];
			R->st.invalid++;
			snprintf(msg, sizeof(msg), "%s:%llu:%zu: %s", loyal_reader_name(s.r),
				 (unsigned long long)loyal_reader_line(s.r), row.bad_col + 1,
				 e ? e->reason : "invalid value");
			warn_skipped(R, msg);
			continue;
		}
		if (kind == SURVEY_ROW_BLANK) {
			R->st.blank_rows++;
			continue;
		}
		int rec = sv->k_nps != SIZE_MAX ? row.values[sv->k_nps] : -1;
		int sat = sv->k_csat != SIZE_MAX ? row.values[sv->k_csat] : -1;
		if (rec >= 0)
			sv->nps_counts[rec]++;
		if (sat >= 0) {
			/* a point, or a built-in label: its point, or 满意 pending */
			if ((error = loyal_csat_add_answer(&sv->tally, sat)) < 0) {
				rc = cli_source_value_error(&s, cols[sv->k_csat]);
				goto done;
			}
			if (sat >= LOYAL_CSAT_LABEL) {
				size_t len;
				const char *f = loyal_reader_field(s.r, cols[sv->k_csat], &len);
				int point;
				sat = loyal_csat_parse_answer(&point, &sv->tally, f, len) == 0
					? point : LOYAL_LOYALTY_PENDING;
			}
		}
		size_t idlen;
		const char *id = loyal_reader_field(s.r, ccol, &idlen);
		if ((rc = use_answer(R, id, idlen,
				     s.date_col != SIZE_MAX ? row.day : LOYAL_LOYALTY_NO_DAY,
				     sat, rec)) != 0)
			goto done;
	}
	R->st.blank_lines += loyal_reader_blank_lines(s.r);
done:
	cli_source_close(&s);
	return rc;
}

static int read_surveys(struct run *R)
{
	int rc;

	for (size_t i = 0; i < R->surveys.n; i++) {
		if ((rc = read_survey(R, R->surveys.items[i])) != 0)
			return rc;
		R->st.files++;
	}
	return 0;
}

/* After the orders' customers: the survey read now, or the answers of the
 * states joined in their order. */
static int load_survey(struct run *R)
{
	struct survey_in *sv = &R->sv;
	int rc, point;

	if (!R->collect && (rc = read_surveys(R)) != 0)
		return rc;
	R->collect = 0;
	for (size_t i = 0; i < R->nkept; i++) {
		const struct kept_answer *k = &R->kept[i];
		if ((rc = use_answer(R, R->ids + k->id_off, k->id_len, k->day, k->sat, k->rec)) != 0)
			return rc;
	}
	survey_report(&R->sc, &R->st);
	if (sv->has_csat) {
		if ((rc = survey_csat_decide(&point, sv->tally.labels_seen,
					     sv->csat_name ? sv->csat_name : "?", R->c.quiet)) != 0)
			return rc;
		if (loyal_loyalty_resolve(R->L, point) < 0)
			return cli_lib_error(LOYAL_EINVAL);
	}
	if (sv->has_nps) {
		char msg[512];
		if (survey_nps_rating(msg, sizeof(msg), sv->nps_counts, sv->nps_name ? sv->nps_name : "?")
		    && !R->c.quiet)
			cli_error("warning: %s", msg);
	}
	return 0;
}

static void report(const struct run *R)
{
	loyal_loyalty_stats s = LOYAL_LOYALTY_STATS_INIT;

	if (R->c.quiet || loyal_loyalty_get_stats(&s, R->L) < 0)
		return;
	cli_error("%llu answer%s joined: %llu respondent%s, %llu without a purchase in the orders; "
		  "%llu of %llu customers without an answer; ids matched: %llu exact, %llu after "
		  "trimming spaces, %llu after folding case, %llu not found, %llu ambiguous; "
		  "%llu answer%s without a customer id skipped",
		  (unsigned long long)s.answers, s.answers == 1 ? "" : "s",
		  (unsigned long long)s.respondents, s.respondents == 1 ? "" : "s",
		  (unsigned long long)s.respondents_without_purchases,
		  (unsigned long long)s.customers_without_answers, (unsigned long long)s.customers,
		  (unsigned long long)s.by_rule[LOYAL_IDMATCH_EXACT],
		  (unsigned long long)s.by_rule[LOYAL_IDMATCH_TRIMMED],
		  (unsigned long long)s.by_rule[LOYAL_IDMATCH_FOLDED],
		  (unsigned long long)s.by_rule[LOYAL_IDMATCH_NONE],
		  (unsigned long long)s.by_rule[LOYAL_IDMATCH_AMBIGUOUS],
		  (unsigned long long)R->no_id, R->no_id == 1 ? "" : "s");
}

/* ---- partial states ----------------------------------------------------- */

/*
 * The survey part of a loyalty state, after the orders' (txn_partial.c):
 *   survey FILES ROWS BLANK_ROWS BLANK_ANSWERS INVALID FILTERED BLANK_LINES
 *          HAS_NPS HAS_CSAT LABELS_SEEN ANSWERS
 *   name   nps|csat NAME      the answer columns' header names
 *   nps    C0..C10            the recommendations, for the 1-5 check
 *   ans    ID DAY SAT REC     every answer with a customer id field, in
 *                             the order read (DAY, SAT, REC "-" when none;
 *                             SAT "pending" for 满意 before its scale is known)
 *   survey-end
 */

static int put_opt_int(loyal_partial_writer *w, int v, int none)
{
	if (v == none)
		return loyal_partial_put_str(w, "-");
	return loyal_partial_put_int(w, v);
}

static int tail_write(void *ctx, loyal_partial_writer *w)
{
	struct run *R = ctx;
	const struct survey_stats *st = &R->st;
	char day[32];

	loyal_partial_put_str(w, "survey");
	loyal_partial_put_uint(w, st->files);
	loyal_partial_put_uint(w, st->rows);
	loyal_partial_put_uint(w, st->blank_rows);
	loyal_partial_put_uint(w, st->blank_answers);
	loyal_partial_put_uint(w, st->invalid);
	loyal_partial_put_uint(w, st->filtered);
	loyal_partial_put_uint(w, st->blank_lines);
	loyal_partial_put_int(w, R->sv.has_nps);
	loyal_partial_put_int(w, R->sv.has_csat);
	loyal_partial_put_uint(w, R->sv.tally.labels_seen);
	loyal_partial_put_uint(w, R->nkept);
	loyal_partial_end_line(w);
	const char *names[2] = { R->sv.nps_name, R->sv.csat_name }, *which[2] = { "nps", "csat" };
	for (int i = 0; i < 2; i++) {
		if (!names[i])
			continue;
		loyal_partial_put_str(w, "name");
		loyal_partial_put_str(w, which[i]);
		loyal_partial_put_str(w, names[i]);
		loyal_partial_end_line(w);
	}
	loyal_partial_put_str(w, "nps");
	for (int i = 0; i <= 10; i++)
		loyal_partial_put_uint(w, R->sv.nps_counts[i]);
	loyal_partial_end_line(w);
	for (size_t i = 0; i < R->nkept; i++) {
		const struct kept_answer *k = &R->kept[i];
		loyal_partial_put_str(w, "ans");
		loyal_partial_put(w, R->ids + k->id_off, k->id_len);
		if (k->day == LOYAL_LOYALTY_NO_DAY) {
			loyal_partial_put_str(w, "-");
		} else {
			loyal_date_format(day, sizeof(day), k->day);
			loyal_partial_put_str(w, day);
		}
		if (k->sat == LOYAL_LOYALTY_PENDING)
			loyal_partial_put_str(w, "pending");
		else
			put_opt_int(w, k->sat, -1);
		put_opt_int(w, k->rec, -1);
		if (loyal_partial_end_line(w) < 0)
			return CLI_EXIT_IOERR;
	}
	loyal_partial_put_str(w, "survey-end");
	if (loyal_partial_end_line(w) < 0)
		return CLI_EXIT_IOERR;
	return 0;
}

/* An optional whole number of field i: "-" is `none`. */
static int get_opt_int(int *out, loyal_partial_reader *r, size_t i, int none, int lo, int hi)
{
	int64_t v;
	int error;

	if (!strcmp(loyal_partial_field(r, i, NULL), "-")) {
		*out = none;
		return 0;
	}
	if ((error = loyal_partial_get_int(&v, r, i, lo, hi)) < 0)
		return error;
	*out = (int)v;
	return 0;
}

static int tail_read(void *ctx, loyal_partial_reader *r, const char *path)
{
	struct run *R = ctx;
	uint64_t v[11];
	int error, rc;

	if (strcmp(loyal_partial_field(r, 0, NULL), "survey"))
		return partial_error(loyal_partial_fail(r, 1, "a 'survey' record was expected"));
	if ((error = loyal_partial_expect(r, 12)) < 0)
		return partial_error(error);
	for (size_t k = 0; k < 11; k++)
		if ((error = loyal_partial_get_uint(&v[k], r, k + 1)) < 0)
			return partial_error(error);
	if (v[7] > 1 || v[8] > 1)
		return partial_error(loyal_partial_fail(r, v[7] > 1 ? 9 : 10, "0 or 1 was expected"));
	/* the first survey file fixes the answer columns (as in one run) */
	if (R->states++ == 0) {
		R->sv.has_nps = (int)v[7];
		R->sv.has_csat = (int)v[8];
	} else if (R->sv.has_nps != (int)v[7] || R->sv.has_csat != (int)v[8]) {
		cli_error("%s: its survey had %s NPS and %s satisfaction column, unlike the first "
			  "state's", path, v[7] ? "an" : "no", v[8] ? "a" : "no");
		return CLI_EXIT_DATA;
	}
	R->st.files += v[0];
	R->st.rows += v[1];
	R->st.blank_rows += v[2];
	R->st.blank_answers += v[3];
	R->st.invalid += v[4];
	R->st.filtered += v[5];
	R->st.blank_lines += v[6];
	R->sv.tally.labels_seen |= v[9];
	uint64_t nanswers = v[10];
	if ((rc = partial_next(r)) != 0)
		return rc;
	while (!strcmp(loyal_partial_field(r, 0, NULL), "name")) {
		if ((error = loyal_partial_expect(r, 3)) < 0)
			return partial_error(error);
		const char *which = loyal_partial_field(r, 1, NULL);
		char **name = !strcmp(which, "nps") ? &R->sv.nps_name
			      : !strcmp(which, "csat") ? &R->sv.csat_name : NULL;
		if (!name)
			return partial_error(loyal_partial_fail(r, 2, "nps or csat was expected"));
		if (!*name && !(*name = strdup(loyal_partial_field(r, 2, NULL))))
			return cli_oom();
		if ((rc = partial_next(r)) != 0)
			return rc;
	}
	if (strcmp(loyal_partial_field(r, 0, NULL), "nps"))
		return partial_error(loyal_partial_fail(r, 1, "an 'nps' record was expected"));
	if ((error = loyal_partial_expect(r, 12)) < 0)
		return partial_error(error);
	for (size_t k = 0; k < 11; k++) {
		if ((error = loyal_partial_get_uint(&v[k], r, k + 1)) < 0)
			return partial_error(error);
		R->sv.nps_counts[k] += v[k];
	}
	for (uint64_t n = 0;; n++) {
		if ((rc = partial_next(r)) != 0)
			return rc;
		if (strcmp(loyal_partial_field(r, 0, NULL), "ans")) {
			if (n != nanswers)
				return partial_error(loyal_partial_fail(r, 1, "%llu answers were expected, "
									"not %llu",
									(unsigned long long)nanswers,
									(unsigned long long)n));
			break;
		}
		size_t idlen;
		const char *id, *day = loyal_partial_field(r, 2, NULL), *sat;
		loyal_datetime dt = { 0 };
		int s = -1, rec;
		if ((error = loyal_partial_expect(r, 5)) < 0)
			return partial_error(error);
		id = loyal_partial_field(r, 1, &idlen);
		day = loyal_partial_field(r, 2, NULL);
		sat = loyal_partial_field(r, 3, NULL);
		if (strcmp(day, "-") && loyal_date_parse(&dt, day, strlen(day), "%Y-%m-%d") < 0)
			return partial_error(loyal_partial_fail(r, 3, "'%s' is not a date", day));
		if (!strcmp(sat, "pending"))
			s = LOYAL_LOYALTY_PENDING;
		else if ((error = get_opt_int(&s, r, 3, -1, R->sv.lo, R->sv.hi)) < 0)
			return partial_error(error);
		if ((error = get_opt_int(&rec, r, 4, -1, 0, 10)) < 0)
			return partial_error(error);
		if (s == -1 && rec == -1)
			return partial_error(loyal_partial_fail(r, 4, "an answer without a point"));
		if ((rc = use_answer(R, id, idlen, strcmp(day, "-") ? dt.days : LOYAL_LOYALTY_NO_DAY,
				     s, rec)) != 0)
			return rc;
	}
	if (strcmp(loyal_partial_field(r, 0, NULL), "survey-end") || loyal_partial_nfields(r) != 1)
		return partial_error(loyal_partial_fail(r, 1, "'survey-end' was expected"));
	return 0;
}

/* ---- output ------------------------------------------------------------- */

static struct cli_value opt_int(int v)
{
	return v < 0 ? CLI_NULL : CLI_INT(v);
}

static struct cli_value opt_str(const char *s)
{
	return s ? CLI_STR(s) : CLI_NULL;
}

static struct cli_value high_low(int v)
{
	return v < 0 ? CLI_NULL : CLI_STR(v ? "high" : "low");
}

static struct cli_value day_value(char *buf, size_t size, int32_t day, int have)
{
	if (!have)
		return CLI_NULL;
	loyal_date_format(buf, size, day);
	return CLI_STR(buf);
}

static const struct cli_column customer_cols[] = {
	{ "customer", CLI_T_STR, 0 }, { "id_match", CLI_T_STR, 0 },
	{ "answered", CLI_T_STR, 0 }, { "satisfaction", CLI_T_INT, 0 },
	{ "recommend", CLI_T_INT, 0 }, { "referral", CLI_T_STR, 0 },
	{ "purchases", CLI_T_INT, 0 }, { "repeat", CLI_T_BOOL, 0 },
	{ "p_repurchase", CLI_T_NUM, 4 }, { "repurchase_band", CLI_T_STR, 0 },
	{ "attitude", CLI_T_STR, 0 }, { "behaviour", CLI_T_STR, 0 },
	{ "quadrant", CLI_T_STR, 0 }, { "index", CLI_T_NUM, 1 },
};

static int customer_row(void *ctx, size_t i, struct cli_value *v)
{
	struct run *R = ctx;
	loyal_loyalty_row r = LOYAL_LOYALTY_ROW_INIT;
	size_t k = 0;
	int error;

	if ((error = loyal_loyalty_get(&r, R->L, i)) < 0)
		return cli_lib_error(error);
	v[k++] = CLI_STR(r.customer);
	v[k++] = CLI_STR(loyal_idmatch_rule_name(r.rule));
	v[k++] = day_value(R->day1, sizeof(R->day1), r.answer_day,
			   r.answer_day != LOYAL_LOYALTY_NO_DAY);
	v[k++] = opt_int(r.in.satisfaction);
	v[k++] = opt_int(r.in.recommend);
	v[k++] = opt_str(loyal_loyalty_referral_name(r.out.referral));
	v[k++] = CLI_INT(r.in.purchases);
	v[k++] = CLI_BOOL(r.out.repeat);
	v[k++] = txn_num(r.in.purchases ? r.in.p_repurchase : NAN);
	v[k++] = opt_str(loyal_loyalty_band_name(r.out.band));
	v[k++] = high_low(r.out.attitude);
	v[k++] = high_low(r.out.behaviour);
	v[k++] = opt_str(loyal_loyalty_quadrant_name(r.out.quadrant));
	v[k++] = txn_num(r.out.index);
	return 0;
}

/* The four quadrants, then all customers. */
static int quadrant_row(void *ctx, size_t row, struct cli_value *v)
{
	struct run *R = ctx;
	const loyal_loyalty_matrix *m = &R->m;
	int q = (int)row;
	size_t k = 0;

	if (q < 4) {
		v[k++] = CLI_STR(loyal_loyalty_quadrant_name(q));
		v[k++] = CLI_STR(q == LOYAL_QUADRANT_TRUE || q == LOYAL_QUADRANT_LATENT ? "high" : "low");
		v[k++] = CLI_STR(q == LOYAL_QUADRANT_TRUE || q == LOYAL_QUADRANT_SPURIOUS ? "high" : "low");
		v[k++] = CLI_INT(m->customers[q]);
		v[k++] = CLI_NUM(m->share[q]);
		v[k++] = txn_num(m->spend[q]);
		v[k++] = txn_num(m->spend_share[q]);
	} else {
		double total_spend = m->total_spend;
		v[k++] = CLI_STR("all");
		v[k++] = CLI_NULL;
		v[k++] = CLI_NULL;
		v[k++] = CLI_INT(m->total);
		v[k++] = CLI_NUM(100.0);
		v[k++] = txn_num(total_spend);
		v[k++] = txn_num(isnan(total_spend) || !(total_spend > 0) ? NAN : 100.0);
	}
	return 0;
}

/* Repeat against one-time buyers: NPS (when the survey has it), then CSAT. */
static int compare_row(void *ctx, size_t row, struct cli_value *v)
{
	struct run *R = ctx;
	const loyal_loyalty_matrix *m = &R->m;
	loyal_ztest z = LOYAL_ZTEST_INIT;
	size_t k = 0;

	if (row == 0 && R->sv.has_nps) {
		/* NPS: the recommendations of repeat and one-time buyers */
		loyal_nps_result a = LOYAL_NPS_RESULT_INIT, b = LOYAL_NPS_RESULT_INIT;
		int ha = loyal_nps_compute(&a, &m->nps[0]) == 0, hb = loyal_nps_compute(&b, &m->nps[1]) == 0;
		int hz = ha && hb && loyal_ztest_nps(&z, &a, &b) == 0;
		v[k++] = CLI_STR("nps");
		v[k++] = CLI_INT(ha ? a.responses : 0);
		v[k++] = ha ? CLI_NUM(a.nps) : CLI_NULL;
		v[k++] = CLI_INT(hb ? b.responses : 0);
		v[k++] = hb ? CLI_NUM(b.nps) : CLI_NULL;
		v[k++] = hz ? CLI_NUM(z.difference) : CLI_NULL;
		v[k++] = hz ? txn_num(z.z) : CLI_NULL;
		v[k++] = hz ? txn_num(z.p_value) : CLI_NULL;
		v[k++] = hz && z.significant >= 0 ? CLI_BOOL(z.significant) : CLI_NULL;
		v[k++] = CLI_STR("two-sample z, NPS variances");
		return 0;
	}
	/* CSAT: the top-two-box shares */
	uint64_t na = m->csat_responses[0], nb = m->csat_responses[1];
	int hz = na && nb && loyal_ztest_shares(&z, m->csat_satisfied[0], na,
						m->csat_satisfied[1], nb) == 0;
	v[k++] = CLI_STR("csat");
	v[k++] = CLI_INT(na);
	v[k++] = na ? CLI_NUM(100.0 * (double)m->csat_satisfied[0] / (double)na) : CLI_NULL;
	v[k++] = CLI_INT(nb);
	v[k++] = nb ? CLI_NUM(100.0 * (double)m->csat_satisfied[1] / (double)nb) : CLI_NULL;
	v[k++] = hz ? CLI_NUM(z.difference) : CLI_NULL;
	v[k++] = hz ? txn_num(z.z) : CLI_NULL;
	v[k++] = hz ? txn_num(z.p_value) : CLI_NULL;
	v[k++] = hz && z.significant >= 0 ? CLI_BOOL(z.significant) : CLI_NULL;
	v[k++] = CLI_STR("two-proportion z, pooled");
	return 0;
}

static int matrix_tables(struct run *R, struct cli_result *res)
{
	static const struct cli_column qcols[] = {
		{ "quadrant", CLI_T_STR, 0 }, { "attitude", CLI_T_STR, 0 },
		{ "behaviour", CLI_T_STR, 0 }, { "customers", CLI_T_INT, 0 },
		{ "share", CLI_T_NUM, 1 }, { "spend", CLI_T_NUM, 2 },
		{ "spend_share", CLI_T_NUM, 1 },
	};
	static const struct cli_column ccols[] = {
		{ "measure", CLI_T_STR, 0 }, { "repeat_responses", CLI_T_INT, 0 },
		{ "repeat", CLI_T_NUM, 1 }, { "one_time_responses", CLI_T_INT, 0 },
		{ "one_time", CLI_T_NUM, 1 }, { "difference", CLI_T_NUM, 1 },
		{ "z", CLI_T_NUM, 2 }, { "p_value", CLI_T_NUM, 4 },
		{ "significant", CLI_T_BOOL, 0 }, { "test", CLI_T_STR, 0 },
	};

	R->m = (loyal_loyalty_matrix)LOYAL_LOYALTY_MATRIX_INIT;
	if (loyal_loyalty_matrix_compute(&R->m, R->L) < 0) {
		cli_error("%s", loyal_error_last()->reason);
		return CLI_EXIT_DATA;
	}
	res->named = 1;
	cli_result_add(res, "matrix", qcols, 7, 5, quadrant_row, R);
	cli_result_add(res, "repeat_vs_one_time", ccols, 10,
		       (size_t)(R->sv.has_nps != 0) + (size_t)(R->sv.has_csat != 0), compare_row, R);
	return 0;
}

static int followup_row(void *ctx, size_t i, struct cli_value *v)
{
	struct run *R = ctx;
	loyal_loyalty_row r = LOYAL_LOYALTY_ROW_INIT;
	size_t k = 0;
	int error;

	if ((error = loyal_loyalty_get(&r, R->L, R->followup_order[i])) < 0)
		return cli_lib_error(error);
	v[k++] = CLI_STR(r.customer);
	v[k++] = CLI_STR(r.out.detractor && r.out.dissatisfied ? "detractor, dissatisfied"
			 : r.out.detractor ? "detractor" : "dissatisfied");
	v[k++] = opt_int(r.in.satisfaction);
	v[k++] = opt_int(r.in.recommend);
	v[k++] = day_value(R->day1, sizeof(R->day1), r.answer_day,
			   r.answer_day != LOYAL_LOYALTY_NO_DAY);
	v[k++] = day_value(R->day2, sizeof(R->day2), r.last_purchase, r.matched);
	v[k++] = CLI_INT(r.in.purchases);
	v[k++] = txn_num(r.spend);
	v[k++] = txn_num(r.churn);
	v[k++] = txn_num(r.value_at_risk);
	return 0;
}

static int followup_table(struct run *R, struct cli_result *res)
{
	static const struct cli_column cols[] = {
		{ "customer", CLI_T_STR, 0 }, { "reason", CLI_T_STR, 0 },
		{ "satisfaction", CLI_T_INT, 0 }, { "recommend", CLI_T_INT, 0 },
		{ "last_answer", CLI_T_STR, 0 }, { "last_purchase", CLI_T_STR, 0 },
		{ "purchases", CLI_T_INT, 0 }, { "spend", CLI_T_NUM, 2 },
		{ "churn", CLI_T_NUM, 4 }, { "value_at_risk", CLI_T_NUM, 2 },
	};
	size_t n = 0;
	int error;

	if ((error = loyal_loyalty_followup(&R->followup_order, &n, R->L)) < 0)
		return cli_lib_error(error);
	cli_result_add(res, NULL, cols, sizeof(cols) / sizeof(cols[0]), n < R->top ? n : (size_t)R->top,
		       followup_row, R);
	return 0;
}

/* The result: the customers, --matrix's two tables or --followup's list. */
static int result_of(struct run *R, struct cli_result *res)
{
	if (R->matrix)
		return matrix_tables(R, res);
	if (R->followup)
		return followup_table(R, res);
	cli_result_add(res, NULL, customer_cols, sizeof(customer_cols) / sizeof(customer_cols[0]),
		       loyal_loyalty_count(R->L), customer_row, R);
	return 0;
}

/* ---- the command -------------------------------------------------------- */

static int finish_options(struct run *R, int nargs)
{
	loyal_loyalty_options lo = LOYAL_LOYALTY_OPTIONS_INIT;
	int rc, error;

	if (R->c.from_partial) {
		/* the states of `loyal merge` are the operands */
		if (R->surveys.n || R->orders.n || nargs == 0)
			return cli_usage_error(&info, "--from-partial reads the states given as operands, "
					       "not --survey and --orders");
	} else if (nargs > 0) {
		return cli_usage_error(&info, "the inputs are given with --survey and --orders, "
				       "not as operands");
	} else if (R->surveys.n == 0 || R->orders.n == 0) {
		return cli_usage_error(&info, "--survey and --orders are both needed");
	}
	/* the state is the orders' with the survey's after it (txn_partial.c) */
	R->oc.partial = R->c.partial;
	R->oc.from_partial = R->c.from_partial;
	if (R->c.partial)
		R->oc.output = R->c.output;
	/* The output's options, then the survey's, then the orders': the
	 * orders' --orders-date-format is the one --orders-as-of is read with. */
	R->sc.quiet = R->oc.quiet = R->c.quiet;
	if ((rc = cli_common_finish(&info, &R->c)) != CLI_CONTINUE ||
	    (rc = cli_common_finish(&info, &R->sc)) != CLI_CONTINUE ||
	    (rc = cli_common_finish(&info, &R->oc)) != CLI_CONTINUE ||
	    (rc = model_opts_finish(&info, &R->mo, &R->c)) != CLI_CONTINUE)
		return rc;
	txn_opts_days(&R->t);
	if ((rc = txn_opts_finish(&info, &R->t)) != CLI_CONTINUE)
		return rc;
	R->horizon = 365.0 / R->mo.unit_days;
	if (R->horizon_text) {
		if (cli_parse_number(&R->horizon, "--horizon", R->horizon_text))
			return CLI_EXIT_USAGE;
		if (!(R->horizon > 0))
			return cli_usage_error(&info, "--horizon needs a number of %ss above 0, not '%s'",
					       R->mo.unit, R->horizon_text);
	}
	if (R->answers_name) {
		if (!strcmp(R->answers_name, "all"))
			R->all_answers = 1;
		else if (strcmp(R->answers_name, "latest"))
			return cli_usage_error(&info, "unknown --answers '%s' (latest or all)",
					       R->answers_name);
	}
	if (R->matrix && R->followup)
		return cli_usage_error(&info, "--matrix and --followup exclude each other");
	if (R->all_answers && (R->matrix || R->followup))
		return cli_usage_error(&info, "--answers all lists every answer; the matrix and the "
				       "follow-up list take each customer's latest answer");
	R->top = UINT64_MAX;
	if (R->top_text && !R->followup)
		return cli_usage_error(&info, "--top goes with --followup");
	if (R->top_text && model_parse_top(&info, &R->top, R->top_text))
		return CLI_EXIT_USAGE;
	R->sv.lo = 1;
	R->sv.hi = 5;
	if (R->sv.scale && loyal_csat_parse_scale(&R->sv.lo, &R->sv.hi, R->sv.scale) < 0)
		return cli_usage_error(&info, "--survey-scale: %s", loyal_error_last()->reason);
	if ((rc = survey_load_labels(&R->sv.labels, R->sv.labels_arg)) != 0)
		return rc;
	loyal_csat_init(&R->sv.tally, R->sv.lo, R->sv.hi);
	lo.lo = R->sv.lo;
	lo.hi = R->sv.hi;
	lo.all_answers = R->all_answers;
	if ((error = loyal_loyalty_new(&R->L, &lo)) < 0)
		return cli_lib_error(error);
	return CLI_CONTINUE;
}

/* The options of the command and of its two inputs (the --survey- and
 * --orders- prefixed tables), checked; the inputs registered. */
static int parse(struct run *R, int argc, char **argv, int *nargs)
{
	struct cli_opt_table tab;
	const struct cli_opt *opts;
	char *inputs[2 * CLI_LIST_MAX + 1], **given = NULL;
	int rc;

	const struct cli_opt own[] = {
		CLI_OPT_GROUP("Loyalty"),
		CLI_OPT_LIST(0, "survey", "FILE", &R->surveys, "the survey answers (repeatable)"),
		CLI_OPT_LIST(0, "orders", "FILE", &R->orders, "the orders (order lines) (repeatable)"),
		CLI_OPT_FLAG(0, "matrix", &R->matrix,
			     "the attitude x behaviour matrix and repeat against one-time buyers"),
		CLI_OPT_FLAG(0, "followup", &R->followup,
			     "detractors and dissatisfied customers by value at risk"),
		CLI_OPT_STRING(0, "top", "N", &R->top_text, "with --followup: the first N only"),
		CLI_OPT_STRING(0, "answers", "WHICH", &R->answers_name,
			       "latest (default): each customer's latest answer; all: every answer"),
		CLI_OPT_STRING(0, "horizon", "N", &R->horizon_text,
			       "p_repurchase: a purchase within the next N units (default: 365 days)"),
		CLI_OPT_THREADS(&R->oc),
		MODEL_OPTS(&R->mo),
		CLI_OPT_END
	};
	const struct cli_opt survey_opts[] = {
		CLI_OPT_STRING(0, "customer-col", "NAME", &R->sv.customer_col,
			       "customer id column (default: found by header name)"),
		CLI_OPT_STRING(0, "score-col", "NAME", &R->sv.score_col,
			       "0-10 likelihood-to-recommend column (default: found by header name)"),
		CLI_OPT_STRING(0, "csat-col", "NAME", &R->sv.csat_col,
			       "satisfaction column (default: found by header name)"),
		CLI_OPT_STRING(0, "scale", "LO-HI", &R->sv.scale,
			       "satisfaction scale: 1-5 (default), 1-7, 1-10, 0-10"),
		CLI_OPT_STRING(0, "labels", "MAP", &R->sv.labels_arg,
			       "text answers' points: 'TEXT=POINT,...' or a file of text,point lines"),
		CLI_OPT_FLAG(0, "skip-invalid", &R->sv.skip_invalid,
			     "skip and count invalid rows (answer, date, number of fields)"),
		CLI_OPTS_INPUT(&R->sc),
		CLI_OPT_END
	};
	const struct cli_opt orders_opts[] = {
		CLI_OPTS_INPUT(&R->oc),
		TXN_OPTS_MODEL_INPUT(&R->t),
		CLI_OPT_END
	};
	const struct cli_opt output[] = { CLI_OPTS_PARTIAL(&R->c), CLI_OPTS_OUTPUT(&R->c), CLI_OPT_END };

	/* MBG/NBD by default: BG/NBD gives every one-time buyer P(alive) = 1,
	 * so a one-time detractor's value at risk would be 0 (loyal-loyalty(1)). */
	R->mo.model_name = "mbgnbd";
	cli_opt_table_init(&tab);
	cli_opt_table_add(&tab, own);
	for (size_t i = 0; i < tab.n; i++)
		if (tab.opts[i].long_name && !strcmp(tab.opts[i].long_name, "model"))
			tab.opts[i].help = "mbgnbd (default), bgnbd, pnbd, or auto: fit all three and choose";
	cli_opt_table_add_prefixed(&tab, survey_opts, "survey-", "Survey file");
	cli_opt_table_add_prefixed(&tab, orders_opts, "orders-", "Orders file");
	cli_opt_table_add(&tab, output);
	if (!(opts = cli_opt_table_done(&tab)))
		return CLI_EXIT_SOFTWARE;

	/* Without an operand, cli_parse() makes standard input one when it is
	 * not a terminal: an operand that is none of the words given is that
	 * one, not the user's (loyalty reads its inputs from options). */
	if (!(given = malloc((size_t)argc * sizeof(*given))))
		return cli_oom();
	memcpy(given, argv, (size_t)argc * sizeof(*given));
	R->oc.opt_prefix = "orders-";
	if ((rc = cli_parse(&info, opts, argc, argv, nargs)) != CLI_CONTINUE) {
		free(given);
		return rc;
	}
	if (*nargs == 1) {
		int written = 0;
		for (int i = 0; i < argc; i++)
			written |= given[i] == argv[0];
		if (!written)
			*nargs = 0;
	}
	free(given);
	if (R->c.from_partial && *nargs > 0) {
		if ((rc = cli_inputs_register(&info, argv, *nargs)) != CLI_CONTINUE)
			return rc;
	} else if (R->surveys.n + R->orders.n <= 2 * CLI_LIST_MAX) {
		int n = 0;
		for (size_t i = 0; i < R->surveys.n; i++)
			inputs[n++] = (char *)R->surveys.items[i];
		for (size_t i = 0; i < R->orders.n; i++)
			inputs[n++] = (char *)R->orders.items[i];
		inputs[n] = NULL;
		if ((rc = cli_inputs_register(&info, inputs, n)) != CLI_CONTINUE)
			return rc;
	}
	return finish_options(R, *nargs);
}

/* Read the orders and the survey (with --partial, the survey first: its
 * answers go into the state after the orders'), join them, and the result's
 * tables. With --from-partial the operands are the states. */
static int compute(struct run *R, char **argv, int nargs, struct cli_result *res)
{
	struct txn_partial_tail tail = { tail_write, tail_read, R };
	int rc;

	if (R->c.partial || R->c.from_partial) {
		/* the answers are kept until the orders' customers are known */
		R->collect = 1;
		txn_partial_set_tail(&tail);
		if (!R->c.from_partial && (rc = read_surveys(R)) != 0)
			return rc;
	}
	if (R->c.from_partial) {
		rc = load_orders(R, argv, nargs);
	} else {
		char *files[CLI_LIST_MAX];
		for (size_t i = 0; i < R->orders.n; i++)
			files[i] = (char *)R->orders.items[i];
		rc = load_orders(R, files, (int)R->orders.n);
	}
	txn_partial_set_tail(NULL);
	if (rc != 0 || (rc = load_survey(R)) != 0)
		return rc;
	report(R);
	return result_of(R, res);
}

int cmd_loyalty(int argc, char **argv)
{
	struct run R;
	struct cli_result res = { 0 };
	int nargs, rc;

	memset(&R, 0, sizeof(R));
	if ((rc = parse(&R, argc, argv, &nargs)) == CLI_CONTINUE &&
	    (rc = compute(&R, argv, nargs, &res)) == 0)
		rc = cli_render(&res, &R.c);
	txn_partial_set_tail(NULL);
	free(R.kept);
	free(R.ids);
	free(R.followup_order);
	loyal_loyalty_free(R.L);
	loyal_csat_labels_free(R.sv.labels);
	free(R.sv.csat_name);
	free(R.sv.nps_name);
	model_customers_dispose(&R.all);
	txn_data_dispose(&R.d);
	return rc;
}
