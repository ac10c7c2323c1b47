// SPDX-License-Identifier: GPL-2.0-or-later
/* Drills: media errors and SMART health injected through the platform. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ndctl/libndctl.h>

#include "badblocks.h"
#include "clear.h"
#include "change.h"
#include "cxl.h"
#include "damage.h"
#include "holders.h"
#include "inject.h"
#include "pmem.h"

#define SECTOR 512ULL

/* ---- inject-error ------------------------------------------------------ */

static int add_range(struct pm_change_result *res, const char *ns,
		     uint64_t sector, uint64_t count)
{
	struct pm_clear_range *v;

	v = realloc(res->ranges, (res->nr_ranges + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	res->ranges = v;
	v[res->nr_ranges++] = (struct pm_clear_range){
		.offset = sector, .length = count, .injected = true,
	};
	snprintf(v[res->nr_ranges - 1].ns, sizeof(v->ns), "%s", ns);
	return 0;
}

/*
 * The ranges the platform has injected into ns, as libndctl reads them
 * (blocks from the data start). libndctl keeps them on the namespace
 * object and only ever adds: read once per snapshot.
 */
static int read_status(struct ndctl_namespace *ndns, const char *dev,
		       struct pm_change_result *res)
{
	struct ndctl_bb *bb;
	int rc;

	rc = ndctl_namespace_injection_status(ndns);
	if (rc < 0)
		return rc;
	ndctl_namespace_bb_foreach(ndns, bb) {
		rc = add_range(res, dev, ndctl_bb_get_block(bb), ndctl_bb_get_count(bb));
		if (rc)
			return rc;
	}
	return 0;
}

/* Whether the platform's ranges (from res->ranges[first]) cover [sector, +count). */
static bool covered(const struct pm_change_result *res, size_t first,
		    uint64_t sector, uint64_t count)
{
	for (uint64_t s = sector; s < sector + count; s++) {
		bool in = false;

		for (size_t i = first; i < res->nr_ranges && !in; i++)
			in = s >= res->ranges[i].offset &&
			     s - res->ranges[i].offset < res->ranges[i].length;
		if (!in)
			return false;
	}
	return true;
}

/* --file: the sector under the file's byte, in req's place. */
static int file_sector(const struct pm_namespace *ns,
		       const struct pm_inject_request *req,
		       struct pm_change_result *res, struct pm_step *check,
		       uint64_t *offset)
{
	bool unwritten = false;
	uint64_t at;
	int rc;

	rc = pm_file_byte_on_device(ns, req->file, req->file_offset, &at, &unwritten);
	switch (rc) {
	case 0:
		break;
	case -EXDEV:
		return pm_step_refuse(res, check, -EINVAL, "%s is not on %s's block device /dev/%s",
				      req->file, ns->dev, ns->blockdev ? ns->blockdev : "(none)");
	case -EINVAL:
		return pm_step_refuse(res, check, -EINVAL, "byte %llu is past the end of %s, or it is not a regular file",
				      (unsigned long long)req->file_offset, req->file);
	case -ENODATA:
		return pm_step_refuse(res, check, -EINVAL, "no media under byte %llu of %s (a hole, or data not yet placed): write the file first",
				      (unsigned long long)req->file_offset, req->file);
	default:
		return pm_step_refuse(res, check, rc, "cannot map %s: %s", req->file, strerror(-rc));
	}
	*offset = at & ~(SECTOR - 1);
	snprintf(check->detail, sizeof(check->detail),
		 "byte %llu of %s is byte %llu of /dev/%s%s",
		 (unsigned long long)req->file_offset, req->file,
		 (unsigned long long)at, ns->blockdev,
		 unwritten ? " (preallocated: reads return zeros until it is written)" : "");
	return 0;
}

/* The checks every request passes: injection here, the namespace, the range. */
static int check_error(struct pm_platform *pf, struct pm_namespace *ns,
		       const struct pm_inject_request *req,
		       struct pm_change_result *res, struct pm_step *check,
		       uint64_t *offset, uint64_t *length)
{
	struct pm_bus *bus = ns->region->bus;
	char why[256];
	int rc;

	(void)pf;
	/* CXL: poison through the memdevs' debugfs files (inject_cxl()). */
	if (!ns->region->cxl && (!bus || !ndctl_bus_has_error_injection(bus->ndbus)))
		return pm_step_refuse(res, check, -EOPNOTSUPP,
				      "no error injection on %s (%s): the platform firmware offers no ACPI error injection commands (ARS error inject)",
				      bus ? bus->dev : ns->region->dev, bus ? bus->provider : "no bus");
	if (ns->region->cxl && !req->status) {
		const char *file = req->uninject ? "clear_poison" : "inject_poison";

		for (size_t t = 0; t < ns->region->cxl->nr_targets; t++) {
			const struct pm_memdev *m = ns->region->cxl->targets[t].memdev;
			char path[128];

			if (!m)
				continue;
			snprintf(path, sizeof(path), "/sys/kernel/debug/cxl/%s/%s", m->dev, file);
			if (access(path, F_OK) < 0)
				return pm_step_refuse(res, check, -EOPNOTSUPP,
						      "no CXL poison injection for %s: no %s in debugfs (debugfs not mounted, or not supported by this kernel or device)",
						      m->dev, file);
		}
	}
	if (!ns->active)
		return pm_step_refuse(res, check, -EOPNOTSUPP,
				      "disabled: where its data starts is known only while it is enabled");
	if (ns->mode == PM_MODE_SECTOR)
		return pm_step_refuse(res, check, -EOPNOTSUPP,
				      "a sector namespace: BTT remaps its blocks, so no sector of it lies at a known address");
	*offset = req->offset;
	*length = req->length;
	if (req->file) {
		rc = file_sector(ns, req, res, check, offset);
		if (rc)
			return rc;
		*length = SECTOR;
	}
	if (req->status)
		return 0;
	if (*offset % SECTOR || *length % SECTOR || !*length)
		return pm_step_refuse(res, check, -EINVAL, "offset and count must be multiples of 512 bytes, count at least 512");
	if (*offset >= ns->size || *length > ns->size - *offset)
		return pm_step_refuse(res, check, -EINVAL, "bytes %llu-%llu lie past the end of %s (%llu bytes of data)",
				      (unsigned long long)*offset,
				      (unsigned long long)(*offset + *length - 1), ns->dev,
				      (unsigned long long)ns->size);
	/*
	 * Poison under live data: a drill aims it. A file names what it
	 * hits; raw bytes of a namespace in use hit whatever is there.
	 */
	if (!req->uninject && !req->file && !req->force &&
	    pm_namespace_in_use(pf, ns, why, sizeof(why)) == -EBUSY)
		return pm_step_refuse(res, check, -EBUSY,
				      "in use: %s; its data there becomes unreadable: --force injects anyway, or --file names the file to hit",
				      why);
	return 0;
}

/* Where ns's data (its block device's sector 0) starts: a host address. */
static uint64_t data_start(struct ndctl_namespace *ndns)
{
	struct ndctl_pfn *pfn = ndctl_namespace_get_pfn(ndns);
	struct ndctl_dax *dax = ndctl_namespace_get_dax(ndns);

	if (pfn)
		return ndctl_pfn_get_resource(pfn);
	if (dax)
		return ndctl_dax_get_resource(dax);
	return ndctl_namespace_get_resource(ndns);
}

/* The memdev and DPA under sector of ns, whose data starts at start. */
/* The message of an injection, on the NVDIMM or the CXL path alike. */
static void say_injected(const struct pm_inject_request *req, struct pm_change_result *res,
			 uint64_t sector, uint64_t count)
{
	snprintf(res->message, sizeof(res->message), "%s %llu sector(s) at sector %llu%s%s",
		 req->dry_run ? (req->uninject ? "would uninject" : "would inject") :
			        (req->uninject ? "uninjected" : "injected"),
		 (unsigned long long)count, (unsigned long long)sector,
		 req->file ? " under " : "", req->file ? req->file : "");
}

static int sector_dpa(const struct pm_namespace *ns, uint64_t start,
		      uint64_t sector, struct pm_memdev **memdev, uint64_t *dpa)
{
	return pm_cxl_hpa_to_dpa(ns->region->cxl, start + sector * SECTOR, memdev, dpa);
}

/*
 * A CXL region's namespace: each sector's first 64-byte line poisoned (or
 * cleared) at the DPA the region's interleave puts it, through debugfs;
 * the poison list, read again, verifies it. The injected ranges are the
 * poison the namespace's bad ranges hold.
 */
static int inject_cxl(struct pm_namespace *ns, struct ndctl_namespace *ndns,
		      const struct pm_inject_request *req,
		      struct pm_change_result *res, uint64_t offset, uint64_t length)
{
	const char *verb = req->uninject ? "uninject" : "inject";
	uint64_t start = data_start(ndns), sector = offset / SECTOR;
	uint64_t count = length / SECTOR, first_dpa = 0;
	struct pm_memdev *first = NULL;
	struct pm_step *s;
	int rc = 0;

	if (req->status) {
		const struct pm_badblocks *bbs = pm_namespace_badblocks(ns);

		res->noop = true;
		for (size_t i = 0; !rc && i < bbs->nr; i++)
			if (bbs->v[i].poison)
				rc = add_range(res, ns->dev, bbs->v[i].offset, bbs->v[i].length);
		if (!rc && bbs->poison_error)
			rc = bbs->poison_error;
		if (rc) {
			snprintf(res->message, sizeof(res->message),
				 "cannot read the poison lists: %s", pm_cxl_poison_reason(rc));
			return res->err = rc;
		}
		snprintf(res->message, sizeof(res->message), "%zu poisoned range(s)",
			 res->nr_ranges);
		return 0;
	}
	rc = start == UINT64_MAX ? -EACCES : sector_dpa(ns, start, sector, &first, &first_dpa);
	if (rc) {
		snprintf(res->message, sizeof(res->message),
			 "cannot place sector %llu of %s on a memdev: %s",
			 (unsigned long long)sector, ns->dev,
			 rc == -EACCES ? "its address is root's" : strerror(-rc));
		return res->err = rc;
	}
	rc = add_range(res, ns->dev, sector, count);
	if (rc)
		return res->err = rc;
	s = pm_step_add(res, PM_ACT_INJECT, verb,
			"%s CXL poison at the first 64 bytes of sectors %llu-%llu of %s (from %s DPA %#llx)%s",
			req->uninject ? "clear" : "inject", (unsigned long long)sector,
			(unsigned long long)(sector + count - 1), ns->dev, first->dev,
			(unsigned long long)first_dpa,
			req->uninject ? ": the cleared bytes read as zeros" : "");
	if (!req->uninject)
		pm_step_add(res, PM_ACT_VERIFY, "verify",
			    "the memdevs' poison lists hold the lines");
	say_injected(req, res, sector, count);
	if (req->dry_run)
		return 0;
	for (uint64_t i = 0; !rc && i < count; i++) {
		struct pm_memdev *memdev;
		uint64_t dpa;

		rc = sector_dpa(ns, start, sector + i, &memdev, &dpa);
		if (!rc)
			rc = pm_cxl_poison_write(memdev, dpa, req->uninject);
		if (!rc)
			res->changed = true;
	}
	if (pm_step_close(s, rc)) {
		res->nr_steps = 2;
		snprintf(res->message, sizeof(res->message), "the device refused to %s CXL poison at sector %llu: %s",
			 verb, (unsigned long long)sector,
			 rc == -EOPNOTSUPP ? "no inject_poison or clear_poison in debugfs (not mounted, or not supported by this kernel)" :
			 strerror(-rc));
		return res->err = rc;
	}
	if (req->uninject)
		return 0;
	for (size_t t = 0; t < ns->region->cxl->nr_targets; t++)
		if (ns->region->cxl->targets[t].memdev)
			pm_memdev_poison_forget(ns->region->cxl->targets[t].memdev);
	for (uint64_t i = 0; !rc && i < count; i++) {
		const struct pm_cxl_poison_list *pl;
		struct pm_memdev *memdev;
		uint64_t dpa;
		bool listed = false;

		rc = sector_dpa(ns, start, sector + i, &memdev, &dpa);
		if (rc)
			break;
		pl = pm_memdev_poison(memdev);
		rc = pl->error;
		for (size_t k = 0; !rc && k < pl->nr && !listed; k++)
			listed = dpa >= pl->v[k].dpa && dpa - pl->v[k].dpa < pl->v[k].length;
		if (!rc && !listed)
			rc = -EIO;
	}
	if (pm_step_close(&res->steps[2], rc)) {
		snprintf(res->message, sizeof(res->message),
			 "injected, but the poison lists do not hold sectors %llu-%llu: %s",
			 (unsigned long long)sector, (unsigned long long)(sector + count - 1),
			 rc == -EIO ? "not listed" : pm_cxl_poison_reason(rc));
		return res->err = rc;
	}
	return 0;
}

int pm_inject_error(struct pm_platform *pf, struct pm_namespace *ns,
		    const struct pm_inject_request *req,
		    struct pm_change_result *res)
{
	struct ndctl_namespace *ndns = pm_namespace_ndns(ns);
	const char *verb = req->uninject ? "uninject" : "inject";
	uint64_t offset = 0, length = 0, sector, count;
	struct pm_step *check, *s;
	unsigned int flags = 0;
	int rc;

	free(res->ranges);
	memset(res, 0, sizeof(*res));
	res->no_config = true;
	check = pm_step_add(res, PM_ACT_CHECK, "check",
			    "%s's bus injects errors, and the range lies in it", ns->dev);
	rc = check_error(pf, ns, req, res, check, &offset, &length);
	if (rc)
		return rc;
	if (!ndns)
		return pm_step_refuse(res, check, -ENODEV, "libndctl does not know %s", ns->dev);
	pm_step_close(check, 0);
	if (ns->region->cxl)
		return inject_cxl(ns, ndns, req, res, offset, length);
	if (req->status) {
		res->noop = true;
		rc = read_status(ndns, ns->dev, res);
		if (rc) {
			res->err = rc;
			snprintf(res->message, sizeof(res->message),
				 rc == -EACCES || rc == -EPERM ?
				 "reading the injected ranges needs root" :
				 "cannot read the injected ranges: %s", strerror(-rc));
			return rc;
		}
		snprintf(res->message, sizeof(res->message), "%zu injected range(s)",
			 res->nr_ranges);
		return 0;
	}
	sector = offset / SECTOR;
	count = length / SECTOR;
	rc = add_range(res, ns->dev, sector, count);
	if (rc)
		return res->err = rc;
	s = pm_step_add(res, PM_ACT_INJECT, verb, "%s sectors %llu-%llu of %s (bytes %llu-%llu)%s",
			verb, (unsigned long long)sector,
			(unsigned long long)(sector + count - 1), ns->dev,
			(unsigned long long)offset, (unsigned long long)(offset + length - 1),
			req->uninject ? "; what a scrub found stays listed until cleared" : "");
	if (!req->uninject)
		pm_step_add(res, PM_ACT_VERIFY, "verify",
			    "the platform lists the sectors as injected");
	say_injected(req, res, sector, count);
	if (req->dry_run)
		return 0;
	if (req->notify)
		flags |= 1 << NDCTL_NS_INJECT_NOTIFY;
	rc = req->uninject ? ndctl_namespace_uninject_error2(ndns, sector, count, flags) :
			     ndctl_namespace_inject_error2(ndns, sector, count, flags);
	res->changed = rc == 0;
	if (pm_step_close(s, rc)) {
		res->nr_steps = 2;		/* verify never ran */
		snprintf(res->message, sizeof(res->message), "the platform refused to %s sectors %llu-%llu: %s",
			 verb, (unsigned long long)sector,
			 (unsigned long long)(sector + count - 1), strerror(-rc));
		return res->err = rc;
	}
	if (req->uninject)
		return 0;
	/* The range asked stays first; the platform's list follows. */
	rc = read_status(ndns, ns->dev, res);
	if (!rc && !covered(res, 1, sector, count))
		rc = -EIO;
	res->nr_ranges = 1;
	if (pm_step_close(&res->steps[2], rc)) {
		snprintf(res->message, sizeof(res->message),
			 "injected, but the platform does not list sectors %llu-%llu as injected",
			 (unsigned long long)sector, (unsigned long long)(sector + count - 1));
		return res->err = rc;
	}
	return 0;
}

/* ---- inject-smart ------------------------------------------------------- */

/* One row per field: its name and the support bit libndctl reports. */
static const struct {
	const char *name;
	unsigned int supported;		/* ND_SMART_INJECT_* */
} smart_fields[PM_SMART_NR_FIELDS] = {
	[PM_SMART_MEDIA_TEMPERATURE] = { "media-temperature", ND_SMART_INJECT_MEDIA_TEMPERATURE },
	[PM_SMART_CTRL_TEMPERATURE] = { "ctrl-temperature", ND_SMART_INJECT_CTRL_TEMPERATURE },
	[PM_SMART_SPARES] = { "spares", ND_SMART_INJECT_SPARES_REMAINING },
	[PM_SMART_FATAL] = { "fatal", ND_SMART_INJECT_HEALTH_STATE },
	[PM_SMART_UNSAFE_SHUTDOWN] = { "unsafe-shutdown", ND_SMART_INJECT_UNCLEAN_SHUTDOWN },
};

const char *pm_smart_field_name(enum pm_smart_field f)
{
	return f < PM_SMART_NR_FIELDS ? smart_fields[f].name : "?";
}

/* Why a DIMM cannot inject, from ndctl_dimm_smart_inject_supported(). */
static const char *smart_why(int rc)
{
	switch (rc) {
	case -ENOTTY:
		return "its command family has no SMART injection";
	case -EOPNOTSUPP:
		return "the kernel does not pass SMART injection to it";
	default:
		return "the platform firmware offers no SMART injection command";
	}
}

/*
 * A temperature in the SMART format: 1/16 C, bit 15 the sign. libndctl's
 * ndctl_encode_smart_temperature() (v76-v78) drops the fraction first, so
 * 65.5 C would be sent as 65 C.
 */
static unsigned int encode_temperature(double celsius)
{
	/* Rounded half up, as lround() would: no libm for one call. */
	long t = (long)(fabs(celsius) * 16 + 0.5);

	if (t > 0x7fff)
		t = 0x7fff;
	return (unsigned int)t | (celsius < 0 ? 1u << 15 : 0);
}

/* What the DIMM will report for celsius: the value in 1/16 C. */
static double sent_temperature(double celsius)
{
	return ndctl_decode_smart_temperature(encode_temperature(celsius));
}

/* Sets field f on cmd: the value, or enable false to uninject. */
static int smart_set(struct ndctl_cmd *cmd, enum pm_smart_field f, bool enable,
		     const struct pm_smart_request *req)
{
	switch (f) {
	case PM_SMART_MEDIA_TEMPERATURE:
		return ndctl_cmd_smart_inject_media_temperature(cmd, enable,
			encode_temperature(req->media_temperature));
	case PM_SMART_CTRL_TEMPERATURE:
		return ndctl_cmd_smart_inject_ctrl_temperature(cmd, enable,
			encode_temperature(req->ctrl_temperature));
	case PM_SMART_SPARES:
		return ndctl_cmd_smart_inject_spares(cmd, enable, req->spares);
	case PM_SMART_FATAL:
		return ndctl_cmd_smart_inject_fatal(cmd, enable);
	case PM_SMART_UNSAFE_SHUTDOWN:
		return ndctl_cmd_smart_inject_unsafe_shutdown(cmd, enable);
	default:
		return -EINVAL;
	}
}

static int smart_send(struct ndctl_dimm *dimm, enum pm_smart_field f,
		      bool enable, const struct pm_smart_request *req)
{
	struct ndctl_cmd *cmd = ndctl_dimm_cmd_new_smart_inject(dimm);
	int rc;

	if (!cmd)
		return -ENOMEM;
	rc = smart_set(cmd, f, enable, req);
	if (!rc)
		rc = ndctl_cmd_submit_xlat(cmd);
	ndctl_cmd_unref(cmd);
	return rc < 0 ? rc : 0;
}

static void smart_detail(enum pm_smart_field f, bool enable,
			 const struct pm_smart_request *req, char *buf, size_t len)
{
	if (!enable)
		snprintf(buf, len, "uninject %s: the DIMM reports its own value again",
			 smart_fields[f].name);
	else if (f == PM_SMART_MEDIA_TEMPERATURE || f == PM_SMART_CTRL_TEMPERATURE)
		snprintf(buf, len, "%s %.4g C", smart_fields[f].name,
			 sent_temperature(f == PM_SMART_MEDIA_TEMPERATURE ?
					  req->media_temperature : req->ctrl_temperature));
	else if (f == PM_SMART_SPARES)
		snprintf(buf, len, "spares %u%%", req->spares);
	else if (f == PM_SMART_FATAL)
		snprintf(buf, len, "health state fatal");
	else
		snprintf(buf, len, "unsafe shutdown: the shutdown count rises");
}

/*
 * What the DIMM reports now differs from an injected value: a platform
 * may accept a field it does not emulate (nfit_test takes a controller
 * temperature and keeps its own). 0, -EIO with why, or the read's -errno.
 */
static int smart_verify(struct ndctl_dimm *dimm, const struct pm_smart_request *req,
			char *why, size_t len)
{
	struct ndctl_cmd *cmd = ndctl_dimm_cmd_new_smart(dimm);
	unsigned int flags;
	double t;
	int rc;

	if (!cmd)
		return -ENOMEM;
	rc = ndctl_cmd_submit_xlat(cmd);
	if (rc < 0)
		goto out;
	rc = 0;
	flags = ndctl_cmd_smart_get_flags(cmd);
	t = ndctl_decode_smart_temperature(ndctl_cmd_smart_get_media_temperature(cmd));
	if ((req->inject & (1u << PM_SMART_MEDIA_TEMPERATURE)) &&
	    (!(flags & ND_SMART_MTEMP_VALID) || t != sent_temperature(req->media_temperature))) {
		snprintf(why, len, "a media temperature of %.4g C", t);
		rc = -EIO;
	}
	t = ndctl_decode_smart_temperature(ndctl_cmd_smart_get_ctrl_temperature(cmd));
	if ((req->inject & (1u << PM_SMART_CTRL_TEMPERATURE)) &&
	    (!(flags & ND_SMART_CTEMP_VALID) || t != sent_temperature(req->ctrl_temperature))) {
		snprintf(why, len, "a controller temperature of %.4g C", t);
		rc = -EIO;
	}
	if ((req->inject & (1u << PM_SMART_SPARES)) &&
	    (!(flags & ND_SMART_SPARES_VALID) || ndctl_cmd_smart_get_spares(cmd) != req->spares)) {
		snprintf(why, len, "%u%% spares", ndctl_cmd_smart_get_spares(cmd));
		rc = -EIO;
	}
	if ((req->inject & (1u << PM_SMART_FATAL)) &&
	    !(ndctl_cmd_smart_get_health(cmd) & ND_SMART_FATAL_HEALTH)) {
		snprintf(why, len, "a health state that is not fatal");
		rc = -EIO;
	}
out:
	ndctl_cmd_unref(cmd);
	return rc;
}

/*
 * The fields the DIMM says it injects and libndctl can build a command
 * for: libndctl reports a controller temperature for the Intel family but
 * has no setter for it (-ENXIO).
 */
static unsigned int smart_can(struct ndctl_dimm *dimm, int supported)
{
	const struct pm_smart_request probe = { 0 };
	unsigned int can = 0;

	for (int f = 0; f < PM_SMART_NR_FIELDS; f++) {
		struct ndctl_cmd *cmd;

		if (!(supported & smart_fields[f].supported))
			continue;
		cmd = ndctl_dimm_cmd_new_smart_inject(dimm);
		if (!cmd)
			break;
		if (smart_set(cmd, f, false, &probe) == 0)
			can |= 1u << f;
		ndctl_cmd_unref(cmd);
	}
	return can;
}

int pm_inject_smart(struct pm_dimm *dimm, const struct pm_smart_request *asked_req,
		    struct pm_change_result *res)
{
	struct pm_smart_request copy = *asked_req, *req = &copy;
	unsigned int asked = req->inject | req->uninject, can;
	struct pm_step *check, *verify = NULL;
	size_t first;
	int supported, rc = 0;

	free(res->ranges);
	memset(res, 0, sizeof(*res));
	res->no_config = true;
	snprintf(res->dimm, sizeof(res->dimm), "%s", dimm->dev);
	check = pm_step_add(res, PM_ACT_CHECK, "check",
			    "%s injects the SMART fields asked", dimm->dev);
	supported = dimm->nddimm ? ndctl_dimm_smart_inject_supported(dimm->nddimm) : -ENOTTY;
	if (supported < 0)
		return pm_step_refuse(res, check, -EOPNOTSUPP, "no SMART injection on %s (%s): %s",
				      dimm->dev, dimm->bus ? dimm->bus->provider : "no bus",
				      smart_why(supported));
	can = smart_can(dimm->nddimm, supported);
	if (req->all) {
		req->uninject = can;
		asked = can;
	}
	for (int f = 0; f < PM_SMART_NR_FIELDS; f++)
		if ((asked & (1u << f)) && !(can & (1u << f)))
			return pm_step_refuse(res, check, -EOPNOTSUPP, "%s (%s) cannot inject %s",
					      dimm->dev, dimm->bus ? dimm->bus->provider : "no bus",
					      smart_fields[f].name);
	pm_step_close(check, 0);
	first = res->nr_steps;
	for (int f = 0; f < PM_SMART_NR_FIELDS; f++) {
		char detail[128];

		if (!(asked & (1u << f)))
			continue;
		smart_detail(f, req->inject & (1u << f), req, detail, sizeof(detail));
		pm_step_add(res, PM_ACT_INJECT, req->inject & (1u << f) ? "inject" : "uninject",
			    "%s", detail);
	}
	for (int f = 0, n = 0; f < PM_SMART_NR_FIELDS; f++) {
		size_t len = strlen(res->message);

		if (!(asked & (1u << f)))
			continue;
		snprintf(res->message + len, sizeof(res->message) - len, "%s%s%s %s",
			 n++ ? ", " : "", req->dry_run ? "would " : "",
			 req->inject & (1u << f) ? (req->dry_run ? "inject" : "injected") :
						   (req->dry_run ? "uninject" : "uninjected"),
			 smart_fields[f].name);
	}
	/* Uninjected, a field is whatever the DIMM says: nothing to compare. */
	if (req->inject & ~(1u << PM_SMART_UNSAFE_SHUTDOWN))
		verify = pm_step_add(res, PM_ACT_VERIFY, "verify",
				     "the DIMM reports the injected values");
	if (req->dry_run)
		return 0;
	for (size_t i = first, f = 0; f < PM_SMART_NR_FIELDS && !rc; f++) {
		if (!(asked & (1u << f)))
			continue;
		rc = pm_step_close(&res->steps[i++],
				   smart_send(dimm->nddimm, f, req->inject & (1u << f), req));
		res->changed |= !rc;
		if (rc)
			snprintf(res->message, sizeof(res->message), "%s: the DIMM refused %s: %s",
				 dimm->dev, smart_fields[f].name, strerror(-rc));
	}
	if (rc) {
		/* The steps never reached are not reported. */
		while (res->nr_steps && res->steps[res->nr_steps - 1].status == PM_STEP_PLANNED)
			res->nr_steps--;
		return res->err = rc;
	}
	if (verify) {
		char why[128] = "";

		rc = pm_step_close(verify, smart_verify(dimm->nddimm, req, why, sizeof(why)));
		if (rc) {
			snprintf(verify->detail, sizeof(verify->detail), "it still reports %s",
				 why[0] ? why : "nothing: SMART cannot be read");
			snprintf(res->message, sizeof(res->message),
				 "the DIMM accepted the injection, but it still reports %s",
				 why[0] ? why : "nothing: SMART cannot be read back");
		}
	}
	return res->err = rc;
}
