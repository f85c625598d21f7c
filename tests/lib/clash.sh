# The clash race of NOTES.md, shared by the clash cases: two clients race 25,000 source
# ports x 4 destination ports each (200,000 one-packet UDP flows, 77 % of each
# destination's 64,512 ports) through one masquerading router, from CPUs 0 and 1 at the
# same instant, while audit samples across it.
SPORTS=25000
DPORTS=4
FLOWS=$((2 * SPORTS * DPORTS))

# run_scenario FLAGS OUT [fix]: lab, audit across the flood, then the kernel's view.
# With fix, `natscope fix --random-fully` runs on the router first.
run_scenario() {
	local flags=$1 out=$2 ap np rc
	lab_up "$flags" drop || fail "lab setup ($flags)"
	if [ "${3:-}" = fix ]; then
		"$NATSCOPE" --netns "$LAB-r" fix --random-fully --yes >"$out.fix" 2>&1 ||
			fail "natscope fix failed: $(cat "$out.fix")"
	fi
	[ "$(lab_ct_stat r insert_failed)" = 0 ] || fail "fresh namespace has insert failures"
	# audit samples, waits 3 s (the flood happens inside), dumps, samples again; a
	# second audit with --no-bpf watches the same race (the likely attribution)
	"$NATSCOPE" --netns "$LAB-r" audit -i 3 -f json >"$out.json" &
	ap=$!
	"$NATSCOPE" --netns "$LAB-r" audit -i 3 -f json --no-bpf >"$out.nobpf.json" &
	np=$!
	sleep 0.5
	lab_clash "$RAWFLOOD" $SPORTS $DPORTS || fail "flood did not complete"
	wait $ap
	rc=$?
	wait $np
	echo $rc >"$out.rc"
	lab_exec r conntrack -S >"$out.S"
	lab_exec r conntrack -C >"$out.C"
	lab_down
}

# check_against_kernel OUT: natscope's numbers are the kernel's.
check_against_kernel() {
	local out=$1 failed count
	failed=$(json "$out.json" "d['stats']['totals']['insert_failed']")
	# Per CPU, natscope's insert_failed equals conntrack -S's (read after the flood).
	python3 - "$out.json" "$out.S" <<'PY' || fail "per-CPU insert_failed differs from conntrack -S"
import json, sys
d = json.load(open(sys.argv[1]))
ours = {c['cpu']: c['insert_failed'] for c in d['stats']['cpus']}
for line in open(sys.argv[2]):
    f = dict(kv.split('=') for kv in line.split())
    if ours[int(f['cpu'])] != int(f['insert_failed']):
        sys.exit(f"cpu{f['cpu']}: natscope {ours[int(f['cpu'])]}, conntrack -S {f['insert_failed']}")
PY
	count=$(json "$out.json" "d['table']['entries']")
	[ "$count" = "$(cat "$out.C")" ] || fail "natscope dumped $count entries, conntrack -C says $(cat "$out.C")"
	# Every flow was either confirmed or failed to insert: nothing else drops here.
	[ $((count + failed)) = $FLOWS ] ||
		fail "entries $count + insert_failed $failed != $FLOWS flows sent"
	info "$(basename "$out"): $count entries + $failed insert_failed = $FLOWS flows"
}

per100k() { awk -v n="$1" -v f=$FLOWS 'BEGIN { printf "%.1f", n * 100000 / f }'; }
