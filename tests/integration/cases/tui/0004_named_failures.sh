#!/bin/bash
# The live view names failed insertions (issue 12): in the SNAT groups view, during the
# clash race, top shows the failures since it started against the kernel's count, the
# groups they were in, the sources with the namespaces that hold them, and the last ones.
. "$TESTLIB/common.sh"
. "$TESTLIB/clash.sh"
. "$TESTLIB/tui.sh"
need_cmd tmux "package tmux"
need_cpus 2
[ -e /sys/kernel/btf/vmlinux ] || skip "the kernel has no BTF (/sys/kernel/btf/vmlinux)"
case_cleanup() { tm kill-server 2>/dev/null; return 0; }

lab_up "" drop || fail "lab setup"
failed0=$(lab_ct_stat r insert_failed)
tm new-session -d -s "$S" -x 200 -y 50 "$NATSCOPE --netns $LAB-r top -d 0.5; echo EXITED-\$?; sleep 60" || fail "tmux"
expect "entries 0\\b" "top started"
key 2
expect "failed insertions named: 0 since start" "the groups view says failures are named exactly"
lab_clash "$RAWFLOOD" $SPORTS $DPORTS || fail "flood"
failed=$(( $(lab_ct_stat r insert_failed) - failed0 ))
[ "$failed" -ge 20 ] || fail "the race failed only $failed insertions"
expect "failed insertions named: $failed since start \\(kernel: $failed\\)" "all $failed named"
# another case's lab may hold the same addresses at the same time: "(a|b)" names both
expect "from 198\\.18\\.[12]\\.2 \\([^)]*$LAB-c[12][^)]*\\)" "sources named after their namespaces"
expect "cpu[01] +198\\.18\\.[12]\\.2:[0-9]+ \\([^)]*$LAB-c[12][^)]*\\) -> 198\\.18\\.9\\.2:2000[0-3] clashed on 198\\.18\\.9\\.1:[0-9]+ (with 198\\.18\\.[12]\\.2:[0-9]+ \\([^)]*$LAB-c[12]|\\(winner gone)" "the last failures, with the entry each clashed with"
screen >"$T/screen"
info "$(grep -A3 'insertions named' "$T/screen" | head -4 | tr -s ' ')"
key q
expect "EXITED-0" "q leaves with status 0"
echo "tui/named failures: all passed"
