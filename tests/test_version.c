/*
 * The library's version, and its options structs: every version from 1 to
 * the current one is accepted (a program built against older headers keeps
 * working), 0 and newer ones are refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers.h"
#include "loyal.h"

static void test_version_runtime(void **state)
{
	int major = -1, minor = -1, patch = -1;
	char want[64];
	(void)state;

	const char *v = loyal_version(&major, &minor, &patch);
	assert_non_null(v);
	assert_string_equal(v, LOYAL_VERSION);
	assert_int_equal(major, LOYAL_VERSION_MAJOR);
	assert_int_equal(minor, LOYAL_VERSION_MINOR);
	assert_int_equal(patch, LOYAL_VERSION_PATCH);
	snprintf(want, sizeof(want), "%d.%d.%d", major, minor, patch);
	assert_string_equal(v, want);
	assert_int_equal(loyal_version_num(), (unsigned)((major << 16) | (minor << 8) | patch));
	assert_int_equal(loyal_version_num(), LOYAL_VERSION_NUM);
	assert_ptr_equal(loyal_version(NULL, NULL, NULL), v);
}

static const char *fixture(const char *name)
{
	static char path[4096];
	const char *dir = getenv("LOYAL_FIXTURES");

	if (!dir)
		fail_msg("LOYAL_FIXTURES must name tests/fixtures (ctest sets it)");
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static void test_version_read_options(void **state)
{
	loyal_read_options o = LOYAL_READ_OPTIONS_INIT;
	loyal_reader *r = NULL;
	(void)state;

	for (int v = 1; v <= LOYAL_READ_OPTIONS_VERSION; v++) {
		o.version = v;
		assert_int_equal(loyal_reader_open(&r, fixture("survey/small.csv"), &o), 0);
		assert_int_equal(loyal_reader_next(r), 0);
		loyal_reader_free(r);
		r = NULL;
	}
	o.version = 0;
	assert_int_equal(loyal_reader_open(&r, fixture("survey/small.csv"), &o), LOYAL_EINVAL);
	o.version = LOYAL_READ_OPTIONS_VERSION + 1;
	assert_int_equal(loyal_reader_open(&r, fixture("survey/small.csv"), &o), LOYAL_EINVAL);
	assert_null(r);
}

static void test_version_fit_options(void **state)
{
	loyal_bgnbd_fit_options bo = LOYAL_BGNBD_FIT_OPTIONS_INIT;
	loyal_gg_fit_options go = LOYAL_GG_FIT_OPTIONS_INIT;
	loyal_bgnbd_data *bd;
	loyal_gg_data *gd;
	loyal_bgnbd_params bp;
	loyal_gg_params gp;
	(void)state;

	assert_int_equal(loyal_bgnbd_data_new(&bd), 0);
	assert_int_equal(loyal_gg_data_new(&gd), 0);
	/* a small data set every fit converges on */
	for (int i = 0; i < 40; i++) {
		assert_int_equal(loyal_bgnbd_data_add(bd, i % 4, (i % 4) ? 10.0 + i % 7 : 0, 30), 0);
		if (i % 4)
			assert_int_equal(loyal_gg_data_add(gd, i % 4, 10.0 + (i * 37 % 23)), 0);
	}
	/* whether such a small set converges is not the point: every version
	 * is read (not refused), and reads alike when its new fields hold
	 * their defaults */
	int rc1 = -1;
	for (int v = 1; v <= LOYAL_BGNBD_FIT_OPTIONS_VERSION; v++) {
		bo.version = v;
		int rc = loyal_bgnbd_fit(&bp, bd, &bo);
		assert_int_not_equal(rc, LOYAL_EINVAL);
		if (v == 1)
			rc1 = rc;
		assert_int_equal(rc, rc1);
	}
	bo.version = 0;
	assert_int_equal(loyal_bgnbd_fit(&bp, bd, &bo), LOYAL_EINVAL);
	bo.version = LOYAL_BGNBD_FIT_OPTIONS_VERSION + 1;
	assert_int_equal(loyal_bgnbd_fit(&bp, bd, &bo), LOYAL_EINVAL);

	for (int v = 1; v <= LOYAL_GG_FIT_OPTIONS_VERSION; v++) {
		go.version = v;
		assert_int_not_equal(loyal_gg_fit(&gp, gd, &go), LOYAL_EINVAL);
	}
	go.version = 0;
	assert_int_equal(loyal_gg_fit(&gp, gd, &go), LOYAL_EINVAL);
	go.version = LOYAL_GG_FIT_OPTIONS_VERSION + 1;
	assert_int_equal(loyal_gg_fit(&gp, gd, &go), LOYAL_EINVAL);
	loyal_bgnbd_data_free(bd);
	loyal_gg_data_free(gd);
}

