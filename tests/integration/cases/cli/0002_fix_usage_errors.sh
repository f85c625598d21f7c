#!/bin/bash
# Bad input to fix gets one line and a sysexits code (it is no monitoring plugin).
. "$TESTLIB/common.sh"
. "$TESTLIB/expect.sh"

expect 64 "say what to fix" "$NATSCOPE" fix
expect 64 "say what to fix" "$NATSCOPE" fix --random-fully --revert
expect 64 "--revert takes no --oif" "$NATSCOPE" fix --revert --oif eth0
expect 64 "unknown option '--in-place-now'" "$NATSCOPE" fix --in-place-now
expect 68 "namespace 'natscope-no-such-ns' not found" "$NATSCOPE" --netns natscope-no-such-ns fix --random-fully --dry-run
ip netns add "$LAB-e" || fail "netns"
case_cleanup() { ip netns del "$LAB-e" 2>/dev/null; }
expect 64 "invalid scope" "$NATSCOPE" --netns "$LAB-e" fix --random-fully --saddr 10.0.0.0/33 --dry-run
expect 64 "invalid scope" "$NATSCOPE" --netns "$LAB-e" fix --random-fully --oif 0123456789abcdefXX --dry-run
echo "cli/fix usage errors: all passed"
