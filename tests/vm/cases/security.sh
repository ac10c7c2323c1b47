#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: the DIMM security lifecycle on nfit_test.0 (ndctl's test/security.sh
# is the map): set-passphrase, locked after a disable and a lock, load-keys,
# a change, crypto-erase, overwrite with its wait, remove, freeze; after each
# step ndctl list -D reads the state pmemctl does; key files both ways with
# ndctl. Leaves the DIMM as found (no passphrase, unlocked, regions enabled)
# and reloads nfit_test after the freeze, which only a reload undoes.
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"

if ! command -v keyctl > /dev/null; then
	echo "1..0 # SKIP keyutils (keyctl) is not installed"
	exit 0
fi
keys=/etc/ndctl/keys
mkdir -p /tmp/keys-tmpfs
# The guest's root is the host's, read-only: a tmpfs over the key directory.
mkdir -p "$keys" 2>/dev/null
mount -t tmpfs -o mode=0700 keys "$keys" || { echo "1..0 # SKIP no tmpfs over $keys"; exit 0; }
keyctl link @u @s > /dev/null 2>&1

dimm=$(ndctl list -b nfit_test.0 -D | python3 -c 'import json,sys; print(sorted(d["dev"] for d in json.load(sys.stdin))[0])')
id=$(ndctl list -d "$dimm" -D | python3 -c 'import json,sys; j=json.load(sys.stdin); print((j[0] if isinstance(j,list) else j)["id"])')
regions=$(ndctl list -b nfit_test.0 -R | python3 -c 'import json,sys; j=json.load(sys.stdin); print(" ".join(r["dev"] for r in (j if isinstance(j,list) else [j])))')
blob="$keys/nvdimm_${id}_$(hostname).blob"
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

# -i: a disabled DIMM (locked, or taken down to lock it) is listed too.
ndctl_state() { ndctl list -i -d "$dimm" -D | python3 -c 'import json,sys; j=json.load(sys.stdin); print((j[0] if isinstance(j,list) else j).get("security"))'; }
ndctl_frozen() { ndctl list -i -d "$dimm" -D | python3 -c 'import json,sys; j=json.load(sys.stdin); print(str((j[0] if isinstance(j,list) else j).get("security_frozen", False)).lower())'; }
ours() { "$PMEMCTL" list -D -J "$dimm" | python3 -c 'import json,sys; d=json.load(sys.stdin)["dimms"][0]; print(d["security"], str(d["security_frozen"]).lower())'; }
# state STATE MSG: pmemctl and ndctl both read STATE
state() {
	is "$(ours)" "$1 $(ndctl_frozen)" "$2: pmemctl reads $1"
	is "$(ndctl_state)" "$1" "$2: ndctl list -D reads $1 too"
}

state disabled "at the start"
run "$PMEMCTL" set-passphrase "$dimm"
expect_status 3 "no master key: exit 3"
check "... the message names the master key and the fix" grep -q "no master key user:nvdimm-master.*load-keys" <<< "$ERR"

# The master key, as ndctl's test makes it: 32 random bytes, a user key.
dd if=/dev/urandom bs=1 count=32 2>/dev/null | keyctl padd user nvdimm-master @u > /dev/null
keyctl pipe "$(keyctl search @u user nvdimm-master)" > "$keys/nvdimm-master.blob"

run nobody "$PMEMCTL" set-passphrase "$dimm"
expect_status 4 "non-root: exit 4"
run "$PMEMCTL" set-passphrase nmem99
expect_status 3 "an unknown DIMM: exit 3"
check "... named" grep -q "nmem99: no such DIMM" <<< "$ERR"

run "$PMEMCTL" set-passphrase --dry-run "$dimm"
expect_status 0 "set-passphrase --dry-run"
check "... writes no key file" test ! -e "$blob"
run "$PMEMCTL" set-passphrase "$dimm"
expect_status 0 "set-passphrase sets it up (regions active: the kernel allows it)"
check "... the key file is written as ndctl names it" test -s "$blob"
check "... an encrypted key under the master key, as the kernel exports it" \
	grep -qE "^enc32 user:nvdimm-master 32 [0-9a-f]+$" "$blob"
