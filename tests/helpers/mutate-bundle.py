#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Mutates support bundles for tests/cli/fuzz-replay.test, deterministically.
#   mutate-bundle.py --seed N --canary DIR --escape NAME --out DIR BUNDLE...
# Writes mutants of each bundle into --out and prints one line per mutant:
# "FILE<TAB>what was done". Mutations: attribute values (odd content,
# bytes that are not UTF-8, long, empty), files removed, odd symlinks
# (absolute, '..', loops, through another link, into --canary, at its
# root-only "secret" and "fifo", at device nodes and /proc/sys), entries
# that try to escape the replay directory (they aim at --canary and at
# files named --escape), files with no end (links to /dev/zero), hard
# links carrying data, long link targets, and corrupt, truncated, nested
# or inflating gzip and tar streams.
import argparse
import gzip
import io
import os
import random
import stat
import tarfile

# Attributes the model reads; mutated more often than the rest.
INTERESTING = {
    "id", "serial", "alt_name", "uuid", "mode", "size", "align", "dev",
    "numa_node", "target_node", "persistence_domain", "deep_flush", "flags",
    "provider", "commands", "handle", "phys_id", "vendor", "device", "format",
    "formats", "resource", "sector_size", "holder", "holder_class",
    "available_size", "mappings", "mapping0", "interleave_ways", "nstype",
    "state", "write_cache", "fua", "badblocks", "devtype", "modalias",
    "uevent", "security", "dirty_shutdown", "nr_ranges", "revision",
    "firmware_version", "supported_alignments", "force_raw", "location",
    "type", "dax_pmem", "read_only", "init_namespaces", "max_available_extent",
    "cpuinfo", "cmdline", "mountinfo", "modules", "osrelease", "version",
}

ODD_VALUES = [
    b"\xff\xfe\x80\n",                  # not UTF-8 at all
    b"ab\xc3(cd\n",                     # a broken two-byte sequence
    b"\xed\xa0\x80surrogate\n",         # an encoded UTF-16 surrogate
    b"\xf4\x90\x80\x80beyond\n",        # above U+10FFFF
    b"\xc0\xafoverlong\n",              # an overlong '/'
    b"cut\xe2\x82",                     # a sequence cut at the end
    "caf\u00e9 \u20ac \U0001F600\n".encode(),   # valid UTF-8: kept as is
    b"", b"\n", b" \n", b"\x00", b"\x00abc\n", b"abc\x00def\n",
    b"A" * 5000 + b"\n",                # longer than a sysfs page
    "\u00e9".encode() * 3000,           # multibyte, cut anywhere by a reader
    b"B" * 70000,
    b"-1\n", b"-0\n", b"0\n", b"18446744073709551615\n",
    b"18446744073709551616\n", b"99999999999999999999999999999\n",
    b"0x\n", b"0xffffffffffffffffff\n", b"nan\n", b"1e999\n", b" 42 \n",
    b"%s%s%s%n%x\n", b"\"\\\n\t\x01\x1b[31mred\x7f\n", b"{\"a\":[1,2]}\n",
    b"1,2,3\n", b"0:0\n", b"999999:999999\n", b"4294967296:1\n",
    b"[unknown]\n", b"pmem\npmem\npmem\n", b"\n\n\n\n",
    b"line one\nline two \xff\n",
]

# Attributes the commands print as strings, and the kernel log doctor quotes.
STRINGS = {"id", "provider", "alt_name", "serial", "vendor", "device",
           "format", "firmware_version", "kernel.log"}
KERNEL_LINES = (
    b"<4>[    1.000000] nd_pmem namespace0.0: unable to guarantee persistence of writes \xff\xc3(\n"
    b"<4>[    2.000000] pmem0: unable to guarantee persistence \xed\xa0\x80 of writes\n"
    b"<4>[    3.000000] unable to guarantee persistence]\n"
    b"unable to guarantee persistence]"
)

