#!/bin/sh
# Reading on several threads gives exactly what one thread gives: stdout,
# stderr and exit status of -j 2, 3 and 5 against -j 1, on generated files
# cut into parts (LOYAL_PART_MIN) with quoted line breaks, CRLF, invalid
# rows on both sides of the cuts, errors in several parts, a spend out of
# range only the whole file reaches; and the thread options themselves.
# (The golden suites run again on 3 threads too: see tests/CMakeLists.txt.)
SUITE=threads
. "$(dirname "$0")/golden.sh"
export LOYAL_PART_MIN=2000 LOYAL_SPLIT_LOG="$tmp/splits"
unset LOYAL_THREADS

# same NAME CMD...: -j 2, 3 and 5 give what -j 1 gives, and the file is cut
same() {
	name=$1
	shift
	: >"$tmp/splits"
	(cd "$SRCDIR" && "$@" -j 1) >"$tmp/o1" 2>"$tmp/e1" </dev/null
	s1=$?
	for j in 2 3 5; do
		(cd "$SRCDIR" && "$@" -j $j) >"$tmp/oj" 2>"$tmp/ej" </dev/null
		sj=$?
		if [ "$s1" != "$sj" ] || ! cmp -s "$tmp/o1" "$tmp/oj" || ! cmp -s "$tmp/e1" "$tmp/ej"; then
			bad "$name -j $j" "differs from -j 1 (status $s1, $sj)"
			diff "$tmp/o1" "$tmp/oj" | head -5 | sed 's/^/    /'
			diff "$tmp/e1" "$tmp/ej" | head -5 | sed 's/^/    /'
			return
		fi
	done
	if ! grep -q '^[2-9] ' "$tmp/splits"; then
		bad "$name" "no file was cut: $(cat "$tmp/splits")"
		return
	fi
	ok "$name (status $s1)"
}

# A survey: quoted comments with line breaks, CRLF on some lines, blank
# answers, an invalid score every 150 rows (rows 150, 300, ...).
awk 'BEGIN {
	print "id,submitted_at,channel,nps,comment";
	split("web store app phone", ch, " ");
	for (i = 1; i <= 3000; i++) {
		s = (i * 7) % 11;
		if (i % 150 == 0) s = "eleven";
		else if (i % 97 == 0) s = "";
		c = (i % 37 == 0) ? "\"two\nlines, \"\"quoted\"\"\"" : (i % 5 == 0 ? "fine" : "");
		printf "R%d,2024-%02d-%02d,%s,%s,%s%s\n", i, 1 + i % 12, 1 + i % 28, ch[1 + i % 4], s, c, (i % 3 == 0 ? "\r" : "");
	}
}' >"$tmp/survey.csv"
same "nps --skip-invalid" "$LOYAL" nps "$tmp/survey.csv" --by channel --period quarter --skip-invalid -f csv
same "nps: the first invalid row" "$LOYAL" nps "$tmp/survey.csv" --by channel
same "csat --skip-invalid" "$LOYAL" csat "$tmp/survey.csv" --csat-col nps --scale 0-10 --skip-invalid --by channel
same "nps json" "$LOYAL" nps "$tmp/survey.csv" --skip-invalid --period month -f json
# an invalid row in the last part only
sed 's/^R2990,\(.*\),[0-9]*,/R2990,\1,x,/' "$tmp/survey.csv" | grep -v eleven >"$tmp/late.csv"
same "nps: an error in the last part" "$LOYAL" nps "$tmp/late.csv" --by channel
# malformed quoting in the middle: the file stops there
awk 'NR == 1500 { print "R1500,2024-01-01,web,5,bad\"quote"; next } { print }' "$tmp/late.csv" >"$tmp/stray.csv"
same "nps: a stray quote in the middle" "$LOYAL" nps "$tmp/stray.csv" --skip-invalid
# two files, one cut
same "nps: two files" "$LOYAL" nps "$tmp/survey.csv" "$tmp/late.csv" --skip-invalid

