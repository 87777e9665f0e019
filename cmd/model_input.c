#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli_mem.h"
#include "model_input.h"

static const char *const keys[MODEL_NKINDS] = { "bgnbd", "mbgnbd", "pnbd" };
static const char *const titles[MODEL_NKINDS] = { "BG/NBD", "MBG/NBD", "Pareto/NBD" };

const char *model_key(int kind)
{
	return kind >= 0 && kind < MODEL_NKINDS ? keys[kind] : "auto";
}

const char *model_title(int kind)
{
	return kind >= 0 && kind < MODEL_NKINDS ? titles[kind] : "auto";
}

int model_opts_finish(const struct cli_command_info *info, struct model_opts *m,
		      const struct cli_common *c)
{
	static const struct { const char *name; double days; } units[] = {
		{ "day", 1.0 }, { "week", 7.0 }, { "month", 30.0 },
	};
	const char *name = m->unit_name ? m->unit_name : "week";
	size_t k;

	for (k = 0; k < 3 && strcmp(units[k].name, name); k++)
		;
	if (k == 3)
		return cli_usage_error(info, "unknown unit '%s' (day, week or month)", name);
	m->unit = units[k].name;
	m->unit_days = units[k].days;
	m->max_iterations = 200;
	m->quiet = c->quiet;
	m->threads = c->nthreads;
	if (m->max_iterations_text) {
		uint64_t v;
		if (cli_parse_count(&v, "--max-iterations", m->max_iterations_text, 1, 100000))
			return CLI_EXIT_USAGE;
		m->max_iterations = (int)v;
	}
	m->model = MODEL_BGNBD;
	if (m->model_name) {
		for (k = 0; k < MODEL_NKINDS && strcmp(keys[k], m->model_name); k++)
			;
		if (k == MODEL_NKINDS && strcmp(m->model_name, "auto"))
			return cli_usage_error(info, "unknown model '%s' (bgnbd, mbgnbd, pnbd or auto)",
					       m->model_name);
		m->model = (int)k;
	}
	m->penalty = 0.0;
	if (m->penalty_text) {
		if (cli_parse_number(&m->penalty, "--penalty", m->penalty_text))
			return CLI_EXIT_USAGE;
		if (!(m->penalty >= 0.0) || !isfinite(m->penalty))
			return cli_usage_error(info, "--penalty needs a number of 0 or more, not '%s'",
					       m->penalty_text);
	}
	if (m->pooled && c->by.n == 0)
		return cli_usage_error(info, "--pooled needs --by: it sums one fit's results per group");
	return CLI_CONTINUE;
}

int model_parse_top(const struct cli_command_info *info, uint64_t *out, const char *text)
{
	(void)info;
	return cli_parse_count(out, "--top", text, 1, UINT64_MAX) ? CLI_EXIT_USAGE : 0;
}

/* ---- customers ---------------------------------------------------------- */

/* Fewer customers are loaded on one thread. */
#define LOAD_PART_MIN ((size_t)1 << 15)

static int customers_alloc(struct model_customers *m, size_t cap)
{
	memset(m, 0, sizeof(*m));
	if (!cap)
		cap = 1;
	/* a million customers: 48 MB written once, in huge pages */
	if (!(m->index = cli_huge_malloc(cap * sizeof(*m->index))) ||
	    !(m->group = cli_huge_malloc(cap * sizeof(*m->group))) ||
	    !(m->first = cli_huge_malloc(cap * sizeof(*m->first))) ||
	    !(m->x = cli_huge_malloc(cap * sizeof(double))) ||
	    !(m->t_x = cli_huge_malloc(cap * sizeof(double))) ||
	    !(m->T = cli_huge_malloc(cap * sizeof(double))) ||
	    !(m->holdout = cli_huge_malloc(cap * sizeof(*m->holdout))))
		return cli_oom();
	return 0;
}

/* One part of model_customers_load(): buyers [from, to) of acc, written
 * from position `from` on (compacted afterwards). */
struct load_part {
	struct model_customers *m;
	const loyal_txn *acc;
	int32_t cut;
	double unit_days;
	size_t from, to, n;
	int32_t first_day, last_first_day;
	int error;
};

