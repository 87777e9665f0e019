#!/bin/sh
# Golden tests of loyal nps and loyal csat: stdout, stderr and exit status.
SUITE=survey
. "$(dirname "$0")/golden.sh"
F=tests/fixtures/survey

# nps: every format, grouping, periods, filters
check nps_table 0 "$LOYAL" nps $F/small.csv
check nps_csv 0 "$LOYAL" nps $F/small.csv --by channel --format csv
check nps_tsv 0 "$LOYAL" nps $F/small.csv --by channel --format tsv -q
check nps_no_header_unnamed 65 "$LOYAL" nps $F/small.csv --no-header
check nps_no_header_by_number 65 "$LOYAL" nps $F/small.csv --no-header --score-col 4
check nps_table_wide_chars 0 "$LOYAL" nps $F/wide_chars.csv --by seg -q
check nps_json 0 "$LOYAL" nps $F/small.csv --by channel --period month --format json
check nps_period_table 0 "$LOYAL" nps $F/small.csv --by channel --period month
check nps_week 0 "$LOYAL" nps $F/small.csv --period week --format csv -q
check nps_from_to 0 "$LOYAL" nps $F/small.csv --from 2025-01-04 --to 2025-02-11 --format csv
check nps_excel_safe 0 "$LOYAL" nps $F/small.csv --by channel --format csv --excel-safe -q
check nps_two_files 0 "$LOYAL" nps $F/small.csv $F/small_more.csv --by channel --format csv
check nps_same_file_twice 64 "$LOYAL" nps $F/small.csv ./$F/small.csv
check nps_stdin 0 sh -c "\"$LOYAL\" nps - --format csv < $F/stdin.csv"
check nps_sample_by_channel_month 0 "$LOYAL" nps data/survey.csv --by channel --period month
# nps: bad input and bad flags
check nps_invalid_score 65 "$LOYAL" nps $F/invalid.csv
check nps_skip_invalid 0 "$LOYAL" nps $F/invalid.csv --skip-invalid --format csv
check nps_bad_date 65 "$LOYAL" nps $F/baddate.csv --period month
check nps_no_answers 65 "$LOYAL" nps $F/noanswers.csv
check nps_control_chars_in_message 65 "$LOYAL" nps $F/control_chars.csv --skip-invalid
# --by values holding 0x1f (quoted in the CSV, which the reader accepts):
# ("x\x1fy", "z"), ("x", "y\x1fz") and ("x", "y") are three groups, not one
check nps_by_unit_separator 0 "$LOYAL" nps $F/by_unit_separator.csv --by channel --by region --format json
check nps_no_date_column 65 "$LOYAL" nps $F/nodate.csv --period month
check nps_no_score_column 65 "$LOYAL" nps $F/csat.csv
check nps_date_format 0 "$LOYAL" nps $F/nodate.csv --score-col rating --date-col when --date-format %m/%d/%Y --period month --format csv
check nps_missing_file 66 "$LOYAL" nps tests/fixtures/survey/nonexistent.csv
check nps_unterminated 65 "$LOYAL" nps $F/unterminated.csv --score-col b
check nps_unknown_option 64 "$LOYAL" nps --bogus $F/small.csv
check nps_bad_format 64 "$LOYAL" nps --format xml $F/small.csv
check nps_bad_period 64 "$LOYAL" nps --period fortnight $F/small.csv
check nps_no_file 64 "$LOYAL" nps
check nps_from_after_to 64 "$LOYAL" nps $F/small.csv --from 2025-02-01 --to 2025-01-01
check nps_from_time_of_day 64 "$LOYAL" nps $F/small.csv --from "2025-01-04 12:00"
check nps_from_date_format 0 "$LOYAL" nps $F/day_first.csv --date-format %d/%m/%Y --from 05/03/2025 --format csv
check nps_from_not_date_format 64 "$LOYAL" nps $F/day_first.csv --date-format %d/%m/%Y --from 13/13/2025
check nps_by_name_taken 0 "$LOYAL" nps $F/colliding_names.csv --score-col score --by period --by nps --period month --format json -q
check nps_by_name_taken_csv 0 "$LOYAL" nps $F/colliding_names.csv --score-col score --by period --period month --format csv -q
check nps_by_twice 64 "$LOYAL" nps $F/small.csv --by channel,channel
check csat_cols_overall 64 "$LOYAL" csat $F/csat.csv --cols product,overall
check nps_score_col_exact 0 "$LOYAL" nps $F/exact_name.csv --score-col NPS --format csv
check nps_score_col_loose_ambiguous 65 "$LOYAL" nps $F/exact_name.csv --score-col nps

