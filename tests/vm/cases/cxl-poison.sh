#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: CXL poison as a media error, on the current platform (pmemvm
# --platform current --cxl 2: kernel 6.12, QEMU 10). A 2-way region, an
# fsdax namespace with ext4 -o dax and three files; pmemctl inject-error
# --file under the middle one, checked against the DPA worked out here from
# filefrag -v, the pfn device's start and the region's interleave, and the
# kernel's cxl_poison trace event; then list -M (region, namespace,
# memdev), doctor naming the target and not its neighbours, metrics
# counting it, inject-error --status, and clear-errors leaving no poison.
# The same drill under a file of xfs -o dax (a second namespace). The
# region is destroyed at the end: the platform is left as found. Then a
# 1-way region, whose writes QEMU 7.2 loses, read back on QEMU 10: its
# block device, and a file written through ext4 -o dax across the
# namespace's disable and enable.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"
. "$PMEMCTL_SRCDIR/tests/vm/cases/compare.sh"

if [ "${PMEMVM_PLATFORM:-stable}" != current ]; then
	skip "CXL poison" "needs pmemvm --platform current (kernel 6.12)"
	done_testing
	exit 0
fi
cxldev=/sys/bus/cxl/devices

wait_nd()
{
	for f in /sys/bus/nd/devices/ndbus*/wait_probe; do
		cat "$f" > /dev/null 2>&1
	done
}

# --- a 2-way region, fsdax, ext4 -o dax, two files ----------------------------
run "$PMEMCTL" create-region --json mem0 mem1
expect_status 0 "create-region mem0 mem1 (2-way) commits on kernel 6.12 with hypervisor=off"
cxlr=$(json_get 'j["cxl_region"]')
ndr=$(json_get 'j["region"]')
wait_nd
ndctl create-namespace -r "$ndr" -m fsdax -s 256M > "$TAP_TMP/ns.json" 2>&1
ns=$(json_file "$TAP_TMP/ns.json" 'j[0]["dev"]')
pmem=$(json_file "$TAP_TMP/ns.json" 'j[0]["blockdev"]')
is "${pmem:0:4}" pmem "an fsdax namespace $ns ($pmem) on $ndr"
mkdir -p /tmp/cxl-ext4
mkfs.ext4 -q -F -b 4096 "/dev/$pmem" && mount -o dax "/dev/$pmem" /tmp/cxl-ext4
dd if=/dev/urandom of=/tmp/cxl-ext4/before bs=64K count=2 status=none
dd if=/dev/urandom of=/tmp/cxl-ext4/target bs=64K count=2 status=none
dd if=/dev/urandom of=/tmp/cxl-ext4/after bs=64K count=2 status=none
sync
# The target's first sector on the block device, by filefrag.
t=$(filefrag -v -b512 /tmp/cxl-ext4/target |
	awk '$1 == "0:" { sub(/\.\..*/, "", $4); print $4 }')
check "filefrag -v places the target's first extent at sector $t" [ -n "$t" ]

# --- from the file's sector to a memdev's DPA, through the interleave ---------
pfn=$(basename "$(readlink -f "/sys/block/$pmem/device")")
dev_hpa=$(cat "/sys/bus/nd/devices/$pfn/resource")
reg_hpa=$(cat "$cxldev/$cxlr/resource")
gran=$(cat "$cxldev/$cxlr/interleave_granularity")
ways=$(cat "$cxldev/$cxlr/interleave_ways")
hpa=$((dev_hpa + t * 512))
off=$((hpa - reg_hpa))
pos=$(( (off / gran) % ways ))
decoder=$(cat "$cxldev/$cxlr/target$pos")
memdev=$(basename "$(readlink -f "$cxldev/$decoder/..")")
memdev=$(basename "$(readlink -f "$cxldev/$memdev/uport")")
dpa=$(( $(cat "$cxldev/$decoder/dpa_resource") + off / (gran * ways) * gran + off % gran ))
diag <<< "target sector $t: HPA $(printf %#x $hpa), region offset $off, position $pos ($decoder, $memdev), DPA $(printf %#x $dpa)"
is "${memdev:0:3}" mem "the target's first byte is on $memdev at position $pos of $ways"

