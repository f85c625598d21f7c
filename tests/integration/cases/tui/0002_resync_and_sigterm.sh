#!/bin/bash
# Periodic reconciliation runs in the interactive view too; the header keeps the peak
# count after a flush; SIGTERM restores the terminal.
. "$TESTLIB/common.sh"
. "$TESTLIB/tui.sh"
need_cmd tmux "package tmux"

tui_lab
# periodic reconciliation runs in the interactive view too; SIGTERM restores the terminal
start --resync 1
expect "resyncs [3-9] drift 0" "--resync 1 reconciles every second, no drift"
# the table emptied, the header keeps its peak
lab_exec r conntrack -F >/dev/null 2>&1
expect "peak $n [0-9.]+% at [0-9:]{8}" "after a flush the header shows the peak of $n entries"
pane=$(tm display -p -t "$S" '#{pane_pid}')
kill -TERM "$(pgrep -P "$pane" -x natscope)" || fail "no top to signal"
expect "EXITED-0" "SIGTERM ends it cleanly"
[ "$(tm display -p -t "$S" '#{alternate_on}')" = 0 ] || fail "SIGTERM left the alternate screen on"
echo "tui/resync and SIGTERM: all passed"
