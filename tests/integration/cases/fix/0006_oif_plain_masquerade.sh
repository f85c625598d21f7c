#!/bin/bash
# No source-NAT rule at all: --oif installs a plain masquerade fully-random for the scope.
. "$TESTLIB/common.sh"
. "$TESTLIB/fix.sh"

lab_up "" answer || fail "lab setup"
lab_exec r nft delete table ip nat
# conntrack must stay on in r: a filter rule that needs it
lab_exec r nft -f - <<'NFT' || fail "keepct"
table ip keepct {
	chain forward {
		type filter hook forward priority 0; policy accept;
		ct state new accept
	}
}
NFT
fix --random-fully --oif r-s --yes >"$T/out" 2>&1 || fail "--oif: $(cat "$T/out")"
grep -q 'masquerade fully-random for traffic leaving r-s' "$T/out" || fail "no plain masquerade: $(cat "$T/out")"
lab_exec r nft list table inet natscope | grep -q 'masquerade fully-random' || fail "inet natscope scope chain"
kept=$(preserved_ports)
[ "$kept" -le 5 ] || fail "with the plain masquerade $kept of 50 kept their port"
grep -q "dst=$LAB_R_OUT" "$T/udp" || fail "flows were not masqueraded to $LAB_R_OUT"
echo "fix/oif plain masquerade: all passed"
