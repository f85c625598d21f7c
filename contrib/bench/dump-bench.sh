#!/bin/bash
# Dump benchmark (issue: foundation): fill a lab namespace's conntrack table with N
# entries (default 1,000,000) and, in one run, time natscope audit against conntrack -L,
# conntrack -C, iptstate -1 and a minimal libmnl dump-and-count reader.  Prints wall time
# (median of RUNS), peak RSS and ratios to the minimal reader.  Figures, not pass/fail.
#
# Needs root.  Raises the global nf_conntrack_max for the run and restores it; creates
# and removes its own namespaces; touches nothing else on the host.
# Usage: contrib/bench/dump-bench.sh [ENTRIES [RUNS]]
set -u
cd "$(dirname "$0")/../.."
N=${1:-1000000}
RUNS=${2:-5}
. contrib/bench/prepare.sh
bench_prepare dump-bench
cc -O2 -o "$B/mini_dump" contrib/bench/mini_dump.c -lmnl || exit 1

. tests/lib/lab.sh
LAB=nsbench$$
old_max=$(cat /proc/sys/net/netfilter/nf_conntrack_max)
cleanup() {
	lab_down
	echo "$old_max" >/proc/sys/net/netfilter/nf_conntrack_max
	rm -rf "$B"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 62,500 source ports x 16 destination ports per million: one client, so masquerade keeps
# every source port (no clash) and each destination's group stays below 64,512.
dports=$(((N + 62499) / 62500))
sports=$((N / dports))
N=$((sports * dports))
echo $((N + N / 10 + 1000)) >/proc/sys/net/netfilter/nf_conntrack_max
lab_up "" drop || exit 1
lab_exec r sysctl -qw net.netfilter.nf_conntrack_udp_timeout=3600
echo "filling $LAB-r with $N entries ($sports source ports x $dports destination ports)..." >&2
lab_exec c1 build-bench/tests/rawflood --src 198.18.1.2 --dst $LAB_S --sport "1024-$((1024 + sports - 1))" \
	--dport "20000,$dports" --cpu 0 --max-seconds 120 >&2
sleep 1
have=$(lab_exec r conntrack -C)
echo "table holds $have entries" >&2

# measure NAME CMD...: RUNS runs; median wall seconds and max peak RSS (KiB).
declare -A WALL RSS
measure() {
	local name=$1 i
	shift
	: >"$B/times"
	for i in $(seq "$RUNS"); do
		# natscope audit exits 1/2 for warning/critical findings: that is a result.
		/usr/bin/time -f "%e %M" -o "$B/t" "$@" >/dev/null 2>"$B/err"
		[ $? -le 2 ] || {
			echo "$name failed: $(tail -2 "$B/err")" >&2
			return
		}
		tail -n 1 "$B/t" >>"$B/times" # after any "Command exited with" line
	done
	WALL[$name]=$(sort -n "$B/times" | awk '{ w[NR] = $1 } END { print w[int((NR + 1) / 2)] }')
	RSS[$name]=$(awk '$2 > m { m = $2 } END { print m }' "$B/times")
}

measure "minimal libmnl reader" ip netns exec "$LAB-r" "$B/mini_dump"
measure "natscope audit -i 0 -f json" build-bench/natscope --netns "$LAB-r" audit -i 0 -f json
measure "natscope audit -i 0 (text)" build-bench/natscope --netns "$LAB-r" audit -i 0
measure "conntrack -L" ip netns exec "$LAB-r" conntrack -L
measure "conntrack -C" ip netns exec "$LAB-r" conntrack -C
# iptstate needs a terminal; script(1) gives it one.  -1: print once, then exit.
# script's terminal has no size: give it one, or iptstate refuses to start.
measure "iptstate -1" script -qec "stty cols 160 rows 50; ip netns exec $LAB-r iptstate -1" /dev/null

ref=${WALL["minimal libmnl reader"]}
printf '\n%d entries, %s, median of %d runs, %s\n\n' "$have" "$(uname -r)" "$RUNS" "$(date -u +%F)"
printf '| %-28s | %9s | %8s | %13s |\n' "command" "wall (s)" "vs mini" "peak RSS (MiB)"
printf '|%s|%s|%s|%s|\n' "------------------------------" "-----------" "----------" "---------------"
for name in "minimal libmnl reader" "natscope audit -i 0 -f json" "natscope audit -i 0 (text)" \
	"conntrack -L" "conntrack -C" "iptstate -1"; do
	[ -n "${WALL[$name]:-}" ] || { printf '| %-28s | %9s | %8s | %13s |\n' "$name" failed - -; continue; }
	awk -v n="$name" -v w="${WALL[$name]}" -v r="$ref" -v m="${RSS[$name]}" \
		'BEGIN { printf "| %-28s | %9s | %7.2fx | %13.1f |\n", n, w, w / r, m / 1024 }'
done
