#!/bin/bash
# An iptables-legacy nat table, invisible to nf_tables, is reported; its rules read as
# iptables-legacy-save prints them, ranges and flags included (issue 22, point 9: the
# text dropped --to-ports and --to-source).
. "$TESTLIB/common.sh"
need_cmd iptables-legacy "package iptables"

NS=$LAB-nat
ip netns add "$NS" || fail "ip netns add"
case_cleanup() { ip netns del "$NS" 2>/dev/null; }
ip netns exec "$NS" iptables-legacy -t nat -A POSTROUTING -j MASQUERADE || fail "iptables-legacy"
"$NATSCOPE" --netns "$NS" audit -i 0 -f json >"$T/b.json"
[ "$(finding "$T/b.json" legacy_iptables_nat)" = warning ] || fail "legacy nat table not reported"
[ "$(json "$T/b.json" "d['nat_rules']['iptables_legacy_nat']['ipv4']")" = True ] || fail "legacy ipv4 flag"

# every range and flag of MASQUERADE and SNAT, both families, byte for byte
ip netns exec "$NS" sh -e <<'SH' || fail "legacy rules"
iptables-legacy -t nat -A POSTROUTING -o eth0 -p tcp -j MASQUERADE --to-ports 1024-65535
iptables-legacy -t nat -A POSTROUTING -o eth0 -p udp -j MASQUERADE --to-ports 2000 --random
iptables-legacy -t nat -A POSTROUTING -s 198.18.1.0/24 -p udp -j SNAT --to-source 198.18.9.1-198.18.9.3:20000-20999 --random-fully --persistent
iptables-legacy -t nat -A POSTROUTING -s 198.18.2.0/24 -j SNAT --to-source 198.18.9.1
ip6tables-legacy -t nat -A POSTROUTING -p udp -j SNAT --to-source [2001:db8::1]:1000-2000
ip6tables-legacy -t nat -A POSTROUTING -j SNAT --to-source 2001:db8::1-2001:db8::5
SH
"$NATSCOPE" --netns "$NS" audit -i 0 -f json >"$T/r.json"
{
	ip netns exec "$NS" iptables-legacy-save -t nat
	ip netns exec "$NS" ip6tables-legacy-save -t nat
} | sed -n 's/^-A POSTROUTING //p' >"$T/save"
python3 - "$T/r.json" "$T/save" <<'PY' || fail "legacy rule text differs from iptables-legacy-save"
import json, sys
rules = [r['rule'] for r in json.load(open(sys.argv[1]))['nat_rules']['rules'] if r['backend'] == 'iptables-legacy']
save = [l.rstrip('\n') for l in open(sys.argv[2])]
assert rules == save, (rules, save)
print(f"# {len(rules)} legacy rules read as iptables-legacy-save prints them")
PY
echo "nat/iptables-legacy table: all passed"
