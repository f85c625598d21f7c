#!/bin/bash
# The interactive top driven like a person would, in tmux against a lab with real flows:
# the overview, the flows view at 80x24 with the kernel's TTL, sorting, filters, deleting
# a flow after asking (and conntrack no longer listing it), the SNAT-groups and rules
# views, help from the key table, a resize, pause, and a clean quit.
. "$TESTLIB/common.sh"
. "$TESTLIB/tui.sh"
need_cmd tmux "package tmux"

tui_lab
start
expect "tcp states: +ESTABLISHED 5 +TIME_WAIT 10" "overview: TCP states"
expect "events: new [0-9]+ update [0-9]+ destroy [0-9]+; resyncs 1 drift 0" "overview: events, one seeding dump"
expect "^cpu0 " "overview: per-CPU rates"
key 4
expect "POST-NAT SOURCE" "flows view"
# 80x24: 17 rows of flows, every endpoint whole, state and the kernel's timeout
expect "POST-NAT SOURCE +STATE +TTL$" "80 columns: TTL after the state, no room for counters"
expect_n '198\.18\.9\.2:8080 +198\.18\.9\.1:[0-9]+ +(ESTABLISHED|TIME_WAIT|-) +[0-9]+[smhd]([0-9]+[smh])?$' 15 \
	"flows view: 15 complete rows at least"
# the TTL is the kernel's: an ESTABLISHED flow has most of its 5 days left
expect 'ESTABLISHED +4d2[0-3]h$' "an ESTABLISHED flow with 4d20h-4d23h left"
key b
expect "SOURCE\\^" "b sorts by the next column (iptstate)"
key r
expect "SOURCEv" "r reverses the sort"
key / 8 0 8 0 Enter
expect "filter 8080 +rows 1-[0-9]+ of 35$" "filter on the destination port: all 35 match"
key /
tm send-keys -t "$S" -l "198.18.1.0/24 tcp"
key Enter
expect "filter 198\\.18\\.1\\.0/24 tcp +rows 1-15 of 15$" "filter by CIDR and protocol: the 15 TCP flows"
key /
tm send-keys -t "$S" -l "!tcp 198.18.9.1/32"
key Enter
expect "filter !tcp 198\\.18\\.9\\.1/32 +rows 1-[0-9]+ of 20$" "negation, and the post-NAT source: the 20 UDP flows"
key / 9 9 9 9 9 Enter
expect "filter 99999 +no flows match" "a filter that matches nothing"
# x deletes the selected flow after asking: pick one held TCP connection by its port
sport=$(lab_exec r conntrack -L -p tcp --state ESTABLISHED 2>/dev/null | head -1 | grep -o 'sport=[0-9]*' | head -1 | cut -d= -f2)
[ -n "$sport" ] || fail "no established flow to delete"
gone() { ! lab_exec r conntrack -L -p tcp --orig-port-src "$sport" 2>/dev/null | grep -q "sport=$sport"; }
key /
for ((i = 0; i < ${#sport}; i++)); do tm send-keys -t "$S" "${sport:$i:1}"; done
key Enter
expect "filter $sport +rows 1-1 of 1$" "filter down to the flow on port $sport"
key x
expect "delete\? y/n +tcp +198\.18\.1\.2:$sport " "x asks before deleting"
key n
expect "not deleted" "n declines"
gone && fail "declined, but the flow is gone"
key x
key y
expect "flow deleted" "y deletes"
gone || fail "conntrack still lists the deleted flow (sport $sport)"
info "ok: conntrack -L no longer lists sport $sport"
# the deleted flow fades: shown as gone for a few intervals, then not at all
expect "ESTABLISHED +gone$" "the destroyed flow is shown as gone"
expect "filter $sport +rows 1-1 of 1 \\(1 gone\\)" "the status line counts the gone flow"
expect_gone " gone" "and it fades out after a few intervals"
key / Enter
key 2
expect "SNAT SOURCE" "SNAT groups view"
expect "198\\.18\\.9\\.1 +198\\.18\\.9\\.2:8080 +20 +1" "SNAT group: 20 UDP entries, 1 source"
key 3
expect "NOT fully-random" "NAT rules view flags the plain masquerade"
key h
expect "b > F6 +sort flows by the next column +iptstate, htop" "help: the key table, with the tool each binding follows"
key End
expect "other text +the flow's line or its owners" "help scrolls to its last line (End)"
expect "lines [0-9]+-([0-9]+) of \\1 " "and says where it is: at the last line"
t0=$(date +%s%N)
tm send-keys -t "$S" Escape
expect_gone "^keys \\(where" "Esc leaves help"
[ $((($(date +%s%N) - t0) / 1000000)) -lt 900 ] || fail "Esc took a second or more (ESCDELAY)"
tm resize-window -t "$S" -x 120 -y 40
expect "natscope top [0-9:]+ +netns .*table \\[" "redrawn after a resize"
key 4
expect "STATE +OWNER +TTL +PKTS +BYTES$" "120 columns with accounting on: the owner, packets and bytes"
# a held connection: handshake and a request at least, both ways
# another case's lab may hold the same addresses at the same time: "a|b" names both
expect "ESTABLISHED +([^ ]*\\|)?$LAB-c1(\\|[^ ]*)? +4d2[0-3]h +([4-9]|[0-9]{2,}|[0-9.]+K) +([0-9]{3,}|[0-9.]+K)$" \
	"an ESTABLISHED row with its owner, packets and bytes: counters read from the kernel"
key Z
expect "\\[paused\\]" "Z pauses (htop)"
key q
expect "EXITED-0" "q quits with status 0"
[ "$(tm display -p -t "$S" '#{alternate_on}')" = 0 ] || fail "q left the alternate screen on"
tm kill-session -t "$S"

echo "tui/keys, views and delete: all passed"
