#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: pmemctl convert, create-namespace and destroy-namespace on
# labelled QEMU NVDIMMs: every mode to every mode, alignments, refusals,
# dry runs, injected and real failures rolled back, idempotence, the lock.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"

# ns_state NS: what ndctl says of NS, the keys a conversion may change.
ns_state()
{
	ndctl list -N -i -v -n "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
d = d[0] if isinstance(d, list) else d
print(" ".join(f"{k}={d.get(k)}" for k in ("mode", "map", "size", "uuid", "raw_uuid", "align", "sector_size", "name", "state")))'
}

mode_of()
{
	ndctl list -N -i -n "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print((d[0] if isinstance(d, list) else d)["mode"])'
}

ndctl create-namespace -r region0 -m fsdax -s 256M -n convert-me > /dev/null
ns=namespace0.0
label_uuid=$(ndctl list -N -v -n $ns | python3 -c 'import json,sys; d=json.load(sys.stdin); d=d[0] if isinstance(d,list) else d; print(d.get("raw_uuid") or d["uuid"])')

# --- every mode to every mode: an Eulerian circuit over the 12 transitions -
from=fsdax
for to in devdax raw sector fsdax raw devdax fsdax sector devdax sector raw fsdax; do
	run "$PMEMCTL" convert --json -f -m "$to" "$ns"
	ok=$([ "$STATUS" = 0 ] && [ "$(mode_of $ns)" = "$to" ] && echo yes)
	if [ "$ok" = yes ] && [ "$(json_get '(j["changed"], j["from"]["mode"], j["to"]["uuid"])')" = "[true, \"$from\", \"$label_uuid\"]" ]; then
		pass "convert $from -> $to: ndctl agrees, label uuid kept"
	else
		fail "convert $from -> $to"
		show_run | diag
	fi
	from=$to
done
is "$(ndctl list -N -n $ns | python3 -c 'import json,sys; d=json.load(sys.stdin); d=d[0] if isinstance(d,list) else d; print(d.get("name"))')" \
	convert-me "the namespace keeps its name through 12 conversions"

# --- idempotence -------------------------------------------------------------------
run "$PMEMCTL" convert --json -m fsdax "$ns"
expect_status 0 "already fsdax: exit 0"
is "$(json_get 'j["changed"]')" false "already fsdax: changed false"
run "$PMEMCTL" convert -m fsdax --align 2M "$ns"
is "$OUT" "$ns: unchanged (fsdax map=dev align=2M)" "same mode and alignment: unchanged, said so"

# --- alignment ---------------------------------------------------------------------
for align in 4K 2M; do
	run "$PMEMCTL" convert --json -f -m devdax --align "$align" "$ns"
	is "$STATUS:$(json_get 'j["to"]["align"]')" "0:$(numfmt --from=iec "$align")" "devdax --align $align"
done
before=$(ns_state $ns)
run "$PMEMCTL" convert -f -m fsdax --align 8K "$ns"
expect_status 2 "--align 8K: refused (exit 2)"
check "--align 8K: names the supported alignments" grep -q 'supported: 4K, 2M, 1G' <<< "$ERR"
is "$(ns_state $ns)" "$before" "--align 8K: nothing changed"
# 1G is listed as supported, but a 256M namespace cannot hold it.
run "$PMEMCTL" convert --json -f -m fsdax --align 1G "$ns"
expect_status 2 "--align 1G on a 256M namespace: refused (exit 2)"
check "--align 1G: says why" grep -q 'cannot hold a 1G-aligned fsdax device' <<< "$(json_get 'j["message"]')"
is "$(ns_state $ns)" "$before" "--align 1G: nothing changed"

# A missing driver is loaded through libkmod.
run "$PMEMCTL" convert -f -m raw "$ns"
if rmmod dax_pmem 2> /dev/null; then
	run "$PMEMCTL" convert --json -f -m devdax "$ns"
	is "$STATUS $(json_get '[s["status"] for s in j["steps"] if s["step"] == "load-module"]')" '0 ["done"]' \
		"dax_pmem unloaded: convert to devdax loads it"
	check "dax_pmem is loaded again" grep -q '^dax_pmem ' /proc/modules
else
	skip "dax_pmem unloaded: convert loads it" "dax_pmem is in use"
	run "$PMEMCTL" convert -f -m devdax "$ns"
fi

