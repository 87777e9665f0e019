#!/bin/sh
# Benchmark: `loyal churn --params` (a BG/NBD fit) on 1M customers, end to
# end (reading 2.3M purchase lines included), against a BG/NBD fit alone.
#
#   sh tests/bench/churn.sh [CUSTOMERS]      (default 1000000)
#
# The peer is NOT lifetimes. lifetimes' BetaGeoFitter, the usual Python
# tool, cannot be installed on this project's machines (no PyPI). In its
# place tests/bench/bgnbd_fit.py fits BG/NBD independently with numpy and
# scipy as lifetimes does (the same likelihood over every customer, the
# same log parameters, start and time scaling, scipy's minimize with tol
# 1e-7 and exact gradients, and a Hessian for the standard errors); see
# that file. Its fit alone is timed (the customers' summary, made with
# pandas, is not), and so is its whole process. The check: both fits
# agree on r, alpha, a and b to 4 significant digits.
. "$(dirname "$0")/common.sh"
bench_need
/usr/bin/python3 -c 'import scipy, pandas' 2>/dev/null ||
	{ echo "needs /usr/bin/python3 with scipy and pandas (apt-get install python3-scipy python3-pandas)" >&2; exit 1; }
customers=${1:-1000000}
csv=$(bench_data churn "$customers")

echo "churn --params: $csv ($(wc -c < "$csv") bytes, $(($(wc -l < "$csv") - 1)) lines, $customers customers)" >&2
measure "loyal churn --params" "$work/churn-loyal.csv" "$loyal" churn "$csv" --params -f csv -q
set -- "$wall" "$cpu" "$rss"
measure "scipy BG/NBD (process)" "$work/churn-scipy.csv" /usr/bin/python3 "$bench_here/bgnbd_fit.py" "$csv"
fit=$(awk -F, 'NR == 2 { print $12 }' "$work/churn-scipy.csv")
same=$(/usr/bin/python3 - "$work/churn-loyal.csv" "$work/churn-scipy.csv" <<'PY'
import csv, sys
a = next(csv.DictReader(open(sys.argv[1])))
b = next(csv.DictReader(open(sys.argv[2])))
ok = all(abs(float(a[k]) - float(b[k])) <= 1e-4 * abs(float(b[k])) for k in ("r", "alpha", "a", "b"))
print(("same" if ok else "DIFFERENT") + " (r %.5g, alpha %.5g, a %.5g, b %.5g)" %
      tuple(float(a[k]) for k in ("r", "alpha", "a", "b")))
PY
)
case $same in same*) ;; *) echo "the fits differ:" >&2; cat "$work/churn-loyal.csv" "$work/churn-scipy.csv" >&2 ;; esac
table_header "scipy fit"
awk -v w="churn --params, $customers customers" -v lw="$1" -v lc="$2" -v lr="$3" -v fw="$fit" \
	-v pw="$wall" -v pc="$cpu" -v pr="$rss" -v s="$same" 'BEGIN {
	printf "| %s | %.2f s | %.2f s | %d MB | %.2f s (fit alone; process %.2f s) | %.2f s | %d MB | %.1fx (fit alone / loyal) | %.2f | %s |\n",
		w, lw, lc, lr, fw, pw, pc, pr, fw / lw, lr / pr, s }'
