#!/usr/bin/python3
"""Recompute NPS (with moe95) and CSAT of a survey file with pandas and
compare with loyal's csv output to 1e-9. Usage: ref_survey.py LOYAL FILE"""
import io
import math
import subprocess
import sys

import pandas as pd

loyal, path = sys.argv[1], sys.argv[2]
df = pd.read_csv(path, dtype=str, keep_default_na=False)
df["month"] = df["Submitted At"].str.slice(0, 7)


def run(*args):
    out = subprocess.run([loyal, *args, path, "--format", "csv", "-q"],
                         check=True, capture_output=True, text=True).stdout
    return pd.read_csv(io.StringIO(out), dtype={"channel": str, "period": str})


ok = True
# NPS by channel and month
s = df[df["likelihood_to_recommend"] != ""].copy()
s["score"] = s["likelihood_to_recommend"].astype(int)
got = run("nps", "--by", "channel", "--period", "month").set_index(["channel", "period"])
for (ch, m), g in s.groupby(["channel", "month"]):
    n = len(g)
    p = (g["score"] >= 9).mean()
    d = (g["score"] <= 6).mean()
    nps = 100 * (p - d)
    moe = 196 * math.sqrt((p + d - (p - d) ** 2) / n)
    row = got.loc[(ch, m)]
    if row["responses"] != n or abs(row["nps"] - nps) > 1e-9 or abs(row["moe95"] - moe) > 1e-9:
        print(f"nps mismatch {ch} {m}: loyal {row['nps']} {row['moe95']} pandas {nps} {moe}")
        ok = False
if len(got) != s.groupby(["channel", "month"]).ngroups:
    print("nps: group count differs")
    ok = False

# CSAT of the product column by channel
c = df[df["product"] != ""].copy()
c["v"] = c["product"].astype(int)
got = run("csat", "--csat-col", "product", "--by", "channel").set_index("channel")
for ch, g in c.groupby("channel"):
    csat = 100 * (g["v"] >= 4).mean()
    row = got.loc[ch]
    if row["responses"] != len(g) or abs(row["csat"] - csat) > 1e-9 or abs(row["mean"] - g["v"].mean()) > 1e-9:
        print(f"csat mismatch {ch}: loyal {row['csat']} pandas {csat}")
        ok = False
sys.exit(0 if ok else 1)
