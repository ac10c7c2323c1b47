#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: `pmemctl list -M` against `ndctl list -M` on nfit_test after
# injected errors and a scrub (raw namespaces), and a software badblock in
# the own list of an fsdax block device on a QEMU NVDIMM (source "block").
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"
compare=$PMEMCTL_SRCDIR/tests/vm/compare-ndctl.py
tmp=$(mktemp -d)

# ndctl's JSON for one kind comes bare: the namespaces of nfit_test.0.
run ndctl list -N -b nfit_test.0
nss=$(printf '%s' "$OUT" | python3 -c '
import json, sys
j = json.load(sys.stdin)
print(" ".join(sorted(n["dev"] for n in (j if isinstance(j, list) else [j]))))')
set -- $nss
check "nfit_test.0 has two namespaces ($nss)" test $# -ge 2
raw=$1 raw2=$2

# An fsdax namespace on the QEMU NVDIMM (nfit_test's labels cannot be
# rewritten), for the block device's own list.
q=$(ndctl list -R -b ACPI.NFIT | python3 -c '
import json, sys
j = json.load(sys.stdin)
print((j[0] if isinstance(j, list) else j)["dev"])')
run ndctl create-namespace -r "$q" -m fsdax -s 128M
expect_status 0 "an fsdax namespace on the QEMU NVDIMM's $q"
read -r fsdax pmem <<< "$(printf '%s' "$OUT" | python3 -c '
import json, sys
n = json.load(sys.stdin)
print(n["dev"], n["blockdev"])')"

# No errors yet: no BADBLOCKS column, badblock_count 0.
run "$PMEMCTL" list
check "no media error: the default table has no BADBLOCKS column" \
	bash -c "! grep -q BADBLOCKS <<< \"\$1\"" sh "$OUT"

check "ndctl inject-error $raw -B 8 -n 4" ndctl inject-error "$raw" -B 8 -n 4
check "ndctl inject-error $raw2 -B 1024 -n 8" ndctl inject-error "$raw2" -B 1024 -n 8
ndctl start-scrub nfit_test.0 > /dev/null 2>&1
check "ndctl wait-scrub nfit_test.0" sh -c 'ndctl wait-scrub nfit_test.0 > /dev/null'

run "$PMEMCTL" list -RNM --json
expect_status 0 "list -RNM --json: exit 0"
is "$ERR" "" "list -RNM --json: nothing on stderr"
printf '%s' "$OUT" > "$tmp/pmemctl.json"
is "$(json_get "sum(len([b for b in n['badblocks'] if b['source'] == 'ars']) for r in j['regions'] for n in r['namespaces'] if n['dev'] in ('$raw', '$raw2'))")" \
	2 "both injected ranges are listed (source ars)"
run ndctl list -RNM
printf '%s' "$OUT" > "$tmp/ndctl.json"
run python3 "$compare" "$tmp/pmemctl.json" "$tmp/ndctl.json"
expect_status 0 "list -RNM: the same offsets, lengths and DIMMs as ndctl list -RNM"
printf '%s\n' "$OUT" | diag

run "$PMEMCTL" list
check "media errors: the default table shows BADBLOCKS" grep -q BADBLOCKS <<< "$OUT"
run "$PMEMCTL" list -RN --json
is "$(json_get "sum('badblocks' in r or 'badblock_count' in r for r in j['regions'])")" 0 \
	"without -M: no badblock keys in JSON"

# A software badblock in the fsdax device's own list.
check "echo 100 4 > /sys/block/$pmem/badblocks" sh -c "echo 100 4 > /sys/block/$pmem/badblocks"
run "$PMEMCTL" list -NM --json "$fsdax"
expect_status 0 "list -NM $fsdax: exit 0"
is "$(json_get "[b for n in j['namespaces'] for b in n['badblocks'] if b['source'] == 'block']")" \
	'[{"offset": 100, "length": 4, "dimms": [], "source": "block"}]' \
	"the block device's range, source block"
is "$(json_get "[n['badblock_count'] for n in j['namespaces']]")" '[4]' \
	"badblock_count: the block device's 4 sectors"
run "$PMEMCTL" list -RNM --json
printf '%s' "$OUT" > "$tmp/pmemctl.json"
run ndctl list -RNM
printf '%s' "$OUT" > "$tmp/ndctl.json"
run python3 "$compare" "$tmp/pmemctl.json" "$tmp/ndctl.json"
expect_status 0 "with the block device's range too, the ARS entries equal ndctl's"
printf '%s\n' "$OUT" | diag
rm -rf "$tmp"
done_testing
