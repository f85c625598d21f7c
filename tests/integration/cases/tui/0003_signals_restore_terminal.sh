#!/bin/bash
# Regression (issue 9, item 6): the terminal is given back after SIGHUP and SIGQUIT (a
# clean stop, like SIGTERM) and after SIGABRT (the fatal handler restores the modes and
# leaves the alternate screen, then the process dies of the signal).  Checked in the pane
# afterwards: not on the alternate screen, stty shows icanon and echo back on.
. "$TESTLIB/common.sh"
. "$TESTLIB/tui.sh"
need_cmd tmux "package tmux"

tui_lab
# a session that outlives each signalled one: the tmux server must not exit between
# rounds (a new client racing a server on its way out gets "server exited unexpectedly")
tm new-session -d -s keep "sleep 600" || fail "tmux"
for sig in HUP QUIT ABRT; do
	want=0
	[ "$sig" = ABRT ] && want=134
	tm new-session -d -s "$S" -x 80 -y 24 \
		"$NATSCOPE --netns $LAB-r top -d 0.5; echo EXITED-\$?; stty -a | tr ' ;' '\n\n' | grep -xE -- '-?(icanon|echo)' | tr '\n' ' '; echo MODES; sleep 60" ||
		fail "tmux"
	expect "entries [0-9]+" "top is up (SIG$sig)"
	pane=$(tm display -p -t "$S" '#{pane_pid}')
	kill -"$sig" "$(pgrep -P "$pane" -x natscope)" || fail "no top to signal"
	expect "EXITED-$want" "SIG$sig ends it with status $want"
	expect "^icanon echo MODES" "SIG$sig: the terminal modes are restored"
	[ "$(tm display -p -t "$S" '#{alternate_on}')" = 0 ] || fail "SIG$sig left the alternate screen on"
	tm kill-session -t "$S"
done
echo "tui/signals restore the terminal: all passed"
