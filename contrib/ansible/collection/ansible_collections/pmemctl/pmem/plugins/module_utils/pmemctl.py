# SPDX-License-Identifier: GPL-2.0-or-later
# pmemctl.py: what the pmemctl.pmem modules share: running pmemctl for its
# JSON, and finding CXL regions by their memory devices.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json


def pmemctl_path(module):
    """The pmemctl to run: the executable option, or pmemctl from the PATH."""
    return module.params['executable'] or module.get_bin_path('pmemctl', required=True)


def pmemctl_json(module, argv, ok_codes=(0,)):
    """Runs pmemctl and returns its JSON document; fails the task with
    pmemctl's message and exit code when it exits otherwise or prints no
    JSON (the report, when there is one, goes with the failure)."""
    rc, out, err = module.run_command(argv)
    doc = None
    try:
        doc = json.loads(out) if out.strip() else None
    except ValueError:
        pass
    if rc not in ok_codes:
        msg = err.strip() or (doc or {}).get('message') or 'pmemctl exited %d' % rc
        module.fail_json(msg=msg, rc=rc, cmd=argv, stdout=out, stderr=err,
                         report=doc)
    if doc is None:
        module.fail_json(msg='pmemctl printed no JSON', rc=rc, cmd=argv,
                         stdout=out, stderr=err)
    return doc


def planned(report):
    """In check mode (--dry-run): whether pmemctl planned any step."""
    return bool(report.get('dry_run')) and \
        any(s.get('status') == 'planned' for s in report.get('steps') or [])


def cxl_regions(module, pmemctl):
    """Every region with CXL memory devices behind it, idle ones too."""
    listing = pmemctl_json(module, [pmemctl, 'list', '-R', '-i', '--json'])
    return [r for r in listing.get('regions', []) if r.get('memdevs')]


def memdev_order(region):
    """The region's memory devices in position order."""
    return [m['memdev'] for m in sorted(region['memdevs'], key=lambda m: m['position'])]


def find_region(regions, name, memdevs):
    """The region name names, or else the one interleaving memdevs in order."""
    for r in regions:
        if name is not None and r.get('dev') == name:
            return r
        if name is None and memdevs and memdev_order(r) == list(memdevs):
            return r
    return None
