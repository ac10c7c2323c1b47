#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case, after system-ram.sh in its guest (a QEMU NVDIMM on NUMA node 1,
# namespace0.0 fsdax): the collection's module pmemctl.pmem.namespace
# with mode system-ram, run as Ansible runs a module on the host (as
# cxl-region.sh runs pmemctl_region: ansible-playbook costs ~20 s a start
# and ~15 s a task under TCG). Check mode changes nothing, the task gives
# the memory to the kernel in the zone asked (movable: false), a second
# run changes nothing; pmemctl list -X and the kernel's blocks agree.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"

if ! /usr/bin/python3 -c 'import ansible.module_utils.basic' 2> /dev/null; then
	skip "pmemctl.pmem.namespace: Ansible's module_utils are not installed (Debian: ansible-core)"
	done_testing
	exit 0
fi
collection=$PMEMCTL_SRCDIR/contrib/ansible/collection
# namespace_module ARGS-JSON [check]: the module's result in $OUT.
namespace_module()
{
	printf '{"ANSIBLE_MODULE_ARGS": {"executable": "%s", %s%s}}\n' "$PMEMCTL" "$1" \
		"${2:+, \"_ansible_check_mode\": true}" > "$TAP_TMP/args.json"
	run env PYTHONPATH="$collection" /usr/bin/python3 \
		"$collection/ansible_collections/pmemctl/pmem/plugins/modules/namespace.py" "$TAP_TMP/args.json"
}

ns=namespace0.0
# state: "mode zone online/total" of ns's dax device from pmemctl list -X.
state()
{
	"$PMEMCTL" list -X --json | python3 -c '
import json, sys
def walk(o):
	if isinstance(o, dict):
		if "online_memblocks" in o:
			yield o
		for v in o.values():
			yield from walk(v)
	elif isinstance(o, list):
		for v in o:
			yield from walk(v)
d = next(walk(json.load(sys.stdin)), None)
print("absent" if d is None else "%s %s %s/%s" % (d["mode"], d.get("zone"),
      d["online_memblocks"], d["total_memblocks"]))'
}
# The kernel's word: the zones of node 1's online memory blocks.
kernel_zones()
{
	local b zones=
	for b in /sys/devices/system/node/node1/memory*; do
		[ "$(cat "$b/state")" = online ] || continue
		zones="$zones $(cut -d' ' -f1 "$b/valid_zones")"
	done
	echo $zones | tr ' ' '\n' | sort -u | tr '\n' ' '
}

run "$PMEMCTL" list -N --json
is "$(json_get '[n["mode"] for n in j["namespaces"] if n["dev"] == "'$ns'"]')" \
	'["fsdax"]' "$ns starts fsdax"

args='"namespace": "'$ns'", "mode": "system-ram", "movable": false, "force": true'
namespace_module "$args" check
is "$STATUS $(json_get '[j["changed"], j["report"]["dry_run"], "--no-movable" in j["cmd"], j["cmd"][-2:]]')" \
	'0 [true, true, true, ["--json", "--dry-run"]]' \
	"check mode: changed, as pmemctl --dry-run with --no-movable"
run "$PMEMCTL" list -N --json
is "$(json_get '[n["mode"] for n in j["namespaces"] if n["dev"] == "'$ns'"]')" \
	'["fsdax"]' "check mode: $ns still fsdax"
namespace_module "$args"
is "$STATUS $(json_get '[j["changed"], j["report"]["to"]["mode"], j["report"]["to"]["zone"]]')" \
	'0 [true, "system-ram", "normal"]' "the module: system RAM in the normal zone"
namespace_module "$args"
is "$STATUS $(json_get '[j["changed"], j.get("report", {}).get("changed")]')" \
	'0 [false, false]' "again: nothing changed"
state=$(state)
is "${state% *}" "system-ram normal" "pmemctl list -X: system-ram, zone normal"
total=${state##*/}
is "${state##* }" "$total/$total" "pmemctl list -X: every block online"
is "$(kernel_zones)" "Normal " "the kernel: node 1's online blocks are in the Normal zone"

run "$PMEMCTL" convert --json -f -m fsdax $ns
expect_status 0 "back to fsdax with pmemctl convert"
is "$(state)" absent "no system RAM left"

done_testing
