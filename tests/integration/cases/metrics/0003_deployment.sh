#!/bin/bash
# Deployment as the ecosystem does it (issue 11): the alert rules pass promtool check
# rules and their promtool unit tests; the exporter and textfile units (and the fix
# unit) pass systemd-analyze verify with nothing to say; the textfile service's own
# command line writes a file promtool accepts; meson install puts the binary in sbin,
# the man pages in section 8, the units and the rules in their places.
. "$TESTLIB/common.sh"
need_cmd promtool "package prometheus"
need_cmd systemd-analyze "contrib/setup-deps.sh installs systemd"
need_cmd man "contrib/setup-deps.sh installs man-db"

SRC=$(cd "$TESTLIB/../.." && pwd)
BUILD=$(dirname "$NATSCOPE")

cp "$SRC/contrib/prometheus/natscope.rules.yml" "$SRC/contrib/prometheus/natscope.rules.test.yml" "$T/"
promtool check rules "$T/natscope.rules.yml" >"$T/check" 2>&1 || fail "promtool check rules: $(cat "$T/check")"
(cd "$T" && promtool test rules natscope.rules.test.yml) >"$T/test" 2>&1 || fail "promtool test rules: $(cat "$T/test")"
# the tests can fail: a wrong expectation is reported
sed 's/is 95% full/is 94% full/' "$T/natscope.rules.test.yml" >"$T/bad.test.yml"
(cd "$T" && promtool test rules bad.test.yml) >/dev/null 2>&1 && fail "a wrong rule test passed"

mkdir -p "$T/unit" "$T/man/man8"
cp "$BUILD"/*.8 "$T/man/man8/" 2>/dev/null # Documentation=man:...
for u in natscope-fix.service natscope-exporter.service natscope-textfile.service natscope-textfile.timer; do
	[ -f "$BUILD/$u" ] || fail "meson did not generate $u"
	# the generated units name the installed path; verify names this build's binary
	sed "s|^ExecStart=[^ ]*/natscope |ExecStart=$NATSCOPE |" "$BUILD/$u" >"$T/unit/$u"
done
grep -q "^ExecStart=$NATSCOPE exporter \$ARGS$" "$T/unit/natscope-exporter.service" ||
	fail "exporter ExecStart: $(grep ExecStart "$T/unit/natscope-exporter.service")"
(cd "$T/unit" && MANPATH=$T/man systemd-analyze verify natscope-fix.service natscope-exporter.service \
	natscope-textfile.service natscope-textfile.timer) >"$T/verify" 2>&1 ||
	fail "systemd-analyze verify: $(cat "$T/verify")"
[ -s "$T/verify" ] && fail "systemd-analyze verify has warnings: $(cat "$T/verify")"

# the textfile service's command line, its output path moved into the case's folder
ip netns add "$LAB-r" || fail "netns"
lab_exec r nft add table ip t || fail "nft"
read -r -a cmd <<<"$(sed -n 's/^ExecStart=//p' "$T/unit/natscope-textfile.service")"
[ "${cmd[-1]}" = /var/lib/prometheus/node-exporter/natscope.prom ] || fail "textfile path: ${cmd[*]}"
cmd[-1]=$T/natscope.prom
ip netns exec "$LAB-r" "${cmd[@]}"
rc=$?
[ "$rc" -le 2 ] || fail "the textfile command exited $rc"
promtool check metrics <"$T/natscope.prom" >"$T/pt" 2>&1 && [ ! -s "$T/pt" ] || fail "promtool: $(cat "$T/pt")"

# meson install: sbin, man8, systemd units, the rules
meson install -C "$BUILD" --no-rebuild --destdir "$T/root" >"$T/install" 2>&1 || fail "meson install: $(tail -5 "$T/install")"
prefix=$(meson introspect "$BUILD" --buildoptions | python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"][0])')
for f in sbin/natscope share/man/man8/natscope.8 share/man/man8/natscope-exporter.8 \
	share/man/man8/natscope-audit.8 lib/systemd/system/natscope-exporter.service \
	lib/systemd/system/natscope-textfile.timer share/natscope/prometheus/natscope.rules.yml; do
	[ -e "$T/root$prefix/$f" ] || fail "meson install did not put $f in $prefix: $(cd "$T/root" && find . -type f | head -30)"
done
grep -q "^ExecStart=$prefix/sbin/natscope exporter" "$T/root$prefix/lib/systemd/system/natscope-exporter.service" ||
	fail "installed unit: $(grep ExecStart "$T/root$prefix/lib/systemd/system/natscope-exporter.service")"
# the DaemonSet: valid YAML, capabilities as documented, flags the exporter knows
python3 - "$SRC/contrib/kubernetes/natscope-exporter.yaml" >"$T/args" <<'PY' || fail "DaemonSet manifest"
import sys, yaml
docs = list(yaml.safe_load_all(open(sys.argv[1])))
ds = [d for d in docs if d['kind'] == 'DaemonSet'][0]
spec = ds['spec']['template']['spec']
assert spec['hostNetwork'] and spec['hostPID'], spec
c = spec['containers'][0]
assert sorted(c['securityContext']['capabilities']['add']) == ['NET_ADMIN', 'SYS_ADMIN', 'SYS_PTRACE']
assert c['args'][0] == 'exporter'
print('\n'.join(a for a in c['args'][1:] if a.startswith('--')))
PY
"$NATSCOPE" exporter --help >"$T/help"
while read -r flag; do
	grep -q -- "$flag" "$T/help" || fail "the DaemonSet passes $flag, which natscope exporter does not know"
done <"$T/args"
echo "metrics/deployment: all passed"
