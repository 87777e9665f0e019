#!/usr/bin/env python3
"""The map step of loyal on a Dask distributed cluster started here: a
scheduler and two workers as separate processes on loopback, `loyal CMD
--partial` on each shard through client.map, the reduce by `loyal merge`
of the gathered states; the result must be that of one run over the file.

usage: merge_dask.py LOYAL SRCDIR TMPDIR   (exit 77 without dask.distributed,
unless LOYAL_REQUIRE_ENGINES=1)
"""
import os
import subprocess
import sys
import time

loyal, src, tmp = sys.argv[1:4]
try:
    from dask.distributed import Client
except ImportError:
    print("dask.distributed is not installed (Debian: python3-distributed)")
    sys.exit(1 if os.environ.get("LOYAL_REQUIRE_ENGINES") == "1" else 77)


def partial(args):
    """Runs on a worker: the state of one shard."""
    p = subprocess.run(args, capture_output=True)
    if p.returncode != 0:
        raise RuntimeError(p.stderr.decode())
    return p.stdout


procs = []
failures = 0
sched_file = os.path.join(tmp, "scheduler.json")
env = dict(os.environ, DASK_DISTRIBUTED__WORKER__DAEMON="False")
try:
    procs.append(subprocess.Popen(
        ["dask-scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
         "--scheduler-file", sched_file], stdout=subprocess.DEVNULL,
        stderr=open(os.path.join(tmp, "scheduler.log"), "w"), env=env))
    for _ in range(600):
        if os.path.exists(sched_file) and os.path.getsize(sched_file) > 0:
            break
        time.sleep(0.1)
    for i in range(2):
        procs.append(subprocess.Popen(
            ["dask-worker", "--scheduler-file", sched_file, "--nthreads", "1",
             "--no-dashboard", "--host", "127.0.0.1", "--name", f"w{i}",
             "--local-directory", os.path.join(tmp, f"w{i}")],
            stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(tmp, f"worker{i}.log"), "w"), env=env))
    client = Client(scheduler_file=sched_file, timeout=60)
    client.wait_for_workers(2, timeout=120)
    print(f"ok - a scheduler and {len(client.scheduler_info()['workers'])} workers on loopback")

    # shards of the sample orders and survey, header in each
    for path, cmd in (("data/orders.csv", ["retention", "--by", "Country"]),
                      ("data/orders.csv", ["summary"]),
                      ("data/survey.csv", ["nps", "--by", "channel", "--period", "month"])):
        with open(os.path.join(src, path), encoding="utf-8", newline="") as f:
            lines = f.read().split("\n")
        header, rows = lines[0] + "\n", [l + "\n" for l in lines[1:] if l]
        if path.endswith("survey.csv"):
            # records, not lines: the survey has quoted line breaks
            import csv, io
            recs = list(csv.reader(io.StringIO("".join([header] + rows))))
            def line(r):
                b = io.StringIO()
                csv.writer(b, lineterminator="\n").writerow(r)
                return b.getvalue()
            header, rows = line(recs[0]), [line(r) for r in recs[1:]]
        shards = []
        n = 4
        for i in range(n):
            sp = os.path.join(tmp, f"dask_shard{i}.csv")
            with open(sp, "w", encoding="utf-8", newline="") as f:
                f.write(header)
                f.writelines(rows[len(rows) * i // n:len(rows) * (i + 1) // n])
            shards.append(sp)
        futures = client.map(partial, [[loyal] + cmd + ["--partial", s] for s in shards])
        states = client.gather(futures)
        merged = subprocess.run([loyal, "merge", "--format", "csv", "-q"], input=b"".join(states),
                                capture_output=True)
        single = subprocess.run([loyal] + cmd + ["--format", "csv", "-q", path], cwd=src,
                                capture_output=True)
        name = f"{' '.join(cmd)}: map on the cluster, merge = single run"
        if merged.returncode == 0 and merged.stdout == single.stdout and single.returncode == 0:
            print(f"ok - {name}")
        else:
            failures += 1
            print(f"not ok - {name}: {merged.stderr.decode()}")
    client.close()
except Exception as e:  # the cluster itself failed
    failures += 1
    print(f"not ok - Dask cluster: {e!r}")
    for log in ("scheduler.log", "worker0.log", "worker1.log"):
        p = os.path.join(tmp, log)
        if os.path.exists(p):
            print(f"--- {log}\n" + open(p).read()[-2000:])
finally:
    for p in reversed(procs):
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
print(f"{'failed' if failures else 'passed'}")
sys.exit(1 if failures else 0)
