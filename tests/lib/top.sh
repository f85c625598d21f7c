# Shared by the top cases: top --batch -f json in the router, and the last frame's fields.
top() { "$NATSCOPE" --netns "$LAB-r" top --batch -f json "$@"; }
field() {
	python3 -c "import json,sys; d=json.loads(open(sys.argv[1]).read().splitlines()[-1]); print($2)" "$1"
}
