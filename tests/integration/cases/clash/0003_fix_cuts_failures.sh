#!/bin/bash
# natscope fix --random-fully on the plain masquerade router: the overlay takes the race's
# insertion failures to at most a fifth, and audit says the rule is covered.
. "$TESTLIB/common.sh"
. "$TESTLIB/clash.sh"
need_cpus 2

run_scenario "" "$T/plain"
check_against_kernel "$T/plain"
plain=$(json "$T/plain.json" "d['stats']['totals']['insert_failed']")
[ "$plain" -ge 20 ] || fail "plain masquerade failed only $plain insertions; the scenario did not clash"
run_scenario "" "$T/fixed" fix
check_against_kernel "$T/fixed"
fixed=$(json "$T/fixed.json" "d['stats']['totals']['insert_failed']")
[ "$(finding "$T/fixed.json" snat_rules_random)" = ok ] || fail "the overlay does not cover the plain rule"
echo "# insert_failed per 100,000 flows: before fix $(per100k "$plain"), after natscope fix $(per100k "$fixed")"
[ $((fixed * 5)) -le "$plain" ] || fail "after fix $fixed is not at most a fifth of $plain"
echo "clash/fix cuts failures: all passed"
