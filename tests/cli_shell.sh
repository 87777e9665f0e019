#!/bin/sh
# loyal shell reading a script on standard input (not a terminal): golden
# output, messages and exit statuses of sessions, dot commands and errors;
# and every answer from memory (the copy of the file, the kept loads) the
# same as the command line's, byte for byte.
SUITE=shell
. "$(dirname "$0")/golden.sh"

f=tests/fixtures/shell
# run SCRIPT [FILE...]: the script on standard input
run() {
	script=$1
	shift
	"$LOYAL" shell "$@" <"$script"
}

check session 0 run $f/session.loyal data/survey.csv data/orders.csv
check errors 64 run $f/errors.loyal data/orders.csv
check bail 65 run $f/bail.loyal data/orders.csv
check nosurvey 64 run $f/nosurvey.loyal data/orders.csv
check empty_script 0 run /dev/null data/orders.csv
check format_option 0 sh -c 'echo "nps -q" | "$LOYAL" shell --format json data/survey.csv'
check bad_format 64 "$LOYAL" shell --format xml
check load_missing 66 run /dev/null data/missing.csv
check load_neither 65 run /dev/null $f/neither.csv
check load_stdin 64 run /dev/null -
check no_files 0 sh -c 'echo ".files" | "$LOYAL" shell'
check quit_status 64 sh -c 'printf "bogus\n.quit\nrepurchase\n" | "$LOYAL" shell data/orders.csv'

# -o FILE, as --output=FILE too: the files hold the command line's output.
sed "s|OUT|$tmp|g" "$SRCDIR/$f/output.loyal" >"$tmp/output.loyal"
if (cd "$SRCDIR" && run "$tmp/output.loyal" data/orders.csv data/survey.csv) \
	>"$tmp/o.out" 2>"$tmp/o.err" && [ ! -s "$tmp/o.out" ] && [ ! -s "$tmp/o.err" ] &&
	(cd "$SRCDIR" && "$LOYAL" repurchase -q --format csv data/orders.csv) | cmp -s - "$tmp/repurchase.csv" &&
	(cd "$SRCDIR" && "$LOYAL" nps -q --by channel --format csv data/survey.csv) | cmp -s - "$tmp/nps.csv"; then
	ok "-o FILE"
else
	bad "-o FILE" "the files differ from the command line's output"
fi

# Each question twice (the second from a kept load), and questions with
# other input options between: stdout and stderr equal to the command
# line's, in order.
cat >"$tmp/lines" <<'LINES'
repurchase
retention --period month
repurchase --by Country
retention --cohorts --period quarter --by Country
summary --format csv
repurchase --as-of 2011-06-30
summary --format csv --as-of 2011-06-30 --period month
churn --sort churn --top 20
clv --top 10 --format json
repurchase --returns keep
retention --period month
nps --by channel --period month
csat --by channel
segment --summary
tiers --window 90 --compare 2011-06-30 --summary
tiers --value clv
segment --by Country --format csv
check --kind transactions
check --kind nps
LINES
: >"$tmp/cli.out"
: >"$tmp/cli.err"
: >"$tmp/script"
while read -r line; do
	for i in 1 2; do
		echo "$line" >>"$tmp/script"
		case $line in
		nps* | csat*) files=data/survey.csv ;;
		check*transactions) files=data/orders.csv ;;
		check*) files=data/survey.csv ;;
		*) files=data/orders.csv ;;
		esac
		# shellcheck disable=SC2086
		(cd "$SRCDIR" && "$LOYAL" $line $files) >>"$tmp/cli.out" 2>>"$tmp/cli.err"
	done
done <"$tmp/lines"
(cd "$SRCDIR" && "$LOYAL" shell data/orders.csv data/survey.csv <"$tmp/script") \
	>"$tmp/sh.out" 2>"$tmp/sh.err"
st=$?
if [ "$st" = 0 ] && cmp -s "$tmp/cli.out" "$tmp/sh.out"; then
	ok "answers from memory: stdout"
else
	bad "answers from memory: stdout" "status $st or output differs"
	diff "$tmp/cli.out" "$tmp/sh.out" | head -20
	head -5 "$tmp/sh.err"
fi
if cmp -s "$tmp/cli.err" "$tmp/sh.err"; then
	ok "answers from memory: stderr"
else
	bad "answers from memory: stderr" "messages differ"
	diff "$tmp/cli.err" "$tmp/sh.err" | head -20
fi

