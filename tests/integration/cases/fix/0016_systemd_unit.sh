#!/bin/bash
# The unit that runs fix --follow (contrib/systemd/natscope-fix.service.in, as meson
# generates it): `systemd-analyze verify` finds nothing to say about it, and its own
# command line, run in a namespace, brings the overlay back within a second of an
# nftables.conf reload (which starts with `flush ruleset`) and keeps it when stopped.
. "$TESTLIB/common.sh"
. "$TESTLIB/fix.sh"
need_cmd systemd-analyze "contrib/setup-deps.sh installs systemd"
need_cmd man "contrib/setup-deps.sh installs man-db"

UNIT=$(dirname "$NATSCOPE")/natscope-fix.service
[ -f "$UNIT" ] || fail "meson did not generate $UNIT"
PAGE=$(dirname "$NATSCOPE")/natscope-fix.8
mkdir -p "$T/unit" "$T/man/man8"
# the generated unit names the installed path; verify names this build's binary
sed "s|^ExecStart=[^ ]*/natscope |ExecStart=$NATSCOPE |" "$UNIT" >"$T/unit/natscope-fix.service"
grep -q "^ExecStart=$NATSCOPE fix --random-fully --follow --yes$" "$T/unit/natscope-fix.service" ||
	fail "ExecStart: $(grep ExecStart "$UNIT")"
[ -f "$PAGE" ] && cp "$PAGE" "$T/man/man8/" # Documentation=man:natscope-fix(8)
MANPATH=$T/man systemd-analyze verify "$T/unit/natscope-fix.service" >"$T/verify" 2>&1 ||
	fail "systemd-analyze verify: $(cat "$T/verify")"
[ -s "$T/verify" ] && fail "systemd-analyze verify has warnings: $(cat "$T/verify")"
# the check can fail: a unit with a mistake in it is reported
sed 's/^RestartSec=2s/RestartSec=soon/' "$T/unit/natscope-fix.service" >"$T/unit/broken.service"
MANPATH=$T/man systemd-analyze verify "$T/unit/broken.service" >"$T/broken" 2>&1
grep -q "broken.service:[0-9]*: Failed to parse" "$T/broken" || fail "a broken unit passed systemd-analyze verify"

# the unit's command line, as systemd would run it, in a namespace with a nat rule
ip netns add "$LAB-r" || fail "netns"
cat >"$T/nftables.conf" <<'NFT'
flush ruleset
table ip nat {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr 10.1.0.0/16 masquerade
	}
}
NFT
lab_exec r nft -f "$T/nftables.conf" || fail "nft -f"
read -r -a cmd <<<"$(sed -n 's/^ExecStart=//p' "$T/unit/natscope-fix.service")"
ip netns exec "$LAB-r" "${cmd[@]}" >"$T/log" 2>&1 &
pid=$!
case_cleanup() { kill "$pid" 2>/dev/null; return 0; }
restored() {
	local i
	for i in $(seq 100); do
		lab_exec r nft list table ip natscope 2>/dev/null | grep -q 'masquerade fully-random' && return 0
		sleep 0.05
	done
	return 1
}
restored || fail "the service's command installed no overlay: $(cat "$T/log")"
t0=$(date +%s.%N)
lab_exec r nft -f "$T/nftables.conf" || fail "reload"
restored || fail "no overlay 5 s after the reload: $(cat "$T/log")"
info "overlay back $(python3 -c "print(round($(date +%s.%N) - $t0, 3))") s after the reload"
kill -TERM "$pid"
wait "$pid" || fail "SIGTERM: exit $?"
lab_exec r nft list table ip natscope >/dev/null 2>&1 || fail "stopping removed the overlay"
echo "fix/systemd unit: all passed"
