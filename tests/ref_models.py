#!/usr/bin/python3
"""Independent reference for loyal churn and loyal clv on the CDNOW sample.

Usage: ref_models.py LOYAL CDNOW_sample.txt TMPDIR

TMPDIR/cdnow.csv is the CSV that tests/cli_models.sh made of the raw file
(loyal reads that; this script reads the raw file).

Reads the raw CDNOW file itself (customer id, sample id, YYYYMMDD, CDs,
dollars), builds the per-customer statistics with pandas, and checks what
loyal prints against formulas written out here from the papers with scipy:

  - the BG/NBD, MBG/NBD, Pareto/NBD and Gamma-Gamma fits: scipy's own
    maximum-likelihood fits (the papers' likelihoods, with gamma and beta
    functions, and Fader & Hardie's 2F1 form of the Pareto/NBD one, through
    scipy.special.hyp2f1) must agree with loyal's --params, and loyal's
    estimates must be the maximum of these likelihoods; --model auto must
    choose the lowest BIC;
  - every customer's P(no purchase) in the horizon, and for Pareto/NBD
    P(alive) and E[Y] of a sample of customers, P(no purchase) by a double
    integral (scipy.integrate) over the posterior of the two rates;
  - every customer's p_alive, churn and expected purchases (loyal churn),
    in days, weeks and months;
  - the holdout evaluation (--holdout-to): predicted total, actual total
    (counted here from the raw rows), MAE, RMSE and correlation;
  - the tracking table (--curve), month by month, predicted and actual;
  - every customer's expected spend and CLV (loyal clv);
  - on data/orders.csv, the three fits at several as-of dates, from the
    frequency, recency and T that loyal reports (so that the definition of
    a purchase in that file is not tested here but in ref_txn.py).

Calibration to 1997-09-30, holdout to 1998-06-30; purchases on the same
day are one purchase. Exits 0 when everything agrees, 1 otherwise.
"""
import io
import subprocess
import sys

import numpy as np
import pandas as pd
import os

from scipy import optimize, special

loyal, raw, tmp = sys.argv[1:4]
AS_OF = pd.Timestamp("1997-09-30")
HOLDOUT_TO = pd.Timestamp("1998-06-30")
failures = []


def check(name, got, want, rel=1e-6, abs_=1e-9):
    got, want = np.asarray(got, float), np.asarray(want, float)
    err = np.abs(got - want)
    bad = ~(err <= abs_ + rel * np.abs(want))
    if bad.any():
        i = np.flatnonzero(bad.ravel())[0]
        failures.append(f"{name}: loyal {got.ravel()[i]!r}, reference {want.ravel()[i]!r} "
                        f"({bad.sum()} of {bad.size} differ)")
    else:
        print(f"ok - reference: {name}")


def run(*args):
    out = subprocess.run([loyal, *args, "--format", "csv", "-q"], check=True,
                         capture_output=True, text=True).stdout
    return pd.read_csv(io.StringIO(out), dtype={"customer": str})


# ---- the data, read independently ---------------------------------------
rows = pd.read_csv(raw, sep=r"\s+", header=None,
                   names=["customer", "sample", "ymd", "cds", "dollars"],
                   dtype={"customer": str, "ymd": str})
rows["date"] = pd.to_datetime(rows["ymd"], format="%Y%m%d")
days = rows.groupby(["customer", "date"], as_index=False)["dollars"].sum()
cal = days[days["date"] <= AS_OF]
first = cal.groupby("customer")["date"].min().rename("first")
last = cal.groupby("customer")["date"].max().rename("last")
n_days = cal.groupby("customer").size().rename("n")
cust = pd.concat([first, last, n_days], axis=1)
cust["x"] = cust["n"] - 1
cust["tx_days"] = (cust["last"] - cust["first"]).dt.days
cust["T_days"] = (AS_OF - cust["first"]).dt.days
# mean repeat spend: the days after the first one
rep = cal.merge(first, left_on="customer", right_index=True)
rep = rep[rep["date"] > rep["first"]]
cust["m"] = rep.groupby("customer")["dollars"].mean()
hold = days[(days["date"] > AS_OF) & (days["date"] <= HOLDOUT_TO)]
cust["holdout"] = hold.groupby("customer").size().reindex(cust.index, fill_value=0)
assert len(cust) == 2357, len(cust)

