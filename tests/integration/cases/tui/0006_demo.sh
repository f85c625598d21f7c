#!/bin/bash
# The README's first command on a terminal: contrib/demo.sh opens natscope top on its
# lab's router in the SNAT-groups view, the race lights up insert_failed/s and the
# groups (failures named, every one), q leaves, and the audit of the same race follows
# with snat_port_clash critical; the lab is gone afterwards.  Without a terminal the
# demo prints the audit alone (checked with -f json).
. "$TESTLIB/common.sh"
. "$TESTLIB/tui.sh"
need_cmd tmux "package tmux"
need_cpus 2
DEMO=$(cd "$TESTLIB/../.." && pwd)/contrib/demo.sh
lab=
# the demo removes its lab itself (tmux's end is a SIGHUP it traps); should it not have,
# whatever namespaces it left are removed here, whatever way the case ends
case_cleanup() {
	tm kill-server 2>/dev/null
	sleep 0.5
	[ -n "$lab" ] && for n in c1 c2 r s; do ip netns del "$lab-$n" 2>/dev/null; done
	return 0
}

tm new-session -d -s "$S" -x 120 -y 40 \
	"NATSCOPE='$NATSCOPE' RAWFLOOD='$RAWFLOOD' '$DEMO'; echo DEMO-EXITED-\$?; sleep 60" || fail "tmux"
# the demo builds its lab first, and the race starts 2 s after top opens: on a loaded
# machine each of these comes later, so each waits on what it shows, up to 60 s
expect "^PROTO +SNAT SOURCE +DESTINATION" "the demo opens top on the SNAT-groups view" 60
lab=$(screen | sed -n 's/.*netns \(natscope-demo[0-9]*\)-r .*/\1/p' | head -1)
[ -n "$lab" ] || fail "no demo lab named in the header"
expect "insert_failed/s [1-9][0-9.]* \\((exact|likely)\\)" "the race lights up insert_failed/s" 60
expect "failed insertions named: [1-9][0-9]* since start|likely clash episodes" "the failures are shown" 60
expect "198\\.18\\.9\\.1 +198\\.18\\.9\\.2:2000[0-3] +[0-9]+ +2 " "the hot groups: 2 sources each" 60
sleep 2
key q
# after q the demo waits for the race and for its audit (3 s and the dump) to end
expect "DEMO-EXITED-0" "the demo exits 0" 60
# the audit scrolled past: read the pane's whole history
tm capture-pane -p -S - -t "$S" >"$T/history"
grep -Eq "^CRITICAL +snat_port_clash" "$T/history" ||
	fail "after q, no audit with snat_port_clash critical: $(tail -5 "$T/history")"
info "ok: after q, the audit of the same race: $(grep -E '^CRITICAL +snat_port_clash' "$T/history" | head -1 | cut -c1-100)"
ip netns list | grep -q "^$lab-" && fail "the demo left its lab ($lab) behind"
tm kill-session -t "$S"

# no terminal: the audit alone, in the format asked for
NATSCOPE="$NATSCOPE" RAWFLOOD="$RAWFLOOD" "$DEMO" -f json </dev/null >"$T/demo.json" 2>"$T/demo.err" ||
	fail "demo -f json: $(tail -3 "$T/demo.err")"
validate_json "$T/demo.json"
[ "$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['status'])" "$T/demo.json")" = critical ] ||
	fail "demo -f json: status is not critical"
echo "tui/demo: all passed"
