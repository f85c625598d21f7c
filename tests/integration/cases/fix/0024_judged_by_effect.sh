#!/bin/bash
# The overlay judged by effect (issue 22, points 1-3), with the kernel as the judge.  After
# fix, the source rules change: an exclusion inserted before the masquerade, the
# exclusion removed again, a source prefix widened, then narrowed.  After each change the
# lab runs two copies of the router's ruleset in turn: the source rules with natscope's
# overlay as it stands (B), and the source rules alone (A: the overlay's table taken out
# and put back byte for byte).  conntrack -L says, for each client, whether its flows were
# NAT'd and whether they kept their source ports.  Where A and B NAT a client
# differently, audit must call the overlay dangerous (critical); where A NATs a client
# keeping its ports and B does the same, a source rule must be uncovered (warning); and
# nothing else may be called dangerous.  After fix runs again, A and B agree and B's ports
# are random.
. "$TESTLIB/common.sh"
. "$TESTLIB/fix.sh"

lab_up "" answer || fail "lab setup"
# the source: c1's and c2's subnets masqueraded, one rule each side of nothing
lab_exec r nft flush chain ip nat postrouting
lab_exec r nft add rule ip nat postrouting oifname r-s ip saddr 198.18.1.0/24 masquerade
lab_exec r nft add rule ip nat postrouting oifname r-s ip saddr 198.18.2.0/24 masquerade

# probe: "c1:ADDR:KEPT c2:ADDR:KEPT", ADDR the reply's destination (the client itself, or
# r's 198.18.9.1 when NAT'd), KEPT how many of 50 flows kept their source port
probe() {
	local c out=""
	for c in c1 c2; do
		local kept
		kept=$(preserved_ports $c)
		out="$out $c:$(reply_addresses):$kept"
	done
	echo "${out# }"
}
# copies: B (as it stands) then A (the overlay's table out, then back as it was)
copies() {
	B=$(probe)
	lab_exec r nft list table ip natscope >"$T/overlay.nft" || fail "list natscope's table"
	lab_exec r nft delete table ip natscope
	A=$(probe)
	lab_exec r nft -f "$T/overlay.nft" || fail "natscope's table could not be put back"
}
# oracle WHAT: the kernel's verdict on A and B, against audit's
oracle() {
	local what=$1
	copies
	"$NATSCOPE" --netns "$LAB-r" audit -i 0 -f json >"$T/a.json"
	python3 - "$A" "$B" "$T/a.json" "$what" <<'PY' || fail "$what: audit disagrees with the kernel (A: $A; B: $B)"
import json, sys
A = {c.split(':')[0]: c.split(':')[1:] for c in sys.argv[1].split()}
B = {c.split(':')[0]: c.split(':')[1:] for c in sys.argv[2].split()}
d = json.load(open(sys.argv[3]))
f = [f for f in d['findings'] if f['id'] == 'nat_overlay_stale'][0]
ev = f['evidence']
differs = [c for c in A if A[c][0] != B[c][0]]
unfixed = [c for c in A if A[c][0] == '198.18.9.1' and int(A[c][1]) >= 45 and int(B[c][1]) >= 45]
if differs:
    assert ev['dangerous'] >= 1 and f['severity'] == 'critical', (differs, f)
else:
    assert ev['dangerous'] == 0, ('dangerous, but A and B NAT alike', f)
if unfixed:
    assert ev['uncovered'] >= 1, (unfixed, f)
print(f"# {sys.argv[4]}: A {sys.argv[1]}; B {sys.argv[2]}: differ {differs or 'nowhere'}, "
      f"NAT'd without fully-random {unfixed or 'nowhere'}; audit: {f['severity']}, "
      f"dangerous {ev['dangerous']:.0f}, uncovered {ev['uncovered']:.0f}")
PY
}
# refix WHAT: fix again; then A and B agree and B's NAT'd flows get random ports
refix() {
	fix --random-fully --yes --sample 0 >"$T/refix" 2>&1 || fail "$1: fix exited $?: $(cat "$T/refix")"
	copies
	python3 - "$A" "$B" "$1" <<'PY' || fail "$1, fixed again: A: $A; B: $B"
import sys
A = {c.split(':')[0]: c.split(':')[1:] for c in sys.argv[1].split()}
B = {c.split(':')[0]: c.split(':')[1:] for c in sys.argv[2].split()}
for c in A:
    assert A[c][0] == B[c][0], c
    assert B[c][0] != '198.18.9.1' or int(B[c][1]) <= 5, c
print(f"# {sys.argv[3]}, fixed again: A {sys.argv[1]}; B {sys.argv[2]}")
PY
}

fix --random-fully --yes --sample 0 >"$T/out" 2>&1 || fail "fix: $(cat "$T/out")"
oracle "as fixed"

# 1. an exclusion inserted before the masquerade: c1 is no longer NAT'd by the source
h=$(lab_exec r nft -a list chain ip nat postrouting | sed -n 's/.*198\.18\.1\.0\/24 masquerade # handle \([0-9]*\)/\1/p')
lab_exec r nft insert rule ip nat postrouting position "$h" ip saddr 198.18.1.0/24 return || fail "insert"
oracle "an exclusion inserted"
[ "$(json "$T/a.json" "[f['severity'] for f in d['findings'] if f['id'] == 'nat_overlay_stale'][0]")" = critical ] ||
	fail "the inserted exclusion is not called dangerous"
refix "an exclusion inserted"

# 2. the exclusion removed again: the source NATs c1 again, and the overlay lets it through
x=$(lab_exec r nft -a list chain ip nat postrouting | sed -n 's/.*198\.18\.1\.0\/24 return # handle \([0-9]*\)/\1/p')
lab_exec r nft delete rule ip nat postrouting handle "$x" || fail "delete"
oracle "the exclusion removed"
refix "the exclusion removed"

# 3. c1's prefix widened to c1's and c2's: the mirror NATs c1 as the source does, c2 is
# NAT'd by both rules' sources without fully-random
lab_exec r nft flush chain ip nat postrouting
lab_exec r nft add rule ip nat postrouting oifname r-s ip saddr 198.18.1.0/24 masquerade
fix --random-fully --yes --sample 0 >"$T/out" 2>&1 || fail "fix: $(cat "$T/out")"
lab_exec r nft flush chain ip nat postrouting
lab_exec r nft add rule ip nat postrouting oifname r-s ip saddr 198.18.0.0/22 masquerade
oracle "a prefix widened"
[ "$(json "$T/a.json" "[f['severity'] for f in d['findings'] if f['id'] == 'nat_overlay_stale'][0]")" = warning ] ||
	fail "the widened prefix is not a warning"
refix "a prefix widened"

# 4. ... and narrowed back: the mirror of the /22 NATs c2, which the source no longer does
lab_exec r nft flush chain ip nat postrouting
lab_exec r nft add rule ip nat postrouting oifname r-s ip saddr 198.18.1.0/24 masquerade
oracle "a prefix narrowed"
refix "a prefix narrowed"

fix --revert --yes >/dev/null 2>&1 || fail "revert"
echo "fix/judged by effect: all passed"
