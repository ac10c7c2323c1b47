// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flush-ref MODE PATH N: the reference for the deep-flush benchmark: N bare
 * flushes, each timed like pmemctl times its own (CLOCK_MONOTONIC around
 * the one system call), printed as the median in ns.
 * MODE: sysfs (write "1" to PATH, a region's deep_flush) or fsync (fsync
 * an fd of PATH, a block device).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int compare(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int sysfs;
	uint64_t *samples;
	int n, fd;

	if (argc != 4 || (strcmp(argv[1], "sysfs") && strcmp(argv[1], "fsync"))) {
		fprintf(stderr, "usage: flush-ref sysfs|fsync PATH N\n");
		return 2;
	}
	sysfs = strcmp(argv[1], "sysfs") == 0;
	n = atoi(argv[3]);
	samples = calloc(n > 0 ? n : 1, sizeof(*samples));
	fd = open(argv[2], sysfs ? O_WRONLY : O_RDONLY);
	if (fd < 0 || !samples) {
		perror(argv[2]);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		uint64_t start = now_ns();
		int rc = sysfs ? (int)pwrite(fd, "1", 1, 0) - 1 : fsync(fd);

		samples[i] = now_ns() - start;
		if (rc) {
			perror(argv[1]);
			return 1;
		}
	}
	qsort(samples, n, sizeof(*samples), compare);
	printf("%llu\n", (unsigned long long)samples[n / 2]);
	free(samples);
	close(fd);
	return 0;
}
