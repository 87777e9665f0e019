#include <string.h>

#include "survey.h"

#define MAX_WARNINGS 10

static void warn_invalid(struct survey_stats *st, struct cli_source *s, size_t col)
{
	const loyal_error_info *e = loyal_error_last();

	if (st->invalid <= MAX_WARNINGS)
		cli_error("%s:%llu:%zu: %s (row skipped)", loyal_reader_name(s->r),
			  (unsigned long long)loyal_reader_line(s->r), col + 1,
			  e ? e->reason : "invalid value");
	else if (st->invalid == MAX_WARNINGS + 1)
		cli_error("more invalid rows skipped; the count is in the summary");
}

static int run_file(struct cli_common *c, const char *path, struct cli_groups *g,
		    const struct survey_spec *spec, void *ctx, struct survey_stats *st)
{
	struct cli_source s;
	size_t cols[SURVEY_MAX_COLS];
	int values[SURVEY_MAX_COLS];
	int rc, error;

	if ((rc = cli_source_open(&s, path, c, 0)) != 0)
		return rc;
	if ((rc = spec->resolve(ctx, &s, cols)) != 0)
		goto done;
	while ((error = loyal_reader_next(s.r)) == 0) {
		size_t answered = 0, bad_col = SIZE_MAX;
		int32_t day = 0;

		st->rows++;
		for (size_t k = 0; k < spec->ncols; k++) {
			size_t len;
			const char *f = loyal_reader_field(s.r, cols[k], &len);
			while (len && (*f == ' ' || *f == '\t')) {
				f++;
				len--;
			}
			while (len && (f[len - 1] == ' ' || f[len - 1] == '\t'))
				len--;
			values[k] = -1;
			if (len == 0) {
				st->blank_answers++;
				continue;
			}
			if (spec->parse(ctx, k, f, len, &values[k]) < 0) {
				bad_col = cols[k];
				break;
			}
			answered++;
		}
		if (bad_col == SIZE_MAX && s.date_col != SIZE_MAX) {
			size_t len;
			const char *f = loyal_reader_field(s.r, s.date_col, &len);
			loyal_datetime dt;
			if (loyal_date_parse(&dt, f, len, c->date_format) < 0)
				bad_col = s.date_col;
			else
				day = dt.days;
		}
		if (bad_col != SIZE_MAX) {
			if (!spec->skip_invalid) {
				rc = cli_source_value_error(&s, bad_col);
				goto done;
			}
			st->invalid++;
			warn_invalid(st, &s, bad_col);
			continue;
		}
		if (answered == 0) {
			st->blank_rows++;
			continue;
		}
		if ((c->has_from && day < c->from_day) || (c->has_to && day > c->to_day)) {
			st->filtered++;
			continue;
		}
		uint32_t id;
		int64_t pidx = c->period != LOYAL_PERIOD_NONE ? loyal_period_index(c->period, day) : 0;
		if ((rc = cli_groups_id(g, &s, c, pidx, &id, NULL)) != 0)
			goto done;
		for (size_t k = 0; k < spec->ncols; k++)
			if (values[k] >= 0 && (rc = spec->add(ctx, id, k, values[k])) != 0)
				goto done;
		st->used++;
	}
	if (error != LOYAL_ITEROVER)
		rc = cli_lib_error(error);
	st->blank_lines += loyal_reader_blank_lines(s.r);
done:
	cli_source_close(&s);
	return rc;
}

int survey_run(struct cli_common *c, char **files, int nfiles, struct cli_groups *g,
	       const struct survey_spec *spec, void *ctx, struct survey_stats *st)
{
	memset(st, 0, sizeof(*st));
	for (int i = 0; i < nfiles; i++) {
		int rc = run_file(c, files[i], g, spec, ctx, st);
		if (rc)
			return rc;
		st->files++;
	}
	return 0;
}

void survey_report(const struct cli_common *c, const struct survey_stats *st)
{
	if (c->quiet)
		return;
	cli_error("%llu row%s read from %llu file%s: %llu used, %llu with no answer, "
		  "%llu invalid skipped, %llu outside the date range",
		  (unsigned long long)st->rows, st->rows == 1 ? "" : "s",
		  (unsigned long long)st->files, st->files == 1 ? "" : "s",
		  (unsigned long long)st->used, (unsigned long long)st->blank_rows,
		  (unsigned long long)st->invalid, (unsigned long long)st->filtered);
}
