#!/bin/sh
# cmake --install puts the program, library, headers, man pages and
# loyal.pc in place, and the example of libloyal(3) builds against the
# installed tree with pkg-config and gives the same NPS as the program.
SUITE=install
. "$(dirname "$0")/golden.sh"
: "${BUILDDIR:?BUILDDIR must name the build tree}"

prefix="$tmp/prefix"
if cmake --install "$BUILDDIR" --prefix "$prefix" >/dev/null 2>"$tmp/err"; then
	ok "cmake --install"
else
	bad "cmake --install" "$(cat "$tmp/err")"
	finish
	exit 1
fi
for f in bin/loyal include/loyal.h include/loyal/version.h share/man/man1/loyal.1 \
	share/man/man3/libloyal.3; do
	[ -e "$prefix/$f" ] && ok "installed $f" || bad "installed $f" "missing"
done
for c in $("$LOYAL" help | awk '/^Commands:/ {on = 1; next} on && /^  [a-z]/ {print $1}'); do
	[ -e "$prefix/share/man/man1/loyal-$c.1" ] && ok "installed loyal-$c.1" ||
		bad "installed loyal-$c.1" "missing"
done
pc=$(find "$prefix" -name loyal.pc | head -n 1)
[ -n "$pc" ] && ok "installed loyal.pc" || bad "installed loyal.pc" "missing"

# The example is built with the compiler of the build tree, and with the
# sanitizers too when the installed library was built with them.
cc=${LOYAL_CC:-cc}
sanflags=
[ "${LOYAL_SANITIZED:-0}" = 1 ] && sanflags="-fsanitize=address,undefined"
if command -v pkg-config >/dev/null 2>&1 && command -v "$cc" >/dev/null 2>&1 && [ -n "$pc" ]; then
	export PKG_CONFIG_PATH="$(dirname "$pc")"
	# the EXAMPLE section of libloyal(3), roff escapes undone: example N is
	# its Nth .nf/.fi block
	example() {
		sed -n '/^\.SH EXAMPLE/,/^\.SH/p' "$SRCDIR/man/libloyal.3" |
			awk -v want="$1" '/^\.nf/ { n++; on = 1; next } /^\.fi/ { on = 0 } on && n == want' |
			sed -e 's/\\e/\\/g' -e 's/\\-/-/g'
	}
	libdir=$(pkg-config --variable=libdir loyal)
	example 1 > "$tmp/example.c"
	if "$cc" -std=c11 $sanflags -o "$tmp/example" "$tmp/example.c" $(pkg-config --cflags --libs loyal) 2>"$tmp/err"; then
		ok "libloyal(3) example builds with pkg-config"
		got=$(LD_LIBRARY_PATH="$libdir" "$tmp/example" "$SRCDIR/data/survey.csv")
		want=$(cd "$SRCDIR" && "$LOYAL" nps data/survey.csv -q --format csv | awk -F, 'NR == 2 {printf "NPS %.1f", $8}')
		[ "$got" = "$want" ] && ok "libloyal(3) example: $got" ||
			bad "libloyal(3) example" "printed '$got', loyal nps says '$want'"
	else
		bad "libloyal(3) example builds with pkg-config" "$(head -5 "$tmp/err")"
	fi
	# The CLV example on customer, date and amount columns made from
	# data/orders.csv (quantity x price; rows with quoted fields left out):
	# its total is the sum of loyal clv's column on the same file.
	example 2 > "$tmp/clv_example.c"
	awk -F, 'NR > 1 && !/"/ { printf "%s,%s,%.6f\n", $7, $5, $4 * $6 }
		 BEGIN { print "customer_id,date,amount" }' "$SRCDIR/data/orders.csv" >"$tmp/orders3.csv"
	if "$cc" -std=c11 -Wall -Werror $sanflags -o "$tmp/clv_example" "$tmp/clv_example.c" $(pkg-config --cflags --libs loyal) 2>"$tmp/err"; then
		ok "libloyal(3) CLV example builds with pkg-config"
		got=$(LD_LIBRARY_PATH="$libdir" "$tmp/clv_example" "$tmp/orders3.csv")
		want=$("$LOYAL" clv "$tmp/orders3.csv" -q --format csv |
			awk -F, 'NR > 1 { s += $NF; n++ } END { printf "%d customers, CLV %.2f", n, s }')
		[ -n "$got" ] && [ "$got" = "$want" ] && ok "libloyal(3) CLV example: $got" ||
			bad "libloyal(3) CLV example" "printed '$got', loyal clv adds up to '$want'"
	else
		bad "libloyal(3) CLV example builds with pkg-config" "$(head -5 "$tmp/err")"
	fi
	# The order-lines example reads data/orders.csv through
	# loyal/txn_input.h (quantity x price, order ids, guest rows,
	# returns): its figures are loyal repurchase's on the same file.
	example 3 > "$tmp/orders_example.c"
	if "$cc" -std=c11 -Wall -Werror $sanflags -o "$tmp/orders_example" "$tmp/orders_example.c" $(pkg-config --cflags --libs loyal) 2>"$tmp/err"; then
		ok "libloyal(3) order-lines example builds with pkg-config"
		got=$(LD_LIBRARY_PATH="$libdir" "$tmp/orders_example" "$SRCDIR/data/orders.csv")
		want=$("$LOYAL" repurchase "$SRCDIR/data/orders.csv" -q --format csv |
			awk -F, 'NR == 2 { printf "%d customers, %d repeat, repurchase rate %.2f%%", $1, $2, $3 }')
		guests=$("$LOYAL" repurchase "$SRCDIR/data/orders.csv" --format csv 2>&1 >/dev/null |
			sed -n 's/.*(guest rows \([0-9]*\),.*/\1/p')
		want="$want ($guests guest rows)"
		[ -n "$got" ] && [ "$got" = "$want" ] && ok "libloyal(3) order-lines example: $got" ||
			bad "libloyal(3) order-lines example" "printed '$got', loyal repurchase says '$want'"
	else
		bad "libloyal(3) order-lines example builds with pkg-config" "$(head -5 "$tmp/err")"
	fi
fi
finish
