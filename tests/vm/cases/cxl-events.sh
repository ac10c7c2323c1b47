#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: CXL event records through pmemctl monitor, on the current
# platform (pmemvm --platform current --cxl 2 --qmp: kernel 6.12, QEMU 10).
# QEMU injects each record (tests/vm/qmp: cxl-inject-general-media-event,
# -dram-event, -memory-module-event, cxl-inject-poison); cxl_pci drains the
# device's event log on its interrupt and traces it. Each record must come
# out of monitor --json as injected, and as the kernel traced it (a tracing
# instance of this case's own, read raw); a monitor watching the other
# memdev must see none; the terminal line; --timeout; signals and SIGKILL;
# and tracefs left as found. The poison QEMU holds is cleared at the end.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"

if [ "${PMEMVM_PLATFORM:-stable}" != current ] || [ -z "${PMEMVM_QMP:-}" ]; then
	skip "CXL events" "needs pmemvm --platform current --qmp (kernel 6.12, QEMU 10)"
	done_testing
	exit 0
fi
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
qmp=$PMEMCTL_SRCDIR/tests/vm/qmp
T=/sys/kernel/tracing
tmp=$(mktemp -d)
cxldev=/sys/bus/cxl/devices

# The memdev of QEMU's first device (cxl0, serial 0x1000), and another.
mem= other=
for d in "$cxldev"/mem*; do
	if [ "$(cat "$d/serial")" = 0x1000 ]; then mem=${d##*/}; else other=${d##*/}; fi
done
is "${mem:0:3}${other:0:3}" memmem "QEMU's cxl0 is $mem (serial 0x1000), the other $other"
path=/machine/peripheral/cxl0

# What tracefs looks like before: the case must leave it so.
tracefs_state() {
	ls "$T/instances"
	cat "$T"/events/cxl/cxl_{general_media,dram,memory_module,poison}/enable
}
tracefs_state > "$tmp/before"

# This case's own raw view of the same events, to compare monitor with.
raw=$T/instances/pmemctl-case-events
mkdir "$raw"
for e in cxl_general_media cxl_dram cxl_memory_module cxl_poison; do
	echo 1 > "$raw/events/cxl/$e/enable"
done

# A monitor is ready once its instance has every event on.
wait_ready() {
	local pid=$1 i f
	for i in $(seq 150); do
		f=$T/instances/pmemctl-monitor-$pid/events/cxl/cxl_poison/enable
		[ "$(cat "$f" 2>/dev/null)" = 1 ] && return 0
		sleep 0.1
	done
	return 1
}

# wait_exit PID: waits up to 60 s; STATUS its exit status (or "running").
wait_exit() {
	local i
	for i in $(seq 600); do
		kill -0 "$1" 2> /dev/null || break
		sleep 0.1
	done
	if kill -0 "$1" 2> /dev/null; then
		kill -KILL "$1"
		wait "$1"
		STATUS=running
		return
	fi
	wait "$1"
	STATUS=$?
}

# event FILE: the monitor's line in OUT, checked against the schema.
event() {
	cp "$1" "$TAP_TMP/out"
	OUT=$(cat "$1")
	validate_json "$PMEMCTL" monitor --json
}

# raw_line EVENT: the kernel's last line of EVENT in this case's instance.
raw_line() {
	grep " $1: memdev=$mem " "$raw/trace" | tail -n 1
}

# --- general media ------------------------------------------------------------
"$PMEMCTL" monitor --json --count 1 --timeout 60 "$mem" > "$tmp/gm.json" 2> "$tmp/gm.err" &
gm=$!
# Another memdev's monitor must see nothing of it; SIGTERM ends it later.
"$PMEMCTL" monitor --json "$other" > "$tmp/other.json" 2> "$tmp/other.err" &
op=$!
check "monitor --json $mem: its tracing instance has the four events on" wait_ready $gm
check "monitor --json $other: the same" wait_ready $op
run "$qmp" cxl-inject-general-media-event "{\"path\": \"$path\", \"log\": \"failure\",
	\"flags\": 12, \"dpa\": $((0x40000)), \"descriptor\": 3, \"type\": 0,
	\"transaction-type\": 1, \"channel\": 1, \"rank\": 2, \"device\": 3}"
expect_status 0 "QMP cxl-inject-general-media-event on $path"
wait_exit $gm
expect_status 0 "monitor --count 1 exits 0 after the general media record"
is "$(cat "$tmp/gm.err")" "" "... nothing on stderr"
is "$(wc -l < "$tmp/gm.json")" 1 "... one line"
event "$tmp/gm.json"
is "$(json_get 'j["kind"]')" general_media "kind general_media"
is "$(json_get '[j["memdev"], j["dimm"], j["health"], j["poison"]]')" "[\"$mem\", null, null, null]" \
	"memdev $mem; no dimm, health or other record"
is "$(json_get 'j["general_media"]["dpa"]')" $((0x40000)) "dpa as injected"
is "$(json_get 'j["general_media"]["log"]')" Failure "the failure log"
is "$(json_get 'j["general_media"]["descriptor"]')" '["UNCORRECTABLE_EVENT", "THRESHOLD_EVENT"]' \
	"descriptor 3: uncorrectable, threshold"
is "$(json_get '[j["general_media"][k] for k in ("type", "transaction_type")]')" \
	'["ECC Error", "Host Read"]' "type 0 and transaction type 1 in words"
is "$(json_get '[j["general_media"][k] for k in ("channel", "rank", "device")]')" "[1, 2, 3]" \
	"channel, rank, device"
is "$(json_get 'j["general_media"]["record_flags"]')" '["PERMANENT_CONDITION", "MAINTENANCE_NEEDED"]' \
	"record flags 0xc"
is "$(json_get '[j["general_media"]["region"], j["general_media"]["hpa"]]')" "[null, null]" \
	"no region maps it: no region, no hpa"
is "$(json_get 'j["general_media"]["serial"]')" 4096 "serial 4096"
line=$(raw_line cxl_general_media)
echo "$line" | diag
is "$(sed -n 's/.* dpa=\([0-9a-f]*\) .*/\1/p' <<< "$line")" 40000 "the kernel traced the same DPA"
check "... and the same descriptor and type" grep -q "descriptor='UNCORRECTABLE_EVENT|THRESHOLD_EVENT' type='ECC Error' transaction_type='Host Read'" <<< "$line"

# --- general media in a region: the kernel maps the DPA to its HPA ----------------
run "$PMEMCTL" create-region --json "$mem" "$other"
expect_status 0 "create-region $mem $other (2-way)"
cxlr=$(json_get 'j["cxl_region"]')
ndr=$(json_get 'j["region"]')
# The HPA worked out here: the region's base, the interleave, $mem's share.
ways=$(cat "$cxldev/$cxlr/interleave_ways")
gran=$(cat "$cxldev/$cxlr/interleave_granularity")
# targetN names an endpoint decoder (decoder3.0) of a port (endpoint3)
# whose uport is the memdev.
pos= dec=
for ((i = 0; i < ways; i++)); do
	t=$(cat "$cxldev/$cxlr/target$i")
	n=${t#decoder}
	n=${n%%.*}
	if [ "$(basename "$(readlink -f "$cxldev/endpoint$n/uport")")" = "$mem" ]; then
		pos=$i dec=$t
	fi
done
check "$mem is at a position of $cxlr ($pos, $dec)" test -n "$pos"
d=$(( 0x40000 - $(cat "$cxldev/$dec/dpa_resource" 2>/dev/null || echo 0) ))
hpa=$(( $(cat "$cxldev/$cxlr/resource") + d / gran * gran * ways + ${pos:-0} * gran + d % gran ))
"$PMEMCTL" monitor --json --count 1 --timeout 60 "$mem" > "$tmp/gmr.json" 2> "$tmp/gmr.err" &
p=$!
check "monitor ready" wait_ready $p
run "$qmp" cxl-inject-general-media-event "{\"path\": \"$path\", \"log\": \"fatal\",
	\"flags\": 0, \"dpa\": $((0x40000)), \"descriptor\": 1, \"type\": 2,
	\"transaction-type\": 2}"
expect_status 0 "QMP cxl-inject-general-media-event at a DPA of $cxlr"
wait_exit $p
expect_status 0 "monitor exits 0 after the record"
event "$tmp/gmr.json"
is "$(json_get '[j["general_media"][k] for k in ("log", "region", "hpa", "type", "transaction_type")]')" \
	"[\"Fatal\", \"$cxlr\", $hpa, \"Data Path Error\", \"Host Write\"]" \
	"region $cxlr and HPA $(printf %#x $hpa) (position $pos of $ways by $gran)"
line=$(raw_line cxl_general_media)
is "$(sed -n 's/.* hpa=\([0-9a-f]*\) region=\([^ ]*\) .*/\1 \2/p' <<< "$line")" \
	"$(printf %x $hpa) $cxlr" "the kernel traced the same HPA and region"
run "$PMEMCTL" destroy-region --force "$ndr"
expect_status 0 "destroy-region $ndr"

# --- DRAM, with a terminal monitor beside the JSON one --------------------------
"$PMEMCTL" monitor --json --count 1 --timeout 60 > "$tmp/dram.json" 2> "$tmp/dram.err" &
dj=$!
"$PMEMCTL" monitor --count 1 --timeout 60 "$mem" > "$tmp/dram.txt" 2> "$tmp/dram.txt.err" &
dt=$!
check "monitor --json (every memdev) ready" wait_ready $dj
check "monitor $mem (terminal) ready" wait_ready $dt
run "$qmp" cxl-inject-dram-event "{\"path\": \"$path\", \"log\": \"informational\",
	\"flags\": 0, \"dpa\": $((0x80000)), \"descriptor\": 1, \"type\": 1,
	\"transaction-type\": 5, \"nibble-mask\": 240, \"bank-group\": 3, \"bank\": 5,
	\"row\": 1234, \"column\": 77}"
expect_status 0 "QMP cxl-inject-dram-event"
wait_exit $dj
expect_status 0 "monitor --json (every memdev) exits 0 after the DRAM record"
event "$tmp/dram.json"
is "$(json_get '[j["kind"], j["memdev"], j["dram"]["dpa"], j["dram"]["log"]]')" \
	"[\"dram\", \"$mem\", $((0x80000)), \"Informational\"]" "kind dram, $mem, dpa, log"
is "$(json_get '[j["dram"][k] for k in ("type", "transaction_type", "descriptor")]')" \
	'["Scrub Media ECC Error", "Internal Media Scrub", ["UNCORRECTABLE_EVENT"]]' \
	"type, transaction type, descriptor"
is "$(json_get '[j["dram"][k] for k in ("nibble_mask", "bank_group", "bank", "row", "column", "channel", "rank")]')" \
	"[240, 3, 5, 1234, 77, null, null]" "nibble mask, bank group, bank, row, column; channel and rank not given: null"
line=$(raw_line cxl_dram)
is "$(sed -n 's/.* dpa=\([0-9a-f]*\) .*/\1/p' <<< "$line")" 80000 "the kernel traced the same DPA"
check "... and bank 5, row 1234, column 77" grep -q "bank=5 row=1234 column=77" <<< "$line"
wait_exit $dt
expect_status 0 "monitor $mem (terminal) exits 0"
cat "$tmp/dram.txt" | diag
check "the terminal line: time, memdev, kind, log, fields (quoted where blank)" \
	grep -q "^[0-9T:+-]* $mem: dram (Informational log): dpa=0x80000 descriptor=UNCORRECTABLE_EVENT type='Scrub Media ECC Error' transaction_type='Internal Media Scrub' nibble_mask=240 bank_group=3 bank=5 row=1234 column=77$" "$tmp/dram.txt"
is "$(cat "$tmp/dram.txt.err")" "pmemctl: monitoring CXL events of $mem" "stderr names the memdev watched"

# --- memory module --------------------------------------------------------------
"$PMEMCTL" monitor --json --count 1 --timeout 60 "$mem" > "$tmp/mm.json" 2> "$tmp/mm.err" &
mm=$!
check "monitor ready" wait_ready $mm
run "$qmp" cxl-inject-memory-module-event "{\"path\": \"$path\", \"log\": \"warning\",
	\"flags\": 0, \"type\": 3, \"health-status\": 3, \"media-status\": 0,
	\"additional-status\": 0, \"life-used\": 33, \"temperature\": -5,
	\"dirty-shutdown-count\": 2, \"corrected-volatile-error-count\": 10,
	\"corrected-persistent-error-count\": 11}"
expect_status 0 "QMP cxl-inject-memory-module-event"
wait_exit $mm
expect_status 0 "monitor exits 0 after the memory module record"
event "$tmp/mm.json"
is "$(json_get '[j["kind"], j["memory_module"]["event_type"], j["memory_module"]["log"]]')" \
	'["memory_module", "Temperature Change", "Warning"]' "kind, event type 3, the warning log"
is "$(json_get '[j["memory_module"][k] for k in ("health_status", "maintenance_needed", "performance_degraded", "hw_replacement_needed", "media_status", "media_normal")]')" \
	'[["MAINTENANCE_NEEDED", "PERFORMANCE_DEGRADED"], true, true, false, "Normal", true]' \
	"health status 3 as list -C's health keys; media normal"
is "$(json_get '[j["memory_module"][k] for k in ("life_used_percent", "temperature", "dirty_shutdowns", "corrected_volatile_errors", "corrected_persistent_errors")]')" \
	"[33, -5, 2, 10, 11]" "life used, temperature (below zero), counters"
line=$(raw_line cxl_memory_module)
check "the kernel traced the same: life_used=33 device_temp=-5 dirty_shutdown_cnt=2" \
	grep -q "life_used=33 device_temp=-5 dirty_shutdown_cnt=2 " <<< "$line"

# --- poison: QEMU's list holds it; reading the list traces it ----------------------
"$PMEMCTL" monitor --json --count 1 --timeout 60 "$mem" > "$tmp/po.json" 2> "$tmp/po.err" &
po=$!
check "monitor ready" wait_ready $po
run "$qmp" cxl-inject-poison "{\"path\": \"$path\", \"start\": $((0x100000)), \"length\": 128}"
expect_status 0 "QMP cxl-inject-poison"
check "trigger_poison_list of $mem" sh -c "echo 1 > $cxldev/$mem/trigger_poison_list"
wait_exit $po
expect_status 0 "monitor exits 0 after the poison record"
event "$tmp/po.json"
is "$(json_get '[j["kind"], j["memdev"]] + [j["poison"][k] for k in ("trace_type", "dpa", "dpa_length", "region", "hpa")]')" \
	"[\"poison\", \"$mem\", \"List\", $((0x100000)), 128, null, null]" \
	"kind poison: a List record at the DPA and length injected, unmapped"
src=$(json_get 'j["poison"]["poison_source"]')
line=$(raw_line cxl_poison)
echo "$line" | diag
check "the kernel traced the same DPA, length and source ($src)" \
	grep -q "dpa=0x100000 dpa_length=0x80 source=$src " <<< "$line"
# QEMU keeps it for the rest of the boot: cleared, line by line, for the cases after.
for dpa in 0x100000 0x100040; do
	echo "$dpa" > "/sys/kernel/debug/cxl/$mem/clear_poison" 2>> "$tmp/clear.err"
done
: > "$raw/trace"
echo 1 > "$cxldev/$mem/trigger_poison_list"
is "$(grep -c "cxl_poison: memdev=$mem .*trace_type=List" "$raw/trace")" 0 "the poison cleared: $mem's list is empty"

# --- the other memdev's monitor saw none of it; SIGTERM removes its instance ----
check "monitor $other still runs" kill -0 $op
kill -TERM $op
wait_exit $op
expect_status 0 "monitor $other: SIGTERM exits 0"
is "$(cat "$tmp/other.json")" "" "... having printed nothing of $mem's records"
check "... and its instance is gone" test ! -e "$T/instances/pmemctl-monitor-$op"

# --- --timeout, SIGINT, SIGKILL, errors -------------------------------------------
run "$PMEMCTL" monitor --json --count 1 --timeout 2 "$mem"
expect_status 12 "--timeout 2 --count 1 with no record: exit 12"
run "$PMEMCTL" monitor --json --timeout 1 "$mem"
expect_status 0 "--timeout 1 without --count: exit 0"
"$PMEMCTL" monitor "$mem" > /dev/null 2>&1 &
p=$!
wait_ready $p
kill -INT $p
wait_exit $p
expect_status 0 "SIGINT exits 0"
check "... its instance removed" test ! -e "$T/instances/pmemctl-monitor-$p"
"$PMEMCTL" monitor "$mem" > /dev/null 2>&1 &
p=$!
wait_ready $p
kill -KILL $p
wait $p 2> /dev/null
check "SIGKILL leaves the instance behind" test -d "$T/instances/pmemctl-monitor-$p"
run "$PMEMCTL" monitor --timeout 1 "$mem"
check "the next monitor removes it (its process is gone)" test ! -e "$T/instances/pmemctl-monitor-$p"
run nobody "$PMEMCTL" monitor "$mem"
expect_status 4 "monitor $mem as nobody: exit 4"
is "$ERR" "pmemctl: $mem: no CXL events: CXL events need root: they are read through tracefs" "... saying why"
run "$PMEMCTL" monitor mem99
expect_status 3 "monitor mem99: exit 3"

# --- tracefs as found ---------------------------------------------------------------
rmdir "$raw"
tracefs_state > "$tmp/after"
check "tracefs as found: instances and the global cxl events' switches" cmp "$tmp/before" "$tmp/after"
diag < "$tmp/after"
[ "$TAP_FAILED" -eq 0 ] || dmesg | grep -i cxl | tail -n 30 | diag
rm -rf "$tmp"
done_testing
