#ifndef LOYAL_TXN_P_H
#define LOYAL_TXN_P_H

/*
 * The transaction accumulator's body, shared by txn.c (adding rows,
 * merging, finish, per-customer statistics) and txn_metrics.c (repurchase,
 * retention, cohorts and inactivity from a finished accumulator).
 */
#include <stdint.h>
#include <stdlib.h>

#include "errors_p.h"
#include "loyal/txn.h"
#include "strmap_p.h"

/* No purchase row yet: later than any real day. */
#define NO_DAY INT32_MAX

struct cust {
	int64_t net;           /* all amounts */
	int64_t gross;         /* purchase amounts */
	uint64_t last_key;     /* key of the newest record (valid when nrec) */
	uint32_t return_rows;  /* (at most 2^32 - 1: LOYAL_ETOOBIG beyond) */
	int32_t group_day;     /* day of the row that set `group`; NO_DAY: none */
	uint32_t group;
	uint32_t head, tail;   /* newest and oldest record + 1; 0: none */
	uint32_t nrec;
};

/* The key of a return record: no occasion key is ever all ones (see
 * TAG_* in txn.c: LONG ids are below 2^32, and days below 2^32). */
#define RETURN_KEY UINT64_MAX

struct rec {
	uint64_t key;          /* occasion key: packed order id, or the day */
	int64_t spend;         /* purchase amounts of the run's lines */
	int32_t day;           /* earliest day of the run's lines */
	uint32_t prev;         /* the customer's previous record + 1; 0: none */
};


struct loyal_txn {
	loyal_occasion occasion;
	loyal_returns returns;
	unsigned threads;      /* for finish */
	int finished;
	int32_t as_of;

	loyal__strmap customers;
	struct cust *cust;     /* per customer id */
	size_t ccap;

	struct rec *recs;      /* the purchase records, in the order added */
	size_t nrecs, rcap;
	loyal__strmap prefixes; /* PREFIX keys */
	loyal__strmap longs;    /* LONG keys */

	loyal_txn_stats st;

	/* Built by loyal_txn_finish(). */
	size_t nocc;
	size_t *off;           /* ncustomers + 1: each customer's slice of days[] */
	int32_t *days;         /* occasion days, ascending within a customer */
	int64_t *repeat_spend; /* per customer: spend of its occasions after the
	                        * first, cancelled ones left out */
	uint32_t *buyers;      /* customers with an occasion, in id order */
	size_t nbuyers;
};

/* realloc(p, cap * size) with an overflow check; NULL on failure (p is
 * then unchanged). */
static inline void *loyal__txn_grow(void *p, size_t cap, size_t size)
{
	if (cap > SIZE_MAX / size)
		return NULL;
	return realloc(p, cap * size);
}

/* Assign the grown array to `field`, or fail with LOYAL_ENOMEM. */
#define GROW(field, cap) do { \
	void *n__ = loyal__txn_grow((field), (cap), sizeof(*(field))); \
	if (!n__) \
		return loyal__error_oom(); \
	(field) = n__; \
} while (0)

/* Internal helpers of lib/txn.c for lib/txn_state.c (partial states). */
int loyal_txn__intern_customer(loyal_txn *t, const char *id, size_t len, uint32_t *cid);
int loyal_txn__reserve_recs(loyal_txn *t, size_t n);
/* The key of order id s[0..len) in t (len >= 1). */
int loyal_txn__pack_order(loyal_txn *t, const char *s, size_t len, uint64_t *key);
/* The order id of key in t, in buf (at least 4096 + 64 bytes) or, for a
 * long interned id, borrowed from t. */
const char *loyal_txn__order_text(const loyal_txn *t, uint64_t key, char *buf, size_t *len);

#endif
