#ifndef LOYAL_DATE_H
#define LOYAL_DATE_H

#include "common.h"

/*
 * Dates and calendar periods.
 *
 * Everything here uses the proleptic Gregorian calendar and plain integer
 * arithmetic: no function depends on the TZ variable, the locale, or the C
 * library's time functions. A date is a day number, the count of days since
 * 1970-01-01 (negative before it); the time of day is kept separately as
 * seconds since midnight.
 */

/* A calendar date and a time of day, as written in the input. */
typedef struct {
	int32_t days;    /* days since 1970-01-01 */
	int32_t seconds; /* seconds since midnight, 0..86399; 0 for a bare date */
} loyal_datetime;

/*
 * Parse the date (and optional time of day) in s[0..len). s need not be
 * NUL-terminated and is only read during the call. Leading and trailing
 * ASCII spaces and tabs around the whole value are ignored; anything else
 * left over is an error.
 *
 * format NULL: automatic detection of unambiguous, year-first layouts only.
 *   YYYY-MM-DD      ISO 8601 date, e.g. 2025-03-04
 *   YYYY/MM/DD      the same with slashes, e.g. 2025/03/04
 *   YYYYMMDD        exactly eight digits, e.g. 20250304 (date only)
 *   month and day may have one or two digits (2025-3-4); the year has
 *   exactly four, 0001 to 9999. The two separators must be the same.
 *   A dash or slash date may be followed by a time of day:
 *   <date>{T|t|space}H[H]:MM[:SS[{.|,}F...]][zone]
 *     hour 0-23 (one or two digits), minute and second 00-59 (two digits;
 *     a leap second, see below), fraction 1-9 digits, discarded (never
 *     rounded, so a time never rolls into the next day).
 *   zone, optionally preceded by one space: Z or z, UTC or GMT (any case),
 *     or an offset +HH:MM, +HHMM, +HH, -HH:MM, -HHMM, -HH (hours 00-23,
 *     minutes 00-59). The zone is validated but NOT applied: the result is
 *     the calendar date and time as written, i.e. the local date of the
 *     event. "2025-03-04T23:30-05:00" is 2025-03-04, 23:30.
 *   Day-first and month-first layouts such as 04/03/2011 are ambiguous and
 *   are never detected: they need a format. Basic ISO datetimes
 *   (20250304T1030), week dates (2025-W10-2) and ordinal dates (2025-063)
 *   are not detected either.
 *
 * format non-NULL: a strptime-style pattern made of these directives:
 *   %Y  year, exactly 4 digits (0001-9999)
 *   %y  year, exactly 2 digits: 69-99 -> 1969-1999, 00-68 -> 2000-2068
 *   %m  month, 1 or 2 digits (1-12)
 *   %b %B %h  English month name or abbreviation, any case: "Jan",
 *       "january", "Sept" (all three directives accept all forms)
 *   %d  day of month, 1 or 2 digits
 *   %e  day of month, 1 or 2 digits, optionally after spaces ("%e" = " 4")
 *   %j  day of year, 1 to 3 digits (1-365, or 366 in leap years)
 *   %H  hour, 1 or 2 digits (0-23)
 *   %I  hour on a 12-hour clock, 1 or 2 digits (1-12); needs %p
 *   %p  AM or PM, any case; needs %I
 *   %M  minute, 1 or 2 digits (0-59)
 *   %S  second, 1 or 2 digits (0-59; 60 for a leap second, see below)
 *   %f  fraction of a second, 1 to 9 digits, discarded
 *   %z  Z, or an offset +HH:MM, +HHMM or +HH (or -), validated, not applied
 *   %F  same as %Y-%m-%d
 *   %T  same as %H:%M:%S
 *   %%  a literal '%'
 *   a space or tab matches zero or more spaces or tabs (as in strptime);
 *   any other character must appear exactly (case-sensitive).
 * A format must give a year (%Y, %y or %F) and either a month and a day or
 * a day of year (%j, which cannot be combined with a month or a day); no
 * field may appear twice; %H cannot be combined with %I. Time fields left
 * out are 0. Numeric fields take digits only (no signs) and are greedy: in
 * "%Y%m%d" the month takes two digits when two are present.
 *
 * In both modes, impossible dates and times are rejected: 2025-02-30,
 * 2023-02-29 (2024-02-29 and 2000-02-29 are valid, 1900-02-29 is not),
 * month 13, hour 24, minute 60.
 * A leap second, second 60, is valid where UTC inserts it: 23:59:60
 * without a zone, or a local time that is 23:59:60 UTC with one
 * (23:59:60Z, 08:59:60+09:00). It is read as second 59 of the same
 * minute, so the date never changes. Second 60 anywhere else is rejected.
 *
 * out: receives the result; left unchanged on failure.
 * Returns 0; LOYAL_EVALUE if the text is not a valid date (reason such as
 * "'2025-02-30' is not a valid date", without location: the caller adds
 * file, line and column); LOYAL_EINVAL if out is NULL, s is NULL with len
 * not 0, or format is invalid (see loyal_date_parse_format_check).
 */
