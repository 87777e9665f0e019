#!/bin/sh
# Compressed input: every command reads .gz and .zst copies of a file (found
# by their magic bytes, whatever their names) with byte-identical output, the
# same exit status and the same messages (the file name aside; line numbers
# are those of the decompressed text); concatenated gzip members and zstd
# frames read as one file; a corrupt or truncated file is a clear error of
# status 65.
SUITE=compressed
. "$(dirname "$0")/golden.sh"
: "${LOYAL_COMPRESS:?LOYAL_COMPRESS must name the test compressor}"

# same NAME FILE ARGS...: run `loyal ARGS... FILE` on FILE and on each
# compressed copy of it; all must agree with the plain run.
same() {
	name=$1 file=$2
	shift 2
	base=$(basename "$file")
	(cd "$SRCDIR" && "$LOYAL" "$@" "$file") >"$tmp/plain.out" 2>"$tmp/plain.err" </dev/null
	want=$?
	kinds="gz zst gz.4 zst.4 gz.stdin"
	# check's report names its file: from standard input, "-"
	[ "$1" = check ] && kinds="gz zst gz.4 zst.4"
	for kind in $kinds; do
		case $kind in
		*.4) fmt=${kind%.4} copy=$tmp/$base.$kind; parts=4 ;;
		gz.stdin) fmt=gz copy=$tmp/$base.gz parts=1 ;;
		*) fmt=$kind copy=$tmp/$base.$kind parts=1 ;;
		esac
		"$LOYAL_COMPRESS" "$fmt" "$SRCDIR/$file" "$copy" "$parts" || {
			bad "$name/$kind" "cannot compress $file"; continue; }
		if [ "$kind" = gz.stdin ]; then
			(cd "$SRCDIR" && "$LOYAL" "$@" - <"$copy") >"$tmp/z.out" 2>"$tmp/z.err"
			got=$? shown=-
		else
			(cd "$SRCDIR" && "$LOYAL" "$@" "$copy") >"$tmp/z.out" 2>"$tmp/z.err" </dev/null
			got=$? shown=$copy
		fi
		# messages (and check's report) name the file read: put the
		# plain name back
		for f in out err; do
			awk -v from="$shown" -v to="$file" '{
				out = ""
				while ((i = index($0, from)) > 0) {
					out = out substr($0, 1, i - 1) to
					$0 = substr($0, i + length(from))
				}
				print out $0
			}' "$tmp/z.$f" >"$tmp/z.$f.2"
		done
		[ "$kind" = gz.stdin ] || mv "$tmp/z.out.2" "$tmp/z.out"
		if [ "$got" != "$want" ]; then
			bad "$name/$kind" "exit status $got, the plain file's $want"
			sed 's/^/    /' "$tmp/z.err"
		elif ! cmp -s "$tmp/plain.out" "$tmp/z.out"; then
			bad "$name/$kind" "stdout differs from the plain file's"
			diff "$tmp/plain.out" "$tmp/z.out" | head -20 | sed 's/^/    /'
		elif [ "$kind" != gz.stdin ] && ! cmp -s "$tmp/plain.err" "$tmp/z.err.2"; then
			bad "$name/$kind" "stderr differs from the plain file's"
			diff "$tmp/plain.err" "$tmp/z.err2" | head -20 | sed 's/^/    /'
		else
			ok "$name/$kind"
		fi
	done
}

# every command, on the sample files
same nps data/survey.csv nps --by channel --period quarter
same nps_json data/survey.csv nps --format json
same csat data/survey.csv csat --cols product,service,price --weights 0.5,0.3,0.2
same csat_gb18030 data/survey-cn.csv csat --encoding gb18030 --by 渠道
same summary data/orders.csv summary --format csv
same repurchase data/orders.csv repurchase --by Country --within 90
same retention data/orders.csv retention --cohorts --period quarter
same churn data/orders.csv churn --top 10
same clv data/orders.csv clv --top 10 --format csv
same check data/orders.csv check --kind transactions
same cancellations data/cancellations.csv summary --format csv
# bad rows: the same messages, at the lines of the decompressed text
same bad_amount tests/fixtures/txn/bad_amount.csv summary
same bad_rows_skipped tests/fixtures/txn/bad_amount.csv summary --skip-invalid
same invalid_survey tests/fixtures/survey/invalid.csv nps
same utf16 tests/fixtures/survey/cn_survey_utf16.txt nps
same gbk_orders tests/fixtures/txn/cn_orders_gbk.csv summary --encoding gbk

