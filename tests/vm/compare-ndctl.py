#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# compare-ndctl.py: check `pmemctl list --json` against `ndctl list`.
#
# Usage: compare-ndctl.py PMEMCTL_JSON NDCTL_JSON
# Both files hold the output of the same selection (for example -BDRNX -i).
# Every object ndctl reports must be in pmemctl's output and the other way
# round, with the same value for every key the two share by meaning.
# Prints one line per difference and exits 1 when there is any.
import json
import sys

KINDS = ("buses", "dimms", "regions", "namespaces", "daxdevs")

# Keys compared per kind: pmemctl key -> ndctl key (same meaning).
SHARED = {
    "buses": {"dev": "dev", "provider": "provider"},
    "dimms": {"dev": "dev", "id": "id", "handle": "handle", "phys_id": "phys_id",
              "flag_failed_save": "flag_failed_save",
              "flag_failed_arm": "flag_failed_arm",
              "flag_failed_restore": "flag_failed_restore",
              "flag_failed_flush": "flag_failed_flush",
              "flag_failed_map": "flag_failed_map",
              "flag_smart_event": "flag_smart_event",
              "security": "security", "security_frozen": "security_frozen"},
    "regions": {
        "dev": "dev", "size": "size", "available_size": "available_size",
        "max_available_extent": "max_available_extent", "type": "type",
        "align": "align", "iset_id": "iset_id",
        "persistence_domain": "persistence_domain",
    },
    "namespaces": {
        "dev": "dev", "mode": "mode", "map": "map", "size": "size",
        "sector_size": "sector_size", "blockdev": "blockdev",
        "chardev": "chardev", "uuid": "uuid", "name": "name", "align": "align",
    },
    "daxdevs": {"dev": "chardev", "size": "size", "align": "align",
                "mode": "mode", "target_node": "target_node"},
}


# A DIMM's "health" object (list -H, ndctl list -DH): every key ndctl prints
# must be pmemctl's, with the same value; pmemctl says null where ndctl
# omits a key (a field the DIMM did not report); dirty_shutdown is pmemctl's.
HEALTH_OWN = {"dirty_shutdown"}


def compare_health(dev, mine, theirs, problems):
    if "health" not in theirs:
        return
    ours = mine.get("health")
    if not isinstance(ours, dict):
        problems.append(f"dimms: {dev}: health: pmemctl {ours!r}, ndctl {theirs['health']!r}")
        return
    for key, value in theirs["health"].items():
        if key not in ours:
            problems.append(f"dimms: {dev}: health.{key}: missing in pmemctl")
        elif ours[key] != value or isinstance(ours[key], bool) != isinstance(value, bool):
            problems.append(f"dimms: {dev}: health.{key}: pmemctl {ours[key]!r}, ndctl {value!r}")
    for key, value in ours.items():
        if key not in theirs["health"] and key not in HEALTH_OWN and value is not None:
            problems.append(f"dimms: {dev}: health.{key}: pmemctl {value!r}, ndctl has none")


# A DIMM's or a bus's "firmware" object (list -F, ndctl list -DF / -BF):
# every key ndctl prints must be pmemctl's with the same value and type;
# pmemctl says null where ndctl omits a key (nothing staged, a bus whose
# DIMMs cannot update) and need_powercycle false where ndctl omits it.
def compare_firmware(kind, dev, mine, theirs, problems):
    ours = mine.get("firmware")
    ref = theirs.get("firmware", {})
    if "firmware" in theirs and not isinstance(ours, dict):
        problems.append(f"{kind}: {dev}: firmware: pmemctl {ours!r}, ndctl {ref!r}")
        return
    if not isinstance(ours, dict):
        return
    for key, value in ref.items():
        if key not in ours:
            problems.append(f"{kind}: {dev}: firmware.{key}: missing in pmemctl")
        elif ours[key] != value or isinstance(ours[key], bool) != isinstance(value, bool):
            problems.append(f"{kind}: {dev}: firmware.{key}: pmemctl {ours[key]!r}, ndctl {value!r}")
    for key, value in ours.items():
        if key in ref or value is None or (key == "need_powercycle" and value is False):
            continue
        problems.append(f"{kind}: {dev}: firmware.{key}: pmemctl {value!r}, ndctl has none")


def compare_badblocks(kind, dev, mine, theirs, problems):
    """list -M: pmemctl's "ars" entries are ndctl's, offset, length and DIMMs;
    "block" entries are the block device's own, which ndctl does not read."""
    if "badblocks" not in mine:
        return
    ours = [(b["offset"], b["length"], b["dimms"]) for b in mine["badblocks"]
            if b["source"] == "ars"]
    ref = [(b["offset"], b["length"], b.get("dimms", [])) for b in theirs.get("badblocks", [])]
    if ours != ref:
        problems.append(f"{kind}: {dev}: badblocks: pmemctl {ours!r}, ndctl {ref!r}")
    block = sum(b["length"] for b in mine["badblocks"] if b["source"] == "block")
    if mine.get("badblock_count", 0) - block != theirs.get("badblock_count", 0):
        problems.append(f"{kind}: {dev}: badblock_count: pmemctl {mine.get('badblock_count')!r}"
                        f" ({block} from the block device), ndctl {theirs.get('badblock_count')!r}")


