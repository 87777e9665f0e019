#!/bin/sh
# Golden tests of loyal segment and loyal tiers: stdout, stderr and exit
# status. tests/ref_segment.py checks every customer's numbers against
# pandas; these pin the formats, options and messages.
SUITE=segment
. "$(dirname "$0")/golden.sh"
F=tests/fixtures/txn
S=tests/fixtures/segment
O=data/orders.csv
RULES='gold: spend >= 2000, purchases >= 10; silver: spend >= 500; bronze: purchases >= 1'

# segment: every format, the summary, bins, tables, grouping
check segment_table 0 "$LOYAL" segment $O
check segment_summary 0 "$LOYAL" segment $O --summary
check segment_csv 0 "$LOYAL" segment $F/small.csv --format csv
check segment_tsv 0 "$LOYAL" segment $F/small.csv --format tsv -q
check segment_json 0 "$LOYAL" segment $F/small.csv --format json -q
check segment_summary_json 0 "$LOYAL" segment $F/small.csv --summary --format json -q
check segment_by 0 "$LOYAL" segment $O --by Country --summary --format csv -q
check segment_by_customers 0 "$LOYAL" segment $F/small.csv --by channel --format csv -q
check segment_table_cn 0 "$LOYAL" segment $O --segments $S/segments_cn.csv --summary -q
check segment_bins3 0 "$LOYAL" segment $O --bins 3 --segments $S/segments_3bins.csv --summary --format csv -q
check segment_bins10 0 sh -c "printf 'segment,r,f,m\nTop,10,10,10\n' | \"$LOYAL\" segment $F/small.csv --bins 10 --segments - --format csv -q"
check segment_occasion_day 0 "$LOYAL" segment $F/small.csv --occasion day --format csv -q
check segment_as_of 0 "$LOYAL" segment $F/small.csv --as-of 2024-02-29 --format csv
check segment_returns_keep 0 "$LOYAL" segment data/cancellations.csv --returns keep --format csv -q
check segment_cn_orders 0 "$LOYAL" segment $F/cn_orders_gbk.csv --encoding gbk --by 门店 --format csv -q
check segment_skip_invalid 0 "$LOYAL" segment tests/fixtures/csv/orders_bad.csv --skip-invalid --format csv

# segment: bad input
check segment_bins_zero 64 "$LOYAL" segment $O --bins 0
check segment_bins_word 64 "$LOYAL" segment $O --bins five
check segment_bins_big 64 "$LOYAL" segment $O --bins 101
check segment_bins_default_table 64 "$LOYAL" segment $O --bins 4
check segment_table_range 64 "$LOYAL" segment $O --segments $S/segments_bad_range.csv
check segment_table_unreachable 64 "$LOYAL" segment $O --segments $S/segments_unreachable.csv
check segment_table_missing 66 "$LOYAL" segment $O --segments $S/nonexistent.csv
check segment_table_no_column 64 sh -c "printf 'segment,r,f\nA,1,1\n' | \"$LOYAL\" segment $O --segments -"
check segment_no_amount 65 "$LOYAL" segment $F/no_amount.csv
check segment_no_purchase 65 "$LOYAL" segment $F/no_purchase.csv
check segment_no_input 64 "$LOYAL" segment
check segment_stdin_twice 64 "$LOYAL" segment - --segments -
check segment_period 64 "$LOYAL" segment $O --period month

