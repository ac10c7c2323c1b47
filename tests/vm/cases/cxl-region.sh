#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: pmemctl create-region and destroy-region on the emulated CXL
# platform (pmemvm --cxl N): from bare memdevs to a region (checked against
# cxl list and ndctl list), idempotence, --dry-run, refusals before any
# step, a failed step rolled back, namespaces on the region, the guards of
# destroy-region (a holder, --force), and the memdevs free again after it;
# then the Ansible module pmemctl_region over the same memdevs.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"
. "$PMEMCTL_SRCDIR/tests/vm/cases/compare.sh"

n=${PMEMVM_CXL:?PMEMVM_CXL: boot with pmemvm --cxl N}
size=$(numfmt --from=iec "$PMEMVM_CXL_SIZE")

# cxl_regions: the CXL regions cxl list -R shows, by name.
cxl_regions()
{
	cxl list -R > "$TAP_TMP/cxl-r.json" 2> /dev/null
	json_file "$TAP_TMP/cxl-r.json" '" ".join(r["region"] for r in j)'
}

# dpa_used: the DPA the memdevs' endpoint decoders hold, in bytes.
dpa_used()
{
	cxl list -D -d endpoint > "$TAP_TMP/cxl-d.json" 2> /dev/null
	json_file "$TAP_TMP/cxl-d.json" 'sum(d.get("dpa_size", 0) for d in j)'
}

wait_nd()
{
	for f in /sys/bus/nd/devices/ndbus*/wait_probe; do
		cat "$f" > /dev/null 2>&1
	done
}


# The memdevs, in reverse order for more than one: the positions must be
# the order given, not the names'.
cxl list -M > "$TAP_TMP/cxl-m.json"
memdevs=$(json_file "$TAP_TMP/cxl-m.json" '" ".join(sorted((m["memdev"] for m in j), reverse=True))')
# shellcheck disable=SC2086
memdev_list=$(python3 -c 'import json, sys; print(json.dumps(sys.argv[1:]))' $memdevs)

# --- the platform boots bare --------------------------------------------------
is "$(cxl_regions)" "" "no CXL region at boot (cxl list -R)"
is "$(dpa_used)" 0 "no DPA allocated at boot"

# --- refused before any step --------------------------------------------------
# shellcheck disable=SC2086
run "$PMEMCTL" create-region --json -s 64G $memdevs
expect_status 5 "create-region -s 64G: too large, exit 5"
is "$(json_get '[j["changed"], j["rolled_back"], [s["status"] for s in j["steps"]]]')" \
	'[false, false, ["failed"]]' "only the check ran, and failed: $(json_get 'j["message"]')"
# shellcheck disable=SC2086
run "$PMEMCTL" create-region -d decoder9.9 $memdevs
expect_status 3 "create-region -d decoder9.9: no such root decoder, exit 3"
run "$PMEMCTL" create-region mem99
expect_status 3 "create-region mem99: no such memdev, exit 3"
is "$(cxl_regions)" "" "nothing was created"

# --- --dry-run ----------------------------------------------------------------
# shellcheck disable=SC2086
run "$PMEMCTL" create-region --dry-run --json $memdevs
expect_status 0 "create-region --dry-run $memdevs exits 0"
is "$(json_get '[j["changed"], j["dry_run"], j["region"], j["cxl_region"], j["decoder"], j["memdevs"], j["interleave_ways"], j["size"]]')" \
	"[false, true, null, null, \"decoder0.0\", $memdev_list, $n, $((n * size))]" \
	"the plan: decoder0.0, $n ways, all of the memdevs ($((n * size >> 20))M)"
is "$(cxl_regions)" "" "--dry-run created nothing (cxl list -R)"
is "$(dpa_used)" 0 "--dry-run allocated no DPA"

# --- a failed step is undone --------------------------------------------------
# shellcheck disable=SC2086
PMEMCTL_TEST_FAIL_STEP=enable run "$PMEMCTL" create-region --json $memdevs
expect_status 1 "create-region with its enable step failed: exit 1"
is "$(json_get '[j["changed"], j["rolled_back"], j["cxl_region"]]')" '[false, true, null]' \
	"rolled back: $(json_get 'j["message"]')"