static void load_part(void *arg)
{
	struct load_part *p = arg;
	struct model_customers *m = p->m;
	size_t n = p->from;
	int error;

	for (size_t i = p->from; i < p->to; i++) {
		loyal_txn_split s = LOYAL_TXN_SPLIT_INIT;
		loyal_txn_customer cu = LOYAL_TXN_CUSTOMER_INIT;
		if ((error = loyal_txn_customer_split(&s, p->acc, i, p->cut)) < 0 ||
		    (error = loyal_txn_customer_get(&cu, p->acc, i)) < 0) {
			p->error = error;
			return;
		}
		if (!s.calibration)
			continue;
		int32_t first = p->cut - s.T;
		if (n == p->from || first < p->first_day)
			p->first_day = first;
		if (n == p->from || first > p->last_first_day)
			p->last_first_day = first;
		m->index[n] = i;
		m->group[n] = cu.group;
		m->first[n] = first;
		m->x[n] = (double)s.x;
		m->t_x[n] = s.t_x / p->unit_days;
		m->T[n] = s.T / p->unit_days;
		m->holdout[n] = s.holdout;
		n++;
	}
	p->n = n - p->from;
}

/* Move n customers of m from position `from` down to `to`. */
static void customers_move(struct model_customers *m, size_t to, size_t from, size_t n)
{
	memmove(m->index + to, m->index + from, n * sizeof(*m->index));
	memmove(m->group + to, m->group + from, n * sizeof(*m->group));
	memmove(m->first + to, m->first + from, n * sizeof(*m->first));
	memmove(m->x + to, m->x + from, n * sizeof(*m->x));
	memmove(m->t_x + to, m->t_x + from, n * sizeof(*m->t_x));
	memmove(m->T + to, m->T + from, n * sizeof(*m->T));
	memmove(m->holdout + to, m->holdout + from, n * sizeof(*m->holdout));
}

int model_customers_load(struct model_customers *m, const loyal_txn *acc, int32_t cut,
			 double unit_days, size_t threads)
{
	struct load_part parts[MODEL_MAX_THREADS];
	void *args[MODEL_MAX_THREADS];
	size_t total = loyal_txn_customer_count(acc), n = 0;
	size_t np = threads < 1 ? 1 : threads > MODEL_MAX_THREADS ? MODEL_MAX_THREADS : threads;
	int rc;

	if ((rc = customers_alloc(m, total)) != 0)
		return rc;
	/* a million customers on several threads, each into its own range */
	while (np > 1 && total / np < LOAD_PART_MIN)
		np--;
	for (size_t k = 0; k < np; k++) {
		parts[k] = (struct load_part){ m, acc, cut, unit_days, total / np * k,
					       k + 1 == np ? total : total / np * (k + 1), 0, 0, 0, 0 };
		args[k] = &parts[k];
	}
	cli_run_parts(np, load_part, args);
	for (size_t k = 0; k < np; k++) {
		struct load_part *p = &parts[k];
		if (p->error < 0) {
			/* its message is its thread's: read again here, for it */
			struct load_part one = { m, acc, cut, unit_days, 0, total, 0, 0, 0, 0 };
			load_part(&one);
			return cli_lib_error(one.error < 0 ? one.error : p->error);
		}
		if (!p->n)
			continue;
		if (n == 0 || p->first_day < m->first_day)
			m->first_day = p->first_day;
		if (n == 0 || p->last_first_day > m->last_first_day)
			m->last_first_day = p->last_first_day;
		if (p->from != n)
			customers_move(m, n, p->from, p->n);
		n += p->n;
	}
	m->n = n;
	return 0;
}

int model_customers_subset(struct model_customers *m, const struct model_customers *from,
			   uint32_t g, int all)
{
	size_t n = 0;
	int rc;

	if ((rc = customers_alloc(m, from->n)) != 0)
		return rc;
	for (size_t i = 0; i < from->n; i++) {
		if (!all && from->group[i] != g)
			continue;
		m->index[n] = from->index[i];
		m->group[n] = from->group[i];
		m->first[n] = from->first[i];
		if (n == 0 || m->first[n] < m->first_day)
			m->first_day = m->first[n];
		if (n == 0 || m->first[n] > m->last_first_day)
			m->last_first_day = m->first[n];
		m->x[n] = from->x[i];
		m->t_x[n] = from->t_x[i];
		m->T[n] = from->T[i];
		m->holdout[n] = from->holdout[i];
		n++;
	}
	m->n = n;
	return 0;
}

void model_customers_dispose(struct model_customers *m)
{
	free(m->index);
	free(m->group);
	free(m->first);
	free(m->x);
	free(m->t_x);
	free(m->T);
	free(m->holdout);
	memset(m, 0, sizeof(*m));
}

int model_units_make(struct model_unit **units, size_t *n, const struct model_customers *m,
		     struct txn_data *d, int by_group)
{
	struct model_unit *u = NULL;
	uint32_t *sorted = NULL;
	unsigned char *seen = NULL;
	size_t ng = by_group ? cli_groups_count(&d->groups) : 1, k = 0;
	int rc = 0;

