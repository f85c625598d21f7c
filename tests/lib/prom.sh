# The real Prometheus clients, on loopback in a namespace of the case's own (so fixed
# ports collide with nothing on the host): node_exporter's textfile collector,
# promtool, and a Prometheus server that scrapes.  prom_down (from case_cleanup) ends
# them and removes the namespace.
PROMNS=$LAB-m
PROM_PIDS=

prom_ns_up() {
	ip netns add "$PROMNS" && ip netns exec "$PROMNS" ip link set lo up
}

prom_down() {
	[ -n "$PROM_PIDS" ] && kill $PROM_PIDS 2>/dev/null
	[ -n "$PROM_PIDS" ] && wait $PROM_PIDS 2>/dev/null
	PROM_PIDS=
	ip netns del "$PROMNS" 2>/dev/null
	return 0
}

# in_promns CMD...: run in the clients' namespace.  Never in the background: a
# background function is a subshell, whose PID is not the program's; background
# programs are started with ip netns exec itself (it execs them: $! is theirs).
in_promns() { ip netns exec "$PROMNS" "$@"; }

# wait_http URL: until it answers 2xx, 15 s at most
wait_http() {
	local i
	for i in $(seq 150); do
		in_promns curl -sf -o /dev/null "$1" && return 0
		sleep 0.1
	done
	return 1
}

# node_exporter_up DIR: node_exporter with only the textfile collector, on DIR, at :9100
node_exporter_up() {
	ip netns exec "$PROMNS" prometheus-node-exporter --web.listen-address=127.0.0.1:9100 \
		--collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$1" >"$T/node_exporter.log" 2>&1 &
	PROM_PIDS="$PROM_PIDS $!"
	wait_http http://127.0.0.1:9100/metrics
}

# serve_file FILE CONTENT-TYPE: FILE over HTTP at :8000 with that Content-Type
serve_file() {
	ip netns exec "$PROMNS" python3 - "$1" "$2" >"$T/serve.log" 2>&1 <<'PY' &
import http.server, sys
body, ctype = open(sys.argv[1], 'rb').read(), sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.HTTPServer(('127.0.0.1', 8000), H).serve_forever()
PY
	PROM_PIDS="$PROM_PIDS $!"
	wait_http http://127.0.0.1:8000/
}

# prometheus_up TARGET: a Prometheus server scraping TARGET (host:port) every second as
# job "natscope"
prometheus_up() {
	cat >"$T/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: natscope
    static_configs:
      - targets: ['$1']
YML
	ip netns exec "$PROMNS" prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb" \
		--web.listen-address=127.0.0.1:9090 >"$T/prometheus.log" 2>&1 &
	PROM_PIDS="$PROM_PIDS $!"
	wait_http http://127.0.0.1:9090/-/ready
}

# prom_query EXPR: the value of the first result of an instant query, or "none"
prom_query() {
	in_promns curl -sf --data-urlencode "query=$1" http://127.0.0.1:9090/api/v1/query |
		python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "none")'
}

# prom_wait_up: until Prometheus has scraped the target (up is 1 or 0), 20 s at most;
# prints up's value
prom_wait_up() {
	local i v
	for i in $(seq 100); do
		v=$(prom_query 'up{job="natscope"}')
		[ "$v" != none ] && { echo "$v"; return 0; }
		sleep 0.2
	done
	echo none
}

# series FILE: the series of an exposition, one "name{labels}" a line, sorted
series() { grep -v '^#' "$1" | sed -E 's/ [^ ]+$//' | sort; }
