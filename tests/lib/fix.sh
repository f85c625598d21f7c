# Shared by the fix cases: natscope fix in the lab's router, the ruleset as JSON for exact
# comparisons, and a probe of what the masquerade does to source ports.
fix() { "$NATSCOPE" --netns "$LAB-r" fix "$@"; }
ruleset() {
	lab_exec r nft -j list ruleset |
		python3 -c 'import json,sys; print(json.dumps([o for o in json.load(sys.stdin)["nftables"] if "metainfo" not in o], sort_keys=True))'
}

# UDP flows from c1 through r: how many kept their source port across the masquerade.
# The flows stay in $T/udp for the caller to look at.
preserved_ports() {
	lab_exec s "$FLOWGEN" server 9000 20 >"$T/srv" &
	wait_ready "$T/srv"
	lab_exec c1 "$FLOWGEN" client $LAB_S 9000 0 0 50 3 >"$T/cli"
	lab_exec r conntrack -L -p udp --dport 9000 -o extended 2>/dev/null >"$T/udp"
	[ "$(wc -l <"$T/udp")" = 50 ] || fail "expected 50 UDP flows, conntrack lists $(wc -l <"$T/udp")"
	grep -q UNREPLIED "$T/udp" && fail "some flows got no reply through the NAT"
	python3 - "$T/udp" <<'PY'
import re, sys
same = 0
for line in open(sys.argv[1]):
    sp = re.findall(r'sport=(\d+)', line)
    dp = re.findall(r'dport=(\d+)', line)
    same += sp[0] == dp[1]   # original source port == reply destination port
print(same)
PY
	lab_exec r conntrack -D -p udp --dport 9000 >/dev/null 2>&1
	# end the server itself (a backgrounded shell function's child outlives a kill %%)
	ns_kill s
}
