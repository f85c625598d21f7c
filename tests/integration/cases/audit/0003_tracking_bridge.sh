#!/bin/bash
# A bridge with two veth "containers" exchanging traffic in a router namespace: audit
# classifies their flows as bridge-local (as many as conntrack -L lists between them),
# and its snippet, applied, takes them out of the table while they still talk.  With a
# masquerade rule covering the subnet's outbound traffic the advice stays, scoped to
# bridge-local flows only; with a ct state rule on the same traffic there is no
# suggestion and the rule is named.  The exporter counts them too, and a bridge added
# while it runs at once.
. "$TESTLIB/common.sh"

R=$LAB-r C1=$LAB-c1 C2=$LAB-c2
case_cleanup() { # the second bridge's two containers
	for n in "$LAB-c4" "$LAB-c5"; do
		ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$n" 2>/dev/null
	done
	return 0
}
for n in "$R" "$C1" "$C2"; do ip netns add "$n" || fail "netns"; ip netns exec "$n" ip link set lo up; done
ip netns exec "$R" sh -c 'ip link add br0 type bridge && ip addr add 198.18.97.1/24 dev br0 && ip link set br0 up' ||
	fail "bridge"
i=2
for c in "$C1" "$C2"; do
	ip link add "p$i" netns "$R" type veth peer name eth0 netns "$c" || fail "veth"
	ip netns exec "$R" sh -c "ip link set p$i master br0 && ip link set p$i up"
	ip netns exec "$c" sh -c "ip addr add 198.18.97.$i/24 dev eth0 && ip link set eth0 up"
	i=$((i + 1))
done
[ "$(ip netns exec "$R" cat /proc/sys/net/bridge/bridge-nf-call-iptables)" = 1 ] ||
	skip "br_netfilter does not hand bridged traffic to iptables in this namespace"
# conntrack registers once a rule needs it: one on TCP port 9 input, off the bridged path
ip netns exec "$R" nft -f - <<'NFT' || fail "ct rule"
table inet track {
	chain in { type filter hook input priority 0; policy accept; tcp dport 9 ct state new counter; }
}
NFT
between() { ip netns exec "$R" conntrack -L 2>/dev/null | grep -c '^[a-z]* .*src=198\.18\.97\.[23] dst=198\.18\.97\.[23] '; }
talk() { # OUT: a round of flows from c1 to c2
	ip netns exec "$C1" "$FLOWGEN" client 198.18.97.3 8080 10 10 20 40 >"$1" &
	wait_ready "$1"
}
candidate() { # JSON: the bridge-local candidate of br0, as python prints it
	python3 - "$1" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))['tracking']
c = [c for c in t['candidates'] if c['class'] == 'bridge_local' and '(br0)' not in c['what'] and 'br0 ' in c['what']]
print(json.dumps(c[0] if c else None))
PY
}

ip netns exec "$C2" "$FLOWGEN" server 8080 90 >"$T/srv" &
wait_ready "$T/srv"
talk "$T/c1"
n=$(between)
[ "$n" -ge 30 ] || fail "only $n bridged flows tracked"
# natscope's count between two equal counts of the kernel's (UDP entries may expire)
for attempt in 1 2 3; do
	b0=$(between)
	"$NATSCOPE" --netns "$R" audit -i 0 -f json >"$T/a.json"
	rc=$?
	b1=$(between)
	[ "$b0" = "$b1" ] && break
done
[ $rc -le 2 ] || fail "audit"
[ "$b0" = "$b1" ] || fail "the bridged flows kept changing"
validate_json "$T/a.json"
python3 - "$T/a.json" "$b1" <<'PY' || fail "bridge-local: $(candidate "$T/a.json")"
import json, sys
t = json.load(open(sys.argv[1]))['tracking']
assert t['classes']['bridge_local']['entries'] == int(sys.argv[2]), (t['classes'], sys.argv[2])
c = [c for c in t['candidates'] if c['class'] == 'bridge_local'][0]
assert c['what'].startswith('br0 198.18.97.0/24'), c
assert c['safe'] and 'iifname "br0" ip saddr 198.18.97.0/24 ip daddr 198.18.97.0/24 notrack' in c['snippet'], c
open(sys.argv[1] + '.nft', 'w').write(c['snippet'] + '\n')
PY
info "bridge-local: $(between) entries, snippet: $(cat "$T/a.json.nft")"
# the exporter classifies them too: its metric against conntrack -L
ip netns exec "$R" "$NATSCOPE" exporter --listen 127.0.0.1:9662 >"$T/exp" 2>&1 &
xp=$!
bridged() { # OUT: scrape; the exporter's bridge_local entries
	ip netns exec "$R" curl -sf http://127.0.0.1:9662/metrics >"$1" 2>/dev/null &&
		sed -n 's/^natscope_conntrack_entries_by_class{netns="[^"]*",class="bridge_local"} //p' "$1"
}
for i in $(seq 50); do
	m=$(bridged "$T/m") && break
	sleep 0.2
