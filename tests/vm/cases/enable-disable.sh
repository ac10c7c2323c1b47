#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: pmemctl enable and disable of namespaces, regions and DIMMs on
# labelled QEMU NVDIMMs, each state compared with what ndctl list -i says;
# refused while mounted (exit 6, the mount named), dry runs that change
# nothing, idempotence, a DIMM whose region is enabled. Runs after
# convert.sh in its guest: it makes its own namespace in region1.
. "$PMEMCTL_SRCDIR/tests/lib/tap.sh"

# states TOOL NAME...: NAME=enabled|disabled|absent for each, as TOOL
# (ndctl or pmemctl) lists them with -i; one Python per call (TCG).
states()
{
	local tool=$1
	shift
	if [ "$tool" = ndctl ]; then
		ndctl list -DRNi
	else
		"$PMEMCTL" list -DRNi --json
	fi | python3 -c '
import json, sys
seen = {}
def walk(v):
    if isinstance(v, dict):
        if "dev" in v:
            seen.setdefault(v["dev"], v.get("state", "enabled"))
        for x in v.values():
            walk(x)
    elif isinstance(v, list):
        for x in v:
            walk(x)
walk(json.load(sys.stdin))
print(" ".join(n + "=" + seen.get(n, "absent") for n in sys.argv[1:]))' "$@"
}

# agree DESCRIPTION EXPECTED NAME...: ndctl and pmemctl both say EXPECTED.
agree()
{
	local desc=$1 want=$2 nd pm
	shift 2
	nd=$(states ndctl "$@")
	pm=$(states pmemctl "$@")
	is "$nd | $pm" "$want | $want" "$desc: ndctl list -i and pmemctl list -i agree"
}

