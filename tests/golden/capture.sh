#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs in a pmemvm guest: sets up the golden topology NAME, then writes its
# support bundle to /run/pmemvm/NAME.tar.gz (the host's result share).
# Topologies without a case here are captured as they boot (empty: no
# modules). nfit-test keeps its flush hints, DIMM failure flags and
# volatile region, and gets SMART values and media errors. cxl gets a
# committed 2-way pmem region (cxl-cli: regions do not survive a boot) and
# a namespace on half of it.
set -e
name=$1
case $name in
adr)
	ndctl create-namespace -r region0 -m fsdax -s 256M > /dev/null
	ndctl create-namespace -r region0 -m devdax -s 256M > /dev/null
	ndctl create-namespace -r region1 -m sector -s 256M > /dev/null
	ndctl create-namespace -r region1 -m raw -s 256M > /dev/null
	ndctl create-namespace -r region1 -m fsdax -a 4K -s 128M > /dev/null
	mkdir -p /tmp/dax /tmp/nodax
	mkfs.ext4 -q -F -b 4096 /dev/pmem0 && mount -o dax /dev/pmem0 /tmp/dax
	mkfs.ext4 -q -F -b 4096 /dev/pmem2 && mount /dev/pmem2 /tmp/nodax
	;;
nfit-test)
	# Health and media errors: SMART values differing per DIMM, and
	# errors on each namespace of nfit_test.0 found by a scrub.
	ndctl inject-smart nmem0 -m 47 -s 20 > /dev/null
	ndctl inject-smart nmem1 -f > /dev/null
	ndctl inject-smart nmem2 -U > /dev/null
	for ns in $(ndctl list -N -b nfit_test.0 | python3 -c '
import json, sys
j = json.load(sys.stdin)
print(" ".join(n["dev"] for n in (j if isinstance(j, list) else [j])))'); do
		ndctl inject-error "$ns" -B 16 -n 8 > /dev/null 2>&1
	done
	ndctl start-scrub nfit_test.0 > /dev/null 2>&1
	ndctl wait-scrub nfit_test.0 > /dev/null
	;;
cxl)
	cxl create-region -m -d decoder0.0 -t pmem -w 2 mem0 mem1 > /dev/null 2>&1
	for f in /sys/bus/nd/devices/ndbus*/wait_probe; do
		cat "$f" > /dev/null
	done
	region=$(ndctl list -R -b CXL | python3 -c '
import json, sys
j = json.load(sys.stdin)
print((j if isinstance(j, list) else [j])[0]["dev"])')
	ndctl create-namespace -r "$region" -m fsdax -s 512M > /dev/null
	;;
esac
"$PMEMCTL" report "/run/pmemvm/$name.tar.gz" > /dev/null
