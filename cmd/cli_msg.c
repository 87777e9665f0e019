/*
 * Messages of the program: "loyal <cmd>: <message>" on stderr (or kept for
 * later on a thread reading a part), libloyal's errors and exit statuses.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "parallel.h"

const char *cli_cmd = "";

void cli_error(const char *fmt, ...)
{
	char msg[2048], line[4 * sizeof(msg) + 64];
	size_t n;
	va_list ap;

	if (!cli_msg_sink)
		fflush(stdout);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* The line is built first and written at once, so the messages of
	 * jobs sharing a stderr never interleave within a line (each byte
	 * escapes to at most 4). */
	if (*cli_cmd)
		n = (size_t)snprintf(line, 64, "loyal %s: ", cli_cmd);
	else
		n = (size_t)snprintf(line, 64, "loyal: ");
	if (n >= 64)
		n = 63;
	/* control characters as \n, \r, \t or \xHH, as libloyal's messages
	 * have them: one message is one line and cannot drive the terminal */
	n += loyal_escape_controls(line + n, sizeof(line) - n - 1, msg, strlen(msg));
	line[n++] = '\n';
	if (cli_msg_sink && cli_msgs_append(cli_msg_sink, line, n) == 0)
		return;
	fwrite(line, 1, n, stderr);
}

int cli_exit_status(int code)
{
	switch (code) {
	case LOYAL_OK: return CLI_EXIT_OK;
	case LOYAL_ENOMEM: return CLI_EXIT_OSERR;
	case LOYAL_EOPEN: return CLI_EXIT_NOINPUT;
	case LOYAL_EIO: return CLI_EXIT_IOERR;
	case LOYAL_EINVAL: return CLI_EXIT_USAGE;
	case LOYAL_ECSV:
	case LOYAL_EVALUE:
	case LOYAL_ECOLUMN:
	case LOYAL_ENODATA:
	case LOYAL_ECONVERGE:
	case LOYAL_ETOOBIG:
		return CLI_EXIT_DATA;
	}
	return CLI_EXIT_SOFTWARE;
}

int cli_lib_error(int code)
{
	const loyal_error_info *e = loyal_error_last();

	if (e && e->code == code) {
		cli_error("%s", e->message);
		cli_encoding_hint(e);
	} else {
		cli_error("%s", loyal_strerror(code));
	}
	return cli_exit_status(code);
}

void cli_encoding_hint(const loyal_error_info *e)
{
	/* once per thread: a part read on another thread fails with its own
	 * messages, hint included */
	static _Thread_local int given;
	char name[32], line[256];
	size_t i;

	if (given || !e || !e->encoding || !strcmp(e->encoding, "UTF-8"))
		return;
	for (i = 0; e->encoding[i] && i + 1 < sizeof(name); i++)
		name[i] = (char)(e->encoding[i] >= 'A' && e->encoding[i] <= 'Z'
				 ? e->encoding[i] - 'A' + 'a' : e->encoding[i]);
	name[i] = '\0';
	int n = snprintf(line, sizeof(line), "hint: the file is not UTF-8; its bytes read as %s: "
			 "give --encoding %s\n", e->encoding, name);
	given = 1;
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	/* through the thread's message sink, in order with its messages */
	if (cli_msg_sink && cli_msgs_append(cli_msg_sink, line, (size_t)n) == 0)
		return;
	fflush(stdout);
	fwrite(line, 1, (size_t)n, stderr);
}

int cli_oom(void)
{
	cli_error("out of memory");
	return CLI_EXIT_OSERR;
}