# --- before: no poison ----------------------------------------------------------
run "$PMEMCTL" list -M --json --region "$ndr"
expect_status 0 "list -M before the injection"
is "$(json_get '[r.get("badblock_count", 0) for r in j["regions"]]')" "[0]" "no bad sector before"

# --- inject, and what the kernel says --------------------------------------------
run "$PMEMCTL" inject-error --dry-run --json "$ns" --file /tmp/cxl-ext4/target
expect_status 0 "inject-error --dry-run --file target"
is "$(json_get '[j["changed"], [s["step"] for s in j["steps"]]]')" '[false, ["check", "inject", "verify"]]' \
	"--dry-run: the plan, nothing injected: $(json_get 'j["steps"][1]["detail"]')"
run "$PMEMCTL" inject-error --json "$ns" --file /tmp/cxl-ext4/target
expect_status 0 "inject-error --file target: $(json_get 'j["message"]')"
is "$(json_get '[j["changed"], [s["status"] for s in j["steps"]], [[r["offset"], r["length"]] for r in j["ranges"]]]')" \
	"[true, [\"done\", \"done\", \"done\"], [[$t, 1]]]" \
	"injected at the target's first sector, verified in the poison list"
tr=/sys/kernel/tracing/instances/cxl-poison-test
mkdir -p $tr && echo 1 > $tr/events/cxl/cxl_poison/enable
echo 1 > "$cxldev/$memdev/trigger_poison_list"
grep 'trace_type=List' $tr/trace > "$TAP_TMP/trace"
rmdir $tr
diag < "$TAP_TMP/trace"
k_hpa=$(sed -n 's/.* hpa=\(0x[0-9a-f]*\) .*/\1/p' "$TAP_TMP/trace" | head -1)
is "$(printf %#x "$k_hpa")" "$(printf %#x $hpa)" \
	"the kernel's cxl_poison event puts it at the HPA worked out here"
is "$(sed -n 's/.* dpa=\(0x[0-9a-f]*\) .*/\1/p' "$TAP_TMP/trace" | head -1)" "$(printf %#x $dpa)" \
	"and at the DPA worked out here: inject-error went through the interleave"

# --- list -M ---------------------------------------------------------------------
run "$PMEMCTL" list -M --json --region "$ndr"
expect_status 0 "list -M --region $ndr"
is "$(json_get '[[b["offset"], b["length"], b["source"], b["memdev"], b["dpa"], b["dpa_length"], b["hpa"], b["poison_source"]] for b in j["regions"][0]["badblocks"]]')" \
	"[[$((off / 512)), 1, \"poison\", \"$memdev\", $dpa, 64, $hpa, \"Injected\"]]" \
	"the region's badblocks: the poison at its sector, DPA, HPA, length, source"
is "$(json_get '[[b["offset"], b["length"], b["source"]] for r in j["regions"] for n in r["namespaces"] for b in n.get("badblocks", [])]')" \
	"[[$t, 1, \"poison\"]]" "the namespace's badblocks: the target's sector (filefrag: $t)"
is "$(json_get '[r["poison_reason"] for r in j["regions"]]')" "[null]" "poison_reason null: read"
run "$PMEMCTL" list -C -M --json "$memdev"
expect_status 0 "list -C -M $memdev"
is "$(json_get '[[m["badblock_count"], [[b["dpa"], b["hpa"], b["dpa_length"], b["poison_source"]] for b in m["badblocks"]]] for m in j["memdevs"]]')" \
	"[[1, [[$dpa, $hpa, 64, \"Injected\"]]]]" "the memdev's poison list, as the trace event"
