#!/bin/sh
# Trustworthy on any input: loyal check, malformed and unusual files, output
# faults (full disk, closed pipe, missing directory, killed runs), locale
# and time-zone independence, --excel-safe, a 100 MB field, 100,000 columns.
SUITE=robust
. "$(dirname "$0")/golden.sh"
S=tests/fixtures/survey
C=tests/fixtures/csv
# Under a launcher (valgrind) the 100 MB inputs and the locale runs are too
# slow (the ordinary run has them), and memory figures mean nothing under a
# launcher or sanitizers.
heavy=1
[ -n "${LOYAL_LAUNCHER:-}" ] && heavy=0
measure_rss=1
{ [ -n "${LOYAL_LAUNCHER:-}" ] || [ "${LOYAL_SANITIZED:-0}" = 1 ]; } && measure_rss=0

# ---- loyal check: the report, the problems, the exit status ---------------
check check_clean 0 "$LOYAL" check --kind survey data/survey.csv
check check_score_as_nps 0 "$LOYAL" check -k survey $S/score_only.csv
check check_score_kind_nps 0 "$LOYAL" check -k nps $S/score_only.csv
check check_score_kind_csat 65 "$LOYAL" check -k csat $S/score_only.csv
check check_kind_nps_csat_col 64 "$LOYAL" check -k nps --csat-col score $S/score_only.csv
check check_row_problems 65 "$LOYAL" check -k survey $S/invalid.csv $C/short_row.csv \
	$C/long_row.csv $C/trailing_delimiter.csv $C/nul_byte.csv $C/invalid_utf8.csv
check check_max_errors 65 "$LOYAL" check -k survey $C/short_row.csv $C/long_row.csv \
	$C/nul_byte.csv --max-errors 2
check check_malformed 65 "$LOYAL" check -k survey $C/unterminated_quote.csv \
	$C/text_after_quote.csv $C/stray_quote.csv
check check_encodings 65 "$LOYAL" check -k survey $C/utf16le.csv $C/utf16be.csv \
	$C/utf16le_no_bom.csv $C/invalid_utf8_header.csv $C/bom_quoted_header.csv
check check_empty 65 "$LOYAL" check -k survey $C/empty.csv
check check_header_only 65 "$LOYAL" check -k survey $C/header_only.csv
check check_blank_answers 65 "$LOYAL" check -k survey $C/blank_answers.csv
check check_columns 65 "$LOYAL" check -k survey $C/missing_column.csv $C/duplicate_column.csv
check check_line_ends 0 "$LOYAL" check -k survey $C/cr_only.csv $C/mixed_line_ends.csv \
	$C/no_final_newline.csv $C/blank_lines.csv $C/spaces.csv $C/quoted_everything.csv
check check_missing_file 66 "$LOYAL" check -k survey $S/small.csv $S/nonexistent.csv
check check_read_error 74 "$LOYAL" check -k survey tests/fixtures
check check_stdin 0 sh -c "\"$LOYAL\" check -k survey - < $S/stdin.csv"
check check_quiet 65 "$LOYAL" check -k survey -q $S/invalid.csv
check check_named_columns 0 "$LOYAL" check -k survey $S/csat.csv --cols product,service
check check_scale 65 "$LOYAL" check -k survey $S/small.csv --csat-col nps --max-errors 3
check check_scale_0_10 0 "$LOYAL" check -k survey $S/small.csv --csat-col nps --scale 0-10
check check_by_column 65 "$LOYAL" check -k survey $C/latin1_values.csv --by channel
check check_unused_column 0 "$LOYAL" check -k survey $C/latin1_values.csv
check check_date_format 0 "$LOYAL" check -k survey $S/nodate.csv --score-col rating \
	--date-col when --date-format %m/%d/%Y
