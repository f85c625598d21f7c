#!/bin/bash
# record keeps the failed insertions the BPF component names (issue 12): over the clash
# race, the capture holds one record per failure (insert_failed's rise, as conntrack -S
# counts it), the replay's frames count them again, and tshark still reads every record.
. "$TESTLIB/common.sh"
. "$TESTLIB/top.sh"
. "$TESTLIB/clash.sh"
need_cpus 2
need_cmd tshark "package tshark, installed by contrib/setup-deps.sh"
[ -e /sys/kernel/btf/vmlinux ] || skip "the kernel has no BTF (/sys/kernel/btf/vmlinux)"

lab_up "" drop || fail "lab setup"
failed0=$(lab_ct_stat r insert_failed)
"$NATSCOPE" --netns "$LAB-r" record "$T/cap.pcap" --duration 7 2>"$T/rec.err" &
rp=$!
record_ready "$T/rec.err"
lab_clash "$RAWFLOOD" $SPORTS $DPORTS || fail "flood"
wait $rp || fail "record exited $?: $(cat "$T/rec.err")"
failed=$(( $(lab_ct_stat r insert_failed) - failed0 ))
[ "$failed" -ge 20 ] || fail "the race failed only $failed insertions"
grep -q ", $failed failed insertions named$" "$T/rec.err" || fail "record's summary: $(cat "$T/rec.err"); conntrack -S: $failed"
"$NATSCOPE" top --batch -f json -d 1 --replay "$T/cap.pcap" >"$T/replay.json" || fail "replay"
python3 - "$T/replay.json" "$failed" <<'PY' || fail "replayed failures: $(tail -1 "$T/replay.json")"
import json, sys
frames = [json.loads(l) for l in open(sys.argv[1])]
failed = int(sys.argv[2])
assert frames[-1]['insert_failures']['exact'] and frames[-1]['insert_failures']['named_total'] == failed, frames[-1]['insert_failures']
# frames before the first failure record know nothing of the component yet
assert sum((f['insert_failures']['named'] or 0) for f in frames) == failed
PY
tshark -r "$T/cap.pcap" -T fields -e frame.number >"$T/tshark" 2>"$T/tshark.err" ||
	fail "tshark cannot read the capture: $(cat "$T/tshark.err")"
grep -v "^Running as user \"root\"" "$T/tshark.err" | grep -q . && fail "tshark complains: $(head -3 "$T/tshark.err")"
records=$(grep -o '^natscope record: .*: [0-9]* records' "$T/rec.err" | grep -o '[0-9]* records' | cut -d' ' -f1)
[ "$(wc -l <"$T/tshark")" = "$records" ] || fail "tshark read $(wc -l <"$T/tshark") of $records records"
info "the capture holds $failed named failures among $records records; tshark reads all of them"
echo "top/record named failures: all passed"
