#!/bin/sh
# loyal merge: the map step under GNU parallel against the single run,
# states on standard input, a tree of reduces, and the states refused with
# exit 65 (another command or options, another format version, cut short,
# a record that is not valid). The property test over random splits is
# tests/merge_splits.py (ctest merge_splits); the Dask cluster,
# tests/merge_dask.py (ctest merge_dask).
SUITE=merge
. "$(dirname "$0")/golden.sh"
O=data/orders.csv
S=data/survey.csv

# shards: the sample orders in 4 files with their header, 2 of them gzip'd
head -n 1 "$SRCDIR/$O" >"$tmp/h"
tail -n +2 "$SRCDIR/$O" >"$tmp/body"
split -n l/4 "$tmp/body" "$tmp/rows_"
i=0
for r in "$tmp"/rows_*; do
	cat "$tmp/h" "$r" >"$tmp/shard$i.csv"
	i=$((i + 1))
done
if [ -n "${LOYAL_COMPRESS:-}" ]; then
	"$LOYAL_COMPRESS" gz "$tmp/shard1.csv" "$tmp/shard1.csv.gz" && mv "$tmp/shard1.csv.gz" "$tmp/shard1.csv"
	"$LOYAL_COMPRESS" zst "$tmp/shard2.csv" "$tmp/shard2.csv.zst" && mv "$tmp/shard2.csv.zst" "$tmp/shard2.csv"
fi

# same NAME MERGE_ARGS -- CMD ARGS: map each shard with CMD ARGS --partial,
# merge with MERGE_ARGS; stdout must be the single run's
same() {
	name=$1
	shift
	margs=""
	while [ "$1" != -- ]; do margs="$margs $1"; shift; done
	shift
	(cd "$SRCDIR" && "$LOYAL" "$@" $margs -q $O) >"$tmp/single" 2>"$tmp/err" || {
		bad "$name" "single run failed"; return; }
	for k in 0 1 2 3; do
		"$LOYAL" "$@" --partial "$tmp/shard$k.csv" >"$tmp/state$k" 2>"$tmp/err" || {
			bad "$name" "map of shard $k failed: $(cat "$tmp/err")"; return; }
	done
	# shellcheck disable=SC2086
	"$LOYAL" merge $margs -q "$tmp"/state0 "$tmp"/state1 "$tmp"/state2 "$tmp"/state3 \
		>"$tmp/merged" 2>"$tmp/err"
	if cmp -s "$tmp/single" "$tmp/merged"; then ok "$name"; else
		bad "$name" "merge differs from the single run"; diff "$tmp/single" "$tmp/merged" | head -10; fi
}
same summary --format csv -- summary --by Country
same repurchase --within 90 -- repurchase --by Country
same cohorts --cohorts --format json -- retention --period quarter
same churn --top 20 --sort churn -- churn --as-of 2011-10-31
same clv --top 20 --format csv -- clv

# (the states are now clv's) a tree: two merged states, merged; and states concatenated on stdin
"$LOYAL" merge --partial "$tmp/state0" "$tmp/state1" >"$tmp/left" 2>/dev/null
"$LOYAL" merge --partial "$tmp/state2" "$tmp/state3" >"$tmp/right" 2>/dev/null
"$LOYAL" merge -q --format csv "$tmp/left" "$tmp/right" >"$tmp/tree" 2>/dev/null
(cd "$SRCDIR" && "$LOYAL" clv -q --format csv $O) >"$tmp/single"
cmp -s "$tmp/tree" "$tmp/single" && ok "tree of merges" || bad "tree of merges" "differs"
cat "$tmp"/state0 "$tmp"/state1 "$tmp"/state2 "$tmp"/state3 |
	"$LOYAL" merge -q --format csv >"$tmp/stdin" 2>/dev/null
cmp -s "$tmp/stdin" "$tmp/single" && ok "states on standard input" || bad "states on standard input" "differs"

same churn_holdout --evaluation -- churn --as-of 2011-10-31 --holdout-to 2011-12-09
same segment --summary -- segment --by Country
same segment_rows --format csv -- segment
same tiers --summary -- tiers --by Country
# a tiers state keeps the daily amounts: --window and --compare at the merge
same tiers_window --window 90 -- tiers
same tiers_compare --compare 2011-06-30 --summary -- tiers
same tiers_clv --summary -- tiers --value clv

