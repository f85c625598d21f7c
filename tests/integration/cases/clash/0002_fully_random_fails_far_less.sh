#!/bin/bash
# The same race with `masquerade fully-random` fails at least 5x less often, and audit
# does not blame the rule.
. "$TESTLIB/common.sh"
. "$TESTLIB/clash.sh"
need_cpus 2

run_scenario "" "$T/plain"
check_against_kernel "$T/plain"
plain=$(json "$T/plain.json" "d['stats']['totals']['insert_failed']")
[ "$plain" -ge 20 ] || fail "plain masquerade failed only $plain insertions; the scenario did not clash"
run_scenario "fully-random" "$T/random"
check_against_kernel "$T/random"
random=$(json "$T/random.json" "d['stats']['totals']['insert_failed']")
[ "$(finding "$T/random.json" snat_rules_random)" = ok ] ||
	fail "the fully-random rule is reported as lacking it"
echo "# insert_failed per $FLOWS flows: masquerade $plain, masquerade fully-random $random"
[ $((random * 5)) -le "$plain" ] || fail "fully-random $random is not far below plain $plain"
echo "clash/fully-random fails far less: all passed"
