#!/bin/bash
# Someone else's table named natscope (no ownership mark) is never touched.
. "$TESTLIB/common.sh"
. "$TESTLIB/fix.sh"

ip netns add "$LAB-r" || fail "netns"
lab_exec r nft -f "$RULESETS/fix_families.nft" || fail "nft -f"
lab_exec r nft add table ip natscope
before=$(ruleset)
fix --random-fully --yes >"$T/out" 2>&1
[ $? = 65 ] && grep -q "without natscope's mark" "$T/out" || fail "foreign natscope table: $(cat "$T/out")"
fix --revert --yes >"$T/out" 2>&1
[ $? = 65 ] || fail "--revert of a foreign natscope table: $(cat "$T/out")"
[ "$(ruleset)" = "$before" ] || fail "the ruleset changed"
echo "fix/foreign table refused: all passed"
