#!/bin/sh
# loyal shell on a terminal, driven through tmux as a person types: Tab
# completes a command name, an option and a column name (the completed
# line is read back from the pane); the history is saved and comes back in
# a second run (Up arrow); Ctrl-C drops the line being edited and Ctrl-D
# leaves.
SUITE=shell_tty
. "$(dirname "$0")/golden.sh"

if ! command -v tmux >/dev/null 2>&1; then
	skip "terminal session" "tmux is not installed (Debian: apt-get install tmux)"
	finish
	exit
fi
sock="$tmp/tmux.sock"
export XDG_STATE_HOME="$tmp/state"
# shellcheck disable=SC2064
trap "tmux -S '$tmp/tmux.sock' kill-server 2>/dev/null; tmux -S '$tmp/tmux2.sock' kill-server 2>/dev/null; rm -rf '$tmp'" EXIT

start() {
	tmux -S "$sock" -f /dev/null new-session -d -x 160 -y 50 \
		"cd '$SRCDIR' && XDG_STATE_HOME='$XDG_STATE_HOME' TERM=xterm '$LOYAL' shell data/survey.csv data/orders.csv; echo \"exit=\$?\"; sleep 30"
}
pane() { tmux -S "$sock" capture-pane -p -t 0 2>/dev/null; }
keys() { tmux -S "$sock" send-keys -t 0 -- "$@"; }
# wait_for TEXT: up to 60 s (valgrind is slow) for a line of the pane
# ending in TEXT (trailing blanks ignored)
wait_for() {
	i=0
	while [ $i -lt 600 ]; do
		if pane | sed 's/[[:space:]]*$//' | grep -qF -- "$1"; then
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
last_line() { pane | sed 's/[[:space:]]*$//' | grep -v '^$' | tail -n 1; }
expect_line() {
	name=$1 want=$2
	i=0
	while [ $i -lt 300 ]; do
		[ "$(last_line)" = "$want" ] && { ok "$name"; return; }
		sleep 0.1
		i=$((i + 1))
	done
	bad "$name" "last line '$(last_line)', expected '$want'"
}

start
if ! wait_for "loyal>"; then
	bad "prompt" "no prompt; the pane holds:"
	pane | sed 's/^/    /'
	finish
	exit 1
fi
ok "prompt"
keys "repur" Tab
expect_line "complete a command" "loyal> repurchase"
keys C-u "nps --perio" Tab
expect_line "complete an option" "loyal> nps --period"
keys "qu" Tab
expect_line "complete a period" "loyal> nps --period quarter"
keys "--by ch" Tab
expect_line "complete a column" "loyal> nps --period quarter --by channel"
keys C-u "nps --by ch" Tab
expect_line "complete a column after --by" "loyal> nps --by channel"
keys "-q" Enter
if wait_for "store          867        497"; then ok "run the completed line"; else bad "run the completed line" "no nps table"; pane | sed 's/^/    /'; fi
keys ".lo" Tab "dat" Tab "su" Tab
expect_line "complete .load and file names" "loyal> .load data/survey"
keys C-c
expect_line "Ctrl-C drops the line" "loyal>"
# Ctrl-C stops a load (of a FIFO whose writer writes nothing) and a
# running command, not the shell.
mkfifo "$tmp/fifo"
sleep 600 >"$tmp/fifo" &
writer=$!
keys ".load orders $tmp/fifo" Enter
sleep 1
keys C-c
if wait_for "loyal shell: interrupted: '$tmp/fifo' not loaded"; then ok "Ctrl-C stops .load"; else bad "Ctrl-C stops .load" "no message"; pane | sed 's/^/    /'; fi
kill $writer 2>/dev/null
if [ -z "${LOYAL_LAUNCHER:-}" ]; then
	# order lines without end through a FIFO: the command is still reading
	# when Ctrl-C comes, however fast the machine (a file of fixed size
	# could be read before it)
	mkfifo "$tmp/endless"
	awk 'BEGIN { print "customer_id,date,amount"; for (i = 0; ; i++)
		printf "%d,2024-%02d-%02d,%d.50\n", i % 100000, 1 + i % 12, 1 + i % 28, i % 90 }' >"$tmp/endless" 2>/dev/null &
	endless=$!
	keys "repurchase $tmp/endless" Enter
	sleep 1
	keys C-c
	if wait_for "loyal repurchase: interrupted"; then ok "Ctrl-C stops a command"; else bad "Ctrl-C stops a command" "no message"; pane | sed 's/^/    /'; fi
	kill $endless 2>/dev/null || :
else
	keys "repurchase -q data/orders.csv" Enter
fi
keys ".files" Enter
wait_for "3000       10" && ok ".files" || bad ".files" "no file list"
keys C-d
if wait_for "exit=0"; then ok "Ctrl-D leaves"; else bad "Ctrl-D leaves" "no exit=0"; pane | sed 's/^/    /'; fi
tmux -S "$sock" kill-server 2>/dev/null || :

hist="$XDG_STATE_HOME/loyal/history"
if [ -f "$hist" ] && grep -qx "nps --by channel -q" "$hist" && grep -qx ".files" "$hist"; then
	ok "history saved in \$XDG_STATE_HOME/loyal/history"
else
	bad "history saved" "$hist lacks the lines"
fi

# The second run remembers: Up brings back the last lines. It gets a server
# of its own: the first one may still be exiting on a busy machine, and a
# client that reaches it then fails with "server exited unexpectedly".
sock="$tmp/tmux2.sock"
start
wait_for "loyal>" || bad "second prompt" "none"
keys Up
expect_line "history: Up" "loyal> .files"
keys Up Up Up
expect_line "history: Up four times" "loyal> nps --by channel -q"
keys C-u ".quit" Enter
wait_for "exit=0" && ok ".quit" || bad ".quit" "no exit=0"
finish
