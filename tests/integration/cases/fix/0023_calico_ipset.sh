#!/bin/bash
# Calico's natOutgoing (issue 22, point 7): an xt set match on felix's ipset pools.  The
# dry-run cannot show it as an nft script (the sets exist only in this namespace) and says
# so in one line, exit 65 (it exited 74, "writing to standard output failed"); --yes
# mirrors it with the same set matches.  The kernel judges: c1's subnet is a pool (its
# flows masqueraded, ports kept before the fix and random after), c2's is not (never
# NAT'd, before or after); then felix adds c2's subnet to the pools at run time and the
# overlay follows the set: c2's flows masqueraded with random ports, with no second fix.
# --revert leaves iptables-nft-save as it was.
. "$TESTLIB/common.sh"
. "$TESTLIB/fix.sh"
need_cmd iptables-nft-restore "package iptables"
need_cmd ipset "package ipset, installed by contrib/setup-deps.sh"

lab_up "" answer || fail "lab setup"
lab_exec r nft delete table ip nat
lab_exec r ipset create cali40masq-ipam-pools hash:net || fail "ipset"
lab_exec r ipset create cali40all-ipam-pools hash:net || fail "ipset"
for s in cali40masq-ipam-pools cali40all-ipam-pools; do
	lab_exec r ipset add $s 198.18.1.0/24 || fail "ipset add"
done
lab_exec r iptables-nft-restore --noflush <"$RULESETS/calico_nat_outgoing.rules" || fail "iptables-nft-restore (Calico)"
save() { lab_exec r iptables-nft-save -t nat | grep -v '^#' | sed 's/\[[0-9]*:[0-9]*\]//'; }
saved=$(save)

read -r a1 k1 <<<"$(client_nat c1)"
read -r a2 _ <<<"$(client_nat c2)"
[ "$a1" = "$LAB_R_OUT" ] && [ "$k1" -ge 45 ] || fail "before: the pool's flows: replies to $a1, $k1 of 50 ports kept"
[ "$a2" = 198.18.2.2 ] || fail "before: c2 (no pool) was NAT'd: replies to $a2"

fix --random-fully --dry-run >"$T/dry" 2>"$T/dry.err"
rc=$?
[ $rc = 65 ] || fail "dry-run exited $rc, want 65: $(cat "$T/dry.err")"
grep -q '^natscope fix: the change cannot be written as an nft script: outside this namespace the kernel refuses .*cali-nat-outgoing.*(an ipset set' "$T/dry.err" ||
	fail "dry-run: $(cat "$T/dry.err")"
[ -s "$T/dry" ] && fail "dry-run printed a partial script: $(cat "$T/dry")"
fix --random-fully --yes --sample 0 >"$T/out" 2>&1 || fail "fix exited $?: $(cat "$T/out")"
fix_settles "Calico"

read -r a1 k1 <<<"$(client_nat c1)"
read -r a2 _ <<<"$(client_nat c2)"
[ "$a1" = "$LAB_R_OUT" ] && [ "$k1" -le 5 ] || fail "fixed: the pool's flows: replies to $a1, $k1 of 50 ports kept"
[ "$a2" = 198.18.2.2 ] || fail "fixed: the overlay NATs c2, outside every pool: replies to $a2"
info "fixed: the pool's flows kept $k1 of 50 ports; c2 outside the pools not NAT'd"

# felix changes the pools at run time: the overlay matches the same sets
for s in cali40masq-ipam-pools cali40all-ipam-pools; do
	lab_exec r ipset add $s 198.18.2.0/24 || fail "ipset add"
done
read -r a2 k2 <<<"$(client_nat c2)"
[ "$a2" = "$LAB_R_OUT" ] && [ "$k2" -le 5 ] || fail "a pool added at run time: c2's flows: replies to $a2, $k2 of 50 ports kept"
info "c2's subnet added to the pools: masqueraded, $k2 of 50 ports kept"

fix --revert --yes >"$T/rev" 2>&1 || fail "revert: $(cat "$T/rev")"
[ "$(save)" = "$saved" ] || fail "iptables-nft-save differs after --revert"
echo "fix/Calico ipset pools: all passed"
