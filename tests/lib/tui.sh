# The interactive top in tmux, for the tui cases: keys in, screen read back.
S=natscope-tui-$$
SOCK="$T/tmux.sock"
tm() { tmux -S "$SOCK" "$@"; }
screen() { tm capture-pane -p -t "$S"; }
key() { tm send-keys -t "$S" "$@"; sleep 0.7; }
# Every check of the screen polls it until a deadline (5 s, or SECONDS): a frame is drawn
# on a tick, later on a slow or loaded machine, so one capture at one moment proves
# nothing either way.
# expect PATTERN WHAT [SECONDS]: the screen shows PATTERN
expect() {
	expect_n "$1" 1 "$2" "${3:-5}"
}
# expect_n PATTERN N WHAT [SECONDS]: at least N lines of the screen match PATTERN
expect_n() {
	local end=$(($(date +%s%N) + ${4:-5} * 1000000000))
	while :; do
		[ "$(screen | grep -cE -e "$1")" -ge "$2" ] && { info "ok: $3"; return 0; }
		[ "$(date +%s%N)" -lt "$end" ] || break
		sleep 0.2
	done
	screen >&2
	fail "$3: fewer than $2 lines /$1/ on the screen after ${4:-5} s"
}
# expect_gone PATTERN WHAT [SECONDS]: the screen stops showing PATTERN
expect_gone() {
	local end=$(($(date +%s%N) + ${3:-5} * 1000000000))
	while :; do
		screen | grep -Eq -e "$1" || { info "ok: $2"; return 0; }
		[ "$(date +%s%N)" -lt "$end" ] || break
		sleep 0.2
	done
	screen >&2
	fail "$2: /$1/ still on the screen after ${3:-5} s"
}
start() {
	n=$(lab_exec r conntrack -C)
	tm new-session -d -s "$S" -x 80 -y 24 \
		"$NATSCOPE --netns $LAB-r top -d 0.5 $*; echo EXITED-\$?; sleep 60" || fail "tmux"
	expect "entries $n\\b" "header shows the $n entries conntrack -C counts"
}

# the lab with real flows every tui case looks at: 15 TCP (5 held) and 20 UDP from c1,
# accounting on before any flow exists so every flow has counters
tui_lab() {
	lab_up "" answer || fail "lab setup"
	lab_exec r sysctl -qw net.netfilter.nf_conntrack_acct=1
	lab_exec s "$FLOWGEN" server 8080 60 >"$T/srv" &
	wait_ready "$T/srv"
	lab_exec c1 "$FLOWGEN" client $LAB_S 8080 10 5 20 60 >"$T/cli" &
	wait_ready "$T/cli"
}
case_cleanup() { tm kill-server 2>/dev/null; }