	*units = NULL;
	*n = 0;
	if (!(u = calloc(ng ? ng : 1, sizeof(*u))))
		return cli_oom();
	if (!by_group) {
		/* everyone: the unit borrows m's arrays (no copy of a million
		 * customers; see model_units_free) */
		u[0].all = 1;
		u[0].m = *m;
		*units = u;
		*n = 1;
		return 0;
	}
	if (!(sorted = cli_groups_sorted(&d->groups)) || !(seen = calloc(ng ? ng : 1, 1))) {
		rc = cli_oom();
		goto fail;
	}
	for (size_t i = 0; i < m->n; i++)
		seen[m->group[i]] = 1;
	for (size_t j = 0; j < ng; j++) {
		uint32_t g = sorted[j];
		struct cli_column cols[CLI_LIST_MAX];
		struct cli_value v[CLI_LIST_MAX];
		size_t nc, nv, used = 0;

		if (!seen[g])
			continue; /* no customer acquired by the as-of date */
		u[k].group = g;
		if ((rc = model_customers_subset(&u[k].m, m, g, 0)) != 0) {
			k++;
			goto fail;
		}
		nc = txn_group_columns(cols, d);
		if ((nv = txn_group_values(v, d, g)) == SIZE_MAX) {
			k++;
			rc = cli_oom();
			goto fail;
		}
		/* "group Country=EIRE: ", for messages */
		used = (size_t)snprintf(u[k].label, sizeof(u[k].label), "group ");
		for (size_t i = 0; i < nv && i < nc && used < sizeof(u[k].label); i++)
			used += (size_t)snprintf(u[k].label + used, sizeof(u[k].label) - used, "%s%s=%s",
						 i ? ", " : "", cols[i].name, v[i].s);
		if (used < sizeof(u[k].label))
			snprintf(u[k].label + used, sizeof(u[k].label) - used, ": ");
		k++;
	}
	free(sorted);
	free(seen);
	*units = u;
	*n = k;
	return 0;
fail:
	free(sorted);
	free(seen);
	model_units_free(u, k);
	return rc;
}

void model_units_free(struct model_unit *units, size_t n)
{
	for (size_t i = 0; units && i < n; i++)
		if (!units[i].all)
			model_customers_dispose(&units[i].m);
	free(units);
}

/* ---- fitting ------------------------------------------------------------ */

static double param_value(const struct model_fit *f, int i)
{
	if (f->kind == MODEL_PNBD) {
		const double v[4] = { f->pn.r, f->pn.alpha, f->pn.s, f->pn.beta };
		return v[i];
	} else {
		const double v[4] = { f->bg.r, f->bg.alpha, f->bg.a, f->bg.b };
		return v[i];
	}
}

static double param_se(const struct model_fit *f, int i)
{
	if (f->kind == MODEL_PNBD) {
		const double v[4] = { f->pn.se_r, f->pn.se_alpha, f->pn.se_s, f->pn.se_beta };
		return v[i];
	} else {
		const double v[4] = { f->bg.se_r, f->bg.se_alpha, f->bg.se_a, f->bg.se_b };
		return v[i];
	}
}

static const char *param_name(int kind, int i)
{
	static const char *const bg[4] = { "r", "alpha", "a", "b" };
	static const char *const pn[4] = { "r", "alpha", "s", "beta" };
	return kind == MODEL_PNBD ? pn[i] : bg[i];
}

double model_log_likelihood(const struct model_fit *f)
{
	return f->kind == MODEL_PNBD ? f->pn.log_likelihood : f->bg.log_likelihood;
}

static size_t fit_customers(const struct model_fit *f)
{
	return f->kind == MODEL_PNBD ? f->pn.customers : f->bg.customers;
}

/* Fit one kind; returns a libloyal status (its message in loyal_error_last()). */
static int fit_kind(struct model_fit *f, int kind, const loyal_bgnbd_data *d,
		    const struct model_opts *mo)
{
	loyal_bgnbd_fit_options fo = LOYAL_BGNBD_FIT_OPTIONS_INIT;
	int error;

	memset(f, 0, sizeof(*f));
	f->kind = kind;
	fo.max_iterations = mo->max_iterations;
	fo.penalty = mo->penalty;
	fo.threads = (unsigned)mo->threads;
	switch (kind) {
	case MODEL_BGNBD: error = loyal_bgnbd_fit(&f->bg, d, &fo); break;
	case MODEL_MBGNBD: error = loyal_mbgnbd_fit(&f->bg, d, &fo); break;
	default: error = loyal_pnbd_fit(&f->pn, d, &fo); break;
	}
	if (error == 0) {
		f->fitted = 1;
		f->bic = 4.0 * log((double)fit_customers(f)) - 2.0 * model_log_likelihood(f);
	}
	return error;
}

