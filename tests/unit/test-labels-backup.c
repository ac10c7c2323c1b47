// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the label backup check (lib/labels-write.c): a backup
 * whose checksum (written by sha256sum(1) itself), size and DIMM id are
 * right loads; a changed byte, a missing line or .id file, and another
 * DIMM's id are each refused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "lib/labels-write.h"

static char dir[] = "/tmp/pmemctl-labels-XXXXXX";

static void put(const char *name, const void *buf, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fwrite(buf, 1, len, f) != len)
		abort();
	fclose(f);
}

static int load(const char *dimm_id, bool *matches, char *why, size_t len)
{
	char path[256];
	unsigned char *buf;
	size_t size;
	int rc;

	snprintf(path, sizeof(path), "%s/nmem0.labels", dir);
	rc = pm_labels_backup_load(path, dimm_id, &buf, &size, matches, why, len);
	if (!rc && size != 4096)
		rc = -1;
	free(buf);
	return rc;
}

int main(void)
{
	unsigned char area[4096];
	char cmd[512], why[256];
	bool matches;

	if (!mkdtemp(dir))
		return 1;
	for (size_t i = 0; i < sizeof(area); i++)
		area[i] = i * 7;
	put("nmem0.labels", area, sizeof(area));
	put("nmem0.id", "8680-56341200\n", 14);
	snprintf(cmd, sizeof(cmd), "cd %s && sha256sum nmem0.labels > SHA256SUMS", dir);
	if (system(cmd)) {
		printf("1..0 # SKIP no sha256sum\n");
		return 0;
	}
	ok(load("8680-56341200", &matches, why, sizeof(why)) == 0 && matches,
	   "a backup checked by sha256sum's own SHA256SUMS loads");
	ok(load("8680-57341200", &matches, why, sizeof(why)) == 0 && !matches &&
	   strstr(why, "8680-56341200"), "another DIMM's id: loads, not matching (%s)", why);
	ok(load(NULL, &matches, why, sizeof(why)) == 0 && !matches,
	   "a DIMM without an id does not match a backup with one");

	area[100] ^= 1;
	put("nmem0.labels", area, sizeof(area));
	ok(load("8680-56341200", &matches, why, sizeof(why)) == -EINVAL &&
	   strstr(why, "SHA256SUMS says"), "a flipped bit: refused (%s)", why);
	area[100] ^= 1;
	put("nmem0.labels", area, sizeof(area));

	put("SHA256SUMS", "", 0);
	ok(load("8680-56341200", &matches, why, sizeof(why)) == -EINVAL &&
	   strstr(why, "no checksum"), "no line for it in SHA256SUMS: refused (%s)", why);
	snprintf(cmd, sizeof(cmd), "cd %s && sha256sum nmem0.labels > SHA256SUMS && rm nmem0.id", dir);
	if (system(cmd))
		return 1;
	ok(load("8680-56341200", &matches, why, sizeof(why)) == -EINVAL &&
	   strstr(why, "missing"), "no .id file: refused (%s)", why);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		return 1;
	return done_testing();
}