is "$(json_get '[s["status"] for s in j["steps"] if s["step"] in ("create-region", "commit", "enable", "rollback")]')" \
	'["undone", "undone", "failed", "done"]' "the steps before it undone, the rollback done"
wait_nd
is "$(cxl_regions)" "" "after the rollback no CXL region is left (cxl list -R)"
is "$(dpa_used)" 0 "and the endpoint decoders hold no DPA"
run ndctl list -R -b CXL
is "$OUT" "" "and libnvdimm has no CXL region"

# --- create-region ------------------------------------------------------------
# shellcheck disable=SC2086
run "$PMEMCTL" create-region --json $memdevs
expect_status 0 "create-region $memdevs exits 0"
printf '%s\n' "$OUT" > "$TAP_TMP/create.json"
region=$(json_get 'j["region"]')
cxl_region=$(json_get 'j["cxl_region"]')
is "$(json_get '[j["changed"], j["dry_run"], j["rolled_back"], j["error"], j["namespace"]]')" \
	'[true, false, false, null, null]' "changed: $(json_get 'j["message"]')"
wait_nd
cxl list -R -T -r "$cxl_region" > "$TAP_TMP/cxl-rt.json"
is "$(json_file "$TAP_TMP/cxl-rt.json" '[j[0]["decode_state"], j[0]["interleave_ways"], j[0]["interleave_granularity"], j[0]["size"]]')" \
	"$(json_file "$TAP_TMP/create.json" '["commit", j["interleave_ways"], j["interleave_granularity"], j["size"]]')" \
	"cxl list -R: $cxl_region committed, with the ways, granularity and size reported"
is "$(json_file "$TAP_TMP/cxl-rt.json" '[m["memdev"] for m in sorted(j[0]["mappings"], key=lambda m: m["position"])]')" \
	"$memdev_list" "cxl list -R -T: the memdevs at the positions given ($memdevs)"
is "$(json_file "$TAP_TMP/create.json" '[j["interleave_ways"], j["size"]]')" "[$n, $((n * size))]" \
	"$n ways over all of the memdevs' capacity"
is "$(basename "$(dirname "$(readlink -f "/sys/bus/cxl/devices/$cxl_region")")")" \
	"$(json_file "$TAP_TMP/create.json" 'j["decoder"]')" "the root decoder reported is $cxl_region's parent"
run ndctl list -R -r "$region"
is "$(json_file "$TAP_TMP/create.json" 'j["size"]') $(printf '%s' "$OUT" > "$TAP_TMP/nd.json"; json_file "$TAP_TMP/nd.json" 'j[0]["size"]')" \
	"$((n * size)) $((n * size))" "ndctl list -R: $region has the size reported"
compare_with_ndctl "pmemctl list -BRN agrees with ndctl" "-BRN" "-BRN"

# shellcheck disable=SC2086
run "$PMEMCTL" create-region --json $memdevs
expect_status 0 "the same create-region again exits 0"
is "$(json_get '[j["changed"], j["cxl_region"], j["region"]]')" \
	"[false, \"$cxl_region\", \"$region\"]" "and changes nothing: $(json_get 'j["message"]')"
if [ "$n" -gt 1 ]; then
	# shellcheck disable=SC2046
	run "$PMEMCTL" create-region $(echo "$memdevs" | tr ' ' '\n' | tac)
	expect_status 6 "the memdevs in another order: a memdev in another region, exit 6"
	check "the message names the region and destroy-region" \
		grep -q "$cxl_region.*destroy-region" "$TAP_TMP/err"
fi
is "$(cxl_regions)" "$cxl_region" "still one CXL region"

# --- namespaces on it -----------------------------------------------------------
run "$PMEMCTL" create-namespace --json -m fsdax "$region"
expect_status 0 "create-namespace -m fsdax $region exits 0"
ns=$(json_get 'j["namespace"]')
blockdev=$(json_get 'j["blockdev"]')
check "its block device /dev/$blockdev exists" test -b "/dev/$blockdev"
compare_with_ndctl "pmemctl list -RN --region $region agrees with ndctl (fsdax)" \
	"-RN --region $region" "-RN -r $region"

