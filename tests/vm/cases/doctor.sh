#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: pmemctl doctor on files, mounts, partitions and the platform:
# DAX or not (statx for files, the mount's dax option and the directory's
# DAX flag for mount points), MAP_SYNC tried for real, the verdict and the
# lints, on ext4 and xfs. Expects two labelled NVDIMMs (ADR) and one
# virtio-pmem device.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"

ndctl create-namespace -r region0 -m fsdax -s 256M > /dev/null
ndctl create-namespace -r region1 -m fsdax -s 256M > /dev/null
for d in /tmp/dax /tmp/nodax; do mkdir -p $d; done
mkfs.ext4 -q -F -b 4096 /dev/pmem0 && mount -o dax /dev/pmem0 /tmp/dax
mkfs.ext4 -q -F -b 4096 /dev/pmem1 && mount /dev/pmem1 /tmp/nodax
fallocate -l 4M /tmp/dax/file
fallocate -l 4M /tmp/nodax/file
# xfs: -o dax, and dax=inode (files DAX by the flag their directory passes on).
have_xfs=
if command -v mkfs.xfs > /dev/null; then
	ndctl create-namespace -r region0 -m fsdax -s 384M > /dev/null
	ndctl create-namespace -r region1 -m fsdax -s 384M > /dev/null
	mkdir -p /tmp/xdax /tmp/xinode
	# No reflink: older kernels refuse it beside DAX.
	mkfs.xfs -q -f -m reflink=0 /dev/pmem0.1 && mount -o dax /dev/pmem0.1 /tmp/xdax &&
	mkfs.xfs -q -f -m reflink=0 /dev/pmem1.1 && mount -o dax=inode /dev/pmem1.1 /tmp/xinode &&
		have_xfs=yes
fi
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

# --- mount points: the mount's dax option, not statx (never DAX on a directory) --
run "$PMEMCTL" doctor --json /tmp/dax
expect_status 0 "ext4 -o dax mount point: exit 0, no warning"
is "$(json_get '(j["target"]["dax"], j["verdict"]["granularity"], j["verdict"]["map_sync"], [f["code"] for f in j["findings"] if f["severity"] != "info"])')" \
	'[true, "cache-line", true, []]' "ext4 -o dax mount point: DAX, cache-line, MAP_SYNC, no not-dax"
run "$PMEMCTL" doctor /tmp/dax
check "human output: dax yes" grep -q '^  dax          yes' <<< "$OUT"
check "the mount line shows the filesystem and its dax option ($(grep mount <<< "$OUT"))" \
	grep -Eq '^  mount        /tmp/dax type ext4 \(rw,.*dax(=always)?[,)]' <<< "$OUT"
run "$PMEMCTL" doctor --json /tmp/nodax
expect_status 10 "ext4 mount point without -o dax: a warning (exit 10)"
is "$(json_get '(j["target"]["dax"], j["verdict"]["granularity"], j["verdict"]["map_sync"], sorted(f["code"] for f in j["findings"]))')" \
	'[false, "page", false, ["mounted-without-dax", "not-dax"]]' \
	"ext4 mount point without -o dax: not DAX, page, no MAP_SYNC"
check "the advice names -o dax and the directory's DAX flag" \
	grep -q "mount the filesystem with -o dax, or set the directory's DAX flag" <<< "$(json_get '[f["fix"] for f in j["findings"] if f["code"] == "not-dax"][0]')"
# ext4's default is dax=inode: a directory with the DAX flag passes it on.
mkdir /tmp/nodax/daxdir
if chattr +x /tmp/nodax/daxdir 2> /dev/null; then
	fallocate -l 4M /tmp/nodax/daxdir/file
	run "$PMEMCTL" doctor --json /tmp/nodax/daxdir
	is "$(json_get '(j["target"]["dax"], j["verdict"]["granularity"], "not-dax" in [f["code"] for f in j["findings"]])')" \
		'[true, "cache-line", false]' "ext4 (default dax=inode), a directory with the DAX flag: DAX"
	run "$PMEMCTL" doctor --json /tmp/nodax/daxdir/file
	is "$(json_get '(j["target"]["dax"], j["target"]["map_sync"])')" '[true, true]' \
		"... and a file made in it is DAX (statx), MAP_SYNC works"
else
	skip "ext4, a directory with the DAX flag: DAX" "chattr +x failed"
	skip "... and a file made in it is DAX" "chattr +x failed"
fi

if [ -n "$have_xfs" ]; then
	run "$PMEMCTL" doctor --json /tmp/xdax
	expect_status 0 "xfs -o dax mount point: exit 0"
	is "$(json_get '(j["target"]["namespace"], j["target"]["dax"], j["verdict"]["granularity"], j["verdict"]["map_sync"])')" \
		'["namespace0.1", true, "cache-line", true]' "xfs -o dax mount point: DAX, cache-line, MAP_SYNC"
	run "$PMEMCTL" doctor /tmp/xdax
	check "the mount line: xfs, dax=always" grep -Eq '^  mount        /tmp/xdax type xfs \(.*dax(=always)?[,)]' <<< "$OUT"
	run "$PMEMCTL" doctor --json /tmp/xinode
	expect_status 10 "xfs dax=inode mount point, no DAX flag: a warning (exit 10)"
	# xfs shows no dax=inode (its default): the mount looks like one without dax.
	is "$(json_get '(j["target"]["dax"], j["verdict"]["granularity"], sorted(f["code"] for f in j["findings"] if f["severity"] != "info"))')" \
		'[false, "page", ["mounted-without-dax", "not-dax"]]' "xfs dax=inode, no flag: not DAX, page"
	check "the advice names the directory's DAX flag" \
		grep -q "chattr +x DIR" <<< "$(json_get '[f["fix"] for f in j["findings"] if f["code"] == "not-dax"][0]')"
	mkdir /tmp/xinode/daxdir
	if chattr +x /tmp/xinode/daxdir 2> /dev/null; then
		fallocate -l 4M /tmp/xinode/daxdir/file
		run "$PMEMCTL" doctor --json /tmp/xinode/daxdir
		is "$(json_get '(j["target"]["dax"], j["verdict"]["granularity"], "not-dax" in [f["code"] for f in j["findings"]])')" \
			'[true, "cache-line", false]' "xfs dax=inode, a directory with the DAX flag: DAX, cache-line"
		run "$PMEMCTL" doctor --json /tmp/xinode/daxdir/file
		is "$(json_get '(j["target"]["dax"], j["target"]["map_sync"])')" '[true, true]' \
			"... and a file made in it is DAX (statx), MAP_SYNC works"
	else
		skip "xfs dax=inode, a directory with the DAX flag: DAX" "chattr +x failed"
		skip "... and a file made in it is DAX" "chattr +x failed"
	fi
else
	for t in "xfs -o dax mount point: exit 0" "xfs -o dax: DAX" "the mount line: xfs" \
		 "xfs dax=inode: exit 10" "xfs dax=inode: not DAX" "xfs: the advice" \
		 "xfs dax=inode + flag: DAX" "xfs: a file made there"; do
		skip "$t" "no mkfs.xfs, or xfs does not mount (install xfsprogs)"
	done
fi

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
[ -z "$have_xfs" ] || umount /tmp/xdax /tmp/xinode
done_testing
