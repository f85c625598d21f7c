# Shared by the integration cases: root check, feature probes that skip with a reason,
# a per-case temp dir, and a lab that is always torn down (EXIT trap), whatever way the
# case ends.  A case may define case_cleanup() for what it starts itself.
set -u

SKIPPED=
fail() { echo "FAIL: $*" >&2; exit 1; }
# Exit 77 (meson's "skipped"), saying why on both streams so no log hides the reason.
skip() { SKIPPED=1; echo "SKIP: $*"; echo "SKIP: $*" >&2; exit 77; }
info() { echo "# $*"; }
# validate_json FILE...: natscope's JSON (one document, or one per line) against its
# schema under doc/, chosen by the document's "schema" field
validate_json() {
	python3 "$VALIDATE_JSON" "$DOCDIR" "$@" >"$T/schema.out" 2>&1 ||
		fail "JSON schema: $(head -5 "$T/schema.out")"
	info "schema: $(tail -1 "$T/schema.out") in $*"
}

# Feature probes: skip, with the reason, only when the machine genuinely lacks it.
need_cmd() { command -v "$1" >/dev/null || skip "$1 is not installed${2:+ ($2)}"; }
need_cpus() { [ "$(nproc)" -ge "$1" ] || skip "needs $1 CPUs, this machine has $(nproc)"; }

[ "$(id -u)" = 0 ] || skip "integration cases need root (network namespaces, nft, conntrack)"
for tool in ip nft conntrack python3; do
	command -v "$tool" >/dev/null || fail "$tool is missing: run contrib/setup-deps.sh"
done
[ -e /proc/sys/net/netfilter/nf_conntrack_max ] || skip "the kernel has no nf_conntrack"

. "$TESTLIB/lab.sh"

# A case killed by meson's timeout (SIGKILL) cannot run its EXIT trap: its namespaces
# (nsitPID-*, and the demo's natscope-demoPID-*) outlive it and can break the next case.
# Before this case starts, remove those whose PID is dead, the processes in them first,
# and say so.
sweep_dead_labs() {
	local ns pid
	for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }'); do
		pid=$(echo "$ns" | sed -n 's/^\(nsit\|natscope-demo\)\([0-9][0-9]*\)-.*/\2/p')
		[ -n "$pid" ] && [ "$pid" != $$ ] || continue
		kill -0 "$pid" 2>/dev/null && continue
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null &&
			echo "# removed namespace $ns, left by a case whose process $pid is gone"
	done
	return 0
}
sweep_dead_labs

T=$(mktemp -d /tmp/natscope-it.XXXXXX)
LAB=nsit$$
cleanup() {
	local rc=$?
	# natscope exits 77 for "no permission": never let that pass for a skip
	if [ "$rc" = 77 ] && [ -z "$SKIPPED" ]; then
		echo "FAIL: exit status 77 without a skip (natscope's own 77 passed through?)" >&2
		rc=1
	fi
	declare -F case_cleanup >/dev/null && case_cleanup
	jobs -p | xargs -r kill 2>/dev/null
	lab_down
	rm -rf "$T"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# json FILE PYTHON-EXPRESSION: evaluate with the parsed document bound to d.
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
# finding FILE ID: the severity of audit finding ID in a JSON report.
finding() { json "$1" "[f['severity'] for f in d['findings'] if f['id'] == '$2'][0]"; }

# wait_ready FILE: wait (10 s at most) for a generator to print "ready".
wait_ready() {
	local i
	for i in $(seq 100); do
		grep -q ready "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "generator did not get ready ($1)"
}

# ns_kill ROLE: end every process in lab namespace ROLE and wait for this shell's jobs.
ns_kill() {
	ip netns pids "$LAB-$1" 2>/dev/null | xargs -r kill 2>/dev/null
	wait 2>/dev/null
	return 0
}

# wait_lines FILE N [SECONDS]: wait (10 s, or SECONDS) for FILE to hold N lines, e.g. a
# batch frame written once the program has seeded and listens; 1 if it never does.
wait_lines() {
	local end=$(($(date +%s%N) + ${3:-10} * 1000000000))
	while [ "$(wc -l <"$1" 2>/dev/null || echo 0)" -lt "$2" ]; do
		[ "$(date +%s%N)" -lt "$end" ] || return 1
		sleep 0.05
	done
}

# within T0 SECONDS WHAT: WHAT (traffic a report must hold) is over before the window of
# SECONDS that opened at T0 (epoch seconds, taken just before the program started)
# closes, with 0.3 s to spare; otherwise the case fails saying so, as a window assumed
# long enough proves nothing.
within() {
	awk -v t0="$1" -v s="$2" -v now="$(date +%s.%N)" 'BEGIN { exit !(now + 0.3 < t0 + s) }' && return 0
	fail "$3 ended $(awk -v t0="$1" -v now="$(date +%s.%N)" 'BEGIN { printf "%.1f", now - t0 }') s after the window opened, past its $2 s: too slow a machine for the window"
}
