/*
 * Prints what libloyal computes for RFM segments, value tiers and member
 * tiers on a transactions file, for tests/ref_segment.py to compare with
 * its own pandas computation. Not a user tool: the commands `loyal
 * segment` and `loyal tiers` print these tables for users.
 *
 * usage: segment_dump FILE OUTDIR AS_OF COMPARE WINDOW RULES BY
 *   FILE     CSV with customer, date, amount and channel columns; purchase
 *            occasions are days
 *   AS_OF    the as-of date; COMPARE an earlier date (tiers at both)
 *   WINDOW   days of the member tiers' window (0: all history)
 *   RULES    member tier rules (see loyal/tiers.h)
 *   BY       1: score and tier within each channel; 0: one group
 * Writes OUTDIR/customers.csv, segments.csv, value_tiers.csv,
 * member_tiers.csv and migration.csv.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loyal.h"

static int report(const char *what)
{
	const loyal_error_info *e = loyal_error_last();
	fprintf(stderr, "segment_dump: %s: %s\n", what, e ? e->message : "failed");
	return 1;
}

/* On failure, report and free everything (so that allocation-failure runs
 * can count leaks of the library's error paths). */
#define CHECK(call, what) do { if ((call) < 0) { status = report(what); goto done; } } while (0)

static FILE *open_out(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "w")))
		perror(path);
	return f;
}

/* A double, empty when not computable. */
static void num(FILE *f, double v, const char *sep)
{
	if (isnan(v))
		fprintf(f, "%s", sep);
	else
		fprintf(f, "%.17g%s", v, sep);
}

static int32_t parse_day(const char *s)
{
	loyal_datetime dt;
	if (loyal_date_parse(&dt, s, strlen(s), NULL) < 0)
		exit(report(s));
	return dt.days;
}

static loyal_keyset *channels;
static int by;

/* The name of a group: its channel with BY, "all" without. */
static const char *group_name(uint32_t g)
{
	return by ? loyal_keyset_key(channels, g, NULL) : "all";
}

static const char *tier_name(const loyal_tiers *t, int k)
{
	return k == LOYAL_TIER_ABSENT ? "(absent)" : k == LOYAL_TIER_NONE ? "(none)"
		: loyal_tiers_tier_name(t, k);
}

