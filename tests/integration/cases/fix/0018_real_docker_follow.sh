#!/bin/bash
# fix --follow on a real Docker host (issue 10): dockerd 20.10 from Debian runs in the
# lab's namespace h and writes its own iptables-nft rules; its containers send real UDP
# flows to the server namespace s.  A network created under a running --follow is
# covered (source ports random); a network removed and created again on the same subnet
# with masquerading off is not NAT'd by a leftover mirror (the kernel's reply tuple keeps
# the container's address); after a dockerd restart (its rules re-created) audit finds
# every rule covered.
. "$TESTLIB/common.sh"
. "$TESTLIB/fix.sh"
. "$TESTLIB/docker.sh"
docker_need

FPID=
case_cleanup() {
	[ -n "$FPID" ] && kill "$FPID" 2>/dev/null
	docker_down
	for n in h s; do ip netns pids "$LAB-$n" 2>/dev/null | xargs -r kill 2>/dev/null; ip netns del "$LAB-$n" 2>/dev/null; done
	return 0
}
ip netns add "$LAB-h" && ip netns add "$LAB-s" || fail "netns"
ip link add h-s netns "$LAB-h" type veth peer name s-h netns "$LAB-s" || fail "veth"
ip netns exec "$LAB-h" sh -c 'ip link set lo up && ip addr add 198.18.9.1/24 dev h-s && ip link set h-s up' || fail "h"
ip netns exec "$LAB-s" sh -c 'ip link set lo up && ip addr add 198.18.9.2/24 dev s-h && ip link set s-h up &&
	ip route add 198.19.0.0/16 via 198.18.9.1' || fail "s"

docker_up "$LAB-h"
docker_image

# flows CONTAINER: 50 UDP flows from the container to s:9000; prints how many kept their
# source port; the flows stay in $T/udp
flows() {
	local spid pid
	ip netns exec "$LAB-s" "$FLOWGEN" server 9000 20 >"$T/srv" &
	spid=$!
	wait_ready "$T/srv"
	pid=$(ct_pid "$1")
	nsenter -t "$pid" -n "$FLOWGEN" client 198.18.9.2 9000 0 0 50 3 >"$T/cli"
	ip netns exec "$LAB-h" conntrack -L -p udp --dport 9000 -o extended 2>/dev/null >"$T/udp"
	ip netns exec "$LAB-h" conntrack -D -p udp --dport 9000 >/dev/null 2>&1
	ip netns pids "$LAB-s" 2>/dev/null | xargs -r kill 2>/dev/null
	wait "$spid" 2>/dev/null
	[ "$(wc -l <"$T/udp")" = 50 ] || fail "$1: expected 50 UDP flows, conntrack lists $(wc -l <"$T/udp")"
	grep -q UNREPLIED "$T/udp" && fail "$1: some flows got no reply"
	python3 - "$T/udp" <<'PY'
import re, sys
print(sum(re.findall(r'sport=(\d+)', l)[0] == re.findall(r'dport=(\d+)', l)[1] for l in open(sys.argv[1])))
PY
}

dk network create --subnet 198.19.1.0/24 n1 >/dev/null || fail "network n1"
dk run -d --name c1 --network n1 nsbox sleep 600 >/dev/null || fail "container c1"
kept=$(flows c1)
[ "$kept" -ge 45 ] || fail "Docker's plain masquerade kept only $kept of 50 ports (the lab shows no difference)"

"$NATSCOPE" --netns "$LAB-h" fix --random-fully --follow --yes >"$T/follow" 2>&1 &
FPID=$!
wait_log 'following nf_tables changes' 1
ip netns exec "$LAB-h" iptables-nft-save -t nat >"$T/docker-rules"
kept=$(flows c1)
[ "$kept" -le 5 ] || fail "c1 kept its source port in $kept of 50 flows under the overlay"

# a new network while --follow runs
applied=$(grep -c 'applied as generation' "$T/follow")
dk network create --subnet 198.19.2.0/24 n2 >/dev/null || fail "network n2"
dk run -d --name c2 --network n2 nsbox sleep 600 >/dev/null || fail "container c2"
wait_log 'applied as generation' $((applied + 1))
ip netns exec "$LAB-h" nft list table ip natscope | grep -q '198.19.2.0/24.*masquerade fully-random' ||
	fail "n2 not mirrored: $(cat "$T/follow")"
kept=$(flows c2)
[ "$kept" -le 5 ] || fail "c2 kept its source port in $kept of 50 flows"

# n2 removed and created again on the same subnet without masquerading
dk rm -f c2 >/dev/null && dk network rm n2 >/dev/null || fail "remove n2"
dk network create --subnet 198.19.2.0/24 -o com.docker.network.bridge.enable_ip_masquerade=false n2b >/dev/null ||
	fail "network n2b"
dk run -d --name c2b --network n2b nsbox sleep 600 >/dev/null || fail "container c2b"
for i in $(seq 100); do
	ip netns exec "$LAB-h" nft list table ip natscope | grep -q '198.19.2.0/24' || break
	sleep 0.05
done
ip netns exec "$LAB-h" nft list table ip natscope | grep -q '198.19.2.0/24' && fail "the removed network's mirror stayed: $(cat "$T/follow")"
flows c2b >/dev/null
ip=$(ct_ip c2b n2b)
[ "$(reply_addresses)" = "$ip" ] || fail "n2b has masquerading off, yet its flows were NAT'd: reply to $(reply_addresses), container $ip"

# dockerd restarted: its rules are written again
docker_stop
docker_up "$LAB-h"
dk start c1 >/dev/null || fail "start c1 again"
# --follow settles the burst of changes after it has been quiet for a while: audit until
# every rule is covered (30 s at most), then the checks on that audit
settled() {
	"$NATSCOPE" --netns "$LAB-h" audit -i 0 -f json >"$T/a.json"
	python3 - "$T/a.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rules = [r for r in d['nat_rules']['rules'] if r['owner'] != 'natscope']
assert rules, "no source rules"
bad = [(r['rule'], r['coverage']) for r in rules if r['coverage'] not in ('covered', 'stale_harmless')]
assert not bad, bad
assert all(r['owner'] == 'docker' for r in rules), [(r['rule'], r['owner']) for r in rules]
f = {f['id']: f['severity'] for f in d['findings']}
assert f['snat_rules_random'] == 'ok' and f['nat_overlay_stale'] in ('ok', 'info'), f
PY
}
for i in $(seq 60); do
	settled >/dev/null 2>&1 && break
	sleep 0.5
done
settled || fail "after the restart: $(cat "$T/follow")"
kept=$(flows c1)
[ "$kept" -le 5 ] || fail "after the dockerd restart c1 kept its source port in $kept of 50 flows"
kill -TERM "$FPID"
wait "$FPID" || fail "--follow exit status $?"
FPID=
grep '^generation' "$T/follow" | sed 's/^/# follow: /'
info "$(grep -c 'applied as generation' "$T/follow") rounds applied, $(grep -c 'nothing applied' "$T/follow") found nothing to do"
echo "fix/real docker under --follow: all passed"
