// SPDX-License-Identifier: GPL-2.0-or-later
/* Label areas read from DIMMs (their ioctls), and the platform's for the checks. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <linux/ndctl.h>
#include <ndctl/libndctl.h>

#include "host.h"
#include "labels.h"
#include "pmem.h"
#include "sysfs.h"

static int replay_label_area(const struct pm_dimm *dimm, void **buf, size_t *len)
{
	char path[PATH_MAX];
	size_t got;
	void *data;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", pm_host_replay_root(),
		 PM_REPORT_LABELS_DIR, dimm->dev);
	f = pm_bundle_fopen(path, PM_HOST_RECORD_CAP);
	if (!f)
		return -EOPNOTSUPP;
	data = malloc(PM_HOST_RECORD_CAP);
	if (!data) {
		fclose(f);
		return -ENOMEM;
	}
	got = fread(data, 1, PM_HOST_RECORD_CAP, f);
	fclose(f);
	if (!got) {
		free(data);
		return -EOPNOTSUPP;
	}
	*buf = data;
	*len = got;
	return 0;
}

/*
 * The area through the DIMM's own ioctls on /dev/nmemN, as libndctl sends
 * them, in pieces of max_xfer. Not libndctl's commands: a get-config-data
 * command never frees its transfer buffer (ndctl_cmd_unref() frees it only
 * for a command without a source, and this one always has its size
 * command as source: config_size bytes lost per DIMM, which report's
 * valgrind run counts), and ndctl_dimm_read_label_extent() keeps one
 * cached in the DIMM for good.
 */
static int read_area(const char *dev, void **buf, size_t *len)
{
	struct nd_cmd_get_config_size size = { 0 };
	struct nd_cmd_get_config_data_hdr *piece = NULL;
	uint8_t *data = NULL;
	char path[PATH_MAX];
	uint32_t off, n;
	int fd, rc = 0;

	snprintf(path, sizeof(path), "/dev/%s", dev);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, ND_IOCTL_GET_CONFIG_SIZE, &size) < 0) {
		rc = -errno;
		goto out;
	}
	if (size.status) {
		rc = -EIO;
		goto out;
	}
	if (!size.config_size || !size.max_xfer) {
		rc = -ENOTTY;
		goto out;
	}
	data = malloc(size.config_size);
	/*
	 * Zeroed: the ioctl's encoded size is the header's alone, so
	 * valgrind cannot know that the kernel fills out_buf.
	 */
	piece = calloc(1, sizeof(*piece) + size.max_xfer);
	if (!data || !piece) {
		rc = -ENOMEM;
		goto out;
	}
	for (off = 0; off < size.config_size; off += n) {
		n = size.config_size - off < size.max_xfer ?
		    size.config_size - off : size.max_xfer;
		piece->in_offset = off;
		piece->in_length = n;
		piece->status = 0;
		if (ioctl(fd, ND_IOCTL_GET_CONFIG_DATA, piece) < 0) {
			rc = -errno;
			goto out;
		}
		if (piece->status) {
			rc = -EIO;
			goto out;
		}
		memcpy(data + off, piece->out_buf, n);
	}
	*buf = data;
	*len = size.config_size;
	data = NULL;
out:
	free(piece);
	free(data);
	close(fd);
	return rc;
}

int pm_dimm_read_label_area(const struct pm_dimm *dimm, void **buf, size_t *len)
{
	*buf = NULL;
	*len = 0;
	/* A replay has no DIMM to ask: what the report recorded. */
	if (pm_host_replay_root())
		return replay_label_area(dimm, buf, len);
	if (!dimm->nddimm)
		return -EOPNOTSUPP;
	if (!ndctl_dimm_is_cmd_supported(dimm->nddimm, ND_CMD_GET_CONFIG_SIZE) ||
	    !ndctl_dimm_is_cmd_supported(dimm->nddimm, ND_CMD_GET_CONFIG_DATA))
		return -ENOTTY;
	/* The commands go through /dev/nmemN, root's alone. */
	if (geteuid() != 0)
		return -EACCES;
	return read_area(dimm->dev, buf, len);
}

