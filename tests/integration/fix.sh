#!/bin/bash
# natscope fix --random-fully against the kernel's own tools, in namespaces this test
# creates: native and iptables-nft rules with real traffic, ip6/inet/jumps/named sets,
# dry-run, confirmation, idempotence, staleness, a concurrent change, and revert.
. "$TESTLIB/common.sh"
command -v iptables-nft >/dev/null || fail "iptables-nft is missing: run contrib/setup-deps.sh"

fix() { "$NATSCOPE" --netns "$LAB-r" fix "$@"; }
ruleset() { lab_exec r nft -j list ruleset | python3 -c 'import json,sys; print(json.dumps([o for o in json.load(sys.stdin)["nftables"] if "metainfo" not in o], sort_keys=True))'; }
finding() { json "$1" "[f['severity'] for f in d['findings'] if f['id'] == '$2'][0]"; }

# UDP flows from c1 through r: how many kept their source port across the masquerade.
preserved_ports() {
	lab_exec s "$FLOWGEN" server 9000 20 >"$T/srv" &
	wait_ready "$T/srv"
	lab_exec c1 "$FLOWGEN" client $LAB_S 9000 0 0 50 3 >"$T/cli"
	lab_exec r conntrack -L -p udp --dport 9000 -o extended 2>/dev/null >"$T/udp"
	[ "$(wc -l <"$T/udp")" = 50 ] || fail "expected 50 UDP flows, conntrack lists $(wc -l <"$T/udp")"
	grep -q UNREPLIED "$T/udp" && fail "some flows got no reply through the NAT"
	python3 - "$T/udp" <<'PY'
import re, sys
same = 0
for line in open(sys.argv[1]):
    sp = re.findall(r'sport=(\d+)', line)
    dp = re.findall(r'dport=(\d+)', line)
    same += sp[0] == dp[1]   # original source port == reply destination port
print(same)
PY
	lab_exec r conntrack -D -p udp --dport 9000 >/dev/null 2>&1
	# end the server itself (a backgrounded shell function's child outlives a kill %%)
	ip netns pids "$LAB-s" | xargs -r kill 2>/dev/null
	wait 2>/dev/null
}

# ---- A: native masquerade in table ip nat (the lab's own rule) ----
lab_up "" answer || fail "lab setup"
before_nat=$(lab_exec r nft -j list table ip nat)
orig=$(ruleset)
kept=$(preserved_ports)
info "plain masquerade: $kept of 50 flows kept their source port"
[ "$kept" -ge 45 ] || fail "plain masquerade should preserve ports (kept $kept of 50)"

fix --random-fully --dry-run >"$T/dry.nft" 2>"$T/dry.err" || fail "dry-run failed: $(cat "$T/dry.err")"
[ "$(ruleset)" = "$orig" ] || fail "--dry-run changed the ruleset"
lab_exec r nft -c -f "$T/dry.nft" || fail "nft -c rejects the dry-run script"
grep -q 'masquerade fully-random' "$T/dry.nft" || fail "dry-run script lacks the fully-random mirror"
grep -q 'fully-random gives up source-port preservation' "$T/dry.err" || fail "no word on what fully-random costs"

fix --random-fully </dev/null >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 64 ] && grep -q 'without --yes' "$T/err" || fail "no tty and no --yes: exit $rc, $(cat "$T/err")"
[ "$(ruleset)" = "$orig" ] || fail "refused run changed the ruleset"

fix --random-fully --yes >"$T/out" 2>&1 || fail "fix failed: $(cat "$T/out")"
grep -q '\[natscope\]' "$T/out" || fail "fix did not print what is in force"
[ "$(lab_exec r nft -j list table ip nat)" = "$before_nat" ] || fail "table ip nat changed"
lab_exec r nft list table ip natscope | grep -q 'oifname "r-s" masquerade fully-random' ||
	fail "overlay rule missing"
