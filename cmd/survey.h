#ifndef LOYAL_SURVEY_H
#define LOYAL_SURVEY_H

#include "cli.h"

/*
 * The row loop shared by the survey commands (nps, csat): open each input,
 * find the answer columns, read every row, validate every used value,
 * apply --from/--to, and hand each answer to the command with its group.
 * Every row is accounted for in survey_stats.
 */
#define SURVEY_MAX_COLS LOYAL_SURVEY_MAX_COLS

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
	/* Threads (NULL: a file is read on one thread). part_new makes an
	 * empty context like ctx for a part of a file read on its own thread
	 * (NULL when out of memory); its groups are numbered by the part.
	 * part_merge adds a part's counts to ctx, its group g becoming map[g]
	 * (ngroups of them); returns 0 or an exit status. */
	void *(*part_new)(void *ctx);
	int (*part_merge)(void *ctx, void *part, const uint32_t *map, size_t ngroups);
	void (*part_free)(void *part);
	/* Partial states (--partial, --from-partial): the counts of group g
	 * and answer column k as SURVEY_STATE_N numbers, written (write 1:
	 * fill v) or added (write 0); returns 0 or an exit status. `names`
	 * are the ncols header names kept by resolve (NULL until then). */
	int (*state)(void *ctx, uint32_t group, size_t k, uint64_t *v, int write);
	char **names;
};
#define SURVEY_STATE_N 13

/* What one row is, once validated (survey_check_row). */
enum survey_row_kind {
	SURVEY_ROW_USED = 0, /* at least one answer, all values valid */
	SURVEY_ROW_BLANK,    /* valid, but every answer is blank (a non-response) */
	SURVEY_ROW_INVALID   /* a value is not valid; see bad_col */
};

struct survey_row {
	int values[SURVEY_MAX_COLS]; /* per answer column; -1 when blank */
	size_t answered, blank;      /* answers given and left blank */
	int32_t day;                 /* with a date column */
	size_t bad_col;              /* SURVEY_ROW_INVALID: 0-based column; the
				      * reason is in loyal_error_last() */
};

/*
 * Validate the reader's current row exactly as every survey command does:
 * each answer column cols[0..spec->ncols) (spaces and tabs around a value
 * ignored; blank is a non-response; otherwise spec->parse), then the date
 * when s uses a date column. `loyal check` calls the same function, so it
 * never disagrees with a command about a row. Returns a survey_row_kind.
 */
int survey_check_row(const struct survey_spec *spec, void *ctx, const struct cli_source *s,
		     const struct cli_common *c, const size_t *cols, struct survey_row *row);

struct survey_stats {
	uint64_t files, rows, used, blank_rows, blank_answers, invalid, filtered, blank_lines;
	const char *enc_guess; /* likely encoding of skipped text that was not
				* UTF-8 (one hint after the files) */
};

int survey_run(struct cli_common *c, char **files, int nfiles, struct cli_groups *g,
	       const struct survey_spec *spec, void *ctx, struct survey_stats *st);

/* Partial states (cmd/survey_partial.c): write the loaded counts
 * (returns CLI_PARTIAL_DONE), or add the states' counts as survey_run
 * adds files'. */
int survey_partial_write(const struct cli_common *c, const struct cli_groups *g,
			 const struct survey_spec *spec, void *ctx, const struct survey_stats *st);
int survey_partial_load(struct cli_common *c, char **files, int nfiles, struct cli_groups *g,
			const struct survey_spec *spec, void *ctx, struct survey_stats *st);

/* The summary line on stderr (unless -q): every row accounted for. */
void survey_report(const struct cli_common *c, const struct survey_stats *st);

/* --labels: 'TEXT=POINT,...', or the name of a file of text,point lines
 * (csv, an optional header line). *out is NULL without the option. Returns
 * 0 or an exit status after a message. */
int survey_load_labels(loyal_csat_labels **out, const char *arg);

/*
 * The point of 满意 in one satisfaction column, from the built-in labels
 * seen in it (loyal_csat_decide): reports the decision on stderr unless
 * quiet, or the ambiguity with a hint to --labels. *point is 0 when 满意
 * was not seen. Returns 0 or 65.
 */
int survey_csat_decide(int *point, uint64_t labels_seen, const char *column, int quiet);

/* Whether the NPS answers of a column, counts[0..10], are all within 1-5
 * (a 1-5 rating taken for a 0-10 score): 1 with the message in msg, else 0. */
int survey_nps_rating(char *msg, size_t size, const uint64_t counts[11], const char *column);

#endif