# states of segment and tiers refused where they do not belong (exit 65)
mkdir -p "$tmp/q"
"$LOYAL" segment --partial "$tmp/shard0.csv" >"$tmp/q/seg.st" 2>/dev/null
"$LOYAL" tiers --partial "$tmp/shard1.csv" >"$tmp/q/tiers.st" 2>/dev/null
"$LOYAL" tiers --by Country --partial "$tmp/shard1.csv" >"$tmp/q/tiersby.st" 2>/dev/null
"$LOYAL" summary --partial "$tmp/shard2.csv" >"$tmp/q/sum.st" 2>/dev/null
# a summary state has no daily amounts: tiers --window cannot use it
sed 's/^command	summary$/command	tiers/' "$tmp/q/sum.st" >"$tmp/q/sum_as_tiers.st"
q() { sh -c "cd '$tmp/q' && \"$LOYAL\" $*"; }
check segment_with_tiers 65 q merge seg.st tiers.st
check tiers_with_summary 65 q merge tiers.st sum.st
check tiers_other_by 65 q merge tiers.st tiersby.st
check tiers_spend_as_clv 65 q tiers --value clv --from-partial tiers.st
check days_missing 65 q tiers --window 30 --from-partial sum_as_tiers.st

# -o FILE writes the state as it writes results: the same bytes as on
# standard output, through a temporary file; nothing left after a failure
"$LOYAL" summary --by Country --partial "$tmp/shard0.csv" >"$tmp/o_stdout.st" 2>/dev/null
"$LOYAL" summary --by Country --partial -o "$tmp/o_file.st" "$tmp/shard0.csv" >"$tmp/o_out" 2>/dev/null
if cmp -s "$tmp/o_stdout.st" "$tmp/o_file.st" && [ ! -s "$tmp/o_out" ]; then ok "--partial -o FILE"
else bad "--partial -o FILE" "the state is not in the file (or went to standard output)"; fi
"$LOYAL" summary --by Country --partial -o "$tmp/o_file1.st" "$tmp/shard1.csv" 2>/dev/null
"$LOYAL" merge --partial -o "$tmp/o_merged.st" "$tmp/o_file.st" "$tmp/o_file1.st" >"$tmp/o_out" 2>/dev/null
"$LOYAL" merge -q "$tmp/o_merged.st" >"$tmp/o_tree" 2>/dev/null
"$LOYAL" summary --by Country -q "$tmp/shard0.csv" "$tmp/shard1.csv" >"$tmp/o_single" 2>/dev/null
if cmp -s "$tmp/o_tree" "$tmp/o_single" && [ ! -s "$tmp/o_out" ]; then
	ok "merge --partial -o FILE"; else bad "merge --partial -o FILE" "the merged state in the file differs"; fi
printf 'InvoiceNo,InvoiceDate,CustomerID,Quantity,UnitPrice\n1,not a date,5,1,1\n' >"$tmp/q/bad_orders.csv"
check partial_o_fails 65 q summary --partial -o out.st bad_orders.csv
if [ -e "$tmp/q/out.st" ] || ls -A "$tmp/q" | grep -q 'out\.st'; then
	bad "--partial -o after a failure" "a file was left"; else ok "--partial -o after a failure"; fi
check partial_o_input 64 q summary --partial -o bad_orders.csv bad_orders.csv

# loyalty: two inputs, sharded independently (orders in 4, the survey in
# 2 plus one shard with no answer); each state holds its orders and its
# answers in the order read
head -n 1 "$SRCDIR/$S" >"$tmp/sh"
tail -n +2 "$SRCDIR/$S" >"$tmp/sbody"
split -n l/2 "$tmp/sbody" "$tmp/srows_"
cat "$tmp/sh" "$tmp/srows_aa" >"$tmp/survey0.csv"
cat "$tmp/sh" "$tmp/srows_ab" >"$tmp/survey1.csv"
cp "$tmp/sh" "$tmp/survey2.csv"
cp "$tmp/sh" "$tmp/survey3.csv"
loyalty_same() {
	name=$1
	shift
	(cd "$SRCDIR" && "$LOYAL" loyalty -q --survey $S --orders $O "$@") >"$tmp/single" 2>"$tmp/err" || {
		bad "$name" "single run failed"; return; }
	"$LOYAL" merge -q "$@" "$tmp"/lstate0 "$tmp"/lstate1 "$tmp"/lstate2 "$tmp"/lstate3 \
		>"$tmp/merged" 2>"$tmp/err"
	if cmp -s "$tmp/single" "$tmp/merged"; then ok "$name"; else
		bad "$name" "merge differs from the single run"; diff "$tmp/single" "$tmp/merged" | head -10; fi
}
for k in 0 1 2 3; do
	"$LOYAL" loyalty --partial --survey "$tmp/survey$k.csv" --orders "$tmp/shard$k.csv" \
		>"$tmp/lstate$k" 2>"$tmp/err" || bad "loyalty map $k" "$(cat "$tmp/err")"