x = cust["x"].to_numpy(float)


# ---- BG/NBD, from Fader, Hardie & Lee (2005) -----------------------------
def bgnbd_ll(r, al, a, b, x, tx, T):
    lnA = (special.gammaln(r + x) - special.gammaln(r) + r * np.log(al)
           + special.betaln(a, b + x) - special.betaln(a, b) - (r + x) * np.log(al + T))
    with np.errstate(divide="ignore", invalid="ignore"):
        lnB = np.where(x > 0,
                       special.gammaln(r + x) - special.gammaln(r) + r * np.log(al)
                       + special.betaln(a + 1, np.maximum(b + x - 1, 1e-300))
                       - special.betaln(a, b) - (r + x) * np.log(al + tx), -np.inf)
    return np.logaddexp(lnA, lnB).sum()


def p_alive(r, al, a, b, x, tx, T):
    odds = np.where(x > 0, a / np.maximum(b + x - 1, 1e-300)
                    * ((al + T) / (al + tx)) ** (r + x), 0.0)
    return 1.0 / (1.0 + odds)


def expected_conditional(r, al, a, b, t, x, tx, T):
    z = t / (al + T + t)
    h = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
    return ((a + b + x - 1) / (a - 1) * (1 - ((al + T) / (al + T + t)) ** (r + x) * h)
            * p_alive(r, al, a, b, x, tx, T))


def expected_unconditional(r, al, a, b, t):
    t = np.asarray(t, float)
    h = special.hyp2f1(r, b, a + b - 1, t / (al + t))
    return (a + b - 1) / (a - 1) * (1 - (al / (al + t)) ** r * h)


def mbgnbd_ll(r, al, a, b, x, tx, T):
    c = special.gammaln(r + x) - special.gammaln(r) + r * np.log(al)
    lnA = special.betaln(a, b + x + 1) - special.betaln(a, b) - (r + x) * np.log(al + T)
    lnB = special.betaln(a + 1, b + x) - special.betaln(a, b) - (r + x) * np.log(al + tx)
    return (c + np.logaddexp(lnA, lnB)).sum()


def mbg_p_alive(r, al, a, b, x, tx, T):
    return 1.0 / (1.0 + a / (b + x) * ((al + T) / (al + tx)) ** (r + x))


def mbg_expected(r, al, a, b, t, x, tx, T):
    h = special.hyp2f1(r + x, b + x + 1, a + b + x, t / (al + T + t))
    return ((a + b + x) / (a - 1) * (1 - ((al + T) / (al + T + t)) ** (r + x) * h)
            * mbg_p_alive(r, al, a, b, x, tx, T))


def pnbd_log_a0(r, al, s, be, x, tx, T):
    """ln A0 of Fader & Hardie's note (equations 19-20), with scipy's 2F1."""
    if al >= be:
        lo, hi, b2 = be, al, s + 1
    else:
        lo, hi, b2 = al, be, r + x
    rsx = r + s + x
    f1 = special.hyp2f1(rsx, b2, rsx + 1, (hi - lo) / (hi + tx)) / (hi + tx) ** rsx
    f2 = special.hyp2f1(rsx, b2, rsx + 1, (hi - lo) / (hi + T)) / (hi + T) ** rsx
    with np.errstate(divide="ignore"):
        return np.log(f1 - f2)


def pnbd_ll(r, al, s, be, x, tx, T):
    c = special.gammaln(r + x) - special.gammaln(r) + r * np.log(al) + s * np.log(be)
    first = -(r + x) * np.log(al + T) - s * np.log(be + T)
    return (c + np.logaddexp(first, np.log(s / (r + s + x)) + pnbd_log_a0(r, al, s, be, x, tx, T))).sum()


