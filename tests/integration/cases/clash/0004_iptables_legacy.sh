#!/bin/bash
# iptables-legacy NAT rules (issue 10): the clash race through a router whose masquerade
# rule is an iptables-legacy one.  audit lists the legacy rules as iptables-legacy-save
# writes them (Docker's shapes as Docker's, the hairpin rule as a hairpin) and reports
# snat_rules_random critical while insertions fail; fix --random-fully refuses in one
# line, exit 78, and changes nothing: never "nothing to change".
. "$TESTLIB/common.sh"
. "$TESTLIB/clash.sh"
need_cpus 2
need_cmd iptables-legacy "package iptables"

lab_up "" drop || fail "lab setup"
lab_exec r nft flush ruleset || fail "flush"
lab_exec r iptables-legacy -t nat -A POSTROUTING -o r-s -j MASQUERADE || fail "iptables-legacy"
lab_exec r iptables-legacy -t nat -A POSTROUTING -s 198.18.2.0/24 ! -o r-c2 -j MASQUERADE
lab_exec r iptables-legacy -t nat -A POSTROUTING -s 198.18.2.2/32 -d 198.18.2.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE
# an nf_tables rule that needs conntrack, so the namespace tracks (the legacy nat table
# alone does too, but the lab's other cases rely on this shape)
lab_exec r nft add table ip keep || fail "nft"

"$NATSCOPE" --netns "$LAB-r" audit -i $AUDIT_I -f json >"$T/a.json" &
ap=$!
sleep 0.5
lab_clash "$RAWFLOOD" $SPORTS $DPORTS || fail "flood did not complete"
wait $ap
failed=$(lab_ct_stat r insert_failed)
[ "$failed" -ge 20 ] || fail "the legacy masquerade failed only $failed insertions; the race did not clash"
info "insert_failed through the legacy masquerade: $failed of $FLOWS flows"

# the rules, against the kernel's own listing
lab_exec r iptables-legacy-save -t nat | sed -n 's/^-A POSTROUTING //p' >"$T/save"
python3 - "$T/a.json" "$T/save" <<'PY' || fail "legacy rules differ from iptables-legacy-save"
import json, sys
d = json.load(open(sys.argv[1]))
rules = [r for r in d['nat_rules']['rules'] if r['backend'] == 'iptables-legacy']
save = [l.strip() for l in open(sys.argv[2])]
assert [r['rule'] for r in rules] == save, ([r['rule'] for r in rules], save)
assert [r['handle'] for r in rules] == [1, 2, 3], rules
assert [(r['owner'], r['hairpin'], r['fully_random']) for r in rules] == \
    [('unknown', False, False), ('docker', False, False), ('docker', True, False)], rules
f = {f['id']: f for f in d['findings']}
assert f['snat_rules_random']['severity'] == 'critical', f['snat_rules_random']
assert f['snat_rules_random']['evidence']['not_fully_random'] == 2, f['snat_rules_random']
assert f['snat_rules_random']['evidence']['hairpin_only'] == 1, f['snat_rules_random']
assert f['legacy_iptables_nat']['evidence']['snat_rules'] == 3, f['legacy_iptables_nat']
PY

before=$(lab_exec r nft list ruleset)
for mode in --dry-run --yes; do
	"$NATSCOPE" --netns "$LAB-r" fix --random-fully $mode >"$T/fix.out" 2>"$T/fix.err"
	rc=$?
	[ "$rc" = 78 ] || fail "fix $mode exited $rc, want 78: $(cat "$T/fix.out" "$T/fix.err")"
	[ "$(wc -l <"$T/fix.err")" = 1 ] || fail "fix $mode: not one line: $(cat "$T/fix.err")"
	grep -q '^natscope fix: 3 iptables-legacy source-NAT rules lack --random-fully (ip nat POSTROUTING rule 1: -o r-s -j MASQUERADE)' "$T/fix.err" ||
		fail "fix $mode: $(cat "$T/fix.err")"
	grep -q 'nothing to change' "$T/fix.out" && fail "fix $mode said nothing to change"
done
[ "$(lab_exec r nft list ruleset)" = "$before" ] || fail "the refused fix changed the ruleset"

# with --random-fully on the legacy rules, fix has nothing to refuse
lab_exec r iptables-legacy -t nat -F POSTROUTING
lab_exec r iptables-legacy -t nat -A POSTROUTING -o r-s -j MASQUERADE --random-fully
"$NATSCOPE" --netns "$LAB-r" fix --random-fully --yes >"$T/ok.out" 2>&1 || fail "fix after --random-fully: $(cat "$T/ok.out")"
echo "clash/iptables-legacy: all passed"
