#!/usr/bin/python3
"""An independent BG/NBD fit with scipy, the way lifetimes fits it.

    bgnbd_fit.py FILE.csv [AS_OF]

This is the peer of tests/bench/churn.sh. The Python package lifetimes
(BetaGeoFitter) cannot be installed on this project's machines (PyPI is out
of reach), so this script does what its fit does, with numpy and scipy:
the same log-likelihood (Fader, Hardie and Lee 2005, eq. 6) over every
customer (not grouped), the same parameters (log r, log alpha, log a, log b,
starting at 0.1 each), time scaled by 10 / max(T) as lifetimes scales it,
scipy.optimize.minimize with its default method for an unbounded problem
(BFGS) and tol 1e-7, with exact gradients (lifetimes gets them from
autograd; here they are written out), and the Hessian at the optimum for
the standard errors (lifetimes: autograd's hessian; here: central
differences of the exact gradient). It is not lifetimes.

Input: customer_id,date[,...] rows; purchase occasions are calendar days;
time in weeks; the as-of date defaults to the last date. The summary per
customer (x, t_x, T) is computed with pandas before the clock starts: what
is timed is the fit alone, as "lifetimes' fit alone" is.

Prints: r, alpha, a, b, their standard errors, the log-likelihood, the
customers and the seconds of the fit.
"""
import sys
import time

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import gammaln, digamma


def summary(path, as_of=None):
    df = pd.read_csv(path, usecols=[0, 1], names=["c", "d"], header=0, dtype={"c": str},
                     parse_dates=["d"])
    df = df.dropna(subset=["c"])
    days = df["d"].values.astype("datetime64[D]").astype(np.int64)
    df = pd.DataFrame({"c": df["c"].values, "d": days}).drop_duplicates()
    end = days.max() if as_of is None else np.datetime64(as_of, "D").astype(np.int64)
    g = df.groupby("c")["d"].agg(["min", "max", "count"])
    x = (g["count"] - 1).to_numpy(dtype=float)
    t_x = ((g["max"] - g["min"]) / 7.0).to_numpy(dtype=float)
    T = ((end - g["min"]) / 7.0).to_numpy(dtype=float)
    return x, t_x, T


def nll_and_grad(logp, x, t_x, T):
    """Mean negative log-likelihood and its gradient in the log parameters."""
    r, alpha, a, b = np.exp(logp)
    pos = x > 0
    A1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    A2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    A3 = -(r + x) * np.log(alpha + T)
    A4 = np.where(pos, np.log(a) - np.log(b + np.maximum(x, 1) - 1)
                  - (r + x) * np.log(alpha + t_x), -np.inf)
    m = np.maximum(A3, A4)
    e3, e4 = np.exp(A3 - m), np.exp(A4 - m)
    s = e3 + e4
    ll = A1 + A2 + np.log(s) + m
    w3, w4 = e3 / s, e4 / s
    n = x.size
    dr = digamma(r + x) - digamma(r) + np.log(alpha) - w3 * np.log(alpha + T) \
        - w4 * np.where(pos, np.log(alpha + t_x), 0)
    dalpha = r / alpha - w3 * (r + x) / (alpha + T) - w4 * (r + x) / (alpha + t_x)
    da = digamma(a + b) - digamma(a + b + x) + w4 / a
    db = digamma(a + b) + digamma(b + x) - digamma(b) - digamma(a + b + x) \
        - w4 / (b + np.maximum(x, 1) - 1)
    grad = -np.array([dr.sum() * r, dalpha.sum() * alpha, da.sum() * a, db.sum() * b]) / n
    return -ll.sum() / n, grad


def fit(x, t_x, T):
    scale = 10.0 / T.max()
    args = (x, t_x * scale, T * scale)
    res = minimize(nll_and_grad, 0.1 * np.ones(4), args=args, jac=True, tol=1e-7)
    # Hessian of the total log-likelihood in (r, alpha, a, b), for the
    # standard errors: central differences of the exact gradient.
    p = np.exp(res.x)
    n = x.size

    def grad_p(q):
        _, g = nll_and_grad(np.log(q), *args)
        return g / q * n  # d(-LL)/dq
    H = np.zeros((4, 4))
    for i in range(4):
        h = p[i] * 1e-5
        up, dn = p.copy(), p.copy()
        up[i] += h
        dn[i] -= h
        H[:, i] = (grad_p(up) - grad_p(dn)) / (2 * h)
    H = (H + H.T) / 2
    se = np.sqrt(np.diag(np.linalg.inv(H)))
    r, alpha, a, b = p
    # back to unscaled weeks: alpha scales with time
    return (r, alpha / scale, a, b), (se[0], se[1] / scale, se[2], se[3]), res


def main():
    x, t_x, T = summary(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
    t0 = time.perf_counter()
    (r, alpha, a, b), se, res = fit(x, t_x, T)
    seconds = time.perf_counter() - t0
    # log-likelihood in unscaled weeks (the scale only shifts it)
    scale = 10.0 / T.max()
    ll = -nll_and_grad(np.log([r, alpha * scale, a, b]), x, t_x * scale, T * scale)[0] * x.size
    ll += np.sum(x) * np.log(scale)
    print("r,alpha,a,b,se_r,se_alpha,se_a,se_b,log_likelihood,customers,iterations,seconds")
    print(",".join(repr(float(v)) for v in (r, alpha, a, b) + tuple(se))
          + ",%r,%d,%d,%.3f" % (float(ll), x.size, res.nit, seconds))


if __name__ == "__main__":
    main()