# csat: labels in two languages, ; delimiter, datetime forms, dimensions, weights, scales
check csat_table 0 "$LOYAL" csat $F/csat.csv
check csat_json_period 0 "$LOYAL" csat $F/csat.csv --period month --format json -q
check csat_cols 0 "$LOYAL" csat $F/csat.csv --cols product,service --format csv -q
check csat_weights 0 "$LOYAL" csat $F/csat.csv --cols product,service --weights 0.75,0.25 --format csv -q
check csat_scale_0_10 0 "$LOYAL" csat $F/small.csv --csat-col nps --scale 0-10 --format csv -q
check csat_out_of_scale 65 "$LOYAL" csat $F/small.csv --csat-col nps
check csat_bad_weights 64 "$LOYAL" csat $F/csat.csv --cols product,service --weights 1
check csat_weights_trailing_comma 64 "$LOYAL" csat $F/csat.csv --cols product,service --weights 1,1,
check csat_weights_too_precise 64 "$LOYAL" csat $F/csat.csv --cols product,service --weights 0.0000001,1
check csat_sample_cols 0 "$LOYAL" csat data/survey.csv --cols product,service,price --weights 0.5,0.3,0.2 --by channel
check csat_zero_weight 0 "$LOYAL" csat $F/csat_zero_weight.csv --by seg --cols a,b,c --weights 1,1,0
check csat_zero_weight_json 0 "$LOYAL" csat $F/csat_zero_weight.csv --by seg --cols a,b,c --weights 1,1,0 --format json -q

# Chinese survey exports (worked out by hand in tests/fixtures/survey/README):
# the platforms' 非常满意/满意/一般 scale, Chinese headers, GB18030, UTF-16
check csat_cn_survey 0 "$LOYAL" csat $F/cn_survey.csv
check csat_cn_by_channel 0 "$LOYAL" csat $F/cn_survey.csv --by 渠道 --format csv
check nps_cn_by_channel 0 "$LOYAL" nps $F/cn_survey.csv --by 渠道 --period month -q
check csat_cn_gb18030 0 "$LOYAL" csat $F/cn_survey_gb18030.csv --encoding gb18030 --by 渠道 --format csv
check csat_cn_gb18030_unnamed 65 "$LOYAL" csat $F/cn_survey_gb18030.csv --by 渠道
check csat_cn_utf16_excel 0 "$LOYAL" csat $F/cn_survey_utf16.txt --by 渠道 --format csv -q
check check_cn_gb18030 0 "$LOYAL" check --kind survey $F/cn_survey_gb18030.csv --encoding gbk
check csat_cn_bom_output 0 "$LOYAL" csat $F/cn_survey.csv --by 渠道 --format csv --bom -q
check csat_bom_table 64 "$LOYAL" csat $F/cn_survey.csv --bom
check csat_unknown_encoding 64 "$LOYAL" csat $F/cn_survey.csv --encoding gb-99
check csat_cn_scale2 0 "$LOYAL" csat $F/cn_scale2.csv
check csat_cn_ambiguous 65 "$LOYAL" csat $F/cn_ambiguous.csv
check csat_cn_ambiguous_labels 0 "$LOYAL" csat $F/cn_ambiguous.csv --labels 满意=4
check csat_cn_both_scales 65 "$LOYAL" csat $F/cn_both_scales.csv
check check_csat_cn_ambiguous 65 "$LOYAL" check --kind csat $F/cn_scale2.csv $F/cn_ambiguous.csv
check check_csat_cn_labels 0 "$LOYAL" check --kind csat $F/cn_ambiguous.csv --labels 满意=3
check csat_labels_file 0 "$LOYAL" csat $F/cn_ratings.csv --csat-col 评价 --labels $F/cn_rating_labels.csv
check csat_labels_inline 0 "$LOYAL" csat $F/cn_ratings.csv --csat-col 评价 --labels 好评=5,中评=3,差评=1 --format csv -q
check csat_labels_bad 64 "$LOYAL" csat $F/cn_ratings.csv --csat-col 评价 --labels 好评
check csat_labels_unknown_label 65 "$LOYAL" csat $F/cn_ratings.csv --csat-col 评价 --labels 好评=5
check csat_en_variants 0 "$LOYAL" csat $F/en_variants.csv
check csat_en_contradiction 65 "$LOYAL" csat $F/en_contradiction.csv
# NPS traps: pandas' 9.0 and 10.00, a 1-5 rating taken for a score, small groups
check nps_pandas_decimals 0 "$LOYAL" nps $F/pandas_scores.csv --by channel --format csv
check nps_half_score 65 "$LOYAL" nps $F/half_score.csv
check nps_rating_warning 0 "$LOYAL" nps $F/rating_as_nps.csv --score-col rating
check nps_rating_strict 65 "$LOYAL" nps $F/rating_as_nps.csv --score-col rating --strict
check check_nps_rating_strict 65 "$LOYAL" check --kind nps $F/rating_as_nps.csv --score-col rating --strict
check nps_min_responses 0 "$LOYAL" nps $F/cn_survey.csv --by 渠道 --period month --min-responses 3 --format csv -q
check nps_min_responses_zero 64 "$LOYAL" nps $F/cn_survey.csv --min-responses 0
# the GB18030 and UTF-16 files give the UTF-8 file's numbers, byte for byte
for f in "cn_survey_gb18030.csv --encoding gb18030" cn_survey_utf16.txt; do
	# shellcheck disable=SC2086
	(cd "$SRCDIR" && "$LOYAL" csat $F/$f --by 渠道 --format csv -q) >"$tmp/enc.out" 2>&1
	(cd "$SRCDIR" && "$LOYAL" csat $F/cn_survey.csv --by 渠道 --format csv -q) >"$tmp/utf8.out" 2>&1
	cmp -s "$tmp/enc.out" "$tmp/utf8.out" && ok "same numbers: $f" || bad "same numbers: $f" "differs from cn_survey.csv"
