#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loyal/number.h"
#include "loyal/errors.h"
#include "errors_p.h"

/* Messages quote at most this much of a value. */
#define QUOTE_MAX 64
#define QUOTE(len) ((len) > QUOTE_MAX ? QUOTE_MAX : (int)(len))
#define QUOTE_MORE(len) ((len) > QUOTE_MAX ? "..." : "")

/* Magnitude limits, as unsigned: -2^63 is representable, +2^63 is not. */
#define POS_LIMIT ((uint64_t)INT64_MAX)
#define NEG_LIMIT ((uint64_t)INT64_MAX + 1)

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

static void trim(const char **s, size_t *len)
{
	while (*len && is_space((*s)[*len - 1]))
		(*len)--;
	while (*len && is_space(**s)) {
		(*s)++;
		(*len)--;
	}
}

/* Negate a magnitude already checked against NEG_LIMIT without the
 * undefined -(int64_t)2^63. */
static int64_t apply_sign(uint64_t mag, int neg)
{
	if (!neg || mag == 0)
		return (int64_t)mag;
	return -(int64_t)(mag - 1) - 1;
}

/* snprintf-style copy of tmp[0..n) into buf. */
static size_t copy_out(char *buf, size_t size, const char *tmp, size_t n)
{
	size_t k;

	if (size) {
		k = n < size ? n : size - 1;
		memcpy(buf, tmp, k);
		buf[k] = '\0';
	}
	return n;
}

int loyal_parse_int64(int64_t *out, const char *s, size_t len)
{
	const char *p, *end;
	uint64_t acc = 0, limit;
	int neg = 0, d;

	if (!out || (!s && len))
		return loyal__error(LOYAL_EINVAL, "loyal_parse_int64: invalid argument");
	trim(&s, &len);
	if (!len)
		return loyal__error(LOYAL_EVALUE, "empty value is not a whole number");
	p = s;
	end = s + len;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	limit = neg ? NEG_LIMIT : POS_LIMIT;
	if (p == end)
		goto syntax;
	for (; p < end; p++) {
		if (!is_digit(*p))
			goto syntax;
		d = *p - '0';
		if (acc > (limit - (uint64_t)d) / 10)
			goto range;
		acc = acc * 10 + (uint64_t)d;
	}
	*out = apply_sign(acc, neg);
	return 0;

range:
	/* A syntax error later in the text is the more useful report. */
	while (p < end && is_digit(*p))
		p++;
	if (p != end)
		goto syntax;
	return loyal__error(LOYAL_EVALUE,
			    "'%.*s%s' is out of range (whole numbers must lie between "
			    "-9223372036854775808 and 9223372036854775807)",
			    QUOTE(len), s, QUOTE_MORE(len));
syntax:
	return loyal__error(LOYAL_EVALUE, "'%.*s%s' is not a whole number",
			    QUOTE(len), s, QUOTE_MORE(len));
}

/*
 * The digits of the significand, integer and fraction parts together, are
 * d[0..n); the value is d * 10^(nint - n + exp). In micro-units the digit
 * at index i has weight 10^(nint - 1 - i + exp + 6), so the digits up to
 * index K = nint - 1 + exp + 6 are kept, digit K + 1 decides the rounding
 * and any non-zero digit after it breaks a tie. This handles any number
 * of digits and any exponent without big-number arithmetic.
 */
