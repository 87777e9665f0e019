#!/bin/sh
# The README's tour shows real output: run every "$ loyal ..." line of its
# code blocks from the source tree and compare standard output with the
# lines that follow it in the README.
SUITE=readme
. "$(dirname "$0")/golden.sh"

/usr/bin/python3 - "$SRCDIR/README.md" "$tmp" <<'PY'
import os, sys
readme, out = sys.argv[1], sys.argv[2]
cases, inblock, cur = [], False, None
for line in open(readme, encoding="utf-8"):
    line = line.rstrip("\n")
    if line.startswith("```"):
        inblock = not inblock
        cur = None
        continue
    if not inblock:
        continue
    if line.startswith("$ loyal "):
        cur = [line[2:], []]
        cases.append(cur)
    elif line.startswith("$ "):
        cur = None
    elif cur is not None:
        cur[1].append(line)
for i, (cmd, expected) in enumerate(cases):
    with open(os.path.join(out, f"case{i:02d}.cmd"), "w") as f:
        f.write(cmd + "\n")
    while expected and expected[-1] == "":
        expected.pop()
    with open(os.path.join(out, f"case{i:02d}.want"), "w") as f:
        f.write("".join(l + "\n" for l in expected))
PY
n=0
for c in "$tmp"/case*.cmd; do
	[ -f "$c" ] || continue
	n=$((n + 1))
	want=${c%.cmd}.want
	cmd=$(cat "$c")
	# "loyal" in the README is the built program
	(cd "$SRCDIR" && eval "\"\$LOYAL\" ${cmd#loyal }") >"$tmp/got" 2>/dev/null
	st=$?
	if [ "$st" != 0 ]; then
		bad "$cmd" "exit status $st"
	elif diff -u "$want" "$tmp/got" >"$tmp/diff"; then
		ok "$cmd"
	else
		bad "$cmd" "output differs from the README"
		sed 's/^/    /' "$tmp/diff" | head -20
	fi
done
[ "$n" -gt 0 ] && ok "README has $n examples" || bad "README examples" "none found"
finish
