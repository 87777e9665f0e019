/*
 * libFuzzer target: the date parser. The first byte picks automatic
 * detection or a format; with a format, the bytes up to the first newline
 * are the format and the rest is the value. A format the checker accepts
 * must never make the parser fail with LOYAL_EINVAL; a parsed date must be
 * a real one whose text (YYYY-MM-DD) parses back to the same day; the
 * calendar functions must round-trip; period keys must fit their buffers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loyal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "check failed: %s (line %d)\n", #cond, __LINE__); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char format[256];
	const char *fmt = NULL, *value;
	size_t len;
	loyal_datetime dt;

	if (size == 0)
		return 0;
	value = (const char *)data + 1;
	len = size - 1;
	if (data[0] & 1) {
		const char *nl = memchr(value, '\n', len);
		size_t flen = nl ? (size_t)(nl - value) : len;
		if (flen >= sizeof(format) || memchr(value, '\0', flen))
			return 0;
		memcpy(format, value, flen);
		format[flen] = '\0';
		fmt = format;
		value += nl ? flen + 1 : flen;
		len -= nl ? flen + 1 : flen;
		if (loyal_date_parse_format_check(fmt) < 0) {
			CHECK(loyal_date_parse(&dt, value, len, fmt) == LOYAL_EINVAL);
			return 0;
		}
	}
	int error = loyal_date_parse(&dt, value, len, fmt);
	CHECK(error == 0 || error == LOYAL_EVALUE);
	if (error < 0) {
		CHECK(loyal_error_last() && loyal_error_last()->code == error);
		return 0;
	}
	CHECK(dt.seconds >= 0 && dt.seconds < 86400);
	int y;
	unsigned m, d;
	loyal_civil_from_days(dt.days, &y, &m, &d);
	CHECK(y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= 31);
	CHECK(loyal_days_from_civil(y, m, d) == dt.days);

	char text[32];
	loyal_datetime back;
	size_t n = loyal_date_format(text, sizeof(text), dt.days);
	CHECK(n == 10 && strlen(text) == 10);
	CHECK(loyal_date_parse(&back, text, n, NULL) == 0 && back.days == dt.days);

	static const loyal_period periods[] = { LOYAL_PERIOD_DAY, LOYAL_PERIOD_WEEK,
						 LOYAL_PERIOD_MONTH, LOYAL_PERIOD_QUARTER,
						 LOYAL_PERIOD_YEAR };
	for (size_t i = 0; i < sizeof(periods) / sizeof(periods[0]); i++) {
		char key[64];
		int64_t idx = loyal_period_index(periods[i], dt.days);
		int32_t start = loyal_period_start(periods[i], idx);
		CHECK(start <= dt.days && loyal_period_index(periods[i], start) == idx);
		CHECK(loyal_period_key(key, sizeof(key), periods[i], idx) < sizeof(key));
	}
	return 0;
}
