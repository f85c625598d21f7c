#!/bin/bash
# SNAT port clashes for real: two clients race 25,000 source ports x 4 destination ports
# each (200,000 one-packet UDP flows, 77 % of each destination's 64,512 ports) through one
# masquerading router, from CPUs 0 and 1 at the same instant.  audit must report the
# clash as critical (exit 2) with the kernel's own numbers; with `masquerade fully-random`
# the same load must fail far less often.
. "$TESTLIB/common.sh"

SPORTS=25000
DPORTS=4
FLOWS=$((2 * SPORTS * DPORTS))

# run_scenario FLAGS OUT [FIX]: lab, audit running across the flood, then the kernel's
# view.  With FIX, `natscope fix --random-fully` runs on the router first.
run_scenario() {
	local flags=$1 out=$2 ap rc
	lab_up "$flags" drop || fail "lab setup ($flags)"
	if [ "${3:-}" = fix ]; then
		"$NATSCOPE" --netns "$LAB-r" fix --random-fully --yes >"$out.fix" 2>&1 ||
			fail "natscope fix failed: $(cat "$out.fix")"
	fi
	[ "$(lab_ct_stat r insert_failed)" = 0 ] || fail "fresh namespace has insert failures"
	# audit samples, waits 3 s (the flood happens inside), dumps, samples again.
	"$NATSCOPE" --netns "$LAB-r" audit -i 3 -f json >"$out.json" &
	ap=$!
	sleep 0.5
	lab_clash "$RAWFLOOD" $SPORTS $DPORTS || fail "flood did not complete"
	wait $ap
	rc=$?
	echo $rc >"$out.rc"
	lab_exec r conntrack -S >"$out.S"
	lab_exec r conntrack -C >"$out.C"
	lab_down
}

check_against_kernel() {
	local out=$1 failed count
	failed=$(json "$out.json" "d['stats']['totals']['insert_failed']")
	# Per CPU, natscope's insert_failed equals conntrack -S's (read after the flood).
	python3 - "$out.json" "$out.S" <<'PY' || fail "per-CPU insert_failed differs from conntrack -S"
import json, sys
d = json.load(open(sys.argv[1]))
ours = {c['cpu']: c['insert_failed'] for c in d['stats']['cpus']}
for line in open(sys.argv[2]):
    f = dict(kv.split('=') for kv in line.split())
    if ours[int(f['cpu'])] != int(f['insert_failed']):
        sys.exit(f"cpu{f['cpu']}: natscope {ours[int(f['cpu'])]}, conntrack -S {f['insert_failed']}")
PY
	count=$(json "$out.json" "d['table']['entries']")
	[ "$count" = "$(cat "$out.C")" ] || fail "natscope dumped $count entries, conntrack -C says $(cat "$out.C")"
	# Every flow was either confirmed or failed to insert: nothing else drops here.
	[ $((count + failed)) = $FLOWS ] ||
		fail "entries $count + insert_failed $failed != $FLOWS flows sent"
	info "$(basename "$out"): $count entries + $failed insert_failed = $FLOWS flows"
}

run_scenario "" "$T/plain"
check_against_kernel "$T/plain"
plain=$(json "$T/plain.json" "d['stats']['totals']['insert_failed']")
[ "$(cat "$T/plain.rc")" = 2 ] || fail "audit exited $(cat "$T/plain.rc"), want 2 (critical)"
[ "$(json "$T/plain.json" "[f['severity'] for f in d['findings'] if f['id'] == 'snat_port_clash'][0]")" = critical ] ||
	fail "no critical snat_port_clash finding"
rate=$(json "$T/plain.json" "[f['evidence']['insert_failed_per_s'] for f in d['findings'] if f['id'] == 'snat_port_clash'][0]")
python3 -c "import sys; sys.exit(0 if float('$rate') > 0 else 1)" || fail "clash rate is $rate"
# Both CPUs race: each has a per-CPU rate in the evidence.
json "$T/plain.json" "[f['evidence'] for f in d['findings'] if f['id'] == 'snat_port_clash'][0]" |
	grep -q "cpu1_insert_failed_per_s" || fail "no per-CPU rates in the evidence"
# The likely groups: the four destination ports, two sources each, >= 60 % of the ports.
python3 - "$T/plain.json" <<'PY' || fail "likely SNAT groups wrong"
import json, sys
d = json.load(open(sys.argv[1]))
f = [f for f in d['findings'] if f['id'] == 'snat_port_clash'][0]
gs = f['groups']
assert len(gs) == 3, gs
for g in gs:
    assert g['proto'] == 'udp' and g['dst'] == '198.18.9.2' and 20000 <= g['dport'] < 20004, g
    assert g['sources'] == 2 and g['port_share'] >= 0.60, g
ex = [f for f in d['findings'] if f['id'] == 'snat_port_exhaustion'][0]
assert ex['severity'] == 'warning', ex
PY
# The plain masquerade rule is named as lacking fully-random, critical while clashing.
[ "$(json "$T/plain.json" "[f['severity'] + ':' + str(f['evidence']['not_fully_random']) for f in d['findings'] if f['id'] == 'snat_rules_random'][0]")" = critical:1 ] ||
	fail "snat_rules_random is not critical for the plain masquerade rule"
[ "$plain" -ge 20 ] || fail "plain masquerade failed only $plain insertions; the scenario did not clash"

run_scenario "fully-random" "$T/random"
check_against_kernel "$T/random"
random=$(json "$T/random.json" "d['stats']['totals']['insert_failed']")
[ "$(json "$T/random.json" "[f['severity'] for f in d['findings'] if f['id'] == 'snat_rules_random'][0]")" = ok ] ||
	fail "the fully-random rule is reported as lacking it"
echo "# insert_failed per $FLOWS flows: masquerade $plain, masquerade fully-random $random"
[ $((random * 5)) -le "$plain" ] || fail "fully-random $random is not far below plain $plain"
# The fix command's effect on the same load: plain masquerade plus natscope's overlay.
run_scenario "" "$T/fixed" fix
check_against_kernel "$T/fixed"
fixed=$(json "$T/fixed.json" "d['stats']['totals']['insert_failed']")
[ "$(json "$T/fixed.json" "[f['severity'] for f in d['findings'] if f['id'] == 'snat_rules_random'][0]")" = ok ] ||
	fail "the overlay does not cover the plain rule"
per100k() { awk -v n="$1" -v f=$FLOWS 'BEGIN { printf "%.1f", n * 100000 / f }'; }
echo "# insert_failed per 100,000 flows: before fix $(per100k "$plain"), after natscope fix $(per100k "$fixed")"
[ $((fixed * 5)) -le "$plain" ] || fail "after fix $fixed is not at most a fifth of $plain"
echo "clash: all passed"
