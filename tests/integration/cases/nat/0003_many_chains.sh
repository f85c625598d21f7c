#!/bin/bash
# 300 chains reached by jumps, each with a masquerade (issue 9, item 18): audit lists all
# 300 rules, says "300 of 300", and where a finding names only some of them it says how
# many it left out; fix mirrors all 301 chains and audit then finds them all covered.
. "$TESTLIB/common.sh"
. "$TESTLIB/fix.sh"

ip netns add "$LAB-r" || fail "netns"
python3 - >"$T/many.nft" <<'PY'
n = 300
print("table ip nat {\n\tchain post {\n\t\ttype nat hook postrouting priority srcnat; policy accept;")
for i in range(n):
    print(f"\t\tjump c{i}")
print("\t}")
for i in range(n):
    print(f"\tchain c{i} {{\n\t\tip saddr 10.{i // 250}.{i % 250}.1 masquerade\n\t}}")
print("}")
PY
lab_exec r nft -f "$T/many.nft" || fail "nft -f"
"$NATSCOPE" --netns "$LAB-r" audit -i 0 -f json >"$T/a.json" || [ $? -lt 64 ] || fail "audit"
[ "$(json "$T/a.json" "len(d['nat_rules']['rules'])")" = 300 ] || fail "audit lists $(json "$T/a.json" "len(d['nat_rules']['rules'])") rules, want 300"
f="[f for f in d['findings'] if f['id'] == 'snat_rules_random'][0]"
[ "$(json "$T/a.json" "$f['evidence']['snat_rules']")" = 300 ] || fail "snat_rules evidence"
[ "$(json "$T/a.json" "$f['evidence']['not_fully_random']")" = 300 ] || fail "not_fully_random evidence"
[ "$(json "$T/a.json" "len($f['rules']) + $f['rules_omitted']")" = 300 ] || fail "the finding's rules do not add up to 300"
"$NATSCOPE" --netns "$LAB-r" audit -i 0 >"$T/a.txt" || [ $? -lt 64 ] || fail "audit text"
grep -q '300 of 300 source-NAT rules lack' "$T/a.txt" || fail "text summary: $(grep -i 'source-NAT' "$T/a.txt")"
grep -q 'rules (the first 8 of 300; SOURCE-NAT RULES lists all)' "$T/a.txt" || fail "no word of the rules left out"
[ "$(sed -n '/^SOURCE-NAT RULES/,/^$/p' "$T/a.txt" | grep -c masquerade)" = 300 ] || fail "the text lists fewer than 300 rules"

fix --random-fully --dry-run >"$T/d.nft" 2>/dev/null || fail "dry-run"
lab_exec r nft -c -f "$T/d.nft" || fail "nft -c rejects the script"
fix --random-fully --yes >"$T/out" 2>&1 || fail "fix: $(cat "$T/out")"
grep -q '300 statements made fully-random, 301 chains' "$T/out" || fail "mirror: $(grep mirror "$T/out")"
"$NATSCOPE" --netns "$LAB-r" audit -i 0 -f json >"$T/b.json"
[ "$(json "$T/b.json" "$f['evidence']['covered_by_overlay']")" = 300 ] || fail "not all 300 covered"
echo "nat/many chains: all passed"
