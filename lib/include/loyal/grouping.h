#ifndef LOYAL_GROUPING_H
#define LOYAL_GROUPING_H

#include "common.h"

/*
 * The groups of a grouped result ("--by channel --by region --period
 * month"): each group is a tuple of text values (one per grouping column,
 * any bytes, any length) and a period index (0 when there is no period),
 * numbered densely in the order first seen (0, 1, 2, ...). Two rows fall
 * into one group exactly when every value and the period index are equal:
 * the values are kept length-prefixed, so ("x\x1fy", "z") and ("x",
 * "y\x1fz") are two groups, whatever bytes the values hold.
 *
 * Memory grows with the number of groups, never with the rows added.
 */
typedef struct loyal_grouping loyal_grouping;

/* Most values in a group's tuple. */
#define LOYAL_GROUPING_MAX_VALUES 64

/* Create an empty grouping of tuples of `nvalues` values (0 to
 * LOYAL_GROUPING_MAX_VALUES; 0 groups by period index only) in *out; free
 * it with loyal_grouping_free(). Returns 0, LOYAL_ENOMEM or LOYAL_EINVAL. */
LOYAL_EXTERN(int) loyal_grouping_new(loyal_grouping **out, size_t nvalues);

/* Release the grouping. Accepts NULL. */
LOYAL_EXTERN(void) loyal_grouping_free(loyal_grouping *g);

/* The number of values per tuple, as given to loyal_grouping_new(). */
LOYAL_EXTERN(size_t) loyal_grouping_nvalues(const loyal_grouping *g);

/* Find the group of the tuple (values[k], lens[k] bytes for each of the
 * nvalues values; a value may be NULL when its length is 0) and period
 * index `period`, or add it. *id receives its number; *added (may be NULL)
 * is set to 1 when the group is new. The values are copied.
 * Returns 0, LOYAL_ENOMEM, LOYAL_ETOOBIG (more than 2^32-2 groups) or
 * LOYAL_EINVAL. */
LOYAL_EXTERN(int) loyal_grouping_add(loyal_grouping *g, const char *const *values,
				     const size_t *lens, int64_t period, uint32_t *id,
				     int *added);

/* The number of groups. */
LOYAL_EXTERN(size_t) loyal_grouping_count(const loyal_grouping *g);

/* Value k (0 to nvalues-1) of group `id`, NUL-terminated (it may hold NUL
 * bytes too: *len, when non-NULL, is its length). NULL (and *len 0) when
 * there is no such group or value. Borrowed: valid until the next
 * loyal_grouping_add() or loyal_grouping_merge() into g, or its free. */
LOYAL_EXTERN(const char *) loyal_grouping_value(const loyal_grouping *g, uint32_t id, size_t k,
						size_t *len);

/* The period index of group `id` (0 when there is no such group). */
LOYAL_EXTERN(int64_t) loyal_grouping_period(const loyal_grouping *g, uint32_t id);

/* Compare groups a and b: by their values in order, each by its bytes
 * (unsigned, a value that is a prefix of another first), then, when
 * `with_period` is non-zero, by period index. Returns <0, 0 or >0. */
LOYAL_EXTERN(int) loyal_grouping_compare(const loyal_grouping *g, uint32_t a, uint32_t b,
					 int with_period);

/* Write every group id, sorted as loyal_grouping_compare() with the period
 * orders them, to ids (loyal_grouping_count() entries; the caller's).
 * Returns 0, LOYAL_ENOMEM or LOYAL_EINVAL. */
LOYAL_EXTERN(int) loyal_grouping_sorted(const loyal_grouping *g, uint32_t *ids);

/* Add the groups of `src` to `dst` (both of the same nvalues), in src's
 * order, as if each had been added to dst after dst's own. map[i] receives
 * dst's id of src's group i (map has loyal_grouping_count(src) entries; the
 * caller's), so values kept per group can be merged too. src is unchanged.
 * Returns 0, LOYAL_ENOMEM, LOYAL_ETOOBIG or LOYAL_EINVAL. */
LOYAL_EXTERN(int) loyal_grouping_merge(loyal_grouping *dst, const loyal_grouping *src,
				       uint32_t *map);

#endif
