#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case (pmemvm --platform current --cxl N --cxl-ram SIZE): volatile CXL
# memory as a memory tier. create-region --type ram (dry run, then for
# real, then again: nothing to do), its dax device devdax with no memory
# online; list -R -X against cxl list -R and daxctl; doctor saying it is
# volatile; convert to system-ram (movable, checked in /proc/meminfo,
# the memory blocks' state and zone, and daxctl), destroy-region refused
# while the memory is online; convert back to devdax; destroy-region.
# Then once more with the memory online: destroy-region --offline. The
# memdevs are free again at the end: run it before the pmem cases.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"
. "$PMEMCTL_SRCDIR/tests/vm/cases/compare.sh"

if [ "${PMEMVM_PLATFORM:-stable}" != current ] || [ "${PMEMVM_CXL_RAM:-0}" = 0 ]; then
	skip "volatile CXL memory" "needs pmemvm --platform current --cxl-ram SIZE (kernel 6.12)"
	done_testing
	exit 0
fi
ram=$(numfmt --from=iec "$PMEMVM_CXL_RAM")
mem=/sys/devices/system/memory
bs=$((0x$(cat $mem/block_size_bytes)))

cxl list -M > "$TAP_TMP/cxl-m.json"
memdevs=$(json_file "$TAP_TMP/cxl-m.json" '" ".join(sorted(m["memdev"] for m in j))')
n=$(wc -w <<< "$memdevs")
is "$(json_file "$TAP_TMP/cxl-m.json" 'sorted({m.get("ram_size", 0) for m in j})')" "[$ram]" \
	"cxl list -M: each memdev has $PMEMVM_CXL_RAM of volatile capacity"
memtotal()
{
	awk '$1 == "MemTotal:" { print $2 * 1024 }' /proc/meminfo
}
total0=$(memtotal)

# --- create-region --type ram ----------------------------------------------------
# shellcheck disable=SC2086
run "$PMEMCTL" create-region --type ram --dry-run --json $memdevs
expect_status 0 "create-region --type ram --dry-run"
is "$(json_get '[j["changed"], j["dry_run"], [s["step"] for s in j["steps"]][-3:]]')" \
	'[false, true, ["commit", "enable", "verify"]]' "the dry run: the plan, nothing done"
cxl list -R > "$TAP_TMP/r0.json" 2> /dev/null
is "$(json_file "$TAP_TMP/r0.json" 'len(j)')" 0 "cxl list -R: the dry run made no region"

# shellcheck disable=SC2086
run "$PMEMCTL" create-region --type ram --json $memdevs
expect_status 0 "create-region --type ram $memdevs: $(json_get 'j["message"]')"
cxlr=$(json_get 'j["cxl_region"]')
dax=$(json_get 'j["chardev"]')
is "$(json_get '[j["changed"], j["region"], j["size"], j["interleave_ways"]]')" \
	"[true, null, $((n * ram)), $n]" "a $n-way ram region of $((n * ram >> 20))M, no nvdimm region"
check "its dax device is named ($dax)" test -n "$dax" -a -e "/sys/bus/dax/devices/$dax"
is "$(cat "/sys/bus/cxl/devices/$cxlr/mode")" ram "the kernel: $cxlr is a ram region"
# shellcheck disable=SC2086
run "$PMEMCTL" create-region --type ram --json $memdevs
expect_status 0 "create-region --type ram again"
is "$(json_get '[j["changed"], j["cxl_region"], j["chardev"]]')" "[false, \"$cxlr\", \"$dax\"]" \
	"again: already there, nothing to do"

daxctl list -d "$dax" > "$TAP_TMP/dax0.json" 2> /dev/null
is "$(json_file "$TAP_TMP/dax0.json" '[j[0]["mode"], j[0]["size"]]')" "[\"devdax\", $((n * ram))]" \
	"daxctl: $dax is devdax: the kernel's auto-online did not take it"
is "$(memtotal)" "$total0" "MemTotal unchanged: none of it is system RAM yet"

# --- list against cxl list -R and daxctl -----------------------------------------
cxl list -R -r "$cxlr" > "$TAP_TMP/cxl-r.json" 2> /dev/null
run "$PMEMCTL" list -R -X --json
expect_status 0 "list -R -X"
json_get "[r for r in j['regions'] if r.get('cxl_region') == '$cxlr']" > "$TAP_TMP/ours.json"
is "$(json_file "$TAP_TMP/ours.json" '[[r["dev"], r["type"], r["persistence_domain"], r["state"]] for r in j]')" \
	"[[\"cxl:$cxlr\", \"ram\", \"none\", \"enabled\"]]" \
	"list -R: cxl:$cxlr, type ram, persistence domain none, enabled"
