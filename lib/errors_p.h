#ifndef LOYAL_ERRORS_P_H
#define LOYAL_ERRORS_P_H

#include "loyal/errors.h"

/* Record a failure with a printf-style reason; returns `code` so callers can
 * write `return loyal__error(LOYAL_EINVAL, "...")`. */
int loyal__error(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Record a failure located at file:line:column (column 0 omits it). */
int loyal__error_at(int code, const char *file, uint64_t line, uint64_t column,
		    const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Add the likely encoding (a static name) to the failure just recorded. */
void loyal__error_set_encoding(const char *name);

/* Whether an options struct's version field is one this library reads:
 * any version from 1 to the current one (libgit2's rule), so a program
 * built against older headers keeps working; fields newer than the
 * caller's version are read as their defaults. */
#define LOYAL__VERSION_OK(v, current) ((v) >= 1 && (v) <= (current))

/* Shorthand for an allocation failure. */
int loyal__error_oom(void);

#endif
