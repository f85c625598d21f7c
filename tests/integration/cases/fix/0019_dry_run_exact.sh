#!/bin/bash
# The dry-run is exactly what --yes applies (issue 10): for every shape of
# rulesets/dry_run_shapes.nft and Docker's iptables-nft rules (addrtype with
# userland-proxy off, a comment, a mark), with and without a scope, the script of
# `fix --dry-run`, loaded with `nft -f` into one copy of the ruleset, installs the same
# kernel expressions (nft --debug=netlink) as `fix --yes` in another copy.  A rule with
# no nft syntax (an xt match without a native form) makes the dry-run refuse in one line
# naming the rule, never print a script that installs something else.
. "$TESTLIB/common.sh"
. "$TESTLIB/fix.sh"
need_cmd iptables-nft "package iptables"

A=$LAB-a
B=$LAB-b
case_cleanup() { ip netns del "$A" 2>/dev/null; ip netns del "$B" 2>/dev/null; return 0; }

# load NS: the source ruleset of every shape
load() {
	ip netns exec "$1" nft -f "$RULESETS/dry_run_shapes.nft" || fail "nft -f in $1"
	ip netns exec "$1" iptables-nft -t nat -A POSTROUTING -o br-x -m addrtype --src-type LOCAL -j MASQUERADE || fail "iptables-nft"
	ip netns exec "$1" iptables-nft -t nat -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -m comment --comment "docker0 net" -j MASQUERADE
	ip netns exec "$1" iptables-nft -t nat -A POSTROUTING -m mark --mark 0x4000/0x4000 -j MASQUERADE
}
# expressions NS FAMILY: natscope's table as the kernel holds it, handles left out; its
# sets and chains in name order (rules keep theirs)
expressions() {
	ip netns exec "$1" nft --debug=netlink list table "$2" natscope |
		sed -E -e "s/^($2 natscope \S+)( [0-9]+)+$/\1/" -e '/^table /,$d' |
		python3 -c '
import sys
blocks, cur = [], []
for line in sys.stdin:
    if not line.startswith(("\t", " ")) and line.strip() and cur:
        blocks.append(cur); cur = []
    if line.strip():
        cur.append(line)
blocks.append(cur)
sets = sorted(b for b in blocks if b and b[0].split()[2].startswith("@"))
rules = [b for b in blocks if b and not b[0].split()[2].startswith("@")]
rules.sort(key=lambda b: b[0])  # stable: a chain keeps its rule order
sys.stdout.write("".join(l for b in sets + rules for l in b))'
}

compare() { # ARGS...: fix options
	ip netns add "$A" && ip netns add "$B" || fail "netns"
	load "$A"
	load "$B"
	"$NATSCOPE" --netns "$A" fix --random-fully --dry-run "$@" >"$T/s.nft" 2>"$T/s.err" ||
		fail "dry-run $*: $(cat "$T/s.err")"
	grep -q 'no nft syntax' "$T/s.nft" && fail "the script has lines nft would skip: $(grep 'no nft syntax' "$T/s.nft")"
	ip netns exec "$A" nft -f "$T/s.nft" || fail "nft -f of the script ($*): $(cat "$T/s.nft")"
	"$NATSCOPE" --netns "$B" fix --random-fully --yes "$@" >"$T/yes.out" 2>&1 || fail "fix --yes $*: $(cat "$T/yes.out")"
	for fam in ip ip6; do
		expressions "$A" $fam >"$T/a.$fam"
		expressions "$B" $fam >"$T/b.$fam"
		# the --saddr scopes below are IPv4: no ip6 overlay then
		if [ ! -s "$T/b.$fam" ] && { [ $fam = ip ] || [ $# = 0 ]; }; then
			fail "--yes installed no $fam overlay ($*)"
		fi
		diff -u "$T/b.$fam" "$T/a.$fam" >"$T/d.$fam" || fail "$fam ($*): the script installs other expressions than --yes: $(cat "$T/d.$fam")"
	done
	grep -q 'fib saddr type local' "$T/s.nft" || fail "addrtype not written natively: $(cat "$T/s.nft")"
	grep -q 'meta mark & 0x00004000 == 0x00004000 masquerade fully-random' "$T/s.nft" || fail "mark: $(cat "$T/s.nft")"
	grep -q 'comment "docker0 net"' "$T/s.nft" || fail "xt comment: $(cat "$T/s.nft")"
	grep -q 'ct state new ip saddr { 10.1.0.0/16, 10.2.0.1 } masquerade fully-random' "$T/s.nft" || fail "ct state/set: $(cat "$T/s.nft")"
	ip netns del "$A"
	ip netns del "$B"
}

compare
compare --oif eth0 --saddr 10.0.0.0/8
compare --oif eth0 --saddr 10.1.16.0/20

# an xt match with no native form: refused in one line that names the rule
ip netns add "$A" || fail "netns"
ip netns exec "$A" iptables-nft -t nat -A POSTROUTING -m pkttype --pkt-type unicast -j MASQUERADE || fail "iptables-nft"
"$NATSCOPE" --netns "$A" fix --random-fully --dry-run >"$T/x.nft" 2>"$T/x.err"
rc=$?
[ "$rc" = 65 ] || fail "dry-run with an xt pkttype match exited $rc: $(cat "$T/x.nft" "$T/x.err")"
grep -q '^natscope fix: the change cannot be written as an nft script that installs exactly what --yes would: the mirror of ip nat POSTROUTING handle [0-9]* has no exact nft syntax' "$T/x.err" ||
	fail "refusal line: $(cat "$T/x.err")"
[ -s "$T/x.nft" ] && fail "a script was printed: $(cat "$T/x.nft")"
"$NATSCOPE" --netns "$A" fix --random-fully --yes >"$T/x.out" 2>&1 || fail "--yes with the xt match: $(cat "$T/x.out")"
echo "fix/dry-run exact: all passed"