int pm_region_set_cookie(const char *region, uint64_t *cookie)
{
	char text[32], *end;
	int rc;

	rc = sysfs_read_string(text, sizeof(text), "/sys/bus/nd/devices/%s/set_cookie",
			       region);
	if (rc < 0)
		return rc;
	errno = 0;
	*cookie = strtoull(text, &end, 0);
	if (errno || end == text)
		return -ENXIO;
	return 0;
}

void pm_label_set_release(struct pm_label_set *set)
{
	for (size_t i = 0; i < set->nr; i++) {
		pm_labels_release(&set->areas[i]);
		free(set->bufs[i]);
		free((void *)set->facts[i].cookies);
	}
	free(set->facts);
	free(set->areas);
	free(set->bufs);
	free(set->lens);
	free(set->dimms);
	memset(set, 0, sizeof(*set));
}

/* The cookies of the regions with a mapping on dimm; false when one is unknown. */
static bool dimm_cookies(const struct pm_platform *pf, const struct pm_dimm *dimm,
			 struct pm_label_facts *f)
{
	uint64_t *cookies = calloc(pf->nr_regions + 1, sizeof(*cookies));
	bool known = true;

	f->cookies = cookies;
	if (!cookies)
		return false;
	/* In a replay, set_cookie is what the kernel said when captured. */
	for (size_t r = 0; r < pf->nr_regions; r++) {
		const struct pm_region *region = pf->regions[r];
		bool on = false;

		for (size_t m = 0; m < region->nr_mappings; m++)
			on |= region->mappings[m].dimm == dimm;
		if (!on || !pm_region_is_pmem(region))
			continue;
		/*
		 * set_cookie shows the cookie of the label version of the
		 * first DIMM's area only while that DIMM is enabled; else
		 * the v1.1 cookie, whatever the labels are (6.1
		 * region_devs.c set_cookie_show()).
		 */
		if (!region->nr_mappings || !region->mappings[0].dimm->enabled) {
			known = false;
			continue;
		}
		if (pm_region_set_cookie(region->dev, &cookies[f->nr_cookies]) == 0)
			f->nr_cookies++;
		else
			known = false;
	}
	return known;
}

int pm_label_set_read(const struct pm_platform *pf, struct pm_label_set *set)
{
	memset(set, 0, sizeof(*set));
	set->facts = calloc(pf->nr_dimms + 1, sizeof(*set->facts));
	set->areas = calloc(pf->nr_dimms + 1, sizeof(*set->areas));
	set->bufs = calloc(pf->nr_dimms + 1, sizeof(*set->bufs));
	set->lens = calloc(pf->nr_dimms + 1, sizeof(*set->lens));
	set->dimms = calloc(pf->nr_dimms + 1, sizeof(*set->dimms));
	if (!set->facts || !set->areas || !set->bufs || !set->lens || !set->dimms) {
		pm_label_set_release(set);
		return -ENOMEM;
	}
	for (size_t i = 0; i < pf->nr_dimms; i++) {
		const struct pm_dimm *dimm = pf->dimms[i];
		struct pm_label_facts *f = &set->facts[set->nr];
		int rc;

		f->dimm = dimm->dev;
		set->dimms[set->nr] = dimm;
		rc = pm_dimm_read_label_area(dimm, &set->bufs[set->nr],
					     &set->lens[set->nr]);
		if (rc == 0)
			rc = pm_labels_decode(set->bufs[set->nr], set->lens[set->nr],
					      &set->areas[set->nr]);
		if (rc == -ENOMEM) {
			set->nr++;
			pm_label_set_release(set);
			return rc;
		}
		f->read_err = rc;
		f->area = rc == 0 ? &set->areas[set->nr] : NULL;
		f->cookies_known = dimm_cookies(pf, dimm, f);
		set->nr++;
	}
	return 0;
}
