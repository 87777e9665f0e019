#include <stdlib.h>
#include <string.h>

#include "result.h"
#include "survey.h"

static const struct cli_command_info info = {
	"csat",
	"loyal csat [options] FILE...",
	"Customer satisfaction: the share of answers in the top two boxes of the scale\n"
	"(4-5 on 1-5), and the mean answer. Several columns give one row per dimension\n"
	"and an overall row, optionally weighted.",
};

struct csat_ctx {
	struct cli_list cols;  /* --cols; empty: one column found by name */
	const char *csat_col;
	int lo, hi;
	size_t ndim;
	loyal_csat *acc; /* per group, ndim each */
	size_t cap;      /* groups */
	loyal_csat_labels *labels; /* --labels, or NULL */
	char *colname[SURVEY_MAX_COLS]; /* header names in the first input */
};

/* Keep the header names of the first input, for messages. */
static int keep_names(struct csat_ctx *ctx, struct cli_source *s, const size_t *cols)
{
	for (size_t k = 0; k < ctx->ndim; k++) {
		if (ctx->colname[k])
			continue;
		if (!(ctx->colname[k] = strdup(loyal_reader_column_name(s->r, cols[k])))) {
			return cli_oom();
		}
	}
	return 0;
}

static int csat_resolve(void *vctx, struct cli_source *s, size_t *cols)
{
	struct csat_ctx *ctx = vctx;
	int error;

	if (ctx->cols.n == 0) {
		error = loyal_reader_find_column(&cols[0], s->r, "satisfaction", ctx->csat_col,
						 loyal_role_aliases(LOYAL_ROLE_CSAT));
		if (error < 0) {
			int st = cli_lib_error(error);
			if (!ctx->csat_col)
				fprintf(stderr, "hint: name the column with --csat-col or --cols\n");
			return st;
		}
		return keep_names(ctx, s, cols);
	}
	for (size_t k = 0; k < ctx->cols.n; k++) {
		error = loyal_reader_find_column(&cols[k], s->r, "satisfaction", ctx->cols.items[k], NULL);
		if (error < 0)
			return cli_lib_error(error);
	}
	return keep_names(ctx, s, cols);
}

static int csat_parse(void *vctx, size_t k, const char *text, size_t len, int *value)
{
	struct csat_ctx *ctx = vctx;
	(void)k;
	return loyal_csat_read(value, &ctx->acc[0], ctx->labels, text, len);
}

static int csat_reserve(struct csat_ctx *ctx, uint32_t group)
{
	if (group >= ctx->cap) {
		size_t cap = ctx->cap * 2;
		while (cap <= group)
			cap *= 2;
		loyal_csat *a = realloc(ctx->acc, cap * ctx->ndim * sizeof(*a));
		if (!a) {
			return cli_oom();
		}
		for (size_t i = ctx->cap * ctx->ndim; i < cap * ctx->ndim; i++)
			loyal_csat_init(&a[i], ctx->lo, ctx->hi);
		ctx->acc = a;
		ctx->cap = cap;
	}
	return 0;
}

static int csat_add(void *vctx, uint32_t group, size_t k, int value)
{
	struct csat_ctx *ctx = vctx;
	int rc;

	if ((rc = csat_reserve(ctx, group)) != 0)
		return rc;
	loyal_csat_add_answer(&ctx->acc[group * ctx->ndim + k], value);
	return 0;
}

/* A part's context: the same scale and columns, its own counts (acc[0]
 * exists from the start: csat_parse reads the scale from it). */
static void *csat_part_new(void *vctx)
{
	struct csat_ctx *ctx = vctx, *part = malloc(sizeof(*part));

	if (!part)
		return NULL;
	*part = *ctx;
	part->cap = 1;
	if (!(part->acc = malloc(ctx->ndim * sizeof(*part->acc)))) {
		free(part);
		return NULL;
	}
	for (size_t i = 0; i < ctx->ndim; i++)
		loyal_csat_init(&part->acc[i], ctx->lo, ctx->hi);
	return part;
}

