#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case (pmemvm --cxl 2): a CXL pmem region's namespace given to the
# kernel as system RAM and taken back, once, with pmemctl alone; the
# kernel's memory blocks, daxctl and pmemctl list -X agree at each step,
# and the memdevs are free again at the end.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"
. "$PMEMCTL_SRCDIR/tests/vm/cases/compare.sh"

cxl list -M > "$TAP_TMP/cxl-m.json"
memdevs=$(json_file "$TAP_TMP/cxl-m.json" '" ".join(sorted(m["memdev"] for m in j))')
# shellcheck disable=SC2086
run "$PMEMCTL" create-region --json $memdevs
expect_status 0 "create-region $memdevs"
region=$(json_get 'j["region"]')
cxl_region=$(json_get 'j["cxl_region"]')
for f in /sys/bus/nd/devices/ndbus*/wait_probe; do cat "$f" > /dev/null 2>&1; done
run "$PMEMCTL" create-namespace --json --mode devdax --align 2M "$region"
expect_status 0 "a devdax namespace on the CXL region $region"
ns=$(json_get 'j["namespace"]')

# online NODE: the node's online memory blocks (none: the node has no memory).
online()
{
	local b n=0
	for b in /sys/devices/system/node/node"$1"/memory*; do
		[ -e "$b/state" ] && [ "$(cat "$b/state")" = online ] && n=$((n + 1))
	done
	echo $n
}
# pmemctl list -X: "mode zone online/total node" of the namespace's dax device.
state()
{
	"$PMEMCTL" list -X --json | python3 -c '
import json, sys
for d in json.load(sys.stdin).get("daxdevs", []):
	if d.get("online_memblocks") is not None:
		print("%s %s %d/%d %d" % (d["mode"], d["zone"], d["online_memblocks"],
		      d["total_memblocks"], d["target_node"]))
		break
else:
	print("none")'
}

run "$PMEMCTL" convert --json -f -m system-ram "$ns"
expect_status 0 "$ns: devdax -> system-ram"
is "$(json_get '[j["changed"], j["to"]["mode"], j["to"]["zone"]]')" '[true, "system-ram", "movable"]' \
	"the report: system RAM, movable"
node=$(json_get 'j["to"]["target_node"]')
dax=$(json_get 'j["chardev"]')
diag <<< "the region's memory went to node $node ($dax)"
read -r mode zone blocks tnode <<< "$(state)"
is "$mode $zone $tnode" "system-ram movable $node" "pmemctl list -X: system-ram, movable, on node $node"
check "pmemctl list -X: every block online ($blocks)" test "${blocks%/*}" = "${blocks#*/}" -a "${blocks%/*}" -gt 0
is "$(online "$node")" "${blocks%/*}" "the kernel: node $node has as many online blocks"
daxctl list -d "$dax" > "$TAP_TMP/daxctl.json" 2> /dev/null
is "$(json_file "$TAP_TMP/daxctl.json" '[j[0]["mode"], j[0]["online_memblocks"], j[0]["total_memblocks"], j[0]["movable"]]')" \
	"[\"system-ram\", ${blocks%/*}, ${blocks#*/}, true]" "daxctl list agrees"

run "$PMEMCTL" convert --json -f -m devdax "$ns"
expect_status 0 "$ns: system-ram -> devdax"
is "$(state) $(online "$node")" "none 0" "no system RAM left, node $node has no online block"

run "$PMEMCTL" destroy-region --json --force "cxl:$cxl_region"
expect_status 0 "destroy-region cxl:$cxl_region (with its namespace)"
cxl list -R > "$TAP_TMP/cxl-r.json" 2> /dev/null
is "$(json_file "$TAP_TMP/cxl-r.json" 'len(j)')" 0 "cxl list -R is empty again"

done_testing
