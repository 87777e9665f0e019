#!/usr/bin/python3
"""Recompute, with pandas and independently of the C code, every customer's
RFM scores and segment, value tier and member tiers on two days, and the
summaries and migration matrix, from a transactions file generated here
with a fixed seed; compare with what libloyal computes (tests/segment_dump
prints it). Run with scoring over all customers and within each channel.

The file: 3,000 customers (some ids in Chinese) over 2023-01-01..2024-06-30,
several lines on a purchase day, amounts with many ties (so ranks tie),
zero-amount lines (never a whole day's), returns on days without a purchase (some larger than what was
bought, so net spend can be negative), customers with returns only.

Usage: ref_segment.py SEGMENT_DUMP WORKDIR      exit 0 when all agree,
77 when pandas is missing (the test is then reported as skipped)
"""
import datetime as dt
import os
import random
import subprocess
import sys
from decimal import Decimal

try:
    import pandas as pd
except ImportError:
    print("skip: python3-pandas is not installed")
    sys.exit(77)

dump, work = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)

AS_OF = dt.date(2024, 6, 30)
COMPARE = dt.date(2023, 12, 31)
WINDOW = 180
RULES = "gold: spend >= 500, purchases >= 4; silver: spend >= 150; bronze: purchases >= 1"
BINS = 5
TABLE = [  # the default segment table: name, R, F, M ranges
    ("Champions", (4, 5), (4, 5), (4, 5)),
    ("Loyal Customers", (2, 5), (3, 5), (3, 5)),
    ("Potential Loyalist", (3, 5), (1, 3), (1, 3)),
    ("New Customers", (4, 5), (1, 1), (1, 1)),
    ("Promising", (3, 4), (1, 1), (1, 1)),
    ("Need Attention", (2, 3), (2, 3), (2, 3)),
    ("About To Sleep", (2, 3), (1, 2), (1, 2)),
    ("At Risk", (1, 2), (2, 5), (2, 5)),
    ("Can't Lose Them", (1, 1), (4, 5), (4, 5)),
    ("Lost", (1, 2), (1, 2), (1, 2)),
]
failures = 0


def fail(msg):
    global failures
    failures += 1
    if failures <= 30:
        print("mismatch:", msg)


# ---- the input ------------------------------------------------------------
rng = random.Random(1313)
START = dt.date(2023, 1, 1)
SPAN = (AS_OF - START).days
rows = []  # customer, date, amount (text), channel
prices = ["5", "10", "19.99", "20", "49.50", "100", "250", "0"]
for n in range(3000):
    cid = f"客户{n}" if n % 10 == 0 else f"C{n:05d}"
    channel = rng.choice(["web", "store", "app"])
    day = START + dt.timedelta(days=int(rng.random() ** 1.3 * SPAN))
    buys = set()
    while day <= AS_OF:
        buys.add(day)
        # the first line of a day costs something: every purchase day nets
        # above 0, so that the reference holds with or without the rule that
        # a day netting to 0 or less holds no purchase
        for k in range(rng.choice([1, 1, 2, 3])):
            rows.append((cid, day, rng.choice(prices[:-1] if k == 0 else prices), channel))
        if rng.random() < 0.35:
            break
        day += dt.timedelta(days=1 + int(rng.expovariate(1 / 40)))
    if rng.random() < 0.15:  # a return, on a day without a purchase
        back = max(buys) + dt.timedelta(days=rng.randint(1, 30))
        if back <= AS_OF and back not in buys:
            rows.append((cid, back, "-" + rng.choice(["5", "20", "300"]), channel))
for n in range(20):  # returns of purchases from before the file began
    rows.append((f"R{n}", START + dt.timedelta(days=n), "-10", "web"))
rng.shuffle(rows)
path = os.path.join(work, "orders.csv")
with open(path, "w", encoding="utf-8") as f:
    f.write("customer,date,amount,channel\n")
    for c, d, a, ch in rows:
        f.write(f"{c},{d.isoformat()},{a},{ch}\n")

df = pd.DataFrame(rows, columns=["customer", "day", "amount", "channel"])
df["micro"] = [int(Decimal(a) * 1000000) for a in df["amount"]]
df["day"] = pd.to_datetime(df["day"])
as_of, compare = pd.Timestamp(AS_OF), pd.Timestamp(COMPARE)


def member(spend, purchases):
    if spend >= 500_000000 and purchases >= 4:
        return "gold"
    if spend >= 150_000000:
        return "silver"
    if purchases >= 1:
        return "bronze"
    return "(none)"


RANK = {"gold": 0, "silver": 1, "bronze": 2, "high": 0, "mid": 1, "low": 2}


