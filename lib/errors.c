#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "errors_p.h"

/* One record per thread, as in libgit2: the message is formatted into fixed
 * buffers so that reporting an out-of-memory condition never allocates. */
static _Thread_local struct {
	loyal_error_info info;
	int set;
	char message[1024];
	char file[512];
} last;

const char *loyal_strerror(int code)
{
	switch (code) {
	case LOYAL_OK: return "success";
	case LOYAL_ERROR: return "failure";
	case LOYAL_ENOMEM: return "out of memory";
	case LOYAL_EOPEN: return "cannot open input";
	case LOYAL_EIO: return "read or write error";
	case LOYAL_ECSV: return "invalid CSV";
	case LOYAL_EVALUE: return "invalid value";
	case LOYAL_ECOLUMN: return "column not found";
	case LOYAL_EINVAL: return "invalid argument";
	case LOYAL_ENODATA: return "not enough data";
	case LOYAL_ECONVERGE: return "model fit failed";
	case LOYAL_ETOOBIG: return "value too large";
	case LOYAL_ITEROVER: return "no more items";
	}
	return "unknown error";
}

const loyal_error_info *loyal_error_last(void)
{
	return last.set ? &last.info : NULL;
}

void loyal_error_clear(void)
{
	last.set = 0;
}

/*
 * Messages quote values and file names from the input. Control characters
 * in them (a quoted line break, a CR, a terminal escape sequence) are
 * written as \n, \r, \t or \xHH, so a message stays on one line and
 * cannot drive the terminal it is printed on.
 */
static void escape_controls(char *s, size_t cap)
{
	char tmp[sizeof(last.message)];
	size_t i, o = 0, n = strlen(s);

	if (n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			break;
	if (i == n)
		return;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	for (i = 0; i < n && o + 5 < cap; i++) {
		unsigned char c = (unsigned char)tmp[i];
		if (c >= 0x20 && c != 0x7f) {
			s[o++] = (char)c;
		} else if (c == '\n' || c == '\r' || c == '\t') {
			s[o++] = '\\';
			s[o++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
		} else {
			o += (size_t)snprintf(s + o, cap - o, "\\x%02x", c);
		}
	}
	s[o] = '\0';
}

static int vrecord(int code, const char *file, uint64_t line, uint64_t column,
		   const char *fmt, va_list ap)
{
	size_t prefix = 0;
	int n;

	last.info.code = code;
	last.info.file = NULL;
	last.info.encoding = NULL;
	last.info.line = line;
	last.info.column = column;
	if (file) {
		if (file != last.file) {
			snprintf(last.file, sizeof(last.file), "%s", file);
			escape_controls(last.file, sizeof(last.file));
		}
		file = last.file;
		last.info.file = last.file;
		if (line && column)
			n = snprintf(last.message, sizeof(last.message), "%s:%llu:%llu: ",
				     file, (unsigned long long)line, (unsigned long long)column);
		else if (line)
			n = snprintf(last.message, sizeof(last.message), "%s:%llu: ",
				     file, (unsigned long long)line);
		else
			n = snprintf(last.message, sizeof(last.message), "%s: ", file);
		prefix = n < 0 ? 0 : (size_t)n < sizeof(last.message) ? (size_t)n : sizeof(last.message) - 1;
	}
	vsnprintf(last.message + prefix, sizeof(last.message) - prefix, fmt, ap);
	escape_controls(last.message + prefix, sizeof(last.message) - prefix);
	last.info.message = last.message;
	last.info.reason = last.message + prefix;
	last.set = 1;
	return code;
}

int loyal__error(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vrecord(code, NULL, 0, 0, fmt, ap);
	va_end(ap);
	return code;
}

int loyal__error_at(int code, const char *file, uint64_t line, uint64_t column,
		    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vrecord(code, file, line, column, fmt, ap);
	va_end(ap);
	return code;
}

void loyal__error_set_encoding(const char *name)
{
	if (last.set)
		last.info.encoding = name;
}

int loyal__error_oom(void)
{
	return loyal__error(LOYAL_ENOMEM, "out of memory");
}
