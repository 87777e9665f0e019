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
check check_unused_column 65 "$LOYAL" check -k survey $C/latin1_values.csv
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
check nps_utf16 0 "$LOYAL" nps $C/utf16le.csv $C/utf16be.csv --format csv
check nps_utf16_no_bom 65 "$LOYAL" nps $C/utf16le_no_bom.csv
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
# The same through -o /dev/stdout, which writes standard output's descriptor.
for how in default ignored; do
	for fmt in csv table; do
		for to in "" "-o /dev/stdout"; do
			(
				[ $how = ignored ] && trap '' PIPE
				# shellcheck disable=SC2086
				{ "$LOYAL" nps "$tmp/big.csv" --by channel --format $fmt -q $to 2>"$tmp/pipe.err"; echo $? >"$tmp/pipe.st"; } |
					head -1 >"$tmp/pipe.out"
			)
			st=$(cat "$tmp/pipe.st")
			if [ "$st" = 141 ] && [ ! -s "$tmp/pipe.err" ] && [ -s "$tmp/pipe.out" ]; then
				ok "closed pipe, SIGPIPE $how, $fmt $to: quiet exit"
			else
				bad "closed pipe, SIGPIPE $how, $fmt $to" "exit $st, stderr: $(head -c 200 "$tmp/pipe.err")"
			fi
		done
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
# Every signal whose default action ends the process removes the temporary
# file, not only INT, TERM, HUP, QUIT and PIPE (no core dumps: XCPU's
# default action dumps one).
signums=$(/usr/bin/python3 -c 'import signal as s
print(" ".join(str(int(getattr(s, "SIG" + n))) for n in
      "USR1 USR2 ALRM XCPU XFSZ VTALRM PROF IO PWR RTMIN RTMAX".split() if hasattr(s, "SIG" + n)))')
if [ -n "${FAILMALLOC:-}" ] && [ -f "$FAILMALLOC" ] && [ -z "${LOYAL_LAUNCHER:-}" ]; then
	ulimit -c 0 2>/dev/null
	for sig in 15 1 9 $signums; do
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
	for sig in TERM HUP USR1 ALRM; do
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
	skip "locale and time zone" "runs under a launcher (the ordinary run has them)"
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
	skip "locale and time zone" "no $LOC locale or no tzdata (set LOYAL_REQUIRE_LOCALE=1 to fail instead)"
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

# ---- standard input is a file like the others --------------------------------
T=tests/fixtures/txn
check stdin_same_as_named 64 sh -c "\"$LOYAL\" nps $S/small.csv - < $S/small.csv"
check stdin_and_dev_stdin 64 sh -c "\"$LOYAL\" nps - /dev/stdin < $S/small.csv"
check stdin_pipe_and_dev_stdin 64 sh -c "cat $S/small.csv | \"$LOYAL\" nps - /dev/stdin"
check stdin_twice 64 sh -c "cat $S/small.csv | \"$LOYAL\" nps - -"
# -o and --rejects onto the file standard input reads: refused before
# reading, the file intact
for args in "nps - -q -o $tmp/in.csv" "check -k survey - -q --rejects $tmp/in.csv" \
	"check -k survey -q --rejects $tmp/in.csv" "nps -q -o $tmp/in.csv"; do
	cp "$SRCDIR/$S/small.csv" "$tmp/in.csv"
	# shellcheck disable=SC2086
	"$LOYAL" $args <"$tmp/in.csv" >/dev/null 2>"$tmp/err"
	st=$?
	if [ "$st" = 64 ] && cmp -s "$tmp/in.csv" "$SRCDIR/$S/small.csv" &&
		grep -q "is also an input file (standard input)" "$tmp/err"; then
		ok "output onto standard input's file refused: loyal $args"
	else
		bad "output onto standard input's file: loyal $args" "exit $st, $(cat "$tmp/err")"
	fi
done

# With no file operand, standard input is read unless it is a terminal,
# closed or /dev/null (check runs commands with </dev/null).
check no_operand_reads_stdin 0 sh -c "cat $S/small.csv | \"$LOYAL\" nps -f csv"
check no_operand_stdin_file 0 sh -c "\"$LOYAL\" summary -f csv < $T/small.csv"
check no_operand_dev_null 64 "$LOYAL" nps
check no_operand_stdin_closed 64 sh -c "\"$LOYAL\" nps <&-"
/usr/bin/python3 -c 'import os, pty, subprocess, sys
master, slave = pty.openpty()
p = subprocess.run([sys.argv[1], "nps"], stdin=slave, stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE, timeout=60)
print(p.returncode)
sys.stderr.write(p.stderr.decode())' "$LOYAL" >"$tmp/tty.out" 2>"$tmp/tty.err"
if [ "$(cat "$tmp/tty.out")" = 64 ] && grep -q "no input file" "$tmp/tty.err"; then
	ok "no file operand, standard input a terminal: usage error"
else
	bad "no file operand on a terminal" "$(cat "$tmp/tty.out") $(head -c 300 "$tmp/tty.err")"
fi

# ---- -o onto descriptors, links and existing files ---------------------------
# /dev/stdout, /dev/stderr and /dev/fd/N are written through the descriptor:
# appended to when it was opened for appending, never replaced.
for how in stdout stderr fd3 link; do
	echo "previous line" >"$tmp/log.txt"
	ln -sf /dev/stdout "$tmp/to_stdout"
	case $how in
	stdout) "$LOYAL" nps "$SRCDIR/$S/small.csv" -q -f csv -o /dev/stdout >>"$tmp/log.txt" ;;
	stderr) "$LOYAL" nps "$SRCDIR/$S/small.csv" -q -f csv -o /dev/stderr 2>>"$tmp/log.txt" ;;
	fd3) "$LOYAL" nps "$SRCDIR/$S/small.csv" -q -f csv -o /dev/fd/3 3>>"$tmp/log.txt" ;;
	link) "$LOYAL" nps "$SRCDIR/$S/small.csv" -q -f csv -o "$tmp/to_stdout" >>"$tmp/log.txt" ;;
	esac
	st=$?
	if [ "$st" = 0 ] && [ "$(head -1 "$tmp/log.txt")" = "previous line" ] &&
		[ "$(sed -n 2p "$tmp/log.txt" | cut -d, -f1)" = responses ] && [ -L "$tmp/to_stdout" ] &&
		[ -z "$(ls "$tmp" | grep 'log\.txt\.tmp')" ]; then
		ok "-o $how >> log.txt appends"
	else
		bad "-o $how >> log.txt" "exit $st: $(head -c 300 "$tmp/log.txt")"
	fi
