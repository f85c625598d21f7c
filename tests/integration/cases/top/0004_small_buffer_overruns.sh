#!/bin/bash
# A 128 KiB buffer must overflow when two CPUs race 200,000 flows: overruns counted, the
# loss accounted for, the state resynchronised to the table.
. "$TESTLIB/common.sh"
. "$TESTLIB/top.sh"
need_cpus 2

lab_up "" drop || fail "lab setup"
# 12 frames, the flood over before the 10th: the last resync's differences wait a full
# interval for events in flight before they count as lost (a lower bound until then)
top -n 12 -d 1 --rcvbuf 0.125 --rcvbuf-max 0.125 >"$T/small.json" &
tp=$!
top_ready "$T/small.json"
lab_clash "$RAWFLOOD" 25000 4 || fail "flood"
top_within "$T/small.json" 10 "the flood"
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
echo "top/small buffer overruns: all passed"