state unlocked "after set-passphrase"

# metrics: the state set fleets alert on
run "$PMEMCTL" metrics
check "metrics: pmem_dimm_security_state unlocked is 1" \
	grep -q "pmem_dimm_security_state{dimm=\"$dimm\",bus=\"[^\"]*\",state=\"unlocked\"} 1" <<< "$OUT"

# Lock: regions down, DIMM disabled, nfit_test's lock_dimm, as test/security.sh.
run "$PMEMCTL" sanitize-dimm -f "$dimm"
expect_status 6 "crypto-erase with regions active: exit 6"
check "... names the regions and the fix" grep -q "regions active.*pmemctl disable" <<< "$ERR"
for r in $regions; do ndctl disable-region "$r" > /dev/null 2>&1; done
handle=$(ndctl list -d "$dimm" -D -i | python3 -c 'import json,sys; j=json.load(sys.stdin); print((j[0] if isinstance(j,list) else j)["handle"])')
ndctl disable-dimm "$dimm" > /dev/null 2>&1
for t in /sys/devices/platform/nfit_test.0/nfit_test_dimm/test_dimm*; do
	[ "$(($(cat "$t/handle")))" -eq "$((handle))" ] && echo 1 > "$t/lock_dimm"
done
state locked "after lock_dimm"
run "$PMEMCTL" show "$dimm"
check "show $dimm: security locked" grep -qE '^  security +locked$' <<< "$OUT"
run "$PMEMCTL" doctor
check "doctor: a locked DIMM, with the command that unlocks it" \
	grep -q "$dimm is locked.*cannot be used until it is unlocked" <<< "$OUT$ERR"
check "... and the fix names load-keys" grep -q "pmemctl load-keys" <<< "$OUT$ERR"
# The bundle replays the state as live.
run "$PMEMCTL" report /tmp/sec-bundle.tar.gz
expect_status 0 "report while locked"
run "$PMEMCTL" --sysroot /tmp/sec-bundle.tar.gz list -D -J "$dimm"
check "the replayed bundle reads locked" grep -q '"security":"locked"\|"security": "locked"' <<< "$OUT"

# load-keys: the keyring emptied first, as after a reboot
keyctl unlink "$(keyctl search @u encrypted "nvdimm:$id")" > /dev/null
keyctl unlink "$(keyctl search @u user nvdimm-master)" > /dev/null
run "$PMEMCTL" load-keys
expect_status 0 "load-keys"
check "... loads the master key" grep -q "master key loaded" <<< "$OUT"
check "... unlocks $dimm" grep -q "$dimm unlocked" <<< "$OUT"
state unlocked "after load-keys"
check "the master key is in the keyring" keyctl search @u user nvdimm-master
for r in $regions; do ndctl disable-region "$r" > /dev/null 2>&1; done

# A change: new key file, the old gone
old=$(md5sum < "$blob")
run "$PMEMCTL" set-passphrase "$dimm"
expect_status 0 "set-passphrase changes it"
check "... a new key file" test "$(md5sum < "$blob")" != "$old"
check "... no old key file left" test ! -e "$keys/nvdimm-old_${id}_$(hostname).blob"
state unlocked "after the change"

# ndctl loads pmemctl's keys
keyctl unlink "$(keyctl search @u encrypted "nvdimm:$id")" > /dev/null
keyctl unlink "$(keyctl search @u user nvdimm-master)" > /dev/null
run ndctl load-keys
check "ndctl load-keys loads pmemctl's DIMM key" keyctl search @u encrypted "nvdimm:$id"
run ndctl update-passphrase "$dimm"
expect_status 0 "ndctl update-passphrase with pmemctl's key"
# pmemctl loads ndctl's keys
keyctl unlink "$(keyctl search @u encrypted "nvdimm:$id")" > /dev/null
keyctl unlink "$(keyctl search @u user nvdimm-master)" > /dev/null
run "$PMEMCTL" load-keys
check "pmemctl load-keys loads ndctl's DIMM key" keyctl search @u encrypted "nvdimm:$id"
state unlocked "after ndctl's update"

