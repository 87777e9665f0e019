#!/usr/bin/python3
"""Rewrite the output under every "$ loyal ..." line of README.md's code
blocks by running the command (stdout only) with the built program.

    /usr/bin/python3 tests/update-readme.py build/loyal

tests/cli_readme.sh checks that the README and the program agree; run this
after an intended change of output, and review the diff."""
import os, shlex, subprocess, sys

loyal = os.path.abspath(sys.argv[1])
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
path = os.path.join(root, "README.md")
out, inblock, skipping = [], False, False
for line in open(path, encoding="utf-8"):
    line = line.rstrip("\n")
    if line.startswith("```"):
        inblock = not inblock
        skipping = False
        out.append(line)
        continue
    if inblock and line.startswith("$ "):
        skipping = False
        out.append(line)
        if line.startswith("$ loyal "):
            cmd = line[2:].replace("loyal", shlex.quote(loyal), 1)
            res = subprocess.run(cmd, shell=True, cwd=root, capture_output=True, text=True,
                                 env=dict(os.environ, TZ="UTC", LC_ALL="C"))
            out.extend(res.stdout.rstrip("\n").split("\n"))
            skipping = True
        continue
    if inblock and skipping:
        continue
    out.append(line)
open(path, "w", encoding="utf-8").write("\n".join(out) + "\n")
