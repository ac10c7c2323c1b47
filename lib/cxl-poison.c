// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CXL poison: a memdev's Get Poison List, asked for through sysfs
 * (trigger_poison_list) and answered by the kernel as cxl_poison trace
 * events (kernel 6.8 and later), read here from a tracing instance of our
 * own so that nobody else's tracing is touched.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cxl.h"
#include "host.h"
#include "tracefs.h"

/* A poison list is at most a few hundred records (the device's limit). */
#define MAX_RECORDS 4096

static bool wanted;

void pm_cxl_poison_want(bool want)
{
	wanted = want;
}

bool pm_cxl_poison_wanted(void)
{
	return wanted;
}

bool pm_cxl_poison_parse(const char *line, struct pm_cxl_poison *rec,
			 char *memdev, size_t len)
{
	const char *event = strstr(line, "cxl_poison: ");
	char type[16];

	if (!event)
		return false;
	event += strlen("cxl_poison: ");
	memset(rec, 0, sizeof(*rec));
	/* The kernel's answers to a trigger; inject and clear log too. */
	if (!pm_trace_field(event, "trace_type", type, sizeof(type)) ||
	    strcmp(type, "List") != 0)
		return false;
	if (!pm_trace_field(event, "memdev", memdev, len) || !memdev[0] ||
	    !pm_trace_number(event, "dpa", 0, &rec->dpa) ||
	    !pm_trace_number(event, "dpa_length", 0, &rec->length))
		return false;
	/* Unmapped DPA: an empty region and an all-ones HPA. */
	if (!pm_trace_field(event, "region", rec->region, sizeof(rec->region)))
		rec->region[0] = '\0';
	if (!rec->region[0] || !pm_trace_number(event, "hpa", 0, &rec->hpa))
		rec->hpa = UINT64_MAX;
	if (!pm_trace_field(event, "source", rec->source, sizeof(rec->source)))
		rec->source[0] = '\0';
	return true;
}

