#!/bin/bash
# fix --tune applies what audit's SIZING recommends, with fix's discipline, and --revert
# restores the values from before exactly.  The router's table is made TIME_WAIT-heavy
# with entries that look 96 s old: created while nf_conntrack_tcp_timeout_time_wait was
# 25, read after it is back to 120 (so the dump's remaining-timeout histogram is what a
# table aged 96 s holds, without waiting).  Only the lab's namespace is changed: the
# host's own value is checked unchanged.
. "$TESTLIB/common.sh"
. "$TESTLIB/prom.sh"
need_cmd promtool "package prometheus"
need_cmd curl "package curl"
case_cleanup() { prom_down; }

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

# the exporter, watching the router from a namespace of its own, says the same and keeps
# the peak; it reads the settings again inside the router (every 10 s)
prom_ns_up || fail "clients' namespace"
ip netns exec "$PROMNS" "$NATSCOPE" exporter --netns "$LAB-r" --interval 0.5 --listen 127.0.0.1:9662 \
	>"$T/exp.out" 2>"$T/exp.err" &
PROM_PIDS="$PROM_PIDS $!"
wait_http http://127.0.0.1:9662/metrics || fail "exporter: $(cat "$T/exp.out" "$T/exp.err")"
metric() { # FILE NAME SETTING: one sample's value
	sed -n "s/^$2{netns=\"$LAB-r\"${3:+,setting=\"$3\"}} //p" "$1"
}
# the peak is read with the statistics, on a tick: scrape until it holds the table
for i in $(seq 50); do
	in_promns curl -sf -o "$T/m1" http://127.0.0.1:9662/metrics || fail "scrape"
	[ "$(metric "$T/m1" natscope_conntrack_entries_peak)" -ge "$n" ] 2>/dev/null && break
	sleep 0.2
done
promtool check metrics <"$T/m1" >"$T/pt" 2>&1 || fail "promtool: $(cat "$T/pt")"
[ "$(metric "$T/m1" natscope_conntrack_setting nf_conntrack_tcp_timeout_time_wait)" = 120 ] &&
	[ "$(metric "$T/m1" natscope_sizing_recommended nf_conntrack_tcp_timeout_time_wait)" = 60 ] ||
	fail "exporter's sizing: $(grep -e _setting -e _recommended "$T/m1")"
peak=$(metric "$T/m1" natscope_conntrack_entries_peak)
[ "$peak" -ge "$n" ] || fail "exporter's peak $peak, below the $n TIME_WAIT entries"

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
# the exporter sees the new value within its 10 s; the table flushed, the peak stays
lab_exec r conntrack -F 2>/dev/null
for i in $(seq 30); do
	in_promns curl -sf -o "$T/m2" http://127.0.0.1:9662/metrics || fail "scrape"
	# the setting read again, and a tick's statistics after the flush
	[ "$(metric "$T/m2" natscope_conntrack_setting nf_conntrack_tcp_timeout_time_wait)" = 60 ] &&
		[ "$(metric "$T/m2" natscope_conntrack_entries)" -lt "$n" ] && break
	sleep 0.5
done
[ "$(metric "$T/m2" natscope_conntrack_setting nf_conntrack_tcp_timeout_time_wait)" = 60 ] ||
	fail "after 15 s the exporter still says $(metric "$T/m2" natscope_conntrack_setting nf_conntrack_tcp_timeout_time_wait)"
[ "$(metric "$T/m2" natscope_sizing_recommended nf_conntrack_tcp_timeout_time_wait)" = 60 ] ||
	fail "recommended after the change: $(metric "$T/m2" natscope_sizing_recommended nf_conntrack_tcp_timeout_time_wait)"
now=$(metric "$T/m2" natscope_conntrack_entries)
p2=$(metric "$T/m2" natscope_conntrack_entries_peak)
[ "$now" -lt "$n" ] && [ "$p2" -ge "$peak" ] || fail "after the flush: $now entries, peak $p2 (was $peak)"
info "exporter: TIME_WAIT timeout 120 -> 60 seen after $i scrapes; peak $p2 kept with $now entries now"

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
