#!/bin/bash
# Real TCP and UDP flows through a masquerading router; natscope's counts must equal
# what conntrack(8) reports for the same namespace.
. "$TESTLIB/common.sh"

lab_up "" answer || fail "lab setup"
lab_exec s "$FLOWGEN" server 8080 90 >"$T/server" &
wait_ready "$T/server"
# c1: 30 closed (TIME_WAIT), 20 held (ESTABLISHED), 40 UDP; c2: 10, 5, 10.
lab_exec c1 "$FLOWGEN" client $LAB_S 8080 30 20 40 80 >"$T/c1" &
lab_exec c2 "$FLOWGEN" client $LAB_S 8080 10 5 10 80 >"$T/c2" &
wait_ready "$T/c1"
wait_ready "$T/c2"

# Take natscope's view between two identical reads of the kernel's; retry if the table
# moved underneath (it should not: every flow above is long-lived).
for attempt in 1 2 3; do
	lab_exec r conntrack -L -o extended 2>/dev/null | sort >"$T/L0"
	"$NATSCOPE" --netns "$LAB-r" audit -i 0 -f json >"$T/a.json"
	rc=$?
	lab_exec r conntrack -S >"$T/S"
	lab_exec r conntrack -L -o extended 2>/dev/null | sort >"$T/L1"
	cmp -s "$T/L0" "$T/L1" && break
	info "table changed during attempt $attempt; again"
done
cmp -s "$T/L0" "$T/L1" || fail "conntrack table kept changing"
[ "$rc" -le 2 ] || fail "audit exited $rc"
count=$(wc -l <"$T/L1")
info "conntrack -L: $count entries"
[ "$count" = "$(lab_exec r conntrack -C)" ] || fail "conntrack -L and -C disagree"

eq() { [ "$1" = "$2" ] || fail "$3: natscope $1, kernel $2"; info "ok: $3 = $1"; }

eq "$(json "$T/a.json" "d['table']['entries']")" "$count" "dumped entries"
eq "$(json "$T/a.json" "d['conntrack']['count']")" "$count" "conntrack count"
eq "$(json "$T/a.json" "d['table']['protocols'].get('tcp', 0)")" "$(grep -c ' tcp ' "$T/L1")" "tcp entries"
eq "$(json "$T/a.json" "d['table']['protocols'].get('udp', 0)")" "$(grep -c ' udp ' "$T/L1")" "udp entries"
for st in ESTABLISHED TIME_WAIT SYN_SENT FIN_WAIT CLOSE_WAIT LAST_ACK CLOSE; do
	eq "$(json "$T/a.json" "d['table']['tcp_states']['$st']")" \
		"$(awk '$3 == "tcp" && $6 == "'$st'"' "$T/L1" | wc -l)" "TCP $st"
done
eq "$(json "$T/a.json" "d['table']['assured']")" "$(grep -c ASSURED "$T/L1")" "ASSURED"
eq "$(json "$T/a.json" "d['table']['unreplied']")" "$(grep -c UNREPLIED "$T/L1")" "UNREPLIED"

# What the generators made, as a check that the comparison above is not vacuous.
eq "$(json "$T/a.json" "d['table']['tcp_states']['TIME_WAIT']")" 40 "TIME_WAIT from the generators"
eq "$(json "$T/a.json" "d['table']['tcp_states']['ESTABLISHED']")" 25 "ESTABLISHED from the generators"
eq "$(json "$T/a.json" "d['table']['protocols']['udp']")" 50 "UDP flows from the generators"
# Every flow crosses the masquerade: all SNAT, none DNAT.
eq "$(json "$T/a.json" "d['table']['nat']['snat']")" "$count" "SNAT entries"
groups=$(json "$T/a.json" "' '.join('%s/%s:%d=%d/%d' % (g['proto'], g['dst'], g['dport'], g['entries'], g['sources']) for g in d['snat']['top'])")
eq "$groups" "tcp/$LAB_S:8080=65/2 udp/$LAB_S:8080=50/2" "SNAT groups (entries/sources)"
eq "$(json "$T/a.json" "d['snat']['top'][0]['snat_src']")" "$LAB_R_OUT" "post-NAT source"

# Per-CPU counters against conntrack -S, every counter conntrack prints.
python3 - "$T/a.json" "$T/S" <<'PY' || fail "per-CPU counters differ from conntrack -S"
import json, sys
d = json.load(open(sys.argv[1]))
ours = {c['cpu']: c for c in d['stats']['cpus']}
n = 0
for line in open(sys.argv[2]):
    f = dict(kv.split('=') for kv in line.split())
    cpu = int(f.pop('cpu'))
    for k, v in f.items():
        if k == 'insert' and k not in ours[cpu]:
            continue
        if ours[cpu][k] != int(v):
            sys.exit(f"cpu{cpu} {k}: natscope {ours[cpu][k]}, conntrack -S {v}")
        n += 1
print(f"# ok: {n} per-CPU counters equal conntrack -S")
PY

# The other two --netns forms reach the same namespace.
lab_exec r sleep 30 &
for i in $(seq 100); do
	pid=$(ip netns pids "$LAB-r" | head -1)
	[ -n "$pid" ] && break
	sleep 0.05
done
[ -n "$pid" ] || fail "no process in $LAB-r"
for spec in "/run/netns/$LAB-r" "$pid"; do
	"$NATSCOPE" --netns "$spec" audit -i 0 -f json >"$T/b.json"
	eq "$(json "$T/b.json" "d['table']['entries']")" "$count" "entries via --netns $spec"
done
# ... and the caller's namespace is untouched: this test's own has no lab flows.
"$NATSCOPE" audit -i 0 -f json >"$T/host.json"
[ "$(json "$T/host.json" "sum(g['dport'] == 8080 and g['dst'] == '$LAB_S' for g in d['snat']['top'])")" = 0 ] ||
	fail "lab flows visible outside the lab namespace"

# OpenMetrics and text carry the same numbers.
"$NATSCOPE" --netns "$LAB-r" audit -i 0 -f openmetrics >"$T/m.prom"
grep -q "^natscope_conntrack_tcp_entries{netns=\"$LAB-r\",state=\"TIME_WAIT\"} 40$" "$T/m.prom" || fail "openmetrics TIME_WAIT"
tail -1 "$T/m.prom" | grep -qx '# EOF' || fail "openmetrics does not end with # EOF"
"$NATSCOPE" --netns "$LAB-r" audit -i 0 >"$T/t.txt"
grep -q "TIME_WAIT 40" "$T/t.txt" || fail "text report lacks the TIME_WAIT count"
echo "audit/counts match conntrack: all passed"
