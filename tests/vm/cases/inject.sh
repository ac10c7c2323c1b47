#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: the drills. pmemctl inject-error on nfit_test by offset (a
# devdax namespace) and under a file of ext4 -o dax (its sector found
# independently with filefrag), then pmemctl scrub --wait, doctor naming
# the file, a failed read, clear-errors; ndctl inject-error --status
# agreeing with pmemctl's --status at each step. pmemctl inject-smart: the
# values in ndctl list -DH, the event pmemctl monitor sees, a field
# nfit_test accepts but does not emulate, uninject. Refusals (in use, bad
# ranges, non-root) and a QEMU NVDIMM without injection (exit 5). Runs
# after doctor-damage.sh (--nfit-test --nvdimms 1 --labels init), whose
# namespaces it takes over.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

# jq, not python: under emulation Python takes seconds to start.
# An ndctl listing holds one object bare, several as an array.
each='if type == "array" then .[] else . end'
jget() { printf '%s' "$OUT" | jq -c "$1"; }
# ndctl's injected blocks of a namespace, "block:count ..." (no output: none).
ndctl_status() {
	ndctl inject-error --status "$1" | jq -r '[.badblocks[]? | "\(.block):\(.count)"] | join(" ")'
}
# pmemctl's, the same way.
pmemctl_status() {
	"$PMEMCTL" inject-error --status --json "$1" |
		jq -r '[.ranges[] | "\(.offset):\(.length)"] | join(" ")'
}
agree() {
	local mine theirs
	mine=$(pmemctl_status "$1")
	theirs=$(ndctl_status "$1")
	is "$mine" "$theirs" "$2: pmemctl's --status equals ndctl inject-error --status ($theirs)"
	[ "$mine" = "$3" ] || { fail "$2: the injected ranges are '$3'"; echo "got '$mine'" | diag; return; }
	pass "$2: the injected ranges are '$3'"
}

set -- $(ndctl list -N -b nfit_test.0 | jq -r "[$each] | sort_by(.size) | .[].dev")
check "nfit_test.0 has two namespaces ($*)" test $# -ge 2
small=$1 big=$2

# --- what doctor-damage.sh left: listed alike, then cleared ------------------------
mine=$(pmemctl_status "$big") theirs=$(ndctl_status "$big")
is "$mine" "$theirs" "$big before: pmemctl --status equals ndctl's ($theirs)"
run "$PMEMCTL" clear-errors -f "$big"
expect_status 0 "clear-errors -f $big: exit 0"
run "$PMEMCTL" clear-errors -f "$small"
expect_status 0 "clear-errors -f $small: exit 0"
agree "$big" "after clear-errors" ""

# --- by offset: the devdax namespace --------------------------------------------------
run "$PMEMCTL" inject-error "$small" --offset 8K --count 2K --no-notify --json
expect_status 0 "inject-error $small --offset 8K --count 2K: exit 0"
is "$(jget '[.changed, [.ranges[] | [.namespace, .offset, .length, .source, .method]], [.steps[] | [.step, .status]]]')" \
	"[true,[[\"$small\",16,4,\"injected\",null]],[[\"check\",\"done\"],[\"inject\",\"done\"],[\"verify\",\"done\"]]]" \
	"... sectors 16-19, checked, injected, verified"
agree "$small" "after inject-error by offset" "16:4"
run "$PMEMCTL" inject-error "$small" --offset 8K --count 2K --uninject
expect_status 0 "inject-error --uninject: exit 0"
is "$OUT" "$small: uninjected 4 sector(s) at sector 16
$(printf '  %-14s %s' "$small" 'sectors 16-19')" "... says what it took off, and where"
agree "$small" "after --uninject" ""

size=$(ndctl list -n "$small" | jq -r "[$each][0].size")
run "$PMEMCTL" inject-error "$small" --offset 100
expect_status 2 "an offset not a multiple of 512: exit 2"
run "$PMEMCTL" inject-error "$small" --offset "$size"
expect_status 2 "an offset at the namespace's end: exit 2"
is "$(head -n 1 <<< "$ERR")" "pmemctl: $small: bytes $size-$((size + 511)) lie past the end of $small ($size bytes of data)" \
	"... naming the range and the size"
run "$PMEMCTL" inject-error "$small" --offset 0 --dry-run
expect_status 0 "--dry-run: exit 0"
check "... the inject step planned" grep -q "planned  inject" <<< "$OUT"
agree "$small" "after --dry-run" ""
run nobody "$PMEMCTL" inject-error "$small" --offset 0
expect_status 4 "non-root inject-error: exit 4"
run nobody "$PMEMCTL" inject-error "$small" --status
expect_status 4 "non-root --status: exit 4"
is "$(head -n 1 <<< "$ERR")" "pmemctl: $small: reading the injected ranges needs root" "... reading it needs root"