# Order lines: runs of lines per order, returns, guests, a store column.
awk 'BEGIN {
	print "order_id,date,customer_id,store,amount";
	n = 0;
	for (o = 1; n < 4000; o++) {
		c = (o * 7919) % 313;
		lines = 1 + o % 4;
		for (k = 0; k < lines; k++) {
			n++;
			cust = (o % 41 == 0) ? "" : "C" c;
			amt = (o % 23 == 0) ? -(k + 1) * 3.5 : (k + 1) * 10.25;
			printf "INV-%06d,2024-%02d-%02d,%s,%s,%.2f\n", o, 1 + (o / 40) % 12, 1 + o % 28, cust, (c % 3 ? "north" : "south"), amt;
		}
	}
}' >"$tmp/orders.csv"
same "summary" "$LOYAL" summary "$tmp/orders.csv" -f csv
same "summary --by --period" "$LOYAL" summary "$tmp/orders.csv" --by store --period month -f csv
same "repurchase --by --within" "$LOYAL" repurchase "$tmp/orders.csv" --by store --within 60 -f csv
same "retention --cohorts" "$LOYAL" retention "$tmp/orders.csv" --cohorts -f csv
same "retention --inactive --from --to" "$LOYAL" retention "$tmp/orders.csv" --inactive 30 --from 2024-02-01 --to 2024-11-30
same "churn: a fit that fails, with its figures" "$LOYAL" churn "$tmp/orders.csv" --params -f csv
cdnow="${LOYAL_SHARED_DATA:-$SRCDIR/../shared/data}/cdnow/CDNOW_sample.txt"
if [ -f "$cdnow" ]; then
	awk 'BEGIN { print "customer_id,sample_id,date,cds,dollars" }
	     { sub(/\r$/, ""); print $1 "," $2 "," $3 "," $4 "," $5 }' "$cdnow" >"$tmp/cdnow.csv"
	same "churn --params (CDNOW)" "$LOYAL" churn "$tmp/cdnow.csv" --as-of 1997-09-30 --params -f csv
	same "churn --holdout-to (CDNOW)" "$LOYAL" churn "$tmp/cdnow.csv" --as-of 1997-09-30 --holdout-to 1998-06-30 -f csv
	same "clv (CDNOW)" "$LOYAL" clv "$tmp/cdnow.csv" --as-of 1997-09-30 -f csv
else
	skip "CDNOW" "$cdnow not found (../shared is absent)"
fi
# 70000 customers who buy as the models say: the model commands load the
# customers on several threads too, and fit on more distinct (x, t_x, T)
# (about 41000) than one thread does alone; the same figures to the last
# digit.
awk 'BEGIN {
	srand(11);
	print "customer_id,date,region,amount";
	for (c = 1; c <= 70000; c++) {
		t = int(rand() * 300);
		lam = 0.01 + 0.05 * (-log(rand())) ^ 2;
		p = 0.5 * rand();
		for (;;) {
			d = int(t);
			printf "K%d,2023-%02d-%02d,%s,%.2f\n", c, 1 + int(d / 28), 1 + d % 28, (c % 3 ? "north" : "south"), 5 + (c * d) % 90;
			t += -log(rand()) / lam;
			if (t >= 336 || rand() < p)
				break;
		}
	}
}' >"$tmp/many.csv"
same "churn --params --model auto (70000 customers)" "$LOYAL" churn "$tmp/many.csv" --params --model auto -f csv
same "churn --sort churn --top (70000 customers)" "$LOYAL" churn "$tmp/many.csv" --model mbgnbd --sort churn --top 50 -f csv
same "churn --by --pooled (70000 customers)" "$LOYAL" churn "$tmp/many.csv" --by region --pooled -f csv
same "clv --params (70000 customers)" "$LOYAL" clv "$tmp/many.csv" --params -f csv
same "summary --strict: the first guest row" "$LOYAL" summary "$tmp/orders.csv" --strict
awk 'NR == 3500 { print "INV-999999,2024-13-01,C1,north,1"; next } { print }' "$tmp/orders.csv" >"$tmp/baddate.csv"
same "summary: a bad date in the last part" "$LOYAL" summary "$tmp/baddate.csv"
# A spend out of range: customer X reaches it only with the rows of both
# halves, so the read starts again on one thread to name the same row.
awk 'NR == 10 || NR == 3900 { print "BIG-" NR ",2024-03-01,X,north,5000000000000"; next } { print }' "$tmp/orders.csv" >"$tmp/big.csv"
same "summary: a spend out of range across parts" "$LOYAL" summary "$tmp/big.csv"
"$LOYAL" summary "$tmp/big.csv" -j 2 >/dev/null 2>"$tmp/e"
grep -q ':3900: the spend of customer .X. is out of range' "$tmp/e" && ok "spend message names line 3900" ||
	bad "spend message" "$(cat "$tmp/e")"

# Standard input is read on one thread; so is a pipe.
: >"$tmp/splits"
"$LOYAL" summary - -j 2 -q <"$tmp/orders.csv" >"$tmp/o" && [ ! -s "$tmp/splits" ] &&
	"$LOYAL" summary "$tmp/orders.csv" -j 1 -q | cmp -s - "$tmp/o" && ok "standard input: one thread" ||
	bad "standard input" "$(cat "$tmp/splits")"

# The options
check threads_zero 64 "$LOYAL" nps "$tmp/survey.csv" -j 0
check threads_word 64 "$LOYAL" nps "$tmp/survey.csv" --threads many
check threads_env 64 env LOYAL_THREADS=x "$LOYAL" nps "$tmp/survey.csv"
check threads_env_zero 64 env LOYAL_THREADS=0 "$LOYAL" nps "$tmp/survey.csv"
finish
