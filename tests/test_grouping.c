#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers.h"
#include "loyal.h"

static uint32_t add2(loyal_grouping *g, const char *a, size_t la, const char *b, size_t lb,
		     int64_t period, int *added)
{
	const char *v[2] = { a, b };
	size_t l[2] = { la, lb };
	uint32_t id = UINT32_MAX;

	assert_int_equal(loyal_grouping_add(g, v, l, period, &id, added), 0);
	return id;
}

/* ("x\x1fy", "z"), ("x", "y\x1fz") and ("x", "y") are three groups: keys
 * joined with a 0x1f separator made them one. */
static void test_grouping_unit_separator_is_not_a_separator(void **state)
{
	loyal_grouping *g;
	int added;
	size_t len;
	(void)state;

	assert_int_equal(loyal_grouping_new(&g, 2), 0);
	uint32_t a = add2(g, "x\x1fy", 3, "z", 1, 0, &added);
	assert_int_equal(added, 1);
	uint32_t b = add2(g, "x", 1, "y\x1fz", 3, 0, &added);
	assert_int_equal(added, 1);
	uint32_t c = add2(g, "x", 1, "y", 1, 0, &added);
	assert_int_equal(added, 1);
	assert_int_equal(a, 0);
	assert_int_equal(b, 1);
	assert_int_equal(c, 2);
	assert_int_equal(add2(g, "x\x1fy", 3, "z", 1, 0, &added), a);
	assert_int_equal(added, 0);
	/* and so are ("", "ab"), ("a", "b") and ("ab", "") */
	uint32_t d = add2(g, "", 0, "ab", 2, 0, NULL);
	uint32_t e = add2(g, "a", 1, "b", 1, 0, NULL);
	uint32_t f = add2(g, "ab", 2, NULL, 0, 0, NULL);
	assert_true(d != e && e != f && d != f);
	assert_int_equal(loyal_grouping_count(g), 6);

	assert_string_equal(loyal_grouping_value(g, a, 0, &len), "x\x1fy");
	assert_int_equal(len, 3);
	assert_string_equal(loyal_grouping_value(g, a, 1, &len), "z");
	assert_int_equal(len, 1);
	assert_string_equal(loyal_grouping_value(g, b, 1, NULL), "y\x1fz");
	assert_string_equal(loyal_grouping_value(g, f, 1, &len), "");
	assert_int_equal(len, 0);
	assert_null(loyal_grouping_value(g, a, 2, &len));
	assert_int_equal(len, 0);
	assert_null(loyal_grouping_value(g, 99, 0, NULL));
	loyal_grouping_free(g);
}

/* Values with NUL bytes and the period index are part of the key. */
static void test_grouping_bytes_and_periods(void **state)
{
	loyal_grouping *g;
	size_t len;
	(void)state;

	assert_int_equal(loyal_grouping_new(&g, 2), 0);
	uint32_t a = add2(g, "a\0b", 3, "c", 1, 5, NULL);
	uint32_t b = add2(g, "a", 1, "b\0c", 3, 5, NULL);
	uint32_t c = add2(g, "a\0b", 3, "c", 1, -5, NULL);
	assert_true(a != b && b != c && a != c);
	assert_int_equal(loyal_grouping_period(g, a), 5);
	assert_int_equal(loyal_grouping_period(g, c), -5);
	assert_memory_equal(loyal_grouping_value(g, a, 0, &len), "a\0b", 4);
	assert_int_equal(len, 3);
	assert_int_equal(loyal_grouping_compare(g, a, c, 0), 0);
	assert_true(loyal_grouping_compare(g, c, a, 1) < 0);
	loyal_grouping_free(g);
}

