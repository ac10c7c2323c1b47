#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: pmemctl doctor names what media errors hit. On the QEMU NVDIMM:
# software badblocks under files on ext4 and xfs -o dax (the target's
# sectors found independently with filefrag and xfs_io), a range past a
# file's end, one in free space, a directory and a file as targets. On
# nfit_test: injected errors found by a scrub (ARS) under a file on fsdax
# and in a device-dax namespace, and the DIMM health findings after
# ndctl inject-smart; a file whose name holds a newline and an escape
# sequence is named escaped. Expects --nfit-test --nvdimms 1 --labels init.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

# The (path, offset, length) of every damaged file range doctor's JSON names.
files_of='sorted([x["path"], x["offset"], x["length"]] for f in j["findings"] for x in f["files"])'
codes_of='sorted(f["code"] for f in j["findings"] if f["code"].startswith("media-error"))'

# create NS args: "dev blockdev-or-chardev" of a new namespace.
new_ns() {
	ndctl create-namespace "$@" | python3 -c '
import json, sys
n = json.load(sys.stdin)
dev = n.get("blockdev") or [d["chardev"] for d in n["daxregion"]["devices"]][0]
print(n["dev"], dev)'
}

# Files around the target, all written (fallocate would leave them unwritten).
populate() {
	local dir=$1 i
	for i in 1 2 3; do dd if=/dev/urandom of="$dir/n$i" bs=64K count=2 status=none; done
	dd if=/dev/urandom of="$dir/target" bs=64K count=3 status=none
	for i in 4 5; do dd if=/dev/urandom of="$dir/n$i" bs=64K count=2 status=none; done
	dd if=/dev/urandom of="$dir/short" bs=5000 count=1 status=none
	mkdir "$dir/sub"
	dd if=/dev/urandom of="$dir/sub/deep" bs=64K count=1 status=none
	ln -s ../target "$dir/sub/link"
	sync
}

# First physical sector of a file, and the length in sectors of its first
# extent, by filefrag -v -b512 (ext4) or xfs_io's fiemap (xfs).
filefrag_first() {
	filefrag -v -b512 "$1" | awk '$1 == "0:" { sub(/\.\..*/, "", $4); sub(/:/, "", $6); print $4, $6 }'
}
xfs_io_first() {
	xfs_io -c fiemap "$1" | sed -n 's/^[[:space:]]*0: \[0\.\.\([0-9]*\)\]: \([0-9]*\)\.\..*/\2 \1/p' |
		awk '{ print $1, $2 + 1 }'
}

