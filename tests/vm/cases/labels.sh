#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: init-labels, zero-labels and restore-labels on QEMU NVDIMMs whose
# label areas start blank. First README's "From bare DIMMs" walk-through,
# pmemctl alone; then the refusals, the dry run, a failure injected at the
# write step, zero and restore, with ndctl as the reference.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"

P=$PMEMCTL
work=$(mktemp -d)

# ns_field NAME KEY: KEY of the namespace named NAME in pmemctl list -N -i.
ns_field()
{
	"$P" list -N -i --json | python3 -c '
import json, sys
def walk(o):
    if isinstance(o, dict):
        if str(o.get("dev", "")).startswith("namespace") and o.get("name") == sys.argv[1]:
            yield o
        for v in o.values():
            yield from walk(v)
    elif isinstance(o, list):
        for v in o:
            yield from walk(v)
m = list(walk(json.load(sys.stdin)))
print(m[0].get(sys.argv[2]) if m else "")' "$1" "$2"
}

# area DIMM FILE: the raw label area as the kernel returns it (reference).
area()
{
	ndctl read-labels "$1" -o "$2" 2> /dev/null
}

# --- the walk-through (README "From bare DIMMs"): no ndctl command --------
walk()
{
	echo "\$ $*" >> "$work/walk.txt"
	"$@" >> "$work/walk.txt" 2>&1
	STATUS=$?
	[ $STATUS = 0 ] || echo "(exit $STATUS)" >> "$work/walk.txt"
}

walk "$P" list -D
walk "$P" create-namespace -m fsdax -s 256M -n data region0
is "$STATUS" 5 "walk-through: create-namespace on blank labels: exit 5"
check "walk-through: the refusal names init-labels" grep -q "pmemctl init-labels nmem0" "$work/walk.txt"
walk "$P" init-labels --dry-run nmem0 nmem1
is "$STATUS" 0 "walk-through: init-labels --dry-run"
walk "$P" init-labels nmem0 nmem1
is "$STATUS" 0 "walk-through: init-labels nmem0 nmem1"
walk "$P" create-namespace -m fsdax -s 256M -n data region0
is "$STATUS" 0 "walk-through: create-namespace fsdax after init-labels"
walk "$P" create-namespace -m devdax -n vectors region1
is "$STATUS" 0 "walk-through: create-namespace devdax after init-labels"
walk "$P" list -N
pmem=$(ns_field data blockdev)
dax=$(ns_field vectors chardev)
walk mkfs.ext4 -q -F -b 4096 "/dev/$pmem"
mkdir -p /tmp/pmem
walk mount -o dax "/dev/$pmem" /tmp/pmem
is "$STATUS" 0 "walk-through: ext4 -o dax mounted on /dev/$pmem"
walk "$P" show "$(ns_field data dev)"
walk "$P" doctor /tmp/pmem
check "walk-through: /dev/$dax is a devdax device" test -c "/dev/$dax"
sed 's/^/# /' "$work/walk.txt"

# --- reference: what ndctl decodes, and idempotence ------------------------
labels=$(ndctl read-labels -j nmem0 2> /dev/null)
is "$(printf '%s' "$labels" | python3 -c '
import json, sys
d = json.load(sys.stdin)
d = d[0] if isinstance(d, list) else d
ix = d["index"][0]
print(ix["signature"], ix["major"], ix["minor"], sorted({l["name"] for l in d["label"]}))')" \
	"NAMESPACE_INDEX 1 1 ['data']" "ndctl read-labels -j: v1.1 index blocks, the namespace's label"
run "$P" init-labels --json nmem0
is "$STATUS:$(json_get '(j["changed"], j["dimms"])')" '0:[false, ["nmem0"]]' "init-labels again: changed false"
run "$P" init-labels --label-version 1.2 nmem0
is "$STATUS" 1 "init-labels --label-version 1.2 over v1.1 labels: refused"
check "... and says zero-labels changes the version" grep -q "zero-labels" <<< "$ERR"

# --- refusals --------------------------------------------------------------
umount /tmp/pmem
uuid=$(ns_field data uuid)
ns=$(ns_field data dev)
dd if=/dev/urandom of="$work/pattern" bs=1M count=4 status=none
dd if="$work/pattern" of="/dev/$pmem" bs=1M oflag=direct status=none
run "$P" zero-labels -f nmem0
is "$STATUS" 6 "zero-labels while $ns is active: exit 6"
check "... naming $ns" grep -q "$ns" <<< "$ERR"

