#!/bin/bash
# Build natscope and run its whole test suite:
#  1. a normal build: unit, integration and lint (formatting, size limits);
#  2. the unit tests again under valgrind (uninitialised reads, leaks);
#  3. a build under AddressSanitizer and UndefinedBehaviorSanitizer: unit and integration;
#  4. a clang build of the libFuzzer targets, each run for NATSCOPE_FUZZ_SECONDS (60).
# Integration cases need root (they create network namespaces); without root they are
# skipped.  Ends with the line "N passed, N failed, N skipped" over all runs.
set -u
cd "$(dirname "$0")/.."
contrib/setup-deps.sh || exit 1

total_pass=0 total_fail=0 total_skip=0

# count DIR [LOGBASE]: add up the results meson wrote for the last run in DIR.
count() {
	local dir=$1 counts p f s
	counts=$(python3 - "$dir/meson-logs/${2:-testlog}.json" <<'PY'
import json, sys
p = f = s = 0
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"): p += 1
    elif r == "SKIP": s += 1
    else: f += 1
print(p, f, s)
PY
) || counts="0 1 0"
	read -r p f s <<<"$counts"
	echo "$dir${2:+ ($2)}: $p passed, $f failed, $s skipped"
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f)) total_skip=$((total_skip + s))
}

# run_suite DIR "MESON-TEST-ARGS" MESON-SETUP-OPTIONS...
run_suite() {
	local dir=$1 test_args=$2
	shift 2
	contrib/build.sh "$dir" "$@" || { total_fail=$((total_fail + 1)); return 1; }
	echo "== $dir: meson summary"
	sed -n '/^natscope [0-9]/,/^Found ninja/p' "$dir/meson-setup.log" | grep -v '^Found ninja'
	# Benchmarks are figures, not tests: they run from contrib/bench, never here.
	# shellcheck disable=SC2086
	meson test -C "$dir" $test_args --print-errorlogs --num-processes 1
	count "$dir"
}

if run_suite build "" -Dwerror=${NATSCOPE_WERROR:-false}; then
	echo "== build: unit tests under valgrind"
	# meson names this run's log after the wrapper: testlog-valgrind.json.
	# NATSCOPE_VALGRIND: the checks that fork a child into a new network namespace to
	# run libnftables skip (valgrind follows the fork and reports libnftables' own
	# uninitialised send buffers); the plain and ASan runs keep them.
	NATSCOPE_VALGRIND=1 meson test -C build --suite unit --print-errorlogs --num-processes 2 \
		--wrapper 'valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite -q'
	count build testlog-valgrind
fi
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	run_suite build-asan "--no-suite lint" -Db_sanitize=address,undefined -Db_lundef=false \
	-Dbuildtype=debug
CC=clang run_suite build-fuzz "--suite fuzz" -Dfuzz=enabled -Dtests=disabled -Dman=disabled \
	-Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link

echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" = 0 ]
