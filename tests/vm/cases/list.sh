#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: `pmemctl list` against `ndctl list` on the booted topology, after
# creating namespaces in all four modes and a disabled one.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"
. "$PMEMCTL_SRCDIR/tests/vm/cases/compare.sh"

case "$PMEMVM_DOMAIN" in
hidden) nfit_domain=unknown ;;
*) nfit_domain=$PMEMVM_DOMAIN ;;
esac

# --- namespaces in every mode -------------------------------------------------
setup()
{
	ndctl "$@" > /dev/null 2> "$TAP_TMP/setup.err" ||
		{ echo "setup failed: ndctl $*"; cat "$TAP_TMP/setup.err"; } | diag
}

if [ "$PMEMVM_NVDIMMS" -ge 2 ]; then
	if [ "$PMEMVM_LABELS" = init ]; then
		setup create-namespace -r region0 -m fsdax -s 256M -n fast-fs
		setup create-namespace -r region0 -m devdax -s 256M -a 2M
		setup create-namespace -r region0 -m raw -s 128M
		setup create-namespace -r region1 -m sector -s 128M
		setup create-namespace -r region1 -m fsdax -s 128M -M mem
		disabled=$(ndctl list -N -r region1 -m fsdax | python3 -c \
			'import json,sys; d=json.load(sys.stdin); d=d if isinstance(d,list) else [d]; print(d[0]["dev"])')
		setup disable-namespace "$disabled"
	else
		# Label-less DIMMs: one namespace spans each region; convert it.
		setup create-namespace -f -e namespace0.0 -m fsdax
		setup create-namespace -f -e namespace1.0 -m devdax -a 4K
	fi
fi

# --- pmemctl and ndctl agree -------------------------------------------------

compare_with_ndctl "everything, idle included: list -BDRNX -i" "-BDRNX -i" "-BDRNX -i"
compare_with_ndctl "everything enabled: list -BDRNX" "-BDRNX" "-BDRNX"
compare_with_ndctl "default list = regions with namespaces (ndctl -RN)" "" "-RN"
compare_with_ndctl "namespaces only: list -N" "-N" "-N"
compare_with_ndctl "DIMMs only: list -D" "-D" "-D"
compare_with_ndctl "regions of ndbus0: list -R --bus ndbus0" "-R --bus ndbus0" "-R -b ndbus0"
compare_with_ndctl "devdax namespaces: list -N -m devdax" "-N -m devdax" "-N -m devdax"

# --- the shape of the JSON ---------------------------------------------------
run "$PMEMCTL" list -BDRNX -i --json
expect_status 0 "list -BDRNX -i --json exits 0"
is "$(json_get 'sorted(j.keys())')" '["buses", "schema_version"]' "top level: one object with buses (and schema_version)"
is "$(json_get 'all(isinstance(r["size"], int) for b in j["buses"] for r in b["regions"])')" \
	true "region sizes are integers"
is "$(json_get 'all(isinstance(r["namespaces"], list) for b in j["buses"] for r in b["regions"])')" \
	true "every region has a namespaces array"

nr_nfit=$(json_get 'sum(1 for b in j["buses"] if b["provider"] == "ACPI.NFIT" for r in b["regions"])')
if [ "$PMEMVM_NVDIMMS" -gt 0 ]; then
	is "$nr_nfit" "$PMEMVM_NVDIMMS" "one NFIT region per NVDIMM"
	is "$(json_get 'sorted({r["persistence_domain"] for b in j["buses"] if b["provider"] == "ACPI.NFIT" for r in b["regions"]})')" \
		"[\"$nfit_domain\"]" "NFIT regions report persistence domain $nfit_domain"
	is "$(json_get 'sorted({r["deep_flush"] for b in j["buses"] if b["provider"] == "ACPI.NFIT" for r in b["regions"]})')" \
		'["read-only"]' "QEMU NVDIMM regions: deep_flush read-only (no flush hints)"
	is "$(stat -c %a /sys/bus/nd/devices/region0/deep_flush)" 444 \
		"sysfs agrees: region0/deep_flush is 0444"
	is "$(json_get '[n["persistence_domain"] for b in j["buses"] for r in b["regions"] for n in r["namespaces"] if r["dev"] == "region0"][:1]')" \
		"[\"$nfit_domain\"]" "a namespace carries its region's persistence domain"
