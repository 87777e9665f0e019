#include <stdlib.h>
#include <string.h>

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

int cmd_csat(int argc, char **argv)
{
	struct cli_common c = { 0 };
	struct csat_ctx ctx = { 0 };
	const char *scale = NULL, *weights_text = NULL, *labels_arg = NULL;
	int skip_invalid = 0, nargs, rc;
	struct cli_groups g = { 0 };
	struct survey_stats st;
	struct cli_out *out = NULL;
	uint32_t *order = NULL;
	double weights[SURVEY_MAX_COLS];
	char *names = NULL;
	const struct cli_opt opts[] = {
		CLI_OPT_GROUP("CSAT"),
		CLI_OPT_STRING(0, "csat-col", "NAME", &ctx.csat_col,
			       "column holding the answer (default: found by header name)"),
		CLI_OPT_LIST(0, "cols", "A,B,...", &ctx.cols,
			     "several satisfaction columns: one row each and an overall row"),
		CLI_OPT_STRING(0, "weights", "W1,W2,...", &weights_text,
			       "weights of --cols in the overall row (default: equal)"),
		CLI_OPT_STRING(0, "scale", "LO-HI", &scale, "answer scale: 1-5 (default), 1-7, 1-10, 0-10"),
		CLI_OPT_STRING(0, "labels", "MAP", &labels_arg,
			       "text answers' points: 'TEXT=POINT,...' or a file of text,point lines"),
		CLI_OPT_FLAG(0, "skip-invalid", &skip_invalid,
			     "skip and count invalid rows (answer, date, number of fields) instead of failing"),
		CLI_OPTS_INPUT(&c),
		CLI_OPT_THREADS(&c),
		CLI_OPTS_PARTIAL(&c),
		CLI_OPTS_GROUPING(&c),
		CLI_OPTS_OUTPUT(&c),
		CLI_OPT_END
	};

	if ((rc = cli_parse(&info, opts, argc, argv, &nargs)) != CLI_CONTINUE)
		return rc;
	if ((rc = cli_common_finish(&info, &c)) != CLI_CONTINUE)
		return rc;
	ctx.lo = 1;
	ctx.hi = 5;
	if (scale && loyal_csat_parse_scale(&ctx.lo, &ctx.hi, scale) < 0)
		return cli_usage_error(&info, "--scale: %s", loyal_error_last()->reason);
	if (ctx.cols.n && ctx.csat_col)
		return cli_usage_error(&info, "--csat-col and --cols cannot be used together");
	if (weights_text && !ctx.cols.n)
		return cli_usage_error(&info, "--weights needs --cols");
	if (ctx.cols.n > SURVEY_MAX_COLS)
		return cli_usage_error(&info, "--cols takes at most %d columns", SURVEY_MAX_COLS);
	for (size_t k = 0; k < ctx.cols.n; k++) {
		/* the dimension column names each row: it must say which one */
		if (!strcmp(ctx.cols.items[k], "overall"))
			return cli_usage_error(&info, "--cols: a column named 'overall' cannot be "
					       "told from the overall row");
		for (size_t j = 0; j < k; j++)
			if (!strcmp(ctx.cols.items[k], ctx.cols.items[j]))
				return cli_usage_error(&info, "--cols %s is given twice",
						       ctx.cols.items[k]);
	}
	ctx.ndim = ctx.cols.n ? ctx.cols.n : 1;
	for (size_t k = 0; k < ctx.ndim; k++)
		weights[k] = 1.0;
	if (weights_text && (rc = parse_weights(weights, ctx.ndim, weights_text)) != 0)
		return rc;
	if (nargs == 0)
		return cli_usage_error(&info, "no input file (use - for standard input)");
	if ((rc = survey_load_labels(&ctx.labels, labels_arg)) != 0)
		return rc;

	ctx.cap = 16;
	if (!(ctx.acc = malloc(ctx.cap * ctx.ndim * sizeof(*ctx.acc)))) {
		return cli_oom();
	}
	for (size_t i = 0; i < ctx.cap * ctx.ndim; i++)
		loyal_csat_init(&ctx.acc[i], ctx.lo, ctx.hi);
	if ((rc = cli_groups_init(&g)) != 0)
		goto done;

	struct survey_spec spec = { ctx.ndim, skip_invalid, csat_resolve, csat_parse, csat_add,
				    csat_part_new, csat_part_merge, csat_part_free, csat_state,
				    ctx.colname };
	if ((rc = survey_run(&c, argv, nargs, &g, &spec, &ctx, &st)) != 0)
		goto done;
	survey_report(&c, &st);
	/* 满意 is 4 or 3 by the scale of its column, known now that every
	 * label of the column has been seen. */
	for (size_t k = 0; k < ctx.ndim; k++) {
		uint64_t seen = 0;
		int point;
		for (size_t i = 0; i < cli_groups_count(&g); i++)
			seen |= ctx.acc[i * ctx.ndim + k].labels_seen;
		if ((rc = survey_csat_decide(&point, seen, ctx.colname[k] ? ctx.colname[k] : "?",
					     c.quiet)) != 0)
			goto done;
		for (size_t i = 0; i < cli_groups_count(&g); i++)
			loyal_csat_resolve(&ctx.acc[i * ctx.ndim + k], point);
	}
	if (cli_groups_count(&g) == 0) {
		cli_error("no valid answers: the CSAT is undefined");
		rc = CLI_EXIT_DATA;
		goto done;
	}

	/* columns: groups, [dimension], responses, satisfied, csat, mean, n_<k>... */
	struct cli_column cols[CLI_LIST_MAX + 8 + 11];
	size_t nc = cli_group_columns(cols, &c);
	int npoints = ctx.hi - ctx.lo + 1;
	if (ctx.cols.n)
		cols[nc++] = (struct cli_column){ "dimension", CLI_T_STR, 0 };
	cols[nc++] = (struct cli_column){ "responses", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "satisfied", CLI_T_INT, 0 };
	cols[nc++] = (struct cli_column){ "csat", CLI_T_NUM, 1 };
	cols[nc++] = (struct cli_column){ "mean", CLI_T_NUM, 2 };
	if (!(names = malloc((size_t)npoints * 8))) {
		cli_error("out of memory");
		rc = CLI_EXIT_OSERR;
		goto done;
	}
	for (int k = 0; k < npoints; k++) {
		snprintf(names + k * 8, 8, "n_%d", ctx.lo + k);
		cols[nc++] = (struct cli_column){ names + k * 8, CLI_T_INT, 0 };
	}

	if (!(order = cli_groups_sorted(&g))) {
		cli_error("out of memory");
		rc = CLI_EXIT_OSERR;
		goto done;
	}
	if ((rc = cli_out_open(&out, &c, cols, nc)) != 0)
		goto done;
	for (size_t i = 0; i < cli_groups_count(&g); i++) {
		uint32_t id = order[i];
		loyal_csat total;
		double wsum = 0, wcsat = 0, wmean = 0;

		loyal_csat_init(&total, ctx.lo, ctx.hi);
		for (size_t k = 0; k <= ctx.cols.n; k++) {
			struct cli_value v[CLI_LIST_MAX + 8 + 11];
			loyal_csat_result r;
			const loyal_csat *acc;
			size_t n = cli_group_values(v, &g, id, &c);

			if (n == SIZE_MAX) {
				cli_error("out of memory");
				rc = CLI_EXIT_OSERR;
				goto done;
			}
			if (k < ctx.ndim) {
				acc = &ctx.acc[id * ctx.ndim + k];
				if (ctx.cols.n)
					v[n++] = CLI_STR(ctx.cols.items[k]);
				if (loyal_csat_compute(&r, acc) < 0) {
					/* this dimension has no answer in this group */
					v[n++] = CLI_INT(0);
					v[n++] = CLI_INT(0);
					v[n++] = CLI_NULL;
					v[n++] = CLI_NULL;
				} else {
					wsum += weights[k];
					wcsat += weights[k] * r.csat;
					wmean += weights[k] * r.mean;
					v[n++] = CLI_INT(r.responses);
					v[n++] = CLI_INT(r.satisfied);
					v[n++] = CLI_NUM(r.csat);
					v[n++] = CLI_NUM(r.mean);
				}
				loyal_csat_merge(&total, acc);
			} else {
				/* overall row: weighted over the dimensions answered in the group */
				acc = &total;
				loyal_csat_compute(&r, acc);
				v[n++] = CLI_STR("overall");
				v[n++] = CLI_INT(r.responses);
				v[n++] = CLI_INT(r.satisfied);
				if (wsum > 0.0) {
					v[n++] = CLI_NUM(wcsat / wsum);
					v[n++] = CLI_NUM(wmean / wsum);
				} else {
					/* every answered dimension weighs 0 */
					v[n++] = CLI_NULL;
					v[n++] = CLI_NULL;
				}
			}
			for (int p = 0; p < npoints; p++)
				v[n++] = CLI_INT(acc->counts[p]);
			if ((rc = cli_out_row(out, v)) != 0)
				goto done;
			if (!ctx.cols.n)
				break;
		}
	}
done:
	rc = cli_out_close(out, rc);
	free(order);
	free(names);
	free(ctx.acc);
	loyal_csat_labels_free(ctx.labels);
	for (size_t k = 0; k < SURVEY_MAX_COLS; k++)
		free(ctx.colname[k]);
	cli_groups_dispose(&g);
	return rc;
}
