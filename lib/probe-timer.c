// SPDX-License-Identifier: GPL-2.0-or-later
/* The probe's timer: pinning, NUMA, TSC calibration, the empty bracket. */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "probe-internal.h"
#include "sysfs.h"

#define CALIBRATION_NS 60000000ULL
#define OVERHEAD_SAMPLES 20000

uint64_t pm_probe_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* One (tsc, clock) pair, from the tightest of a few tries. */
static void clock_pair(uint64_t *tsc, uint64_t *ns)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 8; i++) {
		uint64_t t1 = probe_tsc_now(), n = pm_probe_now_ns(),
			 t2 = probe_tsc_now();

		if (t2 - t1 < best) {
			best = t2 - t1;
			*tsc = t1 + (t2 - t1) / 2;
			*ns = n;
		}
	}
}

static void calibrate(struct pm_probe *p, struct pm_probe_timer *tm)
{
	uint64_t tsc0 = 0, ns0 = 0, tsc1 = 0, ns1 = 0, khz = 0;

	/*
	 * Against CLOCK_MONOTONIC over 60 ms of busy waiting, which also
	 * brings the CPU out of its idle states before anything is timed.
	 * Where the kernel publishes its own figure, that one is used.
	 */
	clock_pair(&tsc0, &ns0);
	do
		clock_pair(&tsc1, &ns1);
	while (ns1 - ns0 < CALIBRATION_NS);
	tm->calibration_ms = (double)(ns1 - ns0) / 1e6;
	if (sysfs_read_u64(&khz, "/sys/devices/system/cpu/cpu0/tsc_freq_khz") == 0 &&
	    khz) {
		p->tsc_hz = (double)khz * 1000;
		tm->calibration = "tsc_freq_khz";
	} else {
		p->tsc_hz = (double)(tsc1 - tsc0) * 1e9 / (double)(ns1 - ns0);
		tm->calibration = "clock_monotonic";
	}
	if (!p->cpu.x86)
		p->tsc_hz = 1e9;	/* the bracket reads CLOCK_MONOTONIC */
}

double probe_ticks_ns(const struct pm_probe *p, double ticks)
{
	return ticks * 1e9 / p->tsc_hz;
}

static void measure_overhead(struct pm_probe *p, struct pm_probe_timer *tm)
{
	uint64_t *d = malloc(OVERHEAD_SAMPLES * sizeof(*d));
	struct timespec res;
	uint64_t min_step;

	if (!d)
		return;
	probe_tsc_empty(d, OVERHEAD_SAMPLES);
	qsort(d, OVERHEAD_SAMPLES, sizeof(*d), compare_u64);
	p->overhead_ticks = d[OVERHEAD_SAMPLES / 2 - 1];
	p->overhead_ns = probe_ticks_ns(p, (double)p->overhead_ticks);
	tm->overhead_ns = p->overhead_ns;
	tm->overhead_min_ns = probe_ticks_ns(p, (double)d[0]);
	min_step = probe_tsc_min_step();
	tm->resolution_ns = min_step == UINT64_MAX ? 0 :
		probe_ticks_ns(p, (double)min_step);
	tm->tick_ns = 1e9 / p->tsc_hz;
	for (size_t i = 0; i < 1000; i++) {
		uint64_t a = pm_probe_now_ns(), b = pm_probe_now_ns();

		d[i] = b - a;
	}
	qsort(d, 1000, sizeof(*d), compare_u64);
	p->clock_overhead_ns = (double)d[499];
	tm->clock_overhead_ns = p->clock_overhead_ns;
	if (clock_getres(CLOCK_MONOTONIC, &res) == 0)
		tm->clock_resolution_ns = (double)res.tv_sec * 1e9 + (double)res.tv_nsec;
	free(d);
}

static int cpu_node(int cpu)
{
	char path[64];
	struct dirent *de;
	int node = -1;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d", cpu);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((de = readdir(dir)))
		if (strncmp(de->d_name, "node", 4) == 0 &&
		    de->d_name[4] >= '0' && de->d_name[4] <= '9')
			node = atoi(de->d_name + 4);
	closedir(dir);
	return node;
}

/* The first CPU of node's cpulist that this process may use, or -1. */
static int node_cpu(int node, const cpu_set_t *allowed, int prefer)
{
	char list[4096], *tok, *save = NULL;
	int first = -1;

	if (sysfs_read_string(list, sizeof(list),
			      "/sys/devices/system/node/node%d/cpulist", node) < 0)
		return -1;
	for (tok = strtok_r(list, ",\n", &save); tok;
	     tok = strtok_r(NULL, ",\n", &save)) {
		int lo, hi;

		if (sscanf(tok, "%d-%d", &lo, &hi) != 2) {
			lo = atoi(tok);
			hi = lo;
		}
		for (int cpu = lo; cpu <= hi && cpu < CPU_SETSIZE; cpu++) {
			if (!CPU_ISSET(cpu, allowed))
				continue;
			if (cpu == prefer)
				return cpu;
			if (first < 0)
				first = cpu;
		}
	}
	return first;
}

static int pin(struct pm_probe *p, int want, struct pm_probe_timer *tm)
{
	cpu_set_t allowed, set;
	int cpu = -1, current = sched_getcpu();

	if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0)
		return -errno;
	if (want >= 0) {
		if (want >= CPU_SETSIZE || !CPU_ISSET(want, &allowed))
			return -EINVAL;
		cpu = want;
	} else if (p->t.numa_node >= 0) {
		cpu = node_cpu(p->t.numa_node, &allowed, current);
	}
	if (cpu < 0 && current >= 0 && current < CPU_SETSIZE &&
	    CPU_ISSET(current, &allowed))
		cpu = current;
	for (int i = 0; cpu < 0 && i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &allowed))
			cpu = i;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		return -errno;
	sched_yield();
	tm->cpu = cpu;
	tm->cpu_node = cpu_node(cpu);
	p->aux = probe_tsc_aux();
	return 0;
}

int pm_probe_setup(struct pm_probe *p, int cpu, struct pm_probe_timer *tm)
{
	int rc;

	memset(tm, 0, sizeof(*tm));
	tm->source = probe_tsc_select(p->cpu.rdtscp);
	tm->invariant = p->cpu.invariant_tsc;
	rc = pin(p, cpu, tm);
	if (rc)
		return rc;
	calibrate(p, tm);
	tm->tsc_hz = p->tsc_hz;
	measure_overhead(p, tm);
	p->ready = true;
	return 0;
}
