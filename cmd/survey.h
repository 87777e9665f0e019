#ifndef LOYAL_SURVEY_H
#define LOYAL_SURVEY_H

#include "cli.h"

/*
 * The row loop shared by the survey commands (nps, csat): open each input,
 * find the answer columns, read every row, validate every used value,
 * apply --from/--to, and hand each answer to the command with its group.
 * Every row is accounted for in survey_stats.
 */
#define SURVEY_MAX_COLS 16

struct survey_spec {
	size_t ncols;     /* answer columns per input */
	int skip_invalid; /* count and report invalid rows instead of failing */
	/* Find the answer columns of one input (cols[ncols]); returns 0 or an
	 * exit status after reporting. */
	int (*resolve)(void *ctx, struct cli_source *s, size_t *cols);
	/* Parse answer column k; returns 0 or a libloyal error with a reason. */
	int (*parse)(void *ctx, size_t k, const char *text, size_t len, int *value);
	/* Count one answer of column k in group `group`; returns 0 or an exit status. */
	int (*add)(void *ctx, uint32_t group, size_t k, int value);
};

struct survey_stats {
	uint64_t files, rows, used, blank_rows, blank_answers, invalid, filtered, blank_lines;
};

int survey_run(struct cli_common *c, char **files, int nfiles, struct cli_groups *g,
	       const struct survey_spec *spec, void *ctx, struct survey_stats *st);

/* The summary line on stderr (unless -q): every row accounted for. */
void survey_report(const struct cli_common *c, const struct survey_stats *st);

#endif
