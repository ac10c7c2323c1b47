#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: `pmemctl scrub` after `ndctl inject-error` on nfit_test (the
# ranges against ndctl list -M), its timeout, progress line, non-root and
# a bus without scrub; `pmemctl monitor` after `ndctl inject-smart` (the
# event against ndctl list -DH), idle CPU, signals, non-root; and, with
# nfit_test unloaded, a platform where neither has anything to work on.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"
compare=$PMEMCTL_SRCDIR/tests/vm/compare-ndctl.py
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
tmp=$(mktemp -d)

# The devs of an ndctl listing, sorted (one object comes bare, several as an array).
devs_of() {
	python3 -c '
import json, sys
j = json.load(sys.stdin)
print(" ".join(sorted(x["dev"] for x in (j if isinstance(j, list) else [j]))))'
}

# --- scrub -----------------------------------------------------------------
# The boot's own scrub must be over, or ours would find it running.
ndctl wait-scrub nfit_test.0 > /dev/null 2>&1
nss=$(ndctl list -N -b nfit_test.0 | devs_of)
set -- $nss
check "nfit_test.0 has two namespaces ($nss)" test $# -ge 2
check "ndctl inject-error $1 -B 8 -n 4" sh -c "ndctl inject-error $1 -B 8 -n 4 > /dev/null"
check "ndctl inject-error $2 -B 512 -n 8" sh -c "ndctl inject-error $2 -B 512 -n 8 > /dev/null"

tbus=$(ndctl list -B -b nfit_test.0 | devs_of)
before=$(sed 's/+$//' "/sys/bus/nd/devices/$tbus/nfit/scrub")
run "$PMEMCTL" scrub nfit_test.0 --wait --json
expect_status 0 "scrub nfit_test.0 --wait --json: exit 0"
is "$ERR" "" "scrub --wait --json off a terminal: nothing on stderr"
printf '%s' "$OUT" > "$tmp/scrub.json"
is "$(json_get "[(b['provider'], b['started'], b['running'], b['timed_out']) for b in j['buses']]")" \
	'[["nfit_test.0", true, false, false]]' "one bus, started by us, finished, no timeout"
is "$(json_get "j['buses'][0]['scrub_count'] - j['buses'][0]['scrub_count_before']")" 1 \
	"the scrub count rose by one"
is "$(json_get "j['buses'][0]['scrub_count_before']")" "$before" \
	"scrub_count_before is what nfit/scrub read before ($before)"
is "$(json_get "sorted(b['length'] for r in j['buses'][0]['regions'] for b in r['badblocks'])")" \
	"[4, 8]" "both injected ranges reported (4 and 8 sectors)"

# The same ranges, offsets and DIMMs as ndctl list -M has for the regions.
run ndctl list -R -M -b nfit_test.0
printf '%s' "$OUT" > "$tmp/ndctl-r.json"
run python3 - "$tmp/scrub.json" "$tmp/ndctl-r.json" <<'PY'
import json, sys
mine = json.load(open(sys.argv[1]))
theirs = json.load(open(sys.argv[2]))
theirs = theirs if isinstance(theirs, list) else [theirs]
def key(bbs):
    return sorted((b["offset"], b["length"], tuple(b["dimms"])) for b in bbs)
a = {r["dev"]: (r["badblock_count"], key(r["badblocks"])) for r in mine["buses"][0]["regions"]}
b = {r["dev"]: (r.get("badblock_count", 0), key(r.get("badblocks", []))) for r in theirs}
if a != b:
    print("pmemctl:", a)
    print("ndctl:  ", b)
    sys.exit(1)
PY
expect_status 0 "scrub's regions: the same counts, offsets, lengths and DIMMs as ndctl list -RM"
printf '%s\n' "$OUT" | diag

run "$PMEMCTL" list -RNM --json
printf '%s' "$OUT" > "$tmp/pmemctl.json"
run ndctl list -RNM
printf '%s' "$OUT" > "$tmp/ndctl.json"
run python3 "$compare" "$tmp/pmemctl.json" "$tmp/ndctl.json"
expect_status 0 "after the scrub, list -RNM equals ndctl list -RNM (offsets, lengths, DIMMs)"
printf '%s\n' "$OUT" | diag

run "$PMEMCTL" scrub nfit_test.0 --wait
expect_status 0 "scrub --wait (human): exit 0"
check "... names the bad sectors" grep -q "sectors 8-11 on" <<< "$OUT"
printf '%s\n' "$OUT" | diag

