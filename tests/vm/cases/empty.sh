#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: no persistent memory, nvdimm modules not loaded.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"

check "no nvdimm bus in sysfs" test ! -e /sys/bus/nd/devices/ndbus0

# The version is the schema's: the shape is what this test holds, not the number.
v=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["schema_version"])' \
	"$PMEMCTL_SRCDIR/schemas/pmemctl-list.schema.json")
run "$PMEMCTL" list --json
expect_status 0 "list --json exits 0"
is "$(json_get 'j')" "{\"schema_version\": $v, \"regions\": []}" "default JSON: an empty regions array"
run "$PMEMCTL" list -BDRNX --json
is "$(json_get 'j')" "{\"schema_version\": $v, \"buses\": []}" "-BDRNX JSON: an empty buses array"
run "$PMEMCTL" list -DN --json
is "$(json_get 'j')" "{\"schema_version\": $v, \"dimms\": [], \"namespaces\": []}" "-DN JSON: both arrays, empty"
run "$PMEMCTL" list
expect_status 0 "table exits 0"
is "$OUT$ERR" "" "not a terminal: no output at all"

# On a terminal, one line says why the list is empty.
script -qec "$PMEMCTL list" /dev/null > "$TAP_TMP/tty" 2>&1
is "$?" 0 "on a terminal: exit 0"
check "on a terminal: says no nvdimm bus was found" grep -q 'no nvdimm bus found' "$TAP_TMP/tty"
check "on a terminal: names the modules not loaded" grep -q 'not loaded: libnvdimm, nfit' "$TAP_TMP/tty"
is "$(grep -c . "$TAP_TMP/tty")" 1 "on a terminal: one line"

modprobe nfit > /dev/null 2>&1
script -qec "$PMEMCTL list" /dev/null > "$TAP_TMP/tty" 2>&1
check "after modprobe nfit: says it is loaded" grep -q 'loaded: libnvdimm, nfit' "$TAP_TMP/tty"

done_testing
