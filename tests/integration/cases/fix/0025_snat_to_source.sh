#!/bin/bash
# iptables-nft `-j SNAT --to-source A[:LO-HI]` (issue 22, point 5), Cilium's shape and many
# hand-written hosts': the mirror keeps the address and the port range (MAP_IPS and
# PROTO_SPECIFIED, which the kernel adds itself to a native snat with registers), so what
# is in force is what was planned: fix exits 0, a second fix has nothing to change, audit
# calls the rules covered.  The kernel judges the range: c1's UDP flows leave from
# 198.18.9.1 ports 20000-20999 only, before and after the fix, and after it at random in
# there; c2's (no range) from 198.18.9.1.
. "$TESTLIB/common.sh"
. "$TESTLIB/fix.sh"
need_cmd iptables-nft "package iptables"

lab_up "" answer || fail "lab setup"
lab_exec r nft delete table ip nat
lab_exec r iptables-nft -t nat -A POSTROUTING -s 198.18.1.0/24 -o r-s -p udp -j SNAT --to-source $LAB_R_OUT:20000-20999 ||
	fail "iptables-nft SNAT with ports"
lab_exec r iptables-nft -t nat -A POSTROUTING -s 198.18.2.0/24 -o r-s -j SNAT --to-source $LAB_R_OUT ||
	fail "iptables-nft SNAT"
save() { lab_exec r iptables-nft-save -t nat | grep -v '^#' | sed 's/\[[0-9]*:[0-9]*\]//'; }
saved=$(save)

# ports CLIENT: the post-NAT source ports of its 50 flows (preserved_ports leaves them)
ports() {
	python3 - "$T/udp" <<'PY'
import re, sys
print(" ".join(re.findall(r'dport=(\d+)', l)[1] for l in open(sys.argv[1])))
PY
}
in_range() { # WHAT PORTS...: every port in 20000-20999
	local what=$1 p
	shift
	for p in "$@"; do
		[ "$p" -ge 20000 ] && [ "$p" -le 20999 ] || fail "$what: post-NAT port $p outside 20000-20999"
	done
}

preserved_ports c1 >/dev/null
[ "$(reply_addresses)" = "$LAB_R_OUT" ] || fail "before: c1 not SNAT'd to $LAB_R_OUT: $(reply_addresses)"
# shellcheck disable=SC2046
in_range "before" $(ports)

fix --random-fully --dry-run >"$T/dry" 2>"$T/dry.err" || fail "dry-run exited $?: $(cat "$T/dry.err")"
grep -q "snat to $LAB_R_OUT:20000-20999 fully-random" "$T/dry" || fail "the dry-run lost the range: $(cat "$T/dry")"
fix --random-fully --yes --sample 0 >"$T/out" 2>&1 || fail "fix exited $?: $(cat "$T/out")"
lab_exec r nft --debug=netlink list table ip natscope 2>/dev/null | grep -q 'nat snat ip addr_min reg 1 addr_max reg 1 proto_min reg 2 proto_max reg 3 flags 0x13 \]' ||
	fail "the mirror in force: $(lab_exec r nft --debug=netlink list table ip natscope 2>/dev/null | grep 'nat snat')"
fix_settles "SNAT --to-source"
audit_all_covered "SNAT --to-source" 2

preserved_ports c1 >/dev/null
[ "$(reply_addresses)" = "$LAB_R_OUT" ] || fail "fixed: c1 not SNAT'd to $LAB_R_OUT: $(reply_addresses)"
# shellcheck disable=SC2046
in_range "fixed" $(ports)
[ "$(ports | tr ' ' '\n' | sort -u | wc -l)" -ge 45 ] || fail "fixed: c1's ports repeat: $(ports)"
preserved_ports c2 >/dev/null
[ "$(reply_addresses)" = "$LAB_R_OUT" ] || fail "fixed: c2 not SNAT'd to $LAB_R_OUT: $(reply_addresses)"
info "SNAT to $LAB_R_OUT:20000-20999: every port in range before and after the fix"

fix --revert --yes >/dev/null 2>&1 || fail "revert"
[ "$(save)" = "$saved" ] || fail "iptables-nft-save differs after --revert"
echo "fix/SNAT --to-source: all passed"
