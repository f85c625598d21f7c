#!/bin/bash
# The differential oracle (issue 22) over real NAT producers' shapes: each shape's rules
# (as the software writes them, tests/integration/rulesets/, with the lab's subnets) are
# loaded on the lab's router, fixed, then mutated (an exclusion inserted before the first
# NAT rule for c1's or c2's subnet, the NAT rule deleted, a masquerade added, the chain
# flushed); after each mutation tests/lib/oracle.sh runs the ruleset with and without
# the overlay and checks audit's judgement against what conntrack -L shows, then fixes
# again and checks the two agree.  CI runs one mutation per shape, drawn from
# ORACLE_SEED (printed; the date by default); ORACLE_ALL=1 runs every mutation of every
# shape (contrib/oracle/sweep.sh).  The counts of shapes, mutations and probes are printed.
. "$TESTLIB/common.sh"
. "$TESTLIB/fix.sh"
. "$TESTLIB/oracle.sh"
need_cmd iptables-nft-restore "package iptables"
need_cmd ipset "package ipset, installed by contrib/setup-deps.sh"

SEED=${ORACLE_SEED:-$(date +%Y%m%d)}
echo "# seed $SEED${ORACLE_ALL:+ (all mutations)}"

# Each shape loads its rules in r (after lab_up, its own table ip nat gone) and prints
# the chain whose first NAT rule the mutations work on: FAMILY TABLE CHAIN.
shape_native() { # nft's own masquerade on the way out (the lab's, and many hosts')
	lab_exec r nft -f - <<'NFT' || return 1
table ip nat {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "r-s" masquerade
	}
}
NFT
	echo "ip nat postrouting"
}
shape_docker() { # Docker 20.10 on iptables-nft: one -s SUBNET ! -o BRIDGE per network
	lab_exec r iptables-nft -t nat -A POSTROUTING -s 198.18.1.0/24 ! -o r-c1 -j MASQUERADE &&
		lab_exec r iptables-nft -t nat -A POSTROUTING -s 198.18.2.0/24 ! -o r-c2 -j MASQUERADE || return 1
	echo "ip nat POSTROUTING"
}
shape_libvirt() { # libvirt's default network on c1's subnet
	sed "s|@NET@|198.18.1.0/24|g" "$RULESETS/libvirt_default.rules" | lab_exec r iptables-nft-restore --noflush || return 1
	echo "ip nat LIBVIRT_PRT"
}
shape_kube_proxy() { # kube-proxy's iptables mode, a service's port (9001) marked for SNAT
	# as its KUBE-SVC chains do, Docker beside it for c2
	sed "s|@RANDOM@||" "$RULESETS/kube_proxy_iptables.rules" | lab_exec r iptables-nft-restore --noflush &&
		lab_exec r iptables-nft -t nat -A PREROUTING -p udp --dport 9001 -j KUBE-MARK-MASQ &&
		lab_exec r iptables-nft -t nat -A POSTROUTING -s 198.18.2.0/24 ! -o r-c2 -j MASQUERADE || return 1
	echo "ip nat KUBE-POSTROUTING"
}
shape_calico() { # Calico's natOutgoing, c1's subnet a pool
	lab_exec r ipset create cali40masq-ipam-pools hash:net &&
		lab_exec r ipset create cali40all-ipam-pools hash:net &&
		lab_exec r ipset add cali40masq-ipam-pools 198.18.1.0/24 &&
		lab_exec r ipset add cali40all-ipam-pools 198.18.1.0/24 &&
		lab_exec r iptables-nft-restore --noflush <"$RULESETS/calico_nat_outgoing.rules" || return 1
	echo "ip nat cali-nat-outgoing"
}
shape_snat() { # -j SNAT --to-source, c1 into a port range (Cilium's, hand-written hosts')
	lab_exec r iptables-nft -t nat -A POSTROUTING -s 198.18.1.0/24 -o r-s -p udp -j SNAT --to-source $LAB_R_OUT:20000-29999 &&
		lab_exec r iptables-nft -t nat -A POSTROUTING -s 198.18.2.0/24 -o r-s -j SNAT --to-source $LAB_R_OUT || return 1
	echo "ip nat POSTROUTING"
}
shape_fw4() { # OpenWrt's firewall4, the lab's way out as its wan
	sed -n '/^table inet fw4/,/^}/p' "$RULESETS/owners_fw4_lxd.nft" | sed 's/"wan"/"r-s"/' |
		lab_exec r nft -f - || return 1
	echo "inet fw4 srcnat_wan"
}
shape_lxd() { # LXD's nftables driver on c1's subnet
	sed -n '/^table inet lxd/,/^}/p' "$RULESETS/owners_fw4_lxd.nft" | sed 's|10\.181\.31\.0/24|198.18.1.0/24|g' |
		lab_exec r nft -f - || return 1
	echo "inet lxd pstrt.lxdbr0"
}
shape_kube_proxy_nft() { # kube-proxy's nftables mode (fully-random itself), Docker for c2
	sed "s|@SERVICE@|udp dport 9001|" "$RULESETS/kube_proxy_nftables.nft" | lab_exec r nft -f - &&
		lab_exec r iptables-nft -t nat -A POSTROUTING -s 198.18.2.0/24 ! -o r-c2 -j MASQUERADE || return 1
	echo "ip kube-proxy masquerading"
}
shape_flannel() { # flannel's ip-masq, the lab's two client subnets as the cluster network
	sed "s|@CLUSTER@|198.18.0.0/22|g; s|@NODE@|198.18.1.0/24|g" "$RULESETS/flannel_iptables.rules" |
		lab_exec r iptables-nft-restore --noflush || return 1
	echo "ip nat POSTROUTING"
}
shape_netavark() { # Podman's netavark, c1's subnet its network, port-forward mark on 9001
	sed "s|@NET@|198.18.1.0/24|g" "$RULESETS/netavark_iptables.rules" | lab_exec r iptables-nft-restore --noflush &&
		lab_exec r iptables-nft -t nat -A PREROUTING -p udp --dport 9001 -j MARK --set-xmark 0x2000/0x2000 || return 1
	echo "ip nat NETAVARK-1D8721804F16F"
}
shape_firewalld() { # firewalld's zone masquerade, the lab's way out as its interface
	sed "s|@IFACE@|r-s|" "$RULESETS/firewalld_masquerade.nft" | lab_exec r nft -f - || return 1
	echo "inet firewalld nat_POST_public_allow"
}
SHAPES=${ORACLE_SHAPES:-native docker libvirt kube_proxy kube_proxy_nft calico snat fw4 lxd flannel netavark firewalld}
MUTATIONS="exclude_c1 exclude_c2 drop_nat add_nat flush"

