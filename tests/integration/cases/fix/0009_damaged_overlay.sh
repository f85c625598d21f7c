#!/bin/bash
# The overlay is judged by what it holds, not by its mark (issue 9, item 13): emptied by
# hand, edited to drop fully-random, or made dormant, it is reported stale by audit, the
# source rule uncovered, and fix rebuilds it; with the mirror emptied ports are preserved
# again, and after the rebuild they are random.
. "$TESTLIB/common.sh"
. "$TESTLIB/fix.sh"

lab_up "" answer || fail "lab setup"
fix --random-fully --yes >/dev/null 2>&1 || fail "apply"
mark=$(lab_exec r nft list table ip natscope | grep -o 'comment "[^"]*"')

# damaged(): audit calls the overlay stale and the rule uncovered; fix plans a rebuild.
damaged() {
	"$NATSCOPE" --netns "$LAB-r" audit -i 0 -f json >"$T/a.json" || [ $? -lt 64 ] || fail "audit failed"
	[ "$(finding "$T/a.json" nat_overlay_stale)" = warning ] || fail "$1: overlay not reported stale"
	[ "$(finding "$T/a.json" snat_rules_random)" = warning ] || fail "$1: source rule reported covered"
	fix --random-fully --dry-run >"$T/d.nft" 2>/dev/null || fail "$1: dry-run failed"
	grep -q '^delete table ip natscope$' "$T/d.nft" || fail "$1: no rebuild planned: $(cat "$T/d.nft")"
	fix --random-fully --yes >"$T/out" 2>&1 || fail "$1: rebuild failed: $(cat "$T/out")"
	grep -q 'nothing to change' "$T/out" && fail "$1: fix said nothing to change"
	"$NATSCOPE" --netns "$LAB-r" audit -i 0 -f json >"$T/b.json"
	[ "$(finding "$T/b.json" nat_overlay_stale)" = ok ] || fail "$1: rebuilt overlay still stale"
	info "$1: reported stale and rebuilt"
}

lab_exec r nft flush chain ip natscope nat/postrouting || fail "flush"
lab_exec r nft list table ip natscope | grep -q "$mark" || fail "the mark went with the rules"
kept=$(preserved_ports)
[ "$kept" -ge 45 ] || fail "an empty mirror should leave ports preserved (kept $kept of 50)"
damaged "mirror flushed"
kept=$(preserved_ports)
[ "$kept" -le 5 ] || fail "after the rebuild $kept of 50 flows kept their port"

lab_exec r nft flush chain ip natscope nat/postrouting || fail "flush"
lab_exec r nft add rule ip natscope nat/postrouting oifname "r-s" masquerade || fail "edit"
damaged "fully-random removed"

lab_exec r nft add table ip natscope '{ flags dormant; }' || fail "dormant"
damaged "table dormant"

# counters that moved are not damage
kept=$(preserved_ports)
fix --random-fully --yes >"$T/out" 2>&1 || fail "rerun failed"
grep -q 'nothing to change' "$T/out" || fail "counters made the overlay look stale: $(cat "$T/out")"
echo "fix/damaged overlay: all passed"
