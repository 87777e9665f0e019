# Shared by summary.sh, segment.sh and repurchase.sh (sourced after
# common.sh): the order-line input and DuckDB's reading of it.
orders_read="read_csv('\$FILE', header = true, columns = {
       'receipt_id': 'VARCHAR', 'timestamp': 'TIMESTAMP', 'customer_id': 'VARCHAR',
       'sku': 'VARCHAR', 'qty': 'INTEGER', 'unit_price': 'DECIMAL(18,2)'})"

# orders_bench [LINES [CUSTOMERS]]: check for what the benchmark needs and
# set lines, customers and csv, the generated order lines (made once).
orders_bench() {
	bench_need
	bench_duckdb
	lines=${1:-10000000}
	customers=${2:-1000000}
	csv=$(bench_data orders "$lines" "$customers")
}

# loyal's purchase occasions in SQL, the common table expressions of
# summary.sh and segment.sh (after WITH): occ has a row per customer c and
# receipt o, dated pd (NULL for a return or a cancelled day's purchase),
# with its last date md and net amount a.
orders_occasions=$(cat <<SQL
occ0 AS (SELECT customer_id AS c, receipt_id AS o,
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
SQL
)