def move(a, b):
    if a == "(absent)":
        return "new" if b != "(absent)" else ""
    if b in ("(none)", "(absent)"):
        return "untiered" if a == "(none)" else "gone"
    if a == "(none)" or RANK[b] < RANK[a]:
        return "upgraded"
    return "kept" if a == b else "downgraded"


def at_day(x, window):
    """Per customer: present at x, purchases and spend in the window ending at x."""
    lo = x - pd.Timedelta(days=window - 1) if window else pd.Timestamp.min
    buys = df[df["micro"] >= 0]
    first = buys.groupby("customer")["day"].min()
    inw = df[(df["day"] >= lo) & (df["day"] <= x)]
    wb = inw[inw["micro"] >= 0].groupby("customer")["day"].nunique()
    ws = inw.groupby("customer")["micro"].sum()
    out = pd.DataFrame(index=first.index)
    out["present"] = first <= x
    out["purchases"] = wb.reindex(out.index).fillna(0).astype(int)
    out["spend"] = ws.reindex(out.index).fillna(0).astype("int64")
    return out


def rank_min(s):
    return s.rank(method="min").astype(int)


def reference(by):
    buys = df[df["micro"] >= 0]
    per = pd.DataFrame(index=buys.groupby("customer").size().index)
    per["last"] = buys.groupby("customer")["day"].max()
    per["days_since_last"] = (as_of - per["last"]).dt.days
    per["purchases"] = buys.groupby("customer")["day"].nunique()
    per["spend"] = df.groupby("customer")["micro"].sum().reindex(per.index)
    per["group"] = df.groupby("customer")["channel"].first().reindex(per.index) if by else "all"
    g = per.groupby("group")
    n = g["spend"].transform("size")
    for col, key in (("r", -per["days_since_last"]), ("f", per["purchases"]),
                     ("m", per["spend"])):
        rk = key.groupby(per["group"]).transform(rank_min)
        per[col] = 1 + (BINS * (rk - 1)) // n
        if col == "m":
            per["value_tier"] = [
                "high" if (k - 1) * 100 >= 80 * c else "mid" if (k - 1) * 100 >= 50 * c else "low"
                for k, c in zip(rk, n)]

    def segment(r, f, m):
        for name, a, b, c in TABLE:
            if a[0] <= r <= a[1] and b[0] <= f <= b[1] and c[0] <= m <= c[1]:
                return name
        return "Others"

    per["segment"] = [segment(*x) for x in zip(per["r"], per["f"], per["m"])]
    w = at_day(as_of, WINDOW).reindex(per.index)
    per["w_purchases"], per["w_spend"] = w["purchases"], w["spend"]
    per["member"] = [member(s, p) for s, p in zip(w["spend"], w["purchases"])]
    c = at_day(compare, WINDOW).reindex(per.index)
    per["c_present"] = c["present"].astype(int)
    per["c_purchases"], per["c_spend"] = c["purchases"], c["spend"]
    per["c_member"] = [member(s, p) if pr else "(absent)"
                       for s, p, pr in zip(c["spend"], c["purchases"], c["present"])]
    per["member_move"] = [move(a, b) for a, b in zip(per["c_member"], per["member"])]
    # value tiers at the compare date: all history up to it, present customers
    ca = at_day(compare, 0).reindex(per.index)
    ca["group"] = per["group"]
    p = ca[ca["present"]]
    rk = p.groupby("group")["spend"].transform(rank_min)
    cn = p.groupby("group")["spend"].transform("size")
    tier = pd.Series("(absent)", index=per.index)
    tier[p.index] = ["high" if (k - 1) * 100 >= 80 * c else "mid" if (k - 1) * 100 >= 50 * c
                     else "low" for k, c in zip(rk, cn)]
    per["c_value_tier"] = tier
    per["value_move"] = [move(a, b) for a, b in zip(per["c_value_tier"], per["value_tier"])]
    return per


def near(a, b):
    if pd.isna(a) or pd.isna(b):
        return pd.isna(a) and pd.isna(b)
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(b)))


def compare_customers(got, per, label):
    got = got.set_index("customer")
    if set(got.index) != set(per.index):
        fail(f"{label}: customers differ: {sorted(set(got.index) ^ set(per.index))[:5]}")
        return
    cols = ["group", "days_since_last", "purchases", "spend", "r", "f", "m", "segment",
            "value_tier", "w_purchases", "w_spend", "member", "c_present", "c_purchases",
            "c_spend", "c_member", "member_move", "c_value_tier", "value_move"]
    for col in cols:
        a, b = got[col].reindex(per.index), per[col]
        bad = a.astype(str) != b.astype(str)
        for cid in list(per.index[bad])[:3]:
            fail(f"{label}: {cid} {col}: loyal {a[cid]}, pandas {b[cid]}")
    rfm = per["r"].astype(str) + per["f"].astype(str) + per["m"].astype(str)
    bad = got["rfm"].reindex(per.index).astype(str) != rfm
    if bad.any():
        fail(f"{label}: rfm codes differ for {bad.sum()} customers")


