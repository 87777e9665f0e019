/*
 * Sources and groups of the commands: opening an input with the shared
 * options (date and --by columns), and the groups of a grouped result,
 * kept by libloyal's grouping (loyal/grouping.h).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "parallel.h"

/* ---- sources and groups ------------------------------------------------ */

int cli_source_open(struct cli_source *s, const char *path, const struct cli_common *c,
		    int need_date)
{
	int error;

	memset(s, 0, sizeof(*s));
	s->date_col = SIZE_MAX;
	if ((error = cli_reader_open(&s->r, path, &c->read)) < 0)
		return cli_lib_error(error);
	if (need_date || c->period != LOYAL_PERIOD_NONE || c->has_from || c->has_to) {
		error = loyal_reader_find_column(&s->date_col, s->r, "date", c->date_col,
						 loyal_role_aliases(LOYAL_ROLE_DATE));
		if (error < 0) {
			int st = cli_lib_error(error);
			if (!c->date_col)
				fprintf(stderr, "hint: name the date column with --%sdate-col\n",
					c->date_opt_prefix ? c->date_opt_prefix
					: c->opt_prefix ? c->opt_prefix : "");
			cli_source_close(s);
			return st;
		}
	}
	for (size_t i = 0; i < c->by.n; i++) {
		error = loyal_reader_find_column(&s->by_cols[i], s->r, "--by", c->by.items[i], NULL);
		if (error < 0) {
			int st = cli_lib_error(error);
			cli_source_close(s);
			return st;
		}
	}
	int st = cli_by_distinct(s->r, s->by_cols, c);
	if (st != 0)
		cli_source_close(s);
	return st;
}

int cli_by_distinct(loyal_reader *r, const size_t *cols, const struct cli_common *c)
{
	/* Names are matched loosely (--by CHANNEL finds channel): two
	 * spellings of one column would group by it twice. */
	for (size_t i = 1; i < c->by.n; i++)
		for (size_t j = 0; j < i; j++)
			if (cols[i] == cols[j]) {
				cli_error("--by %s and --by %s are the same column '%s' of '%s'",
					  c->by.items[j], c->by.items[i],
					  loyal_reader_column_name(r, cols[i]), loyal_reader_name(r));
				return CLI_EXIT_USAGE;
			}
	return 0;
}

void cli_source_close(struct cli_source *s)
{
	loyal_reader_free(s->r);
	s->r = NULL;
}

int cli_source_value_error(struct cli_source *s, size_t col)
{
	const loyal_error_info *e = loyal_error_last();
	cli_error("%s:%llu:%zu: %s", loyal_reader_name(s->r),
		  (unsigned long long)loyal_reader_line(s->r), col + 1,
		  e ? e->reason : "invalid value");
	return CLI_EXIT_DATA;
}

int cli_source_date(struct cli_source *s, const struct cli_common *c, int32_t *days)
{
	size_t len;
	const char *f = loyal_reader_field(s->r, s->date_col, &len);
	loyal_datetime dt;

	if (!f || len == 0) {
		cli_error("%s:%llu:%zu: date is empty", loyal_reader_name(s->r),
			  (unsigned long long)loyal_reader_line(s->r), s->date_col + 1);
		return CLI_EXIT_DATA;
	}
	if (loyal_date_parse(&dt, f, len, c->date_format) < 0)
		return cli_source_value_error(s, s->date_col);
	*days = dt.days;
	return 0;
}

/* ---- groups ------------------------------------------------------------ */

/* The library's grouping is made at the first row, when the number of --by
 * values is known (cli_groups_init() does not take the options). */
static int groups_make(struct cli_groups *g, size_t nby)
{
	int error;

	if (g->lib)
		return 0;
	if ((error = loyal_grouping_new(&g->lib, nby)) < 0)
		return cli_lib_error(error);
	return 0;
}

int cli_groups_init(struct cli_groups *g)
{
	memset(g, 0, sizeof(*g));
	return 0;
}

int cli_groups_init_as(struct cli_groups *g, const struct cli_common *c, loyal_period shown)
{
	memset(g, 0, sizeof(*g));
	g->names = c->by.items;
	g->nby = c->by.n;
	g->shown = shown;
	g->has_shape = 1;
	return groups_make(g, c->by.n);
}

