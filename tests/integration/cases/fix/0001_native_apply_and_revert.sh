#!/bin/bash
# fix --random-fully on a native masquerade: dry-run changes nothing and nft -c accepts
# it; without --yes and a terminal it refuses; applied, ports become random while table ip
# nat stays byte-identical; a rerun is a no-op; --revert restores the ruleset exactly.
. "$TESTLIB/common.sh"
. "$TESTLIB/fix.sh"

lab_up "" answer || fail "lab setup"
before_nat=$(lab_exec r nft -j list table ip nat)
orig=$(ruleset)
kept=$(preserved_ports)
info "plain masquerade: $kept of 50 flows kept their source port"
[ "$kept" -ge 45 ] || fail "plain masquerade should preserve ports (kept $kept of 50)"

fix --random-fully --dry-run >"$T/dry.nft" 2>"$T/dry.err" || fail "dry-run failed: $(cat "$T/dry.err")"
[ "$(ruleset)" = "$orig" ] || fail "--dry-run changed the ruleset"
lab_exec r nft -c -f "$T/dry.nft" || fail "nft -c rejects the dry-run script"
grep -q 'masquerade fully-random' "$T/dry.nft" || fail "dry-run script lacks the fully-random mirror"
grep -q 'fully-random gives up source-port preservation' "$T/dry.err" || fail "no word on what fully-random costs"

fix --random-fully </dev/null >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 64 ] && grep -q 'without --yes' "$T/err" || fail "no tty and no --yes: exit $rc, $(cat "$T/err")"
[ "$(ruleset)" = "$orig" ] || fail "refused run changed the ruleset"

fix --random-fully --yes >"$T/out" 2>&1 || fail "fix failed: $(cat "$T/out")"
grep -q '\[natscope\]' "$T/out" || fail "fix did not print what is in force"
[ "$(lab_exec r nft -j list table ip nat)" = "$before_nat" ] || fail "table ip nat changed"
lab_exec r nft list table ip natscope | grep -q 'oifname "r-s" masquerade fully-random' ||
	fail "overlay rule missing"
lab_exec r nft list table ip natscope | grep -Eq 'priority (99|srcnat - 1);' || fail "overlay not at priority srcnat - 1"
kept=$(preserved_ports)
info "after fix: $kept of 50 flows kept their source port"
[ "$kept" -le 5 ] || fail "after fix, $kept of 50 flows kept their source port (want random ports)"

"$NATSCOPE" --netns "$LAB-r" audit -i 0 -f json >"$T/a.json"
[ "$(finding "$T/a.json" snat_rules_random)" = ok ] || fail "covered rule still reported"
[ "$(finding "$T/a.json" nat_overlay_stale)" = ok ] || fail "fresh overlay reported stale"

applied=$(ruleset)
fix --random-fully --yes >"$T/out" 2>&1 || fail "second run failed"
grep -q 'nothing to change' "$T/out" || fail "second run was not a no-op: $(cat "$T/out")"
[ "$(ruleset)" = "$applied" ] || fail "second run changed the ruleset"

fix --revert --yes >"$T/out" 2>&1 || fail "revert failed: $(cat "$T/out")"
[ "$(ruleset)" = "$orig" ] || fail "after --revert the ruleset differs from the original"
echo "fix/native apply and revert: all passed"
