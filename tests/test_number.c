#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <locale.h>
#include <math.h>
#include <cmocka.h>

#include "loyal/number.h"
#include "loyal/errors.h"
#include "helpers.h"

static void check_reason(const char *expected)
{
	const loyal_error_info *e = loyal_error_last();

	assert_non_null(e);
	assert_string_equal(e->reason, expected);
	assert_null(e->file);
}

/* ---- whole numbers ---------------------------------------------------- */

static void int_ok(const char *s, int64_t expected)
{
	int64_t v = -42;
	int rc = loyal_parse_int64(&v, s, strlen(s));

	if (rc != 0 || v != expected)
		print_error("'%s': rc %d value %lld\n", s, rc, (long long)v);
	assert_int_equal(rc, 0);
	assert_true(v == expected);
}

static void int_bad(const char *s)
{
	int64_t v = -42;
	int rc = loyal_parse_int64(&v, s, strlen(s));

	if (rc != LOYAL_EVALUE)
		print_error("'%s' was not rejected (rc %d, value %lld)\n", s, rc, (long long)v);
	assert_int_equal(rc, LOYAL_EVALUE);
	assert_true(v == -42);
}

static void test_number_int_accepts(void **state)
{
	(void)state;
	int_ok("0", 0);
	int_ok("7", 7);
	int_ok("-7", -7);
	int_ok("+7", 7);
	int_ok("007", 7);
	int_ok("-0", 0);
	int_ok("  42\t", 42);
	int_ok("\t-42 ", -42);
	int_ok("1234567890123", 1234567890123LL);
}

static void test_number_int_rejects(void **state)
{
	(void)state;
	int_bad("7.5");
	check_reason("'7.5' is not a whole number");
	int_bad("7.0");
	int_bad("7.");
	int_bad(".7");
	int_bad("7a");
	int_bad("a7");
	int_bad("");
	check_reason("empty value is not a whole number");
	int_bad(" ");
	int_bad(" \t ");
	int_bad("1e3");
	int_bad("1E3");
	int_bad("-");
	int_bad("+");
	int_bad("--7");
	int_bad("+-7");
	int_bad("- 7");
	int_bad("1,000");
	int_bad("1 000");
	int_bad("1_000");
	int_bad("0x10");
	int_bad("$5");
	int_bad("5%");
	int_bad("\xd9\xa5"); /* ARABIC-INDIC DIGIT FIVE */
	int_bad("7\n");
	int_bad("inf");
}

static void test_number_int_overflow_edges(void **state)
{
	(void)state;
	int_ok("9223372036854775807", INT64_MAX);
	int_ok("-9223372036854775808", INT64_MIN);
	int_ok("+0009223372036854775807", INT64_MAX);
	int_bad("9223372036854775808");
	check_reason("'9223372036854775808' is out of range (whole numbers must lie between "
		     "-9223372036854775808 and 9223372036854775807)");
	int_bad("-9223372036854775809");
	int_bad("18446744073709551616");
	int_bad("99999999999999999999999999999");
	/* a syntax error after an overflowing prefix is reported as such */
	int_bad("99999999999999999999x");
	check_reason("'99999999999999999999x' is not a whole number");
}

static void test_number_int_not_nul_terminated(void **state)
{
	int64_t v = 0;

	(void)state;
	assert_int_equal(loyal_parse_int64(&v, "12345", 3), 0);
	assert_true(v == 123);
	assert_int_equal(loyal_parse_int64(&v, "12.5", 2), 0);
	assert_true(v == 12);
	assert_int_equal(loyal_parse_int64(&v, NULL, 0), LOYAL_EVALUE);
	assert_int_equal(loyal_parse_int64(&v, NULL, 1), LOYAL_EINVAL);
	assert_int_equal(loyal_parse_int64(NULL, "1", 1), LOYAL_EINVAL);
}

static void test_number_int_long_value_quoted_briefly(void **state)
{
	char s[200];
	const loyal_error_info *e;

	(void)state;
	memset(s, '1', sizeof(s) - 2);
	s[sizeof(s) - 2] = 'x';
	s[sizeof(s) - 1] = '\0';
	int_bad(s);
	e = loyal_error_last();
	assert_non_null(e);
	assert_true(strlen(e->reason) < 100);
	assert_non_null(strstr(e->reason, "...' is not a whole number"));
}

