#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "loyal/date.h"
#include "loyal/errors.h"
#include "helpers.h"

/* Parse a NUL-terminated string; the length excludes the NUL so that the
 * parser never sees it. */
static int parse(loyal_datetime *dt, const char *s, const char *format)
{
	return loyal_date_parse(dt, s, strlen(s), format);
}

/* Assert that s parses (with format, NULL for automatic) to the given date
 * and time of day. */
static void check_ok(const char *s, const char *format, int y, unsigned m, unsigned d,
		     int hh, int mm, int ss)
{
	loyal_datetime dt = { -1, -1 };
	int rc = parse(&dt, s, format);

	if (rc != 0) {
		const loyal_error_info *e = loyal_error_last();

		print_error("'%s' (format %s): rc %d: %s\n", s, format ? format : "auto", rc,
			    e ? e->message : "?");
	}
	assert_int_equal(rc, 0);
	assert_int_equal(dt.days, loyal_days_from_civil(y, m, d));
	assert_int_equal(dt.seconds, hh * 3600 + mm * 60 + ss);
}

/* Assert that s is rejected with LOYAL_EVALUE and leaves the output alone. */
static void check_bad(const char *s, const char *format)
{
	loyal_datetime dt = { 12345, 678 };
	int rc = parse(&dt, s, format);

	if (rc != LOYAL_EVALUE)
		print_error("'%s' (format %s) gave %d, expected LOYAL_EVALUE\n", s,
			    format ? format : "auto", rc);
	assert_int_equal(rc, LOYAL_EVALUE);
	assert_int_equal(dt.days, 12345);
	assert_int_equal(dt.seconds, 678);
}

static void check_reason(const char *expected)
{
	const loyal_error_info *e = loyal_error_last();

	assert_non_null(e);
	assert_string_equal(e->reason, expected);
	assert_null(e->file);
}

static void test_date_iso_dates(void **state)
{
	(void)state;
	check_ok("2025-03-04", NULL, 2025, 3, 4, 0, 0, 0);
	check_ok("1970-01-01", NULL, 1970, 1, 1, 0, 0, 0);
	check_ok("0001-01-01", NULL, 1, 1, 1, 0, 0, 0);
	check_ok("9999-12-31", NULL, 9999, 12, 31, 0, 0, 0);
	check_ok("2025-3-4", NULL, 2025, 3, 4, 0, 0, 0);
	check_ok("  2025-03-04\t", NULL, 2025, 3, 4, 0, 0, 0);
	check_ok("2025/03/04", NULL, 2025, 3, 4, 0, 0, 0);
	check_ok("2025/3/4", NULL, 2025, 3, 4, 0, 0, 0);
}

static void test_date_iso_datetimes(void **state)
{
	(void)state;
	check_ok("2025-03-04T10:20:30", NULL, 2025, 3, 4, 10, 20, 30);
	check_ok("2025-03-04 10:20:30", NULL, 2025, 3, 4, 10, 20, 30);
	check_ok("2025-03-04t10:20", NULL, 2025, 3, 4, 10, 20, 0);
	check_ok("2025-03-04 9:05", NULL, 2025, 3, 4, 9, 5, 0);
	check_ok("2025-03-04T00:00:00", NULL, 2025, 3, 4, 0, 0, 0);
	check_ok("2025-03-04T23:59:59", NULL, 2025, 3, 4, 23, 59, 59);
	check_ok("2025/03/04 23:59", NULL, 2025, 3, 4, 23, 59, 0);
}

static void test_date_fractions(void **state)
{
	(void)state;
	check_ok("2025-03-04T10:20:30.5", NULL, 2025, 3, 4, 10, 20, 30);
	check_ok("2025-03-04T10:20:30.123", NULL, 2025, 3, 4, 10, 20, 30);
	check_ok("2025-03-04T10:20:30,123456789", NULL, 2025, 3, 4, 10, 20, 30);
	/* truncated, never rounded into the next day */
	check_ok("2025-03-04T23:59:59.999", NULL, 2025, 3, 4, 23, 59, 59);
	check_bad("2025-03-04T10:20:30.", NULL);
	check_bad("2025-03-04T10:20:30.1234567890", NULL);
	check_bad("2025-03-04T10:20.5", NULL);
}