def pnbd_p_alive(r, al, s, be, x, tx, T):
    return 1.0 / (1.0 + s / (r + s + x) * np.exp((r + x) * np.log(al + T) + s * np.log(be + T)
                                                   + pnbd_log_a0(r, al, s, be, x, tx, T)))


def pnbd_expected(r, al, s, be, t, x, tx, T):
    return ((r + x) * (be + T) / ((al + T) * (s - 1)) * (1 - ((be + T) / (be + T + t)) ** (s - 1))
            * pnbd_p_alive(r, al, s, be, x, tx, T))


def pnbd_p_none_quad(r, al, s, be, t, x, tx, T):
    """P(no purchase in t): for an alive customer with rates lambda and mu,
    1 - lambda/(lambda+mu) (1 - e^-(lambda+mu)t), integrated over their
    posterior Gamma(r+x, alpha+T) x Gamma(s, beta+T) by generalised
    Gauss-Laguerre quadrature (80 x 80 nodes: converged to 1e-14; checked
    against scipy.integrate.dblquad), then mixed with P(alive)."""
    a1, b1, a2, b2 = r + x, al + T, s, be + T
    xl, wl = special.roots_genlaguerre(80, a1 - 1)
    xm, wm = special.roots_genlaguerre(80, a2 - 1)
    lam, mu = xl[:, None] / b1, xm[None, :] / b2
    f = 1 - lam / (lam + mu) * -np.expm1(-(lam + mu) * t)
    p0 = (wl[:, None] * wm[None, :] * f).sum() / np.exp(special.gammaln(a1) + special.gammaln(a2))
    pa = pnbd_p_alive(r, al, s, be, x, tx, T)
    return 1 - pa + pa * p0


def fit(ll, start):
    res = optimize.minimize(lambda th: -ll(*np.exp(th)), np.log(start),
                            method="Nelder-Mead",
                            options={"xatol": 1e-10, "fatol": 1e-10, "maxiter": 20000,
                                     "maxfev": 40000})
    return np.exp(res.x), -res.fun


