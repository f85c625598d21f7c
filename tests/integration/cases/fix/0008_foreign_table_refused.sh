#!/bin/bash
# Someone else's table named natscope is never touched: no comment, a comment that only
# starts like natscope's mark (issue 9, item 15), a mark of an unknown version, or a
# comment attribute without its terminating NUL (issue 9, item 5: read within its length).
. "$TESTLIB/common.sh"
. "$TESTLIB/fix.sh"

ip netns add "$LAB-r" || fail "netns"
lab_exec r nft -f "$RULESETS/fix_families.nft" || fail "nft -f"

# refused HOW: fix, fix --revert and audit leave that table and everything else alone.
refused() {
	local before
	before=$(ruleset)
	fix --random-fully --yes >"$T/out" 2>&1
	[ $? = 65 ] && grep -q "without natscope's mark" "$T/out" || fail "$1: fix: $(cat "$T/out")"
	fix --revert --yes >"$T/out" 2>&1
	[ $? = 65 ] || fail "$1: --revert of a foreign natscope table: $(cat "$T/out")"
	"$NATSCOPE" --netns "$LAB-r" audit -i 0 -f json >"$T/a.json" || [ $? -lt 64 ] || fail "$1: audit failed"
	[ "$(json "$T/a.json" "d['nat_rules']['overlay']")" = False ] || fail "$1: audit took the table for natscope's"
	[ "$(ruleset)" = "$before" ] || fail "$1: the ruleset changed"
	lab_exec r nft delete table ip natscope || fail "$1: cleanup"
	info "$1: refused"
}

lab_exec r nft add table ip natscope
refused "no comment"
lab_exec r nft add table ip natscope '{ comment "natscope-managed v2 by hand"; }'
refused "the mark as a prefix"
lab_exec r nft add table ip natscope '{ comment "natscope-managed v9"; }'
refused "unknown version"

# nft 1.0.6 itself crashes on such a table (it reads the comment as a C string), so the
# generation id, which only a change moves, stands for the ruleset here.
lab_exec r "$RAWTABLE" "natscope-managed v2" || fail "rawtable"
genid() { "$NATSCOPE" --netns "$LAB-r" audit -i 0 -f json >"$T/g.json"; json "$T/g.json" "d['nat_rules']['genid']"; }
before=$(genid)
fix --random-fully --yes >"$T/out" 2>&1
[ $? = 65 ] || fail "NUL-less comment: fix: $(cat "$T/out")"
fix --revert --yes >"$T/out" 2>&1
[ $? = 65 ] || fail "NUL-less comment: --revert: $(cat "$T/out")"
[ "$(json "$T/g.json" "d['nat_rules']['overlay']")" = False ] || fail "NUL-less comment taken for the mark"
[ "$(genid)" = "$before" ] || fail "NUL-less comment: the ruleset changed"
info "comment without its NUL: refused"
echo "fix/foreign table refused: all passed"
