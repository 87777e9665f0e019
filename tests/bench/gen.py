#!/usr/bin/python3
"""Generate the benchmark inputs of tests/bench/ with a fixed seed.

    gen.py survey ROWS FILE     survey answers, 0-10 scores by channel
    gen.py orders LINES CUSTOMERS FILE
                                a point-of-sale export: one receipt id per
                                line, ~2% guest lines, ~1% returns
    gen.py churn CUSTOMERS FILE purchases simulated from BG/NBD

Deterministic for a given numpy version (numpy.random.default_rng, PCG64,
seed 20250101). Written in blocks, so memory stays small.
"""
import datetime
import sys

import numpy as np

SEED = 20250101
BLOCK = 500_000


def day_text(days, start):
    """ISO dates of day offsets from `start`."""
    base = np.datetime64(start, "D")
    return np.datetime_as_string(base + days.astype("timedelta64[D]"), unit="D")


def survey(rows, path):
    rng = np.random.default_rng(SEED)
    channels = np.array(["web", "store", "app", "phone"])
    ch_p = np.array([0.4, 0.3, 0.2, 0.1])
    comments = np.array(["", "", "ok", "\"fast, friendly\"", "too slow",
                         "\"line one\nline two\"", "\"said \"\"great\"\"\""])
    com_p = np.array([0.55, 0.2, 0.1, 0.08, 0.06, 0.001, 0.009])
    com_p = com_p / com_p.sum()
    with open(path, "w", newline="") as f:
        f.write("response_id,submitted_at,customer_id,channel,nps,comment\n")
        done = 0
        while done < rows:
            n = min(BLOCK, rows - done)
            ids = np.arange(done + 1, done + n + 1)
            days = rng.integers(0, 365, n)
            secs = rng.integers(0, 86400, n)
            cust = rng.integers(1, 2_000_000, n)
            ch = channels[rng.choice(4, n, p=ch_p)]
            # promoters more likely in store, detractors by phone
            score = np.clip(np.rint(rng.normal(7.4, 2.3, n)
                                    + np.where(ch == "store", 0.8, 0)
                                    - np.where(ch == "phone", 1.2, 0)), 0, 10).astype(int)
            score_txt = score.astype(str)
            score_txt[rng.random(n) < 0.01] = ""   # non-responses
            com = comments[rng.choice(len(comments), n, p=com_p)]
            dates = day_text(days, "2024-01-01")
            hh, mm, ss = secs // 3600, secs // 60 % 60, secs % 60
            out = []
            for i in range(n):
                out.append(f"R{ids[i]},{dates[i]}T{hh[i]:02d}:{mm[i]:02d}:{ss[i]:02d},"
                           f"C{cust[i]},{ch[i]},{score_txt[i]},{com[i]}\n")
            f.write("".join(out))
            done += n


def orders(lines, customers, path):
    """A year of receipts, in time order. Receipt ids ascend with time; each
    line is its own receipt. Customers buy at gamma-distributed rates, so
    most buy several times and some once."""
    rng = np.random.default_rng(SEED)
    # customer ids: distinct random 8-digit numbers
    ids = 10_000_000 + rng.choice(90_000_000, customers, replace=False)
    weights = rng.gamma(1.5, 1.0, customers)
    cdf = np.cumsum(weights)
    cdf /= cdf[-1]
    # times: sorted seconds over 2024 (366 days)
    t = np.sort(rng.integers(0, 366 * 86400, lines))
    skus = np.array(["%06d" % (100000 + k * 37) for k in range(2000)])
    prices = np.array(["0.99", "1.25", "2.50", "3.75", "4.99", "7.95", "12.00", "19.99"])
    with open(path, "w", newline="") as f:
        f.write("receipt_id,timestamp,customer_id,sku,qty,unit_price\n")
        done = 0
        while done < lines:
            n = min(BLOCK, lines - done)
            tt = t[done:done + n]
            dates = day_text(tt // 86400, "2024-01-01")
            hh, mm = tt // 3600 % 24, tt // 60 % 60
            cust = ids[np.searchsorted(cdf, rng.random(n))].astype(str)
            guest = rng.random(n) < 0.02
            cust[guest] = ""
            qty = rng.choice([1, 1, 1, 2, 2, 3, 4, 6], n)
            ret = (rng.random(n) < 0.01) & ~guest
            qty = np.where(ret, -qty, qty)
            sku = skus[rng.integers(0, len(skus), n)]
            price = prices[rng.integers(0, len(prices), n)]
            out = []
            for i in range(n):
                out.append(f"{50_000_000 + done + i},{dates[i]} {hh[i]:02d}:{mm[i]:02d},"
                           f"{cust[i]},{sku[i]},{qty[i]},{price[i]}\n")
            f.write("".join(out))
            done += n


def churn(customers, path):
    """BG/NBD with r 0.25, alpha 4, a 0.8, b 2.5 (weeks), customers acquired
    over 39 weeks from 2023-01-01 and observed to day 420 (60 weeks); each purchase is a
    line with an amount, two purchases on one day are one occasion."""
    rng = np.random.default_rng(SEED)
    ids = (1_000_000 + rng.choice(9_000_000, customers, replace=False)).astype(str)
    lam = rng.gamma(0.25, 1 / 4.0, customers)            # per week
    p = rng.beta(0.8, 2.5, customers)
    birth = rng.random(customers) * 273.0                 # days
    end = 420.0
    cust_l, day_l = [np.arange(customers)], [np.floor(birth)]
    t = birth.copy()
    alive = np.ones(customers, dtype=bool)
    while alive.any():
        idx = np.nonzero(alive)[0]
        t[idx] += rng.exponential(1.0, idx.size) / np.maximum(lam[idx], 1e-300) * 7.0
        ok = t[idx] < end
        idx_ok = idx[ok]
        cust_l.append(idx_ok)
        day_l.append(np.floor(t[idx_ok]))
        alive[idx[~ok]] = False
        # after a purchase the customer drops out with probability p
        drop = rng.random(idx_ok.size) < p[idx_ok]
        alive[idx_ok[drop]] = False
    cust = np.concatenate(cust_l)
    day = np.concatenate(day_l).astype(np.int64)
    order = np.lexsort((cust, day))
    cust, day = cust[order], day[order]
    amount = np.round(rng.gamma(2.0, 20.0, cust.size), 2)
    dates = day_text(day, "2023-01-01")
    with open(path, "w", newline="") as f:
        f.write("customer_id,date,amount\n")
        for s in range(0, cust.size, BLOCK):
            e = min(cust.size, s + BLOCK)
            f.write("".join(f"{ids[cust[i]]},{dates[i]},{amount[i]:.2f}\n"
                            for i in range(s, e)))


def main():
    kind = sys.argv[1]
    if kind == "survey":
        survey(int(sys.argv[2]), sys.argv[3])
    elif kind == "orders":
        orders(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    elif kind == "churn":
        churn(int(sys.argv[2]), sys.argv[3])
    else:
        sys.exit("unknown kind " + kind)


if __name__ == "__main__":
    main()