static void test_date_zones(void **state)
{
	(void)state;
	check_ok("2025-03-04T10:20:30Z", NULL, 2025, 3, 4, 10, 20, 30);
	check_ok("2025-03-04T10:20:30z", NULL, 2025, 3, 4, 10, 20, 30);
	check_ok("2025-03-04T10:20:30.250Z", NULL, 2025, 3, 4, 10, 20, 30);
	check_ok("2025-03-04 10:20:30 UTC", NULL, 2025, 3, 4, 10, 20, 30);
	check_ok("2025-03-04 10:20:30UTC", NULL, 2025, 3, 4, 10, 20, 30);
	check_ok("2025-03-04 10:20:30 gmt", NULL, 2025, 3, 4, 10, 20, 30);
	check_ok("2025-03-04 10:20:30 +0000", NULL, 2025, 3, 4, 10, 20, 30);
	/* the offset is not applied: the date stays the date as written */
	check_ok("2025-03-04T23:30:00-05:00", NULL, 2025, 3, 4, 23, 30, 0);
	check_ok("2025-03-04T00:30+05:30", NULL, 2025, 3, 4, 0, 30, 0);
	check_ok("2025-03-04T00:30+0530", NULL, 2025, 3, 4, 0, 30, 0);
	check_ok("2025-03-04T00:30+05", NULL, 2025, 3, 4, 0, 30, 0);
	check_ok("2025-03-04T00:30-00:00", NULL, 2025, 3, 4, 0, 30, 0);
	check_bad("2025-03-04T00:30+24:00", NULL);
	check_reason("'2025-03-04T00:30+24:00' has an invalid UTC offset");
	check_bad("2025-03-04T00:30+05:60", NULL);
	check_bad("2025-03-04T00:30+5", NULL);
	check_bad("2025-03-04T00:30+05:3", NULL);
	check_bad("2025-03-04T00:30+053", NULL);
	check_bad("2025-03-04T00:30 EST", NULL);
	check_bad("2025-03-04Z", NULL);
	check_bad("2025-03-04T00:30ZZ", NULL);
	check_bad("2025-03-04T00:30  Z", NULL);
}

static void test_date_basic_yyyymmdd(void **state)
{
	(void)state;
	check_ok("20250304", NULL, 2025, 3, 4, 0, 0, 0);
	check_ok(" 20240229 ", NULL, 2024, 2, 29, 0, 0, 0);
	check_bad("20230229", NULL);
	check_bad("20251301", NULL);
	check_bad("2025030", NULL);
	check_bad("202503041", NULL);
	check_bad("20250304T1020", NULL);
}

static void test_date_invalid_dates(void **state)
{
	(void)state;
	check_bad("2025-02-30", NULL);
	check_reason("'2025-02-30' is not a valid date");
	check_bad("2023-02-29", NULL);
	check_ok("2024-02-29", NULL, 2024, 2, 29, 0, 0, 0);
	check_bad("1900-02-29", NULL);
	check_ok("2000-02-29", NULL, 2000, 2, 29, 0, 0, 0);
	check_bad("2100-02-29", NULL);
	check_bad("2025-13-01", NULL);
	check_bad("2025-00-10", NULL);
	check_bad("2025-01-00", NULL);
	check_bad("2025-04-31", NULL);
	check_ok("2025-01-31", NULL, 2025, 1, 31, 0, 0, 0);
	check_bad("2025-01-32", NULL);
	check_bad("0000-01-01", NULL);
	check_bad("2025-03-04 24:00", NULL);
	check_reason("'2025-03-04 24:00' is not a valid time of day");
	check_bad("2025-03-04 23:60", NULL);
	check_bad("2025-03-04 12:30:60", NULL);
	check_reason("'2025-03-04 12:30:60' is not a valid time of day");
	check_bad("2025-03-04 23:58:60", NULL);
	check_bad("2025-03-04 23:59:61", NULL);
}

/* A leap second is valid ISO 8601 where UTC inserts it (23:59:60 UTC), and
 * is read as the second before it, on the same day. */
static void test_date_leap_second(void **state)
{
	(void)state;
	check_ok("2016-12-31 23:59:60", NULL, 2016, 12, 31, 23, 59, 59);
	check_ok("2016-12-31T23:59:60Z", NULL, 2016, 12, 31, 23, 59, 59);
	check_ok("2016-12-31T23:59:60.5 UTC", NULL, 2016, 12, 31, 23, 59, 59);
	check_ok("2017-01-01T08:59:60+09:00", NULL, 2017, 1, 1, 8, 59, 59);
	check_ok("2016-12-31T18:59:60-05:00", NULL, 2016, 12, 31, 18, 59, 59);
	check_ok("2017-01-01T05:29:60+0530", NULL, 2017, 1, 1, 5, 29, 59);
	/* 23:59:60 local time with a zone east or west of UTC is not a leap second */
	check_bad("2016-12-31T23:59:60+09:00", NULL);
	check_bad("2017-01-01T08:59:60", NULL);
	check_ok("12/31/2016 23:59:60", "%m/%d/%Y %H:%M:%S", 2016, 12, 31, 23, 59, 59);
	check_ok("2016-12-31 23:59:60", "%F %T", 2016, 12, 31, 23, 59, 59);
	check_ok("2017-01-01 08:59:60 +09", "%F %T %z", 2017, 1, 1, 8, 59, 59);
	check_bad("2016-12-31 11:59:60 PM +01", "%Y-%m-%d %I:%M:%S %p %z");
	check_ok("2016-12-31 11:59:60 PM", "%Y-%m-%d %I:%M:%S %p", 2016, 12, 31, 23, 59, 59);
}

