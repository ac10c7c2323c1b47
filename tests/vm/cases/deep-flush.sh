#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: pmemctl deep-flush on QEMU NVDIMMs (deep_flush 0444), virtio-pmem
# (no attribute: fsync is the flush) and a legacy memmap region (none).
# Expects two labelled NVDIMMs, one virtio-pmem device and --memmap.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"

# Region and device names by provider, from ndctl.
by_provider()
{
	ndctl list -BRN | python3 -c '
import json, sys
want = sys.argv[1]
for bus in json.load(sys.stdin):
    if bus["provider"] == want:
        for r in bus.get("regions", []):
            print(r["dev"], " ".join(n.get("blockdev", n.get("chardev", "")) for n in r.get("namespaces", [])))
' "$1"
}

ndctl create-namespace -r region0 -m fsdax -s 256M > /dev/null
ndctl create-namespace -r region1 -m devdax -s 256M > /dev/null
read -r nfit_region nfit_pmem < <(by_provider ACPI.NFIT | grep -w region0)
dax_dev=$(ndctl list -N -r region1 | python3 -c 'import json,sys; d=json.load(sys.stdin); d=d if isinstance(d,list) else [d]; print(d[0]["chardev"])')
read -r virtio_region virtio_pmem < <(by_provider virtio-pmem)
read -r e820_region e820_pmem < <(by_provider e820)
echo "topology: nfit $nfit_region/$nfit_pmem, devdax $dax_dev, virtio $virtio_region/$virtio_pmem, e820 $e820_region/$e820_pmem" | diag

nfit_ns=$(ndctl list -N -r "$nfit_region" | python3 -c 'import json,sys; d=json.load(sys.stdin); d=d if isinstance(d,list) else [d]; print(d[0]["dev"])')
# DAX needs the filesystem's block size to be the page size.
mkfs.ext4 -q -F -b 4096 "/dev/$nfit_pmem"
mkdir -p /tmp/mnt
mount -o dax "/dev/$nfit_pmem" /tmp/mnt
echo "durable data" > /tmp/mnt/file

# --- ADR NVDIMM region: deep_flush 0444 -> not needed -------------------------
run "$PMEMCTL" deep-flush "$nfit_region"
expect_status 0 "NVDIMM region: exit 0"
check "NVDIMM region: says not needed" grep -q "^$nfit_region: not-needed: .*read-only" <<< "$OUT"
check "NVDIMM region: names ADR" grep -q 'memory controller (ADR)' <<< "$OUT"
run "$PMEMCTL" deep-flush --strict "$nfit_region"
expect_status 8 "--strict: not needed exits 8"
run "$PMEMCTL" deep-flush --method sysfs --json "$nfit_region"
is "$(json_get '[(f["outcome"], f["method"], f["latency_ns"]) for f in j["flushes"]]')" \
	'[["not-needed", "sysfs", null]]' "--method sysfs: not needed, nothing timed"
run "$PMEMCTL" deep-flush --method fsync --json "$nfit_region"
expect_status 0 "--method fsync on the NVDIMM region: exit 0"
is "$(json_get '[(f["outcome"], f["method"], f["device"], f["namespace"]) for f in j["flushes"]]')" \
	"[[\"flushed\", \"fsync\", \"/dev/$nfit_pmem\", null]]" "--method fsync: fsync of its block device"
is "$(json_get 'j["flushes"][0]["latency_ns"] > 0')" true "the fsync is timed"

# --- a file and a mount point on ext4 -o dax ---------------------------------
run "$PMEMCTL" deep-flush --json /tmp/mnt/file
is "$(json_get '[(f["region"], f["outcome"]) for f in j["flushes"]]')" \
	"[[\"$nfit_region\", \"not-needed\"]]" "a file on ext4 -o dax resolves to its region"
run "$PMEMCTL" deep-flush --method fsync --json /tmp/mnt
is "$(json_get '[(f["target"], f["namespace"], f["outcome"], f["device"]) for f in j["flushes"]]')" \
	"[[\"/tmp/mnt\", \"$nfit_ns\", \"flushed\", \"/dev/$nfit_pmem\"]]" \
	"a mount point: fsync through its namespace's block device"
run "$PMEMCTL" deep-flush "/dev/$nfit_pmem"
expect_status 0 "a block device node resolves"

# --- device-dax ----------------------------------------------------------------
run "$PMEMCTL" deep-flush "/dev/$dax_dev"
expect_status 0 "device-dax on an ADR region: not needed, exit 0"
run "$PMEMCTL" deep-flush --method fsync "/dev/$dax_dev"
expect_status 5 "device-dax with --method fsync: not supported (exit 5)"
check "device-dax: says it has no block device" grep -q 'device-dax: it has no block device' <<< "$ERR"

