#!/bin/bash
# Mirror chains of nat/x-post and nat-x/post are different chains (issue 9, item 14):
# with both tables masquerading different traffic, every flow gets a random port after
# fix, the overlay holds both mirrors, and nft takes the dry-run script.
. "$TESTLIB/common.sh"
. "$TESTLIB/fix.sh"

lab_up "" answer || fail "lab setup"
lab_exec r nft -f - <<'NFT' || fail "ruleset"
flush ruleset
table ip nat {
	chain x-post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "r-c2" masquerade
	}
}
table ip nat-x {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "r-s" masquerade
	}
}
NFT
kept=$(preserved_ports)
[ "$kept" -ge 45 ] || fail "plain masquerade should preserve ports (kept $kept of 50)"
fix --random-fully --dry-run >"$T/d.nft" 2>/dev/null || fail "dry-run"
lab_exec r nft -c -f "$T/d.nft" || fail "nft -c rejects the script: $(cat "$T/d.nft")"
fix --random-fully --yes >"$T/out" 2>&1 || fail "fix: $(cat "$T/out")"
lab_exec r nft list table ip natscope >"$T/o"
grep -q 'chain nat/x-post {' "$T/o" && grep -q 'chain nat-x/post {' "$T/o" || fail "mirrors: $(cat "$T/o")"
[ "$(grep -c 'masquerade fully-random' "$T/o")" = 2 ] || fail "each mirror holds its own rule: $(cat "$T/o")"
kept=$(preserved_ports)
info "after fix: $kept of 50 flows kept their source port"
[ "$kept" -le 5 ] || fail "after fix $kept of 50 flows kept their source port"
"$NATSCOPE" --netns "$LAB-r" audit -i 0 -f json >"$T/a.json"
[ "$(finding "$T/a.json" snat_rules_random)" = ok ] || fail "rules not covered"
echo "fix/mirror names injective: all passed"
