#!/bin/bash
# The overlay judged rule by rule, by effect (issue 10): rules that only changed order
# and never match the same packet are harmless (info, still covered); a source rule
# removed leaves a mirror that NATs what nothing asks for (critical: audit exits 2 and
# names it); a new source rule is uncovered (warning).  Text, JSON and metrics agree.
. "$TESTLIB/common.sh"
. "$TESTLIB/fix.sh"

lab_up "" answer || fail "lab setup"
lab_exec r nft -f - <<'NFT' || fail "ruleset"
flush chain ip nat postrouting
add rule ip nat postrouting ip saddr 198.18.1.0/24 oifname "r-s" masquerade
add rule ip nat postrouting ip saddr 198.18.2.0/24 oifname "r-s" masquerade
NFT
fix --random-fully --yes >"$T/out" 2>&1 || fail "fix: $(cat "$T/out")"

# audit_json NAME: audit as JSON into $T/NAME.json; its exit code in $rc
audit_json() { "$NATSCOPE" --netns "$LAB-r" audit -i 0 -f json >"$T/$1.json"; rc=$?; }
ev() { json "$T/$1.json" "[f['evidence']['$2'] for f in d['findings'] if f['id'] == 'nat_overlay_stale'][0]"; }

# a restart writes the same rules in the other order
lab_exec r nft -f - <<'NFT' || fail "reorder"
flush chain ip nat postrouting
add rule ip nat postrouting ip saddr 198.18.2.0/24 oifname "r-s" masquerade
add rule ip nat postrouting ip saddr 198.18.1.0/24 oifname "r-s" masquerade
NFT
audit_json reordered
[ "$(finding "$T/reordered.json" nat_overlay_stale)" = info ] || fail "reordered: $(finding "$T/reordered.json" nat_overlay_stale)"
[ "$(ev reordered stale_harmless)" = 4 ] || fail "reordered: stale_harmless $(ev reordered stale_harmless), want 4 (two rules, two mirrors)"
[ "$(finding "$T/reordered.json" snat_rules_random)" = ok ] || fail "reordered rules reported uncovered"
kept=$(preserved_ports)
[ "$kept" -le 5 ] || fail "reordered: the overlay stopped randomising ($kept of 50 kept their port)"

# a network removed: its mirror keeps masquerading c2
lab_exec r nft flush chain ip nat postrouting
lab_exec r nft add rule ip nat postrouting ip saddr 198.18.1.0/24 oifname "r-s" masquerade
audit_json removed
[ "$rc" = 2 ] || fail "a dangerous mirror must make audit exit 2, got $rc"
[ "$(finding "$T/removed.json" nat_overlay_stale)" = critical ] || fail "removed: not critical"
[ "$(ev removed dangerous)" = 1 ] || fail "removed: dangerous $(ev removed dangerous), want 1"
"$NATSCOPE" --netns "$LAB-r" audit -i 0 >"$T/removed.txt"
grep -q 'DANGEROUS: its source rule is gone or changed' "$T/removed.txt" || fail "text does not name the dangerous rule"
"$NATSCOPE" --netns "$LAB-r" audit -i 0 -f openmetrics >"$T/removed.prom"
grep -qx "natscope_overlay_rules{netns=\"$LAB-r\",state=\"dangerous\"} 1" "$T/removed.prom" || fail "metrics: $(grep overlay_rules "$T/removed.prom")"
fix --random-fully --yes >"$T/out" 2>&1 || fail "rebuild"
audit_json rebuilt
[ "$(finding "$T/rebuilt.json" nat_overlay_stale)" = ok ] || fail "rebuilt: not ok"

# a network added: uncovered until fix runs again
lab_exec r nft add rule ip nat postrouting ip saddr 198.18.2.0/24 oifname "r-s" masquerade
audit_json added
[ "$(finding "$T/added.json" nat_overlay_stale)" = warning ] || fail "added: not a warning"
[ "$(ev added uncovered)" = 1 ] || fail "added: uncovered $(ev added uncovered), want 1"
[ "$(finding "$T/added.json" snat_rules_random)" = warning ] || fail "added: the new rule is not reported"
echo "fix/coverage by effect: all passed"
