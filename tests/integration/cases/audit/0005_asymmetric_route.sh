#!/bin/bash
# An asymmetric route: client c1 reaches server s through router r, but s sends its
# replies straight back over a direct link, so r sees each connection's SYN and the
# client's ACKs, never the SYN-ACK.  conntrack in r counts the ACKs invalid; audit in r
# (sampling over the connections' set-up) finds asymmetric_route and names the pair, with
# as many unreplied connections as conntrack -L lists.  With the route fixed (replies
# back through r) the finding clears.  The other way round (requests direct, replies
# through r) it is found from the server's side: entries picked up without a reply.
. "$TESTLIB/common.sh"

C=$LAB-c1 R=$LAB-r S=$LAB-s
for n in "$C" "$R" "$S"; do ip netns add "$n" || fail "netns"; ip netns exec "$n" ip link set lo up; done
ip link add c-r netns "$C" type veth peer name r-c netns "$R" || fail "veth c-r"
ip link add s-r netns "$S" type veth peer name r-s netns "$R" || fail "veth s-r"
ip link add c-s netns "$C" type veth peer name s-c netns "$S" || fail "veth c-s"
ip netns exec "$C" sh -c 'ip addr add 198.18.1.2/24 dev c-r; ip addr add 198.18.5.1/30 dev c-s
	ip link set c-r up; ip link set c-s up; ip route add 198.18.9.0/24 via 198.18.1.1'
ip netns exec "$R" sh -c 'ip addr add 198.18.1.1/24 dev r-c; ip addr add 198.18.9.1/24 dev r-s
	ip link set r-c up; ip link set r-s up; sysctl -qw net.ipv4.ip_forward=1'
ip netns exec "$S" sh -c 'ip addr add 198.18.9.2/24 dev s-r; ip addr add 198.18.5.2/30 dev s-c
	ip link set s-r up; ip link set s-c up; ip route add 198.18.1.0/24 via 198.18.5.1'
for n in "$C" "$R" "$S"; do
	ip netns exec "$n" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
done
# conntrack in r: a rule that needs it
ip netns exec "$R" nft -f - <<'NFT' || fail "ct rule"
table inet track {
	chain forward_all { type filter hook forward priority 0; policy accept; ct state new counter; }
}
NFT
ip netns exec "$S" "$FLOWGEN" server 8080 60 >"$T/srv" &
wait_ready "$T/srv"
# audit_during OUT: audit in r over 5 s while c opens 20 connections to s (all of them
# inside the interval: checked)
audit_during() {
	local t0
	t0=$(date +%s.%N)
	"$NATSCOPE" --netns "$R" audit -i 5 -f json >"$1" &
	local ap=$!
	sleep 0.5
	ip netns exec "$C" "$FLOWGEN" client 198.18.9.2 8080 0 20 0 30 >"$1.cli" &
	wait_ready "$1.cli"
	within "$t0" 5 "opening the 20 connections"
	wait $ap
	[ $? -le 2 ] || fail "audit"
	validate_json "$1"
}

audit_during "$T/a.json"
unreplied=$(ip netns exec "$R" conntrack -L -p tcp --state SYN_SENT 2>/dev/null | grep -c UNREPLIED)
[ "$unreplied" -ge 20 ] || fail "r lists only $unreplied unreplied connections"
python3 - "$T/a.json" "$unreplied" <<'PY' || fail "asymmetric_route: $(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print([f for f in d['findings'] if f['id']=='asymmetric_route'], d['table']['syn_unreplied'])" "$T/a.json")"
import json, sys
d = json.load(open(sys.argv[1]))
f = [f for f in d['findings'] if f['id'] == 'asymmetric_route'][0]
assert f['severity'] == 'warning', f
assert '198.18.1.2 -> 198.18.9.2:8080 (20)' in f['summary'], f['summary']
assert f['evidence']['invalid_per_s'] > 0, f['evidence']
t = d['table']
assert t['syn_unreplied'] == int(sys.argv[2]) == 20, (t['syn_unreplied'], sys.argv[2])
assert t['syn_unreplied_pairs'] == [{'src': '198.18.1.2', 'dst': '198.18.9.2', 'dport': 8080, 'entries': 20}], t
print('# ' + f['summary'])
PY

# the route fixed: replies back through r; new connections, no finding
ip netns exec "$S" ip route replace 198.18.1.0/24 via 198.18.9.1
ip netns exec "$R" conntrack -F >/dev/null 2>&1
audit_during "$T/b.json"
[ "$(python3 -c "import json,sys; print([f for f in json.load(open(sys.argv[1]))['findings'] if f['id']=='asymmetric_route'][0]['severity'])" "$T/b.json")" = ok ] ||
	fail "with the route fixed, asymmetric_route is still raised"

# the other way round: requests straight to s over the direct link, replies through r.
# r sees the server's packets only: its SYN-ACKs are invalid, its later ones make
# entries picked up mid-stream that never see a reply; the finding names the pair, and
# that the server's side is what passes
ip netns exec "$C" ip route replace 198.18.9.0/24 via 198.18.5.2 src 198.18.1.2
ip netns exec "$R" conntrack -F >/dev/null 2>&1
audit_during "$T/c.json"
oneway=$(ip netns exec "$R" conntrack -L -p tcp 2>/dev/null | grep UNREPLIED | grep -vc SYN_SENT)
[ "$oneway" -ge 20 ] || fail "r lists only $oneway one-way entries: $(ip netns exec "$R" conntrack -L 2>&1; ip netns exec "$R" conntrack -S; python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['table'])" "$T/c.json")"
python3 - "$T/c.json" "$oneway" <<'PY' || fail "reversed: $(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print([f for f in d['findings'] if f['id']=='asymmetric_route'], d['table']['oneway_pairs'])" "$T/c.json")"
import json, sys
d = json.load(open(sys.argv[1]))
f = [f for f in d['findings'] if f['id'] == 'asymmetric_route'][0]
assert f['severity'] == 'warning', f
assert "198.18.1.2 -> 198.18.9.2:8080 (20, only the server's packets)" in f['summary'], f['summary']
t = d['table']
assert t['syn_unreplied'] == 0 and t['oneway'] == int(sys.argv[2]) == 20, (t['oneway'], sys.argv[2])
assert t['oneway_pairs'] == [{'src': '198.18.1.2', 'dst': '198.18.9.2', 'dport': 8080, 'entries': 20,
                              'passes': 'server'}], t['oneway_pairs']
print('# ' + f['summary'])
PY
echo "audit/asymmetric route: all passed"