# tiers: value tiers, split, summary, formats
check tiers_table 0 "$LOYAL" tiers $O
check tiers_summary 0 "$LOYAL" tiers $O --summary
check tiers_csv 0 "$LOYAL" tiers $F/small.csv --format csv
check tiers_json 0 "$LOYAL" tiers $F/small.csv --summary --format json -q
check tiers_split 0 "$LOYAL" tiers $O --split 10,40 --summary --format csv -q
check tiers_by 0 "$LOYAL" tiers $O --by Country --summary --format csv -q
check tiers_window 0 "$LOYAL" tiers $O --window 90 --summary -q
# the issue's migration: per customer, then the tables
check tiers_compare 0 "$LOYAL" tiers $O --compare 2011-06-30
check tiers_compare_summary 0 "$LOYAL" tiers $O --compare 2011-06-30 --summary
check tiers_compare_csv 0 "$LOYAL" tiers $O --compare 2011-06-30 --summary --format csv -q
check tiers_compare_json 0 "$LOYAL" tiers $F/small.csv --compare 2024-02-15 --summary --format json -q
check tiers_compare_by 0 "$LOYAL" tiers $O --compare 2011-06-30 --by Country --summary --format csv -q
# member tiers: rules, a file of rules, the window, lapsed customers
check members 0 "$LOYAL" tiers $O --members "$RULES" --summary
check members_customers 0 "$LOYAL" tiers $F/small.csv --members 'vip: spend >= 30; regular: purchases >= 2' --format csv -q
check members_file 0 "$LOYAL" tiers $O --members $S/members.txt --window 365 --summary -q
check members_compare 0 "$LOYAL" tiers $O --members "$RULES" --window 365 --compare 2011-06-30 --summary
check members_cn 0 "$LOYAL" tiers $O --members '金卡: spend >= 2000; 银卡: spend >= 500; 普通会员:' --summary --format csv -q
check members_stdin 0 sh -c "printf 'gold: spend >= 1000\nrest:\n' | \"$LOYAL\" tiers $O --members - --summary --format csv -q"

# value tiers by lifetime value: the value column is loyal clv's
check tiers_clv 0 "$LOYAL" tiers $O --value clv --summary
check tiers_clv_csv 0 "$LOYAL" tiers $O --value clv --split 10,20 --format csv -q
(cd "$SRCDIR" && "$LOYAL" tiers $O --value clv -f csv -q) | cut -d, -f1,4 >"$tmp/tiers_clv" 2>&1
(cd "$SRCDIR" && "$LOYAL" clv $O -f csv -q) | cut -d, -f1,5 | sed '1s/clv/value/' >"$tmp/clv" 2>&1
if [ -s "$tmp/clv" ] && cmp -s "$tmp/tiers_clv" "$tmp/clv"; then
	ok "tiers --value clv == clv"
else
	bad "tiers --value clv == clv" "the values differ from loyal clv's"
fi
check tiers_clv_compare 64 "$LOYAL" tiers $O --value clv --compare 2011-06-30
check tiers_clv_occasion 64 "$LOYAL" tiers $O --value clv --occasion order

# tiers: bad input
check tiers_split_one 64 "$LOYAL" tiers $O --split 20
check tiers_split_sum 64 "$LOYAL" tiers $O --split 80,30
check tiers_split_word 64 "$LOYAL" tiers $O --split 20,x
check tiers_value_unknown 64 "$LOYAL" tiers $O --value margin
check tiers_members_and_split 64 "$LOYAL" tiers $O --members "$RULES" --split 20,30
check members_bad_measure 64 "$LOYAL" tiers $O --members 'gold: spnd >= 5000; silver:'
check members_bad_number 64 "$LOYAL" tiers $O --members 'gold: spend >= 5x'
check members_unreachable 64 "$LOYAL" tiers $O --members 'all:; gold: spend >= 1'
check members_cn_column 64 "$LOYAL" tiers $O --members '金卡: spend >= 2000; 银卡 spend >= 500'
check members_bad_file 64 "$LOYAL" tiers $O --members $S/members_bad.txt
check members_no_file 66 "$LOYAL" tiers $O --members $S/nonexistent.txt
check tiers_window_zero 64 "$LOYAL" tiers $O --window 0
check tiers_compare_bad_date 64 "$LOYAL" tiers $O --compare 2011-13-01
check tiers_compare_after_data 64 "$LOYAL" tiers $O --compare 2012-01-01
check tiers_compare_after_as_of 64 "$LOYAL" tiers $O --compare 2011-06-30 --as-of 2011-03-31
check members_stdin_twice 64 "$LOYAL" tiers - --members -
check tiers_no_amount 65 "$LOYAL" tiers $F/no_amount.csv
finish
