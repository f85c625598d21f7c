#!/bin/bash
# Churn with nothing lost (issue 9, item 19): rounds of 20,000 UDP flows that expire a
# second later, while top reconciles with a full dump every second.  Events keep queueing
# while each dump is read, yet with no event dropped both drift and the loss estimate are
# 0, and NEW and DESTROY events match what the kernel did.
. "$TESTLIB/common.sh"
. "$TESTLIB/top.sh"

lab_up "" drop || fail "lab setup"
lab_exec r sysctl -qw net.netfilter.nf_conntrack_udp_timeout=1 || fail "udp timeout"
top -n 16 -d 1 --resync 1 --rcvbuf 64 >"$T/churn.json" &
tp=$!
top_ready "$T/churn.json"
for round in 1 2 3 4 5 6; do
	lab_exec c1 "$RAWFLOOD" --src 198.18.1.2 --dst $LAB_S --sport 10000-14999 --dport 20000,4 \
		--max-seconds 10 >/dev/null || fail "flood round $round"
	sleep 1.5
done
top_within "$T/churn.json" 16 "the churn"
wait $tp || fail "top exited $?"
new=$(field "$T/churn.json" "d['events']['new']")
destroy=$(field "$T/churn.json" "d['events']['destroy']")
info "churn: NEW $new, DESTROY $destroy, resyncs $(field "$T/churn.json" "d['lost']['resyncs']"), drift $(field "$T/churn.json" "d['lost']['drift']"), estimated lost $(field "$T/churn.json" "d['lost']['estimated']")"
[ "$new" -ge 100000 ] || fail "only $new NEW events: the churn did not happen"
[ "$destroy" -ge 80000 ] || fail "only $destroy DESTROY events: flows did not expire"
[ "$(field "$T/churn.json" "d['lost']['dropped']")" = 0 ] || fail "events were dropped: the case needs a loss-free run"
[ "$(field "$T/churn.json" "d['lost']['resyncs']")" -ge 8 ] || fail "too few reconciliations"
[ "$(field "$T/churn.json" "d['lost']['drift']")" = 0 ] || fail "drift without any loss"
[ "$(field "$T/churn.json" "d['lost']['estimated']")" = 0 ] || fail "estimated loss without any loss"
echo "top/churn without drift: all passed"