for unit, ud in (("week", 7.0), ("day", 1.0), ("month", 30.0)):
    tx, T = cust["tx_days"].to_numpy() / ud, cust["T_days"].to_numpy() / ud
    pr = run("churn", tmp + "/cdnow.csv", "--as-of", "1997-09-30", "--params",
             "--unit", unit).iloc[0]
    th = pr[["r", "alpha", "a", "b"]].to_numpy(float)
    ll = lambda r, al, a, b: bgnbd_ll(r, al, a, b, x, tx, T)
    est, llmax = fit(ll, th * 1.1)
    check(f"BG/NBD fit ({unit}s): loyal = scipy's maximum", th, est, rel=2e-4)
    check(f"BG/NBD log-likelihood ({unit}s)", pr["log_likelihood"], ll(*th), rel=1e-10)
    assert ll(*th) >= llmax - 1e-6, (ll(*th), llmax)

    # every customer's scores over the default horizon (365 days)
    ch = run("churn", tmp + "/cdnow.csv", "--as-of", "1997-09-30", "--unit", unit)
    ch = ch.set_index("customer").loc[cust.index]
    check(f"frequency, recency, T ({unit}s)",
          ch[["frequency", "recency", "T"]].to_numpy(),
          np.column_stack([x, tx, T]), rel=1e-15)
    pa = p_alive(*th, x, tx, T)
    check(f"p_alive ({unit}s)", ch["p_alive"], pa, rel=1e-12)
    check(f"churn = 1 - p_alive ({unit}s)", ch["churn"], 1 - pa, rel=1e-9, abs_=1e-12)
    ey = expected_conditional(*th, 365.0 / ud, x, tx, T)
    check(f"expected purchases in 365 days ({unit}s)", ch["expected_purchases"], ey, rel=1e-9)
    none = 1 - pa + pa * ((th[1] + T) / (th[1] + T + 365.0 / ud)) ** (th[0] + x)
    check(f"P(no purchase in 365 days) ({unit}s)", ch["p_no_purchase"], none, rel=1e-12)

    if unit == "week":
        # FHL 2005's customer: x = 2, t_x = 30.43, T = 38.86 -> 1.226 in 39 weeks
        check("paper's customer: E[Y(39)] = 1.226",
              round(expected_conditional(*th, 39.0, 2, 30.43, 38.86), 3), 1.226, rel=0)

        # the holdout evaluation: 39 weeks
        ho = run("churn", tmp + "/cdnow.csv", "--as-of", "1997-09-30",
                 "--holdout-to", "1998-06-30", "--evaluation").iloc[0]
        pred = expected_conditional(*th, 273 / 7.0, x, tx, T)
        act = cust["holdout"].to_numpy(float)
        check("holdout customers", ho["customers"], len(cust), rel=0)
        check("holdout actual total (counted from the raw rows)", ho["actual"], act.sum(), rel=0)
        check("holdout predicted total", ho["predicted"], pred.sum(), rel=1e-9)
        check("holdout MAE", ho["mae"], np.abs(pred - act).mean(), rel=1e-9)
        check("holdout RMSE", ho["rmse"], np.sqrt(((pred - act) ** 2).mean()), rel=1e-9)
        check("holdout correlation", ho["correlation"], np.corrcoef(pred, act)[0, 1], rel=1e-9)
        check("holdout length", ho["length"], 39.0, rel=0)

        # the tracking table, month by month: cumulative repeat purchases
        cv = run("churn", tmp + "/cdnow.csv", "--as-of", "1997-09-30",
                 "--holdout-to", "1998-06-30", "--curve")
        day0 = cust["first"].min()
        months = pd.period_range(day0, HOLDOUT_TO, freq="M")
        want_to = [min(m.end_time.normalize(), HOLDOUT_TO) for m in months]
        want_from = [max(m.start_time, day0) for m in months]
        check("tracking rows: one per month", len(cv), len(months), rel=0)
        check("tracking from", pd.to_datetime(cv["from"]).values.astype("int64"),
              pd.DatetimeIndex(want_from).values.astype("int64"), rel=0)
        ends = pd.to_datetime(cv["to"])
        check("tracking to", ends.values.astype("int64"),
              pd.DatetimeIndex(want_to).values.astype("int64"), rel=0)
        acq = cust.groupby("first").size()
        s = (acq.index - day0).days.to_numpy() / 7.0
        tt = (ends - day0).dt.days.to_numpy() / 7.0
        want = np.array([(acq.to_numpy() * np.where(t > s, expected_unconditional(
            *th, np.maximum(t - s, 0)), 0)).sum() for t in tt])
        check("tracking predicted cumulative", cv["predicted_cumulative"], want, rel=1e-9)
        check("tracking predicted per month", cv["predicted"], np.diff(want, prepend=0.0),
              rel=1e-9, abs_=1e-9)
        allrep = days.merge(first, left_on="customer", right_index=True)
        allrep = allrep[(allrep["date"] > allrep["first"]) & (allrep["date"] <= HOLDOUT_TO)]
        acts = np.array([(allrep["date"] <= e).sum() for e in ends])
        check("tracking actual cumulative", cv["actual_cumulative"], acts, rel=0)
        check("tracking actual per month", cv["actual"], np.diff(acts, prepend=0), rel=0)
        check("tracking part", (cv["part"] == "calibration").to_numpy(),
              (ends <= AS_OF).to_numpy(), rel=0)