/* ---- decimals --------------------------------------------------------- */

static void dec_ok(const char *s, int allow_exp, int64_t expected)
{
	int64_t v = -42;
	int rc = loyal_parse_decimal(&v, s, strlen(s), allow_exp);

	if (rc != 0 || v != expected)
		print_error("'%s': rc %d value %lld, expected %lld\n", s, rc, (long long)v,
			    (long long)expected);
	assert_int_equal(rc, 0);
	assert_true(v == expected);
}

static void dec_bad(const char *s, int allow_exp)
{
	int64_t v = -42;
	int rc = loyal_parse_decimal(&v, s, strlen(s), allow_exp);

	if (rc != LOYAL_EVALUE)
		print_error("'%s' was not rejected (rc %d, value %lld)\n", s, rc, (long long)v);
	assert_int_equal(rc, LOYAL_EVALUE);
	assert_true(v == -42);
}

/* loyal_parse_decimal_exact: the 6-decimal rule applies to the value,
 * whatever its spelling. */
static void test_number_decimal_exact(void **state)
{
	static const struct { const char *s; int64_t v; } ok[] = {
		{ "0.000001", 1 }, { "1e-6", 1 }, { "1.5e-5", 15 }, { "0.0000010", 1 },
		{ "0e-30", 0 }, { "1e3", 1000000000 }, { "-2.5", -2500000 },
		{ "0.30000000", 300000 }, { "123456.123456", 123456123456 }, { "1.23456789e2", 123456789 },
	};
	static const char *const refused[] = {
		"1e-7", "0.0000001", "12.5e-7", "0.0000004", "1.0000001", "1e-30",
		"0.30000000000000004", "-1e-7", "1.234567891e2",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int64_t v = -42;
		int rc = loyal_parse_decimal_exact(&v, ok[i].s, strlen(ok[i].s), 1);
		if (rc != 0 || v != ok[i].v)
			print_error("'%s': rc %d value %lld\n", ok[i].s, rc, (long long)v);
		assert_int_equal(rc, 0);
		assert_true(v == ok[i].v);
	}
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		int64_t v = -42;
		int rc = loyal_parse_decimal_exact(&v, refused[i], strlen(refused[i]), 1);
		if (rc != LOYAL_EVALUE)
			print_error("'%s' was not refused (rc %d, value %lld)\n", refused[i], rc,
				    (long long)v);
		assert_int_equal(rc, LOYAL_EVALUE);
		assert_true(v == -42);
		assert_non_null(strstr(loyal_error_last()->reason, "more than 6 decimal places"));
		/* the rounding parser still takes them */
		assert_int_equal(loyal_parse_decimal(&v, refused[i], strlen(refused[i]), 1), 0);
	}
	/* syntax errors and exponents when not allowed are reported as such */
	int64_t v;
	assert_int_equal(loyal_parse_decimal_exact(&v, "1e-7", 4, 0), LOYAL_EVALUE);
	assert_non_null(strstr(loyal_error_last()->reason, "exponents are not accepted"));
	assert_int_equal(loyal_parse_decimal_exact(&v, "1,5", 3, 1), LOYAL_EVALUE);
	assert_non_null(strstr(loyal_error_last()->reason, "not a decimal number"));
}

static void test_number_decimal_accepts(void **state)
{
	(void)state;
	dec_ok("-12.50", 0, -12500000);
	dec_ok("3", 0, 3000000);
	dec_ok("+0.5", 0, 500000);
	dec_ok(".5", 0, 500000);
	dec_ok("-.5", 0, -500000);
	dec_ok("5.", 0, 5000000);
	dec_ok("0", 0, 0);
	dec_ok("-0", 0, 0);
	dec_ok("-0.0", 0, 0);
	dec_ok("0012.500", 0, 12500000);
	dec_ok(" 1.25\t", 0, 1250000);
	dec_ok("0.000001", 0, 1);
	dec_ok("-0.000001", 0, -1);
	dec_ok("123456.654321", 0, 123456654321LL);
	dec_ok("1.500000000000000000000000000000", 0, 1500000);
}

