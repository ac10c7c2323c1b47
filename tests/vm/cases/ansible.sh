#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# VM case: the Ansible modules of contrib/ansible/library run by Debian's
# ansible-playbook (-c local) on labelled QEMU NVDIMMs: provisioning reports
# changed, then changed=0; check mode changes nothing; the facts are what
# pmemctl list --json says; a conversion; a mounted filesystem refused with
# pmemctl's reason and exit code; absent destroys, then changes nothing.
# Then the role pmemctl.pmem.provision on the bare region1, its layout from
# inventory variables: check mode changes nothing, it provisions, a second
# run changes nothing, a conversion that destroys data fails clearly
# without pmem_allow_destroy, and with it converts (after a removal).
. "$PMEMCTL_SRCDIR/tests/helpers/tap.sh"

if ! command -v ansible-playbook > /dev/null; then
	skip "ansible-playbook is not installed (Debian: ansible-core)"
	done_testing
	exit 0
fi

# The host's root is read-only here: Ansible's homes go to the guest's /tmp.
work=$(mktemp -d /tmp/ansible.XXXXXX)
mkdir -p "$work/home" "$work/local" "$work/remote" "$work/out"
export HOME=$work/home ANSIBLE_LOCAL_TEMP=$work/local ANSIBLE_REMOTE_TMP=$work/remote
export ANSIBLE_LIBRARY=$PMEMCTL_SRCDIR/contrib/ansible/library
export ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 ANSIBLE_PIPELINING=True
export ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_DEPRECATION_WARNINGS=False

# playbook FILE: the play's header, then the tasks from stdin.
playbook()
{
	{
		cat <<-EOF
		- hosts: localhost
		  gather_facts: false
		  module_defaults:
		    pmemctl_namespace: {executable: "$PMEMCTL"}
		    pmemctl_facts: {executable: "$PMEMCTL"}
		  tasks:
		EOF
		sed 's/^/    /'
	} > "$work/$1"
}

# play FILE [OPTIONS]: runs ansible-playbook; output in $OUT, exit in $STATUS.
play()
{
	local file=$1 start=$SECONDS
	shift
	run ansible-playbook -c local -i localhost, "$@" "$work/$file"
	echo "ansible-playbook $* $file: $((SECONDS - start)) s" | diag
}

# recap KEY: a count of the last run's PLAY RECAP (ok, changed, failed, ...).
recap()
{
	sed -n "s/^localhost *:.* $1=\([0-9]*\).*/\1/p" <<< "$OUT"
}

# dump VAR...: a task printing the variables as JSON (null where a skipped
# task left one undefined). debug runs on the controller alone: a module
# task (copy) costs 20 s under TCG.
dump()
{
	local vars=
	for v in "$@"; do
		vars="$vars${vars:+, }'$v': $v | default(None)"
	done
	cat <<-EOF
	- name: dump
	  debug: {msg: "{{ {$vars} | to_json }}"}
	EOF
}

# out EXPR: a Python expression on what the last run's dump task printed (j).
out()
{
	printf '%s' "$OUT" | python3 -c '
import json, sys
text = sys.stdin.read()
at = text.index("TASK [dump]")
at = text.index(" => ", at) + 4
j = json.loads(json.JSONDecoder().raw_decode(text[at:])[0]["msg"])
v = eval(sys.argv[1])
print(json.dumps(v) if not isinstance(v, str) else v)' "$1" 2>&1
}

namespaces() { ndctl list -N -i -v; }

# ns_field NAME KEY: a key of the namespace ndctl finds by its label name
# (raw_uuid: the label's uuid, uuid is the fsdax or devdax device's;
# chardev: the dax device's).
ns_field()
{
	ndctl list -N -v | python3 -c '
import json, sys
j = json.load(sys.stdin)
j = j if isinstance(j, list) else [j]
found = [n for n in j if n.get("name") == sys.argv[1]]
if len(found) != 1:
    print("%d named %s" % (len(found), sys.argv[1]))
elif sys.argv[2] == "chardev":
    print(found[0]["daxregion"]["devices"][0]["chardev"])
else:
    print(found[0].get(sys.argv[2]))' "$1" "$2"
}


# --- provisioning: check mode, first run, second run ----------------------------
# Every ansible-playbook costs about 20 s under TCG, and every module task 15
# more: three runs, few tasks. The second run of the provisioning tasks also
# holds the changes (phase=change), each with its own registered result, so
# the provisioning tasks' "nothing changed" is read from their results.
playbook provision.yml <<EOF
- name: an fsdax namespace
  pmemctl_namespace: {name: ans-fsdax, region: region0, mode: fsdax, size: 256M}
  register: fsdax
- name: a devdax namespace
  pmemctl_namespace: {name: ans-devdax, region: region0, mode: devdax, size: 256M, align: 2M}
  register: devdax
- pmemctl_facts:
  when: phase is not defined and not ansible_check_mode
