#!/bin/bash
# Line coverage of natscope's sources by the fuzzers' corpora (by hand; not part of CI).
# Builds the targets with clang's source-based coverage in build-fuzzcov/, runs each over
# its corpus once (no fuzzing), and prints llvm-cov's report for the sources it names.
# Usage: contrib/fuzz/coverage.sh CORPUS_ROOT [SOURCE...]
#   CORPUS_ROOT holds one directory per target (as tests/fuzz/run.sh leaves them under
#   WORK/corpus/fuzz_TARGET, or tests/fuzz/corpus/TARGET); default sources: all of src/.
set -eu
cd "$(dirname "$0")/../.."
root=$1
shift
command -v llvm-profdata >/dev/null || { echo "coverage.sh: needs llvm (apt-get install llvm)" >&2; exit 1; }
CC=clang contrib/build.sh build-fuzzcov -Dfuzz=enabled -Dtests=disabled -Dman=disabled \
	-Dc_args='-fprofile-instr-generate -fcoverage-mapping' \
	-Dc_link_args=-fprofile-instr-generate
prof=build-fuzzcov/profiles
rm -rf "$prof" && mkdir -p "$prof"
first= objs=()
for exe in build-fuzzcov/tests/fuzz/fuzz_*; do
	[ -f "$exe" ] && [ -x "$exe" ] || continue
	t=${exe##*/fuzz_}
	dir=$root/fuzz_$t
	[ -d "$dir" ] || dir=$root/$t
	[ -d "$dir" ] || { echo "coverage.sh: no corpus for $t under $root" >&2; continue; }
	LLVM_PROFILE_FILE="$prof/$t.profraw" "$exe" -runs=0 "$dir" >/dev/null 2>&1
	if [ -z "$first" ]; then first=$exe; else objs+=(-object "$exe"); fi
done
llvm-profdata merge -sparse "$prof"/*.profraw -o "$prof/all.profdata"
llvm-cov report --instr-profile="$prof/all.profdata" "$first" "${objs[@]}" "${@:-src/}"
