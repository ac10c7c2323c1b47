// SPDX-License-Identifier: GPL-2.0-or-later
/* Doctor's findings about the data itself: media errors and what they hit, DIMM health. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ndctl/libndctl.h>

#include "badblocks.h"
#include "damage.h"
#include "doctor.h"
#include "health.h"
#include "host.h"

/* Past this many, the rest of a namespace's media errors share one finding. */
#define MAX_MEDIA_FINDINGS 48

/* Appends to buf; false once it no longer fits (the text is cut there). */
static bool append(char *buf, size_t len, size_t *used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static bool append(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*used >= len)
		return false;
	va_start(ap, fmt);
	n = vsnprintf(buf + *used, len - *used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *used) {
		buf[*used] = 0;
		return false;
	}
	*used += n;
	return true;
}

static void where(const struct pm_namespace *ns, const struct pm_damage *dmg,
		  const struct pm_damage_range *r, char *buf, size_t len)
{
	unsigned long long first = r->offset, last = r->offset + r->length - 1;
	const char *dev = dmg->device ? dmg->device : ns->dev;

	if (dmg->chardev)
		snprintf(buf, len, "bytes %llu-%llu of /dev/%s", first, last, dev);
	else
		snprintf(buf, len, "sectors %llu-%llu of /dev/%s (bytes %llu-%llu)",
			 first >> 9, last >> 9, dev, first, last);
}

/* Why no file can be named, when none was. */
static const char *no_files(const struct pm_namespace *ns,
			    const struct pm_damage *dmg)
{
	if (dmg->walked && dmg->complete)
		return "not in any file (free space or filesystem metadata)";
	if (dmg->walked && dmg->stopped)
		return "in no file pmemctl mapped before its walk stopped";
	if (dmg->walked)
		return "in no file pmemctl could map (some could not be read: run as root)";
	if (dmg->chardev)
		return "whatever the application using the device keeps there is lost";
	if (dmg->mount && pm_host_replay_root())
		return "a filesystem was mounted on it, whose files a replayed bundle cannot map";
	if (ns->mode == PM_MODE_FSDAX || ns->mode == PM_MODE_RAW)
		return "no filesystem on it is mounted: no file can be named";
	return "under the BTT: no file can be named";
}

static void media_finding(struct pm_diagnosis *d, const struct pm_namespace *ns,
			  const struct pm_damage *dmg, size_t k,
			  const struct pm_damaged_file *files, size_t nr)
{
	const struct pm_damage_range *r = &dmg->ranges[k];
	char at[128], msg[sizeof(d->findings[0].message)], fix[256];
	size_t used = 0, shown = 0;
	/* Room kept for the count of files left out and what was not walked. */
	size_t room = 40 + (dmg->stopped ? 340 : dmg->nr_skipped ? 140 : 0);

	where(ns, dmg, r, at, sizeof(at));
	append(msg, sizeof(msg), &used, "media error at %s: ", at);
	if (!nr) {
		append(msg, sizeof(msg), &used, "%s", no_files(ns, dmg));
	} else {
		append(msg, sizeof(msg), &used, "it hits ");
		for (; shown < nr; shown++) {
			const struct pm_damaged_file *f = &files[shown];
			size_t before = used;

			if (room >= sizeof(msg) ||
			    !append(msg, sizeof(msg) - room, &used, "%s%s (bytes %llu-%llu%s)",
				    shown ? ", " : "", f->path,
				    (unsigned long long)f->offset,
				    (unsigned long long)(f->offset + f->length - 1),
				    f->unwritten ? ", preallocated, no data yet" : "")) {
				used = before;
				msg[used] = 0;
				break;
			}
		}
		if (shown < nr)
			append(msg, sizeof(msg), &used, " and %zu more", nr - shown);
		if (r->unowned && dmg->complete)
			append(msg, sizeof(msg), &used, "; %llu of its bytes are in no file",
			       (unsigned long long)r->unowned);
	}
	/* What the walk did not reach: the files named may not be all. */
	if (dmg->stopped)
		append(msg, sizeof(msg), &used,
		       "; the walk of the filesystem stopped at its time limit in %.200s: the files there and after it were not mapped",
		       dmg->stopped);
	else if (dmg->nr_skipped)
		append(msg, sizeof(msg), &used,
		       "; %zu entries changed while walked (a directory swapped for a link) or lay too deep, and were not mapped",
		       dmg->nr_skipped);
	if (nr)
		snprintf(fix, sizeof(fix), "restore the damaged files from a backup (a new copy, then delete the damaged one), then unmount and run pmemctl clear-errors %s",
			 ns->dev);
	else if (dmg->walked)
		snprintf(fix, sizeof(fix), "unmount and check the filesystem (fsck, xfs_repair -n), then pmemctl clear-errors %s",
			 ns->dev);
	else if (dmg->chardev)
		snprintf(fix, sizeof(fix), "stop the application using /dev/%s, pmemctl clear-errors %s, then restore its data in those bytes",
			 dmg->device ? dmg->device : ns->dev, ns->dev);
	else
		snprintf(fix, sizeof(fix), "pmemctl clear-errors %s (those sectors' contents are lost), then restore or rewrite them",
			 ns->dev);
	pm_doctor_add(d, PM_SEV_ERROR, "media-error", ns->dev, fix, "%s", msg);
	d->findings[d->nr_findings - 1].files = nr ? files : NULL;
	d->findings[d->nr_findings - 1].nr_files = nr;
}