done
loyalty_same loyalty
loyalty_same loyalty_csv --format csv
loyalty_same loyalty_matrix --matrix --format json
loyalty_same loyalty_followup --followup --top 10 --format tsv
loyalty_same loyalty_all_answers --answers all --format csv
loyalty_same loyalty_horizon --horizon 90 --model bgnbd
"$LOYAL" merge --partial "$tmp/lstate0" "$tmp/lstate1" >"$tmp/lleft" 2>/dev/null
"$LOYAL" merge --partial -o "$tmp/lright" "$tmp/lstate2" "$tmp/lstate3" 2>/dev/null
"$LOYAL" merge -q "$tmp/lleft" "$tmp/lright" >"$tmp/ltree" 2>/dev/null
(cd "$SRCDIR" && "$LOYAL" loyalty -q --survey $S --orders $O) >"$tmp/single"
cmp -s "$tmp/ltree" "$tmp/single" && ok "loyalty tree of merges" || bad "loyalty tree of merges" "differs"
cat "$tmp"/lstate0 "$tmp"/lstate1 "$tmp"/lstate2 "$tmp"/lstate3 | "$LOYAL" merge -q >"$tmp/lstdin" 2>/dev/null
cmp -s "$tmp/lstdin" "$tmp/single" && ok "loyalty states on standard input" || bad "loyalty states on standard input" "differs"
# one respondent answering in two survey shards, the same day: the answer
# read last wins, in one run and in the merge (states in the order given)
mkdir -p "$tmp/l"
printf 'customer_id,date,satisfaction,likelihood_to_recommend\n12347,2025-03-01,2,3\n' >"$tmp/l/a.csv"
printf 'customer_id,date,satisfaction,likelihood_to_recommend\n12347,2025-03-01,5,10\n12347,2025-01-01,1,0\n' >"$tmp/l/b.csv"
l() { sh -c "cd '$tmp/l' && \"$LOYAL\" $*"; }
l loyalty --partial --survey a.csv --orders "$tmp/shard0.csv" >"$tmp/l/a.st" 2>/dev/null
l loyalty --partial --survey b.csv --orders "$tmp/shard1.csv" >"$tmp/l/b.st" 2>/dev/null
l loyalty --partial --survey-scale 1-7 --survey b.csv --orders "$tmp/shard1.csv" >"$tmp/l/b7.st" 2>/dev/null
l loyalty -q -f csv --survey a.csv --survey b.csv --orders "$tmp/shard0.csv" --orders "$tmp/shard1.csv" >"$tmp/l/ab.single"
l merge -q -f csv a.st b.st >"$tmp/l/ab.merged"
if cmp -s "$tmp/l/ab.single" "$tmp/l/ab.merged" && grep -q '^12347,.*,5,10,' "$tmp/l/ab.merged"; then
	ok "loyalty same-day answers in two shards"; else bad "loyalty same-day answers in two shards" "differs"; fi
l loyalty -q -f csv --survey b.csv --survey a.csv --orders "$tmp/shard1.csv" --orders "$tmp/shard0.csv" >"$tmp/l/ba.single"
l merge -q -f csv b.st a.st >"$tmp/l/ba.merged"
if cmp -s "$tmp/l/ba.single" "$tmp/l/ba.merged" && grep -q '^12347,.*,2,3,' "$tmp/l/ba.merged"; then
	ok "loyalty same-day answers, states in the other order"; else bad "loyalty same-day answers, other order" "differs"; fi