int main(int argc, char **argv)
{
	loyal_reader *rd = NULL;
	loyal_txn *t = NULL;
	loyal_txn_days *d = NULL;
	loyal_txn_window *w_all = NULL, *w_win = NULL, *c_all = NULL, *c_win = NULL;
	loyal_measures m_all = LOYAL_MEASURES_INIT, m_win = LOYAL_MEASURES_INIT;
	loyal_measures mc_all = LOYAL_MEASURES_INIT, mc_win = LOYAL_MEASURES_INIT;
	loyal_rfm *rfm = NULL;
	loyal_tiers *value = NULL, *c_value = NULL, *member = NULL, *c_member = NULL;
	loyal_tier_rules *rules = NULL;
	loyal_tier_migration *mig = NULL, *vmig = NULL;
	FILE *f = NULL;
	int status = 0, rc;
	size_t col[4];
	static const char *const a_customer[] = { "customer", NULL };
	static const char *const a_date[] = { "date", NULL };
	static const char *const a_amount[] = { "amount", NULL };
	static const char *const a_channel[] = { "channel", NULL };

	if (argc != 8) {
		fprintf(stderr, "usage: segment_dump FILE OUTDIR AS_OF COMPARE WINDOW RULES BY\n");
		return 2;
	}
	const char *dir = argv[2];
	int32_t as_of = parse_day(argv[3]), compare = parse_day(argv[4]);
	int32_t window = atoi(argv[5]);
	by = atoi(argv[7]);

	CHECK(loyal_reader_open(&rd, argv[1], NULL), argv[1]);
	CHECK(loyal_reader_find_column(&col[0], rd, "customer", NULL, a_customer), "customer");
	CHECK(loyal_reader_find_column(&col[1], rd, "date", NULL, a_date), "date");
	CHECK(loyal_reader_find_column(&col[2], rd, "amount", NULL, a_amount), "amount");
	CHECK(loyal_reader_find_column(&col[3], rd, "channel", NULL, a_channel), "channel");
	CHECK(loyal_keyset_new(&channels), "keyset");
	CHECK(loyal_txn_new(&t, NULL), "txn");
	CHECK(loyal_txn_days_new(&d), "days");
	while ((rc = loyal_reader_next(rd)) == 0) {
		size_t len[4];
		const char *fld[4];
		loyal_datetime dt;
		loyal_txn_row row = { 0 };
		uint32_t g = 0;
		for (int k = 0; k < 4; k++)
			fld[k] = loyal_reader_field(rd, col[k], &len[k]);
		CHECK(loyal_date_parse(&dt, fld[1], len[1], NULL), "date");
		CHECK(loyal_parse_decimal(&row.amount, fld[2], len[2], 0), "amount");
		CHECK(loyal_keyset_add(channels, fld[3], len[3], &g, NULL), "channel");
		row.customer = fld[0];
		row.customer_len = len[0];
		row.day = dt.days;
		row.group = by ? g : 0;
		CHECK(loyal_txn_add(t, &row), "add");
		CHECK(loyal_txn_days_add(d, &row), "days add");
	}
	if (rc != LOYAL_ITEROVER) {
		status = report("read");
		goto done;
	}
	CHECK(loyal_txn_finish(t, as_of), "finish");

	/* measures at as-of (all history and the window) and at the compare date */
	CHECK(loyal_txn_window_new(&w_all, t, NULL, as_of, 0), "window");
	CHECK(loyal_txn_window_new(&w_win, t, d, as_of, window), "window");
	CHECK(loyal_txn_window_new(&c_all, t, d, compare, 0), "window");
	CHECK(loyal_txn_window_new(&c_win, t, d, compare, window), "window");
	CHECK(loyal_txn_window_measures(&m_all, w_all), "measures");
	CHECK(loyal_txn_window_measures(&m_win, w_win), "measures");
	CHECK(loyal_txn_window_measures(&mc_all, c_all), "measures");
	CHECK(loyal_txn_window_measures(&mc_win, c_win), "measures");

	CHECK(loyal_rfm_compute(&rfm, &m_all, NULL), "rfm");
	CHECK(loyal_tiers_by_value(&value, &m_all, NULL), "value tiers");
	CHECK(loyal_tiers_by_value(&c_value, &mc_all, NULL), "value tiers");
	CHECK(loyal_tier_rules_parse(&rules, argv[6], strlen(argv[6]), "RULES"), "rules");
	CHECK(loyal_tiers_by_rules(&member, &m_win, rules), "member tiers");
	CHECK(loyal_tiers_by_rules(&c_member, &mc_win, rules), "member tiers");
	CHECK(loyal_tier_migration_compute(&mig, c_member, member), "migration");
	CHECK(loyal_tier_migration_compute(&vmig, c_value, value), "migration");

	if (!(f = open_out(dir, "customers.csv")))
		goto failed;
	fprintf(f, "customer,group,days_since_last,purchases,spend,r,f,m,rfm,segment,value_tier,"
		"w_purchases,w_spend,member,c_present,c_purchases,c_spend,c_member,member_move,"
		"c_value_tier,value_move\n");
	for (size_t i = 0; i < m_all.n; i++) {
		loyal_txn_customer c = LOYAL_TXN_CUSTOMER_INIT;
		const loyal_rfm_customer *rc_ = loyal_rfm_customer_at(rfm, i);
		char code[16];
		if (loyal_txn_customer_get(&c, t, i) < 0) {
			status = report("customer");
			goto done;
		}
		loyal_rfm_code(code, sizeof(code), rfm, i);
		fprintf(f, "%s,%s,%d,%llu,%lld,%u,%u,%u,%s,%s,%s,%llu,%lld,%s,%d,%llu,%lld,%s,%s,%s,%s\n",
			c.id, group_name(m_all.group[i]), m_all.days_since_last[i],
			(unsigned long long)m_all.purchases[i], (long long)m_all.spend[i], rc_->r,
			rc_->f, rc_->m, code, loyal_rfm_segment_name(rfm, (size_t)rc_->segment),
			tier_name(value, loyal_tiers_tier_of(value, i)),
			(unsigned long long)m_win.purchases[i], (long long)m_win.spend[i],
			tier_name(member, loyal_tiers_tier_of(member, i)), mc_win.present[i],
			(unsigned long long)mc_win.purchases[i], (long long)mc_win.spend[i],
			tier_name(c_member, loyal_tiers_tier_of(c_member, i)),
			loyal_tier_move_name(loyal_tier_migration_move(mig, i)),
			tier_name(c_value, loyal_tiers_tier_of(c_value, i)),
			loyal_tier_move_name(loyal_tier_migration_move(vmig, i)));
	}
	fclose(f);
	f = NULL;

	if (!(f = open_out(dir, "segments.csv")))
		goto failed;
	fprintf(f, "group,segment,customers,customers_pct,spend,spend_pct,mean_days_since_last,"
		"mean_purchases,mean_spend\n");
	for (size_t k = 0; k < loyal_rfm_summary_count(rfm); k++) {
		const loyal_rfm_summary_row *x = loyal_rfm_summary_at(rfm, k);
		fprintf(f, "%s,%s,%llu,", group_name(x->group), loyal_rfm_segment_name(rfm, x->segment),
			(unsigned long long)x->customers);
		num(f, x->customers_pct, ",");
		num(f, x->spend, ",");
		num(f, x->spend_pct, ",");
		num(f, x->mean_days_since_last, ",");
		num(f, x->mean_purchases, ",");
		num(f, x->mean_spend, "\n");
	}
	fclose(f);
	f = NULL;

	const char *tfile[2] = { "value_tiers.csv", "member_tiers.csv" };
	const loyal_tiers *tt[2] = { value, member };
	for (int j = 0; j < 2; j++) {
		if (!(f = open_out(dir, tfile[j])))
			goto failed;
		fprintf(f, "group,tier,customers,customers_pct,spend,spend_pct,mean_spend,"
			"mean_purchases,value,value_pct,min_value,max_value\n");
		for (size_t k = 0; k < loyal_tiers_summary_count(tt[j]); k++) {
			const loyal_tiers_summary_row *x = loyal_tiers_summary_at(tt[j], k);
			fprintf(f, "%s,%s,%llu,", group_name(x->group), tier_name(tt[j], x->tier),
				(unsigned long long)x->customers);
			num(f, x->customers_pct, ",");
			num(f, x->spend, ",");
			num(f, x->spend_pct, ",");
			num(f, x->mean_spend, ",");
			num(f, x->mean_purchases, ",");
			num(f, x->value, ",");
			num(f, x->value_pct, ",");
			num(f, x->min_value, ",");
			num(f, x->max_value, "\n");
		}
		fclose(f);
	f = NULL;
	}

	if (!(f = open_out(dir, "migration.csv")))
		goto failed;
	fprintf(f, "group,from,to,move,customers\n");
	for (size_t k = 0; k < loyal_tier_migration_cell_count(mig); k++) {
		const loyal_tier_migration_cell *x = loyal_tier_migration_cell_at(mig, k);
		fprintf(f, "%s,%s,%s,%s,%llu\n", group_name(x->group), tier_name(member, x->from),
			tier_name(member, x->to), loyal_tier_move_name(x->move),
			(unsigned long long)x->customers);
	}
	fclose(f);
	f = NULL;

	goto done;
failed:
	status = 1;
done:
	if (f)
		fclose(f);
	loyal_tier_migration_free(mig);
	loyal_tier_migration_free(vmig);
	loyal_tiers_free(value);
	loyal_tiers_free(c_value);
	loyal_tiers_free(member);
	loyal_tiers_free(c_member);
	loyal_tier_rules_free(rules);
	loyal_rfm_free(rfm);
	loyal_txn_window_free(w_all);
	loyal_txn_window_free(w_win);
	loyal_txn_window_free(c_all);
	loyal_txn_window_free(c_win);
	loyal_txn_days_free(d);
	loyal_txn_free(t);
	loyal_keyset_free(channels);
	loyal_reader_free(rd);
	return status;
}
