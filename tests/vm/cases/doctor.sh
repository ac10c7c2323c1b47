#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: pmemctl doctor on files, mounts, partitions and the platform:
# DAX or not (statx), MAP_SYNC tried for real, the verdict and the lints.
# Expects two labelled NVDIMMs (ADR) and one virtio-pmem device.
. "$PMEMCTL_SRCDIR/tests/lib/tap.sh"

ndctl create-namespace -r region0 -m fsdax -s 256M > /dev/null
ndctl create-namespace -r region1 -m fsdax -s 256M > /dev/null
for d in /tmp/dax /tmp/nodax; do mkdir -p $d; done
mkfs.ext4 -q -F -b 4096 /dev/pmem0 && mount -o dax /dev/pmem0 /tmp/dax
mkfs.ext4 -q -F -b 4096 /dev/pmem1 && mount /dev/pmem1 /tmp/nodax
fallocate -l 4M /tmp/dax/file
fallocate -l 4M /tmp/nodax/file
virtio=$(ndctl list -BN | python3 -c '
import json, sys
for b in json.load(sys.stdin):
    if b["provider"] == "virtio-pmem":
        ns = b.get("namespaces") or [n for r in b.get("regions", []) for n in r.get("namespaces", [])]
        print(ns[0]["blockdev"])')

# --- a DAX file ------------------------------------------------------------------
run "$PMEMCTL" doctor --json /tmp/dax/file
expect_status 0 "a file on ext4 -o dax (ADR): exit 0"
is "$(json_get '(j["target"]["namespace"], j["target"]["dax"], j["target"]["map_sync"], j["verdict"]["granularity"], j["verdict"]["persistence_domain"])')" \
	'["namespace0.0", true, true, "cache-line", "memory_controller"]' \
	"DAX file: namespace0.0, dax, MAP_SYNC works, cache-line, ADR"
is "$(json_get 'j["target"]["mount"]')" /tmp/dax "the mount point is named"
run "$PMEMCTL" doctor /tmp/dax/file
check "human output: MAP_SYNC tested" grep -q 'MAP_SYNC     works (tested)' <<< "$OUT"
check "human output: the recipe" grep -q 'after store  clwb' <<< "$OUT"

# --- a file on the same kind of namespace, mounted without -o dax ----------------
run "$PMEMCTL" doctor --json /tmp/nodax/file
expect_status 10 "a file on fsdax mounted without -o dax: a warning (exit 10)"
is "$(json_get '(j["target"]["dax"], j["target"]["map_sync"], j["verdict"]["granularity"])')" \
	'[false, false, "page"]' "not DAX: MAP_SYNC refused, page granularity"
is "$(json_get 'sorted(f["code"] for f in j["findings"])')" '["mounted-without-dax", "no-map-sync", "not-dax"]' \
	"the findings say why"
run "$PMEMCTL" doctor --json /tmp/nodax
is "$(json_get '(j["target"]["namespace"], j["target"]["file"])')" '["namespace1.0", true]' \
	"a mount point resolves to its namespace"

# --- the platform ---------------------------------------------------------------------
run "$PMEMCTL" doctor --json
expect_status 10 "the platform: warnings (exit 10)"
codes=$(json_get 'sorted({f["code"] for f in j["findings"]})')
check "unknown domain of the virtio-pmem region reported ($codes)" grep -q unknown-domain <<< "$codes"
check "mixed domains reported" grep -q mixed-domains <<< "$codes"
check "the mount without -o dax reported" grep -q mounted-without-dax <<< "$codes"
is "$(json_get 'j["verdict"]["persistence_domain"]')" unknown "platform verdict: unknown (virtio-pmem)"

# --- dax write_cache off on an ADR region: data can be lost -------------------------
echo 0 > /sys/block/pmem0/dax/write_cache
run "$PMEMCTL" doctor --json /tmp/dax/file
expect_status 11 "dax write_cache off on ADR: an error (exit 11)"
is "$(json_get '[f["code"] for f in j["findings"] if f["severity"] == "error"]')" '["write-cache-off"]' \
	"the error is write-cache-off"
echo 1 > /sys/block/pmem0/dax/write_cache

# --- a partition -----------------------------------------------------------------------
if command -v sfdisk > /dev/null && echo ',,L' | sfdisk -q "/dev/$virtio" > /dev/null 2>&1 &&
   [ -e "/dev/${virtio}p1" ]; then
	run "$PMEMCTL" doctor --json "/dev/${virtio}p1"
	is "$(json_get '(j["target"]["device"], j["verdict"]["granularity"], j["verdict"]["map_sync"])')" \
		"[\"$virtio\", \"page\", false]" "a partition of the virtio-pmem disk resolves to it: page, no MAP_SYNC"
else
	skip "a partition resolves to its disk" "sfdisk could not partition /dev/$virtio"
fi

# --- errors ------------------------------------------------------------------------------
run "$PMEMCTL" doctor /tmp
expect_status 3 "a path not on pmem: exit 3"
check "it names what the path is on" grep -q 'it is on tmpfs on /tmp' <<< "$ERR"
run "$PMEMCTL" doctor region9
expect_status 3 "an unknown region: exit 3"
run "$PMEMCTL" doctor a b
expect_status 2 "two targets: exit 2"

umount /tmp/dax /tmp/nodax
done_testing
