#ifndef LOYAL_IDMATCH_H
#define LOYAL_IDMATCH_H

#include "common.h"

/*
 * Matching customer ids between two files (a survey or complaints export
 * against the orders). Ids are compared by three rules, in this order; the
 * first that finds a customer decides:
 *
 *   exact    the same bytes;
 *   trimmed  the same after removing white space at both ends of both ids:
 *            spaces, tabs, CR, LF, no-break spaces (U+00A0) and ideographic
 *            spaces (U+3000), which Excel and Chinese exports leave behind;
 *   folded   the same after trimming and folding ASCII letters to lower
 *            case ("c0042" matches "C0042"; other letters are compared as
 *            they are).
 *
 * When a trimmed or folded id is shared by several ids of the reference
 * file ("A1" and "a1" both in the orders), an id that only matches by that
 * rule is ambiguous and matches no customer. Memory grows with the ids
 * added.
 */
typedef struct loyal_idmatch loyal_idmatch;

typedef enum {
	LOYAL_IDMATCH_NONE = 0,     /* no customer has the id */
	LOYAL_IDMATCH_EXACT = 1,
	LOYAL_IDMATCH_TRIMMED = 2,
	LOYAL_IDMATCH_FOLDED = 3,
	LOYAL_IDMATCH_AMBIGUOUS = 4 /* several customers match by the rule that applies */
} loyal_idmatch_rule;

/* An empty matcher in *out; free it with loyal_idmatch_free(). Returns 0,
 * LOYAL_EINVAL (out NULL) or LOYAL_ENOMEM. */
LOYAL_EXTERN(int) loyal_idmatch_new(loyal_idmatch **out);

/* Release a matcher. Accepts NULL. */
LOYAL_EXTERN(void) loyal_idmatch_free(loyal_idmatch *m);

/* Add reference id id[0..len) (at least one byte) as customer `value` (the
 * caller's number, below UINT32_MAX). The bytes are copied. Returns 0,
 * LOYAL_EINVAL (empty id, the same id twice, value UINT32_MAX),
 * LOYAL_ETOOBIG or LOYAL_ENOMEM. */
LOYAL_EXTERN(int) loyal_idmatch_add(loyal_idmatch *m, const char *id, size_t len, uint32_t value);

/* Look up id[0..len): *rule receives the rule that matched (or NONE or
 * AMBIGUOUS) and *value the customer's number when a rule matched
 * (UINT32_MAX otherwise). Returns 0 or LOYAL_EINVAL (NULL argument). */
LOYAL_EXTERN(int) loyal_idmatch_find(const loyal_idmatch *m, const char *id, size_t len,
				     uint32_t *value, loyal_idmatch_rule *rule);

/* The normal form of id[0..len) (trimmed, ASCII letters folded) into
 * buf[0..size): its length, which may be size or more (then buf holds
 * the first size - 1 bytes, NUL-terminated). Ids with the same normal form
 * are one respondent when neither is in the reference file. */
LOYAL_EXTERN(size_t) loyal_idmatch_normalize(char *buf, size_t size, const char *id, size_t len);

/* The rule's name: "exact", "trimmed", "folded", "none", "ambiguous". */
LOYAL_EXTERN(const char *) loyal_idmatch_rule_name(loyal_idmatch_rule rule);

#endif
