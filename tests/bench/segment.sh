#!/bin/sh
# Benchmark: `loyal segment -f csv -o FILE` against DuckDB (2 threads,
# through @duckdb/node-api) on the order lines of summary.sh: 10M lines,
# 1M customers (about 490 MB).
#
#   sh tests/bench/segment.sh [LINES [CUSTOMERS]]   (default 10000000 1000000)
#
# Both sides compute loyal-segment(1)'s definitions: the measures of
# loyal-summary(1) (summary.sh says how DuckDB gets them), then each score
# as 1 + (5 * (rank_min - 1)) // n, with SQL's rank() as rank_min (R by
# days since the last purchase descending, F by purchases, M by net spend),
# and the segment as the first matching row of the default table (a CASE).
# The check compares all 1M rows, by customer: every measure, score and
# segment.
. "$(dirname "$0")/common.sh"
. "$bench_here/orders-common.sh"
orders_bench "$@"

cat > "$work/segment.sql" <<SQL
COPY (
  WITH $orders_occasions
  lastday AS (SELECT max(md) AS last_day FROM occ),
  s AS (SELECT c, max(pd) AS la, count(pd) AS n, sum(a) AS spend
        FROM occ WHERE c IS NOT NULL GROUP BY c HAVING count(pd) > 0),
  k AS (SELECT count(*) AS total FROM s),
  sc AS (SELECT c, last_day - la AS dsl, n, spend,
                1 + (5 * (rank() OVER (ORDER BY last_day - la DESC) - 1)) // total AS r,
                1 + (5 * (rank() OVER (ORDER BY n) - 1)) // total AS f,
                1 + (5 * (rank() OVER (ORDER BY spend) - 1)) // total AS m
         FROM s, lastday, k)
  SELECT c AS customer, dsl AS days_since_last, n AS purchases, spend, r, f, m,
         CASE WHEN r >= 4 AND f >= 4 AND m >= 4 THEN 'Champions'
              WHEN r >= 2 AND f >= 3 AND m >= 3 THEN 'Loyal Customers'
              WHEN r >= 3 AND f <= 3 AND m <= 3 THEN 'Potential Loyalist'
              WHEN r >= 4 AND f = 1 AND m = 1 THEN 'New Customers'
              WHEN r BETWEEN 3 AND 4 AND f = 1 AND m = 1 THEN 'Promising'
              WHEN r BETWEEN 2 AND 3 AND f BETWEEN 2 AND 3 AND m BETWEEN 2 AND 3 THEN 'Need Attention'
              WHEN r BETWEEN 2 AND 3 AND f <= 2 AND m <= 2 THEN 'About To Sleep'
              WHEN r <= 2 AND f >= 2 AND m >= 2 THEN 'At Risk'
              WHEN r = 1 AND f >= 4 AND m >= 4 THEN 'Can''t Lose Them'
              WHEN r <= 2 AND f <= 2 AND m <= 2 THEN 'Lost'
              ELSE 'Others' END AS segment
  FROM sc
) TO '\$OUT' (HEADER, DELIMITER ',')
SQL

echo "segment: $csv ($(wc -c < "$csv") bytes, $lines lines); DuckDB $duck_version" >&2
measure "loyal segment -f csv -o" /dev/null "$loyal" segment "$csv" -f csv -q -o "$work/segment-loyal.csv"
set -- "$wall" "$cpu" "$rss"
measure "duckdb (2 threads)" /dev/null node "$cache/duck.mjs" "$work/segment.sql" "$csv" "$work/segment-duckdb.csv"
same=$(/usr/bin/python3 - "$work/segment-loyal.csv" "$work/segment-duckdb.csv" <<'PY'
import csv, sys
from decimal import Decimal
def rows(path):
    out = {}
    for r in csv.DictReader(open(path)):
        out[r["customer"]] = (int(r["days_since_last"]), int(r["purchases"]),
                              round(Decimal(r["spend"]), 2), int(r["r"]), int(r["f"]),
                              int(r["m"]), r["segment"])
    return out
a, b = rows(sys.argv[1]), rows(sys.argv[2])
bad = [k for k in a if a[k] != b.get(k)]
print("same (%d customers)" % len(a) if not bad and len(a) == len(b) else
      "DIFFERENT (%d of %d/%d rows, e.g. %s: %s %s)" % (len(bad), len(a), len(b), bad[:1],
                                                       a.get(bad[0]) if bad else "",
                                                       b.get(bad[0]) if bad else ""))
PY
)
table_header DuckDB
table_row "segment -f csv -o, $lines lines" "$1" "$2" "$3" "$wall" "$cpu" "$rss" "$same"
