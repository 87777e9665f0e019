#!/usr/bin/python3
"""Recompute loyal's transaction metrics with pandas, independently of the
C code, and compare: the customer summary, the repurchase rate (overall, by
month cohort and by a --by column) with the mean and median days between
purchases, the monthly period retention, and the cohort matrix (bounded
and unbounded). Both ways of counting returns: --returns net-day (the
default: a customer's day that has a return and nets to zero or below
holds no purchase occasion) and --returns keep.

Two inputs: data/orders.csv (order occasions, amount = quantity x price,
datetimes, guest rows, returns) and a file generated here with a fixed seed
(no order column, so occasions are days; YYYYMMDD dates; an amount column;
guest rows; returns; several rows on one day).

Usage: ref_txn.py LOYAL ORDERS_CSV WORKDIR     exit 0 when all agree
"""
import io
import os
import random
import subprocess
import sys
from decimal import Decimal

import pandas as pd

loyal, orders_csv, workdir = sys.argv[1], sys.argv[2], sys.argv[3]
failures = 0


def fail(msg):
    global failures
    failures += 1
    print("mismatch:", msg)


def run(path, *args):
    out = subprocess.run([loyal, *args, path, "--format", "csv", "-q"],
                         check=True, capture_output=True, text=True).stdout
    return pd.read_csv(io.StringIO(out), dtype={"cohort": str, "period": str,
                                                "customer": str, "Country": str,
                                                "channel": str})


def near(a, b, tol=1e-9):
    if pd.isna(a) or pd.isna(b):
        return pd.isna(a) and pd.isna(b)
    return abs(float(a) - float(b)) <= tol


def reference(df, cust, day, amount, order=None, by=None, returns="net-day"):
    """Everything loyal computes, from a frame of text columns plus `day`
    (a normalised Timestamp) and `amount` (Decimal)."""
    ref = {}
    df = df.assign(_row=range(len(df)))
    as_of = df["_day"].max()                     # the last date of any row
    known = df[df[cust] != ""]
    buys = known[known["_amount"] >= 0]
    if order:
        occ = buys.groupby([cust, order])["_day"].min().reset_index()
    else:
        occ = buys.groupby([cust, "_day"]).size().reset_index()[[cust, "_day"]]
    if returns == "net-day":
        # every line of a customer's day, netted (the orders of these files
        # lie within one day); a day with a return that nets to <= 0 holds
        # no occasion
        net = known.groupby([cust, "_day"])["_amount"].agg(
            lambda s: sum(s, Decimal(0)) if (s < 0).any() else Decimal(1))
        gone = set(net[net <= 0].index)
        keep = [(c, d) not in gone for c, d in zip(occ[cust], occ["_day"])]
        ref["cancelled"] = len(occ) - sum(keep)
        occ = occ[keep]
    occ = occ.sort_values([cust, "_day"])
    per = occ.groupby(cust)["_day"].agg(first="min", last="max", purchases="count")
    spend = known.groupby(cust)["_amount"].apply(lambda s: sum(s, Decimal(0)))
    per["spend"] = spend.reindex(per.index)
    per["cohort"] = per["first"].dt.to_period("M")
    if by:
        first_rows = buys.sort_values(["_day", "_row"]).groupby(cust).first()
        per[by] = first_rows[by].reindex(per.index)
    occ["gap"] = occ.groupby(cust)["_day"].diff().dt.days
    occ = occ.join(per[["cohort"] + ([by] if by else [])], on=cust)
    ref["summary"] = per
    ref["as_of"] = as_of

    def repurchase(keys):
        rows = {}
        groups = per.groupby(keys) if keys else [((), per)]
        for k, g in groups:
            gaps = occ[occ[cust].isin(g.index)]["gap"].dropna()
            rows[k] = dict(
                customers=len(g), repeat_customers=int((g["purchases"] >= 2).sum()),
                repurchase_rate=100 * (g["purchases"] >= 2).mean(),
                repeat_purchases=int((g["purchases"] - 1).sum()),
                mean_days_between=gaps.mean() if len(gaps) else float("nan"),
                median_days_between=gaps.median() if len(gaps) else float("nan"))
        return rows

    ref["repurchase"] = repurchase(None)
    ref["repurchase_cohort"] = repurchase("cohort")
    if by:
        ref["repurchase_by"] = repurchase(by)

    # monthly activity per customer
    occ["month"] = occ["_day"].dt.to_period("M")
    active = occ.groupby("month")[cust].apply(set)
    months = pd.period_range(per["cohort"].min(), as_of.to_period("M"), freq="M")
    active = {m: active.get(m, set()) for m in months}
    first_month = per["cohort"]
    ret = {}
    for prev, m in zip(months[:-1], months[1:]):
        S, E = active[prev], active[m]
        N = set(first_month[first_month == m].index)
        r = len(S & E)
        ret[str(m)] = dict(active_prev=len(S), retained=r, new=len(N), active=len(E),
                           retention=100 * r / len(S) if S else float("nan"),
                           crr=100 * (len(E) - len(N)) / len(S) if S else float("nan"),
                           # the month ends on or before as-of
                           complete=m.end_time.normalize() <= as_of)
    ref["retention"] = ret

    # inactive for more than 90 days, of those who could be (first
    # purchase more than 90 days before as-of)
    eligible = per[(as_of - per["first"]).dt.days > 90]
    inactive = per[(as_of - per["last"]).dt.days > 90]
    ref["inactive"] = dict(customers=len(per), eligible=len(eligible), inactive=len(inactive),
                           churn_rate=100 * len(inactive) / len(eligible))

    last_month = occ.groupby(cust)["month"].max()
    for unbounded in (False, True):
        mat = {}
        for c, members in per.groupby("cohort"):
            ids = set(members.index)
            n = (as_of.to_period("M") - c).n + 1
            cells = []
            for k in range(n):
                m = c + k
                if unbounded:
                    cnt = int((last_month[list(ids)] >= m).sum())
                else:
                    cnt = len(active[m] & ids)
                cells.append(100 * cnt / len(ids))
            mat[str(c)] = (len(ids), cells)
        ref["cohorts_unbounded" if unbounded else "cohorts"] = mat
    return ref