done
(cd "$SRCDIR" && "$LOYAL" nps $S/small.csv -q -o /dev/fd/9) 2>"$tmp/err"
st=$?
if [ "$st" = 73 ] && grep -q "descriptor 9 is not open" "$tmp/err"; then
	ok "-o /dev/fd/9 not open: 73"
else
	bad "-o /dev/fd/9 not open" "exit $st, $(cat "$tmp/err")"
fi
cp "$SRCDIR/$S/small_more.csv" "$tmp/stdin.csv"
(cd "$SRCDIR" && "$LOYAL" nps $S/small.csv -q -o /dev/stdin <"$tmp/stdin.csv") 2>"$tmp/err"
st=$?
if [ "$st" = 73 ] && grep -q "open for reading only" "$tmp/err"; then
	ok "-o /dev/stdin read-only: 73"
else
	bad "-o /dev/stdin read-only" "exit $st, $(cat "$tmp/err")"
fi

# A dangling link: its target is created and the link kept; a loop of links
# is exit 73 and changes nothing.
rm -f "$tmp/dangling" "$tmp/created.csv"
ln -s created.csv "$tmp/dangling"
(cd "$SRCDIR" && "$LOYAL" nps $S/small.csv -q -f csv -o "$tmp/dangling")
st=$?
if [ "$st" = 0 ] && [ -L "$tmp/dangling" ] && grep -q '^responses,' "$tmp/created.csv"; then
	ok "-o onto a dangling link writes its target"
else
	bad "-o onto a dangling link" "exit $st, $(ls -l "$tmp/dangling")"
fi
ln -s loop_b "$tmp/loop_a"
ln -s loop_a "$tmp/loop_b"
(cd "$SRCDIR" && "$LOYAL" nps $S/small.csv -q -o "$tmp/loop_a") 2>"$tmp/err"
st=$?
if [ "$st" = 73 ] && [ -L "$tmp/loop_a" ] && [ -L "$tmp/loop_b" ] &&
	grep -q "Too many levels of symbolic links" "$tmp/err" && [ -z "$(ls "$tmp" | grep 'loop_.*tmp')" ]; then
	ok "-o onto a loop of links: 73, links kept"
