#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "helpers.h"
#include "loyal.h"

static void find(const loyal_idmatch *m, const char *id, loyal_idmatch_rule want_rule,
		 uint32_t want)
{
	uint32_t v;
	loyal_idmatch_rule rule;

	assert_int_equal(loyal_idmatch_find(m, id, strlen(id), &v, &rule), 0);
	assert_int_equal(rule, want_rule);
	assert_int_equal(v, want);
}

static void test_idmatch_rules_in_order(void **state)
{
	loyal_idmatch *m;
	(void)state;

	assert_int_equal(loyal_idmatch_new(&m), 0);
	assert_int_equal(loyal_idmatch_add(m, "C0042", 5, 0), 0);
	assert_int_equal(loyal_idmatch_add(m, "12895", 5, 1), 0);
	assert_int_equal(loyal_idmatch_add(m, "ab", 2, 2), 0);
	assert_int_equal(loyal_idmatch_add(m, "AB", 2, 3), 0);
	assert_int_equal(loyal_idmatch_add(m, " x1", 3, 4), 0);
	find(m, "C0042", LOYAL_IDMATCH_EXACT, 0);
	find(m, " C0042\t", LOYAL_IDMATCH_TRIMMED, 0);
	find(m, "12895\xc2\xa0", LOYAL_IDMATCH_TRIMMED, 1);      /* no-break space */
	find(m, "\xe3\x80\x80" "12895", LOYAL_IDMATCH_TRIMMED, 1); /* ideographic space */
	find(m, "c0042", LOYAL_IDMATCH_FOLDED, 0);
	find(m, " c0042 ", LOYAL_IDMATCH_FOLDED, 0);
	/* "ab" and "AB" are two customers: each matches itself exactly, and a
	 * third spelling is ambiguous */
	find(m, "ab", LOYAL_IDMATCH_EXACT, 2);
	find(m, "AB", LOYAL_IDMATCH_EXACT, 3);
	find(m, "Ab", LOYAL_IDMATCH_AMBIGUOUS, UINT32_MAX);
	/* a reference id with a space matches its trimmed form */
	find(m, "x1", LOYAL_IDMATCH_TRIMMED, 4);
	find(m, "C0043", LOYAL_IDMATCH_NONE, UINT32_MAX);
	find(m, "", LOYAL_IDMATCH_NONE, UINT32_MAX);
	/* only ASCII letters fold */
	find(m, "Ｃ0042", LOYAL_IDMATCH_NONE, UINT32_MAX);
	loyal_idmatch_free(m);
}

static void test_idmatch_rejects(void **state)
{
	loyal_idmatch *m;
	uint32_t v;
	loyal_idmatch_rule rule;
	(void)state;

	assert_int_equal(loyal_idmatch_new(&m), 0);
	assert_int_equal(loyal_idmatch_add(m, "a", 1, 0), 0);
	assert_int_equal(loyal_idmatch_add(m, "a", 1, 1), LOYAL_EINVAL);
	assert_int_equal(loyal_idmatch_add(m, "", 0, 1), LOYAL_EINVAL);
	assert_int_equal(loyal_idmatch_add(m, "b", 1, UINT32_MAX), LOYAL_EINVAL);
	/* the refused duplicate left the first alone */
	assert_int_equal(loyal_idmatch_find(m, "a", 1, &v, &rule), 0);
	assert_int_equal(rule, LOYAL_IDMATCH_EXACT);
	assert_int_equal(v, 0);
	loyal_idmatch_free(m);
	loyal_idmatch_free(NULL);
}

static void test_idmatch_normalize(void **state)
{
	char buf[16];
	(void)state;

	assert_int_equal(loyal_idmatch_normalize(buf, sizeof(buf), " \tAbC-9\xc2\xa0", 9), 5);
	assert_string_equal(buf, "abc-9");
	/* too long: cut, NUL-terminated, the full length returned */
	assert_int_equal(loyal_idmatch_normalize(buf, 4, "ABCDEF", 6), 6);
	assert_string_equal(buf, "abc");
	assert_int_equal(loyal_idmatch_normalize(buf, sizeof(buf), "  ", 2), 0);
	assert_string_equal(buf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idmatch_rules_in_order),
		cmocka_unit_test(test_idmatch_rejects),
		cmocka_unit_test(test_idmatch_normalize),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
