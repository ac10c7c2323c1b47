#!/usr/bin/python
# SPDX-License-Identifier: GPL-2.0-or-later
# namespace (pmemctl.pmem.namespace): a persistent-memory namespace made present (created or
# converted) or absent (destroyed) through pmemctl's JSON change reports.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: namespace
short_description: Create, convert and destroy persistent-memory namespaces with pmemctl
description:
  - Makes a namespace present in a mode, or absent, through pmemctl's
    changing commands, always with C(--json), whose report says what
    changed.
  - I(state=present) on a namespace that does not exist runs
    C(pmemctl create-namespace REGION --name NAME --json); on one that
    exists, when I(mode), I(align), I(map) or I(sector_size) is given,
    C(pmemctl convert NAMESPACE --mode MODE --json), which changes nothing
    when the namespace is already so. I(state=absent) runs
    C(pmemctl destroy-namespace NAMESPACE --json).
  - C(changed) is pmemctl's own C("changed"). In check mode the same
    command runs with C(--dry-run), and C(changed) says whether pmemctl
    planned any step.
  - pmemctl's safety rules apply unchanged (see SAFETY in pmemctl-convert(1)).
    A namespace in use (mounted, open, mapped, stacked on, online as system
    RAM) is never changed, and the task fails with pmemctl's reason and
    exit code 6, also in check mode; a namespace with a personality or a
    filesystem signature is only converted or destroyed with I(force=true)
    (without it, exit code 9). A failed step is rolled back by pmemctl.
  - B(How a namespace is found.) Either I(namespace) names an existing one
    by its kernel name (C(namespace0.0)), block device (C(pmem0),
    C(/dev/pmem0)) or dax device (C(dax0.0), C(/dev/dax0.0)); or I(name)
    names it by the name stored in its label, which
    C(pmemctl create-namespace --name) writes and which a conversion keeps.
    A playbook that provisions namespaces should use I(name) (with
    I(region)). The first run creates the namespace with that name, and
    every later run finds it by the name, whatever device names the kernel
    gave it, and only converts it when its mode differs. Kernel names are
    not identities (they follow creation order, and a conversion may give a
    new dax device name), and a namespace cannot be matched by region, mode
    and size (two equal namespaces would be one, and a conversion changes
    the mode), so the module does not try.
  - Names should be unique in a region; when several namespaces of the
    region (or, without I(region), of the host) carry I(name), the task
    fails rather than pick one.
  - Namespaces exist only on regions whose DIMMs have labels; a label-less
    region has one namespace that can be converted (by I(namespace)) but
    not created or destroyed (destroying it leaves it raw).
  - CXL regions, on which namespaces are made, are made by M(pmemctl.pmem.region).
version_added: "0.1.0"
author: pmemctl developers
requirements:
  - pmemctl on the managed host; root, except in check mode