/* Sorted: value by value, by bytes (unsigned), a prefix first; then period. */
static void test_grouping_sorted(void **state)
{
	loyal_grouping *g;
	uint32_t ids[8];
	(void)state;

	assert_int_equal(loyal_grouping_new(&g, 2), 0);
	uint32_t s1 = add2(g, "b", 1, "a", 1, 0, NULL);       /* 5th */
	uint32_t s2 = add2(g, "a\tb", 3, "z", 1, 0, NULL);    /* 3rd: "a" is its prefix */
	uint32_t s3 = add2(g, "a", 1, "z", 1, 2, NULL);       /* 2nd */
	uint32_t s4 = add2(g, "a", 1, "z", 1, -1, NULL);      /* 1st: period -1 < 2 */
	uint32_t s5 = add2(g, "\xc3\xa9", 2, "", 0, 0, NULL); /* 6th: bytes >= 0x80 */
	uint32_t s6 = add2(g, "b", 1, "", 0, 0, NULL);        /* 4th: "" before "a" */
	assert_int_equal(loyal_grouping_count(g), 6);
	assert_int_equal(loyal_grouping_sorted(g, ids), 0);
	uint32_t want[] = { s4, s3, s2, s6, s1, s5 };
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(ids[i], want[i]);
	loyal_grouping_free(g);

	/* no values: groups of the period index alone */
	assert_int_equal(loyal_grouping_new(&g, 0), 0);
	uint32_t id;
	assert_int_equal(loyal_grouping_add(g, NULL, NULL, 7, &id, NULL), 0);
	assert_int_equal(loyal_grouping_add(g, NULL, NULL, 3, &id, NULL), 0);
	assert_int_equal(loyal_grouping_sorted(g, ids), 0);
	assert_int_equal(ids[0], 1);
	assert_int_equal(ids[1], 0);
	loyal_grouping_free(g);
}

/* Merging numbers src's groups as if added to dst after its own. */
static void test_grouping_merge(void **state)
{
	loyal_grouping *dst, *src, *other;
	uint32_t map[3];
	(void)state;

	assert_int_equal(loyal_grouping_new(&dst, 2), 0);
	assert_int_equal(loyal_grouping_new(&src, 2), 0);
	assert_int_equal(loyal_grouping_new(&other, 1), 0);
	add2(dst, "x", 1, "y", 1, 0, NULL);
	add2(src, "x", 1, "y\x1fz", 3, 0, NULL);
	add2(src, "x", 1, "y", 1, 0, NULL);
	add2(src, "x", 1, "y", 1, 1, NULL);
	assert_int_equal(loyal_grouping_merge(dst, src, map), 0);
	assert_int_equal(map[0], 1);
	assert_int_equal(map[1], 0);
	assert_int_equal(map[2], 2);
	assert_int_equal(loyal_grouping_count(dst), 3);
	assert_int_equal(loyal_grouping_period(dst, 2), 1);
	assert_string_equal(loyal_grouping_value(dst, 1, 1, NULL), "y\x1fz");
	/* tuples of another length cannot be merged */
	assert_int_equal(loyal_grouping_merge(dst, other, map), LOYAL_EINVAL);
	assert_int_equal(loyal_grouping_merge(dst, dst, map), LOYAL_EINVAL);
	loyal_grouping_free(dst);
	loyal_grouping_free(src);
	loyal_grouping_free(other);
}

static void test_grouping_invalid(void **state)
{
	loyal_grouping *g = NULL;
	uint32_t id;
	size_t l = 1;
	const char *v = NULL;
	(void)state;

	assert_int_equal(loyal_grouping_new(&g, LOYAL_GROUPING_MAX_VALUES + 1), LOYAL_EINVAL);
	assert_null(g);
	assert_int_equal(loyal_grouping_new(&g, 1), 0);
	assert_int_equal(loyal_grouping_add(g, &v, &l, 0, &id, NULL), LOYAL_EINVAL);
	assert_int_equal(loyal_grouping_add(g, NULL, NULL, 0, &id, NULL), LOYAL_EINVAL);
	assert_int_equal(loyal_grouping_count(g), 0);
	loyal_grouping_free(g);
	loyal_grouping_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grouping_unit_separator_is_not_a_separator),
		cmocka_unit_test(test_grouping_bytes_and_periods),
		cmocka_unit_test(test_grouping_sorted),
		cmocka_unit_test(test_grouping_merge),
		cmocka_unit_test(test_grouping_invalid),
	};
	return loyal_test_status(cmocka_run_group_tests(tests, NULL, NULL));
}
