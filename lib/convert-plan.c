// SPDX-License-Identifier: GPL-2.0-or-later
/* Planning a namespace change: pure decisions over plain facts. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "compat.h"
#include "convert-plan.h"

const char *pm_plan_module(enum pm_ns_mode mode)
{
	return mode == PM_MODE_DEVDAX || mode == PM_MODE_SYSTEM_RAM ? "dax_pmem" :
	       mode == PM_MODE_SECTOR ? "nd_btt" : "nd_pmem";
}

/* Whether align is listed, with the list as "4K, 2M, 1G" for messages. */
static bool align_listed(unsigned long align, const unsigned long *aligns,
			 size_t n, char *list, size_t len)
{
	bool found = false;
	size_t used = 0;

	list[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		char text[32];

		pm_format_size(aligns[i], text, sizeof(text));
		used += snprintf(list + used, used < len ? len - used : 0, "%s%s",
				 i ? ", " : "", text);
		found |= aligns[i] == align;
	}
	return found;
}

int pm_plan_request(const struct pm_region_offer *r,
		    const struct pm_convert_request *req,
		    struct pm_ns_config *to, char *why, size_t len)
{
	char list[256], text[32];
	struct pm_convert_request dax;

	/* system-ram is a devdax claim first: the same checks. */
	if (req->mode == PM_MODE_SYSTEM_RAM) {
		int rc;

		dax = *req;
		dax.mode = PM_MODE_DEVDAX;
		dax.no_movable = dax.no_online = false;
		rc = pm_plan_request(r, &dax, to, why, len);
		to->mode = PM_MODE_SYSTEM_RAM;
		to->zone = req->no_online ? PM_ZONE_NONE :
			   req->no_movable ? PM_ZONE_NORMAL : PM_ZONE_MOVABLE;
		return rc;
	}
	if (req->no_movable || req->no_online) {
		snprintf(why, len, "--no-movable and --no-online apply to --mode system-ram only");
		return -EINVAL;
	}
	to->mode = req->mode;
	to->map = NULL;
	to->align = 0;
	to->sector_size = 0;
	if (req->mode == PM_MODE_FSDAX || req->mode == PM_MODE_DEVDAX) {
		bool fsdax = req->mode == PM_MODE_FSDAX;
		bool ok;

		if (fsdax && !r->has_pfn) {
			snprintf(why, len, "the region has no pfn seed: fsdax is not possible here");
			return -EOPNOTSUPP;
		}
		if (!fsdax && !r->has_dax) {
			snprintf(why, len, "the region has no dax seed: devdax is not possible here (is dax_pmem loaded?)");
			return -EOPNOTSUPP;
		}
		to->map = req->map ? req->map : "dev";
		/* 2 MiB: PMD mappings, the kernel's default for both. */
		to->align = req->align ? req->align : 2 << 20;
		if (fsdax)
			ok = align_listed(to->align, r->pfn_aligns, r->nr_pfn_aligns,
					  list, sizeof(list));
		else
			ok = align_listed(to->align, r->dax_aligns, r->nr_dax_aligns,
					  list, sizeof(list));
		/* A kernel that lists no alignments takes the default. */
		if (!ok && list[0]) {
			pm_format_size(to->align, text, sizeof(text));
			snprintf(why, len, "alignment %s is not supported for %s here (supported: %s)",
				 text, pm_ns_mode_name(req->mode), list);
			return -EINVAL;
		}
	} else if (req->mode == PM_MODE_SECTOR) {
		bool ok = false;
		size_t used = 0;

		if (!r->has_btt) {
			snprintf(why, len, "the region has no btt seed: sector mode is not possible here (is nd_btt loaded?)");
			return -EOPNOTSUPP;
		}
		to->sector_size = req->sector_size ? req->sector_size : 4096;
		list[0] = '\0';
		for (size_t i = 0; i < r->nr_sector_sizes; i++) {
			unsigned int s = r->sector_sizes[i];

			used += snprintf(list + used, used < sizeof(list) ?
					 sizeof(list) - used : 0, "%s%u", i ? ", " : "", s);
			ok |= s == to->sector_size;
		}
		if (!ok) {
			snprintf(why, len, "sector size %u is not supported (supported: %s)",
				 to->sector_size, list);
			return -EINVAL;
		}
	}
	if (req->align && req->mode != PM_MODE_FSDAX && req->mode != PM_MODE_DEVDAX) {
		snprintf(why, len, "--align applies to fsdax and devdax only");
		return -EINVAL;
	}
	return 0;
}

