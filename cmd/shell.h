#ifndef LOYAL_SHELL_H
#define LOYAL_SHELL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The files `loyal shell` holds in memory (cmd/shell_data.c). A command's
 * input that names one of them is read from the copy in memory
 * (cli_reader_open), and transaction commands keep their loaded
 * accumulators between commands (txn_cache_keep).
 */

enum shell_kind { SHELL_ANY = 0, SHELL_SURVEY, SHELL_ORDERS };

struct shell_file {
	char *path;        /* as given to .load */
	char *data;        /* the file's bytes */
	size_t len;
	dev_t dev;
	ino_t ino;
	enum shell_kind kind;
	int rows_known;    /* the rows could be counted */
	uint64_t rows;     /* data rows */
	size_t ncols;      /* 0 when the header could not be read */
	char **cols;       /* header names */
};

/* "survey", "orders" (or "any"). */
const char *shell_kind_name(enum shell_kind kind);

/*
 * Read `path` into memory, read its header, count its rows, and decide its
 * kind (SHELL_ANY: from the columns: survey with an NPS or satisfaction
 * column, orders with a customer and a date column). A file of the same
 * path or the same file under another name is replaced. Returns 0 or an
 * exit status after a message: 66 (cannot open), 74 (read error), 65
 * (kind not found), 71 (out of memory), 130 (interrupted).
 */
int shell_load(const char *path, enum shell_kind kind);

size_t shell_nfiles(void);
const struct shell_file *shell_file_at(size_t i);
/* Forget every file. */
void shell_unload_all(void);

#endif
