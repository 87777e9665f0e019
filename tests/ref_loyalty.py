#!/usr/bin/python3
"""Recompute with pandas, independently of the C code, what `loyal loyalty`
and `loyal complaints` print, on a pair of files generated here with a fixed
seed, and compare:

 - the per-customer table: the id matching (exact, trimmed of white space
   including U+00A0 and U+3000, ASCII case folded), the latest answer per
   respondent, purchases (distinct purchase days), repeat, referral, bands,
   attitude, behaviour, quadrant and the index;
 - the matrix: customers, shares and spend per quadrant, the NPS and CSAT of
   repeat against one-time buyers and their z tests (scipy's normal);
 - the complaint rate per month and category: complaints, unknown
   customers' complaints, complaining and repeat customers, active
   customers, orders, complaint_rate, complaints_per_100_orders,
   resolution rate; and the --churn comparison.

The one number taken from loyal itself is each customer's probability of
no purchase in the horizon (and P(alive)), from `loyal churn --model
mbgnbd`, a separate command: the purchase model is checked against its
references in tests/ref_models.py; here the join and every definition
built on it are.

Usage: ref_loyalty.py LOYAL WORKDIR      exit 0 when all agree,
77 when pandas or scipy is missing (the test is then reported as skipped)
"""
import datetime as dt
import io
import json
import math
import os
import random
import subprocess
import sys

try:
    import pandas as pd
    from scipy.stats import norm
except ImportError:
    print("skip: python3-pandas or python3-scipy is not installed")
    sys.exit(77)

loyal, work = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)
rng = random.Random(14)
START, END = dt.date(2023, 1, 1), dt.date(2023, 12, 31)
NBSP, IDEO = "\u00a0", "\u3000"

# ---- generate --------------------------------------------------------------

customers = [f"K{i:04d}" for i in range(1, 301)]
orders = []  # (customer, order, day, amount)
n_order = 0
for c in customers:
    # buying as in the churn models: a rate per customer, and after each
    # order the customer leaves for good with a probability of their own
    day = START + dt.timedelta(days=rng.randrange(300))
    rate, leave = rng.gammavariate(2, 1 / 40), rng.betavariate(1, 3)
    while day <= END:
        n_order += 1
        for _ in range(rng.randint(1, 3)):
            orders.append((c, f"O{n_order:05d}", day, rng.randint(100, 9000) / 100))
        if rng.random() < 0.1:  # a second order the same day
            n_order += 1
            orders.append((c, f"O{n_order:05d}", day, rng.randint(100, 3000) / 100))
        if rng.random() < leave:
            break
        day += dt.timedelta(days=1 + int(rng.expovariate(rate)))
orders.append((customers[0], "O99999", END, 10.0))  # as-of is END
with open(f"{work}/orders.csv", "w", newline="") as f:
    f.write("customer_id,order_id,order_date,amount\n")
    for c, o, d, a in orders:
        f.write(f"{c},{o},{d.isoformat()},{a:.2f}\n")


def spell(c):
    """The id as an export may write it."""
    r = rng.random()
    if r < 0.08:
        return c.lower()
    if r < 0.14:
        return c + NBSP
    if r < 0.18:
        return IDEO + c
    if r < 0.2:
        return " " + c.lower() + " "  # quoted below: the spaces stay
    return c


def quote(s):
    return '"' + s.replace('"', '""') + '"' if s != s.strip(" ") or "," in s else s


survey = []  # (id as written, date, r or None, s or None)
for i in range(700):
    c = rng.choice(customers[:260]) if rng.random() < 0.9 else f"Z{rng.randrange(50):03d}"
    day = START + dt.timedelta(days=rng.randrange(500))
    r = None if rng.random() < 0.1 else rng.choices(range(11), weights=[1, 1, 1, 1, 2, 2, 3, 5, 7, 8, 8])[0]
    s = None if (rng.random() < 0.1 and r is not None) else rng.randint(1, 5)
    survey.append((spell(c), day, r, s))
with open(f"{work}/survey.csv", "w", newline="") as f:
    f.write("response_id,customer_id,submitted_at,likelihood_to_recommend,satisfaction\n")
    for k, (c, d, r, s) in enumerate(survey):
        f.write(f"{k},{quote(c)},{d.isoformat()},{'' if r is None else r},{'' if s is None else s}\n")

