# Batch top on the lab's router, and a field of its last JSON frame.
top() { "$NATSCOPE" --netns "$LAB-r" top --batch -f json "$@"; }
field() {
	python3 -c "import json,sys; d=json.loads(open(sys.argv[1]).read().splitlines()[-1]); print($2)" "$1"
}
# A case's traffic must fall inside top's window of N frames: it starts once the first
# frame is written (top has seeded its model and follows the events), and must have ended
# before the last one (fewer than N frames written then).  Both are conditions, checked.
# top_ready FILE: wait for the first frame
top_ready() {
	wait_lines "$1" 1 30 || fail "top wrote no frame in 30 s: $(cat "$1")"
}
# top_within FILE N WHAT: WHAT ended before top's last frame
top_within() {
	local n
	n=$(wc -l <"$1")
	[ "$n" -lt "$2" ] || fail "$3 outlasted top's $2 frames: the window is too short on this machine"
	info "$3 ended at frame $n of $2"
}
# record_ready ERRFILE: wait for record's "recording" line: the seed dump is in the file,
# the BPF component attached, and every event from now on goes in
record_ready() {
	local i
	for i in $(seq 300); do
		grep -q ': recording: ' "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "record never said it was recording: $(cat "$1")"
}
