#!/bin/bash
# fix benchmark (issue: NAT rules + fix).
#  1. insert_failed per 100,000 new flows in the clash lab (two clients racing 200,000
#     one-packet UDP flows through one masquerading router), RUNS times with plain
#     masquerade and RUNS times with plain masquerade + `natscope fix --random-fully`:
#     median, min, max and the ratio.
#  2. Time to plan+apply a fix over a ruleset with RULES masquerade rules, against
#     `nft -f` loading the same overlay (natscope's --dry-run script) in the same run.
# Figures, not pass/fail.  Needs root; touches only namespaces it creates.
# Usage: contrib/bench/fix-bench.sh [RUNS [RULES]]
set -u
cd "$(dirname "$0")/../.."
RUNS=${1:-5}
RULES=${2:-1000}
. contrib/bench/prepare.sh
bench_prepare fix-bench
NATSCOPE=build-bench/natscope

. tests/lib/lab.sh
LAB=nsfixb$$
cleanup() { lab_down; ip netns del "$LAB-big" 2>/dev/null; rm -rf "$B"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# one_run MODE: prints insert_failed for 200,000 racing flows
one_run() {
	lab_up "" drop >/dev/null || exit 1
	[ "$1" = fix ] && { $NATSCOPE --netns "$LAB-r" fix --random-fully --yes >/dev/null 2>&1 || exit 1; }
	lab_clash build-bench/tests/rawflood 25000 4 >/dev/null || echo "flood incomplete" >&2
	lab_ct_stat r insert_failed
	lab_down
}

stats() { # values on stdin -> "median min max" per 100,000 flows
	sort -n | awk '{ v[NR] = $1 * 100000 / 200000 } END { printf "%.1f %.1f %.1f", v[int((NR + 1) / 2)], v[1], v[NR] }'
}

: >"$B/plain"
: >"$B/fix"
for i in $(seq "$RUNS"); do
	one_run plain >>"$B/plain"
	one_run fix >>"$B/fix"
	echo "run $i: plain $(tail -1 "$B/plain"), fixed $(tail -1 "$B/fix") (per 200,000 flows)" >&2
done
read -r pm pmin pmax <<<"$(stats <"$B/plain")"
read -r fm fmin fmax <<<"$(stats <"$B/fix")"

# 2: a ruleset with RULES masquerade rules in one chain, then time the fix.
ip netns add "$LAB-big"
{
	echo "table ip nat {"
	echo "	chain postrouting {"
	echo "		type nat hook postrouting priority srcnat; policy accept;"
	for i in $(seq 0 $((RULES - 1))); do
		echo "		ip saddr 10.$((i / 256)).$((i % 256)).0/24 oifname \"eth$((i % 8))\" counter masquerade"
	done
	echo "	}"
	echo "}"
} >"$B/big.nft"
ip netns exec "$LAB-big" nft -f "$B/big.nft" || exit 1
$NATSCOPE --netns "$LAB-big" fix --random-fully --dry-run >"$B/overlay.nft" 2>/dev/null

ms() { date +%s%N; }
: >"$B/t_fix"
: >"$B/t_plan"
: >"$B/t_nft"
for i in $(seq "$RUNS"); do
	t0=$(ms); $NATSCOPE --netns "$LAB-big" fix --random-fully --dry-run >/dev/null 2>&1; t1=$(ms)
	echo $(((t1 - t0) / 1000)) >>"$B/t_plan"
	t0=$(ms); $NATSCOPE --netns "$LAB-big" fix --random-fully --yes >/dev/null 2>&1 || exit 1; t1=$(ms)
	echo $(((t1 - t0) / 1000)) >>"$B/t_fix"
	$NATSCOPE --netns "$LAB-big" fix --revert --yes >/dev/null 2>&1 || exit 1
	t0=$(ms); ip netns exec "$LAB-big" nft -f "$B/overlay.nft" || exit 1; t1=$(ms)
	echo $(((t1 - t0) / 1000)) >>"$B/t_nft"
	ip netns exec "$LAB-big" nft delete table ip natscope
done
med() { sort -n "$1" | awk '{ v[NR] = $1 } END { printf "%.1f", v[int((NR + 1) / 2)] / 1000 }'; }

printf '\n%s, %d runs each, %s\n\n' "$(uname -r)" "$RUNS" "$(date -u +%F)"
echo "insert_failed per 100,000 new flows (clash lab, 2 CPUs racing 200,000 UDP flows):"
echo
echo "| masquerade                 | median | min | max |"
echo "|----------------------------|--------|-----|-----|"
echo "| plain                      | $pm | $pmin | $pmax |"
echo "| plain + natscope fix       | $fm | $fmin | $fmax |"
awk -v p="$pm" -v f="$fm" 'BEGIN { if (f > 0) printf "\nratio: %.1fx fewer\n", p / f; else printf "\nratio: %s before, 0 after (no failure in the median fixed run)\n", p }'
echo
echo "fix over $RULES masquerade rules (median wall time, ms):"
echo
echo "| step                                              | ms |"
echo "|---------------------------------------------------|----|"
echo "| natscope fix --dry-run (read + plan + script)     | $(med "$B/t_plan") |"
echo "| natscope fix --yes (read + plan + apply + verify) | $(med "$B/t_fix") |"
echo "| nft -f of the same overlay (reference)            | $(med "$B/t_nft") |"
