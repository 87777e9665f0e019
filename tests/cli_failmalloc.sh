#!/bin/sh
# Allocation-failure injection (tests/failmalloc.c, LD_PRELOAD): for each
# command below, make the 1st, 2nd, 3rd ... allocation of the whole process
# fail (loyal, libloyal, libcsv, the C library), until a run makes fewer
# allocations than N; once with only the N-th failing, once with every
# allocation from the N-th on failing. Every run must then either fail
# cleanly (exit 71 with "out of memory", or 70, on standard error), leave no
# output file and no temporary file, and free every block; or absorb the
# failure and produce exactly the normal result.
: "${LOYAL:?LOYAL must name the loyal binary}"
: "${SRCDIR:?SRCDIR must name the source tree}"
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
bad() { failed=$((failed + 1)); echo "not ok - $1: $2"; }

if [ -n "${LOYAL_LAUNCHER:-}" ]; then
	echo "skipped: under a launcher (valgrind has its own allocator)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 77
fi
if [ -z "${FAILMALLOC:-}" ] || [ ! -f "$FAILMALLOC" ]; then
	echo "skipped: no failmalloc object (sanitizer builds have their own allocator)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC LC_ALL=C
# One thread: the injection counts the allocations of the whole process
# without locks, and glibc keeps blocks of finished threads (its stack
# cache) alive to the exit, which the leak count would report.
export LOYAL_THREADS=1
F=tests/fixtures

# run NAME OUTFILE CMD...: one run, report in $tmp/report, status in $st
run() {
	rm -f "$tmp/report"
	(cd "$SRCDIR" && LD_PRELOAD="$FAILMALLOC" LOYAL_FAILMALLOC_REPORT="$tmp/report" "$@") \
		>"$tmp/stdout" 2>"$tmp/stderr" </dev/null
	st=$?
}

# The report of the last run: calls=C injected=I live=L (no subprocess: this
# runs thousands of times).
field() {
	read -r rep <"$tmp/report" 2>/dev/null || rep=
	rep=" $rep "
	rep=${rep#* $1=}
	echo "${rep%% *}"
}

# Whether the last run left a file in $tmp/out.
leftover() {
	for f in "$tmp"/out/* "$tmp"/out/.[!.]*; do
		[ -e "$f" ] && return 0
	done
	return 1
}

# An absorbed failure gives exactly the normal run's output and messages.
same_result() {
	cmp -s "$tmp/stdout" "$tmp/base_stdout" && cmp -s "$tmp/stderr" "$tmp/base_stderr" || return 1
	if [ -f "$tmp/base_result" ]; then
		cmp -s "$tmp/out/result" "$tmp/base_result"
	else
		[ ! -e "$tmp/out/result" ]
	fi
}

# inject NAME CMD... (the command writes its result to $tmp/out/result);
# $persist is 1 for persistent failures
inject() {
	name="$1 ($mode)"
	shift
	rm -rf "$tmp/out"
	mkdir "$tmp/out"
	LOYAL_FAILMALLOC=0 run "$@"
	base_st=$st
	base_calls=$(field calls)
	if [ -z "$base_calls" ] || [ "$(field live)" != 0 ]; then
		bad "$name" "baseline run: status $st, report '$(cat "$tmp/report" 2>/dev/null)'"
		return
	fi
	cp "$tmp/stdout" "$tmp/base_stdout"
	cp "$tmp/stderr" "$tmp/base_stderr"
	rm -f "$tmp/base_result"
	[ -f "$tmp/out/result" ] && cp "$tmp/out/result" "$tmp/base_result"
	n=1 problems=0 clean=0 absorbed=0
	while :; do
		rm -f "$tmp"/out/* "$tmp"/out/.[!.]*
		LOYAL_FAILMALLOC=$n LOYAL_FAILMALLOC_PERSIST=$persist run "$@"
		if [ "$(field injected)" != 1 ]; then
			break
		fi
		why=""
		if [ "$st" = 71 ] || [ "$st" = 70 ]; then
			if [ "$st" = 71 ] && ! grep -q "out of memory" "$tmp/stderr"; then
				why="exit 71 without 'out of memory'"
			elif [ "$st" = 70 ] && [ ! -s "$tmp/stderr" ]; then
				why="exit 70 without a message"
			elif leftover; then
				why="output left behind: $(ls -A "$tmp/out" | tr '\n' ' ')"
			fi
			clean=$((clean + 1))
		elif [ "$st" = "$base_st" ] && same_result; then
			absorbed=$((absorbed + 1))
		else
			why="exit $st (normal run: $base_st): $(head -c 300 "$tmp/stderr")"
		fi
		if [ -z "$why" ] && [ "$(field live)" != 0 ]; then
			why="$(field live) blocks leaked"
		fi
		if [ -n "$why" ]; then
			problems=$((problems + 1))
			[ "$problems" -le 5 ] && echo "    allocation $n: $why"
		fi
		n=$((n + 1))
		if [ "$n" -gt 100000 ]; then
			why="runaway"
			problems=$((problems + 1))
			break
		fi
	done
	n=$((n - 1))
	if [ "$problems" = 0 ] && [ "$n" -ge "$base_calls" ]; then
		ok "$name: made each of $n allocations fail ($clean clean failures, $absorbed absorbed)"
	else
		bad "$name" "$problems bad runs out of $n (the normal run makes $base_calls allocations)"
	fi
}

O="$tmp/out/result"
for mode in "one failure" "persistent"; do
persist=0
[ "$mode" = persistent ] && persist=1
inject "nps csv -o" "$LOYAL" nps $F/survey/small.csv --by channel --period month --format csv -o "$O"
inject "nps table -o" "$LOYAL" nps $F/survey/invalid.csv --skip-invalid --by channel -o "$O"
inject "nps skip row errors" "$LOYAL" nps $F/csv/short_row.csv --skip-invalid --format json -o "$O"
inject "csat json -o" "$LOYAL" csat $F/survey/csat.csv --cols product,service --period month --format json -o "$O"
inject "check survey --rejects" "$LOYAL" check --kind survey $F/survey/invalid.csv $F/csv/nul_byte.csv --rejects "$O"
inject "check transactions --rejects" "$LOYAL" check --kind transactions $F/csv/orders_bad.csv --rejects "$O"
inject "check stops at malformed csv" "$LOYAL" check --kind survey $F/csv/unterminated_quote.csv --rejects "$O"
inject "summary with a bad row" "$LOYAL" summary $F/csv/orders_bad.csv --format csv -o "$O"
inject "retention" "$LOYAL" retention $F/csv/orders_bad.csv --period month -o "$O"
inject "segment with a table" "$LOYAL" segment $F/txn/small.csv --segments $F/segment/segments_cn.csv -o "$O"
inject "segment --summary" "$LOYAL" segment $F/txn/small.csv --by channel --summary -o "$O"
inject "check complaints --rejects" "$LOYAL" check --kind complaints $F/loyalty/complaints_bad.csv --rejects "$O"
inject "complaints --by" "$LOYAL" complaints --orders $F/loyalty/orders.csv $F/loyalty/complaints.csv --by category --period month -o "$O"
inject "report segments and tiers" "$LOYAL" report --orders $F/txn/small.csv --survey $F/survey/small.csv -o "$O"
inject "tiers --members --compare" "$LOYAL" tiers $F/txn/small.csv --members 'vip: spend >= 30; regular: purchases >= 2' --window 30 --compare 2024-02-15 --summary --format json -o "$O"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
