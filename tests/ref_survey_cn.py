#!/usr/bin/python3
"""Recompute CSAT and NPS of the Chinese survey (GB18030, Chinese headers,
the 非常满意/满意/一般/不满意/非常不满意 scale) with pandas, which decodes the
file and maps the labels independently, and compare with loyal's csv output
to 1e-9. Usage: ref_survey_cn.py LOYAL FILE"""
import io
import subprocess
import sys

import pandas as pd

loyal, path = sys.argv[1], sys.argv[2]
df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="gb18030")
# the platforms' default scale: 满意 is 4
points = {"非常满意": 5, "满意": 4, "一般": 3, "不满意": 2, "非常不满意": 1}


def run(*args):
    out = subprocess.run([loyal, *args, path, "--encoding", "gb18030", "--format", "csv", "-q"],
                         check=True, capture_output=True, text=True).stdout
    return pd.read_csv(io.StringIO(out), dtype={"渠道": str})


ok = True
c = df[df["满意度"] != ""].copy()
c["v"] = c["满意度"].map(points)
assert c["v"].notna().all(), "a label outside the scale"
got = run("csat", "--by", "渠道").set_index("渠道")
for ch, g in c.groupby("渠道"):
    csat = 100 * (g["v"] >= 4).mean()
    row = got.loc[ch]
    if row["responses"] != len(g) or abs(row["csat"] - csat) > 1e-9 or \
            abs(row["mean"] - g["v"].mean()) > 1e-9:
        print(f"csat mismatch {ch}: loyal {row['csat']} {row['mean']} pandas {csat} {g['v'].mean()}")
        ok = False
if len(got) != c["渠道"].nunique():
    print("csat: group count differs")
    ok = False

s = df[df["推荐意愿"] != ""].copy()
s["score"] = s["推荐意愿"].astype(int)
got = run("nps", "--by", "渠道").set_index("渠道")
for ch, g in s.groupby("渠道"):
    nps = 100 * ((g["score"] >= 9).mean() - (g["score"] <= 6).mean())
    row = got.loc[ch]
    if row["responses"] != len(g) or abs(row["nps"] - nps) > 1e-9:
        print(f"nps mismatch {ch}: loyal {row['nps']} pandas {nps}")
        ok = False
print("pandas and loyal agree" if ok else "pandas and loyal disagree")
sys.exit(0 if ok else 1)
