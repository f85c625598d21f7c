#!/bin/bash
# Without CAP_NET_ADMIN (and CAP_SYS_ADMIN for --netns) natscope says what it needs.
. "$TESTLIB/common.sh"
. "$TESTLIB/expect.sh"
need_cmd setpriv "util-linux"

expect 77 "needs CAP_NET_ADMIN" as_nobody audit -i 0
expect 77 "needs CAP_NET_ADMIN and CAP_SYS_ADMIN" as_nobody --netns 1 audit -i 0
expect 3 "needs CAP_NET_ADMIN" as_nobody audit -i 0 -f nagios
expect 77 "needs CAP_NET_ADMIN" as_nobody fix --random-fully --dry-run
echo "cli/privileges: all passed"
