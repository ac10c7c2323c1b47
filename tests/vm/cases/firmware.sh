#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: DIMM firmware on nfit_test. `list -BDF` against `ndctl list -BDF`
# before and after `update-firmware` stages a random image (nfit_test takes
# any), ndctl then sees the staged version; refusals (non-root, bad images,
# unknown DIMM, a DIMM without firmware commands, a running scrub), the dry
# run, doctor's finding, the metric, a report replayed as live, and the
# activation's plan. It never activates: nfit_test's activation goes
# through the hibernation path, which a 9p-rooted guest does not survive.
# It leaves two DIMMs of nfit_test.0 with an image staged and armed: run it
# last in its boot.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"
compare=$PMEMCTL_SRCDIR/tests/vm/compare-ndctl.py
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
tmp=$(mktemp -d)
# nobody must reach the image: a directory it may enter.
chmod 755 "$tmp"

run ndctl list -D -b nfit_test.0
read -r d0 d1 d2 _ <<< "$(printf '%s' "$OUT" | python3 -c '
import json, sys
j = json.load(sys.stdin)
print(" ".join(sorted((d["dev"] for d in (j if isinstance(j, list) else [j])),
                      key=lambda n: int(n[4:]))))')"
check "nfit_test.0 has three DIMMs ($d0 $d1 $d2)" test -n "$d2"
bus=$(ndctl list -B -b nfit_test.0 | python3 -c 'import json,sys; j=json.load(sys.stdin); print((j[0] if isinstance(j, list) else j)["dev"])')
qemu=$("$PMEMCTL" list -D --bus ACPI.NFIT -rn -o dev | head -1)
# The boot's own scrub must be over before the staging below.
ndctl wait-scrub nfit_test.0 > /dev/null 2>&1

head -c 4096 /dev/urandom > "$tmp/fw.img"
chmod 644 "$tmp/fw.img"
: > "$tmp/empty.img"

compare_ndctl() {
	run "$PMEMCTL" list -BDF --json
	expect_status 0 "list -BDF --json ($1): exit 0"
	printf '%s' "$OUT" > "$tmp/pmemctl.json"
	run ndctl list -BDF
	printf '%s' "$OUT" > "$tmp/ndctl.json"
	run python3 "$compare" "$tmp/pmemctl.json" "$tmp/ndctl.json"
	expect_status 0 "list -BDF equals ndctl list -BDF key by key ($1)"
	printf '%s\n' "$OUT" | diag
}

# --- inventory --------------------------------------------------------------
compare_ndctl "nothing staged"
OUT=$(cat "$tmp/pmemctl.json")
is "$(json_get "[type(x['firmware']['current_version']).__name__ for b in j['buses'] for x in b['dimms'] if x['dev'] == '$d0'] == ['int']")" \
	true "$d0: current_version is an integer, as ndctl's"
is "$(json_get "[(x['firmware']['can_update'], x['firmware']['next_version']) for b in j['buses'] for x in b['dimms'] if x['dev'] == '$d0'][0]")" \
	"[true, null]" "$d0: can_update, nothing staged"
is "$(json_get "[x['firmware'] for x in j['buses'] if x['dev'] == '$bus'][0] is not None")" \
	"true" "$bus: a firmware object (activation)"
method=$(json_get "[x['firmware']['activate_method'] for x in j['buses'] if x['dev'] == '$bus'][0]")
diag "$bus: activate_method $method"
if [ -n "$qemu" ]; then
	is "$(json_get "[list(x['firmware'].values()) for b in j['buses'] for x in b['dimms'] if x['dev'] == '$qemu'][0]")" \
		"[null, null, null, null, null]" "$qemu (QEMU NVDIMM): firmware values null"
fi

run "$PMEMCTL" list -F -d "$d0"
expect_status 0 "list -F (table): exit 0"
check "list -F: the firmware columns (those of a staged image only when one is)" \
	grep -q "FIRMWARE *FW_CAN_UPDATE" <<< "$OUT"
printf '%s\n' "$OUT" | diag

run "$PMEMCTL" show "$d0" --json
is "$(json_get "[j['dimms'][0]['firmware_reason'], j['dimms'][0]['firmware']['can_update']]")" \
	"[null, true]" "show $d0: firmware read, no reason"

run nobody "$PMEMCTL" list -DF --json
expect_status 0 "non-root list -DF --json: exit 0"
is "$ERR" "" "non-root list -DF, off a terminal: nothing on stderr"
is "$(json_get "sorted({x['firmware']['current_version'] for x in j['dimms']})")" \
	"[null]" "non-root: firmware values null"

