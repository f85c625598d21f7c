#!/bin/sh
# The differential oracle's full sweep (issue 22): every mutation of every NAT producer's
# shape, judged by the kernel, as fix/0026_oracle_shapes runs one per shape in CI.
# Needs root and a configured build (contrib/build.sh).  Prints the shapes, mutations,
# judgements and probes run.  Usage: contrib/oracle/sweep.sh [BUILD-DIR [SEED]]
set -eu
cd "$(dirname "$0")/../.."
dir=${1:-build}
ORACLE_ALL=1 ORACLE_SEED=${2:-$(date +%Y%m%d)} \
	meson test -C "$dir" fix/0026_oracle_shapes --timeout-multiplier 6 --print-errorlogs
grep -E '^# (oracle|seed)' "$dir/meson-logs/testlog.txt"
