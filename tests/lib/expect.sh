# expect CODE PATTERN CMD...: CMD exits CODE and prints exactly one stderr line matching
# PATTERN (an extended regex).
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

# as_nobody CMD...: run a copy of natscope as an unprivileged user with no capabilities.
as_nobody() {
	[ -x "$T/natscope" ] || { cp "$NATSCOPE" "$T/natscope" && chmod 755 "$T" "$T/natscope"; } ||
		fail "copy natscope"
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$T/natscope" "$@"
}
