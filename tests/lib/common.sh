# Shared by the integration tests: root check, tool checks, a per-test temp dir, and a
# lab that is always torn down (EXIT trap), whatever way the test ends.
set -u

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }
info() { echo "# $*"; }

[ "$(id -u)" = 0 ] || skip "integration tests need root (network namespaces, nft, conntrack)"
for tool in ip nft conntrack python3; do
	command -v "$tool" >/dev/null || fail "$tool is missing: run .ci/setup (installs it)"
done
[ -e /proc/sys/net/netfilter/nf_conntrack_max ] || skip "kernel has no nf_conntrack"

. "$TESTLIB/lab.sh"

T=$(mktemp -d /tmp/natscope-it.XXXXXX)
LAB=nsit$$
cleanup() {
	local rc=$?
	jobs -p | xargs -r kill 2>/dev/null
	lab_down
	rm -rf "$T"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# json FILE PYTHON-EXPRESSION: evaluate with the parsed document bound to d.
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# wait_ready FILE: wait (10 s at most) for a generator to print "ready".
wait_ready() {
	local i
	for i in $(seq 100); do
		grep -q ready "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "generator did not get ready ($1)"
}