lab_exec r nft list table ip natscope | grep -Eq 'priority (99|srcnat - 1);' || fail "overlay not at priority srcnat - 1"
kept=$(preserved_ports)
info "after fix: $kept of 50 flows kept their source port"
[ "$kept" -le 5 ] || fail "after fix, $kept of 50 flows kept their source port (want random ports)"

"$NATSCOPE" --netns "$LAB-r" audit -i 0 -f json >"$T/a.json"
[ "$(finding "$T/a.json" snat_rules_random)" = ok ] || fail "covered rule still reported"
[ "$(finding "$T/a.json" nat_overlay_stale)" = ok ] || fail "fresh overlay reported stale"

applied=$(ruleset)
fix --random-fully --yes >"$T/out" 2>&1 || fail "second run failed"
grep -q 'nothing to change' "$T/out" || fail "second run was not a no-op: $(cat "$T/out")"
[ "$(ruleset)" = "$applied" ] || fail "second run changed the ruleset"

fix --revert --yes >"$T/out" 2>&1 || fail "revert failed: $(cat "$T/out")"
[ "$(ruleset)" = "$orig" ] || fail "after --revert the ruleset differs from the original"
info "ok: dry-run, apply, no-op rerun and revert"

# A source change makes the overlay stale; a rerun rebuilds it atomically.
fix --random-fully --yes >/dev/null 2>&1 || fail "re-apply"
lab_exec r nft add rule ip nat postrouting oifname "r-c2" masquerade
"$NATSCOPE" --netns "$LAB-r" audit -i 0 -f json >"$T/b.json"
[ "$(finding "$T/b.json" nat_overlay_stale)" = warning ] || fail "stale overlay not reported"
[ "$(finding "$T/b.json" snat_rules_random)" = warning ] || fail "uncovered rules not reported"
fix --random-fully --yes >"$T/out" 2>&1 || fail "rebuild failed"
[ "$(lab_exec r nft list table ip natscope | grep -c 'masquerade fully-random')" = 2 ] ||
	fail "rebuilt overlay does not mirror both rules"
"$NATSCOPE" --netns "$LAB-r" audit -i 0 -f json >"$T/c.json"
[ "$(finding "$T/c.json" nat_overlay_stale)" = ok ] || fail "rebuilt overlay still stale"
info "ok: stale overlay reported and rebuilt"

# The ruleset changes between plan and apply: nothing is applied.
lab_exec r nft add rule ip nat postrouting oifname "r-c1" masquerade
before=$(ruleset)
NATSCOPE_TEST_APPLY_DELAY=1.5 fix --random-fully --yes >"$T/out" 2>&1 &
fp=$!
sleep 0.5
lab_exec r nft add table ip bystander
wait $fp
rc=$?
[ "$rc" = 75 ] || fail "apply after a concurrent change exited $rc: $(cat "$T/out")"
grep -q 'nothing was applied' "$T/out" || fail "no clear message: $(cat "$T/out")"
lab_exec r nft delete table ip bystander
[ "$(ruleset)" = "$before" ] || fail "something was applied despite the generation change"
info "ok: concurrent change aborts with nothing applied"
lab_down

# ---- B: Docker-style iptables-nft rule ----
lab_up "" answer || fail "lab setup"
lab_exec r nft delete table ip nat
lab_exec r iptables-nft -t nat -A POSTROUTING -s 198.18.0.0/15 ! -o r-c1 -j MASQUERADE || fail "iptables-nft"
save() { lab_exec r iptables-nft-save -t nat | grep -v '^#'; }
kept=$(preserved_ports)
[ "$kept" -ge 45 ] || fail "xt MASQUERADE should preserve ports (kept $kept of 50)"
# iptables-nft rules carry counters: compare right around the fix, no traffic between
saved=$(save)
before_nat=$(lab_exec r nft -j list table ip nat)
fix --random-fully --yes >"$T/out" 2>&1 || fail "fix (iptables-nft) failed: $(cat "$T/out")"
[ "$(save)" = "$saved" ] || fail "iptables-nft-save output changed"
[ "$(lab_exec r nft -j list table ip nat)" = "$before_nat" ] || fail "table ip nat changed"
lab_exec r nft list table ip natscope | grep -Eq 'oifname != "r-c1" ip saddr 198.18.0.0/15 counter packets [0-9]+ bytes [0-9]+ masquerade fully-random' ||
	fail "xt MASQUERADE not mirrored as native masquerade fully-random"
