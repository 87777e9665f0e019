#!/bin/sh
# Golden tests of loyal summary, repurchase and retention: stdout, stderr and
# exit status; the CDNOW figures; an independent pandas reference.
# The figures of tests/fixtures/txn/small.csv are worked out in
# tests/fixtures/txn/README.
SUITE=txn
. "$(dirname "$0")/golden.sh"
F=tests/fixtures/txn

# summary: every format, grouping, occasions, windows
check summary_table 0 "$LOYAL" summary $F/small.csv
check summary_csv 0 "$LOYAL" summary $F/small.csv --format csv
check summary_tsv 0 "$LOYAL" summary $F/small.csv --format tsv -q
check summary_json 0 "$LOYAL" summary $F/small.csv --format json -q
check summary_by_period 0 "$LOYAL" summary $F/small.csv --by channel --period month --format csv -q
check summary_occasion_day 0 "$LOYAL" summary $F/small.csv --occasion day --format csv
check summary_as_of 0 "$LOYAL" summary $F/small.csv --as-of 2024-02-29 --format csv
check summary_from_to 0 "$LOYAL" summary $F/small.csv --from 2024-01-10 --to 2024-03-15 --format csv
check summary_guest_after_to 0 "$LOYAL" summary $F/guest_after_to.csv --to 2011-01-10 --format csv
check summary_from_after_as_of 64 "$LOYAL" summary $F/small.csv --from 2024-03-01 --as-of 2024-02-01
check summary_no_amount 0 "$LOYAL" summary $F/no_amount.csv --by store --format csv
check summary_qty_price 0 "$LOYAL" summary $F/qty_price.csv --customer-col Kunde --date-col Datum --qty-col Menge --price-col Preis --date-format "%m/%d/%Y %H:%M" --format csv
check summary_stdin 0 sh -c "\"$LOYAL\" summary - --format csv < $F/small.csv"
check summary_two_files 0 "$LOYAL" summary $F/small.csv $F/small_more.csv --format csv
check summary_stdin_twice 64 "$LOYAL" summary - -

# repurchase
check repurchase_table 0 "$LOYAL" repurchase $F/small.csv
check repurchase_csv 0 "$LOYAL" repurchase $F/small.csv --format csv -q
check repurchase_json 0 "$LOYAL" repurchase $F/small.csv --within 40 --format json -q
check repurchase_occasion_day 0 "$LOYAL" repurchase $F/small.csv --occasion day --format csv -q
check repurchase_by_period 0 "$LOYAL" repurchase $F/small.csv --by channel --period month --format tsv -q
check repurchase_within 0 "$LOYAL" repurchase $F/small.csv --within 40
# --by values holding 0x1f: three groups (a, b and c each in their own)
check repurchase_by_unit_separator 0 "$LOYAL" repurchase $F/by_unit_separator.csv --by channel --by region --format json -q
check summary_by_unit_separator 0 "$LOYAL" summary $F/by_unit_separator.csv --by channel --by region --format json -q

# retention: period table, cohorts, churn rate
check retention_table 0 "$LOYAL" retention $F/small.csv
check retention_csv 0 "$LOYAL" retention $F/small.csv --format csv -q
check retention_json 0 "$LOYAL" retention $F/small.csv --format json -q
check retention_by 0 "$LOYAL" retention $F/small.csv --by channel --format csv -q
check retention_week 0 "$LOYAL" retention $F/small.csv --period week --format csv -q
check cohorts_table 0 "$LOYAL" retention $F/small.csv --cohorts
check cohorts_csv 0 "$LOYAL" retention $F/small.csv --cohorts --format csv -q
check cohorts_tsv 0 "$LOYAL" retention $F/small.csv --cohorts --format tsv -q
check cohorts_json 0 "$LOYAL" retention $F/small.csv --cohorts --format json -q
check cohorts_unbounded 0 "$LOYAL" retention $F/small.csv --cohorts --unbounded --format csv -q
check cohorts_by 0 "$LOYAL" retention $F/small.csv --cohorts --by channel --format json -q
check inactive_table 0 "$LOYAL" retention $F/small.csv --inactive 30
check inactive_json 0 "$LOYAL" retention $F/small.csv --inactive 30 --by channel --format json -q
check inactive_cohort 0 "$LOYAL" retention $F/small.csv --inactive 30 --period month --format csv -q
check inactive_as_of 0 "$LOYAL" retention $F/small.csv --inactive 30 --as-of 2024-06-30 --format csv