check check_transactions 65 "$LOYAL" check -k transactions $C/orders_bad.csv
check check_transactions_sample 0 "$LOYAL" check -k transactions data/orders.csv
check check_transactions_columns 65 "$LOYAL" check -k transactions $C/cr_only.csv
check check_no_kind 64 "$LOYAL" check data/survey.csv
check check_bad_kind 64 "$LOYAL" check --kind poll data/survey.csv
check check_wrong_options 64 "$LOYAL" check --kind survey --customer-col x data/survey.csv
check check_no_file 64 "$LOYAL" check --kind survey
check check_bad_max_errors 64 "$LOYAL" check --kind survey --max-errors x data/survey.csv
# --rejects: every rejected row, byte for byte (a NUL byte included)
check check_rejects 65 sh -c "\"$LOYAL\" check -k survey $S/invalid.csv $C/short_row.csv \
	$C/nul_byte.csv $C/unterminated_quote.csv --rejects \"$tmp/rejects.csv\" >/dev/null 2>&1; \
	st=\$?; cat \"$tmp/rejects.csv\"; exit \$st"
check check_rejects_missing_dir 73 "$LOYAL" check -k survey $S/invalid.csv \
	--rejects /nonexistent-dir/rejects.csv

# check and the metric commands never disagree about a row: the rows check
# rejects are exactly the rows nps --skip-invalid skips.
rows_of_rejects() {
	/usr/bin/python3 -c 'import csv, sys
print(" ".join(r[1] for r in list(csv.reader(open(sys.argv[1], newline="", errors="replace")))[1:]))' "$1"
}
for f in $S/invalid.csv $C/short_row.csv $C/long_row.csv $C/nul_byte.csv $C/invalid_utf8.csv \
	$C/trailing_delimiter.csv; do
	(cd "$SRCDIR" && "$LOYAL" check -k survey --score-col nps "$f" --max-errors 0 \
		--rejects "$tmp/agree.csv") >/dev/null 2>&1
	# with a date column, nps reads it only for --period (check always does)
	period=
	head -1 "$SRCDIR/$f" | grep -q date && period="--period day"
	(cd "$SRCDIR" && "$LOYAL" nps --skip-invalid $period --by id "$f" --format csv) \
		>/dev/null 2>"$tmp/agree.err"
	from_check=$(rows_of_rejects "$tmp/agree.csv")
	from_nps=$(sed -n 's/^loyal nps: [^:]*:\([0-9]*\):.*(row skipped)$/\1/p' "$tmp/agree.err" | tr '\n' ' ' | sed 's/ $//')
	if [ -n "$from_check" ] && [ "$from_check" = "$from_nps" ]; then
		ok "check and nps agree on $f (lines $from_check)"
	else
		bad "check and nps agree on $f" "check rejects lines '$from_check', nps skips '$from_nps'"
	fi
done

# ---- the metric commands on the same files ----------------------------------
check nps_row_error 65 "$LOYAL" nps $C/short_row.csv
check nps_nul_byte 65 "$LOYAL" nps $C/nul_byte.csv
check nps_skip_row_errors 0 "$LOYAL" nps --skip-invalid $C/short_row.csv $C/long_row.csv \
	$C/nul_byte.csv $C/invalid_utf8.csv --format csv
check nps_malformed 65 "$LOYAL" nps --skip-invalid $C/stray_quote.csv
check nps_utf16 65 "$LOYAL" nps $C/utf16le.csv
check nps_empty 65 "$LOYAL" nps $C/empty.csv
check nps_header_only 65 "$LOYAL" nps $C/header_only.csv
check nps_duplicate_column 65 "$LOYAL" nps $C/duplicate_column.csv
check nps_line_ends 0 "$LOYAL" nps $C/cr_only.csv $C/mixed_line_ends.csv $C/no_final_newline.csv \
	$C/blank_lines.csv $C/bom_quoted_header.csv $C/spaces.csv $C/quoted_everything.csv --format csv
check nps_read_error 74 "$LOYAL" nps tests/fixtures

