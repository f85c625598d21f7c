#!/bin/bash
# natscope exporter (issue 11): one exporter watching two namespaces of a lab, listening
# on loopback in a third.  After a flood, its scraped counters equal conntrack -S per
# CPU, its model and entry gauges equal conntrack -C; after the flows are flushed
# (DESTROY events) the model is empty again with conntrack -C.  Both formats pass their real
# parsers: promtool on the text 0.0.4 answer, a Prometheus server that negotiates
# OpenMetrics; SIGTERM ends it with status 0.
. "$TESTLIB/common.sh"
. "$TESTLIB/prom.sh"
need_cmd promtool "package prometheus"
need_cmd prometheus "package prometheus"
need_cmd curl "package curl"
case_cleanup() { prom_down; }

lab_up "" drop || fail "lab setup"
prom_ns_up || fail "clients' namespace"
ip netns exec "$PROMNS" "$NATSCOPE" exporter --netns "$LAB-r" --netns "$LAB-c1" --interval 0.5 \
	--listen 127.0.0.1:9662 >"$T/exporter.out" 2>"$T/exporter.err" &
EXP=$!
PROM_PIDS="$PROM_PIDS $EXP"
wait_http http://127.0.0.1:9662/metrics || fail "exporter: $(cat "$T/exporter.out" "$T/exporter.err")"
grep -q "^natscope exporter: http://127.0.0.1:9662/metrics, 2 namespaces$" "$T/exporter.out" ||
	fail "start line: $(cat "$T/exporter.out")"

scrape() { # OUT [ACCEPT]
	in_promns curl -sf ${2:+-H "Accept: $2"} -D "$1.h" -o "$1" http://127.0.0.1:9662/metrics
}
value() { # FILE SERIES: the value of one series
	grep -F "$2 " "$1" | awk '{ print $NF }'
}