static void test_date_garbage(void **state)
{
	(void)state;
	check_bad("", NULL);
	check_reason("empty value is not a date");
	check_bad("   ", NULL);
	check_bad("yesterday", NULL);
	check_bad("04/03/2011", NULL);
	check_reason("'04/03/2011' is not a date in a recognised layout (YYYY-MM-DD, "
		     "YYYY-MM-DD HH:MM:SS, YYYY/MM/DD or YYYYMMDD); other layouts need a date format");
	check_bad("4.3.2011", NULL);
	check_bad("2025-03/04", NULL);
	check_bad("2025/03-04", NULL);
	check_bad("25-03-04", NULL);
	check_bad("02025-03-04", NULL);
	check_bad("2025-003-04", NULL);
	check_bad("2025-03-004", NULL);
	check_bad("-2025-03-04", NULL);
	check_bad("+2025-03-04", NULL);
	check_bad("2025-W09-1", NULL);
	check_bad("2025-063", NULL);
	check_bad("2025-03", NULL);
	check_bad("2025", NULL);
	check_bad("2025-03-04T", NULL);
	check_bad("2025-03-04T10", NULL);
	check_bad("2025-03-04T10:2", NULL);
	check_bad("2025-03-04T100:20", NULL);
	check_bad("2025-03-04T10:20:3", NULL);
	check_bad("2025-03-04  10:20", NULL);
	check_bad("2025-03-04_10:20", NULL);
	check_bad("2025-03-04 -1:20", NULL);
	check_bad("\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x95-03-04", NULL);
}

static void test_date_trailing_junk(void **state)
{
	(void)state;
	check_bad("2025-03-04x", NULL);
	check_bad("2025-03-04 x", NULL);
	check_bad("2025-03-04T10:20:30 x", NULL);
	check_bad("2025-03-04T10:20:30Zx", NULL);
	check_bad("2025-03-04T10:20:30:00", NULL);
	check_bad("2025-03-04 10:20:30 UTC+1", NULL);
	check_bad("2025-03-04.", NULL);
	check_bad("04.03.2011x", "%d.%m.%Y");
}

static void test_date_not_nul_terminated(void **state)
{
	loyal_datetime dt;
	const char buf[] = "2025-03-04T10:20:30Zjunk";

	(void)state;
	assert_int_equal(loyal_date_parse(&dt, buf, 10, NULL), 0);
	assert_int_equal(dt.days, loyal_days_from_civil(2025, 3, 4));
	assert_int_equal(dt.seconds, 0);
	assert_int_equal(loyal_date_parse(&dt, buf, 20, NULL), 0);
	assert_int_equal(dt.seconds, 10 * 3600 + 20 * 60 + 30);
	assert_int_equal(loyal_date_parse(&dt, buf, 21, NULL), LOYAL_EVALUE);
	/* the reason quotes only the value, not what follows it */
	check_reason("'2025-03-04T10:20:30Zj' is not a date in a recognised layout (YYYY-MM-DD, "
		     "YYYY-MM-DD HH:MM:SS, YYYY/MM/DD or YYYYMMDD); other layouts need a date format");
	assert_int_equal(loyal_date_parse(&dt, "20250304", 7, NULL), LOYAL_EVALUE);
}

static void test_date_bad_arguments(void **state)
{
	loyal_datetime dt;

	(void)state;
	assert_int_equal(loyal_date_parse(NULL, "2025-03-04", 10, NULL), LOYAL_EINVAL);
	assert_int_equal(loyal_date_parse(&dt, NULL, 3, NULL), LOYAL_EINVAL);
	assert_int_equal(loyal_date_parse(&dt, NULL, 0, NULL), LOYAL_EVALUE);
	assert_int_equal(loyal_date_parse(&dt, "2025-03-04", 10, "%Q"), LOYAL_EINVAL);
}

static void test_date_format_us_and_european(void **state)
{
	(void)state;
	check_ok("04/03/2011 09:05", "%m/%d/%Y %H:%M", 2011, 4, 3, 9, 5, 0);
	check_ok("4/3/2011 9:05", "%m/%d/%Y %H:%M", 2011, 4, 3, 9, 5, 0);
	check_ok("12/31/2011 23:59", "%m/%d/%Y %H:%M", 2011, 12, 31, 23, 59, 0);
	check_bad("31/12/2011 23:59", "%m/%d/%Y %H:%M");
	check_reason("'31/12/2011 23:59' is not a valid date");
	check_bad("12/31/2011", "%m/%d/%Y %H:%M");
	check_reason("'12/31/2011' does not match the date format '%m/%d/%Y %H:%M'");
	check_ok("04.03.2011", "%d.%m.%Y", 2011, 3, 4, 0, 0, 0);
	check_ok("4.3.2011", "%d.%m.%Y", 2011, 3, 4, 0, 0, 0);
	check_ok(" 29.02.2024 ", "%d.%m.%Y", 2024, 2, 29, 0, 0, 0);
	check_bad("29.02.2023", "%d.%m.%Y");
	check_bad("04.03.11", "%d.%m.%Y");
	check_bad("04/03/2011", "%d.%m.%Y");
	check_bad("04.03.20111", "%d.%m.%Y");
	check_bad("004.03.2011", "%d.%m.%Y");
	check_bad("+4.03.2011", "%d.%m.%Y");
	check_bad("", "%d.%m.%Y");
}

