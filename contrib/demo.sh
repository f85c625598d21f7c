#!/bin/bash
# natscope's built-in default: install what is missing, build, then in a throw-away lab
# of network namespaces make two clients race 200,000 new UDP flows through one
# masquerading router, and show what natscope sees on that router while it happens.
# On a terminal (and without arguments) that is natscope top, opened on its SNAT-groups
# view: the race lights up insert_failed/s and the groups, q leaves it, and the audit
# taken over the same race is printed after.  Otherwise the audit alone.  Everything it
# creates is removed at the end; the host's own rules and routes are never touched.
# Needs root.  Usage: contrib/demo.sh [AUDIT-OPTIONS...]  (e.g. -f json: no top then)
# NATSCOPE and RAWFLOOD, when set (the test suite sets them), name the binaries to use
# instead of building them here.
set -u
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "demo: run as root (it creates network namespaces)" >&2; exit 1; }
if [ -z "${NATSCOPE:-}" ]; then
	contrib/setup-deps.sh || exit 1
	contrib/build.sh build || exit 1
	NATSCOPE=build/natscope RAWFLOOD=build/tests/rawflood
fi

. tests/lib/lab.sh
LAB=natscope-demo$$
OUT=$(mktemp /tmp/natscope-demo.XXXXXX)
trap 'lab_down; rm -f "$OUT" "$OUT.rc" "$OUT.err"' EXIT
# a closed terminal (SIGHUP) ends it the same way: the lab is removed on the way out
trap 'exit 130' INT TERM HUP

echo "demo: lab $LAB-{c1,c2,r,s}: two clients -> masquerading router r -> server s" >&2
lab_up "" drop || { echo "demo: lab setup failed" >&2; exit 1; }

# race AUDIT-OPTIONS...: the audit over the race, into $OUT; its status is the audit's
race() {
	"$NATSCOPE" --netns "$LAB-r" audit --interval 3 "$@" >"$OUT" 2>"$OUT.err" &
	local audit=$!
	sleep 0.5
	echo "demo: racing 2 x 100,000 new UDP flows from CPUs 0 and 1 (plain masquerade)" >&2
	lab_clash "$RAWFLOOD" 25000 4 >/dev/null 2>&1 ||
		echo "demo: the flood did not complete" >&2
	wait $audit
}

if [ $# -eq 0 ] && [ -t 0 ] && [ -t 1 ]; then
	echo "demo: natscope top opens on the router; the race starts in 2 s; q leaves" >&2
	sleep 1
	(sleep 2 && race --color always; echo $? >"$OUT.rc") >/dev/null 2>&1 &
	racer=$!
	"$NATSCOPE" --netns "$LAB-r" top -d 0.5 --view groups
	echo "demo: waiting for the race and its audit to finish" >&2
	wait $racer
	rc=$(cat "$OUT.rc" 2>/dev/null || echo 3)
	rm -f "$OUT.rc"
else
	race "$@"
	rc=$?
fi
cat "$OUT"
[ -s "$OUT.err" ] && cat "$OUT.err" >&2
echo "demo: natscope audit exited $rc (0 ok, 1 warning, 2 critical, 3 unknown)" >&2
echo "demo: compare: ip netns exec $LAB-r conntrack -S (until the lab is removed now)" >&2
[ "$rc" -le 2 ]