complaints = []  # (id as written, date, category, resolved)
for i in range(250):
    c = rng.choice(customers) if rng.random() < 0.93 else f"Z{rng.randrange(50):03d}"
    day = START + dt.timedelta(days=rng.randrange(365))
    complaints.append((spell(c), day, rng.choice(["delivery", "product", "billing"]),
                       rng.choice(["yes", "yes", "no", ""])))
with open(f"{work}/complaints.csv", "w", newline="") as f:
    f.write("complaint_id,customer_id,created_at,category,resolved\n")
    for k, (c, d, cat, res) in enumerate(complaints):
        f.write(f"{k},{quote(c)},{d.isoformat()},{cat},{res}\n")


def run(*args):
    p = subprocess.run([loyal, *args], capture_output=True, text=True)
    if p.returncode != 0:
        print(f"loyal {' '.join(args)} failed ({p.returncode}):\n{p.stderr}")
        sys.exit(1)
    return p.stdout


# ---- the pandas side ----------------------------------------------------------

od = pd.DataFrame(orders, columns=["customer", "order", "day", "amount"])
cust = od.groupby("customer").agg(days=("day", "nunique"), spend=("amount", "sum"),
                                  last=("day", "max"), first=("day", "min"))
SPACE = " \t\r\n" + NBSP + IDEO
exact = set(cust.index)
trimmed = {c.strip(SPACE): c for c in cust.index}
folded = {}
for c in cust.index:
    folded.setdefault(c.strip(SPACE).lower(), set()).add(c)


def match(raw):
    """(customer or None, rule)"""
    if raw in exact:
        return raw, "exact"
    t = raw.strip(SPACE)
    if t in trimmed:
        return trimmed[t], "trimmed"
    f = "".join(ch.lower() if "A" <= ch <= "Z" else ch for ch in t)
    if f in folded:
        return (next(iter(folded[f])), "folded") if len(folded[f]) == 1 else (None, "ambiguous")
    return None, "none"


model = pd.read_csv(io.StringIO(run("churn", f"{work}/orders.csv", "--model", "mbgnbd",
                                    "-q", "-f", "csv")), dtype={"customer": str})
model = model.set_index("customer")

sv = pd.DataFrame(survey, columns=["raw", "day", "r", "s"])
sv["seq"] = range(len(sv))
m = sv["raw"].map(match)
sv["customer"] = [x[0] for x in m]
sv["rule"] = [x[1] for x in m]
sv["key"] = [c if c is not None else "".join(ch.lower() if "A" <= ch <= "Z" else ch
                                            for ch in raw.strip(SPACE))
             for c, raw in zip(sv["customer"], sv["raw"])]
first_seen = sv.groupby("key")["seq"].min()
first_raw = sv.sort_values("seq").groupby("key")["raw"].first()
latest = sv.sort_values(["day", "seq"]).groupby("key").tail(1).copy()
latest["order"] = latest["key"].map(first_seen)
latest = latest.sort_values("order")

failures = []


def near(a, b, what, tol=1e-9):
    if (a is None or (isinstance(a, float) and math.isnan(a))) and \
       (b is None or (isinstance(b, float) and math.isnan(b))):
        return
    if a is None or b is None or abs(float(a) - float(b)) > tol * max(1.0, abs(float(b))):
        failures.append(f"{what}: loyal {a}, pandas {b}")


def same(a, b, what):
    if a != b:
        failures.append(f"{what}: loyal {a!r}, pandas {b!r}")


rows = []
for _, x in latest.iterrows():
    c = x["customer"]
    r = None if pd.isna(x["r"]) else int(x["r"])
    s = None if pd.isna(x["s"]) else int(x["s"])
    row = {"customer": c if c is not None else first_raw[x["key"]], "rule": x["rule"],
           "s": s, "r": r}
    if r is None:
        row["referral"] = None
    else:
        row["referral"] = "very likely" if r >= 9 else "possible" if r >= 7 else "unlikely"
    row["attitude"] = "high" if (r >= 9 if r is not None else s >= 4) else "low"
    if c is None:
        row.update(purchases=0, repeat=False, p=None, band=None, behaviour=None,
                   quadrant=None, index=None, spend=None, churn=None)
    else:
        p = 1 - model.loc[c, "p_no_purchase"]
        n = int(cust.loc[c, "days"])
        parts = [p * 100] + ([(s - 1) * 25] if s is not None else []) + \
                ([10 * r] if r is not None else [])
        hi_att, hi_beh = row["attitude"] == "high", n >= 2
        row.update(purchases=n, repeat=n >= 2, p=p,
                   band="high" if p > 0.7 else "mid" if p >= 0.3 else "low",
                   behaviour="high" if hi_beh else "low",
                   quadrant={(True, True): "true", (True, False): "latent",
                             (False, True): "spurious", (False, False): "none"}[(hi_att, hi_beh)],
                   index=sum(parts) / len(parts), spend=float(cust.loc[c, "spend"]),
                   churn=float(model.loc[c, "churn"]))
    rows.append(row)

