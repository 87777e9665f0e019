#!/bin/sh
# Benchmark: `loyal summary -f csv -o FILE` against DuckDB (2 threads,
# through @duckdb/node-api, COPY ... TO a csv file) on a generated year of
# a point-of-sale export: 10M order lines, 1M customers, one receipt id per
# line, ~2% guest lines, ~1% returns (about 490 MB).
#
#   sh tests/bench/summary.sh [LINES [CUSTOMERS]]   (default 10000000 1000000)
#
# Both sides compute loyal-summary(1)'s definitions: a purchase occasion is
# a customer's distinct receipt among lines with an amount >= 0, dated by
# its earliest line; spend is the sum of all the customer's amounts,
# returns included; the as-of date is the last date of any line; a day
# whose returns cancel its purchases (net zero or below) holds none (the
# default --returns net-day). DuckDB reads the file once (one GROUP BY
# customer and receipt, then the days with returns, then one by customer).
# The check compares all 1M rows, by customer.
. "$(dirname "$0")/common.sh"
. "$bench_here/orders-common.sh"
bench_need
bench_duckdb
lines=${1:-10000000}
customers=${2:-1000000}
csv=$(bench_data orders "$lines" "$customers")

cat > "$work/summary.sql" <<SQL
COPY (
  WITH occ0 AS (SELECT customer_id AS c, receipt_id AS o,
                      min(CAST("timestamp" AS DATE)) FILTER (WHERE qty * unit_price >= 0) AS pd,
                      max(CAST("timestamp" AS DATE)) AS md, sum(qty * unit_price) AS a,
                      sum(qty * unit_price) FILTER (WHERE qty * unit_price >= 0) AS b,
                      min(CAST("timestamp" AS DATE)) FILTER (WHERE qty * unit_price < 0) AS rd,
                      sum(qty * unit_price) FILTER (WHERE qty * unit_price < 0) AS r
               FROM $orders_read GROUP BY ALL),
  -- same-day cancellations: a customer's day with returns whose purchases
  -- and returns net to <= 0 holds no purchase (each receipt is one line,
  -- so a receipt is a purchase or a return, on one day)
  gone AS (SELECT c, d FROM (SELECT c, pd AS d, sum(b) AS v FROM occ0 WHERE pd IS NOT NULL GROUP BY ALL
                             UNION ALL
                             SELECT c, rd AS d, sum(r) AS v FROM occ0 WHERE rd IS NOT NULL GROUP BY ALL)
           WHERE c IS NOT NULL GROUP BY ALL HAVING count(*) = 2 AND sum(v) <= 0),
  occ AS (SELECT occ0.c, occ0.o, CASE WHEN gone.c IS NULL THEN occ0.pd END AS pd, occ0.md, occ0.a
          FROM occ0 LEFT JOIN gone ON occ0.c = gone.c AND occ0.pd = gone.d),
  lastday AS (SELECT max(md) AS m FROM occ),
  s AS (SELECT c, min(pd) AS f, max(pd) AS la, count(pd) AS n, sum(a) AS spend
        FROM occ WHERE c IS NOT NULL GROUP BY c HAVING count(pd) > 0)
  SELECT c AS customer, f AS first_purchase, la AS last_purchase, n AS purchases, spend,
         la - f AS recency_days, m - f AS age_days, m - la AS days_since_last
  FROM s, lastday
) TO '\$OUT' (HEADER, DELIMITER ',')
SQL

echo "summary: $csv ($(wc -c < "$csv") bytes, $lines lines); DuckDB $duck_version" >&2
measure "loyal summary -f csv -o" /dev/null "$loyal" summary "$csv" -f csv -q -o "$work/summary-loyal.csv"
set -- "$wall" "$cpu" "$rss"
measure "duckdb (2 threads)" /dev/null node "$cache/duck.mjs" "$work/summary.sql" "$csv" "$work/summary-duckdb.csv"
same=$(/usr/bin/python3 - "$work/summary-loyal.csv" "$work/summary-duckdb.csv" <<'PY'
import csv, sys
from decimal import Decimal
def rows(path):
    out = {}
    for r in csv.DictReader(open(path)):
        out[r["customer"]] = (r["first_purchase"], r["last_purchase"], int(r["purchases"]),
                              round(Decimal(r["spend"]), 2), int(r["recency_days"]),
                              int(r["age_days"]), int(r["days_since_last"]))
    return out
a, b = rows(sys.argv[1]), rows(sys.argv[2])
bad = [k for k in a if a[k] != b.get(k)]
print("same (%d customers)" % len(a) if not bad and len(a) == len(b) else
      "DIFFERENT (%d of %d/%d rows, e.g. %s)" % (len(bad), len(a), len(b), bad[:1]))
PY
)
table_header DuckDB
table_row "summary -f csv -o, $lines lines" "$1" "$2" "$3" "$wall" "$cpu" "$rss" "$same"
