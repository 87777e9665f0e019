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
size_t loyal_escape_controls(char *dst, size_t size, const char *src, size_t len)
{
	size_t o = 0;

	if (!dst || !size)
		return 0;
	for (size_t i = 0; src && i < len && o + 5 < size; i++) {
		unsigned char c = (unsigned char)src[i];
		if (c >= 0x20 && c != 0x7f) {
			dst[o++] = (char)c;
		} else if (c == '\n' || c == '\r' || c == '\t') {
			dst[o++] = '\\';
			dst[o++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
		} else {
			static const char hex[] = "0123456789abcdef";
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		}
	}
	dst[o] = '\0';
	return o;
}

/* Escape s in place (cap bytes of room). */
static void escape_controls(char *s, size_t cap)
{
	char tmp[sizeof(last.message)];
	size_t i, n = strlen(s);

	if (n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			break;
	if (i == n)
		return;
	memcpy(tmp, s, n);
	loyal_escape_controls(s, cap, tmp, n);
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