# --- under a file: ext4 -o dax on nfit_test --------------------------------------------
ndctl create-namespace -f -e "$big" -m fsdax -a 4K --no-autolabel > "$TAP_TMP/ns.json"
pmem=$(jq -r .blockdev "$TAP_TMP/ns.json")
mkdir -p /tmp/inj
mkfs.ext4 -q -F -b 4096 "/dev/$pmem" && mount -o dax "/dev/$pmem" /tmp/inj
check "$big: ext4 mounted -o dax on /dev/$pmem" mountpoint -q /tmp/inj
dd if=/dev/urandom of=/tmp/inj/before bs=64K count=2 status=none
dd if=/dev/urandom of=/tmp/inj/target bs=64K count=3 status=none
dd if=/dev/urandom of=/tmp/inj/after bs=64K count=2 status=none
truncate -s 1M /tmp/inj/sparse
sync
# The sector of byte 70000 (the file's sector 136), from filefrag's extents
# ("N: from..to: pfrom..pto: len:" in 512-byte units).
want=$(filefrag -v -b512 /tmp/inj/target |
	sed -n 's/^ *[0-9]*: *\([0-9]*\)\.\. *\([0-9]*\): *\([0-9]*\)\.\..*/\1 \2 \3/p' |
	awk -v s=$((70000 / 512)) '$1 <= s && s <= $2 { print $3 + s - $1 }')
check "filefrag: byte 70000 of the target is in sector $want" test -n "$want"

run "$PMEMCTL" inject-error "$big" --offset 0
expect_status 6 "by offset on a mounted namespace: exit 6"
check "... in use, --force or --file" grep -q "^pmemctl: $big: in use: .*/tmp/inj.*--force injects anyway, or --file names the file to hit$" <<< "$ERR"
run "$PMEMCTL" inject-error "$big" --file /tmp/inj/target --file-offset 70000 --dry-run
expect_status 0 "--file --dry-run: exit 0"
check "... names the device byte" grep -q "byte 70000 of /tmp/inj/target is byte $((want * 512 + 70000 % 512)) of /dev/$pmem" <<< "$OUT"
agree "$big" "after --file --dry-run" ""

run "$PMEMCTL" inject-error "$big" --file /tmp/inj/target --file-offset 70000 --json
expect_status 0 "inject-error --file /tmp/inj/target --file-offset 70000: exit 0"
is "$(jget '[.ranges[] | [.offset, .length]]')" "[[$want,1]]" \
	"... the sector filefrag puts byte 70000 in ($want)"
agree "$big" "after inject-error --file" "$want:1"

run "$PMEMCTL" scrub nfit_test.0 --wait
expect_status 0 "scrub nfit_test.0 --wait: exit 0"
run "$PMEMCTL" doctor --json /tmp/inj
expect_status 11 "doctor /tmp/inj: exit 11"
is "$(jget '[.findings[].files[].path] | unique')" '["/tmp/inj/target"]' \
	"doctor names the target, and only it"
is "$(jget '[.findings[].files[] | select(.offset <= 70000 and 70000 < .offset + .length)] | length > 0')" \
	true "... with byte 70000 in the damaged range"
check "reading byte 70000 fails" sh -c '! dd if=/tmp/inj/target of=/dev/null bs=512 skip=136 count=1 status=none 2>/dev/null'
check "reading the file's first sector works" dd if=/tmp/inj/target of=/dev/null bs=512 count=1 status=none

run "$PMEMCTL" inject-error "$big" --file /etc/hostname
expect_status 2 "--file on another filesystem: exit 2"
is "$(head -n 1 <<< "$ERR")" "pmemctl: $big: /etc/hostname is not on $big's block device /dev/$pmem" "... says so"
run "$PMEMCTL" inject-error "$big" --file /tmp/inj/target --file-offset 1M
expect_status 2 "--file-offset past the file's end: exit 2"
run "$PMEMCTL" inject-error "$big" --file /tmp/inj/sparse --file-offset 4096
expect_status 2 "--file in a hole: exit 2"
check "... no media there" grep -q "no media under byte 4096 of /tmp/inj/sparse" <<< "$ERR"

run "$PMEMCTL" clear-errors "$big"
expect_status 6 "clear-errors while mounted: exit 6"
check "... names the damaged file" grep -q "damaged: /tmp/inj/target" <<< "$ERR"
umount /tmp/inj
run "$PMEMCTL" clear-errors -f "$big"
expect_status 0 "clear-errors -f $big unmounted: exit 0"
agree "$big" "after clear-errors" ""
run ndctl list -M -n "$big"
is "$(jget "[$each][0].badblock_count // 0")" 0 "ndctl list -M: no badblock left"
mount -o dax "/dev/$pmem" /tmp/inj
run "$PMEMCTL" doctor --json /tmp/inj
is "$(jget '[.findings[].files[].path]')" "[]" "doctor /tmp/inj: no damaged file"
check "reading byte 70000 works again" dd if=/tmp/inj/target of=/dev/null bs=512 skip=136 count=1 status=none
umount /tmp/inj

