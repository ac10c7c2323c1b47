#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs in a pmemvm guest: sets up the golden topology NAME, then writes its
# support bundle to /run/pmemvm/NAME.tar.gz (the host's result share).
# Topologies without a case here are captured as they boot (nfit-test:
# flush hints, DIMM failure flags, a volatile region; empty: no modules).
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
esac
"$PMEMCTL" report "/run/pmemvm/$name.tar.gz" > /dev/null
