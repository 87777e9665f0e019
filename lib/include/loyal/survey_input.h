#ifndef LOYAL_SURVEY_INPUT_PUBLIC_H
#define LOYAL_SURVEY_INPUT_PUBLIC_H

#include "common.h"
#include "reader.h"

/*
 * From the columns of a survey file to answers: each row validated the way
 * every `loyal` survey command (nps, csat, loyalty, check) validates it.
 * Per answer column: spaces and tabs around a value are ignored; a blank
 * value is a non-response; any other value goes through the column's
 * parser (a 0-10 score, a satisfaction label...) and must be valid. Then
 * the date, when there is a date column. A row with no answer at all is a
 * blank row (a non-response), not an error.
 */

#define LOYAL_SURVEY_MAX_COLS 16

/* Read the answer of column k (0-based among the answer columns) from
 * text[0..len): set *value (>= 0) and return 0, or return a negative
 * loyal_error with a reason in loyal_error_last(). */
typedef int (*loyal_answer_parser)(void *ctx, size_t k, const char *text, size_t len,
				   int *value);

/* A parser of 0-10 likelihood-to-recommend scores (loyal_nps_parse); ctx
 * is not used. */
LOYAL_EXTERN(int) loyal_survey_nps_answer(void *ctx, size_t k, const char *text, size_t len,
					  int *value);

/* The answer columns of a survey file and how to read them. */
typedef struct {
	int version;
	size_t ncols;                       /* answer columns, 1..LOYAL_SURVEY_MAX_COLS */
	size_t cols[LOYAL_SURVEY_MAX_COLS]; /* their 0-based numbers in the file */
	size_t date;                        /* date column; SIZE_MAX: none */
	const char *date_format;            /* NULL: the formats loyal_date_parse guesses */
	loyal_answer_parser parse;          /* required */
	void *ctx;                          /* passed to parse */
} loyal_survey_layout;

#define LOYAL_SURVEY_LAYOUT_VERSION 1
#define LOYAL_SURVEY_LAYOUT_INIT \
	{ LOYAL_SURVEY_LAYOUT_VERSION, 0, { 0 }, SIZE_MAX, NULL, NULL, NULL }

/* What a row is. */
typedef enum {
	LOYAL_SURVEY_ROW_USED = 0,   /* at least one answer, all values valid */
	LOYAL_SURVEY_ROW_BLANK = 1,  /* valid, but every answer is blank */
	LOYAL_SURVEY_ROW_INVALID = 2 /* a value is not valid: see bad_col, reason */
} loyal_survey_row_kind;

/* Why a value is invalid. Numbered; never renumbered. */
typedef enum {
	LOYAL_SURVEY_BAD_NONE = 0,
	LOYAL_SURVEY_BAD_ANSWER = 1, /* the parser refused an answer */
	LOYAL_SURVEY_BAD_DATE = 2    /* the date is empty or not a date */
} loyal_survey_bad;

/* One row's answers. Filled by the library: the caller sets version
 * (LOYAL_SURVEY_ROW_INIT). */
typedef struct {
	int version;
	int values[LOYAL_SURVEY_MAX_COLS]; /* per answer column; -1 when blank */
	size_t answered, blank;            /* answers given and left blank */
	int32_t day;                       /* with a date column */
	/* LOYAL_SURVEY_ROW_INVALID: */
	size_t bad_col;                    /* 0-based column; SIZE_MAX otherwise */
	loyal_survey_bad code;
	char reason[320];
} loyal_survey_row;

#define LOYAL_SURVEY_ROW_VERSION 1
#define LOYAL_SURVEY_ROW_INIT { LOYAL_SURVEY_ROW_VERSION, { 0 }, 0, 0, 0, SIZE_MAX, \
				LOYAL_SURVEY_BAD_NONE, "" }

/*
 * Validate the current row of r (after loyal_reader_next() returned 0)
 * through layout into *row. Returns a loyal_survey_row_kind (>= 0); for
 * LOYAL_SURVEY_ROW_INVALID, loyal_error_last() holds the reason the
 * parser or date gave (row->reason has a copy). Answers are checked in
 * column order and the first invalid one is reported, before the date.
 * Returns LOYAL_EINVAL (< 0) for a bad argument or version.
 */
LOYAL_EXTERN(int) loyal_survey_row_read(loyal_survey_row *row, loyal_reader *r,
					const loyal_survey_layout *layout);

#endif
