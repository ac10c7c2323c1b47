#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: a CXL memdev's security and firmware. On the stable platform
# (kernel 6.1, QEMU 7.2) what it has: no security state, no upload class
# (exit 5), the revision and Get FW Info. On the current platform (pmemvm
# --platform current --cxl 2: kernel 6.12, QEMU 10): list -C and
# show against sysfs (cxl-cli 76 shows neither security nor firmware);
# sanitize-dimm on a memdev: refused while a 1-way region maps it, the
# plan, --force required, Secure Erase absent (QEMU 10 implements Sanitize
# only), a sanitize waited for with --timeout (exit 12), doctor and list
# while it runs, then waited for on a terminal (the progress line); a
# pattern written through a raw namespace survives the region's
# re-creation before, and is zeros after. update-firmware of a memdev
# through the firmware upload class: the staged slot in list -C -F,
# doctor, metrics and a report's replay. Leaves no region; mem1 keeps its image staged until the next
# boot (nothing but a reset unstages it).
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"
. "$PMEMCTL_SRCDIR/tests/vm/cases/compare.sh"

cxldev=/sys/bus/cxl/devices

# The stable platform (kernel 6.1, QEMU 7.2): no security/ directory, no
# firmware upload class; the running revision and Get FW Info only.
if [ "${PMEMVM_PLATFORM:-stable}" != current ]; then
	run "$PMEMCTL" list -C --json
	expect_status 0 "list -C --json (kernel 6.1)"
	check "kernel 6.1 has no security/state for memdevs" test ! -e $cxldev/mem0/security/state
	is "$(json_get 'sorted({(m["security"], m["security_frozen"]) for m in j["memdevs"]})')" \
		'[[null, null]]' "security and security_frozen null: the kernel has none"
	run "$PMEMCTL" list -C -F --json mem0
	is "$(json_get '[j["memdevs"][0]["firmware"][k] for k in ("current_version", "can_update", "num_slots", "active_slot", "staged_slot")]')" \
		"[\"$(cat $cxldev/mem0/firmware_version)\", false, 2, 1, null]" \
		"firmware: sysfs firmware_version, no upload class; QEMU 7.2's Get FW Info: 2 slots, slot 1 active"
	run "$PMEMCTL" sanitize-dimm -f --json mem0
	expect_status 5 "sanitize-dimm mem0 on kernel 6.1: exit 5, $(json_get 'j["message"]')"
	head -c 4096 /dev/urandom > "$TAP_TMP/fw.img"
	run "$PMEMCTL" update-firmware --json --image "$TAP_TMP/fw.img" mem0
	expect_status 5 "update-firmware mem0 on kernel 6.1: exit 5, $(json_get 'j["message"]')"
	done_testing
	exit 0
fi

# like GOT REGEX DESCRIPTION
like()
{
	if [[ $1 =~ $2 ]]; then
		pass "$3"
	else
		fail "$3"
		printf 'got:      %s\nexpected: /%s/\n' "$1" "$2" | diag
	fi
}

wait_nd()
{
	for f in /sys/bus/nd/devices/ndbus*/wait_probe; do
		cat "$f" > /dev/null 2>&1
	done
}

# --- list -C: security, against sysfs and cxl-cli -------------------------------
run "$PMEMCTL" list -C --json
expect_status 0 "list -C --json"
is "$(json_get '[[m["memdev"], m["security"], m["security_frozen"]] for m in j["memdevs"]]')" \
	"[[\"mem0\", \"$(cat $cxldev/mem0/security/state)\", false], [\"mem1\", \"$(cat $cxldev/mem1/security/state)\", false]]" \
	"list -C: each memdev's security as sysfs security/state reads it"
run cxl list -M
is "$(json_file <(printf '%s' "$OUT") 'sorted([m["memdev"], "security" in m, "firmware" in m] for m in j)')" \
	'[["mem0", false, false], ["mem1", false, false]]' \
	"cxl list -M (ndctl 76, in readdir order: sorted) names the same memdevs, with neither security nor firmware"
run "$PMEMCTL" list -C -rn -o MEMDEV,SECURITY
is "$OUT" "$(printf 'mem0 disabled\nmem1 disabled')" "list -C -o MEMDEV,SECURITY: the table"

# --- list -C -F and show: firmware ------------------------------------------------
run "$PMEMCTL" list -C -F --json mem1
expect_status 0 "list -C -F --json mem1"
fw=$(cat $cxldev/mem1/firmware_version)
is "$(json_get '[j["memdevs"][0]["firmware"][k] for k in ("current_version", "can_update", "num_slots", "active_slot", "staged_slot", "next_version", "need_powercycle", "update_status")]')" \
	"[\"$fw\", true, 2, 1, null, null, false, \"idle\"]" \
	"firmware: the running version as sysfs firmware_version ($fw), the upload class, two slots, the first active, none staged"
