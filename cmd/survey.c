#include <stdio.h>
#include <string.h>

#include "survey.h"

#define MAX_WARNINGS 10

/* A skipped row: the first MAX_WARNINGS are reported, the rest counted. */
static void warn_invalid(struct survey_stats *st, const char *message)
{
	if (st->invalid <= MAX_WARNINGS)
		cli_error("%s (row skipped)", message);
	else if (st->invalid == MAX_WARNINGS + 1)
		cli_error("more invalid rows skipped; the count is in the summary");
}

int survey_check_row(const struct survey_spec *spec, void *ctx, const struct cli_source *s,
		     const struct cli_common *c, const size_t *cols, struct survey_row *row)
{
	row->answered = row->blank = 0;
	row->day = 0;
	row->bad_col = SIZE_MAX;
	for (size_t k = 0; k < spec->ncols; k++) {
		size_t len;
		const char *f = loyal_reader_field(s->r, cols[k], &len);
		while (len && (*f == ' ' || *f == '\t')) {
			f++;
			len--;
		}
		while (len && (f[len - 1] == ' ' || f[len - 1] == '\t'))
			len--;
		row->values[k] = -1;
		if (len == 0) {
			row->blank++;
			continue;
		}
		if (spec->parse(ctx, k, f, len, &row->values[k]) < 0) {
			row->bad_col = cols[k];
			return SURVEY_ROW_INVALID;
		}
		row->answered++;
	}
	if (s->date_col != SIZE_MAX) {
		size_t len;
		const char *f = loyal_reader_field(s->r, s->date_col, &len);
		loyal_datetime dt;
		if (loyal_date_parse(&dt, f, len, c->date_format) < 0) {
			row->bad_col = s->date_col;
			return SURVEY_ROW_INVALID;
		}
		row->day = dt.days;
	}
	return row->answered ? SURVEY_ROW_USED : SURVEY_ROW_BLANK;
}

static int run_file(struct cli_common *c, const char *path, struct cli_groups *g,
		    const struct survey_spec *spec, void *ctx, struct survey_stats *st)
{
	struct cli_source s;
	size_t cols[SURVEY_MAX_COLS];
	struct survey_row row;
	int rc, error;

	if ((rc = cli_source_open(&s, path, c, 0)) != 0)
		return rc;
	if ((rc = spec->resolve(ctx, &s, cols)) != 0)
		goto done;
	while ((error = loyal_reader_next(s.r)) != LOYAL_ITEROVER) {
		if (error < 0) {
			/* A row the reader could not take apart (wrong number of
			 * fields, NUL byte, invalid UTF-8) is an invalid row like
			 * any other; anything else ends the file. */
			if (!spec->skip_invalid || !loyal_reader_can_continue(s.r)) {
				rc = cli_lib_error(error);
				goto done;
			}
			st->rows++;
			st->invalid++;
			warn_invalid(st, loyal_error_last()->message);
			continue;
		}
		st->rows++;
		int kind = survey_check_row(spec, ctx, &s, c, cols, &row);
		st->blank_answers += row.blank;
		if (kind == SURVEY_ROW_INVALID) {
			if (!spec->skip_invalid) {
				rc = cli_source_value_error(&s, row.bad_col);
				goto done;
			}
			const loyal_error_info *e = loyal_error_last();
			char msg[1200];
			st->invalid++;
			snprintf(msg, sizeof(msg), "%s:%llu:%zu: %s", loyal_reader_name(s.r),
				 (unsigned long long)loyal_reader_line(s.r), row.bad_col + 1,
				 e ? e->reason : "invalid value");
			warn_invalid(st, msg);
			continue;
		}
		if (kind == SURVEY_ROW_BLANK) {
			st->blank_rows++;
			continue;
		}
		if ((c->has_from && row.day < c->from_day) || (c->has_to && row.day > c->to_day)) {
			st->filtered++;
			continue;
		}
		uint32_t id;
		int64_t pidx = c->period != LOYAL_PERIOD_NONE ? loyal_period_index(c->period, row.day) : 0;
		if ((rc = cli_groups_id(g, &s, c, pidx, &id, NULL)) != 0)
			goto done;
		for (size_t k = 0; k < spec->ncols; k++)
			if (row.values[k] >= 0 && (rc = spec->add(ctx, id, k, row.values[k])) != 0)
				goto done;
		st->used++;
	}
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