# A file named on a line is read from memory when it is loaded, also
# under another name, even after it changed on disk (a line of the script
# appends a bad row to it); a file not loaded is read from the disk.
cp "$SRCDIR/data/orders.csv" "$tmp/orders.csv"
cp "$SRCDIR/data/orders.csv" "$tmp/other.csv"
cat >"$tmp/named" <<NAMED
.files | sh -c 'cat >/dev/null; echo "x,y" >>"$tmp/orders.csv"; echo "x,y" >>"$tmp/other.csv"'
repurchase -q $tmp/./orders.csv
repurchase -q $tmp/other.csv
NAMED
(cd "$SRCDIR" && "$LOYAL" repurchase -q data/orders.csv) >"$tmp/want"
"$LOYAL" shell "$tmp/orders.csv" <"$tmp/named" >"$tmp/got" 2>"$tmp/got.err"
st=$?
if [ "$st" = 65 ] && cmp -s "$tmp/want" "$tmp/got" &&
	grep -q "other.csv:5568:.*fields" "$tmp/got.err"; then
	ok "loaded file read from memory, other from disk"
else
	bad "loaded file read from memory, other from disk" "status $st"
	cat "$tmp/got.err"
fi
# loyalty and report name their inputs with --survey and --orders: the
# shell gives them the loaded files of each kind, and their answers are the
# command line's, byte for byte. report reads one file of a kind: two loaded
# surveys are an error asking to name one. complaints' operand is named.
printf 'report -q -o %s\nloyalty -q --matrix -f csv\n' "$tmp/sh.html" >"$tmp/byopt"
(cd "$SRCDIR" && "$LOYAL" report -q --survey data/survey.csv --orders data/orders.csv \
	-o "$tmp/cli.html" && "$LOYAL" loyalty -q --matrix -f csv --survey data/survey.csv \
	--orders data/orders.csv) >"$tmp/cli.loyalty" 2>&1
(cd "$SRCDIR" && "$LOYAL" shell data/orders.csv data/survey.csv <"$tmp/byopt") \
	>"$tmp/sh.loyalty" 2>&1
st=$?
if [ "$st" = 0 ] && [ -s "$tmp/cli.html" ] && cmp -s "$tmp/cli.html" "$tmp/sh.html" &&
	[ -s "$tmp/cli.loyalty" ] && cmp -s "$tmp/cli.loyalty" "$tmp/sh.loyalty"; then
	ok "report and loyalty on the loaded files"
else
	bad "report and loyalty on the loaded files" "status $st or output differs"
	diff "$tmp/cli.loyalty" "$tmp/sh.loyalty" | head -10
fi
cp "$SRCDIR/data/survey.csv" "$tmp/survey2.csv"
printf 'report -o %s\n' "$tmp/two.html" >"$tmp/two"
(cd "$SRCDIR" && "$LOYAL" shell data/orders.csv data/survey.csv "$tmp/survey2.csv" \
	<"$tmp/two") >"$tmp/two.out" 2>"$tmp/two.err"
st=$?
if [ "$st" = 64 ] && [ ! -e "$tmp/two.html" ] &&
	grep -q "report: 2 survey files are loaded: name one with --survey" "$tmp/two.err"; then
	ok "report with two loaded surveys"
else
	bad "report with two loaded surveys" "status $st"
	cat "$tmp/two.err"
fi
printf 'complaints\ncheck --kind complaints\n' >"$tmp/compl"
(cd "$SRCDIR" && "$LOYAL" shell data/orders.csv <"$tmp/compl") >"$tmp/compl.out" 2>"$tmp/compl.err"
st=$?
if [ "$st" = 64 ] && [ ! -s "$tmp/compl.out" ] &&
	grep -q "^loyal shell: complaints: name the complaints file" "$tmp/compl.err" &&
	grep -q "^loyal shell: check: name the complaints file" "$tmp/compl.err"; then
	ok "complaints names its file"
else
	bad "complaints names its file" "status $st"
	cat "$tmp/compl.err"
fi
printf 'check --kind complaints data/complaints.csv\n' >"$tmp/chk"
(cd "$SRCDIR" && "$LOYAL" shell data/orders.csv <"$tmp/chk") >"$tmp/chk.sh" 2>&1
(cd "$SRCDIR" && "$LOYAL" check --kind complaints data/complaints.csv) >"$tmp/chk.cli" 2>&1
if [ -s "$tmp/chk.cli" ] && cmp -s "$tmp/chk.cli" "$tmp/chk.sh"; then
	ok "check --kind complaints on a named file"
else
	bad "check --kind complaints on a named file" "differs from the command line"
fi
# check's kind by any spelling: txn and -k read the loaded orders only
printf 'check --kind txn -q\ncheck -k transactions -q\ncheck -k nps -q\n' >"$tmp/kinds"
if (cd "$SRCDIR" && "$LOYAL" shell data/orders.csv data/survey.csv <"$tmp/kinds") \
	>"$tmp/kinds.out" 2>"$tmp/kinds.err"; then
	ok "check --kind txn, -k"
else
	bad "check --kind txn, -k" "a kind read the other kind's file"
	cat "$tmp/kinds.err"
fi
finish
