#!/bin/bash
# Build natscope and run its whole test suite twice: a normal build (with the lint suite:
# formatting and size limits), then one under AddressSanitizer and UndefinedBehaviorSanitizer.
# Integration cases need root (they create network namespaces); without root they are
# skipped.  Ends with the line "N passed, N failed, N skipped" over both runs.
set -u
cd "$(dirname "$0")/.."
contrib/setup-deps.sh || exit 1

total_pass=0 total_fail=0 total_skip=0
run_suite() {
	local dir=$1 skip_suites=$2
	shift 2
	contrib/build.sh "$dir" "$@" || { total_fail=$((total_fail + 1)); return; }
	echo "== $dir: meson summary"
	sed -n '/^natscope [0-9]/,/^Found ninja/p' "$dir/meson-setup.log" | grep -v '^Found ninja'
	# Benchmarks are figures, not tests: they run from contrib/bench, never here.
	# shellcheck disable=SC2086
	meson test -C "$dir" $skip_suites --print-errorlogs --num-processes 1
	local counts
	counts=$(python3 - "$dir/meson-logs/testlog.json" <<'PY'
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
	echo "$dir: $p passed, $f failed, $s skipped"
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f)) total_skip=$((total_skip + s))
}

run_suite build "" -Dwerror=${NATSCOPE_WERROR:-false}
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	run_suite build-asan "--no-suite lint" -Db_sanitize=address,undefined -Db_lundef=false \
	-Dbuildtype=debug

echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" = 0 ]
