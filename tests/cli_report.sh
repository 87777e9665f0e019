#!/bin/sh
# Golden tests of loyal report: the summary lines and exit statuses, and the
# page's structure (section titles, key figures, sections without data) on
# the sample files; usage and data errors leave no page. The figures are
# checked against the subcommands by tests/cmd/report_check.py; this suite
# also runs under valgrind in .ci/run.
SUITE=report
. "$(dirname "$0")/golden.sh"

# the parts of a page a reader scans first, one a line
shape="grep -o -e '<h1>[^<]*' -e '<h2>[^<]*' -e 'class=\"v\">[^<]*' -e 'class=\"missing\">[^<]*' -e 'class=\"c [a-z]*\">[^<]*'"

check sample 0 "$LOYAL" report --survey data/survey.csv --orders data/orders.csv -o "$tmp/r.html"
check sample_page 0 sh -c "$shape '$tmp/r.html'"
check by_channel_zh 0 sh -c "'$LOYAL' report -q --survey data/survey.csv --by channel --lang zh --title '渠道 <NPS> & CSAT' | $shape"
check chinese_survey 0 "$LOYAL" report --survey data/survey-cn.csv --survey-encoding gb18030 -o "$tmp/cn.html"
check chinese_survey_page 0 sh -c "$shape '$tmp/cn.html'"
check orders_quarter 0 sh -c "'$LOYAL' report -q --orders data/orders.csv --period quarter --inactive 60 --top 3 | $shape"
# a churn model that cannot be fitted: the page says so, the run succeeds
check model_fails 0 sh -c "'$LOYAL' report -q --orders data/cancellations.csv 2>/dev/null | grep -c 'churn model could not be fitted'"

check no_input 64 "$LOYAL" report -o "$tmp/x.html"
check operand 64 "$LOYAL" report --survey data/survey.csv data/orders.csv
check output_is_input 64 "$LOYAL" report --survey data/survey.csv -o data/survey.csv
check same_file_twice 64 "$LOYAL" report --survey data/orders.csv --orders ./data/orders.csv
check bad_lang 64 "$LOYAL" report --survey data/survey.csv --lang fr
check bad_top 64 "$LOYAL" report --survey data/survey.csv --top 0
check bad_period 64 "$LOYAL" report --survey data/survey.csv --period fortnight
check no_file 66 "$LOYAL" report --survey data/nonexistent.csv -o "$tmp/x.html"
check no_survey_columns 65 "$LOYAL" report --survey data/orders.csv -o "$tmp/x.html"
# orders without amounts: the segments and tiers rank net spend, so their
# section says there are no amounts (the other order sections are drawn)
check orders_no_amount 0 sh -c "'$LOYAL' report -q --orders tests/fixtures/txn/no_amount.csv | $shape"
# an input without a date column: a survey's figures are of every answer
# (no trend); asked for dates (--from), it is an error whose hint names the
# report's own option, as for the orders
check survey_undated 0 sh -c "'$LOYAL' report -q --survey tests/fixtures/survey/by_unit_separator.csv | $shape"
check survey_no_date 65 "$LOYAL" report --survey tests/fixtures/survey/by_unit_separator.csv --from 2025-01-01 -o "$tmp/x.html"
check orders_no_date 65 "$LOYAL" report --orders tests/fixtures/txn/qty_price.csv -o "$tmp/x.html"
[ ! -e "$tmp/x.html" ] && ok "no page after a failure" || bad "no page after a failure" "$tmp/x.html exists"
finish
