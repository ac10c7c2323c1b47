#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: `pmemctl list -H` against `ndctl list -DH` on nfit_test's DIMMs
# after injecting different SMART values into each; non-root and a QEMU
# NVDIMM without SMART get nulls, exit 0 and nothing on stderr.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"
compare=$PMEMCTL_SRCDIR/tests/vm/compare-ndctl.py
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

run ndctl list -D -b nfit_test.0
dimms=$(printf '%s' "$OUT" | python3 -c '
import json, sys
j = json.load(sys.stdin)
print(" ".join(sorted(d["dev"] for d in (j if isinstance(j, list) else [j]))))')
check "nfit_test.0 has DIMMs ($dimms)" test -n "$dimms"

# Different values on each DIMM: temperatures, spares, thresholds, fatal
# health, an unsafe shutdown (nfit_test cannot inject the controller's
# temperature, and keeps whole degrees).
i=0
for d in $dimms; do
	case $i in
	0) args=(-m 40 -s 60) ;;
	1) args=(-m 51 -s 30 -S 35 -M 50) ;;
	2) args=(-f -s 12) ;;
	*) args=(-U -m 33) ;;
	esac
	check "ndctl inject-smart $d ${args[*]}" \
		sh -c 'ndctl inject-smart "$@" > /dev/null' sh "$d" "${args[@]}"
	[ $i = 2 ] && fatal=$d
	i=$((i + 1))
done

tmp=$(mktemp -d)
run "$PMEMCTL" list -DH --json
expect_status 0 "list -DH --json: exit 0"
printf '%s' "$OUT" > "$tmp/pmemctl.json"
is "$ERR" "" "list -DH --json: nothing on stderr"
run ndctl list -DH
printf '%s' "$OUT" > "$tmp/ndctl.json"
run python3 "$compare" "$tmp/pmemctl.json" "$tmp/ndctl.json"
expect_status 0 "list -DH: every DIMM's health equals ndctl list -DH key by key"
printf '%s\n' "$OUT" | diag

OUT=$(cat "$tmp/pmemctl.json")
for d in $dimms; do
	nfit=$(json_get "[x['health']['health_state'] for x in j['dimms'] if x['dev'] == '$d'][0]")
	check "$d: a health state ($nfit)" test "$nfit" != null
done
is "$(json_get "[x['health']['health_state'] for x in j['dimms'] if x['dev'] == '$fatal'][0]")" \
	fatal "$fatal: health fatal after inject-smart -f"
d0=${dimms%% *}
is "$(json_get "[x['health']['temperature_celsius'] for x in j['dimms'] if x['dev'] == '$d0'][0]")" \
	40.0 "$d0: temperature 40.0"
is "$(json_get "[x['health']['dirty_shutdown'] for x in j['dimms'] if x['dev'] == '$d0'][0]")" \
	42 "$d0: dirty_shutdown from nfit/dirty_shutdown"

# Without -H: no health key, and no SMART read.
run "$PMEMCTL" list -D --json
is "$(json_get "sum('health' in x for x in j['dimms'])")" 0 "list -D --json: no health object"

# The table: -H adds the health columns.
run "$PMEMCTL" list -H -d "$d0"
expect_status 0 "list -H: exit 0"
check "list -H: the HEALTH column" grep -q "HEALTH.*TEMP.*SPARES.*LIFE_USED.*SHUTDOWN.*SHUTDOWN_COUNT.*DIRTY_SHUTDOWN" <<< "$OUT"
check "list -H: $d0 at 40.0" grep -q "$d0 .*40.0" <<< "$OUT"
printf '%s\n' "$OUT" | diag
run "$PMEMCTL" list -D -o dev,temp,health.spares_percentage --json
is "$(json_get "[x['health'] for x in j['dimms'] if x['dev'] == '$d0'][0]")" \
	'{"temperature_celsius": 40.0, "spares_percentage": 60}' "-o names health keys: only those, nested"

# Non-root: no SMART (the ioctl needs root): nulls, exit 0, quiet off a terminal.
run nobody "$PMEMCTL" list -DH --json
expect_status 0 "non-root list -DH --json: exit 0"
is "$ERR" "" "non-root, stdout not a terminal: nothing on stderr"
is "$(json_get "sorted({x['health']['health_state'] for x in j['dimms']} | {x['health']['temperature_celsius'] for x in j['dimms']})")" \
	"[null]" "non-root: SMART values null"
is "$(json_get "[x['health']['dirty_shutdown'] for x in j['dimms'] if x['dev'] == '$d0'][0]")" \
	42 "non-root: dirty_shutdown still read (sysfs)"
run nobody script -qec "$PMEMCTL list -H" /dev/null
expect_status 0 "non-root list -H on a terminal: exit 0"
is "$(grep -c 'needs root' <<< "$OUT")" 1 "non-root on a terminal: one note"

# The QEMU NVDIMM: no SMART at all, and libndctl's complaints stay hidden.
run "$PMEMCTL" list -DH --json --bus ACPI.NFIT
expect_status 0 "QEMU NVDIMM: list -DH exit 0"
is "$ERR" "" "QEMU NVDIMM: nothing on stderr"
is "$(json_get "[sorted({v for k, v in x['health'].items() if k != 'dirty_shutdown'}, key=str) for x in j['dimms']]")" \
	'[[null]]' "QEMU NVDIMM: every SMART value null"
# dirty_shutdown is what the kernel says, where it has the attribute
# (beside nfit_test, the QEMU DIMM has one too).
q=$(json_get "j['dimms'][0]['dev']")
want=$(cat "/sys/bus/nd/devices/$q/nfit/dirty_shutdown" 2>/dev/null || echo null)
is "$(json_get "j['dimms'][0]['health']['dirty_shutdown']")" "$want" \
	"QEMU NVDIMM $q: dirty_shutdown as sysfs has it ($want)"
run "$PMEMCTL" list -H --bus ACPI.NFIT
is "$ERR" "" "QEMU NVDIMM: list -H table, nothing on stderr"
rm -rf "$tmp"
done_testing
