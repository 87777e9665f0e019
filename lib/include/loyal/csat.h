#ifndef LOYAL_CSAT_H
#define LOYAL_CSAT_H

#include "common.h"

/*
 * Customer satisfaction (CSAT). Answers are points on a scale lo..hi
 * (1-5 by default; 1-7, 1-10 and 0-10 are common). The top two boxes are the
 * two highest points (4-5 on 1-5, 6-7 on 1-7, 9-10 on 1-10 and 0-10).
 *
 *   csat = 100 * answers in the top two boxes / answers
 *   mean = sum of answers / answers
 *
 * Text answers (the 1-5 scale only). A label reads as one point:
 *   5: very satisfied, extremely satisfied, 非常满意, 很满意
 *   4: satisfied, somewhat satisfied, 比较满意, 较满意
 *   3: neutral, neither satisfied nor dissatisfied, 一般
 *   2: dissatisfied, unsatisfied, somewhat dissatisfied, 不满意, 比较不满意,
 *      不太满意, 较不满意
 *   1: very dissatisfied, very unsatisfied, extremely dissatisfied,
 *      非常不满意, 很不满意
 * except 满意, which is 4 on the scale 非常满意/满意/一般/不满意/非常不满意
 * (the default of the big Chinese survey platforms) and 3 on the scale
 * 很满意/比较满意/满意/不满意/很不满意. Which one a column uses is decided
 * from all the labels it holds (loyal_csat_decide): answers of 满意 are
 * counted as pending until then. English labels compare case-insensitively,
 * and a run of spaces or tabs matches one space. A number written with its
 * label ("5 - Very satisfied", "Very satisfied (5)", "4. 满意") reads as the
 * number; a known label that says otherwise is an error.
 */
typedef struct {
	int lo, hi;          /* the scale */
	uint64_t counts[11]; /* answers per point; counts[k] is point lo + k */
	uint64_t pending;    /* answers of 满意 waiting for loyal_csat_resolve() */
	uint64_t labels_seen;/* built-in labels counted: bit i for label i (the
			      * answer code LOYAL_CSAT_LABEL + i); merged by OR */
} loyal_csat;

/* Answer codes of built-in labels are LOYAL_CSAT_LABEL + i, i < 64. */
#define LOYAL_CSAT_LABEL 1000

typedef struct {
	int version; /* set by the caller: LOYAL_CSAT_RESULT_INIT (see libloyal(3), Versions) */
	uint64_t responses, satisfied;
	double csat; /* 0-100 */
	double mean; /* on the scale */
} loyal_csat_result;

#define LOYAL_CSAT_RESULT_VERSION 1
#define LOYAL_CSAT_RESULT_INIT { .version = LOYAL_CSAT_RESULT_VERSION }

/* Labels of the user's own, mapped to points ("Good" = 4): they are tried
 * before the built-in labels, and on any scale. */
typedef struct loyal_csat_labels loyal_csat_labels;

/* Start an empty accumulator on scale lo..hi. The scale must have 3 to 11
 * points with lo >= 0. Returns 0 or LOYAL_EINVAL. */
LOYAL_EXTERN(int) loyal_csat_init(loyal_csat *acc, int lo, int hi);

/* Parse a scale written "LO-HI" ("1-5"). Returns 0 or LOYAL_EINVAL. */
LOYAL_EXTERN(int) loyal_csat_parse_scale(int *lo, int *hi, const char *text);

/*
 * Read one answer s[0..len) on the scale of `acc`: a whole number ("4",
 * also "4.0" and "4.00" as pandas writes numbers of a column with blanks),
 * a label of `custom` (may be NULL), or a built-in label (1-5 scale only;
 * see above). *answer receives a point, or the code LOYAL_CSAT_LABEL + i
 * of built-in label i, to give to loyal_csat_add_answer(). Surrounding
 * spaces and tabs are ignored. Returns 0 or LOYAL_EVALUE with a reason
 * ("'6' is outside the scale 1-5").
 */
LOYAL_EXTERN(int) loyal_csat_read(int *answer, const loyal_csat *acc,
				  const loyal_csat_labels *custom, const char *s, size_t len);

/*
 * As loyal_csat_read() without custom labels, giving the point itself:
 * 满意, whose point depends on the column's scale, is LOYAL_EVALUE here.
 */
LOYAL_EXTERN(int) loyal_csat_parse_answer(int *point, const loyal_csat *acc,
					  const char *s, size_t len);

/* Count one point. Returns 0 or LOYAL_EVALUE when off the scale. */
LOYAL_EXTERN(int) loyal_csat_add(loyal_csat *acc, int point);

/* Count one answer from loyal_csat_read(): a point, or a built-in label
 * (recorded in labels_seen; 满意 is counted as pending). Returns 0 or
 * LOYAL_EVALUE. */
LOYAL_EXTERN(int) loyal_csat_add_answer(loyal_csat *acc, int answer);

/*
 * The point of 满意 in a column whose built-in labels are `labels_seen`
 * (the OR of its accumulators' labels_seen), decided from the labels that
 * fix the scale:
 *  - 一般 takes point 3, so 满意 is 4; 比较满意 or 较满意 take point 4, so
 *    满意 is 3;
 *  - without either, 非常满意 or 非常不满意 say the first scale (4), 很满意 or
 *    很不满意 the second (3).
 * *point is 0 when 满意 was not seen. Returns 0, or LOYAL_EVALUE when the
 * labels name both scales or neither (the reason lists the labels seen:
 * `column` names the column in it).
 */
LOYAL_EXTERN(int) loyal_csat_decide(int *point, uint64_t labels_seen, const char *column);

/* Count the pending answers of `acc` as `point` (from loyal_csat_decide;
 * 0 when there are none). Returns 0 or LOYAL_EINVAL (pending answers and no
 * point on the scale). */
LOYAL_EXTERN(int) loyal_csat_resolve(loyal_csat *acc, int point);

/* Add the counts of `from` (same scale) to `into`, pending answers and
 * labels seen included. Returns 0 or LOYAL_EINVAL. */
LOYAL_EXTERN(int) loyal_csat_merge(loyal_csat *into, const loyal_csat *from);

/* Compute the result. Returns 0, LOYAL_ENODATA when no answer was counted,
 * or LOYAL_EINVAL while answers are pending. */
LOYAL_EXTERN(int) loyal_csat_compute(loyal_csat_result *out, const loyal_csat *acc);

/* ---- custom labels ------------------------------------------------------ */

/* An empty set in *out; free it with loyal_csat_labels_free(). Returns 0 or
 * LOYAL_ENOMEM. */
LOYAL_EXTERN(int) loyal_csat_labels_new(loyal_csat_labels **out);

/* Release a set. Accepts NULL. */
LOYAL_EXTERN(void) loyal_csat_labels_free(loyal_csat_labels *l);

/* Map label text[0..len) (spaces around it ignored; compared as built-in
 * labels are) to `point` (0-10). Returns 0, LOYAL_EINVAL (an empty label,
 * a point out of range, the same label with another point) or
 * LOYAL_ENOMEM. */
LOYAL_EXTERN(int) loyal_csat_labels_add(loyal_csat_labels *l, const char *text, size_t len,
					int point);

/* Add the labels of `spec`, written "TEXT=POINT,TEXT=POINT,...". Returns 0,
 * LOYAL_EINVAL with a reason, or LOYAL_ENOMEM. */
LOYAL_EXTERN(int) loyal_csat_labels_parse(loyal_csat_labels *l, const char *spec);

/* Number of labels in the set. */
LOYAL_EXTERN(size_t) loyal_csat_labels_count(const loyal_csat_labels *l);

#endif