- name: changes
  when: phase is defined
  block:
  - pmemctl_namespace: {name: ans-devdax, mode: fsdax, force: true}
    register: convert
  - pmemctl_namespace: {name: ans-devdax, region: region0, state: absent, force: true}
    register: absent
  - pmemctl_namespace: {name: ans-fsdax, mode: devdax, force: true}
    register: mounted
    ignore_errors: true
$(dump fsdax devdax ansible_facts.pmem convert absent mounted)
EOF

before=$(namespaces)
play provision.yml --check
expect_status 0 "provision, check mode: ansible-playbook exits 0"
is "$(recap changed)" 2 "check mode: PLAY RECAP says 2 would change"
is "$(namespaces)" "$before" "check mode: ndctl list -N -i unchanged"
is "$(out '[j["fsdax"]["changed"], j["fsdax"]["report"]["dry_run"], j["fsdax"]["namespace"], j["fsdax"]["cmd"][1:3], j["fsdax"]["cmd"][-1]]')" \
	'[true, true, null, ["create-namespace", "region0"], "--dry-run"]' \
	"check mode: create-namespace --dry-run, no namespace yet"

play provision.yml
expect_status 0 "provision: ansible-playbook exits 0"
is "$(recap changed)" 2 "provision: PLAY RECAP changed=2"
[ "$(recap changed)" = 2 ] || show_run | diag
is "$(ns_field ans-fsdax mode) $(ns_field ans-fsdax size)" "fsdax 262144000" \
	"ndctl: ans-fsdax is fsdax, 256M less its page map"
is "$(ns_field ans-devdax mode) $(ns_field ans-devdax align)" "devdax 2097152" \
	"ndctl: ans-devdax is devdax, align 2M"
is "$(out '[j["fsdax"]["changed"], j["fsdax"]["report"]["changed"], j["fsdax"]["namespace"]["blockdev"], j["devdax"]["namespace"]["chardev"]]')" \
	"[true, true, \"$(ns_field ans-fsdax blockdev)\", \"$(ns_field ans-devdax chardev)\"]" \
	"the results: pmemctl's report, the namespaces with ndctl's devices"
uuid=$(ns_field ans-devdax raw_uuid)

# --- the facts are pmemctl list's ------------------------------------------------
for kind in B:buses DH:dimms R:regions N:namespaces X:daxdevs; do
	"$PMEMCTL" list "-${kind%%:*}" --json > "$work/list.json"
	is "$(out "j['ansible_facts.pmem']['${kind#*:}'] == json.load(open('$work/list.json'))['${kind#*:}']")" \
		true "facts: ${kind#*:} equal pmemctl list -${kind%%:*} --json"
done
"$PMEMCTL" show --json > "$work/show.json"
is "$(out "j['ansible_facts.pmem']['verdict'] == json.load(open('$work/show.json'))['platform']")" \
	true "facts: verdict equals pmemctl show --json's platform"
is "$(out '[len(j["ansible_facts.pmem"][k]) for k in ("buses", "dimms", "regions", "namespaces", "daxdevs")]')" \
	"[1, 2, 2, 2, 1]" "facts: 1 bus, 2 DIMMs, 2 regions, 2 namespaces, 1 dax device"
is "$(out '[r["available_size"] for r in j["ansible_facts.pmem"]["regions"] if r["dev"] == "region0"][0]')" \
	"$(ndctl list -R -r region0 | python3 -c 'import json, sys; j = json.load(sys.stdin); print((j[0] if isinstance(j, list) else j)["available_size"])')" \
	"facts: region0's available_size is ndctl's"

# --- again: nothing to provision; a conversion, absent, a mounted filesystem -------
dev=$(ns_field ans-fsdax blockdev)
fsdax_uuid=$(ns_field ans-fsdax uuid)
mkfs.ext4 -q -F -b 4096 "/dev/$dev"
mkdir -p /tmp/mnt
mount -o dax "/dev/$dev" /tmp/mnt
play provision.yml --diff -e phase=change
is "$STATUS $(recap changed) $(recap failed) $(recap ignored)" "0 2 0 1" \
	"again: exit 0, changed=2 (convert, absent), the mounted refusal ignored"
is "$(out '[j[t]["changed"] for t in ("fsdax", "devdax")]')" '[false, false]' \
	"again: the provisioning tasks change nothing"
is "$(out '[j["fsdax"]["cmd"][1], j["devdax"]["cmd"][1], j["devdax"]["report"]["message"]]')" \
	'["convert", "convert", "already devdax: nothing to do"]' \
	"again: found by name; pmemctl convert says already devdax"
is "$(ns_field ans-fsdax uuid)" "$fsdax_uuid" "again: ans-fsdax is the namespace of the first run"
is "$(out '[j["convert"]["report"]["from"]["mode"], j["convert"]["report"]["to"]["mode"], j["convert"]["report"]["to"]["uuid"]]')" \
	"[\"devdax\", \"fsdax\", \"$uuid\"]" \
	"convert: devdax to fsdax, keeping the label uuid ndctl gave"
