#!/bin/bash
# Bad input gets one line on stderr and the documented exit code.
. "$TESTLIB/common.sh"

# expect CODE PATTERN CMD...: exit code CODE, exactly one stderr line matching PATTERN.
expect() {
	local want=$1 pat=$2 rc lines
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	lines=$(wc -l <"$T/err")
	[ "$rc" = "$want" ] || fail "'$*' exited $rc, want $want: $(cat "$T/err")"
	[ "$lines" = 1 ] || fail "'$*' printed $lines lines on stderr, want 1: $(cat "$T/err")"
	grep -Eq -e "$pat" "$T/err" || fail "'$*' said '$(cat "$T/err")', want /$pat/"
	info "ok: $* -> $rc: $(cat "$T/err")"
}

expect 3 "namespace 'natscope-no-such-ns' not found" "$NATSCOPE" --netns natscope-no-such-ns audit
expect 3 "namespace '/nonexistent/ns' not found" "$NATSCOPE" audit --netns /nonexistent/ns
expect 3 "invalid --interval 'abc'" "$NATSCOPE" audit --interval abc
expect 3 "invalid --interval '-1'" "$NATSCOPE" audit -i -1
expect 3 "invalid --format 'xml'" "$NATSCOPE" audit --format xml
expect 3 "unknown option '--bogus'" "$NATSCOPE" audit --bogus
expect 3 "option '--format' needs a value" "$NATSCOPE" audit --format
expect 3 "unexpected argument 'extra'" "$NATSCOPE" audit extra
expect 3 "writing '/nonexistent-dir/x.prom' failed|cannot create a file beside" \
	"$NATSCOPE" audit -i 0 -o /nonexistent-dir/x.prom
expect 64 "unknown command 'frobnicate'" "$NATSCOPE" frobnicate
expect 3 "nf_conntrack is not available" env NATSCOPE_TEST_SYSCTL_ROOT="$T/empty" "$NATSCOPE" audit -i 0

# An unprivileged user: the binary is copied where that user can run it.
cp "$NATSCOPE" "$T/natscope" && chmod 755 "$T" "$T/natscope"
expect 3 "needs CAP_NET_ADMIN" setpriv --reuid=65534 --regid=65534 --clear-groups \
	--inh-caps=-all "$T/natscope" audit -i 0
expect 3 "needs CAP_NET_ADMIN and CAP_SYS_ADMIN" setpriv --reuid=65534 --regid=65534 \
	--clear-groups --inh-caps=-all "$T/natscope" --netns 1 audit -i 0

# fix: sysexits codes (it is no monitoring plugin).
expect 64 "say what to fix" "$NATSCOPE" fix
expect 64 "say what to fix" "$NATSCOPE" fix --random-fully --revert
expect 64 "--revert takes no --oif" "$NATSCOPE" fix --revert --oif eth0
expect 64 "unknown option '--in-place-now'" "$NATSCOPE" fix --in-place-now
expect 68 "namespace 'natscope-no-such-ns' not found" "$NATSCOPE" --netns natscope-no-such-ns fix --random-fully --dry-run
expect 77 "needs CAP_NET_ADMIN" setpriv --reuid=65534 --regid=65534 --clear-groups \
	--inh-caps=-all "$T/natscope" fix --random-fully --dry-run
ip netns add "$LAB-e" || fail "netns"
expect 64 "invalid scope" "$NATSCOPE" --netns "$LAB-e" fix --random-fully --saddr 10.0.0.0/33 --dry-run
expect 64 "invalid scope" "$NATSCOPE" --netns "$LAB-e" fix --random-fully --oif 0123456789abcdefXX --dry-run
ip netns del "$LAB-e"

# Help and version go to stdout and succeed.
"$NATSCOPE" --version | grep -Eq '^natscope [0-9]+\.[0-9]+' || fail "--version"
"$NATSCOPE" audit --help | grep -q snat_port_clash || fail "audit --help lists no checks"
"$NATSCOPE" --help | grep -q audit || fail "--help lists no commands"
"$NATSCOPE" fix --help | grep -q 'source-port preservation' || fail "fix --help says nothing of the cost"
echo "errors: all passed"
