#ifndef LOYAL_ROLES_H
#define LOYAL_ROLES_H

#include "common.h"

/*
 * The roles a column can play, and the header names under which each is
 * found when it is not named explicitly. Names are compared after
 * normalisation (see loyal_normalize_name): "Submitted At", "submitted_at"
 * and "SubmittedAt" are the same name.
 */
typedef enum {
	LOYAL_ROLE_NPS = 0,   /* 0-10 likelihood-to-recommend score */
	LOYAL_ROLE_CSAT,      /* satisfaction answer */
	LOYAL_ROLE_DATE,      /* response or order date */
	LOYAL_ROLE_CUSTOMER,  /* customer identifier */
	LOYAL_ROLE_ORDER,     /* order / invoice identifier */
	LOYAL_ROLE_AMOUNT,    /* order line amount */
	LOYAL_ROLE_QUANTITY,  /* order line quantity */
	LOYAL_ROLE_PRICE,     /* unit price */
	LOYAL_ROLE_COUNT__    /* number of roles; not a role */
} loyal_role;

/* NULL-terminated list of header names accepted for `role`, in the order
 * they are tried. Static; never freed. NULL for an unknown role. */
LOYAL_EXTERN(const char *const *) loyal_role_aliases(loyal_role role);

/* Human name of a role for messages ("NPS score"). Static. */
LOYAL_EXTERN(const char *) loyal_role_name(loyal_role role);

#endif
