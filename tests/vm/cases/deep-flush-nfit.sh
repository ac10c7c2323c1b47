#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: pmemctl deep-flush on the kernel's nfit_test platform: regions
# with flush hints (deep_flush 0644), a region whose DIMM is flagged
# flush_fail (0444), a volatile region, non-root callers.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"

# ndctl_regions BUS: "region dimm,dimm blockdev" per region of BUS.
ndctl_regions()
{
	ndctl list -RDN -i -b "$1" | python3 -c '
import json, sys
j = json.load(sys.stdin)
j = j if isinstance(j, dict) else {"regions": j}
for r in j.get("regions", []):
    dimms = ",".join(m["dimm"] for m in r.get("mappings", [])) or "-"
    bdevs = [n["blockdev"] for n in r.get("namespaces", []) if n.get("blockdev")]
    print(r["dev"], dimms, bdevs[0] if bdevs else "-")'
}

read -r hint_region _ hint_pmem < <(ndctl_regions nfit_test.0 | awk '$3 != "-"' | head -n 1)
flush_fail_dimm=$(ndctl list -D -i -b nfit_test.1 | python3 -c '
import json, sys
print(" ".join(d["dev"] for d in json.load(sys.stdin) if d.get("flag_failed_flush")))')
read -r fail_region _ _ < <(ndctl_regions nfit_test.1 | awk -v d="$flush_fail_dimm" '$2 ~ d')
volatile_region=$(for r in /sys/bus/nd/devices/region*; do
	[ "$(cat "$r/devtype")" = nd_volatile ] && basename "$r"; done | head -n 1)
echo "hint region $hint_region (/dev/$hint_pmem); flush_fail $flush_fail_dimm in $fail_region; volatile $volatile_region" | diag
as_nobody()
{
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

# --- flush hints: the sysfs path ----------------------------------------------
run "$PMEMCTL" deep-flush --json "$hint_region"
expect_status 0 "nfit_test.0 $hint_region: exit 0"
is "$(json_get '[(f["outcome"], f["method"], f["device"]) for f in j["flushes"]]')" \
	"[[\"flushed\", \"sysfs\", \"/sys/bus/nd/devices/$hint_region/deep_flush\"]]" \
	"writable deep_flush: auto writes it"
is "$(json_get 'j["flushes"][0]["latency_ns"] > 0')" true "the flush is timed"
run "$PMEMCTL" deep-flush "$hint_region"
check "human output: flushed via sysfs" grep -q "^$hint_region: flushed via sysfs in [0-9.]* us" <<< "$OUT"
run "$PMEMCTL" deep-flush --method fsync --json "/dev/$hint_pmem"
is "$(json_get '[(f["outcome"], f["method"]) for f in j["flushes"]]')" '[["flushed", "fsync"]]' \
	"--method fsync on its block device"
check "fsync: the kernel flushed the write queues" grep -q "flushed the DIMMs' write queues" <<< "$OUT"
run "$PMEMCTL" deep-flush --dry-run --json "$hint_region"
is "$(json_get '[(f["outcome"], f["latency_ns"]) for f in j["flushes"]]')" '[["dry-run", null]]' \
	"--dry-run as root: would flush"

run "$PMEMCTL" list -R --json -o dev,deep_flush,deep_flush_capability,deep_flush_permitted "$hint_region"
is "$(json_get 'j["regions"][0]')" \
	"{\"dev\": \"$hint_region\", \"deep_flush\": \"writable\", \"deep_flush_capability\": \"supported\", \"deep_flush_permitted\": true}" \
	"list: writable, supported, permitted for root"
run as_nobody "$PMEMCTL" list -R --json -o deep_flush_permitted "$hint_region"
is "$(json_get 'j["regions"][0]["deep_flush_permitted"]')" false "list: not permitted for others"

# --- not root -------------------------------------------------------------------
run as_nobody "$PMEMCTL" deep-flush --method sysfs "$hint_region"
expect_status 4 "non-root, sysfs: not permitted (exit 4)"
is "$ERR" "pmemctl: $hint_region: not-permitted: writing /sys/bus/nd/devices/$hint_region/deep_flush needs root" \
	"non-root, sysfs: says root is needed"
run as_nobody "$PMEMCTL" deep-flush "$hint_region"
expect_status 4 "non-root, auto: not permitted either way (exit 4)"
run as_nobody "$PMEMCTL" deep-flush --dry-run "$hint_region"
expect_status 4 "non-root --dry-run: reports not permitted"

# --- a DIMM flagged flush_fail ----------------------------------------------------
run "$PMEMCTL" deep-flush --json "$fail_region"
expect_status 0 "$fail_region (deep_flush 0444): not needed, exit 0"
is "$(json_get '[f["outcome"] for f in j["flushes"]]')" '["not-needed"]' "outcome not-needed"
check "the warning names the flush_fail DIMM" \
	grep -q "$flush_fail_dimm: its last flush failed (flag_failed_flush)" <<< "$(json_get 'j["flushes"][0]["warning"]')"
run "$PMEMCTL" deep-flush "$fail_region"
check "human output: the warning on stderr" grep -q "^pmemctl: $fail_region: warning: $flush_fail_dimm" <<< "$ERR"
run "$PMEMCTL" list -D --json -o dev,flag_failed_flush,flag_failed_arm "$flush_fail_dimm"
is "$(json_get 'j["dimms"][0]')" \
	"{\"dev\": \"$flush_fail_dimm\", \"flag_failed_flush\": true, \"flag_failed_arm\": true}" \
	"list shows the DIMM's flags as booleans"

run "$PMEMCTL" doctor --json "$fail_region"
expect_status 11 "doctor $fail_region: errors (exit 11)"
check "doctor names the flush_fail DIMM" \
	grep -q "$flush_fail_dimm" <<< "$(json_get '[f["object"] for f in j["findings"] if f["code"] == "flush-failed"]')"

# --- a volatile region: no deep_flush at all ------------------------------------
if [ -n "$volatile_region" ]; then
	run "$PMEMCTL" list -R --json -o dev,type,deep_flush "$volatile_region"
	is "$(json_get 'j["regions"][0]')" "{\"dev\": \"$volatile_region\", \"type\": \"volatile\", \"deep_flush\": \"absent\"}" \
		"the volatile region is typed volatile (devtype nd_volatile)"
	run "$PMEMCTL" deep-flush "$volatile_region"
	expect_status 5 "volatile region: not supported (exit 5)"
	run "$PMEMCTL" deep-flush --json all
	is "$(json_get '"'"$volatile_region"'" in [f["region"] for f in j["flushes"]]')" false \
		"all: volatile regions are not flushed"
fi

# --- all --------------------------------------------------------------------------
run "$PMEMCTL" deep-flush --json all
expect_status 0 "all: flushed or not needed everywhere, exit 0"
is "$(json_get '[f["outcome"] for f in j["flushes"] if f["region"] == "'"$hint_region"'"]')" '["flushed"]' \
	"all: the region with flush hints is flushed"

# --- the platform verdict -----------------------------------------------------------
run "$PMEMCTL" show --json
is "$(json_get 'j["platform"]["persistence_domain"]')" unknown \
	"show: nfit_test.1 declares no domain, so the platform verdict is unknown"

done_testing
