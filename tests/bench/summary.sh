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
orders_bench "$@"

cat > "$work/summary.sql" <<SQL
COPY (
  WITH $orders_occasions
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