static int push(struct pm_cxl_poison_list *list, const struct pm_cxl_poison *rec)
{
	struct pm_cxl_poison *grown;

	if (list->nr >= MAX_RECORDS)
		return 0;
	grown = realloc(list->v, (list->nr + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	list->v = grown;
	list->v[list->nr++] = *rec;
	return 0;
}

static int read_records(const char *trace, const char *dev,
			struct pm_cxl_poison_list *list)
{
	char line[1024], memdev[32];
	struct pm_cxl_poison rec;
	size_t lines = 0;
	int rc = 0;
	FILE *f;

	f = fopen(trace, "re");
	if (!f)
		return -errno;
	while (!rc && lines++ < 4 * MAX_RECORDS && fgets(line, sizeof(line), f))
		if (line[0] != '#' &&
		    pm_cxl_poison_parse(line, &rec, memdev, sizeof(memdev)) &&
		    strcmp(memdev, dev) == 0)
			rc = push(list, &rec);
	fclose(f);
	return rc;
}

static int read_poison(const struct pm_memdev *memdev,
		       struct pm_cxl_poison_list *list)
{
	char trigger[PATH_MAX], inst[PATH_MAX], path[PATH_MAX + 64];
	const char *tracefs = NULL;
	int rc;

	if (pm_host_replay_root())
		return -ENODATA;
	tracefs = pm_tracefs_root();
	snprintf(trigger, sizeof(trigger),
		 "/sys/bus/cxl/devices/%s/trigger_poison_list", memdev->dev);
	if (tracefs) {
		snprintf(path, sizeof(path), "%s/events/cxl/cxl_poison", tracefs);
		if (access(path, F_OK) < 0)
			return -EOPNOTSUPP;
	}
	if (access(trigger, F_OK) < 0)
		/* 6.1 has neither; a later kernel hides it for a device without the command. */
		return tracefs ? -ENOTTY : -EOPNOTSUPP;
	if (!tracefs)
		return -ENOENT;
	if (access(trigger, W_OK) < 0)
		return -errno;

	snprintf(path, sizeof(path), "pmemctl-%d-%s", (int)getpid(), memdev->dev);
	rc = pm_tracefs_instance(tracefs, path, inst, sizeof(inst));
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s/events/cxl/cxl_poison/enable", inst);
	rc = pm_tracefs_write(path, "1");
	/* The kernel reads the list and logs it before the write returns. */
	if (!rc)
		rc = pm_tracefs_write(trigger, "1");
	if (!rc) {
		snprintf(path, sizeof(path), "%s/trace", inst);
		rc = read_records(path, memdev->dev, list);
	}
	rmdir(inst);
	return rc;
}

const struct pm_cxl_poison_list *pm_memdev_poison(struct pm_memdev *memdev)
{
	static struct pm_cxl_poison_list no_memory = { .error = -ENOMEM };
	struct pm_cxl_poison_list *list;

	if (memdev->poison && !memdev->poison->stale)
		return memdev->poison;
	list = calloc(1, sizeof(*list));
	if (!list)
		return &no_memory;
	list->older = memdev->poison;
	list->error = read_poison(memdev, list);
	if (list->error) {
		free(list->v);
		list->v = NULL;
		list->nr = 0;
	}
	memdev->poison = list;
	return list;
}

void pm_cxl_poison_free(struct pm_cxl_poison_list *list)
{
	while (list) {
		struct pm_cxl_poison_list *older = list->older;

		free(list->v);
		free(list);
		list = older;
	}
}

const char *pm_cxl_poison_reason(int error)
{
	switch (error) {
	case 0:
		return NULL;
	case -EOPNOTSUPP:
		return "not supported by this kernel (CXL poison lists need Linux 6.8 or later)";
	case -ENOTTY:
		return "the device does not implement Get Poison List";
	case -ENOENT:
		return "tracefs is not mounted (mount -t tracefs tracefs /sys/kernel/tracing)";
	case -EACCES:
	case -EPERM:
		return "poison needs root: it is read through trigger_poison_list and tracefs";
	case -ENODATA:
		return "a support bundle does not record CXL poison";
	default:
		return strerror(-error);
	}
}

/* ---- inject and clear, through debugfs ----------------------------------- */

int pm_cxl_interleave(uint64_t offset, unsigned int granularity,
		      unsigned int ways, unsigned int *position,
		      uint64_t *dpa_offset)
{
	/* 3, 6 and 12 ways decode by modulo 3 of the upper bits: not here. */
	if (!granularity || !ways || (ways & (ways - 1)) ||
	    (granularity & (granularity - 1)))
		return -EOPNOTSUPP;
	*position = (unsigned int)((offset / granularity) % ways);
	*dpa_offset = offset / ((uint64_t)granularity * ways) * granularity +
		      offset % granularity;
	return 0;
}

int pm_cxl_hpa_to_dpa(const struct pm_cxl_region *cxl, uint64_t hpa,
		      struct pm_memdev **memdev, uint64_t *dpa)
{
	unsigned long long base;
	unsigned int position;
	uint64_t offset;
	char path[128];
	FILE *f;
	int rc;

	if (cxl->resource == UINT64_MAX || hpa < cxl->resource ||
	    hpa - cxl->resource >= cxl->size)
		return -ENXIO;
	rc = pm_cxl_interleave(hpa - cxl->resource, cxl->granularity, cxl->ways,
			       &position, &offset);
	if (rc)
		return rc;
	for (size_t i = 0; i < cxl->nr_targets; i++) {
		const struct pm_cxl_target *t = &cxl->targets[i];

		if (t->position != (int)position || !t->memdev || !t->decoder)
			continue;
		/* The endpoint decoder's first DPA: where the region's share starts. */
		snprintf(path, sizeof(path), "/sys/bus/cxl/devices/%s/dpa_resource",
			 t->decoder);
		f = fopen(path, "re");
		if (!f)
			return -errno;
		rc = fscanf(f, "%llx", &base) == 1 ? 0 : -EIO;
		fclose(f);
		if (rc)
			return rc;
		*memdev = t->memdev;
		*dpa = base + offset;
		return 0;
	}
	return -ENXIO;
}

int pm_cxl_poison_write(const struct pm_memdev *memdev, uint64_t dpa, bool clear)
{
	char path[128], value[32];

	snprintf(path, sizeof(path), "/sys/kernel/debug/cxl/%s/%s", memdev->dev,
		 clear ? "clear_poison" : "inject_poison");
	if (access(path, F_OK) < 0)
		return errno == ENOENT ? -EOPNOTSUPP : -errno;
	snprintf(value, sizeof(value), "%#llx", (unsigned long long)dpa);
	return pm_tracefs_write(path, value);
}

void pm_memdev_poison_forget(struct pm_memdev *memdev)
{
	if (memdev->poison)
		memdev->poison->stale = true;
}
