#!/bin/bash
# Bad input to audit gets one line on stderr and the documented exit code: the one table
# of every command (64 usage, 68 no such namespace, 69 no conntrack, 73 cannot create),
# except in plugin mode (-f nagios), where every error is 3, UNKNOWN.
. "$TESTLIB/common.sh"
. "$TESTLIB/expect.sh"

expect 68 "namespace 'natscope-no-such-ns' not found" "$NATSCOPE" --netns natscope-no-such-ns audit
expect 68 "namespace '/nonexistent/ns' not found" "$NATSCOPE" audit --netns /nonexistent/ns
expect 64 "invalid --interval 'abc'" "$NATSCOPE" audit --interval abc
# -o FORMAT, as conntrack and kubectl take it, is refused: no file named "json" appears
(cd "$T" && expect 64 "^natscope audit: -o names the output FILE, not a format: for json give -f json \(a file named 'json': -o ./json\)$" "$NATSCOPE" audit -o json)
[ -e "$T/json" ] && fail "audit -o json wrote a file named json"
expect 64 "-o names the output FILE, not a format: for openmetrics" "$NATSCOPE" audit -o openmetrics
expect 64 "invalid --interval '-1'" "$NATSCOPE" audit -i -1
# numbers are plain decimals, white space is refused on either side (issue 9, item 22)
expect 64 "invalid --interval '0x10'" "$NATSCOPE" audit -i 0x10
expect 64 "invalid --interval ' 1'" "$NATSCOPE" audit -i " 1"
expect 64 "invalid --interval '1 '" "$NATSCOPE" audit -i "1 "
expect 64 "-o takes a file name" "$NATSCOPE" audit -i 0 -o ""
expect 64 "invalid --format 'xml'" "$NATSCOPE" audit --format xml
expect 64 "unknown option '--bogus'" "$NATSCOPE" audit --bogus
expect 64 "option '--format' needs a value" "$NATSCOPE" audit --format
expect 64 "unexpected argument 'extra'" "$NATSCOPE" audit extra
expect 73 "cannot write the report to '/nonexistent-dir/x.prom': No such file or directory" \
	"$NATSCOPE" audit -i 0 -o /nonexistent-dir/x.prom
expect 64 "unknown command 'frobnicate'" "$NATSCOPE" frobnicate
expect 69 "nf_conntrack is not available" env NATSCOPE_TEST_SYSCTL_ROOT="$T/empty" "$NATSCOPE" audit -i 0
# plugin mode: the same errors exit 3 (UNKNOWN), wherever -f nagios stands
expect 3 "invalid --interval 'abc'" "$NATSCOPE" audit --interval abc -f nagios
expect 3 "namespace 'natscope-no-such-ns' not found" "$NATSCOPE" --netns natscope-no-such-ns audit -f nagios
expect 3 "unknown option '--bogus'" "$NATSCOPE" audit --format=nagios --bogus
expect 3 "nf_conntrack is not available" env NATSCOPE_TEST_SYSCTL_ROOT="$T/empty" "$NATSCOPE" audit -i 0 -fnagios
echo "cli/audit usage errors: all passed"
