#!/bin/sh
# Benchmark: loyal repurchase against DuckDB on the same generated order-line
# export (shaped like data/orders.csv). Prints figures; not part of the test
# suite.
#
#   sh tests/bench/orders-vs-duckdb.sh [LINES]     (default 2000000)
#
# Both sides compute the same thing: customers with at least one order
# (distinct InvoiceNo among lines with a non-negative amount, guest lines
# left out) and those with two or more. The first two lines printed are the
# two answers, which must agree.
#
# Needs: a built ./build/loyal, /usr/bin/python3, node + npm (DuckDB comes
# from the npm package @duckdb/node-api, installed into a scratch folder),
# hyperfine when present.
set -eu
lines=${1:-2000000}
here=$(cd "$(dirname "$0")/../.." && pwd)
loyal=${LOYAL:-$here/build/loyal}
work=${BENCH_DIR:-/tmp/loyal-bench}
mkdir -p "$work"
csv="$work/orders-$lines.csv"

if [ ! -f "$csv" ]; then
	/usr/bin/python3 - "$lines" "$csv" <<'PY'
import datetime, random, sys
lines, path = int(sys.argv[1]), sys.argv[2]
rng = random.Random(1)
start = datetime.datetime(2010, 12, 1)
countries = ["United Kingdom"] * 8 + ["Germany", "France"]
ncust = max(lines // 20, 10)
with open(path, "w") as f:
    f.write("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n")
    n, inv = 0, 536365
    while n < lines:
        cust = "" if rng.random() < 0.02 else str(12346 + rng.randrange(ncust))
        t = start + datetime.timedelta(minutes=rng.randrange(373 * 24 * 60))
        ret = rng.random() < 0.02
        for _ in range(min(1 + int(rng.expovariate(0.2)), lines - n)):
            q = rng.choice([1, 2, 3, 4, 6, 12, 24])
            f.write(f"{'C' if ret else ''}{inv},{84000 + rng.randrange(3000)},"
                    f"\"SET OF {rng.randint(2, 6)} CAKE TINS, ASSORTED\",{-q if ret else q},"
                    f"{t:%Y-%m-%d %H:%M:%S},{rng.choice(['0.42', '1.25', '2.95', '12.75'])},"
                    f"{cust},{rng.choice(countries)}\n")
            n += 1
        inv += 1
PY
fi
if [ ! -d "$work/node_modules/@duckdb/node-api" ]; then
	(cd "$work" && npm init -y >/dev/null 2>&1 && npm install --silent @duckdb/node-api >/dev/null 2>&1)
fi
cat > "$work/duck-orders.mjs" <<'JS'
import { DuckDBInstance } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(':memory:', { threads: '2' });
const con = await inst.connect();
const r = await con.runAndReadAll(`
  WITH o AS (SELECT CustomerID, count(DISTINCT InvoiceNo) AS orders
             FROM read_csv('${process.argv[2]}', header=true)
             WHERE CustomerID IS NOT NULL AND Quantity * UnitPrice >= 0 GROUP BY ALL)
  SELECT count(*) AS customers, count(*) FILTER (WHERE orders >= 2) AS repeat_customers,
         100.0 * count(*) FILTER (WHERE orders >= 2) / count(*) AS repurchase_rate FROM o`);
process.stdout.write(r.getRows().map(String).join('\n') + '\n');
JS

echo "file: $csv ($(wc -c < "$csv") bytes, $lines lines)"
echo "loyal:  $("$loyal" repurchase "$csv" --format csv -q | sed -n 2p | cut -d, -f1-3)"
echo "duckdb: $(cd "$work" && node duck-orders.mjs "$csv")"
if command -v hyperfine >/dev/null 2>&1; then
	hyperfine -w 1 -r 5 \
		-n "loyal repurchase" "$loyal repurchase $csv -q --format csv" \
		-n "duckdb (2 threads, incl. node start)" "cd $work && node duck-orders.mjs $csv"
else
	/usr/bin/time -f "loyal %e s %M KiB" "$loyal" repurchase "$csv" -q >/dev/null
	(cd "$work" && /usr/bin/time -f "duckdb %e s %M KiB" node duck-orders.mjs "$csv" >/dev/null)
fi
/usr/bin/time -f "loyal repurchase: %e s, %M KiB max RSS" "$loyal" repurchase "$csv" -q >/dev/null
