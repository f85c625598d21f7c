#!/bin/bash
# Two clients race 200,000 new UDP flows (the clash lab) while top follows with a 64 MiB
# buffer: every flow arrives as a NEW event, none is dropped, and the clashes are
# attributed to the racing groups.
. "$TESTLIB/common.sh"
. "$TESTLIB/top.sh"
need_cpus 2

lab_up "" drop || fail "lab setup"
base=$(lab_exec r conntrack -C)
top -n 10 -d 1 >"$T/flood.json" &
tp=$!
top_ready "$T/flood.json"
lab_clash "$RAWFLOOD" 25000 4 || fail "flood"
top_within "$T/flood.json" 10 "the flood"
wait $tp || fail "top exited $?"
created=$(( $(lab_exec r conntrack -C) - base ))
failed=$(lab_ct_stat r insert_failed)
new=$(field "$T/flood.json" "d['events']['new']")
lost=$(field "$T/flood.json" "d['lost']['estimated']")
info "flood: kernel created $created flows; top received $new NEW events, lost estimate $lost, overruns $(field "$T/flood.json" "d['lost']['overruns']")"
[ "$created" -ge 199000 ] || fail "the flood created only $created flows"
python3 - "$T/flood.json" "$failed" <<'PY' || fail "clash attribution wrong"
import json, sys
d = json.loads(open(sys.argv[1]).read().splitlines()[-1])
eps = d['clash_episodes']
assert eps, "no clash episode although insert_failed is %s" % sys.argv[2]
# an episode needs NEW flows from two sources in its interval; failures in an interval
# with one client left sending are not attributed, so the sum is at most the total
attributed = sum(e['insert_failed'] for e in eps)
assert 0 < attributed <= int(sys.argv[2]), (eps, sys.argv[2])
assert all(e['insert_failed'] > 0 for e in eps), eps
for e in eps:
    for g in e['likely_groups']:
        assert g['proto'] == 'udp' and g['dst'] == '198.18.9.2' and 20000 <= g['dport'] < 20004, g
        assert g['sources'] == 2, g
print("# ok: %d likely clash episodes; %d of %d insert failures fell in their intervals"
      % (len(eps), attributed, int(sys.argv[2])))
PY
[ $((new + lost)) -ge "$created" ] || fail "received $new + lost $lost < created $created"
[ "$(field "$T/flood.json" "d['lost']['dropped']")" = 0 ] || fail "a 64 MiB buffer dropped events"
[ "$(field "$T/flood.json" "d['entries']")" = "$(lab_exec r conntrack -C)" ] || fail "entries differ after the flood: top $(field "$T/flood.json" "d['entries']"), conntrack -C $(lab_exec r conntrack -C)"
echo "top/flood without loss: all passed"
