#!/bin/bash
# record when things go wrong: a full device or filesystem is an error that says how much
# was written (and the cut file still replays its complete records, with a warning); a
# failed privilege check leaves an existing file alone; SIGHUP stops it cleanly like
# SIGTERM, the file complete.
. "$TESTLIB/common.sh"
. "$TESTLIB/top.sh"
. "$TESTLIB/expect.sh"
need_cmd setpriv "util-linux"
need_cmd unshare "util-linux"

lab_up "" drop || fail "lab setup"
flood() {
	lab_exec c1 "$RAWFLOOD" --src 198.18.1.2 --dst $LAB_S --sport "$1" --dport 20000,2 \
		--cpu 0 --max-seconds 60 >/dev/null || fail "flood"
}

# 1. /dev/full: the first flush fails
"$NATSCOPE" --netns "$LAB-r" record /dev/full --duration 1 >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 74 ] || fail "record to /dev/full exited $rc: $(cat "$T/err")"
grep -q "No space left on device" "$T/err" || fail "no reason given: $(cat "$T/err")"
[ -c /dev/full ] || fail "/dev/full is no longer a device"
info "ok: /dev/full -> 74: $(head -1 "$T/err")"

# 2. a 64 KiB filesystem fills up in the middle of a flood
mkdir "$T/small"
unshare -m bash -c "mount -t tmpfs -o size=64k none '$T/small' &&
	exec '$NATSCOPE' --netns '$LAB-r' record '$T/small/cap.pcap' --duration 3" >"$T/out" 2>"$T/err" &
rp=$!
record_ready "$T/err"
flood 10000-13999
wait $rp
rc=$?
[ "$rc" = 74 ] || fail "record on a full filesystem exited $rc: $(cat "$T/err")"
grep -q "No space left on device" "$T/err" || fail "no reason: $(cat "$T/err")"
[ "$(grep -vc ': recording: ' "$T/err")" = 1 ] && grep -Eq "it holds the first [1-9][0-9]* records" "$T/err" ||
	fail "one line saying how much the file holds, wanted: $(cat "$T/err")"
info "ok: full filesystem -> 74: $(tr '\n' ' ' <"$T/err")"

# 3. the same filesystem, the cut file copied out of it: the prefix replays, with a warning
# (the table emptied first: its seed dump alone would fill 64 KiB before record says it
# is recording, and the flood is what must fill it)
lab_exec r conntrack -F 2>/dev/null
unshare -m bash -c "mount -t tmpfs -o size=64k none '$T/small' &&
	'$NATSCOPE' --netns '$LAB-r' record '$T/small/cap.pcap' --duration 3 2>'$T/err3';
	cp '$T/small/cap.pcap' '$T/cut.pcap'" &
rp=$!
record_ready "$T/err3"
flood 14000-17999
wait $rp
[ -s "$T/cut.pcap" ] || fail "no cut capture to replay"
"$NATSCOPE" top --batch -f json --replay "$T/cut.pcap" >"$T/replay.json" 2>"$T/replay.err" ||
	fail "replaying a cut capture failed: $(cat "$T/replay.err")"
[ "$(wc -l <"$T/replay.err")" = 1 ] && grep -q "warning: '$T/cut.pcap' is cut short" "$T/replay.err" ||
	fail "no warning for the cut capture: $(cat "$T/replay.err")"
[ "$(field "$T/replay.json" "d['entries']")" -gt 0 ] || fail "the prefix replayed nothing"
info "ok: the cut capture replays: $(cat "$T/replay.err")"

# 4. privileges first: an existing file is not touched when the check fails
echo "precious" >"$T/keep.pcap"
chmod 666 "$T/keep.pcap"
expect 77 "needs CAP_NET_ADMIN" as_nobody record "$T/keep.pcap" --duration 1
[ "$(cat "$T/keep.pcap")" = precious ] || fail "record destroyed an existing file it could not use"
expect 68 "namespace 'natscope-no-such-ns' not found" "$NATSCOPE" --netns natscope-no-such-ns record "$T/keep.pcap"
[ "$(cat "$T/keep.pcap")" = precious ] || fail "record destroyed the file on a bad --netns"

# 5. SIGHUP: a clean stop, the file flushed whole
"$NATSCOPE" --netns "$LAB-r" record "$T/hup.pcap" >"$T/out" 2>"$T/err" &
rp=$!
record_ready "$T/err"
flood 18000-19999
kill -HUP $rp
wait $rp
rc=$?
[ "$rc" = 0 ] || fail "record stopped by SIGHUP exited $rc: $(cat "$T/err")"
"$NATSCOPE" top --batch -f json --replay "$T/hup.pcap" >"$T/hup.json" 2>"$T/hup.err" ||
	fail "replay of the SIGHUP capture: $(cat "$T/hup.err")"
[ ! -s "$T/hup.err" ] || fail "the SIGHUP capture is not whole: $(cat "$T/hup.err")"
[ "$(field "$T/hup.json" "d['events']['new']")" -ge 2000 ] || fail "the SIGHUP capture lacks the flood"
echo "top/record failures: all passed"