static void test_number_decimal_rejects(void **state)
{
	(void)state;
	dec_bad("12,50", 0);
	check_reason("'12,50' is not a decimal number");
	dec_bad("1,000.00", 0);
	dec_bad("1 000", 0);
	dec_bad("1'000", 0);
	dec_bad("1_000", 0);
	dec_bad("$5", 0);
	dec_bad("5$", 0);
	dec_bad("\xe2\x82\xac" "5", 0);
	dec_bad("5%", 0);
	dec_bad("", 0);
	check_reason("empty value is not a decimal number");
	dec_bad("  ", 0);
	dec_bad(".", 0);
	dec_bad("-", 0);
	dec_bad("+.", 0);
	dec_bad("-.e1", 1);
	dec_bad("1.2.3", 0);
	dec_bad("1..2", 0);
	dec_bad("--1", 0);
	dec_bad("- 1", 0);
	dec_bad("1 .5", 0);
	dec_bad("1. 5", 0);
	dec_bad("inf", 1);
	dec_bad("nan", 1);
	dec_bad("Infinity", 1);
	dec_bad("0x1p3", 1);
	dec_bad("1d", 0);
	dec_bad("1f", 0);
	dec_bad("e3", 1);
	dec_bad("1e", 1);
	dec_bad("1e+", 1);
	dec_bad("1e3.5", 1);
	dec_bad("1e3e1", 1);
	dec_bad("1e 3", 1);
}

static void test_number_decimal_exponents(void **state)
{
	(void)state;
	dec_bad("1e3", 0);
	check_reason("'1e3' is not a decimal number (exponents are not accepted)");
	dec_bad("1.5E-2", 0);
	dec_ok("1e3", 1, 1000000000);
	dec_ok("1.5E-2", 1, 15000);
	dec_ok("25e-2", 1, 250000);
	dec_ok("-2.5e+1", 1, -25000000);
	dec_ok(".5e1", 1, 5000000);
	dec_ok("5.e0", 1, 5000000);
	dec_ok("1e-6", 1, 1);
	dec_ok("123456789e-14", 1, 1); /* 0.00000123456789 */
	dec_ok("1e-7", 1, 0);
	dec_ok("5e-7", 1, 0);   /* tie, to even */
	dec_ok("15e-7", 1, 2);  /* tie, to even */
	dec_ok("0e999999999999999999", 1, 0);
	dec_ok("0.000e-999999999999", 1, 0);
	dec_ok("1e-999999999999", 1, 0);
	dec_ok("9.223372036854775807e12", 1, INT64_MAX);
	dec_ok("-9223372036854775808e-6", 1, INT64_MIN);
	dec_bad("1e13", 1);
	dec_bad("1e999999999999", 1);
	dec_bad("-1e999999999999", 1);
}

static void test_number_decimal_rounds_half_even(void **state)
{
	(void)state;
	dec_ok("0.0000005", 0, 0);
	dec_ok("0.0000015", 0, 2);
	dec_ok("0.0000025", 0, 2);
	dec_ok("0.0000035", 0, 4);
	dec_ok("-0.0000005", 0, 0);
	dec_ok("-0.0000015", 0, -2);
	dec_ok("0.00000050000000000000001", 0, 1); /* above the tie */
	dec_ok("0.0000004999999999", 0, 0);
	dec_ok("0.0000006", 0, 1);
	dec_ok("1.2345675", 0, 1234568);
	dec_ok("1.2345665", 0, 1234566);
	dec_ok("0.30000000000000004", 0, 300000);
	dec_ok("12.3300000000001", 0, 12330000);
	dec_ok("0.99999999", 0, 1000000);
	dec_ok("-0.99999999", 0, -1000000);
	dec_ok("9.9999995", 0, 10000000);
}

