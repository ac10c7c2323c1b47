// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pmem2-granularity FILE: print the store granularity libpmem2 gives a
 * mapping of FILE (byte, cache-line or page), the independent oracle the
 * VM tests hold pmemctl's verdict against.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <libpmem2.h>

int main(int argc, char **argv)
{
	static const char *const names[] = {
		[PMEM2_GRANULARITY_BYTE] = "byte",
		[PMEM2_GRANULARITY_CACHE_LINE] = "cache-line",
		[PMEM2_GRANULARITY_PAGE] = "page",
	};
	struct pmem2_config *cfg;
	struct pmem2_source *src;
	struct pmem2_map *map;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: pmem2-granularity FILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	if (pmem2_config_new(&cfg) || pmem2_source_from_fd(&src, fd) ||
	    pmem2_config_set_required_store_granularity(cfg, PMEM2_GRANULARITY_PAGE) ||
	    pmem2_map_new(&map, cfg, src)) {
		pmem2_perror("libpmem2");
		return 1;
	}
	printf("%s\n", names[pmem2_map_get_store_granularity(map)]);
	pmem2_map_delete(&map);
	pmem2_source_delete(&src);
	pmem2_config_delete(&cfg);
	close(fd);
	return 0;
}
