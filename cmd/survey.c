#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "parallel.h"
#include "survey.h"

#define MAX_WARNINGS 10

/* One part of a file (the whole file when it is not split). */
struct part {
	const struct survey_spec *spec;
	const struct cli_common *c;
	struct cli_source s;
	const size_t *cols;
	struct cli_groups *g;     /* the command's groups (part 0), or own */
	struct cli_groups own;
	void *ctx;                /* the command's context (part 0), or a part's */
	struct survey_stats st;
	int rc;
	int threaded;             /* messages are kept, see survey_run_file() */
	struct cli_msgs warnings; /* threaded: the first MAX_WARNINGS + 1 */
	struct cli_msgs msgs;     /* threaded: the failure */
};

/* A skipped row: the first MAX_WARNINGS are reported, the rest counted. */
static void warn_invalid(struct part *p, const char *message)
{
	if (p->threaded) {
		/* numbered across the parts when they are handed over */
		if (p->st.invalid <= MAX_WARNINGS + 1) {
			cli_msg_sink = &p->warnings;
			cli_error("%s (row skipped)", message);
			cli_msg_sink = &p->msgs;
		}
		return;
	}
	if (p->st.invalid <= MAX_WARNINGS)
		cli_error("%s (row skipped)", message);
	else if (p->st.invalid == MAX_WARNINGS + 1)
		cli_error("more invalid rows skipped; the count is in the summary");
}

int survey_check_row(const struct survey_spec *spec, void *ctx, const struct cli_source *s,
		     const struct cli_common *c, const size_t *cols, struct survey_row *row)
{
	loyal_survey_layout layout = LOYAL_SURVEY_LAYOUT_INIT;
	loyal_survey_row lrow = LOYAL_SURVEY_ROW_INIT;
	int kind;

	/* libloyal validates the row (loyal/survey_input.h) */
	layout.ncols = spec->ncols;
	memcpy(layout.cols, cols, spec->ncols * sizeof(*cols));
	layout.date = s->date_col;
	layout.date_format = c->date_format;
	layout.parse = spec->parse;
	layout.ctx = ctx;
	kind = loyal_survey_row_read(&lrow, s->r, &layout);
	memcpy(row->values, lrow.values, spec->ncols * sizeof(*row->values));
	row->answered = lrow.answered;
	row->blank = lrow.blank;
	row->day = lrow.day;
	row->bad_col = lrow.bad_col;
	return kind == LOYAL_SURVEY_ROW_USED ? SURVEY_ROW_USED
	     : kind == LOYAL_SURVEY_ROW_BLANK ? SURVEY_ROW_BLANK : SURVEY_ROW_INVALID;
}