static void test_number_decimal_overflow_edges(void **state)
{
	(void)state;
	dec_ok("9223372036854.775807", 0, INT64_MAX);
	dec_ok("-9223372036854.775808", 0, INT64_MIN);
	dec_ok("00009223372036854.7758070000", 0, INT64_MAX);
	dec_bad("9223372036854.775808", 0);
	check_reason("'9223372036854.775808' is out of range (decimal numbers must lie between "
		     "-9223372036854.775808 and 9223372036854.775807)");
	dec_bad("-9223372036854.775809", 0);
	dec_bad("9223372036855", 0);
	dec_bad("100000000000000000000000000", 0);
	/* rounding can carry over the limit, or land exactly on it */
	dec_ok("9223372036854.7758074", 0, INT64_MAX);
	dec_bad("9223372036854.7758075", 0);
	dec_ok("-9223372036854.7758075", 0, INT64_MIN);
	dec_ok("-9223372036854.7758085", 0, INT64_MIN); /* tie, to even */
	dec_bad("-9223372036854.7758086", 0);
	dec_ok("-9223372036854.7758084999", 0, INT64_MIN);
}

static void test_number_decimal_not_nul_terminated(void **state)
{
	int64_t v = 0;

	(void)state;
	assert_int_equal(loyal_parse_decimal(&v, "1.25e3", 4, 1), 0);
	assert_true(v == 1250000);
	assert_int_equal(loyal_parse_decimal(&v, "1.25e3", 5, 1), LOYAL_EVALUE);
	assert_int_equal(loyal_parse_decimal(&v, NULL, 0, 0), LOYAL_EVALUE);
	assert_int_equal(loyal_parse_decimal(&v, NULL, 2, 0), LOYAL_EINVAL);
	assert_int_equal(loyal_parse_decimal(NULL, "1", 1, 0), LOYAL_EINVAL);
}

/* ---- decimal multiplication ------------------------------------------ */

static void mul_ok(int64_t a, int64_t b, int64_t expected)
{
	int64_t v = -42;
	int rc = loyal_decimal_mul(&v, a, b);

	if (rc != 0 || v != expected)
		print_error("%lld * %lld: rc %d value %lld, expected %lld\n", (long long)a,
			    (long long)b, rc, (long long)v, (long long)expected);
	assert_int_equal(rc, 0);
	assert_true(v == expected);
}

static void mul_bad(int64_t a, int64_t b)
{
	int64_t v = -42;

	assert_int_equal(loyal_decimal_mul(&v, a, b), LOYAL_EVALUE);
	assert_true(v == -42);
}

/* Expected values from Python's decimal module, ROUND_HALF_EVEN. */
static void test_number_mul_rounding(void **state)
{
	(void)state;
	mul_ok(1500000, 2500000, 3750000);     /* 1.5 x 2.5 */
	mul_ok(-1500000, 2500000, -3750000);
	mul_ok(-1500000, -2500000, 3750000);
	mul_ok(0, INT64_MIN, 0);
	mul_ok(1, 500000, 0);                  /* 0.0000005 -> 0 */
	mul_ok(3, 500000, 2);                  /* 0.0000015 -> 0.000002 */
	mul_ok(1, 1500000, 2);
	mul_ok(5, 100000, 0);
	mul_ok(15, 100000, 2);
	mul_ok(25, 100000, 2);
	mul_ok(-25, 100000, -2);
	mul_ok(-35, 100000, -4);
	mul_ok(1, 600000, 1);
	mul_ok(1, 400000, 0);
	mul_ok(-1, 600000, -1);
	mul_ok(123456789, 987654321, 121932631113LL);
	mul_ok(3037000499LL, 3037000499LL, 9223372030926LL);
	mul_ok(INT64_MAX, 1000000, INT64_MAX);
	mul_ok(INT64_MIN, 1000000, INT64_MIN);
	mul_ok(INT64_MIN, 1, -9223372036855LL); /* -9223372036854.775808 rounds up in magnitude */
}

static void test_number_mul_overflow(void **state)
{
	(void)state;
	mul_bad(INT64_MAX, 1000001);
	check_reason("the product of 9223372036854.775807 and 1.000001 is out of range");
	mul_bad(INT64_MIN, -1000000);           /* +2^63 does not fit */
	mul_bad(INT64_MIN, INT64_MIN);
	mul_bad(INT64_MAX, INT64_MAX);
	mul_bad(INT64_MAX, -INT64_MAX);
	mul_bad(4000000000000000000LL, 4000000000000000000LL);
	assert_int_equal(loyal_decimal_mul(NULL, 1, 1), LOYAL_EINVAL);
}