# --- refusals ---------------------------------------------------------------
refused() { # STATUS WHAT GREP ARGS...
	local status=$1 what=$2 pattern=$3
	shift 3
	run "$@"
	expect_status "$status" "$what: exit $status"
	is "$(printf '%s\n' "$ERR" | grep -vc "^Try 'pmemctl")" 1 "$what: one line on stderr (and a usage hint)"
	check "$what: says why ($pattern)" grep -q -- "$pattern" <<< "$ERR"
	diag "$ERR"
}
refused 4 "non-root" "$d0: updating firmware needs root" \
	nobody "$PMEMCTL" update-firmware --image "$tmp/fw.img" "$d0"
refused 2 "a missing image" "$tmp/none.img: cannot read the image" \
	"$PMEMCTL" update-firmware --image "$tmp/none.img" "$d0"
refused 2 "an empty image" "empty: not a firmware image" \
	"$PMEMCTL" update-firmware --image "$tmp/empty.img" "$d0"
refused 2 "a directory as image" "not a regular file" \
	"$PMEMCTL" update-firmware --image "$tmp" "$d0"
refused 2 "no image" "no image given" "$PMEMCTL" update-firmware "$d0"
refused 3 "an unknown DIMM" "nmem99: no such DIMM" \
	"$PMEMCTL" update-firmware --image "$tmp/fw.img" nmem99
if [ -n "$qemu" ]; then
	refused 5 "a QEMU NVDIMM" "$qemu: cannot update firmware" \
		"$PMEMCTL" update-firmware --image "$tmp/fw.img" "$d0" "$qemu"
fi
refused 2 "--activate with nothing staged" "$d0: no firmware image staged" \
	"$PMEMCTL" update-firmware --activate --dry-run "$d0"

# A scrub running on the bus: refused, even in a dry run. The scrub may
# end before the update looks (nfit_test scrubs quickly): then skip.
run "$PMEMCTL" scrub nfit_test.0 --timeout 0
run "$PMEMCTL" update-firmware --dry-run --image "$tmp/fw.img" "$d0"
if [ "$STATUS" = 6 ]; then
	pass "during a scrub: exit 6"
	check "during a scrub: the reason, and what to do" \
		grep -q "an address range scrub is running on $bus.*--wait-scrub" <<< "$ERR"
	diag "$ERR"
else
	skip "refused during a scrub" "the scrub ended before update-firmware looked (exit $STATUS)"
fi
"$PMEMCTL" scrub nfit_test.0 --wait > /dev/null 2>&1

# Nothing of the above staged anything.
run ndctl list -DF -b nfit_test.0
is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(sum("next_version" in d.get("firmware", {}) for d in json.load(sys.stdin)))')" \
	0 "after the refusals, ndctl sees nothing staged"

# --- dry run ----------------------------------------------------------------
run "$PMEMCTL" update-firmware --dry-run --json --image "$tmp/fw.img" "$d0" "$d1"
expect_status 0 "--dry-run --json: exit 0"
is "$(json_get "[j['changed'], j['dry_run'], j['dimms'], j['updated'], [s['step'] for s in j['steps']]]")" \
	"[false, true, [\"$d0\", \"$d1\"], [], [\"check\", \"stage\", \"verify\", \"stage\", \"verify\"]]" \
	"--dry-run: the plan, nothing updated"
run nobody "$PMEMCTL" update-firmware --dry-run --image "$tmp/fw.img" "$d0"
expect_status 0 "non-root --dry-run: exit 0"
run ndctl list -DF -d "$d0"
check "after --dry-run, ndctl sees nothing staged on $d0" sh -c '! grep -q next_version' <<< "$OUT"

# --- staging ----------------------------------------------------------------
# A scrub started just before: --wait-scrub waits for it, then stages.
run "$PMEMCTL" scrub nfit_test.0 --timeout 0
run "$PMEMCTL" update-firmware --wait-scrub --json --image "$tmp/fw.img" "$d0" "$d1"
expect_status 0 "update-firmware --wait-scrub $d0 $d1: exit 0"
is "$(json_get "[j['changed'], j['updated'], j['activation']]")" \
	"[true, [\"$d0\", \"$d1\"], null]" "the report: both DIMMs updated, no activation"
printf '%s\n' "$(json_get "[s['detail'] for s in j['steps']]")" | diag
staged=$(json_get "[s['detail'] for s in j['steps'] if s['step'] == 'verify'][0]")
run ndctl list -DF -d "$d0"
next=$(printf '%s' "$OUT" | python3 -c 'import json,sys; j=json.load(sys.stdin); j=j[0] if isinstance(j, list) else j; print("0x%x %s" % (j["firmware"]["next_version"], j["firmware"].get("activate_state")))')
check "ndctl sees the staged version on $d0 ($next; $staged)" \
	grep -q "staged version ${next% *}" <<< "$staged"