void cli_groups_dispose(struct cli_groups *g)
{
	loyal_grouping_free(g->lib);
	free(g->val);
	memset(g, 0, sizeof(*g));
}

int cli_groups_id(struct cli_groups *g, struct cli_source *s, const struct cli_common *c,
		  int64_t period_index, uint32_t *id, int *added)
{
	const char *vals[CLI_LIST_MAX];
	size_t lens[CLI_LIST_MAX];
	int error;

	if (!g->lib && (error = groups_make(g, c->by.n)) != 0)
		return error;
	for (size_t i = 0; i < c->by.n; i++)
		vals[i] = loyal_reader_field(s->r, s->by_cols[i], &lens[i]);
	if ((error = loyal_grouping_add(g->lib, vals, lens, period_index, id, added)) < 0)
		return cli_lib_error(error);
	return 0;
}

size_t cli_groups_count(const struct cli_groups *g)
{
	return loyal_grouping_count(g->lib);
}

uint32_t *cli_groups_sorted(const struct cli_groups *g)
{
	size_t n = cli_groups_count(g);
	uint32_t *ids = malloc((n ? n : 1) * sizeof(*ids));

	if (ids && n && loyal_grouping_sorted(g->lib, ids) < 0) {
		free(ids);
		return NULL;
	}
	return ids;
}

int cli_groups_same_by(const struct cli_groups *g, uint32_t a, uint32_t b)
{
	return loyal_grouping_compare(g->lib, a, b, 0) == 0;
}

int cli_groups_merge(struct cli_groups *dst, const struct cli_groups *src, uint32_t **map)
{
	size_t n = cli_groups_count(src);
	uint32_t *m = malloc((n ? n : 1) * sizeof(*m));
	int error;

	*map = NULL;
	if (!m) {
		return cli_oom();
	}
	if (n) {
		if (!dst->lib && (error = groups_make(dst, loyal_grouping_nvalues(src->lib))) != 0) {
			free(m);
			return error;
		}
		if ((error = loyal_grouping_merge(dst->lib, src->lib, m)) < 0) {
			free(m);
			return cli_lib_error(error);
		}
	}
	*map = m;
	return 0;
}

/* The --by values of group id, then its period when `period` is not NONE. */
static size_t group_values(struct cli_value *vals, struct cli_groups *g, uint32_t id,
			   size_t nby, loyal_period period)
{
	size_t n = 0;

	for (size_t i = 0; i < nby; i++) {
		const char *v = loyal_grouping_value(g->lib, id, i, NULL);
		vals[n++] = CLI_STR(v ? v : "");
	}
	if (period != LOYAL_PERIOD_NONE) {
		if (!g->val && !(g->val = malloc(64)))
			return SIZE_MAX;
		loyal_period_key(g->val, 64, period, loyal_grouping_period(g->lib, id));
		vals[n++] = CLI_STR(g->val);
	}
	return n;
}

size_t cli_group_values(struct cli_value *vals, struct cli_groups *g, uint32_t id,
			const struct cli_common *c)
{
	return group_values(vals, g, id, c->by.n, c->period);
}

size_t cli_groups_values(struct cli_value *vals, struct cli_groups *g, uint32_t id)
{
	return group_values(vals, g, id, g->nby, g->shown);
}

static size_t group_columns(struct cli_column *cols, const char *const *names, size_t nby,
			    loyal_period period)
{
	size_t n = 0;

	for (size_t i = 0; i < nby; i++)
		cols[n++] = (struct cli_column){ names[i], CLI_T_GROUP, 0 };
	if (period != LOYAL_PERIOD_NONE)
		cols[n++] = (struct cli_column){ "period", CLI_T_STR, 0 };
	return n;
}

size_t cli_group_columns(struct cli_column *cols, const struct cli_common *c)
{
	return group_columns(cols, c->by.items, c->by.n, c->period);
}

size_t cli_groups_columns(struct cli_column *cols, const struct cli_groups *g)
{
	return group_columns(cols, g->names, g->nby, g->shown);
}