fi
if [ "$PMEMVM_VIRTIO" -gt 0 ]; then
	virtio='[r for b in j["buses"] if b["provider"] == "virtio-pmem" for r in b["regions"]]'
	is "$(json_get "len($virtio)")" "$PMEMVM_VIRTIO" "one virtio-pmem region per device"
	is "$(json_get "sorted({(r['persistence_domain'], r['deep_flush']) for r in $virtio})")" \
		'[["unknown", "absent"]]' "virtio-pmem regions: domain unknown, deep_flush absent"
	is "$(json_get "sorted({n['mode'] + ' ' + n['blockdev'][:4] for r in $virtio for n in r['namespaces']})")" \
		'["fsdax pmem"]' "virtio-pmem namespaces are fsdax with a pmem block device"
fi
if [ -n "$PMEMVM_MEMMAP" ]; then
	is "$(json_get '[(r["persistence_domain"], r["deep_flush"], r["size"]) for b in j["buses"] if b["provider"] == "e820" for r in b["regions"]]')" \
		'[["unknown", "absent", 268435456]]' "legacy memmap region: 256M, domain unknown, deep_flush absent"
fi

if [ "$PMEMVM_NVDIMMS" -ge 2 ] && [ "$PMEMVM_LABELS" = init ]; then
	is "$(json_get 'sorted({n["mode"] for b in j["buses"] for r in b["regions"] for n in r["namespaces"] if n["size"]})')" \
		'["devdax", "fsdax", "raw", "sector"]' "namespaces in all four modes"
	is "$(json_get '[n["name"] for b in j["buses"] for r in b["regions"] for n in r["namespaces"] if n["name"]]')" \
		'["fast-fs"]' "a namespace's label name is shown"
	is "$(json_get '[x["dev"] for b in j["buses"] for r in b["regions"] for n in r["namespaces"] for x in n["daxdevs"]]')" \
		'["dax0.1"]' "the devdax namespace carries its dax device"
	run "$PMEMCTL" list -N --json "$disabled"
	is "$(json_get '[n["state"] for n in j["namespaces"]]')" '["disabled"]' \
		"a named disabled namespace is shown, state disabled"
	run "$PMEMCTL" list -N --json
	is "$(json_get "[n for n in j['namespaces'] if n['dev'] == '$disabled']")" '[]' \
		"a disabled namespace is hidden without -i"
fi

# --- filters -------------------------------------------------------------------
if [ "$PMEMVM_NVDIMMS" -gt 0 ]; then
	run "$PMEMCTL" list --json region0
	is "$(json_get '[r["dev"] for r in j["regions"]]')" '["region0"]' "list region0: that region only"
	run "$PMEMCTL" list --json --region 0
	is "$(json_get '[r["dev"] for r in j["regions"]]')" '["region0"]' "--region 0 means region0"
	run "$PMEMCTL" list -R --json -d nmem1
	is "$(json_get '[r["dev"] for r in j["regions"]]')" '["region1"]' "-d nmem1: the region using nmem1"
fi
run "$PMEMCTL" list --json -m raw -m devdax
expect_status 0 "-m given twice: the last one counts"

