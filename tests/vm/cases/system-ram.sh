#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: pmemctl convert to and from system RAM (kmem) on a QEMU NVDIMM
# whose memory is NUMA node 1 (pmemvm --numa): daxctl, the kernel's
# memory blocks and pmemctl list -X must agree after every step; zones,
# --no-online, the auto-online policy, a refused offline rolled back,
# injected failures rolled back, and the refusals.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"

MEM=/sys/devices/system/memory
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

# node_kb: node 1's MemTotal in kB (0 while it has no memory).
node_kb()
{
	awk '/MemTotal/ { print $4 }' /sys/devices/system/node/node1/meminfo 2> /dev/null || echo 0
}

# state DAX: "mode online/total zone node" from pmemctl list -X --json,
# from daxctl list and from the kernel's memory blocks; the three lines
# must be equal. The kernel's blocks are those of node 1.
pmemctl_state()
{
	"$PMEMCTL" list -X --json | python3 -c '
import json, sys
def walk(o):
	if isinstance(o, dict):
		if o.get("dev") == sys.argv[1] and "online_memblocks" in o:
			yield o
		for v in o.values():
			yield from walk(v)
	elif isinstance(o, list):
		for v in o:
			yield from walk(v)
d = next(walk(json.load(sys.stdin)), None)
if d is None:
	print("absent")
elif d["mode"] != "system-ram":
	print(d["mode"])
else:
	z = {True: "movable", False: "normal", None: "none"}[d["movable"]]
	assert d["zone"] in (None, "movable", "normal"), d["zone"]
	print(d["mode"], "%s/%s" % (d["online_memblocks"], d["total_memblocks"]), z, d["target_node"],
	      d["online_size"] == d["online_memblocks"] * 128 << 20)' "$1"
}
daxctl_state()
{
	daxctl list -d "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)[0]
if d.get("mode") != "system-ram":
	print(d.get("mode"))
else:
	z = {True: "movable", False: "normal", None: "none"}[d.get("movable")]
	print(d["mode"], "%s/%s" % (d["online_memblocks"], d["total_memblocks"]), z, d["target_node"], True)'
}
kernel_state()
{
	local drv total=0 online=0 zones='' b
	drv=$(basename "$(readlink /sys/bus/dax/devices/$1/driver)")
	if [ "$drv" != kmem ]; then
		echo devdax
		return
	fi
	for b in /sys/devices/system/node/node1/memory*; do
		[ -e "$b/state" ] || continue
		total=$((total + 1))
		if [ "$(cat $b/state)" = online ]; then
			online=$((online + 1))
			zones="$zones $(cat $b/valid_zones)"
		fi
	done
	local z=none
	[ -n "$zones" ] && z=$(tr ' ' '\n' <<< "$zones" | sort -u | grep -v '^$' | tr 'A-Z' 'a-z' | paste -sd,)
	echo "system-ram $online/$total $z 1 True"
}
# agree WHAT EXPECTED: the three views equal EXPECTED.
agree()
{
	local p d k
	p=$(pmemctl_state $dax)
	d=$(daxctl_state $dax)
	k=$(kernel_state $dax)
	if [ "$p" = "$2" ] && [ "$d" = "$2" ] && [ "$k" = "$2" ]; then
		pass "$1: pmemctl, daxctl and the kernel agree: $2"
	else
		fail "$1: pmemctl, daxctl and the kernel agree"
		printf 'pmemctl:  %s\ndaxctl:   %s\nkernel:   %s\nexpected: %s\n' "$p" "$d" "$k" "$2" | diag
	fi
}

diag <<< "auto_online_blocks at boot: $(cat $MEM/auto_online_blocks), block size 0x$(cat $MEM/block_size_bytes)"
echo offline > $MEM/auto_online_blocks
ndctl create-namespace -r region0 -m fsdax -s 512M > /dev/null
ns=namespace0.0

# --- fsdax -> system-ram (movable, the default) ------------------------------------
diag < <("$PMEMCTL" convert --dry-run -m system-ram $ns 2>&1)
run "$PMEMCTL" convert --json -f -m system-ram $ns
expect_status 0 "fsdax -> system-ram: exit 0"
dax=$(json_get 'j["chardev"]')
is "$(json_get '(j["changed"], j["from"]["mode"], j["to"]["mode"], j["to"]["zone"], j["to"]["target_node"])')" \
	'[true, "fsdax", "system-ram", "movable", 1]' "fsdax -> system-ram: the report says movable on node 1"
is "$(json_get '[s["step"] for s in j["steps"]]')" \
	'["check", "load-module", "load-module", "disable", "clear-info-block", "set-claim-class", "configure-dax", "enable", "bind-kmem", "online-memory", "verify"]' \
	"fsdax -> system-ram: the steps"
agree "fsdax -> system-ram" "system-ram 3/3 movable 1 True"
is "$("$PMEMCTL" list -N --mode system-ram -rn -o dev)" "$ns" "list --mode system-ram selects it"
diag < <("$PMEMCTL" list -X -o dev,mode,size,target_node,zone,online_blocks,total_blocks,online_size 2>&1)
kb=$(node_kb)
check "node 1 has the memory (MemTotal $kb kB)" test "$kb" -ge $((3 * 131072 - 1024))

