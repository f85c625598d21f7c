#!/bin/bash
# top --batch names failed insertions (issue 12): over the clash race, the frames' named
# failures add up to insert_failed's rise since top started, as conntrack -S counts it;
# each frame's records are its failures toward the server; with
# --no-bpf the JSON says why they are not named.
. "$TESTLIB/common.sh"
. "$TESTLIB/top.sh"
need_cpus 2
[ -e /sys/kernel/btf/vmlinux ] || skip "the kernel has no BTF (/sys/kernel/btf/vmlinux)"

lab_up "" drop || fail "lab setup"
failed0=$(lab_ct_stat r insert_failed)
top -n 10 -d 1 >"$T/t.json" &
tp=$!
top_ready "$T/t.json"
lab_clash "$RAWFLOOD" 25000 4 || fail "flood"
top_within "$T/t.json" 9 "the race"
wait $tp || fail "top exited $?"
failed=$(( $(lab_ct_stat r insert_failed) - failed0 ))
[ "$failed" -ge 20 ] || fail "the race failed only $failed insertions"
python3 - "$T/t.json" "$failed" <<'PY' || fail "frames: $(tail -1 "$T/t.json")"
import json, sys
frames = [json.loads(l) for l in open(sys.argv[1])]
failed = int(sys.argv[2])
last = frames[-1]['insert_failures']
assert last['exact'] and last['why'] is None, last
assert last['named_total'] == last['counted_total'] == failed, (last, failed)
assert sum(f['insert_failures']['named'] for f in frames) == failed, [f['insert_failures']['named'] for f in frames]
for f in frames:
    recs = f['insert_failures']['records']
    assert len(recs) == min(f['insert_failures']['named'], f['insert_failures']['records_cap']), f['insert_failures']
    for r in recs:
        assert r['dst'] == '198.18.9.2' and r['snat_src'] == '198.18.9.1' and r['proto'] == 'udp', r
print(f"# {failed} failures, all named across {len(frames)} frames")
PY
"$NATSCOPE" --netns "$LAB-r" top --batch -f json -n 1 --no-bpf >"$T/n.json" || fail "--no-bpf"
[ "$(field "$T/n.json" "(d['insert_failures']['exact'], d['insert_failures']['why'])")" = "(False, '--no-bpf')" ] ||
	fail "--no-bpf: $(field "$T/n.json" "d['insert_failures']")"
validate_json "$T/t.json" "$T/n.json"
echo "top/exact failures: all passed"
