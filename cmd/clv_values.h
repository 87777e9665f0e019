#ifndef LOYAL_CLV_VALUES_H
#define LOYAL_CLV_VALUES_H

#include "txn_input.h"

/*
 * The lifetime value of every customer of d's finished accumulator, as
 * `loyal clv` computes it with its defaults (BG/NBD and Gamma-Gamma models
 * fitted within each --by group of c, 12 months, 1% discount a month): out
 * has loyal_txn_customer_count() elements, in the accumulator's order.
 * The accumulator's purchase occasions should be days (txn_opts_days), as
 * the models' are. Notes and warnings go to standard error unless c->quiet.
 * Returns 0 or an exit status after a message.
 */
int clv_values(double *out, struct txn_data *d, const struct cli_common *c);

#endif