/*
 * A namespace's media errors, one finding each, naming what they hit; for
 * a path, only those that hit it (the rest counted in one info finding).
 */
static void lint_media_ns(struct pm_diagnosis *d, const struct pm_namespace *ns,
			  const char *path, size_t *budget)
{
	const struct pm_badblocks *bbs = pm_namespace_badblocks(ns);
	size_t f = 0, elsewhere = 0, more = 0;
	struct pm_damage *dmg, *grown;
	int rc = -EXDEV;

	if (!bbs->nr && !bbs->count)
		return;
	grown = realloc(d->damage, (d->nr_damage + 1) * sizeof(*grown));
	if (!grown)
		return;
	d->damage = grown;
	dmg = &d->damage[d->nr_damage];
	if (path)
		rc = pm_path_damage(ns, path, dmg);
	if (rc) {
		/* Not mappable through what the path is on: the device's view. */
		path = NULL;
		rc = pm_namespace_damage(ns, dmg);
	}
	if (rc) {
		pm_doctor_add(d, PM_SEV_ERROR, "media-error", ns->dev, NULL,
			      "%s has %llu bad sectors; what they hit could not be found: %s",
			      ns->dev, (unsigned long long)bbs->count, strerror(-rc));
		return;
	}
	d->nr_damage++;
	for (size_t k = 0; k < dmg->nr_ranges; k++) {
		size_t nr = 0;

		while (f + nr < dmg->nr && dmg->files[f + nr].range == k)
			nr++;
		if (path && !nr)
			elsewhere++;
		else if (!*budget)
			more++;
		else {
			(*budget)--;
			media_finding(d, ns, dmg, k, &dmg->files[f], nr);
		}
		f += nr;
	}
	if (more)
		pm_doctor_add(d, PM_SEV_ERROR, "media-error", ns->dev, NULL,
			      "%zu more media errors on %s: pmemctl list -M %s lists them",
			      more, ns->dev, ns->dev);
	if (dmg->uncounted)
		pm_doctor_add(d, PM_SEV_ERROR, "media-error", ns->dev,
			      "pmemctl clear-errors NAMESPACE (the sectors' contents are lost), then restore the data on it",
			      "%s has %llu bad sectors under its BTT (ndctl counts them without saying where)",
			      ns->dev, (unsigned long long)dmg->uncounted >> 9);
	if (elsewhere)
		pm_doctor_add(d, PM_SEV_INFO, "media-error-elsewhere", ns->dev, NULL,
			      "%s has %zu media error%s outside %s: pmemctl doctor %s says what %s",
			      ns->dev, elsewhere, elsewhere > 1 ? "s" : "", path, ns->dev,
			      elsewhere > 1 ? "they hit" : "it hits");
}