static void test_date_format_directives(void **state)
{
	(void)state;
	check_ok("2025-03-04", "%Y-%m-%d", 2025, 3, 4, 0, 0, 0);
	check_ok("2025-03-04 10:20:30", "%F %T", 2025, 3, 4, 10, 20, 30);
	check_ok("20250304", "%Y%m%d", 2025, 3, 4, 0, 0, 0);
	check_ok("2025034", "%Y%m%d", 2025, 3, 4, 0, 0, 0);
	check_bad("202534", "%Y%m%d"); /* greedy: the month takes "34" */
	check_ok("04/03/11", "%d/%m/%y", 2011, 3, 4, 0, 0, 0);
	check_ok("04/03/68", "%d/%m/%y", 2068, 3, 4, 0, 0, 0);
	check_ok("04/03/69", "%d/%m/%y", 1969, 3, 4, 0, 0, 0);
	check_ok("04/03/00", "%d/%m/%y", 2000, 3, 4, 0, 0, 0);
	check_ok("4 Mar 2025", "%d %b %Y", 2025, 3, 4, 0, 0, 0);
	check_ok("4 MAR 2025", "%d %b %Y", 2025, 3, 4, 0, 0, 0);
	check_ok("4 march 2025", "%d %B %Y", 2025, 3, 4, 0, 0, 0);
	check_ok("4 June 2025", "%d %b %Y", 2025, 6, 4, 0, 0, 0);
	check_ok("4 Sept 2025", "%d %h %Y", 2025, 9, 4, 0, 0, 0);
	check_ok("4 Sep 2025", "%d %b %Y", 2025, 9, 4, 0, 0, 0);
	check_ok("Dec 25, 2025", "%b %d, %Y", 2025, 12, 25, 0, 0, 0);
	check_ok("4Mar2025", "%d %b %Y", 2025, 3, 4, 0, 0, 0); /* spaces match zero or more */
	check_ok("4   Mar\t2025", "%d %b %Y", 2025, 3, 4, 0, 0, 0);
	check_bad("4 Mär 2025", "%d %b %Y");
	check_bad("4 Ma 2025", "%d %b %Y");
	check_ok("Mar  4 2025", "%b %e %Y", 2025, 3, 4, 0, 0, 0);
	check_ok("Mar 14 2025", "%b %e %Y", 2025, 3, 14, 0, 0, 0);
	check_ok("2025-063", "%Y-%j", 2025, 3, 4, 0, 0, 0);
	check_ok("2024-366", "%Y-%j", 2024, 12, 31, 0, 0, 0);
	check_ok("2025-1", "%Y-%j", 2025, 1, 1, 0, 0, 0);
	check_bad("2025-366", "%Y-%j");
	check_bad("2025-000", "%Y-%j");
	check_ok("100%2025-03-04", "100%%%F", 2025, 3, 4, 0, 0, 0);
	check_ok("2025-03-04T10:20:30.123456", "%Y-%m-%dT%H:%M:%S.%f", 2025, 3, 4, 10, 20, 30);
	check_ok("2025-03-04T10:20:30+01:00", "%Y-%m-%dT%H:%M:%S%z", 2025, 3, 4, 10, 20, 30);
	check_ok("2025-03-04T10:20:30Z", "%Y-%m-%dT%H:%M:%S%z", 2025, 3, 4, 10, 20, 30);
	check_bad("2025-03-04T10:20:30+25:00", "%Y-%m-%dT%H:%M:%S%z");
	check_ok("2025-03-04 10:20:30 UTC", "%F %T UTC", 2025, 3, 4, 10, 20, 30);
	check_bad("2025-03-04 10:20:30 utc", "%F %T UTC"); /* literals are exact */
	check_bad("2025-03-04 24:00:00", "%F %T");
	check_bad("2025-03-04 10:20:60", "%F %T");
	check_bad("0000-03-04", "%F");
}

