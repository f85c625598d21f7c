#!/bin/bash
# What the BPF component costs the traffic it watches (issue 12): the clash race (two
# clients, 200,000 one-packet flows through the masquerading router) with natscope audit
# holding the component attached, and with audit --no-bpf (the same sampling, no BPF),
# in pairs (the order alternating) RUNS times in one run.  The rate is flows per second
# of the slower client (rawflood's own count and time).  The rate moves by +-10 % from
# run to run here, more than the effect; so the program's own cost is measured too:
# kernel.bpf_stats_enabled (restored after) gives its run time and invocations during a
# race, against the CPU time the race takes per flow.  Figures, not pass/fail (goal: at
# most 3 % slower; the worst pair is printed).
# Usage: contrib/bench/bpf-bench.sh [RUNS]   (root; touches only its own namespaces)
set -u
cd "$(dirname "$0")/../.."
RUNS=${1:-5}
. contrib/bench/prepare.sh
bench_prepare bpf-bench
N=build-bench/natscope
. tests/lib/lab.sh
LAB=nsbpfb$$
old_stats=$(cat /proc/sys/kernel/bpf_stats_enabled)
cleanup() {
	kill $ap 2>/dev/null
	wait 2>/dev/null
	lab_down
	echo "$old_stats" >/proc/sys/kernel/bpf_stats_enabled
	rm -rf "$B"
}
ap=
trap cleanup EXIT
trap 'exit 130' INT TERM

# rate MODE: one race under audit MODE; flows/s of the slower client
rate() {
	local start
	lab_exec r conntrack -F 2>/dev/null
	$N --netns "$LAB-r" audit -i 20 -f json $1 >"$B/a.json" 2>"$B/a.err" &
	ap=$!
	sleep 1
	start=$(date +%s.%N | awk '{ printf "%.3f", $1 + 0.5 }')
	for c in 1 2; do
		lab_exec c$c build-bench/tests/rawflood --src 198.18.$c.2 --dst $LAB_S \
			--sport 10000-34999 --dport 20000,4 --cpu $((c - 1)) --start-at "$start" \
			--max-seconds 60 >"$B/c$c.out" &
	done
	wait %2 %3 2>/dev/null
	[ -n "${2:-}" ] && bpftool prog show name on_kfree_skb >"$2"
	kill $ap
	wait $ap 2>/dev/null
	ap=
	cat "$B/c1.out" "$B/c2.out" | awk '/^sent/ { r = $2 / $5; if (!m || r < m) m = r } END { printf "%.0f\n", m }'
}

lab_up "" drop >/dev/null || exit 1
rate "" >/dev/null # warm up; also shows the component loads
grep -q . "$B/a.err" && { echo "bpf-bench: $(cat "$B/a.err")" >&2; }
: >"$B/pairs"
for i in $(seq "$RUNS"); do
	if [ $((i % 2)) = 1 ]; then
		with=$(rate "")
		without=$(rate --no-bpf)
	else
		without=$(rate --no-bpf)
		with=$(rate "")
	fi
	echo "$with $without" >>"$B/pairs"
	awk -v w="$with" -v o="$without" -v i=$i 'BEGIN { printf "run %d: with BPF %d flows/s, without %d flows/s (%+.1f %%)\n", i, w, o, (w / o - 1) * 100 }'
done
# the program's own cost during one race
echo 1 >/proc/sys/kernel/bpf_stats_enabled
t0=$(awk '{ print $1 }' /proc/uptime)
cpu0=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat)
rate "" "$B/prog" >"$B/r"
cpu1=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat)
echo "$old_stats" >/proc/sys/kernel/bpf_stats_enabled
flows=$(lab_exec r conntrack -C)
read -r run_ns run_cnt < <(sed -n 's/.*run_time_ns \([0-9]*\) run_cnt \([0-9]*\).*/\1 \2/p' "$B/prog")
awk -v ns="${run_ns:-0}" -v cnt="${run_cnt:-0}" -v flows="$flows" -v c=$((cpu1 - cpu0)) -v hz="$(getconf CLK_TCK)" 'BEGIN {
	busy = c / hz * 1e9 / flows
	printf "the program during one race: %d runs, %.0f ns each, %.0f ns per flow; the machine spent %.0f ns of CPU per flow (the whole run, all CPUs): %.2f %%\n",
		cnt, cnt ? ns / cnt : 0, ns / flows, busy, ns / flows / busy * 100 }'
python3 - "$B/pairs" <<'PY'
import statistics, sys
pairs = [tuple(map(float, l.split())) for l in open(sys.argv[1])]
d = [(w / o - 1) * 100 for w, o in pairs]
print(f"median with BPF {statistics.median(w for w, o in pairs):,.0f} flows/s, without "
      f"{statistics.median(o for w, o in pairs):,.0f} flows/s: median {statistics.median(d):+.1f} %, "
      f"worst {min(d):+.1f} % (goal: no worse than -3 %)")
PY