else
	bad "-o onto a loop of links" "exit $st, $(cat "$tmp/err")"
fi

# A replaced file keeps its mode and group; a new one gets 0666 less the umask.
echo "private" >"$tmp/private.csv"
chmod 600 "$tmp/private.csv"
group=$(id -gn)
for g in $(id -Gn) daemon; do
	if [ "$g" != "$group" ] && chgrp "$g" "$tmp/private.csv" 2>/dev/null; then
		group=$g
		break
	fi
done
(cd "$SRCDIR" && umask 022 && "$LOYAL" nps $S/small.csv -q -o "$tmp/private.csv")
mode=$(ls -l "$tmp/private.csv" | cut -c1-10)
got_group=$(ls -l "$tmp/private.csv" | awk '{ print $4 }')
if [ "$mode" = "-rw-------" ] && [ "$got_group" = "$group" ] && grep -q nps "$tmp/private.csv"; then
	ok "-o keeps the mode (0600) and group ($group) of the file it replaces"
else
	bad "-o keeps mode and group" "$mode $got_group, expected -rw------- $group"
fi
rm -f "$tmp/umask.csv"
(cd "$SRCDIR" && umask 027 && "$LOYAL" nps $S/small.csv -q -o "$tmp/umask.csv")
mode=$(ls -l "$tmp/umask.csv" | cut -c1-10)
if [ "$mode" = "-rw-r-----" ]; then
	ok "new -o file: 0666 less umask 027"
else
	bad "new -o file mode" "$mode"
fi

# The same-file check sorts (device, inode): 500,000 operands are checked
# at once (in a second or two; pairwise, 120,000 took 14 s and these about
# a minute). The names do not exist: loyal then fails on the first one (66).
if [ $heavy = 1 ]; then
	/usr/bin/python3 -c 'import resource, subprocess, sys
def more_stack():
    # room for the operands (the kernel allows a quarter of the stack limit)
    try:
        resource.setrlimit(resource.RLIMIT_STACK,
                           (64 << 20, resource.getrlimit(resource.RLIMIT_STACK)[1]))
    except (ValueError, OSError):
        pass
n = 500000
try:
    p = subprocess.run([sys.argv[1], "nps"] + ["x"] * n, preexec_fn=more_stack,
                       stderr=subprocess.PIPE, timeout=20)
    print(p.returncode, p.stderr.decode().splitlines()[0])
except subprocess.TimeoutExpired:
    print("timeout")
except OSError as e:
    print("exec", n, e)' "$LOYAL" >"$tmp/many.out"
	if grep -q "^66 loyal nps: x: cannot open" "$tmp/many.out"; then
		ok "500,000 operands checked for the same file at once"
	elif grep -q "^exec" "$tmp/many.out"; then
		skip "500,000 operands" "$(cat "$tmp/many.out")"
	else
		bad "500,000 operands" "$(cat "$tmp/many.out")"
	fi
fi

# ---- options -----------------------------------------------------------------
check short_bundle 0 "$LOYAL" nps $S/small.csv -qf csv
check short_bundle_value 0 "$LOYAL" nps $S/small.csv -qfcsv
check short_bundle_unknown 64 "$LOYAL" nps $S/small.csv -qz
check by_same_column 64 "$LOYAL" nps data/survey.csv --by channel --by CHANNEL
check by_same_column_txn 64 "$LOYAL" summary $T/small.csv --by channel --by Channel
check by_same_column_check 64 "$LOYAL" check -k survey data/survey.csv --by channel,CHANNEL
# the 6-decimal rule applies to the value, whatever its spelling
check exponent_discount 64 "$LOYAL" clv data/orders.csv --discount 1e-7
check exponent_weights 64 "$LOYAL" csat data/survey.csv --cols product,service,price --weights 1e-7,1,1
check exponent_horizon 64 "$LOYAL" churn data/orders.csv --horizon 12.5e-7
check exponent_six_places 0 "$LOYAL" csat data/survey.csv --cols product,service,price \
	--weights 1.5e-5,1,1 -q -f csv

