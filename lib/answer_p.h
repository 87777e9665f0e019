#ifndef LOYAL_ANSWER_P_H
#define LOYAL_ANSWER_P_H

#include <stddef.h>
#include <stdint.h>

/*
 * A whole-number survey answer s[0..len) (spaces and tabs around it
 * ignored): what loyal_parse_int64() accepts, and also a whole number
 * written with a decimal point and zeros ("9.0", "10.00"), as pandas and
 * spreadsheets write the numbers of a column that has blanks. "9.5", "9."
 * and ".0" are not whole numbers. Returns 0 with *out set, or LOYAL_EVALUE
 * (the recorded reason is loyal_parse_int64's; callers word their own).
 */
int loyal__parse_whole(int64_t *out, const char *s, size_t len);

#endif