# same-day cancellations (worked out by hand in tests/fixtures/txn/README):
# an order cancelled minutes later under another invoice number is no
# purchase; a partial same-day return and a return on a later day are
check summary_cancel 0 "$LOYAL" summary data/cancellations.csv
check summary_cancel_keep 0 "$LOYAL" summary data/cancellations.csv --returns keep --format csv
check summary_cancel_days 0 "$LOYAL" summary data/cancellations.csv --occasion day --format csv -q
check repurchase_cancel 0 "$LOYAL" repurchase data/cancellations.csv --format csv
check repurchase_cancel_keep 0 "$LOYAL" repurchase data/cancellations.csv --returns keep --format csv -q
check retention_cancel 0 "$LOYAL" retention data/cancellations.csv --format csv -q
check bad_returns 64 "$LOYAL" summary data/cancellations.csv --returns net
# a Chinese shop export: GBK, CRLF, Chinese headers, refunds (退款) the same day
check summary_cn_orders 0 "$LOYAL" summary $F/cn_orders_gbk.csv --encoding gbk --by 门店
check check_cn_orders 0 "$LOYAL" check -k txn $F/cn_orders_gbk.csv --encoding gbk
check summary_cn_orders_unnamed 65 "$LOYAL" summary $F/cn_orders_gbk.csv

# nightly jobs survive one bad row: --skip-invalid on every transaction
# command (O4 a bad date, O5 a field too many, O6 an exponent); check
# --clean writes the rows that passed beside --rejects
B=tests/fixtures/csv/orders_bad.csv
check summary_skip_invalid 0 "$LOYAL" summary $B --skip-invalid --format csv
check repurchase_skip_invalid 0 "$LOYAL" repurchase $B --skip-invalid --format csv -q
check retention_skip_invalid 0 "$LOYAL" retention $B --skip-invalid --format csv -q
check summary_invalid_stops 65 "$LOYAL" summary $B
check churn_skip_invalid 0 sh -c "{ cat data/orders.csv; printf '581587,22138,BAKING SET,3,2011-12-32 12:50:00,4.95,12680,France\n'; } | \"$LOYAL\" churn - --params --skip-invalid"
check clv_skip_invalid 0 sh -c "{ cat data/orders.csv; printf '581587,22138,BAKING SET,3,2011-12-09 12:50:00,4,95,12680,France\n'; } | \"$LOYAL\" clv - --params --skip-invalid -q"
check check_clean 0 sh -c "\"$LOYAL\" check -k txn $B --clean $tmp/clean.csv --rejects $tmp/rejects.csv -q; echo \"exit \$?\"; cat $tmp/clean.csv $tmp/rejects.csv; \"$LOYAL\" summary $tmp/clean.csv --format csv -q"
check check_clean_gb18030 0 sh -c "\"$LOYAL\" check -k survey tests/fixtures/survey/cn_survey_gb18030.csv --encoding gb18030 --clean $tmp/clean.csv -q; echo \"exit \$?\"; cat $tmp/clean.csv"
check check_clean_two_files 64 "$LOYAL" check -k txn $B $F/small.csv --clean /dev/null
check check_clean_same_as_rejects 64 "$LOYAL" check -k txn $B --clean x.csv --rejects x.csv
check check_clean_onto_input 64 "$LOYAL" check -k txn $B --clean $B