python3 - "$TAP_TMP/ours.json" "$TAP_TMP/cxl-r.json" > "$TAP_TMP/keys" <<'EOF'
import json, sys
ours = json.load(open(sys.argv[1]))[0]
theirs = json.load(open(sys.argv[2]))[0]
# cxl-cli's keys, ours where the meaning is the same.
keys = {"region": "cxl_region", "size": "size", "interleave_ways": "interleave_ways",
        "interleave_granularity": "interleave_granularity", "type": "type"}
for k, o in keys.items():
    if k in theirs:
        print("%s %s %s" % (k, theirs[k], ours.get(o)))
EOF
while read -r key theirs ours; do
	is "$ours" "$theirs" "list -R agrees with cxl list -R on $key"
done < "$TAP_TMP/keys"
check "cxl list -R and pmemctl share at least region, size, ways, granularity" \
	test "$(wc -l < "$TAP_TMP/keys")" -ge 4
is "$(json_file "$TAP_TMP/ours.json" '[[d["dev"], d["mode"], d.get("namespace"), d.get("region")] for r in j for d in r.get("daxdevs", [])]')" \
	"[[\"$dax\", \"devdax\", null, \"cxl:$cxlr\"]]" "its dax device in it: devdax, no namespace"
run "$PMEMCTL" list -R --json "cxl:$cxlr"
is "$(json_get '[r["dev"] for r in j["regions"]]')" "[\"cxl:$cxlr\"]" "list cxl:$cxlr names it alone"

# --- doctor ------------------------------------------------------------------------
run "$PMEMCTL" doctor --json
is "$(json_get "[[f['severity'], 'persistence domain none' in f['message']] for f in j['findings'] if f['code'] == 'volatile-region' and f['object'] == 'cxl:$cxlr']")" \
	'[["info", true]]' "doctor: cxl:$cxlr is volatile, persistence domain none"

# --- refused while a process has the dax device open ------------------------------
# shellcheck disable=SC2217
sleep 300 < "/dev/$dax" &
holder=$!
sleep 0.2
run "$PMEMCTL" convert --json -m system-ram "$dax"
expect_status 6 "convert $dax while a process has it open: refused, exit 6"
check "the holder named: $(head -n 1 <<< "$ERR")" grep -q "/dev/$dax is open by sleep" <<< "$ERR"
run "$PMEMCTL" destroy-region --json "cxl:$cxlr"
expect_status 6 "destroy-region cxl:$cxlr while $dax is open: refused, exit 6"
kill "$holder"
wait "$holder" 2> /dev/null

# --- to system RAM, movable ---------------------------------------------------------
run "$PMEMCTL" convert --json --dry-run -m system-ram "$dax"
expect_status 0 "convert $dax --mode system-ram --dry-run"
is "$(json_get '[j["changed"], [s["step"] for s in j["steps"]]]')" \
	'[false, ["check", "load-module", "bind-kmem", "online-memory", "verify"]]' "the plan: kmem, online, verify"
is "$(basename "$(readlink "/sys/bus/dax/devices/$dax/driver")")" device_dax \
	"the dry run left it with device_dax"
run "$PMEMCTL" convert --json -m system-ram "$dax"
expect_status 0 "convert $dax --mode system-ram: $(json_get 'j["message"]')"
is "$(json_get '[j["changed"], j["to"]["mode"], j["to"]["zone"]]')" '[true, "system-ram", "movable"]' \
	"the report: system RAM, movable"
node=$(json_get 'j["to"]["target_node"]')
daxctl list -d "$dax" -M > "$TAP_TMP/dax1.json" 2> /dev/null
is "$(json_file "$TAP_TMP/dax1.json" '[j[0]["mode"], j[0]["movable"], j[0]["online_memblocks"] == j[0]["total_memblocks"], j[0]["target_node"]]')" \
	"[\"system-ram\", true, true, $node]" "daxctl: system-ram, movable, every block online, node $node"
