#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: the kernel's nfit_test platform (pmemvm --nfit-test) is there and
# gives what QEMU cannot: regions with a writable deep_flush (flush hints) and
# DIMMs with failure flags; QEMU NVDIMMs keep working beside it.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"

# py EXPR: evaluates a Python expression on ndctl's JSON in $OUT (as j), with
# ndctl's habit of printing a single object bare undone: one kind of object
# comes as a list, several kinds as {"dimms": [...], "regions": [...]}.
py()
{
	printf '%s' "$OUT" | python3 -c '
import json, sys
t = sys.stdin.read().strip()
j = json.loads(t) if t else []
if isinstance(j, dict) and not any(k in j for k in ("buses", "regions", "dimms")):
    j = [j]
v = eval(sys.argv[1])
print(json.dumps(v) if not isinstance(v, str) else v)' "$1" 2>&1
}

sysfs=/sys/bus/nd/devices
mode() { stat -c %a "$1" 2>/dev/null || echo absent; }
value() { cat "$1" 2>/dev/null || echo absent; }

# --- the buses ---------------------------------------------------------------
run ndctl list -B
is "$(py 'sorted(b["provider"] for b in j if b["provider"].startswith("nfit_test"))')" \
	'["nfit_test.0", "nfit_test.1"]' "ndctl list -B: buses nfit_test.0 and nfit_test.1"

# --- nfit_test.0: flush hints, a writable deep_flush -------------------------
run ndctl list -R -b nfit_test.0
regions0=$(py '" ".join(sorted(r["dev"] for r in j))')
check "nfit_test.0 has regions ($regions0)" test -n "$regions0"
r0=${regions0%% *}
is "$(mode "$sysfs/$r0/deep_flush") $(value "$sysfs/$r0/deep_flush")" "644 1" \
	"nfit_test.0 $r0: deep_flush is 0644 and reads 1"
is "$(value "$sysfs/$r0/persistence_domain")" memory_controller \
	"nfit_test.0 $r0: persistence_domain memory_controller"
all=
for r in $regions0; do
	all="$all $(mode "$sysfs/$r/deep_flush")"
done
is "$all" "$(for r in $regions0; do printf ' 644'; done)" "every nfit_test.0 region: deep_flush 0644"
check "root: echo 1 > $r0/deep_flush succeeds" sh -c "echo 1 > $sysfs/$r0/deep_flush"
check "root: echo 0 > $r0/deep_flush is refused" sh -c "exec 2> /dev/null; ! echo 0 > $sysfs/$r0/deep_flush"
check "non-root: $r0/deep_flush cannot be written" \
	setpriv --reuid=65534 --regid=65534 --clear-groups \
	sh -c "exec 2> /dev/null; ! echo 1 > $sysfs/$r0/deep_flush"

# --- nfit_test.1: no flush hints; DIMMs with failure flags --------------------
run ndctl list -R -D -i -b nfit_test.1
regions1=$(py '" ".join(sorted(r["dev"] for r in j.get("regions", [])))')
flush_fail_dimms=$(py '" ".join(sorted(d["dev"] for d in j.get("dimms", []) if d.get("flag_failed_flush")))')
flush_fail_region=$(py '" ".join(sorted(r["dev"] for r in j.get("regions", []) for m in r.get("mappings", []) if m["dimm"] in "'"$flush_fail_dimms"'".split()))')
# What later tests can count on, for the log.
{
	echo "nfit_test.1 DIMMs, their flags and regions:"
	py '"\n".join("%s: %s -> %s" % (d["dev"], ",".join(k[5:] for k in sorted(d) if k.startswith("flag_")) or "-",
		",".join(r["dev"] for r in j.get("regions", []) for m in r.get("mappings", []) if m["dimm"] == d["dev"]) or "no region")
		for d in sorted(j.get("dimms", []), key=lambda d: d["dev"]))'
	echo "nfit_test.1 regions: $regions1"
} | diag
check "nfit_test.1 has a DIMM flagged flush_fail ($flush_fail_dimms)" test -n "$flush_fail_dimms"
check "a region of nfit_test.1 is backed by the flush_fail DIMM ($flush_fail_region)" \
	test -n "$flush_fail_region"