def compare(path, ref, by=None, extra=()):
    if "cancelled" in ref:
        line = subprocess.run([loyal, "summary", path, *extra], check=True,
                              capture_output=True, text=True).stderr
        if f", {ref['cancelled']} cancelled by same-day returns" not in line:
            fail(f"{path}: pandas cancels {ref['cancelled']} occasions; loyal says: {line}")
        else:
            print(f"{path}: {ref['cancelled']} occasions cancelled by same-day returns")
    # summary
    got = run(path, "summary", *extra).set_index("customer")
    s = ref["summary"]
    if len(got) != len(s):
        fail(f"{path}: summary has {len(got)} customers, pandas {len(s)}")
    for cid, row in s.iterrows():
        if cid not in got.index:
            fail(f"{path}: customer {cid} missing")
            continue
        g = got.loc[cid]
        want = (row["first"].strftime("%Y-%m-%d"), row["last"].strftime("%Y-%m-%d"),
                int(row["purchases"]), (row["last"] - row["first"]).days,
                (ref["as_of"] - row["first"]).days, (ref["as_of"] - row["last"]).days)
        have = (g["first_purchase"], g["last_purchase"], int(g["purchases"]),
                int(g["recency_days"]), int(g["age_days"]), int(g["days_since_last"]))
        if want != have or not near(g["spend"], row["spend"], 1e-6):
            fail(f"{path}: customer {cid}: loyal {have} {g['spend']} pandas {want} {row['spend']}")

    cols = ["customers", "repeat_customers", "repurchase_rate", "repeat_purchases",
            "mean_days_between", "median_days_between"]

    def same_rows(name, got_rows, want_rows):
        if len(got_rows) != len(want_rows):
            fail(f"{path}: {name}: {len(got_rows)} rows, pandas {len(want_rows)}")
        for key, want in want_rows.items():
            if key not in got_rows:
                fail(f"{path}: {name}: row {key} missing")
                continue
            for c, v in want.items():
                if not near(got_rows[key][c], v):
                    fail(f"{path}: {name} {key} {c}: loyal {got_rows[key][c]} pandas {v}")

    g = run(path, "repurchase", *extra)
    same_rows("repurchase", {(): g.iloc[0][cols].to_dict()}, ref["repurchase"])
    g = run(path, "repurchase", "--period", "month", *extra)
    same_rows("repurchase --period month",
              {pd.Period(r["cohort"], "M"): r[cols].to_dict() for _, r in g.iterrows()},
              ref["repurchase_cohort"])
    if by:
        g = run(path, "repurchase", "--by", by, *extra)
        same_rows(f"repurchase --by {by}", {r[by]: r[cols].to_dict() for _, r in g.iterrows()},
                  ref["repurchase_by"])

    g = run(path, "retention", *extra)
    same_rows("retention", {r["period"]: r.to_dict() for _, r in g.iterrows()}, ref["retention"])
    for _, r in g.iterrows():
        if not near(r["churn"], 100 - r["retention"]):
            fail(f"{path}: retention {r['period']}: churn is not 100 - retention")

    g = run(path, "retention", "--inactive", "90", *extra)
    for c, v in ref["inactive"].items():
        if not near(g.iloc[0][c], v):
            fail(f"{path}: --inactive 90 {c}: loyal {g.iloc[0][c]} pandas {v}")

    for flag, key in (((), "cohorts"), (("--unbounded",), "cohorts_unbounded")):
        g = run(path, "retention", "--cohorts", *flag, *extra).set_index("cohort")
        want = ref[key]
        if len(g) != len(want):
            fail(f"{path}: {key}: {len(g)} cohorts, pandas {len(want)}")
        for c, (n, cells) in want.items():
            row = g.loc[c]
            if row["customers"] != n:
                fail(f"{path}: {key} {c}: {row['customers']} customers, pandas {n}")
            if bool(row["complete"]) != (ref["as_of"].to_period("M").end_time.normalize() <= ref["as_of"]):
                fail(f"{path}: {key} {c}: complete is {row['complete']}")
            for k in range(len([x for x in g.columns if x.isdigit()])):
                v = row[str(k)]
                w = cells[k] if k < len(cells) else float("nan")
                if not near(v, w):
                    fail(f"{path}: {key} {c} cell {k}: loyal {v} pandas {w}")