check "metrics: the online bytes per device and node" \
	grep -qx "pmem_system_ram_online_bytes{dev=\"$dax\",node=\"1\"} $((3 * 128 << 20))" <<< "$("$PMEMCTL" metrics)"
run "$PMEMCTL" convert --json -m system-ram $ns
is "$STATUS $(json_get 'j["changed"]')" "0 false" "already system-ram movable: no change"
run "$PMEMCTL" convert -m system-ram --movable $ns
is "$OUT" "$ns: unchanged (system-ram movable node=1)" "unchanged, said so with zone and node"

# --- movable -> normal, and back ------------------------------------------------------
diag < <("$PMEMCTL" convert -m system-ram --no-movable $ns 2>&1)
"$PMEMCTL" convert -m system-ram $ns > /dev/null
run "$PMEMCTL" convert --json -m system-ram --no-movable $ns
is "$STATUS $(json_get '(j["from"]["zone"], j["to"]["zone"])')" '0 ["movable", "normal"]' "--no-movable: moved to normal"
agree "--no-movable" "system-ram 3/3 normal 1 True"
run "$PMEMCTL" convert --json -m system-ram $ns
is "$STATUS $(json_get 'j["to"]["zone"]')" '0 movable' "--movable again: back to movable"

# --- --dry-run, non-root, a replayed bundle, destroy ------------------------------------
run "$PMEMCTL" convert --json --dry-run -m devdax $ns
is "$STATUS $(json_get '[s["step"] for s in j["steps"]]')" \
	'0 ["check", "offline-memory", "unbind-kmem", "verify"]' "--dry-run system-ram -> devdax names the steps"
agree "after --dry-run" "system-ram 3/3 movable 1 True"
run nobody "$PMEMCTL" convert -m devdax $ns
expect_status 4 "non-root: refused (exit 4)"
check "non-root: says root is needed" grep -q "needs root" <<< "$ERR"
"$PMEMCTL" report /tmp/sysram-bundle.tar.gz > /dev/null 2>&1
run "$PMEMCTL" --sysroot /tmp/sysram-bundle.tar.gz convert -m devdax $ns
expect_status 2 "a replayed bundle: convert refused (exit 2)"
run "$PMEMCTL" --sysroot /tmp/sysram-bundle.tar.gz list -X --json
is "$STATUS $(json_get '[(d["mode"], d["online_memblocks"]) for d in j["daxdevs"]]')" \
	'0 [["system-ram", null]]' "a replayed bundle lists the device as system-ram (its memory blocks are not in the bundle)"
run "$PMEMCTL" destroy-namespace -f $ns
expect_status 6 "destroy-namespace of system RAM: refused (exit 6)"
check "destroy-namespace: says to convert it first" grep -q "pmemctl convert $ns --mode devdax" <<< "$ERR"
run "$PMEMCTL" convert -m system-ram --no-online -m fsdax $ns
expect_status 2 "--no-online with fsdax: usage error (exit 2)"
agree "after the refusals" "system-ram 3/3 movable 1 True"

# --- system-ram -> devdax: the memory goes ---------------------------------------------
run "$PMEMCTL" convert --json -m devdax $ns
is "$STATUS $(json_get '(j["changed"], j["from"]["mode"], j["from"]["zone"], j["to"]["mode"])')" \
	'0 [true, "system-ram", "movable", "devdax"]' "system-ram -> devdax: exit 0, no --force needed"
agree "system-ram -> devdax" "devdax"
is "$(node_kb)" 0 "node 1 has no memory left"

# --- --no-online, then online -----------------------------------------------------------
run "$PMEMCTL" convert --json -m system-ram --no-online $ns
expect_status 9 "devdax -> system-ram destroys the devdax data: --force needed"
run "$PMEMCTL" convert --json -f -m system-ram --no-online $ns
is "$STATUS $(json_get '(j["to"]["zone"], [s["step"] for s in j["steps"]])')" \
	'0 [null, ["check", "load-module", "bind-kmem", "verify"]]' "--no-online: kmem bound, nothing onlined"
agree "--no-online" "system-ram 0/3 none 1 True"
run "$PMEMCTL" convert --json -m system-ram --no-online $ns
is "$STATUS $(json_get 'j["changed"]')" "0 false" "--no-online again: no change"
run "$PMEMCTL" convert --json -m system-ram $ns
is "$STATUS $(json_get 'j["to"]["zone"]')" "0 movable" "then online: movable"
agree "offline -> online" "system-ram 3/3 movable 1 True"

# --- an injected failure after kmem took the memory: all undone --------------------------
"$PMEMCTL" convert -m devdax $ns > /dev/null
run env PMEMCTL_TEST_FAIL_STEP=verify "$PMEMCTL" convert --json -f -m system-ram $ns
is "$STATUS $(json_get '(j["rolled_back"], [s["step"] for s in j["steps"] if s["step"].startswith("rollback")])')" \
	'1 [true, ["rollback-kmem"]]' "failed verify: kmem and the memory undone"
