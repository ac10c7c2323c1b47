#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: pmemctl clear-errors on nfit_test (injected and scrubbed errors
# cleared through the bus, block-only ones by a write, a region) with
# ndctl list -M and the block device's badblocks as the reference; the
# refusals (dry run, no --force, open, mounted, non-root, unknown); and a
# QEMU NVDIMM, which cannot clear (exit 5, or --forget).
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"

nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

# field DEV KEY: a key of ndctl's namespace DEV.
field()
{
	ndctl list -N -n "$1" | python3 -c '
import json, sys
j = json.load(sys.stdin)
print((j[0] if isinstance(j, list) else j).get(sys.argv[1]))' "$2"
}

# ndctl_bad BUS: every badblocks entry ndctl list -RNM gives on BUS.
ndctl_bad()
{
	ndctl list -RNM -b "$1" | python3 -c '
import json, sys
j = json.load(sys.stdin)
rs = j if isinstance(j, list) else j.get("regions", [j])
out = []
for r in rs:
    out += [(r["dev"], b["offset"], b["length"]) for b in r.get("badblocks", [])]
    for n in r.get("namespaces", []):
        out += [(n["dev"], b["offset"], b["length"]) for b in n.get("badblocks", [])]
print(sorted(out))'
}

scrub()
{
	ndctl start-scrub nfit_test.0 > /dev/null 2>&1
	ndctl wait-scrub nfit_test.0 > /dev/null 2>&1
}