/*
 * Only what the request names counts: fsdax and devdax always have an
 * alignment (the default when not given), map and sector size only when
 * asked for.
 */
bool pm_plan_is_noop(const struct pm_ns_config *from,
		     const struct pm_convert_request *req,
		     const struct pm_ns_config *to)
{
	if (from->mode != to->mode)
		return false;
	if ((req->align || to->mode == PM_MODE_FSDAX || to->mode == PM_MODE_DEVDAX) &&
	    from->align != to->align)
		return false;
	if (req->map && (!from->map || strcmp(from->map, to->map) != 0))
		return false;
	if (to->mode == PM_MODE_SECTOR && req->sector_size &&
	    from->sector_size != to->sector_size)
		return false;
	return true;
}

/* The claim each mode puts on a namespace, and what enabling it does. */
static const struct {
	const char *step;		/* the configure step's name */
	const char *claim;		/* pfn, dax, btt: the seed configured */
	const char *enabled;		/* what the kernel does on enable */
} claims[] = {
	[PM_MODE_FSDAX] = { "configure-pfn", "pfn", "writes its info block" },
	[PM_MODE_DEVDAX] = { "configure-dax", "dax", "writes its info block" },
	[PM_MODE_SYSTEM_RAM] = { "configure-dax", "dax", "writes its info block" },
	[PM_MODE_SECTOR] = { "configure-btt", "btt", "lays out its arenas" },
};

/* Configuring the claim of to's mode, and enabling it (or the raw namespace). */
static void plan_claim(struct pm_change_result *res,
		       const struct pm_ns_config *to, bool dry_run)
{
	char align[32];

	if ((size_t)to->mode >= ARRAY_SIZE(claims) || !claims[to->mode].step) {
		pm_step_add(res, PM_ACT_ENABLE, "enable", "enable the namespace raw");
		return;
	}
	pm_format_size(to->align, align, sizeof(align));
	if (to->mode == PM_MODE_SECTOR)
		pm_step_add(res, PM_ACT_CONFIGURE_CLAIM, claims[to->mode].step,
			    "btt seed: new uuid, sector size %u", to->sector_size);
	else
		pm_step_add(res, PM_ACT_CONFIGURE_CLAIM, claims[to->mode].step,
			    "%s seed: new uuid, map %s, align %s",
			    claims[to->mode].claim, to->map, align);
	pm_step_add(res, PM_ACT_ENABLE, "enable", "enable the %s device%s%s",
		    claims[to->mode].claim, dry_run ? "" : ": the kernel ",
		    dry_run ? "" : claims[to->mode].enabled);
}

/* What the kernel's auto-online policy does to new blocks, for a detail. */
static void policy_note(const char *policy, enum pm_zone want, char *buf,
			size_t len)
{
	enum pm_zone zone = policy ? pm_auto_online_zone(policy) : PM_ZONE_NONE;

	buf[0] = '\0';
	if (zone != PM_ZONE_NONE && zone != want)
		snprintf(buf, len, " (auto_online_blocks=%s onlines them %s first: they are offlined and %s)",
			 policy, pm_zone_name(zone),
			 want == PM_ZONE_NONE ? "left so" : "moved");
}

/* The memory steps once kmem has the device: online them, or leave them. */
static void plan_memory(const char *policy, int target_node,
			const struct pm_convert_request *req,
			struct pm_change_result *res)
{
	enum pm_zone want = res->to.zone;
	char note[160];

	policy_note(policy, want, note, sizeof(note));
	if (req->no_online) {
		/* Only a policy that onlines by itself leaves something to do. */
		if (note[0])
			pm_step_add(res, PM_ACT_OFFLINE_MEMORY, "offline-memory",
				    "leave every memory block offline%s", note);
		return;
	}
	pm_step_add(res, PM_ACT_ONLINE_MEMORY, "online-memory",
		    "online every memory block %s%s%s", pm_zone_name(want),
		    target_node >= 0 ? " on the target node" : "", note);
}

/*
 * From or to system RAM. To: a devdax claim first (unless it is one), then
 * kmem and the blocks. From: every block offline and kmem off first, then
 * as any conversion from devdax. Between zones: the blocks only.
 */
