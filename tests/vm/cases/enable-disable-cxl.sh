#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: pmemctl enable and disable of CXL memdevs and CXL regions
# (pmemvm --cxl 2), each state compared with what cxl list -i and ndctl
# list -i say; refused while the region's namespace is open (exit 6), a
# memdev of a region refused, dry runs, idempotence. Runs after
# cxl-region.sh in its guest: it starts from bare memdevs and makes its
# own region, destroyed at the end.
. "$PMEMCTL_SRCDIR/tests/lib/tap.sh"

wait_nd()
{
	for f in /sys/bus/nd/devices/ndbus*/wait_probe; do
		cat "$f" > /dev/null 2>&1
	done
}

# cxl_states NAME...: NAME=enabled|disabled|absent, as cxl list -i says of
# memdevs (memN) and regions (regionN); one Python per call (TCG).
cxl_states()
{
	cxl list -i -M -R 2> /dev/null | python3 -c '
import json, sys
t = sys.stdin.read().strip()
j = json.loads(t) if t else []
j = j if isinstance(j, list) else [j]
seen = {}
def walk(v):
    if isinstance(v, dict):
        for key in ("memdev", "region"):
            if isinstance(v.get(key), str):
                seen.setdefault(v[key], v.get("state", "enabled"))
        for x in v.values():
            walk(x)
    elif isinstance(v, list):
        for x in v:
            walk(x)
walk(j)
print(" ".join(n + "=" + seen.get(n, "absent") for n in sys.argv[1:]))' "$@"
}

# pm_memdev_states NAME...: the same, as pmemctl list -C -i says.
pm_memdev_states()
{
	"$PMEMCTL" list -C -i -rn -o MEMDEV,STATE | awk -v want="$*" '
	{ s[$1] = $2 }
	END { n = split(want, w, " "); for (i = 1; i <= n; i++) printf "%s%s=%s", i > 1 ? " " : "", w[i], (w[i] in s) ? s[w[i]] : "absent"; print "" }'
}

read -r m0 m1 < <(cxl list -M | python3 -c 'import json, sys; print(" ".join(sorted(m["memdev"] for m in json.load(sys.stdin))))')
diag <<< "memdevs $m0 $m1"

# --- a memdev outside any region ------------------------------------------------
run "$PMEMCTL" disable --json "$m0"
is "$STATUS $(json_get '[j["changed"], j["objects"], [s["step"] + ":" + s["status"] for s in j["steps"]]]')" \
	"0 [true, [\"$m0\"], [\"disable-memdev:done\"]]" "disable $m0: exit 0, done"
is "$(cxl_states "$m0" "$m1") | $(pm_memdev_states "$m0" "$m1")" \
	"$m0=disabled $m1=enabled | $m0=disabled $m1=enabled" "$m0 disabled: cxl list -i and pmemctl list -C -i agree"
run "$PMEMCTL" disable --json "$m0"
is "$STATUS $(json_get 'j["changed"]')" "0 false" "disable $m0 again: nothing to do"
run "$PMEMCTL" create-region "$m0" "$m1"
check "create-region with $m0 disabled fails" test "$STATUS" != 0
check "... saying which pmemctl command enables it" grep -q "pmemctl enable $m0" <<< "$ERR"
run "$PMEMCTL" enable --dry-run "$m0"
expect_status 0 "enable --dry-run $m0: exit 0"
is "$(cxl_states "$m0")" "$m0=disabled" "... and it stays disabled"
run "$PMEMCTL" enable "$m0"
is "$STATUS $OUT" "0 $m0: enabled" "enable $m0: exit 0"
is "$(cxl_states "$m0" "$m1") | $(pm_memdev_states "$m0" "$m1")" \
	"$m0=enabled $m1=enabled | $m0=enabled $m1=enabled" "$m0 enabled: cxl list -i and pmemctl list -C -i agree"

# --- a CXL region -----------------------------------------------------------------
run "$PMEMCTL" create-region --json "$m0" "$m1"
expect_status 0 "create-region $m0 $m1 exits 0"
region=$(json_get 'j["region"]')
cxl_region=$(json_get 'j["cxl_region"]')
wait_nd
run "$PMEMCTL" create-namespace --json -m fsdax -s 256M "$region"
expect_status 0 "create-namespace on $region exits 0"
blockdev=$(json_get 'j["blockdev"]')

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
is "$STATUS $(json_get '[j["dry_run"], [s["step"] for s in j["steps"]]]')" \
	'0 [true, ["disable-namespace", "disable-region", "disable-cxl-region"]]' \
	"disable --dry-run cxl:$cxl_region: the namespace, the nvdimm region, then the CXL region"
is "$(cxl_states "$cxl_region")" "$cxl_region=enabled" "... and nothing changed"
run "$PMEMCTL" disable --json "cxl:$cxl_region"
is "$STATUS $(json_get '[j["changed"], j["objects"]]')" "0 [true, [\"cxl:$cxl_region\"]]" \
	"disable cxl:$cxl_region: exit 0"
is "$(cxl_states "$cxl_region" "$m0" "$m1")" "$cxl_region=disabled $m0=enabled $m1=enabled" \
	"cxl list -i: the region disabled, its memdevs not"
run ndctl list -R -b CXL
is "$OUT" "" "ndctl list: the nvdimm region went with it"
run "$PMEMCTL" disable "cxl:$cxl_region"
is "$STATUS $OUT" "0 cxl:$cxl_region: already disabled" "disable it again: nothing to do"
run "$PMEMCTL" enable --json "cxl:$cxl_region"
is "$STATUS $(json_get '[j["changed"], [s["step"] for s in j["steps"]]]')" \
	'0 [true, ["enable-cxl-region"]]' "enable cxl:$cxl_region: exit 0"
wait_nd
is "$(cxl_states "$cxl_region")" "$cxl_region=enabled" "cxl list -i: enabled again"
ndctl list -N -b CXL > "$TAP_TMP/ns.json"
is "$(python3 -c 'import json, sys; t = open(sys.argv[1]).read().strip(); j = json.loads(t) if t else []; j = j if isinstance(j, list) else [j]; print([(n["mode"], n.get("state", "enabled"), n["blockdev"]) for n in j])' "$TAP_TMP/ns.json")" \
	"[('fsdax', 'enabled', '$blockdev')]" "its namespace is back from the labels (ndctl list -N)"

# The nvdimm region alone: its namespace first, the CXL region untouched.
run "$PMEMCTL" disable --json "$region"
is "$STATUS $(json_get '[s["step"] for s in j["steps"]]')" '0 ["disable-namespace", "disable-region"]' \
	"disable $region (the nvdimm region): namespace, then region"
ndctl list -R -i -r "$region" > "$TAP_TMP/r.json"
is "$(python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); j = j if isinstance(j, list) else [j]; print(j[0].get("state", "enabled"))' "$TAP_TMP/r.json") $(cxl_states "$cxl_region")" \
	"disabled $cxl_region=enabled" "ndctl list -i: $region disabled; cxl list: $cxl_region still enabled"
run "$PMEMCTL" enable "$region"
is "$STATUS $OUT" "0 $region: enabled" "enable $region: exit 0"
check "the namespace's block device is back" test -b "/dev/$blockdev"

run "$PMEMCTL" destroy-region -f "$region"
expect_status 0 "destroy-region -f $region: the platform is bare again"

done_testing
