#!/bin/bash
# Help and version go to stdout and succeed.
. "$TESTLIB/common.sh"
. "$TESTLIB/expect.sh"

"$NATSCOPE" --version | grep -Eq '^natscope [0-9]+\.[0-9]+(\.[0-9]+)? \(libmnl [0-9.]+, libnftnl [0-9.]+, libnftables [0-9.]+, jansson [0-9.]+, libmicrohttpd [0-9.]+, BPF component (built|not built)\)$' ||
	fail "--version: $("$NATSCOPE" --version)"
# errors of the top-level options: one line, natscope's name, not the binary's path
for bad in --bogus -x --netns; do
	"$NATSCOPE" $bad >"$T/o" 2>"$T/e"
	rc=$?
	[ "$rc" = 64 ] || fail "natscope $bad exited $rc"
	[ "$(wc -l <"$T/e")" = 1 ] && grep -Eq "^natscope: (unknown option '$bad'|option '$bad' needs a value): see 'natscope --help'$" "$T/e" ||
		fail "natscope $bad: $(cat "$T/e")"
done
"$NATSCOPE" audit --help | grep -q snat_port_clash || fail "audit --help lists no checks"
"$NATSCOPE" --help | grep -q audit || fail "--help lists no commands"
"$NATSCOPE" fix --help | grep -q 'source-port preservation' || fail "fix --help says nothing of the cost"
# -n means one thing, top's frame count (procps top): nowhere else
expect 64 "^natscope: unknown option '-n': see 'natscope --help'$" "$NATSCOPE" -n x audit
expect 64 "^natscope fix: unknown option '-n'" "$NATSCOPE" fix -n --random-fully
expect 64 "^natscope audit: unknown option '-n'" "$NATSCOPE" audit -n x
for cmd in audit fix top record exporter; do
	"$NATSCOPE" $cmd --help >"$T/h" 2>"$T/e" || fail "$cmd --help exited $?"
	[ -s "$T/h" ] && [ ! -s "$T/e" ] || fail "$cmd --help: not on stdout alone"
done
echo "cli/help and version: all passed"
