// SPDX-License-Identifier: GPL-2.0-or-later
/* Selecting platform objects by name and kind, and arranging them in a tree. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "objects.h"
#include "pmemctl.h"
#include "../lib/cxl.h"
#include "../lib/pmem.h"

static bool in_list(const void *const *list, size_t nr, const void *obj)
{
	for (size_t i = 0; i < nr; i++)
		if (list[i] == obj)
			return true;
	return false;
}

#define IN(list, nr, obj) in_list((const void *const *)(list), (nr), (obj))

static bool region_has_namespace(const struct pm_platform *pf,
				 const struct pm_region *region,
				 const struct filter *f)
{
	for (size_t i = 0; i < f->nr_namespaces; i++)
		if (f->namespaces[i]->region == region)
			return true;
	for (size_t i = 0; i < f->nr_daxdevs; i++)
		if (f->daxdevs[i]->region == region)
			return true;
	return false;
}

static bool region_has_any_dimm(const struct pm_region *region,
				const struct filter *f)
{
	for (size_t i = 0; i < f->nr_dimms; i++)
		if (pm_region_uses_dimm(region, f->dimms[i]))
			return true;
	return false;
}

static bool region_uses_memdev(const struct pm_region *region,
			       const struct pm_memdev *memdev)
{
	for (size_t i = 0; region->cxl && i < region->cxl->nr_targets; i++)
		if (region->cxl->targets[i].memdev == memdev)
			return true;
	return false;
}

static bool region_has_any_memdev(const struct pm_region *region,
				  const struct filter *f)
{
	for (size_t i = 0; i < f->nr_memdevs; i++)
		if (region_uses_memdev(region, f->memdevs[i]))
			return true;
	return false;
}

static bool decoder_has_region(const struct pm_cxl_decoder *d,
			       const struct pm_region *region)
{
	for (size_t i = 0; region->cxl && i < d->nr_regions; i++)
		if (strcmp(d->regions[i], region->cxl->dev) == 0)
			return true;
	return false;
}

static bool decoder_reaches(const struct pm_cxl_decoder *d,
			    const struct pm_memdev *memdev)
{
	for (size_t i = 0; i < d->nr_memdevs; i++)
		if (strcmp(d->memdevs[i], memdev->dev) == 0)
			return true;
	return false;
}

/* Whether a region passes the name filters, shown or not. */
static bool region_matches(const struct pm_platform *pf,
			   const struct pm_region *region,
			   const struct filter *f)
{
	if (f->nr_buses && !IN(f->buses, f->nr_buses, region->bus))
		return false;
	if (f->nr_regions && !IN(f->regions, f->nr_regions, region))
		return false;
	if (f->nr_dimms && !region_has_any_dimm(region, f))
		return false;
	if (f->nr_memdevs && !region_has_any_memdev(region, f))
		return false;
	if ((f->nr_namespaces || f->nr_daxdevs) &&
	    !region_has_namespace(pf, region, f))
		return false;
	if (f->nr_decoders) {
		bool found = false;

		for (size_t i = 0; i < f->nr_decoders; i++)
			found |= decoder_has_region(f->decoders[i], region);
		return found;
	}
	return true;
}

static bool dimm_matches(const struct pm_platform *pf,
			 const struct pm_dimm *dimm, const struct filter *f)
{
	if (f->nr_buses && !IN(f->buses, f->nr_buses, dimm->bus))
		return false;
	if (f->nr_dimms && !IN(f->dimms, f->nr_dimms, dimm))
		return false;
	if (f->nr_memdevs && !IN(f->memdevs, f->nr_memdevs, dimm->memdev))
		return false;
	if (f->nr_regions || f->nr_namespaces || f->nr_daxdevs) {
		for (size_t i = 0; i < pf->nr_regions; i++) {
			const struct pm_region *region = pf->regions[i];

			if (pm_region_uses_dimm(region, dimm) &&
			    (!f->nr_regions || IN(f->regions, f->nr_regions, region)) &&
			    (!(f->nr_namespaces || f->nr_daxdevs) ||
			     region_has_namespace(pf, region, f)))
				return f->idle || dimm->enabled || f->nr_dimms;
		}
		return false;
	}
	return f->idle || dimm->enabled || f->nr_dimms;
}