# Where an odd symlink may lead; CANARY is replaced by --canary.
ODD_TARGETS = [
    "/", "/etc", "/proc/self/root", "/dev/zero", "/sys", "CANARY",
    "CANARY/keep", "CANARY/secret", "CANARY/fifo", "/dev/null",
    "/proc/sys/fs/lease-break-time", "/etc/shadow", "THROUGH",
    "..", ".", "../../../../../../../../../../..",
    "../../../../../../../../../../tmp", "SELF", "LOOP", "nowhere",
    "x/" * 1500 + "y", "\udcff\udcfe",
]


class Bundle:
    """A bundle's members in order: (TarInfo, data or None)."""

    def __init__(self, path):
        self.members = []
        with tarfile.open(path, "r:*") as tar:
            for m in tar.getmembers():
                data = tar.extractfile(m).read() if m.isfile() else None
                self.members.append((m, data))
        self.top = self.members[0][0].name.split("/")[0]

    def copy(self):
        other = Bundle.__new__(Bundle)
        other.members = [(self.clone(m), d) for m, d in self.members]
        other.top = self.top
        return other

    @staticmethod
    def clone(m):
        c = tarfile.TarInfo(m.name)
        for key in ("size", "mtime", "mode", "type", "linkname", "uid", "gid",
                    "uname", "gname", "devmajor", "devminor"):
            setattr(c, key, getattr(m, key))
        return c

    def files(self):
        return [i for i, (m, _) in enumerate(self.members) if m.isfile()]

    def links(self):
        return [i for i, (m, _) in enumerate(self.members) if m.issym()]

    def tar_bytes(self):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT,
                          encoding="utf-8", errors="surrogateescape") as tar:
            for m, data in self.members:
                if m.isfile():
                    m.size = len(data)
                tar.addfile(m, io.BytesIO(data) if m.isfile() else None)
        return buf.getvalue()


def entry(name, kind=tarfile.REGTYPE, data=b"", mode=0o644, link=""):
    m = tarfile.TarInfo(name)
    m.type = kind
    m.mode = mode
    m.linkname = link
    m.mtime = 1700000000
    m.size = len(data) if kind == tarfile.REGTYPE else 0
    return m, data if kind == tarfile.REGTYPE else None


def gz(data):
    return gzip.compress(data, compresslevel=6, mtime=0)


def mutate_values(rng, b):
    files = b.files()
    favoured = [i for i in files
                if os.path.basename(b.members[i][0].name) in INTERESTING]
    done = []
    for _ in range(rng.randint(1, 8)):
        i = rng.choice(favoured if favoured and rng.random() < 0.7 else files)
        m, _ = b.members[i]
        value = rng.choice(ODD_VALUES)
        if rng.random() < 0.15:
            value = bytes(rng.randrange(256) for _ in range(rng.randint(1, 300)))
        b.members[i] = (m, value)
        done.append(os.path.basename(m.name))
    return "values of " + ",".join(done)


def mutate_strings(b):
    """Every string the commands print gets bytes that are not UTF-8."""
    done = set()
    for i, (m, data) in enumerate(b.members):
        base = os.path.basename(m.name)
        if m.isfile() and base in STRINGS:
            if base == "kernel.log":
                data += KERNEL_LINES
            else:
                data = data.rstrip(b"\n") + b"\xff\xfe\n"
            b.members[i] = (m, data)
            done.add(base)
    return "not UTF-8 in " + ",".join(sorted(done))


def mutate_remove(rng, b):
    done = []
    for _ in range(rng.randint(1, 10)):
        i = rng.randrange(1, len(b.members))
        m, _ = b.members[i]
        prefix = m.name.rstrip("/") + "/"
        whole = m.isdir() and rng.random() < 0.5
        b.members = [(x, d) for x, d in b.members
                     if x is not m and not (whole and x.name.startswith(prefix))]
        done.append(os.path.basename(m.name.rstrip("/")) + ("/*" if whole else ""))
    return "removed " + ",".join(done)


