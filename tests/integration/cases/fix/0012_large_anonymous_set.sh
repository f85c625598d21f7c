#!/bin/bash
# An anonymous set of 1,000 elements with comments (issue 9, item 2: more than the old
# fixed 128 KiB scratch) is mirrored whole: nft takes the dry-run script, the overlay
# holds every element, a rerun and audit find it current.
. "$TESTLIB/common.sh"
. "$TESTLIB/fix.sh"

ip netns add "$LAB-r" || fail "netns"
python3 - >"$T/big.nft" <<'PY'
c = "c" * 100
elems = ", ".join(f'10.{i // 250}.{i % 250}.1 comment "{c}{i}"' for i in range(1000))
print("table ip nat {\n\tchain post {\n\t\ttype nat hook postrouting priority srcnat; policy accept;")
print(f"\t\tip saddr {{ {elems} }} masquerade\n\t}}\n}}")
PY
lab_exec r nft -f "$T/big.nft" || fail "nft -f"
fix --random-fully --dry-run >"$T/d.nft" 2>"$T/d.err" || fail "dry-run: $(cat "$T/d.err")"
lab_exec r nft -c -f "$T/d.nft" || fail "nft -c rejects the script"
fix --random-fully --yes >"$T/out" 2>&1 || fail "fix: $(cat "$T/out")"
n=$(lab_exec r nft -j list table ip natscope | python3 -c '
import json, sys
d = json.load(sys.stdin)["nftables"]
for o in d:
    for e in o.get("rule", {}).get("expr", []):
        m = e.get("match")
        if m and isinstance(m["right"], dict) and "set" in m["right"]:
            print(len(m["right"]["set"]))')
[ "$n" = 1000 ] || fail "the mirrored set holds $n elements, want 1000"
fix --random-fully --yes >"$T/out" 2>&1 || fail "rerun"
grep -q 'nothing to change' "$T/out" || fail "rerun with a large set is not a no-op: $(cat "$T/out")"
"$NATSCOPE" --netns "$LAB-r" audit -i 0 -f json >"$T/a.json"
[ "$(finding "$T/a.json" nat_overlay_stale)" = ok ] || fail "overlay reported stale"
echo "fix/large anonymous set: all passed"
