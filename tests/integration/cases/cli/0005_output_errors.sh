#!/bin/bash
# Output that cannot be written is an error with one line and exit code 74 (EX_IOERR;
# plugin mode: 3), never a silent success: a full device, a closed pipe with SIGPIPE ignored,
# a standard output closed before natscope started (once written into its own netlink
# socket).  Where -o points: devices stay devices, a directory is refused, a symlink stays
# a symlink.  --netns "" (an unset variable) is an error, not the caller's namespace.
. "$TESTLIB/common.sh"
. "$TESTLIB/expect.sh"

ip netns add "$LAB-o" || fail "netns"
case_cleanup() { ip netns del "$LAB-o" 2>/dev/null; }
# a namespace that tracks: a ct rule
ip netns exec "$LAB-o" nft add table ip t || fail "nft"
ip netns exec "$LAB-o" nft add chain ip t c '{ type filter hook output priority 0; }'
ip netns exec "$LAB-o" nft add rule ip t c ct state new accept

expect 74 "writing to standard output failed: No space left on device" \
	sh -c "exec '$NATSCOPE' --netns '$LAB-o' top --batch -f json -n 2 -d 0.1 >/dev/full"
expect 74 "writing to standard output failed: No space left on device" \
	sh -c "exec '$NATSCOPE' --netns '$LAB-o' top --batch -n 1 -d 0.1 >/dev/full"
expect 74 "writing to standard output failed: Broken pipe" \
	bash -c "trap '' PIPE; '$NATSCOPE' --netns '$LAB-o' top --batch -f json -n 5 -d 0.2 | head -c 0; exit \${PIPESTATUS[0]}"
expect 74 "writing to standard output failed: Bad file descriptor" \
	sh -c "exec '$NATSCOPE' --netns '$LAB-o' top --batch -f json -n 1 -d 0.1 >&-"
expect 74 "writing to standard output failed" sh -c "exec '$NATSCOPE' --version >/dev/full"
expect 74 "writing to standard output failed|writing 'standard output' failed" \
	sh -c "exec '$NATSCOPE' --netns '$LAB-o' audit -i 0 >/dev/full"

# -o: a device stays a device; a full one is an error
expect 74 "writing '/dev/full' failed: No space left on device" \
	"$NATSCOPE" --netns "$LAB-o" audit -i 0 -o /dev/full
[ -c /dev/full ] || fail "/dev/full is no longer a character device"
"$NATSCOPE" --netns "$LAB-o" audit -i 0 -o /dev/null || [ $? -le 2 ] || fail "-o /dev/null"
[ -c /dev/null ] || fail "/dev/null is no longer a character device"
expect 73 "cannot write the report to '$T': it is a directory" \
	"$NATSCOPE" --netns "$LAB-o" audit -i 0 -o "$T"
echo old >"$T/target.txt"
ln -s "$T/target.txt" "$T/link.txt"
"$NATSCOPE" --netns "$LAB-o" audit -i 0 -o "$T/link.txt"
[ $? -le 2 ] || fail "-o through a symlink"
[ -L "$T/link.txt" ] || fail "-o replaced the symlink itself"
grep -q '^natscope audit:' "$T/target.txt" || fail "the symlink's target was not written"

expect 64 "--netns needs a namespace \(it was given an empty one\)" "$NATSCOPE" --netns "" audit -i 0
expect 64 "--netns needs a namespace" "$NATSCOPE" --netns "" fix --random-fully --dry-run
expect 68 "'$T/target.txt' is not a network namespace" "$NATSCOPE" --netns "$T/target.txt" top --batch -n 1
echo "cli/output errors: all passed"
