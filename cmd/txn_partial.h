#ifndef LOYAL_TXN_PARTIAL_H
#define LOYAL_TXN_PARTIAL_H

#include "loyal/partial.h"
#include "txn_input.h"

/* --partial: write the loaded, unfinished input as a partial state;
 * returns CLI_PARTIAL_DONE or an exit status. */
int txn_partial_write(struct txn_data *d, const struct cli_common *c, const struct txn_opts *o,
		      int32_t max_day, int have_day);
/* --from-partial: merge the states into d (accumulator and groups not
 * finished), with the latest day of their rows. Returns 0 or an exit status. */
int txn_partial_load(struct txn_data *d, struct cli_common *c, struct txn_opts *o, char **files,
		     int nfiles, int32_t *max_day, int *have_day);

/* A command whose state carries a second part after the transactions'
 * (loyalty's survey answers): `write` adds its records before the state
 * ends; `read` is called with the current record the first after the
 * transactions' part, reads its records through its last, and returns 0
 * or an exit status. Set before txn_load(), cleared after (NULL). */
struct txn_partial_tail {
	int (*write)(void *ctx, loyal_partial_writer *w);
	int (*read)(void *ctx, loyal_partial_reader *r, const char *path);
	void *ctx;
};
void txn_partial_set_tail(const struct txn_partial_tail *t);

#endif
