// SPDX-License-Identifier: GPL-2.0-or-later
/* DIMM keys: the keyring through its system calls, and ndctl's key files. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/keyctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pmem.h"
#include "security.h"
#include "security-keys.h"

/*
 * The keyring through its system calls: add_key(2) and keyctl(2) are
 * all libkeyutils wraps for the five calls used here, and without it
 * pmemctl needs no new library.
 */
long pm_key_add(const char *type, const char *desc, const void *payload,
		size_t len)
{
	long id = syscall(__NR_add_key, type, desc, payload, len,
			  KEY_SPEC_USER_KEYRING);

	return id < 0 ? -errno : id;
}

/* -EOPNOTSUPP: a kernel without keyrings (CONFIG_KEYS). */
long pm_key_search(const char *type, const char *desc)
{
	long id = syscall(__NR_keyctl, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING,
			  type, desc, 0);

	return id >= 0 ? id : errno == ENOSYS ? -EOPNOTSUPP : -errno;
}

void pm_key_unlink(long id)
{
	if (id > 0)
		syscall(__NR_keyctl, KEYCTL_UNLINK, id, KEY_SPEC_USER_KEYRING);
}

/* The key's payload as the kernel exports it; len bytes in *out, or -errno. */
long pm_key_read(long id, char **out)
{
	long len = syscall(__NR_keyctl, KEYCTL_READ, id, NULL, 0);
	char *buf;

	if (len < 0)
		return -errno;
	buf = malloc(len + 1);
	if (!buf)
		return -ENOMEM;
	len = syscall(__NR_keyctl, KEYCTL_READ, id, buf, len);
	if (len < 0) {
		free(buf);
		return -errno;
	}
	buf[len] = '\0';
	*out = buf;
	return len;
}

/*
 * The kernel looks a key id up among the keyrings the writer possesses:
 * a service's own session keyring (systemd's KeyringMode=private) does
 * not reach the user keyring unless it is linked in, as ndctl's tests do.
 */
void pm_key_possess_user_keyring(void)
{
	syscall(__NR_keyctl, KEYCTL_LINK, KEY_SPEC_USER_KEYRING,
		KEY_SPEC_SESSION_KEYRING);
}

