#!/bin/sh
# Fail when a C source or header is not formatted as .clang-format says.
# Usage: contrib/lint/format.sh   (run from anywhere; fix with clang-format -i FILE)
set -eu
cd "$(dirname "$0")/../.."
command -v clang-format >/dev/null ||
	{ echo "SKIP: clang-format is not installed (contrib/setup-deps.sh installs it)"; exit 77; }
find src include tests contrib -name '*.[ch]' -print0 | xargs -0 clang-format --dry-run --Werror
