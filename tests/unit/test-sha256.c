// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of lib/sha256.c: the FIPS 180-4 example messages, every
 * padding boundary against an independent implementation (sha256sum), and
 * incremental updates against one-shot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "lib/sha256.h"

static void known(const char *msg, const char *want)
{
	char hex[PM_SHA256_HEX_LEN];

	pm_sha256_hex(msg, strlen(msg), hex);
	ok(!strcmp(hex, want), "sha256(\"%.20s\") = %s", msg, hex);
}

/* The same bytes through sha256sum(1), where the machine has it. */
static int sha256sum_of(const unsigned char *buf, size_t len, char *hex)
{
	char path[] = "/tmp/pmemctl-sha256-XXXXXX", cmd[128];
	FILE *p;
	int fd = mkstemp(path), rc = -1;

	if (fd < 0)
		return -1;
	if (write(fd, buf, len) == (ssize_t)len) {
		snprintf(cmd, sizeof(cmd), "sha256sum %s 2>/dev/null", path);
		p = popen(cmd, "r");
		if (p) {
			if (fscanf(p, "%64s", hex) == 1 && strlen(hex) == 64)
				rc = 0;
			pclose(p);
		}
	}
	close(fd);
	unlink(path);
	return rc;
}

int main(void)
{
	unsigned char buf[300];
	char hex[PM_SHA256_HEX_LEN], ref[80];
	uint8_t one[PM_SHA256_LEN], inc[PM_SHA256_LEN];
	struct pm_sha256 ctx;
	size_t len, i;
	int mismatches = 0, compared = 0;

	known("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	known("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	known("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 7 + 3);
	/* Lengths around the 55/56/64-byte padding edges, and several blocks. */
	for (len = 0; len <= 130; len++) {
		pm_sha256_hex(buf, len, hex);
		if (sha256sum_of(buf, len, ref))
			continue;
		compared++;
		if (strcmp(hex, ref)) {
			mismatches++;
			ok(0, "length %zu: %s, sha256sum says %s", len, hex, ref);
		}
	}
	ok(compared == 0 || mismatches == 0,
	   "%d lengths (0-130 bytes) agree with sha256sum", compared);

	pm_sha256_init(&ctx);
	pm_sha256_update(&ctx, buf, sizeof(buf));
	pm_sha256_final(&ctx, one);
	pm_sha256_init(&ctx);
	for (i = 0; i < sizeof(buf); i += 37)
		pm_sha256_update(&ctx, buf + i,
				 sizeof(buf) - i < 37 ? sizeof(buf) - i : 37);
	pm_sha256_final(&ctx, inc);
	ok(!memcmp(one, inc, sizeof(one)), "updates of 37 bytes = one update");
	return done_testing();
}
