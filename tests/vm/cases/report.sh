#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: pmemctl report writes a bundle, and --sysroot replays it as the
# machine showed it: list, show and doctor (exit codes too), as root and as
# an unprivileged user, from the tar.gz and from its extracted directory.
# Expects two labelled NVDIMMs (ADR), one virtio-pmem device and a memmap.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"

ndctl create-namespace -r region0 -m fsdax -s 256M > /dev/null
ndctl create-namespace -r region0 -m devdax -s 256M > /dev/null
ndctl create-namespace -r region1 -m sector -s 256M > /dev/null
ndctl create-namespace -r region1 -m raw -s 256M > /dev/null
mkdir -p /tmp/mnt && mkfs.ext4 -q -F -b 4096 /dev/pmem0 && mount /dev/pmem0 /tmp/mnt

work=$(mktemp -d /tmp/report.XXXXXX)
chmod 755 "$work"
bundle=$work/machine.tar.gz

# --- writing the bundle ---------------------------------------------------
export PMEMCTL_TEST_SECRET=do-not-ship-me-4242
run "$PMEMCTL" report "$bundle"
expect_status 0 "report as root: exit 0"
check "the summary names the file" grep -q "^$bundle: [0-9]* files" <<< "$OUT"
tar tzf "$bundle" > "$work/entries"
check "the bundle is a tar.gz that tar reads" test -s "$work/entries"
top=$(head -n 1 "$work/entries")
top=${top%/}
check "one top directory, pmemctl-report-DATE-TIME" grep -Eq '^pmemctl-report-[0-9]{8}-[0-9]{6}$' <<< "$top"
for entry in sys/class/nd/ndctl0 sys/bus/nd/devices/region0 sys/bus/dax/devices/dax0.1 \
	     sys/firmware/acpi/tables/NFIT proc/cpuinfo proc/cmdline proc/version \
	     proc/modules proc/self/mountinfo pmemctl/kernel.log pmemctl/modules \
	     pmemctl/list.json pmemctl/doctor.json pmemctl/report.json; do
	check "the bundle holds $entry" grep -qx "$top/$entry/\?" "$work/entries"
done
tar xzf "$bundle" -C "$work"
check "the NFIT table is the machine's, byte for byte" \
	cmp -s /sys/firmware/acpi/tables/NFIT "$work/$top/sys/firmware/acpi/tables/NFIT"
"$PMEMCTL" list -BDRNXCi --json > "$work/live-list.json"
check "pmemctl/list.json is list -BDRNXCi --json (with the CXL memdevs)" cmp -s "$work/live-list.json" "$work/$top/pmemctl/list.json"
"$PMEMCTL" doctor --json > "$work/live-doctor.json"
check "pmemctl/doctor.json is doctor --json" cmp -s "$work/live-doctor.json" "$work/$top/pmemctl/doctor.json"
check "mountinfo keeps the pmem mount" grep -q ' /tmp/mnt ' "$work/$top/proc/self/mountinfo"
check "mountinfo keeps nothing else (the root mount is not in it)" \
	bash -c "! grep -q ' / / ' '$work/$top/proc/self/mountinfo'"
check "cpuinfo holds one CPU" test "$(grep -c '^processor' "$work/$top/proc/cpuinfo")" = 1
check "the kernel log keeps nvdimm messages" grep -q 'nd_pmem\|pmem\|nvdimm' "$work/$top/pmemctl/kernel.log"
check "no environment in the bundle" bash -c "! zcat '$bundle' | grep -aq do-not-ship-me-4242"
is "$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["as_root"], m["not_captured"], m["doctor_exit"])' "$work/$top/pmemctl/report.json")" \
	"True [] 11" "report.json: as root, nothing left out, doctor's exit code"

# --- replay gives what the machine showed -----------------------------------
# same_as_live DESC ARGS...: output and exit code, live and replayed.
same_as_live()
{
	local desc=$1 source=$2 live_status
	shift 2
	"$PMEMCTL" "$@" > "$work/live.out" 2> "$work/live.err"
	live_status=$?
	run "$PMEMCTL" --sysroot "$source" "$@"
	if [ "$STATUS" = "$live_status" ] && [ "$OUT" = "$(cat "$work/live.out")" ] &&
	   [ "$ERR" = "$(cat "$work/live.err")" ]; then
		pass "$desc: pmemctl $* (exit $STATUS)"
	else
		fail "$desc: pmemctl $*"
		{ echo "live exit $live_status, replay exit $STATUS"; \
		  diff <(cat "$work/live.out" "$work/live.err") <(printf '%s\n' "$OUT" "$ERR") | head -n 30; } | diag
	fi
}

