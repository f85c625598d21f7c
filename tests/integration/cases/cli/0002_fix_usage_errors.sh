#!/bin/bash
# Bad input to fix gets one line and a sysexits code (it is no monitoring plugin).
. "$TESTLIB/common.sh"
. "$TESTLIB/expect.sh"

expect 64 "say what to fix" "$NATSCOPE" fix
expect 64 "natscope fix: --random-fully and --revert cannot be combined: give one" "$NATSCOPE" fix --random-fully --revert
expect 64 "--revert takes no --oif" "$NATSCOPE" fix --revert --oif eth0
expect 64 "--follow applies changes unattended: give --yes" "$NATSCOPE" fix --random-fully --follow
expect 64 "--follow keeps the overlay of --random-fully: it takes no --revert, --in-place or --dry-run" "$NATSCOPE" fix --random-fully --follow --yes --dry-run
expect 64 "--follow keeps the overlay" "$NATSCOPE" fix --revert --follow --yes
expect 64 "--revert-on-exit goes with --follow" "$NATSCOPE" fix --random-fully --revert-on-exit --yes
expect 64 "unknown option '--in-place-now'" "$NATSCOPE" fix --in-place-now
expect 68 "namespace 'natscope-no-such-ns' not found" "$NATSCOPE" --netns natscope-no-such-ns fix --random-fully --dry-run
ip netns add "$LAB-e" || fail "netns"
case_cleanup() { ip netns del "$LAB-e" 2>/dev/null; }
expect 64 "--saddr '10.0.0.0/33' is not an IPv4 or IPv6 address" "$NATSCOPE" --netns "$LAB-e" fix --random-fully --saddr 10.0.0.0/33 --dry-run
expect 64 "--saddr '10.0.0.0/0x8' is not" "$NATSCOPE" --netns "$LAB-e" fix --random-fully --saddr 10.0.0.0/0x8 --dry-run
expect 64 "--oif '0123456789abcdefXX' is not an interface name" "$NATSCOPE" --netns "$LAB-e" fix --random-fully --oif 0123456789abcdefXX --dry-run
# names nft cannot quote, or with a newline, are refused in one line, never half-quoted
expect 64 "--oif 'a\"b' is not an interface name" "$NATSCOPE" --netns "$LAB-e" fix --random-fully --oif 'a"b' --dry-run
expect 64 "--oif 'a.x0ab' is not an interface name" "$NATSCOPE" --netns "$LAB-e" fix --random-fully --oif "$(printf 'a\nb')" --dry-run
# a legal odd name is quoted so that nft takes the script
"$NATSCOPE" --netns "$LAB-e" fix --random-fully --oif 'eth0.100@x' --dry-run >"$T/s.nft" 2>/dev/null || fail "dry-run with --oif eth0.100@x"
grep -q 'oifname != "eth0.100@x" return' "$T/s.nft" || fail "scope guard missing: $(cat "$T/s.nft")"
ip netns exec "$LAB-e" nft -c -f "$T/s.nft" || fail "nft -c rejects the script: $(cat "$T/s.nft")"
echo "cli/fix usage errors: all passed"
