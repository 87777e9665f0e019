/*
 * Gauss hypergeometric function 2F1 and digamma, for the BG/NBD and
 * Gamma-Gamma models.
 *
 * 2F1 strategy, for z in (0, 1):
 *  - the power series is summed directly when it converges fast: always for
 *    z <= 0.5, and closer to 1 when c - a - b is large enough that the terms
 *    also fall off like a high power of n. Of the two equivalent series,
 *    F(a, b; c; z) and Euler's (1-z)^(c-a-b) F(c-a, c-b; c; z), the one whose
 *    terms decay at z = 1 is used;
 *  - otherwise the connection formula to 1 - z (Abramowitz & Stegun 15.3.6)
 *    turns the problem into two series in w = 1 - z < 0.5. That formula is
 *    singular when c - a - b is an integer; near one, the function is
 *    evaluated at four nearby values of a and interpolated (it is analytic
 *    in a), which keeps about 13 significant digits;
 *  - where both are possible, the one that cancels less is kept: each
 *    series reports the sum of its terms' magnitudes;
 *  - z < 0 is mapped into (0, 1) by Pfaff's transformation z -> z/(z-1).
 */
#include <float.h>
#include <math.h>
#include <stddef.h>

#include "hyp2f1_p.h"

/* Hard cap on the terms of any one series. */
#define SERIES_NMAX 100000L

static const double pi = 3.14159265358979323846;

static int is_nonpos_int(double x)
{
	return x <= 0.0 && x == floor(x);
}

/* ln|Gamma(x)| and the sign of Gamma(x); *sign is 0 at the poles, where
 * 1/Gamma(x) is 0. C's lgamma() gives the magnitude only. */
static double lgamma_sign(double x, int *sign)
{
	if (x > 0.0) {
		*sign = 1;
		return lgamma(x);
	}
	if (x == floor(x)) {
		*sign = 0;
		return HUGE_VAL;
	}
	/* Gamma is negative on (-1, 0), positive on (-2, -1), and so on. */
	*sign = fmod(floor(x), 2.0) == 0.0 ? 1 : -1;
	return lgamma(x);
}

/*
 * Sum of the power series of 2F1(a, b; c; z) starting at term `first` (0 or
 * 1), or NAN when it does not reach double precision within nmax terms.
 * When abs_sum is not NULL it receives the sum of the terms' magnitudes, to
 * judge cancellation.
 */