# --- is data durable here, and what must a program do: show, doctor, deep-flush
run "$PMEMCTL" show "$region" --json
is "$(json_get '[[r["persistence_domain"], r["persistence_reason"].startswith("CXL"), r["deep_flush"], r["deep_flush_capability"]] for r in j["regions"]]')" \
	"[[\"$(cat "/sys/bus/nd/devices/$region/persistence_domain")\", true, \"read-only\", \"not-needed\"]]" \
	"show $region: the domain sysfs declares, a CXL reason, deep_flush read-only: not needed"
run "$PMEMCTL" doctor "$ns" --json
expect_status 0 "doctor $ns: no warning or error"
is "$(json_get '[j["verdict"]["persistence_domain"], [r.split(": ")[0] for r in j["verdict"]["reasons"]], "Global Persistent Flush" in j["verdict"]["reasons"][0], j["verdict"]["deep_flush_path"], j["verdict"]["granularity"]]')" \
	"[\"memory_controller\", [\"$region\"], true, \"not-needed\", \"cache-line\"]" \
	"doctor $ns: memory_controller, why (GPF), no deep flush, cache-line granularity"
run "$PMEMCTL" deep-flush "$region" --json
expect_status 0 "deep-flush $region exits 0"
is "$(json_get '[[f["outcome"], f["method"], "not needed on CXL" in f["message"]] for f in j["flushes"]]')" \
	'[["not-needed", null, true]]' "deep-flush $region: not needed, and why: $(json_get 'j["flushes"][0]["message"]')"

# Data written to a CXL namespace on QEMU 7.2 reads back as written?
printf 'pmemctl-%s' "$ns" | dd of="/dev/$blockdev" bs=4096 conv=sync,fsync oflag=direct 2> /dev/null
readback=$(dd if="/dev/$blockdev" bs=4096 count=1 iflag=direct 2> /dev/null | tr -d '\0')
# Not a check: on QEMU 7.2 a 1-way region's writes read back as zeros (a
# 2-way region's read back as written); then no filesystem mounts.
if [ -n "$readback" ]; then
	diag <<< "written to /dev/$blockdev and read back: '$readback'"
else
	diag <<< "written to /dev/$blockdev and read back as zeros: QEMU lost the write"
fi

# Holders: a mounted filesystem, then a process with the block device open.
mnt=$TAP_TMP/mnt
mkdir -p "$mnt"
if mkfs.ext4 -q -F -b 4096 "/dev/$blockdev" > "$TAP_TMP/mkfs" 2>&1 && mount -o dax "/dev/$blockdev" "$mnt" 2> "$TAP_TMP/mount"; then
	run "$PMEMCTL" destroy-region -f "$region"
	expect_status 6 "destroy-region -f while ext4 -o dax is mounted on /dev/$blockdev: refused, exit 6"
	check "the message names the mount point" grep -q "$mnt" "$TAP_TMP/err"
	umount "$mnt"
else
	skip "no filesystem on /dev/$blockdev: $(cat "$TAP_TMP/mkfs" "$TAP_TMP/mount" 2> /dev/null | head -n 1)"
fi
# shellcheck disable=SC2217
sleep 300 < "/dev/$blockdev" &
holder=$!
sleep 0.2
run "$PMEMCTL" destroy-region -f "$region"
expect_status 6 "destroy-region -f while /dev/$blockdev is open: refused, exit 6"
check "the message names the holder (sleep, pid $holder)" grep -q "sleep" "$TAP_TMP/err"
kill "$holder"
wait "$holder" 2> /dev/null
is "$(cxl_regions)" "$cxl_region" "the region is still there"

# The region's scope: a change inside the region (another pmemctl's,
# here flock(1) holding what it holds) and destroy-region exclude each other.
# (-o: flock itself holds the lock, the sleep does not, so killing flock frees it.)
# The lock file is made as pmemctl makes it, 0600 (another is replaced).
mkdir -p /run/pmemctl
(umask 077; : > "/run/pmemctl/$region.scope.lock")
flock -o -s "/run/pmemctl/$region.scope.lock" sleep 30 &
locker=$!
sleep 1
run "$PMEMCTL" destroy-region -f "$region"
expect_status 6 "destroy-region -f while a namespace change holds $region's scope: refused, exit 6"
check "... saying another pmemctl is changing a namespace of it" \
	grep -q "$region: another pmemctl is changing a namespace of it now" "$TAP_TMP/err"