/* The last point a failed fit reached, for diagnosis. */
static void report_last_point(const struct model_fit *f, const struct model_opts *mo,
			      const char *label)
{
	cli_error("%slast point reached, not an estimate: r %.6g, alpha %.6g, %s %.6g, %s %.6g "
		  "(alpha%s in %ss), log-likelihood %.6g", label, param_value(f, 0),
		  param_value(f, 1), param_name(f->kind, 2), param_value(f, 2),
		  param_name(f->kind, 3), param_value(f, 3),
		  f->kind == MODEL_PNBD ? " and beta" : "", mo->unit, model_log_likelihood(f));
}

/* One part of group_customers(): customers [from, to) of m, grouped. */
struct group_part {
	const struct model_customers *m;
	size_t from, to;
	loyal_bgnbd_data *d;
	int error;
};

static void group_part(void *arg)
{
	struct group_part *p = arg;

	if ((p->error = loyal_bgnbd_data_new(&p->d)) < 0)
		return;
	for (size_t i = p->from; i < p->to; i++)
		if ((p->error = loyal_bgnbd_data_add(p->d, p->m->x[i], p->m->t_x[i],
						     p->m->T[i])) < 0)
			return;
}

/*
 * The distinct (x, t_x, T) triples of m's customers with their counts, on
 * up to `threads` threads: each groups a contiguous part, and the parts
 * are merged in order. A triple's first appearance in the whole list is
 * its first in the earliest part that has it, so the groups come out in
 * the same order with the same counts as from one thread, and the fit is
 * the same to the last bit. NULL when a part failed (out of memory or an
 * invalid triple): the caller groups again on its own thread, for the
 * message.
 */
static loyal_bgnbd_data *group_customers(const struct model_customers *m, size_t threads)
{
	struct group_part parts[MODEL_MAX_THREADS];
	void *args[MODEL_MAX_THREADS];
	size_t np = threads < 1 ? 1 : threads > MODEL_MAX_THREADS ? MODEL_MAX_THREADS : threads;
	loyal_bgnbd_data *d = NULL;
	int failed = 0;

	while (np > 1 && m->n / np < LOAD_PART_MIN)
		np--;
	if (np < 2)
		return NULL;
	for (size_t k = 0; k < np; k++) {
		parts[k] = (struct group_part){ m, m->n / np * k,
						k + 1 == np ? m->n : m->n / np * (k + 1), NULL, 0 };
		args[k] = &parts[k];
	}
	cli_run_parts(np, group_part, args);
	for (size_t k = 0; k < np; k++)
		if (parts[k].error < 0 ||
		    (k > 0 && !failed && loyal_bgnbd_data_merge(parts[0].d, parts[k].d) < 0))
			failed = 1;
	if (!failed) {
		d = parts[0].d;
		parts[0].d = NULL;
	}
	for (size_t k = 0; k < np; k++)
		loyal_bgnbd_data_free(parts[k].d);
	return d;
}

/* A failed loyal_bgnbd_data_add(): day occasions make every triple valid,
 * so anything but running out of memory is a bug. */
static int add_failed(int error)
{
	if (error == LOYAL_ENOMEM)
		return cli_lib_error(error);
	cli_error("internal error: %s", loyal_error_last()->message);
	return CLI_EXIT_SOFTWARE;
}

static int fit_grouped(struct model_set *s, const loyal_bgnbd_data *d,
		       const struct model_opts *mo, const char *label);

int model_fit_set(struct model_set *s, const struct model_customers *m,
		  const struct model_opts *mo, const char *label)
{
	loyal_bgnbd_data *d = NULL;
	int error, rc = 0;

	memset(s, 0, sizeof(*s));
	s->chosen = -1;
	if ((d = group_customers(m, mo->threads)) == NULL) {
		if ((error = loyal_bgnbd_data_new(&d)) < 0)
			return cli_lib_error(error);
		for (size_t i = 0; i < m->n; i++) {
			if ((error = loyal_bgnbd_data_add(d, m->x[i], m->t_x[i], m->T[i])) < 0) {
				rc = add_failed(error);
				goto done;
			}
		}
	}
	rc = fit_grouped(s, d, mo, label);
done:
	loyal_bgnbd_data_free(d);
	return rc;
}

/* One part of model_fit_all(): the calibration customers among buyers
 * [from, to) of acc, grouped. */
struct direct_part {
	const loyal_txn *acc;
	int32_t cut;
	double unit_days;
	size_t from, to;
	loyal_bgnbd_data *d;
	int error;
};

