# The kernel as the judge of the overlay (issue 22): after fix, the source rules of a
# shape are mutated; the router then runs two copies of its ruleset in turn, the source
# rules with natscope's overlay as it stands (B) and the source rules alone (A: natscope's
# tables made dormant), and conntrack -L says how each
# client's UDP flows were NAT'd.  audit must call the overlay dangerous exactly where A
# and B NAT differently, and a rule uncovered where A NATs keeping source ports and B
# does too; after fix again, A and B agree and B's NAT'd ports are random.  A dangerous
# verdict where no probe differs is not refuted (the probes cover the prefixes and marks
# of the shapes, not every interface a rule names): oracle_unrefuted lists them.  Needs
# common.sh and fix.sh (the lab, $LAB_R_OUT).

ORACLE_FLOWS=10
ORACLE_RUNS=0 ORACLE_PROBES=0

# oracle_probe: "c1/9000:ADDR:KEPT:MINPORT:N c1/9001:... c2/9000:... c2/9001:...", each
# client's UDP flows to two ports of s (a shape may treat them differently, as
# kube-proxy's mark treats a service's port): ADDR the reply's destination (the client,
# or r's address when NAT'd), KEPT how many of ORACLE_FLOWS kept their source port,
# MINPORT the lowest post-NAT port, N the flows conntrack lists
ORACLE_PORTS="9000 9001"
oracle_probe() {
	local c p out="" pids=""
	for p in $ORACLE_PORTS; do
		lab_exec s "$FLOWGEN" server $p 20 >"$T/osrv.$p" &
		pids="$pids $!"
		wait_ready "$T/osrv.$p"
	done
	for c in c1 c2; do
		for p in $ORACLE_PORTS; do
			lab_exec "$c" "$FLOWGEN" client $LAB_S $p 0 0 $ORACLE_FLOWS 2 >"$T/ocli.$c.$p" &
		done
	done
	for c in c1 c2; do
		for p in $ORACLE_PORTS; do
			wait_ready "$T/ocli.$c.$p"
		done
	done
	for c in c1 c2; do
		for p in $ORACLE_PORTS; do
			local src
			src=$([ $c = c1 ] && echo 198.18.1.2 || echo 198.18.2.2)
			out="$out $c/$p:$(lab_exec r conntrack -L -p udp --dport "$p" -s "$src" -o extended 2>/dev/null | python3 -c '
import re, sys
lines = [l for l in sys.stdin]
addrs = sorted({re.findall(r"dst=(\S+)", l)[1] for l in lines})
kept = sum(re.findall(r"sport=(\d+)", l)[0] == re.findall(r"dport=(\d+)", l)[1] for l in lines)
ports = [int(re.findall(r"dport=(\d+)", l)[1]) for l in lines]
print("|".join(addrs) or "none", kept, min(ports) if ports else 0, len(lines), sep=":")')"
		done
	done
	for p in $ORACLE_PORTS; do
		lab_exec r conntrack -D -p udp --dport $p >/dev/null 2>&1
	done
	ip netns pids "$LAB-s" 2>/dev/null | xargs -r kill 2>/dev/null
	# shellcheck disable=SC2086
	wait $pids 2>/dev/null
	echo "${out# }"
}

# oracle_copies: B, then A with natscope's tables dormant (not in the datapath; an nft
# listing of them cannot always be read back: an xt set match has no nft syntax), then
# natscope's tables awake again, their marks kept
oracle_copies() {
	local f have=""
	B=$(oracle_probe)
	for f in ip ip6 inet; do
		lab_exec r nft list table $f natscope >/dev/null 2>&1 || continue
		have="$have $f"
		lab_exec r nft add table $f natscope '{ flags dormant; }' || fail "natscope's $f table stays awake"
	done
	A=$(oracle_probe)
	ORACLE_PROBES=$((ORACLE_PROBES + 2)) # counted here: a probe runs in a subshell
	for f in $have; do
		lab_exec r nft add table $f natscope || fail "natscope's $f table stays dormant"
	done
	return 0
}

