#!/bin/bash
# docker_userland_proxy against a real dockerd (20.10, in a test namespace, run with its
# own --config-file): a published port starts docker-proxy; audit finds it and its
# remedy names the config file dockerd actually reads and warns that without ip6tables
# IPv6 published ports stop answering.  Then the remedy's warning is checked for real:
# [::1]:8080 answers through the proxy; with "userland-proxy": false written into that
# file the remedy says to restart dockerd, and once it is, [::1]:8080 no longer answers.
. "$TESTLIB/common.sh"
. "$TESTLIB/docker.sh"
docker_need
need_cmd curl "package curl"

case_cleanup() {
	docker_down
	ip netns pids "$LAB-h" 2>/dev/null | xargs -r kill 2>/dev/null
	ip netns del "$LAB-h" 2>/dev/null
	return 0
}
ip netns add "$LAB-h" || fail "netns"
ip netns exec "$LAB-h" ip link set lo up
docker_up "$LAB-h"
docker_image
dk run -d --name web -p 8080:80 nsbox httpd -f -p 80 -h / >/dev/null || fail "container"
# answers: any HTTP status (busybox httpd's 404 will do); 000: no answer
answers() { [ "$(ip netns exec "$LAB-h" curl -sg -o /dev/null -w '%{http_code}' --max-time 3 "http://$1:8080/")" != 000 ]; }
for i in $(seq 40); do answers '[::1]' && break; sleep 0.25; done
answers '[::1]' || fail "[::1]:8080 does not answer through docker-proxy"
pgrep -f "docker-proxy.*-host-port 8080" >/dev/null || fail "no docker-proxy for port 8080"

"$NATSCOPE" --netns "$LAB-h" audit -i 0 -f json >"$T/a.json"
[ $? -le 2 ] || fail "audit"
python3 - "$T/a.json" "$DK_DIR/daemon.json" <<'PY' || fail "remedy: $(python3 -c "import json,sys; print([f for f in json.load(open(sys.argv[1]))['findings'] if f['id']=='docker_userland_proxy'])" "$T/a.json")"
import json, sys
d = json.load(open(sys.argv[1]))
f = [f for f in d['findings'] if f['id'] == 'docker_userland_proxy'][0]
assert f['severity'] == 'warning' and f['evidence']['processes'] >= 1, f
assert sys.argv[2] + ' (the --config-file dockerd runs with)' in f['remedy'], f['remedy']
assert 'IPv6 published ports' in f['remedy'] and 'ip6tables' in f['remedy'], f['remedy']
assert 'field reports' in f['remedy'], f['remedy']
assert f['evidence']['ip6tables'] == -1 and f['evidence']['daemon_config_given'] == 1, f['evidence']
print('# remedy:', f['remedy'][:160])
PY

# what the remedy warns about, on this very daemon
python3 - "$DK_DIR/daemon.json" <<'PY' || fail "edit daemon.json"
import json, sys
c = json.load(open(sys.argv[1]))
c['userland-proxy'] = False
json.dump(c, open(sys.argv[1], 'w'))
PY
# the file says false, dockerd has not read it yet: the remedy says to restart it
"$NATSCOPE" --netns "$LAB-h" audit -i 0 -f json >"$T/r.json"
python3 - "$T/r.json" "$DK_DIR/daemon.json" <<'PY' || fail "not restarted: $(python3 -c "import json,sys; print([f for f in json.load(open(sys.argv[1]))['findings'] if f['id']=='docker_userland_proxy'])" "$T/r.json")"
import json, sys
f = [f for f in json.load(open(sys.argv[1]))['findings'] if f['id'] == 'docker_userland_proxy'][0]
assert f['severity'] == 'warning' and f['evidence']['userland_proxy'] == 0, f
assert sys.argv[2] + ' (the --config-file dockerd runs with) already sets "userland-proxy": false' in f['remedy'], f['remedy']
assert 'restart dockerd' in f['remedy'] and 'IPv6 published ports' in f['remedy'], f['remedy']
assert 'not restarted since' in f['summary'], f['summary']
PY
info "the file edited, dockerd not restarted: the remedy says restart"
dk rm -f web >/dev/null
docker_stop
docker_up "$LAB-h"
dk run -d --name web -p 8080:80 nsbox httpd -f -p 80 -h / >/dev/null || fail "container (no proxy)"
sleep 1
pgrep -af "docker-proxy.*-host-port 8080" >"$T/pg" && fail "docker-proxy still runs: $(cat "$T/pg"; cat "$DK_DIR/daemon.json")"
answers '[::1]' && fail "[::1]:8080 still answers without the proxy: the remedy's warning would be wrong"
info "without the proxy: [::1]:8080 does not answer, as the remedy warns"
"$NATSCOPE" --netns "$LAB-h" audit -i 0 -f json >"$T/b.json"
[ "$(python3 -c "import json,sys; print([f for f in json.load(open(sys.argv[1]))['findings'] if f['id']=='docker_userland_proxy'][0]['severity'])" "$T/b.json")" = ok ] ||
	fail "the finding stays after the proxy is gone"
echo "audit/docker-proxy remedy: all passed"