# ---- --excel-safe: text cells only, never numbers; off by default -----------
check excel_default 0 "$LOYAL" nps $C/excel.csv --by segment --format csv -q
check excel_safe_csv 0 "$LOYAL" nps $C/excel.csv --by segment --format csv -q --excel-safe
check excel_safe_table 0 "$LOYAL" nps $C/excel.csv --by segment -q --excel-safe
check excel_safe_json 0 "$LOYAL" nps $C/excel.csv --by segment --format json -q --excel-safe
# customer ids are text; a negative spend is a number
if "$LOYAL" help 2>/dev/null | grep -q '^  summary '; then
	check excel_safe_customers 0 "$LOYAL" summary $C/excel_orders.csv --format csv -q --excel-safe
fi

# ---- output faults ----------------------------------------------------------
if [ -w /dev/full ]; then
	for cmd in "nps $S/small.csv" "nps $S/small.csv --format csv" "check -k survey $S/small.csv"; do
		(cd "$SRCDIR" && $LOYAL $cmd >/dev/full) 2>"$tmp/err"
		st=$?
		if [ "$st" = 74 ] && grep -q "write error on standard output: No space left on device" "$tmp/err"; then
			ok "/dev/full: loyal $cmd exits 74"
		else
			bad "/dev/full: loyal $cmd" "exit $st: $(cat "$tmp/err")"
		fi
	done
fi

# A reader that goes away (loyal ... | head -1): a quiet end, as if killed
# by SIGPIPE, also when SIGPIPE is ignored (nohup, some daemons).
# (5000 groups: output well past a pipe's 64 KiB buffer)
awk 'BEGIN { print "id,channel,nps"; for (i = 0; i < 20000; i++) printf "%d,c%d,%d\n", i, i % 5000, i % 11 }' >"$tmp/big.csv"
for how in default ignored; do
	for fmt in csv table; do
		(
			[ $how = ignored ] && trap '' PIPE
			{ "$LOYAL" nps "$tmp/big.csv" --by channel --format $fmt -q 2>"$tmp/pipe.err"; echo $? >"$tmp/pipe.st"; } |
				head -1 >"$tmp/pipe.out"
		)
		st=$(cat "$tmp/pipe.st")
		if [ "$st" = 141 ] && [ ! -s "$tmp/pipe.err" ] && [ -s "$tmp/pipe.out" ]; then
			ok "closed pipe, SIGPIPE $how, $fmt: quiet exit"
		else
			bad "closed pipe, SIGPIPE $how, $fmt" "exit $st, stderr: $(head -c 200 "$tmp/pipe.err")"
		fi
	done
done

check output_missing_dir 73 "$LOYAL" nps $S/small.csv -o /nonexistent-dir/report.csv
# -o or --rejects onto an input file would destroy it: refused, input intact
cp "$SRCDIR/$S/small.csv" "$tmp/in.csv"
for args in "nps $tmp/in.csv -q -o $tmp/in.csv" "check -k survey $tmp/in.csv -q --rejects $tmp/in.csv" \
	"nps $tmp/in.csv -q -o $tmp/in_link.csv"; do
	ln -sf "$tmp/in.csv" "$tmp/in_link.csv"
	# shellcheck disable=SC2086
	"$LOYAL" $args >/dev/null 2>"$tmp/err"
	st=$?
	if [ "$st" = 64 ] && cmp -s "$tmp/in.csv" "$SRCDIR/$S/small.csv" &&
		grep -q "is also an input file" "$tmp/err"; then
		ok "output onto an input refused: loyal $args"
	else
		bad "output onto an input: loyal $args" "exit $st, $(cat "$tmp/err")"
	fi
done
# a name too long to take the .tmpXXXXXX suffix still works
long="$tmp/$(printf 'a%.0s' $(seq 1 250)).csv"
if "$LOYAL" nps "$SRCDIR/$S/small.csv" -q -o "$long" && [ -s "$long" ] &&
	[ -z "$(ls -A "$tmp" | grep 'loyal\.tmp')" ]; then
	ok "-o with a 254-byte file name"
else
	bad "-o with a 254-byte file name" "failed"
