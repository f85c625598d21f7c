#!/bin/bash
# Docker 29's nftables backend (issue 10): table ip docker-bridges, whose nat-POSTROUTING
# base chain reaches one chain per bridge through named verdict maps.  audit sees its
# masquerade rules through the maps, as Docker's (the hairpin rule as a hairpin); fix
# recreates the maps in natscope's table with their jumps sent to the mirror chains, and
# the traffic of c1 then leaves with random source ports; a bridge added to a map (as
# dockerd does for a new network) leaves its rule uncovered until fix runs again.
. "$TESTLIB/common.sh"
. "$TESTLIB/fix.sh"

lab_up "" answer || fail "lab setup"
lab_exec r nft -f "$RULESETS/docker_bridges.nft" || fail "nft -f"
audit_json() { "$NATSCOPE" --netns "$LAB-r" audit -i 0 -f json >"$T/$1.json"; }
rules() { json "$T/$1.json" "sorted((r['table'], r['chain'], r['owner'], r['hairpin'], r['coverage']) for r in d['nat_rules']['rules'] if r['owner'] != 'natscope')"; }

audit_json before
[ "$(rules before)" = "[('docker-bridges', 'nat-postrouting-in__r-c2', 'docker', True, None), ('docker-bridges', 'nat-postrouting-out__r-c1', 'docker', False, None)]" ] ||
	fail "rules seen through the verdict maps: $(rules before)"
kept=$(preserved_ports c1)
[ "$kept" -ge 45 ] || fail "plain masquerade kept only $kept of 50 source ports (the lab does not show the difference)"

fix --random-fully --yes >"$T/out" 2>&1 || fail "fix: $(cat "$T/out")"
grep -q '^mirror ip docker-bridges nat-POSTROUTING' "$T/out" || fail "not mirrored: $(cat "$T/out")"
lab_exec r nft list table ip natscope >"$T/overlay"
grep -q 'map docker-bridges/nat-postrouting-out-jumps' "$T/overlay" || fail "map not recreated: $(cat "$T/overlay")"
grep -q '"r-c1" : jump docker-bridges/nat-postrouting-out__r-c1' "$T/overlay" || fail "map jumps not sent to the mirrors: $(cat "$T/overlay")"
grep -q 'iifname vmap @docker-bridges/nat-postrouting-out-jumps' "$T/overlay" || fail "base chain lookup: $(cat "$T/overlay")"
grep -q 'ip saddr 198.18.1.0/24 counter packets 0 bytes 0 masquerade fully-random' "$T/overlay" || fail "mirror rule: $(cat "$T/overlay")"
fix --random-fully --yes >"$T/again" 2>&1 && grep -q 'nothing to change' "$T/again" || fail "rerun: $(cat "$T/again")"

audit_json after
[ "$(rules after)" = "[('docker-bridges', 'nat-postrouting-in__r-c2', 'docker', True, 'covered'), ('docker-bridges', 'nat-postrouting-out__r-c1', 'docker', False, 'covered')]" ] ||
	fail "after fix: $(rules after)"
[ "$(finding "$T/after.json" snat_rules_random)" = ok ] || fail "snat_rules_random after fix: $(finding "$T/after.json" snat_rules_random)"
kept=$(preserved_ports c1)
[ "$kept" -le 5 ] || fail "through the mirrored maps c1 kept its source port in $kept of 50 flows"

# a new network: dockerd adds its bridge to the map
lab_exec r nft add element ip docker-bridges nat-postrouting-out-jumps '{ "r-c2" : jump nat-postrouting-out__r-c2 }' || fail "add element"
audit_json added
[ "$(json "$T/added.json" "[r['coverage'] for r in d['nat_rules']['rules'] if r['chain'] == 'nat-postrouting-out__r-c2'][0]")" = uncovered ] ||
	fail "the new bridge's rule: $(rules added)"
fix --random-fully --yes >"$T/out" 2>&1 || fail "fix again: $(cat "$T/out")"
kept=$(preserved_ports c2)
[ "$kept" -le 5 ] || fail "c2 kept its source port in $kept of 50 flows after the new bridge was mirrored"
fix --revert --yes >/dev/null 2>&1 || fail "revert"
lab_exec r nft list tables | grep -q natscope && fail "revert left natscope's table"
echo "fix/docker-bridges: all passed"
