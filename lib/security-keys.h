/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The keyring and ndctl's key files, shared by the security changes and
 * load-keys; not for cli/ (it goes through security.h). */
#ifndef PMEMCTL_SECURITY_KEYS_H
#define PMEMCTL_SECURITY_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "security.h"

/* The user keyring (add_key(2), keyctl(2)): a key id, or -errno. */
long pm_key_add(const char *type, const char *desc, const void *payload,
		size_t len);
/* -EOPNOTSUPP: a kernel without keyrings (CONFIG_KEYS). */
long pm_key_search(const char *type, const char *desc);
void pm_key_unlink(long id);
/* The key's payload as the kernel exports it: its length, *out malloc'd. */
long pm_key_read(long id, char **out);
void pm_key_possess_user_keyring(void);

/* A DIMM's key file (nvdimm_<id>_<host>.blob, or nvdimm-old_...) under
 * req's key directory, and its key's description (nvdimm:<id>). */
int pm_key_path(const struct pm_security_request *req, const struct pm_dimm *dimm,
		bool old, char *path, size_t len);
void pm_key_desc(const struct pm_dimm *dimm, bool old, char *desc, size_t len);
/* A key file's bytes between prefix and suffix (at most 4 KiB of file). */
long pm_key_read_blob(int dirfd, const char *path, const char *prefix,
		      const char *suffix, char **out);
/* Written beside, synced and renamed. */
int pm_key_write_blob(const char *path, const char *data, size_t len);
/* A DIMM's key from its file into the keyring under desc. */
long pm_key_load_dimm(const char *path, const char *desc);

#endif