fi
# a closed standard output does not become -o's temporary file
if "$LOYAL" nps "$SRCDIR/$S/small.csv" -q -o "$tmp/closed.csv" >&- && [ -s "$tmp/closed.csv" ]; then
	ok "-o with standard output closed: exit 0"
else
	bad "-o with standard output closed" "failed"
fi
mkdir "$tmp/isdir"
(cd "$SRCDIR" && "$LOYAL" nps $S/small.csv -q -o "$tmp/isdir") 2>"$tmp/err"
st=$?
if [ "$st" = 73 ] && [ -z "$(ls "$tmp" | grep 'isdir\.tmp')" ]; then
	ok "output onto a directory: 73, no temporary left"
else
	bad "output onto a directory" "exit $st, $(ls "$tmp")"
fi

# -o keeps the mode of a newly created file (mkstemp's 0600 is not kept)
(cd "$SRCDIR" && umask 022 && "$LOYAL" nps $S/small.csv -q -o "$tmp/mode.csv")
mode=$(ls -l "$tmp/mode.csv" | cut -c1-10)
[ "$mode" = "-rw-r--r--" ] && ok "output file mode follows umask" || bad "output file mode" "$mode"

# A run killed while its output is open leaves the previous report intact
# and, unless the signal is SIGKILL, no temporary file. The failmalloc
# object raises the signal in fsync(): the report is written in full but
# not yet in place.
if [ -n "${FAILMALLOC:-}" ] && [ -f "$FAILMALLOC" ] && [ -z "${LOYAL_LAUNCHER:-}" ]; then
	for sig in 15 1 9; do
		rm -f "$tmp"/report.csv*
		echo "previous report" >"$tmp/report.csv"
		# (the subshell waits for loyal, so the shell's "Terminated" goes to /dev/null)
		(cd "$SRCDIR" && LD_PRELOAD="$FAILMALLOC" LOYAL_KILL_AT_FSYNC=$sig \
			"$LOYAL" nps $S/small.csv --format csv -q -o "$tmp/report.csv"; exit $?) 2>/dev/null
		st=$?
		left=$(ls "$tmp" | grep -c 'report\.csv\.tmp')
		if [ "$st" = $((128 + sig)) ] && [ "$(cat "$tmp/report.csv")" = "previous report" ] &&
			{ [ "$left" = 0 ] || [ $sig = 9 ]; }; then
			ok "killed by signal $sig before the rename: previous report intact, $left temporary left"
		else
			bad "killed by signal $sig" "exit $st, report '$(head -c 80 "$tmp/report.csv")', $left temporaries"
		fi
	done
fi

# The same for a run killed while reading: check --rejects has its output
# open from the start; its input here is a FIFO that never ends.
if command -v mkfifo >/dev/null 2>&1; then
	for sig in TERM HUP; do
		rm -f "$tmp"/rej.csv* "$tmp/fifo"
		echo "previous rejects" >"$tmp/rej.csv"
		mkfifo "$tmp/fifo"
		"$LOYAL" check -k survey "$tmp/fifo" --rejects "$tmp/rej.csv" >/dev/null 2>&1 &
		pid=$!
		exec 3>"$tmp/fifo"
		printf 'id,nps\n1,9\n2,x\n' >&3
		n=0
		while [ "$(ls "$tmp" | grep -c 'rej\.csv\.tmp')" = 0 ] && [ $n -lt 200 ]; do
			sleep 0.05
			n=$((n + 1))
		done
		had=$(ls "$tmp" | grep -c 'rej\.csv\.tmp')
		sleep 0.2
		kill -$sig $pid
		wait $pid 2>/dev/null
		st=$?
		exec 3>&-
		left=$(ls "$tmp" | grep -c 'rej\.csv\.tmp')
		if [ "$had" = 1 ] && [ "$left" = 0 ] && [ "$(cat "$tmp/rej.csv")" = "previous rejects" ] &&
			[ "$st" -gt 128 ]; then
			ok "killed by SIG$sig while reading: temporary removed, previous rejects intact"
		else
			bad "killed by SIG$sig while reading" "exit $st, temporary before $had, after $left"
		fi
	done
fi

