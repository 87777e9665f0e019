#include <stdlib.h>
#include <string.h>

#include "parallel.h"
#include "partial.h"
#include "survey.h"

/*
 * The partial state of the survey commands: after the header,
 *   survey FILES ROWS USED BLANK_ROWS BLANK_ANSWERS INVALID FILTERED BLANK_LINES NCOLS
 *   name   K NAME            the header name of answer column K
 *   g ...                    the groups (--by values, period)
 *   a      GROUP K V1..V13   the counts of a group's answer column
 */

int survey_partial_write(const struct cli_common *c, const struct cli_groups *g,
			 const struct survey_spec *spec, void *ctx, const struct survey_stats *st)
{
	loyal_partial_writer *w;
	uint64_t v[SURVEY_STATE_N];
	int rc;

	if ((rc = partial_begin(&w, c)) != 0)
		return rc;
	loyal_partial_put_str(w, "survey");
	loyal_partial_put_uint(w, st->files);
	loyal_partial_put_uint(w, st->rows);
	loyal_partial_put_uint(w, st->used);
	loyal_partial_put_uint(w, st->blank_rows);
	loyal_partial_put_uint(w, st->blank_answers);
	loyal_partial_put_uint(w, st->invalid);
	loyal_partial_put_uint(w, st->filtered);
	loyal_partial_put_uint(w, st->blank_lines);
	loyal_partial_put_uint(w, spec->ncols);
	loyal_partial_end_line(w);
	for (size_t k = 0; k < spec->ncols; k++) {
		if (!spec->names[k])
			continue;
		loyal_partial_put_str(w, "name");
		loyal_partial_put_uint(w, k);
		loyal_partial_put_str(w, spec->names[k]);
		loyal_partial_end_line(w);
	}
	if ((rc = partial_groups_write(w, g, c->by.n)) != 0)
		return partial_end(w, rc);
	for (size_t id = 0; id < cli_groups_count(g); id++) {
		for (size_t k = 0; k < spec->ncols; k++) {
			if ((rc = spec->state(ctx, (uint32_t)id, k, v, 1)) != 0)
				return partial_end(w, rc);
			loyal_partial_put_str(w, "a");
			loyal_partial_put_uint(w, id);
			loyal_partial_put_uint(w, k);
			for (size_t i = 0; i < SURVEY_STATE_N; i++)
				loyal_partial_put_uint(w, v[i]);
			if (loyal_partial_end_line(w) < 0)
				return partial_end(w, CLI_EXIT_IOERR);
		}
	}
	return partial_end(w, 0);
}

/* The next record, or *end at the last line: a state of inputs whose
 * every row was skipped or invalid has no groups and ends after its
 * header, and is valid (it adds its row counts). */
static int next_or_end(loyal_partial_reader *r, int *end)
{
	int error = loyal_partial_next(r);

	*end = error == LOYAL_ITEROVER;
	if (*end)
		return 0;
	return error < 0 ? partial_error(error) : 0;
}

static int load_one(struct cli_common *c, const char *path, struct cli_groups *g,
		    const struct survey_spec *spec, void *ctx, struct survey_stats *st)
{
	loyal_partial_reader *r = NULL;
	struct cli_groups local;
	void *part = NULL;
	uint32_t *map = NULL;
	uint64_t n[9], v[SURVEY_STATE_N], id, k;
	int rc, error;

	if ((rc = cli_groups_init(&local)) != 0)
		return rc;
	if ((rc = partial_open(&r, path)) != 0)
		goto done;
	if (strcmp(loyal_partial_field(r, 0, NULL), "survey") || loyal_partial_nfields(r) != 10) {
		rc = partial_error(loyal_partial_fail(r, 1, "a 'survey' record with 10 fields was expected"));
		goto done;
	}
	for (size_t i = 0; i < 9; i++)
		if ((error = loyal_partial_get_uint(&n[i], r, i + 1)) < 0) {
			rc = partial_error(error);
			goto done;
		}
	if (n[8] != spec->ncols) {
		rc = partial_error(loyal_partial_fail(r, 10, "the state has %llu answer columns, not %zu",
						      (unsigned long long)n[8], spec->ncols));
		goto done;
	}
	int end = 0;
	if ((rc = next_or_end(r, &end)) != 0)
		goto done;
	while (!end && !strcmp(loyal_partial_field(r, 0, NULL), "name")) {
		if ((error = loyal_partial_expect(r, 3)) < 0 ||
		    (error = loyal_partial_get_uint(&k, r, 1)) < 0 ||
		    (k >= spec->ncols && (error = loyal_partial_fail(r, 2, "no such column")) < 0)) {
			rc = partial_error(error);
			goto done;
		}
		if (!spec->names[k] && !(spec->names[k] = strdup(loyal_partial_field(r, 2, NULL)))) {
			rc = cli_lib_error(LOYAL_ENOMEM);
			goto done;
		}
		if ((rc = next_or_end(r, &end)) != 0)
			goto done;
	}
	if (!end && (rc = partial_groups_read(r, &local, c->by.n)) != 0)
		goto done;
	if (!(part = spec->part_new(ctx))) {
		rc = cli_lib_error(LOYAL_ENOMEM);
		goto done;
	}
	while (!end) {
		const char *kind = loyal_partial_field(r, 0, NULL);
		if (strcmp(kind, "a")) {
			rc = partial_error(loyal_partial_fail(r, 1, "an 'a' record was expected, not '%s'",
							      kind));
			goto done;
		}
		if ((error = loyal_partial_expect(r, 3 + SURVEY_STATE_N)) < 0 ||
		    (error = loyal_partial_get_uint(&id, r, 1)) < 0 ||
		    (error = loyal_partial_get_uint(&k, r, 2)) < 0) {
			rc = partial_error(error);
			goto done;
		}
		if (id >= cli_groups_count(&local) || k >= spec->ncols) {
			rc = partial_error(loyal_partial_fail(r, 2, "no such group or column"));
			goto done;
		}
		for (size_t i = 0; i < SURVEY_STATE_N; i++)
			if ((error = loyal_partial_get_uint(&v[i], r, 3 + i)) < 0) {
				rc = partial_error(error);
				goto done;
			}
		if ((rc = spec->state(part, (uint32_t)id, (size_t)k, v, 0)) != 0)
			goto done;
		if ((rc = next_or_end(r, &end)) != 0)
			goto done;
	}
	if ((rc = cli_groups_merge(g, &local, &map)) != 0 ||
	    (rc = spec->part_merge(ctx, part, map, cli_groups_count(&local))) != 0)
		goto done;
	st->files += n[0];
	st->rows += n[1];
	st->used += n[2];
	st->blank_rows += n[3];
	st->blank_answers += n[4];
	st->invalid += n[5];
	st->filtered += n[6];
	st->blank_lines += n[7];
done:
	free(map);
	if (part)
		spec->part_free(part);
	loyal_partial_reader_free(r);
	cli_groups_dispose(&local);
	return rc;
}

int survey_partial_load(struct cli_common *c, char **files, int nfiles, struct cli_groups *g,
			const struct survey_spec *spec, void *ctx, struct survey_stats *st)
{
	for (int i = 0; i < nfiles; i++) {
		int rc = load_one(c, files[i], g, spec, ctx, st);
		if (rc)
			return rc;
	}
	return 0;
}
