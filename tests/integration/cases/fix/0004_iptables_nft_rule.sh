#!/bin/bash
# A Docker-style iptables-nft MASQUERADE: mirrored as native masquerade fully-random,
# iptables-nft-save and table ip nat untouched, ports random; --in-place never rewrites it.
. "$TESTLIB/common.sh"
. "$TESTLIB/fix.sh"
need_cmd iptables-nft "package iptables"

lab_up "" answer || fail "lab setup"
lab_exec r nft delete table ip nat
lab_exec r iptables-nft -t nat -A POSTROUTING -s 198.18.0.0/15 ! -o r-c1 -j MASQUERADE || fail "iptables-nft"
save() { lab_exec r iptables-nft-save -t nat | grep -v '^#'; }
kept=$(preserved_ports)
[ "$kept" -ge 45 ] || fail "xt MASQUERADE should preserve ports (kept $kept of 50)"
# iptables-nft rules carry counters: compare right around the fix, no traffic between
saved=$(save)
before_nat=$(lab_exec r nft -j list table ip nat)
fix --random-fully --yes >"$T/out" 2>&1 || fail "fix (iptables-nft) failed: $(cat "$T/out")"
[ "$(save)" = "$saved" ] || fail "iptables-nft-save output changed"
[ "$(lab_exec r nft -j list table ip nat)" = "$before_nat" ] || fail "table ip nat changed"
lab_exec r nft list table ip natscope | grep -Eq 'oifname != "r-c1" ip saddr 198.18.0.0/15 counter packets [0-9]+ bytes [0-9]+ masquerade fully-random' ||
	fail "xt MASQUERADE not mirrored as native masquerade fully-random"
# no compat expression in the overlay: nft does not call natscope's table iptables-nft's
lab_exec r nft list table ip natscope 2>&1 | grep -q 'managed by iptables-nft' &&
	fail "nft says natscope's table is managed by iptables-nft"
kept=$(preserved_ports)
info "iptables-nft rule: after fix $kept of 50 flows kept their source port"
[ "$kept" -le 5 ] || fail "after fix, $kept of 50 kept their port"
fix --revert --yes >/dev/null 2>&1 || fail "revert"
[ "$(save)" = "$saved" ] || fail "iptables-nft-save changed after revert"
fix --random-fully --in-place --yes >"$T/out" 2>&1 || fail "in-place (xt): $(cat "$T/out")"
grep -q 'iptables-nft rule is never rewritten in place' "$T/out" || fail "xt rule not reported: $(cat "$T/out")"
[ "$(save)" = "$saved" ] || fail "--in-place changed an iptables-nft rule"

# an xt match without a native form is copied as it is: nft then warns about natscope's
# table too (as natscope-fix(8) says), which stays natscope's and reverts as usual
lab_exec r iptables-nft -t nat -A POSTROUTING -o r-c2 -m statistic --mode nth --every 2 --packet 0 -j MASQUERADE ||
	fail "iptables-nft statistic"
fix --random-fully --yes >"$T/out" 2>&1 || fail "fix (xt statistic): $(cat "$T/out")"
lab_exec r nft list table ip natscope >"$T/list" 2>&1
grep -q 'Warning: table ip natscope is managed by iptables-nft' "$T/list" ||
	fail "no warning with a compat match copied: $(head -3 "$T/list")"
grep -q 'comment "natscope-managed v2 ' "$T/list" || fail "natscope's mark is gone"
fix --revert --yes >/dev/null 2>&1 || fail "revert (xt statistic)"
lab_exec r nft list table ip natscope >/dev/null 2>&1 && fail "the overlay survived --revert"
echo "fix/iptables-nft rule: all passed"
