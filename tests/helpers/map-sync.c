// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * map-sync FILE: try a MAP_SHARED_VALIDATE | MAP_SYNC mapping of FILE and
 * print "true" when the kernel accepts it, "false" when it refuses
 * (EOPNOTSUPP: no DAX, or an asynchronous region). The test oracle for
 * pmemctl's map_sync.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif

int main(int argc, char **argv)
{
	void *addr;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: map-sync FILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	addr = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_SHARED_VALIDATE | MAP_SYNC, fd, 0);
	if (addr == MAP_FAILED) {
		if (errno != EOPNOTSUPP && errno != EINVAL) {
			perror("mmap");
			return 1;
		}
		puts("false");
	} else {
		puts("true");
		munmap(addr, 4096);
	}
	close(fd);
	return 0;
}
