#!/bin/sh
# Every command answers --help, 'loyal help CMD' says the same, and its man
# page exists, renders cleanly and carries the same usage line (git's t0450).
SUITE=help
. "$(dirname "$0")/golden.sh"

cmds=$("$LOYAL" help | awk '/^Commands:/ {on = 1; next} on && /^  [a-z]/ {print $1}')
[ -n "$cmds" ] && ok "command list" || bad "command list" "loyal help lists no command"
for c in $cmds; do
	if "$LOYAL" "$c" --help >"$tmp/h1" 2>"$tmp/e1" && [ ! -s "$tmp/e1" ]; then
		ok "$c --help"
	else
		bad "$c --help" "failed or wrote to stderr"
	fi
	"$LOYAL" help "$c" >"$tmp/h2" 2>&1
	cmp -s "$tmp/h1" "$tmp/h2" && ok "help $c == $c --help" || bad "help $c" "differs from --help"
	page="$SRCDIR/man/loyal-$c.1"
	if [ ! -f "$page" ]; then
		bad "man page $c" "$page is missing"
		continue
	fi
	usage=$(sed -n '1s/^usage: //p' "$tmp/h1")
	# the SYNOPSIS, with roff font escapes removed, holds the usage line
	syn=$(sed -n '/^\.SH SYNOPSIS/,/^\.SH/p' "$page" | sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/^\.[BI]R* //' -e '/^\./d' | tr '\n' ' ')
	case "$syn" in *"$usage"*) ok "man $c synopsis" ;; *) bad "man $c synopsis" "'$usage' not in SYNOPSIS" ;; esac
	# every long option of --help is documented in the man page
	for o in $(grep -oE -- '--[a-z][a-z0-9-]+' "$tmp/h1" | sort -u); do
		grep -q -- "$(printf '%s' "$o" | sed 's/-/\\\\-/g')" "$page" ||
			grep -q -- "$o" "$page" || bad "man $c $o" "option $o missing from $page"
	done
	if command -v groff >/dev/null 2>&1; then
		w=$(groff -man -t -Tutf8 -ww -z "$page" 2>&1)
		[ -z "$w" ] && ok "man $c renders" || bad "man $c renders" "$w"
	fi
done
for page in loyal.1 libloyal.3; do
	[ -f "$SRCDIR/man/$page" ] && ok "man $page" || bad "man $page" "missing"
done

check version 0 "$LOYAL" --version
check no_command 64 "$LOYAL"
check unknown_command 64 "$LOYAL" frobnicate
check help_unknown 64 "$LOYAL" help frobnicate
finish