is "$(json_get 'j["memdevs"][0]["firmware"]["slot_versions"][1]')" "" "slot 2 is empty"
check "the firmware upload class is there: /sys/class/firmware/mem1" test -e /sys/class/firmware/mem1/loading
run "$PMEMCTL" show --json mem1
expect_status 0 "show mem1"
is "$(json_get '[j["memdevs"][0]["security"], j["memdevs"][0]["firmware"]["current_version"], j["memdevs"][0]["firmware"]["num_slots"], j["memdevs"][0]["firmware_reason"]]')" \
	"[\"disabled\", \"$fw\", 2, null]" "show mem1: security, firmware, firmware_reason null (Get FW Info answered)"

# --- a pattern on mem0, through a 1-way region and a raw namespace --------------------
# raw_ns REGION: the region's namespace (back from the labels), or a new one.
raw_ns()
{
	local r=$1 ns
	wait_nd
	ns=$(ndctl list -N -r "$r" 2> /dev/null | python3 -c '
import json, sys
t = sys.stdin.read().strip()
j = json.loads(t) if t else []
j = j if isinstance(j, list) else [j]
print(" ".join(n["blockdev"] for n in j if n.get("blockdev")))')
	if [ -n "$ns" ]; then
		echo "$ns labels"
		return
	fi
	ndctl create-namespace -r "$r" -m raw -s 64M 2> /dev/null |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["blockdev"], "new")'
}
pattern="pmemctl-sanitize-$$-$(date +%s)"
read_at() { dd if="/dev/$1" bs=4096 skip=256 count=1 iflag=direct 2> /dev/null | tr -d '\0'; }

run "$PMEMCTL" create-region --json mem0
expect_status 0 "create-region mem0 (1-way)"
ndr=$(json_get 'j["region"]')
cxlr=$(json_get 'j["cxl_region"]')
read -r pmem how < <(raw_ns "$ndr")
printf '%s' "$pattern" | dd of="/dev/$pmem" bs=4096 seek=256 conv=sync,fsync oflag=direct 2> /dev/null
is "$(read_at "$pmem")" "$pattern" "a pattern at 1 MiB of /dev/$pmem ($how raw namespace on $ndr)"

run "$PMEMCTL" sanitize-dimm -f --json mem0
expect_status 6 "sanitize-dimm mem0 while $cxlr maps it: refused, exit 6"
like "$(json_get 'j["message"]')" "backs CXL region $cxlr.*destroy-region cxl:$cxlr" \
	"... the message names the region and the fix: $(json_get 'j["message"]')"
run "$PMEMCTL" sanitize-dimm --dry-run -f mem0
expect_status 6 "... and --dry-run says the same"

run "$PMEMCTL" destroy-region --force "$ndr"
expect_status 0 "destroy-region $ndr"
run "$PMEMCTL" create-region --json mem0
expect_status 0 "create-region mem0 again (control)"
ndr=$(json_get 'j["region"]')
read -r pmem how < <(raw_ns "$ndr")
is "$(read_at "$pmem")" "$pattern" \
	"control: the pattern survives the region's re-creation ($how namespace /dev/$pmem)"
before=$how
run "$PMEMCTL" destroy-region --force "$ndr"
expect_status 0 "destroy-region $ndr: mem0 maps no region"

# --- the sanitize ----------------------------------------------------------------
run "$PMEMCTL" sanitize-dimm --dry-run --json mem0
expect_status 0 "sanitize-dimm --dry-run mem0: $(json_get 'j["message"]')"
is "$(json_get '[j["changed"], [[s["step"], s["status"]] for s in j["steps"]]]')" \
	'[false, [["check", "done"], ["sanitize", "planned"], ["wait", "planned"], ["verify", "planned"]]]' \
	"the plan: check, sanitize, wait, verify; nothing changed"
run "$PMEMCTL" sanitize-dimm mem0
expect_status 9 "sanitize-dimm mem0 without --force (no terminal): refused, exit 9"
is "$(cat $cxldev/mem0/security/state)" disabled "... and nothing started"
check "QEMU 10 has no Secure Erase: no security/erase" test ! -e $cxldev/mem0/security/erase
run "$PMEMCTL" sanitize-dimm -c -f mem0
expect_status 5 "sanitize-dimm -c mem0 (Secure Erase): exit 5, $(head -n 1 <<< "$ERR")"
run "$PMEMCTL" sanitize-dimm -c --timeout 5 mem0
expect_status 2 "--timeout with -c: exit 2"

t0=$(date +%s)
run "$PMEMCTL" sanitize-dimm -f --timeout 1 --json mem0
expect_status 12 "sanitize-dimm -f --timeout 1 mem0: exit 12, $(json_get 'j["message"]')"
is "$(json_get '[[s["step"], s["status"]] for s in j["steps"]]')" \
	'[["check", "done"], ["sanitize", "done"], ["wait", "failed"]]' "started, and not waited for"
run "$PMEMCTL" list -C --json mem0
is "$(json_get 'j["memdevs"][0]["security"]')" sanitize "list -C: security sanitize while it runs"
is "$(cat $cxldev/mem0/security/state)" sanitize "... as sysfs"
run "$PMEMCTL" doctor --json
is "$(json_get '[f["object"] for f in j["findings"] if f["code"] == "memdev-sanitize"]')" '["mem0"]' \
	"doctor: a sanitize of mem0 in progress"
