#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by VM cases after tap.sh: pmemctl list beside ndctl list, and
# the JSON files cxl, ndctl and pmemctl wrote read back.

compare=$PMEMCTL_SRCDIR/tests/vm/compare-ndctl.py

# compare_with_ndctl DESC OURS THEIRS: pmemctl list OURS --json against
# ndctl list THEIRS, object by object (compare-ndctl.py); one test.
compare_with_ndctl()
{
	local desc=$1 ours=$2 theirs=$3
	# shellcheck disable=SC2086
	"$PMEMCTL" list $ours --json > "$TAP_TMP/ours.json" 2> "$TAP_TMP/ours.err"
	local s1=$?
	# shellcheck disable=SC2086
	ndctl list $theirs > "$TAP_TMP/theirs.json" 2> /dev/null
	if [ $s1 -ne 0 ]; then
		fail "$desc: pmemctl exited $s1"
		diag < "$TAP_TMP/ours.err"
	elif python3 "$compare" "$TAP_TMP/ours.json" "$TAP_TMP/theirs.json" > "$TAP_TMP/cmp" 2>&1; then
		pass "$desc ($(tail -n 1 "$TAP_TMP/cmp" | sed 's/^# //'))"
	else
		fail "$desc"
		diag < "$TAP_TMP/cmp"
	fi
}

# json_file FILE EXPR: a Python expression on the JSON in FILE (as j); cxl and
# ndctl print a single object bare, so j is a list for them.
json_file()
{
	python3 -c '
import json, sys
t = open(sys.argv[1]).read().strip()
j = json.loads(t) if t else []
if isinstance(j, dict) and "schema_version" not in j:
    j = [j]
v = eval(sys.argv[2])
print(json.dumps(v) if not isinstance(v, str) else v)' "$1" "$2" 2>&1
}