# Crypto-erase
run "$PMEMCTL" sanitize-dimm "$dimm" < /dev/null
expect_status 9 "crypto-erase without --force: exit 9"
run "$PMEMCTL" sanitize-dimm --dry-run "$dimm"
expect_status 0 "crypto-erase --dry-run"
state unlocked "after the dry run"
run "$PMEMCTL" sanitize-dimm -f "$dimm"
expect_status 0 "crypto-erase"
state disabled "after crypto-erase"
check "... its key file is gone" test ! -e "$blob"

# Overwrite with a passphrase, waited for
run "$PMEMCTL" set-passphrase "$dimm"
expect_status 0 "set-passphrase again"
run "$PMEMCTL" sanitize-dimm --overwrite --timeout 1 -f "$dimm"
expect_status 12 "overwrite, --timeout 1: exit 12, it goes on"
# The kernel's nmemN/security reads "overwrite" now; nfit_test replaces it
# with its own, which has no such line and fails (ENOTTY): ndctl then
# omits the key, and pmemctl says null.
theirs=$(ndctl_state)
check "ndctl list -D meanwhile: overwrite, or no key on nfit_test ($theirs)" \
	test "$theirs" = overwrite -o "$theirs" = None
is "$(ours)" "$theirs false" "pmemctl reads what ndctl reads"
run "$PMEMCTL" doctor
check "doctor: overwrite in progress" \
	grep -q "overwrite of $dimm is in progress\|security state of $dimm is unreadable, as during an overwrite" <<< "$OUT$ERR"
run "$PMEMCTL" remove-passphrase -f "$dimm"
expect_status 6 "remove-passphrase during the overwrite: exit 6"
t0=$(date +%s)
run "$PMEMCTL" sanitize-dimm --overwrite -f "$dimm"
expect_status 0 "sanitize-dimm --overwrite waits for the one running ($(( $(date +%s) - t0 )) s)"
check "... and says it is done" grep -q "overwritten: all its data is gone" <<< "$OUT"
state unlocked "after the overwrite"

# Remove
run "$PMEMCTL" remove-passphrase "$dimm" < /dev/null
expect_status 9 "remove-passphrase without --force: exit 9"
run "$PMEMCTL" remove-passphrase -f "$dimm"
expect_status 0 "remove-passphrase"
state disabled "after remove-passphrase"
check "... its key file is gone" test ! -e "$blob"

# ndctl's set-up, pmemctl's removal
run ndctl setup-passphrase "$dimm" -k user:nvdimm-master
expect_status 0 "ndctl setup-passphrase"
keyctl unlink "$(keyctl search @u encrypted "nvdimm:$id")" > /dev/null
run "$PMEMCTL" remove-passphrase -f "$dimm"
expect_status 0 "pmemctl removes ndctl's passphrase, its key from ndctl's file"
state disabled "after that"

# Freeze: last, nfit_test keeps it until reloaded
run "$PMEMCTL" set-passphrase "$dimm"
run "$PMEMCTL" freeze-security "$dimm"
expect_status 0 "freeze-security"
is "$(ndctl_frozen)" true "ndctl list -D: security_frozen true"
is "$(ours | cut -d' ' -f2)" true "pmemctl: security_frozen true"
run "$PMEMCTL" set-passphrase "$dimm"
expect_status 1 "a change while frozen is refused: exit 1"
check "... says why and what to do" grep -q "$dimm: security frozen: a passphrase change or erase needs a reboot" <<< "$ERR"
run "$PMEMCTL" doctor
check "doctor: security frozen" grep -q "$dimm: security frozen" <<< "$OUT$ERR"

# As found: nfit_test reloaded (its DIMMs forget the passphrase), keys gone.
keyctl unlink "$(keyctl search @u encrypted "nvdimm:$id")" > /dev/null 2>&1
keyctl unlink "$(keyctl search @u user nvdimm-master)" > /dev/null 2>&1
ndctl disable-region -b nfit_test.0 all > /dev/null 2>&1; ndctl disable-region -b nfit_test.1 all > /dev/null 2>&1
modprobe -r nfit_test && modprobe nfit_test
udevadm settle 2>/dev/null
run ndctl list -b nfit_test.0 -D
state disabled "after nfit_test's reload"
umount "$keys"
done_testing
