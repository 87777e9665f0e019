#ifndef LOYAL_NUMBER_H
#define LOYAL_NUMBER_H

#include "common.h"

/*
 * Locale-independent number parsing and formatting.
 *
 * None of these functions looks at the process or thread locale: the
 * decimal point is always '.', there are never thousands separators, and
 * the results are the same under any LC_NUMERIC.
 *
 * The parsers read s[0..len), which need not be NUL-terminated and is only
 * read during the call. Leading and trailing ASCII spaces and tabs are
 * ignored; nothing else is. On failure *out is left unchanged and the
 * reason (without location: the caller adds file, line and column) is
 * available from loyal_error_last().
 *
 * The formatters write into buf with snprintf semantics: the text is
 * NUL-terminated and truncated to size - 1 characters (nothing is written
 * when size is 0), and the return value is the length of the full text,
 * not counting the NUL.
 */

/* Micro-units per unit: a decimal value v is held as v * 10^6 in int64_t. */
#define LOYAL_DECIMAL_SCALE 1000000

/*
 * Parse a whole number: an optional '+' or '-' followed by one or more
 * ASCII digits ("42", "-7", "+007"), between -9223372036854775808 and
 * 9223372036854775807.
 * Rejected, with LOYAL_EVALUE: empty or blank values; a decimal point or
 * fraction ("7.0", "7.5"); exponents ("1e3"); any other character
 * ("7a", "1,000", "1 000", "0x10", "$5"); a sign without digits or a
 * space after the sign ("- 7"); values out of range. Reason, e.g.
 * "'7.5' is not a whole number".
 * Returns 0, LOYAL_EVALUE, or LOYAL_EINVAL if out is NULL or s is NULL
 * with len not 0.
 */
LOYAL_EXTERN(int) loyal_parse_int64(int64_t *out, const char *s, size_t len);

/*
 * Parse a decimal number into micro-units (value * 10^6): "-12.50" gives
 * -12500000.
 * Accepted: an optional '+' or '-', then digits with at most one '.'
 * anywhere among them, with at least one digit: "3", "+0.5", ".5", "5.",
 * "0012.500". With allow_exponent non-zero, an exponent may follow: 'e' or
 * 'E', an optional sign, one or more digits ("1.5e3", "25E-2").
 * Digits beyond the sixth decimal are rounded half to even to micro-units
 * (0.0000005 -> 0, 0.0000015 -> 0.000002, 0.30000000000000004 -> 0.3):
 * exports written from binary floating point carry such tails, and the
 * rounding error is at most half a micro-unit. Values of any length are
 * rounded exactly, from all of their digits; a result that rounds to zero
 * is 0 (never "-0").
 * Range: -9223372036854.775808 to 9223372036854.775807 after rounding.
 * Rejected, with LOYAL_EVALUE: empty or blank values; a lone sign or
 * "."; a decimal comma ("12,50"); thousands separators ("1,000", "1 000",
 * "1'000"); currency or percent signs ("$5", "5%"); exponents when not
 * allowed (the reason says so); "inf", "nan", hex; spaces inside the
 * number; values out of range. Reason, e.g. "'12,50' is not a decimal
 * number".
 * Returns 0, LOYAL_EVALUE, or LOYAL_EINVAL if out_micros is NULL or s is
 * NULL with len not 0.
 */
LOYAL_EXTERN(int) loyal_parse_decimal(int64_t *out_micros, const char *s, size_t len,
				      int allow_exponent);

/*
 * Parse a decimal number as loyal_parse_decimal does, but refuse, with
 * LOYAL_EVALUE, a value that micro-units do not hold exactly: one with a
 * non-zero digit after the sixth decimal place, however it is written
 * ("0.0000001", "1e-7", "12.5e-7", "0.00000010" all are; "0.0000010",
 * "1e-6" and "1.5e-5" are not). For values a user types, where rounding
 * would silently change what was asked for. Reason, e.g. "'1e-7' has
 * more than 6 decimal places". Returns 0, LOYAL_EVALUE or LOYAL_EINVAL.
 */
LOYAL_EXTERN(int) loyal_parse_decimal_exact(int64_t *out_micros, const char *s, size_t len,
					    int allow_exponent);

/*
 * Multiply two micro-unit decimals (e.g. quantity x price): *out receives
 * a * b / 10^6, computed exactly in 128 bits and rounded half to even to
 * micro-units.
 * Returns 0, LOYAL_EVALUE if the result is out of the int64_t range (out
 * unchanged), or LOYAL_EINVAL if out is NULL.
 */
LOYAL_EXTERN(int) loyal_decimal_mul(int64_t *out, int64_t a_micros, int64_t b_micros);

/*
 * Format micro-units as a plain decimal with as few digits as needed: no
 * trailing zeros in the fraction and no decimal point for whole values;
 * '-' for negatives, never an exponent, never a thousands separator.
 * -12500000 -> "-12.5", 3000000 -> "3", 1 -> "0.000001", 0 -> "0".
 * The text reads back to the same value with loyal_parse_decimal and is at
 * most 21 characters long. Returns its length (snprintf semantics).
 */
LOYAL_EXTERN(size_t) loyal_decimal_format(char *buf, size_t size, int64_t micros);

/*
 * Format a double as the shortest text that reads back (by strtod in the C
 * locale, or any correctly rounding reader) to the same value, with '.' as
 * the decimal point whatever the locale. Layout as Python's repr() but
 * without a trailing ".0": plain notation when 1e-4 <= |v| < 1e16
 * ("0.1", "42", "-12.5", "0.0001", "1234567890123456"), otherwise an
 * exponent with a sign and at least two digits ("1e+16", "1.5e-07",
 * "2.2250738585072014e-308"). Both zeros are written "0" (the sign of zero
 * is not kept).
 * Non-finite values (NaN, infinities) produce no text: buf receives an
 * empty string (if size > 0) and the return value is 0.
 * Returns the length of the text (snprintf semantics; at most 24).
 */
LOYAL_EXTERN(size_t) loyal_format_double(char *buf, size_t size, double v);

#endif
