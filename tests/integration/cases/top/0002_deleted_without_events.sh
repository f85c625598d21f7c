#!/bin/bash
# Flows that predate every listener carry no event extension (nf_conntrack_events=2, the
# default), so deleting them behind top's back sends no DESTROY: top sees its count stay
# apart from the kernel's and reconciles early (5 s), long before --resync's 60 s.
. "$TESTLIB/common.sh"
. "$TESTLIB/top.sh"

lab_up "" drop || fail "lab setup"
lab_exec s nft delete table ip raw 2>/dev/null
lab_exec s "$FLOWGEN" server 8080 60 >"$T/srv" &
wait_ready "$T/srv"
lab_exec c1 "$FLOWGEN" client $LAB_S 8080 20 15 30 60 >"$T/cli" &
wait_ready "$T/cli"
top -n 16 -d 0.5 >"$T/behind.json" &
tp=$!
top_ready "$T/behind.json"
lab_exec r conntrack -D -p udp --orig-port-dst 8080 >/dev/null 2>&1 || fail "conntrack -D"
top_within "$T/behind.json" 12 "the deletion"
wait $tp || fail "top exited $?"
now=$(lab_exec r conntrack -C)
[ "$(field "$T/behind.json" "d['entries']")" = "$now" ] ||
	fail "UDP flows deleted behind top's back: top still counts $(field "$T/behind.json" "d['entries']"), conntrack -C $now"
info "converged to $now (drift $(field "$T/behind.json" "d['lost']['drift']"), conntrack_events $(field "$T/behind.json" "d['conntrack_events']"))"
echo "top/deleted without events: all passed"
