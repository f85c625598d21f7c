#!/bin/bash
# libnftables' text is lossy for one shape (issue 22, point 8): with iptables-nft `ip nat`
# and `ip6 nat` tables, `nft list ruleset` prints the ip6 MASQUERADE rule without its
# statement.  natscope then keeps its own rendering of that rule, with the statement,
# and says so, in audit's text and JSON; the ip rule keeps nft's text.
. "$TESTLIB/common.sh"
need_cmd ip6tables-nft "package iptables"

NS=$LAB-nat
ip netns add "$NS" || fail "ip netns add"
case_cleanup() { ip netns del "$NS" 2>/dev/null; }
ip netns exec "$NS" iptables-nft -t nat -A POSTROUTING -o wan -s 198.18.1.0/24 -j MASQUERADE || fail "iptables-nft"
ip netns exec "$NS" ip6tables-nft -t nat -A POSTROUTING -o wan -s 2001:db8:1::/64 -j MASQUERADE || fail "ip6tables-nft"
# the kernel's tool, as it is: the shape is still lossy there (else nothing is tested)
ip netns exec "$NS" nft list ruleset 2>/dev/null | grep -q 'ip6 saddr 2001:db8:1::/64 counter packets [0-9]* bytes [0-9]* *$' ||
	skip "nft lists the ip6 MASQUERADE whole here: the lossy shape is gone from libnftables"
"$NATSCOPE" --netns "$NS" audit -i 0 -f json >"$T/a.json"
python3 - "$T/a.json" <<'PY' || fail "rule texts: $(python3 -c "import json,sys; print([r['rule'] for r in json.load(open(sys.argv[1]))['nat_rules']['rules']])" "$T/a.json")"
import json, sys
rules = {r['family']: r['rule'] for r in json.load(open(sys.argv[1]))['nat_rules']['rules']}
assert rules['ip6'].startswith('oifname "wan" ip6 saddr 2001:db8:1::/64 ') and ' masquerade' in rules['ip6'], rules
assert rules['ip6'].endswith("(natscope's rendering: nft's listing lost the statement)"), rules
assert rules['ip'].endswith(' masquerade') and 'natscope' not in rules['ip'], rules
print('# ip6:', rules['ip6'])
PY
"$NATSCOPE" --netns "$NS" audit -i 0 >"$T/a.txt"
grep -q "masquerade (xt) (natscope's rendering: nft's listing lost the statement)$" "$T/a.txt" || fail "text: $(cat "$T/a.txt")"
echo "nat/lossy nft text: all passed"