kept=$(preserved_ports)
info "iptables-nft rule: after fix $kept of 50 flows kept their source port"
[ "$kept" -le 5 ] || fail "after fix, $kept of 50 kept their port"
fix --revert --yes >/dev/null 2>&1 || fail "revert"
[ "$(save)" = "$saved" ] || fail "iptables-nft-save changed after revert"
# --in-place never rewrites an iptables-nft rule
fix --random-fully --in-place --yes >"$T/out" 2>&1 || fail "in-place (xt): $(cat "$T/out")"
grep -q 'iptables-nft rule is never rewritten in place' "$T/out" || fail "xt rule not reported: $(cat "$T/out")"
[ "$(save)" = "$saved" ] || fail "--in-place changed an iptables-nft rule"
lab_down

# ---- D: --in-place on a native rule: replaced by handle, ports random ----
lab_up "" answer || fail "lab setup"
fix --random-fully --in-place --dry-run >"$T/ip.nft" 2>/dev/null || fail "in-place dry-run"
lab_exec r nft -c -f "$T/ip.nft" || fail "nft -c rejects the in-place script"
grep -q '^replace rule ip nat postrouting handle [0-9]* oifname "r-s" masquerade fully-random$' "$T/ip.nft" ||
	fail "in-place script: $(cat "$T/ip.nft")"
fix --random-fully --in-place --yes >"$T/out" 2>&1 || fail "in-place: $(cat "$T/out")"
lab_exec r nft list table ip nat | grep -q 'oifname "r-s" masquerade fully-random' || fail "rule not replaced"
lab_exec r nft list tables | grep -q natscope && fail "--in-place made a natscope table"
kept=$(preserved_ports)
[ "$kept" -le 5 ] || fail "after --in-place, $kept of 50 kept their port"
fix --random-fully --in-place --yes >"$T/out" 2>&1 || fail "in-place rerun"
grep -q 'nothing to change' "$T/out" || fail "in-place rerun not a no-op"
info "ok: --in-place replaced the native rule (then $kept of 50 kept their port)"
lab_down

# ---- E: no source-NAT rule at all: --oif installs masquerade fully-random ----
lab_up "" answer || fail "lab setup"
lab_exec r nft delete table ip nat
# conntrack must stay on in r: a filter rule that needs it
lab_exec r nft add table ip keepct || fail "keepct table"
lab_exec r nft add chain ip keepct forward '{ type filter hook forward priority 0; }' || fail "keepct chain"
lab_exec r nft add rule ip keepct forward ct state new accept || fail "keepct rule"
fix --random-fully --oif r-s --yes >"$T/out" 2>&1 || fail "--oif: $(cat "$T/out")"
grep -q 'masquerade fully-random for traffic leaving r-s' "$T/out" || fail "no plain masquerade: $(cat "$T/out")"
lab_exec r nft list table inet natscope | grep -q 'masquerade fully-random' || fail "inet natscope scope chain"
kept=$(preserved_ports)
[ "$kept" -le 5 ] || fail "with the plain masquerade $kept of 50 kept their port"
grep -q "dst=$LAB_R_OUT" "$T/udp" || fail "flows were not masqueraded to $LAB_R_OUT"
info "ok: --oif installed a plain masquerade fully-random"
lab_down

