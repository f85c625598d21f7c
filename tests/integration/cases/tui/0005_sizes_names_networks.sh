#!/bin/bash
# The live view at the sizes the man page promises (80x24, 100x30, 200x50): every view
# keeps its header, tabs and status on their lines, the overview draws all five
# histories (taller on a tall screen), and the names: the flows view's OWNER column
# names the namespace that holds each source, a text filter finds flows by that name, a
# published port (DNAT) shows its target and the target's owner, and the networks view
# counts the table by attached network exactly as conntrack -L does; --view opens a view.
. "$TESTLIB/common.sh"
. "$TESTLIB/tui.sh"
need_cmd tmux "package tmux"

tui_lab
# a published port on the router's outside address: s -> r:9090 -> c2:8080
lab_exec r nft -f - <<NFT || fail "dnat rule"
table ip nat {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		iifname "r-s" tcp dport 9090 dnat to 198.18.2.2:8080
	}
}
NFT
lab_exec c2 "$FLOWGEN" server 8080 60 >"$T/srv2" &
wait_ready "$T/srv2"
lab_exec s "$FLOWGEN" client $LAB_R_OUT 9090 4 4 0 60 >"$T/cli2" &
wait_ready "$T/cli2"
start --view networks
expect "^NETWORK +ENTRIES +SNAT" "--view networks: the networks view first"

# the kernel's own counts per network, by the inside end of each entry
kernel_counts() {
	dnat=$(lab_exec r conntrack -L -p tcp --dst-nat 2>/dev/null | grep -c 'src=198\.18\.2\.2 ')
	c1=$(lab_exec r conntrack -L --src-nat 2>/dev/null | grep -c 'src=198\.18\.1\.2 ')
}
# the networks view against conntrack -L, read again while UDP entries expire
expect_networks() {
	local i
	for i in $(seq 10); do
		kernel_counts
		screen | grep -Eq "^r-c1 198\.18\.1\.0/24 +$c1 +$c1 +0 " &&
			screen | grep -Eq "^r-c2 198\.18\.2\.0/24 +$dnat +0 +$dnat " &&
			{ info "ok: $1 networks: r-c1 $c1 masqueraded, r-c2 $dnat published-port entries"; return; }
		sleep 0.5
	done
	screen >&2
	fail "$1 networks view: not r-c1 $c1 (snat) and r-c2 $dnat (dnat)"
}
kernel_counts
[ "$dnat" -ge 8 ] && [ "$c1" -ge 15 ] || fail "lab: $dnat DNAT'd and $c1 masqueraded entries"

for size in 80x24 100x30 200x50; do
	w=${size%x*} h=${size#*x}
	tm resize-window -t "$S" -x "$w" -y "$h"
	for v in 1 2 3 4 5; do
		key "$v"
		expect "^natscope top [0-9:]+ +netns $LAB-r" "$size view $v: the header's first line"
		expect "^ 1 Over[a-z]* +2 [A-Za-z ]+ +3 [A-Za-z ]+ +4 Flows +5 Net" \
			"$size view $v: the tab bar whole on one line"
		expect "events/s [0-9]" "$size view $v: events/s"
		expect "invalid/s [0-9]" "$size view $v: invalid/s"
	done
	key 1
	expect "^table fill +now" "$size: all five histories on the overview"
	rows=$(screen | awk '/^insert_failed\/s +now/ { on = 1; next } /^drop\/s +now/ { print n; exit } on { n++ }')
	if [ "$h" -ge 50 ]; then
		[ "$rows" -ge 3 ] || fail "$size: a history of $rows rows on a tall screen"
	else
		[ "$rows" -ge 1 ] || fail "$size: a history without a row"
	fi
	info "ok: $size: histories of $rows rows"
	key 4
	expect "^sort PROTO +rows 1-[0-9]+ of [0-9]+$" "$size: the flows status on the last line"
	key 5
	expect_networks "$size"
	[ "$h" -lt 30 ] || expect "^tracked: tunnel 0, bridge-local 0, loopback 0, other [0-9]+" "$size: the table by what needs tracking"
done

# 200x50: names
key 4
expect "STATE +OWNER +TTL" "the OWNER column"
# another case's lab may hold the same addresses at the same time: "a|b" names both
expect_n "198\\.18\\.1\\.2:[0-9]+ .* ([^ ]*\\|)?$LAB-c1(\\|[^ ]*)? " 10 "flows of c1 named $LAB-c1"
key /
tm send-keys -t "$S" -l "dnat"
key Enter
expect ">198\\.18\\.2\\.2:8080 +ESTABLISHED +>([^ ]*\\|)?$LAB-c2(\\|[^ ]*)? " "a published port: its target and the target's owner"
key /
tm send-keys -t "$S" -l "$LAB-c1"
key Enter
kernel_counts
expect "filter $LAB-c1 +rows 1-[0-9]+ of $c1( |$)" "a filter by owner's name finds exactly c1's $c1 flows"
key s
tm send-keys -t "$S" -l "198.18.2.0/24"
key Enter
expect "filter $LAB-c1 src=198\\.18\\.2\\.0/24 +no flows match" "iptstate's s adds a source filter"
key 2
expect "BUSIEST SOURCES" "SNAT groups: the busiest sources column"
expect "198\\.18\\.9\\.2:8080 .* ([^ ]*\\|)?$LAB-c1(\\|[^ ]*)? 100%" "SNAT groups: c1 named as the only source"
key q
expect "EXITED-0" "q quits"
tm kill-session -t "$S"
echo "tui/sizes, names and networks: all passed"