static void test_date_format_twelve_hour(void **state)
{
	(void)state;
	check_ok("05/01/2023 10:22:33 AM", "%m/%d/%Y %I:%M:%S %p", 2023, 5, 1, 10, 22, 33);
	check_ok("05/01/2023 10:22:33 pm", "%m/%d/%Y %I:%M:%S %p", 2023, 5, 1, 22, 22, 33);
	check_ok("05/01/2023 12:05:00 AM", "%m/%d/%Y %I:%M:%S %p", 2023, 5, 1, 0, 5, 0);
	check_ok("05/01/2023 12:05:00 PM", "%m/%d/%Y %I:%M:%S %p", 2023, 5, 1, 12, 5, 0);
	check_ok("05/01/2023 1:05:00PM", "%m/%d/%Y %I:%M:%S %p", 2023, 5, 1, 13, 5, 0);
	check_bad("05/01/2023 13:05:00 PM", "%m/%d/%Y %I:%M:%S %p");
	check_bad("05/01/2023 0:05:00 AM", "%m/%d/%Y %I:%M:%S %p");
	check_bad("05/01/2023 10:05:00 XM", "%m/%d/%Y %I:%M:%S %p");
}

static void check_format_rejected(const char *format, const char *reason)
{
	loyal_datetime dt = { 1, 2 };

	if (loyal_date_parse_format_check(format) != LOYAL_EINVAL)
		print_error("format '%s' was accepted\n", format);
	assert_int_equal(loyal_date_parse_format_check(format), LOYAL_EINVAL);
	if (reason)
		check_reason(reason);
	assert_int_equal(loyal_date_parse(&dt, "2025-03-04", 10, format), LOYAL_EINVAL);
	assert_int_equal(dt.days, 1);
}

static void test_date_format_check(void **state)
{
	(void)state;
	assert_int_equal(loyal_date_parse_format_check(NULL), 0);
	assert_int_equal(loyal_date_parse_format_check("%Y-%m-%d"), 0);
	assert_int_equal(loyal_date_parse_format_check("%d.%m.%Y %H:%M"), 0);
	assert_int_equal(loyal_date_parse_format_check("%F %T%z"), 0);
	assert_int_equal(loyal_date_parse_format_check("%Y-%j"), 0);
	assert_int_equal(loyal_date_parse_format_check("%m/%d/%y %I:%M %p"), 0);
	assert_int_equal(loyal_date_parse_format_check("%e %B %Y %%"), 0);
	check_format_rejected("%Y-%m-%Q", "unknown directive '%Q' in date format '%Y-%m-%Q'");
	check_format_rejected("%Y-%m-%d%", "date format '%Y-%m-%d%' ends with a lone '%'");
	check_format_rejected("%H:%M", "date format '%H:%M' has no year (%Y, %y or %F)");
	check_format_rejected("", NULL);
	check_format_rejected("%Y-%m", "date format '%Y-%m' needs a month and a day (or a day of year, %j)");
	check_format_rejected("%Y-%d", NULL);
	check_format_rejected("%Y-%m-%d %j", NULL);
	check_format_rejected("%Y-%m-%d %Y", "date format '%Y-%m-%d %Y' gives a field twice (at '%Y')");
	check_format_rejected("%F %d", NULL);
	check_format_rejected("%y %Y-%m-%d", NULL);
	check_format_rejected("%b %m %d %Y", NULL);
	check_format_rejected("%F %H %I %p", NULL);
	check_format_rejected("%F %I:%M", "date format '%F %I:%M' needs both %I and %p, or neither");
	check_format_rejected("%F %H:%M %p", NULL);
	check_format_rejected("%F %s", NULL);
	check_format_rejected("%F %\x01", "unknown directive '%\\x01' in date format '%F %\\x01'");
}

/* days_from_civil and civil_from_days against a plain day-by-day walk of
 * the calendar in both directions from 1970-01-01. */
