#ifndef LOYAL_ERRORS_H
#define LOYAL_ERRORS_H

#include "common.h"

/*
 * Status codes. 0 is success; every failure is negative. The list is
 * append-only: a value, once published, keeps its number forever.
 */
typedef enum {
	LOYAL_OK = 0,
	LOYAL_ERROR = -1,      /* unspecified failure */
	LOYAL_ENOMEM = -2,     /* out of memory */
	LOYAL_EOPEN = -3,      /* an input could not be opened */
	LOYAL_EIO = -4,        /* a read or write failed */
	LOYAL_ECSV = -5,       /* the file is not valid CSV (quoting, encoding, shape) */
	LOYAL_EVALUE = -6,     /* a field holds a value that is not valid for its role */
	LOYAL_ECOLUMN = -7,    /* a required column is missing or ambiguous */
	LOYAL_EINVAL = -8,     /* an invalid argument or option value */
	LOYAL_ENODATA = -9,    /* not enough data to compute the result */
	LOYAL_ECONVERGE = -10, /* a model fit failed or did not converge */
	LOYAL_ETOOBIG = -11,   /* a field or row exceeds a configured limit */
	LOYAL_ITEROVER = -12   /* an iteration has no more items (not an error) */
} loyal_error;

/* Details of the last failure on this thread. Data errors carry the
 * location they refer to; `file` is NULL and line/column 0 when the
 * failure has no location. */
typedef struct {
	int code;            /* a loyal_error value */
	const char *message; /* full text, with "file:line:column: " when located */
	const char *reason;  /* the text without the location prefix */
	const char *file;    /* file the failure refers to, or NULL */
	uint64_t line;       /* 1-based physical line, or 0 */
	uint64_t column;     /* 1-based field number, or 0 */
	/* For text that is not valid UTF-8: the encoding it is most likely in
	 * (see loyal_encoding_guess), else NULL. Static. */
	const char *encoding;
} loyal_error_info;

/* Short, static description of a status code. Never returns NULL. */
LOYAL_EXTERN(const char *) loyal_strerror(int code);

/* The last failure recorded on the calling thread, or NULL if none.
 * The returned pointer and its strings are owned by libloyal and stay valid
 * until the next libloyal call on the same thread that fails or clears it. */
LOYAL_EXTERN(const loyal_error_info *) loyal_error_last(void);

/* Forget the last failure on the calling thread. */
LOYAL_EXTERN(void) loyal_error_clear(void);

/* Write src (len bytes) to dst (size bytes) with its control characters
 * escaped as libloyal's messages have them: \n, \r, \t, and \xHH for the
 * other bytes below 0x20 and 0x7f; other bytes are copied. Stops before an
 * escape or byte that would not leave room for the NUL; dst is always
 * NUL-terminated when size > 0. Returns the length written. For programs
 * that quote input in their own messages (one message stays one line and
 * cannot drive the terminal). */
LOYAL_EXTERN(size_t) loyal_escape_controls(char *dst, size_t size, const char *src, size_t len);

#endif