static void test_version_txn_options(void **state)
{
	loyal_txn_options to = LOYAL_TXN_OPTIONS_INIT;
	loyal_txn_repurchase_options ro = LOYAL_TXN_REPURCHASE_OPTIONS_INIT;
	loyal_txn_cohort_options co = LOYAL_TXN_COHORT_OPTIONS_INIT;
	loyal_txn *t = NULL;
	loyal_txn_repurchase_row *rr;
	loyal_txn_cohort_row *cr;
	size_t n;
	(void)state;

	for (int v = 1; v <= LOYAL_TXN_OPTIONS_VERSION; v++) {
		to.version = v;
		assert_int_equal(loyal_txn_new(&t, &to), 0);
		loyal_txn_free(t);
		t = NULL;
	}
	to.version = 0;
	assert_int_equal(loyal_txn_new(&t, &to), LOYAL_EINVAL);
	to.version = LOYAL_TXN_OPTIONS_VERSION + 1;
	assert_int_equal(loyal_txn_new(&t, &to), LOYAL_EINVAL);

	assert_int_equal(loyal_txn_new(&t, NULL), 0);
	loyal_txn_row row = { "c1", 2, "o1", 2, 100, 1000000, 0 };
	assert_int_equal(loyal_txn_add(t, &row), 0);
	row.day = 140;
	assert_int_equal(loyal_txn_add(t, &row), 0);
	assert_int_equal(loyal_txn_finish(t, 150), 0);

	for (int v = 1; v <= LOYAL_TXN_REPURCHASE_OPTIONS_VERSION; v++) {
		ro.version = v;
		assert_int_equal(loyal_txn_repurchase(&rr, &n, t, &ro), 0);
		assert_int_equal(n, 1);
		assert_int_equal(rr[0].repeat_customers, 1);
		loyal_txn_repurchase_free(rr);
	}
	ro.version = 0;
	assert_int_equal(loyal_txn_repurchase(&rr, &n, t, &ro), LOYAL_EINVAL);
	ro.version = LOYAL_TXN_REPURCHASE_OPTIONS_VERSION + 1;
	assert_int_equal(loyal_txn_repurchase(&rr, &n, t, &ro), LOYAL_EINVAL);

	for (int v = 1; v <= LOYAL_TXN_COHORT_OPTIONS_VERSION; v++) {
		co.version = v;
		assert_int_equal(loyal_txn_cohorts(&cr, &n, t, &co), 0);
		loyal_txn_cohorts_free(cr);
	}
	co.version = 0;
	assert_int_equal(loyal_txn_cohorts(&cr, &n, t, &co), LOYAL_EINVAL);
	co.version = LOYAL_TXN_COHORT_OPTIONS_VERSION + 1;
	assert_int_equal(loyal_txn_cohorts(&cr, &n, t, &co), LOYAL_EINVAL);
	loyal_txn_free(t);
}

/* Results the library writes into the caller's struct: the caller's
 * version (1, the only one so far, stands for any older one) is accepted
 * and kept; 0 (never set) and a newer one are refused. */
#define RESULT_VERSIONS(type, INIT, VERSION, call) do { \
	type res__ = INIT; \
	assert_int_equal(res__.version, VERSION); \
	for (int v__ = 1; v__ <= VERSION; v__++) { \
		res__.version = v__; \
		assert_int_equal((call), 0); \
		assert_int_equal(res__.version, v__); \
	} \
	res__.version = 0; \
	assert_int_equal((call), LOYAL_EINVAL); \
	res__.version = VERSION + 1; \
	assert_int_equal((call), LOYAL_EINVAL); \
} while (0)

