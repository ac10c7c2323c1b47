#!/usr/bin/python
# SPDX-License-Identifier: GPL-2.0-or-later
# region (pmemctl.pmem.region): a CXL persistent-memory region made present (created from
# memory devices) or absent (destroyed) through pmemctl's JSON change reports.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: region
short_description: Create and destroy CXL persistent-memory regions with pmemctl
description:
  - Makes a CXL persistent-memory region interleaving memory devices
    present, or absent, through pmemctl's changing commands, always with
    C(--json), whose report says what changed.
  - I(state=present) runs C(pmemctl create-region --type pmem MEMDEV...
    --json). pmemctl decides whether a region with these memory devices,
    in this order, is already there; then it changes nothing and says so.
  - I(state=absent) runs C(pmemctl destroy-region REGION --json) on the
    region I(region) names, or else the one whose memory devices are
    I(memdevs) in this order; no such region is no change.
  - C(changed) is pmemctl's own C("changed"). In check mode the same
    command runs with C(--dry-run), and C(changed) says whether pmemctl
    planned any step.
  - pmemctl's safety rules apply unchanged (see pmemctl-destroy-region(1)).
    A region with a namespace in use (mounted, open, mapped) is never
    destroyed, and the task fails with pmemctl's reason and exit code 6,
    also in check mode; a region that holds namespaces is only destroyed
    with I(force=true) (without it, exit code 9). A failed step is rolled
    back by pmemctl.
  - The namespaces of the new region are made with M(pmemctl.pmem.namespace)
    (I(region) is C(region.dev) of this module's result).
version_added: "0.2.0"
author: pmemctl developers
requirements:
  - pmemctl on the managed host, built with CXL support; root, except in
    check mode
options:
  state:
    description:
      - C(present) creates the region when no region interleaves
        I(memdevs) in this order.
      - C(absent) destroys it; a region that is not there is no change.
    type: str
    choices: [present, absent]
    default: present
  memdevs:
    description:
      - The CXL memory devices (C(mem0), C(mem1)) the region interleaves,
        in position order; the interleave ways are their number.
      - Required with I(state=present); with I(state=absent) it finds the
        region when I(region) is not given.
    type: list
    elements: str
  region:
    description:
      - The region to destroy, as C(pmemctl list -R) names it (its C(dev),
        C(region1)), with I(state=absent).
      - With I(state=present), the region found must be this one, or the
        task fails (kernel names follow creation order; a playbook should
        name regions by I(memdevs)).
    type: str
  type:
    description:
      - The region's type; only persistent memory.
    type: str
    choices: [pmem]
    default: pmem
  size:
    description:
      - Size of a new region, in bytes or with a binary unit (C(512M),
        C(4G)). By default the largest that the memory devices' free
        capacity and the root decoder's window allow.
    type: str
  granularity:
    description:
      - Interleave granularity of a new region in bytes (C(256) to
        C(16384)); by default the root decoder's.
    type: int
  decoder:
    description:
      - The root decoder (C(decoder0.0)) whose window the region takes; by
        default the one with the largest free window that reaches every
        memory device.
    type: str
  force:
    description:
      - Destroy a region that holds namespaces, and their data
        (C(pmemctl destroy-region --force)). Never lets pmemctl destroy a
        region with a namespace in use.
    type: bool
    default: false
  executable:
    description:
      - The pmemctl program to run; by default C(pmemctl) from the PATH.
    type: path
notes:
  - Supports check mode (C(--dry-run)).
  - The exit codes in C(rc) are pmemctl's (see EXIT STATUS in pmemctl(1)),
    among them 2 bad option, 3 no such memory device or region, 4 not root,
    5 not possible here, 6 in use, 9 data would be destroyed without
    I(force), 1 a step failed and the previous configuration was restored.
seealso:
  - module: pmemctl.pmem.namespace
  - module: pmemctl.pmem.facts
'''

EXAMPLES = r'''
- name: A region interleaving two CXL memory devices
  pmemctl.pmem.region:
    memdevs: [mem0, mem1]
  register: cxl

- name: An fsdax namespace on it
  pmemctl.pmem.namespace:
    name: db
    region: "{{ cxl.region.dev }}"
    mode: fsdax

- name: A 1 GiB region on one device, 4 KiB granularity
  pmemctl.pmem.region:
    memdevs: [mem2]
    size: 1G
    granularity: 4096

- name: Destroy the region of mem0 and mem1 with its namespaces
  pmemctl.pmem.region:
    memdevs: [mem0, mem1]
    state: absent
    force: true
'''

RETURN = r'''
region:
  description:
    - The region after the task, as C(pmemctl list -R --json) shows it
      (dev, size, available_size, cxl_region, interleave_ways,
      interleave_granularity, decoder, memdevs, persistence_domain, ...);
      null when there is none (destroyed, or not yet created in check
      mode).
  returned: always
  type: dict
  sample:
    dev: region1
    size: 536870912
    cxl_region: region0
    interleave_ways: 2
    interleave_granularity: 256
    decoder: decoder0.0
    memdevs: [{memdev: mem0, position: 0, decoder: decoder2.0}, {memdev: mem1, position: 1, decoder: decoder3.0}]
    persistence_domain: memory_controller
report:
  description:
    - pmemctl's JSON report of the change (see JSON REPORT in
      pmemctl-create-region(1)), with the keys C(region), C(cxl_region),
      C(decoder), C(memdevs), C(interleave_ways), C(interleave_granularity),
      C(size), C(changed), C(dry_run), C(rolled_back), C(steps), C(error),
      C(message). Absent when no pmemctl command was needed.
  returned: when pmemctl ran a changing command
  type: dict