is "$(cat "/sys/block/$pmem/badblocks")" "" \
	"the block device's badblocks stay empty: only pmemctl maps the poison"

# --- doctor and metrics ----------------------------------------------------------
run "$PMEMCTL" doctor --json
is "$(json_get 'sorted(x["path"] for f in j["findings"] if f["code"] == "media-error" for x in f.get("files") or [])')" \
	"[\"/tmp/cxl-ext4/target\"]" "doctor names the target, and neither neighbour"
run "$PMEMCTL" metrics
is "$(grep -E "^pmem_region_media_error_ranges\\{region=\"$ndr\"" <<< "$OUT" | awk '{ print $NF }')" 1 \
	"metrics counts the poison range of $ndr"

run "$PMEMCTL" inject-error --json "$ns" --status
expect_status 0 "inject-error --status"
is "$(json_get '[[r["offset"], r["length"]] for r in j["ranges"]]')" "[[$t, 1]]" \
	"--status lists the poisoned sector"

# --- clear-errors ------------------------------------------------------------------
run "$PMEMCTL" clear-errors -f --json "$ns"
expect_status 6 "clear-errors while ext4 is mounted: refused, exit 6"
umount /tmp/cxl-ext4
run "$PMEMCTL" clear-errors -f --dry-run --json "$ns"
expect_status 0 "clear-errors --dry-run: $(json_get 'j["message"]')"
is "$(json_get '[[r["offset"], r["length"], r["source"], r["method"]] for r in j["ranges"]]')" \
	"[[$t, 1, \"poison\", \"clear-poison\"]]" "the plan: the poisoned sector, through clear_poison"
run "$PMEMCTL" clear-errors -f --json "$ns"
expect_status 0 "clear-errors: $(json_get 'j["message"]')"
is "$(json_get '[[s["step"], s["status"]] for s in j["steps"]]')" \
	'[["check", "done"], ["clear-poison", "done"], ["verify", "done"]]' "cleared and verified"
run "$PMEMCTL" list -M --json --region "$ndr"
is "$(json_get '[r.get("badblock_count", 0) for r in j["regions"]]')" "[0]" \
	"after clear-errors list -M shows no poison"
mkdir -p $tr && echo 1 > $tr/events/cxl/cxl_poison/enable
echo 1 > "$cxldev/$memdev/trigger_poison_list"
is "$(grep -c 'trace_type=List' $tr/trace)" 0 "and the device lists none (cxl_poison trace events)"
rmdir $tr

# --- the same under a file of xfs -o dax, on a second namespace -------------------
# xfs takes DAX without reflink; mkfs.xfs 6.1 wants 300M or more.
ndctl create-namespace -r "$ndr" -m fsdax -s 512M > "$TAP_TMP/ns-xfs.json" 2>&1
xns=$(json_file "$TAP_TMP/ns-xfs.json" 'j[0]["dev"]')
xpmem=$(json_file "$TAP_TMP/ns-xfs.json" 'j[0]["blockdev"]')
mkdir -p /tmp/cxl-xfs
if mkfs.xfs -q -f -m reflink=0 "/dev/$xpmem" > "$TAP_TMP/mkfs.xfs" 2>&1 &&
	mount -o dax "/dev/$xpmem" /tmp/cxl-xfs 2> "$TAP_TMP/mount.xfs"; then
	pass "xfs -o dax on $xns ($xpmem)"
	for f in before target after; do
		dd if=/dev/urandom of=/tmp/cxl-xfs/$f bs=64K count=2 status=none
	done
	sync
	xt=$(filefrag -v -b512 /tmp/cxl-xfs/target |
		awk '$1 == "0:" { sub(/\.\..*/, "", $4); print $4 }')
	check "filefrag -v places the xfs target's first extent at sector $xt" [ -n "$xt" ]
	run "$PMEMCTL" inject-error --json "$xns" --file /tmp/cxl-xfs/target
	expect_status 0 "inject-error --file (xfs): $(json_get 'j["message"]')"
	is "$(json_get '[[r["offset"], r["length"]] for r in j["ranges"]]')" "[[$xt, 1]]" \
		"injected at the xfs target's first sector (filefrag: $xt)"
	run "$PMEMCTL" doctor --json
	is "$(json_get 'sorted(x["path"] for f in j["findings"] if f["code"] == "media-error" for x in f.get("files") or [])')" \
		"[\"/tmp/cxl-xfs/target\"]" "doctor names the xfs target, and neither neighbour"
	umount /tmp/cxl-xfs
	run "$PMEMCTL" clear-errors -f --json "$xns"
	expect_status 0 "clear-errors (xfs): $(json_get 'j["message"]')"
	run "$PMEMCTL" list -M --json --region "$ndr"
	is "$(json_get '[r.get("badblock_count", 0) for r in j["regions"]]')" "[0]" \
		"no poison left after the xfs drill"