for args in "list" "list -BDRNXi --json" "list -r --output-all" "list -o +nosuch" "list -n -b -o DEV,SIZE,MODE" \
	    "list -D" "list region1" "show" "show --json" "show namespace0.0" \
	    "doctor" "doctor --json" "doctor namespace0.0 --json" "doctor region3" \
	    "doctor pmem0" "doctor /dev/dax0.1"; do
	# shellcheck disable=SC2086
	same_as_live "replay of the bundle" "$bundle" $args
done
same_as_live "replay of the extracted directory" "$work/$top" list -BDRNXi --json
same_as_live "replay of the extracted directory" "$work/$top" doctor --json
run "$PMEMCTL" --sysroot "$bundle" doctor --json
check "the kernel's 'unable to guarantee persistence' on the memmap region is replayed" \
	grep -q kernel-no-persistence <<< "$OUT"

# ndctl reads the same capture through the same bind mount.
ndctl list -BDRNXi > "$work/ndctl-live.json"
unshare -m sh -c "mount --make-rprivate / && mount --bind '$work/$top/sys' /sys && ndctl list -BDRNXi" \
	> "$work/ndctl-replay.json" 2>&1
# ndctl lists in readdir order, which a tmpfs does not keep: sort objects.
sort_objects='
import json, sys
def norm(v):
    if isinstance(v, list):
        return sorted((norm(x) for x in v), key=lambda x: json.dumps(x, sort_keys=True))
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items()}
    return v
print(json.dumps(norm(json.load(open(sys.argv[1]))), sort_keys=True))'
is "$(python3 -c "$sort_objects" "$work/ndctl-replay.json")" "$(python3 -c "$sort_objects" "$work/ndctl-live.json")" \
	"ndctl list -BDRNXi over the capture equals the live one (object order aside)"

mounts_before=$(cat /proc/self/mountinfo)
"$PMEMCTL" --sysroot "$bundle" list > /dev/null
is "$(cat /proc/self/mountinfo)" "$mounts_before" "the replay's mounts stay in its own namespace"

# --- unprivileged replay ------------------------------------------------------
as_nobody() { su nobody -s /bin/sh -c "$*"; }
as_nobody "'$PMEMCTL' list -BDRNXi --json" > "$work/nobody-live.json" 2>&1
# report writes its bundle 0600 (it holds root-only facts): the support
# engineer's copy is their own file.
cp "$bundle" "$work/copy-for-nobody.tar.gz"
chown nobody "$work/copy-for-nobody.tar.gz"
run as_nobody "'$PMEMCTL' --sysroot '$work/copy-for-nobody.tar.gz' list -BDRNXi --json"
expect_status 0 "replay as nobody (a user namespace): exit 0"
is "$OUT" "$(cat "$work/nobody-live.json")" "replayed as nobody = live as nobody (deep_flush_permitted and all)"
check "nobody is not told deep flush is permitted" bash -c "! grep -q '\"deep_flush_permitted\": true' '$work/nobody-live.json'"
if [ -e /proc/sys/kernel/unprivileged_userns_clone ]; then
	echo 0 > /proc/sys/kernel/unprivileged_userns_clone
	run as_nobody "'$PMEMCTL' --sysroot '$work/copy-for-nobody.tar.gz' list"
	expect_status 4 "user namespaces disabled: exit 4"
	check "the message names the sysctl and the fix" grep -q 'kernel.unprivileged_userns_clone=0): run as root' <<< "$ERR"
	echo 1 > /proc/sys/kernel/unprivileged_userns_clone
else
	skip "user namespaces disabled: exit 4" "no kernel.unprivileged_userns_clone"
	skip "the message names the sysctl" "no kernel.unprivileged_userns_clone"
fi

