#!/bin/bash
# --in-place on a native rule: replaced by handle with fully-random, no natscope table,
# ports random, a rerun is a no-op.
. "$TESTLIB/common.sh"
. "$TESTLIB/fix.sh"

lab_up "" answer || fail "lab setup"
fix --random-fully --in-place --dry-run >"$T/ip.nft" 2>/dev/null || fail "in-place dry-run"
lab_exec r nft -c -f "$T/ip.nft" || fail "nft -c rejects the in-place script"
grep -q '^replace rule ip nat postrouting handle [0-9]* oifname "r-s" masquerade fully-random$' "$T/ip.nft" ||
	fail "in-place script: $(cat "$T/ip.nft")"
fix --random-fully --in-place --yes >"$T/out" 2>&1 || fail "in-place: $(cat "$T/out")"
lab_exec r nft list table ip nat | grep -q 'oifname "r-s" masquerade fully-random' || fail "rule not replaced"
lab_exec r nft list tables | grep -q natscope && fail "--in-place made a natscope table"
kept=$(preserved_ports)
[ "$kept" -le 5 ] || fail "after --in-place, $kept of 50 kept their port"
fix --random-fully --in-place --yes >"$T/out" 2>&1 || fail "in-place rerun"
grep -q 'nothing to change' "$T/out" || fail "in-place rerun not a no-op"

# a rule natscope cannot write in nft syntax: the dry-run refuses in one line naming it,
# never a commented line that nft -f would skip (issue 10)
lab_exec r nft add rule ip nat postrouting meta cpu 1 masquerade || fail "nft add rule"
h=$(lab_exec r nft -a list chain ip nat postrouting | sed -n 's/.*meta cpu 1 masquerade # handle \([0-9]*\)$/\1/p')
fix --random-fully --in-place --dry-run >"$T/x.nft" 2>"$T/x.err"
rc=$?
[ "$rc" = 65 ] || fail "in-place dry-run of an unwritable rule exited $rc: $(cat "$T/x.nft" "$T/x.err")"
[ -s "$T/x.nft" ] && fail "a script was printed: $(cat "$T/x.nft")"
grep -q "^natscope fix: the change cannot be written as an nft script that installs exactly what --yes would: ip nat postrouting handle $h has no exact nft syntax" "$T/x.err" ||
	fail "refusal: $(cat "$T/x.err")"
echo "fix/in-place native: all passed"