static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned mlen(int y, unsigned m)
{
	static const unsigned len[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : len[m - 1];
}

static void check_day(int32_t n, int y, unsigned m, unsigned d)
{
	int yy;
	unsigned mm, dd;

	if (loyal_days_from_civil(y, m, d) != n)
		print_error("%d-%u-%u: %d, expected %d\n", y, m, d,
			    (int)loyal_days_from_civil(y, m, d), (int)n);
	assert_int_equal(loyal_days_from_civil(y, m, d), n);
	loyal_civil_from_days(n, &yy, &mm, &dd);
	assert_int_equal(yy, y);
	assert_int_equal(mm, m);
	assert_int_equal(dd, d);
}

static void test_date_days_from_civil_round_trip(void **state)
{
	int32_t n;
	int y;
	unsigned m, d;

	(void)state;
	for (n = 0, y = 1970, m = 1, d = 1; y <= 12000; n++) {
		check_day(n, y, m, d);
		if (++d > mlen(y, m)) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
	}
	for (n = 0, y = 1970, m = 1, d = 1; y >= -4000; n--) {
		check_day(n, y, m, d);
		if (--d == 0) {
			if (--m == 0) {
				m = 12;
				y--;
			}
			d = mlen(y, m);
		}
	}
	/* well-known anchors */
	assert_int_equal(loyal_days_from_civil(1, 1, 1), -719162);
	assert_int_equal(loyal_days_from_civil(9999, 12, 31), 2932896);
	assert_int_equal(loyal_days_from_civil(2000, 3, 1), 11017);
	/* the extremes of int32_t */
	loyal_civil_from_days(INT32_MAX, &y, &m, &d);
	assert_int_equal(loyal_days_from_civil(y, m, d), INT32_MAX);
	loyal_civil_from_days(INT32_MIN, &y, &m, &d);
	assert_int_equal(loyal_days_from_civil(y, m, d), INT32_MIN);
}

static void test_date_format_ymd(void **state)
{
	char buf[32];

	(void)state;
	assert_int_equal(loyal_date_format(buf, sizeof(buf), 0), 10);
	assert_string_equal(buf, "1970-01-01");
	loyal_date_format(buf, sizeof(buf), loyal_days_from_civil(2025, 3, 4));
	assert_string_equal(buf, "2025-03-04");
	loyal_date_format(buf, sizeof(buf), loyal_days_from_civil(1, 1, 1));
	assert_string_equal(buf, "0001-01-01");
	loyal_date_format(buf, sizeof(buf), loyal_days_from_civil(9999, 12, 31));
	assert_string_equal(buf, "9999-12-31");
	loyal_date_format(buf, sizeof(buf), loyal_days_from_civil(-1, 12, 31));
	assert_string_equal(buf, "-0001-12-31");
	loyal_date_format(buf, sizeof(buf), loyal_days_from_civil(12345, 6, 7));
	assert_string_equal(buf, "12345-06-07");
	/* snprintf semantics */
	assert_int_equal(loyal_date_format(buf, 5, 0), 10);
	assert_string_equal(buf, "1970");
	assert_int_equal(loyal_date_format(NULL, 0, 0), 10);
}

static void test_date_period_parse_and_name(void **state)
{
	static const char *const names[] = { "none", "day", "week", "month", "quarter", "year" };
	loyal_period p = LOYAL_PERIOD_NONE;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_equal(loyal_period_parse(&p, names[i]), 0);
		assert_int_equal(p, (loyal_period)i);
		assert_string_equal(loyal_period_name(p), names[i]);
	}
	assert_int_equal(loyal_period_parse(&p, "Month"), 0);
	assert_int_equal(p, LOYAL_PERIOD_MONTH);
	assert_int_equal(loyal_period_parse(&p, "QUARTER"), 0);
	assert_int_equal(p, LOYAL_PERIOD_QUARTER);
	p = LOYAL_PERIOD_DAY;
	assert_int_equal(loyal_period_parse(&p, "fortnight"), LOYAL_EINVAL);
	check_reason("unknown period 'fortnight' (expected day, week, month, quarter, year or none)");
	assert_int_equal(loyal_period_parse(&p, ""), LOYAL_EINVAL);
	assert_int_equal(loyal_period_parse(&p, "mon"), LOYAL_EINVAL);
	assert_int_equal(loyal_period_parse(&p, "months"), LOYAL_EINVAL);
	assert_int_equal(loyal_period_parse(&p, NULL), LOYAL_EINVAL);
	assert_int_equal(loyal_period_parse(NULL, "day"), LOYAL_EINVAL);
	assert_int_equal(p, LOYAL_PERIOD_DAY);
	assert_string_equal(loyal_period_name((loyal_period)42), "unknown");
}

static void check_key(loyal_period p, int y, unsigned m, unsigned d, const char *expected)
{
	char buf[32];
	int32_t days = loyal_days_from_civil(y, m, d);
	size_t n = loyal_period_key(buf, sizeof(buf), p, loyal_period_index(p, days));

	if (strcmp(buf, expected) != 0)
		print_error("%s key of %04d-%02u-%02u: '%s', expected '%s'\n",
			    loyal_period_name(p), y, m, d, buf, expected);
	assert_string_equal(buf, expected);
	assert_int_equal(n, strlen(expected));
}