region=region1
ndctl create-namespace -r $region -m fsdax -s 128M -n enable-me > "$TAP_TMP/ns.json"
read -r ns blk < <(python3 -c '
import json, sys
ns = json.load(open(sys.argv[1]))
print(ns["dev"], ns["blockdev"])' "$TAP_TMP/ns.json")
# QEMU NVDIMM regions have one DIMM: mapping0 is "nmemN,offset,length,pos".
dimm=$(cut -d, -f1 /sys/bus/nd/devices/$region/mapping0)
diag <<< "namespace $ns (/dev/$blk) in $region on $dimm"
all="$ns $region $dimm"
agree "at the start" "$ns=enabled $region=enabled $dimm=enabled" $all

# --- a namespace --------------------------------------------------------------
run "$PMEMCTL" disable --dry-run --json "$ns"
is "$STATUS $(json_get '[j["changed"], j["dry_run"], j["objects"], [s["step"] + ":" + s["status"] for s in j["steps"]]]')" \
	"0 [false, true, [\"$ns\"], [\"disable-namespace:planned\"]]" \
	"disable --dry-run $ns: exit 0, one step planned"
run "$PMEMCTL" disable --json "$ns"
is "$STATUS $(json_get '[j["changed"], j["message"], [s["step"] + ":" + s["status"] for s in j["steps"]]]')" \
	'0 [true, "disabled", ["disable-namespace:done"]]' "disable $ns: exit 0, done"
agree "namespace disabled" "$ns=disabled $region=enabled $dimm=enabled" $all
check "its block device is gone" test ! -e "/dev/$blk"
run "$PMEMCTL" list -Ni --json "$ns"
is "$(json_get '[[n["state"], n["state_reason"]] for n in j["namespaces"]][0]' | tr -d '\n')" \
	"[\"disabled\", \"no driver bound (pmemctl enable $ns)\"]" "list -i says why it is disabled"
run "$PMEMCTL" disable --json "$ns"
is "$STATUS $(json_get '[j["changed"], j["message"], j["steps"]]')" \
	'0 [false, "already disabled", []]' "disable it again: exit 0, changed false"
run "$PMEMCTL" enable "$ns"
is "$STATUS $OUT" "0 $ns: enabled" "enable $ns: exit 0"
agree "namespace enabled" "$ns=enabled $region=enabled $dimm=enabled" $all
check "its block device is back (fsdax: the claim came up with it)" test -b "/dev/$blk"
run "$PMEMCTL" enable --json "$ns"
is "$STATUS $(json_get 'j["changed"]')" "0 false" "enable it again: exit 0, changed false"

# --- refused while mounted ----------------------------------------------------
mkdir -p /tmp/mnt-ed
mkfs.ext4 -q -F -b 4096 "/dev/$blk" && mount -o dax "/dev/$blk" /tmp/mnt-ed &&
	echo precious > /tmp/mnt-ed/file
for target in "$ns" "$region" "--force $dimm" "--dry-run $region"; do
	# shellcheck disable=SC2086
	run "$PMEMCTL" disable $target
	expect_status 6 "disable $target while mounted: refused (exit 6)"
	check "... the mount named" grep -q "$ns: in use: /dev/$blk is mounted on /tmp/mnt-ed; disabling refused" <<< "$ERR"
done
agree "nothing changed while mounted" "$ns=enabled $region=enabled $dimm=enabled" $all
umount /tmp/mnt-ed

# --- a region: its namespaces first -------------------------------------------
run "$PMEMCTL" disable --dry-run "$region"
expect_status 0 "disable --dry-run $region: exit 0"
check "... the namespace's step first, then the region's" \
	grep -Pzq "planned +disable-namespace +$ns: .*\n *planned +disable-region +$region: " <<< "$OUT"
agree "--dry-run changed nothing" "$ns=enabled $region=enabled $dimm=enabled" $all
run "$PMEMCTL" disable --json "$region"
is "$STATUS $(json_get '[s["step"] for s in j["steps"]]')" \
	'0 ["disable-namespace", "disable-region"]' "disable $region: exit 0, namespace then region"
agree "region disabled" "$ns=absent $region=disabled $dimm=enabled" $all
run "$PMEMCTL" enable --json "$region"
is "$STATUS $(json_get '[j["changed"], [s["step"] for s in j["steps"]]]')" \
	'0 [true, ["enable-region"]]' "enable $region: exit 0"
agree "region enabled, its namespace with it" "$ns=enabled $region=enabled $dimm=enabled" $all

# --- a DIMM: its region must go first ------------------------------------------
run "$PMEMCTL" disable "$dimm"
expect_status 6 "disable $dimm while $region is enabled: refused (exit 6)"
check "... naming the region, and --force" \
	grep -q "$dimm backs the enabled region $region: disable it first (pmemctl disable $region), or add --force" <<< "$ERR"
run "$PMEMCTL" disable --force --json "$dimm"
is "$STATUS $(json_get '[s["step"] for s in j["steps"]]')" \
	'0 ["disable-namespace", "disable-region", "disable-dimm"]' \
	"disable --force $dimm: namespace, region, then the DIMM"
agree "DIMM disabled" "$ns=absent $region=disabled $dimm=disabled" $all
run "$PMEMCTL" list -DRi --json "$region"
is "$(json_get '[[o["dev"], o["state_reason"]] for o in j["dimms"] + j["regions"]]')" \
	"[[\"$dimm\", \"no driver bound (pmemctl enable $dimm)\"], [\"$region\", \"its DIMM $dimm is disabled (pmemctl enable $region)\"]]" \
	"list -i says why: the DIMM has no driver, the region's DIMM is disabled"
run "$PMEMCTL" disable --json "$dimm" "$region"
is "$STATUS $(json_get '[j["changed"], j["objects"]]')" "0 [false, [\"$dimm\", \"$region\"]]" \
	"disable both again: nothing to do"
run "$PMEMCTL" enable --json "$region"
is "$STATUS $(json_get '[s["step"] for s in j["steps"]]')" '0 ["enable-dimm", "enable-region"]' \
	"enable $region: its DIMM first, then the region"
agree "all back" "$ns=enabled $region=enabled $dimm=enabled" $all

# --- root only ------------------------------------------------------------------
run setpriv --reuid=65534 --regid=65534 --clear-groups "$PMEMCTL" disable "$ns"
expect_status 4 "disable as nobody: exit 4"
run setpriv --reuid=65534 --regid=65534 --clear-groups "$PMEMCTL" disable --dry-run "$ns"
expect_status 0 "disable --dry-run as nobody: exit 0 (the plan)"

# What was written before the tour is still there.
mount -o dax "/dev/$blk" /tmp/mnt-ed
is "$(cat /tmp/mnt-ed/file 2>&1)" precious "the file written before reads back after the tour"
umount /tmp/mnt-ed
ndctl destroy-namespace -f "$ns" > /dev/null

done_testing