static int plan_system_ram(const struct pm_ns_facts *ns,
			   const struct pm_convert_request *req,
			   struct pm_change_result *res, struct pm_step *check)
{
	const struct pm_sysram *ram = ns->ram;
	bool to_ram = req->mode == PM_MODE_SYSTEM_RAM;
	bool from_ram = res->from.mode == PM_MODE_SYSTEM_RAM;
	const char *mode = pm_ns_mode_name(req->mode);
	bool claim_kept;

	res->to.target_node = ns->target_node;
	if (from_ram && to_ram) {
		bool done = !ram->err && ram->nr_blocks &&
			    (req->no_online ? ram->nr_online == 0 :
			     ram->nr_online == ram->nr_blocks && (int)ram->zone == res->to.zone);

		res->to = res->from;
		res->to.zone = req->no_online ? PM_ZONE_NONE :
			       req->no_movable ? PM_ZONE_NORMAL : PM_ZONE_MOVABLE;
		pm_step_close(check, 0);
		if (done) {
			res->to.zone = res->from.zone;
			res->noop = true;
			snprintf(res->message, sizeof(res->message),
				 "already system-ram%s%s: nothing to do",
				 req->no_online ? ", offline" : " ",
				 req->no_online ? "" : pm_zone_name(res->to.zone));
			snprintf(res->chardev, sizeof(res->chardev), "%s",
				 ns->chardev ? ns->chardev : "");
			return 0;
		}
		res->changed = !req->dry_run;
		if (req->no_online)
			pm_step_add(res, PM_ACT_OFFLINE_MEMORY, "offline-memory",
				    "offline every memory block (%zu of %zu online)",
				    ram->nr_online, ram->nr_blocks);
		else
			pm_step_add(res, PM_ACT_ONLINE_MEMORY, "online-memory",
				    "online every memory block %s (%zu of %zu online, %s)",
				    pm_zone_name(res->to.zone), ram->nr_online,
				    ram->nr_blocks, ram->nr_online ?
				    pm_zone_name(ram->zone) : "none");
		pm_step_add(res, PM_ACT_VERIFY, "verify", "the memory reads as asked");
		if (req->dry_run)
			snprintf(res->message, sizeof(res->message),
				 "would move the memory to %s; nothing changed",
				 req->no_online ? "offline" : pm_zone_name(res->to.zone));
		return 0;
	}
	pm_step_close(check, 0);
	res->changed = !req->dry_run;
	/* A devdax claim stays when its alignment and map are not asked to change. */
	claim_kept = (res->from.mode == PM_MODE_DEVDAX || from_ram) &&
		     (req->mode == PM_MODE_DEVDAX || to_ram) &&
		     (!req->align || req->align == res->from.align) &&
		     (!req->map || (res->from.map && strcmp(req->map, res->from.map) == 0));
	if (claim_kept) {
		res->to.align = res->from.align;
		res->to.map = res->from.map;
	}
	if (to_ram)
		pm_step_add(res, PM_ACT_LOAD_KMEM, "load-module", "kernel module kmem");
	if (!claim_kept)
		pm_step_add(res, PM_ACT_LOAD_MODULE, "load-module", "kernel module %s",
			    pm_plan_module(req->mode));
	if (from_ram) {
		pm_step_add(res, PM_ACT_OFFLINE_MEMORY, "offline-memory",
			    "offline every memory block (%zu of %zu online); refused if one cannot be",
			    ram->nr_online, ram->nr_blocks);
		pm_step_add(res, PM_ACT_UNBIND_KMEM, "unbind-kmem",
			    "hand %s back from kmem to device_dax",
			    ns->chardev ? ns->chardev : "the dax device");
	}
	if (!claim_kept) {
		pm_step_add(res, PM_ACT_DISABLE, "disable", "disable the namespace and its claim");
		pm_step_add(res, PM_ACT_CLEAR_INFO_BLOCK, "clear-info-block",
			    "save, then zero the first 8 KiB (the info block): destroys the old personality");
		pm_step_add(res, PM_ACT_SET_CLAIM_CLASS, "set-claim-class",
			    "record %s in the namespace label",
			    to_ram ? "devdax" : mode);
		plan_claim(res, &res->to, req->dry_run);
	}
	if (to_ram) {
		pm_step_add(res, PM_ACT_BIND_KMEM, "bind-kmem",
			    "hand the dax device to kmem: its memory becomes system RAM");
		plan_memory(ns->auto_online, ns->target_node, req, res);
	}
	pm_step_add(res, PM_ACT_VERIFY, "verify", "the namespace reads as %s", mode);
	if (req->dry_run)
		snprintf(res->message, sizeof(res->message),
			 "would convert to %s; nothing changed", mode);
	return 0;
}

