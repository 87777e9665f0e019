#include <stddef.h>

#include "loyal/roles.h"

static const char *const nps_aliases[] = {
	"nps", "nps_score", "score", "likelihood_to_recommend", "recommend",
	"recommendation", "how_likely_are_you_to_recommend_us", "ltr", "rating", NULL
};
static const char *const csat_aliases[] = {
	"csat", "csat_score", "satisfaction", "satisfaction_score", "overall_satisfaction",
	"satisfied", "rating", "score", NULL
};
static const char *const date_aliases[] = {
	"date", "timestamp", "submitted_at", "recorded_date", "end_date", "created_at",
	"response_date", "survey_date", "completed_at", "start_date", "order_date",
	"invoice_date", "purchase_date", "transaction_date", "datetime", "time", NULL
};
static const char *const customer_aliases[] = {
	"customer_id", "customer", "client_id", "user_id", "respondent_id", "member_id",
	"account_id", "customer_number", "cust_id", "customerid", "email", "id", NULL
};
static const char *const order_aliases[] = {
	"order_id", "order", "invoice", "invoice_no", "invoice_id", "invoice_number",
	"order_number", "transaction_id", "receipt_id", "basket_id", NULL
};
static const char *const amount_aliases[] = {
	"amount", "revenue", "sales", "total", "order_total", "line_total", "value",
	"dollars", "spend", "net_amount", "price_total", NULL
};
static const char *const quantity_aliases[] = {
	"quantity", "qty", "units", "number_of_items", "items", NULL
};
static const char *const price_aliases[] = {
	"unit_price", "price", "unitprice", "item_price", NULL
};

static const struct {
	const char *name;
	const char *const *aliases;
} roles[LOYAL_ROLE_COUNT__] = {
	[LOYAL_ROLE_NPS] = { "NPS score", nps_aliases },
	[LOYAL_ROLE_CSAT] = { "satisfaction", csat_aliases },
	[LOYAL_ROLE_DATE] = { "date", date_aliases },
	[LOYAL_ROLE_CUSTOMER] = { "customer", customer_aliases },
	[LOYAL_ROLE_ORDER] = { "order", order_aliases },
	[LOYAL_ROLE_AMOUNT] = { "amount", amount_aliases },
	[LOYAL_ROLE_QUANTITY] = { "quantity", quantity_aliases },
	[LOYAL_ROLE_PRICE] = { "price", price_aliases },
};

const char *const *loyal_role_aliases(loyal_role role)
{
	if ((unsigned)role >= LOYAL_ROLE_COUNT__)
		return NULL;
	return roles[role].aliases;
}

const char *loyal_role_name(loyal_role role)
{
	if ((unsigned)role >= LOYAL_ROLE_COUNT__)
		return "unknown";
	return roles[role].name;
}