done
[ "$m" = "$(between)" ] || fail "exporter's bridge_local is '$m', conntrack -L lists $(between)"
info "exporter: bridge_local $m"
# a second bridge that comes while the exporter runs: its flows are bridge-local at once
# (the exporter hears the address change), counted as conntrack -L counts them
ip netns exec "$R" sh -c 'ip link add br1 type bridge && ip addr add 198.18.96.1/24 dev br1 && ip link set br1 up' ||
	fail "second bridge"
for i in 4 5; do
	ip netns add "$LAB-c$i" || fail "netns"
	ip link add "p$i" netns "$R" type veth peer name eth0 netns "$LAB-c$i" || fail "veth"
	ip netns exec "$R" sh -c "ip link set p$i master br1 && ip link set p$i up"
	ip netns exec "$LAB-c$i" sh -c "ip link set lo up && ip addr add 198.18.96.$i/24 dev eth0 && ip link set eth0 up"
done
between2() { ip netns exec "$R" conntrack -L 2>/dev/null | grep -c '^[a-z]* .*src=198\.18\.96\.[45] dst=198\.18\.96\.[45] '; }
ip netns exec "$LAB-c5" "$FLOWGEN" server 8080 30 >"$T/srv2" &
wait_ready "$T/srv2"
ip netns exec "$LAB-c4" "$FLOWGEN" client 198.18.96.5 8080 10 10 20 20 >"$T/c4" &
wait_ready "$T/c4"
sleep 1.5 # the exporter's model takes the events; its networks were read on br1's address
for attempt in 1 2 3; do
	b0=$(($(between) + $(between2)))
	m=$(bridged "$T/m2")
	b1=$(($(between) + $(between2)))
	[ "$b0" = "$b1" ] && [ "$m" = "$b1" ] && break
	sleep 1
done
[ "$(between2)" -ge 30 ] || fail "only $(between2) flows on the second bridge"
[ "$m" = "$b1" ] || fail "with a second bridge the exporter says $m bridge-local, conntrack -L lists $b1"
kill -TERM $xp
wait $xp || fail "exporter: $(cat "$T/exp")"
info "exporter: a bridge added later counted: bridge_local $m ($(between2) on br1)"

# a masquerade for the subnet's way out: the advice stays, scoped to bridge-local flows
ip netns exec "$R" nft -f - <<'NFT' || fail "masquerade"
table ip nat {
	chain post { type nat hook postrouting priority srcnat; policy accept; ip saddr 198.18.97.0/24 oifname != "br0" masquerade; }
}
NFT
"$NATSCOPE" --netns "$R" audit -i 0 -f json >"$T/m.json"
python3 - "$T/m.json" "$T/a.json.nft" <<'PY' || fail "with masquerade: $(candidate "$T/m.json")"
import json, sys
t = json.load(open(sys.argv[1]))['tracking']
c = [c for c in t['candidates'] if c['class'] == 'bridge_local'][0]
assert c['safe'] and c['snippet'] + '\n' == open(sys.argv[2]).read(), c
PY
info "with a masquerade for the way out: still advised, the same bridge-local scope"

# the snippet, applied: the bridged flows leave the table, and still flow
ip netns exec "$R" nft -f "$T/a.json.nft" || fail "the snippet does not load"
ip netns exec "$R" conntrack -F >/dev/null 2>&1
talk "$T/c2"
left=$(between)
[ "$left" = 0 ] || fail "after the snippet, $left bridged flows are still tracked"
grep -q ready "$T/c2" || fail "c1 no longer reaches c2"
info "after the snippet: 0 bridged flows tracked, c1 still reaches c2"

# a ct state rule on the same traffic: no suggestion, the rule named
ip netns exec "$R" nft delete table inet conntrack_bypass || fail "remove the snippet"
ip netns exec "$R" nft -f - <<'NFT' || fail "ct state rule"
table inet filter {
	chain fwd_br { type filter hook forward priority 0; policy accept; iifname "br0" oifname "br0" ct state established accept; }
}
NFT
talk "$T/c3"
"$NATSCOPE" --netns "$R" audit -i 0 -f json >"$T/g.json"
python3 - "$T/g.json" <<'PY' || fail "guarded: $(candidate "$T/g.json")"
import json, sys
t = json.load(open(sys.argv[1]))['tracking']
c = [c for c in t['candidates'] if c['class'] == 'bridge_local'][0]
assert not c['safe'] and c['snippet'] is None, c
assert any('inet filter fwd_br' in r and 'ct state established' in r for r in c['reasons']), c['reasons']
print('# refused:', c['reasons'][0])
PY
echo "audit/tracking on a bridge: all passed"