static void direct_part(void *arg)
{
	struct direct_part *p = arg;

	if ((p->error = loyal_bgnbd_data_new(&p->d)) < 0)
		return;
	for (size_t i = p->from; i < p->to; i++) {
		loyal_txn_split sp = LOYAL_TXN_SPLIT_INIT;
		if ((p->error = loyal_txn_customer_split(&sp, p->acc, i, p->cut)) < 0)
			return;
		/* the values model_customers_load() gives */
		if (sp.calibration &&
		    (p->error = loyal_bgnbd_data_add(p->d, (double)sp.x, sp.t_x / p->unit_days,
						     sp.T / p->unit_days)) < 0)
			return;
	}
}

int model_fit_all(struct model_set *s, size_t *n, const loyal_txn *acc, int32_t cut,
		  const struct model_opts *mo)
{
	struct direct_part parts[MODEL_MAX_THREADS];
	void *args[MODEL_MAX_THREADS];
	size_t total = loyal_txn_customer_count(acc);
	size_t np = mo->threads < 1 ? 1 : mo->threads > MODEL_MAX_THREADS ? MODEL_MAX_THREADS
									    : mo->threads;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	s->chosen = -1;
	*n = 0;
	while (np > 1 && total / np < LOAD_PART_MIN)
		np--;
	for (;;) {
		for (size_t k = 0; k < np; k++) {
			parts[k] = (struct direct_part){ acc, cut, mo->unit_days, total / np * k,
							 k + 1 == np ? total : total / np * (k + 1),
							 NULL, 0 };
			args[k] = &parts[k];
		}
		cli_run_parts(np, direct_part, args);
		/* Merged in order, the groups are those of one list of all the
		 * customers (see group_customers()): the fit is the same to the
		 * last bit as from model_customers_load() and model_fit_set(). */
		int error = 0;
		for (size_t k = 0; k < np && !error; k++)
			if ((error = parts[k].error) == 0 && k > 0)
				error = loyal_bgnbd_data_merge(parts[0].d, parts[k].d);
		if (error < 0 && np > 1) {
			/* the message is one thread's: once more on this one */
			for (size_t k = 0; k < np; k++)
				loyal_bgnbd_data_free(parts[k].d);
			np = 1;
			continue;
		}
		if (error < 0)
			rc = add_failed(error);
		break;
	}
	if (rc == 0) {
		*n = loyal_bgnbd_data_customers(parts[0].d);
		if (*n)
			rc = fit_grouped(s, parts[0].d, mo, "");
	}
	for (size_t k = 0; k < np; k++)
		loyal_bgnbd_data_free(parts[k].d);
	return rc;
}

/* Fit the models asked for to the grouped customers d (see model_fit_set). */
static int fit_grouped(struct model_set *s, const loyal_bgnbd_data *d,
		       const struct model_opts *mo, const char *label)
{
	char why[MODEL_NKINDS][400];
	int error, rc = 0, failed_all = 1;

	for (int k = 0; k < MODEL_NKINDS; k++) {
		if (mo->model != MODEL_AUTO && mo->model != k)
			continue;
		s->tried[k] = 1;
		error = fit_kind(&s->fit[k], k, d, mo);
		if (error == 0) {
			failed_all = 0;
			continue;
		}
		if (error != LOYAL_ECONVERGE && error != LOYAL_ENODATA) {
			rc = cli_lib_error(error);
			goto done;
		}
		if (mo->model != MODEL_AUTO) {
			/* the library's message names the model and says why */
			cli_error("%s%s", label, loyal_error_last()->message);
			if (error == LOYAL_ECONVERGE) {
				report_last_point(&s->fit[k], mo, label);
				fprintf(stderr, "hint: see FIT FAILURES in loyal-churn(1)%s\n",
					mo->model == MODEL_PNBD ? "" : "; or try --model pnbd");
			}
			if (label[0])
				fprintf(stderr, "hint: --pooled fits one model to the customers of "
					"all groups\n");
			rc = CLI_EXIT_DATA;
			goto done;
		}
		snprintf(why[k], sizeof(why[k]), "%s", loyal_error_last()->message);
		if (!mo->quiet)
			cli_error("%s--model auto: %s not used: %s", label, titles[k], why[k]);
	}
	if (failed_all) {
		/* -q hides the notes, not the reasons of a failure */
		for (int k = 0; mo->quiet && k < MODEL_NKINDS; k++)
			cli_error("%s--model auto: %s not used: %s", label, titles[k], why[k]);
		cli_error("%s--model auto: none of BG/NBD, MBG/NBD and Pareto/NBD could be fitted",
			  label);
		fprintf(stderr, "hint: see FIT FAILURES in loyal-churn(1)\n");
		if (label[0])
			fprintf(stderr, "hint: --pooled fits one model to the customers of all "
				"groups\n");
		rc = CLI_EXIT_DATA;
		goto done;
	}
	/* the lowest BIC; all have 4 parameters, so this is the highest
	 * likelihood, and ties keep the first of bgnbd, mbgnbd, pnbd */
	for (int k = 0; k < MODEL_NKINDS; k++)
		if (s->fit[k].fitted && (s->chosen < 0 || s->fit[k].bic < s->fit[s->chosen].bic))
			s->chosen = k;
	s->chosen_by = mo->model == MODEL_AUTO ? "BIC" : "--model";
done:
	return rc;
}