def mutate_links(rng, b, canary):
    links = b.links()
    done = []
    for _ in range(rng.randint(1, 6)):
        i = rng.choice(links)
        m, _ = b.members[i]
        target = rng.choice(ODD_TARGETS)
        base = os.path.basename(m.name)
        if target == "SELF":
            target = base
        elif target == "THROUGH":
            # Inside by its text, out through a link that leads to sys/.
            depth = m.name.count("/") - 2
            target = "../" * depth + "zz/up/.." + canary
            if not any(x.name == f"{b.top}/sys/zz/up" for x, _ in b.members):
                b.members.insert(1, entry(f"{b.top}/sys/zz", tarfile.DIRTYPE, mode=0o755))
                b.members.insert(2, entry(f"{b.top}/sys/zz/up", tarfile.SYMTYPE, link=".."))
        elif target == "LOOP":
            # Two links leading to each other.
            j = rng.choice(links)
            other = b.members[j][0]
            target = os.path.relpath(other.name, os.path.dirname(m.name))
            other.linkname = os.path.relpath(m.name, os.path.dirname(other.name))
        target = target.replace("CANARY", canary)
        m.linkname = target
        done.append(f"{base}->{target[:40]}")
    return "links " + ",".join(done)


def escapes(b, canary, name):
    """Entries that try to leave the replay directory, one list each."""
    top = b.top
    sysd = f"{top}/sys"
    return [
        ("'..' out of the top", [entry(f"{top}/../{name}")]),
        ("'..' deep in a long (pax) name",
         [entry(f"{sysd}/" + "d" * 120 + f"/../../../../../{name}")]),
        ("an absolute name", [entry(f"/tmp/{name}")]),
        ("a file through a symlink to the canary",
         [entry(f"{sysd}/out", tarfile.SYMTYPE, link=canary),
          entry(f"{sysd}/out/{name}")]),
        ("a file through a relative symlink out",
         [entry(f"{sysd}/up", tarfile.SYMTYPE, link="../../../../../../../../../tmp"),
          entry(f"{sysd}/up/{name}")]),
        ("a directory replaced by a symlink, then filled",
         [entry(f"{sysd}/devices", tarfile.SYMTYPE, link=canary)] +
         [m for m in b.members if m[0].name.startswith(f"{sysd}/devices/")][:20]),
        ("a hard link to the canary, then written",
         [entry(f"{sysd}/hl", tarfile.LNKTYPE, link=f"{canary}/keep"),
          entry(f"{sysd}/hl", data=b"overwritten\n")]),
        ("a hard link out of the top",
         [entry(f"{sysd}/hl2", tarfile.LNKTYPE, link=f"{top}/../../../etc/passwd")]),
        ("device nodes, a fifo, setuid and sticky bits",
         [entry(f"{sysd}/null", tarfile.CHRTYPE, mode=0o666),
          entry(f"{sysd}/disk", tarfile.BLKTYPE, mode=0o666),
          entry(f"{sysd}/fifo", tarfile.FIFOTYPE),
          entry(f"{sysd}/suid", data=b"#!/bin/sh\n", mode=0o4755),
          entry(f"{sysd}/sticky", tarfile.DIRTYPE, mode=0o1777)]),
        ("a mode-0000 directory with a file in it",
         [entry(f"{sysd}/locked", tarfile.DIRTYPE, mode=0),
          entry(f"{sysd}/locked/f", data=b"1\n", mode=0)]),
        ("a file over a directory", [entry(f"{sysd}/bus", data=b"x\n")]),
        ("a 300-byte path component", [entry(f"{sysd}/" + "n" * 300)]),
        ("a 5000-byte name", [entry(f"{sysd}/" + "/".join(["p" * 200] * 25))]),
        ("files with no end: links to /dev/zero",
         [entry(f"{top}/{f}", tarfile.SYMTYPE, link="/dev/zero")
          for f in ("pmemctl/kernel.log", "proc/self/mountinfo", "proc/cpuinfo",
                    "pmemctl/modules")]),
        ("a symlink target of 5000 bytes", [entry(f"{sysd}/long", tarfile.SYMTYPE, link="a/" * 2500)]),
        ("3000 symlinks with 4000-byte targets",
         [entry(f"{sysd}/l{i}", tarfile.SYMTYPE, link="b/" * 2000) for i in range(3000)]),
        ("a name that is not UTF-8",
         [entry(f"{sysd}/bus/nd/devices/nmem\udcff", tarfile.SYMTYPE, link="../../../devices")]),
    ]


