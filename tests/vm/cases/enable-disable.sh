#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: pmemctl enable and disable of namespaces, regions and DIMMs on
# labelled QEMU NVDIMMs, each state compared with what ndctl list -i says;
# refused while mounted (exit 6, the mount named), dry runs that change
# nothing, idempotence, a DIMM whose region is enabled, why list -i says an
# object is disabled. Runs after convert.sh in its guest: it makes its own
# namespace in region1 (convert.sh may have left others there). JSON is read
# with jq: a Python start costs seconds under TCG.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"

# jget FILTER: jq's compact answer about the JSON in $OUT.
jget()
{
	printf '%s' "$OUT" | jq -c "$1" 2>&1
}

# states TOOL NAME...: NAME=enabled|disabled|absent for each, as TOOL
# (ndctl or pmemctl) lists them with -i.
states()
{
	local tool=$1
	shift
	if [ "$tool" = ndctl ]; then
		ndctl list -DRNi
	else
		"$PMEMCTL" list -DRNi --json
	fi | jq -r --arg names "$*" '
		([.. | objects | select((.dev | type) == "string") |
		  {(.dev): (.state // "enabled")}] | add // {}) as $s |
		[$names | split(" ")[] | . + "=" + ($s[.] // "absent")] | join(" ")'
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
read -r ns blk < <(ndctl create-namespace -r $region -m fsdax -s 128M -n enable-me |
		   jq -r '.dev + " " + .blockdev')
# QEMU NVDIMM regions have one DIMM: mapping0 is "nmemN,offset,length,pos".
dimm=$(cut -d, -f1 /sys/bus/nd/devices/$region/mapping0)
diag <<< "namespace $ns (/dev/$blk) in $region on $dimm"
all="$ns $region $dimm"
agree "at the start" "$ns=enabled $region=enabled $dimm=enabled" $all

# --- a namespace --------------------------------------------------------------
run "$PMEMCTL" disable --dry-run --json "$ns"
is "$STATUS $(jget '[.changed, .dry_run, .objects, [.steps[] | .step + ":" + .status]]')" \
	"0 [false,true,[\"$ns\"],[\"disable-namespace:planned\"]]" \
	"disable --dry-run $ns: exit 0, one step planned"
run "$PMEMCTL" disable --json "$ns"
is "$STATUS $(jget '[.changed, .message, [.steps[] | .step + ":" + .status]]')" \
	'0 [true,"disabled",["disable-namespace:done"]]' "disable $ns: exit 0, done"
agree "namespace disabled" "$ns=disabled $region=enabled $dimm=enabled" $all
check "its block device is gone" test ! -e "/dev/$blk"
run "$PMEMCTL" list -Ni --json "$ns"
is "$(jget '[.namespaces[] | .state, .state_reason]')" \
	"[\"disabled\",\"no driver bound (pmemctl enable $ns)\"]" "list -i says why it is disabled"
run "$PMEMCTL" disable --json "$ns"
is "$STATUS $(jget '[.changed, .message, .steps]')" \
	'0 [false,"already disabled",[]]' "disable it again: exit 0, changed false"
run "$PMEMCTL" enable "$ns"
is "$STATUS $OUT" "0 $ns: enabled" "enable $ns: exit 0"
agree "namespace enabled" "$ns=enabled $region=enabled $dimm=enabled" $all
check "its block device is back (fsdax: the claim came up with it)" test -b "/dev/$blk"
run "$PMEMCTL" enable --json "$ns"
is "$STATUS $(jget .changed)" "0 false" "enable it again: exit 0, changed false"
run "$PMEMCTL" enable --json "$ns" "$region" "$dimm"
is "$STATUS $(jget '[.changed, .objects]')" "0 [false,[\"$ns\",\"$region\",\"$dimm\"]]" \
	"enable the namespace, its region and DIMM: nothing to do (the region's scope locked once)"

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
nr_ns=$(ndctl list -N -r $region | jq 'if type == "array" then length else 1 end')
ns_steps=$(for _ in $(seq "$nr_ns"); do printf '"disable-namespace",'; done)
run "$PMEMCTL" disable --dry-run "$region"
expect_status 0 "disable --dry-run $region: exit 0"
check "... $ns's step among them" grep -Eq "planned +disable-namespace +$ns: " <<< "$OUT"
is "$(tail -n 1 <<< "$OUT" | awk '{ print $1, $2, $3 }')" "planned disable-region $region:" \
	"... the region's step last"
agree "--dry-run changed nothing" "$ns=enabled $region=enabled $dimm=enabled" $all
run "$PMEMCTL" disable --json "$region"
is "$STATUS $(jget '[.steps[].step]')" "0 [${ns_steps}\"disable-region\"]" \
	"disable $region: exit 0, its $nr_ns namespaces, then the region"
agree "region disabled" "$ns=absent $region=disabled $dimm=enabled" $all
run "$PMEMCTL" enable --json "$region"
is "$STATUS $(jget '[.changed, [.steps[].step]]')" '0 [true,["enable-region"]]' "enable $region: exit 0"
agree "region enabled, its namespace with it" "$ns=enabled $region=enabled $dimm=enabled" $all

# --- a DIMM: its region must go first ------------------------------------------
run "$PMEMCTL" disable "$dimm"
expect_status 6 "disable $dimm while $region is enabled: refused (exit 6)"
check "... naming the region, and --force" \
	grep -q "$dimm backs the enabled region $region: disable it first (pmemctl disable $region), or add --force" <<< "$ERR"
run "$PMEMCTL" disable --force --json "$dimm"
is "$STATUS $(jget '[.steps[].step]')" "0 [${ns_steps}\"disable-region\",\"disable-dimm\"]" \
	"disable --force $dimm: the namespaces, the region, then the DIMM"
agree "DIMM disabled" "$ns=absent $region=disabled $dimm=disabled" $all
run "$PMEMCTL" list -DRi --json "$region"
is "$(jget '[(.dimms + .regions)[] | [.dev, .state_reason]]')" \
	"[[\"$dimm\",\"no driver bound (pmemctl enable $dimm)\"],[\"$region\",\"its DIMM $dimm is disabled (pmemctl enable $region)\"]]" \
	"list -i says why: the DIMM has no driver, the region's DIMM is disabled"
run "$PMEMCTL" disable --json "$dimm" "$region"
is "$STATUS $(jget '[.changed, .objects]')" "0 [false,[\"$dimm\",\"$region\"]]" \
	"disable the DIMM and the region again: nothing to do (each lock taken once)"
run "$PMEMCTL" enable --json "$region"
is "$STATUS $(jget '[.steps[].step]')" '0 ["enable-dimm","enable-region"]' \
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