# ---- MBG/NBD and Pareto/NBD, in weeks --------------------------------------
tx, T = cust["tx_days"].to_numpy() / 7.0, cust["T_days"].to_numpy() / 7.0
models = {}
for key, ll_fn, names in (("mbgnbd", mbgnbd_ll, ["r", "alpha", "a", "b"]),
                          ("pnbd", pnbd_ll, ["r", "alpha", "s", "beta"])):
    pr = run("churn", tmp + "/cdnow.csv", "--as-of", "1997-09-30", "--params",
             "--model", key).iloc[0]
    th = pr[names].to_numpy(float)
    ll = lambda *q: ll_fn(*q, x, tx, T)
    est, llmax = fit(ll, th * 1.1)
    check(f"{key} fit: loyal = scipy's maximum", th, est, rel=2e-3 if key == "pnbd" else 2e-4)
    check(f"{key} log-likelihood", pr["log_likelihood"], ll(*th), rel=1e-10)
    assert ll(*th) >= llmax - 1e-6, (key, ll(*th), llmax)
    check(f"{key} bic", pr["bic"], 4 * np.log(len(cust)) - 2 * ll(*th), rel=1e-10)
    models[key] = (th, pr)
    ch = run("churn", tmp + "/cdnow.csv", "--as-of", "1997-09-30", "--model", key,
             "--horizon", "39").set_index("customer").loc[cust.index]
    if key == "mbgnbd":
        pa = mbg_p_alive(*th, x, tx, T)
        ey = mbg_expected(*th, 39.0, x, tx, T)
        none = 1 - pa + pa * ((th[1] + T) / (th[1] + T + 39.0)) ** (th[0] + x)
        check("mbgnbd p_alive", ch["p_alive"], pa, rel=1e-12)
        check("mbgnbd expected purchases in 39 weeks", ch["expected_purchases"], ey, rel=1e-9)
        check("mbgnbd P(no purchase in 39 weeks)", ch["p_no_purchase"], none, rel=1e-12)
    else:
        pa = np.array([pnbd_p_alive(*th, *c) for c in zip(x, tx, T)])
        ey = np.array([pnbd_expected(*th, 39.0, *c) for c in zip(x, tx, T)])
        check("pnbd p_alive (scipy's 2F1)", ch["p_alive"], pa, rel=1e-9)
        check("pnbd expected purchases in 39 weeks", ch["expected_purchases"], ey, rel=1e-9)
        none = np.array([pnbd_p_none_quad(*th, 39.0, *c) for c in zip(x, tx, T)])
        check("pnbd P(no purchase in 39 weeks) (Gauss-Laguerre over the posterior)",
              ch["p_no_purchase"], none, rel=1e-10)

auto = run("churn", tmp + "/cdnow.csv", "--as-of", "1997-09-30", "--params", "--model", "auto")
best = auto.loc[auto["bic"].idxmin(), "model"]
check("--model auto chooses the lowest BIC", (auto["chosen"] & (auto["model"] == best)).sum(), 1,
      rel=0)

# ---- Gamma-Gamma, from Fader & Hardie's note ------------------------------
rpt = cust[cust["x"] > 0]
gx, gm = rpt["x"].to_numpy(float), rpt["m"].to_numpy(float)


def gg_ll(p, q, g):
    return (special.gammaln(p * gx + q) - special.gammaln(p * gx) - special.gammaln(q)
            + q * np.log(g) + (p * gx - 1) * np.log(gm) + p * gx * np.log(gx)
            - (p * gx + q) * np.log(g + gx * gm)).sum()


pp = run("clv", tmp + "/cdnow.csv", "--as-of", "1997-09-30", "--params").set_index("model")
bg = pp.loc["bgnbd", ["r", "alpha", "a", "b"]].to_numpy(float)
gg = pp.loc["gammagamma", ["p", "q", "gamma"]].to_numpy(float)
est, llmax = fit(gg_ll, gg * 1.1)
check("Gamma-Gamma fit: loyal = scipy's maximum", gg, est, rel=2e-4)
check("Gamma-Gamma log-likelihood", pp.loc["gammagamma", "log_likelihood"], gg_ll(*gg), rel=1e-10)
check("Gamma-Gamma customers", pp.loc["gammagamma", "customers"], len(rpt), rel=0)
p, q, g = gg
population = p * g / (q - 1)
check("population mean spend", pp.loc["gammagamma", "mean_spend"], population, rel=1e-12)

