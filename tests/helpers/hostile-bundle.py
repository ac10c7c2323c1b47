#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile support bundles for tests/cli/replay-host.test, built from a golden one.
#   hostile-bundle.py links BUNDLE OUT TARGET FORM   (FORM: abs, rel, through)
#     every file a replay reads or opens read-write (deep_flush, DIMM ids
#     and serials, the CXL bus's flush, the kernel log, modules, cpuinfo,
#     mountinfo, badblocks) becomes a symlink to the host path TARGET:
#     absolute, relative up through '..', or through another link ('up'
#     leads to sys/ itself, so 'zz/up/..' leaves it while its text stays in)
#   hostile-bundle.py hardlinks OUT N    N hard-link entries carrying 1 MiB each
#   hostile-bundle.py nested BUNDLE OUT  the bundle gzipped twice
#   hostile-bundle.py longlink BUNDLE OUT  a symlink target of 5000 bytes
#   hostile-bundle.py manylinks OUT N    N symlinks with 4000-byte targets
#   hostile-bundle.py bomb BUNDLE OUT    the bundle and a 60 MiB file of zeros
import gzip
import io
import os
import sys
import tarfile

READ_BY_REPLAY = ("deep_flush", "nfit/id", "nfit/serial", "badblocks")
ADDED = ("sys/bus/cxl/flush", "pmemctl/kernel.log", "pmemctl/modules",
         "proc/cpuinfo", "proc/self/mountinfo")


def members(path):
    with tarfile.open(path, "r:*") as tar:
        for m in tar.getmembers():
            yield m, (tar.extractfile(m).read() if m.isfile() else None)


def as_hard_link(header):
    """A regular file's ustar header, retyped as a hard link that keeps its size."""
    block = bytearray(header)
    block[156:157] = tarfile.LNKTYPE
    block[157:157 + 100] = b"top/pmemctl".ljust(100, b"\0")
    block[148:156] = b" " * 8
    block[148:156] = b"%06o\0 " % sum(block)
    return bytes(block)


def write(out, entries, layers=1, hard=()):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for m, data in entries:
            tar.addfile(m, io.BytesIO(data) if data is not None else None)
            if m.name in hard:
                # The ustar header just before the data (after the pax one).
                start = buf.tell() - (m.size + 511) // 512 * 512 - 512
                buf.seek(start)
                header = buf.read(512)
                buf.seek(start)
                buf.write(as_hard_link(header))
                buf.seek(0, io.SEEK_END)
    data = buf.getvalue()
    for _ in range(layers):
        data = gzip.compress(data, compresslevel=9, mtime=0)
    with open(out, "wb") as f:
        f.write(data)


def link(name, target):
    m = tarfile.TarInfo(name)
    m.type = tarfile.SYMTYPE
    m.linkname = target
    return m, None


def target_for(rel, target, form):
    """rel: the link's path below the top ("sys/a/b"); target: absolute."""
    depth = rel.count("/")
    if form == "abs":
        return target
    if form == "rel":
        return "../" * (depth + 3) + target.lstrip("/")
    # Through 'sys/zz/up' (-> '..', i.e. sys/): its '..' is the host's /.
    return "../" * (depth - 1) + "zz/up/../" + target.lstrip("/")


def links(bundle, out, target, form):
    entries, top, seen = [], None, set()
    for m, data in members(bundle):
        top = top or m.name.split("/")[0]
        rel = m.name.split("/", 1)[1] if "/" in m.name else ""
        if m.isfile() and (rel.endswith(READ_BY_REPLAY) or rel in ADDED):
            entries.append(link(m.name, target_for(rel, target, form)))
            seen.add(rel)
        else:
            entries.append((m, data))
    for rel in ADDED:
        if rel not in seen:
            for d in ("sys/bus/cxl", "proc/self"):
                if rel.startswith(d + "/") and not any(
                        e[0].name == f"{top}/{d}" for e in entries):
                    m = tarfile.TarInfo(f"{top}/{d}")
                    m.type = tarfile.DIRTYPE
                    m.mode = 0o755
                    entries.append((m, None))
            entries.append(link(f"{top}/{rel}", target_for(rel, target, form)))
    if form == "through":
        m = tarfile.TarInfo(f"{top}/sys/zz")
        m.type = tarfile.DIRTYPE
        m.mode = 0o755
        entries.insert(1, (m, None))
        entries.insert(2, link(f"{top}/sys/zz/up", ".."))
    write(out, entries)


def hardlinks(out, n):
    first = tarfile.TarInfo("top/pmemctl")
    first.type = tarfile.DIRTYPE
    entries = [(first, None)]
    blob = bytes(1 << 20)
    for i in range(n):
        m = tarfile.TarInfo(f"top/pmemctl/h{i}")
        m.size = len(blob)
        # A pax header makes it pax interchange: libarchive then obeys a
        # hard link's size (POSIX 2001) and inflates its data.
        m.pax_headers = {"comment": "data on a hard link"}
        entries.append((m, blob))
    write(out, entries, hard={m.name for m, _ in entries[1:]})


def main():
    kind = sys.argv[1]
    if kind == "links":
        links(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    elif kind == "hardlinks":
        hardlinks(sys.argv[2], int(sys.argv[3]))
    elif kind == "nested":
        write(sys.argv[3], list(members(sys.argv[2])), layers=2)
    elif kind == "longlink":
        entries = list(members(sys.argv[2]))
        top = entries[0][0].name.split("/")[0]
        entries.append(link(f"{top}/sys/long", "a/" * 2500))
        write(sys.argv[3], entries)
    elif kind == "manylinks":
        entries = [link(f"top/sys/l{i}", "b/" * 2000) for i in range(int(sys.argv[3]))]
        write(sys.argv[2], entries)
    elif kind == "bomb":
        entries = list(members(sys.argv[2]))
        m = tarfile.TarInfo(entries[0][0].name.split("/")[0] + "/sys/zeros")
        m.size = 60 << 20
        entries.insert(1, (m, bytes(m.size)))
        write(sys.argv[3], entries)
    else:
        sys.exit(f"unknown kind {kind}")


if __name__ == "__main__":
    main()
