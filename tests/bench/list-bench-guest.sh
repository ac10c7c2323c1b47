#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest half of the list benchmark: many namespaces, then interleaved runs
# of pmemctl and ndctl; prints medians and ratios.
set -u
per_region=${BENCH_NAMESPACES_PER_REGION:-36}
runs=${BENCH_RUNS:-15}

for r in region0 region1; do
	ndctl create-namespace -r $r -m fsdax -s 64M > /dev/null
	ndctl create-namespace -r $r -m devdax -s 64M -a 4K > /dev/null
	for ((i = 2; i < per_region; i++)); do
		ndctl create-namespace -r $r -m raw -s 16M > /dev/null || break
	done
done
count=$(ndctl list -N | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')

python3 - "$PMEMCTL" "$runs" "$count" <<'PY'
import statistics, subprocess, sys, time
pmemctl, runs, count = sys.argv[1], int(sys.argv[2]), sys.argv[3]
cmds = {
    "pmemctl list --json": [pmemctl, "list", "--json"],
    "pmemctl list -BDRNX --json": [pmemctl, "list", "-BDRNX", "--json"],
    "ndctl list -BDRNX": ["ndctl", "list", "-BDRNX"],
}
samples = {name: [] for name in cmds}
for _ in range(2):                      # warm the page cache
    for argv in cmds.values():
        subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
for _ in range(runs):                   # interleaved: drift hits all alike
    for name, argv in cmds.items():
        t = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
        samples[name].append(time.perf_counter() - t)
ref = statistics.median(samples["ndctl list -BDRNX"])
print(f"namespaces: {count}; runs: {runs} each, interleaved; guest under TCG")
print(f"{'command':<28} {'median ms':>10} {'min ms':>8} {'max ms':>8} {'vs ndctl':>9}")
for name, s in samples.items():
    med = statistics.median(s)
    print(f"{name:<28} {med*1e3:>10.1f} {min(s)*1e3:>8.1f} {max(s)*1e3:>8.1f} {med/ref:>8.2f}x")
PY
