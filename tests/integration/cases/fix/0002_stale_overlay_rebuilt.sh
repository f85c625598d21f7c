#!/bin/bash
# A source change makes the overlay stale (audit warns, the new rule is uncovered); a rerun
# rebuilds it atomically to mirror both rules.
. "$TESTLIB/common.sh"
. "$TESTLIB/fix.sh"

lab_up "" answer || fail "lab setup"
fix --random-fully --yes >/dev/null 2>&1 || fail "apply"
lab_exec r nft add rule ip nat postrouting oifname "r-c2" masquerade
"$NATSCOPE" --netns "$LAB-r" audit -i 0 -f json >"$T/b.json"
[ "$(finding "$T/b.json" nat_overlay_stale)" = warning ] || fail "stale overlay not reported"
[ "$(finding "$T/b.json" snat_rules_random)" = warning ] || fail "uncovered rules not reported"
fix --random-fully --yes >"$T/out" 2>&1 || fail "rebuild failed"
[ "$(lab_exec r nft list table ip natscope | grep -c 'masquerade fully-random')" = 2 ] ||
	fail "rebuilt overlay does not mirror both rules"
"$NATSCOPE" --netns "$LAB-r" audit -i 0 -f json >"$T/c.json"
[ "$(finding "$T/c.json" nat_overlay_stale)" = ok ] || fail "rebuilt overlay still stale"
echo "fix/stale overlay rebuilt: all passed"
