#!/bin/sh
# Benchmark: `loyal nps --by channel` against DuckDB (2 threads, through
# @duckdb/node-api) on 5M generated survey answers (about 240 MB; a few
# comments hold quoted commas, quotes and line breaks; 1% are blank).
#
#   sh tests/bench/nps.sh [ROWS]          (default 5000000)
#
# Prints each side's wall time, CPU time and peak memory (whole processes:
# loyal's start, node's start and DuckDB's CSV reading included; the median
# of BENCH_RUNS runs) and checks that both give the same counts and NPS per
# channel. See tests/bench/common.sh for the environment it reads.
. "$(dirname "$0")/common.sh"
bench_need
bench_duckdb
rows=${1:-5000000}
csv=$(bench_data survey "$rows")

cat > "$work/nps.sql" <<'SQL'
SELECT channel, count(*) AS responses,
       count(*) FILTER (WHERE nps >= 9) AS promoters,
       count(*) FILTER (WHERE nps BETWEEN 7 AND 8) AS passives,
       count(*) FILTER (WHERE nps <= 6) AS detractors,
       100.0 * (count(*) FILTER (WHERE nps >= 9) - count(*) FILTER (WHERE nps <= 6)) / count(*) AS nps
FROM read_csv('$FILE', header = true, columns = {
       'response_id': 'VARCHAR', 'submitted_at': 'VARCHAR', 'customer_id': 'VARCHAR',
       'channel': 'VARCHAR', 'nps': 'INTEGER', 'comment': 'VARCHAR'})
WHERE nps IS NOT NULL GROUP BY channel ORDER BY channel
SQL

echo "nps --by channel: $csv ($(wc -c < "$csv") bytes, $rows rows); DuckDB $duck_version" >&2
measure "loyal nps --by channel" "$work/nps-loyal.csv" "$loyal" nps "$csv" --by channel -f csv -q
set -- "$wall" "$cpu" "$rss"
measure "duckdb (2 threads)" "$work/nps-duckdb.csv" node "$cache/duck.mjs" "$work/nps.sql" "$csv"
same=$(/usr/bin/python3 - "$work/nps-loyal.csv" "$work/nps-duckdb.csv" <<'PY'
import csv, sys
a = {r["channel"]: r for r in csv.DictReader(open(sys.argv[1]))}
b = {r["channel"]: r for r in csv.DictReader(open(sys.argv[2]))}
ok = a.keys() == b.keys() and all(
    all(int(a[k][c]) == int(b[k][c]) for c in ("responses", "promoters", "passives", "detractors"))
    and abs(float(a[k]["nps"]) - float(b[k]["nps"])) < 1e-9 for k in a)
print("same" if ok else "DIFFERENT")
PY
)
[ "$same" = same ] || { echo "the answers differ:" >&2; cat "$work/nps-loyal.csv" "$work/nps-duckdb.csv" >&2; }
table_header DuckDB
table_row "nps --by channel, $rows survey rows" "$1" "$2" "$3" "$wall" "$cpu" "$rss" "$same"