#ifdef __SIZEOF_INT128__
/* Cross-check against the compiler's 128-bit integers. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void test_number_mul_matches_int128(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 200000; i++) {
		uint64_t ua = rng() >> (rng() % 64), ub = rng() >> (rng() % 64);
		int64_t a = (int64_t)(rng() & 1 ? 0 - ua : ua);
		int64_t b = (int64_t)(rng() & 1 ? 0 - ub : ub);
		__int128 p = (__int128)a * b, q = p / 1000000, r = p % 1000000, v = 0;
		__int128 ar = r < 0 ? -r : r;
		int64_t got = 0;
		int rc = loyal_decimal_mul(&got, a, b), fits;

		if (ar * 2 > 1000000 || (ar * 2 == 1000000 && (q & 1)))
			q += p < 0 ? -1 : 1;
		fits = q >= INT64_MIN && q <= INT64_MAX;
		v = q;
		if (fits != (rc == 0) || (fits && got != (int64_t)v))
			print_error("%lld * %lld: rc %d got %lld\n", (long long)a, (long long)b, rc,
				    (long long)got);
		assert_int_equal(rc, fits ? 0 : LOYAL_EVALUE);
		if (fits)
			assert_true(got == (int64_t)v);
	}
}
#endif

/* ---- formatting ------------------------------------------------------- */

static void fmt_is(int64_t micros, const char *expected)
{
	char buf[32];
	int64_t back = 0;
	size_t n = loyal_decimal_format(buf, sizeof(buf), micros);

	assert_string_equal(buf, expected);
	assert_int_equal(n, strlen(expected));
	assert_int_equal(loyal_parse_decimal(&back, buf, n, 0), 0);
	assert_true(back == micros);
}

static void test_number_decimal_format(void **state)
{
	char buf[8];

	(void)state;
	fmt_is(-12500000, "-12.5");
	fmt_is(3000000, "3");
	fmt_is(0, "0");
	fmt_is(1, "0.000001");
	fmt_is(-1, "-0.000001");
	fmt_is(500000, "0.5");
	fmt_is(-500000, "-0.5");
	fmt_is(1234567, "1.234567");
	fmt_is(10000000, "10");
	fmt_is(10100000, "10.1");
	fmt_is(INT64_MAX, "9223372036854.775807");
	fmt_is(INT64_MIN, "-9223372036854.775808");
	/* snprintf semantics */
	assert_int_equal(loyal_decimal_format(buf, sizeof(buf), -12345678), 10);
	assert_string_equal(buf, "-12.345");
	assert_int_equal(loyal_decimal_format(NULL, 0, INT64_MIN), 21);
}

static void test_number_decimal_format_round_trips(void **state)
{
	uint64_t x = 1;
	int64_t v, back;
	char buf[32];
	int i;

	(void)state;
	for (i = 0; i < 100000; i++) {
		size_t n;

		x = x * 6364136223846793005u + 1442695040888963407u;
		/* values of every magnitude; with no shift, negatives too */
		v = (int64_t)(x >> (i % 64));
		n = loyal_decimal_format(buf, sizeof(buf), v);
		assert_int_equal(loyal_parse_decimal(&back, buf, n, 0), 0);
		assert_true(back == v);
	}
}