int pm_key_file_name(const char *id, const char *host, bool old, char *buf, size_t len)
{
	if ((size_t)snprintf(buf, len, "nvdimm%s_%s_%s.blob", old ? "-old" : "", id,
			     host) >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* ndctl load-keys: the part between "nvdimm_" and the next '_'. */
int pm_key_file_id(const char *name, char *id, size_t len)
{
	size_t n;

	if (strncmp(name, "nvdimm_", 7) != 0)
		return -EINVAL;
	n = strcspn(name + 7, "_");
	if (!n || !name[7 + n] || n >= len)
		return -EINVAL;
	snprintf(id, len, "%.*s", (int)n, name + 7);
	return 0;
}

/* ndctl's names: nvdimm_<id>_<host>.blob, nvdimm-old_<id>_<host>.blob. */
int pm_key_path(const struct pm_security_request *req, const struct pm_dimm *dimm,
		bool old, char *path, size_t len)
{
	char host[HOST_NAME_MAX + 1] = "", name[NAME_MAX + 1];

	if (gethostname(host, sizeof(host) - 1) < 0)
		return -errno;
	if (pm_key_file_name(dimm->id, host, old, name, sizeof(name)) ||
	    (size_t)snprintf(path, len, "%s/%s", req->key_dir ? req->key_dir : PM_KEYS_DIR,
			     name) >= len)
		return -ENAMETOOLONG;
	return 0;
}

void pm_key_desc(const struct pm_dimm *dimm, bool old, char *desc, size_t len)
{
	snprintf(desc, len, "nvdimm%s:%s", old ? "-old" : "", dimm->id);
}

/* A key file's bytes (at most 4 KiB, a regular file, as ndctl reads it). */
long pm_key_read_blob(int dirfd, const char *path, const char *prefix,
		      const char *suffix, char **out)
{
	size_t plen = prefix ? strlen(prefix) : 0, slen = suffix ? strlen(suffix) : 0;
	struct stat st;
	char *buf;
	ssize_t n;
	int fd;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0 ||
	    st.st_size > 4096) {
		close(fd);
		return -EINVAL;
	}
	buf = malloc(plen + st.st_size + slen + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	memcpy(buf, prefix, plen);
	n = read(fd, buf + plen, st.st_size);
	close(fd);
	if (n != st.st_size) {
		free(buf);
		return n < 0 ? -errno : -EIO;
	}
	memcpy(buf + plen + n, suffix, slen);
	buf[plen + n + slen] = '\0';
	*out = buf;
	return plen + n + slen;
}

/* Written beside, synced and renamed: a crash leaves the old file or the new. */
int pm_key_write_blob(const char *path, const char *data, size_t len)
{
	char tmp[PATH_MAX];
	int fd, rc = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	errno = 0;
	if (write(fd, data, len) != (ssize_t)len || fsync(fd) < 0)
		rc = errno ? -errno : -EIO;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}

/* A DIMM's key from its file into the keyring under desc: its id, or -errno. */
long pm_key_load_dimm(const char *path, const char *desc)
{
	char *blob = NULL;
	long len, id;

	len = pm_key_read_blob(AT_FDCWD, path, "load ", NULL, &blob);
	if (len < 0)
		return len;
	id = pm_key_add("encrypted", desc, blob, len);
	free(blob);
	return id;
}

/* The master key: user, or trusted with the TPM handle of dir/tpm.handle. */
static int load_master(int dirfd, struct pm_load_keys_result *out)
{
	char handle[64] = "", suffix[80] = "", *blob;
	bool trusted;
	FILE *f;
	long len, id;
	int fd;

	fd = openat(dirfd, "tpm.handle", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0) {
		f = fdopen(fd, "r");
		if (f) {
			if (fscanf(f, "%63s", handle) != 1)
				handle[0] = '\0';
			fclose(f);
		} else {
			close(fd);
		}
	}
	trusted = handle[0];
	if (pm_key_search(trusted ? "trusted" : "user", PM_MASTER_DESC) > 0)
		return 0;
	if (trusted)
		snprintf(suffix, sizeof(suffix), " keyhandle=%s", handle);
	len = pm_key_read_blob(dirfd, PM_MASTER_DESC ".blob", trusted ? "load " : NULL,
			trusted ? suffix : NULL, &blob);
	if (len < 0)
		return (int)len;
	/* A user key's payload is the file's bytes alone. */
	id = pm_key_add(trusted ? "trusted" : "user", PM_MASTER_DESC, blob, len);
	free(blob);
	if (id == -ENODEV)
		snprintf(out->message, sizeof(out->message),
			 "the kernel has no %s keys", trusted ? "trusted" : "user");
	if (id < 0)
		return (int)id;
	out->master_loaded = true;
	return 0;
}

int pm_load_keys(const char *dir, struct pm_load_keys_result *out)
{
	char id[128], desc[160];
	struct dirent *de;
	DIR *d;
	int rc;

	memset(out, 0, sizeof(*out));
	pm_key_possess_user_keyring();
	d = opendir(dir);
	if (!d)
		return -errno;
	rc = load_master(dirfd(d), out);
	if (rc) {
		closedir(d);
		return rc;
	}
	while ((de = readdir(d))) {
		char *blob;
		long len, key;

		if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
			continue;
		if (pm_key_file_id(de->d_name, id, sizeof(id)))
			continue;
		snprintf(desc, sizeof(desc), "nvdimm:%s", id);
		if (pm_key_search("encrypted", desc) > 0)
			continue;
		len = pm_key_read_blob(dirfd(d), de->d_name, "load ", NULL, &blob);
		if (len < 0) {
			out->nr_failed++;
			continue;
		}
		key = pm_key_add("encrypted", desc, blob, len);
		free(blob);
		if (key == -ENODEV) {
			snprintf(out->message, sizeof(out->message),
				 "the kernel has no encrypted keys (CONFIG_ENCRYPTED_KEYS)");
			closedir(d);
			return -EOPNOTSUPP;
		}
		if (key < 0)
			out->nr_failed++;
		else
			out->nr_keys++;
	}
	closedir(d);
	return 0;
}
