/*
 * The renderer of a command's result (result.h): every table of the result,
 * row by row, through the output formats of cli_out.c.
 */
#include <stdlib.h>
#include <string.h>

#include "result.h"

struct cli_table *cli_result_add(struct cli_result *r, const char *name,
				 const struct cli_column *cols, size_t ncols, size_t nrows,
				 int (*row)(void *ctx, size_t i, struct cli_value *vals),
				 void *ctx)
{
	if (r->ntables == CLI_RESULT_MAX_TABLES)
		return NULL;
	struct cli_table *t = &r->tables[r->ntables++];
	*t = (struct cli_table){ name, cols, ncols, nrows, row, ctx };
	return t;
}

static int render_rows(struct cli_out *out, const struct cli_table *t, struct cli_value *vals)
{
	int rc;

	for (size_t i = 0; i < t->nrows; i++) {
		memset(vals, 0, t->ncols * sizeof(*vals));
		if ((rc = t->row(t->ctx, i, vals)) != 0)
			return rc;
		if ((rc = cli_out_row(out, vals)) != 0)
			return rc;
	}
	return 0;
}

int cli_render(const struct cli_result *r, const struct cli_common *c)
{
	struct cli_out *out = NULL;
	struct cli_value *vals = NULL;
	size_t most = 1;
	int rc;

	if (r->ntables == 0)
		return CLI_EXIT_SOFTWARE;
	for (size_t k = 0; k < r->ntables; k++)
		if (r->tables[k].ncols > most)
			most = r->tables[k].ncols;
	if (!(vals = calloc(most, sizeof(*vals))))
		return cli_oom();
	const struct cli_table *t = &r->tables[0];
	rc = r->named ? cli_out_open_named(&out, c, t->name, t->cols, t->ncols)
		      : cli_out_open(&out, c, t->cols, t->ncols);
	if (rc != 0)
		goto done;
	for (size_t k = 0; k < r->ntables; k++) {
		t = &r->tables[k];
		if (k > 0 && (rc = cli_out_next_table(out, t->name, t->cols, t->ncols)) != 0)
			break;
		if ((rc = render_rows(out, t, vals)) != 0)
			break;
	}
done:
	free(vals);
	return cli_out_close(out, rc);
}
