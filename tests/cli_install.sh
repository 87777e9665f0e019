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
	# the EXAMPLE section of libloyal(3), roff escapes undone
	sed -n '/^\.SH EXAMPLE/,/^\.SH/p' "$SRCDIR/man/libloyal.3" | sed -n '/^\.nf/,/^\.fi/p' |
		sed -e '/^\.nf/d' -e '/^\.fi/d' -e 's/\\e/\\/g' -e 's/\\-/-/g' > "$tmp/example.c"
	if "$cc" -std=c11 $sanflags -o "$tmp/example" "$tmp/example.c" $(pkg-config --cflags --libs loyal) 2>"$tmp/err"; then
		ok "libloyal(3) example builds with pkg-config"
		libdir=$(pkg-config --variable=libdir loyal)
		got=$(LD_LIBRARY_PATH="$libdir" "$tmp/example" "$SRCDIR/data/survey.csv")
		want=$(cd "$SRCDIR" && "$LOYAL" nps data/survey.csv -q --format csv | awk -F, 'NR == 2 {printf "NPS %.1f", $8}')
		[ "$got" = "$want" ] && ok "libloyal(3) example: $got" ||
			bad "libloyal(3) example" "printed '$got', loyal nps says '$want'"
	else
		bad "libloyal(3) example builds with pkg-config" "$(head -5 "$tmp/err")"
	fi
fi
finish