# ---- C: ip6, inet with a jump, a named set (skipped), an already fully-random rule ----
LAB=nsitc$$
ip netns add "$LAB-r" || fail "netns"
lab_exec r nft -f - <<'NFT' || fail "nft -f"
table ip6 n6 {
	chain p {
		type nat hook postrouting priority 100; policy accept;
		oifname "eth1" ip6 saddr fd00:1::/48 masquerade
	}
}
table inet mix {
	chain post {
		type nat hook postrouting priority srcnat + 10; policy accept;
		ip saddr 192.168.0.0/23 jump sub
	}
	chain sub {
		meta l4proto udp snat ip to 198.51.100.7:2000-3000
	}
}
table ip withset {
	set allowed { type ipv4_addr; elements = { 10.1.1.1 } }
	chain post {
		type nat hook postrouting priority 100; policy accept;
		ip saddr @allowed masquerade
	}
}
table ip anon {
	chain post {
		type nat hook postrouting priority 100; policy accept;
		ip saddr { 10.7.0.0/16, 10.8.0.1 } counter masquerade
	}
}
table ip anonmap {
	chain post {
		type nat hook postrouting priority 100; policy accept;
		ip daddr vmap { 10.0.0.1 : accept }
		masquerade
	}
}
table ip already {
	chain post {
		type nat hook postrouting priority 100; policy accept;
		masquerade fully-random
	}
}
NFT
fix --random-fully --dry-run >"$T/c.nft" 2>/dev/null || fail "dry-run"
lab_exec r nft -c -f "$T/c.nft" || fail "nft -c rejects the script"
fix --random-fully --yes >"$T/out" 2>&1 || fail "fix (C) failed: $(cat "$T/out")"
grep -q 'skip   ip withset post: it references set @allowed' "$T/out" || fail "named set not reported: $(cat "$T/out")"
grep -q '^mirror ip already' "$T/out" && fail "the fully-random chain was mirrored"
grep -q 'skip   ip anonmap post: it uses an anonymous map' "$T/out" || fail "anonymous map not reported: $(cat "$T/out")"
lab_exec r nft list table ip natscope | grep -Eq 'ip saddr \{ 10.7.0.0/16, 10.8.0.1 \} counter packets 0 bytes 0 masquerade fully-random' ||
	fail "anonymous set not recreated: $(lab_exec r nft list table ip natscope)"
fix --random-fully --yes >"$T/out2" 2>&1 && grep -q 'nothing to change' "$T/out2" || fail "rerun with an anonymous set is not a no-op"
lab_exec r nft list table ip6 natscope | grep -q 'ip6 saddr fd00:1::/48 masquerade fully-random' || fail "ip6 overlay"
lab_exec r nft list table inet natscope | grep -q 'jump mix-sub' || fail "inet jump not rewritten"
lab_exec r nft list table inet natscope | grep -q 'snat ip to 198.51.100.7:2000-3000 fully-random' || fail "inet snat"
lab_exec r nft list table inet natscope | grep -Eq 'priority (109|srcnat \+ 9);' || fail "inet overlay priority"

"$NATSCOPE" --netns "$LAB-r" audit -i 0 -f json >"$T/d.json"
[ "$(json "$T/d.json" "[f['evidence']['not_fully_random'] for f in d['findings'] if f['id'] == 'snat_rules_random'][0]")" = 2 ] ||
	fail "after fix exactly the two skipped rules (named set, anonymous map) should lack fully-random"
fix --revert --yes >/dev/null 2>&1 || fail "revert (C)"
lab_exec r nft list tables | grep -q natscope && fail "revert left a natscope table"
# Someone else's table named natscope is never touched.
lab_exec r nft add table ip natscope
fix --random-fully --yes >"$T/out" 2>&1
[ $? = 65 ] && grep -q "without natscope's mark" "$T/out" || fail "foreign natscope table: $(cat "$T/out")"
echo "fix: all passed"