void pm_doctor_media(const struct pm_platform *pf, struct pm_diagnosis *d,
		     const struct pm_region *only_region,
		     const struct pm_namespace *only, const char *path)
{
	size_t budget = MAX_MEDIA_FINDINGS;

	for (size_t i = 0; i < pf->nr_namespaces; i++) {
		const struct pm_namespace *ns = pf->namespaces[i];

		if ((only && ns != only) || (only_region && ns->region != only_region) ||
		    !ns->active || !pm_region_is_pmem(ns->region))
			continue;
		lint_media_ns(d, ns, only ? path : NULL, &budget);
	}
}

/* Whether region offset [sector, + sectors) lies inside one of its namespaces. */
static bool in_a_namespace(const struct pm_platform *pf, const struct pm_region *r,
			   unsigned long long start, uint64_t sector, uint64_t sectors,
			   bool *unknown)
{
	unsigned long long from = start + (sector << 9), to = from + (sectors << 9);

	for (size_t i = 0; i < pf->nr_namespaces; i++) {
		const struct pm_namespace *ns = pf->namespaces[i];
		unsigned long long res, size;

		if (ns->region != r || !pm_namespace_ndns(ns))
			continue;
		res = ndctl_namespace_get_resource(pm_namespace_ndns(ns));
		size = ndctl_namespace_get_size(pm_namespace_ndns(ns));
		if (res == ULLONG_MAX || size == ULLONG_MAX) {
			*unknown = true;
			continue;
		}
		if (size && from < res + size && to > res)
			return true;
	}
	return false;
}

/*
 * What a scrub (ARS) found where no namespace is: nothing is lost yet, but
 * a namespace made there starts with media errors. Those inside a
 * namespace are its media errors.
 */
void pm_doctor_scrub(const struct pm_platform *pf, struct pm_diagnosis *d,
		     const struct pm_region *only)
{
	for (size_t i = 0; i < pf->nr_regions; i++) {
		const struct pm_region *r = pf->regions[i];
		const struct pm_badblocks *bbs;
		unsigned long long start;
		uint64_t sectors = 0;
		size_t ranges = 0;
		bool unknown = false;

		if ((only && r != only) || !pm_region_is_pmem(r) || !r->ndregion)
			continue;
		bbs = pm_region_badblocks(r);
		start = ndctl_region_get_resource(r->ndregion);
		if (!bbs->nr || start == ULLONG_MAX)
			continue;
		for (size_t k = 0; k < bbs->nr; k++) {
			const struct pm_badblock *bb = &bbs->v[k];

			if (bb->block || in_a_namespace(pf, r, start, bb->offset,
							bb->length, &unknown))
				continue;
			ranges++;
			sectors += bb->length;
		}
		/* Without every namespace's place (root), the rest is a guess. */
		if (ranges && !unknown)
			pm_doctor_add(d, PM_SEV_WARNING, "scrub-errors", r->dev,
				      "pmemctl clear-errors REGION before creating a namespace there",
				      "a scrub found %zu bad range%s (%llu sectors) in %s outside every namespace: a namespace created over them starts with media errors",
				      ranges, ranges > 1 ? "s" : "",
				      (unsigned long long)sectors, r->dev);
	}
}

/* What an unsafe shutdown means to applications (libpmem2_unsafe_shutdown(7)). */
#define UNSAFE_SHUTDOWN_MEANS "data written but not yet flushed to the media before it may be lost"
#define UNSAFE_SHUTDOWN_FIX "applications that record the count (PMDK: pmem2_source_device_usc) detect a new unsafe shutdown; check data written before one"

