#!/bin/bash
# The README's commands, run: every line of its sh blocks that starts with "natscope"
# runs here, inside a lab namespace with real flows (never the host's): named
# namespaces become the lab's, files go to the case's directory, long durations are
# shortened, the interactive ones (top, fix asking first) run in tmux with their keys,
# the endless ones (exporter, fix --follow) are scraped and stopped with SIGTERM.  The
# other commands are listed below with where they are tested.  A README line this case
# does not know fails it: a new command in the README needs its test.
. "$TESTLIB/common.sh"
. "$TESTLIB/tui.sh"
need_cmd tmux "package tmux"
README=$(cd "$TESTLIB/../.." && pwd)/README.md

# covered elsewhere, not run here (and why)
declare -A ELSEWHERE=(
	["./contrib/demo.sh"]="tui/0006 runs the demo in tmux"
	["./contrib/test.sh"]="it is .ci/run itself"
	["systemctl enable --now natscope-fix"]="touches the host's systemd: fix/0016 verifies the unit"
)

lab_up "" answer || fail "lab setup"
lab_exec s "$FLOWGEN" server 8080 120 >"$T/server" &
wait_ready "$T/server"
lab_exec c1 "$FLOWGEN" client $LAB_S 8080 5 5 5 110 >"$T/c1" &
wait_ready "$T/c1"
in_r() { ip netns exec "$LAB-r" "$@"; }

# run ARGS...: one README command (natscope's arguments) in the router's namespace
run() {
	local line="$*" rc
	case "$line" in
	"top")
		tm new-session -d -s "$S" -x 100 -y 30 "ip netns exec $LAB-r $NATSCOPE top; echo EXITED-\$?; sleep 30" ||
			fail "tmux"
		expect "^ 1 Overview +2 SNAT groups" "README: natscope top: the live view"
		key q
		expect "EXITED-0" "README: natscope top: q leaves with 0"
		tm kill-server
		return ;;
	"fix --random-fully")
		tm new-session -d -s "$S" -x 100 -y 30 "ip netns exec $LAB-r $NATSCOPE fix --random-fully; echo EXITED-\$?; sleep 30" ||
			fail "tmux"
		expect "Apply this change\\? \\[y/N\\]" "README: natscope fix --random-fully shows the change and asks"
		key y Enter
		expect "EXITED-0" "README: natscope fix --random-fully applies on y"
		tm kill-server
		in_r nft list table ip natscope >/dev/null || fail "README: fix --random-fully: no natscope table"
		return ;;
	exporter*)
		ip netns exec "$LAB-r" "$NATSCOPE" $line >"$T/exp.out" 2>&1 &
		local pid=$! i
		for i in $(seq 50); do
			in_r curl -sf http://127.0.0.1:9662/metrics >"$T/metrics" && break
			sleep 0.2
		done
		grep -q '^natscope_conntrack_entries' "$T/metrics" || fail "README: natscope $line: no metrics"
		kill -TERM $pid
		wait $pid || fail "README: natscope $line: exit $? after SIGTERM: $(tail -2 "$T/exp.out")"
		info "ok: README: natscope $line: $(grep -c '^natscope_' "$T/metrics") series, 0 after SIGTERM"
		return ;;
	*--follow*)
		in_r timeout --preserve-status -s TERM 3 "$NATSCOPE" $line >"$T/follow.out" 2>&1
		rc=$?
		[ $rc = 0 ] || fail "README: natscope $line: exit $rc after SIGTERM"
		info "ok: README: natscope $line: 0 after SIGTERM"
		return ;;
	esac
	in_r "$NATSCOPE" $line >"$T/out" 2>"$T/err"
	rc=$?
	case "$line" in
	audit*) [ $rc -le 2 ] || { [ $rc = 3 ] && [[ $line == *all-netns* ]]; } ||
		fail "README: natscope $line: exit $rc: $(head -2 "$T/err")" ;;
	*) [ $rc = 0 ] || fail "README: natscope $line: exit $rc: $(head -2 "$T/err")" ;;
	esac
	if [ "$line" = "fix --revert --yes" ] && in_r nft list table ip natscope >/dev/null 2>&1; then
		fail "README: fix --revert --yes left natscope's table"
	fi
	info "ok: README: natscope $line -> $rc ($(wc -l <"$T/out") lines)"
}

n=0
while IFS= read -r line; do
	cmd=${line%%#*}
	cmd=$(echo "$cmd" | sed 's/ *$//')
	[ -n "$cmd" ] || continue
	if [ -n "${ELSEWHERE[$cmd]:-}" ]; then
		info "README: $cmd: not run here: ${ELSEWHERE[$cmd]}"
		continue
	fi
	[[ $cmd == natscope\ * ]] || fail "README: '$cmd' is neither run here nor listed as tested elsewhere"
	args=${cmd#natscope }
	# the lab's namespaces for the README's, the case's directory for its files, and
	# short durations for long ones
	args=$(echo "$args" | sed -e "s/--netns blue/--netns $LAB-c1/; s/--netns green/--netns $LAB-c2/" \
		-e "s#/var/lib/prometheus/node-exporter/#$T/#; s#/tmp/ct.pcap#$T/ct.pcap#" \
		-e "s/--duration 30/--duration 2/")
	run $args
	n=$((n + 1))
done < <(awk '/^```sh/ { on = 1; next } /^```/ { on = 0 } on' "$README")
[ -s "$T/natscope.prom" ] || fail "README: the textfile collector's file was not written"
[ -s "$T/ct.pcap" ] || fail "README: the capture was not written"
[ "$n" -ge 14 ] || fail "only $n README commands found"
echo "cli/README commands: $n run: all passed"