cmd:
  description: The pmemctl command line that ran.
  returned: when pmemctl ran a changing command
  type: list
  elements: str
  sample: [pmemctl, create-region, --type, pmem, mem0, mem1, --json]
rc:
  description: pmemctl's exit code (on failure, also in the failure).
  returned: when pmemctl ran a changing command
  type: int
  sample: 0
msg:
  description:
    - "What happened; on failure pmemctl's message from its standard error,
      such as C(pmemctl: mem1: already in region0 ...)."
  returned: always
  type: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.pmemctl.pmem.plugins.module_utils.pmemctl import (
    cxl_regions, find_region, planned, pmemctl_json, pmemctl_path)


def plan(module, pmemctl, target):
    """The pmemctl command line that gets to the state asked, or None."""
    p = module.params
    if p['state'] == 'absent':
        if target is None:
            return None
        return [pmemctl, 'destroy-region', target['dev']] + \
            (['--force'] if p['force'] else [])
    if target is not None and p['region'] and target['dev'] != p['region']:
        module.fail_json(msg='%s interleave %s, not %s' %
                         (', '.join(p['memdevs']), target['dev'], p['region']))
    argv = [pmemctl, 'create-region', '--type', p['type']] + p['memdevs']
    if p['size']:
        argv += ['--size', p['size']]
    if p['granularity']:
        argv += ['--granularity', str(p['granularity'])]
    if p['decoder']:
        argv += ['--decoder', p['decoder']]
    # Whether the region is already so is pmemctl's decision.
    return argv


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type='str', default='present', choices=['present', 'absent']),
            memdevs=dict(type='list', elements='str'),
            region=dict(type='str'),
            type=dict(type='str', default='pmem', choices=['pmem']),
            size=dict(type='str'),
            granularity=dict(type='int'),
            decoder=dict(type='str'),
            force=dict(type='bool', default=False),
            executable=dict(type='path'),
        ),
        required_if=[('state', 'present', ['memdevs'])],
        required_one_of=[['memdevs', 'region']],
        supports_check_mode=True,
    )
    p = module.params
    pmemctl = pmemctl_path(module)

    regions = cxl_regions(module, pmemctl)
    if p['state'] == 'absent':
        target = find_region(regions, p['region'], p['memdevs'])
    else:
        target = find_region(regions, None, p['memdevs'])

    argv = plan(module, pmemctl, target)
    if argv is None:
        module.exit_json(changed=False, region=None,
                         msg='%s: nothing to do' % (p['region'] or ', '.join(p['memdevs'])))

    argv += ['--json'] + (['--dry-run'] if module.check_mode else [])
    report = pmemctl_json(module, argv)
    if module.check_mode:
        changed = planned(report)
        after = target
    else:
        changed = bool(report.get('changed'))
        after = None
        if p['state'] == 'present':
            after = find_region(cxl_regions(module, pmemctl), report.get('region'), p['memdevs'])
    module.exit_json(changed=changed, region=after, report=report, cmd=argv,
                     rc=0, msg=report.get('message') or '')


if __name__ == '__main__':
    main()