static int parse_decimal(int64_t *out_micros, const char *s, size_t len, int allow_exponent,
			 int exact)
{
	const char *p, *end, *ip, *fp = NULL;
	int64_t nint = 0, nfrac = 0, n, i, k, e = 0;
	uint64_t acc = 0, limit;
	int neg = 0, eneg = 0, d, rd, sticky = 0;

	if (!out_micros || (!s && len))
		return loyal__error(LOYAL_EINVAL, "loyal_parse_decimal: invalid argument");
	trim(&s, &len);
	if (!len)
		return loyal__error(LOYAL_EVALUE, "empty value is not a decimal number");
	p = s;
	end = s + len;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	ip = p;
	while (p < end && is_digit(*p)) {
		p++;
		nint++;
	}
	if (p < end && *p == '.') {
		fp = ++p;
		while (p < end && is_digit(*p)) {
			p++;
			nfrac++;
		}
	}
	if (nint + nfrac == 0)
		goto syntax;
	if (p < end && (*p == 'e' || *p == 'E')) {
		const char *q = p + 1;

		if (q < end && (*q == '+' || *q == '-'))
			eneg = *q++ == '-';
		if (q == end || !is_digit(*q))
			goto syntax;
		while (q < end && is_digit(*q)) {
			/* Saturate: beyond 10^9 the value is 0 or out of range anyway. */
			if (e < 1000000000)
				e = e * 10 + (*q - '0');
			q++;
		}
		if (q != end)
			goto syntax;
		if (!allow_exponent)
			return loyal__error(LOYAL_EVALUE,
					    "'%.*s%s' is not a decimal number (exponents are not accepted)",
					    QUOTE(len), s, QUOTE_MORE(len));
		if (eneg)
			e = -e;
		p = q;
	}
	if (p != end)
		goto syntax;

	limit = neg ? NEG_LIMIT : POS_LIMIT;
	n = nint + nfrac;
	k = nint - 1 + e + 6;
#define DIGIT(j) ((j) < nint ? ip[(j)] - '0' : fp[(j) - nint] - '0')
	for (i = 0; i <= k && i < n; i++) {
		d = DIGIT(i);
		if (acc > (limit - (uint64_t)d) / 10)
			goto range;
		acc = acc * 10 + (uint64_t)d;
	}
	for (i = n; i <= k && acc; i++) {
		if (acc > limit / 10)
			goto range;
		acc *= 10;
	}
	rd = k + 1 >= 0 && k + 1 < n ? DIGIT(k + 1) : 0;
	for (i = k + 2 < 0 ? 0 : k + 2; i < n && !sticky; i++)
		sticky = DIGIT(i) != 0;
#undef DIGIT
	if (exact && (rd || sticky))
		return loyal__error(LOYAL_EVALUE, "'%.*s%s' has more than 6 decimal places",
				    QUOTE(len), s, QUOTE_MORE(len));
	if (rd > 5 || (rd == 5 && (sticky || (acc & 1)))) {
		if (acc == limit)
			goto range;
		acc++;
	}
	*out_micros = apply_sign(acc, neg);
	return 0;

range:
	return loyal__error(LOYAL_EVALUE,
			    "'%.*s%s' is out of range (decimal numbers must lie between "
			    "-9223372036854.775808 and 9223372036854.775807)",
			    QUOTE(len), s, QUOTE_MORE(len));
syntax:
	return loyal__error(LOYAL_EVALUE, "'%.*s%s' is not a decimal number",
			    QUOTE(len), s, QUOTE_MORE(len));
}

int loyal_parse_decimal(int64_t *out_micros, const char *s, size_t len, int allow_exponent)
{
	return parse_decimal(out_micros, s, len, allow_exponent, 0);
}

int loyal_parse_decimal_exact(int64_t *out_micros, const char *s, size_t len, int allow_exponent)
{
	return parse_decimal(out_micros, s, len, allow_exponent, 1);
}

/* Full 64 x 64 -> 128-bit product from 32-bit halves, so that no compiler
 * extension (__int128) is needed. */
static void mul_64x64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
	const uint64_t mask = 0xffffffffu;
	uint64_t a0 = a & mask, a1 = a >> 32, b0 = b & mask, b1 = b >> 32;
	uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
	uint64_t mid = (p00 >> 32) + (p01 & mask) + (p10 & mask);

	*lo = (p00 & mask) | (mid << 32);
	*hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

int loyal_decimal_mul(int64_t *out, int64_t a_micros, int64_t b_micros)
{
	const uint64_t mask = 0xffffffffu, scale = LOYAL_DECIMAL_SCALE;
	uint64_t ua, ub, hi, lo, limbs[4], q[4], rem = 0, cur, quot, limit;
	char a_text[32], b_text[32];
	int neg, i;

	if (!out)
		return loyal__error(LOYAL_EINVAL, "loyal_decimal_mul: invalid argument");
	neg = (a_micros < 0) != (b_micros < 0);
	ua = a_micros < 0 ? (uint64_t)0 - (uint64_t)a_micros : (uint64_t)a_micros;
	ub = b_micros < 0 ? (uint64_t)0 - (uint64_t)b_micros : (uint64_t)b_micros;
	mul_64x64(ua, ub, &hi, &lo);

	/* Schoolbook division by 10^6 one 32-bit limb at a time: the remainder
	 * stays below 10^6 < 2^20, so rem << 32 | limb fits in 64 bits. */
	limbs[0] = hi >> 32;
	limbs[1] = hi & mask;
	limbs[2] = lo >> 32;
	limbs[3] = lo & mask;
	for (i = 0; i < 4; i++) {
		cur = rem << 32 | limbs[i];
		q[i] = cur / scale;
		rem = cur % scale;
	}
	if (q[0] || q[1])
		goto range;
	quot = q[2] << 32 | q[3];
	limit = neg ? NEG_LIMIT : POS_LIMIT;
	if (quot > limit)
		goto range;
	if (2 * rem > scale || (2 * rem == scale && (quot & 1))) {
		if (quot == limit)
			goto range;
		quot++;
	}
	*out = apply_sign(quot, neg);
	return 0;

range:
	loyal_decimal_format(a_text, sizeof(a_text), a_micros);
	loyal_decimal_format(b_text, sizeof(b_text), b_micros);
	return loyal__error(LOYAL_EVALUE, "the product of %s and %s is out of range", a_text, b_text);
}

