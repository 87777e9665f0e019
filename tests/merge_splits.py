#!/usr/bin/env python3
"""Property test of loyal merge: over random splits of a file into shards,
`loyal CMD --partial` on each shard then `loyal merge` gives the output of
one run, byte for byte.

  by rows        consecutive chunks of the file, in order: the single run
                 over the file
  by customer    each customer's rows in one shard (file order kept): the
                 single run over the shards one after the other, and the
                 same rows as the run over the file (customers' order aside)
  interleaved    every row to a random shard, so customers are split across
                 shards: the single run over the shards one after the other
                 (the defined semantics, loyal-merge(1)); survey results do
                 not depend on order, so they equal the run over the file

usage: merge_splits.py LOYAL SRCDIR TMPDIR [TRIALS]
"""
import csv
import io
import os
import random
import subprocess
import sys

loyal, src, tmp = sys.argv[1], sys.argv[2], sys.argv[3]
trials = int(sys.argv[4]) if len(sys.argv) > 4 else 2
rng = random.Random(17)
failures = 0
checks = 0

CASES = [
    ("data/survey.csv", None, ["nps", "--by", "channel", "--period", "quarter"], []),
    ("data/survey.csv", None, ["csat", "--cols", "product,service,price", "--by", "channel"], []),
    ("data/orders.csv", "CustomerID", ["summary", "--by", "Country"], []),
    ("data/orders.csv", "CustomerID", ["repurchase", "--by", "Country"], ["--within", "90"]),
    ("data/orders.csv", "CustomerID", ["retention", "--period", "quarter"], ["--cohorts"]),
    ("data/orders.csv", "CustomerID", ["retention", "--by", "Country"], ["--inactive", "60"]),
    ("data/orders.csv", "CustomerID", ["churn"], ["--sort", "churn"]),
    ("data/orders.csv", "CustomerID", ["clv", "--as-of", "2011-10-31"], []),
    ("data/cancellations.csv", "CustomerID", ["summary"], []),
    ("data/orders.csv", "CustomerID", ["segment", "--by", "Country"], []),
    ("data/orders.csv", "CustomerID", ["segment"], ["--summary", "--bins", "5"]),
    # tiers states keep the daily amounts: --window and --compare are
    # chosen at the merge
    ("data/orders.csv", "CustomerID", ["tiers"], ["--split", "10,40"]),
    ("data/orders.csv", "CustomerID", ["tiers", "--by", "Country"], ["--window", "90"]),
    ("data/orders.csv", "CustomerID", ["tiers"], ["--compare", "2011-06-30", "--summary"]),
    ("data/orders.csv", "CustomerID", ["tiers"],
     ["--members", "gold: spend >= 1000, purchases >= 3; silver: spend >= 200; bronze:",
      "--window", "120", "--compare", "2011-09-30"]),
    ("data/orders.csv", "CustomerID", ["tiers", "--value", "clv"], ["--summary"]),
]


def run(args, stdin=None):
    p = subprocess.run([loyal] + args, cwd=src, input=stdin, capture_output=True)
    return p.returncode, p.stdout, p.stderr


def write(path, header, rows):
    with open(path, "w", newline="") as f:
        f.write(header)
        f.writelines(rows)


def check(name, ok, detail=""):
    global failures, checks
    checks += 1
    if ok:
        print(f"ok - {name}")
    else:
        failures += 1
        print(f"not ok - {name} {detail}")


for path, cust, state_args, result_args in CASES:
    # rows as records (quoted fields may hold line breaks), written back
    # with the same values
    with open(os.path.join(src, path), encoding="utf-8", newline="") as f:
        records = list(csv.reader(f))

    def line(rec):
        b = io.StringIO()
        csv.writer(b, lineterminator="\n").writerow(rec)
        return b.getvalue()

    header = line(records[0])
    rows = [line(r) for r in records[1:]]
    col = records[0].index(cust) if cust else None
    out_args = result_args + ["--format", "csv", "-q"]
    rc, whole, err = run(state_args + out_args + [path])
    if rc != 0:
        check(f"{path} {state_args} single run", False, err.decode())
        continue
    modes = ["rows", "interleaved"] + (["customer"] if cust else [])
    for mode in modes:
        for t in range(trials):
            k = rng.randint(2, 5)
            if mode == "rows":
                cuts = sorted(rng.sample(range(1, len(rows)), k - 1))
                shards = [rows[a:b] for a, b in zip([0] + cuts, cuts + [len(rows)])]
            elif mode == "customer":
                owner, shards = {}, [[] for _ in range(k)]
                for r in rows:
                    c = next(csv.reader(io.StringIO(r)))[col]
                    shards[owner.setdefault(c, rng.randrange(k))].append(r)
            else:
                shards = [[] for _ in range(k)]
                for r in rows:
                    shards[rng.randrange(k)].append(r)
            shards = [s for s in shards if s]
            files, states = [], []
            for i, s in enumerate(shards):
                f = os.path.join(tmp, f"shard{i}.csv")
                write(f, header, s)
                files.append(f)
                rc, st, err = run(state_args + ["--partial", f])
                if rc != 0:
                    break
                sp = os.path.join(tmp, f"shard{i}.part")
                open(sp, "wb").write(st)
                states.append(sp)
            name = f"{' '.join(state_args)} split by {mode} into {len(shards)} (trial {t + 1})"
            if len(states) != len(shards):
                check(name, False, "map step failed: " + err.decode())
                continue
            rc, merged, err = run(["merge"] + out_args + states)
            if rc != 0:
                check(name, False, "merge failed: " + err.decode())
                continue
            if mode == "rows" or (mode == "interleaved" and not cust):
                check(name, merged == whole, "differs from the single run over the file")
                continue
            concat = os.path.join(tmp, "concat.csv")
            write(concat, header, [r for s in shards for r in s])
            rc, seq, err = run(state_args + out_args + [concat])
            check(name, merged == seq, "differs from the single run over the shards in order")
            # the models' fits add customers up in their order: the
            # figures of a fit can differ in the last digits
            if mode == "customer" and state_args[0] not in ("churn", "clv") \
                    and "clv" not in state_args:
                same = sorted(merged.splitlines()) == sorted(whole.splitlines())
                check(name + ", rows as the file's", same, "rows differ from the file's")

print(f"{checks - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