def collect(node, kind, out):
    """Flatten nested JSON into {kind: {dev: object}}."""
    if isinstance(node, list):
        for item in node:
            collect(item, kind, out)
        return
    if not isinstance(node, dict):
        return
    if kind:
        key = node.get("dev") or node.get("chardev")
        out.setdefault(kind, {})[key] = node
    for child in KINDS:
        if child in node:
            collect(node[child], child, out)


NULL_UUID = "00000000-0000-0000-0000-000000000000"


def collect_ndctl(node, kind, out):
    """ndctl nests: buses > dimms, regions > namespaces > daxregion > devices."""
    if isinstance(node, list):
        for item in node:
            collect_ndctl(item, kind, out)
        return
    if not isinstance(node, dict):
        return
    if kind == "daxdevs":
        out.setdefault(kind, {})[node["chardev"]] = node
        return
    if kind:
        out.setdefault(kind, {})[node["dev"]] = node
    # ndctl prints an unconfigured seed's uuid as zeros; pmemctl says null.
    if node.get("uuid") == NULL_UUID:
        del node["uuid"]
    if kind == "namespaces" and "daxregion" in node:
        region = node["daxregion"]
        devices = region.get("devices", [])
        # A devdax namespace's device, as ndctl shows it without -X.
        if devices and "chardev" not in node:
            node["chardev"] = devices[0]["chardev"]
        collect_ndctl(devices, "daxdevs", out)
    for child in ("buses", "dimms", "regions", "namespaces"):
        if child in node:
            collect_ndctl(node[child], child, out)


def ndctl_root(doc):
    """ndctl prints a bare array or object depending on what it found."""
    if isinstance(doc, list):
        if not doc:
            return {}
        first = doc[0]
        if "provider" in first and "dev" in first and first["dev"].startswith("ndbus"):
            return {"buses": doc}
        if first.get("dev", "").startswith("nmem"):
            return {"dimms": doc}
        if first.get("dev", "").startswith("region"):
            return {"regions": doc}
        return {"namespaces": doc}
    if isinstance(doc, dict) and "dev" in doc:
        return ndctl_root([doc])
    return doc


def main():
    with open(sys.argv[1]) as f:
        mine = json.load(f)
    with open(sys.argv[2]) as f:
        text = f.read().strip()
    theirs = ndctl_root(json.loads(text) if text else [])

    if not isinstance(mine, dict):
        print("pmemctl: top level is not an object")
        return 1
    ours, ref = {}, {}
    collect(mine, None, ours)
    collect_ndctl(theirs, None, ref)

    problems = []
    compared = 0
    for kind in KINDS:
        a, b = ours.get(kind, {}), ref.get(kind, {})
        for dev in sorted(set(b) - set(a)):
            problems.append(f"{kind}: {dev} listed by ndctl, missing in pmemctl")
        for dev in sorted(set(a) - set(b)):
            problems.append(f"{kind}: {dev} listed by pmemctl, missing in ndctl")
        for dev in sorted(set(a) & set(b)):
            compared += 1
            for key, nkey in SHARED[kind].items():
                mine_v = a[dev].get(key)
                their_v = b[dev].get(nkey)
                if their_v is None and key not in a[dev]:
                    continue
                # ndctl omits a key where pmemctl says null, and a DIMM
                # flag that is not set, where pmemctl says false.
                if their_v is None and mine_v is None:
                    continue
                if their_v is None and key.startswith("flag_") and mine_v is False:
                    continue
                # ndctl prints security_frozen only when true.
                if their_v is None and key == "security_frozen" and mine_v is False:
                    continue
                # libndctl calls a volatile region "pmem"; pmemctl reads
                # the kernel's devtype (nd_volatile).
                if kind == "regions" and key == "type" and mine_v == "volatile":
                    continue
                if mine_v != their_v:
                    problems.append(f"{kind}: {dev}: {key}: pmemctl {mine_v!r}, ndctl {their_v!r}")
            if kind == "dimms":
                compare_health(dev, a[dev], b[dev], problems)
            if kind in ("dimms", "buses"):
                compare_firmware(kind, dev, a[dev], b[dev], problems)
            if kind in ("regions", "namespaces"):
                compare_badblocks(kind, dev, a[dev], b[dev], problems)
            # Disabled means the same in both.
            mine_state = a[dev].get("state", "enabled")
            their_state = b[dev].get("state", "enabled")
            if kind in ("regions", "namespaces") and mine_state != their_state:
                problems.append(f"{kind}: {dev}: state: pmemctl {mine_state}, ndctl {their_state}")
    for p in problems:
        print(p)
    print(f"# compared {compared} objects, {len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