static int csat_part_merge(void *vctx, void *vpart, const uint32_t *map, size_t ngroups)
{
	struct csat_ctx *ctx = vctx, *part = vpart;
	int rc;

	for (size_t g = 0; g < ngroups && g < part->cap; g++) {
		if ((rc = csat_reserve(ctx, map[g])) != 0)
			return rc;
		for (size_t k = 0; k < ctx->ndim; k++)
			loyal_csat_merge(&ctx->acc[map[g] * ctx->ndim + k], &part->acc[g * ctx->ndim + k]);
	}
	return 0;
}

/* The state of a group's column: counts per point, pending 满意 answers,
 * the built-in labels seen. */
static int csat_state(void *vctx, uint32_t group, size_t k, uint64_t *v, int write)
{
	struct csat_ctx *ctx = vctx;
	int rc;
	if (write) {
		memset(v, 0, SURVEY_STATE_N * sizeof(*v));
		if (group < ctx->cap) {
			const loyal_csat *a = &ctx->acc[group * ctx->ndim + k];
			memcpy(v, a->counts, sizeof(a->counts));
			v[11] = a->pending;
			v[12] = a->labels_seen;
		}
		return 0;
	}
	if ((rc = csat_reserve(ctx, group)) != 0)
		return rc;
	loyal_csat *a = &ctx->acc[group * ctx->ndim + k];
	for (int i = 0; i < 11; i++)
		a->counts[i] += v[i];
	a->pending += v[11];
	a->labels_seen |= v[12];
	return 0;
}

static void csat_part_free(void *vpart)
{
	struct csat_ctx *part = vpart;
	free(part->acc);
	free(part);
}

static int parse_weights(double *w, size_t n, const char *text)
{
	size_t k = 0;
	const char *p = text;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char item[64];
		if (k == n || len == 0 || len >= sizeof(item))
			break;
		memcpy(item, p, len);
		item[len] = '\0';
		if (cli_parse_number(&w[k], "--weights", item))
			return CLI_EXIT_USAGE;
		if (w[k] < 0)
			break;
		k++;
		p += len;
		if (!*p++)
			break;
	}
	if (k != n || p[-1] == ',') {
		cli_error("--weights needs %zu non-negative numbers separated by commas, one per "
			  "column of --cols, not '%s'", n, text);
		return CLI_EXIT_USAGE;
	}
	double sum = 0;
	for (k = 0; k < n; k++)
		sum += w[k];
	if (sum <= 0) {
		cli_error("--weights must not all be zero");
		return CLI_EXIT_USAGE;
	}
	return 0;
}

/* The command's options, loaded counts and result (result.h). */
struct csat_run {
	struct cli_common c;
	struct csat_ctx ctx;
	const char *scale, *weights_text, *labels_arg;
	int skip_invalid;
	double weights[SURVEY_MAX_COLS];
	struct cli_groups g;
	uint32_t *order;
	char *names; /* n_<point> column names */
	int npoints;
	struct cli_column cols[CLI_LIST_MAX + 8 + 11];
	/* the group's dimensions so far, for its overall row */
	loyal_csat total;
	double wsum, wcsat, wmean;
};

