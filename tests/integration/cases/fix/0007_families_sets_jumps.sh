#!/bin/bash
# ip6 and inet overlays, a jump rewritten to the mirror chain, an anonymous set recreated
# with its elements, an anonymous verdict map recreated, a named set refused with its
# reason, an already fully-random chain left alone; audit then names exactly the refused
# rule.
. "$TESTLIB/common.sh"
. "$TESTLIB/fix.sh"

ip netns add "$LAB-r" || fail "netns"
lab_exec r nft -f "$RULESETS/fix_families.nft" || fail "nft -f"
# the chain with the named set is left whole while its masquerade lacks fully-random:
# the rest is applied (and the dry-run's script printed), and fix exits 78 naming it
left='^natscope fix: 1 source-NAT statement stays without fully-random: 1 base chain cannot be mirrored exactly and is left as it is (ip withset post: it references set @allowed'
fix --random-fully --dry-run >"$T/c.nft" 2>"$T/c.err"
[ $? = 78 ] && grep -q "$left" "$T/c.err" || fail "dry-run: $(cat "$T/c.err")"
lab_exec r nft -c -f "$T/c.nft" || fail "nft -c rejects the script"
fix --random-fully --yes >"$T/out" 2>"$T/err"
[ $? = 78 ] && grep -q "$left" "$T/err" || fail "fix: $(cat "$T/out" "$T/err")"
grep -q 'skip   ip withset post: it references set @allowed' "$T/out" || fail "named set not reported: $(cat "$T/out")"
grep -q '^mirror ip already' "$T/out" && fail "the fully-random chain was mirrored"
grep -q '^mirror ip anonmap post' "$T/out" || fail "anonymous verdict map not mirrored: $(cat "$T/out")"
lab_exec r nft list table ip natscope | grep -q 'ip daddr vmap { 10.0.0.1 : accept }' ||
	fail "anonymous verdict map not recreated: $(lab_exec r nft list table ip natscope)"
lab_exec r nft list table ip natscope | grep -Eq 'ip saddr \{ 10.7.0.0/16, 10.8.0.1 \} counter packets 0 bytes 0 masquerade fully-random' ||
	fail "anonymous set not recreated: $(lab_exec r nft list table ip natscope)"
fix --random-fully --yes >"$T/out2" 2>&1
[ $? = 78 ] && grep -q 'nothing to change' "$T/out2" || fail "rerun with an anonymous set is not a no-op: $(cat "$T/out2")"
lab_exec r nft list table ip6 natscope | grep -q 'ip6 saddr fd00:1::/48 masquerade fully-random' || fail "ip6 overlay"
lab_exec r nft list table inet natscope | grep -q 'jump mix/sub' || fail "inet jump not rewritten"
lab_exec r nft list table inet natscope | grep -q 'snat ip to 198.51.100.7:2000-3000 fully-random' || fail "inet snat"
lab_exec r nft list table inet natscope | grep -Eq 'priority (109|srcnat \+ 9);' || fail "inet overlay priority"

"$NATSCOPE" --netns "$LAB-r" audit -i 0 -f json >"$T/d.json"
[ "$(json "$T/d.json" "[f['evidence']['not_fully_random'] for f in d['findings'] if f['id'] == 'snat_rules_random'][0]")" = 1 ] ||
	fail "after fix exactly the skipped rule (named set) should lack fully-random"
fix --revert --yes >/dev/null 2>&1 || fail "revert"
lab_exec r nft list tables | grep -q natscope && fail "revert left a natscope table"
echo "fix/families, sets and jumps: all passed"
