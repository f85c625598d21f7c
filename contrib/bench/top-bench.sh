#!/bin/bash
# Event-engine benchmark (issue: events + top).  Figures, not pass/fail.
#  1. Ingestion from a replay file on one core: events/s (goal >= 1,000,000).
#  2. Live: two clients race 200,000 new flows (~150,000/s); events lost by natscope top
#     vs `conntrack -E -b 134217728` vs a minimal counting listener, all in the same run;
#     CPU per event of natscope vs the minimal listener (goal within 1.2x).
#  3. A 1,000,000-flow table: time to the first frame, peak RSS (goal <= 128 MiB), CPU
#     when idle (goal <= 2 % of a core).
# Needs root; raises nf_conntrack_max for part 3 and restores it; touches only its own
# namespaces.  Usage: contrib/bench/top-bench.sh [FLOWS_FOR_PART_3]
set -u
cd "$(dirname "$0")/../.."
BIG=${1:-1000000}
. contrib/bench/prepare.sh
bench_prepare top-bench
N=build-bench/natscope
cc -O2 -o "$B/mini_events" contrib/bench/mini_events.c -lmnl || exit 1

. tests/lib/lab.sh
LAB=nstopb$$
old_max=$(cat /proc/sys/net/netfilter/nf_conntrack_max)
cleanup() { lab_down; echo "$old_max" >/proc/sys/net/netfilter/nf_conntrack_max; rm -rf "$B"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
cpu_of() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # utime + stime, in clock ticks
HZ=$(getconf CLK_TCK)

# ---- 1 + 2: one lab, the race, three listeners at once, and a recording ----
lab_up "" drop >/dev/null || exit 1
ip netns exec "$LAB-r" "$B/mini_events" >"$B/mini.out" &
mini=$!
ip netns exec "$LAB-r" conntrack -E -b 134217728 >"$B/ctE.out" 2>/dev/null &
cte=$!
$N --netns "$LAB-r" top --batch -f json -d 1 >"$B/top.json" &
top=$!
$N --netns "$LAB-r" record "$B/cap.pcap" 2>"$B/rec.err" &
rec=$!
sleep 1.5
c0_top=$(cpu_of $top)
c0_mini=$(cpu_of $mini)
lab_clash build-bench/tests/rawflood 25000 4 >/dev/null
sleep 2
c1_top=$(cpu_of $top)
c1_mini=$(cpu_of $mini)
created=$(lab_exec r conntrack -C)
kill -TERM $top $rec $mini
kill -INT $cte 2>/dev/null
wait $top $rec $mini 2>/dev/null
wait $cte 2>/dev/null
read -r mini_n mini_drop < <(tail -n 1 "$B/mini.out")
top_new=$(tail -1 "$B/top.json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["events"]["new"], d["lost"]["dropped"], d["events"]["total"])')
read -r top_n top_drop top_total <<<"$top_new"
cte_new=$(grep -c '\[NEW\]' "$B/ctE.out")
lab_down

# replay ingestion: the recording, several times over, one core
msgs=$(grep -o '[0-9]* dump entries, [0-9]* events' "$B/rec.err" | awk '{ print $1 + $4 }')
best=0
for i in 1 2 3 4 5; do
	t0=$(date +%s%N)
	taskset -c 0 $N top --batch -f json -d 3600 --replay "$B/cap.pcap" >"$B/replay.json" ||
		{ echo "replay failed" >&2; exit 1; }
	t1=$(date +%s%N)
	rate=$(awk -v m="$msgs" -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f", m / (ns / 1e9) }')
	[ "$rate" -gt "$best" ] && best=$rate
done

# ---- 3: a big table ----
dports=$(((BIG + 62499) / 62500))
sports=$((BIG / dports))
BIG=$((sports * dports))
echo $((BIG + BIG / 10 + 1000)) >/proc/sys/net/netfilter/nf_conntrack_max
lab_up "" drop >/dev/null || exit 1
lab_exec r sysctl -qw net.netfilter.nf_conntrack_udp_timeout=3600
lab_exec c1 build-bench/tests/rawflood --src 198.18.1.2 --dst $LAB_S --sport "1024-$((1024 + sports - 1))" \
	--dport "20000,$dports" --cpu 0 --max-seconds 120 >/dev/null
have=$(lab_exec r conntrack -C)
t0=$(date +%s%N)
/usr/bin/time -f "%M" -o "$B/rss" $N --netns "$LAB-r" top --batch -f json -n 1 -d 0.05 >"$B/first.json"
t1=$(date +%s%N)
first_ms=$(((t1 - t0) / 1000000))
rss_mib=$(awk '{ printf "%.1f", $1 / 1024 }' "$B/rss")
$N --netns "$LAB-r" top --batch -f json -d 1 -n 16 --resync 3600 >/dev/null &
idle=$!
sleep $(((first_ms + 999) / 1000 + 3)) # past the seeding dump
ci0=$(cpu_of $idle)
sleep 8
ci1=$(cpu_of $idle)
wait $idle
idle_pct=$(awk -v d=$((ci1 - ci0)) -v hz="$HZ" 'BEGIN { printf "%.1f", 100 * d / hz / 8 }')

printf '\n%s, %s\n\n' "$(uname -r)" "$(date -u +%F)"
echo "| measure | natscope | reference |"
echo "|---|---|---|"
echo "| replay ingestion, one core (events/s) | $best | goal >= 1,000,000 |"
echo "| flows created in the race | $created | |"
echo "| NEW events received (dropped) | $top_n ($top_drop) | conntrack -E -b 128 MiB: $cte_new; minimal listener: $mini_n messages ($mini_drop dropped) |"
awk -v t=$((c1_top - c0_top)) -v m=$((c1_mini - c0_mini)) -v nt="$top_total" -v nm="$mini_n" -v hz="$HZ" 'BEGIN {
	ct = nt ? t / hz / nt * 1e6 : 0; cm = nm ? m / hz / nm * 1e6 : 0;
	printf "| CPU per event (us) | %.2f | minimal listener %.2f (ratio %.2fx) |\n", ct, cm, cm ? ct / cm : 0 }'
echo "| first frame on $have flows (ms) | $first_ms | |"
echo "| peak RSS on $have flows (MiB) | $rss_mib | goal <= 128 |"
echo "| CPU when idle on $have flows (% of a core) | $idle_pct | goal <= 2 |"