int pm_plan_convert(const struct pm_region_offer *r,
		    const struct pm_ns_facts *ns,
		    const struct pm_convert_request *req,
		    struct pm_change_result *res)
{
	const char *mode = pm_ns_mode_name(req->mode);
	struct pm_step *s;
	char why[192];
	int rc;

	memset(res, 0, sizeof(*res));
	res->from = ns->config;
	s = pm_step_add(res, PM_ACT_CHECK, "check", "requested %s", mode);
	rc = pm_plan_request(r, req, &res->to, why, sizeof(why));
	if (rc) {
		snprintf(s->detail, sizeof(s->detail), "%s", why);
		snprintf(res->message, sizeof(res->message), "%s", why);
		return res->err = pm_step_close(s, rc);
	}
	snprintf(res->to.uuid, sizeof(res->to.uuid), "%s", res->from.uuid);
	res->to.size = res->from.size;
	/* The region may list an alignment this namespace cannot hold. */
	if (res->to.align && res->to.align >= ns->raw_size) {
		char align[32], size[32];

		pm_format_size(res->to.align, align, sizeof(align));
		pm_format_size(ns->raw_size, size, sizeof(size));
		snprintf(res->message, sizeof(res->message),
			 "%s (%s) cannot hold a %s-aligned %s device: pick a smaller --align",
			 ns->dev, size, align, mode);
		snprintf(s->detail, sizeof(s->detail), "%.180s", res->message);
		return res->err = pm_step_close(s, -EINVAL);
	}
	if (r->read_only) {
		snprintf(res->message, sizeof(res->message), "%s is read-only", r->dev);
		return res->err = pm_step_close(s, -EROFS);
	}
	if (res->from.mode == PM_MODE_SYSTEM_RAM || req->mode == PM_MODE_SYSTEM_RAM)
		return plan_system_ram(ns, req, res, s);
	if (pm_plan_is_noop(&res->from, req, &res->to)) {
		res->to = res->from;
		res->noop = true;
		pm_step_close(s, 0);
		snprintf(res->message, sizeof(res->message), "already %s: nothing to do",
			 mode);
		snprintf(res->blockdev, sizeof(res->blockdev), "%s",
			 ns->blockdev ? ns->blockdev : "");
		snprintf(res->chardev, sizeof(res->chardev), "%s",
			 ns->chardev ? ns->chardev : "");
		return 0;
	}
	pm_step_close(s, 0);
	res->changed = !req->dry_run;
	pm_step_add(res, PM_ACT_LOAD_MODULE, "load-module", "kernel module %s",
		    pm_plan_module(req->mode));
	pm_step_add(res, PM_ACT_DISABLE, "disable", "disable the namespace and its claim");
	pm_step_add(res, PM_ACT_CLEAR_INFO_BLOCK, "clear-info-block",
		    "save, then zero the first 8 KiB (the info block): destroys the old personality");
	pm_step_add(res, PM_ACT_SET_CLAIM_CLASS, "set-claim-class",
		    "record %s in the namespace label", mode);
	plan_claim(res, &res->to, req->dry_run);
	pm_step_add(res, PM_ACT_VERIFY, "verify", "the namespace reads as %s", mode);
	if (req->dry_run)
		snprintf(res->message, sizeof(res->message),
			 "would convert to %s; nothing changed", mode);
	return 0;
}

int pm_plan_create(const struct pm_region_offer *r, uint64_t size,
		   const char *name, const struct pm_convert_request *req,
		   struct pm_change_result *res)
{
	const char *mode = pm_ns_mode_name(req->mode);
	struct pm_step *s;
	char text[32];
	int rc;

