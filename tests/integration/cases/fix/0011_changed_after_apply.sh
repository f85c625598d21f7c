#!/bin/bash
# The ruleset changes between apply and the read-back (issue 9, item 17): the batch was
# applied, so fix says so and exits 76, not 70 ("nothing applied"); a change that leaves
# the overlay current is no failure at all.
. "$TESTLIB/common.sh"
. "$TESTLIB/fix.sh"

lab_up "" answer || fail "lab setup"

# wait_overlay: until the batch is in (bounded: 10 s)
wait_overlay() {
	for _ in $(seq 100); do
		lab_exec r nft list tables 2>/dev/null | grep -q 'table ip natscope' && return 0
		sleep 0.1
	done
	fail "the overlay never appeared"
}

NATSCOPE_TEST_VERIFY_DELAY=3 fix --random-fully --yes >"$T/out" 2>&1 &
fp=$!
wait_overlay
lab_exec r nft add rule ip nat postrouting oifname "r-c1" masquerade
wait $fp
rc=$?
[ "$rc" = 76 ] || fail "a change after applying exited $rc: $(cat "$T/out")"
grep -q '^applied in one batch\.$' "$T/out" || fail "no word that it applied: $(cat "$T/out")"
grep -q 'but the ruleset has changed since' "$T/out" || fail "no clear message: $(cat "$T/out")"
lab_exec r nft list table ip natscope | grep -q 'oifname "r-s" masquerade fully-random' ||
	fail "the applied overlay is not in force"

# an unrelated change in the window: what is in force is still what was planned
fix --revert --yes >/dev/null 2>&1 || fail "revert"
NATSCOPE_TEST_VERIFY_DELAY=3 fix --random-fully --yes >"$T/out" 2>&1 &
fp=$!
wait_overlay
lab_exec r nft add table ip bystander
wait $fp || fail "an unrelated change after applying failed the run: $(cat "$T/out")"
echo "fix/changed after apply: all passed"
