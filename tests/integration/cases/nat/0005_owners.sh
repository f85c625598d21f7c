#!/bin/bash
# Source-NAT rules named after the software that wrote them (issue 22, point 9): OpenWrt's
# fw4, LXD's nftables driver and Cilium's iptables rules, loaded as they write them, are
# listed with owners fw4, lxd and cilium in audit's JSON and text.
. "$TESTLIB/common.sh"
need_cmd iptables-nft-restore "package iptables"

NS=$LAB-nat
ip netns add "$NS" || fail "ip netns add"
case_cleanup() { ip netns del "$NS" 2>/dev/null; }
ip netns exec "$NS" nft -f "$RULESETS/owners_fw4_lxd.nft" || fail "fw4 and LXD's tables"
ip netns exec "$NS" iptables-nft-restore --noflush <"$RULESETS/owners_cilium.rules" || fail "Cilium's rules"

"$NATSCOPE" --netns "$NS" audit -i 0 -f json >"$T/a.json"
python3 - "$T/a.json" <<'PY' || fail "owners: $(python3 -c "import json,sys; print([(r['table'], r['chain'], r['owner']) for r in json.load(open(sys.argv[1]))['nat_rules']['rules']])" "$T/a.json")"
import json, sys
rules = json.load(open(sys.argv[1]))['nat_rules']['rules']
got = sorted((r['table'], r['chain'], r['owner']) for r in rules)
assert got == [('fw4', 'srcnat_wan', 'fw4'), ('lxd', 'pstrt.lxdbr0', 'lxd'),
               ('nat', 'CILIUM_POST_nat', 'cilium')], got
print('# owners:', got)
PY
"$NATSCOPE" --netns "$NS" audit -i 0 >"$T/a.txt"
for o in "inet fw4 srcnat_wan handle [0-9]* (fw4," "inet lxd pstrt.lxdbr0 handle [0-9]* (lxd," \
	"ip nat CILIUM_POST_nat handle [0-9]* (cilium,"; do
	grep -q "^  $o" "$T/a.txt" || fail "text: no '$o': $(grep -A8 'SOURCE-NAT RULES' "$T/a.txt")"
done
echo "nat/owners: all passed"