check "convert: --diff shows mode devdax -> fsdax" \
	grep -q '^-  *"mode": "devdax"' <<< "$OUT"
is "$(out '[j["absent"]["changed"], j["absent"]["cmd"][1], j["absent"]["namespace"]]')" \
	'[true, "destroy-namespace", null]' "absent: destroyed"
is "$(ns_field ans-devdax mode)" "0 named ans-devdax" "absent: ndctl has no namespace ans-devdax"
is "$(out '[j["mounted"]["failed"], j["mounted"]["rc"], j["mounted"]["msg"]]')" \
	"[true, 6, \"pmemctl: $(ns_field ans-fsdax dev): in use: /dev/$dev is mounted on /tmp/mnt; converting refused\"]" \
	"mounted: the task fails with pmemctl's exit code 6 (in use) and reason"
is "$(ns_field ans-fsdax mode)" fsdax "mounted: still fsdax"
check "mounted: still mounted" mountpoint -q /tmp/mnt
umount /tmp/mnt

# --- the role pmemctl.pmem.provision on region1 -------------------------------------
# Five runs of two module tasks each (one per namespace of the description).
export ANSIBLE_COLLECTIONS_PATH=$PMEMCTL_SRCDIR/contrib/ansible/collection
# role_run ALLOW NS1-STATE NS2-MODE [OPTIONS]: the role, the description in
# the inventory (a removal at the first place, as ordered in the role).
role_run()
{
	local start=$SECONDS
	cat > "$work/inventory.yml" <<-EOF
	all:
	  hosts:
	    localhost:
	      ansible_connection: local
	      pmem_executable: $PMEMCTL
	      pmem_allow_destroy: $1
	      pmem_namespaces:
	        - {name: role-fs, region: region1, mode: fsdax, size: 256M, state: $2}
	        - {name: role-dax, region: region1, mode: $3, size: 256M, align: 2M}
	EOF
	printf -- '- hosts: all\n  gather_facts: false\n  roles: [pmemctl.pmem.provision]\n' > "$work/site.yml"
	shift 3
	run ansible-playbook -i "$work/inventory.yml" "$@" "$work/site.yml"
	echo "ansible-playbook (role) $*: $((SECONDS - start)) s" | diag
}
region1() { ndctl list -N -r region1 -v | python3 -c '
import json, sys
j = json.load(sys.stdin)
print(" ".join(sorted("%s:%s" % (n.get("name"), n["mode"]) for n in (j if isinstance(j, list) else [j]) if n.get("size"))))' 2> /dev/null; }

bare=$(namespaces)
is "$(region1)" "" "role: region1 starts bare"
# PLAY RECAP counts tasks; a loop's items are counted here.
items_changed() { grep -c '^changed: \[localhost\] => (item=' <<< "$OUT"; }
role_run false present devdax --check
is "$STATUS $(recap changed) $(items_changed)" "0 1 2" "role, check mode: exit 0, both namespaces would be created"
is "$(namespaces)" "$bare" "role, check mode: ndctl list -N -i unchanged"
role_run false present devdax
is "$STATUS $(recap changed) $(items_changed)" "0 1 2" "role: provisions both namespaces"
is "$(region1)" "role-dax:devdax role-fs:fsdax" "role: ndctl has role-fs fsdax and role-dax devdax on region1"
is "$(ns_field role-dax align) $(ns_field role-fs size)" "2097152 262144000" "role: align 2M, size 256M less the page map"
layout=$(namespaces)
role_run false present devdax
is "$STATUS $(recap changed) $(recap failed)" "0 0 0" "role, second run: changed=0"
is "$(namespaces)" "$layout" "role, second run: ndctl list -N -i unchanged"
role_run false present fsdax
is "$STATUS $(recap failed) $(recap rescued)" "2 1 1" "role: converting devdax without pmem_allow_destroy fails the play"
dax=$(ns_field role-dax dev)
check "role: the failure says what was refused and what to set" \
	grep -q "pmem_allow_destroy is false, so nothing holding data is converted or destroyed; refused on localhost: role-dax (pmemctl: $dax: .*--force.*). Set pmem_allow_destroy: true for this host to let it." <<< "$OUT"
[ "$STATUS" = 2 ] || show_run | diag
is "$(namespaces)" "$layout" "role, refused: ndctl list -N -i unchanged"
role_run true absent fsdax
is "$STATUS $(recap changed) $(items_changed)" "0 2 2" "role with pmem_allow_destroy: role-fs removed, role-dax converted"
is "$(region1)" "role-dax:fsdax" "role: ndctl has role-dax fsdax alone on region1"
is "$(ns_field role-dax dev)" "$dax" "role: role-dax converted in place ($dax)"

rm -rf "$work"
done_testing
