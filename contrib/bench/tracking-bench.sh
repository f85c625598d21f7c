#!/bin/bash
# What conntrack costs traffic that needs no state, and what natscope's suggested bypass
# gives back (issue 14), measured with iperf3 in one run: one TCP stream (Gbit/s, the
# field report's measure; segments of up to 64 KiB thanks to GSO/GRO, so per-packet
# costs are spread thin) and 64-byte UDP datagrams (thousands received per second: the
# per-packet cost, which is what conntrack adds), SECONDS each:
#  1. bridge: two veth "containers" on br0 in a router namespace with br_netfilter
#     handing bridged frames to the IP hooks (as on a Docker host).
#       tracked  a masquerade for the subnet's way out (Docker's rule), so conntrack
#                tracks every bridged packet too
#       bypass   tracked, plus the snippet `natscope audit` prints for br0, applied as is
#       no rules no ruleset at all: conntrack not registered, br_netfilter still on
#       no br_netfilter  bridge-nf-call-iptables=0 in the router: no IP hook for bridged
#                frames
#  2. vxlan: two "hosts" joined by a veth, a VXLAN tunnel (udp 4789) over it.
#       tracked  a rule that needs conntrack in each host (tcp dport 9, on no flow here)
#       bypass   tracked, plus each host's own suggested snippet (the carriers only:
#                the TCP flow inside the tunnel is still tracked)
#       untracked tracked, plus notrack for every packet in both hosts: what is left
#                of tracked's cost is the hooks' own
#       no rules neither host has a ruleset
# The configurations interleave, RUNS rounds; the median of each, and its ratio to
# tracked.  Figures, not pass/fail.  Needs root; touches only namespaces it creates.
# Usage: contrib/bench/tracking-bench.sh [RUNS [SECONDS]]
set -u
cd "$(dirname "$0")/../.."
RUNS=${1:-5}
SECS=${2:-5}
. contrib/bench/prepare.sh
bench_prepare tracking-bench
N=build-bench/natscope
FLOWGEN=build-bench/tests/flowgen
P=nstrackb$$
R=$P-r C1=$P-c1 C2=$P-c2 HA=$P-a HB=$P-b
cleanup() {
	for n in "$R" "$C1" "$C2" "$HA" "$HB"; do
		ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null
	done
	wait 2>/dev/null
	for n in "$R" "$C1" "$C2" "$HA" "$HB"; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$B"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
die() {
	echo "tracking-bench: $*" >&2
	exit 1
}
nsx() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

for n in "$R" "$C1" "$C2" "$HA" "$HB"; do
	ip netns add "$n" || die "netns $n"
	nsx "$n" ip link set lo up
done
# the bridge
nsx "$R" sh -c 'ip link add br0 type bridge && ip addr add 198.18.97.1/24 dev br0 && ip link set br0 up' ||
	die "bridge"
i=2
for c in "$C1" "$C2"; do
	ip link add "p$i" netns "$R" type veth peer name eth0 netns "$c" || die "veth"
	nsx "$R" sh -c "ip link set p$i master br0 && ip link set p$i up"
	nsx "$c" sh -c "ip addr add 198.18.97.$i/24 dev eth0 && ip link set eth0 up && ip route add default via 198.18.97.1"
	i=$((i + 1))
done
[ "$(nsx "$R" cat /proc/sys/net/bridge/bridge-nf-call-iptables)" = 1 ] ||
	die "br_netfilter does not hand bridged traffic to the IP hooks in a new namespace"
# the tunnel
ip link add va netns "$HA" type veth peer name vb netns "$HB" || die "veth"
for n in "$HA:198.18.99.1:198.18.99.2:198.18.98.1:va" "$HB:198.18.99.2:198.18.99.1:198.18.98.2:vb"; do
	IFS=: read -r ns local remote inner dev <<<"$n"
	nsx "$ns" sh -c "ip addr add $local/24 dev $dev && ip link set $dev up" || die "underlay"
	nsx "$ns" ip link add vx0 type vxlan id 42 local "$local" remote "$remote" dstport 4789 || die "vxlan"
	nsx "$ns" sh -c "ip addr add $inner/24 dev vx0 && ip link set vx0 up" || die "vxlan address"
done

BR_TRACKED='table ip nat { chain post { type nat hook postrouting priority srcnat; policy accept; ip saddr 198.18.97.0/24 oifname != "br0" masquerade; }; }'
NOTRACK_ALL='table inet untracked { chain pre { type filter hook prerouting priority raw; notrack; }; chain out { type filter hook output priority raw; notrack; }; }'
VX_TRACKED='table inet track { chain in { type filter hook input priority 0; policy accept; tcp dport 9 ct state new counter; }; }'

# snippet NS SERVERNS CLIENTNS DST WHAT: flows from CLIENTNS to DST (served in SERVERNS),
# then the snippet natscope audit in NS suggests for the candidate starting with WHAT
snippet() {
	nsx "$2" timeout 20 "$FLOWGEN" server 8080 15 >"$B/srv" &
	sleep 0.3
	nsx "$3" timeout 20 "$FLOWGEN" client "$4" 8080 20 10 20 10 >"$B/cli" &
	for i in $(seq 100); do grep -q ready "$B/cli" && break; sleep 0.1; done
	grep -q ready "$B/cli" || die "flowgen to $4 did not get ready"
	$N --netns "$1" audit -i 0 -f json >"$B/a.json" 2>"$B/a.err"
	[ $? -le 2 ] || die "audit in $1: $(cat "$B/a.err")"
	wait
	python3 - "$B/a.json" "$5" <<'PY' || die "no safe candidate '$5' in $1: $(cat "$B/a.json")"
import json, sys
t = json.load(open(sys.argv[1]))['tracking']
c = [c for c in t['candidates'] if c['what'].startswith(sys.argv[2]) and c['safe']]
print(c[0]['snippet'])
PY
}

# perf CLIENTNS DST: Gbit/s received over one TCP stream, then thousands of 64-byte UDP
# datagrams received per second (one sender, no rate limit), SECS seconds each
perf() {
	nsx "$1" iperf3 -c "$2" -t "$SECS" -J >"$B/tcp.json" 2>&1 || die "iperf3 to $2: $(tail -3 "$B/tcp.json")"
	nsx "$1" iperf3 -c "$2" -u -b 0 -l 64 -t "$SECS" -J >"$B/udp.json" 2>&1 ||
		die "iperf3 -u to $2: $(tail -3 "$B/udp.json")"
	python3 - "$B/tcp.json" "$B/udp.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))['end']['sum_received']
u = json.load(open(sys.argv[2]))['end']['sum']
print('%.3f %.1f' % (t['bits_per_second'] / 1e9, (u['packets'] - u['lost_packets']) / u['seconds'] / 1e3))
PY
}

# config NAME: the router's or the hosts' rules for NAME
config() {
	local ns
	for ns in "$R" "$HA" "$HB"; do nsx "$ns" nft flush ruleset; done
	nsx "$R" sh -c 'echo 1 >/proc/sys/net/bridge/bridge-nf-call-iptables'
	case $1 in
	br-tracked) nsx "$R" nft "$BR_TRACKED" ;;
	br-bypass) nsx "$R" nft "$BR_TRACKED" && nsx "$R" nft "$BR_SNIPPET" ;;
	br-norules) ;;
	br-nobrnf) nsx "$R" sh -c 'echo 0 >/proc/sys/net/bridge/bridge-nf-call-iptables' ;;
	vx-tracked) nsx "$HA" nft "$VX_TRACKED" && nsx "$HB" nft "$VX_TRACKED" ;;
	vx-bypass) nsx "$HA" nft "$VX_TRACKED" && nsx "$HB" nft "$VX_TRACKED" &&
		nsx "$HA" nft "$VXA_SNIPPET" && nsx "$HB" nft "$VXB_SNIPPET" ;;
	vx-untracked) nsx "$HA" nft "$VX_TRACKED" && nsx "$HB" nft "$VX_TRACKED" &&
		nsx "$HA" nft "$NOTRACK_ALL" && nsx "$HB" nft "$NOTRACK_ALL" ;;
	vx-norules) ;;
	esac || die "config $1"
	for ns in "$R" "$HA" "$HB"; do nsx "$ns" conntrack -F 2>/dev/null; done
}