	memset(res, 0, sizeof(*res));
	s = pm_step_add(res, PM_ACT_CHECK, "check", "a %s namespace in %s", mode,
			r->dev);
	rc = pm_plan_request(r, req, &res->to, res->message, sizeof(res->message));
	if (rc)
		return res->err = pm_step_close(s, rc);
	if (!r->labelled && r->blank_dimms) {
		snprintf(res->message, sizeof(res->message),
			 "%s has no labels: the label area of %s is blank; initialise it (pmemctl init-labels %s), then create again",
			 r->dev, r->blank_dimms, r->blank_dimms);
		return res->err = pm_step_close(s, -EOPNOTSUPP);
	}
	if (!r->labelled) {
		snprintf(res->message, sizeof(res->message),
			 "%s has no labels: its one namespace spans it; use 'pmemctl convert' on it",
			 r->dev);
		return res->err = pm_step_close(s, -EOPNOTSUPP);
	}
	if (!size)
		size = r->max_available_extent;
	/* Namespaces are carved in units of the region's alignment. */
	if (r->align && size % r->align) {
		char align[32];

		pm_format_size(r->align, align, sizeof(align));
		pm_format_size(size, text, sizeof(text));
		snprintf(res->message, sizeof(res->message),
			 "size %s is not a multiple of %s's alignment (%s)", text,
			 r->dev, align);
		return res->err = pm_step_close(s, -EINVAL);
	}
	if (!size || size > r->max_available_extent) {
		char avail[32];

		pm_format_size(size, text, sizeof(text));
		pm_format_size(r->max_available_extent, avail, sizeof(avail));
		snprintf(res->message, sizeof(res->message),
			 "%s has no free extent of %s (largest: %s)", r->dev,
			 size ? text : "any size", avail);
		return res->err = pm_step_close(s, -ENOSPC);
	}
	if (!r->idle_seed) {
		snprintf(res->message, sizeof(res->message),
			 "%s has no idle namespace seed", r->dev);
		return res->err = pm_step_close(s, -EBUSY);
	}
	pm_step_close(s, 0);
	res->to.size = size;
	pm_format_size(size, text, sizeof(text));
	pm_step_add(res, PM_ACT_LOAD_MODULE, "load-module", "kernel module %s",
		    pm_plan_module(req->mode));
	if (req->mode == PM_MODE_SYSTEM_RAM)
		pm_step_add(res, PM_ACT_LOAD_KMEM, "load-module", "kernel module kmem");
	pm_step_add(res, PM_ACT_CONFIGURE_NAMESPACE, "configure-namespace",
		    "%s: new uuid, size %s%s%s", r->idle_seed, text,
		    name ? ", name " : "", name ? name : "");
	pm_step_add(res, PM_ACT_SET_CLAIM_CLASS, "set-claim-class",
		    "record %s in the namespace label", mode);
	plan_claim(res, &res->to, req->dry_run);
	if (req->mode == PM_MODE_SYSTEM_RAM) {
		res->to.target_node = r->target_node;
		pm_step_add(res, PM_ACT_BIND_KMEM, "bind-kmem",
			    "hand the dax device to kmem: its memory becomes system RAM");
		plan_memory(r->auto_online, r->target_node, req, res);
	}
	/* A dry run of create has always listed no verify step. */
	if (!req->dry_run)
		pm_step_add(res, PM_ACT_VERIFY, "verify", "the namespace reads as %s",
			    mode);
	else
		snprintf(res->message, sizeof(res->message),
			 "would create a %s %s namespace in %s; nothing changed",
			 text, mode, r->dev);
	return 0;
}

void pm_plan_destroy(const struct pm_ns_facts *ns, bool dry_run,
		     struct pm_change_result *res)
{
	memset(res, 0, sizeof(*res));
	if (ns->labelled && !ns->raw_size) {
		/* The region's seed, or what a destroy left: no label, no data. */
		res->noop = res->no_config = true;
		/* The report prints the namespace before the message. */
		snprintf(res->message, sizeof(res->message),
			 "not configured (size 0): nothing to destroy");
		return;
	}
	res->from = ns->config;
	res->to.mode = PM_MODE_RAW;
	pm_step_add(res, PM_ACT_DISABLE, "disable", "disable the namespace and its claim");
	pm_step_add(res, PM_ACT_CLEAR_INFO_BLOCK, "clear-info-block",
		    "save, then zero the first 8 KiB (the info block): destroys the old personality");
	pm_step_add(res, PM_ACT_SET_CLAIM_CLASS, "set-claim-class",
		    "clear the claim class");
	if (ns->labelled)
		pm_step_add(res, PM_ACT_DELETE, "delete",
			    "delete the namespace label: its capacity returns to the region");
	else	/* A label-less namespace spans its region: leave it raw. */
		pm_step_add(res, PM_ACT_ENABLE, "enable",
			    "enable the label-less namespace raw");
	if (dry_run)
		snprintf(res->message, sizeof(res->message),
			 "would be destroyed; nothing changed");
}