static double series(double a, double b, double c, double z, int first, long nmax,
		     double *abs_sum)
{
	double term = 1.0, sum = first ? 0.0 : 1.0, mag = sum, ratio;
	/* Past this index no Pochhammer factor changes sign any more, so the
	 * term ratio tends monotonically to z and the tail can be bounded. */
	double settled = (a < b ? -a : -b), az = fabs(z);
	long n;

	if (-c > settled)
		settled = -c;
	settled = (settled > 0.0 ? settled : 0.0) + 1.0;
	for (n = 0; n < nmax; n++) {
		ratio = (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
		term *= ratio;
		sum += term;
		mag += fabs(term);
		if (term == 0.0)
			break; /* a terminating polynomial */
		if (!(mag < HUGE_VAL))
			return NAN; /* overflow (or NaN) */
		/* cheap test first; the tail bound only once terms are tiny */
		if (fabs(term) <= 0.5 * DBL_EPSILON * fabs(sum) && (double)n > settled) {
			double r = fabs(ratio) > az ? fabs(ratio) : az;
			if (r < 1.0 && fabs(term) * r / (1.0 - r) <= 0.5 * DBL_EPSILON * fabs(sum))
				break;
		}
	}
	if (n == nmax || !isfinite(sum))
		return NAN;
	if (abs_sum)
		*abs_sum = mag;
	return sum;
}

/* Gauss's sum 2F1(a, b; c; 1) = G(c) G(c-a-b) / (G(c-a) G(c-b)), c-a-b > 0. */
static double gauss_at_one(double a, double b, double c)
{
	int s1, s2, s3, s4;
	double l = lgamma_sign(c, &s1) + lgamma_sign(c - a - b, &s2);
	double d = lgamma_sign(c - a, &s3) + lgamma_sign(c - b, &s4);

	if (s3 == 0 || s4 == 0)
		return 0.0;
	return s1 * s2 * s3 * s4 * exp(l - d);
}

/*
 * Connection formula, w = 1 - z in (0, 0.5], c - a - b not an integer:
 *   F(a,b;c;z) = G(c)G(s)/(G(c-a)G(c-b)) F(a, b; 1-s; w)
 *              + w^s G(c)G(-s)/(G(a)G(b)) F(c-a, c-b; 1+s; w),  s = c-a-b.
 * The gamma ratios are formed in logarithms so large parameters do not
 * overflow them. *cond receives the cancellation factor: the sum of the
 * magnitudes of everything added, over the magnitude of the result.
 */
static double connection(double a, double b, double c, double w, double *cond)
{
	double s = c - a - b, t1 = 0.0, t2 = 0.0, m1 = 0.0, m2 = 0.0, lc, l, f, k;
	int sc, s1, s2, s3;

	lc = lgamma_sign(c, &sc);
	l = lc + lgamma_sign(s, &s1);
	l -= lgamma_sign(c - a, &s2) + lgamma_sign(c - b, &s3);
	if (s2 != 0 && s3 != 0) {
		f = series(a, b, 1.0 - s, w, 0, SERIES_NMAX, &m1);
		k = exp(l);
		t1 = sc * s1 * s2 * s3 * k * f;
		m1 *= k;
	}
	l = lc + lgamma_sign(-s, &s1) + s * log(w);
	l -= lgamma_sign(a, &s2) + lgamma_sign(b, &s3);
	if (s2 != 0 && s3 != 0) {
		f = series(c - a, c - b, 1.0 + s, w, 0, SERIES_NMAX, &m2);
		k = exp(l);
		t2 = sc * s1 * s2 * s3 * k * f;
		m2 *= k;
	}
	*cond = (m1 + m2) / fabs(t1 + t2);
	return t1 + t2;
}

/* The connection formula, interpolated in a when c - a - b is close to an
 * integer m: the function is evaluated where c - a - b = m + k h for
 * k = +-1, +-2, +-3, and the quintic through those six points is read off.
 * Moving a rather than c keeps clear of the poles of G(c), which a small c
 * would run into. The function varies in a like w^(c-a-b), so the
 * interpolation error grows like (h ln w)^6 while cancellation in the
 * connection formula grows like eps/h; h below balances the two at about
 * 1e-13 relative. */
static double near_one(double a, double b, double c, double w, double *cond)
{
	static const double k[6] = { -3.0, -2.0, -1.0, 1.0, 2.0, 3.0 };
	double h = 1e-2 / pow(fmax(1.0, -log(w)), 0.86);
	double s = c - a - b, m = nearbyint(s), u = (s - m) / h, sum = 0.0, worst = 0.0, cd;
	int i, j;

	if (fabs(s - m) >= 0.5 * h)
		return connection(a, b, c, w, cond);
	for (i = 0; i < 6; i++) {
		double weight = 1.0;
		for (j = 0; j < 6; j++)
			if (j != i)
				weight *= (u - k[j]) / (k[i] - k[j]);
		sum += weight * connection(a - (m + k[i] * h - s), b, c, w, &cd);
		worst = fmax(worst, cd);
	}
	/* The interpolation itself is good to about 1e-13. */
	*cond = fmax(worst, 1e-13 / DBL_EPSILON);
	return sum;
}

/* Estimated number of terms the series with c - a - b = s needs at z to
 * reach double precision: its terms fall like n^-(s+1) z^n. */
static double terms_needed(double s, double z)
{
	double geometric = 39.0 / -log(z);
	double power = s + 1.0 > 0.0 ? exp(fmin(39.0 / (s + 1.0), 700.0)) : HUGE_VAL;
	return fmin(geometric, power);
}

/* The direct series in one of the two Euler forms (minus 1 when m1 is
 * set), or NAN if it does not converge within nmax terms. *cond receives
 * the cancellation factor of the sum. */
static double direct(double a, double b, double c, double z, int euler, int m1,
		     long nmax, double *cond)
{
	double p, v, mag;

	if (!euler) {
		v = series(a, b, c, z, m1, nmax, &mag);
		*cond = isnan(v) ? HUGE_VAL : mag / fabs(v);
		return v;
	}
	p = (c - a - b) * log1p(-z);
	v = series(c - a, c - b, c, z, 1, nmax, &mag);
	if (isnan(v)) {
		*cond = HUGE_VAL;
		return v;
	}
	*cond = (1.0 + mag) / fabs(1.0 + v);
	/* (1-z)^s (1 + v), minus 1 if asked */
	return m1 ? expm1(p) + exp(p) * v : exp(p) * (1.0 + v);
}

/* 2F1 (minus 1 when m1 is set) for z in (0, 1). */
static double unit_interval(double a, double b, double c, double z, int m1)
{
	double s = c - a - b, v = NAN, vcond = HUGE_VAL, conn, ccond, need;
	/* Euler's form has the opposite c - a - b; use the form whose terms
	 * decay at z = 1 (positive c - a - b) unless the other one's terms
	 * are clearly smaller at the start. */
	int euler = s < 0.0;

	if (z <= 0.5) {
		if (euler && fabs(a * b) <= fabs((c - a) * (c - b)))
			euler = 0;
		return direct(a, b, c, z, euler, m1, SERIES_NMAX, &vcond);
	}
	/* Near 1: the direct series when it is short and free of
	 * cancellation; otherwise whichever of it and the connection formula
	 * cancels less. */
	need = terms_needed(fabs(s), z);
	if (need <= 2000.0) {
		v = direct(a, b, c, z, euler, m1, SERIES_NMAX, &vcond);
		if (vcond <= 64.0)
			return v;
	}
	conn = near_one(a, b, c, 1.0 - z, &ccond);
	if (m1)
		conn -= 1.0;
	if (ccond > 64.0 && need > 2000.0 && need <= (double)SERIES_NMAX)
		v = direct(a, b, c, z, euler, m1, SERIES_NMAX, &vcond);
	if (vcond < ccond)
		return vcond * DBL_EPSILON <= 1e-6 ? v : NAN;
	return ccond * DBL_EPSILON <= 1e-6 ? conn : NAN;
}

static double eval(double a, double b, double c, double z, int m1)
{
	double v;

	if (isnan(a) || isnan(b) || isnan(c) || isnan(z) || z > 1.0)
		return NAN;
	if (is_nonpos_int(c))
		return NAN;
	if (z == 0.0 || a == 0.0 || b == 0.0)
		return m1 ? 0.0 : 1.0;
	if ((is_nonpos_int(a) && a > -1e6) || (is_nonpos_int(b) && b > -1e6)) {
		/* A polynomial: the finite sum is exact wherever it is defined. */
		v = series(a, b, c, z, m1, SERIES_NMAX, NULL);
		return v;
	}
	if (z == 1.0) {
		if (c - a - b <= 0.0)
			return INFINITY;
		v = gauss_at_one(a, b, c);
		return m1 ? v - 1.0 : v;
	}
	if (z < 0.0) {
		/* Pfaff: F(a,b;c;z) = (1-z)^-a F(a, c-b; c; z/(z-1)); the roles of
		 * a and b are symmetric, so transform on the one that keeps the
		 * new parameters smaller. */
		double zz = z / (z - 1.0), l = log1p(-z), p;
		if (fabs(b * (c - a)) < fabs(a * (c - b))) {
			double t = a;
			a = b;
			b = t;
		}
		p = -a * l;
		v = unit_interval(a, c - b, c, zz, 1);
		return m1 ? expm1(p) + exp(p) * v : exp(p) * (1.0 + v);
	}
	return unit_interval(a, b, c, z, m1);
}

double loyal__hyp2f1(double a, double b, double c, double z)
{
	return eval(a, b, c, z, 0);
}

double loyal__hyp2f1m1(double a, double b, double c, double z)
{
	return eval(a, b, c, z, 1);
}

/*
 * Gauss's continued fraction for F(1, b; c; z) = F(b, 1; c; z), the ratio
 * F(a, b'+1; c'+1; z) / F(a, b'; c'; z) at a = b, b' = 0, c' = c - 1:
 *
 *   F = 1 / (1 - k1 z / (1 - k2 z / (1 - k3 z / ...)))
 *   k(2m+1) = (b+m)(c-1+m) / ((c-1+2m)(c+2m)),  k(2m) = m(c-b+m-1) / ((c-2+2m)(c-1+2m))
 *
 * (DLMF 15.7.5), summed by the modified Lentz method. With c > b > 0 every
 * k is positive, so for z in [0, 1) every partial denominator stays
 * positive and nothing cancels. It converges where the series and the
 * connection formula both struggle, at large b and z close to 1 (b = 5000,
 * 1 - z = 1e-4: 260 terms), and slowly as z -> 1 when b is small, where the
 * connection formula is accurate. Returns NAN when it has not converged in
 * nmax terms.
 */
static double gauss_cf_1b(double b, double c, double z, long nmax)
{
	const double tiny = 1e-300;
	double f = 1.0, C = 1.0, D = 0.0, cm1 = c - 1.0;
	long n;

	for (n = 1; n <= nmax; n++) {
		double m = (double)(n / 2), k, a, d;
		if (n % 2)
			k = (b + m) * (cm1 + m) / ((cm1 + 2.0 * m) * (cm1 + 2.0 * m + 1.0));
		else
			k = m * (cm1 - b + m) / ((cm1 + 2.0 * m - 1.0) * (cm1 + 2.0 * m));
		a = -k * z;
		D = 1.0 + a * D;
		if (D == 0.0)
			D = tiny;
		D = 1.0 / D;
		C = 1.0 + a / C;
		if (C == 0.0)
			C = tiny;
		d = C * D;
		f *= d;
		if (fabs(d - 1.0) <= DBL_EPSILON)
			return 1.0 / f;
	}
	return NAN;
}

double loyal__hyp2f1_1b(double b, double c, double z)
{
	double v, conn, cond;

	if (isnan(b) || isnan(c) || isnan(z) || z > 1.0 || z < 0.0 || !(c > b) || !(b > 0.0))
		return eval(1.0, b, c, z, 0);
	if (z <= 0.5)
		return series(1.0, b, c, z, 0, SERIES_NMAX, NULL);
	/* A few hundred terms of the fraction settle most cases. Where it is
	 * slow (z very close to 1 with c - b small), the connection formula
	 * is fast, and kept when it cancels little; otherwise the fraction
	 * goes on, also for large b where the connection formula loses digits
	 * (b = 5000, 1 - z = 1e-6: 10,000 terms). */
	v = gauss_cf_1b(b, c, z, 300);
	if (!isnan(v))
		return v;
	if (fabs(c - b - 1.0 - nearbyint(c - b - 1.0)) > 0.02) {
		/* not where near_one() interpolates: its error estimate is
		 * for moderate parameters, and b can be large here */
		conn = near_one(1.0, b, c, 1.0 - z, &cond);
		if (isfinite(conn) && cond * DBL_EPSILON <= 1e-12)
			return conn;
	}
	v = gauss_cf_1b(b, c, z, b > 100.0 ? 20000 : 4000);
	return isnan(v) ? eval(1.0, b, c, z, 0) : v;
}

double loyal__digamma(double x)
{
	double acc = 0.0, x2, series_sum;

	if (isnan(x) || x == -INFINITY)
		return NAN;
	if (x == INFINITY)
		return INFINITY;
	if (x <= 0.0) {
		if (x == floor(x))
			return NAN;
		/* Reflection: psi(x) = psi(1-x) - pi cot(pi x). */
		return loyal__digamma(1.0 - x) - pi / tan(pi * x);
	}
	/* Recurrence psi(x) = psi(x+1) - 1/x up to where the asymptotic
	 * expansion is accurate to double precision. */
	while (x < 10.0) {
		acc -= 1.0 / x;
		x += 1.0;
	}
	x2 = 1.0 / (x * x);
	/* -sum B_2k / (2k x^2k), k = 1..7 */
	series_sum = x2 * (1.0 / 12 - x2 * (1.0 / 120 - x2 * (1.0 / 252 - x2 * (1.0 / 240
		- x2 * (1.0 / 132 - x2 * (691.0 / 32760 - x2 * (1.0 / 12)))))));
	return acc + log(x) - 0.5 / x - series_sum;
}