# the snippets natscope suggests, from real traffic under the tracked rules
config br-tracked
BR_SNIPPET=$(snippet "$R" "$C2" "$C1" 198.18.97.3 br0) || exit 1
config vx-tracked
VXA_SNIPPET=$(snippet "$HA" "$HB" "$HA" 198.18.98.2 vxlan) || exit 1
VXB_SNIPPET=$(snippet "$HB" "$HA" "$HB" 198.18.98.1 vxlan) || exit 1

nsx "$C2" timeout 3600 iperf3 -s -p 5201 >/dev/null 2>&1 &
nsx "$HB" timeout 3600 iperf3 -s -p 5201 >/dev/null 2>&1 &
sleep 0.5
# a tracked run shows the bypass did what it says: entries with and without it
config br-tracked
perf "$C1" 198.18.97.3 >/dev/null
br_entries=$(nsx "$R" conntrack -C)
config br-bypass
perf "$C1" 198.18.97.3 >/dev/null
br_bypass_entries=$(nsx "$R" conntrack -C)

CONFIGS="br-tracked br-bypass br-norules br-nobrnf vx-tracked vx-bypass vx-untracked vx-norules"
for r in $(seq "$RUNS"); do
	for c in $CONFIGS; do
		config "$c"
		case $c in br-*) g=$(perf "$C1" 198.18.97.3) ;; *) g=$(perf "$HA" 198.18.98.2) ;; esac || exit 1
		echo "$c $g" >>"$B/figures"
		echo "tracking-bench: round $r $c: $g (Gbit/s, kpps)" >&2
	done
