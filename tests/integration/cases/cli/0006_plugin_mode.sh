#!/bin/bash
# Monitoring-plugin conventions (issue 11): -f nagios prints one status line with
# perfdata and exits with the plugin status; --ignore accepts a known finding (exit 0,
# said as accepted); --timeout answers UNKNOWN (exit 3) in time; an unknown check is one
# line and exit 64 (3 in plugin mode).
. "$TESTLIB/common.sh"

ip netns add "$LAB-r" || fail "netns"
lab_exec r nft -f - <<'NFT' || fail "nft"
table ip nat {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "eth9" masquerade
	}
}
NFT
"$NATSCOPE" --netns "$LAB-r" audit -i 0 -f nagios >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 1 ] || fail "exit $rc, want 1 (warning): $(cat "$T/out" "$T/err")"
head -1 "$T/out" | grep -Eq '^NATSCOPE WARNING - snat_rules_random: 1 of 1 source-NAT rules lack fully-random port allocation \| entries=[0-9]+;[0-9]+;[0-9]+;0;[0-9]+ insert_failed=0c .* snat_rules_unprotected=1;;1;0 docker_proxies=0;1;;0$' ||
	fail "status line: $(head -1 "$T/out")"
[ -s "$T/err" ] && fail "stderr: $(cat "$T/err")"

"$NATSCOPE" --netns "$LAB-r" audit -i 0 -f nagios --ignore docker_userland_proxy,snat_rules_random >"$T/out"
rc=$?
[ "$rc" = 0 ] || fail "--ignore: exit $rc: $(cat "$T/out")"
grep -q '^NATSCOPE OK - .*, 1 accepted |' "$T/out" || fail "--ignore status: $(head -1 "$T/out")"
grep -q '^accepted snat_rules_random (warning): ' "$T/out" || fail "--ignore: $(cat "$T/out")"
# the other formats carry the acceptance too
"$NATSCOPE" --netns "$LAB-r" audit -i 0 -f json --ignore snat_rules_random >"$T/j"
[ "$(json "$T/j" "[(f['severity'], f['accepted']) for f in d['findings'] if f['id'] == 'snat_rules_random'][0]")" = "('ok', 'warning')" ] ||
	fail "json: $(json "$T/j" "[f for f in d['findings'] if f['id'] == 'snat_rules_random'][0]")"

start=$(date +%s.%N)
"$NATSCOPE" --netns "$LAB-r" audit -i 10 -f nagios --timeout 0.5 >"$T/out" 2>&1
rc=$?
took=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { print e - s }')
[ "$rc" = 3 ] || fail "--timeout: exit $rc: $(cat "$T/out")"
[ "$(cat "$T/out")" = "NATSCOPE UNKNOWN - timed out after 0.5 s" ] || fail "--timeout: $(cat "$T/out")"
awk -v t="$took" 'BEGIN { exit !(t < 3) }' || fail "--timeout 0.5 took $took s"

"$NATSCOPE" --netns "$LAB-r" audit -i 0 --ignore no_such_check >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 64 ] || fail "unknown check: exit $rc, want 64 (usage)"
"$NATSCOPE" --netns "$LAB-r" audit -i 0 -f nagios --ignore no_such_check >/dev/null 2>&1
rc=$?
[ "$rc" = 3 ] || fail "unknown check in plugin mode: exit $rc, want 3"
[ "$(cat "$T/err")" = "natscope audit: --ignore: no check 'no_such_check' (natscope audit --help lists them)" ] ||
	fail "unknown check: $(cat "$T/err")"
echo "cli/plugin mode: all passed"