# a file whose compressed bytes are many of the reader's blocks (the
# reader's first read of a regular file is 256 KiB, the decoder's blocks
# 128 KiB): every byte is decoded once, in order, from a file, a pipe and
# memory alike
awk 'BEGIN { srand(7); print "customer_id,order_date,amount"
	for (i = 0; i < 120000; i++)
		printf "C%d,2024-%02d-%02d,%.2f\n", int(rand() * 40000), 1 + int(rand() * 12), 1 + int(rand() * 28), rand() * 500 }' >"$tmp/many.csv"
"$LOYAL_COMPRESS" gz "$tmp/many.csv" "$tmp/many.csv.gz"
"$LOYAL_COMPRESS" zst "$tmp/many.csv" "$tmp/many.csv.zst"
"$LOYAL" summary --format csv -q "$tmp/many.csv" >"$tmp/many.out" 2>&1
for kind in gz zst; do
	size=$(wc -c <"$tmp/many.csv.$kind")
	if [ "$size" -le 400000 ]; then
		bad "many_blocks/$kind" "the compressed file is only $size bytes"
		continue
	fi
	"$LOYAL" summary --format csv -q "$tmp/many.csv.$kind" >"$tmp/many.$kind.out" 2>&1
	cmp -s "$tmp/many.out" "$tmp/many.$kind.out" && ok "many_blocks/$kind" ||
		{ bad "many_blocks/$kind" "differs from the plain file's"; head -5 "$tmp/many.$kind.out" | sed 's/^/    /'; }
	cat "$tmp/many.csv.$kind" | "$LOYAL" summary --format csv -q - >"$tmp/many.$kind.pipe" 2>&1
	cmp -s "$tmp/many.out" "$tmp/many.$kind.pipe" && ok "many_blocks/$kind.pipe" ||
		{ bad "many_blocks/$kind.pipe" "differs from the plain file's"; head -5 "$tmp/many.$kind.pipe" | sed 's/^/    /'; }
done

# damaged files: a clear message and status 65, whatever the command
"$LOYAL_COMPRESS" gz "$SRCDIR/data/survey.csv" "$tmp/survey.csv.gz"
"$LOYAL_COMPRESS" zst "$SRCDIR/data/survey.csv" "$tmp/survey.csv.zst"
head -c 20000 "$tmp/survey.csv.gz" >"$tmp/truncated.csv.gz"
head -c 20000 "$tmp/survey.csv.zst" >"$tmp/truncated.csv.zst"
# a flipped byte in the middle of the deflate data, and in the zstd data
python3 - "$tmp" <<'PY' || bad corrupt "cannot write the corrupt copies"
import sys
d = sys.argv[1]
for ext in ("gz", "zst"):
    b = bytearray(open(f"{d}/survey.csv.{ext}", "rb").read())
    b[len(b) // 2] ^= 0x55
    open(f"{d}/corrupt.csv.{ext}", "wb").write(bytes(b))
PY
{ cat "$tmp/survey.csv.gz"; printf 'not gzip\n'; } >"$tmp/trailing.csv.gz"
mkdir -p "$tmp/bad" && mv "$tmp"/truncated.* "$tmp"/corrupt.* "$tmp"/trailing.* "$tmp/bad/"
check truncated_gz 65 sh -c "cd '$tmp/bad' && \"$LOYAL\" nps truncated.csv.gz"
check truncated_zst 65 sh -c "cd '$tmp/bad' && \"$LOYAL\" csat truncated.csv.zst"
check corrupt_gz 65 sh -c "cd '$tmp/bad' && \"$LOYAL\" nps corrupt.csv.gz"
check corrupt_zst 65 sh -c "cd '$tmp/bad' && \"$LOYAL\" nps corrupt.csv.zst"
check trailing_gz 65 sh -c "cd '$tmp/bad' && \"$LOYAL\" nps trailing.csv.gz"
check truncated_stdin 65 sh -c "cd '$tmp/bad' && \"$LOYAL\" nps - < truncated.csv.gz"
check check_truncated 65 sh -c "cd '$tmp/bad' && \"$LOYAL\" check --kind nps truncated.csv.gz"
# a file named .gz that is not compressed is read as the text it is
check not_compressed 0 sh -c "cp tests/fixtures/survey/small.csv '$tmp/bad/plain.csv.gz' && cd '$tmp/bad' && \"$LOYAL\" nps plain.csv.gz -q"
finish