size_t loyal_decimal_format(char *buf, size_t size, int64_t micros)
{
	char tmp[32];
	uint64_t mag = micros < 0 ? (uint64_t)0 - (uint64_t)micros : (uint64_t)micros;
	uint64_t whole = mag / LOYAL_DECIMAL_SCALE, frac = mag % LOYAL_DECIMAL_SCALE;
	int n, i;

	n = snprintf(tmp, sizeof(tmp), "%s%llu", micros < 0 ? "-" : "", (unsigned long long)whole);
	if (frac) {
		tmp[n++] = '.';
		for (i = 5; i >= 0; i--) {
			tmp[n + i] = (char)('0' + frac % 10);
			frac /= 10;
		}
		n += 6;
		while (tmp[n - 1] == '0')
			n--;
	}
	return copy_out(buf, size, tmp, (size_t)n);
}

/*
 * The digits come from printf's correctly rounded "%.*e" at increasing
 * precision until strtod reads the same double back. Both functions follow
 * LC_NUMERIC, so they run under a private C locale installed for this
 * thread only (uselocale), which leaves other threads and the caller's
 * locale alone. Should that locale be unavailable, 17 significant digits
 * always round-trip, and the radix character, whatever bytes it is, is
 * skipped when the digits are read back out.
 */
size_t loyal_format_double(char *buf, size_t size, double v)
{
	char tmp[64], digits[24], text[40];
	locale_t c_locale, previous = (locale_t)0;
	const char *p;
	int prec, nd = 0, exp10 = 0, eneg = 0, neg, n = 0, i;

	if (!isfinite(v)) {
		if (size)
			buf[0] = '\0';
		return 0;
	}
	if (v == 0)
		return copy_out(buf, size, "0", 1);

	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	if (c_locale)
		previous = uselocale(c_locale);
	/* A normal double's round-trip interval is one unit in the last place
	 * wide, at most 2^-52 of its value, while decimals of 15 significant
	 * digits lie at least 10^-15 of their value apart: the interval holds
	 * at most one of them. So when the 15-digit form reads back, every
	 * shorter form that reads back is it with trailing zeros (removed
	 * below); when it does not, none shorter does. Three tries at most,
	 * and the same digits as trying every precision from 1, which
	 * subnormals, whose interval is wider, still do. */
	prec = !c_locale ? 17 : fabs(v) < DBL_MIN ? 1 : 15;
	for (; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, v);
		if (prec == 17 || strtod(tmp, NULL) == v)
			break;
	}
	if (c_locale) {
		uselocale(previous);
		freelocale(c_locale);
	}

	/* tmp is [-]d[<radix>d...]e(+|-)d... */
	p = tmp;
	neg = *p == '-';
	if (neg)
		p++;
	for (; *p && *p != 'e'; p++)
		if (is_digit(*p) && nd < (int)sizeof(digits))
			digits[nd++] = *p;
	if (*p == 'e')
		p++;
	if (*p == '+' || *p == '-')
		eneg = *p++ == '-';
	for (; is_digit(*p); p++)
		exp10 = exp10 * 10 + (*p - '0');
	if (eneg)
		exp10 = -exp10;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;

	if (neg)
		text[n++] = '-';
	if (exp10 >= 16 || exp10 < -4) {
		text[n++] = digits[0];
		if (nd > 1) {
			text[n++] = '.';
			for (i = 1; i < nd; i++)
				text[n++] = digits[i];
		}
		n += snprintf(text + n, sizeof(text) - (size_t)n, "e%c%02d",
			      exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
	} else if (exp10 < 0) {
		text[n++] = '0';
		text[n++] = '.';
		for (i = -1; i > exp10; i--)
			text[n++] = '0';
		for (i = 0; i < nd; i++)
			text[n++] = digits[i];
	} else {
		for (i = 0; i <= exp10; i++)
			text[n++] = i < nd ? digits[i] : '0';
		if (nd > exp10 + 1) {
			text[n++] = '.';
			for (i = exp10 + 1; i < nd; i++)
				text[n++] = digits[i];
		}
	}
	return copy_out(buf, size, text, (size_t)n);
}
