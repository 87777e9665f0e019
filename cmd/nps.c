#include <stdlib.h>
#include <string.h>

#include "result.h"
#include "survey.h"

static const struct cli_command_info info = {
	"nps",
	"loyal nps [options] FILE...",
	"Net Promoter Score of 0-10 survey answers: promoters (9-10) minus detractors (0-6),\n"
	"in points, with its 95% margin of error. Blank answers are non-responses.",
};

struct nps_ctx {
	const char *score_col;
	loyal_nps *acc; /* per group */
	size_t cap;
	char *colname;  /* the score column's header in the first input */
};

static int nps_resolve(void *vctx, struct cli_source *s, size_t *cols)
{
	struct nps_ctx *ctx = vctx;
	int error = loyal_reader_find_column(&cols[0], s->r, "NPS score", ctx->score_col,
					     loyal_role_aliases(LOYAL_ROLE_NPS));
	if (error < 0) {
		int st = cli_lib_error(error);
		if (!ctx->score_col)
			fprintf(stderr, "hint: name the score column with --score-col\n");
		return st;
	}
	if (!ctx->colname && !(ctx->colname = strdup(loyal_reader_column_name(s->r, cols[0])))) {
		return cli_oom();
	}
	return 0;
}

static int rating_check(const uint64_t counts[11], const char *column, int strict)
{
	char msg[512];

	if (!survey_nps_rating(msg, sizeof(msg), counts, column))
		return 0;
	if (strict) {
		cli_error("%s", msg);
		return CLI_EXIT_DATA;
	}
	cli_error("warning: %s", msg);
	fprintf(stderr, "hint: loyal csat reads 1-5 ratings; --strict makes this an error\n");
	return 0;
}

static int nps_parse(void *vctx, size_t k, const char *text, size_t len, int *value)
{
	(void)vctx;
	(void)k;
	return loyal_nps_parse(value, text, len);
}

static int nps_reserve(struct nps_ctx *ctx, uint32_t group)
{
	if (group >= ctx->cap) {
		size_t cap = ctx->cap ? ctx->cap * 2 : 16;
		while (cap <= group)
			cap *= 2;
		loyal_nps *a = realloc(ctx->acc, cap * sizeof(*a));
		if (!a) {
			return cli_oom();
		}
		memset(a + ctx->cap, 0, (cap - ctx->cap) * sizeof(*a));
		ctx->acc = a;
		ctx->cap = cap;
	}
	return 0;
}

static int nps_add(void *vctx, uint32_t group, size_t k, int value)
{
	struct nps_ctx *ctx = vctx;
	int rc;
	(void)k;
	if ((rc = nps_reserve(ctx, group)) != 0)
		return rc;
	loyal_nps_add(&ctx->acc[group], value);
	return 0;
}

static void *nps_part_new(void *vctx)
{
	struct nps_ctx *part = calloc(1, sizeof(*part));
	if (part)
		part->score_col = ((struct nps_ctx *)vctx)->score_col;
	return part;
}

static int nps_part_merge(void *vctx, void *vpart, const uint32_t *map, size_t ngroups)
{
	struct nps_ctx *ctx = vctx, *part = vpart;
	int rc;

	for (size_t g = 0; g < ngroups && g < part->cap; g++) {
		if ((rc = nps_reserve(ctx, map[g])) != 0)
			return rc;
		loyal_nps_merge(&ctx->acc[map[g]], &part->acc[g]);
	}
	return 0;
}

/* The state of a group: its counts of 0..10. */
static int nps_state(void *vctx, uint32_t group, size_t k, uint64_t *v, int write)
{
	struct nps_ctx *ctx = vctx;
	int rc;
	(void)k;
	if (write) {
		memset(v, 0, SURVEY_STATE_N * sizeof(*v));
		if (group < ctx->cap)
			memcpy(v, ctx->acc[group].counts, sizeof(ctx->acc[group].counts));
		return 0;
	}
	if ((rc = nps_reserve(ctx, group)) != 0)
		return rc;
	for (int i = 0; i < 11; i++)
		ctx->acc[group].counts[i] += v[i];
	return 0;
}

static void nps_part_free(void *vpart)
{
	struct nps_ctx *part = vpart;
	free(part->acc);
	free(part);
}

/* The command's options, loaded counts and result (result.h). */
struct nps_run {
	struct cli_common c;
	struct nps_ctx ctx;
	int skip_invalid, strict;
	const char *min_text;
	uint64_t min_responses;
	struct cli_groups g;
	uint32_t *order;
	struct cli_column cols[CLI_LIST_MAX + 12];
	loyal_nps_result prev; /* the row before, for the change */
	int prev_shown;
};

static int parse(struct nps_run *p, int argc, char **argv, int *nargs)
{
	const struct cli_opt opts[] = {
		CLI_OPT_GROUP("NPS"),
		CLI_OPT_STRING(0, "score-col", "NAME", &p->ctx.score_col,
			       "column holding the 0-10 answer (default: found by header name)"),
		CLI_OPT_FLAG(0, "skip-invalid", &p->skip_invalid,
			     "skip and count invalid rows (score, date, number of fields) instead of failing"),
		CLI_OPT_FLAG(0, "strict", &p->strict,
			     "refuse a score column whose answers are all within 1-5 (a rating)"),
		CLI_OPT_STRING(0, "min-responses", "N", &p->min_text,
			       "groups with fewer answers get no NPS, margin or shares (default 1)"),
		CLI_OPTS_INPUT(&p->c),
		CLI_OPT_THREADS(&p->c),
		CLI_OPTS_PARTIAL(&p->c),
		CLI_OPTS_GROUPING(&p->c),
		CLI_OPTS_OUTPUT(&p->c),
		CLI_OPT_END
	};
	int rc;

	p->min_responses = 1;
	if ((rc = cli_parse(&info, opts, argc, argv, nargs)) != CLI_CONTINUE)
		return rc;
	if ((rc = cli_common_finish(&info, &p->c)) != CLI_CONTINUE)
		return rc;
	if (p->min_text &&
	    cli_parse_count(&p->min_responses, "--min-responses", p->min_text, 1, UINT64_MAX))
		return CLI_EXIT_USAGE;
	if (*nargs == 0)
		return cli_usage_error(&info, "no input file (use - for standard input)");
	return CLI_CONTINUE;
}

