#!/bin/sh
# Run one libFuzzer target for a bounded time: the seed corpus of the source tree is read,
# new inputs go to the build tree's corpus, a crash, leak or sanitizer report fails.
# Usage: run.sh TARGET SEED_DIR WORK_DIR [SECONDS]
# NATSCOPE_FUZZ_SECONDS overrides the time (60 by default; CI keeps it).
set -eu
target=$1 seeds=$2 work=$3
secs=${NATSCOPE_FUZZ_SECONDS:-${4:-60}}
name=$(basename "$target")
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
mkdir -p "$work/corpus/$name" "$work/artifacts/$name"
exec "$target" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
	-artifact_prefix="$work/artifacts/$name/" "$work/corpus/$name" "$seeds"
