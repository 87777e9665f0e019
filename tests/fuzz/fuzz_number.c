/*
 * libFuzzer target: the number parsers (whole numbers, exact decimals with
 * and without exponents, NPS scores, CSAT answers) and the formatters. A
 * parsed decimal must format to text that parses back to the same value,
 * also through the exact parser, which accepts a subset of what the
 * rounding one does, with the same value; a
 * double formatted for output must read back (strtod, C locale) to itself.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loyal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "check failed: %s (line %d)\n", #cond, __LINE__); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char text[64];
	int64_t v, back;
	int error;

	error = loyal_parse_int64(&v, s, size);
	CHECK(error == 0 || error == LOYAL_EVALUE);
	if (error == 0) {
		snprintf(text, sizeof(text), "%lld", (long long)v);
		CHECK(loyal_parse_int64(&back, text, strlen(text)) == 0 && back == v);
	}

	for (int exp = 0; exp < 2; exp++) {
		error = loyal_parse_decimal(&v, s, size, exp);
		CHECK(error == 0 || error == LOYAL_EVALUE);
		/* The exact parser accepts a subset, with the same value. */
		int64_t exact;
		int exact_error = loyal_parse_decimal_exact(&exact, s, size, exp);
		CHECK(exact_error == 0 || exact_error == LOYAL_EVALUE);
		CHECK(exact_error < 0 || (error == 0 && exact == v));
		if (error < 0)
			continue;
		size_t n = loyal_decimal_format(text, sizeof(text), v);
		CHECK(n < 22 && strlen(text) == n);
		CHECK(loyal_parse_decimal(&back, text, n, 0) == 0 && back == v);
		/* micro-units are exact: their text has at most 6 decimals */
		CHECK(loyal_parse_decimal_exact(&back, text, n, 0) == 0 && back == v);

		double d = (double)v / 1e6;
		n = loyal_format_double(text, sizeof(text), d);
		CHECK(n > 0 && n <= 24 && strlen(text) == n);
		CHECK(strtod(text, NULL) == d || (d == 0 && strtod(text, NULL) == 0));
		int64_t prod;
		error = loyal_decimal_mul(&prod, v, v);
		CHECK(error == 0 || error == LOYAL_EVALUE);
	}

	/* Any 8 bytes as a double: formatted text reads back exactly. */
	if (size >= 8) {
		double d;
		memcpy(&d, data, sizeof(d));
		size_t n = loyal_format_double(text, sizeof(text), d);
		if (isfinite(d))
			CHECK(n > 0 && strtod(text, NULL) == d);
		else
			CHECK(n == 0 && text[0] == '\0');
	}

	int score;
	error = loyal_nps_parse(&score, s, size);
	CHECK(error == LOYAL_EVALUE || (error == 0 && score >= 0 && score <= 10));
	loyal_csat acc;
	CHECK(loyal_csat_init(&acc, 1, 5) == 0);
	error = loyal_csat_parse_answer(&score, &acc, s, size);
	CHECK(error == LOYAL_EVALUE || (error == 0 && score >= 1 && score <= 5));
	CHECK(loyal_csat_init(&acc, 0, 10) == 0);
	error = loyal_csat_parse_answer(&score, &acc, s, size);
	CHECK(error == LOYAL_EVALUE || (error == 0 && score >= 0 && score <= 10));
	loyal_error_clear();
	return 0;
}
