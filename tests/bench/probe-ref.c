// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * probe-ref METHOD FILE N [CPU]: the reference for the probe benchmark, a
 * minimal loop written apart from lib/probe.c. It maps FILE (created, one
 * page), pins itself to CPU (default: the current one) and times N ops on
 * one cache line, each as the probe defines it: the line's 64 bytes read,
 * then between "mfence; rdtscp; lfence" and "mfence; rdtscp; lfence"
 * eight 8-byte stores of those bytes and clwb + sfence (METHOD clwb), or
 * eight movnti + sfence (METHOD ntstore). It prints the median minus the
 * median of the same bracket around nothing, in ns, the TSC calibrated
 * against CLOCK_MONOTONIC over 100 ms.
 */
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <immintrin.h>
#include <x86intrin.h>

static uint64_t *samples;
static long n;

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median(void)
{
	qsort(samples, n, sizeof(*samples), cmp);
	return samples[(n + 1) / 2 - 1];
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double tsc_hz(void)
{
	struct timespec pause = { 0, 100000000 };
	double n0 = now(), n1;
	uint64_t t0 = __rdtsc(), t1;

	nanosleep(&pause, NULL);
	t1 = __rdtsc();
	n1 = now();
	return (t1 - t0) * 1e9 / (n1 - n0);
}

#define BEGIN(t)							\
	do {								\
		unsigned int aux_;					\
		_mm_mfence();						\
		t = __rdtscp(&aux_);					\
		_mm_lfence();						\
	} while (0)
#define END(t) BEGIN(t)

static void empty(void)
{
	for (long i = 0; i < n; i++) {
		uint64_t t0, t1;

		BEGIN(t0);
		END(t1);
		samples[i] = t1 - t0;
	}
}

__attribute__((target("clwb"))) static void loop_clwb(char *line)
{
	uint64_t v[8];

	for (long i = 0; i < n; i++) {
		uint64_t t0, t1;

		memcpy(v, line, 64);
		BEGIN(t0);
		for (int w = 0; w < 8; w++)
			((volatile uint64_t *)line)[w] = v[w];
		_mm_clwb(line);
		_mm_sfence();
		END(t1);
		samples[i] = t1 - t0;
	}
}

static void loop_ntstore(char *line)
{
	uint64_t v[8];

	for (long i = 0; i < n; i++) {
		uint64_t t0, t1;

		memcpy(v, line, 64);
		BEGIN(t0);
		for (int w = 0; w < 8; w++)
			_mm_stream_si64((long long *)line + w, (long long)v[w]);
		_mm_sfence();
		END(t1);
		samples[i] = t1 - t0;
	}
}

int main(int argc, char **argv)
{
	void (*loop)(char *);
	uint64_t overhead, op;
	cpu_set_t set;
	char *line;
	double hz;
	int fd, cpu;

	if (argc < 4 || (strcmp(argv[1], "clwb") && strcmp(argv[1], "ntstore"))) {
		fprintf(stderr, "usage: probe-ref clwb|ntstore FILE N [CPU]\n");
		return 2;
	}
	loop = strcmp(argv[1], "clwb") == 0 ? loop_clwb : loop_ntstore;
	n = atol(argv[3]);
	cpu = argc > 4 ? atoi(argv[4]) : sched_getcpu();
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (n < 1 || sched_setaffinity(0, sizeof(set), &set) < 0) {
		perror("probe-ref");
		return 1;
	}
	fd = open(argv[2], O_RDWR | O_CREAT, 0600);
	if (fd < 0 || ftruncate(fd, 4096) < 0) {
		perror(argv[2]);
		return 1;
	}
	line = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	samples = calloc(n, sizeof(*samples));
	if (line == MAP_FAILED || !samples) {
		perror("probe-ref");
		return 1;
	}
	memset(line, 0x5a, 4096);
	hz = tsc_hz();
	empty();		/* warm-up */
	empty();
	overhead = median();
	loop(line);		/* warm-up */
	loop(line);
	op = median();
	printf("%.1f\n", op > overhead ? (op - overhead) * 1e9 / hz : 0.0);
	return 0;
}
#else
int main(void)
{
	fprintf(stderr, "probe-ref: x86-64 only\n");
	return 77;
}
#endif
