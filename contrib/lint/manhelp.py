#!/usr/bin/env python3
"""Each command's --help against its man page, and audit's checks against natscope-audit(8).

Usage: manhelp.py NATSCOPE MANDIR [COMPLETIONS_DIR]

For every command, the options --help lists (long and short) must be exactly those the
OPTIONS section of natscope-COMMAND(8) defines (its "*-x, --long*" lines), --help itself
aside; the global options likewise against natscope(8)'s GLOBAL OPTIONS; every check id
'natscope audit --help' lists must be a term of natscope-audit(8)'s CHECKS and the
reverse.  With COMPLETIONS_DIR, the bash and zsh completions must list the same options and check
ids, the bash one must offer them when run, and zsh must parse its file.
Prints each difference and exits 1 when there is one.
"""
import os
import re
import subprocess
import sys

COMMANDS = ["audit", "fix", "top", "exporter", "record"]


def help_text(natscope, cmd):
    args = [natscope] + ([cmd] if cmd else []) + ["--help"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def help_options(text):
    """Options of the Options: (or Global options:) block: lines starting with a dash."""
    opts = set()
    for line in text.splitlines():
        m = re.match(r"^\s{2,}(-[A-Za-z], )?(--[a-z][a-z-]*)", line)
        if m:
            opts.add(m.group(2))
            if m.group(1):
                opts.add(m.group(1)[:2])
    opts.discard("--help")
    opts.discard("-h")
    return opts


def section(path, name):
    text = open(path).read()
    m = re.search(r"^# %s\n(.*?)(?=^# |\Z)" % re.escape(name), text, re.S | re.M)
    return m.group(1) if m else None


def man_options(body):
    """Options defined in an OPTIONS section: its '*...*' term lines."""
    opts = set()
    for line in body.splitlines():
        if not line.startswith("*-"):
            continue
        term = line  # a term line holds options and their arguments only
        opts.update(re.findall(r"--[a-z][a-z-]*", term))
        opts.update(re.findall(r"(?<![-\w])-[A-Za-z](?![\w-])", term))
    opts.discard("--help")
    opts.discard("-h")
    return opts


def completion_options(path, cmd):
    """Options a completion file offers for @cmd: the words of its line tagged '#cmd'."""
    opts = set()
    for line in open(path):
        if line.rstrip().endswith("#" + cmd):
            opts.update(re.findall(r"(?<![\w-])--?[A-Za-z][a-z-]*", line.split("#")[0]))
    opts.discard("--help")
    opts.discard("-h")
    return opts


def completion_words(path, tag):
    """The plain words of the line tagged @tag (the check ids)."""
    for line in open(path):
        if line.rstrip().endswith("#" + tag):
            m = re.search(r'["(]([a-z_ ]+)[")]', line.split("#")[0])  # "..." or (...)
            return set(m.group(1).split()) if m else set()
    return set()


def bash_complete(path, words):
    """What the bash completion offers after @words (the last one being completed)."""
    script = 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); ' \
             '_natscope; printf "%s\\n" "${COMPREPLY[@]}"'
    out = subprocess.run(["bash", "-c", script, "bash", path] + words,
                         capture_output=True, text=True, check=True).stdout
    return set(out.split())


def main():
    natscope, mandir = sys.argv[1], sys.argv[2]
    compdir = sys.argv[3] if len(sys.argv) > 3 else None
    bad = []

    def compare(what, a, b, an, bn):
        for o in sorted(a - b):
            bad.append("%s: %s is in %s, not in %s" % (what, o, an, bn))
        for o in sorted(b - a):
            bad.append("%s: %s is in %s, not in %s" % (what, o, bn, an))

    pages = {None: "natscope.8.scd"}
    pages.update({c: "natscope-%s.8.scd" % c for c in COMMANDS})
    for cmd, page in pages.items():
        path = os.path.join(mandir, page)
        name = cmd or "natscope"
        if not os.path.exists(path):
            bad.append("%s: no man page %s" % (name, page))
            continue
        body = section(path, "GLOBAL OPTIONS" if cmd is None else "OPTIONS")
        if body is None:
            bad.append("%s: %s has no OPTIONS section" % (name, page))
            continue
        helped = help_options(help_text(natscope, cmd))
        compare(name, helped, man_options(body), "--help", page)
        if compdir:
            for comp in ("natscope.bash", "_natscope"):
                compare(name + " (" + comp + ")", helped,
                        completion_options(os.path.join(compdir, comp), name),
                        "--help", comp)

    text = help_text(natscope, "audit")
    checks = set(re.findall(r"^  ([a-z_]+)\s{2,}\S", text.split("Checks:")[1], re.M))
    if compdir:
        for comp in ("natscope.bash", "_natscope"):
            compare("--ignore's checks (" + comp + ")", checks,
                    completion_words(os.path.join(compdir, comp), "checks"), "audit --help", comp)
        # bash, run: what a user gets after "natscope [--netns X] COMMAND -<tab>"
        bash = os.path.join(compdir, "natscope.bash")
        for cmd in COMMANDS:
            want = help_options(help_text(natscope, cmd)) | {"-h", "--help"}
            got = bash_complete(bash, ["natscope", "--netns", "x", cmd, "-"])
            compare(cmd + " (bash, completing -)", {o for o in want if o.startswith("-")},
                    got, "--help", "the completion offered")
        got = bash_complete(bash, ["natscope", "audit", "--ignore", "snat_"])
        compare("audit --ignore snat_ (bash)", {c for c in checks if c.startswith("snat_")}, got,
                "audit --help", "the completion offered")
        got = bash_complete(bash, ["natscope", "t"])
        compare("natscope t (bash)", {"top"}, got, "the commands", "the completion offered")
        zsh = subprocess.run(["zsh", "-n", os.path.join(compdir, "_natscope")],
                             capture_output=True, text=True)
        if zsh.returncode != 0:
            bad.append("_natscope: zsh -n: " + zsh.stderr.strip())
    body = section(os.path.join(mandir, "natscope-audit.8.scd"), "CHECKS") or ""
    documented = set(re.findall(r"^\|\s+([a-z_]+)\s*$", body, re.M))  # the table's rows
    compare("audit checks", checks, documented, "audit --help", "natscope-audit.8.scd CHECKS")

    for b in bad:
        print(b)
    print("%d difference(s)" % len(bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