cp "$tmp/q/sum.st" "$tmp/l/"
check loyalty_with_summary 65 l merge a.st sum.st
check loyalty_other_scale 65 l merge a.st b7.st
check loyalty_from_partial_and_survey 64 l loyalty --from-partial --survey a.csv a.st

# complaints: two inputs, sharded independently (orders in 4, the
# complaints in 2 plus two shards with none)
C=data/complaints.csv
head -n 1 "$SRCDIR/$C" >"$tmp/ch"
tail -n +2 "$SRCDIR/$C" >"$tmp/cbody"
split -n l/2 "$tmp/cbody" "$tmp/crows_"
cat "$tmp/ch" "$tmp/crows_aa" >"$tmp/compl1.csv"
cat "$tmp/ch" "$tmp/crows_ab" >"$tmp/compl3.csv"
cp "$tmp/ch" "$tmp/compl0.csv"
cp "$tmp/ch" "$tmp/compl2.csv"
complaints_same() {
	name=$1
	shift
	margs=""
	while [ "$1" != -- ]; do margs="$margs $1"; shift; done
	shift
	# shellcheck disable=SC2086
	(cd "$SRCDIR" && "$LOYAL" complaints -q --orders $O "$@" $margs $C) >"$tmp/single" 2>"$tmp/err" || {
		bad "$name" "single run failed"; return; }
	for k in 0 1 2 3; do
		"$LOYAL" complaints --partial --orders "$tmp/shard$k.csv" "$@" "$tmp/compl$k.csv" \
			>"$tmp/cstate$k" 2>"$tmp/err" || { bad "$name" "map $k: $(cat "$tmp/err")"; return; }
	done
	# shellcheck disable=SC2086
	"$LOYAL" merge -q $margs "$tmp"/cstate0 "$tmp"/cstate1 "$tmp"/cstate2 "$tmp"/cstate3 \
		>"$tmp/merged" 2>"$tmp/err"
	if cmp -s "$tmp/single" "$tmp/merged"; then ok "$name"; else
		bad "$name" "merge differs from the single run"; diff "$tmp/single" "$tmp/merged" | head -10; fi
}
complaints_same complaints --
complaints_same complaints_month --format csv -- --period month
complaints_same complaints_by --format json -- --by category --period quarter
complaints_same complaints_to -- --to 2011-09-30 --period month
complaints_same complaints_churn --churn --inactive 60 --
"$LOYAL" merge --partial "$tmp/cstate0" "$tmp/cstate1" >"$tmp/cleft" 2>/dev/null
"$LOYAL" merge --partial -o "$tmp/cright" "$tmp/cstate2" "$tmp/cstate3" 2>/dev/null
"$LOYAL" merge -q "$tmp/cleft" "$tmp/cright" >"$tmp/ctree" 2>/dev/null
(cd "$SRCDIR" && "$LOYAL" complaints -q --orders $O $C) >"$tmp/single"
cmp -s "$tmp/ctree" "$tmp/single" && ok "complaints tree of merges" || bad "complaints tree of merges" "differs"
cat "$tmp"/cstate0 "$tmp"/cstate1 "$tmp"/cstate2 "$tmp"/cstate3 | "$LOYAL" merge -q >"$tmp/cstdin" 2>/dev/null
cmp -s "$tmp/cstdin" "$tmp/single" && ok "complaints states on standard input" || bad "complaints states on standard input" "differs"
# refused: another command, other grouping, files without the resolved column
cut -d, -f1-4 "$tmp/compl1.csv" >"$tmp/l/nores.csv"
cp "$tmp/cstate0" "$tmp/l/c0.st"
l complaints --partial --orders "$tmp/shard1.csv" nores.csv >"$tmp/l/nores.st" 2>/dev/null
l complaints --partial --period month --orders "$tmp/shard1.csv" nores.csv >"$tmp/l/month.st" 2>/dev/null
check complaints_with_loyalty 65 l merge c0.st a.st
check complaints_other_period 65 l merge c0.st month.st
check complaints_no_resolved 65 l merge c0.st nores.st
check complaints_from_partial_and_orders 64 l complaints --from-partial --orders nores.csv c0.st