static void read_part(void *arg)
{
	struct part *p = arg;
	const struct survey_spec *spec = p->spec;
	const struct cli_common *c = p->c;
	struct survey_stats *st = &p->st;
	struct survey_row row;
	int error;

	if (p->threaded)
		cli_msg_sink = &p->msgs;
	while ((error = loyal_reader_next(p->s.r)) != LOYAL_ITEROVER) {
		if (error < 0) {
			/* A row the reader could not take apart (wrong number of
			 * fields, NUL byte, invalid UTF-8) is an invalid row like
			 * any other; anything else ends the file. */
			if (!spec->skip_invalid || !loyal_reader_can_continue(p->s.r)) {
				p->rc = cli_lib_error(error);
				goto done;
			}
			st->rows++;
			st->invalid++;
			warn_invalid(p, loyal_error_last()->message);
			if (!st->enc_guess)
				st->enc_guess = loyal_error_last()->encoding;
			continue;
		}
		if ((st->rows & 0xffff) == 0 && cli_interrupted) {
			p->rc = CLI_EXIT_INTERRUPTED; /* Ctrl-C in loyal shell */
			goto done;
		}
		st->rows++;
		int kind = survey_check_row(spec, p->ctx, &p->s, c, p->cols, &row);
		st->blank_answers += row.blank;
		if (kind == SURVEY_ROW_INVALID) {
			if (!spec->skip_invalid) {
				p->rc = cli_source_value_error(&p->s, row.bad_col);
				goto done;
			}
			const loyal_error_info *e = loyal_error_last();
			char msg[1200];
			st->invalid++;
			snprintf(msg, sizeof(msg), "%s:%llu:%zu: %s", loyal_reader_name(p->s.r),
				 (unsigned long long)loyal_reader_line(p->s.r), row.bad_col + 1,
				 e ? e->reason : "invalid value");
			warn_invalid(p, msg);
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
		if ((p->rc = cli_groups_id(p->g, &p->s, c, pidx, &id, NULL)) != 0)
			goto done;
		for (size_t k = 0; k < spec->ncols; k++)
			if (row.values[k] >= 0 && (p->rc = spec->add(p->ctx, id, k, row.values[k])) != 0)
				goto done;
		st->used++;
	}
	st->blank_lines += loyal_reader_blank_lines(p->s.r);
done:
	cli_msg_sink = NULL;
}

static void add_stats(struct survey_stats *to, const struct survey_stats *from)
{
	to->rows += from->rows;
	to->used += from->used;
	to->blank_rows += from->blank_rows;
	to->blank_answers += from->blank_answers;
	to->invalid += from->invalid;
	to->filtered += from->filtered;
	to->blank_lines += from->blank_lines;
	if (!to->enc_guess)
		to->enc_guess = from->enc_guess;
}

/*
 * Hand the parts over in file order: their warnings (numbered across the
 * file, so the first MAX_WARNINGS are printed as on one thread), their
 * counts and groups; the first part that failed ends it with its message.
 */
static int hand_over(struct part *parts, size_t n, struct cli_groups *g,
		     const struct survey_spec *spec, void *ctx, struct survey_stats *st)
{
	for (size_t k = 0; k < n; k++) {
		struct part *p = &parts[k];
		const char *line = p->warnings.buf;
		for (size_t j = 0; j < p->warnings.lines; j++) {
			const char *end = memchr(line, '\n', (size_t)(p->warnings.buf + p->warnings.len - line));
			uint64_t at = st->invalid + j + 1;
			if (at <= MAX_WARNINGS) {
				fflush(stdout);
				fwrite(line, 1, (size_t)(end + 1 - line), stderr);
			} else if (at == MAX_WARNINGS + 1) {
				cli_error("more invalid rows skipped; the count is in the summary");
			}
			line = end + 1;
		}
		add_stats(st, &p->st);
		if (p->rc) {
			cli_msgs_flush(&p->msgs);
			return p->rc;
		}
		if (k == 0)
			continue;
		uint32_t *map;
		int rc = cli_groups_merge(g, &p->own, &map);
		if (rc == 0)
			rc = spec->part_merge(ctx, p->ctx, map, cli_groups_count(&p->own));
		free(map);
		if (rc)
			return rc;
	}
	return 0;
}

static int run_file(struct cli_common *c, const char *path, struct cli_groups *g,
		    const struct survey_spec *spec, void *ctx, struct survey_stats *st)
{
	struct cli_source s;
	size_t cols[SURVEY_MAX_COLS], n = 1;
	loyal_reader *readers[LOYAL_READER_MAX_PARTS];
	struct part *parts = NULL;
	void *args[LOYAL_READER_MAX_PARTS];
	int rc;

	if ((rc = cli_source_open(&s, path, c, 0)) != 0)
		return rc;
	if ((rc = spec->resolve(ctx, &s, cols)) != 0)
		goto done;
	readers[0] = s.r; /* one part unless the spec reads parts on threads */
	if (spec->part_new && (rc = cli_split(&s, c, readers, &n)) != 0)
		goto done;
	if (!(parts = calloc(n, sizeof(*parts)))) {
		rc = cli_oom();
		goto done;
	}
	for (size_t k = 0; k < n; k++) {
		struct part *p = &parts[k];
		p->spec = spec;
		p->c = c;
		p->s = s;
		p->s.r = readers[k];
		p->cols = cols;
		p->threaded = n > 1;
		p->g = g;
		p->ctx = ctx;
		args[k] = p;
		if (k == 0)
			continue;
		if ((rc = cli_groups_init(&p->own)) != 0)
			goto done;
		p->g = &p->own;
		if (!(p->ctx = spec->part_new(ctx))) {
			rc = cli_oom();
			goto done;
		}
	}
	if (n == 1) {
		/* one thread: counts go straight into st, messages straight out */
		parts[0].st = *st;
		read_part(&parts[0]);
		*st = parts[0].st;
		rc = parts[0].rc;
	} else {
		cli_run_parts(n, read_part, args);
		rc = hand_over(parts, n, g, spec, ctx, st);
	}
done:
	if (parts) {
		for (size_t k = 1; k < n; k++) {
			if (parts[k].ctx && parts[k].ctx != ctx)
				spec->part_free(parts[k].ctx);
			cli_groups_dispose(&parts[k].own);
			cli_msgs_free(&parts[k].warnings);
			cli_msgs_free(&parts[k].msgs);
		}
		cli_msgs_free(&parts[0].warnings);
		cli_msgs_free(&parts[0].msgs);
	}
	for (size_t k = 1; k < n; k++)
		loyal_reader_free(readers[k]);
	free(parts);
	cli_source_close(&s);
	return rc;
}

int survey_run(struct cli_common *c, char **files, int nfiles, struct cli_groups *g,
	       const struct survey_spec *spec, void *ctx, struct survey_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (c->from_partial) {
		int rc = survey_partial_load(c, files, nfiles, g, spec, ctx, st);
		if (rc || !c->partial)
			return rc;
		return survey_partial_write(c, g, spec, ctx, st);
	}
	for (int i = 0; i < nfiles; i++) {
		int rc = run_file(c, files[i], g, spec, ctx, st);
		if (rc)
			return rc;
		st->files++;
	}
	if (st->enc_guess) {
		/* rows skipped for text that is not UTF-8: one hint, at the end,
		 * whatever the number of threads */
		loyal_error_info guess = { 0 };
		guess.encoding = st->enc_guess;
		cli_encoding_hint(&guess);
	}
	if (c->partial)
		return survey_partial_write(c, g, spec, ctx, st);
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

int survey_load_labels(loyal_csat_labels **out, const char *arg)
{
	loyal_read_options ro = LOYAL_READ_OPTIONS_INIT;
	loyal_csat_labels *l = NULL;
	loyal_reader *r = NULL;
	struct stat st;
	int error, rc = 0;

	*out = NULL;
	if (!arg)
		return 0;
	if ((error = loyal_csat_labels_new(&l)) < 0)
		return cli_lib_error(error);
	if (stat(arg, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (!strchr(arg, '=')) {
			cli_error("--labels: '%s' is neither TEXT=POINT,... nor a file", arg);
			rc = CLI_EXIT_USAGE;
		} else if ((error = loyal_csat_labels_parse(l, arg)) < 0) {
			cli_error("--labels: %s", loyal_error_last()->reason);
			rc = cli_exit_status(error);
		}
		goto done;
	}
	/* A file: text,point a line; a first line whose point is not a
	 * number is a header. */
	ro.no_header = 1;
	if ((error = loyal_reader_open(&r, arg, &ro)) < 0) {
		rc = cli_lib_error(error);
		goto done;
	}
	if (loyal_reader_columns(r) != 2) {
		cli_error("%s: a labels file has two columns, text and point (it has %zu)", arg,
			  loyal_reader_columns(r));
		rc = CLI_EXIT_DATA;
		goto done;
	}
	loyal_reader_use_column(r, 0);
	loyal_reader_use_column(r, 1);
	while ((error = loyal_reader_next(r)) == 0) {
		size_t tlen, plen;
		const char *text = loyal_reader_field(r, 0, &tlen);
		const char *point = loyal_reader_field(r, 1, &plen);
		int64_t v;
		if (loyal_parse_int64(&v, point, plen) < 0) {
			if (loyal_reader_rows(r) == 1)
				continue;
			cli_error("%s:%llu:2: the point '%s' is not a whole number", arg,
				  (unsigned long long)loyal_reader_line(r), point);
			rc = CLI_EXIT_DATA;
			goto done;
		}
		if (v < 0 || v > 10 || (error = loyal_csat_labels_add(l, text, tlen, (int)v)) < 0) {
			cli_error("%s:%llu: %s", arg, (unsigned long long)loyal_reader_line(r),
				  v < 0 || v > 10 ? "the point must be 0-10" : loyal_error_last()->reason);
			rc = CLI_EXIT_DATA;
			goto done;
		}
	}
	if (error != LOYAL_ITEROVER) {
		rc = cli_lib_error(error);
		goto done;
	}
	if (loyal_csat_labels_count(l) == 0) {
		cli_error("%s: no labels in the file", arg);
		rc = CLI_EXIT_DATA;
	}
done:
	loyal_reader_free(r);
	if (rc) {
		loyal_csat_labels_free(l);
		return rc;
	}
	*out = l;
	return 0;
}

int survey_csat_decide(int *point, uint64_t labels_seen, const char *column, int quiet)
{
	if (loyal_csat_decide(point, labels_seen, column) < 0) {
		cli_error("%s", loyal_error_last()->reason);
		fprintf(stderr, "hint: give the scale with --labels '满意=4' "
			"(非常满意/满意/一般/...) "
			"or --labels '满意=3' "
			"(很满意/比较满意/满意/...)\n");
		return CLI_EXIT_DATA;
	}
	if (*point && !quiet)
		cli_error("column '%s': 满意 read as %d (the scale %s)", column,
			  *point, *point == 4
			  ? "非常满意/满意/一般/不满意/非常不满意"
			  : "很满意/比较满意/满意/不满意/很不满意");
	return 0;
}

int survey_nps_rating(char *msg, size_t size, const uint64_t counts[11], const char *column)
{
	uint64_t n = 0;

	for (int i = 1; i <= 5; i++)
		n += counts[i];
	if (n == 0 || counts[0] || counts[6] || counts[7] || counts[8] || counts[9] || counts[10])
		return 0;
	snprintf(msg, size, "column '%s': all %llu answers are within 1-5: this looks like a 1-5 "
		 "rating, not a 0-10 likelihood to recommend (every answer would be a detractor)",
		 column, (unsigned long long)n);
	return 1;
}