r1=${flush_fail_region%% *}
is "$(mode "$sysfs/$r1/deep_flush") $(value "$sysfs/$r1/deep_flush")" "444 0" \
	"nfit_test.1 $r1: deep_flush is 0444 and reads 0"
is "$(value "$sysfs/$r1/persistence_domain")" absent \
	"nfit_test.1 $r1: no persistence_domain attribute"
check "root: $r1/deep_flush cannot be opened for writing" \
	sh -c "exec 2> /dev/null; ! echo 1 > $sysfs/$r1/deep_flush"

# --- pmemctl sees it ---------------------------------------------------------
run "$PMEMCTL" list -BDRNX --json
expect_status 0 "pmemctl list -BDRNX --json exits 0"
regions_of='[r for b in j["buses"] if b["provider"] == "%s" for r in b.get("regions", [])]'
# shellcheck disable=SC2059
is "$(json_get "' '.join(sorted(r['dev'] for r in $(printf "$regions_of" nfit_test.0)))")" \
	"$regions0" "pmemctl lists the regions of nfit_test.0"
# shellcheck disable=SC2059
is "$(json_get "sorted({r['deep_flush'] for r in $(printf "$regions_of" nfit_test.0)})")" \
	'["writable"]' 'pmemctl: nfit_test.0 regions have "deep_flush": "writable"'
# shellcheck disable=SC2059
is "$(json_get "sorted({r['persistence_domain'] for r in $(printf "$regions_of" nfit_test.0)})")" \
	'["memory_controller"]' "pmemctl: nfit_test.0 regions are memory_controller"
# shellcheck disable=SC2059
is "$(json_get "[(r['deep_flush'], r['persistence_domain']) for r in $(printf "$regions_of" nfit_test.1) if r['dev'] == '$r1']")" \
	'[["read-only", "unknown"]]' "pmemctl: nfit_test.1 $r1 is read-only, domain unknown"

# --- QEMU NVDIMMs beside nfit_test -------------------------------------------
if [ "$PMEMVM_NVDIMMS" -gt 0 ]; then
	run ndctl list -R -b ACPI.NFIT
	qregions=$(py '" ".join(sorted(r["dev"] for r in j))')
	is "$(echo "$qregions" | wc -w)" "$PMEMVM_NVDIMMS" "one ACPI.NFIT region per QEMU NVDIMM ($qregions)"
	q=${qregions%% *}
	is "$(mode "$sysfs/$q/deep_flush") $(value "$sysfs/$q/deep_flush")" "444 0" \
		"QEMU NVDIMM $q: deep_flush 0444 reads 0"
	run "$PMEMCTL" list -R --json
	is "$(json_get "[r['deep_flush'] for r in j['regions'] if r['dev'] == '$q']")" \
		'["read-only"]' "pmemctl: QEMU NVDIMM $q is read-only"
	run ndctl create-namespace -r "$q" -m fsdax -s 128M
	expect_status 0 "a labelled fsdax namespace on $q"
	blockdev=$(py 'j[0].get("blockdev", "")')
	check "its block device /dev/$blockdev exists" test -b "/dev/$blockdev"
	# --labels init must not write nfit_test's label areas, which start
	# without an index block (label-less namespaces).
	run ndctl list -D -b nfit_test.0
	valid=0
	for d in $(py '" ".join(d["dev"] for d in j)'); do
		ndctl check-labels "$d" > /dev/null 2>&1 && valid=$((valid + 1))
	done
	is "$valid" 0 "label initialisation left nfit_test.0's DIMMs alone"
fi

done_testing