static bool bus_matches(const struct pm_platform *pf, const struct pm_bus *bus,
			const struct filter *f)
{
	if (f->nr_buses && !IN(f->buses, f->nr_buses, bus))
		return false;
	if (f->nr_dimms || f->nr_regions || f->nr_namespaces || f->nr_daxdevs ||
	    f->nr_memdevs) {
		for (size_t i = 0; i < pf->nr_regions; i++)
			if (pf->regions[i]->bus == bus &&
			    region_matches(pf, pf->regions[i], f))
				return true;
		for (size_t i = 0; i < f->nr_dimms; i++)
			if (f->dimms[i]->bus == bus && !f->nr_regions &&
			    !f->nr_namespaces && !f->nr_daxdevs)
				return true;
		return false;
	}
	return true;
}

/*
 * Every memdev, as cxl list shows them; naming another object keeps the
 * memdevs of the CXL regions behind the regions it leaves.
 */
static bool memdev_matches(const struct pm_platform *pf,
			   const struct pm_memdev *memdev,
			   const struct filter *f)
{
	if (f->nr_memdevs && !IN(f->memdevs, f->nr_memdevs, memdev))
		return false;
	if (f->nr_decoders) {
		bool found = false;

		for (size_t i = 0; i < f->nr_decoders; i++)
			found |= decoder_reaches(f->decoders[i], memdev);
		if (!found)
			return false;
	}
	if (f->nr_buses || f->nr_dimms || f->nr_regions || f->nr_namespaces ||
	    f->nr_daxdevs) {
		for (size_t i = 0; i < pf->nr_regions; i++)
			if (region_uses_memdev(pf->regions[i], memdev) &&
			    region_matches(pf, pf->regions[i], f))
				return true;
		return false;
	}
	return true;
}

/*
 * Every root decoder, as cxl list -D -d root shows them; naming memdevs
 * keeps those that reach one, naming a region the one it was made in.
 */
static bool decoder_matches(const struct pm_platform *pf,
			    const struct pm_cxl_decoder *d,
			    const struct filter *f)
{
	if (f->nr_decoders)
		return IN(f->decoders, f->nr_decoders, d);
	if (f->nr_memdevs) {
		for (size_t i = 0; i < f->nr_memdevs; i++)
			if (decoder_reaches(d, f->memdevs[i]))
				return true;
		return false;
	}
	if (f->nr_buses || f->nr_dimms || f->nr_regions || f->nr_namespaces ||
	    f->nr_daxdevs) {
		for (size_t i = 0; i < pf->nr_regions; i++)
			if (decoder_has_region(d, pf->regions[i]) &&
			    region_matches(pf, pf->regions[i], f))
				return true;
		return false;
	}
	return true;
}

static bool namespace_matches(const struct pm_namespace *ns,
			      const struct filter *f)
{
	if (f->nr_namespaces && !IN(f->namespaces, f->nr_namespaces, ns))
		return false;
	/* system-ram: a devdax namespace whose dax device kmem holds. */
	if (f->has_mode && (f->mode == PM_MODE_SYSTEM_RAM ? !ns->system_ram :
			    ns->mode != f->mode))
		return false;
	if (f->nr_daxdevs) {
		bool found = false;

		for (size_t i = 0; i < f->nr_daxdevs; i++)
			found |= f->daxdevs[i]->ns == ns;
		if (!found)
			return false;
	}
	/*
	 * ndctl hides unconfigured seeds and disabled namespaces unless -i;
	 * a namespace named on the command line is shown in any state.
	 */
	return f->idle || ns->active || f->nr_namespaces;
}

static bool daxdev_matches(const struct pm_daxdev *dax, const struct filter *f)
{
	if (f->nr_daxdevs && !IN(f->daxdevs, f->nr_daxdevs, dax))
		return false;
	return f->idle || dax->enabled || f->nr_daxdevs;
}

/* The kind a kind nests under, in JSON and in the table tree. */
static const int parent_kind[PM_NR_KINDS] = {
	[PM_BUS] = -1,
	[PM_DIMM] = PM_BUS,
	[PM_REGION] = PM_BUS,
	[PM_NAMESPACE] = PM_REGION,
	[PM_DAXDEV] = PM_NAMESPACE,
	[PM_MEMDEV] = -1,
	[PM_DECODER] = -1,
};

static int shown_ancestor(unsigned int selected, int kind)
{
	for (int k = parent_kind[kind]; k >= 0; k = parent_kind[k])
		if (selected & (1u << k))
			return k;
	return -1;
}

static unsigned int child_kinds(unsigned int selected, int kind)
{
	unsigned int kinds = 0;

	for (int k = 0; k < PM_NR_KINDS; k++)
		if ((selected & (1u << k)) && shown_ancestor(selected, k) == kind)
			kinds |= 1u << k;
	return kinds;
}