# --timeout 0 looks once: the scrub it started is still running (the kernel
# marks it busy before the write returns). The next command follows at
# once, while it probably still runs, and must wait for it.
run "$PMEMCTL" scrub nfit_test.0 --timeout 0 --json
s1=$STATUS o1=$OUT e1=$ERR
run "$PMEMCTL" scrub nfit_test.0 --wait --json
s2=$STATUS o2=$OUT
STATUS=$s1 OUT=$o1 ERR=$e1
expect_status 12 "scrub --timeout 0: exit 12 while the scrub runs"
check "... the message says it goes on" grep -q "nfit_test.0: still scrubbing after 0 s (--timeout); it goes on" <<< "$ERR"
is "$(json_get "[(b['started'], b['running'], b['timed_out']) for b in j['buses']]")" \
	'[[true, true, true]]' "... JSON: started, running, timed_out"
n0=$(json_get "j['buses'][0]['scrub_count_before']")
STATUS=$s2 OUT=$o2
expect_status 0 "scrub --wait after it: exit 0"
is "$(json_get "j['buses'][0]['running']")" false "... and the scrub is over"
if [ "$(json_get "j['buses'][0]['started']")" = false ]; then
	is "$(json_get "[j['buses'][0]['scrub_count_before'], j['buses'][0]['scrub_count']]")" \
		"[$n0, $((n0 + 1))]" "it waited for the running scrub without starting another (started false)"
else
	skip "waiting for a running scrub" "the scrub ended before the second command read its state"
fi

# On a terminal, a progress line on stderr (script merges it into the pty).
run script -qec "$PMEMCTL scrub nfit_test.0 --wait" /dev/null
expect_status 0 "scrub --wait on a terminal: exit 0"
check "... a progress line with the seconds" grep -q "scrubbing nfit_test.0: [0-9]* s" <<< "$OUT"

# Every bus with ARS: nfit_test's two; not the QEMU NVDIMM's.
run "$PMEMCTL" scrub --wait --json
expect_status 0 "scrub (no bus) --wait: exit 0"
is "$(json_get "sorted(b['provider'] for b in j['buses'])")" '["nfit_test.0", "nfit_test.1"]' \
	"without BUS: every bus with a scrub"

qbus=$(ndctl list -B -b ACPI.NFIT | devs_of)
run "$PMEMCTL" scrub ACPI.NFIT
expect_status 5 "scrub on the QEMU NVDIMM's bus: exit 5"
is "$ERR" "pmemctl: ACPI.NFIT: no address range scrub on $qbus (ACPI.NFIT): the platform firmware offers no address range scrub (ARS) commands" \
	"... naming the bus and why"
run "$PMEMCTL" scrub nosuchbus
expect_status 3 "scrub on an unknown bus: exit 3"

run nobody "$PMEMCTL" scrub nfit_test.0
expect_status 4 "non-root scrub: exit 4"
is "$ERR" "pmemctl: nfit_test.0: starting a scrub needs root (it writes $tbus/nfit/scrub)" \
	"non-root scrub: one clear message"

# --- monitor ---------------------------------------------------------------
dimms=$(ndctl list -D -b nfit_test.0 | devs_of)
set -- $dimms
d=$1 d2=$2
qdimm=$(ndctl list -D -b ACPI.NFIT | devs_of)

