# SPDX-License-Identifier: GPL-2.0-or-later
# Guest half of tests/bench/perf-vs-ndctl: grows the platform to each size
# of BENCH_SIZES namespaces and times pmemctl beside ndctl on the same
# topology, runs interleaved; prints one table per benchmark.
import contextlib
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

PMEMCTL = os.environ["PMEMCTL"]
RUNS = int(os.environ.get("BENCH_RUNS", "11"))
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "16 64 256").split()]
MONITOR_SECONDS = int(os.environ.get("BENCH_MONITOR_SECONDS", "60"))
READER = os.environ.get("BENCH_READER", "")
BASE = os.environ.get("PMEMCTL_BASE", "")      # another build, timed beside
ND = "/sys/bus/nd/devices"
NS_SIZE = 16 << 20
TMP = tempfile.mkdtemp()


def sh(argv, **kw):
    return subprocess.run(argv, check=True, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, **kw).stdout


def rd(path):
    with open(path) as f:
        return f.read().strip()


def wr(path, value):
    with open(path, "w") as f:
        f.write(value)


def settle():
    for bus in os.listdir(ND):
        if bus.startswith("ndbus"):
            rd(f"{ND}/{bus}/wait_probe")


# --- the platform: namespaces made through sysfs, as ndctl does, minus its
# enumeration of everything before each one (0.2 s a namespace, not 0.3-1 s)
def qemu_regions():
    out = []
    for r in sorted(os.listdir(ND), key=lambda s: int(s[6:]) if s.startswith("region") else 0):
        if not r.startswith("region"):
            continue
        bus = os.path.basename(os.path.realpath(f"{ND}/{r}/.."))
        if rd(f"{ND}/{bus}/provider") == "ACPI.NFIT":
            out.append(r)
    return out


def make_namespace(region, mode):
    seed = rd(f"{ND}/{region}/namespace_seed")
    d = f"{ND}/{seed}"
    wr(f"{d}/uuid", str(uuid.uuid4()))
    wr(f"{d}/sector_size", "512")
    wr(f"{d}/size", str(NS_SIZE))
    if mode == "raw":
        wr(f"{ND}/../drivers_probe", seed)
        return
    kind = "pfn" if mode == "fsdax" else "dax"
    claim = rd(f"{ND}/{region}/{kind}_seed")
    c = f"{ND}/{claim}"
    wr(f"{c}/uuid", str(uuid.uuid4()))
    wr(f"{c}/align", str(2 << 20))
    wr(f"{c}/mode", "pmem")
    wr(f"{c}/namespace", seed)
    wr(f"{ND}/../drivers_probe", claim)


def count_namespaces():
    return len(json.loads(sh(["ndctl", "list", "-N"]) or "[]"))


def grow(target, regions, made):
    """Round-robin over the QEMU regions; 1 in 8 fsdax, 1 in 8 devdax."""
    n = count_namespaces()
    t = time.perf_counter()
    while n < target:
        k = made[0]
        mode = {0: "fsdax", 1: "devdax"}.get(k % 8, "raw")
        make_namespace(regions[k % len(regions)], mode)
        made[0] += 1
        n += 1
    settle()
    n = count_namespaces()
    return n, time.perf_counter() - t


# --- measuring ---------------------------------------------------------------
def timed(argv):
    t = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - t) * 1e3


def quartiles(s):
    if len(s) < 2:
        return s[0], s[0], s[0]
    q = statistics.quantiles(s, n=4, method="inclusive")
    return q[0], statistics.median(s), q[2]


def interleaved(cmds, runs=RUNS, warm=2):
    """cmds: {name: argv}; one run of each in turn, so drift hits all alike."""
    for _ in range(warm):
        for argv in cmds.values():
            timed(argv)
    samples = {name: [] for name in cmds}
    for _ in range(runs):
        for name, argv in cmds.items():
            samples[name].append(timed(argv))
    return samples


def ratio(a, b):
    """Median of a over median of b, and the IQR of the paired ratios."""
    pairs = [x / y for x, y in zip(a, b)]
    q1, _, q3 = quartiles(pairs)
    return statistics.median(a) / statistics.median(b), q1, q3


SYSCALL = re.compile(r'^(\d+)\s+(\w+)\((.*)\)\s+=\s+(-?\d+|\?)')
AT = re.compile(r'^(AT_FDCWD|\d+), "([^"]*)"')