/* Expected values from Python's date.isocalendar() and `date +%G-W%V`. */
static void test_date_iso_week_keys(void **state)
{
	(void)state;
	check_key(LOYAL_PERIOD_WEEK, 2024, 12, 30, "2025-W01");
	check_key(LOYAL_PERIOD_WEEK, 2021, 1, 3, "2020-W53");
	check_key(LOYAL_PERIOD_WEEK, 2026, 12, 31, "2026-W53");
	check_key(LOYAL_PERIOD_WEEK, 2027, 1, 1, "2026-W53");
	check_key(LOYAL_PERIOD_WEEK, 2027, 1, 4, "2027-W01");
	check_key(LOYAL_PERIOD_WEEK, 2020, 12, 31, "2020-W53");
	check_key(LOYAL_PERIOD_WEEK, 2015, 12, 31, "2015-W53");
	check_key(LOYAL_PERIOD_WEEK, 2016, 1, 3, "2015-W53");
	check_key(LOYAL_PERIOD_WEEK, 2019, 12, 30, "2020-W01");
	check_key(LOYAL_PERIOD_WEEK, 2008, 12, 29, "2009-W01");
	check_key(LOYAL_PERIOD_WEEK, 2018, 12, 31, "2019-W01");
	check_key(LOYAL_PERIOD_WEEK, 1970, 1, 1, "1970-W01");
	check_key(LOYAL_PERIOD_WEEK, 1969, 12, 28, "1969-W52");
	check_key(LOYAL_PERIOD_WEEK, 2025, 2, 27, "2025-W09");
	check_key(LOYAL_PERIOD_WEEK, 1, 1, 1, "0001-W01");
	check_key(LOYAL_PERIOD_WEEK, 9999, 12, 31, "9999-W52");
}

static void test_date_week_index_is_monday_based(void **state)
{
	int64_t w;

	(void)state;
	/* Monday 2025-03-03 to Sunday 2025-03-09 are one week */
	w = loyal_period_index(LOYAL_PERIOD_WEEK, loyal_days_from_civil(2025, 3, 3));
	assert_int_equal(loyal_period_index(LOYAL_PERIOD_WEEK, loyal_days_from_civil(2025, 3, 9)), w);
	assert_int_equal(loyal_period_index(LOYAL_PERIOD_WEEK, loyal_days_from_civil(2025, 3, 2)), w - 1);
	assert_int_equal(loyal_period_index(LOYAL_PERIOD_WEEK, loyal_days_from_civil(2025, 3, 10)), w + 1);
	assert_int_equal(loyal_period_start(LOYAL_PERIOD_WEEK, w), loyal_days_from_civil(2025, 3, 3));
	/* consecutive across a 53-week year */
	assert_int_equal(loyal_period_index(LOYAL_PERIOD_WEEK, loyal_days_from_civil(2021, 1, 4)),
			 loyal_period_index(LOYAL_PERIOD_WEEK, loyal_days_from_civil(2020, 12, 28)) + 1);
	assert_int_equal(loyal_period_index(LOYAL_PERIOD_WEEK, 0), 0);
	assert_int_equal(loyal_period_index(LOYAL_PERIOD_WEEK, -3), 0);
	assert_int_equal(loyal_period_index(LOYAL_PERIOD_WEEK, -4), -1);
}

static void test_date_month_quarter_year_keys(void **state)
{
	(void)state;
	check_key(LOYAL_PERIOD_DAY, 2025, 3, 4, "2025-03-04");
	check_key(LOYAL_PERIOD_MONTH, 2025, 3, 4, "2025-03");
	check_key(LOYAL_PERIOD_MONTH, 2025, 12, 31, "2025-12");
	check_key(LOYAL_PERIOD_MONTH, 1, 1, 1, "0001-01");
	check_key(LOYAL_PERIOD_QUARTER, 2025, 1, 1, "2025-Q1");
	check_key(LOYAL_PERIOD_QUARTER, 2025, 3, 31, "2025-Q1");
	check_key(LOYAL_PERIOD_QUARTER, 2025, 4, 1, "2025-Q2");
	check_key(LOYAL_PERIOD_QUARTER, 2025, 9, 30, "2025-Q3");
	check_key(LOYAL_PERIOD_QUARTER, 2025, 12, 31, "2025-Q4");
	check_key(LOYAL_PERIOD_YEAR, 2025, 12, 31, "2025");
	check_key(LOYAL_PERIOD_YEAR, 33, 1, 1, "0033");
	check_key(LOYAL_PERIOD_NONE, 2025, 3, 4, "");

	assert_int_equal(loyal_period_index(LOYAL_PERIOD_MONTH, loyal_days_from_civil(2025, 3, 4)),
			 2025 * 12 + 2);
	assert_int_equal(loyal_period_index(LOYAL_PERIOD_QUARTER, loyal_days_from_civil(2025, 8, 4)),
			 2025 * 4 + 2);
	assert_int_equal(loyal_period_index(LOYAL_PERIOD_YEAR, loyal_days_from_civil(2025, 8, 4)), 2025);
	assert_int_equal(loyal_period_index(LOYAL_PERIOD_DAY, 12345), 12345);
	assert_int_equal(loyal_period_index(LOYAL_PERIOD_NONE, 12345), 0);
}

static void test_date_period_key_truncates(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(loyal_period_key(buf, 5, LOYAL_PERIOD_QUARTER, 2025 * 4), 7);
	assert_string_equal(buf, "2025");
	assert_int_equal(loyal_period_key(NULL, 0, LOYAL_PERIOD_WEEK, 0), 8);
	assert_int_equal(loyal_period_key(buf, sizeof(buf), LOYAL_PERIOD_WEEK, 0), 8);
	assert_string_equal(buf, "1970-W0");
	/* a negative year, as a proleptic calendar allows */
	assert_int_equal(loyal_period_key(buf, sizeof(buf), LOYAL_PERIOD_YEAR, -1), 5);
	assert_string_equal(buf, "-0001");
}

