#!/bin/bash
# natscope's built-in default: install what is missing, build, then in a throw-away lab
# of network namespaces make two clients race 200,000 new UDP flows through one
# masquerading router, and run `natscope audit` on that router while it happens.
# Everything it creates is removed at the end; the host's own rules and routes are never
# touched.  Needs root.  Usage: contrib/demo.sh [AUDIT-OPTIONS...]  (e.g. -f json)
set -u
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "demo: run as root (it creates network namespaces)" >&2; exit 1; }
contrib/setup-deps.sh || exit 1
contrib/build.sh build || exit 1

. tests/lib/lab.sh
LAB=natscope-demo$$
trap 'lab_down' EXIT
trap 'exit 130' INT TERM

echo "demo: lab $LAB-{c1,c2,r,s}: two clients -> masquerading router r -> server s" >&2
lab_up "" drop || { echo "demo: lab setup failed" >&2; exit 1; }
build/natscope --netns "$LAB-r" audit --interval 3 "$@" &
audit=$!
sleep 0.5
echo "demo: racing 2 x 100,000 new UDP flows from CPUs 0 and 1 (plain masquerade)" >&2
lab_clash build/tests/rawflood 25000 4 || echo "demo: the flood did not complete" >&2
wait $audit
rc=$?
echo "demo: natscope audit exited $rc (0 ok, 1 warning, 2 critical, 3 unknown)" >&2
echo "demo: compare: ip netns exec $LAB-r conntrack -S (until the lab is removed now)" >&2
[ $rc -le 2 ]
