/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SHA-256 (FIPS 180-4): the checksum of label backups, in the form
 * sha256sum(1) prints and checks, so an administrator can verify a backup
 * without pmemctl.
 */
#ifndef PMEMCTL_SHA256_H
#define PMEMCTL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define PM_SHA256_LEN 32
#define PM_SHA256_HEX_LEN (2 * PM_SHA256_LEN + 1)

struct pm_sha256 {
	uint32_t state[8];
	uint64_t bytes;			/* message length so far */
	uint8_t block[64];
	size_t fill;			/* bytes waiting in block */
};

void pm_sha256_init(struct pm_sha256 *ctx);
void pm_sha256_update(struct pm_sha256 *ctx, const void *data, size_t len);
void pm_sha256_final(struct pm_sha256 *ctx, uint8_t digest[PM_SHA256_LEN]);

/* The digest of buf, as lowercase hex (sha256sum's form). */
void pm_sha256_hex(const void *buf, size_t len, char hex[PM_SHA256_HEX_LEN]);

#endif