static const struct {
	double v;
	const char *text;
} doubles[] = {
	{ 0.1, "0.1" },
	{ 0.3, "0.3" },
	{ 0.1 + 0.2, "0.30000000000000004" },
	{ 1.0 / 3.0, "0.3333333333333333" },
	{ 2.0 / 3.0, "0.6666666666666666" },
	{ 42.0, "42" },
	{ -0.5, "-0.5" },
	{ -12.5, "-12.5" },
	{ 100000.0, "100000" },
	{ 123.456, "123.456" },
	{ 3.14159, "3.14159" },
	{ 12345678.9, "12345678.9" },
	{ 0.0001, "0.0001" },
	{ 0.00001, "1e-05" },
	{ -1.5e-7, "-1.5e-07" },
	{ 1e15, "1000000000000000" },
	{ 1234567890123456.0, "1234567890123456" },
	{ 9007199254740993.0, "9007199254740992" },
	{ 1e16, "1e+16" },
	{ 123456789012345678.0, "1.2345678901234568e+17" },
	{ 1e21, "1e+21" },
	{ 1e22, "1e+22" },
	{ 1.7976931348623157e308, "1.7976931348623157e+308" },
	/* generated by Python's repr() on random values, ".0" removed */
	{ -0.008657422852499215, "-0.008657422852499215" },
	{ 0.005078412730622712, "0.005078412730622712" },
	{ -8.039003127210485e-20, "-8.039003127210485e-20" },
	{ 6139588340.593641, "6139588340.593641" },
	{ 4.465931527569983e-25, "4.465931527569983e-25" },
	{ 5.386935085776785e-26, "5.386935085776785e-26" },
	{ -98219342.07987782, "-98219342.07987782" },
	{ 73891588014.03842, "73891588014.03842" },
	{ 15000736.94960491, "15000736.94960491" },
	{ 3.565278045988274e-29, "3.565278045988274e-29" },
	{ -3008258.922478857, "-3008258.922478857" },
	{ 4.405311166566568e-11, "4.405311166566568e-11" },
	{ -233.6456376335897, "-233.6456376335897" },
	{ 0.045937721613759086, "0.045937721613759086" },
	{ -0.06548016390067556, "-0.06548016390067556" },
	{ 99569.16416561992, "99569.16416561992" },
	{ 253994742894747.88, "253994742894747.88" },
	{ 28.903994731420212, "28.903994731420212" },
	{ -766287.886410407, "-766287.886410407" },
	{ -8.465836218811786e-25, "-8.465836218811786e-25" },
	{ 9.580423833198135e-27, "9.580423833198135e-27" },
	{ 2.0971741472961116e-18, "2.0971741472961116e-18" },
	{ -0.37546320989995396, "-0.37546320989995396" },
	{ 7.303834383369789e-06, "7.303834383369789e-06" },
	{ -6.749091690016954e+18, "-6.749091690016954e+18" },
	{ 3.112096289737941e-26, "3.112096289737941e-26" },
	{ 7.58040516993759e-05, "7.58040516993759e-05" },
	{ 2.4638794889312998e-23, "2.4638794889312998e-23" },
	{ -5.98934029410767e-32, "-5.98934029410767e-32" },
	{ 6.820774418063099e-20, "6.820774418063099e-20" },
	{ 0.005088654398224086, "0.005088654398224086" },
	{ 6.437151237111671e-05, "6.437151237111671e-05" },
	{ 4.20755617246421e-06, "4.20755617246421e-06" },
	{ -2.6979497719059835e-31, "-2.6979497719059835e-31" },
	{ 1.9630709370301758e+24, "1.9630709370301758e+24" },
	{ 9.958357204077908e-06, "9.958357204077908e-06" },
	{ 9.893016975101723e-29, "9.893016975101723e-29" },
	{ -0.0025827755786162043, "-0.0025827755786162043" },
	{ 2.963247625989463e+22, "2.963247625989463e+22" },
	{ 9.011717296193023e-28, "9.011717296193023e-28" },
	{ -96.9, "-96.9" },
	{ -25.659, "-25.659" },
	{ -74.5558, "-74.5558" },
	{ -3.2551, "-3.2551" },
	{ -72.852, "-72.852" },
	{ -63.4, "-63.4" },
	{ -37.8, "-37.8" },
	{ 63.6, "63.6" },
	{ 45.1, "45.1" },
	{ 47.8849, "47.8849" },
	{ 2.2250738585072014e-308, "2.2250738585072014e-308" },
	{ 5e-324, "5e-324" },
	{ 8.98846567431158e+307, "8.98846567431158e+307" },
	{ 1.152921504606847e+18, "1.152921504606847e+18" },
	{ 9.5367431640625e-07, "9.5367431640625e-07" },
	{ 1e+23, "1e+23" },
	{ 8.41e+21, "8.41e+21" },
	{ 5e-05, "5e-05" },
	{ 0.000123, "0.000123" },
	{ 1e+16, "1e+16" },
	{ 9999999999999998.0, "9999999999999998" },
};

static void test_number_format_double_shortest(void **state)
{
	char buf[40];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(doubles) / sizeof(doubles[0]); i++) {
		n = loyal_format_double(buf, sizeof(buf), doubles[i].v);
		if (strcmp(buf, doubles[i].text) != 0)
			print_error("%.17g: '%s', expected '%s'\n", doubles[i].v, buf, doubles[i].text);
		assert_string_equal(buf, doubles[i].text);
		assert_int_equal(n, strlen(doubles[i].text));
	}
}

