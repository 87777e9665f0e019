#ifndef LOYAL_TEXT_P_H
#define LOYAL_TEXT_P_H

#include <stddef.h>

/*
 * s[0..*len) without the spaces and tabs around it: the rule every value
 * loyal reads follows (answers, amounts, flags, rule texts). Returns the
 * start and shortens *len; a NULL s is empty. Inline: it runs for every
 * field of every row.
 */
static inline const char *loyal__trim_blanks(const char *s, size_t *len)
{
	if (!s) {
		*len = 0;
		return "";
	}
	while (*len && (*s == ' ' || *s == '\t')) {
		s++;
		(*len)--;
	}
	while (*len && (s[*len - 1] == ' ' || s[*len - 1] == '\t'))
		(*len)--;
	return s;
}

#endif
