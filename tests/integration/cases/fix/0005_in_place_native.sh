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
echo "fix/in-place native: all passed"
