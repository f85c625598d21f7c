#!/bin/bash
# What the BPF component costs the traffic it watches (issue 12): the clash race (two
# clients, 200,000 one-packet flows through the masquerading router) with natscope audit
# holding the component attached, and with audit --no-bpf (the same sampling, no BPF),
# alternated RUNS times in one run.  The rate is flows per second of the slower client
# (rawflood's own count and time).  Figures, not pass/fail (goal: at most 3 % slower;
# the worst case is printed).
# Usage: contrib/bench/bpf-bench.sh [RUNS]   (root; touches only its own namespaces)
set -u
cd "$(dirname "$0")/../.."
RUNS=${1:-5}
[ "$(id -u)" = 0 ] || { echo "bpf-bench: run as root" >&2; exit 1; }
contrib/setup-deps.sh --bench || exit 1
contrib/build.sh build-bench -Dbuildtype=release -Dtests=enabled || exit 1
N=build-bench/natscope
B=$(mktemp -d /tmp/natscope-bpfbench.XXXXXX)
. tests/lib/lab.sh
LAB=nsbpfb$$
cleanup() { kill $ap 2>/dev/null; wait 2>/dev/null; lab_down; rm -rf "$B"; }
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
	with=$(rate "")
	without=$(rate --no-bpf)
	echo "$with $without" >>"$B/pairs"
	awk -v w="$with" -v o="$without" -v i=$i 'BEGIN { printf "run %d: with BPF %d flows/s, without %d flows/s (%+.1f %%)\n", i, w, o, (w / o - 1) * 100 }'
done
python3 - "$B/pairs" <<'PY'
import statistics, sys
pairs = [tuple(map(float, l.split())) for l in open(sys.argv[1])]
d = [(w / o - 1) * 100 for w, o in pairs]
print(f"median with BPF {statistics.median(w for w, o in pairs):,.0f} flows/s, without "
      f"{statistics.median(o for w, o in pairs):,.0f} flows/s: median {statistics.median(d):+.1f} %, "
      f"worst {min(d):+.1f} % (goal: no worse than -3 %)")
PY