kill "$locker"
wait "$locker" 2> /dev/null
# What destroy-region writes into the scope it holds.
printf 'destroying it\n' > "/run/pmemctl/$region.scope.lock"
flock -o -x "/run/pmemctl/$region.scope.lock" sleep 30 &
locker=$!
sleep 1
run "$PMEMCTL" convert -f -m devdax "$ns"
expect_status 6 "convert $ns while a destroy-region holds $region's scope: refused, exit 6"
check "... saying another pmemctl is destroying the region" \
	grep -q "$region: another pmemctl is destroying it now" "$TAP_TMP/err"
kill "$locker"
wait "$locker" 2> /dev/null

run "$PMEMCTL" convert --json -f -m devdax "$ns"
expect_status 0 "convert $ns to devdax exits 0"
chardev=$(json_get 'j["chardev"]')
check "its dax device /dev/$chardev exists" test -c "/dev/$chardev"
compare_with_ndctl "pmemctl list -RN --region $region agrees with ndctl (devdax)" \
	"-RN --region $region" "-RN -r $region"

run "$PMEMCTL" destroy-region "$region"
expect_status 9 "destroy-region with a namespace and no --force: refused, exit 9"
check "the message says the namespace's data goes and names --force" \
	grep -q "namespace.*--force" "$TAP_TMP/err"
run "$PMEMCTL" destroy-region --dry-run --json "$region"
expect_status 0 "destroy-region --dry-run exits 0"
is "$(json_get '[j["changed"], j["dry_run"], j["region"], j["cxl_region"], j["memdevs"]]')" \
	"[false, true, \"$region\", \"$cxl_region\", $memdev_list]" "the plan names the region and its memdevs"
is "$(cxl_regions)" "$cxl_region" "--dry-run destroyed nothing"

# --- destroy-region -f --------------------------------------------------------
run "$PMEMCTL" destroy-region -f --json "$region"
expect_status 0 "destroy-region -f $region exits 0"
is "$(json_get '[j["changed"], j["rolled_back"], j["region"], j["cxl_region"], j["interleave_ways"]]')" \
	"[true, false, \"$region\", \"$cxl_region\", $n]" "changed: $(json_get 'j["message"]')"
is "$(cxl_regions)" "" "cxl list -R is empty after it"
is "$(dpa_used)" 0 "the memdevs' DPA is free again"
run ndctl list -R -b CXL
is "$OUT" "" "libnvdimm has no CXL region left"
run "$PMEMCTL" destroy-region "$region"
expect_status 3 "destroying $region again: no such region, exit 3"
run "$PMEMCTL" destroy-region "cxl:$cxl_region"
expect_status 3 "destroying cxl:$cxl_region again: no such CXL region, exit 3"

# --- the memdevs take a region again; cxl:NAME destroys it ------------------
# shellcheck disable=SC2086
run "$PMEMCTL" create-region --json $memdevs
expect_status 0 "create-region again on the freed memdevs exits 0"
region2=$(json_get 'j["region"]')
cxl_region2=$(json_get 'j["cxl_region"]')
wait_nd
run ndctl list -N -r "$region2"
is "$OUT" "" "the new region has no namespace: destroy-region deleted the labels"
PMEMCTL_TEST_FAIL_STEP=reset-decode run "$PMEMCTL" destroy-region --json "cxl:$cxl_region2"
expect_status 1 "destroy-region with its reset-decode step failed: exit 1"
is "$(json_get '[j["changed"], j["rolled_back"]]')" '[false, true]' \
	"rolled back: $(json_get 'j["message"]')"
wait_nd
cxl list -R -r "$cxl_region2" > "$TAP_TMP/cxl-r2.json"
is "$(json_file "$TAP_TMP/cxl-r2.json" '[r["decode_state"] for r in j]')" '["commit"]' \
	"$cxl_region2 is committed again"