static int nps_row(void *vp, size_t i, struct cli_value *v)
{
	struct nps_run *p = vp;
	uint32_t id = p->order[i];
	loyal_nps_result r = LOYAL_NPS_RESULT_INIT;
	size_t n;

	if (loyal_nps_compute(&r, &p->ctx.acc[id]) < 0)
		return cli_lib_error(LOYAL_ENODATA);
	if ((n = cli_group_values(v, &p->g, id, &p->c)) == SIZE_MAX)
		return cli_oom();
	/* --min-responses: a group too small for an estimate shows its
	 * counts only */
	int shown = r.responses >= p->min_responses;
	v[n++] = CLI_INT(r.responses);
	v[n++] = CLI_INT(r.promoters);
	v[n++] = CLI_INT(r.passives);
	v[n++] = CLI_INT(r.detractors);
	v[n++] = shown ? CLI_NUM(r.promoters_pct) : CLI_NULL;
	v[n++] = shown ? CLI_NUM(r.passives_pct) : CLI_NULL;
	v[n++] = shown ? CLI_NUM(r.detractors_pct) : CLI_NULL;
	v[n++] = shown ? CLI_NUM(r.nps) : CLI_NULL;
	v[n++] = shown ? CLI_NUM(r.moe95) : CLI_NULL;
	if (p->c.period != LOYAL_PERIOD_NONE) {
		if (i > 0 && shown && p->prev_shown &&
		    cli_groups_same_by(&p->g, p->order[i - 1], id)) {
			double change;
			int sig;
			loyal_nps_compare(&p->prev, &r, &change, &sig);
			v[n++] = CLI_NUM(change);
			v[n++] = sig < 0 ? CLI_NULL : CLI_BOOL(sig);
		} else {
			v[n++] = CLI_NULL;
			v[n++] = CLI_NULL;
		}
	}
	p->prev = r;
	p->prev_shown = shown;
	return 0;
}

/* Count the answers of every group, then one row per group in the order of
 * their --by values and period. */
static int compute(struct nps_run *p, char **files, int nfiles, struct cli_result *res)
{
	struct nps_ctx *ctx = &p->ctx;
	struct survey_stats st;
	int rc;

	struct survey_spec spec = { 1, p->skip_invalid, nps_resolve, nps_parse, nps_add,
				    nps_part_new, nps_part_merge, nps_part_free, nps_state,
				    &ctx->colname };
	if ((rc = survey_run(&p->c, files, nfiles, &p->g, &spec, ctx, &st)) != 0)
		return rc;
	survey_report(&p->c, &st);
	if (cli_groups_count(&p->g) == 0) {
		cli_error("no valid answers: the NPS is undefined");
		return CLI_EXIT_DATA;
	}
	loyal_nps all = LOYAL_NPS_INIT;
	for (size_t i = 0; i < cli_groups_count(&p->g); i++)
		loyal_nps_merge(&all, &ctx->acc[i]);
	if ((rc = rating_check(all.counts, ctx->colname ? ctx->colname : "?", p->strict)) != 0)
		return rc;

	static const struct cli_column metric_cols[] = {
		{ "responses", CLI_T_INT, 0 }, { "promoters", CLI_T_INT, 0 },
		{ "passives", CLI_T_INT, 0 }, { "detractors", CLI_T_INT, 0 },
		{ "promoters_pct", CLI_T_NUM, 1 }, { "passives_pct", CLI_T_NUM, 1 },
		{ "detractors_pct", CLI_T_NUM, 1 }, { "nps", CLI_T_NUM, 1 },
		{ "moe95", CLI_T_NUM, 1 }, { "change", CLI_T_NUM, 1 },
		{ "significant", CLI_T_BOOL, 0 },
	};
	size_t nc = cli_group_columns(p->cols, &p->c);
	size_t nmetric = p->c.period != LOYAL_PERIOD_NONE ? 11 : 9;
	for (size_t i = 0; i < nmetric; i++)
		p->cols[nc++] = metric_cols[i];
	if (!(p->order = cli_groups_sorted(&p->g)))
		return cli_oom();
	cli_result_add(res, NULL, p->cols, nc, cli_groups_count(&p->g), nps_row, p);
	return 0;
}

int cmd_nps(int argc, char **argv)
{
	struct nps_run p = { 0 };
	struct cli_result res = { 0 };
	int nargs, rc;

	if ((rc = parse(&p, argc, argv, &nargs)) != CLI_CONTINUE)
		return rc;
	if ((rc = cli_groups_init(&p.g)) != 0)
		return rc;
	if ((rc = compute(&p, argv, nargs, &res)) == 0)
		rc = cli_render(&res, &p.c);
	free(p.order);
	free(p.ctx.acc);
	free(p.ctx.colname);
	cli_groups_dispose(&p.g);
	return rc;
}
