#!/bin/sh
# Configure (once) and build natscope in DIR (default build/) with extra meson options.
# The configuration's summary stays in DIR/meson-setup.log.
# Usage: contrib/build.sh [DIR [MESON-OPTIONS...]]
set -eu
cd "$(dirname "$0")/.."
dir=${1:-build}
[ $# -gt 0 ] && shift
if [ ! -f "$dir/build.ninja" ]; then
	meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log" >&2; exit 1; }
	mv "$dir.setup.log" "$dir/meson-setup.log"
fi
ninja -C "$dir" >"$dir/ninja.log" 2>&1 || { tail -40 "$dir/ninja.log" >&2; exit 1; }