/*
 * Objects hang under their nearest shown ancestor: with -R -N namespaces
 * sit in their region, with -N alone they are a top-level list.
 */
static struct out_node *add_node(struct out_node *parent, unsigned int selected,
				 int kind, const void *ptr)
{
	struct out_node *node = out_node_add(parent, kind, ptr);

	if (node)
		node->child_kinds = child_kinds(selected, kind);
	return node;
}

int build_object_tree(const struct pm_platform *pf, unsigned int selected,
		      const struct filter *f, struct out_node *root)
{
	root->child_kinds = child_kinds(selected, -1);

	for (size_t b = 0; b < pf->nr_buses; b++) {
		const struct pm_bus *bus = pf->buses[b];
		struct out_node *bus_node = root;

		if (!bus_matches(pf, bus, f))
			continue;
		if (selected & (1u << PM_BUS)) {
			bus_node = add_node(root, selected, PM_BUS, bus);
			if (!bus_node)
				return -ENOMEM;
		}
		for (size_t d = 0; (selected & (1u << PM_DIMM)) && d < pf->nr_dimms; d++) {
			const struct pm_dimm *dimm = pf->dimms[d];

			if (dimm->bus != bus || !dimm_matches(pf, dimm, f))
				continue;
			if (!add_node(bus_node, selected, PM_DIMM, dimm))
				return -ENOMEM;
		}
		for (size_t r = 0; r < pf->nr_regions; r++) {
			const struct pm_region *region = pf->regions[r];
			struct out_node *region_node = bus_node;

			if (region->bus != bus || !region_matches(pf, region, f))
				continue;
			if (selected & (1u << PM_REGION)) {
				if (!f->idle && !region->enabled &&
				    !f->nr_regions)
					continue;
				region_node = add_node(bus_node, selected,
						       PM_REGION, region);
				if (!region_node)
					return -ENOMEM;
			}
			for (size_t n = 0; n < pf->nr_namespaces; n++) {
				const struct pm_namespace *ns = pf->namespaces[n];
				struct out_node *ns_node = region_node;

				if (ns->region != region || !namespace_matches(ns, f))
					continue;
				if (selected & (1u << PM_NAMESPACE)) {
					ns_node = add_node(region_node, selected,
							   PM_NAMESPACE, ns);
					if (!ns_node)
						return -ENOMEM;
				}
				for (size_t x = 0; (selected & (1u << PM_DAXDEV)) &&
						   x < pf->nr_daxdevs; x++) {
					const struct pm_daxdev *dax = pf->daxdevs[x];

					if (dax->ns != ns || !daxdev_matches(dax, f))
						continue;
					if (!add_node(ns_node, selected, PM_DAXDEV, dax))
						return -ENOMEM;
				}
			}
		}
	}
	/*
	 * CXL ram regions are on no nvdimm bus: after the buses, at the top
	 * (a kind the root then shows even with -B), their dax devices in
	 * them (no namespace between).
	 */
	for (size_t r = 0; r < pf->nr_ram_regions; r++) {
		const struct pm_region *region = pf->ram_regions[r];
		struct out_node *region_node = root;

		if (!region_matches(pf, region, f) || f->nr_namespaces)
			continue;
		if (selected & (1u << PM_REGION)) {
			if (!f->idle && !region->enabled && !f->nr_regions)
				continue;
			root->child_kinds |= 1u << PM_REGION;
			region_node = add_node(root, selected, PM_REGION, region);
			if (!region_node)
				return -ENOMEM;
		}
		for (size_t x = 0; (selected & (1u << PM_DAXDEV)) && x < pf->nr_daxdevs; x++) {
			const struct pm_daxdev *dax = pf->daxdevs[x];

			if (dax->ns || dax->region != region || !daxdev_matches(dax, f))
				continue;
			region_node->child_kinds |= 1u << PM_DAXDEV;
			if (!add_node(region_node, selected, PM_DAXDEV, dax))
				return -ENOMEM;
		}
	}
	for (size_t m = 0; (selected & (1u << PM_MEMDEV)) && m < pf->nr_memdevs; m++)
		if (memdev_matches(pf, pf->memdevs[m], f) &&
		    !add_node(root, selected, PM_MEMDEV, pf->memdevs[m]))
			return -ENOMEM;
	for (size_t d = 0; (selected & (1u << PM_DECODER)) && d < pf->nr_cxl_decoders; d++)
		if (decoder_matches(pf, pf->cxl_decoders[d], f) &&
		    !add_node(root, selected, PM_DECODER, pf->cxl_decoders[d]))
			return -ENOMEM;
	return 0;
}

