#!/bin/bash
# kube-proxy's iptables mode beside a Docker-shaped masquerade (issue 22, point 6): its
# KUBE-POSTROUTING clears the masquerade bit with an xt MARK before it masquerades.  That
# MARK is mirrored as `meta mark set meta mark ^ 0x4000` (the next rule NATs every packet,
# so it runs once), so the whole ip nat POSTROUTING is mirrored instead of skipped, and the
# Docker-shaped rule beside it gets fully-random.  The kernel judges, with kube-proxy's
# masquerade with and without --random-fully: c1's traffic is marked for SNAT on the way
# in (KUBE-MARK-MASQ), c2's is masqueraded by the Docker-shaped rule; conntrack -L shows
# who kept its source port, and a counter after NAT shows the bit cleared on every packet,
# before and after the fix.  --revert leaves iptables-nft-save as it was.
. "$TESTLIB/common.sh"
. "$TESTLIB/fix.sh"
need_cmd iptables-nft-restore "package iptables"

lab_up "" answer || fail "lab setup"
lab_exec r nft delete table ip nat
# after every NAT chain: packets that still carry the masquerade bit
lab_exec r nft -f - <<'NFT' || fail "the bit counter"
table ip probe {
	chain after {
		type filter hook postrouting priority 200; policy accept;
		meta mark & 0x00004000 == 0x00004000 counter
	}
}
NFT
marked() { lab_exec r nft list chain ip probe after | sed -n 's/.*counter packets \([0-9]*\) .*/\1/p'; }
save() { lab_exec r iptables-nft-save -t nat | grep -v '^#' | sed 's/\[[0-9]*:[0-9]*\]//'; }

for random in "--random-fully" ""; do
	lab_exec r iptables-nft -t nat -F 2>/dev/null
	lab_exec r iptables-nft -t nat -X 2>/dev/null
	sed "s|@RANDOM@|$random|" "$RULESETS/kube_proxy_iptables.rules" |
		lab_exec r iptables-nft-restore --noflush || fail "iptables-nft-restore (kube-proxy)"
	lab_exec r iptables-nft -t nat -A PREROUTING -s 198.18.1.0/24 -j KUBE-MARK-MASQ || fail "mark c1"
	lab_exec r iptables-nft -t nat -A POSTROUTING -s 198.18.2.0/24 ! -o r-c2 -j MASQUERADE || fail "docker rule"
	saved=$(save)
	what="kube-proxy${random:+ $random}"

	k1=$(preserved_ports c1)
	a1=$(reply_addresses)
	k2=$(preserved_ports c2)
	[ "$a1" = "$LAB_R_OUT" ] || fail "$what: c1's marked flows were not masqueraded (replies to $a1)"
	if [ -n "$random" ]; then
		[ "$k1" -le 5 ] || fail "$what: c1 kept $k1 of 50 ports"
	else
		[ "$k1" -ge 45 ] || fail "$what: c1 kept only $k1 of 50 ports before the fix"
	fi
	[ "$k2" -ge 45 ] || fail "$what: the Docker-shaped rule kept only $k2 of 50 ports before the fix"
	[ "$(marked)" = 0 ] || fail "$what: $(marked) packets left NAT with the bit set before the fix"

	fix --random-fully --dry-run >"$T/dry" 2>"$T/dry.err" || fail "$what: dry-run exited $?: $(cat "$T/dry.err")"
	grep -q 'meta mark set meta mark ^ 0x00004000' "$T/dry" || fail "$what: the dry-run has no native MARK: $(cat "$T/dry")"
	fix --random-fully --yes --sample 0 >"$T/out" 2>&1 || fail "$what: fix exited $?: $(cat "$T/out")"
	grep -q '^mirror ip nat POSTROUTING' "$T/out" || fail "$what: POSTROUTING not mirrored: $(cat "$T/out")"
	lab_exec r nft list table ip natscope >"$T/list"
	grep -q 'meta mark set meta mark ^ 0x00004000' "$T/list" || fail "$what: no native MARK: $(cat "$T/list")"
	fix_settles "$what"
	audit_all_covered "$what" 2

	k1=$(preserved_ports c1)
	a1=$(reply_addresses)
	k2=$(preserved_ports c2)
	[ "$a1" = "$LAB_R_OUT" ] || fail "$what, fixed: c1's flows were not masqueraded (replies to $a1)"
	[ "$k1" -le 5 ] && [ "$k2" -le 5 ] || fail "$what, fixed: c1 kept $k1, c2 kept $k2 of 50 ports"
	[ "$(marked)" = 0 ] || fail "$what, fixed: $(marked) packets left NAT with the bit set (the MARK ran twice?)"
	info "$what: after fix c1 kept $k1, c2 kept $k2 of 50 source ports; no packet left NAT marked"

	fix --revert --yes >"$T/rev" 2>&1 || fail "$what: revert: $(cat "$T/rev")"
	[ "$(save)" = "$saved" ] || fail "$what: iptables-nft-save differs after --revert"
done
# A MARK that would run twice (the next rule returns TCP unNATed) cannot be mirrored: the
# whole ip nat POSTROUTING is left as it is.  fix applies what it can (a native base chain
# beside it), names the chain left and exits 78, never "done"; the Docker-shaped rule
# keeps its ports.
lab_exec r iptables-nft -t nat -I KUBE-POSTROUTING 3 -p tcp -j RETURN || fail "the TCP return"
lab_exec r nft -f - <<'NFT' || fail "the native table"
table ip other {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "r-c1" masquerade
	}
}
NFT
fix --random-fully --yes --sample 0 >"$T/left" 2>"$T/left.err"
rc=$?
[ $rc = 78 ] || fail "a base chain left whole: fix exited $rc, want 78: $(cat "$T/left" "$T/left.err")"
[ "$(wc -l <"$T/left.err")" -le 4 ] && grep -q '^natscope fix: 2 source-NAT statements stay without fully-random: 1 base chain cannot be mirrored exactly and is left as it is (ip nat POSTROUTING: xt target MARK would run twice' "$T/left.err" ||
	fail "the refusal: $(cat "$T/left.err")"
lab_exec r nft list table ip natscope | grep -q 'chain other/post' || fail "the mirrorable chain was not applied"
lab_exec r nft list table ip natscope | grep -q 'chain nat/POSTROUTING' && fail "ip nat POSTROUTING was mirrored"
[ "$(preserved_ports c2)" -ge 45 ] || fail "the Docker-shaped rule left as it is, yet c2's ports were randomised"
fix --random-fully --dry-run >/dev/null 2>"$T/left.dry"
[ $? = 78 ] || fail "the dry-run of a base chain left whole did not exit 78: $(cat "$T/left.dry")"
info "left whole: $(grep '^natscope fix' "$T/left.err")"
fix --revert --yes >/dev/null 2>&1 || fail "revert"
echo "fix/kube-proxy iptables mode: all passed"
