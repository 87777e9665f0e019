# Shared by the tests/cli_*.sh scripts (POSIX sh). Source it, call check
# for each case, then finish.
#
#   check NAME STATUS CMD...   run CMD from $SRCDIR; compare its exit status
#                              with STATUS and its stdout and stderr with
#                              tests/expected/$SUITE/NAME.out and .err
#   ok NAME / bad NAME MSG     record a custom check
#   skip NAME WHY              record a check that could not run here: the
#                              suite then exits 77, which ctest reports as
#                              skipped (SKIP_RETURN_CODE), not passed
#
# LOYAL_UPDATE=1 rewrites the expected files instead of comparing (review the
# diff before committing).
: "${LOYAL:?LOYAL must name the loyal binary}"
: "${SRCDIR:?SRCDIR must name the source tree}"
: "${SUITE:?SUITE must name the expected/ folder}"
passed=0
failed=0
skipped=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# LOYAL_LAUNCHER (e.g. "valgrind -q --error-exitcode=99") runs every loyal
# command under that program (.ci/run's valgrind stage).
if [ -n "${LOYAL_LAUNCHER:-}" ]; then
	printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$LOYAL_LAUNCHER" "$LOYAL" >"$tmp/loyal-launcher"
	chmod +x "$tmp/loyal-launcher"
	LOYAL=$tmp/loyal-launcher
fi
expected="$SRCDIR/tests/expected/$SUITE"
# The same environment as users' shells must not change results.
export TZ=UTC LC_ALL=C

ok() { passed=$((passed + 1)); echo "ok - $1"; }
bad() { failed=$((failed + 1)); echo "not ok - $1: $2"; }
skip() { skipped=$((skipped + 1)); echo "skip - $1: $2"; }

check() {
	name=$1 want=$2
	shift 2
	(cd "$SRCDIR" && "$@") >"$tmp/out" 2>"$tmp/err" </dev/null
	got=$?
	if [ "${LOYAL_UPDATE:-}" = 1 ]; then
		mkdir -p "$expected"
		cp "$tmp/out" "$expected/$name.out"
		cp "$tmp/err" "$expected/$name.err"
	fi
	if [ "$got" != "$want" ]; then
		bad "$name" "exit status $got, expected $want"; sed 's/^/    /' "$tmp/err"; return
	fi
	if ! diff -u "$expected/$name.out" "$tmp/out" >"$tmp/diff" 2>&1; then
		bad "$name" "stdout differs"; sed 's/^/    /' "$tmp/diff" | head -40; return
	fi
	if ! diff -u "$expected/$name.err" "$tmp/err" >"$tmp/diff" 2>&1; then
		bad "$name" "stderr differs"; sed 's/^/    /' "$tmp/diff" | head -40; return
	fi
	ok "$name"
}

finish() {
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ] || return 1
	[ "$skipped" -eq 0 ] || return 77
}
