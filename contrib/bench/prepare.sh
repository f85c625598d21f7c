# Sourced by every benchmark from the top of the tree: bench_prepare NAME checks root,
# installs what is missing (with the --bench extras), builds the release tree
# build-bench/ and makes B, the benchmark's scratch folder (its EXIT trap removes it).
bench_prepare() {
	[ "$(id -u)" = 0 ] || { echo "$1: run as root" >&2; exit 1; }
	contrib/setup-deps.sh --bench || exit 1
	contrib/build.sh build-bench -Dbuildtype=release -Dtests=enabled || exit 1
	B=$(mktemp -d "/tmp/natscope-$1.XXXXXX")
}