run ndctl list -R -r "$region2"
is "$(printf '%s' "$OUT" > "$TAP_TMP/nd2.json"; json_file "$TAP_TMP/nd2.json" '[r["dev"] for r in j]')" \
	"[\"$region2\"]" "and libnvdimm has $region2 again"
run "$PMEMCTL" destroy-region --json "cxl:$cxl_region2"
expect_status 0 "destroy-region cxl:$cxl_region2 (no namespace: no --force needed) exits 0"
is "$(json_get '[j["changed"], j["cxl_region"]]')" "[true, \"$cxl_region2\"]" "changed"
is "$(cxl_regions)" "" "cxl list -R is empty again"

# --- pmemctl_region, run as Ansible runs a module on the host ---------------
# ansible-playbook costs ~20 s a start and ~15 s a task under TCG
# (tests/vm/ansible.test runs it for the namespace module); the module's own
# code with Ansible's module_utils is what runs here, as Ansible runs it.
if /usr/bin/python3 -c 'import ansible.module_utils.basic' 2> /dev/null; then
	library=$PMEMCTL_SRCDIR/contrib/ansible/library
	# region_module ARGS-JSON [check]: the module's result in $OUT
	region_module()
	{
		printf '{"ANSIBLE_MODULE_ARGS": {"executable": "%s", %s%s}}\n' "$PMEMCTL" "$1" \
			"${2:+, \"_ansible_check_mode\": true}" > "$TAP_TMP/args.json"
		run /usr/bin/python3 "$library/pmemctl_region.py" "$TAP_TMP/args.json"
	}
	region_module "\"memdevs\": $memdev_list" check
	is "$STATUS $(json_get '[j["changed"], j["region"], j["report"]["dry_run"]]')" \
		"0 [true, null, true]" "pmemctl_region present, check mode: would change (--dry-run)"
	is "$(cxl_regions)" "" "... and created nothing"
	region_module "\"memdevs\": $memdev_list"
	is "$STATUS $(json_get '[j["changed"], [m["memdev"] for m in j["region"]["memdevs"]]]')" \
		"0 [true, $memdev_list]" "pmemctl_region present: changed, the region has the memdevs in order"
	mregion=$(json_get 'j["region"]["dev"]')
	cxl list -R > "$TAP_TMP/cxl-r3.json"
	is "$(json_get 'j["region"]["cxl_region"]')" "$(json_file "$TAP_TMP/cxl-r3.json" 'j[0]["region"]')" \
		"... its cxl_region is the one cxl list -R shows"
	region_module "\"memdevs\": $memdev_list"
	is "$STATUS $(json_get '[j["changed"], j["region"]["dev"]]')" \
		"0 [false, \"$mregion\"]" "pmemctl_region present again: nothing changed (pmemctl's \"changed\")"
	"$PMEMCTL" create-namespace -m fsdax "$mregion" > /dev/null 2>&1
	region_module "\"memdevs\": $memdev_list, \"state\": \"absent\""
	is "$STATUS $(json_get '[j["rc"], "--force" in j["msg"]]')" \
		"1 [9, true]" "pmemctl_region absent with a namespace, no force: fails with pmemctl's exit code 9 and message"
	region_module "\"region\": \"$mregion\", \"state\": \"absent\", \"force\": true" check
	is "$STATUS $(json_get '[j["changed"], j["report"]["dry_run"]]')" \
		"0 [true, true]" "pmemctl_region absent, check mode: would change"
	is "$(cxl_regions)" "$(json_file "$TAP_TMP/cxl-r3.json" 'j[0]["region"]')" "... and destroyed nothing"
	region_module "\"memdevs\": $memdev_list, \"state\": \"absent\", \"force\": true"
	is "$STATUS $(json_get '[j["changed"], j["region"]]')" \
		"0 [true, null]" "pmemctl_region absent, force: destroyed"
	is "$(cxl_regions)" "" "... cxl list -R is empty"
	region_module "\"memdevs\": $memdev_list, \"state\": \"absent\""
	is "$STATUS $(json_get '[j["changed"], "cmd" in j]')" \
		"0 [false, false]" "pmemctl_region absent again: no change, nothing run"
else
	skip "pmemctl_region: Ansible's module_utils are not installed (Debian: ansible-core)"
fi

done_testing
