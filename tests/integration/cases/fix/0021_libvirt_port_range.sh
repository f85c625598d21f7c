#!/bin/bash
# libvirt's default network (issue 22, point 4): its `-j MASQUERADE --to-ports
# 1024-65535` keeps that range in the mirror (NF_NAT_RANGE_PROTO_SPECIFIED with
# fully-random), IPv4 and IPv6.  The kernel judges: UDP and TCP probes from source ports
# below 1024 and above are sent through the source rules alone, then through the
# overlay, and conntrack -L must show every post-NAT port inside 1024-65535 both times
# (a masquerade that lost the flag maps a port below 512 into 1-511), the overlay's
# ports randomised.  The dry-run prints the range, --yes applies what it printed, a
# second fix has nothing to change, and --revert leaves iptables-nft-save as it was.
. "$TESTLIB/common.sh"
. "$TESTLIB/fix.sh"
need_cmd iptables-nft-restore "package iptables"
need_cmd ip6tables-nft-restore "package iptables"

lab_up "" answer || fail "lab setup"
lab_exec r nft delete table ip nat
# IPv6 beside it, in the documentation prefix 2001:db8::/32
lab_exec c1 ip -6 addr add 2001:db8:1::2/64 dev c1-r nodad
lab_exec r ip -6 addr add 2001:db8:1::1/64 dev r-c1 nodad
lab_exec r ip -6 addr add 2001:db8:9::1/64 dev r-s nodad
lab_exec s ip -6 addr add 2001:db8:9::2/64 dev s-r nodad
lab_exec c1 ip -6 route add default via 2001:db8:1::1
lab_exec s ip -6 route add 2001:db8:1::/64 via 2001:db8:9::1
lab_exec r sysctl -qw net.ipv6.conf.all.forwarding=1
sed "s|@NET@|198.18.1.0/24|g" "$RULESETS/libvirt_default.rules" |
	lab_exec r iptables-nft-restore --noflush || fail "iptables-nft-restore (libvirt's rules)"
sed "s|@NET@|2001:db8:1::/64|g; s|224.0.0.0/24|ff02::/16|; /255.255.255.255/d" "$RULESETS/libvirt_default.rules" |
	lab_exec r ip6tables-nft-restore --noflush || fail "ip6tables-nft-restore (libvirt's rules)"
save() { lab_exec r iptables-nft-save | grep -v '^#'; lab_exec r ip6tables-nft-save | grep -v '^#'; }
saved=$(save)
# a TCP server on s for both families, 120 s at most (a reset to an unanswered SYN
# would end the entry at once)
lab_exec s timeout 120 python3 -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 20001))
s.listen(64)
print("ready", flush=True)
while True:
    s.accept()[0].close()' >"$T/srv" &
wait_ready "$T/srv"

# probe OUT: one UDP and one TCP flow from each source port of PORTS, from c1 to s, for
# each family; conntrack -L in r afterwards, one line "family proto sport mapped" each
PORTS="500 1000 1023 40000 40001 40002"
probe() {
	lab_exec r conntrack -F >/dev/null 2>&1
	lab_exec c1 python3 - $PORTS <<'PY' || fail "probes"
import socket, sys
for fam, src, dst in ((socket.AF_INET, '198.18.1.2', '198.18.9.2'),
                      (socket.AF_INET6, '2001:db8:1::2', '2001:db8:9::2')):
    for p in map(int, sys.argv[1:]):
        u = socket.socket(fam, socket.SOCK_DGRAM)
        u.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        u.bind((src, p))
        u.sendto(b'probe', (dst, 20000))
        u.close()
        t = socket.socket(fam, socket.SOCK_STREAM)
        t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        t.bind((src, p))
        t.settimeout(1)
        try:
            t.connect((dst, 20001))   # s's server accepts: the entry stays
        except OSError:
            pass
        t.close()
PY
	{
		lab_exec r conntrack -L -o extended 2>/dev/null # both families
	} | python3 -c '
import re, sys
for l in sys.stdin:
    f = l.split()
    sp = re.findall(r"sport=(\d+)", l)
    dp = re.findall(r"dport=(\d+)", l)
    if len(sp) == 2 and dp[0] in ("20000", "20001"):
        print(f[0], f[2], sp[0], dp[1])' | sort >"$1"
	[ "$(wc -l <"$1")" = 24 ] || fail "$(wc -l <"$1") of 24 probes in conntrack -L: $(cat "$1")"
}
# in_range OUT: every post-NAT port inside libvirt's 1024-65535
in_range() {
	awk '$4 < 1024 || $4 > 65535 { print; bad = 1 } END { exit bad }' "$1" >"$1.bad" ||
		fail "$2: post-NAT ports outside 1024-65535 (family proto sport mapped): $(tr '\n' ';' <"$1.bad")"
}

probe "$T/src"
in_range "$T/src" "libvirt's rules alone"
info "libvirt's rules alone: 24 probes, every port in 1024-65535, $(awk '$3 == $4' "$T/src" | wc -l) kept"

fix --random-fully --dry-run >"$T/dry" 2>"$T/dry.err" || fail "dry-run exited $?: $(cat "$T/dry.err")"
grep -q 'masquerade to :1024-65535 fully-random' "$T/dry" || fail "the dry-run lost the range: $(cat "$T/dry")"
fix --random-fully --yes --sample 0 >"$T/out" 2>&1 || fail "fix exited $?: $(cat "$T/out")"
lab_exec r nft list table ip natscope >"$T/list" 2>&1
lab_exec r nft list table ip6 natscope >>"$T/list" 2>&1
[ "$(grep -c 'masquerade to :1024-65535 fully-random' "$T/list")" = 4 ] ||
	fail "the overlay does not carry the range on its 4 mirrors: $(cat "$T/list")"
[ "$(lab_exec r nft --debug=netlink list table ip natscope 2>/dev/null | grep -c 'masq proto_min reg 1 proto_max reg 2 flags 0x12 \]')" = 2 ] ||
	fail "the kernel holds the mirror without NF_NAT_RANGE_PROTO_SPECIFIED: $(lab_exec r nft --debug=netlink list table ip natscope 2>/dev/null | grep masq)"
fix_settles "libvirt"

probe "$T/ov"
in_range "$T/ov" "the overlay"
# kept source ports: only by chance under fully-random (1 in 64,512 a probe)
kept=$(awk '$3 >= 1024 && $3 == $4' "$T/ov" | wc -l)
[ "$kept" -le 2 ] || fail "the overlay kept $kept source ports: not randomised: $(cat "$T/ov")"
info "the overlay: 24 probes, every port in 1024-65535, $kept of 12 high source ports kept"

fix --revert --yes >"$T/rev" 2>&1 || fail "revert: $(cat "$T/rev")"
[ "$(save)" = "$saved" ] || fail "iptables-nft-save differs after --revert"
echo "fix/libvirt port range: all passed"
