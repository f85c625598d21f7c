#!/bin/bash
# An iptables-legacy nat table, invisible to nf_tables, is reported.
. "$TESTLIB/common.sh"
need_cmd iptables-legacy "package iptables"

NS=$LAB-nat
ip netns add "$NS" || fail "ip netns add"
case_cleanup() { ip netns del "$NS" 2>/dev/null; }
ip netns exec "$NS" iptables-legacy -t nat -A POSTROUTING -j MASQUERADE || fail "iptables-legacy"
"$NATSCOPE" --netns "$NS" audit -i 0 -f json >"$T/b.json"
[ "$(finding "$T/b.json" legacy_iptables_nat)" = warning ] || fail "legacy nat table not reported"
[ "$(json "$T/b.json" "d['nat_rules']['iptables_legacy_nat']['ipv4']")" = True ] || fail "legacy ipv4 flag"
echo "nat/iptables-legacy table: all passed"
