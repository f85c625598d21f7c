#!/bin/bash
# The overlay judged by effect (issue 22, points 1-3), with the kernel as the judge.  After
# fix, the source rules change: an exclusion inserted before the masquerade, the
# exclusion removed again, a source prefix widened, then narrowed.  After each change
# tests/lib/oracle.sh runs the router's rules with natscope's overlay (B) and alone (A),
# and conntrack -L says, for each client, whether its flows were NAT'd and whether they
# kept their source ports.  Where A and B NAT a client differently, audit must call the
# overlay dangerous (critical); where A NATs a client keeping its ports and B does the
# same, a source rule must be uncovered (warning); and nothing else may be called
# dangerous (every traffic class here is one the probes send).  After fix runs again, A
# and B agree and B's ports are random.
. "$TESTLIB/common.sh"
. "$TESTLIB/fix.sh"
. "$TESTLIB/oracle.sh"

lab_up "" answer || fail "lab setup"
# the source: c1's and c2's subnets masqueraded, one rule each side of nothing
lab_exec r nft flush chain ip nat postrouting
lab_exec r nft add rule ip nat postrouting oifname r-s ip saddr 198.18.1.0/24 masquerade
lab_exec r nft add rule ip nat postrouting oifname r-s ip saddr 198.18.2.0/24 masquerade

fix --random-fully --yes --sample 0 >"$T/out" 2>&1 || fail "fix: $(cat "$T/out")"
oracle_judge "as fixed"

# 1. an exclusion inserted before the masquerade: c1 is no longer NAT'd by the source
h=$(lab_exec r nft -a list chain ip nat postrouting | sed -n 's/.*198\.18\.1\.0\/24 masquerade # handle \([0-9]*\)/\1/p')
lab_exec r nft insert rule ip nat postrouting position "$h" ip saddr 198.18.1.0/24 return || fail "insert"
oracle_judge "an exclusion inserted"
[ "$(json "$T/oa.json" "[f['severity'] for f in d['findings'] if f['id'] == 'nat_overlay_stale'][0]")" = critical ] ||
	fail "the inserted exclusion is not called dangerous"
oracle_refix "an exclusion inserted"

# 2. the exclusion removed again: the source NATs c1 again, and the overlay lets it through
x=$(lab_exec r nft -a list chain ip nat postrouting | sed -n 's/.*198\.18\.1\.0\/24 return # handle \([0-9]*\)/\1/p')
lab_exec r nft delete rule ip nat postrouting handle "$x" || fail "delete"
oracle_judge "the exclusion removed"
oracle_refix "the exclusion removed"

# 3. c1's prefix widened to c1's and c2's: the mirror NATs c1 as the source does, c2 is
# NAT'd by both rules' sources without fully-random
lab_exec r nft flush chain ip nat postrouting
lab_exec r nft add rule ip nat postrouting oifname r-s ip saddr 198.18.1.0/24 masquerade
fix --random-fully --yes --sample 0 >"$T/out" 2>&1 || fail "fix: $(cat "$T/out")"
lab_exec r nft flush chain ip nat postrouting
lab_exec r nft add rule ip nat postrouting oifname r-s ip saddr 198.18.0.0/22 masquerade
oracle_judge "a prefix widened"
[ "$(json "$T/oa.json" "[f['severity'] for f in d['findings'] if f['id'] == 'nat_overlay_stale'][0]")" = warning ] ||
	fail "the widened prefix is not a warning"
oracle_refix "a prefix widened"

# 4. ... and narrowed back: the mirror of the /22 NATs c2, which the source no longer does
lab_exec r nft flush chain ip nat postrouting
lab_exec r nft add rule ip nat postrouting oifname r-s ip saddr 198.18.1.0/24 masquerade
oracle_judge "a prefix narrowed"
oracle_refix "a prefix narrowed"

# here every dangerous verdict must show in a probe: each traffic class is one the probes send
[ "$(oracle_unrefuted)" = 0 ] || fail "dangerous verdicts no probe confirmed: $(oracle_unrefuted)"
fix --revert --yes >/dev/null 2>&1 || fail "revert"
echo "fix/judged by effect: all passed"