static int parse(struct csat_run *p, int argc, char **argv, int *nargs)
{
	struct csat_ctx *ctx = &p->ctx;
	const struct cli_opt opts[] = {
		CLI_OPT_GROUP("CSAT"),
		CLI_OPT_STRING(0, "csat-col", "NAME", &ctx->csat_col,
			       "column holding the answer (default: found by header name)"),
		CLI_OPT_LIST(0, "cols", "A,B,...", &ctx->cols,
			     "several satisfaction columns: one row each and an overall row"),
		CLI_OPT_STRING(0, "weights", "W1,W2,...", &p->weights_text,
			       "weights of --cols in the overall row (default: equal)"),
		CLI_OPT_STRING(0, "scale", "LO-HI", &p->scale, "answer scale: 1-5 (default), 1-7, 1-10, 0-10"),
		CLI_OPT_STRING(0, "labels", "MAP", &p->labels_arg,
			       "text answers' points: 'TEXT=POINT,...' or a file of text,point lines"),
		CLI_OPT_FLAG(0, "skip-invalid", &p->skip_invalid,
			     "skip and count invalid rows (answer, date, number of fields) instead of failing"),
		CLI_OPTS_INPUT(&p->c),
		CLI_OPT_THREADS(&p->c),
		CLI_OPTS_PARTIAL(&p->c),
		CLI_OPTS_GROUPING(&p->c),
		CLI_OPTS_OUTPUT(&p->c),
		CLI_OPT_END
	};
	int rc;

	if ((rc = cli_parse(&info, opts, argc, argv, nargs)) != CLI_CONTINUE)
		return rc;
	if ((rc = cli_common_finish(&info, &p->c)) != CLI_CONTINUE)
		return rc;
	ctx->lo = 1;
	ctx->hi = 5;
	if (p->scale && loyal_csat_parse_scale(&ctx->lo, &ctx->hi, p->scale) < 0)
		return cli_usage_error(&info, "--scale: %s", loyal_error_last()->reason);
	if (ctx->cols.n && ctx->csat_col)
		return cli_usage_error(&info, "--csat-col and --cols cannot be used together");
	if (p->weights_text && !ctx->cols.n)
		return cli_usage_error(&info, "--weights needs --cols");
	if (ctx->cols.n > SURVEY_MAX_COLS)
		return cli_usage_error(&info, "--cols takes at most %d columns", SURVEY_MAX_COLS);
	for (size_t k = 0; k < ctx->cols.n; k++) {
		/* the dimension column names each row: it must say which one */
		if (!strcmp(ctx->cols.items[k], "overall"))
			return cli_usage_error(&info, "--cols: a column named 'overall' cannot be "
					       "told from the overall row");
		for (size_t j = 0; j < k; j++)
			if (!strcmp(ctx->cols.items[k], ctx->cols.items[j]))
				return cli_usage_error(&info, "--cols %s is given twice",
						       ctx->cols.items[k]);
	}
	ctx->ndim = ctx->cols.n ? ctx->cols.n : 1;
	for (size_t k = 0; k < ctx->ndim; k++)
		p->weights[k] = 1.0;
	if (p->weights_text && (rc = parse_weights(p->weights, ctx->ndim, p->weights_text)) != 0)
		return rc;
	if (*nargs == 0)
		return cli_usage_error(&info, "no input file (use - for standard input)");
	return CLI_CONTINUE;
}

/* Row i: dimension k of the i-th group in order; with --cols, each group
 * has a row per dimension, then its overall row. */
static int csat_row(void *vp, size_t i, struct cli_value *v)
{
	struct csat_run *p = vp;
	struct csat_ctx *ctx = &p->ctx;
	size_t per = ctx->cols.n ? ctx->cols.n + 1 : 1, k = i % per;
	uint32_t id = p->order[i / per];
	loyal_csat_result r = LOYAL_CSAT_RESULT_INIT;
	const loyal_csat *acc;
	size_t n = cli_group_values(v, &p->g, id, &p->c);

	if (n == SIZE_MAX)
		return cli_oom();
	if (k == 0) {
		loyal_csat_init(&p->total, ctx->lo, ctx->hi);
		p->wsum = p->wcsat = p->wmean = 0;
	}
	if (k < ctx->ndim) {
		acc = &ctx->acc[id * ctx->ndim + k];
		if (ctx->cols.n)
			v[n++] = CLI_STR(ctx->cols.items[k]);
		if (loyal_csat_compute(&r, acc) < 0) {
			/* this dimension has no answer in this group */
			v[n++] = CLI_INT(0);
			v[n++] = CLI_INT(0);
			v[n++] = CLI_NULL;
			v[n++] = CLI_NULL;
		} else {
			p->wsum += p->weights[k];
			p->wcsat += p->weights[k] * r.csat;
			p->wmean += p->weights[k] * r.mean;
			v[n++] = CLI_INT(r.responses);
			v[n++] = CLI_INT(r.satisfied);
			v[n++] = CLI_NUM(r.csat);
			v[n++] = CLI_NUM(r.mean);
		}
		loyal_csat_merge(&p->total, acc);
	} else {
		/* overall row: weighted over the dimensions answered in the group */
		acc = &p->total;
		loyal_csat_compute(&r, acc);
		v[n++] = CLI_STR("overall");
		v[n++] = CLI_INT(r.responses);
		v[n++] = CLI_INT(r.satisfied);
		if (p->wsum > 0.0) {
			v[n++] = CLI_NUM(p->wcsat / p->wsum);
			v[n++] = CLI_NUM(p->wmean / p->wsum);
		} else {
			/* every answered dimension weighs 0 */
			v[n++] = CLI_NULL;
			v[n++] = CLI_NULL;
		}
	}
	for (int q = 0; q < p->npoints; q++)
		v[n++] = CLI_INT(acc->counts[q]);
	return 0;
}