done

# -o writes atomically; a failing run leaves the previous file alone
out="$tmp/report.csv"
if (cd "$SRCDIR" && "$LOYAL" nps $F/small.csv --format csv -q -o "$out") && [ -s "$out" ] &&
   [ "$(ls "$tmp" | grep -c report.csv.tmp)" = 0 ]; then ok "output_file"; else bad "output_file" "-o did not write $out"; fi
cp "$out" "$tmp/before"
(cd "$SRCDIR" && "$LOYAL" nps $F/invalid.csv --format csv -q -o "$out") 2>/dev/null
if cmp -s "$out" "$tmp/before" && [ "$(ls "$tmp" | grep -c report.csv.tmp)" = 0 ]; then ok "output_file_kept_on_error"; else bad "output_file_kept_on_error" "previous report changed or temporary left"; fi
(cd "$SRCDIR" && "$LOYAL" nps $F/small.csv -o /nonexistent-dir/x.csv) 2>/dev/null
st=$?
[ "$st" = 73 ] && ok "output_missing_dir_73" || bad "output_missing_dir_73" "exit $st"
if [ -w /dev/full ]; then
	(cd "$SRCDIR" && "$LOYAL" nps $F/small.csv > /dev/full) 2>"$tmp/err"
	st=$?
	[ "$st" = 74 ] && grep -q "write error" "$tmp/err" && ok "dev_full_74" || bad "dev_full_74" "exit $st"
fi

# json output parses (python's json module as an independent parser)
(cd "$SRCDIR" && "$LOYAL" nps data/survey.csv --by channel --period month --format json -q) > "$tmp/j.json"
if /usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d) == 48 and all("nps" in r for r in d)' "$tmp/j.json"; then
	ok "json_parses"; else bad "json_parses" "invalid JSON"; fi

# independent reference: pandas recomputes NPS, margin and CSAT of the sample
if /usr/bin/python3 "$SRCDIR/tests/ref_survey.py" "$LOYAL" "$SRCDIR/data/survey.csv"; then
	ok "pandas_reference"; else bad "pandas_reference" "loyal and pandas disagree"; fi
# and of the Chinese sample (GB18030 decoded and labels mapped by pandas)
if /usr/bin/python3 "$SRCDIR/tests/ref_survey_cn.py" "$LOYAL" "$SRCDIR/data/survey-cn.csv"; then
	ok "pandas_reference_cn"; else bad "pandas_reference_cn" "loyal and pandas disagree"; fi

finish