def host_links(b, canary):
    """What libndctl and libcxl open, and what list prints, led to the host:
    ids and serials to the canary's root-only secret, numa_node (read) and
    deep_flush (opened read-write) to its fifo, the CXL bus's flush (libcxl
    writes it on every scan) to a /proc/sys entry; some through a link."""
    out = b.copy()
    top = out.top
    through = "zz/up/.."
    for i, (m, _) in enumerate(out.members):
        base = os.path.basename(m.name)
        target = {"id": canary + "/secret", "serial": canary + "/secret",
                  "numa_node": canary + "/fifo", "deep_flush": canary + "/fifo"}.get(base)
        if m.isfile() and target:
            if i % 2:
                target = "../" * (m.name.count("/") - 2) + through + target
            out.members[i] = entry(m.name, tarfile.SYMTYPE, link=target)
    out.members[1:1] = [entry(f"{top}/sys/zz", tarfile.DIRTYPE, mode=0o755),
                        entry(f"{top}/sys/zz/up", tarfile.SYMTYPE, link="..")]
    out.members += [entry(f"{top}/sys/bus/cxl", tarfile.DIRTYPE, mode=0o755),
                    entry(f"{top}/sys/bus/cxl/flush", tarfile.SYMTYPE,
                          link="/proc/sys/fs/lease-break-time")]
    return out


def with_entries(b, extra, first=False):
    out = b.copy()
    if first:
        out.members = out.members[:1] + extra + out.members[1:]
    else:
        out.members += extra
    return out


