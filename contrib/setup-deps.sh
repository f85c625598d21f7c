#!/bin/sh
# Install the Debian 12 packages natscope needs to build, test and demo, if missing.
# Usage: contrib/setup-deps.sh [--bench]   (--bench adds what the benchmarks compare with)
set -eu

# build: compiler, meson, the libraries; test: cmocka, libnetfilter_conntrack (encodes
# test messages), valgrind, clang with the libFuzzer runtime (the fuzz targets), the
# kernel's own tools and the real clients the cases check against (systemd and man-db:
# systemd-analyze verify of the unit, which looks up its man page)
pkgs="gcc meson ninja-build pkgconf libmnl-dev libnftnl-dev libip4tc-dev libip6tc-dev libncurses-dev libjansson-dev
libpcap-dev libcap-ng-dev scdoc
libcmocka-dev libnetfilter-conntrack-dev clang-format python3 valgrind clang libclang-rt-14-dev
nftables conntrack iptables iproute2 util-linux procps tmux tshark systemd man-db"
[ "${1:-}" = --bench ] && pkgs="$pkgs iptstate hyperfine time bsdutils"

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "setup-deps: missing Debian packages:$missing; run as root to install them" >&2
	exit 1
fi
echo "setup-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
