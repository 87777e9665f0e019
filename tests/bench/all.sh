#!/bin/sh
# All four benchmarks of issue 9, one table: nps.sh, summary.sh,
# repurchase.sh, churn.sh (see each). Inputs are generated once into
# BENCH_DIR (about 1 GB) with a fixed seed. Run it on an idle machine,
# under nice if others share it; the ratios are from this one run.
#
#   sh tests/bench/all.sh
set -eu
case ${1:-} in
-h | --help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;;
?*) echo "all.sh: no arguments (the sizes are those of each script's default); see --help" >&2; exit 64 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for b in nps summary repurchase churn; do
	sh "$here/$b.sh" >"$out.one" || { echo "$b.sh failed" >&2; exit 1; }
	tail -n 1 "$out.one" >>"$out"
done
rm -f "$out.one"
printf '\n| work | loyal wall | loyal CPU | loyal RSS | peer wall | peer CPU | peer RSS | speed (peer/loyal) | memory (loyal/peer) | answers |\n'
printf '|---|---|---|---|---|---|---|---|---|---|\n'
cat "$out"
echo "peers: DuckDB (@duckdb/node-api, 2 threads) for nps, summary and repurchase;"
echo "an independent scipy BG/NBD fit (not lifetimes, which cannot be installed here) for churn."
echo "loyal threads: ${LOYAL_THREADS:-default (the cores, at most 8)}; $(nproc) cores"