# --- table output --------------------------------------------------------------
run "$PMEMCTL" list
expect_status 0 "table output exits 0"
check "table has a header line" test "$(printf '%s\n' "$OUT" | head -n 1 | awk '{print $1}')" = DEV
run "$PMEMCTL" list -rn -o DEV
names=$(printf '%s\n' "$OUT" | tr '\n' ' ')
expected=$(ndctl list -RN | python3 -c '
import json, sys
d = json.load(sys.stdin)
d = d if isinstance(d, list) else d.get("regions", [d])
for r in sorted(d, key=lambda r: int(r["dev"][6:])):
    print(r["dev"])
    for n in sorted(r.get("namespaces", []), key=lambda n: n["dev"]):
        print(n["dev"])' | tr '\n' ' ')
is "$names" "$expected" "list -rn -o DEV: one name per line, regions then their namespaces"
run "$PMEMCTL" list -o DEV,SIZE -b -r
check "-b -r: sizes in bytes" grep -q '^region0 1073' <<< "$OUT"
run "$PMEMCTL" list -o +UUID
expect_status 0 "-o +UUID adds a column"
check "the added column is last" test "$(printf '%s\n' "$OUT" | head -n 1 | awk '{print $NF}')" = UUID

# --- errors --------------------------------------------------------------------
run "$PMEMCTL" list region9
expect_status 3 "unknown region: exit 3"
is "$ERR" "pmemctl: region9: no such region" "unknown region: one clear message"
run "$PMEMCTL" list --namespace namespace7.3
expect_status 3 "unknown namespace: exit 3"
is "$ERR" "pmemctl: namespace7.3: no such namespace" "unknown namespace named"
run "$PMEMCTL" list --bogus
expect_status 2 "bad option: exit 2"
check "bad option: usage hint" grep -q "Try 'pmemctl list --help'" <<< "$ERR"
run "$PMEMCTL" list -o DEV,NOPE
expect_status 2 "unknown column: exit 2"
run "$PMEMCTL" list -m bogus
expect_status 2 "unknown mode: exit 2"
run "$PMEMCTL" list -BDRNX --json -i -o +UUID
"$PMEMCTL" list -BDRNX -i --json > /dev/full 2> "$TAP_TMP/full.err"
STATUS=$?
is "$STATUS" 1 "stdout on a full disk: exit 1"
check "full disk: write error reported" grep -q 'write error' "$TAP_TMP/full.err"

# --- non-root -------------------------------------------------------------------
"$PMEMCTL" list -BDRNX -i --json > "$TAP_TMP/root.json"
setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$PMEMCTL" list -BDRNX -i --json > "$TAP_TMP/user.json" 2> "$TAP_TMP/user.err"
STATUS=$?
is "$STATUS" 0 "non-root list exits 0"
if cmp -s "$TAP_TMP/root.json" "$TAP_TMP/user.json"; then
	pass "non-root sees what root sees"
else
	fail "non-root sees what root sees"
	diff "$TAP_TMP/root.json" "$TAP_TMP/user.json" | head -n 20 | diag
fi

# --- memory: clean under valgrind ---------------------------------------------
# What only reads runs on the host, on this platform's report replayed
# (valgrind_on_host), expected to exit as it does here; what writes or
# needs the devices runs here.
if [ "${1:-}" = --valgrind ]; then
	if command -v valgrind > /dev/null; then
		"$PMEMCTL" report -f "$TAP_TMP/list-adr.tar.gz" > /dev/null 2>&1
		check "report: this platform captured for the host's valgrind runs" \
			test -s "$TAP_TMP/list-adr.tar.gz"
		for args in "list -BDRNX -i --json" "list -BDRNX -i -o +UUID,STATE" \
			    "list region9" "show --json" "show -b namespace0.0"; do
			# shellcheck disable=SC2086
			"$PMEMCTL" $args > /dev/null 2>&1
			valgrind_on_host --status $? "$TAP_TMP/list-adr.tar.gz" "$args"
		done
		for args in "deep-flush --json all" "deep-flush --method fsync region0" \
			    "convert --dry-run -m devdax namespace0.0"; do
			# shellcheck disable=SC2086
			valgrind -q --error-exitcode=99 --leak-check=full \
				--errors-for-leak-kinds=definite,indirect \
				"$PMEMCTL" $args > /dev/null 2> "$TAP_TMP/vg"
			if [ $? -ne 99 ]; then
				pass "valgrind: $args: no errors, no leaks"
			else
				fail "valgrind: $args"
				diag < "$TAP_TMP/vg"
			fi
		done
	else
		skip "valgrind" "valgrind not installed"
	fi
fi

done_testing
