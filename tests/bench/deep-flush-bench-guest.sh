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

# The bare reference, one flush per process as pmemctl does it (cold), and
# in a hot loop of $runs flushes on one descriptor.
bare_cold()
{
	for ((i = 0; i < runs; i++)); do
		"$ref" "$@" 1
	done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

printf '%-36s %12s %12s %8s %12s\n' "method (target)" "pmemctl ns" "bare ns" "ratio" "bare hot ns"
row()
{
	printf '%-36s %12s %12s %8s %12s\n' "$1" "$2" "$3" \
		"$(python3 -c "print(f'{$2 / $3:.2f}x')")" "$4"
}
if [ -n "$sysfs_region" ]; then
	attr=/sys/bus/nd/devices/$sysfs_region/deep_flush
	row "sysfs ($sysfs_region, nfit_test)" "$(pmemctl_median --method sysfs "$sysfs_region")" \
		"$(bare_cold sysfs "$attr")" "$("$ref" sysfs "$attr" "$runs")"
	if [ -n "$sysfs_pmem" ]; then
		row "fsync (/dev/$sysfs_pmem, nfit_test)" \
			"$(pmemctl_median --method fsync "$sysfs_region")" \
			"$(bare_cold fsync "/dev/$sysfs_pmem")" "$("$ref" fsync "/dev/$sysfs_pmem" "$runs")"
	fi
fi
if [ -n "$virtio_pmem" ]; then
	row "fsync (/dev/$virtio_pmem, virtio-pmem)" \
		"$(pmemctl_median --method fsync "/dev/$virtio_pmem")" \
		"$(bare_cold fsync "/dev/$virtio_pmem")" "$("$ref" fsync "/dev/$virtio_pmem" "$runs")"
fi
w=$(wall_median "$PMEMCTL" deep-flush --method sysfs "${sysfs_region:-region0}")
echo "whole command, start to exit (median): $w ns"
echo "ratio: pmemctl's own latency_ns over the bare flush, one per process (both cold);"
echo "bare hot: the median of $runs flushes in a loop on one descriptor."
echo "runs: $runs each; guest under TCG: compare ratios, not absolute figures"