# --- what replay refuses ---------------------------------------------------------
run "$PMEMCTL" --sysroot "$bundle" convert namespace0.0 devdax
expect_status 2 "convert under --sysroot: a usage error"
replayable=$("$PMEMCTL" --list-cmds --replayable | sed -e ':a' -e 'N;$!ba' -e 's/\n\([^\n]*\)$/ and \1/' -e 's/\n/, /g')
check "it says which commands replay ($replayable)" grep -q "replays $replayable" <<< "$ERR"
run "$PMEMCTL" --sysroot "$bundle" doctor /tmp/mnt
expect_status 2 "a path under --sysroot: a usage error"
check "it asks for an object name" grep -q 'name a region, namespace or device' <<< "$ERR"
echo "just text" > "$work/notes.txt"
run "$PMEMCTL" --sysroot "$work/notes.txt" list
expect_status 2 "a file that is not a bundle: exit 2"
check "it says so" grep -q 'notes.txt: not a tar archive' <<< "$ERR"
head -c 20000 "$bundle" > "$work/truncated.tar.gz"
run "$PMEMCTL" --sysroot "$work/truncated.tar.gz" list
expect_status 2 "a truncated bundle: exit 2"
check "it says truncated" grep -q 'truncated' <<< "$ERR"
run "$PMEMCTL" --sysroot /tmp list
expect_status 2 "a directory that is not a report: exit 2"
run "$PMEMCTL" --sysroot "$work/none.tar.gz" list
expect_status 3 "a missing bundle: exit 3"
python3 - "$work/evil.tar.gz" <<'EOF'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w:gz") as t:
    for name in ("top/sys/class/nd/x", "top/pmemctl/modules", "top/../../escaped"):
        info = tarfile.TarInfo(name)
        info.size = 2
        t.addfile(info, io.BytesIO(b"1\n"))
EOF
run "$PMEMCTL" --sysroot "$work/evil.tar.gz" list
expect_status 2 "a bundle with a '..' name: refused (exit 2)"
check "it names the entry" grep -q 'top/../../escaped: unsafe name' <<< "$ERR"

# --- report's own safety ----------------------------------------------------------
run "$PMEMCTL" report "$bundle"
expect_status 9 "an existing file is not overwritten (exit 9)"
check "it says how to proceed" grep -q 'exists: remove it, name another file, or pass --force' <<< "$ERR"
run "$PMEMCTL" report -f -J "$bundle"
expect_status 0 "--force overwrites it"
is "$(json_get '(j["file"], j["not_captured"], j["files"] > 500)')" "[\"$bundle\", [], true]" "--json describes the bundle"
run bash -c "'$PMEMCTL' report - | tar tzf - | grep -c /sys/class/nd/"
check "report - writes the bundle to a pipe" test "$OUT" -ge 1
check "no partial file is left next to the bundle" bash -c "! ls '$work' | grep -q partial"
run as_nobody "'$PMEMCTL' report '$work/nobody.tar.gz'"
expect_status 4 "nobody cannot write into a root-owned directory: exit 4"
check "no partial file after the failure" bash -c "! ls '$work' | grep -q partial"
mkdir -m 777 "$work/public"
run as_nobody "cd '$work/public' && '$PMEMCTL' report -J"
expect_status 0 "report as nobody, default file name"
check "the default name is pmemctl-report-DATE-TIME.tar.gz" \
	bash -c "ls '$work/public' | grep -Eq '^pmemctl-report-[0-9]{8}-[0-9]{6}\.tar\.gz$'"
is "$(json_get '[g["what"] for g in j["not_captured"]]')" '["ACPI NFIT table", "kernel messages", "DIMM label areas"]' \
	"as nobody the NFIT table, the kernel log and the label areas are listed as not captured" 
nobody_bundle=$(ls "$work"/public/*.tar.gz)
run as_nobody "'$PMEMCTL' --sysroot '$nobody_bundle' list -BDRNXi --json"
is "$OUT" "$(cat "$work/nobody-live.json")" "nobody's own bundle replays as nobody saw it live"

if command -v valgrind > /dev/null; then
	run valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		"$PMEMCTL" report -f "$work/vg.tar.gz"
	expect_status 0 "report is clean under valgrind"
	# A replay reads the same on the host, where valgrind is fast.
	valgrind_on_host --status 11 "$bundle" doctor --json
else
	skip "report is clean under valgrind" "no valgrind"
fi

umount /tmp/mnt
done_testing