got = pd.read_csv(io.StringIO(run("loyalty", "--survey", f"{work}/survey.csv", "--orders",
                                  f"{work}/orders.csv", "-q", "-f", "csv")),
                  dtype=str, keep_default_na=False)
same(len(got), len(rows), "respondents")
for g, w in zip(got.to_dict("records"), rows):
    who = w["customer"]
    same(g["customer"], w["customer"], "customer")
    same(g["id_match"], w["rule"], f"{who} id_match")
    same(g["satisfaction"], "" if w["s"] is None else str(w["s"]), f"{who} satisfaction")
    same(g["recommend"], "" if w["r"] is None else str(w["r"]), f"{who} recommend")
    same(g["referral"], w["referral"] or "", f"{who} referral")
    same(g["purchases"], str(w["purchases"]), f"{who} purchases")
    same(g["repeat"], "true" if w["repeat"] else "false", f"{who} repeat")
    near(None if g["p_repurchase"] == "" else float(g["p_repurchase"]), w["p"], f"{who} p")
    same(g["repurchase_band"], w["band"] or "", f"{who} band")
    same(g["attitude"], w["attitude"], f"{who} attitude")
    same(g["behaviour"], w["behaviour"] or "", f"{who} behaviour")
    same(g["quadrant"], w["quadrant"] or "", f"{who} quadrant")
    near(None if g["index"] == "" else float(g["index"]), w["index"], f"{who} index")

# the matrix
mx = json.loads(run("loyalty", "--survey", f"{work}/survey.csv", "--orders",
                    f"{work}/orders.csv", "--matrix", "-q", "-f", "json"))
cu = pd.DataFrame([w for w in rows if w["purchases"] > 0])
total_spend = cu["spend"].sum()
for q in mx["matrix"]:
    part = cu if q["quadrant"] == "all" else cu[cu["quadrant"] == q["quadrant"]]
    same(q["customers"], len(part), f"matrix {q['quadrant']} customers")
    near(q["share"], 100 * len(part) / len(cu), f"matrix {q['quadrant']} share")
    near(q["spend"], part["spend"].sum(), f"matrix {q['quadrant']} spend")
    near(q["spend_share"], 100 * part["spend"].sum() / total_spend, f"matrix {q['quadrant']} spend_share")


def nps(r):
    n = len(r)
    p, d = (r >= 9).sum() / n, (r <= 6).sum() / n
    return 100 * (p - d), (p + d - (p - d) ** 2) / n, n


rep, one = cu[cu["repeat"]], cu[~cu["repeat"]]
cmp = {x["measure"]: x for x in mx["repeat_vs_one_time"]}
a, va, na = nps(rep["r"].dropna())
b, vb, nb = nps(one["r"].dropna())
z = (a - b) / 100 / math.sqrt(va + vb)
x = cmp["nps"]
same(x["repeat_responses"], na, "nps repeat responses")
same(x["one_time_responses"], nb, "nps one-time responses")
near(x["repeat"], a, "nps repeat")
near(x["one_time"], b, "nps one-time")
near(x["z"], z, "nps z")
near(x["p_value"], 2 * norm.sf(abs(z)), "nps p")
sa, sb = rep["s"].dropna(), one["s"].dropna()
ka, kb = (sa >= 4).sum(), (sb >= 4).sum()
pool = (ka + kb) / (len(sa) + len(sb))
z = (ka / len(sa) - kb / len(sb)) / math.sqrt(pool * (1 - pool) * (1 / len(sa) + 1 / len(sb)))
x = cmp["csat"]
near(x["repeat"], 100 * ka / len(sa), "csat repeat")
near(x["one_time"], 100 * kb / len(sb), "csat one-time")
near(x["z"], z, "csat z")
near(x["p_value"], 2 * norm.sf(abs(z)), "csat p")

# the follow-up list: detractors and dissatisfied by spend x churn
fu = pd.read_csv(io.StringIO(run("loyalty", "--survey", f"{work}/survey.csv", "--orders",
                                 f"{work}/orders.csv", "--followup", "-q", "-f", "csv")),
                 dtype=str, keep_default_na=False)
