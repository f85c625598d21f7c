#!/bin/bash
# Every JSON natscope writes validates against its schema under doc/ (natscope.audit v2,
# natscope.audit.all v2, natscope.top v2), on real output: audit of a lab with TCP and
# UDP flows (and --no-bpf), audit --all-netns, top --batch frames, and a recording
# replayed by top and by audit (no root).  The schemas are strict: a key renamed, added
# or dropped fails here.  (The clash cases validate the outputs with named failures.)
. "$TESTLIB/common.sh"

lab_up "" answer || fail "lab setup"
lab_exec s "$FLOWGEN" server 8080 60 >"$T/server" &
wait_ready "$T/server"
lab_exec c1 "$FLOWGEN" client $LAB_S 8080 10 5 10 50 >"$T/c1" &
wait_ready "$T/c1"

"$NATSCOPE" --netns "$LAB-r" audit -i 0.5 -f json >"$T/audit.json"
[ $? -le 2 ] || fail "audit"
"$NATSCOPE" --netns "$LAB-r" audit -i 0 --no-bpf -f json >"$T/audit-nobpf.json"
[ $? -le 2 ] || fail "audit --no-bpf"
"$NATSCOPE" audit --all-netns -i 0 -f json >"$T/all.json"
[ $? -le 3 ] || fail "audit --all-netns"
"$NATSCOPE" --netns "$LAB-r" top --batch -f json -n 3 -d 0.3 >"$T/top.json" || fail "top"
"$NATSCOPE" --netns "$LAB-r" record "$T/cap.pcap" --duration 1 2>/dev/null || fail "record"
"$NATSCOPE" top --batch --replay "$T/cap.pcap" -f json >"$T/replay.json" || fail "top --replay"
"$NATSCOPE" audit --replay "$T/cap.pcap" -f json >"$T/raudit.json"
[ $? -le 2 ] || fail "audit --replay"
validate_json "$T/audit.json" "$T/audit-nobpf.json" "$T/all.json" "$T/top.json" \
	"$T/replay.json" "$T/raudit.json"

# the names are one scheme: the kernel's figures under conntrack {count, max} in both,
# times as time_ms, and every protocol natscope names present (0 when absent)
python3 - "$T/audit.json" "$T/top.json" "$(lab_exec r conntrack -C)" <<'PY' || fail "one naming scheme"
import json, sys
a = json.load(open(sys.argv[1]))
t = [json.loads(l) for l in open(sys.argv[2])][-1]
for d in (a, t):
    assert d['schema_version'] == 2 and d['time_ms'] > 1.6e12, d['time_ms']
    assert set(d['conntrack']) >= {'count', 'max'}
assert abs(t['conntrack']['count'] - int(sys.argv[3])) <= 2, (t['conntrack'], sys.argv[3])
assert set(a['table']['protocols']) == set(t['protocols']), (a['table']['protocols'], t['protocols'])
assert t['protocols']['icmp'] == 0 and a['table']['protocols']['sctp'] == 0
assert t['protocols']['tcp'] >= 5 and t['protocols']['udp'] >= 10, t['protocols']
PY

# the validator itself fails on a renamed key (the test can fail)
python3 - "$T/audit.json" "$T/bad.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d['timestamp'] = d.pop('time_ms')
json.dump(d, open(sys.argv[2], 'w'))
PY
python3 "$VALIDATE_JSON" "$DOCDIR" "$T/bad.json" >/dev/null && fail "a renamed key passed the schema"
echo "cli/JSON schemas: all passed"
