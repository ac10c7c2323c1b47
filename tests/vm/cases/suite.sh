#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs several cases in one guest, one after the other, numbering their
# checks as one TAP stream: suite.sh CASE [ARG...] [-- CASE [ARG...]]...
# Exits non-zero when any case failed.
here=$(dirname "$0")
status=0
count=0
export TAP_NO_PLAN=1
while [ $# -gt 0 ]; do
	args=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		args+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	out=$(mktemp)
	TAP_START=$count bash "$here/${args[0]}" "${args[@]:1}" > "$out" 2>&1 || status=1
	cat "$out"
	count=$((count + $(grep -cE '^(not )?ok ' "$out")))
	rm -f "$out"
done
exit $status