const struct model_fit *model_chosen(const struct model_set *s)
{
	return s->chosen >= 0 ? &s->fit[s->chosen] : NULL;
}

int model_score(const struct model_fit *f, double t, size_t n, const double *x,
		const double *t_x, const double *T, double *p_alive, double *expected)
{
	switch (f->kind) {
	case MODEL_BGNBD: return loyal_bgnbd_score(&f->bg, t, n, x, t_x, T, p_alive, expected);
	case MODEL_MBGNBD: return loyal_mbgnbd_score(&f->bg, t, n, x, t_x, T, p_alive, expected);
	default: return loyal_pnbd_score(&f->pn, t, n, x, t_x, T, p_alive, expected);
	}
}

double model_p_no_purchase(const struct model_fit *f, double t, double x, double t_x, double T)
{
	switch (f->kind) {
	case MODEL_BGNBD: return loyal_bgnbd_p_no_purchase(&f->bg, t, x, t_x, T);
	case MODEL_MBGNBD: return loyal_mbgnbd_p_no_purchase(&f->bg, t, x, t_x, T);
	default: return loyal_pnbd_p_no_purchase(&f->pn, t, x, t_x, T);
	}
}

int model_cumulative(const struct model_fit *f, size_t nk, const double *s, const double *count,
		     size_t nt, const double *t, double *out)
{
	switch (f->kind) {
	case MODEL_BGNBD: return loyal_bgnbd_cumulative(&f->bg, nk, s, count, nt, t, out);
	case MODEL_MBGNBD: return loyal_mbgnbd_cumulative(&f->bg, nk, s, count, nt, t, out);
	default: return loyal_pnbd_cumulative(&f->pn, nk, s, count, nt, t, out);
	}
}

double model_dropout_per_purchase(const struct model_fit *f)
{
	if (f->kind == MODEL_PNBD)
		return loyal_pnbd_dropout_per_purchase(&f->pn);
	return f->bg.a / (f->bg.a + f->bg.b);
}

void model_warn_doubtful(const struct model_fit *f, const struct model_opts *mo,
			 const char *label)
{
	const char *hint = mo->model == MODEL_AUTO ? ""
			 : f->kind == MODEL_PNBD ? "; compare with --model auto" : "; try --model pnbd";
	double p = model_dropout_per_purchase(f);
	char what[160];
	size_t used = 0;

	if (mo->quiet || !f->fitted)
		return;
	if (p < 0.01)
		cli_error("%swarning: the %s fit implies a mean drop-out probability per purchase "
			  "of %.2g%%: customers would almost never leave; the model may not fit "
			  "this data%s", label, titles[f->kind], 100.0 * p, hint);
	what[0] = '\0';
	for (int i = 0; i < 4; i++) {
		double se = param_se(f, i);
		if (isfinite(se) && se > param_value(f, i) && used < sizeof(what)) {
			int k = snprintf(what + used, sizeof(what) - used, "%s%s %.3g (se %.3g)",
					 used ? ", " : "", param_name(f->kind, i), param_value(f, i), se);
			if (k > 0)
				used += (size_t)k;
		}
	}
	if (what[0])
		cli_error("%swarning: the %s fit has a standard error larger than its parameter: "
			  "%s; the model may not fit this data%s", label, titles[f->kind], what,
			  hint);
}

void model_note_choice(const struct model_set *s, const struct model_opts *mo,
		       const char *label)
{
	if (mo->quiet || mo->model != MODEL_AUTO || s->chosen < 0)
		return;
	cli_error("%s--model auto chose %s (lowest %s)", label, keys[s->chosen], s->chosen_by);
}