else
	fail "xfs -o dax on $xns ($xpmem): $(cat "$TAP_TMP/mkfs.xfs" "$TAP_TMP/mount.xfs" 2> /dev/null | head -n 2)"
fi
ndctl destroy-namespace -f "$xns" > /dev/null 2>&1
ndctl destroy-namespace -f "$ns" > /dev/null 2>&1
run "$PMEMCTL" destroy-region --force "$ndr"
expect_status 0 "destroy-region $ndr"

# --- a 1-way region: QEMU 7.2 loses its writes; QEMU 10? ---------------------------
run "$PMEMCTL" create-region --json mem0
expect_status 0 "create-region mem0 (1-way)"
ndr=$(json_get 'j["region"]')
wait_nd
ndctl create-namespace -r "$ndr" -m fsdax -s 128M > "$TAP_TMP/ns1.json" 2>&1
ns=$(json_file "$TAP_TMP/ns1.json" 'j[0]["dev"]')
pmem=$(json_file "$TAP_TMP/ns1.json" 'j[0]["blockdev"]')
printf 'pmemctl-1way-%s' "$ns" | dd of="/dev/$pmem" bs=4096 conv=sync,fsync oflag=direct 2> /dev/null
is "$(dd if="/dev/$pmem" bs=4096 count=1 iflag=direct 2> /dev/null | tr -d '\0')" "pmemctl-1way-$ns" \
	"a 1-way region on QEMU 10 reads back what was written to /dev/$pmem (QEMU 7.2 loses it)"
if mkfs.ext4 -q -F -b 4096 "/dev/$pmem" && mount -o dax "/dev/$pmem" /tmp/cxl-ext4; then
	pass "ext4 -o dax mounts on the 1-way region"
	# Stores through DAX, then the namespace taken down and brought back:
	# what comes back is the device's, not a cache's.
	dd if=/dev/urandom of=/tmp/cxl-ext4/data bs=1M count=8 status=none
	sync
	sum=$(sha256sum < /tmp/cxl-ext4/data)
	umount /tmp/cxl-ext4
	run "$PMEMCTL" disable --json "$ns"
	expect_status 0 "disable $ns"
	run "$PMEMCTL" enable --json "$ns"
	expect_status 0 "enable $ns"
	if mount -o dax "/dev/$pmem" /tmp/cxl-ext4; then
		is "$(sha256sum < /tmp/cxl-ext4/data)" "$sum" \
			"8M written through ext4 -o dax read back after the namespace's disable and enable"
		umount /tmp/cxl-ext4
	else
		fail "ext4 -o dax mounts again after the namespace's disable and enable"
	fi
else
	fail "ext4 -o dax mounts on the 1-way region"
fi
ndctl destroy-namespace -f "$ns" > /dev/null 2>&1
run "$PMEMCTL" destroy-region --force "$ndr"
expect_status 0 "destroy-region $ndr (1-way)"
done_testing
