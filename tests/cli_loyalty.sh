#!/bin/sh
# Golden tests of loyal complaints and loyal loyalty: stdout, stderr and
# exit status. The small fixtures are worked out by hand in
# tests/fixtures/loyalty/README.
SUITE=loyalty
. "$(dirname "$0")/golden.sh"
F=tests/fixtures/loyalty

# complaints: the fixture, every shape
check complaints_total 0 "$LOYAL" complaints --orders $F/orders.csv $F/complaints.csv
check complaints_month 0 "$LOYAL" complaints --orders $F/orders.csv $F/complaints.csv --period month -q
check complaints_by_category 0 "$LOYAL" complaints --orders $F/orders.csv $F/complaints.csv --by category --format csv -q
check complaints_json 0 "$LOYAL" complaints --orders $F/orders.csv $F/complaints.csv --period month --by category --format json -q
check complaints_churn 0 "$LOYAL" complaints --orders $F/orders.csv $F/complaints.csv --churn --inactive 30 -q
check complaints_named_columns 0 "$LOYAL" complaints --orders $F/orders.csv $F/complaints_plain.csv --customer-col who --date-col when -q
check complaints_orders_prefixed 0 "$LOYAL" complaints --orders $F/orders_semicolon.csv --orders-delimiter ';' --orders-customer-col client --orders-date-col day --orders-date-format %d/%m/%Y $F/complaints.csv -q
check complaints_from_to 0 "$LOYAL" complaints --orders $F/orders.csv $F/complaints.csv --period month --from 2024-02-01 --to 2024-02-29 -q
# complaints: the samples in data/
check complaints_sample 0 "$LOYAL" complaints --orders data/orders.csv data/complaints.csv
check complaints_sample_quarter 0 "$LOYAL" complaints --orders data/orders.csv data/complaints.csv --period quarter --by category -q
check complaints_sample_churn 0 "$LOYAL" complaints --orders data/orders.csv data/complaints.csv --churn -q
# complaints: bad input and bad flags
check complaints_bad_value 65 "$LOYAL" complaints --orders $F/orders.csv $F/complaints_bad.csv
check complaints_skip_invalid 0 "$LOYAL" complaints --orders $F/orders.csv $F/complaints_bad.csv --skip-invalid --format csv
check complaints_no_date_column 65 "$LOYAL" complaints --orders $F/orders.csv $F/complaints_plain.csv -q
check complaints_orders_no_customer 65 "$LOYAL" complaints --orders $F/survey_no_customer.csv --orders-date-col rating $F/complaints.csv -q
check complaints_no_orders 64 "$LOYAL" complaints $F/complaints.csv
check complaints_no_file 64 "$LOYAL" complaints --orders $F/orders.csv
check complaints_same_file 64 "$LOYAL" complaints --orders $F/orders.csv ./$F/orders.csv
check complaints_missing_orders 66 "$LOYAL" complaints --orders $F/nonexistent.csv $F/complaints.csv
check complaints_churn_by 64 "$LOYAL" complaints --orders $F/orders.csv $F/complaints.csv --churn --by category
check complaints_inactive_alone 64 "$LOYAL" complaints --orders $F/orders.csv $F/complaints.csv --inactive 30
check complaints_unknown_option 64 "$LOYAL" complaints --orders $F/orders.csv $F/complaints.csv --survey-col x
check complaints_output_is_input 64 "$LOYAL" complaints --orders $F/orders.csv $F/complaints.csv -o $F/orders.csv
# check --kind complaints: the same rows refused as loyal complaints refuses
check check_complaints_clean 0 "$LOYAL" check --kind complaints $F/complaints.csv
check check_complaints_sample 0 "$LOYAL" check --kind complaints data/complaints.csv
check check_complaints_bad 65 "$LOYAL" check --kind complaints $F/complaints_bad.csv
check check_complaints_named 0 "$LOYAL" check --kind complaints --customer-col who --date-col when $F/complaints_plain.csv
check check_complaints_no_customer 65 "$LOYAL" check --kind complaints $F/complaints_no_customer.csv
check complaints_no_customer 65 "$LOYAL" complaints --orders $F/orders.csv $F/complaints_no_customer.csv -q
check check_complaints_named_resolved_missing 65 "$LOYAL" check --kind complaints --resolved-col status $F/complaints.csv
check check_complaints_txn_option 64 "$LOYAL" check --kind complaints --amount-col x $F/complaints.csv
check check_resolved_col_txn 64 "$LOYAL" check --kind transactions --resolved-col x $F/orders.csv

