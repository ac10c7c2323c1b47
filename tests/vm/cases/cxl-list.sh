#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: pmemctl list on CXL (pmemvm --cxl N): the memdevs (-C) as cxl
# list -M shows them, the CXL region behind the nvdimm region (ways,
# granularity, root decoder, memdevs by position) as cxl list -R -T and
# sysfs show it, the memdev of each nmemN checked against the kernel's own
# mappings, sizes and DIMM keys as ndctl shows them, and the same as a user
# who is not root. With --replay, report and replay give the same.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"
. "$PMEMCTL_SRCDIR/tests/vm/cases/compare.sh"

n=${PMEMVM_CXL:?PMEMVM_CXL: boot with pmemvm --cxl N}
size=$(numfmt --from=iec "$PMEMVM_CXL_SIZE")

as_nobody()
{
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

# The memdev keys cxl list -M shows, pmemctl's way: ram_size 0 where cxl
# omits it.
memdev_keys='sorted([m["memdev"], m["serial"], m.get("pmem_size", 0), m.get("ram_size", 0), m["host"], m.get("numa_node")] for m in j)'
our_memdev_keys=${memdev_keys/ in j)/ in j[\"memdevs\"])}

# --- the memdevs, before any region -------------------------------------------
cxl list -M > "$TAP_TMP/cxl-m.json"
run "$PMEMCTL" list -C --json
expect_status 0 "pmemctl list -C --json exits 0"
printf '%s\n' "$OUT" > "$TAP_TMP/ours-m.json"
is "$(json_file "$TAP_TMP/ours-m.json" 'len(j["memdevs"])')" "$n" "pmemctl list -C: $n memdevs"
is "$(json_file "$TAP_TMP/ours-m.json" "$our_memdev_keys")" \
	"$(json_file "$TAP_TMP/cxl-m.json" "$memdev_keys")" \
	"memdev, serial, pmem_size, ram_size, host, numa_node equal cxl list -M's"
is "$(json_file "$TAP_TMP/ours-m.json" 'sorted({m["pmem_size"] for m in j["memdevs"]})')" "[$size]" \
	"each memdev has $PMEMVM_CXL_SIZE of pmem"

# QEMU 7.2's type-3 device has no Get Health Info: cxl list -H shows no
# health, and pmemctl says null and why.
cxl list -M -H > "$TAP_TMP/cxl-mh.json" 2> /dev/null
is "$(json_file "$TAP_TMP/cxl-mh.json" '[m.get("health") for m in j]')" \
	"$(python3 -c "print([None] * $n)" | sed 's/None/null/g')" \
	"cxl list -M -H: no health from QEMU's devices"
is "$(json_file "$TAP_TMP/ours-m.json" 'sorted({(m["health"], m["health_reason"]) for m in j["memdevs"]})')" \
	'[[null, "the device does not implement Get Health Info"]]' \
	"pmemctl: health null, because the device does not implement Get Health Info"

run "$PMEMCTL" list -C
expect_status 0 "pmemctl list -C (table) exits 0"
is "$(printf '%s\n' "$OUT" | awk 'NR == 1 { print $1 } NR > 1 { print $1 }' | tr '\n' ' ')" \
	"MEMDEV $(json_file "$TAP_TMP/cxl-m.json" '" ".join(sorted(m["memdev"] for m in j))') " \
	"the table: a MEMDEV column, one row per memdev"

# --- a region interleaving all of them ----------------------------------------
memdevs=$(json_file "$TAP_TMP/cxl-m.json" '" ".join(sorted(m["memdev"] for m in j))')
# shellcheck disable=SC2086
run cxl create-region -m -d decoder0.0 -t pmem -w "$n" $memdevs
expect_status 0 "cxl create-region -m -d decoder0.0 -t pmem -w $n $memdevs"
for f in /sys/bus/nd/devices/ndbus*/wait_probe; do
	cat "$f" > /dev/null
done

cxl list -R -T > "$TAP_TMP/cxl-r.json"
cxl_region=$(json_file "$TAP_TMP/cxl-r.json" 'j[0]["region"]')
ref_targets=$(json_file "$TAP_TMP/cxl-r.json" \
	'[[m["memdev"], m["position"], m["decoder"]] for m in sorted(j[0]["mappings"], key=lambda m: m["position"])]')
run ndctl list -R -b CXL
printf '%s\n' "$OUT" > "$TAP_TMP/nd-r.json"
region=$(json_file "$TAP_TMP/nd-r.json" 'j[0]["dev"]')

run "$PMEMCTL" list -R --json
expect_status 0 "pmemctl list -R --json exits 0"
printf '%s\n' "$OUT" > "$TAP_TMP/ours-r.json"
sel="[r for r in j['regions'] if r['dev'] == '$region'][0]"
is "$(json_file "$TAP_TMP/ours-r.json" "${sel}['cxl_region']")" "$cxl_region" \
	"$region (nvdimm) is backed by $cxl_region (cxl)"
is "$(json_file "$TAP_TMP/ours-r.json" "[${sel}['interleave_ways'], ${sel}['interleave_granularity']]")" \
	"$(json_file "$TAP_TMP/cxl-r.json" '[j[0]["interleave_ways"], j[0]["interleave_granularity"]]')" \
	"interleave ways and granularity equal cxl list -R's"
is "$(json_file "$TAP_TMP/ours-r.json" "${sel}['decoder']")" \
	"$(basename "$(dirname "$(readlink -f "/sys/bus/cxl/devices/$cxl_region")")")" \
	"the root decoder is the parent of $cxl_region in sysfs"
is "$(json_file "$TAP_TMP/ours-r.json" "[[m['memdev'], m['position'], m['decoder']] for m in ${sel}['memdevs']]")" \
	"$ref_targets" "memdevs, positions and endpoint decoders equal cxl list -R -T's, in position order"
is "$(json_file "$TAP_TMP/ours-r.json" "${sel}['size']")" "$(json_file "$TAP_TMP/cxl-r.json" 'j[0]["size"]')" \
	"its size is the CXL region's"

# The kernel's own links, read from sysfs alone: the nvdimm mapping at
# position i names nmemN, the CXL region's target i names an endpoint
# decoder under its memdev.
expected_links=$(
	for m in /sys/bus/nd/devices/"$region"/mapping[0-9]*; do
		IFS=, read -r nmem _ _ pos < "$m"
		decoder=$(cat "/sys/bus/cxl/devices/$cxl_region/target$pos")
		port=$(dirname "$(readlink -f "/sys/bus/cxl/devices/$decoder")")
		memdev=$(basename "$(readlink -f "$port/uport")")
		echo "$nmem $memdev"
	done | sort | tr '\n' ' ')
run "$PMEMCTL" list -D --bus CXL --json
expect_status 0 "pmemctl list -D --bus CXL --json exits 0"
printf '%s\n' "$OUT" > "$TAP_TMP/ours-d.json"
is "$(json_file "$TAP_TMP/ours-d.json" '" ".join(sorted(d["dev"] + " " + str(d["memdev"]) for d in j["dimms"])) + " "')" \
	"$expected_links" "each nmemN names the memdev sysfs maps at its position ($expected_links)"
is "$(json_file "$TAP_TMP/ours-d.json" 'sorted({(d["handle"], d["phys_id"]) for d in j["dimms"]})')" \
	'[[null, null]]' "CXL DIMMs: handle and phys_id null (ndctl omits them)"

"$PMEMCTL" list -BDR --json > "$TAP_TMP/ours.json"
ndctl list -BDR > "$TAP_TMP/theirs.json"
if python3 "$compare" "$TAP_TMP/ours.json" "$TAP_TMP/theirs.json" > "$TAP_TMP/cmp" 2>&1; then
	pass "pmemctl list -BDR agrees with ndctl ($(tail -n 1 "$TAP_TMP/cmp" | sed 's/^# //'))"
else
	fail "pmemctl list -BDR agrees with ndctl"
	diag < "$TAP_TMP/cmp"
fi

run "$PMEMCTL" list -R -C "${memdevs%% *}" --json
is "$(json_get "[[r['dev'] for r in j['regions']], [m['memdev'] for m in j['memdevs']]]")" \
	"[[\"$region\"], [\"${memdevs%% *}\"]]" "naming a memdev keeps it and the region it backs"

run "$PMEMCTL" show "$region" --json
expect_status 0 "pmemctl show $region --json exits 0"
is "$(json_get "[[m['memdev'], m['position'], m['decoder']] for m in j['regions'][0]['memdevs']]")" \
	"$ref_targets" "show $region --json: the same memdevs"
run "$PMEMCTL" show "$region"
check "show $region names $cxl_region and its memdevs" \
	grep -Eq "^  cxl_region +$cxl_region\$" <<< "$OUT"

run "$PMEMCTL" list -R -o DEV,CXL_REGION,WAYS,CXL_MEMDEVS -n
is "$(printf '%s\n' "$OUT" | awk -v r="$region" '$1 == r { $1 = ""; print substr($0, 2) }')" \
	"$cxl_region $n $(json_file "$TAP_TMP/cxl-r.json" '", ".join(m["memdev"] for m in sorted(j[0]["mappings"], key=lambda m: m["position"]))')" \
	"the table: CXL_REGION, WAYS, CXL_MEMDEVS in position order"

# --- report and replay (--replay) ---------------------------------------------
# The bundle holds /sys/bus/cxl's devices and each memdev's health answer:
# replayed, the memdevs, the CXL keys of the region and each DIMM's memdev
# are as live, to the byte; libcxl's own cxl list reads the capture as live.
# About 55 s under TCG: only the 2-way test asks for it.
if [ "${1:-}" = --replay ]; then
	replay=$(mktemp -d /tmp/cxl-replay.XXXXXX)
	chmod 755 "$replay"
	run "$PMEMCTL" report "$replay/root.tar.gz"
	expect_status 0 "pmemctl report exits 0"
	for args in "list -C --json" "list -R --json" "list -D --json"; do
		# shellcheck disable=SC2086
		"$PMEMCTL" $args > "$replay/live.json" 2>&1
		# shellcheck disable=SC2086
		run "$PMEMCTL" --sysroot "$replay/root.tar.gz" $args
		is "$STATUS $OUT" "0 $(cat "$replay/live.json")" "replayed = live: pmemctl $args"
	done
	top=$(tar tzf "$replay/root.tar.gz" | head -n 1)
	tar xzf "$replay/root.tar.gz" -C "$replay"
	# cxl lists in readdir order, which a tmpfs does not keep: sort objects.
	sorted_json='
import json, sys
def norm(v):
    if isinstance(v, list):
        return sorted((norm(x) for x in v), key=lambda x: json.dumps(x, sort_keys=True))
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items()}
    return v
print(json.dumps(norm(json.load(open(sys.argv[1]))), sort_keys=True))'
	cxl list -vvv > "$replay/cxl-live.json"
	unshare -m sh -c "mount --make-rprivate / && mount --bind '$replay/${top%/}/sys' /sys && cxl list -vvv" \
		> "$replay/cxl-replay.json" 2>&1
	is "$(python3 -c "$sorted_json" "$replay/cxl-replay.json" 2>&1)" \
		"$(python3 -c "$sorted_json" "$replay/cxl-live.json")" \
		"cxl list -vvv over the capture equals the live one (ports, decoders, targets, regions; order aside)"

	# The bundle holds root's health answer: replayed as nobody, it is what root
	# saw (live, nobody is told health needs root). A bundle nobody writes
	# records that, and says so in not_captured.
	"$PMEMCTL" list -C -R --json > "$replay/live-root.json"
	# report writes its bundle 0600: nobody replays a copy of their own.
	cp "$replay/root.tar.gz" "$replay/root-copy.tar.gz"
	chown 65534 "$replay/root-copy.tar.gz"
	run as_nobody "$PMEMCTL" --sysroot "$replay/root-copy.tar.gz" list -C -R --json
	is "$STATUS $OUT" "0 $(cat "$replay/live-root.json")" "replayed as nobody = live as root"
	chmod 777 "$replay"
	run as_nobody "$PMEMCTL" report -J "$replay/nobody.tar.gz"
	expect_status 0 "pmemctl report as nobody exits 0"
	check "as nobody, not_captured names the memdevs' health" \
		grep -q '"what": "CXL memdev health"' <<< "$OUT"
	as_nobody "$PMEMCTL" list -C -R --json > "$replay/live-nobody.json"
	run as_nobody "$PMEMCTL" --sysroot "$replay/nobody.tar.gz" list -C -R --json
	is "$STATUS $OUT" "0 $(cat "$replay/live-nobody.json")" "nobody's bundle replayed as nobody = live as nobody"
	rm -rf "$replay"
fi

# --- not root -----------------------------------------------------------------
# libcxl reads sysfs; only the health command needs /dev/cxl/memN (0600).
run as_nobody "$PMEMCTL" list -C -R --json
expect_status 0 "as nobody: pmemctl list -C -R --json exits 0"
printf '%s\n' "$OUT" > "$TAP_TMP/nobody.json"
is "$(json_file "$TAP_TMP/nobody.json" "$our_memdev_keys")" \
	"$(json_file "$TAP_TMP/cxl-m.json" "$memdev_keys")" "as nobody: the same memdevs"
is "$(json_file "$TAP_TMP/nobody.json" "[[m['memdev'], m['position'], m['decoder']] for m in ${sel}['memdevs']]")" \
	"$ref_targets" "as nobody: the same region memdevs"
check "as nobody: health_reason says it needs root" \
	grep -q '"health_reason": "health needs root' "$TAP_TMP/nobody.json"

# --- the platform as it was -------------------------------------------------------
# The cases after this one in the same guest start from bare memdevs.
run cxl destroy-region -f "$cxl_region"
expect_status 0 "cxl destroy-region -f $cxl_region: the memdevs bare again"

done_testing
