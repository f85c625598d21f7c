#!/bin/bash
# top --batch and record/replay against the kernel, in a lab this test builds:
# counts equal conntrack -C/-L when the table holds still; under a flood every flow the
# kernel created is either received as a NEW event or counted as lost; a tiny buffer
# forces overruns, which are counted and resynchronised away.
. "$TESTLIB/common.sh"

top() { "$NATSCOPE" --netns "$LAB-r" top --batch -f json "$@"; }
last() { tail -1 "$1"; }
field() { python3 -c "import json,sys; d=json.loads(open(sys.argv[1]).read().splitlines()[-1]); print($2)" "$1"; }

lab_up "" drop || fail "lab setup"

# 1. Steady table: long-lived TCP flows (server answers) and UDP flows (unreplied).
lab_exec s nft delete table ip raw 2>/dev/null
lab_exec s "$FLOWGEN" server 8080 60 >"$T/srv" &
wait_ready "$T/srv"
lab_exec c1 "$FLOWGEN" client $LAB_S 8080 20 15 30 60 >"$T/cli" &
wait_ready "$T/cli"
for attempt in 1 2 3; do
	before=$(lab_exec r conntrack -C)
	top -n 2 -d 0.3 >"$T/steady.json" || fail "top exited $?"
	after=$(lab_exec r conntrack -C)
	[ "$before" = "$after" ] && break
done
[ "$(wc -l <"$T/steady.json")" = 2 ] || fail "want 2 frames, got $(wc -l <"$T/steady.json")"
got=$(field "$T/steady.json" "d['entries']")
[ "$got" = "$after" ] || fail "top counts $got entries, conntrack -C $after"
[ "$(field "$T/steady.json" "d['kernel_count']")" = "$after" ] || fail "kernel_count differs"
lab_exec r conntrack -L -o extended 2>/dev/null >"$T/L"
for st in ESTABLISHED TIME_WAIT; do
	want=$(awk '$3 == "tcp" && $6 == "'$st'"' "$T/L" | wc -l)
	[ "$(field "$T/steady.json" "d['tcp_states']['$st']")" = "$want" ] || fail "TCP $st: conntrack -L $want"
done
[ "$(field "$T/steady.json" "d['protocols'].get('udp', 0)")" = "$(grep -c ' udp ' "$T/L")" ] || fail "udp count"
info "ok: steady table: $got entries, states and protocols equal conntrack -L"
# These flows predate every listener: with nf_conntrack_events=2 (the default) they carry no
# event extension, so deleting one behind top's back sends no DESTROY.  top sees its count
# stay apart from the kernel's and reconciles early (5 s), long before --resync's 60 s.
top -n 16 -d 0.5 >"$T/behind.json" &
tp=$!
sleep 1
lab_exec r conntrack -D -p udp --orig-port-dst 8080 >/dev/null 2>&1 || fail "conntrack -D"
wait $tp || fail "top exited $?"
now=$(lab_exec r conntrack -C)
[ "$(field "$T/behind.json" "d['entries']")" = "$now" ] ||
	fail "UDP flows deleted behind top's back: top still counts $(field "$T/behind.json" "d['entries']"), conntrack -C $now"
info "ok: flows deleted without events: converged to $now (drift $(field "$T/behind.json" "d['lost']['drift']"), conntrack_events $(field "$T/behind.json" "d['conntrack_events']"))"
ip netns pids "$LAB-c1" | xargs -r kill; ip netns pids "$LAB-s" | xargs -r kill; wait 2>/dev/null
lab_down

# 2. Two clients race 200,000 new UDP flows (the clash lab) while top follows with a
#    64 MiB buffer: every flow arrives as a NEW event, and the clashes are attributed.
lab_up "" drop || fail "lab setup"
base=$(lab_exec r conntrack -C)
top -n 6 -d 1 >"$T/flood.json" &
tp=$!
sleep 1.2
lab_clash "$RAWFLOOD" 25000 4 || fail "flood"
wait $tp || fail "top exited $?"
created=$(( $(lab_exec r conntrack -C) - base ))
failed=$(lab_ct_stat r insert_failed)
new=$(field "$T/flood.json" "d['events']['new']")
lost=$(field "$T/flood.json" "d['lost']['estimated']")
info "flood: kernel created $created flows; top received $new NEW events, lost estimate $lost, overruns $(field "$T/flood.json" "d['lost']['overruns']")"
[ "$created" -ge 199000 ] || fail "the flood created only $created flows"
# Likely clash episodes: insert_failed rose, and the busiest groups fed by both clients
python3 - "$T/flood.json" "$failed" <<'PY' || fail "clash attribution wrong"
import json, sys
d = json.loads(open(sys.argv[1]).read().splitlines()[-1])
eps = d['clash_episodes']
assert eps, "no clash episode although insert_failed is %s" % sys.argv[2]
# an episode needs NEW flows from two sources in its interval; failures in an interval
# with one client left sending are not attributed, so the sum is at most the total
attributed = sum(e['insert_failed'] for e in eps)
assert 0 < attributed <= int(sys.argv[2]), (eps, sys.argv[2])
assert all(e['insert_failed'] > 0 for e in eps), eps
for e in eps:
    for g in e['likely_groups']:
        assert g['proto'] == 'udp' and g['dst'] == '198.18.9.2' and 20000 <= g['dport'] < 20004, g
        assert g['sources'] == 2, g