# --- SMART ------------------------------------------------------------------------------
set -- $(ndctl list -D -b nfit_test.0 | jq -r "[$each | .dev] | sort | .[]")
d=$4	# doctor-damage.sh injected into the first three
check "nfit_test.0's fourth DIMM: $d" test -n "$d"
# jq prints 23.0 as 23.
health() {
	ndctl list -DH -d "$d" | jq -r "[$each][0].health |
		\"\\(.health_state) \\(.temperature_celsius) \\(.spares_percentage) \\(.shutdown_state) \\(.shutdown_count)\""
}
read -r _ _ _ _ count0 <<< "$(health)"

wait_polling() {
	local pid=$1 i nr
	for i in $(seq 100); do
		read -r nr _ < "/proc/$pid/syscall" 2>/dev/null
		[ "$nr" = 7 ] || [ "$nr" = 271 ] && return 0
		sleep 0.1
	done
	return 1
}
"$PMEMCTL" monitor --json --count 1 "$d" > "$TAP_TMP/ev.json" 2> /dev/null &
pid=$!
check "monitor $d: waits in poll()" wait_polling $pid
run "$PMEMCTL" inject-smart "$d" -m 65.5 --json
expect_status 0 "inject-smart $d -m 65.5: exit 0"
is "$(jget '[.dimm, .namespace, .changed, [.steps[] | [.step, .status]]]')" \
	"[\"$d\",null,true,[[\"check\",\"done\"],[\"inject\",\"done\"],[\"verify\",\"done\"]]]" \
	"... the DIMM, checked, injected, verified"
for i in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
wait $pid
STATUS=$?
expect_status 0 "monitor --count 1: exit 0 after the event"
OUT=$(cat "$TAP_TMP/ev.json")
is "$(jget '[.dimm, .changes, .health.temperature_celsius]')" \
	"[\"$d\",[\"temperature_celsius\"],65.5]" "monitor saw the temperature rise to 65.5 C"
is "$(health)" "non-critical 65.5 75 clean $count0" "ndctl list -DH: 65.5 C"

run "$PMEMCTL" inject-smart "$d" -s 7 --fatal -U
expect_status 0 "inject-smart $d -s 7 --fatal -U: exit 0"
is "$OUT" "$d: injected spares, injected fatal, injected unsafe-shutdown" "... one line"
is "$(health)" "fatal 65.5 7 dirty $((count0 + 1))" "ndctl list -DH: fatal, 7% spares, dirty, one more shutdown"

# libndctl says the Intel family injects a controller temperature, and has
# no command for it.
run "$PMEMCTL" inject-smart "$d" -c 70
expect_status 5 "inject-smart -c 70: exit 5"
is "$(head -n 1 <<< "$ERR")" "pmemctl: $d: $d (nfit_test.0) cannot inject ctrl-temperature" "... naming the field"

run "$PMEMCTL" inject-smart "$d" -m 80 --dry-run
expect_status 0 "inject-smart --dry-run: exit 0"
is "$(health)" "fatal 65.5 7 dirty $((count0 + 1))" "... nothing changed"
run nobody "$PMEMCTL" inject-smart "$d" -m 80
expect_status 4 "non-root inject-smart: exit 4"
run "$PMEMCTL" inject-smart "$d" -N --json
expect_status 0 "inject-smart -N (uninject all): exit 0"
is "$(health)" "non-critical 23 75 clean $((count0 + 1))" "ndctl list -DH: nfit_test's own values again"

# --- a QEMU NVDIMM: no injection --------------------------------------------------------
qdimm=$(ndctl list -D -b ACPI.NFIT | jq -r "[$each][0].dev")
qns=$(ndctl list -N -b ACPI.NFIT | jq -r "[$each][0].dev")
qbus=$(ndctl list -B -b ACPI.NFIT | jq -r "[$each][0].dev")
run "$PMEMCTL" inject-error "$qns" --offset 0 --force
expect_status 5 "inject-error on the QEMU NVDIMM's $qns: exit 5"
is "$(head -n 1 <<< "$ERR")" "pmemctl: $qns: no error injection on $qbus (ACPI.NFIT): the platform firmware offers no ACPI error injection commands (ARS error inject)" \
	"... naming the bus and why"
run "$PMEMCTL" inject-error "$qns" --status
expect_status 5 "inject-error --status there: exit 5"
run "$PMEMCTL" inject-smart "$qdimm" -m 60
expect_status 5 "inject-smart on the QEMU NVDIMM's $qdimm: exit 5"
check "... naming the DIMM and why" grep -q "^pmemctl: $qdimm: no SMART injection on $qdimm (ACPI.NFIT): " <<< "$ERR"
printf '%s\n' "$ERR" | diag
done_testing
