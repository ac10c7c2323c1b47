#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark (not a pass/fail test): how long doctor takes to map a media
# error to files on ext4 -o dax with 10,000 small files and some big ones,
# beside `find -type f | xargs filefrag` over the same tree, and doctor
# without a media error (no walk). Runs itself in a guest:
#   flock /tmp/pmemctl-vm.lock tests/bench/damage-map.sh [RUNS]
# (from a built tree, as root).
set -u
if [ "${1:-}" != --guest ]; then
	srcdir=$(cd "$(dirname "$0")/../.." && pwd)
	PMEMCTL=${PMEMCTL:-$PWD/pmemctl}
	[ -x "$PMEMCTL" ] || { echo "build pmemctl first (run from the build tree)" >&2; exit 1; }
	exec "$srcdir/tests/vm/pmemvm" --nvdimms 1 --labels init \
		--env "PMEMCTL=$PMEMCTL" --env "BENCH_RUNS=${1:-5}" \
		-- bash "$srcdir/tests/bench/damage-map.sh" --guest
fi

runs=${BENCH_RUNS:-5}
small=${BENCH_SMALL:-10000}
big=${BENCH_BIG:-8}
ndctl create-namespace -r region0 -m fsdax -s 768M > /dev/null || exit 1
mkdir -p /tmp/bench
mkfs.ext4 -q -F -b 4096 /dev/pmem0 && mount -o dax /dev/pmem0 /tmp/bench || exit 1

# 10,000 files of 1-16 KiB in 100 directories, and big files of 32 MiB
# written in 1 MiB pieces, all with data (no unwritten extents).
python3 - /tmp/bench "$small" "$big" <<'PY'
import os, random, sys
root, small, big = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(1)
chunk = os.urandom(1 << 20)
for i in range(small):
    d = os.path.join(root, "d%02d" % (i % 100))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%05d" % i), "wb") as f:
        f.write(chunk[:random.randint(1, 16) * 1024])
os.makedirs(os.path.join(root, "big"), exist_ok=True)
for i in range(big):
    with open(os.path.join(root, "big", "b%02d" % i), "wb") as f:
        for _ in range(32):
            f.write(chunk)
PY
sync

# One bad sector in the middle of a big file.
victim=/tmp/bench/big/b$(printf %02d $((big / 2)))
sector=$(filefrag -v -b512 "$victim" | awk '$1 == "0:" { sub(/\.\..*/, "", $4); print $4 }')
files=$(find /tmp/bench -type f | wc -l)
extents=$(find /tmp/bench -type f -print0 | xargs -0 filefrag | awk '{ n += $(NF - 2) } END { print n }')

python3 - "$PMEMCTL" "$runs" "$files" "$extents" "$sector" "$victim" <<'PY'
import statistics, subprocess, sys, time
pmemctl, runs, files, extents, sector, victim = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6]
def timed(argv, shell=False):
    with open("/proc/sys/vm/drop_caches", "w") as f:
        f.write("3")
    cold = None
    out = []
    for i in range(runs + 1):
        t = time.perf_counter()
        p = subprocess.run(argv, shell=shell, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        dt = (time.perf_counter() - t) * 1000
        if i == 0:
            cold = dt
        else:
            out.append(dt)
    return cold, out, p
def row(name, cold, s):
    print(f"{name:<46} {cold:>9.0f} {statistics.median(s):>10.0f} {min(s):>8.0f} {max(s):>8.0f}")
results = {}
results["pmemctl doctor /tmp/bench (no media error)"] = timed([pmemctl, "doctor", "/tmp/bench"])
with open("/sys/block/pmem0/badblocks", "w") as f:
    f.write(f"{sector + 4096} 1\n")
results["pmemctl doctor /tmp/bench (1 media error)"] = timed([pmemctl, "doctor", "/tmp/bench"])
results["find -type f -print0 | xargs -0 filefrag"] = timed("find /tmp/bench -type f -print0 | xargs -0 filefrag > /dev/null", shell=True)
results["find -type f (the walk alone)"] = timed("find /tmp/bench -type f > /dev/null", shell=True)
print(f"ext4 -o dax, {files} files ({extents} extents), one bad sector in {victim}; TCG guest")
print(f"{'command':<46} {'cold ms':>9} {'median ms':>10} {'min ms':>8} {'max ms':>8}")
for name, (cold, s, p) in results.items():
    row(name, cold, s)
named = [l for l in results["pmemctl doctor /tmp/bench (1 media error)"][2].stdout.decode().splitlines() if "it hits" in l]
print("doctor named:", named[0].split("it hits ", 1)[1] if named else "nothing")
base = statistics.median(results["pmemctl doctor /tmp/bench (no media error)"][1])
walk = statistics.median(results["pmemctl doctor /tmp/bench (1 media error)"][1])
print(f"mapping (doctor with the error minus without): {walk - base:.0f} ms median")
PY
