// SPDX-License-Identifier: GPL-2.0-or-later
/* Label areas read from DIMMs through libndctl, and the platform's for the checks. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int pm_dimm_read_label_area(const struct pm_dimm *dimm, void **buf, size_t *len)
{
	struct ndctl_cmd *cmd, *size_cmd;
	ssize_t size, got;
	void *data;
	int rc;

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
	/*
	 * Not ndctl_dimm_read_label_extent(dimm, 0, 0): that keeps the
	 * command cached in the DIMM for libndctl's label writes (report's
	 * valgrind run counted it); the two commands alone, released here.
	 */
	size_cmd = ndctl_dimm_cmd_new_cfg_size(dimm->nddimm);
	if (!size_cmd)
		return -ENOMEM;
	rc = ndctl_cmd_submit_xlat(size_cmd);
	cmd = rc < 0 ? NULL : ndctl_dimm_cmd_new_cfg_read(size_cmd);
	ndctl_cmd_unref(size_cmd);
	if (!cmd)
		return rc < 0 ? rc : -EIO;
	rc = ndctl_cmd_submit_xlat(cmd);
	if (rc < 0) {
		ndctl_cmd_unref(cmd);
		return rc;
	}
	size = ndctl_cmd_cfg_read_get_size(cmd);
	if (size <= 0) {
		ndctl_cmd_unref(cmd);
		return size < 0 ? (int)size : -ENOTTY;
	}
	data = malloc(size);
	if (!data) {
		ndctl_cmd_unref(cmd);
		return -ENOMEM;
	}
	got = ndctl_cmd_cfg_read_get_data(cmd, data, size, 0);
	ndctl_cmd_unref(cmd);
	if (got != size) {
		free(data);
		return got < 0 ? (int)got : -EIO;
	}
	*buf = data;
	*len = size;
	return 0;
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
