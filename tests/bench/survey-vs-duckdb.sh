#!/bin/sh
# Benchmark: loyal nps against DuckDB on the same generated CSV.
# Prints figures; not part of the test suite.
#
#   sh tests/bench/survey-vs-duckdb.sh [ROWS]     (default 2000000)
#
# Needs: a built ./build/loyal, /usr/bin/python3, node + npm (DuckDB comes
# from the npm package @duckdb/node-api, installed into a scratch folder),
# hyperfine when present.
set -eu
rows=${1:-2000000}
here=$(cd "$(dirname "$0")/../.." && pwd)
loyal=${LOYAL:-$here/build/loyal}
work=${BENCH_DIR:-/tmp/loyal-bench}
mkdir -p "$work"
csv="$work/survey-$rows.csv"

if [ ! -f "$csv" ]; then
	/usr/bin/python3 - "$rows" "$csv" <<'PY'
import random, sys
rows, path = int(sys.argv[1]), sys.argv[2]
rng = random.Random(1)
chs = ["web", "store", "app", "phone"]
with open(path, "w") as f:
    f.write("response_id,submitted_at,customer_id,channel,nps,comment\n")
    for i in range(rows):
        f.write(f"R{i},2025-{rng.randint(1,12):02d}-{rng.randint(1,28):02d} "
                f"{rng.randint(0,23):02d}:{rng.randint(0,59):02d}:00,C{rng.randint(1,200000)},"
                f"{rng.choice(chs)},{rng.randint(0,10)},\"some text, with comma\"\n")
PY
fi
if [ ! -d "$work/node_modules/@duckdb/node-api" ]; then
	(cd "$work" && npm init -y >/dev/null 2>&1 && npm install --silent @duckdb/node-api >/dev/null 2>&1)
fi
cat > "$work/duck.mjs" <<'JS'
import { DuckDBInstance } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(':memory:', { threads: '2' });
const con = await inst.connect();
const r = await con.runAndReadAll(`
  SELECT channel, strftime(CAST(submitted_at AS TIMESTAMP), '%Y-%m') AS period, count(*) AS responses,
         100.0*avg(CASE WHEN nps >= 9 THEN 1 ELSE 0 END) - 100.0*avg(CASE WHEN nps <= 6 THEN 1 ELSE 0 END) AS nps
  FROM read_csv('${process.argv[2]}', header=true) WHERE nps IS NOT NULL GROUP BY ALL ORDER BY ALL`);
process.stdout.write(r.getRows().map(String).join('\n') + '\n');
JS

echo "file: $csv ($(wc -c < "$csv") bytes, $rows rows)"
"$loyal" nps "$csv" --by channel --period month --format csv -q | cut -d, -f1,2,3,10 | sed -n 2,3p
(cd "$work" && node duck.mjs "$csv") | sed -n 1,2p
if command -v hyperfine >/dev/null 2>&1; then
	hyperfine -w 1 -r 5 \
		-n "loyal nps --by channel --period month" "$loyal nps $csv --by channel --period month -q --format csv" \
		-n "duckdb (2 threads, incl. node start)" "cd $work && node duck.mjs $csv"
else
	/usr/bin/time -f "loyal %e s %M KiB" "$loyal" nps "$csv" --by channel --period month -q >/dev/null
	(cd "$work" && /usr/bin/time -f "duckdb %e s %M KiB" node duck.mjs "$csv" >/dev/null)
fi
