#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: the emulated CXL platform (pmemvm --cxl N): cxl-cli sees N memdevs
# with their serials and one root decoder, creates a committed region
# interleaving all of them, and libnvdimm then shows it as a region of a bus
# with provider CXL, which pmemctl lists as ndctl does and which takes an
# fsdax namespace.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"
. "$PMEMCTL_SRCDIR/tests/vm/cases/compare.sh"

n=${PMEMVM_CXL:?PMEMVM_CXL: boot with pmemvm --cxl N}
size=$(numfmt --from=iec "$PMEMVM_CXL_SIZE")
mib256=$((256 << 20))

# py EXPR: a Python expression on the JSON in $OUT (as j); cxl and ndctl
# print a single object bare, so j is always a list here.
py()
{
	printf '%s' "$OUT" | python3 -c '
import json, sys
t = sys.stdin.read().strip()
j = json.loads(t) if t else []
if isinstance(j, dict):
    j = [j]
v = eval(sys.argv[1])
print(json.dumps(v) if not isinstance(v, str) else v)' "$1" 2>&1
}


# --- the memdevs and the window ----------------------------------------------
run cxl list -M
expect_status 0 "cxl list -M exits 0"
memdevs=$(py '" ".join(sorted(m["memdev"] for m in j))')
is "$(py 'len(j)')" "$n" "cxl list -M: $n memdevs ($memdevs)"
is "$(py 'sorted(m["serial"] for m in j)')" \
	"$(python3 -c "print([0x1000 + i for i in range($n)])")" \
	"the serials pmemvm gave (sn=0x1000 + i)"
is "$(py 'sorted({m.get("pmem_size") for m in j})')" "[$size]" \
	"each memdev has $PMEMVM_CXL_SIZE of pmem"
is "$(py 'sorted({m.get("ram_size", 0) for m in j})')" "[0]" "and no volatile capacity"

run cxl list -D -d root
expect_status 0 "cxl list -D -d root exits 0"
is "$(py '[d["decoder"] for d in j]')" '["decoder0.0"]' "one root decoder: decoder0.0"
is "$(py 'j[0]["size"]')" "$(( (size + mib256) * n ))" \
	"the window is N x (size + 256M) = $(( (size + mib256) * n >> 20 ))M"
is "$(py '[j[0].get("pmem_capable"), j[0]["nr_targets"], j[0]["interleave_ways"]]')" \
	'[true, 1, 1]' "pmem capable, one target (the host bridge), not interleaved"

# --- a region interleaving all of them ----------------------------------------
# shellcheck disable=SC2086
run cxl create-region -m -d decoder0.0 -t pmem -w "$n" $memdevs
expect_status 0 "cxl create-region -m -d decoder0.0 -t pmem -w $n $memdevs"
cxl_region=$(py 'j[0]["region"]')
is "$(py '[j[0]["decode_state"], j[0]["interleave_ways"], j[0]["size"]]')" \
	"[\"commit\", $n, $((n * size))]" "$cxl_region: committed, $n ways, $((n * size >> 20))M"
is "$(py '" ".join(sorted(m["memdev"] for m in j[0]["mappings"]))')" "$memdevs" \
	"$cxl_region: maps every memdev"
is "$(py 'sorted(m["position"] for m in j[0]["mappings"])')" \
	"$(python3 -c "print(list(range($n)))")" "$cxl_region: positions 0..$((n - 1))"
run cxl list -R -r "$cxl_region"
is "$(py '[r["decode_state"] for r in j]')" '["commit"]' "cxl list -R: $cxl_region is committed"

# cxl_pmem adds the nvdimm region asynchronously.
for f in /sys/bus/nd/devices/ndbus*/wait_probe; do
	cat "$f" > /dev/null
done

# --- libnvdimm's view: a bus with provider CXL --------------------------------
run ndctl list -B
cxl_bus=$(py '" ".join(b["dev"] for b in j if b["provider"] == "CXL")')
check "ndctl list -B: one bus with provider CXL ($cxl_bus)" test "$(echo "$cxl_bus" | wc -w)" = 1
run ndctl list -R -b CXL
region=$(py '" ".join(r["dev"] for r in j)')
is "$region" "$cxl_region" "ndctl list -R -b CXL: one region, named as cxl's"
is "$(py '[j[0]["size"], j[0].get("persistence_domain")]')" \
	"[$((n * size)), \"memory_controller\"]" "$region: $((n * size >> 20))M, memory_controller"
run ndctl list -D -b CXL
is "$(py 'len(j)')" "$n" "the CXL bus has $n DIMMs (nmem)"

run "$PMEMCTL" list -R --json
expect_status 0 "pmemctl list -R --json exits 0"
is "$(json_get "[[r['provider'], r['bus'], r['size'], r['persistence_domain']] for r in j['regions'] if r['dev'] == '$region']")" \
	"[[\"CXL\", \"$cxl_bus\", $((n * size)), \"memory_controller\"]]" \
	"pmemctl: $region on $cxl_bus, provider CXL, memory_controller"
compare_with_ndctl "pmemctl list -BRN agrees with ndctl" "-BRN" "-BRN"

# --- a namespace on it --------------------------------------------------------
run ndctl create-namespace -r "$region" -m fsdax
expect_status 0 "ndctl create-namespace -r $region -m fsdax"
blockdev=$(py 'j[0].get("blockdev", "")')
check "its block device /dev/$blockdev exists" test -b "/dev/$blockdev"
compare_with_ndctl "pmemctl list -RN --region $region agrees with ndctl" \
	"-RN --region $region" "-RN -r $region"
compare_with_ndctl "pmemctl list -RN --bus CXL (the provider) agrees with ndctl" \
	"-RN --bus CXL" "-RN -b CXL"
run "$PMEMCTL" list -N --region "$region" --json
is "$(json_get "[[x['mode'], x['blockdev'], x['persistence_domain'], x['map_sync']] for x in j['namespaces']]")" \
	"[[\"fsdax\", \"$blockdev\", \"memory_controller\", true]]" \
	"pmemctl: the namespace is fsdax on $blockdev, memory_controller, MAP_SYNC"

# CXL poison: listed on a kernel that has poison lists (6.12), and on 6.1
# the listing still succeeds, saying why there is none.
run "$PMEMCTL" list -M --json --region "$region"
expect_status 0 "pmemctl list -M on a CXL region exits 0"
if [ "${PMEMVM_PLATFORM:-stable}" = current ]; then
	is "$(json_get "[[r['poison_reason'], r.get('badblock_count', 0)] for r in j['regions']]")" \
		"[[null, 0]]" "list -M: $region's poison read (kernel 6.12), none"
else
	is "$(json_get "[r['poison_reason'] for r in j['regions']]")" \
		"[\"not supported by this kernel (CXL poison lists need Linux 6.8 or later)\"]" \
		"list -M: $region's poison not supported by kernel 6.1, said so"
	run "$PMEMCTL" inject-error --dry-run --force "$blockdev" --offset 0
	expect_status 5 "inject-error on CXL with kernel 6.1: no poison injection, exit 5"
	check "it says why: $ERR" grep -q "not supported by this kernel" <<< "$ERR"
fi

# --destroy: the namespace (its label too) and the region go again, for the
# cases after this one in the same guest.
if [ "${1:-}" = --destroy ]; then
	run ndctl destroy-namespace -f all -r "$region"
	expect_status 0 "ndctl destroy-namespace -f all -r $region"
	run cxl destroy-region -f "$region"
	expect_status 0 "cxl destroy-region -f $region: the memdevs bare again"
fi

done_testing
