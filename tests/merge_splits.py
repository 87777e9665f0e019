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

loyalty and complaints read two inputs, split independently (the survey by rows or
interleaved (the complaints too), the orders by rows, customer or interleaved) and paired into
shards (a shard with no rows of one input gets a file with its header
only): the merge is the single run over each input's shards one after the
other.

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


def records_of(path):
    """The header's names, and the header and each row as CSV text: rows as
    records (quoted fields may hold line breaks), written back with the same
    values."""
    with open(os.path.join(src, path), encoding="utf-8", newline="") as f:
        records = list(csv.reader(f))

    def line(rec):
        b = io.StringIO()
        csv.writer(b, lineterminator="\n").writerow(rec)
        return b.getvalue()

    return records[0], line(records[0]), [line(r) for r in records[1:]]


def split(rows, mode, k, col):
    """Rows into k shards: cut in k runs ("rows"), each customer's rows in one
    shard at random ("customer", col the customer column), or each row in a
    shard at random ("interleaved")."""
    if mode == "rows":
        cuts = sorted(rng.sample(range(1, len(rows)), k - 1))
        return [rows[a:b] for a, b in zip([0] + cuts, cuts + [len(rows)])]
    shards, owner = [[] for _ in range(k)], {}
    for r in rows:
        if mode == "customer":
            c = next(csv.reader(io.StringIO(r)))[col]
            shards[owner.setdefault(c, rng.randrange(k))].append(r)
        else:
            shards[rng.randrange(k)].append(r)
    return shards


for path, cust, state_args, result_args in CASES:
    names, header, rows = records_of(path)
    col = names.index(cust) if cust else None
    out_args = result_args + ["--format", "csv", "-q"]
    rc, whole, err = run(state_args + out_args + [path])
    if rc != 0:
        check(f"{path} {state_args} single run", False, err.decode())
        continue
    modes = ["rows", "interleaved"] + (["customer"] if cust else [])
    for mode in modes:
        for t in range(trials):
            k = rng.randint(2, 5)
            shards = [s for s in split(rows, mode, k, col) if s]
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


# loyalty: the survey and the orders sharded independently
s_names, s_header, s_rows = records_of("data/survey.csv")
o_names, o_header, o_rows = records_of("data/orders.csv")
o_col = o_names.index("CustomerID")
for result_args in (["--format", "csv", "-q"], ["--matrix", "--format", "json", "-q"],
                    ["--followup", "--top", "20", "--format", "csv", "-q"]):
    rc, whole, err = run(["loyalty", "--survey", "data/survey.csv", "--orders", "data/orders.csv"]
                         + result_args)
    if rc != 0:
        check(f"loyalty {result_args} single run", False, err.decode())
        continue
    for s_mode in ("rows", "interleaved"):
        for o_mode in ("rows", "customer", "interleaved"):
            for t in range(trials):
                k = rng.randint(2, 5)
                ss = split(s_rows, s_mode, rng.randint(1, k) if s_mode == "rows" and k > 2 else k, None)
                os_ = split(o_rows, o_mode, k, o_col)
                ss += [[] for _ in range(len(os_) - len(ss))]
                states, sfiles, ofiles = [], [], []
                for i, (sv, od) in enumerate(zip(ss, os_)):
                    sf, of = os.path.join(tmp, f"survey{i}.csv"), os.path.join(tmp, f"orders{i}.csv")
                    write(sf, s_header, sv)
                    write(of, o_header, od)
                    sfiles += ["--survey", sf]
                    ofiles += ["--orders", of]
                    rc, st, err = run(["loyalty", "--partial", "--survey", sf, "--orders", of])
                    if rc != 0:
                        break
                    sp = os.path.join(tmp, f"loyalty{i}.part")
                    open(sp, "wb").write(st)
                    states.append(sp)
                name = (f"loyalty {' '.join(result_args[:2])} survey by {s_mode}, orders by "
                        f"{o_mode}, {len(os_)} shards (trial {t + 1})")
                if len(states) != len(os_):
                    check(name, False, "map step failed: " + err.decode())
                    continue
                rc, merged, err = run(["merge"] + result_args + states)
                if rc != 0:
                    check(name, False, "merge failed: " + err.decode())
                    continue
                if s_mode == "rows" and o_mode == "rows":
                    check(name, merged == whole, "differs from the single run over the files")
                    continue
                rc, seq, err = run(["loyalty"] + sfiles + ofiles + result_args)
                check(name, rc == 0 and merged == seq,
                      "differs from the single run over the shards in order")

# complaints: the complaints and the orders sharded independently
c_names, c_header, c_rows = records_of("data/complaints.csv")
for state_args, result_args in (([], ["--format", "csv", "-q"]),
                                (["--by", "category", "--period", "quarter"], ["--format", "csv", "-q"]),
                                ([], ["--churn", "--format", "csv", "-q"])):
    rc, whole, err = run(["complaints", "--orders", "data/orders.csv"] + state_args + result_args
                         + ["data/complaints.csv"])
    if rc != 0:
        check(f"complaints {state_args} single run", False, err.decode())
        continue
    for c_mode in ("rows", "interleaved"):
        for o_mode in ("rows", "customer", "interleaved"):
            for t in range(trials):
                k = rng.randint(2, 5)
                cs = split(c_rows, c_mode, k, None)
                os_ = split(o_rows, o_mode, k, o_col)
                states = []
                for i, (cv, od) in enumerate(zip(cs, os_)):
                    cf, of = os.path.join(tmp, f"compl{i}.csv"), os.path.join(tmp, f"orders{i}.csv")
                    write(cf, c_header, cv)
                    write(of, o_header, od)
                    rc, st, err = run(["complaints", "--partial", "--orders", of] + state_args + [cf])
                    if rc != 0:
                        break
                    sp = os.path.join(tmp, f"complaints{i}.part")
                    open(sp, "wb").write(st)
                    states.append(sp)
                name = (f"complaints {' '.join(state_args + result_args[:1])} complaints by "
                        f"{c_mode}, orders by {o_mode}, {k} shards (trial {t + 1})")
                if len(states) != k:
                    check(name, False, "map step failed: " + err.decode())
                    continue
                rc, merged, err = run(["merge"] + result_args + states)
                if rc != 0:
                    check(name, False, "merge failed: " + err.decode())
                    continue
                # counts: the same whatever the shards and their order
                check(name, merged == whole, "differs from the single run over the files")

print(f"{checks - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
