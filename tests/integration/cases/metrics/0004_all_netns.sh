#!/bin/bash
# Every namespace (issue 11): three namespaces of the case hold 3, 5 and (later) 2
# conntrack entries made with conntrack -I.  audit --all-netns labels each by its name
# with its own count, in text, JSON (the sum against the one nf_conntrack_max, the
# biggest first) and metrics promtool accepts; exporter --all-netns picks up the
# namespace created while it runs and drops the one removed.  Other namespaces on the
# machine (the host's, other cases') may appear too: only the case's own are checked.
. "$TESTLIB/common.sh"
. "$TESTLIB/prom.sh"
need_cmd promtool "package prometheus"
need_cmd curl "package curl"
case_cleanup() {
	prom_down
	for n in a b c; do ip netns del "$LAB-$n" 2>/dev/null; done
	return 0
}

entries() { # NS N: N UDP entries in namespace NS
	local i
	ip netns add "$1" || return 1
	for i in $(seq "$2"); do
		ip netns exec "$1" conntrack -I -p udp -s 10.9.0.$i -d 10.9.1.1 --sport 1000 \
			--dport 53 --timeout 600 >/dev/null 2>&1 || return 1
	done
	[ "$(ip netns exec "$1" conntrack -C)" = "$2" ]
}
entries "$LAB-a" 3 || fail "namespace a"
entries "$LAB-b" 5 || fail "namespace b"

"$NATSCOPE" audit --all-netns -i 0 -f json >"$T/all.json"
rc=$?
[ "$rc" -le 3 ] || fail "audit --all-netns exited $rc"
python3 - "$T/all.json" "$LAB" <<'PY' || fail "audit --all-netns JSON"
import json, sys
d = json.load(open(sys.argv[1]))
lab = sys.argv[2]
assert d['schema'] == 'natscope.audit.all', d['schema']
ns = {n['netns']: n for n in d['namespaces']}
for name, count in ((lab + '-a', 3), (lab + '-b', 5)):
    n = ns[name]
    assert n['ok'] and n['report']['table']['entries'] == count, (name, n['report']['table'])
    assert n['report']['netns'] == name, n['report']['netns']
assert d['conntrack_entries_total'] >= 8 and d['conntrack_max'] > 0, d
counts = [m['entries'] for m in d['most_entries']]
assert counts == sorted(counts, reverse=True), counts
assert len(set(ns)) == len(d['namespaces']), 'a namespace twice'
PY
"$NATSCOPE" audit --all-netns -i 0 >"$T/all.txt"
grep -q "^=== network namespace $LAB-a ===$" "$T/all.txt" || fail "text: no section for $LAB-a"
grep -q "^conntrack entries: [0-9]* of nf_conntrack_max [0-9]*" "$T/all.txt" || fail "text: no total: $(tail -3 "$T/all.txt")"
"$NATSCOPE" audit --all-netns -i 0 -f prometheus >"$T/all.prom"
promtool check metrics <"$T/all.prom" >"$T/pt" 2>&1 && [ ! -s "$T/pt" ] || fail "promtool: $(cat "$T/pt")"
grep -qx "natscope_conntrack_entries{netns=\"$LAB-b\"} 5" "$T/all.prom" || fail "metrics of $LAB-b: $(grep "$LAB-b" "$T/all.prom" | head -3)"

# the exporter follows namespaces as they come and go
prom_ns_up || fail "clients' namespace"
ip netns exec "$PROMNS" "$NATSCOPE" exporter --all-netns --listen 127.0.0.1:9662 >"$T/exp.out" 2>"$T/exp.err" &
PROM_PIDS="$PROM_PIDS $!"
wait_http http://127.0.0.1:9662/metrics || fail "exporter: $(cat "$T/exp.out" "$T/exp.err")"
model() { in_promns curl -sf http://127.0.0.1:9662/metrics | sed -n "s/^natscope_model_flows{netns=\"$1\"} //p"; }
[ "$(model "$LAB-a")" = 3 ] && [ "$(model "$LAB-b")" = 5 ] || fail "exporter: a=$(model "$LAB-a") b=$(model "$LAB-b")"
entries "$LAB-c" 2 || fail "namespace c"
ip netns del "$LAB-a"
for i in $(seq 150); do
	[ "$(model "$LAB-c")" = 2 ] && [ -z "$(model "$LAB-a")" ] && break
	sleep 0.1
done
[ "$(model "$LAB-c")" = 2 ] || fail "the new namespace was not picked up: $(cat "$T/exp.out")"
[ -z "$(model "$LAB-a")" ] || fail "the removed namespace is still exported: $(cat "$T/exp.out")"
grep -q "^natscope exporter: watching namespace $LAB-c$" "$T/exp.out" || fail "log: $(cat "$T/exp.out")"
grep -q "^natscope exporter: namespace $LAB-a is gone$" "$T/exp.out" || fail "log: $(cat "$T/exp.out")"
echo "metrics/all namespaces: all passed"