static int add_filter(const void **list, size_t *nr, const void *obj)
{
	if (*nr == MAX_FILTER)
		return -E2BIG;
	list[(*nr)++] = obj;
	return 0;
}

static const char *kind_prefixes[PM_NR_KINDS] = {
	[PM_BUS] = "ndbus",
	[PM_DIMM] = "nmem",
	[PM_REGION] = "region",
	[PM_NAMESPACE] = "namespace",
	[PM_DAXDEV] = "dax",
	[PM_MEMDEV] = "mem",
	[PM_DECODER] = "decoder",
};

const struct pm_daxdev *find_daxdev(const struct pm_platform *pf,
					   const char *name)
{
	const char *dev = strncmp(name, "/dev/", 5) == 0 ? name + 5 : name;

	for (size_t i = 0; i < pf->nr_daxdevs; i++)
		if (strcmp(pf->daxdevs[i]->dev, dev) == 0)
			return pf->daxdevs[i];
	return NULL;
}

/* Resolves one name into the filter; returns 0 or an exit code. */
int resolve_object(const struct pm_platform *pf, const struct wanted *w,
		   struct filter *f)
{
	enum pm_object_kind kind = w->kind;
	const void *obj = NULL;
	char shown[128];
	int rc = 0;

	/* A bare name says its kind by its prefix: region0, nmem1, ... */
	if (kind == PM_NR_KINDS) {
		const char *base = strncmp(w->name, "/dev/", 5) == 0 ?
				   w->name + 5 : w->name;

		for (int k = 0; k < PM_NR_KINDS; k++)
			if (strncmp(base, kind_prefixes[k],
				    strlen(kind_prefixes[k])) == 0)
				kind = k;
		/* cxl:regionN: a CXL ram region, as the listing names it. */
		if (strncmp(base, "cxl:", 4) == 0)
			kind = PM_REGION;
	}
	switch (kind) {
	case PM_BUS:
		obj = pm_find_bus(pf, w->name);
		if (obj)
			rc = add_filter((const void **)f->buses, &f->nr_buses, obj);
		break;
	case PM_DIMM:
		obj = pm_find_dimm(pf, w->name);
		if (obj)
			rc = add_filter((const void **)f->dimms, &f->nr_dimms, obj);
		break;
	case PM_REGION:
		obj = pm_find_region(pf, w->name);
		if (!obj)
			obj = pm_find_ram_region(pf, w->name);
		if (obj)
			rc = add_filter((const void **)f->regions, &f->nr_regions, obj);
		break;
	case PM_NAMESPACE:
		obj = pm_find_namespace(pf, w->name);
		if (obj)
			rc = add_filter((const void **)f->namespaces,
					&f->nr_namespaces, obj);
		break;
	case PM_DAXDEV:
		obj = find_daxdev(pf, w->name);
		if (obj)
			rc = add_filter((const void **)f->daxdevs, &f->nr_daxdevs, obj);
		break;
	case PM_MEMDEV:
		obj = pm_find_memdev(pf, w->name);
		if (obj)
			rc = add_filter((const void **)f->memdevs, &f->nr_memdevs, obj);
		break;
	case PM_DECODER:
		obj = pm_find_cxl_decoder(pf, w->name);
		if (obj)
			rc = add_filter((const void **)f->decoders, &f->nr_decoders, obj);
		break;
	default:
		/* A provider name such as ACPI.NFIT names its bus. */
		obj = pm_find_bus(pf, w->name);
		if (obj) {
			rc = add_filter((const void **)f->buses, &f->nr_buses, obj);
			break;
		}
		cli_error(w->name, "no such bus, DIMM, region, namespace, dax device, memdev or root decoder");
		return EXIT_NOT_FOUND;
	}
	if (rc) {
		cli_error(w->name, "too many objects named (at most %d of a kind)",
			  MAX_FILTER);
		return EXIT_USAGE;
	}
	if (!obj) {
		/* Name the object the way the kernel would: "--region 9" is region9. */
		if (isdigit((unsigned char)w->name[0]))
			snprintf(shown, sizeof(shown), "%s%s", kind_prefixes[kind],
				 w->name);
		else
			snprintf(shown, sizeof(shown), "%s", w->name);
		cli_error(shown, "no such %s", kind == PM_DIMM ? "DIMM" :
			  kind == PM_DAXDEV ? "dax device" : pm_kind_name(kind));
		return EXIT_NOT_FOUND;
	}
	return 0;
}
