#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "helpers.h"
#include "loyal.h"
#include "errors_p.h"

static void test_errors_escape_controls(void **state)
{
	char buf[64];
	(void)state;

	assert_int_equal(loyal_escape_controls(buf, sizeof(buf), "a\nb\rc\td\x1b[0m\x7f\x1f", 13),
			 strlen("a\\nb\\rc\\td\\x1b[0m\\x7f\\x1f"));
	assert_string_equal(buf, "a\\nb\\rc\\td\\x1b[0m\\x7f\\x1f");
	/* bytes >= 0x80 (UTF-8) and a NUL inside the length */
	assert_int_equal(loyal_escape_controls(buf, sizeof(buf), "\xe6\xbb\xa1\0x", 5), 8);
	assert_memory_equal(buf, "\xe6\xbb\xa1\\x00x", 9);
	/* never a cut escape: each step needs room for 5 more bytes */
	assert_int_equal(loyal_escape_controls(buf, 8, "ab\x01zzzz", 7), 6);
	assert_string_equal(buf, "ab\\x01");
	assert_int_equal(loyal_escape_controls(buf, 7, "ab\x01zzzz", 7), 2);
	assert_string_equal(buf, "ab");
	assert_int_equal(loyal_escape_controls(buf, 1, "abc", 3), 0);
	assert_string_equal(buf, "");
	assert_int_equal(loyal_escape_controls(NULL, 0, "abc", 3), 0);
}

/* libloyal's own messages use the same escaping */
static void test_errors_message_escaped(void **state)
{
	(void)state;

	loyal__error(LOYAL_EVALUE, "'%s' is not a number", "1\n2\x1b");
	assert_string_equal(loyal_error_last()->reason, "'1\\n2\\x1b' is not a number");
	loyal__error_at(LOYAL_EVALUE, "a\tb.csv", 3, 2, "bad");
	assert_string_equal(loyal_error_last()->message, "a\\tb.csv:3:2: bad");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors_escape_controls),
		cmocka_unit_test(test_errors_message_escaped),
	};
	return loyal_test_status(cmocka_run_group_tests(tests, NULL, NULL));
}
