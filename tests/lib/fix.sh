# Shared by the fix cases: natscope fix in the lab's router, the ruleset as JSON for exact
# comparisons, and a probe of what the masquerade does to source ports.
fix() { "$NATSCOPE" --netns "$LAB-r" fix "$@"; }
ruleset() {
	lab_exec r nft -j list ruleset |
		python3 -c 'import json,sys; print(json.dumps([o for o in json.load(sys.stdin)["nftables"] if "metainfo" not in o], sort_keys=True))'
}

# preserved_ports [CLIENT]: UDP flows from CLIENT (c1) through r: how many kept their
# source port across the masquerade.  The flows stay in $T/udp for the caller to look at.
preserved_ports() {
	local c=${1:-c1} spid
	lab_exec s "$FLOWGEN" server 9000 20 >"$T/srv" &
	spid=$!
	wait_ready "$T/srv"
	lab_exec "$c" "$FLOWGEN" client $LAB_S 9000 0 0 50 3 >"$T/cli"
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
	# end the server (a backgrounded shell function's child outlives a kill %%); wait for
	# it alone, so that a caller's own background jobs keep running
	ip netns pids "$LAB-s" 2>/dev/null | xargs -r kill 2>/dev/null
	wait "$spid" 2>/dev/null
	return 0
}

# reply_addresses: the distinct reply-direction destination addresses of the flows
# preserved_ports left in $T/udp: the client's own address when it was not NAT'd, r's
# when it was.
reply_addresses() {
	python3 - "$T/udp" <<'PY'
import re, sys
print(" ".join(sorted({re.findall(r'dst=(\S+)', l)[1] for l in open(sys.argv[1])})))
PY
}

# wait_log PATTERN N: wait (10 s at most) until N lines of $T/follow, the output of the
# fix --follow running as $FPID, match PATTERN; fail if it exits first
wait_log() {
	local i
	for i in $(seq 200); do
		[ "$(grep -c -- "$1" "$T/follow")" -ge "$2" ] && return 0
		kill -0 "$FPID" 2>/dev/null || fail "fix --follow exited: $(cat "$T/follow")"
		sleep 0.05
	done
	fail "no $2 line(s) '$1' in the follow log: $(cat "$T/follow")"
}

# fix_settles WHAT: a second fix has nothing to change (what is in force is the plan)
fix_settles() {
	fix --random-fully --yes --sample 0 >"$T/again" 2>&1 && grep -q 'nothing to change' "$T/again" ||
		fail "$1: the overlay does not settle: $(cat "$T/again")"
}

# audit_all_covered WHAT N: audit after a fix: snat_rules_random and nat_overlay_stale
# ok, and each of the N source rules covered (or fully-random itself: nothing to cover)
audit_all_covered() {
	"$NATSCOPE" --netns "$LAB-r" audit -i 0 -f json >"$T/covered.json"
	python3 - "$T/covered.json" "$2" <<'PY' || fail "$1: audit after the fix"
import json, sys
d = json.load(open(sys.argv[1]))
f = {f['id']: f['severity'] for f in d['findings']}
assert f['snat_rules_random'] == 'ok' and f['nat_overlay_stale'] == 'ok', f
rules = [r for r in d['nat_rules']['rules'] if r['owner'] != 'natscope']
bad = [(r['rule'], r['coverage']) for r in rules
       if not (r['coverage'] == 'covered' or (r['coverage'] == '' and r['fully_random']))]
assert len(rules) == int(sys.argv[2]) and not bad, (len(rules), bad)
PY
}

# client_nat CLIENT: "ADDRESS KEPT": where the replies to CLIENT's 50 UDP flows went (r's
# address when NAT'd) and how many kept their source port
client_nat() {
	local kept
	kept=$(preserved_ports "$1")
	echo "$(reply_addresses) $kept"
}
