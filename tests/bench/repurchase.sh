#!/bin/sh
# Benchmark: `loyal repurchase` against DuckDB (2 threads, through
# @duckdb/node-api) on the order lines of summary.sh: a generated year of a
# point-of-sale export, 10M lines, 1M customers, one receipt id per line,
# ~2% guest lines, ~1% returns (about 490 MB).
#
#   sh tests/bench/repurchase.sh [LINES [CUSTOMERS]]   (default 10000000 1000000)
#
# Both sides compute loyal-repurchase(1)'s definitions: occasions are a
# customer's distinct receipts among lines with an amount >= 0, dated by
# their earliest line, less those on a day whose returns cancel its
# purchases (--returns net-day); customers, repeat customers, repurchase
# rate, repeat purchases and the mean and median days between consecutive
# occasions.
# The check compares all six.
. "$(dirname "$0")/common.sh"
. "$bench_here/orders-common.sh"
orders_bench "$@"

cat > "$work/repurchase.sql" <<SQL
WITH l AS (SELECT customer_id AS c, receipt_id AS o, CAST("timestamp" AS DATE) AS d,
                  qty * unit_price AS a FROM $orders_read WHERE customer_id IS NOT NULL),
     occ0 AS (SELECT c, o, min(d) AS d, sum(a) AS b FROM l WHERE a >= 0 GROUP BY ALL),
     -- same-day cancellations: a day whose returns and purchases net to <= 0
     ret AS (SELECT c, d, sum(a) AS r FROM l WHERE a < 0 GROUP BY ALL),
     gone AS (SELECT c, d FROM (SELECT c, d, sum(b) AS b FROM occ0 GROUP BY ALL) JOIN ret USING (c, d)
              WHERE b + r <= 0),
     occ AS (SELECT occ0.c, occ0.o, occ0.d FROM occ0 ANTI JOIN gone USING (c, d)),
     g AS (SELECT d - lag(d) OVER w AS gap, row_number() OVER w AS k FROM occ
           WINDOW w AS (PARTITION BY c ORDER BY d))
SELECT count(*) FILTER (WHERE k = 1) AS customers,
       count(*) FILTER (WHERE k = 2) AS repeat_customers,
       100.0 * count(*) FILTER (WHERE k = 2) / count(*) FILTER (WHERE k = 1) AS repurchase_rate,
       count(gap) AS repeat_purchases, avg(gap) AS mean_days_between,
       median(gap) AS median_days_between
FROM g
SQL

echo "repurchase: $csv ($(wc -c < "$csv") bytes, $lines lines); DuckDB $duck_version" >&2
measure "loyal repurchase" "$work/repurchase-loyal.csv" "$loyal" repurchase "$csv" -f csv -q
set -- "$wall" "$cpu" "$rss"
measure "duckdb (2 threads)" "$work/repurchase-duckdb.csv" node "$cache/duck.mjs" "$work/repurchase.sql" "$csv"
same=$(/usr/bin/python3 - "$work/repurchase-loyal.csv" "$work/repurchase-duckdb.csv" <<'PY'
import csv, sys
a = next(csv.DictReader(open(sys.argv[1])))
b = next(csv.DictReader(open(sys.argv[2])))
ok = all(int(a[k]) == int(b[k]) for k in ("customers", "repeat_customers", "repeat_purchases")) and \
     all(abs(float(a[k]) - float(b[k])) <= 1e-9 * max(1.0, abs(float(b[k])))
         for k in ("repurchase_rate", "mean_days_between", "median_days_between"))
print("same" if ok else "DIFFERENT")
PY
)
[ "$same" = same ] || { echo "the answers differ:" >&2; cat "$work/repurchase-loyal.csv" "$work/repurchase-duckdb.csv" >&2; }
table_header DuckDB
table_row "repurchase, $lines lines" "$1" "$2" "$3" "$wall" "$cpu" "$rss" "$same"
