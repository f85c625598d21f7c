#!/bin/bash
# The metrics real clients read (issue 11): `audit -f prometheus` of two namespaces into
# one textfile directory passes promtool with no warnings and node_exporter's textfile
# collector serves every series of both (node_textfile_scrape_error 0, no duplicate);
# `audit -f openmetrics`, served with OpenMetrics' content type, is scraped by a real
# Prometheus server (up 1, every sample stored) with the kernel's own counter values.
. "$TESTLIB/common.sh"
. "$TESTLIB/prom.sh"
need_cmd promtool "package prometheus"
need_cmd prometheus "package prometheus"
need_cmd prometheus-node-exporter "package prometheus-node-exporter"
need_cmd curl "package curl"
case_cleanup() { prom_down; }

lab_up "" drop || fail "lab setup"
prom_ns_up || fail "clients' namespace"
lab_clash "$RAWFLOOD" 2000 2 || fail "flood"

D=$T/textfile
mkdir -p "$D"
for n in r c1; do
	"$NATSCOPE" --netns "$LAB-$n" audit -i 0 -f prometheus -o "$D/natscope-$n.prom"
	rc=$?
	[ "$rc" -le 2 ] || fail "audit of $n exited $rc"
	promtool check metrics <"$D/natscope-$n.prom" >"$T/promtool.$n" 2>&1 ||
		fail "promtool rejects the $n file: $(cat "$T/promtool.$n")"
	[ -s "$T/promtool.$n" ] && fail "promtool warns about the $n file: $(cat "$T/promtool.$n")"
done
grep -q "natscope_conntrack_insert_failed_total{netns=\"$LAB-r\",cpu=\"0\"}" "$D/natscope-r.prom" ||
	fail "no netns label: $(head -20 "$D/natscope-r.prom")"

node_exporter_up "$D" || fail "node_exporter did not start: $(cat "$T/node_exporter.log")"
in_promns curl -sf http://127.0.0.1:9100/metrics >"$T/scrape" || fail "scrape"
grep -q '^node_textfile_scrape_error 0$' "$T/scrape" ||
	fail "textfile collector: $(grep textfile "$T/scrape") $(cat "$T/node_exporter.log")"
grep -qi 'level=error' "$T/node_exporter.log" && fail "node_exporter logged errors: $(cat "$T/node_exporter.log")"
python3 - "$T/scrape" "$D/natscope-r.prom" "$D/natscope-c1.prom" <<'PY' || fail "series differ"
import re, sys
def series(path):
    out = {}
    for line in open(path):
        if line.startswith('#') or not line.startswith('natscope_'):
            continue
        m = re.fullmatch(r'(\w+)(?:\{(.*)\})? (\S+)\n', line)
        assert m, line
        labels = tuple(sorted(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or '')))
        key = (m.group(1), labels)
        assert key not in out, f'duplicate series {key}'
        out[key] = m.group(3)
    return out
served = series(sys.argv[1])
files = {}
for f in sys.argv[2:]:
    files.update(series(f))
missing = set(files) - set(served)
extra = set(served) - set(files)
assert not missing and not extra, (sorted(missing)[:5], sorted(extra)[:5])
for k, v in files.items():
    assert float(v) == float(served[k]) or (v == 'NaN' and served[k] == 'NaN'), (k, v, served[k])
print(f'# node_exporter serves all {len(files)} natscope series of 2 namespaces')
PY

# OpenMetrics through a real Prometheus scrape
"$NATSCOPE" --netns "$LAB-r" audit -i 0 -f openmetrics >"$T/r.om"
[ "$(tail -n 1 "$T/r.om")" = "# EOF" ] || fail "OpenMetrics without # EOF"
serve_file "$T/r.om" 'application/openmetrics-text; version=1.0.0; charset=utf-8' ||
	fail "file server: $(cat "$T/serve.log")"
prometheus_up 127.0.0.1:8000 || fail "prometheus did not start: $(tail -5 "$T/prometheus.log")"
up=$(prom_wait_up)
[ "$up" = 1 ] || fail "Prometheus could not scrape the OpenMetrics text (up $up): $(grep -i 'error\|warn' "$T/prometheus.log" | tail -5)"
samples=$(grep -vc '^#' "$T/r.om")
scraped=$(prom_query 'scrape_samples_scraped{job="natscope"}')
[ "$scraped" = "$samples" ] || fail "Prometheus stored $scraped samples of $samples"
want=$(lab_exec r conntrack -S | sed -n 's/^cpu=0 .*insert_failed=\([0-9]*\).*/\1/p')
got=$(prom_query "natscope_conntrack_insert_failed_total{netns=\"$LAB-r\",cpu=\"0\"}")
[ "$got" = "$want" ] || fail "insert_failed of cpu 0 through Prometheus: $got, conntrack -S: $want"
info "Prometheus scraped $scraped OpenMetrics samples; insert_failed cpu0 = $got"
echo "metrics/real parsers: all passed"
