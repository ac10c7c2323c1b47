#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: pmemctl probe on a device-dax namespace, a file on ext4 -o dax,
# and an fsdax block device: every method that applies, the content kept
# byte for byte, busy and mounted devices refused, --destructive, bad
# targets. Under TCG the times mean nothing: only the structure is checked.
# Expects two labelled QEMU NVDIMMs (regions 0 and 1, ADR).
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"

PROBE="--iterations 200 --duration 3 --range 8M"
MiB=$((1 << 20))

ns_of()	# ns_of REGION KEY: a key of the region's first namespace
{
	ndctl list -N -r "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
d = d if isinstance(d, list) else [d]
print(d[0][sys.argv[1]])' "$2"
}

# map_md5 DEV MIB: md5 of the first MIB MiB of a dax device (no read(2) there).
map_md5()
{
	python3 -c '
import hashlib, mmap, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
m = mmap.mmap(fd, int(sys.argv[2]) << 20, mmap.MAP_SHARED, mmap.PROT_READ)
print(hashlib.md5(m[:]).hexdigest())' "$1" "$2"
}

# map_fill DEV MIB: fills the first MIB MiB with a pattern that is not zero.
map_fill()
{
	python3 -c '
import mmap, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
n = int(sys.argv[2]) << 20
m = mmap.mmap(fd, n, mmap.MAP_SHARED)
block = bytes((i * 7 + 3) & 0xff for i in range(4096))
for off in range(0, n, 4096):
    m[off:off + 4096] = block' "$1" "$2"
}

ndctl create-namespace -r region0 -m fsdax -s 128M > /dev/null
ndctl create-namespace -r region1 -m devdax -s 128M > /dev/null
fsdax_ns=$(ns_of region0 dev)
pmem=$(ns_of region0 blockdev)
devdax_ns=$(ns_of region1 dev)
dax=$(ns_of region1 chardev)

cpu_methods=store
for flag in clflush clflushopt clwb; do
	grep -qw "$flag" /proc/cpuinfo && cpu_methods="$cpu_methods,$flag"
done
cpu_methods="$cpu_methods,ntstore"
grep -qw movdir64b /proc/cpuinfo && cpu_methods="$cpu_methods,movdir64b"
echo "fsdax $fsdax_ns (/dev/$pmem), devdax $devdax_ns (/dev/$dax); CPU methods $cpu_methods" | diag
methods_run='",".join(dict.fromkeys(r["method"] for r in j["results"]))'
measured='[(r["method"], r["size"], r["pattern"]) for r in j["results"] if r["error"] or not r["count"]]'

# --- device-dax: every CPU method, the content kept ----------------------------
map_fill "/dev/$dax" 16
before=$(map_md5 "/dev/$dax" 16)
run "$PMEMCTL" probe --json $PROBE "/dev/$dax"
expect_status 0 "device-dax: exit 0"
is "$(json_get "$methods_run")" "$cpu_methods" "device-dax runs every method the CPU has"
is "$(json_get "$measured")" '[]' "every combination measured"
is "$(json_get 'len(j["results"])')" $(($(tr , '\n' <<< "$cpu_methods" | wc -l) * 9)) "3 sizes x 3 patterns each"
is "$(json_get '[j["target"][k] for k in ("kind", "persistent_memory", "dax", "temporary", "region", "namespace", "device", "persistence_domain", "range")]')" \
	"[\"devdax\", true, true, false, \"region1\", \"$devdax_ns\", \"$dax\", \"memory_controller\", 8388608]" \
	"target: devdax on region1, ADR, 8M"
is "$(json_get 'j["target"]["badblocks_checked"]')" true "the region's badblocks were read"
is "$(json_get 'sorted(s["method"] for s in j["skipped"] if s["method"] != "movdir64b")')" \
	'["deep-flush-fsync", "deep-flush-sysfs", "fsync", "msync"]' \
	"skipped: msync, fsync, both deep flushes"
check "deep-flush-sysfs: not needed (QEMU NVDIMMs have no flush hints)" \
	grep -q '^not needed: region1/deep_flush is read-only' <<< "$(json_get '[s["reason"] for s in j["skipped"] if s["method"] == "deep-flush-sysfs"][0]')"
json_get '"\n".join(j["notes"])' | diag
is "$(map_md5 "/dev/$dax" 16)" "$before" "device-dax: every byte as it was"

run "$PMEMCTL" probe --json -i 50 -m store -s 64 -p hot "$devdax_ns"
is "$(json_get '(j["target"]["kind"], j["target"]["device"])')" "[\"devdax\", \"$dax\"]" \
	"a devdax namespace resolves to its dax device"
run "$PMEMCTL" probe --json -i 50 -m store -s 64 -p hot region1
is "$(json_get '(j["target"]["namespace"], j["target"]["path"])')" "[\"$devdax_ns\", \"/dev/$dax\"]" \
	"a region resolves to its namespace's device"
run "$PMEMCTL" probe -m deep-flush-sysfs "/dev/$dax"
expect_status 5 "deep-flush-sysfs asked for where it is not needed: exit 5"
run "$PMEMCTL" probe --range 1M "/dev/$dax"
expect_status 2 "a range below the dax alignment: exit 2"

