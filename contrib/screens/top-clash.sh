#!/bin/bash
# The README's screen of natscope top naming failed insertions after real containers:
# dockerd (Debian's docker.io) in a throw-away namespace, two containers racing 200,000
# UDP flows through Docker's own MASQUERADE rule, natscope top's SNAT groups view in a
# tmux of COLSxROWS, captured after the race: the SNAT groups view, or each of VIEWS.
# Root; touches only its own namespaces.
# Usage: contrib/screens/top-clash.sh [COLS ROWS [VIEWS]]   (prints the screens;
#        VIEWS "1 2 3 4 5" prints every view, each after a line "--- view N")
set -u
cd "$(dirname "$0")/../.."
COLS=${1:-100}
ROWS=${2:-32}
VIEWS=${3:-2}
[ "$(id -u)" = 0 ] || { echo "top-clash: run as root" >&2; exit 1; }
contrib/build.sh build -Dtests=enabled >/dev/null || exit 1
T=$(mktemp -d /tmp/natscope-screen.XXXXXX)
LAB=screen$$
fail() { echo "top-clash: $*" >&2; exit 1; }
skip() { fail "$*"; }
. tests/lib/docker.sh
docker_need
SOCK=$T/tmux.sock
cleanup() {
	tmux -S "$SOCK" kill-server 2>/dev/null
	docker_down
	for n in h s; do ip netns pids "$LAB-$n" 2>/dev/null | xargs -r kill 2>/dev/null; ip netns del "$LAB-$n" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ip netns add "$LAB-h" && ip netns add "$LAB-s" || fail "netns"
ip link add h-s netns "$LAB-h" type veth peer name s-h netns "$LAB-s" || fail "veth"
ip netns exec "$LAB-h" sh -c 'ip link set lo up && ip addr add 198.18.9.1/24 dev h-s && ip link set h-s up'
ip netns exec "$LAB-s" sh -c 'ip link set lo up && ip addr add 198.18.9.2/24 dev s-h && ip link set s-h up'
ip netns exec "$LAB-s" nft -f - <<'NFT'
table ip raw {
	chain prerouting {
		type filter hook prerouting priority raw; policy accept;
		meta l4proto udp drop
	}
}
NFT
ip netns exec "$LAB-h" ip neigh replace 198.18.9.2 lladdr "$(ip netns exec "$LAB-s" cat /sys/class/net/s-h/address)" dev h-s nud permanent
docker_up "$LAB-h" >/dev/null
docker_image
dk run -d --name web --cpuset-cpus 0 nsbox sleep 600 >/dev/null || fail "container web"
dk run -d --name worker --cpuset-cpus 1 nsbox sleep 600 >/dev/null || fail "container worker"
tmux -S "$SOCK" new-session -d -s s -x "$COLS" -y "$ROWS" "build/natscope --netns $LAB-h top -d 0.5; sleep 60"
sleep 2
tmux -S "$SOCK" send-keys -t s 2
gw=$(ip netns exec "$LAB-h" cat /sys/class/net/docker0/address)
start=$(date +%s.%N | awk '{ printf "%.3f", $1 + 1 }')
c=0
floods=
for ct in web worker; do
	pid=$(ct_pid $ct)
	nsenter -t "$pid" -n ip neigh replace 198.19.0.1 lladdr "$gw" dev eth0 nud permanent
	nsenter -t "$pid" -n build/tests/rawflood --src "$(ct_ip $ct bridge)" --dst 198.18.9.2 \
		--sport 10000-34999 --dport 20000,4 --cpu $c --start-at "$start" --max-seconds 60 >/dev/null &
	floods="$floods $!"
	c=$((c + 1))
done
wait $floods # not dockerd, a job of this shell too
sleep 2
for v in $VIEWS; do
	tmux -S "$SOCK" send-keys -t s "$v"
	sleep 1.5
	[ "$VIEWS" = 2 ] || echo "--- view $v"
	tmux -S "$SOCK" capture-pane -p -t s
done