static int compute(struct csat_run *p, char **files, int nfiles, struct cli_result *res)
{
	struct csat_ctx *ctx = &p->ctx;
	struct cli_column *cols = p->cols;
	struct survey_stats st;
	int rc;

	if ((rc = survey_load_labels(&ctx->labels, p->labels_arg)) != 0)
		return rc;
	ctx->cap = 16;
	if (!(ctx->acc = malloc(ctx->cap * ctx->ndim * sizeof(*ctx->acc))))
		return cli_oom();
	for (size_t i = 0; i < ctx->cap * ctx->ndim; i++)
		loyal_csat_init(&ctx->acc[i], ctx->lo, ctx->hi);
	if ((rc = cli_groups_init(&p->g)) != 0)
		return rc;

	struct survey_spec spec = { ctx->ndim, p->skip_invalid, csat_resolve, csat_parse, csat_add,
				    csat_part_new, csat_part_merge, csat_part_free, csat_state,
				    ctx->colname };
	if ((rc = survey_run(&p->c, files, nfiles, &p->g, &spec, ctx, &st)) != 0)
		return rc;
	survey_report(&p->c, &st);
	/* 满意 is 4 or 3 by the scale of its column, known now that every
	 * label of the column has been seen. */
	for (size_t k = 0; k < ctx->ndim; k++) {
		uint64_t seen = 0;
		int point;
		for (size_t i = 0; i < cli_groups_count(&p->g); i++)
			seen |= ctx->acc[i * ctx->ndim + k].labels_seen;
		if ((rc = survey_csat_decide(&point, seen, ctx->colname[k] ? ctx->colname[k] : "?",
					     p->c.quiet)) != 0)
			return rc;
		for (size_t i = 0; i < cli_groups_count(&p->g); i++)
			loyal_csat_resolve(&ctx->acc[i * ctx->ndim + k], point);
	}
	if (cli_groups_count(&p->g) == 0) {
		cli_error("no valid answers: the CSAT is undefined");
		return CLI_EXIT_DATA;
	}

	/* columns: groups, [dimension], responses, satisfied, csat, mean, n_<k>... */
	size_t nc = cli_group_columns(cols, &p->c);
	p->npoints = ctx->hi - ctx->lo + 1;
	if (ctx->cols.n)
		cols[nc++] = (struct cli_column){ "dimension", CLI_T_STR, 0 };
	cols[nc++] = (struct cli_column){ "responses", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "satisfied", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "csat", CLI_T_NUM, 1 };
	cols[nc++] = (struct cli_column){ "mean", CLI_T_NUM, 2 };
	if (!(p->names = malloc((size_t)p->npoints * 8)))
		return cli_oom();
	for (int k = 0; k < p->npoints; k++) {
		snprintf(p->names + k * 8, 8, "n_%d", ctx->lo + k);
		cols[nc++] = (struct cli_column){ p->names + k * 8, CLI_T_INT, 0 };
	}
	if (!(p->order = cli_groups_sorted(&p->g)))
		return cli_oom();
	size_t per = ctx->cols.n ? ctx->cols.n + 1 : 1;
	cli_result_add(res, NULL, cols, nc, cli_groups_count(&p->g) * per, csat_row, p);
	return 0;
}

int cmd_csat(int argc, char **argv)
{
	struct csat_run p = { 0 };
	struct cli_result res = { 0 };
	int nargs, rc;

	if ((rc = parse(&p, argc, argv, &nargs)) != CLI_CONTINUE)
		return rc;
	if ((rc = compute(&p, argv, nargs, &res)) == 0)
		rc = cli_render(&res, &p.c);
	free(p.order);
	free(p.names);
	free(p.ctx.acc);
	loyal_csat_labels_free(p.ctx.labels);
	for (size_t k = 0; k < SURVEY_MAX_COLS; k++)
		free(p.ctx.colname[k]);
	cli_groups_dispose(&p.g);
	return rc;
}
