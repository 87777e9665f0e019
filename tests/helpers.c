#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "helpers.h"
#include "loyal/bgnbd.h"

static int skipped;

void loyal_test_note_skip(void)
{
	skipped = 1;
}

int loyal_test_status(int failed)
{
	if (failed)
		return failed;
	if (skipped) {
		fprintf(stderr, "some tests were skipped: exit 77 (ctest reports the program as skipped)\n");
		return 77;
	}
	return 0;
}

const char *loyal_test_shared_data(void)
{
	const char *dir = getenv("LOYAL_SHARED_DATA");
	struct stat st;

	if (!dir)
		dir = LOYAL_SHARED_DATA_DIR;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return NULL;
	return dir;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil), for the test's own reading of the CDNOW file. */
static long days_from_ymd(long y, long m, long d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int row_cmp(const void *pa, const void *pb)
{
	const struct loyal_test_cdnow_row *a = pa, *b = pb;

	if (a->customer != b->customer)
		return a->customer < b->customer ? -1 : 1;
	return (a->day > b->day) - (a->day < b->day);
}

size_t loyal_test_cdnow_rows(struct loyal_test_cdnow_row **out, long *end)
{
	const char *dir = loyal_test_shared_data();
	char path[4096];
	long id, sample, ymd, cds;
	double dollars;
	size_t n = 0, cap = 8192;
	struct loyal_test_cdnow_row *rows;
	FILE *f;

	if (!dir) {
		print_message("shared data directory not found; skipping the CDNOW test\n");
		loyal_test_skip();
	}
	snprintf(path, sizeof(path), "%s/cdnow/CDNOW_sample.txt", dir);
	f = fopen(path, "r");
	if (!f) {
		print_message("%s not found; skipping the CDNOW test\n", path);
		loyal_test_skip();
	}
	rows = malloc(cap * sizeof(*rows));
	assert_non_null(rows);
	while (fscanf(f, "%ld %ld %ld %ld %lf", &id, &sample, &ymd, &cds, &dollars) == 5) {
		assert_true(n < cap);
		rows[n].customer = id;
		rows[n].day = days_from_ymd(ymd / 10000, ymd / 100 % 100, ymd % 100);
		rows[n].dollars = dollars;
		n++;
	}
	fclose(f);
	assert_int_equal(n, 6919);
	qsort(rows, n, sizeof(*rows), row_cmp);
	*out = rows;
	*end = days_from_ymd(1997, 9, 30);
	return n;
}

/*
 * CDNOW as BG/NBD data, as in Fader, Hardie & Lee (2005): purchase
 * occasions are distinct days, calibration ends 1997-09-30 inclusive, time in
 * weeks = days / 7. Skips the test when the shared data are absent.
 */
loyal_bgnbd_data *loyal_test_cdnow(void)
{
	struct loyal_test_cdnow_row *rows;
	long end;
	size_t n = loyal_test_cdnow_rows(&rows, &end), i, j;
	loyal_bgnbd_data *d = NULL;

	assert_int_equal(loyal_bgnbd_data_new(&d), 0);
	for (i = 0; i < n; i = j) {
		long first = rows[i].day, last = first, occasions = 1;
		for (j = i + 1; j < n && rows[j].customer == rows[i].customer; j++) {
			if (rows[j].day != rows[j - 1].day && rows[j].day <= end) {
				occasions++;
				last = rows[j].day;
			}
		}
		assert_int_equal(loyal_bgnbd_data_add(d, (double)(occasions - 1),
						      (double)(last - first) / 7.0,
						      (double)(end - first) / 7.0), 0);
	}
	free(rows);
	return d;
}

loyal_bgnbd_data *loyal_test_tiny(void)
{
	static const double t[][3] = {
		{ 0, 0, 10 }, { 0, 0, 10 }, { 1, 3, 10 }, { 2, 5.5, 8 },
		{ 5, 7.25, 12 }, { 3, 2, 4 }, { 0, 0, 0.5 }, { 40, 30, 31 },
	};
	loyal_bgnbd_data *d = NULL;
	size_t i;

	assert_int_equal(loyal_bgnbd_data_new(&d), 0);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(loyal_bgnbd_data_add(d, t[i][0], t[i][1], t[i][2]), 0);
	return d;
}

static uint64_t rng_state;

void loyal_test_seed(uint64_t seed)
{
	rng_state = seed;
}

double loyal_test_uniform(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return ((double)(z >> 11) + 0.5) * 0x1.0p-53;
}

double loyal_test_gamma(double shape)
{
	/* Marsaglia & Tsang, with the shape < 1 boost */
	double d, c, x, v, u;

	if (shape < 1.0)
		return loyal_test_gamma(shape + 1.0) * pow(loyal_test_uniform(), 1.0 / shape);
	d = shape - 1.0 / 3.0;
	c = 1.0 / sqrt(9.0 * d);
	for (;;) {
		do {
			/* Box-Muller */
			x = sqrt(-2.0 * log(loyal_test_uniform())) * cos(6.283185307179586 * loyal_test_uniform());
			v = 1.0 + c * x;
		} while (v <= 0.0);
		v = v * v * v;
		u = loyal_test_uniform();
		if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
			return d * v;
	}
}


void loyal_test_bg_customer(double r, double alpha, double a, double b, double *lambda,
			    double *drop)
{
	double ga;

	*lambda = loyal_test_gamma(r) / alpha;
	ga = loyal_test_gamma(a);
	*drop = ga / (ga + loyal_test_gamma(b));
}

void loyal_test_bg_purchases(double lambda, double drop, int modified, double T, double *x,
			     double *t_x)
{
	double t = 0.0;

	*x = *t_x = 0.0;
	if (modified && loyal_test_uniform() < drop)
		return;
	for (;;) {
		t += -log(loyal_test_uniform()) / lambda;
		if (t > T)
			break;
		*x += 1.0;
		*t_x = t;
		if (loyal_test_uniform() < drop)
			break;
	}
}