static void test_number_format_double_special(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(loyal_format_double(buf, sizeof(buf), 0.0), 1);
	assert_string_equal(buf, "0");
	assert_int_equal(loyal_format_double(buf, sizeof(buf), -0.0), 1);
	assert_string_equal(buf, "0");
	strcpy(buf, "junk");
	assert_int_equal(loyal_format_double(buf, sizeof(buf), NAN), 0);
	assert_string_equal(buf, "");
	strcpy(buf, "junk");
	assert_int_equal(loyal_format_double(buf, sizeof(buf), INFINITY), 0);
	assert_string_equal(buf, "");
	assert_int_equal(loyal_format_double(buf, sizeof(buf), -INFINITY), 0);
	/* snprintf semantics */
	assert_int_equal(loyal_format_double(buf, 5, -12.3456), 8);
	assert_string_equal(buf, "-12.");
	assert_int_equal(loyal_format_double(NULL, 0, 2.2250738585072014e-308), 23);
}

/* Random bit patterns: the text reads back exactly, and one significant
 * digit fewer never would (so the text is as short as it can be). */
static void test_number_format_double_round_trips(void **state)
{
	uint64_t x = 0x2545f4914f6cdd1du;
	char buf[40], tmp[64];
	int i, checked = 0;

	(void)state;
	for (i = 0; i < 100000; i++) {
		double v, back;
		int digits = 0, pending = 0;
		const char *p;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(&v, &x, sizeof(v));
		if (!isfinite(v))
			continue;
		loyal_format_double(buf, sizeof(buf), v);
		back = strtod(buf, NULL);
		if (back != v)
			print_error("%a: '%s' reads back as %a\n", v, buf, back);
		assert_true(back == v);
		/* significant digits: from the first non-zero digit to the last */
		for (p = buf; *p && *p != 'e'; p++) {
			if (*p < '0' || *p > '9')
				continue;
			if (*p == '0') {
				if (digits)
					pending++;
			} else {
				digits += pending + 1;
				pending = 0;
			}
		}
		if (v != 0 && digits > 1) {
			snprintf(tmp, sizeof(tmp), "%.*e", digits - 2, v);
			assert_true(strtod(tmp, NULL) != v);
		}
		checked++;
	}
	assert_true(checked > 90000);
}

/* Under a locale whose decimal point is ',', nothing changes. */
static void test_number_under_german_locale(void **state)
{
	char buf[40];
	int64_t v = 0;
	const char *set;

	(void)state;
	set = setlocale(LC_NUMERIC, "de_DE.UTF-8");
	if (!set)
		set = setlocale(LC_NUMERIC, "de_DE.utf8");
	if (!set) {
		loyal_test_skip();
		return;
	}
	/* make sure the locale really is in effect, or this test proves nothing */
	snprintf(buf, sizeof(buf), "%.1f", 0.5);
	assert_string_equal(buf, "0,5");

	loyal_format_double(buf, sizeof(buf), 0.5);
	assert_string_equal(buf, "0.5");
	loyal_format_double(buf, sizeof(buf), -1234.5678);
	assert_string_equal(buf, "-1234.5678");
	loyal_format_double(buf, sizeof(buf), 0.1 + 0.2);
	assert_string_equal(buf, "0.30000000000000004");
	loyal_format_double(buf, sizeof(buf), 1.5e-7);
	assert_string_equal(buf, "1.5e-07");
	loyal_decimal_format(buf, sizeof(buf), -12500000);
	assert_string_equal(buf, "-12.5");
	assert_int_equal(loyal_parse_decimal(&v, "12.5", 4, 0), 0);
	assert_true(v == 12500000);
	assert_int_equal(loyal_parse_decimal(&v, "12,5", 4, 0), LOYAL_EVALUE);
	assert_int_equal(loyal_parse_decimal(&v, "1.5e3", 5, 1), 0);
	assert_true(v == 1500000000);
	assert_int_equal(loyal_decimal_mul(&v, INT64_MAX, 2000000), LOYAL_EVALUE);
	check_reason("the product of 9223372036854.775807 and 2 is out of range");
	assert_int_equal(loyal_parse_int64(&v, "1.000", 5), LOYAL_EVALUE);

	setlocale(LC_NUMERIC, "C");
}

