#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Holds unmovable kernel memory on a NUMA node: binds itself to NODE
# (set_mempolicy), then touches one byte every 2 MiB of a sparse mapping,
# so that the kernel allocates a page table page per touch there. Page
# tables cannot be migrated: a memory block holding one cannot be offlined
# (EBUSY). Prints "ready" and sleeps until killed.
# Usage: node-pin.py NODE [TOUCHES]
import ctypes
import mmap
import sys
import time

SYS_set_mempolicy = 238		# x86_64
MPOL_BIND = 2

node = int(sys.argv[1])
touches = int(sys.argv[2]) if len(sys.argv) > 2 else 2048
libc = ctypes.CDLL(None, use_errno=True)
mask = ctypes.c_ulong(1 << node)
if libc.syscall(SYS_set_mempolicy, MPOL_BIND, ctypes.byref(mask), 64) != 0:
	sys.exit(f"set_mempolicy: errno {ctypes.get_errno()}")
step = 2 << 20
m = mmap.mmap(-1, touches * step, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | 0x4000)	# MAP_NORESERVE
# Without this, each touch faults a whole 2 MiB transparent huge page and
# the node runs out of memory (the OOM killer took the helper on 6.1).
m.madvise(mmap.MADV_NOHUGEPAGE)
for i in range(touches):
	m[i * step] = 1
print("ready", flush=True)
while True:
	time.sleep(60)