want = [w for w in rows if (w["r"] is not None and w["r"] <= 6) or (w["s"] is not None and w["s"] <= 2)]
key = [(-(w["spend"] * w["churn"]) if w["spend"] is not None else math.inf, k)
       for k, w in enumerate(want)]
want = [want[k] for _, k in sorted(key)]
same(list(fu["customer"]), [w["customer"] for w in want], "follow-up order")

# ---- complaints ------------------------------------------------------------

cp = pd.DataFrame(complaints, columns=["raw", "day", "category", "resolved"])
cp["customer"] = [match(r)[0] for r in cp["raw"]]
cp["month"] = [d.strftime("%Y-%m") for d in cp["day"]]
first_lines = od.groupby(["customer", "order"])["day"].min().reset_index()
first_lines["month"] = [d.strftime("%Y-%m") for d in first_lines["day"]]
od["month"] = [d.strftime("%Y-%m") for d in od["day"]]
active = od.groupby("month")["customer"].nunique()
n_orders = first_lines.groupby("month").size()
got = pd.read_csv(io.StringIO(run("complaints", "--orders", f"{work}/orders.csv",
                                  f"{work}/complaints.csv", "--period", "month", "--by",
                                  "category", "-q", "-f", "csv")), keep_default_na=False)
same(len(got), 3 * 12, "complaint rows")
for g in got.to_dict("records"):
    part = cp[(cp["category"] == g["category"]) & (cp["month"] == g["period"])]
    known = part[part["customer"].notna()]
    per = known.groupby("customer").size()
    act, no = int(active.get(g["period"], 0)), int(n_orders.get(g["period"], 0))
    what = f"complaints {g['category']} {g['period']}"
    same(g["complaints"], len(part), what)
    same(g["unknown_customer_complaints"], len(part) - len(known), what + " unknown")
    same(g["complaining_customers"], len(per), what + " customers")
    same(g["repeat_complainers"], int((per >= 2).sum()), what + " repeat")
    same(g["active_customers"], act, what + " active")
    same(g["orders"], no, what + " orders")
    near(float(g["complaint_rate"]), 100 * len(per) / act, what + " rate")
    near(float(g["complaints_per_100_orders"]), 100 * len(part) / no, what + " per 100 orders")
    res = (part["resolved"] == "yes").sum()
    same(g["resolved"], int(res), what + " resolved")
    near(None if g["resolution_rate"] == "" else float(g["resolution_rate"]),
         100 * res / len(part) if len(part) else None, what + " resolution")

# --churn: inactive for more than 60 days at as-of
ch = pd.read_csv(io.StringIO(run("complaints", "--orders", f"{work}/orders.csv",
                                 f"{work}/complaints.csv", "--churn", "--inactive", "60",
                                 "-q", "-f", "csv")), keep_default_na=False)
complained = set(cp["customer"].dropna())
elig = cust[(pd.Timestamp(END) - pd.to_datetime(cust["first"])).dt.days > 60]
inact = (pd.Timestamp(END) - pd.to_datetime(elig["last"])).dt.days > 60
k = [int(inact[elig.index.isin(complained)].sum()), int(inact[~elig.index.isin(complained)].sum())]
n = [int(elig.index.isin(complained).sum()), int((~elig.index.isin(complained)).sum())]
for i, g in enumerate(ch.to_dict("records")):
    same(g["eligible"], n[i], f"churn eligible {i}")
    same(g["inactive"], k[i], f"churn inactive {i}")
    near(float(g["churn_rate"]), 100 * k[i] / n[i], f"churn rate {i}")
pool = sum(k) / sum(n)
z = (k[0] / n[0] - k[1] / n[1]) / math.sqrt(pool * (1 - pool) * (1 / n[0] + 1 / n[1]))
near(float(ch.loc[0, "z"]), z, "churn z")
near(float(ch.loc[0, "p_value"]), 2 * norm.sf(abs(z)), "churn p")

rules = latest["rule"].value_counts().to_dict()
print(f"{len(rows)} respondents ({rules}), {len(cu)} customers in the matrix, "
      f"{len(got)} complaint rows compared")
if failures:
    print(f"{len(failures)} differences:")
    for f_ in failures[:40]:
        print("  " + f_)
    sys.exit(1)
print("ok: loyal agrees with pandas")