cl = run("clv", tmp + "/cdnow.csv", "--as-of", "1997-09-30")
cl = cl.set_index("customer").loc[cust.index]
tx, T = cust["tx_days"].to_numpy() / 7.0, cust["T_days"].to_numpy() / 7.0
m = cust["m"].to_numpy(float)
spend = np.where(x > 0, p * (g + x * np.nan_to_num(m)) / (p * x + q - 1), population)
check("expected spend", cl["expected_spend"], spend, rel=1e-12)
check("p_alive (clv)", cl["p_alive"], p_alive(*bg, x, tx, T), rel=1e-12)
value = np.zeros(len(cust))
prev = np.zeros(len(cust))
for i in range(1, 13):
    cur = expected_conditional(*bg, 30 * i / 7.0, x, tx, T)
    value += (cur - prev) * spend / 1.01 ** i
    prev = cur
check("expected purchases in 12 months (clv)", cl["expected_purchases"], prev, rel=1e-9)
check("clv, 12 months at 1% a month", cl["clv"], value, rel=1e-9)

# in months: the month is 30 days whatever the unit, so month i ends at t = i
bgm = run("clv", tmp + "/cdnow.csv", "--as-of", "1997-09-30", "--params", "--unit", "month"
          ).set_index("model").loc["bgnbd", ["r", "alpha", "a", "b"]].to_numpy(float)
cl = run("clv", tmp + "/cdnow.csv", "--as-of", "1997-09-30", "--months", "3",
         "--discount", "0.1", "--unit", "month").set_index("customer").loc[cust.index]
txm, Tm = cust["tx_days"].to_numpy() / 30.0, cust["T_days"].to_numpy() / 30.0
value[:] = 0
prev[:] = 0
for i in range(1, 4):
    cur = expected_conditional(*bgm, float(i), x, txm, Tm)
    value += (cur - prev) * spend / 1.1 ** i
    prev = cur
check("clv, 3 months at 10% a month, in months", cl["clv"], value, rel=1e-9)

# ---- data/orders.csv: the three fits at several as-of dates ---------------
orders = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data",
                      "orders.csv")
for as_of in ("2011-03-31", "2011-06-30", "2011-09-30", "2011-12-09"):
    cu = run("churn", orders, "--as-of", as_of)
    ox, otx, oT = (cu[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    pr = run("churn", orders, "--as-of", as_of, "--params", "--model", "auto").set_index("model")
    for key, ll_fn, names in (("bgnbd", bgnbd_ll, ["r", "alpha", "a", "b"]),
                              ("mbgnbd", mbgnbd_ll, ["r", "alpha", "a", "b"]),
                              ("pnbd", pnbd_ll, ["r", "alpha", "s", "beta"])):
        if key not in pr.index:
            failures.append(f"orders.csv as of {as_of}: {key} not fitted")
            continue
        th = pr.loc[key, names].to_numpy(float)
        ll = lambda *q: ll_fn(*q, ox, otx, oT)
        est, llmax = fit(ll, th * 1.1)
        check(f"orders.csv as of {as_of}: {key} log-likelihood", pr.loc[key, "log_likelihood"],
              ll(*th), rel=1e-10)
        # loyal's estimate is the maximum: scipy finds nothing better
        check(f"orders.csv as of {as_of}: {key} is scipy's maximum", ll(*th), max(llmax, ll(*th)),
              rel=1e-9)
        check(f"orders.csv as of {as_of}: {key} parameters", th, est, rel=5e-3)

for f in failures:
    print("not ok - reference: " + f)
sys.exit(1 if failures else 0)
