#!/bin/bash
# The ruleset changes between plan and apply: the generation-bound batch is refused whole
# (exit 75) and nothing is applied.
. "$TESTLIB/common.sh"
. "$TESTLIB/fix.sh"

lab_up "" answer || fail "lab setup"
lab_exec r nft add rule ip nat postrouting oifname "r-c1" masquerade
before=$(ruleset)
NATSCOPE_TEST_APPLY_DELAY=1.5 fix --random-fully --yes >"$T/out" 2>&1 &
fp=$!
# fix has read and planned once its sample ends ("before: ..."); the change lands after
# that, while the apply waits (or, on a slow machine, before the plan is checked again:
# refused the same way, said differently)
for i in $(seq 100); do
	grep -q '^before:' "$T/out" && break
	sleep 0.05
done
grep -q '^before:' "$T/out" || fail "fix never ended its sample: $(cat "$T/out")"
lab_exec r nft add table ip bystander
wait $fp
rc=$?
[ "$rc" = 75 ] || fail "apply after a concurrent change exited $rc: $(cat "$T/out")"
grep -q 'nothing was applied' "$T/out" || fail "no clear message: $(cat "$T/out")"
info "refused: $(grep 'nothing was applied' "$T/out")"
lab_exec r nft delete table ip bystander
[ "$(ruleset)" = "$before" ] || fail "something was applied despite the generation change"
echo "fix/concurrent change applies nothing: all passed"