# GNU parallel runs the map step, 2 jobs at a time
if command -v parallel >/dev/null 2>&1; then
	for k in 0 1 2 3; do echo "$tmp/shard$k.csv"; done |
		parallel -j2 --will-cite "$LOYAL" retention --by Country --partial {} >"$tmp/states" 2>"$tmp/err"
	"$LOYAL" merge --cohorts -q <"$tmp/states" >"$tmp/merged" 2>>"$tmp/err"
	(cd "$SRCDIR" && "$LOYAL" retention --by Country --cohorts -q $O) >"$tmp/single"
	cmp -s "$tmp/merged" "$tmp/single" && ok "GNU parallel map, merge = single run" ||
		bad "GNU parallel map" "differs: $(cat "$tmp/err")"
elif [ "${LOYAL_REQUIRE_ENGINES:-}" = 1 ]; then
	bad "GNU parallel" "not installed (Debian: parallel)"
else
	echo "skip - GNU parallel is not installed"
fi

# survey states
(cd "$SRCDIR" && "$LOYAL" nps --by channel --partial $S) >"$tmp/nps.part" 2>/dev/null
(cd "$SRCDIR" && "$LOYAL" csat --by channel --partial $S) >"$tmp/csat.part" 2>/dev/null
cp "$tmp/nps.part" "$tmp/nps2.part"
sed '$d' "$tmp/nps.part" >"$tmp/nps_cut.part"
sed 's/^loyal-partial	1$/loyal-partial	2/' "$tmp/nps.part" >"$tmp/nps_v2.part"
sed 's/^a	0	0	\([0-9]*\)/a	0	0	x\1/' "$tmp/nps.part" >"$tmp/nps_bad.part"
(cd "$SRCDIR" && "$LOYAL" nps --partial $S) >"$tmp/nps_nogroup.part" 2>/dev/null
# a state naming a command that writes none (the shell, the report)
sed 's/^command	nps$/command	shell/' "$tmp/nps.part" >"$tmp/nps_shell.part"
sed 's/^command	nps$/command	report/' "$tmp/nps.part" >"$tmp/nps_report.part"
mkdir -p "$tmp/p" && cp "$tmp"/*.part "$tmp/p/"
check nps_merged 0 sh -c "cd '$tmp/p' && \"$LOYAL\" merge nps.part"
check nps_twice 0 sh -c "cd '$tmp/p' && \"$LOYAL\" merge nps.part nps2.part -f csv"
check other_command 65 sh -c "cd '$tmp/p' && \"$LOYAL\" merge nps.part csat.part"
check other_options 65 sh -c "cd '$tmp/p' && \"$LOYAL\" merge nps.part nps_nogroup.part"
check other_version 65 sh -c "cd '$tmp/p' && \"$LOYAL\" merge nps_v2.part"
check cut_short 65 sh -c "cd '$tmp/p' && \"$LOYAL\" merge nps_cut.part"
check bad_record 65 sh -c "cd '$tmp/p' && \"$LOYAL\" merge nps_bad.part"
check not_a_state 65 sh -c "cd '$SRCDIR' && \"$LOYAL\" merge data/survey.csv"
check command_without_state 65 sh -c "cd '$tmp/p' && \"$LOYAL\" merge nps_shell.part </dev/null"
check report_without_state 65 sh -c "cd '$tmp/p' && \"$LOYAL\" merge nps_report.part"
check option_of_state 64 sh -c "cd '$tmp/p' && \"$LOYAL\" merge nps.part --by channel"
# a survey state with no group (every row invalid) is valid: alone it is
# the single run's "no valid answers", merged it adds its row counts
printf 'id,channel,nps\n1,web,x\n2,app,11\n' >"$tmp/p/allbad.csv"
(cd "$tmp/p" && "$LOYAL" nps --skip-invalid --by channel --partial allbad.csv) >"$tmp/p/empty.part" 2>/dev/null
(cd "$SRCDIR" && "$LOYAL" nps --skip-invalid --by channel --partial $S) >"$tmp/p/full.part" 2>/dev/null
check empty_state 65 sh -c "cd '$tmp/p' && \"$LOYAL\" merge empty.part"
check empty_state_merged 0 sh -c "cd '$tmp/p' && \"$LOYAL\" merge full.part empty.part -f csv"
check empty_state_first 0 sh -c "cd '$tmp/p' && \"$LOYAL\" merge empty.part full.part -f csv"
check from_partial 0 sh -c "cd '$tmp/p' && \"$LOYAL\" nps --by channel --from-partial nps.part -q"
finish