# --- a busy device is refused; --destructive overrides -----------------------------
sleep 60 3< "/dev/$dax" &
holder=$!
run "$PMEMCTL" probe $PROBE "/dev/$dax"
expect_status 6 "device-dax open in another process: exit 6"
check "... naming it" grep -q "in use by pid $holder (sleep)" <<< "$ERR"
kill "$holder"
wait "$holder" 2> /dev/null
python3 -c '
import mmap, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
m = mmap.mmap(fd, 2 << 20, mmap.MAP_SHARED)
os.close(fd)
print("mapped", flush=True)
time.sleep(60)' "/dev/$dax" > "$TAP_TMP/mapper" &
mapper=$!
for _ in $(seq 50); do grep -q mapped "$TAP_TMP/mapper" && break; sleep 0.2; done
run "$PMEMCTL" probe $PROBE "/dev/$dax"
expect_status 6 "device-dax mapped (fd closed) by another process: exit 6"
check "... found through its maps" grep -q "in use by pid $mapper (python3)" <<< "$ERR"
run "$PMEMCTL" probe --json --destructive --range 8M -i 50 -m store,clwb -s 64,4K "/dev/$dax"
expect_status 0 "--destructive probes it anyway"
is "$(json_get 'j["target"]["destructive"]')" true "... and says so"
kill "$mapper"
wait "$mapper" 2> /dev/null
python3 -c '
import hashlib, mmap, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
m = mmap.mmap(fd, 16 << 20, mmap.MAP_SHARED, mmap.PROT_READ)
block = bytes((i * 7 + 3) & 0xff for i in range(4096))
head = sum(m[o:o + 4096] != block for o in range(0, 8 << 20, 4096))
tail = sum(m[o:o + 4096] != block for o in range(8 << 20, 16 << 20, 4096))
print(head > 0, tail)' "/dev/$dax" > "$TAP_TMP/pages"
read -r head_changed tail_changed < "$TAP_TMP/pages"
is "$head_changed" True "--destructive: pages inside the 8M range were written"
is "$tail_changed" 0 "--destructive: no page past the range was touched"

# --- a file on ext4 -o dax: MAP_SYNC, msync, fsync, the block-layer deep flush ----
mkfs.ext4 -q -F -b 4096 "/dev/$pmem"
mkdir -p /tmp/mnt
mount -o dax "/dev/$pmem" /tmp/mnt
head -c $MiB /dev/urandom > /tmp/mnt/data
sync
sum=$(md5sum < /tmp/mnt/data)
listing=$(ls -A /tmp/mnt)
used=$(df --output=used /tmp/mnt | tail -n 1)
run "$PMEMCTL" probe --json $PROBE /tmp/mnt/data
expect_status 0 "a file on ext4 -o dax: exit 0"
is "$(json_get "$methods_run")" "$cpu_methods,msync,fsync,deep-flush-fsync" \
	"fsdax file: every CPU method, msync, fsync and the block-layer deep flush"
is "$(json_get "$measured")" '[]' "every combination measured"
is "$(json_get '[j["target"][k] for k in ("kind", "temporary", "persistent_memory", "dax", "map_sync", "filesystem", "region", "namespace")]')" \
	"[\"file\", true, true, true, true, \"ext4\", \"region0\", \"$fsdax_ns\"]" \
	"target: a temporary file, DAX with MAP_SYNC, on $fsdax_ns"
is "$(json_get '[s["method"] for s in j["skipped"] if s["method"] != "movdir64b"]')" '["deep-flush-sysfs"]' \
	"only the sysfs deep flush is skipped (not needed)"
is "$(json_get '[r["timer"] for r in j["results"] if r["method"] == "deep-flush-fsync"][:1]')" '["clock"]' \
	"the deep flush is timed by the clock"
is "$(md5sum < /tmp/mnt/data)" "$sum" "the file is unchanged"
is "$(ls -A /tmp/mnt)" "$listing" "no file left in the mount"
is "$(df --output=used /tmp/mnt | tail -n 1)" "$used" "the temporary file's blocks are freed"

run "$PMEMCTL" probe $PROBE "/dev/$pmem"
expect_status 6 "the mounted block device: exit 6"
check "... says where it is mounted" grep -q "mounted on /tmp/mnt (ext4): probe a file there instead" <<< "$ERR"
umount /tmp/mnt

# --- the block device itself: the page cache, msync and fsync ----------------------
before=$(head -c $((8 * MiB)) "/dev/$pmem" | md5sum)
run "$PMEMCTL" probe --json $PROBE -s 64,4K "/dev/$pmem"
expect_status 0 "the unmounted block device: exit 0"
is "$(json_get "$methods_run")" "$cpu_methods,msync,fsync,deep-flush-fsync" \
	"block device: CPU methods, msync, fsync, the deep flush"
is "$(json_get '[j["target"][k] for k in ("kind", "persistent_memory", "dax", "map_sync")]')" \
	'["blockdev", true, false, false]' "target: a block device, not DAX"
check "... its note says the page cache" grep -q 'page cache' <<< "$(json_get 'j["target"]["note"]')"
echo 3 > /proc/sys/vm/drop_caches
is "$(head -c $((8 * MiB)) "/dev/$pmem" | md5sum)" "$before" "the block device: every byte as it was"
mount -o dax "/dev/$pmem" /tmp/mnt
is "$(md5sum < /tmp/mnt/data)" "$sum" "... and the filesystem on it still holds the file"
umount /tmp/mnt

# --- bad targets --------------------------------------------------------------------
run "$PMEMCTL" probe /tmp/nonexistent
expect_status 3 "no such path: exit 3"
run "$PMEMCTL" probe region99
expect_status 3 "no such region: exit 3"
run "$PMEMCTL" probe namespace9.9
expect_status 3 "no such namespace: exit 3"
run "$PMEMCTL" probe /dev/null
expect_status 3 "a character device that is not pmem: exit 3"
run "$PMEMCTL" probe --sizes 100 "/dev/$dax"
expect_status 2 "a bad size: exit 2"

done_testing
