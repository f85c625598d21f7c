#!/bin/bash
# Help and version go to stdout and succeed.
. "$TESTLIB/common.sh"

"$NATSCOPE" --version | grep -Eq '^natscope [0-9]+\.[0-9]+' || fail "--version"
"$NATSCOPE" audit --help | grep -q snat_port_clash || fail "audit --help lists no checks"
"$NATSCOPE" --help | grep -q audit || fail "--help lists no commands"
"$NATSCOPE" fix --help | grep -q 'source-port preservation' || fail "fix --help says nothing of the cost"
for cmd in audit fix top record; do
	"$NATSCOPE" $cmd --help >"$T/h" 2>"$T/e" || fail "$cmd --help exited $?"
	[ -s "$T/h" ] && [ ! -s "$T/e" ] || fail "$cmd --help: not on stdout alone"
done
echo "cli/help and version: all passed"