# ---- dates -------------------------------------------------------------------
check leap_second 0 "$LOYAL" nps $S/leap_second.csv --period day -q -f csv
# A placeholder date (9999-12-31 for "no date"): a warning naming it, and
# period tables capped by --max-periods instead of taking gigabytes.
check sentinel_warning 0 "$LOYAL" summary $T/sentinel.csv -f csv
check sentinel_to 0 "$LOYAL" summary $T/sentinel.csv -f csv --to 2024-12-31
check sentinel_as_of 0 "$LOYAL" retention $T/sentinel.csv --as-of 2024-03-31 -f csv
check sentinel_cohorts_day 65 "$LOYAL" retention $T/sentinel.csv --cohorts --period day
check sentinel_retention_month 65 "$LOYAL" retention $T/sentinel.csv -q
check max_periods_exceeded 65 "$LOYAL" retention $T/small.csv --cohorts --period day --max-periods 86
check max_periods_bad 64 "$LOYAL" retention $T/small.csv --max-periods 0
if [ $heavy = 1 ]; then
	measure "$LOYAL" retention "$SRCDIR/$T/sentinel.csv" --cohorts --period month --max-periods 100000 -q
	if [ "$st" = 0 ] && [ "$(wc -l <"$tmp/m.out")" = 3 ] &&
		{ [ $measure_rss = 0 ] || [ "$rss" -lt 204800 ]; }; then
		ok "--max-periods raised: month cohorts to 9999 in ${rss} KiB"
	else
		bad "--max-periods raised" "exit $st, peak ${rss} KiB: $(head -c 300 "$tmp/m.err")"
	fi
fi

# ---- limits ------------------------------------------------------------------
awk 'BEGIN { for (r = 0; r < 2; r++) { for (i = 1; i <= 100001; i++) { if (i > 1) printf ","; if (r) printf "%d", i % 11; else printf "c%d", i } printf "\n" } }' >"$tmp/wider.csv"
"$LOYAL" nps "$tmp/wider.csv" --score-col c1 >/dev/null 2>"$tmp/err"
st=$?
if [ "$st" = 65 ] && grep -q "wider.csv:1:100001: the header has more than 100000 columns" "$tmp/err"; then
	ok "100,001 columns: refused at the header"
else
	bad "100,001 columns" "exit $st: $(head -c 300 "$tmp/err")"
fi
if [ $heavy = 1 ]; then
	/usr/bin/python3 -c 'import sys; sys.stdout.write("," * 40000000 + "\n1\n")' >"$tmp/commas.csv"
	measure "$LOYAL" nps "$tmp/commas.csv"
	if [ "$st" = 65 ] && grep -q "more than 100000 columns" "$tmp/m.err" &&
		{ [ $measure_rss = 0 ] || [ "$rss" -lt 51200 ]; }; then
		ok "a 40 MB header of empty names: refused in ${rss} KiB"
	else
		bad "a 40 MB header of empty names" "exit $st, peak ${rss} KiB: $(head -c 300 "$tmp/m.err")"
	fi
fi
rm -f "$tmp/commas.csv" "$tmp/wider.csv"

check max_width_default 0 "$LOYAL" nps $S/long_values.csv --by channel -q
check max_width_10 0 "$LOYAL" nps $S/long_values.csv --by channel -q --max-width 10
check max_width_none 0 "$LOYAL" nps $S/long_values.csv --by channel -q --max-width 0
check max_width_csv 0 "$LOYAL" nps $S/long_values.csv --by channel -q --max-width 10 -f csv
# a 1 MB group value beside 200 others no longer pads every row to 1 MB
/usr/bin/python3 -c 'import sys
sys.stdout.write("id,channel,nps\n1,%s,9\n" % ("v" * (1 << 20)))
for i in range(200):
    sys.stdout.write("%d,c%d,7\n" % (i + 2, i))' >"$tmp/mega.csv"
"$LOYAL" nps "$tmp/mega.csv" --by channel -q >"$tmp/mega.out"
st=$?
size=$(wc -c <"$tmp/mega.out")
if [ "$st" = 0 ] && [ "$size" -lt 100000 ] && [ "$(wc -l <"$tmp/mega.out")" = 202 ]; then
	ok "a 1 MB group value: table of $size bytes"
else
	bad "a 1 MB group value" "exit $st, $size bytes"
fi
rm -f "$tmp/mega.csv" "$tmp/mega.out"

# ---- check reads the encoding of every field -----------------------------------
check check_gb18030_comment 65 "$LOYAL" check -k survey $C/gb18030_comment.csv
check nps_gb18030_comment 0 "$LOYAL" nps $C/gb18030_comment.csv -f csv

finish