# oracle_judge WHAT: the kernel's verdict on A and B, against audit's
oracle_judge() {
	oracle_copies
	"$NATSCOPE" --netns "$LAB-r" audit -i 0 -f json >"$T/oa.json"
	python3 - "$A" "$B" "$T/oa.json" "$1" "$ORACLE_FLOWS" "$T/unrefuted" <<'PY' || fail "$1: audit disagrees with the kernel (A: $A; B: $B)"
import json, sys
def parse(s):
    return {c.split(':')[0]: c.split(':')[1:] for c in s.split()}
A, B = parse(sys.argv[1]), parse(sys.argv[2])
n = int(sys.argv[5])
d = json.load(open(sys.argv[3]))
f = [f for f in d['findings'] if f['id'] == 'nat_overlay_stale'][0]
ev = f['evidence']
for c in A:
    assert int(A[c][3]) == n and int(B[c][3]) == n, (c, 'flows missing', A[c], B[c])
natd = lambda x: x[0] not in ('198.18.1.2', '198.18.2.2')
# NAT'd differently: another address, or a port below the source's lowest (a range lost)
differs = [c for c in A if A[c][0] != B[c][0] or
           (natd(A[c]) and int(A[c][2]) >= 1024 and int(B[c][2]) < 1024)]
unfixed = [c for c in A if natd(A[c]) and int(A[c][1]) >= n - 1 and int(B[c][1]) >= n - 1]
if differs:
    assert ev['dangerous'] >= 1 and f['severity'] == 'critical', ('the copies differ for', differs, f)
elif ev.get('dangerous', 0):
    # Not refuted: the probes cover the shapes' prefixes and marks, not every interface a
    # rule names, so a verdict about traffic they do not send stands (counted, said).
    open(sys.argv[6], 'a').write(sys.argv[4] + '\n')
if unfixed:
    assert ev.get('uncovered', 0) >= 1 or ev.get('dangerous', 0) >= 1, ('NAT\'d without fully-random through the overlay', unfixed, f)
print(f"# {sys.argv[4]}: A {sys.argv[1]}; B {sys.argv[2]}; differ {differs or '-'}, "
      f"unfixed {unfixed or '-'}; audit {f['severity']} dangerous {ev.get('dangerous', 0):.0f} "
      f"uncovered {ev.get('uncovered', 0):.0f}")
PY
	ORACLE_RUNS=$((ORACLE_RUNS + 1))
}

# oracle_refix WHAT: fix again; A and B agree and B's NAT'd flows get random ports
oracle_refix() {
	fix --random-fully --yes --sample 0 >"$T/orefix" 2>&1
	local rc=$?
	[ $rc = 0 ] || [ $rc = 78 ] || fail "$1: fix exited $rc: $(cat "$T/orefix")"
	oracle_copies
	python3 - "$A" "$B" "$1" "$ORACLE_FLOWS" "$rc" <<'PY' || fail "$1, fixed again (exit $rc): A: $A; B: $B ($(cat "$T/orefix"))"
import sys
def parse(s):
    return {c.split(':')[0]: c.split(':')[1:] for c in s.split()}
A, B = parse(sys.argv[1]), parse(sys.argv[2])
n, rc = int(sys.argv[4]), int(sys.argv[5])
for c in A:
    assert A[c][0] == B[c][0], c
    natd = B[c][0] not in ('198.18.1.2', '198.18.2.2')
    # exit 78: a base chain left whole, named; its traffic is the source's
    assert not natd or rc == 78 or int(B[c][1]) <= 1, c
print(f"# {sys.argv[3]}, fixed again (exit {rc}): A {sys.argv[1]}; B {sys.argv[2]}")
PY
	ORACLE_RUNS=$((ORACLE_RUNS + 1))
}

# oracle_unrefuted: how many dangerous verdicts no probe confirmed, and which
oracle_unrefuted() {
	if [ -s "$T/unrefuted" ]; then
		echo "$(wc -l <"$T/unrefuted") ($(tr '\n' ';' <"$T/unrefuted"))"
	else
		echo 0
	fi
}
