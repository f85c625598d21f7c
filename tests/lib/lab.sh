# Network-namespace labs for natscope's integration tests, benchmarks and demo.
# Source this file; every namespace is named "$LAB-<role>" so one lab never touches
# another, nor the host: no host interface, route or ruleset is changed.
#
# Addresses come from 198.18.0.0/15 (RFC 2544, benchmarking) and exist only inside the
# lab's namespaces:
#   c1 198.18.1.2 --- 198.18.1.1 r 198.18.9.1 --- 198.18.9.2 s
#   c2 198.18.2.2 --- 198.18.2.1 r
# r forwards and masquerades everything leaving towards s.

LAB_S=198.18.9.2
LAB_R_OUT=198.18.9.1

lab_ns() { echo "$LAB-$1"; }
lab_exec() { local n=$1; shift; ip netns exec "$LAB-$n" "$@"; }

lab_mac() { ip netns exec "$LAB-$1" cat "/sys/class/net/$2/address"; }

# lab_up MASQ_FLAGS SERVER_MODE
#   MASQ_FLAGS: "" or "fully-random" (appended to the masquerade statement)
#   SERVER_MODE: "answer" (s replies normally) or "drop" (s drops all UDP in raw
#   prerouting, so every flow stays UNREPLIED and no reply traffic competes)
lab_up() {
	local flags=$1 mode=${2:-answer} n
	for n in c1 c2 r s; do
		ip netns add "$LAB-$n" || return 1
		lab_exec "$n" ip link set lo up
	done
	ip link add c1-r netns "$LAB-c1" type veth peer name r-c1 netns "$LAB-r" || return 1
	ip link add c2-r netns "$LAB-c2" type veth peer name r-c2 netns "$LAB-r" || return 1
	ip link add s-r netns "$LAB-s" type veth peer name r-s netns "$LAB-r" || return 1

	lab_exec c1 ip addr add 198.18.1.2/24 dev c1-r
	lab_exec c2 ip addr add 198.18.2.2/24 dev c2-r
	lab_exec r ip addr add 198.18.1.1/24 dev r-c1
	lab_exec r ip addr add 198.18.2.1/24 dev r-c2
	lab_exec r ip addr add $LAB_R_OUT/24 dev r-s
	lab_exec s ip addr add $LAB_S/24 dev s-r
	for n in c1-r:c1 c2-r:c2 s-r:s r-c1:r r-c2:r r-s:r; do
		lab_exec "${n#*:}" ip link set "${n%:*}" up
	done
	lab_exec c1 ip route add default via 198.18.1.1
	lab_exec c2 ip route add default via 198.18.2.1
	lab_exec s ip route add 198.18.0.0/15 via $LAB_R_OUT

	lab_exec r sysctl -qw net.ipv4.ip_forward=1
	for n in c1 c2 r s; do
		lab_exec "$n" sysctl -qw net.ipv4.conf.all.rp_filter=0
		lab_exec "$n" sysctl -qw net.ipv4.conf.default.rp_filter=0
	done
	# Static neighbours: a flood must not wait on ARP (its queue holds 3 packets).
	lab_exec c1 ip neigh replace 198.18.1.1 lladdr "$(lab_mac r r-c1)" dev c1-r nud permanent
	lab_exec c2 ip neigh replace 198.18.2.1 lladdr "$(lab_mac r r-c2)" dev c2-r nud permanent
	lab_exec r ip neigh replace $LAB_S lladdr "$(lab_mac s s-r)" dev r-s nud permanent
	lab_exec s ip neigh replace $LAB_R_OUT lladdr "$(lab_mac r r-s)" dev s-r nud permanent

	# The NAT rule must exist before traffic: a namespace tracks nothing until a rule
	# needs conntrack.
	lab_exec r nft -f - <<NFT || return 1
table ip nat {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "r-s" masquerade $flags
	}
}
NFT
	if [ "$mode" = drop ]; then
		lab_exec s nft -f - <<NFT || return 1
table ip raw {
	chain prerouting {
		type filter hook prerouting priority raw; policy accept;
		meta l4proto udp drop
	}
}
NFT
	fi
}

lab_down() {
	local n
	[ -n "${LAB:-}" ] || return 0
	for n in c1 c2 r s; do
		# Processes still inside would keep the namespace alive; end them first.
		ip netns pids "$LAB-$n" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$LAB-$n" 2>/dev/null
	done
	return 0
}

# lab_clash RAWFLOOD SPORTS DPORTS: both clients send one UDP packet per flow to
# s:20000.. from source ports 10000..(10000+SPORTS-1) to DPORTS destination ports, pinned
# to CPUs 0 and 1 and started at the same wall-clock instant.  Both use the same source
# ports, so masquerade must pick new ports for one of them: the crowded port space in
# which insertions fail.
lab_clash() {
	local flood=$1 sports=$2 dports=$3 start cpu2=1 rc=0
	[ "$(nproc)" -ge 2 ] || cpu2=0
	start=$(date +%s.%N | awk '{ printf "%.3f", $1 + 0.5 }')
	lab_exec c1 "$flood" --src 198.18.1.2 --dst $LAB_S --sport "10000-$((10000 + sports - 1))" \
		--dport "20000,$dports" --cpu 0 --start-at "$start" --max-seconds 60 >/dev/null &
	local p1=$!
	lab_exec c2 "$flood" --src 198.18.2.2 --dst $LAB_S --sport "10000-$((10000 + sports - 1))" \
		--dport "20000,$dports" --cpu $cpu2 --start-at "$start" --max-seconds 60 >/dev/null &
	local p2=$!
	wait $p1 || rc=1
	wait $p2 || rc=1
	return $rc
}

# Sum of one `conntrack -S` counter over all CPUs in namespace role $1.
lab_ct_stat() {
	lab_exec "$1" conntrack -S 2>/dev/null |
		awk -v k="$2" '{ for (i = 1; i <= NF; i++) { split($i, a, "="); if (a[1] == k) s += a[2] } }
			END { print s + 0 }'
}