start=$(json_file "$TAP_TMP/dax1.json" 'j[0]["mappings"][0]["start"]')
size=$(json_file "$TAP_TMP/dax1.json" 'j[0]["mappings"][0]["size"]')
states= zones=
for ((b = start / bs; b < (start + size) / bs; b++)); do
	states="$states $(cat $mem/memory$b/state)"
	zones="$zones $(cat $mem/memory$b/valid_zones)"
done
is "$(tr ' ' '\n' <<< "$states" | sort -u | xargs)" online "the kernel: blocks $((start / bs))-$(( (start + size) / bs - 1)) online"
is "$(tr ' ' '\n' <<< "$zones" | sort -u | xargs)" Movable "and in ZONE_MOVABLE"
is "$(( $(memtotal) - total0 ))" "$((n * ram))" "/proc/meminfo: MemTotal grew by $((n * ram >> 20))M"
run "$PMEMCTL" list -X --json "$dax"
is "$(json_get '[[d["mode"], d["zone"], d["online_memblocks"], d["target_node"]] for r in j.get("regions", []) for d in r.get("daxdevs", [])] + [[d["mode"], d["zone"], d["online_memblocks"], d["target_node"]] for d in j.get("daxdevs", [])]')" \
	"[[\"system-ram\", \"movable\", $((n * ram / bs)), $node]]" "pmemctl list -X $dax agrees"

# --- destroy-region refused while the memory is online -----------------------------
run "$PMEMCTL" destroy-region --json --dry-run "cxl:$cxlr"
expect_status 6 "destroy-region --dry-run while its memory is online: refused, exit 6"
run "$PMEMCTL" destroy-region --json "cxl:$cxlr"
expect_status 6 "destroy-region while its memory is online: refused, exit 6"
check "it names the dax device and the way out: $(json_get 'j["message"]')" \
	grep -q "$dax is system RAM.*--offline" <<< "$ERR$OUT"
run "$PMEMCTL" disable --json "cxl:$cxlr"
expect_status 6 "disable cxl:$cxlr while its memory is online: refused, exit 6"
is "$(basename "$(readlink "/sys/bus/dax/devices/$dax/driver")") $(( $(memtotal) - total0 ))" "kmem $((n * ram))" \
	"nothing changed: still kmem's, still online"

# --- back to devdax -------------------------------------------------------------------
run "$PMEMCTL" convert --json -m devdax "$dax"
expect_status 0 "convert $dax --mode devdax: $(json_get 'j["message"]')"
is "$(json_get '[j["changed"], [s["step"] for s in j["steps"]]]')" \
	'[true, ["check", "offline-memory", "unbind-kmem", "verify"]]' "offlined, kmem off, verified"
daxctl list -d "$dax" > "$TAP_TMP/dax2.json" 2> /dev/null
is "$(json_file "$TAP_TMP/dax2.json" 'j[0]["mode"]') $(memtotal)" "devdax $total0" \
	"daxctl: devdax again; MemTotal as before"

run "$PMEMCTL" destroy-region --json --dry-run "cxl:$cxlr"
expect_status 0 "destroy-region --dry-run cxl:$cxlr"
check "the dry run left $cxlr in place" test -e "/sys/bus/cxl/devices/$cxlr"
run "$PMEMCTL" destroy-region --json "cxl:$cxlr"
expect_status 0 "destroy-region cxl:$cxlr: $(json_get 'j["message"]')"
cxl list -R > "$TAP_TMP/r1.json" 2> /dev/null
is "$(json_file "$TAP_TMP/r1.json" 'len(j)')" 0 "cxl list -R is empty again"

# --- once more, destroyed with its memory online: --offline -------------------------
# shellcheck disable=SC2086
run "$PMEMCTL" create-region --type ram --json $memdevs
expect_status 0 "create-region --type ram again"
cxlr=$(json_get 'j["cxl_region"]')
dax=$(json_get 'j["chardev"]')
run "$PMEMCTL" convert --json -m system-ram "$dax"
expect_status 0 "$dax to system RAM"
run "$PMEMCTL" destroy-region --json --offline "cxl:$cxlr"
expect_status 0 "destroy-region --offline cxl:$cxlr: $(json_get 'j["message"]')"
is "$(json_get '[s["step"] for s in j["steps"]][:3]')" '["check", "offline-memory", "unbind-kmem"]' \
	"offlined and taken from kmem first"
cxl list -R > "$TAP_TMP/r2.json" 2> /dev/null
is "$(json_file "$TAP_TMP/r2.json" 'len(j)') $(memtotal)" "0 $total0" \
	"no region left, MemTotal as at the start"

done_testing
