#include <stdio.h>
#include <string.h>

#include "loyal/date.h"
#include "loyal/errors.h"
#include "errors_p.h"

/*
 * The calendar algorithms are Howard Hinnant's days_from_civil and
 * civil_from_days ("chrono-Compatible Low-Level Date Algorithms"): shifting
 * the year to start in March puts the leap day last, so day-of-year follows
 * from the month by a linear formula and 400-year eras repeat exactly.
 * Everything is done in int64_t so that no intermediate overflows whatever
 * int32_t day or int year the caller passes.
 */

static int64_t days64(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (int64_t)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (int64_t)d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil64(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

int32_t loyal_days_from_civil(int y, unsigned m, unsigned d)
{
	return (int32_t)days64(y, m, d);
}

void loyal_civil_from_days(int32_t days, int *y, unsigned *m, unsigned *d)
{
	int64_t yy;

	civil64(days, &yy, m, d);
	*y = (int)yy; /* |yy| < 6e6 for any int32_t day */
}

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(int64_t y, unsigned m)
{
	static const unsigned char len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

/* Floor division and modulo: period indexes before year 0 and weeks before
 * 1970 must still map to the right period, which C's truncating division
 * would get wrong. */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
	return a - floor_div(a, b) * b;
}

/* "YYYY" for years 0..9999, more digits beyond, "-YYYY" before year 0:
 * printf's %04 would count the sign in the width. */
static int format_year(char *buf, size_t size, int64_t y)
{
	if (y < 0)
		return snprintf(buf, size, "-%04lld", -(long long)y);
	return snprintf(buf, size, "%04lld", (long long)y);
}

static size_t format_ymd(char *buf, size_t size, int64_t days)
{
	char year[24];
	int64_t y;
	unsigned m, d;
	int n;

	civil64(days, &y, &m, &d);
	format_year(year, sizeof(year), y);
	n = snprintf(buf, size, "%s-%02u-%02u", year, m, d);
	return n < 0 ? 0 : (size_t)n;
}

size_t loyal_date_format(char *buf, size_t size, int32_t days)
{
	return format_ymd(buf, size, days);
}

/* ---- parsing ---------------------------------------------------------- */

/* Outcomes of the matchers, turned into messages in one place. */
enum { P_OK = 0, P_SYNTAX, P_DATE, P_TIME, P_ZONE };

struct fields {
	int year, month, day, yday;
	int hour, hour12, pm, minute, second;
	int has_zone, zone_min; /* a zone was given; its offset east of UTC in minutes */
};

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive match of the ASCII word w (lower case) at p. */
static size_t match_word(const char *p, const char *end, const char *w)
{
	size_t n = strlen(w), i;

	if ((size_t)(end - p) < n)
		return 0;
	for (i = 0; i < n; i++)
		if (lower(p[i]) != w[i])
			return 0;
	return n;
}

/* Read at least min and at most max digits, greedily. */
static int read_digits(const char **pp, const char *end, int min, int max, int *val)
{
	const char *p = *pp;
	int n = 0, v = 0;

	while (n < max && p < end && is_digit(*p)) {
		v = v * 10 + (*p++ - '0');
		n++;
	}
	if (n < min)
		return 0;
	*val = v;
	*pp = p;
	return 1;
}

static int read_char(const char **pp, const char *end, char c)
{
	if (*pp == end || **pp != c)
		return 0;
	(*pp)++;
	return 1;
}

/* Z, or +HH[[:]MM] / -HH[[:]MM]; with names, also UTC and GMT. The offset
 * is checked for range and then only used to place a leap second: see
 * loyal_date_parse. */
static int read_zone(const char **pp, const char *end, int names, struct fields *f)
{
	const char *p = *pp;
	size_t n;
	int h, mm = 0, neg;

	f->has_zone = 1;
	f->zone_min = 0;
	if (p < end && (*p == 'Z' || *p == 'z')) {
		*pp = p + 1;
		return P_OK;
	}
	if (names && ((n = match_word(p, end, "utc")) || (n = match_word(p, end, "gmt")))) {
		*pp = p + n;
		return P_OK;
	}
	if (p == end || (*p != '+' && *p != '-'))
		return P_SYNTAX;
	neg = *p == '-';
	p++;
	if (!read_digits(&p, end, 2, 2, &h))
		return P_SYNTAX;
	if (read_char(&p, end, ':')) {
		if (!read_digits(&p, end, 2, 2, &mm))
			return P_SYNTAX;
	} else if (end - p >= 2 && is_digit(p[0]) && is_digit(p[1])) {
		read_digits(&p, end, 2, 2, &mm);
	}
	*pp = p;
	f->zone_min = (neg ? -1 : 1) * (h * 60 + mm);
	return h > 23 || mm > 59 ? P_ZONE : P_OK;
}

static int read_month_name(const char **pp, const char *end, int *month)
{
	static const char *const names[12] = {
		"january", "february", "march", "april", "may", "june", "july",
		"august", "september", "october", "november", "december"
	};
	char abbr[4];
	size_t n;
	int i;

	/* Longest form first, so "June" is not read as "Jun" + "e". */
	for (i = 0; i < 12; i++) {
		if ((n = match_word(*pp, end, names[i]))) {
			*pp += n;
			*month = i + 1;
			return 1;
		}
	}
	if ((n = match_word(*pp, end, "sept"))) {
		*pp += n;
		*month = 9;
		return 1;
	}
	for (i = 0; i < 12; i++) {
		memcpy(abbr, names[i], 3);
		abbr[3] = '\0';
		if ((n = match_word(*pp, end, abbr))) {
			*pp += n;
			*month = i + 1;
			return 1;
		}
	}
	return 0;
}

/* The automatic, unambiguous layouts documented in date.h. */
static int parse_auto(const char *p, const char *end, struct fields *f)
{
	char sep;
	int ignored, r;

	if (end - p == 8) {
		const char *q = p;

		if (read_digits(&q, end, 8, 8, &ignored)) {
			read_digits(&p, end, 4, 4, &f->year);
			read_digits(&p, end, 2, 2, &f->month);
			read_digits(&p, end, 2, 2, &f->day);
			return P_OK;
		}
	}
	if (!read_digits(&p, end, 4, 4, &f->year))
		return P_SYNTAX;
	if (p == end || (*p != '-' && *p != '/'))
		return P_SYNTAX;
	sep = *p++;
	if (!read_digits(&p, end, 1, 2, &f->month) || !read_char(&p, end, sep) ||
	    !read_digits(&p, end, 1, 2, &f->day))
		return P_SYNTAX;
	if (p == end)
		return P_OK;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return P_SYNTAX;
	p++;
	if (!read_digits(&p, end, 1, 2, &f->hour) || !read_char(&p, end, ':') ||
	    !read_digits(&p, end, 2, 2, &f->minute))
		return P_SYNTAX;
	if (read_char(&p, end, ':')) {
		if (!read_digits(&p, end, 2, 2, &f->second))
			return P_SYNTAX;
		if (p < end && (*p == '.' || *p == ',')) {
			p++;
			if (!read_digits(&p, end, 1, 9, &ignored))
				return P_SYNTAX;
		}
	}
	if (p == end)
		return P_OK;
	read_char(&p, end, ' ');
	if ((r = read_zone(&p, end, 1, f)) == P_SYNTAX)
		return r;
	if (p != end)
		return P_SYNTAX;
	return r;
}

/* Match the whole of fmt (already checked) against the input at *pp. */
static int match_format(const char *fmt, const char **pp, const char *end, struct fields *f)
{
	const char *p = *pp;
	int v, r;

	for (; *fmt; fmt++) {
		if (is_space(*fmt)) {
			while (p < end && is_space(*p))
				p++;
			continue;
		}
		if (*fmt != '%') {
			if (!read_char(&p, end, *fmt))
				return P_SYNTAX;
			continue;
		}
		switch (*++fmt) {
		case 'Y':
			if (!read_digits(&p, end, 4, 4, &f->year))
				return P_SYNTAX;
			break;
		case 'y':
			if (!read_digits(&p, end, 2, 2, &v))
				return P_SYNTAX;
			f->year = v < 69 ? 2000 + v : 1900 + v; /* POSIX pivot */
			break;
		case 'm':
			if (!read_digits(&p, end, 1, 2, &f->month))
				return P_SYNTAX;
			break;
		case 'b': case 'B': case 'h':
			if (!read_month_name(&p, end, &f->month))
				return P_SYNTAX;
			break;
		case 'e':
			while (p < end && is_space(*p))
				p++;
			/* fall through */
		case 'd':
			if (!read_digits(&p, end, 1, 2, &f->day))
				return P_SYNTAX;
			break;
		case 'j':
			if (!read_digits(&p, end, 1, 3, &f->yday))
				return P_SYNTAX;
			break;
		case 'H':
			if (!read_digits(&p, end, 1, 2, &f->hour))
				return P_SYNTAX;
			break;
		case 'I':
			if (!read_digits(&p, end, 1, 2, &f->hour12))
				return P_SYNTAX;
			break;
		case 'p':
			if (match_word(p, end, "am"))
				f->pm = 0;
			else if (match_word(p, end, "pm"))
				f->pm = 1;
			else
				return P_SYNTAX;
			p += 2;
			break;
		case 'M':
			if (!read_digits(&p, end, 1, 2, &f->minute))
				return P_SYNTAX;
			break;
		case 'S':
			if (!read_digits(&p, end, 1, 2, &f->second))
				return P_SYNTAX;
			break;
		case 'f':
			if (!read_digits(&p, end, 1, 9, &v))
				return P_SYNTAX;
			break;
		case 'z':
			if ((r = read_zone(&p, end, 0, f)) != P_OK)
				return r;
			break;
		case 'F':
			if ((r = match_format("%Y-%m-%d", &p, end, f)) != P_OK)
				return r;
			break;
		case 'T':
			if ((r = match_format("%H:%M:%S", &p, end, f)) != P_OK)
				return r;
			break;
		case '%':
			if (!read_char(&p, end, '%'))
				return P_SYNTAX;
			break;
		default:
			return P_SYNTAX; /* unreachable: the format was checked */
		}
	}
	*pp = p;
	return P_OK;
}

/* Range checks shared by both modes; fills out on success. */
static int validate(const struct fields *f, loyal_datetime *out)
{
	int64_t days;
	int hour = f->hour;

	if (f->year < 1 || f->year > 9999)
		return P_DATE;
	if (f->yday) {
		if (f->yday > (is_leap(f->year) ? 366 : 365))
			return P_DATE;
		days = days64(f->year, 1, 1) + f->yday - 1;
	} else {
		if (f->month < 1 || f->month > 12 || f->day < 1 ||
		    (unsigned)f->day > month_days(f->year, (unsigned)f->month))
			return P_DATE;
		days = days64(f->year, (unsigned)f->month, (unsigned)f->day);
	}
	if (f->pm >= 0) {
		if (f->hour12 < 1 || f->hour12 > 12)
			return P_TIME;
		hour = f->hour12 % 12 + (f->pm ? 12 : 0);
	}
	int second = f->second;
	if (second == 60) {
		/* A leap second (ISO 8601 allows it; UTC inserts it as 23:59:60)
		 * is read as the second before it, so the time stays in its day:
		 * 23:59:60 without a zone, or whatever local time is 23:59:60 UTC
		 * with one (08:59:60+09:00). */
		int utc = ((hour * 60 + f->minute - (f->has_zone ? f->zone_min : 0)) % 1440 + 1440) % 1440;
		if (utc != 23 * 60 + 59)
			return P_TIME;
		second = 59;
	}
	if (hour > 23 || f->minute > 59 || second > 59)
		return P_TIME;
	out->days = (int32_t)days;
	out->seconds = hour * 3600 + f->minute * 60 + second;
	return P_OK;
}

/* Messages quote at most this much of a value or format. */
#define QUOTE_MAX 64
#define QUOTE(len) ((len) > QUOTE_MAX ? QUOTE_MAX : (int)(len))
#define QUOTE_MORE(len) ((len) > QUOTE_MAX ? "..." : "")

enum {
	F_YEAR = 1 << 0, F_MONTH = 1 << 1, F_DAY = 1 << 2, F_YDAY = 1 << 3,
	F_H24 = 1 << 4, F_H12 = 1 << 5, F_AMPM = 1 << 6, F_MIN = 1 << 7,
	F_SEC = 1 << 8, F_FRAC = 1 << 9, F_ZONE = 1 << 10
};

static int directive_fields(char c)
{
	switch (c) {
	case 'Y': case 'y': return F_YEAR;
	case 'm': case 'b': case 'B': case 'h': return F_MONTH;
	case 'd': case 'e': return F_DAY;
	case 'j': return F_YDAY;
	case 'H': return F_H24;
	case 'I': return F_H12;
	case 'p': return F_AMPM;
	case 'M': return F_MIN;
	case 'S': return F_SEC;
	case 'f': return F_FRAC;
	case 'z': return F_ZONE;
	case 'F': return F_YEAR | F_MONTH | F_DAY;
	case 'T': return F_H24 | F_MIN | F_SEC;
	case '%': return 0;
	}
	return -1;
}

int loyal_date_parse_format_check(const char *format)
{
	const char *f;
	size_t len;
	int seen = 0, bits;

	if (!format)
		return 0;
	len = strlen(format);
	for (f = format; *f; f++) {
		if (*f != '%')
			continue;
		f++;
		if (!*f)
			return loyal__error(LOYAL_EINVAL, "date format '%.*s%s' ends with a lone '%%'",
					    QUOTE(len), format, QUOTE_MORE(len));
		bits = directive_fields(*f);
		if (bits < 0) {
			unsigned char c = (unsigned char)*f;

			if (c < 0x20 || c >= 0x7f)
				return loyal__error(LOYAL_EINVAL,
						    "unknown directive '%%\\x%02x' in date format '%.*s%s'",
						    c, QUOTE(len), format, QUOTE_MORE(len));
			return loyal__error(LOYAL_EINVAL, "unknown directive '%%%c' in date format '%.*s%s'",
					    *f, QUOTE(len), format, QUOTE_MORE(len));
		}
		if (bits & seen)
			return loyal__error(LOYAL_EINVAL,
					    "date format '%.*s%s' gives a field twice (at '%%%c')",
					    QUOTE(len), format, QUOTE_MORE(len), *f);
		seen |= bits;
	}
	if (!(seen & F_YEAR))
		return loyal__error(LOYAL_EINVAL, "date format '%.*s%s' has no year (%%Y, %%y or %%F)",
				    QUOTE(len), format, QUOTE_MORE(len));
	if ((seen & F_YDAY) && (seen & (F_MONTH | F_DAY)))
		return loyal__error(LOYAL_EINVAL,
				    "date format '%.*s%s' combines a day of year (%%j) with a month or day",
				    QUOTE(len), format, QUOTE_MORE(len));
	if (!(seen & F_YDAY) && (seen & (F_MONTH | F_DAY)) != (F_MONTH | F_DAY))
		return loyal__error(LOYAL_EINVAL,
				    "date format '%.*s%s' needs a month and a day (or a day of year, %%j)",
				    QUOTE(len), format, QUOTE_MORE(len));
	if ((seen & F_H24) && (seen & F_H12))
		return loyal__error(LOYAL_EINVAL, "date format '%.*s%s' combines %%H with %%I",
				    QUOTE(len), format, QUOTE_MORE(len));
	if (!(seen & F_H12) != !(seen & F_AMPM))
		return loyal__error(LOYAL_EINVAL, "date format '%.*s%s' needs both %%I and %%p, or neither",
				    QUOTE(len), format, QUOTE_MORE(len));
	return 0;
}

int loyal_date_parse(loyal_datetime *out, const char *s, size_t len, const char *format)
{
	struct fields f = { 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0 };
	const char *p, *end;
	size_t n, flen;
	int r;

	if (!out || (!s && len))
		return loyal__error(LOYAL_EINVAL, "loyal_date_parse: invalid argument");
	if (format && (r = loyal_date_parse_format_check(format)) < 0)
		return r;
	while (len && is_space(s[len - 1]))
		len--;
	while (len && is_space(*s)) {
		s++;
		len--;
	}
	if (!len)
		return loyal__error(LOYAL_EVALUE, "empty value is not a date");
	p = s;
	end = s + len;
	if (format) {
		r = match_format(format, &p, end, &f);
		if (r == P_OK && p != end)
			r = P_SYNTAX;
	} else {
		r = parse_auto(p, end, &f);
	}
	if (r == P_OK)
		r = validate(&f, out);

	n = len;
	switch (r) {
	case P_OK:
		return 0;
	case P_DATE:
		return loyal__error(LOYAL_EVALUE, "'%.*s%s' is not a valid date",
				    QUOTE(n), s, QUOTE_MORE(n));
	case P_TIME:
		return loyal__error(LOYAL_EVALUE, "'%.*s%s' is not a valid time of day",
				    QUOTE(n), s, QUOTE_MORE(n));
	case P_ZONE:
		return loyal__error(LOYAL_EVALUE, "'%.*s%s' has an invalid UTC offset",
				    QUOTE(n), s, QUOTE_MORE(n));
	}
	if (format) {
		flen = strlen(format);
		return loyal__error(LOYAL_EVALUE, "'%.*s%s' does not match the date format '%.*s%s'",
				    QUOTE(n), s, QUOTE_MORE(n), QUOTE(flen), format, QUOTE_MORE(flen));
	}
	return loyal__error(LOYAL_EVALUE,
			    "'%.*s%s' is not a date in a recognised layout (YYYY-MM-DD, "
			    "YYYY-MM-DD HH:MM:SS, YYYY/MM/DD or YYYYMMDD); other layouts need a date format",
			    QUOTE(n), s, QUOTE_MORE(n));
}

/* ---- periods ---------------------------------------------------------- */

static const char *const period_names[] = { "none", "day", "week", "month", "quarter", "year" };

int loyal_period_parse(loyal_period *out, const char *name)
{
	size_t i, n;

	if (!out || !name)
		return loyal__error(LOYAL_EINVAL, "loyal_period_parse: invalid argument");
	n = strlen(name);
	for (i = 0; i < sizeof(period_names) / sizeof(period_names[0]); i++) {
		if (n && match_word(name, name + n, period_names[i]) == n) {
			*out = (loyal_period)i;
			return 0;
		}
	}
	return loyal__error(LOYAL_EINVAL,
			    "unknown period '%.*s%s' (expected day, week, month, quarter, year or none)",
			    QUOTE(n), name, QUOTE_MORE(n));
}

const char *loyal_period_name(loyal_period p)
{
	if ((unsigned)p < sizeof(period_names) / sizeof(period_names[0]))
		return period_names[p];
	return "unknown";
}

int64_t loyal_period_index(loyal_period p, int32_t days)
{
	int64_t y;
	unsigned m, d;

	switch (p) {
	case LOYAL_PERIOD_DAY:
		return days;
	case LOYAL_PERIOD_WEEK:
		/* Day 0 is a Thursday; weeks start on the Monday three days before. */
		return floor_div((int64_t)days + 3, 7);
	case LOYAL_PERIOD_MONTH:
	case LOYAL_PERIOD_QUARTER:
	case LOYAL_PERIOD_YEAR:
		civil64(days, &y, &m, &d);
		if (p == LOYAL_PERIOD_MONTH)
			return y * 12 + m - 1;
		if (p == LOYAL_PERIOD_QUARTER)
			return y * 4 + (m - 1) / 3;
		return y;
	default:
		return 0;
	}
}

/* Indexes far outside anything loyal_period_index returns are clamped so
 * that the arithmetic below cannot overflow; the results are then
 * unspecified, as documented, but never undefined behaviour. */
#define INDEX_LIMIT ((int64_t)1 << 40)

static int64_t clamp_index(int64_t i)
{
	return i < -INDEX_LIMIT ? -INDEX_LIMIT : i > INDEX_LIMIT ? INDEX_LIMIT : i;
}

size_t loyal_period_key(char *buf, size_t size, loyal_period p, int64_t index)
{
	char year[24];
	int64_t y, thursday;
	unsigned m, d;
	int n;

	index = clamp_index(index);
	switch (p) {
	case LOYAL_PERIOD_DAY:
		return format_ymd(buf, size, index);
	case LOYAL_PERIOD_WEEK:
		/* An ISO week belongs to the year that holds its Thursday. */
		thursday = index * 7;
		civil64(thursday, &y, &m, &d);
		format_year(year, sizeof(year), y);
		n = snprintf(buf, size, "%s-W%02lld", year,
			     (long long)((thursday - days64(y, 1, 1)) / 7 + 1));
		break;
	case LOYAL_PERIOD_MONTH:
		format_year(year, sizeof(year), floor_div(index, 12));
		n = snprintf(buf, size, "%s-%02lld", year, (long long)floor_mod(index, 12) + 1);
		break;
	case LOYAL_PERIOD_QUARTER:
		format_year(year, sizeof(year), floor_div(index, 4));
		n = snprintf(buf, size, "%s-Q%lld", year, (long long)floor_mod(index, 4) + 1);
		break;
	case LOYAL_PERIOD_YEAR:
		n = format_year(buf, size, index);
		break;
	default:
		if (size)
			buf[0] = '\0';
		return 0;
	}
	return n < 0 ? 0 : (size_t)n;
}

int32_t loyal_period_start(loyal_period p, int64_t index)
{
	int64_t days;

	index = clamp_index(index);
	switch (p) {
	case LOYAL_PERIOD_DAY:
		days = index;
		break;
	case LOYAL_PERIOD_WEEK:
		days = index * 7 - 3;
		break;
	case LOYAL_PERIOD_MONTH:
		days = days64(floor_div(index, 12), (unsigned)floor_mod(index, 12) + 1, 1);
		break;
	case LOYAL_PERIOD_QUARTER:
		days = days64(floor_div(index, 4), (unsigned)floor_mod(index, 4) * 3 + 1, 1);
		break;
	case LOYAL_PERIOD_YEAR:
		days = days64(index, 1, 1);
		break;
	default:
		return 0;
	}
	return days < INT32_MIN ? INT32_MIN : days > INT32_MAX ? INT32_MAX : (int32_t)days;
}