done

# median CONFIG FIELD, range CONFIG FIELD (2: Gbit/s, 3: kpps)
median() { awk -v c="$1" -v f="$2" '$1 == c { print $f }' "$B/figures" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
range() { awk -v c="$1" -v f="$2" '$1 == c { print $f }' "$B/figures" | sort -g | sed -n '1p;$p' | paste -sd- -; }
echo
echo "$(uname -r), $RUNS rounds of ${SECS} s, $(date +%F)"
echo
echo "bridge snippet: $BR_SNIPPET"
echo "vxlan snippets: $VXA_SNIPPET / $VXB_SNIPPET"
echo "router's table after one iperf3 run: $br_entries entries tracked, $br_bypass_entries with the bypass"
echo
echo "| path | configuration | TCP Gbit/s median (range) | ratio | UDP 64 B kpps median (range) | ratio |"
echo "|---|---|---|---|---|---|"
for c in $CONFIGS; do
	awk -v c="$c" -v m="$(median "$c" 2)" -v t="$(median "${c%%-*}-tracked" 2)" -v rg="$(range "$c" 2)" \
		-v pm="$(median "$c" 3)" -v pt="$(median "${c%%-*}-tracked" 3)" -v prg="$(range "$c" 3)" 'BEGIN {
		split(c, p, "-")
		name = p[2] == "norules" ? "no rules" : p[2] == "nobrnf" ? "no br_netfilter" : p[2]
		printf "| %s | %s | %.2f (%s) | %.2fx | %.0f (%s) | %.2fx |\n", p[1] == "br" ? "bridge" : "vxlan", name, m, rg, m / t, pm, prg, pm / pt }'
done
