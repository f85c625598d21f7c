#!/bin/bash
# The asymmetric path of the field report: a container reaches a service published on
# its own host through the host's address, DNAT'd to another container on the same
# bridge; the target answers its client straight over the bridge, which conntrack does
# not see with br_netfilter off, and the client drops a SYN-ACK it never asked for: the
# connection stalls in SYN retries.  audit in the host finds asymmetric_route, names the
# client, the address and the target, as many as conntrack -L lists, and gives the
# hairpin masquerade scoped to the bridge's network; applied, the connections complete
# and the finding clears.  br_netfilter on instead (bridged replies through conntrack)
# mends it too.
. "$TESTLIB/common.sh"

H=$LAB-r A=$LAB-c1 B=$LAB-c2
for n in "$H" "$A" "$B"; do ip netns add "$n" || fail "netns"; ip netns exec "$n" ip link set lo up; done
ip netns exec "$H" sh -c 'ip link add br0 type bridge && ip addr add 198.18.77.1/24 dev br0 &&
	ip link set br0 up && ip addr add 198.18.50.1/32 dev lo && sysctl -qw net.ipv4.ip_forward=1' ||
	fail "host"
i=2
for c in "$A" "$B"; do
	ip link add "p$i" netns "$H" type veth peer name eth0 netns "$c" || fail "veth"
	ip netns exec "$H" sh -c "ip link set p$i master br0 && ip link set p$i up"
	ip netns exec "$c" sh -c "ip addr add 198.18.77.$i/24 dev eth0 && ip link set eth0 up &&
		ip route add default via 198.18.77.1" || fail "container $i"
	i=$((i + 1))
done
brnf() { ip netns exec "$H" sh -c "echo $1 >/proc/sys/net/bridge/bridge-nf-call-iptables"; }
brnf 0 || skip "no per-namespace br_netfilter setting here"
# the published port, as Docker's DNAT for it
ip netns exec "$H" nft -f - <<'NFT' || fail "dnat"
table ip nat {
	chain pre { type nat hook prerouting priority dstnat; policy accept; ip daddr 198.18.50.1 tcp dport 8080 dnat to 198.18.77.3:8080; }
}
NFT
ip netns exec "$B" "$FLOWGEN" server 8080 90 >"$T/srv" &
wait_ready "$T/srv"

# connect N: N clients in a to the host's address, 4 s at most each; how many got through
connect() {
	local k
	for k in $(seq "$1"); do
		ip netns exec "$A" timeout 4 "$FLOWGEN" client 198.18.50.1 8080 0 1 0 1 >"$T/cl$k" 2>&1 &
	done
	wait
	cat "$T"/cl* | grep -c ready
	rm -f "$T"/cl*
}
stalled() { ip netns exec "$H" conntrack -L -p tcp --state SYN_SENT 2>/dev/null | grep -c 'dst=198\.18\.50\.1 .*dport=8080 \[UNREPLIED\]'; }
# audit OUT: audit in the host over 6 s while 4 clients try, 4 s at most (inside the
# interval: checked)
audit_during() {
	local t0
	t0=$(date +%s.%N)
	"$NATSCOPE" --netns "$H" audit -i 6 -f json >"$1" &
	local ap=$!
	sleep 0.5
	got=$(connect 4)
	within "$t0" 6 "the 4 clients' tries"
	wait $ap
	[ $? -le 2 ] || fail "audit"
	validate_json "$1"
}
severity() { python3 -c "import json,sys; print([f for f in json.load(open(sys.argv[1]))['findings'] if f['id']=='asymmetric_route'][0]['severity'])" "$1"; }

audit_during "$T/a.json"
[ "$got" = 0 ] || fail "$got clients got through a hairpin without masquerade"
n=$(stalled)
[ "$n" -ge 4 ] || fail "the host lists $n stalled connections"
python3 - "$T/a.json" "$n" <<'PY' >"$T/snippet" || fail "hairpin: $(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print([f for f in d['findings'] if f['id']=='asymmetric_route'], d['table']['hairpin_pairs'])" "$T/a.json")"
import json, re, sys
d = json.load(open(sys.argv[1]))
f = [f for f in d['findings'] if f['id'] == 'asymmetric_route'][0]
n = int(sys.argv[2])
assert f['severity'] == 'warning', f
assert '198.18.77.2 -> 198.18.50.1:8080 -> 198.18.77.3:8080 (%d)' % n in f['summary'], f['summary']
assert f['evidence']['invalid_per_s'] == 0, f['evidence']  # no invalid packet needed
t = d['table']
assert t['hairpin_unreplied'] == n, (t['hairpin_unreplied'], n)
assert t['hairpin_pairs'] == [{'src': '198.18.77.2', 'dst': '198.18.50.1', 'dport': 8080,
                               'to': '198.18.77.3', 'to_port': 8080, 'entries': n}], t['hairpin_pairs']
m = re.search(r'table ip natscope_hairpin \{.*?\}; \}', f['remedy'])
assert m and 'oifname "br0" ip saddr 198.18.77.0/24 ip daddr 198.18.77.0/24 ct status dnat masquerade' in m.group(0), f['remedy']
assert 'bridge-nf-call-iptables=1' in f['remedy'], f['remedy']
print(m.group(0))
PY
info "hairpin: $n stalled connections named; remedy: $(cat "$T/snippet")"

# the remedy applied: the target's replies come back through the host
ip netns exec "$H" nft -f "$T/snippet" || fail "the snippet does not load"
ip netns exec "$H" conntrack -F >/dev/null 2>&1
audit_during "$T/b.json"
[ "$got" = 4 ] || fail "with the hairpin masquerade only $got of 4 clients got through"
[ "$(severity "$T/b.json")" = ok ] || fail "with the hairpin masquerade asymmetric_route stays"
info "masquerade applied: 4 of 4 connect, no finding"

# or br_netfilter on: bridged replies pass conntrack and are translated back
ip netns exec "$H" nft delete table ip natscope_hairpin || fail "remove the snippet"
brnf 1
ip netns exec "$H" conntrack -F >/dev/null 2>&1
audit_during "$T/c.json"
[ "$got" = 4 ] || fail "with br_netfilter on only $got of 4 clients got through"
[ "$(severity "$T/c.json")" = ok ] || fail "with br_netfilter on asymmetric_route stays"
info "br_netfilter on: 4 of 4 connect, no finding"
echo "audit/hairpin route: all passed"
