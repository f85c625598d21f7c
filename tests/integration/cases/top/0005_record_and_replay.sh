#!/bin/bash
# record, then replay without root: the replayed state equals the recorded table, replay
# is deterministic, audit --replay runs the table checks, damaged captures are refused, and
# tshark reads the file.
. "$TESTLIB/common.sh"
. "$TESTLIB/top.sh"
. "$TESTLIB/expect.sh"
need_cmd setpriv "util-linux"
need_cmd tshark "package tshark, installed by contrib/setup-deps.sh"

lab_up "" drop || fail "lab setup"
"$NATSCOPE" --netns "$LAB-r" record "$T/cap.pcap" --duration 4 2>"$T/rec.err" &
rp=$!
record_ready "$T/rec.err"
lab_exec c1 "$RAWFLOOD" --src 198.18.1.2 --dst $LAB_S --sport 10000-14999 --dport 20000,2 \
	--cpu 0 --max-seconds 60 >/dev/null || fail "flood"
wait $rp || fail "record exited $?: $(cat "$T/rec.err")"
grep -q 'overruns' "$T/rec.err" || fail "record printed no summary"
now=$(lab_exec r conntrack -C)
chmod 644 "$T/cap.pcap"
as_nobody top --batch -f json --replay "$T/cap.pcap" >"$T/replay.json" ||
	fail "replay as an unprivileged user failed"
[ "$(field "$T/replay.json" "d['entries']")" = "$now" ] ||
	fail "replayed entries $(field "$T/replay.json" "d['entries']") != conntrack -C $now"
"$NATSCOPE" top --batch -f json --replay "$T/cap.pcap" >"$T/replay2.json"
cmp -s "$T/replay.json" "$T/replay2.json" || fail "replay is not deterministic"
# audit on the capture, unprivileged: the table checks run, the live-only ones are left out
as_nobody audit --replay "$T/cap.pcap" -f json >"$T/raudit.json"
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
expect 66 "cannot read capture '/nonexistent.pcap': No such file or directory" "$NATSCOPE" audit --replay /nonexistent.pcap
echo garbage >"$T/bad.pcap"
expect 65 "cannot replay" "$NATSCOPE" audit --replay "$T/bad.pcap"
expect 3 "cannot replay" "$NATSCOPE" audit --replay "$T/bad.pcap" -f nagios
expect 65 "cannot replay" "$NATSCOPE" top --batch --replay "$T/bad.pcap"
expect 66 "cannot replay .*: not a pcap file \(Is a directory\)" "$NATSCOPE" top --batch --replay "$T"
chmod 600 "$T/cap.pcap"
expect 66 "cannot read capture .*: Permission denied" as_nobody top --batch --replay "$T/cap.pcap"
chmod 644 "$T/cap.pcap"
# Wireshark's reader opens it and decodes netlink-netfilter in it
tshark -r "$T/cap.pcap" -c 3 -T fields -e frame.protocols >"$T/tshark" 2>"$T/tshark.err" ||
	fail "tshark cannot read the capture: $(cat "$T/tshark.err")"
grep -q 'netlink-netfilter' "$T/tshark" || fail "tshark does not decode the records: $(cat "$T/tshark")"
info "ok: tshark reads the capture ($(head -1 "$T/tshark"))"
info "recorded and replayed $(field "$T/replay.json" "d['events']['total']") events; state equals conntrack -C ($now)"
echo "top/record and replay: all passed"