agree "after the rollback" "devdax"
"$PMEMCTL" convert -f -m system-ram --no-movable $ns > /dev/null
run env PMEMCTL_TEST_FAIL_STEP=enable "$PMEMCTL" convert --json -f -m fsdax $ns
is "$STATUS $(json_get 'j["rolled_back"]')" '1 true' "failed enable on the way to fsdax: rolled back"
agree "system RAM again after the rollback, in its zone" "system-ram 3/3 normal 1 True"

# --- offlining refused, rolled back: every block back online in its zone ---------------
# The hook fails the step after every block went offline: the rollback must
# bring all of them back, in the zone each had.
run env PMEMCTL_TEST_FAIL_STEP=offline-memory "$PMEMCTL" convert --json -m devdax $ns
is "$STATUS $(json_get '(j["rolled_back"], [s["step"] for s in j["steps"]][-1])')" \
	'1 [true, "rollback-memory"]' "a failed offline-memory: rolled back"
agree "after the failed offline: every block online, normal" "system-ram 3/3 normal 1 True"

# --- offlining refused by the kernel: unmovable kernel memory in a normal block ----------
dmesg -C 2> /dev/null
python3 "$PMEMCTL_SRCDIR/tests/helpers/node-pin.py" 1 256 > /tmp/pin.out 2>&1 &
pin=$!
for i in $(seq 100); do grep -q ready /tmp/pin.out && break; sleep 0.2; done
if grep -q ready /tmp/pin.out && kill -0 $pin 2> /dev/null; then
	run "$PMEMCTL" convert -m devdax $ns
	expect_status 6 "page tables in normal blocks: offlining refused (exit 6)"
	check "the refusal names the blocks and the kernel's reason" grep -Eq 'memory[0-9]+ \(EBUSY' <<< "$ERR"
	diag <<< "$ERR"
	agree "after the refusal: every block online, normal" "system-ram 3/3 normal 1 True"
	kill $pin; wait $pin 2> /dev/null
else
	skip "offlining refused by the kernel" "the page-table helper did not hold node 1's memory"
	{ cat /tmp/pin.out; dmesg | tail -n 25; } | diag
fi
run "$PMEMCTL" convert --json -m devdax $ns
is "$STATUS $(json_get 'j["to"]["mode"]')" "0 devdax" "the pages gone: system-ram -> devdax"

# --- auto_online_blocks onlines to normal first: pmemctl moves them ------------------------
echo online > $MEM/auto_online_blocks
run "$PMEMCTL" convert --json -f -m system-ram $ns
is "$STATUS $(json_get 'j["to"]["zone"]')" "0 movable" "auto_online_blocks=online: the memory ends movable"
check "the report says the policy onlined them first" grep -q "auto_online_blocks" <<< "$(json_get '[s["detail"] for s in j["steps"]]')"
agree "auto-online, then moved" "system-ram 3/3 movable 1 True"
run "$PMEMCTL" doctor --json
check "doctor: the policy would online new blocks elsewhere" grep -q '"auto-online-zone"' <<< "$OUT"
diag < <("$PMEMCTL" doctor 2>&1)
run "$PMEMCTL" convert --json -m devdax $ns
expect_status 0 "system-ram -> devdax under auto-online"
run "$PMEMCTL" convert --json -f -m system-ram --no-online $ns
is "$STATUS $(json_get 'j["to"]["zone"]')" "0 null" "auto-online with --no-online: left offline"
agree "auto-online, --no-online" "system-ram 0/3 none 1 True"
echo offline > $MEM/auto_online_blocks

# --- doctor and show on system RAM --------------------------------------------------------
run "$PMEMCTL" doctor --json
check "doctor: offline memory of a system-ram device" grep -q '"system-ram-offline"' <<< "$OUT"
run "$PMEMCTL" show --json
check "show: the namespace holds no persistent data" grep -q 'system RAM' <<< "$OUT"

# --- back to fsdax --------------------------------------------------------------------------
run "$PMEMCTL" convert --json -f -m fsdax $ns
is "$STATUS $(json_get '(j["from"]["mode"], j["to"]["mode"])')" '0 ["system-ram", "fsdax"]' "system-ram -> fsdax"
check "/dev/pmem0 is back" test -b /dev/pmem0
is "$(pmemctl_state $dax) $(node_kb)" "absent 0" "no dax device, no memory on node 1"

# --- create-namespace --mode system-ram -------------------------------------------------
run "$PMEMCTL" create-namespace --json --mode system-ram --size 256M region0
is "$STATUS $(json_get '(j["to"]["mode"], j["to"]["zone"], j["to"]["target_node"])')" \
	'0 ["system-ram", "movable", 1]' "create-namespace --mode system-ram: online movable on node 1"
ns2=$(json_get 'j["namespace"]')
run "$PMEMCTL" convert --json -m devdax $ns2
expect_status 0 "the new namespace back to devdax"
run "$PMEMCTL" destroy-namespace -f $ns2
expect_status 0 "and destroyed"
is "$(node_kb)" 0 "node 1 has no memory left"

done_testing
