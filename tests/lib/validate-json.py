#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# validate-json.py SCHEMADIR CMD [FILE]: validates one pmemctl CMD --json
# document (FILE or standard input) against schemas/pmemctl-CMD.schema.json
# with python3-jsonschema (draft 2020-12); JSON lines: each line. Exit 0 valid, 1 invalid (the
# errors on stdout), 2 no schema for CMD or not JSON, 77 no jsonschema.
import json
import sys

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is not installed")
    sys.exit(77)

schemadir, cmd = sys.argv[1], sys.argv[2]
try:
    schema = json.load(open(f"{schemadir}/pmemctl-{cmd}.schema.json"))
except FileNotFoundError:
    print(f"no schema for {cmd}")
    sys.exit(2)
# A command whose document is shared with others refers to the shared
# definition beside it: follow the reference here, which works alike with
# every jsonschema version (their resolvers of relative references differ).
if "$ref" in schema and not schema["$ref"].startswith("#"):
    schema = json.load(open(f"{schemadir}/{schema['$ref']}"))
text = (open(sys.argv[3]) if len(sys.argv) > 3 else sys.stdin).read()
try:
    docs = [json.loads(text)]
except ValueError:
    # JSON lines (monitor --json): each line one document.
    try:
        docs = [json.loads(line) for line in text.splitlines() if line.strip()]
    except ValueError as e:
        print(f"not JSON: {e}")
        sys.exit(2)
validator = jsonschema.Draft202012Validator(schema)
errors = [e for doc in docs for e in
          sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))]
for e in errors[:10]:
    where = "/".join(str(p) for p in e.absolute_path) or "(document)"
    print(f"{where}: {e.message[:300]}")
sys.exit(1 if errors else 0)