# partial periods: as-of 2024-03-15 ends March after 15 of its 31 days;
# data/cancellations.csv ends on 2011-12-09 (see tests/fixtures/txn/README)
check retention_partial 0 "$LOYAL" retention $F/small.csv --as-of 2024-03-15
check retention_partial_week 0 "$LOYAL" retention $F/small.csv --as-of 2024-03-17 --period week --format csv -q
check cohorts_partial_json 0 "$LOYAL" retention $F/small.csv --cohorts --as-of 2024-03-15 --format json -q
check cohorts_partial_table 0 "$LOYAL" retention data/cancellations.csv --cohorts --period quarter -q
check inactive_eligible 0 "$LOYAL" retention $F/small.csv --inactive 60 --format csv -q

# the sample export, as in the man pages' examples
check sample_summary 0 "$LOYAL" summary data/orders.csv --format csv
check sample_repurchase_by_country 0 "$LOYAL" repurchase data/orders.csv --by Country --within 90
check sample_retention 0 "$LOYAL" retention data/orders.csv
check sample_cohorts 0 "$LOYAL" retention data/orders.csv --cohorts
check sample_inactive 0 "$LOYAL" retention data/orders.csv --inactive 90 --period quarter

# bad input: data errors name file:line:column; usage errors; missing files
check bad_date 65 "$LOYAL" summary $F/bad_date.csv
check bad_amount 65 "$LOYAL" repurchase $F/bad_amount.csv
check exponent_rejected 65 "$LOYAL" summary $F/exponent.csv
check exponent_allowed 0 "$LOYAL" summary $F/exponent.csv --allow-exponent --format csv
check missing_customer_column 65 "$LOYAL" summary $F/no_customer.csv
check customer_col_not_found 65 "$LOYAL" summary $F/small.csv --customer-col client
check order_col_required 65 "$LOYAL" summary $F/no_order.csv --occasion order
check strict_guest 65 "$LOYAL" retention $F/small.csv --strict
check empty_order_id 65 "$LOYAL" summary $F/empty_order.csv
check empty_date 65 "$LOYAL" summary $F/empty_date.csv
check blank_date 65 "$LOYAL" summary $F/blank_date.csv
check no_purchase 65 "$LOYAL" summary $F/no_purchase.csv
check header_only 65 "$LOYAL" summary $F/header_only.csv
check one_period 65 "$LOYAL" retention $F/no_order.csv
check layouts_differ 65 "$LOYAL" summary $F/small.csv $F/no_order.csv
check missing_file 66 "$LOYAL" retention $F/nonexistent.csv
check no_file 64 "$LOYAL" summary
check bad_occasion 64 "$LOYAL" summary $F/small.csv --occasion visit
check bad_as_of 64 "$LOYAL" summary $F/small.csv --as-of 2024-13-01
check unbounded_alone 64 "$LOYAL" retention $F/small.csv --unbounded
check inactive_and_cohorts 64 "$LOYAL" retention $F/small.csv --inactive 30 --cohorts
check inactive_negative 64 "$LOYAL" retention $F/small.csv --inactive -3
check retention_no_period 64 "$LOYAL" retention $F/small.csv --period none
check within_not_a_number 64 "$LOYAL" repurchase $F/small.csv --within soon
check amount_and_qty 64 "$LOYAL" summary $F/small.csv --amount-col amount --qty-col q
check order_col_with_day 64 "$LOYAL" summary $F/small.csv --order-col order_id --occasion day

# every row is accounted for: read = used + skipped, used = purchase lines
# + return lines, skipped = the sum of its reasons. The summary line's
# numbers, in order: read, files, used, purchase lines, return lines,
# skipped, guest, outside --from/--to, after as-of, returns without a
# purchase, invalid rows, then the as-of date (3 numbers), the purchase
# occasions and those cancelled by same-day returns.
for cmd in summary repurchase retention; do
	line=$(cd "$SRCDIR" && "$LOYAL" $cmd data/orders.csv --as-of 2011-10-31 --from 2011-01-01 2>&1 >/dev/null)
	if printf '%s\n' "$line" | sed 's/[^0-9]/ /g' | awk '
		NF == 16 && $1 == $3 + $6 && $3 == $4 + $5 && $6 == $7 + $8 + $9 + $10 + $11 &&
		$7 > 0 && $8 > 0 && $9 > 0 && $10 > 0 { ok = 1 }
		END { exit !ok }'; then
		ok "rows accounted for: $cmd"
	else
		bad "rows accounted for: $cmd" "$line"
	fi