LOYAL_EXTERN(int) loyal_date_parse(loyal_datetime *out, const char *s, size_t len,
				   const char *format);

/*
 * Check a user-supplied date format up front, with the rules described at
 * loyal_date_parse. NULL (automatic detection) is valid.
 * Returns 0, or LOYAL_EINVAL with a reason naming the problem (unknown
 * directive, lone trailing '%', missing year, month or day, repeated field,
 * incompatible fields).
 */
LOYAL_EXTERN(int) loyal_date_parse_format_check(const char *format);

/*
 * Day number of the Gregorian date y-m-d (1970-01-01 is 0, 1969-12-31 is
 * -1). m must be 1..12; d is normally 1..31 and is added linearly, so d
 * beyond the month's length counts into the next month. Exact for every
 * year whose day number fits in int32_t (about +-5.8 million years); the
 * year is astronomical (0 is 1 BC). Does not validate the date.
 */
LOYAL_EXTERN(int32_t) loyal_days_from_civil(int y, unsigned m, unsigned d);

/*
 * Gregorian date of a day number; the inverse of loyal_days_from_civil for
 * every int32_t value. y, m, d receive the year, month (1..12) and day
 * (1..31); none may be NULL.
 */
LOYAL_EXTERN(void) loyal_civil_from_days(int32_t days, int *y, unsigned *m, unsigned *d);

/*
 * Write the day number as "YYYY-MM-DD" into buf (NUL-terminated, truncated
 * to size - 1 characters; nothing is written when size is 0). Years outside
 * 0..9999 are written with more digits or a leading '-'.
 * Returns the length of the full text, not counting the NUL (snprintf
 * semantics: a return value >= size means the text was truncated).
 */
LOYAL_EXTERN(size_t) loyal_date_format(char *buf, size_t size, int32_t days);

/* Calendar period used to group dates. */
typedef enum {
	LOYAL_PERIOD_NONE = 0, /* no grouping */
	LOYAL_PERIOD_DAY,
	LOYAL_PERIOD_WEEK,     /* ISO 8601 week, Monday to Sunday */
	LOYAL_PERIOD_MONTH,
	LOYAL_PERIOD_QUARTER,
	LOYAL_PERIOD_YEAR
} loyal_period;

/*
 * Parse a period name: "none", "day", "week", "month", "quarter" or "year"
 * (ASCII, any case). out receives the period.
 * Returns 0, or LOYAL_EINVAL for NULL arguments or an unknown name (out is
 * then unchanged).
 */
LOYAL_EXTERN(int) loyal_period_parse(loyal_period *out, const char *name);

/*
 * Name of a period ("none", "day", "week", "month", "quarter", "year"), as
 * accepted by loyal_period_parse. Static string; "unknown" for a value
 * outside the enum. Never NULL.
 */
LOYAL_EXTERN(const char *) loyal_period_name(loyal_period p);

/*
 * Index of the period that contains day number `days`. Indexes of a kind
 * are consecutive integers, so index + 1 is the next period:
 *   day      the day number itself
 *   week     ISO 8601 weeks, Monday start, counted from the week of
 *            1970-01-01 (index 0 starts on Monday 1969-12-29)
 *   month    year * 12 + month - 1
 *   quarter  year * 4 + quarter - 1
 *   year     the year
 *   none     always 0 (as is any value outside the enum)
 */
LOYAL_EXTERN(int64_t) loyal_period_index(loyal_period p, int32_t days);

/*
 * Write the key of period index `index` into buf (NUL-terminated, truncated
 * to size - 1 characters; nothing is written when size is 0):
 *   day "2025-03-04", week "2025-W09", month "2025-03", quarter "2025-Q1",
 *   year "2025"; none (or a value outside the enum): "" (empty).
 * Weeks are labelled with the ISO week-numbering year, which differs from
 * the calendar year near New Year: the week of 2024-12-30 is "2025-W01",
 * the week of 2021-01-03 is "2020-W53". Keys of a kind sort as text in
 * time order for years 0000-9999.
 * Returns the length of the full key (snprintf semantics).
 */
LOYAL_EXTERN(size_t) loyal_period_key(char *buf, size_t size, loyal_period p, int64_t index);

/*
 * Day number of the first day of period `index` (for a week, its Monday).
 * index should come from loyal_period_index or lie within the range of
 * indexes it can return; outside it the result is unspecified.
 * For LOYAL_PERIOD_NONE (or a value outside the enum) returns 0.
 */
LOYAL_EXTERN(int32_t) loyal_period_start(loyal_period p, int64_t index);

#endif
