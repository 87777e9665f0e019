#ifndef LOYAL_PARALLEL_H
#define LOYAL_PARALLEL_H

#include "cli.h"

/*
 * Reading a large file on several threads. loyal_reader_split() cuts a
 * regular file into parts at row boundaries; each part is read on its own
 * thread into accumulators of its own, and the parts are handed over in
 * file order: their messages printed, their accumulators merged, up to the
 * first part that failed. Output, messages and exit status are those of a
 * read on one thread. Standard input and pipes are read on one thread.
 */

/* Messages of a part, kept while it runs (cli_error() on a thread whose
 * cli_msg_sink is set). */
struct cli_msgs {
	char *buf;
	size_t len, cap;
	size_t lines;
};

/* Write the kept messages to stderr, in order, and forget them. */
void cli_msgs_flush(struct cli_msgs *m);
void cli_msgs_free(struct cli_msgs *m);

/* Resolve -j and LOYAL_THREADS (and LOYAL_PART_MIN, the smallest part in
 * bytes, for tests) into c->nthreads and c->part_min; returns CLI_CONTINUE
 * or 64 after a usage message. Called by cli_common_finish(). */
int cli_threads_finish(const struct cli_command_info *info, struct cli_common *c);

/* Split the reader of s for c->nthreads threads. parts has room for
 * LOYAL_READER_MAX_PARTS; parts[0] is s->r. Returns 0 or an exit status
 * after a message (then *nparts is 1). */
int cli_split(struct cli_source *s, const struct cli_common *c, loyal_reader **parts,
	      size_t *nparts);

/* Run fn(args[k]) for k = 0..n-1: k >= 1 on threads of their own, k = 0 on
 * the calling thread, and wait for all. A thread that cannot be started
 * runs on the calling thread instead. */
void cli_run_parts(size_t n, void (*fn)(void *), void **args);

/* Add the groups of src to dst, in src's order; *map (the caller frees it)
 * receives dst's id of each of src's groups. Returns 0 or an exit status. */
int cli_groups_merge(struct cli_groups *dst, const struct cli_groups *src, uint32_t **map);

#endif