print("# ok: %d likely clash episodes; %d of %d insert failures fell in their intervals"
      % (len(eps), attributed, int(sys.argv[2])))
PY
[ $((new + lost)) -ge "$created" ] || fail "received $new + lost $lost < created $created"
[ "$(field "$T/flood.json" "d['lost']['dropped']")" = 0 ] || fail "a 64 MiB buffer dropped events"
[ "$(field "$T/flood.json" "d['entries']")" = "$(lab_exec r conntrack -C)" ] || fail "entries differ after the flood: top $(field "$T/flood.json" "d['entries']"), conntrack -C $(lab_exec r conntrack -C)"
lab_down

# 3. A 128 KiB buffer must overflow when two CPUs race 200,000 flows: overruns counted,
#    state resynchronised to the table.
lab_up "" drop || fail "lab setup"
top -n 6 -d 1 --rcvbuf 0.125 --rcvbuf-max 0.125 >"$T/small.json" &
tp=$!
sleep 1.2
lab_clash "$RAWFLOOD" 25000 4 || fail "flood"
wait $tp || fail "top exited $?"
over=$(field "$T/small.json" "d['lost']['overruns']")
new=$(field "$T/small.json" "d['events']['new']")
lost=$(field "$T/small.json" "d['lost']['estimated']")
dropped=$(field "$T/small.json" "d['lost']['dropped']")
now=$(lab_exec r conntrack -C)
info "128 KiB buffer: $over overruns, $new NEW received, $dropped dropped (kernel count), lost estimate $lost, entries $(field "$T/small.json" "d['entries']") vs conntrack -C $now"
[ "$over" -ge 1 ] || fail "no overrun reported with a 128 KiB buffer"
[ "$lost" -ge 1 ] || fail "overruns but no loss estimated"
# every flow the kernel created was either received as NEW or dropped (the kernel's count)
[ $((new + dropped)) -ge "$now" ] || fail "received $new + dropped $dropped < created $now"
[ $((new + lost)) -ge "$now" ] || fail "received $new + lost estimate $lost < created $now"
[ "$(field "$T/small.json" "d['entries']")" = "$now" ] || fail "after resync the model differs from the table"
lab_down

# 4. record, then replay without root: the replayed state equals the recorded table.
lab_up "" drop || fail "lab setup"
"$NATSCOPE" --netns "$LAB-r" record "$T/cap.pcap" --duration 4 2>"$T/rec.err" &
rp=$!
sleep 1
lab_exec c1 "$RAWFLOOD" --src 198.18.1.2 --dst $LAB_S --sport 10000-14999 --dport 20000,2 \
	--cpu 0 --max-seconds 60 >/dev/null || fail "flood"
wait $rp || fail "record exited $?: $(cat "$T/rec.err")"
grep -q 'overruns' "$T/rec.err" || fail "record printed no summary"
now=$(lab_exec r conntrack -C)
cp "$NATSCOPE" "$T/natscope" && chmod 755 "$T" "$T/natscope" && chmod 644 "$T/cap.pcap"
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$T/natscope" top --batch -f json --replay "$T/cap.pcap" >"$T/replay.json" ||
	fail "replay as an unprivileged user failed"
[ "$(field "$T/replay.json" "d['entries']")" = "$now" ] ||
	fail "replayed entries $(field "$T/replay.json" "d['entries']") != conntrack -C $now"
"$NATSCOPE" top --batch -f json --replay "$T/cap.pcap" >"$T/replay2.json"
cmp -s "$T/replay.json" "$T/replay2.json" || fail "replay is not deterministic"
# audit on the capture, unprivileged: the table checks run, the live-only ones are left out
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$T/natscope" audit --replay "$T/cap.pcap" -f json >"$T/raudit.json"
rc=$?
[ "$rc" = 0 ] || fail "audit --replay exited $rc"
python3 - "$T/raudit.json" "$now" <<'PY' || fail "audit --replay wrong"
import json, sys
d = json.load(open(sys.argv[1]))
assert d['replay'] is True and d['table']['entries'] == int(sys.argv[2]), d['table']['entries']
assert d['table']['timeouts'] is None
assert sorted(f['id'] for f in d['findings']) == ['snat_port_exhaustion', 'time_wait'], d['findings']
top = d['snat']['top']
assert sum(g['entries'] for g in top) == int(sys.argv[2]) and all(g['sources'] == 1 for g in top), top
PY
"$NATSCOPE" audit --replay /nonexistent.pcap >/dev/null 2>&1; [ $? = 3 ] || fail "audit --replay of a missing file must exit 3"
echo garbage >"$T/bad.pcap"
"$NATSCOPE" audit --replay "$T/bad.pcap" 2>"$T/bad.err" >/dev/null; [ $? = 3 ] || fail "damaged capture must exit 3"
grep -q "cannot replay" "$T/bad.err" || fail "damaged capture: $(cat "$T/bad.err")"
"$NATSCOPE" top --batch --replay "$T/bad.pcap" 2>/dev/null >/dev/null; [ $? = 65 ] || fail "top --replay of a damaged capture must exit 65"
info "ok: audit --replay on the capture, and damaged captures refused"
if command -v tshark >/dev/null; then
	tshark -r "$T/cap.pcap" -c 1 >/dev/null 2>&1 || fail "tshark cannot read the capture"
fi
info "ok: recorded and replayed $(field "$T/replay.json" "d['events']['total']") events; state equals conntrack -C ($now)"
echo "top: all passed"
