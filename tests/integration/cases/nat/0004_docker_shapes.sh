#!/bin/bash
# Docker's iptables-nft rules are Docker's whatever its bridge is called (issue 10): the
# per-network rule of a custom-named bridge, the hairpin rule per published port and the
# addrtype rule of userland-proxy=false (moby's rules, written with iptables-nft as dockerd
# 20.10 writes them).  Hairpin rules are reported as such and do not make
# snat_rules_random warn on their own.
. "$TESTLIB/common.sh"
need_cmd iptables-nft "package iptables"

NS=$LAB-nat
ip netns add "$NS" || fail "ip netns add"
case_cleanup() { ip netns del "$NS" 2>/dev/null; }
in_ns() { ip netns exec "$NS" "$@"; }
audit_json() { "$NATSCOPE" --netns "$NS" audit -i 0 -f json >"$T/$1.json"; }
rules() { json "$T/$1.json" "sorted((r['owner'], r['hairpin']) for r in d['nat_rules']['rules'])"; }
ev() { json "$T/$1.json" "[f['evidence']['$2'] for f in d['findings'] if f['id'] == 'snat_rules_random'][0]"; }

in_ns iptables-nft -t nat -A POSTROUTING -s 10.5.0.2/32 -d 10.5.0.2/32 -p tcp --dport 80 -j MASQUERADE || fail "iptables-nft"
audit_json hairpin
[ "$(rules hairpin)" = "[('docker', True)]" ] || fail "hairpin rule: $(rules hairpin)"
[ "$(finding "$T/hairpin.json" snat_rules_random)" = info ] || fail "hairpin only: $(finding "$T/hairpin.json" snat_rules_random)"
[ "$(ev hairpin hairpin_only)" = 1 ] || fail "hairpin_only evidence"
"$NATSCOPE" --netns "$NS" audit -i 0 >"$T/hairpin.txt"
grep -q 'NOT fully-random (hairpin only: no clash risk)' "$T/hairpin.txt" || fail "text: $(cat "$T/hairpin.txt")"

in_ns iptables-nft -t nat -A POSTROUTING -s 10.5.0.0/16 ! -o mybridge -j MASQUERADE
in_ns iptables-nft -t nat -A POSTROUTING -o mybridge -m addrtype --src-type LOCAL -j MASQUERADE
in_ns iptables-nft -t nat -A POSTROUTING -s 10.6.0.0/16 -d 10.7.0.1/32 -j MASQUERADE
audit_json all
[ "$(rules all)" = "[('docker', False), ('docker', False), ('docker', True), ('unknown', False)]" ] ||
	fail "owners: $(rules all)"
[ "$(finding "$T/all.json" snat_rules_random)" = warning ] || fail "all: $(finding "$T/all.json" snat_rules_random)"
[ "$(ev all not_fully_random)" = 3 ] || fail "not_fully_random $(ev all not_fully_random), want 3"
[ "$(ev all hairpin_only)" = 1 ] || fail "hairpin_only $(ev all hairpin_only), want 1"
echo "nat/docker shapes: all passed"
