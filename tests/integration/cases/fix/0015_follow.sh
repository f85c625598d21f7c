#!/bin/bash
# fix --follow keeps the overlay true while the ruleset changes under it (issue 10): a
# network added is covered (its flows' source ports random, measured with real traffic);
# a network removed, or re-created without masquerading, is not NAT'd by a leftover
# mirror (the kernel's reply tuple keeps the client's own address); the same rules in
# another order re-apply nothing; natscope's table deleted by hand or by a `flush
# ruleset` reload comes back; SIGTERM leaves the overlay, --revert-on-exit removes it.
. "$TESTLIB/common.sh"
. "$TESTLIB/fix.sh"

FPID=
case_cleanup() { [ -n "$FPID" ] && kill "$FPID" 2>/dev/null; return 0; }

lab_up "" answer || fail "lab setup"
lab_exec r nft -f - <<'NFT' || fail "ruleset"
flush chain ip nat postrouting
add rule ip nat postrouting ip saddr 198.18.1.0/24 oifname "r-s" masquerade
NFT

# start_follow [ARGS]: natscope fix --follow in r, its output in $T/follow
start_follow() {
	"$NATSCOPE" --netns "$LAB-r" fix --random-fully --follow --yes "$@" >"$T/follow" 2>&1 &
	FPID=$!
	wait_log 'following nf_tables changes' 1
}
# stop_follow: SIGTERM; its exit status in $frc
stop_follow() {
	kill -TERM "$FPID"
	wait "$FPID"
	frc=$?
	FPID=
}
mirror() { lab_exec r nft list table ip natscope 2>/dev/null; }

start_follow
mirror | grep -q 'ip saddr 198.18.1.0/24 oifname "r-s" masquerade fully-random' || fail "initial overlay: $(mirror)"
kept=$(preserved_ports c1)
[ "$kept" -le 5 ] || fail "c1 kept its source port in $kept of 50 flows under the overlay"

# a network added: covered without rerunning fix
t0=$(date +%s.%N)
lab_exec r nft add rule ip nat postrouting ip saddr 198.18.2.0/24 oifname '"r-s"' masquerade
for i in $(seq 200); do
	mirror | grep -q '198.18.2.0/24.*fully-random' && break
	sleep 0.02
done
t1=$(date +%s.%N)
mirror | grep -q '198.18.2.0/24.*fully-random' || fail "the new network was not mirrored: $(cat "$T/follow")"
info "new rule mirrored $(python3 -c "print(round($t1 - $t0, 3))") s after it was added"
wait_log 'applied as generation' 1
grep 'applied as generation' "$T/follow" | grep -q '1 rule uncovered' || fail "log line: $(cat "$T/follow")"
kept=$(preserved_ports c2)
[ "$kept" -le 5 ] || fail "c2 kept its source port in $kept of 50 flows after its network was added"
[ "$(reply_addresses)" = "$LAB_R_OUT" ] || fail "c2 not masqueraded: $(reply_addresses)"

# the same rules in another order (a dockerd restart): nothing re-applied
lab_exec r nft -f - <<'NFT' || fail "reorder"
flush chain ip nat postrouting
add rule ip nat postrouting ip saddr 198.18.2.0/24 oifname "r-s" masquerade
add rule ip nat postrouting ip saddr 198.18.1.0/24 oifname "r-s" masquerade
NFT
wait_log "the overlay's effect is the same, nothing applied" 1
[ "$(grep -c 'applied as generation' "$T/follow")" = 1 ] || fail "the reorder was re-applied: $(cat "$T/follow")"

# the network removed, then re-created without masquerading: its traffic is not NAT'd
lab_exec r nft -f - <<'NFT' || fail "remove"
flush chain ip nat postrouting
add rule ip nat postrouting ip saddr 198.18.1.0/24 oifname "r-s" masquerade
NFT
wait_log 'applied as generation' 2
grep 'applied as generation' "$T/follow" | tail -1 | grep -q '1 rule dangerous' || fail "removal log: $(cat "$T/follow")"
mirror | grep -q '198.18.2.0/24' && fail "the removed network's mirror is still there: $(mirror)"
preserved_ports c2 >/dev/null
[ "$(reply_addresses)" = 198.18.2.2 ] || fail "c2's traffic is NAT'd after its masquerade rule was removed: $(reply_addresses)"

# natscope's table deleted by hand: restored
lab_exec r nft delete table ip natscope
wait_log 'applied as generation' 3
mirror | grep -q '198.18.1.0/24.*fully-random' || fail "not restored after delete: $(mirror)"

# a reload that starts with flush ruleset, as Debian's /etc/nftables.conf does
lab_exec r nft -f - <<'NFT' || fail "reload"
flush ruleset
table ip nat {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr 198.18.1.0/24 oifname "r-s" masquerade
	}
}
NFT
wait_log 'applied as generation' 4
mirror | grep -q '198.18.1.0/24.*fully-random' || fail "not restored after flush ruleset: $(mirror)"
kept=$(preserved_ports c1)
[ "$kept" -le 5 ] || fail "after the reload c1 kept its port in $kept of 50 flows"

stop_follow
[ "$frc" = 0 ] || fail "SIGTERM: exit $frc"
grep -q 'stopped; the overlay stays in force' "$T/follow" || fail "stop message: $(tail -2 "$T/follow")"
mirror | grep -q fully-random || fail "SIGTERM removed the overlay"

# restarted: reads the state; nothing to change; --revert-on-exit removes it on SIGTERM
start_follow --revert-on-exit
grep -q 'nothing to change' "$T/follow" || fail "restart re-applied: $(cat "$T/follow")"
stop_follow
[ "$frc" = 0 ] || fail "SIGTERM with --revert-on-exit: exit $frc ($(cat "$T/follow"))"
lab_exec r nft list tables | grep -q natscope && fail "--revert-on-exit left natscope's table"

# an overlay first installed by --follow (no source rule when it starts, one later)
# carries the effect record as one made by fix itself (issue 22, point 9): since= and
# base= (insert_failed when it was made), and the sample's before=
lab_exec r nft flush chain ip nat postrouting
start_follow --sample 0.5
grep -q 'nothing to change' "$T/follow" || fail "started with nothing to do: $(cat "$T/follow")"
lab_exec r nft add rule ip nat postrouting ip saddr 198.18.1.0/24 oifname "r-s" masquerade
wait_log 'applied as generation' 1
comment=$(lab_exec r nft list table ip natscope | sed -n 's/^\tcomment "\(.*\)"$/\1/p')
python3 - "$comment" "$(lab_ct_stat r insert_failed)" <<'PY' || fail "the record of an overlay made by --follow: '$comment' ($(cat "$T/follow"))"
import re, sys, time
m = re.fullmatch(r'natscope-managed v2 since=(\d+) base=(\d+) before=(\d+)/(\d+)/(\d+)', sys.argv[1])
assert m, sys.argv[1]
assert abs(time.time() - int(m.group(1))) < 60 and int(m.group(2)) <= int(sys.argv[2]), m.groups()
PY
grep -q '^measuring insertion failures for 0.5 s before applying' "$T/follow" || fail "no sample: $(cat "$T/follow")"
stop_follow
fix --revert --yes >/dev/null 2>&1 || fail "revert"
echo "fix/follow: all passed"
