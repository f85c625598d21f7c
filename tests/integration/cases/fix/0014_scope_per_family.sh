#!/bin/bash
# A scope given for one family never plans changes to the other family's overlay (issue
# 10): with ip and ip6 overlays in place, `fix --saddr <IPv4 CIDR>` rebuilds the ip one,
# leaves the ip6 one exactly as it was, says so in its change line, and audit judges each
# table with its own mark (nothing dangerous).
. "$TESTLIB/common.sh"
. "$TESTLIB/fix.sh"

ip netns add "$LAB-r" || fail "netns"
lab_exec r nft -f - <<'NFT' || fail "nft -f"
table ip nat {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr 10.1.0.0/16 masquerade
	}
}
table ip6 nat {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		ip6 saddr fd00:1::/48 masquerade
	}
}
NFT
fix --random-fully --yes >"$T/out" 2>&1 || fail "fix: $(cat "$T/out")"
grep -q '^change: table ip natscope: add; table ip6 natscope: add$' "$T/out" || fail "change line: $(grep change: "$T/out")"
lab_exec r nft list table ip6 natscope >"$T/ip6.before" || fail "no ip6 overlay"

fix --random-fully --saddr 10.0.0.0/8 --dry-run >"$T/scoped.nft" 2>"$T/scoped.err" || fail "dry-run: $(cat "$T/scoped.err")"
grep -q 'ip6' "$T/scoped.nft" && fail "the IPv4 scope plans a change to the ip6 overlay: $(grep ip6 "$T/scoped.nft")"
grep -q '^change: table ip natscope: rebuild; table ip6 natscope: keep (outside the --saddr scope)$' "$T/scoped.err" ||
	fail "dry-run change line: $(cat "$T/scoped.err")"
lab_exec r nft -c -f "$T/scoped.nft" || fail "nft -c rejects the scoped script"
fix --random-fully --saddr 10.0.0.0/8 --yes >"$T/out" 2>&1 || fail "scoped fix: $(cat "$T/out")"
lab_exec r nft list table ip6 natscope >"$T/ip6.after" || fail "the ip6 overlay is gone"
diff -u "$T/ip6.before" "$T/ip6.after" || fail "the ip6 overlay changed"
lab_exec r nft list table ip natscope | grep -q 'comment "natscope-managed v2 saddr=10.0.0.0/8 since=[0-9]* base=[0-9]* before=[0-9/]*"' ||
	fail "ip overlay mark: $(lab_exec r nft list table ip natscope)"

"$NATSCOPE" --netns "$LAB-r" audit -i 0 -f json >"$T/a.json"
[ "$(finding "$T/a.json" nat_overlay_stale)" = ok ] || fail "audit: overlay $(finding "$T/a.json" nat_overlay_stale)"
[ "$(json "$T/a.json" "sorted(set(r['coverage'] for r in d['nat_rules']['rules']))")" = "['covered']" ] ||
	fail "audit coverage: $(json "$T/a.json" "[(r['family'], r['table'], r['coverage']) for r in d['nat_rules']['rules']]")"
echo "fix/scope per family: all passed"
