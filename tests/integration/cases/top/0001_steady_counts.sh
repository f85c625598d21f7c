#!/bin/bash
# A steady table (long-lived TCP flows answered, UDP unreplied): top's counts, states and
# protocols equal conntrack -C and -L.
. "$TESTLIB/common.sh"
. "$TESTLIB/top.sh"

lab_up "" drop || fail "lab setup"
lab_exec s nft delete table ip raw 2>/dev/null
lab_exec s "$FLOWGEN" server 8080 60 >"$T/srv" &
wait_ready "$T/srv"
lab_exec c1 "$FLOWGEN" client $LAB_S 8080 20 15 30 60 >"$T/cli" &
wait_ready "$T/cli"
for attempt in 1 2 3; do
	before=$(lab_exec r conntrack -C)
	top -n 2 -d 0.3 >"$T/steady.json" || fail "top exited $?"
	after=$(lab_exec r conntrack -C)
	[ "$before" = "$after" ] && break
done
[ "$(wc -l <"$T/steady.json")" = 2 ] || fail "want 2 frames, got $(wc -l <"$T/steady.json")"
got=$(field "$T/steady.json" "d['entries']")
[ "$got" = "$after" ] || fail "top counts $got entries, conntrack -C $after"
[ "$(field "$T/steady.json" "d['conntrack']['count']")" = "$after" ] || fail "conntrack.count differs"
# a steady table: its peak is the count, seen this run
[ "$(field "$T/steady.json" "d['conntrack']['peak']")" = "$after" ] || fail "conntrack.peak $(field "$T/steady.json" "d['conntrack']['peak']"), not $after"
lab_exec r conntrack -L -o extended 2>/dev/null >"$T/L"
for st in ESTABLISHED TIME_WAIT; do
	want=$(awk '$3 == "tcp" && $6 == "'$st'"' "$T/L" | wc -l)
	[ "$(field "$T/steady.json" "d['tcp_states']['$st']")" = "$want" ] || fail "TCP $st: conntrack -L $want"
done
[ "$(field "$T/steady.json" "d['protocols'].get('udp', 0)")" = "$(grep -c ' udp ' "$T/L")" ] || fail "udp count"
# text frames follow TZ, as procps top and journalctl do (issue 13)
for tz in Asia/Kolkata:IST UTC:UTC; do
	TZ=${tz%%:*} "$NATSCOPE" --netns "$LAB-r" top --batch -n 1 -d 0.2 >"$T/tz" ||
		fail "top --batch with TZ=${tz%%:*}"
	grep -Eq "^natscope top [0-9]{2}:[0-9]{2}:[0-9]{2} ${tz#*:} " "$T/tz" || fail "TZ=${tz%%:*}: $(head -1 "$T/tz")"
done
echo "top/steady counts: $got entries, states and protocols equal conntrack -L; all passed"