is "${next#* }" armed "ndctl: $d0 armed"
compare_ndctl "two DIMMs staged"
run "$PMEMCTL" list -F -d "$d0"
check "list -F: $d0's staged version and state in the table" \
	grep -q "FW_STAGED.*FW_STATE" <<< "$OUT"
check "... in hex, armed" grep -q "$d0 .*${next% *} .*armed" <<< "$OUT"
printf '%s\n' "$OUT" | diag

# --- what follows from a staged image ---------------------------------------
run "$PMEMCTL" doctor --json
is "$(json_get "sorted(f['object'] for f in j['findings'] if f['code'] == 'firmware-staged')")" \
	"[\"$d0\", \"$d1\"]" "doctor: firmware-staged on $d0 and $d1"
is "$(json_get "[f['fix'] for f in j['findings'] if f['code'] == 'firmware-staged' and f['object'] == '$d0'][0]")" \
	"activate it in a maintenance window (pmemctl update-firmware --activate $d0), or plan the power cycle that runs it" \
	"doctor: the fix is a pmemctl command"

run "$PMEMCTL" metrics
check "metrics: pmem_dimm_firmware_staged 1 for $d0" \
	grep -q "^pmem_dimm_firmware_staged{dimm=\"$d0\",bus=\"$bus\"} 1" <<< "$OUT"
check "metrics: pmem_dimm_firmware_info names the staged version" \
	grep -q "^pmem_dimm_firmware_info{dimm=\"$d0\",bus=\"$bus\",version=\"0x[0-9a-f]*\",next_version=\"${next% *}\"} 1" <<< "$OUT"

# A report replays the firmware as live.
run "$PMEMCTL" report "$tmp/bundle.tar.gz"
expect_status 0 "report: exit 0"
run "$PMEMCTL" list -BDF --json
printf '%s' "$OUT" > "$tmp/live.json"
run "$PMEMCTL" --sysroot "$tmp/bundle.tar.gz" list -BDF --json
expect_status 0 "replayed list -BDF --json: exit 0"
printf '%s' "$OUT" > "$tmp/replay.json"
check "the replay's list -BDF equals the live one" cmp -s "$tmp/live.json" "$tmp/replay.json"
run "$PMEMCTL" --sysroot "$tmp/bundle.tar.gz" doctor --json
is "$(json_get "sorted(f['object'] for f in j['findings'] if f['code'] == 'firmware-staged')")" \
	"[\"$d0\", \"$d1\"]" "replayed doctor: firmware-staged on $d0 and $d1"

# --- activation: its plan only (see above) ----------------------------------
state=$(cat "/sys/bus/nd/devices/$bus/firmware/activate" 2>/dev/null)
run "$PMEMCTL" update-firmware --activate --dry-run --json "$d0"
diag "$bus: capability $(cat "/sys/bus/nd/devices/$bus/firmware/capability" 2>&1), activate $state"
if [ "$method" = live ] || [ "$method" = suspend ]; then
	expect_status 0 "--activate --dry-run: exit 0"
	is "$(json_get "[s['step'] for s in j['steps']]")" '["check", "activate"]' \
		"--activate --dry-run: check, then activate (planned)"
	is "$(json_get "j['activation']")" "$([ "$method" = live ] && echo live || echo quiesce)" \
		"--activate --dry-run: activation $method"
	check "--activate --dry-run: says what activation does" \
		grep -q "$bus: a \(live activation\|quiesce\)" <<< "$(json_get "j['steps'][1]['detail']")"
else
	expect_status 5 "--activate on a bus that cannot activate ($method): exit 5"
fi
is "$(cat "/sys/bus/nd/devices/$bus/firmware/activate" 2>/dev/null)" "$state" \
	"--activate --dry-run: the bus's activation state unchanged"

# A DIMM failing during its turn stops the run: the report says which
# were updated (the test hook fails the stage step after it ran).
run env PMEMCTL_TEST_FAIL_STEP=stage "$PMEMCTL" update-firmware --json --no-arm --image "$tmp/fw.img" "$d2"
expect_status 1 "a failed stage: exit 1"
is "$(json_get "[j['updated'], j['error'] is not None]")" "[[], true]" "a failed stage: nothing reported updated"

rm -rf "$tmp"
done_testing