# loyalty: the fixture joined to the sample orders, every shape
O=data/orders.csv
check loyalty_customers 0 "$LOYAL" loyalty --survey $F/survey.csv --orders $O
check loyalty_csv 0 "$LOYAL" loyalty --survey $F/survey.csv --orders $O --format csv -q
check loyalty_matrix 0 "$LOYAL" loyalty --survey $F/survey.csv --orders $O --matrix -q
check loyalty_matrix_json 0 "$LOYAL" loyalty --survey $F/survey.csv --orders $O --matrix --format json -q
check loyalty_followup 0 "$LOYAL" loyalty --survey $F/survey.csv --orders $O --followup -q
check loyalty_all_answers 0 "$LOYAL" loyalty --survey $F/survey.csv --orders $O --answers all --format csv -q
check loyalty_horizon_model 0 "$LOYAL" loyalty --survey $F/survey.csv --orders $O --model bgnbd --horizon 26 --format csv -q
check loyalty_named_columns 0 "$LOYAL" loyalty --survey $F/survey_no_customer.csv --survey-customer-col who --survey-score-col rating --orders $O -q
check loyalty_orders_prefixed 0 "$LOYAL" loyalty --survey $F/survey_abcd.csv --survey-date-col when --survey-date-format %d/%m/%Y --orders $F/orders_semicolon.csv --orders-delimiter ';' --orders-customer-col client --orders-date-col day --orders-date-format %d/%m/%Y --penalty 1 --format csv -q
# loyalty in the shell: its inputs are options, the loaded files are not added
check loyalty_in_shell 0 sh -c "printf 'loyalty --survey $F/survey.csv --orders $O --matrix -q\\n' | \"$LOYAL\" shell"
# loyalty: the samples in data/
check loyalty_sample_matrix 0 "$LOYAL" loyalty --survey data/survey.csv --orders data/orders.csv --matrix
check loyalty_sample_followup 0 "$LOYAL" loyalty --survey data/survey.csv --orders data/orders.csv --followup --top 10 -q
# loyalty: bad input and bad flags
check loyalty_bad_score 65 "$LOYAL" loyalty --survey $F/survey_bad.csv --orders $O -q
check loyalty_skip_invalid 0 "$LOYAL" loyalty --survey $F/survey_bad.csv --orders $O --survey-skip-invalid
check loyalty_no_customer_column 65 "$LOYAL" loyalty --survey $F/survey_no_customer.csv --orders $O -q
check loyalty_no_answer_columns 65 "$LOYAL" loyalty --survey $F/survey_no_answers.csv --orders $O -q
check loyalty_orders_no_date 65 "$LOYAL" loyalty --survey $F/survey.csv --orders $F/complaints_plain.csv -q
check loyalty_no_survey 64 "$LOYAL" loyalty --orders $O
check loyalty_operand 64 "$LOYAL" loyalty --survey $F/survey.csv --orders $O $F/survey.csv
check loyalty_same_file 64 "$LOYAL" loyalty --survey $O --orders ./$O
check loyalty_matrix_all 64 "$LOYAL" loyalty --survey $F/survey.csv --orders $O --matrix --answers all
check loyalty_bad_answers 64 "$LOYAL" loyalty --survey $F/survey.csv --orders $O --answers some
check loyalty_top_alone 64 "$LOYAL" loyalty --survey $F/survey.csv --orders $O --top 3
check loyalty_bad_horizon 64 "$LOYAL" loyalty --survey $F/survey.csv --orders $O --horizon 0
check loyalty_unprefixed_column 64 "$LOYAL" loyalty --survey $F/survey.csv --orders $O --customer-col x
check loyalty_fit_fails 65 "$LOYAL" loyalty --survey $F/survey_abcd.csv --orders $F/orders.csv --model bgnbd -q
check loyalty_missing_survey 66 "$LOYAL" loyalty --survey $F/nonexistent.csv --orders $O -q
finish
