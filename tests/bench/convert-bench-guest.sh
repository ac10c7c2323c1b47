#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest half of the conversion benchmark: the same change (fsdax <-> devdax
# on a 256M labelled namespace) by pmemctl convert and by ndctl
# create-namespace -f -e, interleaved; prints medians and the ratio.
set -u
runs=${BENCH_RUNS:-8}
ndctl create-namespace -r region0 -m fsdax -s 256M > /dev/null
ns=namespace0.0
python3 - "$PMEMCTL" "$ns" "$runs" <<'PY'
import statistics, subprocess, sys, time
pmemctl, ns, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
def timed(argv):
    t = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t
tools = {
    "pmemctl convert -f -m MODE": lambda m: [pmemctl, "convert", "-f", "-m", m, ns],
    "ndctl create-namespace -f -e NS -m MODE": lambda m: ["ndctl", "create-namespace", "-f", "-e", ns, "-m", m],
}
samples = {name: [] for name in tools}
mode = "fsdax"
for _ in range(runs):
    for name, argv in tools.items():
        mode = "devdax" if mode == "fsdax" else "fsdax"
        samples[name].append(timed(argv(mode)))
ref = statistics.median(samples["ndctl create-namespace -f -e NS -m MODE"])
print(f"fsdax <-> devdax on a 256M labelled namespace; {runs} runs each, interleaved; TCG guest")
print(f"{'command':<42} {'median ms':>10} {'min ms':>8} {'max ms':>8} {'ratio':>7}")
for name, s in samples.items():
    m = statistics.median(s)
    print(f"{name:<42} {m*1e3:>10.0f} {min(s)*1e3:>8.0f} {max(s)*1e3:>8.0f} {m/ref:>6.2f}x")
PY
