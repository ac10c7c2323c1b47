#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# The guest's half of tests/bench/system-ram-vs-daxctl: one 1 GiB devdax
# namespace, then rounds of (pmemctl to system RAM, pmemctl back, daxctl
# to system RAM, daxctl back), medians and the ratio per direction.
import importlib.util
import json
import os
import subprocess

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("perf", os.path.join(here, "perf-bench-guest.py"))
perf = importlib.util.module_from_spec(spec)
spec.loader.exec_module(perf)

PMEMCTL = perf.PMEMCTL
RUNS = perf.RUNS
MEM = "/sys/devices/system/memory"


def online_blocks(node=1):
    d = f"/sys/devices/system/node/node{node}"
    if not os.path.isdir(d):
        return 0
    return sum(1 for b in os.listdir(d) if b.startswith("memory")
               and perf.rd(f"{d}/{b}/state") == "online")


def main():
    # The kernel's policy would online blocks before either tool does.
    perf.wr(f"{MEM}/auto_online_blocks", "offline")
    subprocess.run(["modprobe", "kmem"], check=True)
    ns = json.loads(perf.sh(["ndctl", "create-namespace", "-r", "region0", "-m", "devdax",
                             "-a", "2M", "-s", "1G"]))
    dax = ns["daxregion"]["devices"][0]["chardev"]
    base = os.environ.get("PMEMCTL_BASE") or None
    print(f"# guest under TCG; a 1G devdax namespace {ns['dev']} ({dax}) on NUMA node 1; "
          f"pmemctl {perf.sh([PMEMCTL, '--version']).strip()}, "
          f"daxctl {perf.sh(['daxctl', '--version']).strip()}; "
          f"{perf.sh(['sh', '-c', 'ls -d /proc/[0-9]* | wc -l']).strip()} processes", flush=True)
    tools = {
        "pmemctl": {"ram": [PMEMCTL, "convert", "-f", "-m", "system-ram", ns["dev"]],
                    "dax": [PMEMCTL, "convert", "-f", "-m", "devdax", ns["dev"]]},
        "daxctl": {"ram": ["daxctl", "reconfigure-device", "-m", "system-ram", dax],
                   "dax": ["daxctl", "reconfigure-device", "-f", "-m", "devdax", dax]},
    }
    if base:
        tools["before"] = {d: [base, *argv[1:]] for d, argv in tools["pmemctl"].items()}
    s = {(t, d): [] for t in tools for d in ("ram", "dax")}
    blocks = set()
    for i in range(RUNS + 1):
        for t, argv in tools.items():
            for d in ("ram", "dax"):
                ms = perf.timed(argv[d])
                if d == "ram":
                    blocks.add(online_blocks())
                elif online_blocks():
                    raise SystemExit(f"{t}: memory still online after {argv[d]}")
                if i:                       # the first round warms up
                    s[(t, d)].append(ms)
    # Load-independent: the system calls of one run each way; with
    # BENCH_KEEP on the host, each run's strace is kept in its results.
    calls = {}
    keep = os.path.isdir("/run/pmemvm") and os.environ.get("BENCH_KEEP")
    for t, argv in tools.items():
        for d in ("ram", "dax"):
            calls[(t, d)] = perf.syscalls(argv[d])
        for d in ("ram", "dax") if keep else ():     # each a real change
            subprocess.run(["strace", "-f", "-tt", "-T", "-s", "128", "-o",
                            f"/run/pmemvm/trace-{t}-{d}.txt", *argv[d]],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"online blocks on node 1 after each to-system-ram: {sorted(blocks)}")
    print(f"system RAM of 1G: median ms [IQR], {RUNS} interleaved runs each way; "
          f"system calls of one run (strace -f -c: all, opens)")
    print(f"{'change':>22} {'pmemctl convert':>20} {'daxctl reconfigure':>20} {'ratio [IQR]':>18}"
          f" {'calls p/d':>12} {'opens p/d':>10}")
    for d, name in (("ram", "devdax -> system-ram"), ("dax", "system-ram -> devdax")):
        p, x = perf.quartiles(s[("pmemctl", d)]), perf.quartiles(s[("daxctl", d)])
        r, q1, q3 = perf.ratio(s[("pmemctl", d)], s[("daxctl", d)])
        cp, cd = calls[("pmemctl", d)], calls[("daxctl", d)]
        print(f"{name:>22} {p[1]:>9.0f} [{p[0]:.0f}-{p[2]:.0f}]".ljust(44)
              + f" {x[1]:>9.0f} [{x[0]:.0f}-{x[2]:.0f}]".ljust(21)
              + f" {r:>6.2f} [{q1:.2f}-{q3:.2f}]"
              + f" {cp[0]:>5}/{cd[0]:<5} {cp[1]:>4}/{cd[1]:<4}")
        if base:
            b = perf.quartiles(s[("before", d)])
            rb, b1, b3 = perf.ratio(s[("before", d)], s[("daxctl", d)])
            cb = calls[("before", d)]
            print(f"{'(before: ' + os.path.basename(os.path.dirname(base)) + ')':>22} "
                  f"{b[1]:>9.0f} [{b[0]:.0f}-{b[2]:.0f}]".ljust(21).rjust(21)
                  + " " * 22 + f" {rb:>6.2f} [{b1:.2f}-{b3:.2f}] {cb[0]:>5}/{cd[0]:<5} {cb[1]:>4}/{cd[1]:<4}")


if __name__ == "__main__":
    main()