def summary(per, key, names, value):
    out = []
    for grp, g in per.groupby("group"):
        total = g["spend"].sum() / 1e6
        for name in names:
            s = g[g[key] == name]
            k = len(s)
            sp = s["spend"].sum() / 1e6
            out.append(dict(
                group=grp, name=name, customers=k, customers_pct=100 * k / len(g), spend=sp,
                spend_pct=100 * sp / total if total > 0 else float("nan"),
                mean_days_since_last=s["days_since_last"].mean() if k else float("nan"),
                mean_purchases=s[value].mean() if k else float("nan"),
                mean_spend=sp / k if k else float("nan"),
                min_value=s["spend"].min() / 1e6 if k else float("nan"),
                max_value=s["spend"].max() / 1e6 if k else float("nan")))
    return out


def compare_rows(got, want, key, cols, label):
    # loyal orders groups by their id (first seen in the file), pandas by name
    got = got.sort_values("group", kind="stable")
    if len(got) != len(want):
        fail(f"{label}: {len(got)} rows, pandas {len(want)}")
        return
    for (_, a), b in zip(got.iterrows(), want):
        if str(a["group"]) != str(b["group"]) or a[key] != b["name"]:
            fail(f"{label}: row {a['group']}/{a[key]}, pandas {b['group']}/{b['name']}")
            continue
        for col, ref in cols.items():
            if not near(a[col], b[ref]):
                fail(f"{label}: {b['group']}/{b['name']} {col}: loyal {a[col]}, pandas {b[ref]}")


for by in (0, 1):
    out = os.path.join(work, f"by{by}")
    os.makedirs(out, exist_ok=True)
    subprocess.run([dump, path, out, AS_OF.isoformat(), COMPARE.isoformat(), str(WINDOW),
                    RULES, str(by)], check=True)
    per = reference(by)
    read = lambda name: pd.read_csv(os.path.join(out, name), dtype={"group": str},
                                    keep_default_na=False, na_values=[""])
    got = pd.read_csv(os.path.join(out, "customers.csv"), dtype=str, keep_default_na=False)
    for col in ("days_since_last", "purchases", "spend", "r", "f", "m", "w_purchases",
                "w_spend", "c_present", "c_purchases", "c_spend"):
        got[col] = got[col].astype("int64")
    label = "by channel" if by else "all customers"
    compare_customers(got, per, label)

    names = [t[0] for t in TABLE] + ["Others"]
    compare_rows(read("segments.csv"), summary(per, "segment", names, "purchases"), "segment",
                 {c: c for c in ("customers", "customers_pct", "spend", "spend_pct",
                                 "mean_days_since_last", "mean_purchases", "mean_spend")},
                 label + " segments")
    vt = summary(per, "value_tier", ["high", "mid", "low"], "purchases")
    compare_rows(read("value_tiers.csv"), vt, "tier",
                 {"customers": "customers", "customers_pct": "customers_pct", "spend": "spend",
                  "spend_pct": "spend_pct", "mean_spend": "mean_spend",
                  "mean_purchases": "mean_purchases", "value": "spend",
                  "value_pct": "spend_pct", "min_value": "min_value",
                  "max_value": "max_value"}, label + " value tiers")
    wper = per.assign(spend=per["w_spend"])
    mt = summary(wper, "member", ["gold", "silver", "bronze", "(none)"], "w_purchases")
    compare_rows(read("member_tiers.csv"), mt, "tier",
                 {c: c for c in ("customers", "customers_pct", "spend", "spend_pct",
                                 "mean_spend", "mean_purchases")}, label + " member tiers")

    mig = read("migration.csv").sort_values("group", kind="stable")
    want = []
    for grp, g in per.groupby("group"):
        for a in ["gold", "silver", "bronze", "(none)", "(absent)"]:
            for b in ["gold", "silver", "bronze", "(none)"]:
                k = int(((g["c_member"] == a) & (g["member"] == b)).sum())
                want.append((grp, a, b, move(a, b), k))
    gotm = [tuple(str(x) for x in r) for r in mig.itertuples(index=False)]
    if gotm != [tuple(str(x) for x in r) for r in want]:
        fail(f"{label}: migration matrix differs:\n{mig}\n{want}")
    n = len(per)
    print(f"{label}: {n} customers, {per['segment'].nunique()} segments, "
          f"{(per['member_move'] != '').sum()} tier moves compared")

if failures:
    print(f"{failures} mismatches")
    sys.exit(1)
print("loyal and pandas agree on every customer")