run ndctl list -N -b nfit_test.0
set -- $(printf '%s' "$OUT" | python3 -c '
import json, sys
j = json.load(sys.stdin)
print(" ".join(sorted(n["dev"] for n in (j if isinstance(j, list) else [j]))))')
check "nfit_test.0 has two namespaces ($*)" test $# -ge 2
ns=$1 ns2=$2
pmem=$(field "$ns" blockdev)
region2=$(ndctl list -R -b nfit_test.0 | python3 -c '
import json, sys
j = json.load(sys.stdin)
print(sorted(r["dev"] for r in (j if isinstance(j, list) else [j]))[1])')

# --- nothing to clear: a no-op, root or not -------------------------------------
run nobody "$PMEMCTL" clear-errors --json "$ns"
is "$STATUS $(json_get '(j["changed"], j["ranges"], j["from"])')" "0 [false, [], null]" \
	"no media errors: exit 0, changed false, no ranges (non-root too)"

# --- an injected, scrubbed error on a raw namespace ----------------------------
ndctl inject-error "$ns" -B 8 -n 4 > /dev/null
scrub
before=$(ndctl_bad nfit_test.0)
is "$before" "[('$ns', 8, 4), ('region1', 8, 4)]" "ndctl list -M shows the injected range"
is "$(cat /sys/block/$pmem/badblocks)" "8 4" "and so does /sys/block/$pmem/badblocks"

run "$PMEMCTL" clear-errors --dry-run "$ns"
expect_status 0 "--dry-run: exit 0"
check "--dry-run names the range and what is lost" \
	grep -q "would clear 4 sector(s) in 1 range(s) (8-11): what they hold is lost" <<< "$OUT"
check "--dry-run lists the steps" grep -q "planned  clear" <<< "$OUT"
is "$(ndctl_bad nfit_test.0) $(cat /sys/block/$pmem/badblocks)" "$before 8 4" \
	"--dry-run: ndctl list -M and badblocks unchanged"

run "$PMEMCTL" clear-errors "$ns" < /dev/null
expect_status 9 "no --force, no terminal: refused (exit 9)"
check "the refusal names the range and --force" grep -q "(8-11): what they hold is lost; add --force" <<< "$ERR"

run nobody "$PMEMCTL" clear-errors -f "$ns"
expect_status 4 "non-root: exit 4"
check "non-root: says root is needed" grep -q "clearing media errors needs root" <<< "$ERR"

sleep 60 < "/dev/$pmem" &
holder=$!
sleep 1
run "$PMEMCTL" clear-errors -f "$ns"
expect_status 6 "open by a process: refused (exit 6)"
check "the holder is named: sleep and its pid" grep -q "/dev/$pmem is open by sleep (pid $holder)" <<< "$ERR"
kill $holder
wait $holder 2> /dev/null
is "$(ndctl_bad nfit_test.0)" "$before" "after the refusals nothing changed"

run "$PMEMCTL" clear-errors --json -f "$ns"
expect_status 0 "--force: exit 0"
is "$(json_get '(j["changed"], [(r["namespace"], r["offset"], r["length"], r["source"], r["method"], r["cleared"]) for r in j["ranges"]])')" \
	"[true, [[\"$ns\", 8, 4, \"ars\", \"clear\", true]]]" \
	"the report: the range, cleared through the bus"
is "$(ndctl_bad nfit_test.0)" "[]" "ndctl list -M: no badblocks left"
is "$(cat /sys/block/$pmem/badblocks)" "" "/sys/block/$pmem/badblocks is empty"
is "$(field "$ns" mode) $(field "$ns" blockdev)" "raw $pmem" "the namespace is enabled again as it was"
scrub
is "$(ndctl_bad nfit_test.0)" "[]" "a new scrub finds nothing: the firmware cleared it"
run "$PMEMCTL" clear-errors --json -f "$ns"
is "$STATUS $(json_get 'j["changed"]')" "0 false" "second run: exit 0, changed false"
run "$PMEMCTL" clear-errors "$ns"
is "$STATUS $OUT" "0 $ns: no media errors: nothing to clear" "second run: says there is nothing to clear"

# --- a block-only range: zeros written through the block device -----------
echo "64 8" > /sys/block/$pmem/badblocks
run "$PMEMCTL" clear-errors --json -f "$ns"
is "$STATUS $(json_get '[(r["source"], r["method"], r["cleared"]) for r in j["ranges"]]')" \
	'0 [["block", "write", true]]' "block-only range: written, cleared"
is "$(cat /sys/block/$pmem/badblocks)" "" "block-only range: badblocks empty"
is "$(dd if=/dev/$pmem bs=512 skip=64 count=8 status=none | tr -d '\0' | wc -c)" 0 \
	"the cleared sectors read back as zeros"

# --- a region: every namespace, and compared with ndctl -----------------
ndctl inject-error "$ns2" -B 16 -n 8 > /dev/null
scrub

# The region's scope: a region-wide clear and a change of one of its
# namespaces (another pmemctl's, here flock(1) holding what it holds)
# exclude each other. The lock files are made as pmemctl makes them, 0600:
# any other file is replaced (below). (-o: flock itself holds the lock.)
scope=/run/pmemctl/$region2.scope.lock
mkdir -p /run/pmemctl
(umask 077; : > "$scope")
flock -o -s "$scope" sleep 30 &
locker=$!
sleep 1
run "$PMEMCTL" clear-errors -f "$region2"
expect_status 6 "clear-errors $region2 while a change of $ns2 holds the scope: refused, exit 6"
check "... saying another pmemctl is changing a namespace of it" \
	grep -q "$region2: another pmemctl is changing a namespace of it now" <<< "$ERR"
kill "$locker"
wait "$locker" 2> /dev/null
printf 'clearing its media errors\n' > "$scope"
flock -o -x "$scope" sleep 30 &
locker=$!
sleep 1
run "$PMEMCTL" clear-errors -f "$ns2"
expect_status 6 "clear-errors $ns2 while a clear of $region2 holds the scope: refused, exit 6"
check "... saying which: the region's errors are being cleared" \
	grep -q "$region2: another pmemctl is clearing its media errors now" <<< "$ERR"
run "$PMEMCTL" convert -f -m fsdax "$ns2"
expect_status 6 "convert $ns2 meanwhile: refused too, exit 6"
kill "$locker"
wait "$locker" 2> /dev/null
is "$(ndctl_bad nfit_test.0)" "[('$ns2', 16, 8), ('$region2', 16, 8)]" \
	"the refused runs changed nothing: the range is still listed"

# A lock file anybody can open (0644 in a 0755 directory, as flock(1) or
# another program makes it), held by an unprivileged user: replaced, so the
# user holds pmemctl off no more; the directory becomes root's alone.
chmod 0755 /run/pmemctl
rm -f "$scope"
(umask 022; : > "$scope")
nobody flock -o -s "$scope" sleep 30 &
locker=$!
sleep 1
run "$PMEMCTL" clear-errors --json -f "$region2"
check "the 0644 file is named and replaced" \
	grep -q "pmemctl: $scope: mode 0644, not 0600: replaced by a new lock file" <<< "$ERR"
is "$(stat -c '%a %U' /run/pmemctl "$scope" | tr '\n' ' ')" "700 root 600 root " \
	"the lock directory is 0700, the new lock file 0600, both root's"
kill "$locker"
wait "$locker" 2> /dev/null
is "$STATUS $(json_get '[(r["namespace"], r["offset"], r["length"], r["cleared"]) for r in j["ranges"]]')" \
	"0 [[\"$ns2\", 16, 8, true]]" "region $region2: its namespace's range cleared"
is "$(ndctl_bad nfit_test.0)" "[]" "region: ndctl list -M has nothing left"

# --- mounted fsdax: refused, the files and the repair named ------------
run "$PMEMCTL" convert -f -m fsdax "$ns"
expect_status 0 "$ns converted to fsdax"
pmem=$(field "$ns" blockdev)
# No lazy init: its writes would clear the range behind our back.
mkfs.ext4 -q -F -b 4096 -E lazy_itable_init=0,lazy_journal_init=0 "/dev/$pmem"
mkdir -p /tmp/mnt
mount -o dax "/dev/$pmem" /tmp/mnt
# A damaged file and an intact neighbour; the bad range is the second 4K
# block of the file, where filefrag (not pmemctl) says it is.
head -c 16384 /dev/urandom > /tmp/mnt/damaged
head -c 16384 /dev/urandom > /tmp/mnt/intact
sync
first=$(filefrag -v -b512 /tmp/mnt/damaged | awk '$1 == "0:" {print $4}' | tr -d .)
bad=$((first + 8))
echo "$bad 8" > /sys/block/$pmem/badblocks
run "$PMEMCTL" clear-errors -f "$ns"
expect_status 6 "mounted: refused (exit 6)"
check "the mount is named" grep -q "/dev/$pmem is mounted on /tmp/mnt" <<< "$ERR"
check "the damaged file and its bytes are named (sector $bad, from filefrag)" \
	grep -q "damaged: /tmp/mnt/damaged, bytes 4096-8191" <<< "$ERR"
check "its intact neighbour is not" bash -c '! grep -q "/tmp/mnt/intact" <<< "$1"' sh "$ERR"
check "and the repair" grep -q "restore each damaged file from a backup" <<< "$ERR"
is "$(cat /sys/block/$pmem/badblocks)" "$bad 8" "mounted: the range is still listed"
umount /tmp/mnt
run "$PMEMCTL" clear-errors -f "$ns"
expect_status 0 "unmounted: cleared"
is "$(cat /sys/block/$pmem/badblocks)" "" "fsdax: badblocks empty"

# --- QEMU NVDIMM: no clear command --------------------------------------------
q=$(ndctl list -R -b ACPI.NFIT | python3 -c '
import json, sys
j = json.load(sys.stdin)
print((j[0] if isinstance(j, list) else j)["dev"])')
run ndctl create-namespace -r "$q" -m fsdax -s 128M
read -r qns qpmem <<< "$(printf '%s' "$OUT" | python3 -c '
import json, sys
n = json.load(sys.stdin)
print(n["dev"], n["blockdev"])')"
echo "100 4" > /sys/block/$qpmem/badblocks
run "$PMEMCTL" clear-errors -f "$qns"
expect_status 5 "QEMU NVDIMM: cannot clear (exit 5)"
check "it says why and offers --forget" \
	grep -q "has no clear-error command: a write to the sectors fails (EIO); --forget" <<< "$ERR"
is "$(cat /sys/block/$qpmem/badblocks)" "100 4" "QEMU NVDIMM: the range is still listed"
check "and indeed a write fails" bash -c "! dd if=/dev/zero of=/dev/$qpmem bs=512 seek=100 count=4 oflag=direct status=none 2>/dev/null"
run "$PMEMCTL" clear-errors --json -f --forget "$qns"
is "$STATUS $(json_get '[(r["source"], r["method"], r["cleared"]) for r in j["ranges"]]')" \
	'0 [["block", "forget", true]]' "--forget: the range forgotten"
check "--forget: says nothing is repaired" grep -q "not repaired" <<< "$(json_get 'j["message"]')"
is "$(cat /sys/block/$qpmem/badblocks)" "" "--forget: badblocks empty"

# --- bad input ------------------------------------------------------------------------
run "$PMEMCTL" clear-errors namespace9.9
expect_status 3 "unknown namespace: exit 3"
check "unknown: named" grep -q "namespace9.9: no such namespace or region" <<< "$ERR"
run "$PMEMCTL" clear-errors
expect_status 2 "no target: exit 2"
done_testing