# first_nat FAMILY TABLE CHAIN: the handle of the chain's first NAT rule
first_nat() {
	lab_exec r nft -a list chain "$1" "$2" "$3" 2>/dev/null |
		sed -n 's/.*\(masquerade\|snat \).* # handle \([0-9]*\)$/\2/p' | head -1
}
# mutate MUTATION FAMILY TABLE CHAIN
mutate() {
	local m=$1 f=$2 t=$3 c=$4 h
	h=$(first_nat "$f" "$t" "$c")
	[ -n "$h" ] || fail "no NAT rule in $f $t $c"
	case $m in
	exclude_c1) lab_exec r nft insert rule "$f" "$t" "$c" position "$h" ip saddr 198.18.1.0/24 return ;;
	exclude_c2) lab_exec r nft insert rule "$f" "$t" "$c" position "$h" ip saddr 198.18.2.0/24 return ;;
	drop_nat) lab_exec r nft delete rule "$f" "$t" "$c" handle "$h" ;;
	add_nat) lab_exec r nft add rule "$f" "$t" "$c" ip saddr 198.18.2.0/24 oifname r-s masquerade ;;
	flush) lab_exec r nft flush chain "$f" "$t" "$c" ;;
	esac 2>/dev/null
}

nshapes=0 nmut=0 i=0
for shape in $SHAPES; do
	i=$((i + 1))
	if [ -n "${ORACLE_ALL:-}" ]; then
		muts=$MUTATIONS
	else
		# one mutation per shape, drawn from the seed
		set -- $MUTATIONS
		k=$(((SEED + i * 7) % $#))
		shift $k
		muts=$1
	fi
	for m in $muts; do
		lab_up "" answer || fail "lab setup"
		lab_exec r nft delete table ip nat
		# the router tracks whatever the mutation leaves (a namespace tracks nothing
		# once no rule needs conntrack): a ct rule of the lab's, matching no probe
		lab_exec r nft add table inet oracle_track
		lab_exec r nft add chain inet oracle_track pre '{ type filter hook prerouting priority 0; }'
		lab_exec r nft add rule inet oracle_track pre tcp dport 9 ct state new counter
		target=$(shape_$shape) || fail "shape $shape does not load"
		fix --random-fully --yes --sample 0 >"$T/fix.out" 2>&1 || fail "$shape: fix exited $?: $(cat "$T/fix.out")"
		oracle_judge "$shape as fixed"
		# shellcheck disable=SC2086
		mutate "$m" $target || fail "$shape: mutation $m failed"
		oracle_judge "$shape, $m"
		oracle_refix "$shape, $m"
		nmut=$((nmut + 1))
		lab_down
	done
	nshapes=$((nshapes + 1))
done
echo "# oracle: $nshapes shapes, $nmut mutations, $ORACLE_RUNS judgements, $ORACLE_PROBES probes of 4 x $ORACLE_FLOWS flows, seed $SEED: no mismatch; dangerous verdicts no probe confirmed: $(oracle_unrefuted)"
echo "fix/oracle over producers' shapes: all passed"
