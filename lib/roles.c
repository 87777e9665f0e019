#include <stddef.h>

/* Header names, tried in order; Chinese ones after the specific English ones
 * (a file has headers in one language). The source is UTF-8. */

#include "loyal/roles.h"

static const char *const nps_aliases[] = {
	"nps", "nps_score", "score", "likelihood_to_recommend", "recommend",
	"recommendation", "how_likely_are_you_to_recommend_us", "ltr", "rating",
	"推荐意愿", "推荐可能性", "净推荐值", NULL
};
static const char *const csat_aliases[] = {
	"csat", "csat_score", "satisfaction", "satisfaction_score", "overall_satisfaction",
	"satisfied", "rating", "score", "满意度", NULL
};
static const char *const date_aliases[] = {
	"date", "timestamp", "submitted_at", "recorded_date", "end_date", "created_at",
	"response_date", "survey_date", "completed_at", "start_date", "order_date",
	"invoice_date", "purchase_date", "transaction_date", "datetime", "time",
	"日期", "订单日期", "下单时间", "提交时间", "提交答卷时间", "填写时间", NULL
};
static const char *const customer_aliases[] = {
	"customer_id", "customer", "client_id", "user_id", "respondent_id", "member_id",
	"account_id", "customer_number", "cust_id", "customerid",
	/* before the generic "email" and "id": an export may number its rows
	 * in an "ID" column beside 客户ID */
	"客户ID", "客户编号", "会员号", "会员ID", "顾客ID", "email", "id", NULL
};
static const char *const order_aliases[] = {
	"order_id", "order", "invoice", "invoice_no", "invoice_id", "invoice_number",
	"order_number", "transaction_id", "receipt_id", "basket_id", "订单号", "订单编号", NULL
};
static const char *const amount_aliases[] = {
	"amount", "revenue", "sales", "total", "order_total", "line_total", "value",
	"dollars", "spend", "net_amount", "price_total", "金额", "实付金额", "订单金额", NULL
};
static const char *const quantity_aliases[] = {
	"quantity", "qty", "units", "number_of_items", "items", "数量", NULL
};
static const char *const price_aliases[] = {
	"unit_price", "price", "unitprice", "item_price", "单价", NULL
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
