#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: pmemctl convert on a label-less (legacy) namespace, which spans
# its region and has no label to record a claim class in.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"

ns=${1:-namespace1.0}
mode_of()
{
	ndctl list -N -i -n "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print((d[0] if isinstance(d, list) else d)["mode"])'
}

is "$(ndctl list -N -n "$ns" | python3 -c 'import json,sys; d=json.load(sys.stdin); d=d[0] if isinstance(d,list) else d; print("uuid" in d and d["mode"] == "raw")')" False \
	"$ns is label-less (no uuid of its own)"
from=$(mode_of "$ns")
for to in fsdax raw sector devdax "$from"; do
	[ "$to" = "$from" ] && continue
	run "$PMEMCTL" convert --json -f -m "$to" "$ns"
	if [ "$STATUS" = 0 ] && [ "$(mode_of "$ns")" = "$to" ]; then
		pass "label-less: $from -> $to"
	else
		fail "label-less: $from -> $to"
		show_run | diag
	fi
	from=$to
done
run "$PMEMCTL" convert --json -m "$from" "$ns"
is "$STATUS $(json_get 'j["changed"]')" "0 false" "label-less: idempotent"
# What a rollback restores; the kernel may name the re-created dax device
# anew (dax1.1 for dax1.0), as it does for ndctl.
state()
{
	ndctl list -N -n "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
d = d[0] if isinstance(d, list) else d
print(" ".join(f"{k}={d.get(k)}" for k in ("mode", "map", "size", "uuid", "align", "sector_size")))'
}
before=$(state "$ns")
PMEMCTL_TEST_FAIL_STEP=enable run "$PMEMCTL" convert --json -f -m fsdax "$ns"
is "$STATUS $(json_get 'j["rolled_back"]')" "1 true" "label-less: a failure at enable is rolled back"
is "$(state "$ns")" "$before" "label-less: ndctl sees the previous state (mode, uuid, align, size)"
run "$PMEMCTL" create-namespace region1
expect_status 5 "create-namespace on a label-less region: not possible (exit 5)"
check "it says to use convert" grep -q "use 'pmemctl convert'" <<< "$ERR"

done_testing