static void test_version_results(void **state)
{
	loyal_nps nps = LOYAL_NPS_INIT;
	loyal_csat csat;
	loyal_holdout h = LOYAL_HOLDOUT_INIT;
	loyal_txn *t = NULL;
	loyal_nps_result a = LOYAL_NPS_RESULT_INIT;
	loyal_complaints_cell cell = LOYAL_COMPLAINTS_CELL_INIT;
	(void)state;

	loyal_nps_add(&nps, 10);
	loyal_nps_add(&nps, 3);
	RESULT_VERSIONS(loyal_nps_result, LOYAL_NPS_RESULT_INIT, LOYAL_NPS_RESULT_VERSION,
			loyal_nps_compute(&res__, &nps));
	assert_int_equal(loyal_nps_compute(&a, &nps), 0);
	assert_double_near(a.nps, 0.0, 1e-12);

	assert_int_equal(loyal_csat_init(&csat, 1, 5), 0);
	loyal_csat_add(&csat, 5);
	RESULT_VERSIONS(loyal_csat_result, LOYAL_CSAT_RESULT_INIT, LOYAL_CSAT_RESULT_VERSION,
			loyal_csat_compute(&res__, &csat));

	loyal_holdout_add(&h, 1.0, 2.0);
	RESULT_VERSIONS(loyal_holdout_result, LOYAL_HOLDOUT_RESULT_INIT,
			LOYAL_HOLDOUT_RESULT_VERSION, loyal_holdout_compute(&res__, &h));

	RESULT_VERSIONS(loyal_ztest, LOYAL_ZTEST_INIT, LOYAL_ZTEST_VERSION,
			loyal_ztest_shares(&res__, 3, 10, 5, 10));
	RESULT_VERSIONS(loyal_ztest, LOYAL_ZTEST_INIT, LOYAL_ZTEST_VERSION,
			loyal_ztest_nps(&res__, &a, &a));
	RESULT_VERSIONS(loyal_complaints_rates, LOYAL_COMPLAINTS_RATES_INIT,
			LOYAL_COMPLAINTS_RATES_VERSION,
			loyal_complaints_rates_of(&res__, &cell, 10, 10));

	assert_int_equal(loyal_txn_new(&t, NULL), 0);
	loyal_txn_row row = { "c1", 2, NULL, 0, 100, 1000000, 0 };
	assert_int_equal(loyal_txn_add(t, &row), 0);
	row.day = 140;
	assert_int_equal(loyal_txn_add(t, &row), 0);
	assert_int_equal(loyal_txn_finish(t, 150), 0);
	RESULT_VERSIONS(loyal_txn_stats, LOYAL_TXN_STATS_INIT, LOYAL_TXN_STATS_VERSION,
			loyal_txn_get_stats(&res__, t));
	RESULT_VERSIONS(loyal_txn_customer, LOYAL_TXN_CUSTOMER_INIT, LOYAL_TXN_CUSTOMER_VERSION,
			loyal_txn_customer_get(&res__, t, 0));
	RESULT_VERSIONS(loyal_txn_split, LOYAL_TXN_SPLIT_INIT, LOYAL_TXN_SPLIT_VERSION,
			loyal_txn_customer_split(&res__, t, 0, 120));
	loyal_txn_free(t);
}

/* The order-line and survey row structs of loyal/txn_input.h and
 * loyal/survey_input.h. */
static void test_version_input_rows(void **state)
{
	const char *text = "customer,date,amount,nps\nc1,2024-01-02,5,9\n";
	loyal_reader *r = NULL;
	loyal_txn_layout layout = LOYAL_TXN_LAYOUT_INIT;
	loyal_txn_input_options o = LOYAL_TXN_INPUT_OPTIONS_INIT;
	loyal_survey_layout sl = LOYAL_SURVEY_LAYOUT_INIT;
	(void)state;

	assert_int_equal(loyal_reader_open_buffer(&r, text, strlen(text), "v.csv", NULL), 0);
	loyal_reader_use_column(r, 3);
	for (int v = 1; v <= LOYAL_TXN_INPUT_OPTIONS_VERSION; v++) {
		o.version = v;
		RESULT_VERSIONS(loyal_txn_layout, LOYAL_TXN_LAYOUT_INIT, LOYAL_TXN_LAYOUT_VERSION,
				loyal_txn_layout_resolve(&res__, r, &o));
	}
	o.version = 0;
	assert_int_equal(loyal_txn_layout_resolve(&layout, r, &o), LOYAL_EINVAL);
	assert_int_equal(loyal_txn_layout_resolve(&layout, r, NULL), 0);
	assert_int_equal(loyal_reader_next(r), 0);
	RESULT_VERSIONS(loyal_txn_record, LOYAL_TXN_RECORD_INIT, LOYAL_TXN_RECORD_VERSION,
			loyal_txn_record_read(&res__, NULL, r, &layout, NULL));
	loyal_txn_record rec = LOYAL_TXN_RECORD_INIT;
	RESULT_VERSIONS(loyal_txn_row_error, LOYAL_TXN_ROW_ERROR_INIT, LOYAL_TXN_ROW_ERROR_VERSION,
			loyal_txn_record_read(&rec, &res__, r, &layout, NULL));
	sl.ncols = 1;
	sl.cols[0] = 3;
	sl.parse = loyal_survey_nps_answer;
	/* LOYAL_SURVEY_ROW_USED is 0 */
	RESULT_VERSIONS(loyal_survey_row, LOYAL_SURVEY_ROW_INIT, LOYAL_SURVEY_ROW_VERSION,
			loyal_survey_row_read(&res__, r, &sl));
	loyal_reader_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_runtime),
		cmocka_unit_test(test_version_read_options),
		cmocka_unit_test(test_version_fit_options),
		cmocka_unit_test(test_version_txn_options),
		cmocka_unit_test(test_version_results),
		cmocka_unit_test(test_version_input_rows),
	};
	return loyal_test_status(cmocka_run_group_tests(tests, NULL, NULL));
}
