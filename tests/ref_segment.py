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

The same comparisons are made of the commands `loyal segment` and `loyal
tiers` when the loyal program is given: every customer's row (scores, rfm
code, segment, value tier, member tier, on both days, and the move), and
the summaries and migration tables of --summary.

Usage: ref_segment.py SEGMENT_DUMP WORKDIR [LOYAL]     exit 0 when all agree,
77 when pandas is missing (the test is then reported as skipped)
"""
import datetime as dt
import io
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
loyal = sys.argv[3] if len(sys.argv) > 3 else None
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


# ---- the commands, on the same file ----------------------------------------
def run(*args):
    p = subprocess.run([loyal, *args, path, "--as-of", AS_OF.isoformat(), "-f", "csv", "-q"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        fail(f"loyal {' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
        return []
    # tables of a multi-table output are separated by a blank line
    return [pd.read_csv(io.StringIO(t), dtype=str, keep_default_na=False)
            for t in p.stdout.split("\n\n") if t.strip()]


def micro(text):
    return int(Decimal(text) * 1000000)


def check_cli(by):
    per = reference(by)
    label = "loyal, by channel" if by else "loyal, all customers"
    grp = ["--by", "channel"] if by else []
    rules = ["--members", RULES, "--window", str(WINDOW)]
    then = ["--compare", COMPARE.isoformat()]

    def frame(tables, what):
        if len(tables) != 1:
            fail(f"{label}: {what}: {len(tables)} tables")
            return None
        t = tables[0].set_index("customer")
        if set(t.index) != set(per.index):
            fail(f"{label}: {what}: customers differ: {sorted(set(t.index) ^ set(per.index))[:5]}")
            return None
        return t.reindex(per.index)

    def same(what, got, want):
        bad = [c for c in per.index if str(got[c]) != str(want[c])]
        for c in bad[:3]:
            fail(f"{label}: {what} of {c}: loyal {got[c]}, pandas {want[c]}")
        return len(bad)

    seg = frame(run("segment", *grp), "segment")
    if seg is not None:
        if by:
            same("channel", seg["channel"], per["group"])
        for col in ("days_since_last", "purchases", "r", "f", "m", "segment"):
            same(col, seg[col], per[col])
        same("spend", seg["spend"].map(micro), per["spend"])
        same("rfm", seg["rfm"], per["r"].astype(str) + per["f"].astype(str) + per["m"].astype(str))

    def tier_then(t):
        return [("(absent)" if p == "" else "(none)") if x == "" else x
                for x, p in zip(t["tier_then"], t["purchases_then"])]

    val = frame(run("tiers", *grp, *then), "value tiers")
    if val is not None:
        same("value tier", val["tier"], per["value_tier"])
        same("value tier then", pd.Series(tier_then(val), index=per.index), per["c_value_tier"])
        same("value move", val["move"], per["value_move"])
        same("purchases", val["purchases"], per["purchases"])
        same("spend", val["spend"].map(micro), per["spend"])
    mem = frame(run("tiers", *grp, *rules, *then), "member tiers")
    if mem is not None:
        same("member tier", mem["tier"].replace("", "(none)"), per["member"])
        same("member tier then", pd.Series(tier_then(mem), index=per.index), per["c_member"])
        same("member move", mem["move"], per["member_move"])
        same("window purchases", mem["purchases"], per["w_purchases"])
        same("window spend", mem["spend"].map(micro), per["w_spend"])
        present = per["c_present"] == 1
        same("window purchases then",
             mem["purchases_then"], per["c_purchases"].astype(str).where(present, ""))
        same("window spend then", mem["spend_then"].map(lambda x: micro(x) if x else ""),
             per["c_spend"].where(present, ""))

    def rows(tables, key, want, cols, what):
        if len(tables) < 1:
            return
        t = tables[0]
        if by:
            t = t.rename(columns={"channel": "group"}).sort_values("group", kind="stable")
        else:
            t = t.assign(group="all")
        t = t.replace("", float("nan"))
        for col in cols:
            t[col] = t[col].astype(float)
        t[key] = t[key].fillna("(none)")
        compare_rows(t, want, key, {c: c for c in cols}, what)

    names = [t[0] for t in TABLE] + ["Others"]
    rows(run("segment", *grp, "--summary"), "segment",
         summary(per, "segment", names, "purchases"),
         ["customers", "customers_pct", "spend", "spend_pct", "mean_days_since_last",
          "mean_purchases", "mean_spend"], label + " segment --summary")
    rows(run("tiers", *grp, "--summary"), "tier",
         summary(per, "value_tier", ["high", "mid", "low"], "purchases"),
         ["customers", "customers_pct", "spend", "spend_pct", "mean_spend", "mean_purchases",
          "min_value", "max_value"], label + " tiers --summary")
    wper = per.assign(spend=per["w_spend"])
    rows(run("tiers", *grp, *rules, "--summary"), "tier",
         summary(wper, "member", ["gold", "silver", "bronze", "(none)"], "w_purchases"),
         ["customers", "customers_pct", "spend", "spend_pct", "mean_spend", "mean_purchases"],
         label + " member tiers --summary")

    # the migration matrix of member tiers, and the totals per move
    tables = run("tiers", *grp, *rules, *then, "--summary")
    if len(tables) != 3:
        fail(f"{label}: tiers --compare --summary: {len(tables)} tables, not 3")
        return
    mig = tables[1]
    got = [(r.get("channel", "all"), r["from"], r["to"], r["move"], r["customers"])
           for _, r in mig.iterrows()]
    got.sort(key=lambda r: r[0])  # by group, stable
    want = []
    for g, gp in per.groupby("group"):
        for a in ["gold", "silver", "bronze", "(none)", "(absent)"]:
            for b in ["gold", "silver", "bronze", "(none)"]:
                k = int(((gp["c_member"] == a) & (gp["member"] == b)).sum())
                want.append((g, "" if a in ("(none)", "(absent)") else a,
                             "" if b == "(none)" else b, move(a, b), str(k)))
    if got != want:
        fail(f"{label}: migration matrix differs:\n{mig}\n{want}")
    moves = tables[2]
    for g, gp in per.groupby("group"):
        got_m = moves[moves["channel"] == g] if by else moves
        for _, r in got_m.iterrows():
            k = int((gp["member_move"] == r["move"]).sum())
            if int(r["customers"]) != k or not near(float(r["customers_pct"]), 100 * k / len(gp)):
                fail(f"{label}: {g} move {r['move']}: loyal {r['customers']}, pandas {k}")
    print(f"{label}: {len(per)} customers compared with the commands")


if loyal:
    for by in (0, 1):
        check_cli(by)

if failures:
    print(f"{failures} mismatches")
    sys.exit(1)
print("loyal and pandas agree on every customer")
