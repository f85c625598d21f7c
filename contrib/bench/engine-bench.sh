#!/bin/bash
# The event engine's cost per event (issue 11): natscope exporter, which runs the engine
# all day on every node, against the minimal listener (contrib/bench/mini_events.c:
# receive and count), both subscribed in the same namespace to the same events in the
# same run.  Each run makes ROUNDS x (the 200,000-flow race + conntrack -F) = ROUNDS x
# 400,000 NEW and DESTROY events; CPU is utime + stime from /proc over the run, so the
# clock tick (10 ms) is far below the figures.  Median of RUNS runs.  Figures, not
# pass/fail (the goal: natscope within 1.2x of the minimal listener).
# Usage: contrib/bench/engine-bench.sh [RUNS [ROUNDS]]   (root; touches only its namespaces)
set -u
cd "$(dirname "$0")/../.."
RUNS=${1:-5}
ROUNDS=${2:-3}
. contrib/bench/prepare.sh
bench_prepare engine-bench
N=build-bench/natscope
cc -O2 -o "$B/mini_events" contrib/bench/mini_events.c -lmnl || exit 1

. tests/lib/lab.sh
LAB=nsengb$$
cleanup() { kill $mini $exp 2>/dev/null; wait 2>/dev/null; lab_down; ip netns del "$LAB-m" 2>/dev/null; rm -rf "$B"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
cpu_of() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # utime + stime, clock ticks
HZ=$(getconf CLK_TCK)

lab_up "" drop >/dev/null || exit 1
ip netns add "$LAB-m" && ip netns exec "$LAB-m" ip link set lo up
ip netns exec "$LAB-r" "$B/mini_events" >"$B/mini.out" &
mini=$!
ip netns exec "$LAB-m" "$N" exporter --netns "$LAB-r" --listen 127.0.0.1:9662 >"$B/exp.out" 2>&1 &
exp=$!
scrape() { ip netns exec "$LAB-m" curl -sf http://127.0.0.1:9662/metrics; }
for i in $(seq 100); do scrape >/dev/null && break; sleep 0.1; done
events() { # natscope's received events (new + update + destroy)
	scrape | awk -v ns="$LAB-r" '$1 ~ "^natscope_events_total\\{netns=\"" ns "\"" { s += $2 } END { print s + 0 }'
}

: >"$B/runs"
for run in $(seq "$RUNS"); do
	e0=$(events)
	m0=$(cpu_of $mini)
	n0=$(cpu_of $exp)
	for r in $(seq "$ROUNDS"); do
		lab_clash build-bench/tests/rawflood 25000 4 >/dev/null
		lab_exec r conntrack -F 2>/dev/null
	done
	sleep 2 # what is queued is read
	e1=$(events)
	m1=$(cpu_of $mini)
	n1=$(cpu_of $exp)
	ev=$((e1 - e0))
	echo "$ev $((m1 - m0)) $((n1 - n0))" >>"$B/runs"
	awk -v ev=$ev -v m=$((m1 - m0)) -v n=$((n1 - n0)) -v hz="$HZ" -v run=$run 'BEGIN {
		printf "run %d: %d events; minimal listener %.3f us/event, natscope exporter %.3f us/event (%.2fx)\n",
			run, ev, m * 1e6 / hz / ev, n * 1e6 / hz / ev, n / m }'
done
kill -TERM $mini $exp
wait $mini $exp 2>/dev/null
read -r mini_n mini_drop < <(tail -n 1 "$B/mini.out")
sort -n -k1 "$B/runs" >/dev/null
python3 - "$B/runs" "$HZ" "$mini_drop" <<'PY'
import statistics, sys
hz = int(sys.argv[2])
runs = [tuple(map(int, l.split())) for l in open(sys.argv[1])]
mini = [m * 1e6 / hz / ev for ev, m, n in runs]
nat = [n * 1e6 / hz / ev for ev, m, n in runs]
ratio = [n / m for ev, m, n in runs]
print(f"median of {len(runs)} runs ({min(r[0] for r in runs):,} to {max(r[0] for r in runs):,} events each): minimal listener "
      f"{statistics.median(mini):.3f} us/event, natscope exporter {statistics.median(nat):.3f} "
      f"us/event: {statistics.median(ratio):.2f}x (goal <= 1.2x); events the kernel dropped "
      f"for the minimal listener: {sys.argv[3]}")
PY
