#ifndef LOYAL_HYP2F1_P_H
#define LOYAL_HYP2F1_P_H

/*
 * Special functions used by the statistical models (bgnbd.c, gammagamma.c).
 * Internal to libloyal: not exported, not part of the public API.
 *
 * All functions are pure and keep no state, and report an argument outside
 * their domain by returning NAN, never by failing. They may be called from
 * several threads at once; the only shared write is the POSIX `signgam`
 * that C's lgamma() sets (near z = 1), whose value nothing here reads.
 */

/* The Gauss hypergeometric function 2F1(a, b; c; z).
 *
 * For z in [0, 1), including z close to 1 where the power series converges
 * too slowly to be summed directly, accurate to about 1e-12 relative and
 * usually 1e-14 (tested against mpmath and scipy.special.hyp2f1) for
 * moderate parameters: |a|, |b| up to about 50, c up to about 1e4. z < 0 is
 * mapped into (0, 1) by Pfaff's transformation; there the result can be
 * tiny through cancellation and lose relative accuracy. At z == 1 it is
 * Gauss's value when c - a - b > 0 and +INFINITY otherwise.
 *
 * Returns NAN for z > 1, for NaN arguments, when c is 0 or a negative
 * integer (the function is undefined there), and when cancellation would
 * leave fewer than about 6 significant digits (parameters far outside the
 * range above). */
double loyal__hyp2f1(double a, double b, double c, double z);

/* 2F1(a, b; c; z) - 1, accurate also when the result is much smaller than 1
 * (small z, or a or b close to 0): the leading 1 is never added and then
 * subtracted where the power series is summed directly. Same domain and
 * return conventions as loyal__hyp2f1(). */
double loyal__hyp2f1m1(double a, double b, double c, double z);

/* 2F1(1, b; c; z) for c > b > 0 and z in [0, 1): the special case of the
 * Pareto/NBD model (pnbd.c), where b can be large (a customer's purchases)
 * and z close to 1. Gauss's continued fraction where it converges within
 * 4000 terms (20000 for b > 100), loyal__hyp2f1() otherwise. Tested
 * against mpmath for b from 0.01 to 5000, c - b from 0.05 to 50 and 1 - z
 * down to 1e-10: the relative error is below 2e-12 (1 + kappa), kappa =
 * |z F'(z)/F| being the function's own condition number in z (about
 * (1 - c + b) z/(1 - z) near 1: no method that starts from the rounded z
 * can do better). Other arguments: as loyal__hyp2f1(1, b, c, z). */
double loyal__hyp2f1_1b(double b, double c, double z);

/* The digamma function psi(x) = d/dx ln Gamma(x), to about 1e-15 relative
 * away from its zero near 1.4616. Returns NAN at 0 and the negative integers
 * (its poles) and for NaN; +INFINITY for +INFINITY. */
double loyal__digamma(double x);

#endif