done

# one meaning of the words: summary's purchases - 1 is churn's frequency x
# when occasions are days, customer by customer; with orders (the default
# here) it is more for a customer with two orders on one day
(cd "$SRCDIR" && "$LOYAL" churn data/orders.csv --format csv -q) >"$tmp/x.csv"
for occ in day order; do
	(cd "$SRCDIR" && "$LOYAL" summary data/orders.csv --occasion $occ --format csv -q) >"$tmp/s.csv"
	res=$(awk -F, 'NR == FNR { if (FNR > 1) x[$1] = $2; next }
		FNR > 1 { n++; if ($4 - 1 != x[$1]) d++; if ($4 - 1 < x[$1]) less++ }
		END { print n, d + 0, less + 0 }' "$tmp/x.csv" "$tmp/s.csv")
	case "$occ:$res" in
	"day:620 0 0") ok "purchases - 1 is x with day occasions (620 customers)" ;;
	order:620\ [1-9]*\ 0) ok "purchases - 1 exceeds x for some customers with order occasions ($res)" ;;
	*) bad "purchases and x, $occ occasions" "customers, differences, fewer: $res" ;;
	esac
done

# JSON output parses (python's json module as an independent parser)
(cd "$SRCDIR" && "$LOYAL" retention data/orders.csv --cohorts --by Country --format json -q) > "$tmp/c.json"
if /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert all(r["retention"][0] == 100 and len(r) == 5 and len(r["complete"]) == len(r["retention"]) and not r["complete"][-1] for r in d), d[0]
' "$tmp/c.json"; then ok "json_parses"; else bad "json_parses" "invalid JSON"; fi

# CDNOW: the standard data set of Fader, Hardie & Lee (2005). Calibration to
# 1997-09-30, occasions are days: 1,411 of the 2,357 customers made no
# repeat purchase, and the customers made 2,457 repeat purchases in all.
cdnow="${LOYAL_SHARED_DATA:-$SRCDIR/../shared/data}/cdnow/CDNOW_sample.txt"
if [ -f "$cdnow" ]; then
	awk 'BEGIN { print "customer_id,sample_id,date,cds,dollars" }
	     { sub(/\r$/, ""); print $1 "," $2 "," $3 "," $4 "," $5 }' "$cdnow" > "$tmp/cdnow.csv"
	"$LOYAL" repurchase "$tmp/cdnow.csv" --as-of 1997-09-30 --format csv -q > "$tmp/cdnow.out"
	res=$(awk -F, 'NR == 2 { print $1 - $2, $1, $4 }' "$tmp/cdnow.out")
	[ "$res" = "1411 2357 2457" ] && ok "cdnow: 1411 of 2357 without repeat, 2457 repeat purchases" ||
		bad "cdnow repeat purchases" "got (no-repeat customers, repeat purchases) $res"
	"$LOYAL" summary "$tmp/cdnow.csv" --as-of 1997-09-30 --format csv -q > "$tmp/cdnow.sum"
	res=$(awk -F, 'NR > 1 { n++; x += $4 - 1; if ($4 == 1) one++ } END { print n, one, x }' "$tmp/cdnow.sum")
	[ "$res" = "2357 1411 2457" ] && ok "cdnow summary agrees" || bad "cdnow summary" "got $res"
else
	skip "CDNOW checks" "$cdnow not found (../shared is absent)"
fi

# independent reference: pandas recomputes summary, repurchase, retention and cohorts
if /usr/bin/python3 -c 'import pandas' 2>/dev/null; then
	if /usr/bin/python3 "$SRCDIR/tests/ref_txn.py" "$LOYAL" "$SRCDIR/data/orders.csv" "$tmp"; then
		ok "pandas_reference"; else bad "pandas_reference" "loyal and pandas disagree"; fi
else
	skip "pandas reference" "python3-pandas is not installed"
fi

finish
