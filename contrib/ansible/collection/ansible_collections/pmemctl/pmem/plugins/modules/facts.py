#!/usr/bin/python
# SPDX-License-Identifier: GPL-2.0-or-later
# facts (pmemctl.pmem.facts): the persistent-memory platform as Ansible facts, from
# pmemctl's JSON (list and show); changes nothing.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: facts
short_description: Gather persistent-memory facts with pmemctl
description:
  - Runs C(pmemctl list -BDRNXH --json) and C(pmemctl show --json) and
    returns the buses, DIMMs (with their SMART health), regions, namespaces
    and dax devices of the host, and the platform's persistence verdict, as
    C(ansible_facts.pmem).
  - The nested listing of pmemctl is flattened into one list per kind;
    every object keeps the keys that link it to its parent (C(bus),
    C(region), C(namespace)), so nothing is lost. Each object has exactly
    the keys and values that C(pmemctl list --json) gives it; see
    pmemctl-list(1) for their meaning.
  - Only reads; never changes anything, so it reports C(changed=false) and
    runs the same in check mode.
  - Without root, what pmemctl cannot read (SMART health among others) is
    null, as in pmemctl's own output.
version_added: "0.1.0"
author: pmemctl developers
requirements:
  - pmemctl on the managed host
options:
  health:
    description:
      - Read each DIMM's SMART health (C(pmemctl list -H)) into
        C(dimms[].health).
    type: bool
    default: true
  media_errors:
    description:
      - Read the media errors (badblocks) of regions and namespaces
        (C(pmemctl list -M)).
    type: bool
    default: false
  executable:
    description:
      - The pmemctl program to run; by default C(pmemctl) from the PATH.
    type: path
notes:
  - Supports check mode.
  - The facts are also available as C(ansible_pmem) when Ansible injects
    facts as variables.
seealso:
  - module: pmemctl.pmem.namespace
'''

EXAMPLES = r'''
- name: Gather persistent-memory facts
  pmemctl.pmem.facts:

- name: Fail when data on this host is not durable after a cache flush
  ansible.builtin.assert:
    that: ansible_facts.pmem.verdict.persistence_domain in ['cpu_cache', 'memory_controller']
    fail_msg: "{{ ansible_facts.pmem.verdict.reasons | join('; ') }}"

- name: The fsdax namespaces' block devices
  ansible.builtin.debug:
    msg: "{{ ansible_facts.pmem.namespaces | selectattr('mode', 'eq', 'fsdax') | map(attribute='blockdev') | list }}"

- name: Free capacity of each region
  ansible.builtin.debug:
    msg: "{{ item.dev }}: {{ item.available_size | human_readable }} free"
  loop: "{{ ansible_facts.pmem.regions }}"
'''

RETURN = r'''
ansible_facts:
  description: The facts, under the key C(pmem).
  returned: always
  type: complex
  contains:
    pmem:
      description: The platform as pmemctl sees it.
      returned: always
      type: complex
      contains:
        buses:
          description: The buses (C(pmemctl list -B --json)), without the
            nested arrays.
          returned: always
          type: list
          elements: dict
          sample: [{"dev": "ndbus0", "provider": "ACPI.NFIT"}]
        dimms:
          description: The DIMMs (C(pmemctl list -DH --json)); C(health)
            holds the SMART values, null where unknown.
          returned: always
          type: list
          elements: dict
        regions:
          description: The regions (C(pmemctl list -R --json)), with size,
            available_size, persistence_domain and more.
          returned: always
          type: list
          elements: dict
        namespaces:
          description: The namespaces (C(pmemctl list -N --json)), with
            mode, size, name, blockdev or chardev, and their persistence facts.
          returned: always
          type: list
          elements: dict
        daxdevs:
          description: The dax devices (C(pmemctl list -X --json)).
          returned: always
          type: list
          elements: dict
        verdict:
          description: The platform verdict of C(pmemctl show --json)
            (its C(platform) object).
          returned: always
          type: dict
          sample:
            persistence_domain: memory_controller
            weakest_regions: [region0]
            reasons: []
            granularity: cache-line
            weakest_namespace: namespace0.0
            recipe: clwb (or clflushopt, clflush, non-temporal stores) + sfence
            regions: 1
            namespaces: 2
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.pmemctl.pmem.plugins.module_utils.pmemctl import pmemctl_json, pmemctl_path

# The nested arrays of pmemctl list's JSON; each becomes a flat list.
CHILDREN = ('dimms', 'regions', 'namespaces', 'daxdevs')


def flatten(objects, kind, facts):
    """Moves each object into facts[kind], its children into their kinds."""
    for obj in objects:
        row = {}
        for key, value in obj.items():
            if key in CHILDREN and isinstance(value, list):
                flatten(value, key, facts)
            else:
                row[key] = value
        facts[kind].append(row)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            health=dict(type='bool', default=True),
            media_errors=dict(type='bool', default=False),
            executable=dict(type='path'),
        ),
        supports_check_mode=True,
    )
    pmemctl = pmemctl_path(module)
    kinds = '-BDRNX' + ('H' if module.params['health'] else '') + \
        ('M' if module.params['media_errors'] else '')

    listing = pmemctl_json(module, [pmemctl, 'list', kinds, '--json'])
    shown = pmemctl_json(module, [pmemctl, 'show', '--json'])

    facts = {kind: [] for kind in ('buses', 'dimms', 'regions', 'namespaces', 'daxdevs')}
    flatten(listing.get('buses', []), 'buses', facts)
    facts['verdict'] = shown.get('platform', {})
    module.exit_json(changed=False, ansible_facts={'pmem': facts})


if __name__ == '__main__':
    main()
