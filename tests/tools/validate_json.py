#!/usr/bin/env python3
"""Validate natscope's JSON output against its schema under doc/.

Usage: validate_json.py DOCDIR FILE...

Each FILE holds one JSON document, or (natscope top --batch) one per line; the schema
is chosen by the document's own "schema" field (natscope.audit, natscope.audit.all,
natscope.top), so a document naming no known schema fails too.  Prints each error with
its path and exits 1 when there is one.
"""
import json
import os
import sys

import jsonschema
from referencing import Registry, Resource


def main():
    docdir, files = sys.argv[1], sys.argv[2:]
    schemas, resources = {}, []
    for name in ("natscope.audit", "natscope.audit.all", "natscope.top"):
        s = json.load(open(os.path.join(docdir, name + ".schema.json")))
        jsonschema.Draft202012Validator.check_schema(s)
        schemas[name] = s
        resources.append((s["$id"], Resource.from_contents(s)))
    registry = Registry().with_resources(resources)
    errors = docs = 0
    for path in files:
        text = open(path).read()
        try:
            items = [json.loads(text)]
        except json.JSONDecodeError:
            items = [json.loads(line) for line in text.splitlines() if line.strip()]
        for n, doc in enumerate(items, 1):
            docs += 1
            name = doc.get("schema") if isinstance(doc, dict) else None
            if name not in schemas:
                print("%s:%d: no known schema %r" % (path, n, name))
                errors += 1
                continue
            v = jsonschema.Draft202012Validator(schemas[name], registry=registry)
            for e in sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path)):
                print("%s:%d: %s: %s" % (path, n, "/".join(map(str, e.absolute_path)),
                                         e.message[:300]))
                errors += 1
    print("%d document(s), %d error(s)" % (docs, errors))
    return 1 if errors or not docs else 0


if __name__ == "__main__":
    sys.exit(main())
