#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: pmemctl enable and disable of CXL memdevs and CXL regions
# (pmemvm --cxl 2), each state compared with what cxl list -i and ndctl
# list -i say; refused while the region's namespace is open (exit 6), a
# memdev of a region refused, dry runs, idempotence; list -W (the root
# decoder) against cxl list -D -d root. Runs after cxl-region.sh in its
# guest: it starts from bare memdevs and makes its own region, destroyed
# at the end. JSON is read with jq: a Python start costs seconds under TCG.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"

jget()
{
	printf '%s' "$OUT" | jq -c "$1" 2>&1
}

wait_nd()
{
	for f in /sys/bus/nd/devices/ndbus*/wait_probe; do
		cat "$f" > /dev/null 2>&1
	done
}

# cxl_states NAME...: NAME=enabled|disabled|absent, as cxl list -i says of
# memdevs (memN) and regions (regionN).
cxl_states()
{
	cxl list -i -M -R 2> /dev/null | jq -r --arg names "$*" '
		([.. | objects | (select((.memdev | type) == "string") | {(.memdev): (.state // "enabled")}),
				 (select((.region | type) == "string") | {(.region): (.state // "enabled")})]
		 | add // {}) as $s |
		[$names | split(" ")[] | . + "=" + ($s[.] // "absent")] | join(" ")'
}

# pm_memdev_states NAME...: the same, as pmemctl list -C -i says.
pm_memdev_states()
{
	"$PMEMCTL" list -C -i --json | jq -r --arg names "$*" '
		([.memdevs[] | {(.memdev): .state}] | add // {}) as $s |
		[$names | split(" ")[] | . + "=" + ($s[.] // "absent")] | join(" ")'
}

read -r m0 m1 < <(cxl list -M | jq -r '[.[].memdev] | sort | join(" ")')
diag <<< "memdevs $m0 $m1"

# --- the root decoder, as cxl list -D -d root shows it -------------------------
cxl list -D -d root > "$TAP_TMP/root.json"
run "$PMEMCTL" list -W --json
is "$(jget '[.decoders[] | [.decoder, .size, .interleave_ways, .nr_targets, .pmem_capable]]')" \
	"$(jq -c '[.[] | [.decoder, .size, .interleave_ways, .nr_targets, .pmem_capable]]' "$TAP_TMP/root.json")" \
	"list -W: the root decoders' keys as cxl list -D -d root gives them"
free=$(jq -c '[.[] | .max_available_extent // empty]' "$TAP_TMP/root.json")
if [ "$free" != "[]" ]; then
	is "$(jget '[.decoders[].max_available_extent]')" "$free" "list -W: max_available_extent as cxl list's"
else
	skip "cxl list -D -d root prints no max_available_extent here"
fi
is "$(jget '[.decoders[] | .memdevs]')" "[[\"$m0\",\"$m1\"]]" "list -W: the window reaches both memdevs"

# --- a CXL region -----------------------------------------------------------------
run "$PMEMCTL" create-region --json "$m0" "$m1"
expect_status 0 "create-region $m0 $m1 exits 0"
region=$(jget .region | tr -d '"')
cxl_region=$(jget .cxl_region | tr -d '"')
wait_nd
run "$PMEMCTL" list -W --json
is "$(jget '[.decoders[] | [.cxl_regions, .disabled_cxl_regions]]')" "[[[\"$cxl_region\"],[]]]" \
	"list -W: the window holds $cxl_region, enabled"
run "$PMEMCTL" create-namespace --json -m fsdax -s 256M "$region"
expect_status 0 "create-namespace on $region exits 0"
blockdev=$(jget .blockdev | tr -d '"')

run "$PMEMCTL" disable "$m1"
expect_status 6 "disable $m1, a target of $cxl_region: refused (exit 6)"
check "... naming the region and destroy-region" \
	grep -q "$m1 is a target of CXL region $cxl_region.*pmemctl destroy-region cxl:$cxl_region" <<< "$ERR"

# shellcheck disable=SC2217
sleep 300 < "/dev/$blockdev" &
holder=$!
sleep 0.2
run "$PMEMCTL" disable "cxl:$cxl_region"
expect_status 6 "disable cxl:$cxl_region while /dev/$blockdev is open: refused (exit 6)"
check "... the holder named" grep -q "in use: .*sleep.*disabling refused" <<< "$ERR"
kill "$holder"
wait "$holder" 2> /dev/null

run "$PMEMCTL" disable --dry-run --json "cxl:$cxl_region"
is "$STATUS $(jget '[.dry_run, [.steps[].step]]')" \
	'0 [true,["disable-namespace","disable-region","disable-cxl-region"]]' \
	"disable --dry-run cxl:$cxl_region: the namespace, the nvdimm region, then the CXL region"
is "$(cxl_states "$cxl_region")" "$cxl_region=enabled" "... and nothing changed"
run "$PMEMCTL" disable --json "cxl:$cxl_region"
is "$STATUS $(jget '[.changed, .objects]')" "0 [true,[\"cxl:$cxl_region\"]]" \
	"disable cxl:$cxl_region: exit 0"
is "$(cxl_states "$cxl_region" "$m0" "$m1")" "$cxl_region=disabled $m0=enabled $m1=enabled" \
	"cxl list -i: the region disabled, its memdevs not"
run ndctl list -R -b CXL
is "$OUT" "" "ndctl list: the nvdimm region went with it"
run "$PMEMCTL" list -W --json
is "$(jget '[.decoders[] | .disabled_cxl_regions]')" "[[\"$cxl_region\"]]" \
	"list -W names it among the window's disabled CXL regions"
run "$PMEMCTL" disable "cxl:$cxl_region"
is "$STATUS $OUT" "0 cxl:$cxl_region: already disabled" "disable it again: nothing to do"
run "$PMEMCTL" enable --json "cxl:$cxl_region"
is "$STATUS $(jget '[.changed, [.steps[].step]]')" '0 [true,["enable-cxl-region"]]' \
	"enable cxl:$cxl_region: exit 0"
wait_nd
is "$(cxl_states "$cxl_region")" "$cxl_region=enabled" "cxl list -i: enabled again"
ndctl list -N -b CXL > "$TAP_TMP/ns.json"
is "$(jq -c '[if type == "array" then .[] else . end | [.mode, .state // "enabled"]]' "$TAP_TMP/ns.json")" \
	'[["fsdax","enabled"]]' "its namespace is back from the labels (ndctl list -N)"
blockdev=$(jq -r 'if type == "array" then .[0].blockdev else .blockdev end' "$TAP_TMP/ns.json")

# The nvdimm region alone: its namespace first, the CXL region untouched.
region=$(ndctl list -R -b CXL | jq -r 'if type == "array" then .[0].dev else .dev end')
run "$PMEMCTL" disable --json "$region"
is "$STATUS $(jget '[.steps[].step]')" '0 ["disable-namespace","disable-region"]' \
	"disable $region (the nvdimm region): namespace, then region"
is "$(ndctl list -R -i -r "$region" | jq -r 'if type == "array" then .[0] else . end | .state // "enabled"') $(cxl_states "$cxl_region")" \
	"disabled $cxl_region=enabled" "ndctl list -i: $region disabled; cxl list: $cxl_region still enabled"
run "$PMEMCTL" enable "$region"
is "$STATUS $OUT" "0 $region: enabled" "enable $region: exit 0"
check "the namespace's block device is back" test -b "/dev/$blockdev"

run "$PMEMCTL" destroy-region -f "$region"
expect_status 0 "destroy-region -f $region: the memdevs are free again"

# --- a memdev outside any region ------------------------------------------------
run "$PMEMCTL" disable --json "$m0"
is "$STATUS $(jget '[.changed, .objects, [.steps[] | .step + ":" + .status]]')" \
	"0 [true,[\"$m0\"],[\"disable-memdev:done\"]]" "disable $m0: exit 0, done"
is "$(cxl_states "$m0" "$m1") | $(pm_memdev_states "$m0" "$m1")" \
	"$m0=disabled $m1=enabled | $m0=disabled $m1=enabled" "$m0 disabled: cxl list -i and pmemctl list -C -i agree"
run "$PMEMCTL" list -C -i --json "$m0"
is "$(jget '[.memdevs[].state_reason]')" "[\"cxl_mem is not bound (pmemctl enable $m0)\"]" \
	"list -i says why it is disabled"
run "$PMEMCTL" disable --json "$m0"
is "$STATUS $(jget .changed)" "0 false" "disable $m0 again: nothing to do"
run "$PMEMCTL" create-region "$m0" "$m1"
check "create-region with $m0 disabled fails" test "$STATUS" != 0
check "... saying which pmemctl command enables it" grep -q "pmemctl enable $m0" <<< "$ERR"
run "$PMEMCTL" enable --dry-run "$m0"
expect_status 0 "enable --dry-run $m0: exit 0"
is "$(cxl_states "$m0")" "$m0=disabled" "... and it stays disabled"
run "$PMEMCTL" enable "$m0"
if [ "$STATUS" = 0 ]; then
	is "$OUT" "$m0: enabled" "enable $m0: exit 0"
else
	# After cxl-region.sh's regions, the kernel may refuse to bind the
	# memdev again: cxl-cli is the reference.
	{ printf '%s\n' "$ERR"; dmesg | grep -i cxl | tail -n 15; } | diag
	if cxl enable-memdev "$m0" > "$TAP_TMP/cxl-en" 2>&1; then
		fail "enable $m0: pmemctl failed (exit $STATUS) where cxl enable-memdev succeeds"
	else
		skip "enable $m0: the kernel binds it no more here, cxl enable-memdev fails too: $(tr '\n' ' ' < "$TAP_TMP/cxl-en")"
	fi
fi
is "$(cxl_states "$m0" "$m1") | $(pm_memdev_states "$m0" "$m1")" \
	"$(cxl_states "$m0" "$m1") | $(cxl_states "$m0" "$m1")" "$m0 after enable: cxl list -i and pmemctl list -C -i agree"

done_testing