# 1. the sample export: order occasions, quantity x price, datetimes
df = pd.read_csv(orders_csv, dtype=str, keep_default_na=False)
df["_day"] = pd.to_datetime(df["InvoiceDate"], format="%Y-%m-%d %H:%M:%S").dt.normalize()
df["_amount"] = [Decimal(q) * Decimal(p) for q, p in zip(df["Quantity"], df["UnitPrice"])]
for how in ("net-day", "keep"):
    ref = reference(df, "CustomerID", "_day", "_amount", order="InvoiceNo", by="Country",
                    returns=how)
    compare(orders_csv, ref, by="Country", extra=("--returns", how))

# 2. a generated file: day occasions, YYYYMMDD, amount column
rng = random.Random(7)
lines = ["customer,date,amount,channel"]
for n in range(400):
    cid = f"c{n:04d}"
    ch = rng.choice(["web", "store", "app"])
    d = pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(rng.random() ** 1.3 * 540))
    while d <= pd.Timestamp("2024-08-15"):
        cents = 0
        for _ in range(rng.choice([1, 1, 1, 2, 3])):   # several rows on one day
            c = rng.randint(1, 20000)
            cents += c
            lines.append(f"{cid},{d:%Y%m%d},{c / 100:.2f},{ch}")
        u = rng.random()
        if u < 0.05:                                    # the day cancelled that day
            lines.append(f"{cid},{d:%Y%m%d},-{cents / 100:.2f},{ch}")
        elif u < 0.08:                                  # a part of it returned
            lines.append(f"{cid},{d:%Y%m%d},-{rng.randint(1, cents - 1 if cents > 1 else 1) / 100:.2f},{ch}")
        if rng.random() < 0.06:                         # a return, a few days later
            lines.append(f"{cid},{d + pd.Timedelta(days=rng.randint(0, 9)):%Y%m%d},"
                         f"-{rng.randint(1, 5000) / 100:.2f},{ch}")
        if rng.random() < 0.35:
            break
        d += pd.Timedelta(days=int(rng.expovariate(1 / 45)) + 1)
for _ in range(120):                                    # guest rows
    d = pd.Timestamp("2023-01-01") + pd.Timedelta(days=rng.randint(0, 592))
    lines.append(f",{d:%Y%m%d},{rng.randint(1, 9000) / 100:.2f},web")
body = lines[1:]
rng.shuffle(body)                                       # rows in no particular order
gen = os.path.join(workdir, "generated.csv")
with open(gen, "w") as f:
    f.write("\n".join([lines[0]] + body) + "\n")
df = pd.read_csv(gen, dtype=str, keep_default_na=False)
df["_day"] = pd.to_datetime(df["date"], format="%Y%m%d")
df["_amount"] = [Decimal(a) for a in df["amount"]]
for how in ("net-day", "keep"):
    ref = reference(df, "customer", "_day", "_amount", by="channel", returns=how)
    compare(gen, ref, by="channel", extra=("--returns", how))

print(f"pandas reference: {failures} mismatches")
sys.exit(1 if failures else 0)
