#ifndef LOYAL_TXN_PARTIAL_H
#define LOYAL_TXN_PARTIAL_H

#include "txn_input.h"

/* --partial: write the loaded, unfinished input as a partial state;
 * returns CLI_PARTIAL_DONE or an exit status. */
int txn_partial_write(struct txn_data *d, const struct cli_common *c, const struct txn_opts *o,
		      int32_t max_day, int have_day);
/* --from-partial: merge the states into d (accumulator and groups not
 * finished), with the latest day of their rows. Returns 0 or an exit status. */
int txn_partial_load(struct txn_data *d, struct cli_common *c, struct txn_opts *o, char **files,
		     int nfiles, int32_t *max_day, int *have_day);

#endif