def strace(argv):
    """Sysfs traffic of one run: files opened (and how many distinct),
    reads of them, stat/readlink lookups, directories opened, settles
    (opens of wait_probe, which block until the bus's probing is done)
    and sleeps. Paths relative to a directory descriptor (openat(fd,
    "size")) count as the file they name."""
    log = f"{TMP}/strace"
    subprocess.run(["strace", "-f", "-qq", "-s", "256", "-o", log, "-e",
                    "trace=openat,open,read,close,newfstatat,lstat,stat,statx,readlink,readlinkat,nanosleep,clock_nanosleep",
                    *argv], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    fds, opened, dirs, reads, looks, settles, sleeps = {}, [], 0, 0, 0, 0, 0

    def path_of(pid, args):
        """The absolute path an *at() call names, or None."""
        m = AT.match(args)
        if m:
            base, rel = m.groups()
            if rel.startswith("/"):
                return os.path.normpath(rel)
            if base == "AT_FDCWD" or (pid, base) not in fds:
                return None
            return os.path.normpath(os.path.join(fds[(pid, base)], rel))
        m = re.match(r'^"([^"]*)"', args)
        return m.group(1) if m and m.group(1).startswith("/") else None

    with open(log) as f:
        for line in f:
            m = SYSCALL.match(line)
            if not m:
                continue
            pid, call, args, rv = m.groups()
            if call in ("openat", "open"):
                p = path_of(pid, args)
                if rv.startswith("-") or rv == "?" or not p:
                    continue
                fds[(pid, rv)] = p
                if not p.startswith("/sys/"):
                    continue
                if "O_DIRECTORY" in args:
                    dirs += 1
                    continue
                opened.append(p)
                if p.endswith("/wait_probe"):
                    settles += 1
            elif call == "read":
                fd = args.split(",", 1)[0]
                if fds.get((pid, fd), "").startswith("/sys/") and not rv.startswith("-"):
                    reads += 1
            elif call == "close":
                fds.pop((pid, args.strip()), None)
            elif call in ("newfstatat", "lstat", "stat", "statx", "readlink", "readlinkat"):
                p = path_of(pid, args)
                if p and p.startswith("/sys/"):
                    looks += 1
            elif call in ("nanosleep", "clock_nanosleep"):
                sleeps += 1
    return {"opens": len(opened), "distinct": len(set(opened)), "reads": reads,
            "looks": looks, "dirs": dirs, "settles": settles, "sleeps": sleeps}


def syscalls(argv):
    """System calls of one run (strace -f -c): total, and openat alone."""
    log = f"{TMP}/strace-c"
    subprocess.run(["strace", "-f", "-c", "-o", log, *argv],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    total = opens = 0
    with open(log) as f:
        for line in f:
            w = line.split()
            if len(w) >= 5 and w[-1] == "total":
                total = int(w[3])
            elif len(w) >= 5 and w[-1] in ("openat", "open") and w[3].isdigit():
                opens += int(w[3])
    return total, opens


# --- the limit: the sysfs calls of one run, replayed by tests/bench/sysfs-reader
CALL = re.compile(r'^(\d+)\s+(\w+)\((.*)\)\s+=\s+(-?\d+|\?)')
FLAG_NAMES = {"AT_FDCWD": -1}


def flags_of(text):
    v = 0
    for name in text.split("|"):
        name = name.strip()
        if name.startswith("0"):
            v |= int(name, 0)
        elif name == "AT_EMPTY_PATH":
            v |= 0x1000
        elif name == "AT_SYMLINK_NOFOLLOW":
            v |= 0x100
        else:
            v |= getattr(os, name, 0)
    return v


def reader_script(argv, path):
    """Writes the script of every system call argv makes on sysfs (files
    under /sys and descriptors opened there); returns how many calls."""
    log = f"{TMP}/strace-r"
    subprocess.run(["strace", "-f", "-qq", "-s", "1024", "-o", log, "-e",
                    "trace=openat,open,read,pread64,getdents64,close,newfstatat,stat,lstat,"
                    "readlink,readlinkat,access,faccessat,faccessat2",
                    *argv], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sysfd, out = {}, []

    def base(fd, rel):
        if rel.startswith("/"):
            return -1, rel
        if fd == "AT_FDCWD" or fd not in sysfd:
            return None, None
        return int(fd), rel

    def quoted(args):
        m = re.match(r'^(AT_FDCWD|-?\d+), "((?:[^"\\]|\\.)*)"(.*)$', args)
        return m.groups() if m else (None, None, None)

    with open(log) as f:
        for line in f:
            m = CALL.match(line)
            if not m:
                continue
            _, call, args, rv = m.groups()
            if call == "open":
                args = "AT_FDCWD, " + args
                call = "openat"
            if call in ("stat", "lstat", "readlink", "access"):
                flags = "AT_SYMLINK_NOFOLLOW" if call == "lstat" else "0"
                args = "AT_FDCWD, " + args + (", x, " + flags if call.endswith("stat") else "")
                call = {"stat": "newfstatat", "lstat": "newfstatat",
                        "readlink": "readlinkat", "access": "faccessat"}[call]
            if call == "openat":
                fd, rel, rest = quoted(args)
                if fd is None:
                    continue
                b, p = base(fd, rel)
                if b is None or not (p.startswith("/sys") or b >= 0):
                    sysfd.pop(rv, None)
                    continue
                if rv.startswith("-") or rv == "?":
                    out.append(f"o 4095 {b} {flags_of(rest.lstrip(', ').split(',')[0])} {p}")
                    continue
                sysfd[rv] = True
                out.append(f"o {rv} {b} {flags_of(rest.lstrip(', ').split(',')[0])} {p}")
            elif call in ("read", "getdents64", "pread64"):
                fd = args.split(",", 1)[0]
                if fd not in sysfd:
                    continue
                tail = args.rsplit(", ", 2)
                if call == "pread64":
                    out.append(f"p {fd} {tail[-2]} {tail[-1]}")
                else:
                    out.append(f"{'r' if call == 'read' else 'd'} {fd} {tail[-1]}")
            elif call == "close":
                fd = args.strip()
                if sysfd.pop(fd, None):
                    out.append(f"c {fd}")
            elif call in ("newfstatat", "readlinkat", "faccessat", "faccessat2"):
                fd, rel, rest = quoted(args)
                if fd is None:
                    continue
                b, p = base(fd, rel)
                if b is None or not (p.startswith("/sys") or b >= 0):
                    continue
                if call == "newfstatat":
                    out.append(f"s {b} {flags_of(rest.rsplit(', ', 1)[-1])} {p}")
                else:
                    out.append(f"{'l' if call == 'readlinkat' else 'a'} {b} {p}")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    return len(out)


def peak_rss(argv, runs=3):
    out = []
    for _ in range(runs):
        r = subprocess.run(["/usr/bin/time", "-f", "%M", *argv],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        out.append(int(r.stderr.strip().splitlines()[-1]))
    return statistics.median(out)


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])     # utime + stime


# --- the benchmarks ----------------------------------------------------------
LIST_P = [PMEMCTL, "list", "-BDRNX", "--json"]
LIST_N = ["ndctl", "list", "-BDRNX"]


def bench_list(n, rows):
    cmds = {"p": LIST_P, "n": LIST_N}
    script = f"{TMP}/reader-{n}"
    calls = reader_script(LIST_P, script) if READER else 0
    if READER:
        cmds["r"] = [READER, script]
    if BASE:
        cmds["b"] = [BASE] + LIST_P[1:]
    s = interleaved(cmds)
    r, q1, q3 = ratio(s["p"], s["n"])
    row = {"n": n, "p": quartiles(s["p"]), "n_ms": quartiles(s["n"]),
           "ratio": (r, q1, q3), "sp": strace(LIST_P), "sn": strace(LIST_N),
           "cp": syscalls(LIST_P), "cn": syscalls(LIST_N)}
    if READER:
        row["r"] = quartiles(s["r"])
        row["r_ratio"] = ratio(s["p"], s["r"])
        row["r_calls"] = calls
    if BASE:
        row["b"] = quartiles(s["b"])
        row["b_ratio"] = ratio(s["p"], s["b"])
        row["cb"] = syscalls(cmds["b"])
    if n == SIZES[-1]:
        row["rss"] = (peak_rss(LIST_P), peak_rss(LIST_N))
    rows.append(row)
    print(f"# list at {n} namespaces: pmemctl {row['p'][1]:.0f} ms, ndctl {row['n_ms'][1]:.0f} ms", flush=True)


def print_list(rows):
    print()
    print(f"list -BDRNX (pmemctl with --json): median ms [IQR], {RUNS} interleaved runs each")
    print(f"{'namespaces':>10} {'pmemctl ms':>20} {'ndctl ms':>20} {'ratio [IQR]':>18} "
          f"{'ms/ns p':>8} {'ms/ns n':>8} {'Δms/ns p':>9} {'Δms/ns n':>9}")
    prev = None
    for row in rows:
        p, nd, (r, q1, q3) = row["p"], row["n_ms"], row["ratio"]
        dp = dn = ""
        if prev:
            k = row["n"] - prev["n"]
            dp = f"{(p[1] - prev['p'][1]) / k:.2f}" if k else ""
            dn = f"{(nd[1] - prev['n_ms'][1]) / k:.2f}" if k else ""
        print(f"{row['n']:>10} {p[1]:>8.1f} [{p[0]:.0f}-{p[2]:.0f}]".ljust(31)
              + f" {nd[1]:>8.1f} [{nd[0]:.0f}-{nd[2]:.0f}]".ljust(21)
              + f" {r:>6.2f} [{q1:.2f}-{q3:.2f}]"
              + f" {p[1] / row['n']:>8.2f} {nd[1] / row['n']:>8.2f} {dp:>9} {dn:>9}")
        prev = row
    print()
    print("sysfs traffic of one list -BDRNX run (strace -f): files opened (distinct),")
    print("reads of them, stat/readlink lookups, directories opened, settles (wait_probe opens), sleeps")
    print(f"{'namespaces':>10} {'tool':>8} {'opens':>7} {'distinct':>9} {'reads':>7} {'lookups':>8} "
          f"{'dirs':>6} {'settles':>8} {'sleeps':>7}")
    for row in rows:
        for tool, st in (("pmemctl", row["sp"]), ("ndctl", row["sn"])):
            print(f"{row['n']:>10} {tool:>8} {st['opens']:>7} {st['distinct']:>9} {st['reads']:>7} "
                  f"{st['looks']:>8} {st['dirs']:>6} {st['settles']:>8} {st['sleeps']:>7}")
    print()
    print("system calls of one list -BDRNX run (strace -f -c): all, and opens")
    print(f"{'namespaces':>10} {'pmemctl':>16} {'ndctl':>16} {'ratio':>6}")
    for row in rows:
        (tp, op), (tn, on) = row["cp"], row["cn"]
        print(f"{row['n']:>10} {tp:>8} ({op:>5}) {tn:>8} ({on:>5}) {tp / max(tn, 1):>6.2f}")
    if READER:
        print()
        print("the limit: tests/bench/sysfs-reader making exactly the sysfs calls of one pmemctl")
        print("list -BDRNX run (static, no library, no output); pmemctl's time over the reader's")
        print(f"{'namespaces':>10} {'sysfs calls':>12} {'reader ms':>20} {'pmemctl / reader [IQR]':>24}")
        for row in rows:
            rr, (r, q1, q3) = row["r"], row["r_ratio"]
            print(f"{row['n']:>10} {row['r_calls']:>12} {rr[1]:>8.1f} [{rr[0]:.0f}-{rr[2]:.0f}]".ljust(44)
                  + f" {r:>6.2f} [{q1:.2f}-{q3:.2f}]")
    if BASE:
        print()
        print(f"this build against PMEMCTL_BASE ({BASE}), list -BDRNX --json, same runs")
        print(f"{'namespaces':>10} {'base ms':>20} {'this / base [IQR]':>20} {'calls this/base':>16}")
        for row in rows:
            b, (r, q1, q3) = row["b"], row["b_ratio"]
            print(f"{row['n']:>10} {b[1]:>8.1f} [{b[0]:.0f}-{b[2]:.0f}]".ljust(31)
                  + f" {r:>6.2f} [{q1:.2f}-{q3:.2f}]     {row['cp'][0]:>6}/{row['cb'][0]:<6}")
    for row in rows:
        if "rss" in row:
            print()
            print(f"peak RSS of list -BDRNX at {row['n']} namespaces (median of 3, /usr/bin/time %M): "
                  f"pmemctl {row['rss'][0]} KiB, ndctl {row['rss'][1]} KiB, "
                  f"ratio {row['rss'][0] / row['rss'][1]:.2f}")


def bench_convert(n, ns):
    """fsdax -> devdax and back, by each tool in turn on the same namespace."""
    tools = {
        "p": lambda m: [PMEMCTL, "convert", "-f", "-m", m, ns],
        "n": lambda m: ["ndctl", "create-namespace", "-f", "-e", ns, "-m", m],
    }
    if BASE:
        tools["b"] = lambda m: [BASE, "convert", "-f", "-m", m, ns]
    s = {(t, m): [] for t in tools for m in ("devdax", "fsdax")}
    runs = max(3, RUNS // 2)
    for i in range(runs + 1):
        for t, argv in tools.items():
            for m in ("devdax", "fsdax"):
                ms = timed(argv(m))
                if i:                       # the first round warms up
                    s[(t, m)].append(ms)
    traces = {(t, m): strace(tools[t](m)) for t in ("p", "n") for m in ("devdax", "fsdax")}
    calls = {(t, m): syscalls(tools[t](m)) for t in tools for m in ("devdax", "fsdax")}
    print()
    print(f"convert of a 64M namespace at {n} namespaces: median ms [IQR], {runs} interleaved runs each way")
    print(f"{'change':>16} {'pmemctl convert':>20} {'ndctl -f -e':>20} {'ratio [IQR]':>18}")
    for m, name in (("devdax", "fsdax -> devdax"), ("fsdax", "devdax -> fsdax")):
        p, nd = quartiles(s[("p", m)]), quartiles(s[("n", m)])
        r, q1, q3 = ratio(s[("p", m)], s[("n", m)])
        print(f"{name:>16} {p[1]:>9.0f} [{p[0]:.0f}-{p[2]:.0f}]".ljust(38)
              + f" {nd[1]:>9.0f} [{nd[0]:.0f}-{nd[2]:.0f}]".ljust(21)
              + f" {r:>6.2f} [{q1:.2f}-{q3:.2f}]")
        if BASE:
            b = quartiles(s[("b", m)])
            r, q1, q3 = ratio(s[("p", m)], s[("b", m)])
            print(f"{'PMEMCTL_BASE':>16} {b[1]:>9.0f} [{b[0]:.0f}-{b[2]:.0f}]".ljust(38)
                  + f" {'this / base':>20} {r:>6.2f} [{q1:.2f}-{q3:.2f}]")
    for m, name in (("devdax", "fsdax -> devdax"), ("fsdax", "devdax -> fsdax")):
        print(f"{name:>16} system calls (strace -f -c): pmemctl {calls[('p', m)][0]}, "
              f"ndctl {calls[('n', m)][0]}"
              + (f", PMEMCTL_BASE {calls[('b', m)][0]}" if BASE else ""))
    print(f"{'change':>16} {'tool':>8} {'opens':>7} {'distinct':>9} {'reads':>7} {'lookups':>8} "
          f"{'dirs':>6} {'settles':>8} {'sleeps':>7}")
    for m, name in (("devdax", "fsdax -> devdax"), ("fsdax", "devdax -> fsdax")):
        for t, tool in (("p", "pmemctl"), ("n", "ndctl")):
            st = traces[(t, m)]
            print(f"{name:>16} {tool:>8} {st['opens']:>7} {st['distinct']:>9} {st['reads']:>7} "
                  f"{st['looks']:>8} {st['dirs']:>6} {st['settles']:>8} {st['sleeps']:>7}")


def bench_metrics(n):
    cmds = {"p": [PMEMCTL, "metrics"], "n": ["ndctl", "list", "-BDRNXHM"]}
    s = interleaved(cmds)
    r, q1, q3 = ratio(s["p"], s["n"])
    p, nd = quartiles(s["p"]), quartiles(s["n"])
    sp, sn = strace(cmds["p"]), strace(cmds["n"])
    print()
    print(f"metrics at {n} namespaces (with DIMM health and media errors): median ms [IQR], {RUNS} runs")
    print(f"{'pmemctl metrics':>20} {'ndctl list -BDRNXHM':>22} {'ratio [IQR]':>18} {'opens p/n':>12} {'settles p/n':>12}")
    print(f"{p[1]:>9.1f} [{p[0]:.0f}-{p[2]:.0f}]".ljust(21)
          + f" {nd[1]:>9.1f} [{nd[0]:.0f}-{nd[2]:.0f}]".ljust(23)
          + f" {r:>6.2f} [{q1:.2f}-{q3:.2f}]"
          + f" {sp['opens']:>6}/{sn['opens']:<5} {sp['settles']:>6}/{sn['settles']:<5}")


def bench_verbs(n, ns, region):
    """The verbs beside ndctl's: labels of one DIMM, a namespace down and up."""
    dimm = rd(f"{ND}/{region}/mapping0").split(",")[0]
    labels = {"p": [PMEMCTL, "read-labels", "-J", dimm], "n": ["ndctl", "read-labels", "-j", dimm]}
    s = interleaved(labels)
    rows = [(f"read-labels {dimm}", "ndctl read-labels -j", s["p"], s["n"],
             syscalls(labels["p"]), syscalls(labels["n"]))]
    tools = {"p": {"disable": [PMEMCTL, "disable", ns], "enable": [PMEMCTL, "enable", ns]},
             "n": {"disable": ["ndctl", "disable-namespace", ns],
                   "enable": ["ndctl", "enable-namespace", ns]}}
    if BASE:
        tools["b"] = {"disable": [BASE, "disable", ns], "enable": [BASE, "enable", ns]}
    t = {(k, v): [] for k in tools for v in ("disable", "enable")}
    runs = max(3, RUNS // 2)
    for i in range(runs + 1):
        for k, argv in tools.items():
            for v in ("disable", "enable"):
                ms = timed(argv[v])
                if i:
                    t[(k, v)].append(ms)
    calls = {}
    for k, argv in tools.items():
        for v in ("disable", "enable"):
            calls[(k, v)] = syscalls(argv[v])
    for v in ("disable", "enable"):
        rows.append((f"{v} {ns}", f"ndctl {v}-namespace", t[("p", v)], t[("n", v)],
                     calls[("p", v)], calls[("n", v)]))
    print()
    print(f"verbs at {n} namespaces: median ms [IQR], interleaved; system calls of one run (strace -f -c)")
    print(f"{'pmemctl':>28} {'ms':>16} {'reference':>22} {'ms':>16} {'ratio [IQR]':>18} {'calls p/n':>12}")
    for name, ref, a, b, ca, cb in rows:
        qa, qb = quartiles(a), quartiles(b)
        r, q1, q3 = ratio(a, b)
        print(f"{name:>28} {qa[1]:>7.0f} [{qa[0]:.0f}-{qa[2]:.0f}]".ljust(46)
              + f" {ref:>22} {qb[1]:>7.0f} [{qb[0]:.0f}-{qb[2]:.0f}]".ljust(40)
              + f" {r:>6.2f} [{q1:.2f}-{q3:.2f}] {ca[0]:>5}/{cb[0]:<5}")
    if BASE:
        for v in ("disable", "enable"):
            b = quartiles(t[("b", v)])
            r, q1, q3 = ratio(t[("p", v)], t[("b", v)])
            print(f"{'PMEMCTL_BASE ' + v:>28} {b[1]:>7.0f} [{b[0]:.0f}-{b[2]:.0f}]".ljust(46)
                  + f" {'this / base':>22} {'':>16} {r:>6.2f} [{q1:.2f}-{q3:.2f}] "
                  f"{calls[('b', v)][0]:>5} calls")


def tolerant(argv):
    """timed(), but a failing run is counted, not fatal (a row says so)."""
    t = time.perf_counter()
    r = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - t) * 1e3, r.returncode


def nfit_test_dimms():
    """nfit_test.0's DIMMs (firmware update and security commands), and its
    regions."""
    j = json.loads(sh(["ndctl", "list", "-D", "-b", "nfit_test.0"]) or "[]")
    j = j if isinstance(j, list) else [j]
    r = json.loads(sh(["ndctl", "list", "-R", "-b", "nfit_test.0"]) or "[]")
    r = r if isinstance(r, list) else [r]
    return sorted((d["dev"] for d in j), key=lambda n: int(n[4:])), [x["dev"] for x in r]


def rounds(tools, runs):
    """tools: {(tool, verb): argv}, run in turn each round (the first warms
    up); returns the samples and the exit codes that were not 0."""
    t, bad = {k: [] for k in tools}, []
    for i in range(runs + 1):
        for k, argv in tools.items():
            ms, rc = tolerant(argv)
            if rc:
                bad.append(f"{' '.join(argv[:2])} exit {rc}")
            elif i:
                t[k].append(ms)
    return t, bad


def bench_fw_security(n):
    """The firmware and security verbs beside ndctl's on nfit_test.0: list
    -DF; update-firmware, one staging of a 4 KiB image per DIMM and tool
    (an nfit_test DIMM takes no other until it is activated, which the
    guest cannot survive): timed on two DIMMs, counted (strace -c) on two
    others; a passphrase set up and removed again on the first DIMM, with
    its regions disabled (remove-passphrase refuses while they are active)
    and a tmpfs key directory, as tests/vm/cases/security.sh does."""
    dimms, regions = nfit_test_dimms()
    if not dimms:
        print("\nfirmware and security: no nfit_test DIMM, skipped")
        return
    subprocess.run(["ndctl", "wait-scrub", "nfit_test.0"], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    img = f"{TMP}/fw.img"
    with open(img, "wb") as f:
        f.write(os.urandom(4096))
    runs = max(3, RUNS // 2)
    rows = []
    lst = {"p": [PMEMCTL, "list", "-DF", "--json"], "n": ["ndctl", "list", "-DF"]}
    s = interleaved(lst)
    rows.append(("list -DF", "ndctl list -DF", s["p"], s["n"],
                 syscalls(lst["p"]), syscalls(lst["n"]), []))
    if len(dimms) >= 4:
        fw = {"p": lambda d: [PMEMCTL, "update-firmware", "--image", img, d],
              "n": lambda d: ["ndctl", "update-firmware", "-f", img, d]}
        t, bad = {"p": [], "n": []}, []
        for k, d in (("p", dimms[0]), ("n", dimms[1])):
            ms, rc = tolerant(fw[k](d))
            if rc:
                bad.append(f"{k} {d} exit {rc}")
            else:
                t[k].append(ms)
        rows.append((f"update-firmware {dimms[0]}/{dimms[1]}", "ndctl update-firmware",
                     t["p"], t["n"], syscalls(fw["p"](dimms[2])), syscalls(fw["n"](dimms[3])), bad))
    keys = "/etc/ndctl/keys"
    os.makedirs(keys, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0700", "keys", keys]).returncode == 0
    dimm = dimms[0]
    if mounted and shutil.which("keyctl"):
        for r in regions:
            subprocess.run(["ndctl", "disable-region", r], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        subprocess.run("keyctl link @u @s; dd if=/dev/urandom bs=1 count=32 2>/dev/null | "
                       "keyctl padd user nvdimm-master @u > /dev/null && "
                       f"keyctl pipe $(keyctl search @u user nvdimm-master) > {keys}/nvdimm-master.blob",
                       shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        sec = {("p", "set"): [PMEMCTL, "set-passphrase", dimm],
               ("p", "remove"): [PMEMCTL, "remove-passphrase", "-f", dimm],
               ("n", "set"): ["ndctl", "setup-passphrase", dimm, "-k", "user:nvdimm-master"],
               ("n", "remove"): ["ndctl", "remove-passphrase", dimm]}
        t, bad = rounds(sec, runs)
        calls = {}
        for k in (("p", "set"), ("p", "remove"), ("n", "set"), ("n", "remove")):
            calls[k] = syscalls(sec[k])
        rows.append((f"set-passphrase {dimm}", "ndctl setup-passphrase", t[("p", "set")],
                     t[("n", "set")], calls[("p", "set")], calls[("n", "set")], bad))
        rows.append((f"remove-passphrase {dimm}", "ndctl remove-passphrase", t[("p", "remove")],
                     t[("n", "remove")], calls[("p", "remove")], calls[("n", "remove")], []))
        for r in regions:
            subprocess.run(["ndctl", "enable-region", r], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    else:
        print("\nsecurity: no keyctl or no tmpfs over /etc/ndctl/keys, skipped")
    if mounted:
        subprocess.run(["umount", keys])
    print()
    print(f"firmware and security at {n} namespaces (nfit_test.0): median ms [IQR], interleaved "
          f"({runs} runs; update-firmware: one run each); system calls of one run (strace -f -c)")
    print(f"{'pmemctl':>28} {'ms':>16} {'reference':>24} {'ms':>16} {'ratio [IQR]':>18} {'calls p/n':>12}")
    for name, ref, a, b, ca, cb, bad in rows:
        if not a or not b:
            print(f"{name:>28}: no successful run ({'; '.join(sorted(set(bad)))})")
            continue
        qa, qb = quartiles(a), quartiles(b)
        r, q1, q3 = ratio(a, b)
        print(f"{name:>28} {qa[1]:>7.0f} [{qa[0]:.0f}-{qa[2]:.0f}]".ljust(46)
              + f" {ref:>24} {qb[1]:>7.0f} [{qb[0]:.0f}-{qb[2]:.0f}]".ljust(42)
              + f" {r:>6.2f} [{q1:.2f}-{q3:.2f}] {ca[0]:>5}/{cb[0]:<5}")
        if bad:
            print(f"{'':>28}   failed runs left out: {'; '.join(sorted(set(bad)))}")


def bench_fixed():
    """What a run costs before any object: the tools' --version, a static
    program doing nothing, and both listings of an empty selection."""
    cmds = {"pmemctl --version": [PMEMCTL, "--version"], "ndctl --version": ["ndctl", "--version"],
            "true (static reader, no call)": [READER, "/dev/null"] if READER else ["true"]}
    s = interleaved(cmds)
    print()
    print(f"fixed cost: median ms [IQR] of {RUNS} interleaved runs; system calls (strace -f -c)")
    for name, argv in cmds.items():
        q = quartiles(s[name])
        c = syscalls(argv)
        print(f"{name:>32} {q[1]:>7.1f} [{q[0]:.0f}-{q[2]:.0f}]".ljust(54) + f" {c[0]:>5} calls, {c[1]:>3} opens")


def bench_monitor():
    """Both monitors at once: the CPU time of their start (until it stops
    growing), then over MONITOR_SECONDS of waiting for events."""
    tick = os.sysconf("SC_CLK_TCK")
    procs = {"pmemctl monitor": subprocess.Popen([PMEMCTL, "monitor"], stdout=subprocess.DEVNULL,
                                                 stderr=subprocess.DEVNULL),
             "ndctl monitor": subprocess.Popen(["ndctl", "monitor"], stdout=subprocess.DEVNULL,
                                               stderr=subprocess.DEVNULL)}
    start = {}
    for _ in range(60):         # past the start-up work: 1 s without CPU
        time.sleep(1)
        now = {k: cpu_ticks(p.pid) for k, p in procs.items() if p.poll() is None}
        if all(start.get(k) == v for k, v in now.items()):
            break
        start = now
    time.sleep(MONITOR_SECONDS)
    print()
    print(f"idle monitor: CPU time (utime + stime, /proc/PID/stat) of the start, then over "
          f"{MONITOR_SECONDS} s idle; both at once")
    for k, p in procs.items():
        if p.poll() is not None or k not in start:
            print(f"{k:>16}: exited with {p.returncode}")
            continue
        used = (cpu_ticks(p.pid) - start[k]) / tick * 1e3
        print(f"{k:>16}: start {start[k] / tick * 1e3:.0f} ms, idle {used:.0f} ms")
        p.terminate()
        p.wait()


def main():
    regions = qemu_regions()
    print(f"# guest under TCG, 1 vCPU; QEMU NVDIMM regions {' '.join(regions)}; "
          f"nfit_test buses; pmemctl {sh([PMEMCTL, '--version']).strip()}, "
          f"ndctl {sh(['ndctl', '--version']).strip()}", flush=True)
    # The namespace convert works on, made first (it counts in every size).
    conv = json.loads(sh(["ndctl", "create-namespace", "-r", regions[0], "-m", "fsdax", "-s", "64M"]))["dev"]
    made, rows, later = [0], [], io.StringIO()
    for target in SIZES:
        n, secs = grow(target, regions, made)
        print(f"# {n} namespaces ({secs:.0f} s to make them)", flush=True)
        bench_list(n, rows)
        if target == SIZES[0]:
            with contextlib.redirect_stdout(later):
                bench_fixed()
        if target == 64 or (64 not in SIZES and target == SIZES[0]):
            with contextlib.redirect_stdout(later):
                bench_convert(n, conv)
                bench_verbs(n, conv, regions[0])
                bench_fw_security(n)
                bench_metrics(n)
                bench_monitor()
    print_list(rows)
    print(later.getvalue(), end="")


if __name__ == "__main__":
    main()