# --- injected failures at every step: previous state restored -----------------
run "$PMEMCTL" convert -f -m fsdax "$ns"
mkfs.ext4 -q -F -b 4096 /dev/pmem0
mkdir -p /tmp/mnt
mount -o dax /dev/pmem0 /tmp/mnt && echo "precious" > /tmp/mnt/file && umount /tmp/mnt
before=$(ns_state $ns)
for step in disable clear-info-block set-claim-class configure-dax enable verify; do
	PMEMCTL_TEST_FAIL_STEP=$step run "$PMEMCTL" convert --json -f -m devdax "$ns"
	got="$STATUS $(json_get '(j["rolled_back"], [s["step"] for s in j["steps"] if s["status"] == "failed"])')"
	is "$got" "1 [true, [\"$step\"]]" "failure injected at $step: exit 1, that step named, rolled back"
	is "$(ns_state $ns)" "$before" "failure at $step: ndctl sees the previous state"
done
mount -o dax /dev/pmem0 /tmp/mnt
is "$(cat /tmp/mnt/file 2>&1)" precious "after six rolled-back failures the filesystem and its file are intact"

# --- refusals -------------------------------------------------------------------------
run "$PMEMCTL" convert -f -m devdax "$ns"
expect_status 6 "mounted ext4 -o dax: refused (exit 6)"
check "the holder is named: the mount point" grep -q "/dev/pmem0 is mounted on /tmp/mnt" <<< "$ERR"
is "$(cat /tmp/mnt/file)" precious "the file is intact after the refusal"
run "$PMEMCTL" destroy-namespace -f "$ns"
expect_status 6 "destroy while mounted: refused (exit 6)"
umount /tmp/mnt
run "$PMEMCTL" convert -m devdax "$ns" < /dev/null
expect_status 9 "fsdax with ext4 and no --force: refused (exit 9)"
check "the refusal says what would be destroyed" grep -q 'is fsdax and holds a ext2/3/4 signature' <<< "$ERR"
before_all=$(ndctl list -N -i)
run "$PMEMCTL" convert --dry-run -m devdax "$ns"
expect_status 0 "--dry-run: exit 0"
check "--dry-run lists the plan" grep -q 'planned  clear-info-block' <<< "$OUT"
is "$(ndctl list -N -i)" "$before_all" "--dry-run: ndctl list unchanged"
run "$PMEMCTL" convert -f -m devdax "$ns"
sleep 30 < /dev/dax0.0 &
holder=$!
sleep 1
run "$PMEMCTL" convert -f -m fsdax "$ns"
expect_status 6 "open device-dax: refused (exit 6)"
check "the holder is named: sleep and its pid" grep -q "/dev/dax0.0 is open by sleep (pid $holder)" <<< "$ERR"
kill $holder
wait $holder 2>/dev/null
# Mapped with the descriptor closed: only /proc/PID/maps shows it.
rm -f /tmp/mapped
python3 -c '
import ctypes, os, time
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
fd = os.open("/dev/dax0.0", os.O_RDWR)
p = libc.mmap(None, 2 << 20, 1, 1, fd, 0)     # PROT_READ, MAP_SHARED
os.close(fd)
open("/tmp/mapped", "w").write("no" if p in (None, 2**64 - 1) else "yes")
time.sleep(60)' &
holder=$!
for _ in $(seq 60); do [ -s /tmp/mapped ] && break; sleep 0.5; done
is "$(cat /tmp/mapped 2>/dev/null)" yes "a process maps /dev/dax0.0 and closes its descriptor"
run "$PMEMCTL" convert -f -m fsdax "$ns"
expect_status 6 "mapped device-dax, no descriptor: refused (exit 6)"
check "the mapping is named: python3 and its pid" grep -q "/dev/dax0.0 is mapped by python3 (pid $holder)" <<< "$ERR"
kill $holder
wait $holder 2>/dev/null

# --- the lock: one conversion of a namespace at a time ----------------------------
# The lock file is made as pmemctl makes it, 0600 (another is replaced).
mkdir -p /run/pmemctl
(umask 077; : > /run/pmemctl/$ns.lock)
flock /run/pmemctl/$ns.lock sleep 5 &
locker=$!
sleep 1
run "$PMEMCTL" convert -f -m fsdax "$ns"
expect_status 6 "a conversion already running: the second fails (exit 6)"
check "it says another pmemctl is at work" grep -q 'another pmemctl is changing it' <<< "$ERR"
wait $locker
"$PMEMCTL" convert -f -m sector "$ns" > "$TAP_TMP/a" 2>&1 &
a=$!
"$PMEMCTL" convert -f -m raw "$ns" > "$TAP_TMP/b" 2>&1 &
b=$!
wait $a; sa=$?
wait $b; sb=$?
check "two conversions at once: at least one succeeds, none corrupts ($sa, $sb)" \
	test "$sa" = 0 -o "$sb" = 0