def streams(rng, b):
    """(what, bytes): broken and unusual streams of one bundle."""
    tar = b.tar_bytes()
    good = gz(tar)
    out = []

    cut = rng.randint(10, len(good) - 10)
    out.append((f"gzip cut at {cut} of {len(good)}", good[:cut]))
    flipped = bytearray(good)
    for _ in range(rng.randint(1, 8)):
        flipped[rng.randrange(10, len(good) - 8)] ^= 1 << rng.randrange(8)
    out.append(("gzip with flipped bits", bytes(flipped)))
    out.append(("gzip header: FEXTRA longer than the file",
                good[:3] + b"\x04" + good[4:10] + b"\xff\xff" + good[10:40]))
    headers = [o for o in range(0, len(tar), 512) if tar[o + 257:o + 262] == b"ustar"]
    broken = bytearray(tar)
    for _ in range(rng.randint(1, 6)):
        o = rng.choice(headers) + rng.choice([0, 100, 124, 136, 148, 156, 157, 345])
        broken[o:o + 8] = bytes(rng.randrange(256) for _ in range(8))
    out.append(("tar headers with random bytes", gz(bytes(broken))))
    sized = bytearray(tar)
    o = rng.choice(headers) + 124
    sized[o:o + 12] = b"77777777777\0"
    out.append(("a tar size field of 8 GiB", gz(bytes(sized))))
    cut = rng.randint(512, len(tar) - 1)
    out.append((f"tar cut at {cut}", gz(tar[:cut])))
    cut = rng.choice(headers)
    out.append((f"tar cut at header {cut}, no end blocks", gz(tar[:cut])))
    big = tarfile.TarInfo(f"{b.top}/sys/big")
    big.size = 100 << 20
    first = b.members[0][0].tobuf(tarfile.PAX_FORMAT)
    out.append(("a header claiming 100 MiB",
                gz(first + big.tobuf(tarfile.PAX_FORMAT) + bytes(1 << 16))))
    out.append(("an empty file", b""))
    out.append(("random bytes", bytes(rng.randrange(256) for _ in range(4096))))
    out.append(("gzip of random bytes", gz(bytes(rng.randrange(256) for _ in range(4096)))))
    out.append(("gzip of zeros", gz(bytes(1 << 20))))
    out.append(("plain tar, no gzip (valid)", tar))
    half = headers[len(headers) // 2]
    out.append(("two gzip members (valid)", gz(tar[:half]) + gz(tar[half:])))
    out.append(("garbage after the gzip stream", good + b"trailing garbage\xff" * 8))
    out.append(("a gzip inside the gzip", gz(good)))
    zeros = tarfile.TarInfo(f"{b.top}/sys/zeros")
    zeros.size = 60 << 20
    out.append(("a 60 MiB file of zeros",
                gz(first + zeros.tobuf(tarfile.PAX_FORMAT) + bytes(zeros.size) + bytes(1024))))
    # pax interchange: libarchive obeys a hard link's size and inflates it.
    hard = tarfile.TarInfo(f"{b.top}/sys/hard")
    hard.size = 8 << 20
    hard.pax_headers = {"comment": "data on a hard link"}
    head = bytearray(hard.tobuf(tarfile.PAX_FORMAT))
    o = len(head) - 512
    head[o + 156:o + 157] = tarfile.LNKTYPE
    head[o + 157:o + 257] = f"{b.top}/sys".encode().ljust(100, b"\0")
    head[o + 148:o + 156] = b" " * 8
    head[o + 148:o + 156] = b"%06o\0 " % sum(head[o:o + 512])
    out.append(("hard links carrying 8 MiB each",
                gz(first + (bytes(head) + bytes(hard.size)) * 4 + bytes(1024))))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--canary", required=True)
    ap.add_argument("--escape", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--per-kind", type=int, default=2)
    ap.add_argument("bundles", nargs="+")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    canary = os.path.abspath(args.canary)
    n = 0

    def emit(stem, what, data):
        nonlocal n
        n += 1
        path = os.path.join(args.out, f"{n:03d}-{stem}.tar.gz")
        with open(path, "wb") as f:
            f.write(data)
        what = what.encode("utf-8", "backslashreplace").decode()
        print(f"{path}\t{stem}: {what}")

    bundles = [(os.path.basename(p).split(".")[0], Bundle(p)) for p in args.bundles]
    for name, b in bundles:
        m = b.copy()
        emit(name, mutate_strings(m), gz(m.tar_bytes()))
        for _ in range(args.per_kind + 1):
            m = b.copy()
            emit(name, mutate_values(rng, m), gz(m.tar_bytes()))
        for _ in range(args.per_kind):
            m = b.copy()
            emit(name, mutate_remove(rng, m), gz(m.tar_bytes()))
        for _ in range(args.per_kind if b.links() else 0):
            m = b.copy()
            emit(name, mutate_links(rng, m, canary), gz(m.tar_bytes()))
        emit(name, "ids, deep_flush, numa_node and the CXL flush led to the host",
             gz(host_links(b, canary).tar_bytes()))
    # The extractor's attacks and the broken streams need one bundle each.
    for k in range(len(escapes(bundles[0][1], canary, args.escape))):
        name, b = bundles[k % len(bundles)]
        what, extra = escapes(b, canary, args.escape)[k]
        first = what.startswith("a directory replaced")
        emit(name, what, gz(with_entries(b, extra, first).tar_bytes()))
    for what, data in streams(rng, bundles[0][1]):
        emit(bundles[0][0], what, data)


if __name__ == "__main__":
    main()
