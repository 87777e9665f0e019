# Shared by the benchmark scripts of tests/bench/ (sourced, not run).
#
# Environment:
#   LOYAL        the program to time (default: build/loyal of this checkout)
#   BENCH_DIR    where the generated inputs and outputs go (default
#                /tmp/loyal-bench; about 1 GB for all four)
#   BENCH_CACHE  where DuckDB's npm package is installed when absent (default
#                ${XDG_CACHE_HOME:-~/.cache}/loyal-bench)
#   BENCH_RUNS   runs of each side; the median wall time is reported (3)
#   LOYAL_THREADS  passed through to loyal (default: its own, the cores)
#
# Needs /usr/bin/python3 with numpy (the generators), node and npm (DuckDB
# through @duckdb/node-api), and GNU time as /usr/bin/time for the CPU time
# and the peak memory (Debian: apt-get install time).
set -eu

# The arguments are counts (lines, customers, rows): --help shows the
# script's own header, anything else that is not a positive whole number is
# refused before a file is generated under its name.
for arg in "$@"; do
	case $arg in
	-h | --help)
		sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"
		exit 0 ;;
	'' | *[!0-9]* | 0 | 0*)
		echo "$(basename "$0"): '$arg' is not a count (a positive whole number); see --help" >&2
		exit 64 ;;
	esac
done

bench_here=$(cd "$(dirname "$0")" && pwd)
bench_root=$(cd "$bench_here/../.." && pwd)
loyal=${LOYAL:-$bench_root/build/loyal}
work=${BENCH_DIR:-/tmp/loyal-bench}
cache=${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/loyal-bench}
runs=${BENCH_RUNS:-3}
mkdir -p "$work" "$cache"

bench_need() {
	[ -x "$loyal" ] || { echo "no $loyal: build first (see README.md)" >&2; exit 1; }
	[ -x /usr/bin/time ] && /usr/bin/time -f %e true 2>/dev/null ||
		{ echo "GNU time is needed as /usr/bin/time (apt-get install time)" >&2; exit 1; }
	/usr/bin/python3 -c 'import numpy' 2>/dev/null ||
		{ echo "needs /usr/bin/python3 with numpy (apt-get install python3-numpy)" >&2; exit 1; }
}

bench_duckdb() {
	command -v node >/dev/null 2>&1 ||
		{ echo "needs node and npm (apt-get install nodejs npm)" >&2; exit 1; }
	if [ ! -d "$cache/node_modules/@duckdb/node-api" ]; then
		echo "installing @duckdb/node-api into $cache" >&2
		(cd "$cache" && { [ -f package.json ] || npm init -y >/dev/null; } &&
			npm install --silent @duckdb/node-api >/dev/null)
	fi
	cp "$bench_here/duck.mjs" "$cache/duck.mjs"
	duck_version=$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' \
		"$cache/node_modules/@duckdb/node-api/package.json" | head -n 1)
}

# bench_data KIND ARGS...: the generated file's path (made once, then kept).
bench_data() {
	kind=$1
	shift
	f="$work/$kind-$(echo "$@" | tr ' ' '-').csv"
	if [ ! -s "$f" ]; then
		echo "generating $f" >&2
		nice /usr/bin/python3 "$bench_here/gen.py" "$kind" "$@" "$f.tmp" && mv "$f.tmp" "$f"
	fi
	echo "$f"
}

# measure NAME OUT COMMAND...: run COMMAND $runs times with standard output
# to OUT; sets wall (median), cpu (user + system) and rss (MB) of that run.
measure() {
	name=$1 out=$2
	shift 2
	i=0
	: > "$work/times"
	while [ "$i" -lt "$runs" ]; do
		if ! /usr/bin/time -o "$work/time1" -f '%e %U %S %M' "$@" > "$out" 2> "$work/stderr"; then
			echo "$name failed:" >&2
			cat "$work/stderr" >&2
			exit 1
		fi
		tail -n 1 "$work/time1" >> "$work/times"
		i=$((i + 1))
	done
	set -- $(sort -n "$work/times" | sed -n "$(( (runs + 1) / 2 ))p")
	wall=$1
	cpu=$(echo "$2 $3" | awk '{ printf "%.2f", $1 + $2 }')
	rss=$(echo "$4" | awk '{ printf "%.0f", $1 / 1024 }')
	printf '  %-28s %6.2f s wall  %6.2f s CPU  %6s MB   (%s runs: %s)\n' "$name" "$wall" "$cpu" "$rss" \
		"$runs" "$(awk '{ printf "%s ", $1 }' "$work/times")" >&2
}

# Table rows: work, loyal's and the peer's figures, speed and memory ratios.
table_header() {
	printf '\n| work | loyal wall | loyal CPU | loyal RSS | %s wall | %s CPU | %s RSS | speed (peer/loyal) | memory (loyal/peer) | answers |\n' "$1" "$1" "$1"
	printf '|---|---|---|---|---|---|---|---|---|---|\n'
}
table_row() { # work lw lc lr pw pc pr same
	awk -v w="$1" -v lw="$2" -v lc="$3" -v lr="$4" -v pw="$5" -v pc="$6" -v pr="$7" -v s="$8" 'BEGIN {
		printf "| %s | %.2f s | %.2f s | %d MB | %.2f s | %.2f s | %d MB | %.2fx | %.2f | %s |\n",
			w, lw, lc, lr, pw, pc, pr, pw / lw, lr / pr, s }'
}