lab_clash "$RAWFLOOD" 25000 4 || fail "flood"
# the exporter takes the flood's events and reads the statistics on its next tick: scrape
# until its model and counters are the kernel's (15 s at most), then check that scrape
percpu_equal() { # METRICS CONNTRACK-S: natscope's per-CPU counters are conntrack -S's
	python3 - "$1" "$2" "$LAB-r" <<'PY'
import re, sys
m = open(sys.argv[1]).read()
for line in open(sys.argv[2]):
    f = dict(kv.split('=') for kv in line.split())
    for k in ('insert_failed', 'drop', 'found', 'invalid', 'early_drop', 'clash_resolve'):
        got = re.search(r'^natscope_conntrack_%s_total\{netns="%s",cpu="%s"\} (\d+)$' % (k, re.escape(sys.argv[3]), f['cpu']), m, re.M)
        if not (got and int(got.group(1)) == int(f[k])):
            sys.exit(f"{k} cpu{f['cpu']}: natscope {got and got.group(1)}, conntrack -S {f[k]}")
PY
}
end=$(($(date +%s) + 15))
while :; do
	count=$(lab_exec r conntrack -C)
	lab_exec r conntrack -S >"$T/S"
	scrape "$T/m1" || fail "scrape"
	[ "$(value "$T/m1" "natscope_model_flows{netns=\"$LAB-r\"}")" = "$count" ] &&
		[ "$(value "$T/m1" "natscope_conntrack_entries{netns=\"$LAB-r\"}")" = "$count" ] &&
		percpu_equal "$T/m1" "$T/S" >/dev/null 2>&1 && [ "$count" = "$(lab_exec r conntrack -C)" ] && break
	[ "$(date +%s)" -lt "$end" ] || break
	sleep 0.3
done
grep -qi '^Content-Type: text/plain; version=0.0.4' "$T/m1.h" || fail "content type: $(cat "$T/m1.h")"
promtool check metrics <"$T/m1" >"$T/pt" 2>&1 || fail "promtool: $(cat "$T/pt")"
[ -s "$T/pt" ] && fail "promtool warns: $(cat "$T/pt")"
[ "$count" -gt 150000 ] || fail "the flood made only $count entries"
for s in natscope_model_flows natscope_conntrack_entries; do
	v=$(value "$T/m1" "$s{netns=\"$LAB-r\"}")
	[ "$v" = "$count" ] || fail "$s is '$v', conntrack -C says $count"
done
percpu_equal "$T/m1" "$T/S" || fail "counters differ from conntrack -S after 15 s"
new=$(value "$T/m1" "natscope_events_total{netns=\"$LAB-r\",type=\"new\"}")
[ "$new" -ge "$count" ] || fail "$new NEW events for $count entries"
[ "$(value "$T/m1" "natscope_events_dropped_total{netns=\"$LAB-r\"}")" = 0 ] || fail "events dropped"
grep -q "natscope_model_flows{netns=\"$LAB-c1\"}" "$T/m1" || fail "no series of the second namespace"
# the race's insertion failures make a clash episode, its likely groups toward the server
failed=$(lab_exec r conntrack -S | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^insert_failed=/) { split($i, a, "="); s += a[2] } } END { print s + 0 }')
if [ "$failed" -gt 0 ]; then
	[ "$(value "$T/m1" "natscope_clash_episodes_total{netns=\"$LAB-r\"}")" -ge 1 ] ||
		fail "$failed insertions failed and no clash episode: $(grep clash "$T/m1")"
	grep -q "^natscope_clash_last_episode_group_new_flows{netns=\"$LAB-r\",proto=\"udp\",snat_src=\"$LAB_R_OUT\",dst=\"$LAB_S\",dport=\"2000[0-3]\"} [0-9]*$" "$T/m1" ||
		fail "last episode's groups: $(grep clash_last "$T/m1")"
fi
# the BPF component named each failure, and who sent it
if [ -e /sys/kernel/btf/vmlinux ]; then
	grep -q "^natscope_bpf_info{netns=\"$LAB-r\",state=\"attached\",reason=\"\"} 1$" "$T/m1" ||
		fail "BPF component: $(grep natscope_bpf "$T/m1")"
	named=$(value "$T/m1" "natscope_insert_failures_named_total{netns=\"$LAB-r\"}")
	[ "$named" = "$failed" ] || fail "named $named failures, conntrack -S counted $failed"
	python3 - "$T/m1" "$LAB" "$failed" <<'PY' || fail "failures by source: $(grep by_source "$T/m1")"
import re, sys
m, lab, failed = open(sys.argv[1]).read(), sys.argv[2], int(sys.argv[3])
got = dict(re.findall(r'^natscope_insert_failures_by_source_total\{netns="%s-r",owner="([^"]*)"\} (\d+)$' % lab, m, re.M))
# another case's lab may hold the same address at the same time: "a|b" names both
assert all({lab + '-c1', lab + '-c2'} & set(o.split('|')) for o in got), got
assert sum(map(int, got.values())) == failed, (got, failed)
PY
else # no BTF: said, never silent
	grep -q "^natscope_bpf_info{netns=\"$LAB-r\",state=\"unavailable\",reason=\".\+\"} 1$" "$T/m1" ||
		fail "BPF component without BTF: $(grep natscope_bpf "$T/m1")"
fi
info "insert_failed $failed, clash episodes $(value "$T/m1" "natscope_clash_episodes_total{netns=\"$LAB-r\"}")"

# the flows go (conntrack -F): DESTROY events empty the model as the kernel empties the
# table
lab_exec r conntrack -F 2>/dev/null || fail "conntrack -F"
[ "$(lab_exec r conntrack -C)" = 0 ] || fail "the table is not empty after conntrack -F"
for i in $(seq 50); do
	scrape "$T/m2" || fail "scrape 2"
	[ "$(value "$T/m2" "natscope_model_flows{netns=\"$LAB-r\"}")" = 0 ] && break
	sleep 0.3
done
[ "$(value "$T/m2" "natscope_model_flows{netns=\"$LAB-r\"}")" = 0 ] ||
	fail "model after expiry: $(grep -E 'model_flows|events_total|resyncs' "$T/m2")"
# a flush of 200,000 entries is one burst of DESTROY events that can overrun even 64 MiB:
# every one is then either received or counted as dropped, and the model was resynced
destroyed=$(value "$T/m2" "natscope_events_total{netns=\"$LAB-r\",type=\"destroy\"}")
dropped=$(value "$T/m2" "natscope_events_dropped_total{netns=\"$LAB-r\"}")
[ $((destroyed + dropped)) -ge "$count" ] || fail "$destroyed DESTROY events + $dropped dropped for $count entries"
if [ "$dropped" -gt 0 ]; then
	[ "$(value "$T/m2" "natscope_event_overruns_total{netns=\"$LAB-r\"}")" -ge 1 ] &&
		[ "$(value "$T/m2" "natscope_resyncs_total{netns=\"$LAB-r\"}")" -ge 2 ] ||
		fail "$dropped events dropped without an overrun and a resync: $(grep -E 'overruns|resyncs' "$T/m2")"
fi
info "conntrack -F of $count entries: $destroyed DESTROY events received, $dropped dropped"

# OpenMetrics when asked; a Prometheus server negotiates it and stores every sample
scrape "$T/m3" 'application/openmetrics-text; version=1.0.0' || fail "scrape 3"
grep -qi '^Content-Type: application/openmetrics-text; version=1.0.0' "$T/m3.h" || fail "OM content type: $(cat "$T/m3.h")"
[ "$(tail -n 1 "$T/m3")" = "# EOF" ] || fail "OpenMetrics without # EOF"
prometheus_up 127.0.0.1:9662 || fail "prometheus: $(tail -5 "$T/prometheus.log")"
[ "$(prom_wait_up)" = 1 ] || fail "Prometheus could not scrape the exporter: $(grep -i 'error\|warn' "$T/prometheus.log" | tail -5)"
# the Grafana dashboard's queries: each one valid PromQL for this Prometheus, each metric
# it names one the exporter serves
SRC=$(cd "$TESTLIB/../.." && pwd)
python3 - "$SRC/contrib/grafana/natscope.json" "$T/m1" >"$T/queries" <<'PY' || fail "dashboard: $(cat "$T/queries")"
import json, re, sys
d = json.load(open(sys.argv[1]))
served = {l.split('{')[0] for l in open(sys.argv[2]) if l.startswith('natscope_')}
for p in d['panels']:
    for t in p['targets']:
        q = t['expr'].replace('$instance', '.*').replace('$netns', '.*')
        for name in set(re.findall(r'\bnatscope_\w+', q)):
            assert name in served, f"panel {p['title']!r} uses {name}, which the exporter does not serve"
        print(q)
PY
while read -r q; do
	in_promns curl -s --data-urlencode "query=$q" http://127.0.0.1:9090/api/v1/query >"$T/q.json"
	[ "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])' <"$T/q.json")" = success ] ||
		fail "Prometheus refuses the dashboard's query $q: $(cat "$T/q.json")"
done <"$T/queries"
info "the dashboard's $(wc -l <"$T/queries") queries are valid and use served metrics"
v=$(prom_query "natscope_model_flows{netns=\"$LAB-r\"}")
[ "$v" = 0 ] || fail "natscope_model_flows through Prometheus: $v"
[ "$(in_promns curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9662/nothing)" = 404 ] || fail "not 404"

kill -TERM $EXP
for i in $(seq 50); do kill -0 $EXP 2>/dev/null || break; sleep 0.1; done
kill -0 $EXP 2>/dev/null && fail "the exporter did not stop on SIGTERM"
wait $EXP
rc=$?
[ "$rc" = 0 ] || fail "the exporter exited $rc: $(cat "$T/exporter.err")"
echo "metrics/exporter: all passed"
