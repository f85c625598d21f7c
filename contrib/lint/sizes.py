#!/usr/bin/env python3
"""Report C files over MAX_FILE lines and functions over MAX_FUNC lines.

A function counts from its opening line to its closing brace.  Flat option switches and
tables may be longer: they are named in ALLOWED with the reason.  Exit 1 on any excess.
Usage: contrib/lint/sizes.py [FILE...]   (default: every .c under src/)
"""
import os
import re
import sys

MAX_FILE = 700
MAX_FUNC = 80
# function name -> why it may be longer (a flat option switch or a table)
ALLOWED = {
    'parse_args': 'each command\'s flat getopt_long option switch',
}

FUNC_RE = re.compile(r'^[A-Za-z_][\w \*]*?\b(\w+)\s*\([^;]*$')


def functions(lines):
    """Yield (name, first line, length) of each top-level function definition."""
    i = 0
    while i < len(lines):
        line = lines[i]
        m = FUNC_RE.match(line)
        if m and not line.startswith(('static const', 'typedef', '#')) and not line.rstrip().endswith(';'):
            # the body starts at the first line that is exactly "{"
            j = i
            while j < len(lines) and lines[j].rstrip() != '{':
                if lines[j].rstrip().endswith(';'):
                    break
                j += 1
            if j < len(lines) and lines[j].rstrip() == '{':
                k = j + 1
                while k < len(lines) and lines[k].rstrip() != '}':
                    k += 1
                yield m.group(1), i + 1, k - i + 1
                i = k + 1
                continue
        i += 1


def main(paths):
    bad = 0
    for p in paths:
        lines = open(p).read().split('\n')
        n = len(lines) - (1 if lines and lines[-1] == '' else 0)
        if n > MAX_FILE:
            print(f"{p}: {n} lines (max {MAX_FILE})")
            bad += 1
        for name, first, length in functions(lines):
            if length > MAX_FUNC and name not in ALLOWED:
                print(f"{p}:{first}: {name}() is {length} lines (max {MAX_FUNC})")
                bad += 1
    return 1 if bad else 0


if __name__ == '__main__':
    args = sys.argv[1:]
    if not args:
        root = os.path.relpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'src'))
        args = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f.endswith('.c'))
    sys.exit(main(args))