# --- virtio-pmem: fsync is the flush ------------------------------------------
# The host counts QEMU's virtio_pmem_flush_request events between two
# markers (directories made in the result share, which QEMU traces as
# v9fs_mkdir): each fsync that flushed the virtio device must be there.
virtio_flushes=0
mkdir /run/pmemvm/flushes-start
run "$PMEMCTL" deep-flush --json "$virtio_region"
expect_status 0 "virtio-pmem region: exit 0"
is "$(json_get '[(f["outcome"], f["method"], f["device"]) for f in j["flushes"]]')" \
	"[[\"flushed\", \"fsync\", \"/dev/$virtio_pmem\"]]" "virtio-pmem: auto picks fsync"
[ "$STATUS" = 0 ] && virtio_flushes=$((virtio_flushes + 1))
head -c 1M /dev/urandom > "$TAP_TMP/data"
dd if="$TAP_TMP/data" of="/dev/$virtio_pmem" bs=1M count=1 seek=8 conv=notrunc status=none
md5sum < "$TAP_TMP/data" | cut -d' ' -f1 > /run/pmemvm/virtio-data.md5
run "$PMEMCTL" deep-flush "/dev/$virtio_pmem"
expect_status 0 "virtio-pmem block device: flushed after a write"
check "virtio-pmem: says the flush reached the host" grep -q 'reached the host' <<< "$OUT"
[ "$STATUS" = 0 ] && virtio_flushes=$((virtio_flushes + 1))
run "$PMEMCTL" deep-flush --method sysfs "$virtio_region"
expect_status 5 "virtio-pmem with --method sysfs: not supported (exit 5)"
check "virtio-pmem sysfs: points to fsync" grep -q 'use --method fsync' <<< "$ERR"
run "$PMEMCTL" deep-flush --dry-run --json "$virtio_region"
is "$(json_get '[(f["outcome"], f["latency_ns"]) for f in j["flushes"]]')" '[["dry-run", null]]' \
	"--dry-run: nothing flushed, nothing timed"

# --- legacy e820 region: nothing can flush ------------------------------------
run "$PMEMCTL" deep-flush "$e820_region"
expect_status 5 "e820 region: not supported (exit 5)"
check "e820: says why" grep -q 'legacy e820 (memmap=) region' <<< "$ERR"

# --- several targets, all -------------------------------------------------------
run "$PMEMCTL" deep-flush --json all
expect_status 7 "all: the e820 region fails, the others do not: exit 7"
is "$(json_get 'sorted(f["region"] for f in j["flushes"])')" \
	"$(printf '%s\n' "$nfit_region" region1 "$virtio_region" "$e820_region" | sort | python3 -c 'import json,sys; print(json.dumps([l.strip() for l in sys.stdin]))')" \
	"all: every pmem region reported"
[ "$(json_get '[f["outcome"] for f in j["flushes"] if f["region"] == "'"$virtio_region"'"]')" = '["flushed"]' ] &&
	virtio_flushes=$((virtio_flushes + 1))
run "$PMEMCTL" deep-flush "$e820_region" "$e820_region"
expect_status 5 "two failures of one kind: that kind's code"
run "$PMEMCTL" deep-flush "$nfit_region" "$virtio_region"
expect_status 0 "two targets, both fine: exit 0"
virtio_flushes=$((virtio_flushes + 1))

# --- errors --------------------------------------------------------------------
run "$PMEMCTL" deep-flush region42
expect_status 3 "unknown target: exit 3"
is "$ERR" "pmemctl: region42: no such region, namespace, device or file" "unknown target: one message"
run "$PMEMCTL" deep-flush /tmp
expect_status 3 "a path not on pmem: exit 3"
check "a path not on pmem: names the device it is on" grep -q 'not on persistent memory (it is on' <<< "$ERR"
run "$PMEMCTL" deep-flush
expect_status 2 "no target: exit 2"
run "$PMEMCTL" deep-flush --method ioctl "$nfit_region"
expect_status 2 "unknown method: exit 2"
umount /tmp/mnt
ndctl disable-namespace "$nfit_ns" > /dev/null 2>&1
run "$PMEMCTL" deep-flush --method fsync "$nfit_ns"
expect_status 5 "a namespace without a block device (disabled): not supported"
check "it says there is no block device" grep -q 'no enabled block device' <<< "$ERR"

# --- not root --------------------------------------------------------------------
as_nobody()
{
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}
run as_nobody "$PMEMCTL" deep-flush "$virtio_region"
expect_status 4 "not root, virtio-pmem: not permitted (exit 4)"
check "not root: says what is needed" grep -q "opening /dev/$virtio_pmem needs root" <<< "$ERR"
run as_nobody "$PMEMCTL" deep-flush "$nfit_region"
expect_status 0 "not root, a region that needs no flush: still not needed"

mkdir /run/pmemvm/flushes-end
echo "$virtio_flushes" > /run/pmemvm/virtio-flushes
done_testing
