#!/usr/bin/env python3
"""The package list in README.md ("Building by hand") equals contrib/setup-deps.sh's.

Usage: readme_deps.py SOURCE_DIR.  Prints what only one of them names; exit 1 if any.
"""
import re
import sys

root = sys.argv[1]
script = open(root + "/contrib/setup-deps.sh").read()
pkgs = set(re.search(r'^pkgs="([^"]*)"', script, re.M).group(1).split())
readme = open(root + "/README.md").read()
section = readme.split("## Building by hand", 1)[1]
listed = set(re.search(r"```text\n(.*?)```", section, re.S).group(1).split())
bad = [f"{p}: in setup-deps.sh, not in README.md" for p in sorted(pkgs - listed)]
bad += [f"{p}: in README.md, not in setup-deps.sh" for p in sorted(listed - pkgs)]
print("\n".join(bad + [f"{len(pkgs)} packages, {len(bad)} difference(s)"]))
sys.exit(1 if bad else 0)
