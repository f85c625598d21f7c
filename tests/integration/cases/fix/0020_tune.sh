#!/bin/bash
# fix --tune applies what audit's SIZING recommends, with fix's discipline, and --revert
# restores the values from before exactly.  The router's table is made TIME_WAIT-heavy
# with entries that look 96 s old: created while nf_conntrack_tcp_timeout_time_wait was
# 25, read after it is back to 120 (so the dump's remaining-timeout histogram is what a
# table aged 96 s holds, without waiting).  Only the lab's namespace is changed: the
# host's own value is checked unchanged.
. "$TESTLIB/common.sh"

tw() { ip netns exec "$LAB-r" cat /proc/sys/net/netfilter/nf_conntrack_tcp_timeout_time_wait; }
host_tw=$(cat /proc/sys/net/netfilter/nf_conntrack_tcp_timeout_time_wait)
export NATSCOPE_STATE_DIR=$T/state
lab_up "" answer || fail "lab setup"
lab_exec s "$FLOWGEN" server 8080 60 >"$T/srv" &
wait_ready "$T/srv"
lab_exec r sysctl -qw net.netfilter.nf_conntrack_tcp_timeout_time_wait=25
lab_exec c1 "$FLOWGEN" client $LAB_S 8080 300 5 0 20 >"$T/cli" &
wait_ready "$T/cli"
lab_exec r sysctl -qw net.netfilter.nf_conntrack_tcp_timeout_time_wait=120
n=$(lab_exec r conntrack -L -p tcp --state TIME_WAIT 2>/dev/null | wc -l)
[ "$n" -ge 250 ] || fail "only $n TIME_WAIT entries"

"$NATSCOPE" --netns "$LAB-r" audit -i 0 -f json >"$T/a.json"
validate_json "$T/a.json"
python3 - "$T/a.json" "$n" <<'PY' || fail "sizing: $(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['sizing'])" "$T/a.json")"
import json, sys
d = json.load(open(sys.argv[1]))
z = d['sizing']
l = [l for l in z['lines'] if l['key'] == 'nf_conntrack_tcp_timeout_time_wait']
assert l and l[0]['current'] == 120 and l[0]['recommended'] == 60 and l[0]['scope'] == 'namespace', z
assert 'had been there 60 s or more' in l[0]['why'] and l[0]['risk'], l
assert 'net.netfilter.nf_conntrack_tcp_timeout_time_wait = 60\n' in z['sysctl_d'], z['sysctl_d']
f = [f for f in d['findings'] if f['id'] == 'time_wait'][0]
assert 'natscope fix --tune' in f['remedy'] and 'nf_conntrack_tcp_timeout_time_wait = 60' in f['remedy'], f
PY

# --dry-run: the commands, nothing set
"$NATSCOPE" --netns "$LAB-r" fix --tune --dry-run >"$T/dry" 2>&1 || fail "dry-run: $(cat "$T/dry")"
grep -qx "sysctl -w net.netfilter.nf_conntrack_tcp_timeout_time_wait=60" "$T/dry" || fail "dry-run: $(cat "$T/dry")"
[ "$(tw)" = 120 ] || fail "--dry-run changed it"
# no terminal, no --yes: refused, nothing set
"$NATSCOPE" --netns "$LAB-r" fix --tune </dev/null >"$T/no" 2>&1
rc=$?
[ $rc = 64 ] && grep -q "refusing to change settings without --yes" "$T/no" || fail "without --yes: $rc $(cat "$T/no")"
[ "$(tw)" = 120 ] || fail "refused, but changed"

"$NATSCOPE" --netns "$LAB-r" fix --tune --yes >"$T/yes" 2>&1 || fail "--tune --yes: $(cat "$T/yes")"
[ "$(tw)" = 60 ] || fail "--tune --yes left $(tw)"
grep -q "set nf_conntrack_tcp_timeout_time_wait = 60 (was 120)" "$T/yes" || fail "$(cat "$T/yes")"
rec=$(ls "$T/state"/tune-* 2>/dev/null)
[ -n "$rec" ] && grep -qx "nf_conntrack_tcp_timeout_time_wait 120 60" "$rec" || fail "record: $(cat "$rec" 2>&1)"
[ "$(cat /proc/sys/net/netfilter/nf_conntrack_tcp_timeout_time_wait)" = "$host_tw" ] || fail "the host's value changed"
info "tuned: 120 -> 60 in the lab, host unchanged ($host_tw), recorded in $rec"

# someone changes it since; --revert restores the value from before natscope, and says so
lab_exec r sysctl -qw net.netfilter.nf_conntrack_tcp_timeout_time_wait=45
"$NATSCOPE" --netns "$LAB-r" fix --tune --revert --yes >"$T/rev" 2>&1 || fail "revert: $(cat "$T/rev")"
[ "$(tw)" = 120 ] || fail "--revert left $(tw)"
grep -q "is 45, not the 60 natscope set: restoring 120 anyway" "$T/rev" || fail "revert: $(cat "$T/rev")"
[ -e "$rec" ] && fail "the record is still there"
"$NATSCOPE" --netns "$LAB-r" fix --tune --revert --yes >"$T/rev2" 2>&1 || fail "second revert"
grep -q "nothing to revert" "$T/rev2" || fail "second revert: $(cat "$T/rev2")"
# a usage mistake is one line
"$NATSCOPE" fix --tune --random-fully >"$T/u" 2>&1
[ $? = 64 ] && [ "$(wc -l <"$T/u")" = 1 ] || fail "--tune --random-fully: $(cat "$T/u")"
echo "fix/tune: all passed"
