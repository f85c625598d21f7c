#!/bin/bash
# natscope's source-NAT rule list against the kernel's own view (nft -a list ruleset,
# iptables-nft-save): iptables-nft Docker-style rules, native ip/ip6/inet rules, a jump to
# a user chain, an unreachable chain and a prerouting chain.
. "$TESTLIB/common.sh"
need_cmd iptables-nft "package iptables"

NS=$LAB-nat
ip netns add "$NS" || fail "ip netns add"
case_cleanup() { ip netns del "$NS" 2>/dev/null; }
in_ns() { ip netns exec "$NS" "$@"; }
in_ns iptables-nft -t nat -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE || fail "iptables-nft"
in_ns iptables-nft -t nat -A POSTROUTING -s 10.0.0.0/8 -j MASQUERADE --random-fully
in_ns iptables-nft -t nat -A POSTROUTING -s 10.1.0.0/16 -p udp -j SNAT --to-source 192.0.2.1:2000-3000
in_ns nft -f "$RULESETS/nat_mixed.nft" || fail "nft -f"

"$NATSCOPE" --netns "$NS" audit -i 0 -f json >"$T/a.json"
rc=$?

# The kernel's view: every masquerade/snat statement with its handle, from nft's listing.
in_ns nft -a list ruleset >"$T/ruleset.txt"
python3 - "$T/ruleset.txt" "$T/a.json" <<'PY' || fail "rule list differs from nft -a list ruleset"
import json, re, sys
want, texts = set(), {}
fam = table = chain = None
for line in open(sys.argv[1]):
    m = re.match(r'table (\S+) (\S+)', line.strip())
    if m:
        fam, table = m.groups(); continue
    m = re.match(r'chain (\S+)', line.strip())
    if m:
        chain = m.group(1); continue
    m = re.search(r'\b(masquerade|snat)\b.*# handle (\d+)', line)
    if m and chain not in ('unused',):
        want.add((fam, table, chain, int(m.group(2)), 'fully-random' in line))
        # issue 10: the rule's text is nft's own, to the byte
        texts[(fam, table, int(m.group(2)))] = line.strip().rsplit(' # handle ', 1)[0]
d = json.load(open(sys.argv[2]))
got = {(r['family'], r['table'], r['chain'], r['handle'], r['fully_random'])
       for r in d['nat_rules']['rules']}
print("# nft:      ", sorted(want))
print("# natscope: ", sorted(got))
if want != got:
    sys.exit(f"missing {sorted(want - got)}, extra {sorted(got - want)}")
for r in d['nat_rules']['rules']:
    nft = texts[(r['family'], r['table'], r['handle'])]
    if r['rule'] != nft:
        sys.exit(f"rule text {r['rule']!r}, nft writes {nft!r}")
# unreachable chain and the dnat in prerouting are not source NAT
assert not any(r['chain'] in ('unused', 'pre') for r in d['nat_rules']['rules'])
assert d['nat_rules']['postrouting_nat_chains'] == 3, d['nat_rules']['postrouting_nat_chains']
PY
info "ok: natscope lists exactly the reachable masquerade/snat statements nft lists"

# Flags of the iptables-nft rules, against iptables-nft-save.
saved_random=$(in_ns iptables-nft-save -t nat | grep -c -- '--random-fully')
ours_random=$(json "$T/a.json" "sum(r['compat'] and r['fully_random'] for r in d['nat_rules']['rules'])")
[ "$saved_random" = "$ours_random" ] || fail "compat fully-random: iptables-nft-save $saved_random, natscope $ours_random"
info "ok: compat rules with --random-fully: $ours_random"
[ "$(json "$T/a.json" "[r['owner'] for r in d['nat_rules']['rules'] if 'docker0' in r['rule']][0]")" = docker ] ||
	fail "Docker's rule not attributed to docker"
[ "$(json "$T/a.json" "[r['rule'] for r in d['nat_rules']['rules'] if r['chain'] == 'sub'][0]")" = \
	"meta l4proto udp snat ip to 198.51.100.7 fully-random" ] || fail "inet snat rendering"

# Findings: 4 of 6 rules lack fully-random, nothing is failing: warning, exit 1.
[ "$rc" = 1 ] || fail "audit exited $rc, want 1"
[ "$(json "$T/a.json" "[f['severity'] + ':' + str(f['evidence']['not_fully_random']) for f in d['findings'] if f['id'] == 'snat_rules_random'][0]")" = warning:4 ] ||
	fail "snat_rules_random finding wrong"
[ "$(finding "$T/a.json" legacy_iptables_nat)" = ok ] || fail "legacy finding before any legacy table"
echo "nat/rule list matches nft: all passed"