options:
  state:
    description:
      - C(present) creates the namespace when no namespace has I(name), and
        converts it when it is not in I(mode) (with I(align), I(map),
        I(sector_size)).
      - C(absent) destroys it; a namespace that is not there is no change.
    type: str
    choices: [present, absent]
    default: present
  name:
    description:
      - The name in the namespace's label, which identifies it from one run
        to the next; given to C(pmemctl create-namespace --name) when the
        namespace is created.
      - Exactly one of I(name) and I(namespace) is required.
    type: str
  namespace:
    description:
      - An existing namespace, by its kernel name, block device or dax
        device (C(namespace0.0), C(pmem0), C(/dev/dax0.0)). It is never
        created; with I(state=present) a missing one fails the task.
    type: str
    aliases: [dev]
  region:
    description:
      - The region to create the namespace in (C(region0)); required when
        a namespace given by I(name) does not exist and I(state=present).
      - With I(name), only namespaces of this region are looked at.
    type: str
  memdevs:
    description:
      - Instead of I(region), the CXL memory devices (C(mem0), C(mem1)) of
        the region, in position order, as M(pmemctl.pmem.region) takes
        them (kernel names of CXL regions follow creation order, memory
        devices do not).
      - When no region interleaves them, I(state=absent) changes nothing,
        check mode reports the namespace as to be created (an earlier
        task would create the region), and otherwise the task fails
        (C(rc) 3).
    type: list
    elements: str
    version_added: "0.2.0"
  mode:
    description:
      - The namespace's mode. At creation, pmemctl's default is C(fsdax).
      - For an existing namespace, when not given but I(align), I(map) or
        I(sector_size) is, its current mode.
      - C(system-ram) hands the namespace's memory to the kernel as RAM of
        its NUMA node (a devdax device bound to kmem, its memory blocks
        online); any other mode takes it back (pmemctl offlines the
        memory first, and refuses with rc 6 when a block cannot be).
    type: str
    choices: [fsdax, devdax, sector, raw, system-ram]
  movable:
    description:
      - With I(mode=system-ram), online the memory in ZONE_MOVABLE (it can
        be offlined again) or, when false, in ZONE_NORMAL. A namespace
        already system RAM in the other zone has its memory moved.
    type: bool
    default: true
    version_added: "0.2.0"
  size:
    description:
      - Size of a new namespace, in bytes or with a binary unit (C(16G),
        C(512M)); a multiple of the region's alignment. By default
        the largest free extent of the region.
      - Used only at creation; an existing namespace is never resized
        (pmemctl cannot; destroy it and create it again).
    type: str
  align:
    description:
      - Alignment of fsdax and devdax mappings (C(4K), C(2M), C(1G)).
        pmemctl takes C(2M) when it is not given, so an fsdax or devdax
        namespace with another alignment is converted to C(2M) unless
        I(align) says otherwise.
    type: str
  map:
    description:
      - Where the page map of an fsdax or devdax namespace lives, in
        system memory or on the device (pmemctl's default).
    type: str
    choices: [mem, dev]
  sector_size:
    description:
      - Sector size of a sector (BTT) namespace (pmemctl's default 4096).
    type: int
  force:
    description:
      - Convert or destroy a namespace that has a personality (fsdax,
        devdax, sector) or a filesystem signature (C(pmemctl --force)).
        Never lets pmemctl change a namespace in use.
    type: bool
    default: false
  executable:
    description:
      - The pmemctl program to run; by default C(pmemctl) from the PATH.
    type: path
notes:
  - Supports check mode (C(--dry-run)) and diff mode (the configuration
    before and after).
  - The exit codes in C(rc) are pmemctl's (see EXIT STATUS in pmemctl(1)), among them
    2 bad option, 3 no such namespace or region, 4 not root, 5 not
    possible here, 6 in use, 9 data would be destroyed without I(force),
    1 a step failed and the previous configuration was restored.
seealso:
  - module: pmemctl.pmem.facts
  - module: pmemctl.pmem.region
'''

EXAMPLES = r'''
- name: An fsdax namespace of 16 GiB named "db" in region0
  pmemctl.pmem.namespace:
    name: db
    region: region0
    mode: fsdax
    size: 16G

- name: A devdax namespace with 1 GiB pages, from all that is left
  pmemctl.pmem.namespace:
    name: vm-memory
    region: region1
    mode: devdax
    align: 1G

- name: Convert it to fsdax, destroying its data
  pmemctl.pmem.namespace:
    name: vm-memory
    mode: fsdax
    force: true

- name: Make the namespace of a label-less region device-dax
  pmemctl.pmem.namespace:
    namespace: namespace0.0
    mode: devdax
    force: true

- name: Destroy the namespace named "db"
  pmemctl.pmem.namespace:
    name: db
    state: absent
    force: true

- name: Use the new namespace's block device
  pmemctl.pmem.namespace:
    name: db
    region: region0
    mode: fsdax
  register: db
- community.general.filesystem:
    dev: "/dev/{{ db.namespace.blockdev }}"
    fstype: ext4

- name: Give namespace0.0's memory to the kernel as a movable memory tier
  pmemctl.pmem.namespace:
    namespace: namespace0.0
    mode: system-ram
    force: true
'''

RETURN = r'''
namespace:
  description:
    - The namespace after the task, as C(pmemctl list -N --json) shows
      it (mode, size, name, uuid, blockdev, chardev, ...); null when there
      is none (destroyed, or not yet created in check mode). The one
      namespace of a label-less region stays, raw, when destroyed.
  returned: always
  type: dict
  sample:
    dev: namespace0.0
    region: region0
    size: 264241152
    mode: fsdax
    map: dev
    align: 2097152
    blockdev: pmem0
    chardev: null
    name: db
    state: enabled
report:
  description:
    - pmemctl's JSON report of the change (see JSON REPORT in
      pmemctl-convert(1)), with the keys C(namespace), C(from), C(to), C(changed), C(dry_run),
      C(rolled_back), C(steps), C(blockdev), C(chardev), C(error),
      C(message). Absent when no pmemctl command was needed.
  returned: when pmemctl ran a changing command
  type: dict
  sample:
    namespace: namespace0.0
    from: {mode: raw, map: null, align: null, sector_size: null, uuid: "6d1b...", size: 268435456}
    to: {mode: fsdax, map: dev, align: 2097152, sector_size: null, uuid: "6d1b...", size: 264241152}
    changed: true
    dry_run: false
    rolled_back: false
    steps: [{step: check, status: done, detail: "...", errno: null}]
    message: converted to fsdax
cmd:
  description: The pmemctl command line that ran.
  returned: when pmemctl ran a changing command
  type: list
  elements: str
  sample: [pmemctl, convert, namespace0.0, --mode, fsdax, --json]
rc:
  description: pmemctl's exit code (on failure, also in the failure).
  returned: when pmemctl ran a changing command
  type: int
  sample: 0
msg:
  description:
    - "What happened; on failure pmemctl's message from its standard error,
      such as C(pmemctl: namespace0.0: in use: ...)."
  returned: always
  type: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.pmemctl.pmem.plugins.module_utils.pmemctl import (
    cxl_regions, find_region, planned, pmemctl_json, pmemctl_path)


def namespaces(module, pmemctl):
    """Every namespace with a size; the unconfigured seeds are left out."""
    listing = pmemctl_json(module, [pmemctl, 'list', '-N', '-i', '--json'])
    return [ns for ns in listing.get('namespaces', []) if ns.get('size')]


def by_device(nslist, which):
    """The namespace a kernel, block or dax device name names, or None."""
    dev = which[len('/dev/'):] if which.startswith('/dev/') else which
    for ns in nslist:
        if dev in (ns.get('dev'), ns.get('blockdev'), ns.get('chardev')):
            return ns
    return None


def by_name(module, nslist, name, region):
    """The namespace whose label carries name (in region), or None."""
    found = [ns for ns in nslist if ns.get('name') == name and
             (region is None or ns.get('region') == region)]
    if len(found) > 1:
        module.fail_json(msg='%d namespaces are named %s (%s): give region or namespace'
                         % (len(found), name, ', '.join(ns['dev'] for ns in found)))
    return found[0] if found else None


def mode_options(p, mode):
    """The options of the configuration the task asks for."""
    argv = ['--mode', mode] if mode else []
    if p['align']:
        argv += ['--align', p['align']]
    if p['map']:
        argv += ['--map', p['map']]
    if p['sector_size']:
        argv += ['--sector-size', str(p['sector_size'])]
    if mode == 'system-ram' and not p['movable']:
        argv += ['--no-movable']
    return argv


def plan(module, pmemctl, target):
    """The pmemctl command line that gets to the state asked, or None."""
    p = module.params
    force = ['--force'] if p['force'] else []
    if p['state'] == 'absent':
        if target is None:
            return None
        return [pmemctl, 'destroy-namespace', target['dev']] + force
    if target is None:
        if p['namespace']:
            module.fail_json(msg='%s: no such namespace (a namespace to create is given by name and region)'
                             % p['namespace'], rc=3)
        if not p['region']:
            module.fail_json(msg='no namespace is named %s: give region to create it' % p['name'])
        argv = [pmemctl, 'create-namespace', p['region'], '--name', p['name']]
        if p['size']:
            argv += ['--size', p['size']]
        return argv + mode_options(p, p['mode'])
    if p['region'] and target.get('region') != p['region']:
        module.fail_json(msg='%s is in %s, not in %s' % (target['dev'], target.get('region'), p['region']))
    if not (p['mode'] or p['align'] or p['map'] or p['sector_size']):
        return None
    # Whether it is already so is pmemctl's decision: convert changes
    # nothing then, in use or not.
    return [pmemctl, 'convert', target['dev']] + \
        mode_options(p, p['mode'] or target['mode']) + force


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type='str', default='present', choices=['present', 'absent']),
            name=dict(type='str'),
            namespace=dict(type='str', aliases=['dev']),
            region=dict(type='str'),
            memdevs=dict(type='list', elements='str'),
            mode=dict(type='str', choices=['fsdax', 'devdax', 'sector', 'raw', 'system-ram']),
            movable=dict(type='bool', default=True),
            size=dict(type='str'),
            align=dict(type='str'),
            map=dict(type='str', choices=['mem', 'dev']),
            sector_size=dict(type='int'),
            force=dict(type='bool', default=False),
            executable=dict(type='path'),
        ),
        required_one_of=[['name', 'namespace']],
        mutually_exclusive=[['name', 'namespace'], ['region', 'memdevs']],
        supports_check_mode=True,
    )
    p = module.params
    pmemctl = pmemctl_path(module)

    if p['memdevs']:
        region = find_region(cxl_regions(module, pmemctl), None, p['memdevs'])
        # Nothing to destroy there; and in check mode the region may be
        # one an earlier task would have created.
        if region is None and p['state'] == 'absent':
            module.exit_json(changed=False, namespace=None,
                             msg='no region interleaves %s: nothing to do' % ', '.join(p['memdevs']))
        if region is None and module.check_mode:
            module.exit_json(changed=True, namespace=None,
                             msg='no region interleaves %s yet: the namespace would be created in it' % ', '.join(p['memdevs']))
        if region is None:
            module.fail_json(msg='no region interleaves %s in this order' % ', '.join(p['memdevs']), rc=3)
        p['region'] = region['dev']

    nslist = namespaces(module, pmemctl)
    if p['namespace']:
        target = by_device(nslist, p['namespace'])
    else:
        target = by_name(module, nslist, p['name'], p['region'])

    argv = plan(module, pmemctl, target)
    if argv is None:
        module.exit_json(changed=False, namespace=target,
                         msg='%s: nothing to do' % (target['dev'] if target else p['name'] or p['namespace']))

    argv += ['--json'] + (['--dry-run'] if module.check_mode else [])
    report = pmemctl_json(module, argv)
    if module.check_mode:
        changed = planned(report)
        after = target
    else:
        changed = bool(report.get('changed'))
        dev = report.get('namespace') or (target or {}).get('dev')
        after = by_device(namespaces(module, pmemctl), dev) if dev else None

    result = dict(changed=changed, namespace=after, report=report, cmd=argv,
                  rc=0, msg=report.get('message') or '')
    if module._diff:
        result['diff'] = dict(before=report.get('from') or {},
                              after=report.get('to') or {})
    module.exit_json(**result)


if __name__ == '__main__':
    main()
