/*
 * Benchmark of the BG/NBD fit and scoring on 1,000,000 customers simulated
 * from the model itself (fixed seed, so every run sees the same data).
 *
 * Customers are acquired uniformly over 39 weeks (273 days) and observed to
 * week 78 (day 546). Purchases happen in continuous time; a purchase on the
 * same calendar day as the previous one is merged with it, as real
 * transaction data are, and times are reported in weeks = days / 7, so the
 * customers fall into a limited number of distinct (x, t_x, T) triples.
 * Merging same-day purchases makes the data depart a little from the model,
 * so the recovered alpha sits a few percent above the true value (with
 * continuous times every parameter comes back within its standard error).
 *
 * The same data are then fitted with MBG/NBD and Pareto/NBD (the models of
 * --model mbgnbd and pnbd), whose fit and scoring times are printed too:
 * Pareto/NBD's likelihood needs 2F1 once per distinct (x, t_x) and (x, T)
 * and its gradient eleven times that.
 *
 * Usage: bench_bgnbd [customers]   (default 1000000). Not run by ctest.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "loyal/bgnbd.h"
#include "loyal/errors.h"
#include "loyal/mbgnbd.h"
#include "loyal/pnbd.h"

#define TRUE_R 0.25
#define TRUE_ALPHA 4.0
#define TRUE_A 0.8
#define TRUE_B 2.5
#define HORIZON 39.0 /* weeks ahead to predict */

/* xoshiro256** seeded through splitmix64 */
static uint64_t rng[4];

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t next_u64(void)
{
	uint64_t result = rotl(rng[1] * 5, 7) * 9, t = rng[1] << 17;

	rng[2] ^= rng[0];
	rng[3] ^= rng[1];
	rng[1] ^= rng[2];
	rng[0] ^= rng[3];
	rng[2] ^= t;
	rng[3] = rotl(rng[3], 45);
	return result;
}

static void seed(uint64_t s)
{
	int i;

	for (i = 0; i < 4; i++) {
		uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		rng[i] = z ^ (z >> 31);
	}
}

/* uniform on (0, 1) */
static double uniform(void)
{
	return ((double)(next_u64() >> 11) + 0.5) * 0x1.0p-53;
}

static double normal(void)
{
	return sqrt(-2.0 * log(uniform())) * cos(6.283185307179586 * uniform());
}