/* period_start(index(d)) <= d < period_start(index(d) + 1), the start maps
 * back to the same index, and keys strictly increase, for every day over
 * several centuries around both calendar edges. */
static void check_periods_over(int32_t from, int32_t to)
{
	static const loyal_period kinds[] = { LOYAL_PERIOD_DAY, LOYAL_PERIOD_WEEK, LOYAL_PERIOD_MONTH,
					      LOYAL_PERIOD_QUARTER, LOYAL_PERIOD_YEAR };
	size_t k;
	int32_t d;

	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		loyal_period p = kinds[k];
		int64_t prev = loyal_period_index(p, from - 1);

		for (d = from; d <= to; d++) {
			int64_t i = loyal_period_index(p, d);
			int32_t start = loyal_period_start(p, i), next = loyal_period_start(p, i + 1);

			if (!(start <= d && d < next && loyal_period_index(p, start) == i &&
			      (i == prev || i == prev + 1)))
				print_error("%s: day %d index %lld start %d next %d prev %lld\n",
					    loyal_period_name(p), (int)d, (long long)i, (int)start,
					    (int)next, (long long)prev);
			assert_true(start <= d && d < next);
			assert_int_equal(loyal_period_index(p, start), i);
			assert_true(i == prev || i == prev + 1);
			if (i != prev) {
				char a[32], b[32];

				loyal_period_key(a, sizeof(a), p, prev);
				loyal_period_key(b, sizeof(b), p, i);
				assert_true(strcmp(a, b) < 0);
				assert_int_equal(start, d);
			}
			prev = i;
		}
	}
}

static void test_date_period_start_index_round_trip(void **state)
{
	(void)state;
	check_periods_over(loyal_days_from_civil(1, 1, 1), loyal_days_from_civil(400, 12, 31));
	check_periods_over(loyal_days_from_civil(1899, 1, 1), loyal_days_from_civil(2101, 12, 31));
	check_periods_over(loyal_days_from_civil(9800, 1, 1), loyal_days_from_civil(9999, 12, 31));
	/* before year 1 indexes stay consecutive (floor division) */
	assert_int_equal(loyal_period_index(LOYAL_PERIOD_MONTH, loyal_days_from_civil(-1, 12, 31)), -1);
	assert_int_equal(loyal_period_index(LOYAL_PERIOD_QUARTER, loyal_days_from_civil(-1, 12, 31)), -1);
	assert_int_equal(loyal_period_start(LOYAL_PERIOD_MONTH, -1), loyal_days_from_civil(-1, 12, 1));
	assert_int_equal(loyal_period_start(LOYAL_PERIOD_QUARTER, -1), loyal_days_from_civil(-1, 10, 1));
	assert_int_equal(loyal_period_start(LOYAL_PERIOD_NONE, 5), 0);
	/* absurd indexes are clamped, not undefined behaviour */
	assert_int_equal(loyal_period_start(LOYAL_PERIOD_WEEK, INT64_MAX), INT32_MAX);
	assert_int_equal(loyal_period_start(LOYAL_PERIOD_DAY, INT64_MIN), INT32_MIN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_iso_dates),
		cmocka_unit_test(test_date_iso_datetimes),
		cmocka_unit_test(test_date_fractions),
		cmocka_unit_test(test_date_zones),
		cmocka_unit_test(test_date_basic_yyyymmdd),
		cmocka_unit_test(test_date_invalid_dates),
		cmocka_unit_test(test_date_leap_second),
		cmocka_unit_test(test_date_garbage),
		cmocka_unit_test(test_date_trailing_junk),
		cmocka_unit_test(test_date_not_nul_terminated),
		cmocka_unit_test(test_date_bad_arguments),
		cmocka_unit_test(test_date_format_us_and_european),
		cmocka_unit_test(test_date_format_directives),
		cmocka_unit_test(test_date_format_twelve_hour),
		cmocka_unit_test(test_date_format_check),
		cmocka_unit_test(test_date_days_from_civil_round_trip),
		cmocka_unit_test(test_date_format_ymd),
		cmocka_unit_test(test_date_period_parse_and_name),
		cmocka_unit_test(test_date_iso_week_keys),
		cmocka_unit_test(test_date_week_index_is_monday_based),
		cmocka_unit_test(test_date_month_quarter_year_keys),
		cmocka_unit_test(test_date_period_key_truncates),
		cmocka_unit_test(test_date_period_start_index_round_trip),
	};

	return loyal_test_status(cmocka_run_group_tests(tests, NULL, NULL));
}