# ---- locale and time zone never change a result -------------------------------
# A comma-decimal locale: the system's, or one built in a private LOCPATH.
LOC=de_DE.UTF-8
has_comma() {
	LC_ALL=$LOC /usr/bin/python3 -c 'import locale; locale.setlocale(locale.LC_ALL, ""); assert locale.localeconv()["decimal_point"] == ","' 2>/dev/null
}
if ! has_comma && command -v localedef >/dev/null 2>&1; then
	mkdir -p "$tmp/locale"
	localedef -i de_DE -f UTF-8 "$tmp/locale/$LOC" >/dev/null 2>&1
	LOCPATH=$tmp/locale
	export LOCPATH
	has_comma || unset LOCPATH
fi
if [ $heavy = 0 ]; then
	echo "skipped: locale and time zone runs under a launcher (the ordinary run has them)"
elif has_comma && [ "$(TZ=Pacific/Kiritimati date +%z)" = "+1400" ]; then
	set -- "nps data/survey.csv --by channel --period week --format csv" \
		"nps data/survey.csv --period month --format json" \
		"nps data/survey.csv --by channel --from 2025-03-01 --to 2025-06-30" \
		"csat data/survey.csv --cols product,service,price --weights 0.5,0.3,0.2 --period quarter --format csv" \
		"csat data/survey.csv --by channel" \
		"check -k survey data/survey.csv" \
		"check -k transactions data/orders.csv"
	for c in summary repurchase retention; do
		"$LOYAL" help 2>/dev/null | grep -q "^  $c " && set -- "$@" "$c data/orders.csv --format csv"
	done
	for cmd in "$@"; do
		(cd "$SRCDIR" && TZ=UTC LC_ALL=C $LOYAL $cmd) >"$tmp/c.out" 2>"$tmp/c.err"
		st1=$?
		(cd "$SRCDIR" && TZ=Pacific/Kiritimati LC_ALL=$LOC LANG=$LOC $LOYAL $cmd) >"$tmp/l.out" 2>"$tmp/l.err"
		st2=$?
		if [ "$st1" = "$st2" ] && cmp -s "$tmp/c.out" "$tmp/l.out" && cmp -s "$tmp/c.err" "$tmp/l.err" &&
			[ -s "$tmp/c.out" ]; then
			ok "same result under TZ=Pacific/Kiritimati LC_ALL=$LOC: loyal $cmd"
		else
			bad "locale/time zone: loyal $cmd" "differs (exit $st1 vs $st2)"
			diff "$tmp/c.out" "$tmp/l.out" | head -5
		fi
	done
elif [ "${LOYAL_REQUIRE_LOCALE:-0}" = 1 ]; then
	bad "locale and time zone" "no $LOC locale or no Pacific/Kiritimati zone (install locales, tzdata)"
else
	echo "skipped: no $LOC locale or no tzdata (set LOYAL_REQUIRE_LOCALE=1 to fail instead)"
fi

