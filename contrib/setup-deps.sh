#!/bin/sh
# Install the Debian 12 packages natscope needs to build, test and demo, if missing.
# Usage: contrib/setup-deps.sh [--bench]   (--bench adds what the benchmarks compare with)
set -eu

# build: compiler, meson, the libraries; test: cmocka, libnetfilter_conntrack (encodes
# test messages), valgrind, clang with the libFuzzer runtime (the fuzz targets), the
# kernel's own tools and the real clients the cases check against (systemd and man-db:
# systemd-analyze verify of the unit, which looks up its man page; docker.io and
# busybox-static: a real dockerd in a test namespace, its image built offline;
# prometheus (promtool) and prometheus-node-exporter: the metrics checked by the real
# parsers; libmicrohttpd: the exporter's HTTP server; libbpf-dev, bpftool, clang and
# llvm: the BPF component that names the flows whose insertion failed; bash-completion
# and zsh: the completions, run and parsed; python3-jsonschema: the JSON schemas; ipset:
# Calico's set matches, the sets made for real)
pkgs="gcc meson ninja-build pkgconf libmnl-dev libnftnl-dev libip4tc-dev libip6tc-dev libnftables-dev libncurses-dev libjansson-dev
libpcap-dev libcap-ng-dev scdoc
libcmocka-dev libnetfilter-conntrack-dev clang-format python3 valgrind clang libclang-rt-14-dev
nftables conntrack iptables iproute2 util-linux procps tmux tshark systemd man-db
docker.io busybox-static prometheus prometheus-node-exporter libmicrohttpd-dev curl
libbpf-dev bpftool llvm tzdata bash-completion zsh python3-jsonschema ipset"
[ "${1:-}" = --bench ] && pkgs="$pkgs iptstate hyperfine time bsdutils iperf3"

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
# docker.io's package would start a dockerd on the host; the tests start their own in a
# namespace.  A policy-rc.d that denies every start (Debian's invoke-rc.d policy hook)
# keeps the host's daemons as they are during the install, then goes.
policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
	policy=/usr/sbin/policy-rc.d
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	trap 'rm -f "$policy"' EXIT
fi
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
