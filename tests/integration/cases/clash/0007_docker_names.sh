#!/bin/bash
# Exact failures named after real containers (issue 12): dockerd 20.10 runs in the lab's
# namespace h; two containers race 200,000 UDP flows through Docker's own MASQUERADE
# rule to the server namespace s.  audit (in h) names every failure, and each source
# after its container (docker:c1, docker:c2): found from the container's cgroup and the
# config.v2.json under the data root the running dockerd was given.
. "$TESTLIB/common.sh"
. "$TESTLIB/docker.sh"
docker_need
need_cpus 2
[ -e /sys/kernel/btf/vmlinux ] || skip "the kernel has no BTF (/sys/kernel/btf/vmlinux)"

case_cleanup() {
	docker_down
	for n in h s; do ip netns pids "$LAB-$n" 2>/dev/null | xargs -r kill 2>/dev/null; ip netns del "$LAB-$n" 2>/dev/null; done
	return 0
}
ip netns add "$LAB-h" && ip netns add "$LAB-s" || fail "netns"
ip link add h-s netns "$LAB-h" type veth peer name s-h netns "$LAB-s" || fail "veth"
ip netns exec "$LAB-h" sh -c 'ip link set lo up && ip addr add 198.18.9.1/24 dev h-s && ip link set h-s up' || fail "h"
ip netns exec "$LAB-s" sh -c 'ip link set lo up && ip addr add 198.18.9.2/24 dev s-h && ip link set s-h up' || fail "s"
ip netns exec "$LAB-s" nft -f - <<'NFT' || fail "server drop rule"
table ip raw {
	chain prerouting {
		type filter hook prerouting priority raw; policy accept;
		meta l4proto udp drop
	}
}
NFT
mac() { ip netns exec "$1" cat "/sys/class/net/$2/address"; }
ip netns exec "$LAB-h" ip neigh replace 198.18.9.2 lladdr "$(mac "$LAB-s" s-h)" dev h-s nud permanent

docker_up "$LAB-h"
docker_image
for c in 1 2; do
	dk run -d --name c$c --cpuset-cpus $((c - 1)) nsbox sleep 600 >/dev/null || fail "container c$c"
done
gw=$(ip netns exec "$LAB-h" cat /sys/class/net/docker0/address)
start=$(date +%s.%N | awk '{ printf "%.3f", $1 + 1.5 }')
"$NATSCOPE" --netns "$LAB-h" audit -i 10 -f json >"$T/a.json" 2>"$T/a.err" &
ap=$!
for c in 1 2; do
	pid=$(ct_pid c$c)
	ip=$(ct_ip c$c bridge)
	nsenter -t "$pid" -n ip neigh replace 198.19.0.1 lladdr "$gw" dev eth0 nud permanent
	nsenter -t "$pid" -n "$RAWFLOOD" --src "$ip" --dst 198.18.9.2 --sport 10000-34999 \
		--dport 20000,4 --cpu $((c - 1)) --start-at "$start" --max-seconds 60 >"$T/f$c" &
done
wait %2 %3 || fail "flood: $(cat "$T/f1" "$T/f2")"
wait $ap
python3 - "$T/a.json" <<'PY' || fail "names: $(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['insert_failures'])" "$T/a.json") $(cat "$T/a.err")"
import json, sys
f = json.load(open(sys.argv[1]))['insert_failures']
assert f['exact'] and f['reported'] == f['counter_delta'], f
assert f['reported'] >= 20, f'the race failed only {f["reported"]} insertions'
# another case's containers may hold the same address at the same time: "a|b" names both
mine = {'docker:c1', 'docker:c2'}
assert f['by_source'] and all(mine & set(s['owner'].split('|')) for s in f['by_source']), f['by_source']
assert all(mine & set(r['src_owner'].split('|')) for r in f['records']), f['records'][:3]
print(f"# {f['reported']} failures named, by source: " + ", ".join(f"{s['owner']} {s['failures']}" for s in f['by_source']))
PY
echo "clash/docker names: all passed"