int model_fit_gg(loyal_gg_params *p, const loyal_gg_data *d, const struct model_opts *mo,
		 const char *label)
{
	loyal_gg_fit_options fo = LOYAL_GG_FIT_OPTIONS_INIT;
	int error;

	fo.max_iterations = mo->max_iterations;
	if ((error = loyal_gg_fit(p, d, &fo)) < 0) {
		int rc = error == LOYAL_ECONVERGE || error == LOYAL_ENODATA ? CLI_EXIT_DATA
									      : cli_exit_status(error);
		cli_error("%s%s", label, loyal_error_last()->message);
		if (error == LOYAL_ECONVERGE) {
			cli_error("%slast point reached, not an estimate: p %.6g, q %.6g, gamma %.6g, "
				  "log-likelihood %.6g", label, p->p, p->q, p->gamma, p->log_likelihood);
			fprintf(stderr, "hint: see FIT FAILURES in loyal-clv(1)\n");
		}
		return rc;
	}
	if (!(p->q > 1.0)) {
		cli_error("%sthe Gamma-Gamma fit gives q = %.6g <= 1: the population's mean spend "
			  "does not exist, so no expected spend can be computed "
			  "(p %.6g, gamma %.6g)", label, p->q, p->p, p->gamma);
		return CLI_EXIT_DATA;
	}
	return 0;
}

struct keyed {
	double key;
	size_t i;
};

