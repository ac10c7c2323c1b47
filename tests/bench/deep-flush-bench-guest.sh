#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest half of the deep-flush benchmark: pmemctl's flush latency by method
# beside a bare write of 1 to deep_flush and a bare fsync, same run.
set -u
runs=${BENCH_RUNS:-200}
ref=$BENCH_REF

# A region with a writable deep_flush (nfit_test.0) and its block device;
# the virtio-pmem block device.
read -r sysfs_region sysfs_pmem < <(ndctl list -BRN | python3 -c '
import json, sys
for b in json.load(sys.stdin):
    for r in b.get("regions", []):
        if b["provider"].startswith("nfit_test.0") and r.get("namespaces"):
            print(r["dev"], r["namespaces"][0].get("blockdev", ""))
            sys.exit()')
virtio_pmem=$(ndctl list -BN | python3 -c '
import json, sys
for b in json.load(sys.stdin):
    if b["provider"] == "virtio-pmem":
        print(b["namespaces"][0]["blockdev"]) if "namespaces" in b else print(b["regions"][0]["namespaces"][0]["blockdev"])
        sys.exit()')

# pmemctl's own latency_ns: the same single system call, timed inside.
pmemctl_median()
{
	for ((i = 0; i < runs; i++)); do
		"$PMEMCTL" deep-flush --json "$@" | python3 -c 'import json,sys; print(json.load(sys.stdin)["flushes"][0]["latency_ns"])'
	done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# Whole-command wall time, for the cost of starting pmemctl.
wall_median()
{
	python3 - "$runs" "$@" <<'PY'
import statistics, subprocess, sys, time
runs, argv = int(sys.argv[1]), sys.argv[2:]
s = []
for _ in range(runs):
    t = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
    s.append(time.perf_counter() - t)
print(int(statistics.median(s) * 1e9))
PY
}

printf '%-36s %14s %14s %8s\n' "method (target)" "pmemctl ns" "bare ns" "ratio"
row()
{
	printf '%-36s %14s %14s %8s\n' "$1" "$2" "$3" \
		"$(python3 -c "print(f'{$2 / $3:.2f}x')")"
}
if [ -n "$sysfs_region" ]; then
	p=$(pmemctl_median --method sysfs "$sysfs_region")
	b=$("$ref" sysfs "/sys/bus/nd/devices/$sysfs_region/deep_flush" "$runs")
	row "sysfs ($sysfs_region, nfit_test)" "$p" "$b"
	if [ -n "$sysfs_pmem" ]; then
		p=$(pmemctl_median --method fsync "$sysfs_region")
		b=$("$ref" fsync "/dev/$sysfs_pmem" "$runs")
		row "fsync (/dev/$sysfs_pmem, nfit_test)" "$p" "$b"
	fi
fi
if [ -n "$virtio_pmem" ]; then
	p=$(pmemctl_median --method fsync "/dev/$virtio_pmem")
	b=$("$ref" fsync "/dev/$virtio_pmem" "$runs")
	row "fsync (/dev/$virtio_pmem, virtio-pmem)" "$p" "$b"
fi
w=$(wall_median "$PMEMCTL" deep-flush --method sysfs "${sysfs_region:-region0}")
echo "whole command, start to exit (median): $w ns"
echo "runs: $runs each; guest under TCG: compare ratios, not absolute figures"