# ---- very large inputs ---------------------------------------------------------
# Run a command, recording its exit status and peak memory (KiB).
measure() {
	/usr/bin/python3 -c 'import resource, subprocess, sys
with open(sys.argv[1], "wb") as o, open(sys.argv[2], "wb") as e:
    st = subprocess.call(sys.argv[3:], stdout=o, stderr=e, stdin=subprocess.DEVNULL)
print(st if st >= 0 else 128 - st, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' \
		"$tmp/m.out" "$tmp/m.err" "$@" >"$tmp/m.res"
	st=$(cut -d' ' -f1 "$tmp/m.res")
	rss=$(cut -d' ' -f2 "$tmp/m.res")
}

if [ $heavy = 1 ]; then
	# a 100 MB field, closed; and a runaway quote that never closes
	for kind in closed runaway; do
		/usr/bin/python3 - "$tmp/field.csv" $kind <<'EOF'
import sys
with open(sys.argv[1], "w") as f:
    f.write('id,comment,nps\n1,"')
    chunk = ("x" * 79 + "\n") * (1 << 14)
    for _ in range(80):
        f.write(chunk)
    f.write('",9\n2,ok,10\n' if sys.argv[2] == "closed" else "")
EOF
		measure "$LOYAL" nps "$tmp/field.csv"
		if [ "$st" = 65 ] && grep -q "field.csv:2:2: field is longer than 16777216 bytes" "$tmp/m.err" &&
			{ [ $measure_rss = 0 ] || [ "$rss" -lt 102400 ]; }; then
			ok "100 MB field ($kind): exit 65 at 2:2, peak memory ${rss} KiB"
		else
			bad "100 MB field ($kind)" "exit $st, peak ${rss} KiB: $(head -c 200 "$tmp/m.err")"
		fi
	done
	measure "$LOYAL" check -k survey "$tmp/field.csv"
	if [ "$st" = 65 ] && grep -q "field is longer than" "$tmp/m.err" &&
		grep -q "rows          0 read before the error" "$tmp/m.out"; then
		ok "check: 100 MB field is a file-level problem"
	else
		bad "check: 100 MB field" "exit $st: $(head -c 300 "$tmp/m.out")"
	fi
	rm -f "$tmp/field.csv"
fi

# 100,000 columns
awk 'BEGIN { for (r = 0; r < 4; r++) { for (i = 1; i <= 100000; i++) { if (i > 1) printf ","; if (r == 0) printf "c%d", i; else printf "%d", (i + r) % 11 } printf "\n" } }' >"$tmp/wide.csv"
measure "$LOYAL" nps "$tmp/wide.csv" --score-col c100000 --format csv -q
if [ "$st" = 0 ] && [ "$(sed -n 2p "$tmp/m.out" | cut -d, -f1-4)" = "3,0,0,3" ]; then
	ok "100,000 columns: nps reads the last one"
else
	bad "100,000 columns" "exit $st: $(head -c 200 "$tmp/m.out") $(head -c 200 "$tmp/m.err")"
fi
measure "$LOYAL" check -k survey "$tmp/wide.csv" --score-col c100000
if [ "$st" = 0 ] && grep -q "columns       100000" "$tmp/m.out"; then
	ok "100,000 columns: check"
else
	bad "100,000 columns: check" "exit $st: $(head -c 300 "$tmp/m.err")"
fi

# -o onto something that is not a regular file must not replace it: a FIFO
# (or, where mknod is allowed, a character device such as /dev/null) is
# written in place; through a symbolic link the target is replaced and the
# link kept. Renaming over /dev/null as root once replaced the device.
mkfifo "$tmp/out_fifo"
# timeout: if loyal replaced the FIFO instead of opening it, nobody writes
timeout 20 cat "$tmp/out_fifo" > "$tmp/from_fifo" &
reader=$!
(cd "$SRCDIR" && "$LOYAL" nps data/survey.csv -q --format csv -o "$tmp/out_fifo")
st=$?
wait $reader
if [ "$st" = 0 ] && [ -p "$tmp/out_fifo" ] && grep -q '^responses,' "$tmp/from_fifo"; then
	ok "output_fifo_written_in_place"
else
	bad "output_fifo_written_in_place" "exit $st, or the FIFO was replaced"
fi
if mknod -m 666 "$tmp/null" c 1 3 2>/dev/null; then
	(cd "$SRCDIR" && "$LOYAL" nps data/survey.csv -q -o "$tmp/null")
	st=$?
	[ "$st" = 0 ] && [ -c "$tmp/null" ] && ok "output_device_kept" ||
		bad "output_device_kept" "exit $st, or the device node was replaced"
fi
echo old > "$tmp/target.csv"
ln -s target.csv "$tmp/link.csv"
(cd "$SRCDIR" && "$LOYAL" nps data/survey.csv -q --format csv -o "$tmp/link.csv")
if [ -L "$tmp/link.csv" ] && grep -q '^responses,' "$tmp/target.csv"; then
	ok "output_through_symlink"
else
	bad "output_through_symlink" "the link was replaced or its target not written"
fi

finish