/* Gamma(shape, 1): Marsaglia & Tsang, boosted for shape < 1 */
static double gamma_draw(double shape)
{
	double d, c, x, v, u;

	if (shape < 1.0)
		return gamma_draw(shape + 1.0) * pow(uniform(), 1.0 / shape);
	d = shape - 1.0 / 3.0;
	c = 1.0 / sqrt(9.0 * d);
	for (;;) {
		do {
			x = normal();
			v = 1.0 + c * x;
		} while (v <= 0.0);
		v = v * v * v;
		u = uniform();
		if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
			return d * v;
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct {
	double *x, *t_x, *T;
	double *alive, *expected; /* outputs of the batch scorer */
} customers;

typedef struct {
	const loyal_bgnbd_params *p;
	const customers *c;
	size_t from, to;
	int batch;              /* loyal_bgnbd_score() rather than one call each */
	double alive, expected; /* sums, so the work cannot be optimised away */
} slice;

static void *score(void *arg)
{
	slice *s = arg;
	const customers *c = s->c;
	double alive = 0.0, expected = 0.0; /* locals: no false sharing of s */
	size_t i;

	if (s->batch) {
		size_t k = s->to - s->from;
		if (loyal_bgnbd_score(s->p, HORIZON, k, c->x + s->from, c->t_x + s->from,
				      c->T + s->from, c->alive + s->from,
				      c->expected + s->from) != 0) {
			s->alive = s->expected = NAN;
			return NULL;
		}
		for (i = s->from; i < s->to; i++) {
			alive += c->alive[i];
			expected += c->expected[i];
		}
	} else {
		for (i = s->from; i < s->to; i++) {
			alive += loyal_bgnbd_p_alive(s->p, c->x[i], c->t_x[i], c->T[i]);
			expected += loyal_bgnbd_expected_conditional(s->p, HORIZON, c->x[i],
								     c->t_x[i], c->T[i]);
		}
	}
	s->alive = alive;
	s->expected = expected;
	return NULL;
}

/* Scores every customer with `threads` threads; returns the seconds taken. */
static double score_all(const loyal_bgnbd_params *p, const customers *c, size_t n, int threads,
			int batch, double *alive, double *expected)
{
	pthread_t tid[2];
	slice s[2];
	double t0 = now();
	int i;

	for (i = 0; i < threads; i++) {
		s[i].p = p;
		s[i].c = c;
		s[i].from = n * (size_t)i / (size_t)threads;
		s[i].to = n * (size_t)(i + 1) / (size_t)threads;
		s[i].batch = batch;
	}
	if (threads == 1) {
		score(&s[0]);
	} else {
		for (i = 0; i < threads; i++)
			if (pthread_create(&tid[i], NULL, score, &s[i]) != 0) {
				score(&s[i]);
				tid[i] = pthread_self();
			}
		for (i = 0; i < threads; i++)
			if (!pthread_equal(tid[i], pthread_self()))
				pthread_join(tid[i], NULL);
	}
	*alive = *expected = 0.0;
	for (i = 0; i < threads; i++) {
		*alive += s[i].alive;
		*expected += s[i].expected;
	}
	return now() - t0;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000, i;
	loyal_bgnbd_data *d = NULL;
	loyal_bgnbd_params p;
	customers c;
	double t0, t_sim, t_add, t_fit, t_s[4], alive[4], expected[4], repeat = 0.0;
	int rc, k;

	if (n == 0)
		n = 1000000;
	c.x = malloc(5 * n * sizeof(double));
	if (!c.x || loyal_bgnbd_data_new(&d) != 0) {
		fprintf(stderr, "bench_bgnbd: out of memory\n");
		return 1;
	}
	c.t_x = c.x + n;
	c.T = c.x + 2 * n;
	c.alive = c.x + 3 * n;
	c.expected = c.x + 4 * n;

	seed(20050101);
	t0 = now();
	for (i = 0; i < n; i++) {
		double lambda = gamma_draw(TRUE_R) / TRUE_ALPHA; /* purchases per week */
		double ga = gamma_draw(TRUE_A), drop = ga / (ga + gamma_draw(TRUE_B));
		long first = (long)(uniform() * 273.0), T_days = 546 - first, day = 0, last = 0;
		double t = 0.0;
		long x = 0;
		for (;;) {
			t += -log(uniform()) / lambda;
			if (t * 7.0 >= (double)T_days) /* before converting: t may be huge */
				break;
			day = (long)floor(t * 7.0);
			if (day == last)
				continue; /* same calendar day: one purchase occasion */
			x++;
			last = day;
			if (uniform() < drop)
				break;
		}
		c.x[i] = (double)x;
		c.t_x[i] = (double)last / 7.0;
		c.T[i] = (double)T_days / 7.0;
		repeat += (double)x;
	}
	t_sim = now() - t0;

	t0 = now();
	for (i = 0; i < n; i++) {
		if ((rc = loyal_bgnbd_data_add(d, c.x[i], c.t_x[i], c.T[i])) != 0) {
			fprintf(stderr, "bench_bgnbd: %s\n", loyal_error_last()->message);
			return 1;
		}
	}
	t_add = now() - t0;

	t0 = now();
	rc = loyal_bgnbd_fit(&p, d, NULL);
	t_fit = now() - t0;
	if (rc != 0) {
		fprintf(stderr, "bench_bgnbd: fit: %s\n", loyal_error_last()->message);
		return 1;
	}

	for (k = 0; k < 4; k++)
		t_s[k] = score_all(&p, &c, n, 1 + k % 2, k / 2, &alive[k], &expected[k]);

	printf("customers              %zu (%.0f repeat purchases)\n", n, repeat);
	printf("distinct triples       %zu\n", loyal_bgnbd_data_groups(d));
	printf("simulate               %.3f s\n", t_sim);
	printf("group (data_add)       %.3f s\n", t_add);
	printf("fit                    %.3f s (%d iterations)\n", t_fit, p.iterations);
	printf("score: p_alive + expected_conditional (t = %g), one call each per customer\n",
	       HORIZON);
	printf("  1 thread             %.3f s\n", t_s[0]);
	printf("  2 threads            %.3f s\n", t_s[1]);
	printf("score: loyal_bgnbd_score() on the whole array\n");
	printf("  1 thread             %.3f s\n", t_s[2]);
	printf("  2 threads            %.3f s\n", t_s[3]);
	printf("log-likelihood         %.3f\n", p.log_likelihood);
	printf("parameter      true  recovered  std. error\n");
	printf("r          %8.4f   %8.4f    %8.4f\n", TRUE_R, p.r, p.se_r);
	printf("alpha      %8.4f   %8.4f    %8.4f\n", TRUE_ALPHA, p.alpha, p.se_alpha);
	printf("a          %8.4f   %8.4f    %8.4f\n", TRUE_A, p.a, p.se_a);
	printf("b          %8.4f   %8.4f    %8.4f\n", TRUE_B, p.b, p.se_b);
	printf("mean P(alive), E[Y(%g)]:", HORIZON);
	for (k = 0; k < 4; k++)
		printf(" %.6f %.6f%s", alive[k] / (double)n, expected[k] / (double)n,
		       k < 3 ? "," : "\n");

	/* the other two models on the same customers */
	loyal_mbgnbd_params mp;
	loyal_pnbd_params pp;
	t0 = now();
	rc = loyal_mbgnbd_fit(&mp, d, NULL);
	t_fit = now() - t0;
	if (rc != 0)
		printf("MBG/NBD fit            failed: %s\n", loyal_error_last()->message);
	else
		printf("MBG/NBD fit            %.3f s (%d iterations): r %.4f alpha %.4f a %.4f "
		       "b %.4f, LL %.3f\n", t_fit, mp.iterations, mp.r, mp.alpha, mp.a, mp.b,
		       mp.log_likelihood);
	t0 = now();
	rc = loyal_pnbd_fit(&pp, d, NULL);
	t_fit = now() - t0;
	if (rc != 0) {
		printf("Pareto/NBD fit         failed: %s\n", loyal_error_last()->message);
	} else {
		printf("Pareto/NBD fit         %.3f s (%d iterations): r %.4f alpha %.4f s %.4f "
		       "beta %.4f, LL %.3f\n", t_fit, pp.iterations, pp.r, pp.alpha, pp.s, pp.beta,
		       pp.log_likelihood);
		t0 = now();
		rc = loyal_pnbd_score(&pp, HORIZON, n, c.x, c.t_x, c.T, c.alive, c.expected);
		printf("Pareto/NBD score       %.3f s, 1 thread (loyal_pnbd_score)\n", now() - t0);
	}
	loyal_bgnbd_data_free(d);
	free(c.x);
	return 0;
}
