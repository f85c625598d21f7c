#!/bin/bash
# natscope exporter at 10k, 100k and 1M tracked flows (issue 11): scrape latency (median
# and max of SCRAPES scrapes, curl's total time over loopback), RSS after the scrapes,
# CPU of the idle exporter over 10 s, time to the first answer (the seed dump); and in
# the same run node_exporter's conntrack collector on the same namespace, which reads
# two numbers and the per-CPU statistics from procfs.  Figures, not pass/fail (the goal:
# a scrape at 1,000,000 flows within 50 ms).
# Usage: contrib/bench/exporter-bench.sh [SIZES [SCRAPES]]  e.g. "10000 100000 1000000" 20
set -u
cd "$(dirname "$0")/../.."
SIZES=${1:-10000 100000 1000000}
SCRAPES=${2:-20}
. contrib/bench/prepare.sh
bench_prepare exporter-bench
N=build-bench/natscope

. tests/lib/lab.sh
LAB=nsexpb$$
old_max=$(cat /proc/sys/net/netfilter/nf_conntrack_max)
cleanup() {
	kill $exp $ne 2>/dev/null
	wait 2>/dev/null
	lab_down
	ip netns del "$LAB-m" 2>/dev/null
	echo "$old_max" >/proc/sys/net/netfilter/nf_conntrack_max
	rm -rf "$B"
}
exp= ne=
trap cleanup EXIT
trap 'exit 130' INT TERM
cpu_of() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)
mclient() { ip netns exec "$LAB-m" "$@"; }
# timing URL: SCRAPES scrapes; "median max" in ms
timing() {
	local i
	for i in $(seq "$SCRAPES"); do
		mclient curl -sf -o /dev/null -w '%{time_total}\n' "$1" || echo fail
	done | sort -n | awk '{ t[NR] = $1 * 1000 } END { printf "%.1f %.1f\n", t[int((NR + 1) / 2)], t[NR] }'
}

printf '| flows | first answer (s) | scrape median (ms) | scrape max (ms) | RSS (MiB) | idle CPU (%% of a core) | node_exporter conntrack scrape median (ms) |\n'
printf '|---|---|---|---|---|---|---|\n'
for n in $SIZES; do
	lab_down
	ip netns del "$LAB-m" 2>/dev/null
	dports=$(((n + 62499) / 62500))
	sports=$((n / dports))
	n=$((sports * dports))
	echo $((n + n / 10 + 1000)) >/proc/sys/net/netfilter/nf_conntrack_max
	lab_up "" drop >/dev/null || exit 1
	ip netns add "$LAB-m" && mclient ip link set lo up
	lab_exec r sysctl -qw net.netfilter.nf_conntrack_udp_timeout=3600
	lab_exec c1 build-bench/tests/rawflood --src 198.18.1.2 --dst $LAB_S \
		--sport "1024-$((1024 + sports - 1))" --dport "20000,$dports" --cpu 0 \
		--max-seconds 120 >/dev/null
	sleep 1
	have=$(lab_exec r conntrack -C)
	t0=$(date +%s.%N)
	ip netns exec "$LAB-m" "$N" exporter --netns "$LAB-r" --listen 127.0.0.1:9662 >"$B/exp.out" 2>&1 &
	exp=$!
	until mclient curl -sf -o /dev/null http://127.0.0.1:9662/metrics; do sleep 0.05; done
	first=$(awk -v s="$t0" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
	read -r med max < <(timing http://127.0.0.1:9662/metrics)
	rss=$(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$exp/status")
	c0=$(cpu_of $exp)
	sleep 10
	c1=$(cpu_of $exp)
	idle=$(awk -v c=$((c1 - c0)) -v hz="$HZ" 'BEGIN { printf "%.2f", c * 100 / hz / 10 }')
	kill $exp
	wait $exp 2>/dev/null
	exp=
	# node_exporter's conntrack collector reads procfs of the namespace it runs in
	ip netns exec "$LAB-r" prometheus-node-exporter --web.listen-address=127.0.0.1:9100 \
		--collector.disable-defaults --collector.conntrack >/dev/null 2>&1 &
	ne=$!
	until lab_exec r curl -sf -o /dev/null http://127.0.0.1:9100/metrics; do sleep 0.05; done
	ne_med=$(for i in $(seq "$SCRAPES"); do lab_exec r curl -sf -o /dev/null -w '%{time_total}\n' http://127.0.0.1:9100/metrics; done |
		sort -n | awk '{ t[NR] = $1 * 1000 } END { printf "%.1f", t[int((NR + 1) / 2)] }')
	kill $ne
	wait $ne 2>/dev/null
	ne=
	printf '| %d | %s | %s | %s | %s | %s | %s |\n' "$have" "$first" "$med" "$max" "$rss" "$idle" "$ne_med"
done