static int keyed_cmp(const void *pa, const void *pb)
{
	const struct keyed *a = pa, *b = pb;
	/* largest first; NaN (never expected) last; ties in item order */
	int an = isnan(a->key), bn = isnan(b->key);
	if (an != bn)
		return an - bn;
	if (!an && a->key != b->key)
		return a->key > b->key ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

size_t *model_order(const double *key, size_t n)
{
	struct keyed *k = malloc((n ? n : 1) * sizeof(*k));
	size_t *perm = malloc((n ? n : 1) * sizeof(*perm));

	if (!k || !perm) {
		free(k);
		free(perm);
		cli_oom();
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		k[i] = (struct keyed){ key[i], i };
	qsort(k, n, sizeof(*k), keyed_cmp);
	for (size_t i = 0; i < n; i++)
		perm[i] = k[i].i;
	free(k);
	return perm;
}

/* ---- --params ----------------------------------------------------------- */

size_t model_params_columns(struct cli_column *cols, size_t n, int with_gg)
{
	cols[n++] = (struct cli_column){ "model", CLI_T_STR, 0 };
	cols[n++] = (struct cli_column){ "r", CLI_T_NUM, 4 };
	cols[n++] = (struct cli_column){ "alpha", CLI_T_NUM, 4 };
	cols[n++] = (struct cli_column){ "a", CLI_T_NUM, 4 };
	cols[n++] = (struct cli_column){ "b", CLI_T_NUM, 4 };
	cols[n++] = (struct cli_column){ "s", CLI_T_NUM, 4 };
	cols[n++] = (struct cli_column){ "beta", CLI_T_NUM, 4 };
	if (with_gg) {
		cols[n++] = (struct cli_column){ "p", CLI_T_NUM, 4 };
		cols[n++] = (struct cli_column){ "q", CLI_T_NUM, 4 };
		cols[n++] = (struct cli_column){ "gamma", CLI_T_NUM, 4 };
	}
	cols[n++] = (struct cli_column){ "log_likelihood", CLI_T_NUM, 2 };
	cols[n++] = (struct cli_column){ "bic", CLI_T_NUM, 2 };
	cols[n++] = (struct cli_column){ "chosen", CLI_T_BOOL, 0 };
	cols[n++] = (struct cli_column){ "customers", CLI_T_INT, 0 };
	cols[n++] = (struct cli_column){ "iterations", CLI_T_INT, 0 };
	cols[n++] = (struct cli_column){ "converged", CLI_T_BOOL, 0 };
	cols[n++] = (struct cli_column){ "se_r", CLI_T_NUM, 4 };
	cols[n++] = (struct cli_column){ "se_alpha", CLI_T_NUM, 4 };
	cols[n++] = (struct cli_column){ "se_a", CLI_T_NUM, 4 };
	cols[n++] = (struct cli_column){ "se_b", CLI_T_NUM, 4 };
	cols[n++] = (struct cli_column){ "se_s", CLI_T_NUM, 4 };
	cols[n++] = (struct cli_column){ "se_beta", CLI_T_NUM, 4 };
	if (with_gg) {
		cols[n++] = (struct cli_column){ "se_p", CLI_T_NUM, 4 };
		cols[n++] = (struct cli_column){ "se_q", CLI_T_NUM, 4 };
		cols[n++] = (struct cli_column){ "se_gamma", CLI_T_NUM, 4 };
		cols[n++] = (struct cli_column){ "mean_spend", CLI_T_NUM, 2 };
	}
	cols[n++] = (struct cli_column){ "dropout_per_purchase", CLI_T_NUM, 4 };
	cols[n++] = (struct cli_column){ "penalty", CLI_T_NUM, 4 };
	cols[n++] = (struct cli_column){ "unit", CLI_T_STR, 0 };
	return n;
}

/* A standard error: INFINITY (a singular information matrix) has no value. */
static struct cli_value se_value(double v)
{
	return isfinite(v) ? CLI_NUM(v) : CLI_NULL;
}

size_t model_params_count(const struct model_set *s, int with_gg)
{
	size_t n = with_gg ? 1 : 0;

	for (int k = 0; k < MODEL_NKINDS; k++)
		n += s->fit[k].fitted != 0;
	return n;
}

void model_params_values(struct cli_value *v, size_t nby, size_t row, const struct model_set *s,
			 const loyal_gg_params *gg, const struct model_opts *mo)
{
	int with_gg = gg != NULL;

	for (int k = 0; k < MODEL_NKINDS; k++) {
		const struct model_fit *f = &s->fit[k];
		size_t n = nby;
		int pn = k == MODEL_PNBD;

		if (!f->fitted || row-- > 0)
			continue;
		v[n++] = CLI_STR(keys[k]);
		v[n++] = CLI_NUM(param_value(f, 0));
		v[n++] = CLI_NUM(param_value(f, 1));
		v[n++] = pn ? CLI_NULL : CLI_NUM(param_value(f, 2));
		v[n++] = pn ? CLI_NULL : CLI_NUM(param_value(f, 3));
		v[n++] = pn ? CLI_NUM(param_value(f, 2)) : CLI_NULL;
		v[n++] = pn ? CLI_NUM(param_value(f, 3)) : CLI_NULL;
		if (with_gg)
			v[n++] = CLI_NULL, v[n++] = CLI_NULL, v[n++] = CLI_NULL;
		v[n++] = CLI_NUM(model_log_likelihood(f));
		v[n++] = CLI_NUM(f->bic);
		v[n++] = CLI_BOOL(s->chosen == k);
		v[n++] = CLI_INT(fit_customers(f));
		v[n++] = CLI_INT(pn ? f->pn.iterations : f->bg.iterations);
		v[n++] = CLI_BOOL(1);
		v[n++] = se_value(param_se(f, 0));
		v[n++] = se_value(param_se(f, 1));
		v[n++] = pn ? CLI_NULL : se_value(param_se(f, 2));
		v[n++] = pn ? CLI_NULL : se_value(param_se(f, 3));
		v[n++] = pn ? se_value(param_se(f, 2)) : CLI_NULL;
		v[n++] = pn ? se_value(param_se(f, 3)) : CLI_NULL;
		if (with_gg)
			v[n++] = CLI_NULL, v[n++] = CLI_NULL, v[n++] = CLI_NULL, v[n++] = CLI_NULL;
		v[n++] = CLI_NUM(model_dropout_per_purchase(f));
		v[n++] = CLI_NUM(mo->penalty);
		v[n++] = CLI_STR(mo->unit);
		return;
	}
	if (!with_gg)
		return;

	size_t n = nby;
	v[n++] = CLI_STR("gammagamma");
	for (int i = 0; i < 6; i++)
		v[n++] = CLI_NULL;
	v[n++] = CLI_NUM(gg->p);
	v[n++] = CLI_NUM(gg->q);
	v[n++] = CLI_NUM(gg->gamma);
	v[n++] = CLI_NUM(gg->log_likelihood);
	v[n++] = CLI_NULL; /* bic: not comparable with the purchase models */
	v[n++] = CLI_NULL;
	v[n++] = CLI_INT(gg->customers);
	v[n++] = CLI_INT(gg->iterations);
	v[n++] = CLI_BOOL(gg->converged);
	for (int i = 0; i < 6; i++)
		v[n++] = CLI_NULL;
	v[n++] = se_value(gg->se_p);
	v[n++] = se_value(gg->se_q);
	v[n++] = se_value(gg->se_gamma);
	v[n++] = CLI_NUM(loyal_gg_expected_spend(gg, 0, 0));
	v[n++] = CLI_NULL;
	v[n++] = CLI_NULL;
	v[n++] = CLI_NULL;
}

int model_params_write(struct cli_out *out, struct cli_value *v, size_t nby,
		       const struct model_set *s, const loyal_gg_params *gg,
		       const struct model_opts *mo)
{
	int rc;

	for (size_t r = 0; r < model_params_count(s, gg != NULL); r++) {
		model_params_values(v, nby, r, s, gg, mo);
		if ((rc = cli_out_row(out, v)) != 0)
			return rc;
	}
	return 0;
}
