# The interactive top in tmux, for the tui cases: keys in, screen read back.
S=natscope-tui-$$
SOCK="$T/tmux.sock"
tm() { tmux -S "$SOCK" "$@"; }
screen() { tm capture-pane -p -t "$S"; }
key() { tm send-keys -t "$S" "$@"; sleep 0.7; }
# expect PATTERN WHAT: the screen shows PATTERN (waits up to 5 s)
expect() {
	local i
	for i in $(seq 25); do
		screen | grep -Eq -e "$1" && { info "ok: $2"; return 0; }
		sleep 0.2
	done
	screen >&2
	fail "$2: no /$1/ on the screen"
}
# expect_gone PATTERN WHAT: the screen stops showing PATTERN (waits up to 5 s)
expect_gone() {
	local i
	for i in $(seq 25); do
		screen | grep -Eq -e "$1" || { info "ok: $2"; return 0; }
		sleep 0.2
	done
	screen >&2
	fail "$2: /$1/ still on the screen"
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