# The backup restore-labels takes: read-labels --backup (DIMM.labels,
# DIMM.id, SHA256SUMS), its area checked against ndctl's read.
run "$P" read-labels --backup "$work/backup" nmem0
expect_status 0 "read-labels --backup: exit 0"
area nmem0 "$work/ndctl-area"
check "the backup's area is the one ndctl reads" cmp -s "$work/backup/nmem0.labels" "$work/ndctl-area"
check "sha256sum -c verifies the backup" sh -c "cd '$work/backup' && sha256sum -c --quiet SHA256SUMS"

ndctl disable-namespace "$ns" > /dev/null 2>&1
# Disabled, the namespace shows its label's uuid (enabled: its claim's).
idle_uuid=$(ns_field data uuid)
area nmem0 "$work/before"
run "$P" zero-labels --dry-run --json nmem0
is "$STATUS:$(json_get '(j["dry_run"], j["changed"], j["namespaces_lost"])')" \
	"0:[true, false, [\"$ns\"]]" "zero-labels --dry-run names $ns"
run "$P" zero-labels nmem0 < /dev/null
is "$STATUS" 9 "zero-labels without --force over a defined namespace: exit 9"

# --- a failure injected at the write step: all as before -------------------
run env PMEMCTL_TEST_FAIL_STEP=write-labels "$P" zero-labels -f --json nmem0
is "$STATUS:$(json_get '(j["changed"], j["rolled_back"])')" "1:[false, true]" \
	"write-labels fails: exit 1, rolled back"
is "$(json_get '" ".join(s["step"] + "=" + s["status"] for s in j["steps"])')" \
	"check=done disable-region=undone save-area=undone write-labels=failed rollback-write=done rollback-reload=done rollback-enable=done rollback-disable=done" \
	"... the steps say what was done and undone"
area nmem0 "$work/after"
check "... the label area is byte for byte as before" cmp -s "$work/before" "$work/after"
is "$(basename "$(readlink /sys/bus/nd/devices/region0/driver)")" nd_region \
	"... region0 is enabled again"
is "$(ns_field data uuid):$(ns_field data state)" "$idle_uuid:disabled" "... the namespace is still defined, and disabled as it was"

# --- zero, then restore ----------------------------------------------------
run "$P" zero-labels -f --json nmem0
is "$STATUS:$(json_get 'j["changed"]')" "0:true" "zero-labels -f: changed"
is "$(ndctl read-labels -j nmem0 2> /dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin); d = d[0] if isinstance(d, list) else d
print([i["signature"] for i in d["index"]])')" "['', '']" "ndctl read-labels -j: no index block left"
run "$P" zero-labels --json nmem0
is "$STATUS:$(json_get 'j["changed"]')" "0:false" "zero-labels again: changed false"

cp "$work/backup/SHA256SUMS" "$work/sums"
# Another first digit, whatever it was.
sed -i 's/^0/1/;t;s/^./0/' "$work/backup/SHA256SUMS"
run "$P" restore-labels --from "$work/backup/nmem0.labels" nmem0
is "$STATUS" 2 "restore-labels with a wrong checksum: exit 2"
cp "$work/sums" "$work/backup/SHA256SUMS"
run "$P" restore-labels --from "$work/backup/nmem0.labels" nmem1
is "$STATUS" 9 "restore-labels of nmem0's backup on nmem1: exit 9"

run "$P" restore-labels -f --json --from "$work/backup/nmem0.labels" nmem0
is "$STATUS:$(json_get 'j["changed"]')" "0:true" "restore-labels: changed"
area nmem0 "$work/restored"
check "ndctl read-labels: the area is the backup's" cmp -s "$work/backup/nmem0.labels" "$work/restored"
is "$(ns_field data uuid)" "$uuid" "the namespace is back with its uuid and name"
pmem=$(ns_field data blockdev)
check "the data written before reads back intact (/dev/$pmem)" \
	cmp -s -n $((4 << 20)) "$work/pattern" "/dev/$pmem"
run "$P" restore-labels --json --from "$work/backup/nmem0.labels" nmem0
is "$STATUS:$(json_get 'j["changed"]')" "0:false" "restore-labels again: changed false"

done_testing