q=$(ndctl list -R -b ACPI.NFIT | python3 -c '
import json, sys
j = json.load(sys.stdin)
print((j[0] if isinstance(j, list) else j)["dev"])')

# --- ext4 -o dax -----------------------------------------------------------------
read -r ens epmem <<< "$(new_ns -r "$q" -m fsdax -s 256M)"
mkdir -p /tmp/ext4
mkfs.ext4 -q -F -b 4096 "/dev/$epmem" && mount -o dax "/dev/$epmem" /tmp/ext4
populate /tmp/ext4
read -r t tlen <<< "$(filefrag_first /tmp/ext4/target)"
read -r s slen <<< "$(filefrag_first /tmp/ext4/short)"
read -r dp dlen <<< "$(filefrag_first /tmp/ext4/sub/deep)"
check "filefrag: target at sector $t ($tlen sectors in its first extent), short at $s, deep at $dp" \
	test -n "$t" -a "${tlen:-0}" -ge 24 -a "${slen:-0}" -ge 16 -a -n "$dp"
size=$(cat "/sys/block/$epmem/size")
free=$((size - 64))

run "$PMEMCTL" doctor --json /tmp/ext4
is "$(json_get "$codes_of")" "[]" "no badblock yet: no media error"

# target: sectors 16-23 of the file (bytes 8192-12287); short (5000 bytes):
# its second block whole, of which 904 bytes are data; deep: its fifth
# sector (bytes 2048-2559; not the first: the kernel merges ranges that touch);
# and 8 sectors at the end of the device, where ext4 keeps nothing.
for r in "$((t + 16)) 8" "$((s + 8)) 8" "$((dp + 4)) 1" "$free 8"; do
	echo "$r" > "/sys/block/$epmem/badblocks"
done
check "four ranges in /sys/block/$epmem/badblocks" test "$(wc -l < "/sys/block/$epmem/badblocks")" = 4

run "$PMEMCTL" doctor --json /tmp/ext4
expect_status 11 "ext4 mount point with media errors: exit 11"
is "$(json_get "$files_of")" \
	'[["/tmp/ext4/short", 4096, 904], ["/tmp/ext4/sub/deep", 2048, 512], ["/tmp/ext4/target", 8192, 4096]]' \
	"exactly the damaged files and byte ranges, clipped to the file's size; no neighbour"
is "$(json_get "$codes_of")" '["media-error", "media-error", "media-error", "media-error"]' \
	"one media-error finding per bad range"
is "$(json_get '[f["severity"] for f in j["findings"] if f["code"] == "media-error"]')" \
	'["error", "error", "error", "error"]' "each an error"
is "$(json_get "[f['files'] for f in j['findings'] if 'sectors $free-$((free + 7)) of /dev/$epmem' in f['message'] and 'not in any file (free space or filesystem metadata)' in f['message']]")" \
	'[[]]' "the range at the end of the device: not in any file"
is "$(json_get "[f['fix'] for f in j['findings'] if f['files']][0]")" \
	"restore the damaged files from a backup (a new copy, then delete the damaged one), then unmount and run pmemctl clear-errors $ens" \
	"the fix: restore, then clear-errors $ens"
check "no finding mentions a neighbour" \
	bash -c '! grep -Eq "/tmp/ext4/(n[0-9]|sub/link)" <<< "$1"' sh "$OUT"

run "$PMEMCTL" doctor /tmp/ext4
check "human output: the target and its bytes" \
	grep -q "it hits /tmp/ext4/target (bytes 8192-12287)" <<< "$OUT"
check "human output: the sectors on the device" \
	grep -q "media error at sectors $((t + 16))-$((t + 23)) of /dev/$epmem" <<< "$OUT"
run "$PMEMCTL" doctor --json "$ens"
is "$(json_get "$files_of")" \
	'[["/tmp/ext4/short", 4096, 904], ["/tmp/ext4/sub/deep", 2048, 512], ["/tmp/ext4/target", 8192, 4096]]' \
	"doctor $ens: the same files"

run "$PMEMCTL" doctor --json /tmp/ext4/target
expect_status 11 "doctor on the damaged file: exit 11"
is "$(json_get "$files_of")" '[["/tmp/ext4/target", 8192, 4096]]' "only that file's damage"
is "$(json_get "$codes_of")" '["media-error", "media-error-elsewhere"]' \
	"the others counted in one note"
run "$PMEMCTL" doctor --json /tmp/ext4/sub
is "$(json_get "$files_of")" '[["/tmp/ext4/sub/deep", 2048, 512]]' "a directory: the files under it"
# nfit_test's DIMMs warn on their own: the worst is no error.
run "$PMEMCTL" doctor --json /tmp/ext4/n1
is "$(json_get 'j["worst"] != "error"')" true "doctor on an intact neighbour: no error (exit $STATUS)"
is "$(json_get "$codes_of")" '["media-error-elsewhere"]' "an intact file: only the note"

run nobody "$PMEMCTL" doctor --json /tmp/ext4/target
expect_status 11 "non-root, a readable file: exit 11"
is "$(json_get "$files_of")" '[["/tmp/ext4/target", 8192, 4096]]' "non-root: the same range"

# A file name that would forge a finding line and retitle the terminal.
evil=$'/tmp/ext4/evil\n  error   namespace9.9 forged\x1b]0;pwned\x07'
dd if=/dev/urandom of="$evil" bs=64K count=2 status=none
sync
read -r v vlen <<< "$(filefrag_first "$evil")"
check "filefrag: the hostile file at sector $v ($vlen sectors)" test -n "$v" -a "${vlen:-0}" -ge 16
echo "$((v + 8)) 8" > "/sys/block/$epmem/badblocks"
run "$PMEMCTL" doctor /tmp/ext4
expect_status 11 "a damaged file with a hostile name: exit 11"
check "its finding names it escaped, on the finding's line" \
	grep -qF 'it hits /tmp/ext4/evil\n  error   namespace9.9 forged\x1b]0;pwned\x07 (bytes 4096-8191)' "$TAP_TMP/out"
check "no forged finding line" bash -c '! grep -q "^  error   namespace9.9" "$1"' sh "$TAP_TMP/out"
is "$(python3 -c '
import sys
print(sorted({hex(b) for b in open(sys.argv[1], "rb").read() if (b < 0x20 and b != 0x0a) or b == 0x7f}))' "$TAP_TMP/out")" \
	"[]" "no raw control byte on stdout"
run "$PMEMCTL" doctor --json /tmp/ext4
is "$(json_get '[x["path"] for f in j["findings"] for x in f["files"] if "evil" in x["path"]]')" \
	"$(python3 -c 'import json, sys; print(json.dumps([sys.argv[1]]))' "$evil")" \
	"JSON: the path as it is, newline and ESC escaped by JSON"
umount /tmp/ext4

# --- xfs -o dax ------------------------------------------------------------------
read -r xns xpmem <<< "$(new_ns -r "$q" -m fsdax -s 384M)"
mkdir -p /tmp/xfs
# No reflink: older kernels refuse it beside DAX.
mkfs.xfs -q -f -m reflink=0 "/dev/$xpmem" && mount -o dax "/dev/$xpmem" /tmp/xfs
populate /tmp/xfs
read -r t tlen <<< "$(xfs_io_first /tmp/xfs/target)"
check "xfs_io: target at sector $t ($tlen sectors in its first extent)" test -n "$t" -a "${tlen:-0}" -ge 24
echo "$((t + 16)) 8" > "/sys/block/$xpmem/badblocks"
run "$PMEMCTL" doctor --json /tmp/xfs
expect_status 11 "xfs mount point with a media error: exit 11"
is "$(json_get "$files_of")" '[["/tmp/xfs/target", 8192, 4096]]' \
	"xfs: exactly the target, bytes 8192-12287"
run "$PMEMCTL" doctor --json /tmp/xfs/n5
is "$(json_get '(j["worst"] != "error", [x for f in j["findings"] for x in f["files"]])')" \
	'[true, []]' "xfs: an intact neighbour, no error, no file"
umount /tmp/xfs

# --- nfit_test: errors a scrub finds (ARS) ------------------------------------------
run ndctl list -N -b nfit_test.0
set -- $(printf '%s' "$OUT" | python3 -c '
import json, sys
j = json.load(sys.stdin)
for n in sorted(j if isinstance(j, list) else [j], key=lambda n: n["size"]):
    print(n["dev"])')
check "nfit_test.0 has two namespaces ($*)" test $# -ge 2
small=$1 big=$2

# fsdax: ndctl counts an injected block from the pfn's data start, which is
# the block device's sector 0: the same sectors filefrag gives.
read -r fns fpmem <<< "$(new_ns -f -e "$big" -m fsdax -a 4K --no-autolabel)"
mkdir -p /tmp/nfit
mkfs.ext4 -q -F -b 4096 "/dev/$fpmem" && mount -o dax "/dev/$fpmem" /tmp/nfit
populate /tmp/nfit
read -r t tlen <<< "$(filefrag_first /tmp/nfit/target)"
check "nfit_test fsdax: target at sector $t" test -n "$t" -a "${tlen:-0}" -ge 24
check "ndctl inject-error $fns -B $((t + 8)) -n 8" ndctl inject-error "$fns" -B $((t + 8)) -n 8

# devdax: bytes of the dax device.
read -r dns dax <<< "$(new_ns -f -e "$small" -m devdax -a 4K --no-autolabel)"
check "ndctl inject-error $dns -B 16 -n 4" ndctl inject-error "$dns" -B 16 -n 4
ndctl start-scrub nfit_test.0 > /dev/null 2>&1
check "ndctl wait-scrub nfit_test.0" sh -c 'ndctl wait-scrub nfit_test.0 > /dev/null'

run "$PMEMCTL" doctor --json /tmp/nfit
expect_status 11 "nfit_test fsdax after a scrub: exit 11"
is "$(json_get "$files_of")" '[["/tmp/nfit/target", 4096, 4096]]' \
	"the ARS range hits the target, bytes 4096-8191"
umount /tmp/nfit
run "$PMEMCTL" doctor --json "$dns"
expect_status 11 "devdax $dns after a scrub: exit 11"
is "$(json_get '[f["message"] for f in j["findings"] if f["code"] == "media-error"]')" \
	"[\"media error at bytes 8192-10239 of /dev/$dax: whatever the application using the device keeps there is lost\"]" \
	"devdax: the byte range of /dev/$dax"
run ndctl list -M -n "$dns"
is "$(json_get '[(b["offset"], b["length"]) for b in (j[0] if isinstance(j, list) else j)["badblocks"]]')" \
	'[[16, 4]]' "ndctl list -M agrees: sectors 16-19"

# --- DIMM health (nfit_test.0's SMART) ----------------------------------------------
dimms=$(ndctl list -D -b nfit_test.0 | python3 -c '
import json, sys
j = json.load(sys.stdin)
print(" ".join(sorted(d["dev"] for d in (j if isinstance(j, list) else [j]))))')
set -- $dimms
health() {
	printf '%s' "$OUT" | python3 -c '
import json, sys
j = json.load(sys.stdin)
for d in sys.argv[1:]:
    print(d, " ".join(sorted(f["code"] + ":" + f["severity"] for f in j["findings"] if f["object"] == d)))' "$@"
}
run "$PMEMCTL" doctor --json
# nfit_test's SMART says non-critical, spares and temperature alarms raised
# (whatever the values), and the kernel counts 42 dirty shutdowns.
is "$(health "$1")" "$1 alarm-spares:warning alarm-temperature:warning dirty-shutdown:warning health-non-critical:warning" \
	"nfit_test's defaults: each a warning"
check "ndctl inject-smart $1 -f" sh -c "ndctl inject-smart $1 -f > /dev/null"
check "ndctl inject-smart $2 -U" sh -c "ndctl inject-smart $2 -U > /dev/null"
check "ndctl inject-smart $3 -s 3 -S 5" sh -c "ndctl inject-smart $3 -s 3 -S 5 > /dev/null"
run "$PMEMCTL" doctor --json
expect_status 11 "doctor after the injections: exit 11"
is "$(health "$1" "$2" "$3")" "$1 alarm-spares:warning alarm-temperature:warning dirty-shutdown:warning health-fatal:error
$2 alarm-spares:warning alarm-temperature:warning dirty-shutdown:warning health-non-critical:warning shutdown-state-dirty:warning
$3 alarm-temperature:warning dirty-shutdown:warning health-non-critical:warning spares-low:warning" \
	"fatal: an error; unsafe shutdown and spares under the threshold: warnings"
is "$(json_get "[f['message'] for f in j['findings'] if f['object'] == '$3' and f['code'] == 'spares-low']")" \
	"[\"$3 has 3% of its spare blocks left, at or below its threshold of 5%: the media is wearing out\"]" \
	"the spares and the threshold in the message"
run nobody "$PMEMCTL" doctor --json
is "$(health "$1" | grep -c health-)" 0 "non-root: no SMART, no health finding"
is "$ERR" "" "non-root: nothing on stderr"
done_testing
