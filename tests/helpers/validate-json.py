#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# validate-json.py SCHEMADIR CMD [FILE]: validates one pmemctl CMD --json
# document (FILE or standard input) against schemas/pmemctl-CMD.schema.json
# with python3-jsonschema (draft 2020-12); JSON lines: each line. Exit 0 valid, 1 invalid (the
# errors on stdout), 2 no schema for CMD or not JSON, 77 no jsonschema.
#
# validate-json.py --spool SCHEMADIR DIR: validates every document a VM
# case spooled into DIR (tests/helpers/tap.sh: N.CMD.json beside N.CMD.args,
# the command line) in this one process, as starting Python for each
# document costs seconds under emulation. One line per invalid document,
# "CMD<TAB>ARGS<TAB>ERRORS" (ERRORS "; "-separated); exit 0 when all are
# valid, 1 when one is not, 77 no jsonschema.
import json
import os
import sys

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is not installed")
    sys.exit(77)


def load_schema(schemadir, cmd):
    schema = json.load(open(f"{schemadir}/pmemctl-{cmd}.schema.json"))
    # A command whose document is shared with others refers to the shared
    # definition beside it: follow the reference here, which works alike
    # with every jsonschema version (their resolvers of relative
    # references differ).
    if "$ref" in schema and not schema["$ref"].startswith("#"):
        schema = json.load(open(f"{schemadir}/{schema['$ref']}"))
    return jsonschema.Draft202012Validator(schema)


def parse(text):
    try:
        return [json.loads(text)]
    except ValueError:
        # JSON lines (monitor --json): each line one document.
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def problems(validator, text):
    try:
        docs = parse(text)
    except ValueError as e:
        return [f"not JSON: {e}"]
    errors = [e for doc in docs for e in
              sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))]
    return [("/".join(str(p) for p in e.absolute_path) or "(document)") + ": " + e.message[:300]
            for e in errors[:10]]


if sys.argv[1] == "--spool":
    schemadir, spool = sys.argv[2], sys.argv[3]
    validators, bad = {}, 0
    for name in sorted(os.listdir(spool)):
        if not name.endswith(".json"):
            continue
        cmd = name.split(".", 1)[1][:-len(".json")]
        if cmd not in validators:
            validators[cmd] = load_schema(schemadir, cmd)
        found = problems(validators[cmd], open(os.path.join(spool, name), errors="replace").read())
        if found:
            bad += 1
            args = open(os.path.join(spool, name[:-len(".json")] + ".args")).read().strip()
            print(f"{cmd}\t{args}\t{'; '.join(found)}")
    sys.exit(1 if bad else 0)

schemadir, cmd = sys.argv[1], sys.argv[2]
try:
    validator = load_schema(schemadir, cmd)
except FileNotFoundError:
    print(f"no schema for {cmd}")
    sys.exit(2)
text = (open(sys.argv[3]) if len(sys.argv) > 3 else sys.stdin).read()
found = problems(validator, text)
for line in found:
    print(line)
if found and found[0].startswith("not JSON"):
    sys.exit(2)
sys.exit(1 if found else 0)