void pm_doctor_health(struct pm_diagnosis *d, const char *dimm,
		      const struct pm_health *h)
{
	bool spares_low;

	if (!h->error && h->state) {
		if (strcmp(h->state, "non-critical") == 0)
			pm_doctor_add(d, PM_SEV_WARNING, "health-non-critical", dimm,
				      "check its SMART data (pmemctl list -DH), back up the data on its regions, plan a replacement",
				      "%s reports its health as non-critical: a component is degraded or a threshold was crossed",
				      dimm);
		else if (strcmp(h->state, "critical") == 0)
			pm_doctor_add(d, PM_SEV_ERROR, "health-critical", dimm,
				      "back up the data on its regions now and replace the DIMM",
				      "%s reports its health as critical: the data on it is at risk",
				      dimm);
		else if (strcmp(h->state, "fatal") == 0)
			pm_doctor_add(d, PM_SEV_ERROR, "health-fatal", dimm,
				      "restore the data of its regions from a backup onto other media and replace the DIMM",
				      "%s reports its health as fatal: it has failed, and data on it may already be lost",
				      dimm);
	}
	if (!h->error && h->alarm_temperature.valid && h->alarm_temperature.value)
		pm_doctor_add(d, PM_SEV_WARNING, "alarm-temperature", dimm,
			      "check the cooling: a DIMM too hot throttles, then shuts down",
			      "%s raised its media temperature alarm (%.2f C%s)", dimm,
			      h->temperature.celsius, h->temperature.valid ? "" : ", unknown");
	if (!h->error && h->alarm_ctrl_temperature.valid && h->alarm_ctrl_temperature.value)
		pm_doctor_add(d, PM_SEV_WARNING, "alarm-controller-temperature", dimm,
			      "check the cooling: a DIMM too hot throttles, then shuts down",
			      "%s raised its controller temperature alarm (%.2f C%s)", dimm,
			      h->ctrl_temperature.celsius,
			      h->ctrl_temperature.valid ? "" : ", unknown");
	spares_low = !h->error && h->spares.valid && h->spares_threshold.valid &&
		     h->spares.value <= h->spares_threshold.value;
	if (spares_low)
		pm_doctor_add(d, PM_SEV_WARNING, "spares-low", dimm,
			      "back up the data on its regions and plan to replace the DIMM",
			      "%s has %u%% of its spare blocks left, at or below its threshold of %u%%: the media is wearing out",
			      dimm, h->spares.value, h->spares_threshold.value);
	else if (!h->error && h->alarm_spares.valid && h->alarm_spares.value)
		pm_doctor_add(d, PM_SEV_WARNING, "alarm-spares", dimm,
			      "back up the data on its regions and plan to replace the DIMM",
			      "%s raised its spare blocks alarm (%s%u%% left)", dimm,
			      h->spares.valid ? "" : "unknown, ", h->spares.value);
	if (!h->error && h->life_used.valid && h->life_used.value >= 90)
		pm_doctor_add(d, PM_SEV_WARNING, "life-used", dimm,
			      "plan to replace the DIMM",
			      "%s has used %u%% of its rated life", dimm, h->life_used.value);
	if (!h->error && h->shutdown_state && strcmp(h->shutdown_state, "dirty") == 0)
		pm_doctor_add(d, PM_SEV_WARNING, "shutdown-state-dirty", dimm,
			      UNSAFE_SHUTDOWN_FIX,
			      "%s's last shutdown was unsafe (SMART shutdown state dirty): " UNSAFE_SHUTDOWN_MEANS,
			      dimm);
	/* The kernel's count is what PMDK reads; SMART's where the kernel has none. */
	if (h->dirty_shutdown > 0)
		pm_doctor_add(d, PM_SEV_WARNING, "dirty-shutdown", dimm,
			      UNSAFE_SHUTDOWN_FIX,
			      "%s counts %lld unsafe shutdowns (nfit/dirty_shutdown): at each, " UNSAFE_SHUTDOWN_MEANS,
			      dimm, (long long)h->dirty_shutdown);
	else if (h->dirty_shutdown < 0 && !h->error && h->shutdown_count.valid &&
		 h->shutdown_count.value > 0)
		pm_doctor_add(d, PM_SEV_WARNING, "dirty-shutdown", dimm,
			      UNSAFE_SHUTDOWN_FIX,
			      "%s counts %u unsafe shutdowns (SMART): at each, " UNSAFE_SHUTDOWN_MEANS,
			      dimm, h->shutdown_count.value);
}