# Waits until the process sleeps in poll()/ppoll() (x86_64: 7, 271).
wait_polling() {
	local pid=$1 i nr
	for i in $(seq 100); do
		read -r nr _ < "/proc/$pid/syscall" 2>/dev/null
		[ "$nr" = 7 ] || [ "$nr" = 271 ] && return 0
		sleep 0.1
	done
	return 1
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

"$PMEMCTL" monitor --json --count 1 "$d" > "$tmp/ev.json" 2> "$tmp/ev.err" &
pid=$!
check "monitor --json --count 1 $d: waits in poll()" wait_polling $pid
# Idle: no wake-ups, so no CPU time while nothing happens.
t0=$(cpu_ticks $pid)
sleep 10
t1=$(cpu_ticks $pid)
hz=$(getconf CLK_TCK)
idle=$(python3 -c "print(f'{($t1 - $t0) / $hz:.3f}')")
check "monitor idle for 10 s used ${idle} s of CPU (< 0.05)" python3 -c "import sys; sys.exit(not ($t1 - $t0) / $hz < 0.05)"
# One value: each injected value is an event of its own.
check "ndctl inject-smart $d -m 60" sh -c "ndctl inject-smart $d -m 60 > /dev/null"
for i in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
wait $pid
STATUS=$?
expect_status 0 "monitor --count 1: exit 0 after the event"
is "$(cat "$tmp/ev.err")" "" "monitor --json: nothing on stderr"
OUT=$(cat "$tmp/ev.json")
is "$(wc -l < "$tmp/ev.json")" 1 "one event, one line"
is "$(json_get "j['dimm']")" "$d" "the event names $d"
is "$(json_get "j['changes']")" '["temperature_celsius"]' "changes: the temperature"
is "$(json_get "(j['previous']['temperature_celsius'], j['health']['temperature_celsius'])")" \
	"[23.0, 60.0]" "previous 23.0 C, now 60.0 C"
check "the timestamp is ISO 8601" grep -qE '"timestamp":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2}"' "$tmp/ev.json"
printf '%s' "$(json_get "j['health']")" > "$tmp/ev-health.json"
run ndctl list -DH -d "$d"
printf '%s' "$OUT" > "$tmp/ndctl-h.json"
run python3 - "$tmp/ev-health.json" "$tmp/ndctl-h.json" <<'PY'
import json, sys
mine = json.load(open(sys.argv[1]))
theirs = json.load(open(sys.argv[2]))
theirs = (theirs if isinstance(theirs, list) else [theirs])[0]["health"]
bad = [(k, mine[k], theirs.get(k)) for k in mine if mine[k] != theirs.get(k)]
print(bad)
sys.exit(1 if bad else 0)
PY
expect_status 0 "the event's values equal ndctl list -DH -d $d"
printf '%s\n' "$OUT" | diag

# Unsafe shutdown, human lines, and SIGINT.
"$PMEMCTL" monitor "$d2" > "$tmp/mon.txt" 2> "$tmp/mon.err" &
pid=$!
check "monitor $d2: waits in poll()" wait_polling $pid
check "ndctl inject-smart $d2 -U" sh -c "ndctl inject-smart $d2 -U > /dev/null"
for i in $(seq 100); do [ -s "$tmp/mon.txt" ] && break; sleep 0.1; done
kill -INT $pid
wait $pid
STATUS=$?
expect_status 0 "monitor: SIGINT exits 0"
check "the line says UNSAFE SHUTDOWN for $d2" grep -q "^[0-9T:+-]* $d2: UNSAFE SHUTDOWN; shutdown_state clean -> dirty, shutdown_count 42 -> 43; now:" "$tmp/mon.txt"
cat "$tmp/mon.txt" | diag
is "$(cat "$tmp/mon.err")" "pmemctl: monitoring health events of $d2" "stderr names the DIMM watched"

"$PMEMCTL" monitor --json > "$tmp/mon.json" 2>&1 &
pid=$!
check "monitor --json (every DIMM): waits in poll()" wait_polling $pid
kill -TERM $pid
wait $pid
STATUS=$?
expect_status 0 "monitor --json: SIGTERM exits 0"
is "$(cat "$tmp/mon.json")" "" "... with no output"
"$PMEMCTL" monitor --json > "$tmp/mon.json" 2>&1 &
pid=$!
wait_polling $pid
kill -INT $pid
wait $pid
STATUS=$?
expect_status 0 "monitor --json: SIGINT exits 0"

run "$PMEMCTL" monitor "$qdimm"
expect_status 5 "monitor $qdimm (QEMU NVDIMM): exit 5"
is "$ERR" "pmemctl: $qdimm: no health events from $qdimm (ACPI.NFIT): it has no SMART" "... it has no SMART"
run "$PMEMCTL" monitor nmem99
expect_status 3 "monitor on an unknown DIMM: exit 3"
run nobody "$PMEMCTL" monitor
expect_status 4 "non-root monitor: exit 4"
check "... SMART needs root" grep -q "^pmemctl: nmem[0-9]*: reading SMART needs root (/dev/nmem[0-9]*)$" <<< "$ERR"

# --- a platform without nfit_test: the QEMU NVDIMM alone --------------------
# ndctl's own tests unload it the same way: regions disabled first.
ndctl disable-region -b nfit_test.0 all > /dev/null 2>&1
ndctl disable-region -b nfit_test.1 all > /dev/null 2>&1
if modprobe -r nfit_test 2> "$tmp/rmmod.err"; then
	run "$PMEMCTL" monitor
	expect_status 5 "QEMU NVDIMM only: monitor exits 5"
	is "$ERR" "pmemctl: no DIMM with SMART health events: $qdimm (ACPI.NFIT): it has no SMART" \
		"... naming the DIMM and why"
	run "$PMEMCTL" scrub all
	expect_status 5 "QEMU NVDIMM only: scrub all exits 5"
	is "$ERR" "pmemctl: all: no address range scrub on $qbus (ACPI.NFIT): the platform firmware offers no address range scrub (ARS) commands" \
		"... naming the bus and why"
else
	skip "QEMU NVDIMM only: monitor" "modprobe -r nfit_test: $(cat "$tmp/rmmod.err")"
	skip "QEMU NVDIMM only: scrub all" "nfit_test stays loaded"
fi
rm -rf "$tmp"
done_testing