is "$(mode_of $ns | grep -cE '^(sector|raw)$')" 1 "and the namespace ends in one of the two modes"

# --- not root ------------------------------------------------------------------------
run setpriv --reuid=65534 --regid=65534 --clear-groups "$PMEMCTL" convert -f -m fsdax "$ns"
expect_status 4 "non-root: exit 4"
check "non-root: says root is needed" grep -q 'converting needs root' <<< "$ERR"

# --- bad input ------------------------------------------------------------------------
run "$PMEMCTL" convert -m fsdax namespace9.9
expect_status 3 "unknown namespace: exit 3"
run "$PMEMCTL" convert "$ns"
expect_status 2 "no --mode: exit 2"
run "$PMEMCTL" convert -m turbo "$ns"
expect_status 2 "unknown mode: exit 2"

# --- create and destroy --------------------------------------------------------------
run "$PMEMCTL" create-namespace --json -m devdax -s 128M -n made region1
expect_status 0 "create-namespace 128M devdax: exit 0"
made=$(json_get 'j["namespace"]')
is "$(mode_of "$made")" devdax "ndctl sees the new devdax namespace $made"
run "$PMEMCTL" create-namespace -s 100M region1
expect_status 2 "a size that is not a multiple of the region alignment: exit 2"
run "$PMEMCTL" create-namespace -s 64G region1
expect_status 5 "more than the region has: exit 5"
run "$PMEMCTL" create-namespace --dry-run region1
expect_status 0 "create --dry-run: exit 0"
PMEMCTL_TEST_FAIL_STEP=enable run "$PMEMCTL" create-namespace -m fsdax -s 128M region1
before_all=$(ndctl list -RN -r region1)
is "$STATUS" 1 "create with a failure injected at enable: exit 1"
is "$(ndctl list -N -r region1 | python3 -c 'import json,sys; d=json.load(sys.stdin); d=d if isinstance(d,list) else [d]; print(len(d))')" 1 \
	"the half-made namespace is gone: region1 holds only $made"
run "$PMEMCTL" create-namespace --json region1
expect_status 0 "create with defaults: the largest free extent, fsdax"
is "$(json_get '(j["to"]["mode"], j["to"]["size"] > 0)')" '["fsdax", true]' "default mode fsdax"
big=$(json_get 'j["namespace"]')
run "$PMEMCTL" destroy-namespace --dry-run "$big"
expect_status 0 "destroy --dry-run: exit 0"
check "still there after destroy --dry-run" test "$(mode_of "$big")" = fsdax
is "$(head -n 1 <<< "$OUT")" "$big: would be destroyed; nothing changed" \
	"destroy --dry-run names the namespace once"
run "$PMEMCTL" destroy-namespace "$big" < /dev/null
expect_status 9 "destroy an fsdax namespace without --force: refused (exit 9)"
run "$PMEMCTL" destroy-namespace -f --json "$big"
expect_status 0 "destroy -f: exit 0"
is "$(json_get '[j["namespace"], j["message"]]')" "[\"$big\", \"destroyed\"]" \
	"the report: the namespace, then \"destroyed\" (\"$big: destroyed\" on a terminal)"
is "$(ndctl list -R -r region1 | python3 -c 'import json,sys; d=json.load(sys.stdin); d=d[0] if isinstance(d,list) else d; print(d["available_size"] > 0)')" True \
	"its capacity is back in the region"
run "$PMEMCTL" destroy-namespace -f "$big"
is "$STATUS ${ERR%%:*}" "3 pmemctl" "destroy it again: gone, exit 3 (unknown target) ($ERR)"
ndctl destroy-namespace -f "$big" > /dev/null 2> "$TAP_TMP/ndctl.err"
echo "ndctl destroy-namespace on it again: exit $?, $(tr '\n' ' ' < "$TAP_TMP/ndctl.err")" | diag
seed=$(cat /sys/bus/nd/devices/region1/namespace_seed)
run "$PMEMCTL" destroy-namespace -f --json "$seed"
is "$STATUS $(json_get '[j["changed"], j["message"]]')" \
	"0 [false, \"not configured (size 0): nothing to destroy\"]" \
	"destroy the region's seed: exit 0, nothing to do"
ndctl destroy-namespace -f "$seed" > /dev/null 2> "$TAP_TMP/ndctl.err"
echo "ndctl destroy-namespace on the seed: exit $?, $(tr '\n' ' ' < "$TAP_TMP/ndctl.err")" | diag

done_testing