/* The shortest digits are found in three tries at most (15, 16, 17
 * significant digits); they must be those of trying every precision from 1
 * up, which is what the definition says. Short decimals (k / 10^j), random
 * bit patterns, values near powers of ten and two, and subnormals. */
static void test_number_format_double_matches_every_precision(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15u;
	char buf[40], want[40], tmp[64];

	(void)state;
	for (int i = 0; i < 60000; i++) {
		double v;
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		switch (i % 6) {
		case 0: v = (double)(x % 100000000u) / pow(10.0, (double)((x >> 40) % 12)); break;
		case 1: memcpy(&v, &x, sizeof(v)); break;
		case 2: v = nextafter(pow(10.0, (double)((int)(x % 600) - 300)), (x >> 63) ? 0.0 : INFINITY); break;
		case 3: v = ldexp(1.0, (int)(x % 2000) - 1000) * ((x >> 62) ? 1.0 : 3.0); break;
		case 4: v = (double)(x % 10000) * 4.9406564584124654e-324 * (double)(1 + (x >> 50) % 1000); break;
		default: v = (double)(int64_t)(x >> 11) / 1e6; break;
		}
		if (!isfinite(v) || v == 0)
			continue;
		int prec;
		for (prec = 1; prec <= 17; prec++) {
			snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, v);
			if (prec == 17 || strtod(tmp, NULL) == v)
				break;
		}
		/* the expected text, through the function's own layout: format
		 * the brute-force double read back (the same value) and compare
		 * digit strings of the mantissa */
		loyal_format_double(buf, sizeof(buf), v);
		char *e = strchr(tmp, 'e');
		size_t nd = 0;
		for (char *p = tmp; p < e; p++)
			if (*p >= '0' && *p <= '9')
				want[nd++] = *p;
		while (nd > 1 && want[nd - 1] == '0')
			nd--;
		want[nd] = '\0';
		/* the digits of buf, without sign, leading zeros, point, exponent */
		char got[40];
		size_t ng = 0;
		int started = 0;
		for (char *p = buf; *p && *p != 'e'; p++) {
			if (*p < '0' || *p > '9')
				continue;
			if (*p != '0')
				started = 1;
			if (started)
				got[ng++] = *p;
		}
		while (ng > 1 && got[ng - 1] == '0')
			ng--;
		got[ng] = '\0';
		if (strcmp(got, want) != 0)
			print_error("%a: '%s', expected the digits %s\n", v, buf, want);
		assert_string_equal(got, want);
		assert_true(strtod(buf, NULL) == v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_number_int_accepts),
		cmocka_unit_test(test_number_int_rejects),
		cmocka_unit_test(test_number_int_overflow_edges),
		cmocka_unit_test(test_number_int_not_nul_terminated),
		cmocka_unit_test(test_number_int_long_value_quoted_briefly),
		cmocka_unit_test(test_number_decimal_accepts),
		cmocka_unit_test(test_number_decimal_rejects),
		cmocka_unit_test(test_number_decimal_exponents),
		cmocka_unit_test(test_number_decimal_rounds_half_even),
		cmocka_unit_test(test_number_decimal_exact),
		cmocka_unit_test(test_number_decimal_overflow_edges),
		cmocka_unit_test(test_number_decimal_not_nul_terminated),
		cmocka_unit_test(test_number_mul_rounding),
		cmocka_unit_test(test_number_mul_overflow),
#ifdef __SIZEOF_INT128__
		cmocka_unit_test(test_number_mul_matches_int128),
#endif
		cmocka_unit_test(test_number_decimal_format),
		cmocka_unit_test(test_number_decimal_format_round_trips),
		cmocka_unit_test(test_number_format_double_shortest),
		cmocka_unit_test(test_number_format_double_special),
		cmocka_unit_test(test_number_format_double_round_trips),
		cmocka_unit_test(test_number_format_double_matches_every_precision),
		cmocka_unit_test(test_number_under_german_locale),
	};

	return loyal_test_status(cmocka_run_group_tests(tests, NULL, NULL));
}