# The progress line needs a terminal: script(1) gives it one.
script -qec "$PMEMCTL sanitize-dimm -f mem0" /dev/null > "$TAP_TMP/tty" 2>&1
STATUS=$?
expect_status 0 "sanitize-dimm -f mem0 again, on a terminal: waits for it to end"
check "... with a progress line (mem0: sanitizing, N s)" grep -aq 'mem0: sanitizing, [0-9]* s' "$TAP_TMP/tty"
like "$(tr '\r' '\n' < "$TAP_TMP/tty" | grep -a 'sanitized' | tail -1)" "sanitized: all its data is gone" \
	"... and says it is done"
diag <<< "the sanitize took about $(( $(date +%s) - t0 )) s (QEMU 10: 4 s for 512M)"
is "$(cat $cxldev/mem0/security/state)" disabled "security/state reads disabled again"

run "$PMEMCTL" create-region --json mem0
expect_status 0 "create-region mem0 after the sanitize"
ndr=$(json_get 'j["region"]')
read -r pmem how < <(raw_ns "$ndr")
if [ "$before" = labels ]; then
	is "$how" new "the namespace label is gone too: the label area was sanitized"
fi
is "$(dd if="/dev/$pmem" bs=4096 skip=256 count=1 iflag=direct 2> /dev/null | tr -d '\0' | wc -c)" 0 \
	"the pattern's 4 KiB read back as zeros: the sanitize zeroed the media"
ndctl destroy-namespace -f all -r "$ndr" > /dev/null 2>&1
run "$PMEMCTL" destroy-region --force "$ndr"
expect_status 0 "destroy-region $ndr: the platform as found"

# --- update-firmware --------------------------------------------------------------
head -c 4096 /dev/urandom > "$TAP_TMP/fw.img"
run "$PMEMCTL" update-firmware --dry-run --json --image "$TAP_TMP/fw.img" mem1
expect_status 0 "update-firmware --dry-run mem1: $(json_get 'j["message"]')"
is "$(json_get '[[s["step"], s["status"]] for s in j["steps"]]')" \
	'[["check", "done"], ["stage", "planned"], ["verify", "planned"]]' "the plan"
run "$PMEMCTL" update-firmware --activate --image "$TAP_TMP/fw.img" mem1
expect_status 5 "--activate on a memdev: exit 5 ($(head -n 1 <<< "$ERR"))"
run "$PMEMCTL" update-firmware --image /dev/null mem1
expect_status 2 "an image that is no file: exit 2"
run "$PMEMCTL" update-firmware --json --image "$TAP_TMP/fw.img" mem1
expect_status 0 "update-firmware mem1: $(json_get 'j["message"]')"
is "$(json_get '[j["changed"], j["dimms"], [[s["step"], s["status"]] for s in j["steps"]]]')" \
	'[true, ["mem1"], [["check", "done"], ["stage", "done"], ["verify", "done"]]]' \
	"staged through the upload class and verified"
is "$(cat /sys/class/firmware/mem1/status):$(cat /sys/class/firmware/mem1/error)" "idle:" \
	"the upload class: idle, no error"
run "$PMEMCTL" list -C -F --json mem1
is "$(json_get '[j["memdevs"][0]["firmware"][k] for k in ("current_version", "staged_slot", "next_version", "need_powercycle", "slot_versions")]')" \
	"[\"$fw\", 2, \"BWFW VERSION 1\", true, [\"BWFW VERSION 0\", \"BWFW VERSION 1\"]]" \
	"list -C -F: slot 2 staged (QEMU's BWFW VERSION 1), still running $fw"
is "$(cat $cxldev/mem1/firmware_version)" "$fw" "sysfs firmware_version unchanged until a reset"
run "$PMEMCTL" doctor --json
is "$(json_get '[f["object"] for f in j["findings"] if f["code"] == "firmware-staged"]')" '["mem1"]' \
	"doctor: firmware staged on mem1 for its next reset"
# A report records Get FW Info's answer: the replay shows the slots as live.
run "$PMEMCTL" report "$TAP_TMP/report.tar.gz"
expect_status 0 "pmemctl report"
live=$("$PMEMCTL" list -C -F --json 2>&1)
run "$PMEMCTL" --sysroot "$TAP_TMP/report.tar.gz" list -C -F --json
is "$STATUS $OUT" "0 $live" "replayed = live: list -C -F --json (security, slots, the staged one)"
run "$PMEMCTL" metrics
is "$(grep -E '^pmem_memdev_firmware_staged\{memdev="mem1"\}' <<< "$OUT" | awk '{ print $NF }')" 1 \
	"metrics: pmem_memdev_firmware_staged of mem1 is 1"
is "$(grep -E '^pmem_memdev_security_state\{memdev="mem0",state="disabled"\}' <<< "$OUT" | awk '{ print $NF }')" 1 \
	"metrics: mem0's security state disabled"
done_testing
