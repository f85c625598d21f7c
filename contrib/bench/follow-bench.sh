#!/bin/bash
# fix --follow benchmark (issue 10).
#  1. Re-apply latency: CHANGES times, a masquerade rule is added to (or removed from) a
#     nat chain of RULES rules while `fix --random-fully --follow` runs; the time from the
#     `nft` command's start to the overlay holding (or no longer holding) its mirror,
#     observed by polling `nft list table ip natscope` (a few ms per poll).  Median and max,
#     against the one-shot `fix --random-fully --yes` over the same ruleset and the
#     debounce quiet time (0.2 s) measured in the same run.
#  2. Idle cost: CPU time of the follow process over IDLE seconds without changes, as a
#     share of one core, against `nft monitor` (the same notifications, no work) idle for
#     the same time.
# Figures, not pass/fail.  Needs root; touches only namespaces it creates.
# Usage: contrib/bench/follow-bench.sh [CHANGES [RULES [IDLE]]]
set -u
cd "$(dirname "$0")/../.."
CHANGES=${1:-100}
RULES=${2:-20}
IDLE=${3:-30}
. contrib/bench/prepare.sh
bench_prepare follow-bench
NATSCOPE=build-bench/natscope
NS=nsfollowb$$
FPID= MPID=
cleanup() {
	[ -n "$FPID" ] && kill "$FPID" 2>/dev/null
	[ -n "$MPID" ] && kill "$MPID" 2>/dev/null
	wait 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$B"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$NS" || exit 1
{
	echo "table ip nat {"
	echo "	chain postrouting {"
	echo "		type nat hook postrouting priority srcnat; policy accept;"
	for i in $(seq 0 $((RULES - 1))); do
		echo "		ip saddr 10.1.$i.0/24 oifname \"eth0\" masquerade"
	done
	echo "	}"
	echo "}"
} >"$B/rules.nft"
ip netns exec "$NS" nft -f "$B/rules.nft" || exit 1

# the one-shot reference: fix --yes, then revert, RUNS=10 times
for i in $(seq 10); do
	t0=$(date +%s%N)
	$NATSCOPE --netns "$NS" fix --random-fully --yes >/dev/null 2>&1 || exit 1
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000)) >>"$B/oneshot"
	$NATSCOPE --netns "$NS" fix --revert --yes >/dev/null 2>&1 || exit 1
done

$NATSCOPE --netns "$NS" fix --random-fully --follow --yes >"$B/follow.log" 2>&1 &
FPID=$!
for i in $(seq 100); do grep -q 'following nf_tables' "$B/follow.log" && break; sleep 0.05; done

python3 - "$NS" "$CHANGES" "$B/latency" <<'PY' || exit 1
import subprocess, sys, time
ns, changes, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def nft(*args):
    return subprocess.run(["ip", "netns", "exec", ns, "nft", *args], capture_output=True,
                          text=True, check=True).stdout
lat = []
for i in range(changes):
    net = f"10.200.{(i // 2) % 200}.0/24"
    adding = i % 2 == 0
    t0 = time.monotonic()
    if adding:
        nft("add", "rule", "ip", "nat", "postrouting", "ip", "saddr", net, "masquerade")
    else:
        h = [l for l in nft("-a", "list", "chain", "ip", "nat", "postrouting").splitlines()
             if net in l][0].split("# handle ")[1]
        nft("delete", "rule", "ip", "nat", "postrouting", "handle", h)
    while True:
        have = net in nft("list", "table", "ip", "natscope")
        if have == adding:
            break
        if time.monotonic() - t0 > 10:
            sys.exit(f"change {i}: the overlay did not follow in 10 s")
    lat.append((time.monotonic() - t0) * 1000)
    time.sleep(0.3)  # separate bursts
open(out, "w").write("\n".join(f"{v:.1f}" for v in lat) + "\n")
PY

# idle: CPU ticks of the follow process and of nft monitor over IDLE seconds
ip netns exec "$NS" nft monitor >/dev/null 2>&1 &
MPID=$!
sleep 1
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
f0=$(ticks "$FPID"); m0=$(ticks "$MPID")
sleep "$IDLE"
f1=$(ticks "$FPID"); m1=$(ticks "$MPID")
hz=$(getconf CLK_TCK)

med() { sort -n "$1" | awk '{ v[NR] = $1 } END { printf "%.1f", v[int((NR + 1) / 2)] }'; }
max() { sort -n "$1" | tail -1; }
applied=$(grep -c 'applied as generation' "$B/follow.log")

printf '\n%s, %d changes over %d rules, %s\n\n' "$(uname -r)" "$CHANGES" "$RULES" "$(date -u +%F)"
echo "| step                                                   | ms |"
echo "|--------------------------------------------------------|----|"
echo "| change -> overlay in force, median (--follow)           | $(med "$B/latency") |"
echo "| change -> overlay in force, max                         | $(max "$B/latency") |"
echo "| debounce quiet time (reference)                         | 200 |"
echo "| one-shot fix --random-fully --yes, median (reference)   | $(awk '{ print $1 / 1000 }' "$B/oneshot" | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f", v[int((NR + 1) / 2)] }') |"
echo
echo "rounds that applied: $applied of $CHANGES changes"
awk -v f=$((f1 - f0)) -v m=$((m1 - m0)) -v hz="$hz" -v s="$IDLE" 'BEGIN {
	printf "idle CPU over %d s: natscope fix --follow %.3f %% of a core, nft monitor %.3f %% (reference)\n",
		s, f * 100 / hz / s, m * 100 / hz / s }'
