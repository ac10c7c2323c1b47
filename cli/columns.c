// SPDX-License-Identifier: GPL-2.0-or-later
/* The columns of platform objects: one table for the table and for JSON. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "columns.h"
#include "../lib/compat.h"
#include "../lib/badblocks.h"
#include "../lib/cxl.h"
#include "../lib/enable.h"
#include "../lib/firmware.h"
#include "../lib/health.h"
#include "../lib/pmem.h"
#include "../lib/security.h"
#include "../lib/sysram.h"

#define BUS (1u << PM_BUS)
#define DIMM (1u << PM_DIMM)
#define REGION (1u << PM_REGION)
#define NS (1u << PM_NAMESPACE)
#define DAX (1u << PM_DAXDEV)
#define MEMDEV (1u << PM_MEMDEV)
#define WINDOW (1u << PM_DECODER)
#define ALL (BUS | DIMM | REGION | NS | DAX)
/* A media error of a region or namespace: JSON's "badblocks" entries. */
#define OBJ_BADBLOCK PM_NR_KINDS
#define BADBLOCK (1u << OBJ_BADBLOCK)
/* A memdev of a CXL region at its position: the region's "memdevs". */
#define OBJ_CXL_TARGET (PM_NR_KINDS + 1)
#define TARGET (1u << OBJ_CXL_TARGET)
/* A memdev's Get Health Info answer: its "health" object. */
#define OBJ_MEMDEV_HEALTH (PM_NR_KINDS + 2)
#define MHEALTH (1u << OBJ_MEMDEV_HEALTH)
#define NR_OBJECT_KINDS (PM_NR_KINDS + 3)

#define AS(type, obj) ((const struct type *)(obj)->ptr)

static void set_str(struct out_cell *cell, const char *s)
{
	cell->str = s;
	cell->null = !s;
}

static void set_u64(struct out_cell *cell, uint64_t v)
{
	cell->u = v;
}

/* -1 is how libndctl says "no node". */
static void set_node(struct out_cell *cell, int node)
{
	cell->i = node;
	cell->null = node < 0;
}

/* A system-ram device's blocks, when they could be read; else NULL. */
static const struct pm_sysram *ram_of(const struct out_obj *obj)
{
	const struct pm_sysram *ram = obj->kind == PM_DAXDEV ?
				      AS(pm_daxdev, obj)->ram : NULL;

	return ram && !ram->err ? ram : NULL;
}

static void get_zone(const struct out_obj *obj, struct out_cell *cell)
{
	const struct pm_sysram *ram = ram_of(obj);

	cell->str = ram ? pm_zone_name(ram->zone) : NULL;
	cell->null = !cell->str;
}

/* daxctl's "movable": every online block is in ZONE_MOVABLE. */
static void get_movable(const struct out_obj *obj, struct out_cell *cell)
{
	const struct pm_sysram *ram = ram_of(obj);

	cell->b = ram && ram->zone == PM_ZONE_MOVABLE;
	cell->null = !ram || !ram->nr_online;
}

static void get_online_blocks(const struct out_obj *obj, struct out_cell *cell)
{
	const struct pm_sysram *ram = ram_of(obj);

	cell->u = ram ? ram->nr_online : 0;
	cell->null = !ram;
}

static void get_total_blocks(const struct out_obj *obj, struct out_cell *cell)
{
	const struct pm_sysram *ram = ram_of(obj);

	cell->u = ram ? ram->nr_blocks : 0;
	cell->null = !ram;
}

static void get_online_size(const struct out_obj *obj, struct out_cell *cell)
{
	const struct pm_sysram *ram = ram_of(obj);

	cell->u = ram ? ram->nr_online * ram->block_size : 0;
	cell->null = !ram;
}

static void get_dev(const struct out_obj *obj, struct out_cell *cell)
{
	switch (obj->kind) {
	case PM_BUS:
		set_str(cell, AS(pm_bus, obj)->dev);
		break;
	case PM_DIMM:
		set_str(cell, AS(pm_dimm, obj)->dev);
		break;
	case PM_REGION:
		set_str(cell, AS(pm_region, obj)->dev);
		break;
	case PM_NAMESPACE:
		set_str(cell, AS(pm_namespace, obj)->dev);
		break;
	case PM_DAXDEV:
		set_str(cell, AS(pm_daxdev, obj)->dev);
		break;
	}
}

static void get_kind(const struct out_obj *obj, struct out_cell *cell)
{
	set_str(cell, pm_kind_name(obj->kind));
}

static void get_provider(const struct out_obj *obj, struct out_cell *cell)
{
	if (obj->kind == PM_BUS)
		set_str(cell, AS(pm_bus, obj)->provider);
	else	/* a CXL ram region is on no nvdimm bus */
		set_str(cell, AS(pm_region, obj)->bus ? AS(pm_region, obj)->bus->provider : NULL);
}

static void get_bus(const struct out_obj *obj, struct out_cell *cell)
{
	if (obj->kind == PM_DIMM)
		set_str(cell, AS(pm_dimm, obj)->bus->dev);
	else
		set_str(cell, AS(pm_region, obj)->bus ? AS(pm_region, obj)->bus->dev : NULL);
}

static void get_region(const struct out_obj *obj, struct out_cell *cell)
{
	if (obj->kind == PM_NAMESPACE)
		set_str(cell, AS(pm_namespace, obj)->region->dev);
	else
		set_str(cell, AS(pm_daxdev, obj)->region ? AS(pm_daxdev, obj)->region->dev : NULL);
}

/* null for a CXL ram region's dax device: it has none. */
static void get_namespace(const struct out_obj *obj, struct out_cell *cell)
{
	set_str(cell, AS(pm_daxdev, obj)->ns ? AS(pm_daxdev, obj)->ns->dev : NULL);
}

static void get_type(const struct out_obj *obj, struct out_cell *cell)
{
	set_str(cell, AS(pm_region, obj)->type);
}

static void get_size(const struct out_obj *obj, struct out_cell *cell)
{
	switch (obj->kind) {
	case PM_REGION:
		set_u64(cell, AS(pm_region, obj)->size);
		break;
	case PM_NAMESPACE:
		set_u64(cell, AS(pm_namespace, obj)->size);
		break;
	case PM_DAXDEV:
		set_u64(cell, AS(pm_daxdev, obj)->size);
		break;
	}
}

static void get_available(const struct out_obj *obj, struct out_cell *cell)
{
	set_u64(cell, AS(pm_region, obj)->available_size);
}

static void get_max_extent(const struct out_obj *obj, struct out_cell *cell)
{
	set_u64(cell, AS(pm_region, obj)->max_available_extent);
}

static void get_align(const struct out_obj *obj, struct out_cell *cell)
{
	uint64_t align = 0;

	switch (obj->kind) {
	case PM_REGION:
		align = AS(pm_region, obj)->align;
		break;
	case PM_NAMESPACE:
		align = AS(pm_namespace, obj)->align;
		break;
	case PM_DAXDEV:
		align = AS(pm_daxdev, obj)->align;
		break;
	}
	set_u64(cell, align);
	cell->null = !align;
}

static void get_mode(const struct out_obj *obj, struct out_cell *cell)
{
	if (obj->kind == PM_NAMESPACE)
		set_str(cell, pm_ns_mode_name(AS(pm_namespace, obj)->mode));
	else
		set_str(cell, AS(pm_daxdev, obj)->mode);
}

static void get_map(const struct out_obj *obj, struct out_cell *cell)
{
	set_str(cell, AS(pm_namespace, obj)->map);
}

static void get_sector_size(const struct out_obj *obj, struct out_cell *cell)
{
	unsigned int sector_size = AS(pm_namespace, obj)->sector_size;

	set_u64(cell, sector_size);
	cell->null = !sector_size;
}

static void get_device(const struct out_obj *obj, struct out_cell *cell)
{
	if (obj->kind == PM_DAXDEV) {
		set_str(cell, AS(pm_daxdev, obj)->dev);
		return;
	}
	set_str(cell, AS(pm_namespace, obj)->blockdev ?
		AS(pm_namespace, obj)->blockdev : AS(pm_namespace, obj)->chardev);
}

static void get_blockdev(const struct out_obj *obj, struct out_cell *cell)
{
	set_str(cell, AS(pm_namespace, obj)->blockdev);
}

static void get_chardev(const struct out_obj *obj, struct out_cell *cell)
{
	if (obj->kind == PM_DAXDEV)
		set_str(cell, AS(pm_daxdev, obj)->dev);
	else
		set_str(cell, AS(pm_namespace, obj)->chardev);
}

static void get_uuid(const struct out_obj *obj, struct out_cell *cell)
{
	set_str(cell, AS(pm_namespace, obj)->uuid);
}

static void get_name(const struct out_obj *obj, struct out_cell *cell)
{
	set_str(cell, AS(pm_namespace, obj)->name);
}

static void get_state(const struct out_obj *obj, struct out_cell *cell)
{
	bool enabled = true;

	switch (obj->kind) {
	case PM_DIMM:
		enabled = AS(pm_dimm, obj)->enabled;
		break;
	case PM_REGION:
		enabled = AS(pm_region, obj)->enabled;
		break;
	case PM_NAMESPACE:
		enabled = AS(pm_namespace, obj)->active;
		break;
	case PM_DAXDEV:
		enabled = AS(pm_daxdev, obj)->enabled;
		break;
	case PM_MEMDEV:
		enabled = AS(pm_memdev, obj)->enabled;
		break;
	}
	set_str(cell, enabled ? "enabled" : "disabled");
}

static void get_state_reason(const struct out_obj *obj, struct out_cell *cell)
{
	static char buf[160];

	set_str(cell, pm_disabled_reason(obj->kind, obj->ptr, buf, sizeof(buf)));
}

static void get_numa_node(const struct out_obj *obj, struct out_cell *cell)
{
	if (obj->kind == PM_REGION)
		set_node(cell, AS(pm_region, obj)->numa_node);
	else if (obj->kind == PM_MEMDEV)
		set_node(cell, AS(pm_memdev, obj)->numa_node);
	else
		set_node(cell, AS(pm_namespace, obj)->numa_node);
}

static void get_target_node(const struct out_obj *obj, struct out_cell *cell)
{
	switch (obj->kind) {
	case PM_REGION:
		set_node(cell, AS(pm_region, obj)->target_node);
		break;
	case PM_NAMESPACE:
		set_node(cell, AS(pm_namespace, obj)->target_node);
		break;
	case PM_DAXDEV:
		set_node(cell, AS(pm_daxdev, obj)->target_node);
		break;
	}
}

static const struct pm_region *region_of(const struct out_obj *obj)
{
	return obj->kind == PM_REGION ? AS(pm_region, obj) :
					AS(pm_namespace, obj)->region;
}

static void get_persistence(const struct out_obj *obj, struct out_cell *cell)
{
	set_str(cell, pm_domain_name(region_of(obj)->domain));
}

static void get_deep_flush(const struct out_obj *obj, struct out_cell *cell)
{
	set_str(cell, pm_deep_flush_attr_name(AS(pm_region, obj)->deep_flush));
}

/* ndctl prints the cookie as a signed 64-bit number: same key, same value. */
static void get_reason(const struct out_obj *obj, struct out_cell *cell)
{
	set_str(cell, region_of(obj)->domain_reason);
}

static void get_flush_cap(const struct out_obj *obj, struct out_cell *cell)
{
	set_str(cell, pm_flush_cap_name(AS(pm_region, obj)->flush_cap));
}

static void get_flush_permitted(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = AS(pm_region, obj)->deep_flush_permitted;
}

static void get_async(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = AS(pm_region, obj)->async;
}

/* -1 is how the model says "the device has no such attribute". */
static void set_flag(struct out_cell *cell, int flag)
{
	cell->b = flag > 0;
	cell->null = flag < 0;
}

static void get_fua(const struct out_obj *obj, struct out_cell *cell)
{
	set_flag(cell, AS(pm_namespace, obj)->fua);
}

static void get_write_cache(const struct out_obj *obj, struct out_cell *cell)
{
	set_flag(cell, AS(pm_namespace, obj)->write_cache);
}

static void get_dax_write_cache(const struct out_obj *obj, struct out_cell *cell)
{
	set_flag(cell, AS(pm_namespace, obj)->dax_write_cache);
}

static void get_dax(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = AS(pm_namespace, obj)->dax;
}

static void get_map_sync(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = AS(pm_namespace, obj)->map_sync;
}

static void get_granularity(const struct out_obj *obj, struct out_cell *cell)
{
	set_str(cell, pm_granularity_name(AS(pm_namespace, obj)->granularity));
}

static void get_recipe(const struct out_obj *obj, struct out_cell *cell)
{
	set_str(cell, pm_namespace_recipe(AS(pm_namespace, obj)));
}

static void get_flush_path(const struct out_obj *obj, struct out_cell *cell)
{
	set_str(cell, pm_namespace_deep_flush_path(AS(pm_namespace, obj)));
}

static void get_iset_id(const struct out_obj *obj, struct out_cell *cell)
{
	set_u64(cell, AS(pm_region, obj)->iset_id);
	cell->null = !AS(pm_region, obj)->has_iset_id;
}

static void get_dimm_id(const struct out_obj *obj, struct out_cell *cell)
{
	set_str(cell, AS(pm_dimm, obj)->id);
}

/* CXL DIMMs have neither handle nor physical id: null, where ndctl omits them. */
static void get_handle(const struct out_obj *obj, struct out_cell *cell)
{
	set_u64(cell, AS(pm_dimm, obj)->handle);
	cell->null = !AS(pm_dimm, obj)->has_handle;
}

#define DIMM_FLAG_GETTER(field)						\
static void get_##field(const struct out_obj *obj, struct out_cell *cell)	\
{									\
	cell->b = AS(pm_dimm, obj)->field;				\
}
DIMM_FLAG_GETTER(failed_save)
DIMM_FLAG_GETTER(failed_arm)
DIMM_FLAG_GETTER(failed_restore)
DIMM_FLAG_GETTER(failed_flush)
DIMM_FLAG_GETTER(failed_map)
DIMM_FLAG_GETTER(smart_event)

/*
 * The flags that are set, comma-separated: a short summary for people. The
 * engine copies a cell before asking for the next, so one buffer serves.
 */
static void get_flags(const struct out_obj *obj, struct out_cell *cell)
{
	const struct pm_dimm *dimm = obj->ptr;
	static char buf[128];

	buf[0] = '\0';
	for (size_t i = 0; i < pm_nr_dimm_flags; i++) {
		if (!pm_dimm_has_flag(dimm, &pm_dimm_flags[i]))
			continue;
		if (buf[0])
			strcat(buf, ",");
		strcat(buf, pm_dimm_flags[i].name);
	}
	cell->str = buf[0] ? buf : NULL;
}

static void get_phys_id(const struct out_obj *obj, struct out_cell *cell)
{
	set_u64(cell, AS(pm_dimm, obj)->phys_id);
	cell->null = !AS(pm_dimm, obj)->has_phys_id;
}

static void get_dimm_memdev(const struct out_obj *obj, struct out_cell *cell)
{
	const struct pm_memdev *memdev = AS(pm_dimm, obj)->memdev;

	set_str(cell, memdev ? memdev->dev : NULL);
}

/* SMART: read on first use (pm_dimm_health()), null where unknown. */
static const struct pm_health *health_of(const struct out_obj *obj)
{
	return pm_dimm_health(AS(pm_dimm, obj));
}

/* ndctl's temperatures: 1/16 degree steps, as many decimals as needed. */
static void set_temp(struct out_cell *cell, const struct pm_health_temp *t)
{
	double scaled = t->celsius * 10;

	cell->null = !t->valid;
	cell->f = t->celsius;
	for (cell->decimals = 1; cell->decimals < 4 && scaled != (long)scaled;
	     cell->decimals++)
		scaled *= 10;
}

static void get_health_reason(const struct out_obj *obj, struct out_cell *cell)
{
	set_str(cell, pm_health_reason(health_of(obj)));
}

/* A SMART field of lib/health.h's table, as ndctl prints it. */
static void get_smart(const struct out_obj *obj, enum pm_health_field id,
		      struct out_cell *cell)
{
	const struct pm_smart_field *field = &pm_smart_fields[id];
	struct pm_smart_value v;

	pm_smart_get(health_of(obj), field, &v);
	cell->null = !v.valid;
	cell->str = v.name;
	cell->i = (int64_t)v.number;
	cell->b = v.number != 0;
	if (field->type == PM_SMART_TEMP)
		set_temp(cell, &(struct pm_health_temp){ v.valid, v.number });
}

#define SMART_GETTER(id, ...)						\
static void get_smart_##id(const struct out_obj *obj, struct out_cell *cell) \
{									\
	get_smart(obj, PM_HEALTH_##id, cell);				\
}
PM_SMART_FIELDS(SMART_GETTER)
#undef SMART_GETTER

/* A security field of lib/security.h's table, as ndctl list -D prints it. */
static void get_security(const struct out_obj *obj, enum pm_security_field_id id,
			 struct out_cell *cell)
{
	struct pm_security_value v;

	/* A memdev's state has no separate frozen attribute: frozen is a state. */
	if (obj->kind == PM_MEMDEV) {
		const char *state = AS(pm_memdev, obj)->security;

		cell->null = !state;
		cell->str = state;
		cell->b = state && strcmp(state, "frozen") == 0;
		return;
	}
	pm_security_get(AS(pm_dimm, obj), id, &v);
	cell->null = !v.valid;
	cell->str = v.name;
	cell->b = v.b;
}

#define SECURITY_GETTER(id, ...)					\
static void get_security_##id(const struct out_obj *obj, struct out_cell *cell) \
{									\
	get_security(obj, PM_SECURITY_FIELD_##id, cell);		\
}
PM_SECURITY_FIELDS(SECURITY_GETTER)
#undef SECURITY_GETTER

static void get_dirty_shutdown(const struct out_obj *obj, struct out_cell *cell)
{
	int64_t count = health_of(obj)->dirty_shutdown;

	cell->i = count;
	cell->null = count < 0;
}

static const struct pm_badblocks *badblocks_of(const struct out_obj *obj)
{
	if (obj->kind == PM_REGION)
		return pm_region_badblocks(AS(pm_region, obj));
	if (obj->kind == PM_MEMDEV)
		return pm_memdev_badblocks(AS(pm_memdev, obj));
	return pm_namespace_badblocks(AS(pm_namespace, obj));
}

static void get_badblock_count(const struct out_obj *obj, struct out_cell *cell)
{
	set_u64(cell, badblocks_of(obj)->count);
}

static void get_bb_offset(const struct out_obj *obj, struct out_cell *cell)
{
	set_u64(cell, AS(pm_badblock, obj)->offset);
}

static void get_bb_length(const struct out_obj *obj, struct out_cell *cell)
{
	set_u64(cell, AS(pm_badblock, obj)->length);
}

static void get_bb_dimms(const struct out_obj *obj, struct out_cell *cell)
{
	cell->strv = pm_badblock_dimms(AS(pm_badblock, obj));
}

static void get_bb_source(const struct out_obj *obj, struct out_cell *cell)
{
	const struct pm_badblock *bb = AS(pm_badblock, obj);

	set_str(cell, bb->poison ? "poison" : bb->block ? "block" : "ars");
}

/* CXL poison: null for the ranges of ARS and block devices. */
static void get_bb_dpa(const struct out_obj *obj, struct out_cell *cell)
{
	const struct pm_cxl_poison *p = AS(pm_badblock, obj)->poison;

	cell->null = !p;
	cell->u = p ? p->dpa : 0;
}

static void get_bb_dpa_length(const struct out_obj *obj, struct out_cell *cell)
{
	const struct pm_cxl_poison *p = AS(pm_badblock, obj)->poison;

	cell->null = !p;
	cell->u = p ? p->length : 0;
}

static void get_bb_hpa(const struct out_obj *obj, struct out_cell *cell)
{
	const struct pm_cxl_poison *p = AS(pm_badblock, obj)->poison;

	cell->null = !p || p->hpa == UINT64_MAX;
	cell->u = cell->null ? 0 : p->hpa;
}

static void get_bb_poison_source(const struct out_obj *obj, struct out_cell *cell)
{
	const struct pm_cxl_poison *p = AS(pm_badblock, obj)->poison;

	set_str(cell, p && p->source[0] ? p->source : NULL);
}

/* Why a CXL region's or memdev's poison is not listed; null when it is. */
static void get_poison_reason(const struct out_obj *obj, struct out_cell *cell)
{
	if (obj->kind == PM_REGION && !AS(pm_region, obj)->cxl) {
		set_str(cell, NULL);
		return;
	}
	set_str(cell, pm_cxl_poison_reason(badblocks_of(obj)->poison_error));
}

/* ---------------------------------------------------------------- CXL */

static void get_memdev(const struct out_obj *obj, struct out_cell *cell)
{
	const struct pm_memdev *memdev;

	if (obj->kind == OBJ_BADBLOCK) {
		set_str(cell, AS(pm_badblock, obj)->memdev);
		return;
	}
	memdev = obj->kind == PM_MEMDEV ?
		AS(pm_memdev, obj) : AS(pm_cxl_target, obj)->memdev;
	set_str(cell, memdev ? memdev->dev : NULL);
}

static void get_serial(const struct out_obj *obj, struct out_cell *cell)
{
	set_u64(cell, AS(pm_memdev, obj)->serial);
	cell->null = !AS(pm_memdev, obj)->has_serial;
}

static void get_pmem_size(const struct out_obj *obj, struct out_cell *cell)
{
	set_u64(cell, AS(pm_memdev, obj)->pmem_size);
}

static void get_ram_size(const struct out_obj *obj, struct out_cell *cell)
{
	set_u64(cell, AS(pm_memdev, obj)->ram_size);
}

static void get_host(const struct out_obj *obj, struct out_cell *cell)
{
	set_str(cell, AS(pm_memdev, obj)->host);
}

/* The engine only reads: the health is cached in the model on first use. */
static const struct pm_memdev_health *mhealth_of(const struct out_obj *obj)
{
	if (obj->kind == OBJ_MEMDEV_HEALTH)
		return obj->ptr;
	return pm_memdev_health((struct pm_memdev *)obj->ptr);
}

/* The table's summary: ok, or the status bits that are set. */
static void get_mem_health(const struct out_obj *obj, struct out_cell *cell)
{
	const struct pm_memdev_health *h = mhealth_of(obj);
	static char buf[96];

	cell->null = h->error != 0;
	if (cell->null)
		return;
	buf[0] = '\0';
	if (!h->media_normal)
		strcat(buf, "media,");
	if (h->maintenance_needed)
		strcat(buf, "maintenance,");
	if (h->performance_degraded)
		strcat(buf, "degraded,");
	if (h->hw_replacement_needed)
		strcat(buf, "replace,");
	if (buf[0])
		buf[strlen(buf) - 1] = '\0';
	cell->str = buf[0] ? buf : "ok";
}

static void get_mem_health_reason(const struct out_obj *obj,
				  struct out_cell *cell)
{
	set_str(cell, pm_memdev_health_reason(mhealth_of(obj)));
}

#define MHEALTH_BOOL(field)						\
static void get_mh_##field(const struct out_obj *obj, struct out_cell *cell)	\
{									\
	cell->b = AS(pm_memdev_health, obj)->field;			\
}
MHEALTH_BOOL(maintenance_needed)
MHEALTH_BOOL(performance_degraded)
MHEALTH_BOOL(hw_replacement_needed)
MHEALTH_BOOL(media_normal)

static void get_mh_life_used(const struct out_obj *obj, struct out_cell *cell)
{
	cell->i = AS(pm_memdev_health, obj)->life_used;
	cell->null = cell->i < 0;
}

static void get_mh_temperature(const struct out_obj *obj, struct out_cell *cell)
{
	cell->i = AS(pm_memdev_health, obj)->temperature;
	cell->null = cell->i == INT32_MIN;
}

static void get_mh_dirty_shutdowns(const struct out_obj *obj,
				   struct out_cell *cell)
{
	cell->i = AS(pm_memdev_health, obj)->dirty_shutdowns;
	cell->null = cell->i < 0;
}

static const struct pm_cxl_region *cxl_of(const struct out_obj *obj)
{
	return AS(pm_region, obj)->cxl;
}

static void get_cxl_region(const struct out_obj *obj, struct out_cell *cell)
{
	set_str(cell, cxl_of(obj) ? cxl_of(obj)->dev : NULL);
}

static void get_ways(const struct out_obj *obj, struct out_cell *cell)
{
	set_u64(cell, cxl_of(obj) ? cxl_of(obj)->ways : 0);
	cell->null = !cell->u;
}

static void get_interleave_granularity(const struct out_obj *obj,
				       struct out_cell *cell)
{
	set_u64(cell, cxl_of(obj) ? cxl_of(obj)->granularity : 0);
	cell->null = !cell->u;
}

static void get_root_decoder(const struct out_obj *obj, struct out_cell *cell)
{
	set_str(cell, cxl_of(obj) ? cxl_of(obj)->decoder : NULL);
}

/* The memdevs in position order, for the table. */
static void get_cxl_memdevs(const struct out_obj *obj, struct out_cell *cell)
{
	const struct pm_cxl_region *cxl = cxl_of(obj);
	static const char *names[64];
	size_t n = 0;

	for (size_t i = 0; cxl && i < cxl->nr_targets && n + 1 < ARRAY_SIZE(names); i++)
		names[n++] = cxl->targets[i].memdev ?
			     cxl->targets[i].memdev->dev : "?";
	names[n] = NULL;
	cell->strv = names;
	cell->null = !cxl;
}

static void get_position(const struct out_obj *obj, struct out_cell *cell)
{
	cell->i = AS(pm_cxl_target, obj)->position;
	cell->null = cell->i < 0;
}

static void get_target_decoder(const struct out_obj *obj, struct out_cell *cell)
{
	set_str(cell, AS(pm_cxl_target, obj)->decoder);
}

/* ------------------------------------------------- CXL root decoders (-W) */

#define WIN(obj) AS(pm_cxl_decoder, obj)

static void get_window(const struct out_obj *obj, struct out_cell *cell)
{
	set_str(cell, WIN(obj)->dev);
}

static void get_window_start(const struct out_obj *obj, struct out_cell *cell)
{
	set_u64(cell, WIN(obj)->resource);
	cell->null = WIN(obj)->resource == UINT64_MAX;
}

static void get_window_size(const struct out_obj *obj, struct out_cell *cell)
{
	set_u64(cell, WIN(obj)->size);
}

static void get_window_free(const struct out_obj *obj, struct out_cell *cell)
{
	set_u64(cell, WIN(obj)->max_available_extent);
	cell->null = WIN(obj)->max_available_extent == UINT64_MAX;
}

static void get_window_ways(const struct out_obj *obj, struct out_cell *cell)
{
	set_u64(cell, WIN(obj)->ways);
	cell->null = !cell->u;
}

static void get_window_granularity(const struct out_obj *obj, struct out_cell *cell)
{
	set_u64(cell, WIN(obj)->granularity);
	cell->null = !cell->u;
}

static void get_pmem_capable(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = WIN(obj)->pmem_capable;
}

static void get_volatile_capable(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = WIN(obj)->volatile_capable;
}

static void get_nr_targets(const struct out_obj *obj, struct out_cell *cell)
{
	set_u64(cell, WIN(obj)->nr_targets);
}

static const char *const no_names[] = { NULL };

static void get_reaches(const struct out_obj *obj, struct out_cell *cell)
{
	cell->strv = WIN(obj)->memdevs ? WIN(obj)->memdevs : no_names;
}

static void get_window_regions(const struct out_obj *obj, struct out_cell *cell)
{
	cell->strv = WIN(obj)->regions ? WIN(obj)->regions : no_names;
}

static void get_window_disabled(const struct out_obj *obj, struct out_cell *cell)
{
	cell->strv = WIN(obj)->disabled_regions ? WIN(obj)->disabled_regions : no_names;
}

/* Firmware: Get Firmware Info, read on first use (pm_dimm_firmware()). */
static const struct pm_firmware *fw_of(const struct out_obj *obj)
{
	return pm_dimm_firmware(AS(pm_dimm, obj));
}

/* A firmware field of lib/firmware.h's table, as ndctl list -F prints it. */
static void get_fw(const struct out_obj *obj, enum pm_fw_field id,
		   struct out_cell *cell)
{
	const struct pm_fw_field_desc *d = &pm_fw_fields[id];
	const void *f = (const char *)fw_of(obj) + d->offset;

	switch (d->type) {
	case PM_FW_VERSION:
		cell->u = ((const struct pm_fw_version *)f)->value;
		cell->null = !((const struct pm_fw_version *)f)->valid;
		break;
	case PM_FW_BOOL:
		cell->b = ((const struct pm_fw_bool *)f)->value;
		cell->null = !((const struct pm_fw_bool *)f)->valid;
		break;
	case PM_FW_NAME:
		set_str(cell, *(const char *const *)f);
		break;
	}
}

#define FW_GETTER(id, ...)						\
static void get_fw_##id(const struct out_obj *obj, struct out_cell *cell) \
{									\
	get_fw(obj, PM_FW_##id, cell);					\
}
PM_FW_FIELDS(FW_GETTER)
#undef FW_GETTER

/* The table shows versions in hex, as ndctl -u and vendors' tools do. */
static void set_hex(struct out_cell *cell, const struct pm_fw_version *v,
		    char *buf, size_t len)
{
	snprintf(buf, len, "0x%llx", (unsigned long long)v->value);
	set_str(cell, v->valid ? buf : NULL);
}

static void get_fw_version_hex(const struct out_obj *obj, struct out_cell *cell)
{
	static char buf[24];

	set_hex(cell, &fw_of(obj)->current_version, buf, sizeof(buf));
}

static void get_fw_next_hex(const struct out_obj *obj, struct out_cell *cell)
{
	static char buf[24];

	set_hex(cell, &fw_of(obj)->next_version, buf, sizeof(buf));
}


/* A CXL memdev's firmware (lib/cxl-firmware.c), read on first use. */
#define MFW(obj) pm_memdev_firmware((struct pm_memdev *)(obj)->ptr)

static void get_mfw_current(const struct out_obj *obj, struct out_cell *cell)
{
	set_str(cell, MFW(obj)->current_version);
}

static void get_mfw_can_update(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = MFW(obj)->can_update;
}

/* The slots need Get FW Info: null without it. */
static void get_mfw_next(const struct out_obj *obj, struct out_cell *cell)
{
	set_str(cell, MFW(obj)->next_version);
}

static void get_mfw_powercycle(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = MFW(obj)->staged_slot != 0;
	cell->null = MFW(obj)->error != 0;
}

static void get_mfw_slots(const struct out_obj *obj, struct out_cell *cell)
{
	set_u64(cell, MFW(obj)->num_slots);
	cell->null = MFW(obj)->error != 0;
}

static void get_mfw_active(const struct out_obj *obj, struct out_cell *cell)
{
	set_u64(cell, MFW(obj)->active_slot);
	cell->null = MFW(obj)->error != 0;
}

static void get_mfw_staged(const struct out_obj *obj, struct out_cell *cell)
{
	set_u64(cell, MFW(obj)->staged_slot);
	cell->null = MFW(obj)->error != 0 || !MFW(obj)->staged_slot;
}

static void get_mfw_online(const struct out_obj *obj, struct out_cell *cell)
{
	cell->b = MFW(obj)->online_activate;
	cell->null = MFW(obj)->error != 0;
}

static void get_mfw_slot_versions(const struct out_obj *obj, struct out_cell *cell)
{
	static const char *const none[] = { NULL };

	cell->strv = MFW(obj)->error ? none : MFW(obj)->slot_versions;
}

static void get_mfw_update_status(const struct out_obj *obj, struct out_cell *cell)
{
	set_str(cell, MFW(obj)->can_update && MFW(obj)->update_status[0] ?
		MFW(obj)->update_status : NULL);
}

static void get_fw_reason(const struct out_obj *obj, struct out_cell *cell)
{
	if (obj->kind == PM_MEMDEV)
		set_str(cell, pm_memdev_fw_reason(MFW(obj)));
	else
		set_str(cell, pm_firmware_reason(fw_of(obj)));
}

static void get_fwa_method(const struct out_obj *obj, struct out_cell *cell)
{
	set_str(cell, pm_bus_fw_activate_method(AS(pm_bus, obj)));
}

static void get_fwa_state(const struct out_obj *obj, struct out_cell *cell)
{
	set_str(cell, pm_bus_fw_activate_state(AS(pm_bus, obj)));
}

static const struct out_column object_columns[] = {
	{ "DEV", "dev", "kernel device name", OUT_STRING, ALL,
	  OUT_DEFAULT | OUT_TREE, get_dev },
#define C (OUT_HIDE_EMPTY)
	{ "MEMDEV", "memdev", "CXL memory device (-C), or a CXL region's memdev: mem0",
	  OUT_STRING, MEMDEV | TARGET, OUT_DEFAULT | C, get_memdev },
	{ "SERIAL", "serial", "CXL memdev serial number", OUT_UINT, MEMDEV,
	  OUT_DEFAULT | OUT_RIGHT | C, get_serial },
	{ "PMEM_SIZE", "pmem_size", "CXL memdev persistent capacity", OUT_SIZE,
	  MEMDEV, OUT_DEFAULT | OUT_RIGHT | C, get_pmem_size },
	{ "RAM_SIZE", "ram_size", "CXL memdev volatile capacity", OUT_SIZE,
	  MEMDEV, OUT_DEFAULT | OUT_RIGHT | C, get_ram_size },
	{ "HOST", "host", "the PCI device of a CXL memdev", OUT_STRING, MEMDEV,
	  OUT_DEFAULT | C, get_host },
	{ "MEM_HEALTH", NULL,
	  "CXL memdev health: ok, or what is wrong: media, maintenance, degraded, replace (table only)",
	  OUT_STRING, MEMDEV, OUT_DEFAULT | C, get_mem_health },
	{ "KIND", NULL, "object kind: bus, dimm, region, namespace, daxdev, memdev, decoder (table only)",
	  OUT_STRING, ALL | MEMDEV | WINDOW, 0, get_kind },
	{ "PROVIDER", "provider", "bus provider: ACPI.NFIT, virtio-pmem, e820, CXL, ...",
	  OUT_STRING, BUS | REGION, OUT_DEFAULT, get_provider },
	{ "BUS", "bus", "the bus a DIMM or region is on", OUT_STRING,
	  DIMM | REGION, 0, get_bus },
	{ "REGION", "region", "the region a namespace or dax device is in",
	  OUT_STRING, NS | DAX, 0, get_region },
	{ "NAMESPACE", "namespace", "the namespace of a dax device", OUT_STRING,
	  DAX, 0, get_namespace },
	{ "TYPE", "type", "region type: pmem, volatile, blk; ram: a CXL ram region (cxl-cli's word)", OUT_STRING,
	  REGION, 0, get_type },
	{ "SIZE", "size", "size (usable size for namespaces)",
	  OUT_SIZE, REGION | NS | DAX, OUT_DEFAULT | OUT_RIGHT, get_size },
	{ "AVAIL", "available_size", "region capacity not used by namespaces",
	  OUT_SIZE, REGION, OUT_DEFAULT | OUT_RIGHT, get_available },
	{ "MAX_EXTENT", "max_available_extent",
	  "largest free extent a new namespace can take", OUT_SIZE, REGION,
	  OUT_RIGHT, get_max_extent },
	{ "MODE", "mode", "namespace mode: raw, sector, fsdax, devdax; dax device: devdax, system-ram",
	  OUT_STRING, NS | DAX, OUT_DEFAULT, get_mode },
	{ "MAP", "map", "where the page map lives: mem or dev (fsdax, devdax)",
	  OUT_STRING, NS, 0, get_map },
	{ "ALIGN", "align", "alignment", OUT_SIZE, REGION | NS | DAX,
	  OUT_DEFAULT | OUT_RIGHT, get_align },
	{ "SECTOR_SIZE", "sector_size", "logical sector size of the block device",
	  OUT_UINT, NS, OUT_RIGHT, get_sector_size },
	{ "DEVICE", NULL, "block or character device (table only)", OUT_STRING,
	  NS | DAX, OUT_DEFAULT, get_device },
	{ "BLOCKDEV", "blockdev", "block device: pmem0, pmem0s", OUT_STRING, NS,
	  0, get_blockdev },
	{ "CHARDEV", "chardev", "device-dax character device: dax0.0",
	  OUT_STRING, NS | DAX, 0, get_chardev },
	{ "UUID", "uuid", "namespace identity (labelled namespaces and claims)",
	  OUT_STRING, NS, 0, get_uuid },
	{ "NAME", "name", "namespace name from its label", OUT_STRING, NS, 0,
	  get_name },
	{ "STATE", "state", "enabled or disabled", OUT_STRING,
	  DIMM | REGION | NS | DAX | MEMDEV, 0, get_state },
	{ "STATE_REASON", "state_reason",
	  "why it is disabled, as far as the kernel says (null: enabled); the table shows it with -i",
	  OUT_STRING, DIMM | REGION | NS | DAX | MEMDEV, OUT_HIDE_EMPTY, get_state_reason },
	{ "NUMA_NODE", "numa_node", "NUMA node of the CPU side", OUT_INT,
	  REGION | NS | MEMDEV, OUT_RIGHT, get_numa_node },
	{ "TARGET_NODE", "target_node", "NUMA node the memory would online to",
	  OUT_INT, REGION | NS | DAX, OUT_RIGHT, get_target_node },
	{ "ZONE", "zone",
	  "system-ram: the zone of its online memory blocks: movable, normal, mixed (null: none online)",
	  OUT_STRING, DAX, OUT_DEFAULT | OUT_HIDE_EMPTY, get_zone },
	{ "MOVABLE", "movable",
	  "system-ram: its online memory is in ZONE_MOVABLE (null: none online)",
	  OUT_BOOL, DAX, OUT_HIDE_EMPTY, get_movable },
	{ "ONLINE_BLOCKS", "online_memblocks", "system-ram: memory blocks online",
	  OUT_UINT, DAX, OUT_RIGHT | OUT_HIDE_EMPTY, get_online_blocks },
	{ "TOTAL_BLOCKS", "total_memblocks", "system-ram: memory blocks kmem added",
	  OUT_UINT, DAX, OUT_RIGHT | OUT_HIDE_EMPTY, get_total_blocks },
	{ "ONLINE_SIZE", "online_size", "system-ram: bytes online as system RAM",
	  OUT_SIZE, DAX, OUT_RIGHT | OUT_HIDE_EMPTY, get_online_size },
	{ "PERSISTENCE", "persistence_domain",
	  "persistence domain: cpu_cache, memory_controller, none, unknown",
	  OUT_STRING, REGION | NS, OUT_DEFAULT, get_persistence },
	{ "DEEP_FLUSH", "deep_flush",
	  "region deep_flush attribute: writable, read-only, absent",
	  OUT_STRING, REGION, OUT_DEFAULT, get_deep_flush },
	{ "REASON", "persistence_reason",
	  "why the domain is unknown or none, or why CXL has memory_controller (null when the firmware declares it)", OUT_STRING,
	  REGION | NS, 0, get_reason },
	{ "FLUSH", "deep_flush_capability",
	  "deep flush: supported (flush hints), not-needed (platform persistence), absent",
	  OUT_STRING, REGION, 0, get_flush_cap },
	{ "FLUSH_PERM", "deep_flush_permitted",
	  "the caller may write the region's deep_flush", OUT_BOOL, REGION, 0,
	  get_flush_permitted },
	{ "ASYNC", "async",
	  "asynchronous region (virtio-pmem): flushes go to the host, no MAP_SYNC",
	  OUT_BOOL, REGION, 0, get_async },
	{ "DAX", "dax", "loads and stores reach the media (fsdax, devdax)",
	  OUT_BOOL, NS, 0, get_dax },
	{ "MAP_SYNC", "map_sync", "MAP_SYNC mappings are possible", OUT_BOOL, NS,
	  0, get_map_sync },
	{ "GRANULARITY", "granularity",
	  "what a store needs to be durable: byte, cache-line, page, none",
	  OUT_STRING, NS, 0, get_granularity },
	{ "RECIPE", "recipe", "what an application must do after a store",
	  OUT_STRING, NS, 0, get_recipe },
	{ "FLUSH_PATH", "deep_flush_path",
	  "how a deep flush reaches it: sysfs, fsync, sysfs+fsync, not-needed, none",
	  OUT_STRING, NS, 0, get_flush_path },
	{ "FUA", "fua", "the block device advertises FUA (queue/fua)", OUT_BOOL,
	  NS, 0, get_fua },
	{ "WRITE_CACHE", "write_cache",
	  "the block queue has a write cache: fsync sends a flush", OUT_BOOL, NS,
	  0, get_write_cache },
	{ "DAX_WC", "dax_write_cache",
	  "dax/write_cache: the kernel writes back CPU caches on fsync", OUT_BOOL,
	  NS, 0, get_dax_write_cache },
	{ "ISET_ID", "iset_id", "interleave set cookie (unsigned, as ndctl prints it)", OUT_UINT, REGION,
	  OUT_RIGHT, get_iset_id },
#define CR (OUT_ON_REQUEST | OUT_HIDE_EMPTY)
	{ "CXL_REGION", "cxl_region",
	  "the CXL region behind a region of a CXL bus (JSON: on CXL platforms)",
	  OUT_STRING, REGION, CR, get_cxl_region },
	{ "WAYS", "interleave_ways", "CXL region: how many memdevs it interleaves",
	  OUT_UINT, REGION, CR | OUT_RIGHT, get_ways },
	{ "INTERLEAVE", "interleave_granularity",
	  "CXL region: bytes on one memdev before the next", OUT_UINT, REGION,
	  CR | OUT_RIGHT, get_interleave_granularity },
	{ "ROOT_DECODER", "decoder",
	  "CXL region: the root decoder (memory window) it was made in",
	  OUT_STRING, REGION, CR, get_root_decoder },
	{ "CXL_MEMDEVS", NULL,
	  "CXL region: its memdevs in position order (table only)", OUT_STRV,
	  REGION, CR, get_cxl_memdevs },
	{ "CXL_TARGETS", "memdevs",
	  "CXL region: its memdevs with position and endpoint decoder, in position order (JSON only)",
	  OUT_ARRAY, REGION, CR, NULL, OBJ_CXL_TARGET },
	{ "POSITION", "position", "the memdev's position in the CXL region",
	  OUT_INT, TARGET, OUT_RIGHT | C, get_position },
	{ "DECODER", "decoder", "the memdev's endpoint decoder for the region",
	  OUT_STRING, TARGET, C, get_target_decoder },
	{ "ID", "id", "DIMM unique id", OUT_STRING, DIMM, 0, get_dimm_id },
	{ "HANDLE", "handle", "DIMM NFIT handle", OUT_UINT, DIMM, OUT_RIGHT,
	  get_handle },
	{ "PHYS_ID", "phys_id", "DIMM physical id (SMBIOS)", OUT_UINT, DIMM,
	  OUT_RIGHT, get_phys_id },
	{ "CXL_MEMDEV", "memdev",
	  "the CXL memdev of a CXL bus's DIMM, when a region links them (JSON: on CXL platforms)",
	  OUT_STRING, DIMM, CR, get_dimm_memdev },
	{ "FLAGS", NULL, "DIMM health flags that are set (table only)",
	  OUT_STRING, DIMM, OUT_DEFAULT, get_flags },
	{ "FAILED_SAVE", "flag_failed_save", "the last save to media failed",
	  OUT_BOOL, DIMM, 0, get_failed_save },
	{ "FAILED_ARM", "flag_failed_arm", "not armed: the next save may fail",
	  OUT_BOOL, DIMM, 0, get_failed_arm },
	{ "FAILED_RESTORE", "flag_failed_restore", "the last restore failed",
	  OUT_BOOL, DIMM, 0, get_failed_restore },
	{ "FAILED_FLUSH", "flag_failed_flush", "the last flush did not complete",
	  OUT_BOOL, DIMM, 0, get_failed_flush },
	{ "FAILED_MAP", "flag_failed_map", "not mapped into the address space",
	  OUT_BOOL, DIMM, 0, get_failed_map },
	{ "SMART_EVENT", "flag_smart_event", "a SMART event is pending",
	  OUT_BOOL, DIMM, 0, get_smart_event },
	/* The security fields (lib/security.h), ndctl list -D's keys. */
#define SECURITY_OUT_STRING OUT_STRING, DIMM | MEMDEV, OUT_DEFAULT | OUT_HIDE_EMPTY
#define SECURITY_OUT_BOOL OUT_BOOL, DIMM | MEMDEV, 0
#define SECURITY_COLUMN(id, column, key, type, help, ...)		\
	{ column, key, help, SECURITY_OUT_##type, get_security_##id },
	PM_SECURITY_FIELDS(SECURITY_COLUMN)
#undef SECURITY_COLUMN
#undef SECURITY_OUT_STRING
#undef SECURITY_OUT_BOOL
#define H (OUT_ON_REQUEST)
#define HR (OUT_ON_REQUEST | OUT_RIGHT)
	/* The SMART fields (lib/health.h), each a key of ndctl's "health". */
#define SMART_OUT_NAME OUT_STRING, DIMM, H
#define SMART_OUT_TEMP OUT_FLOAT, DIMM, HR
#define SMART_OUT_UINT OUT_INT, DIMM, HR
#define SMART_OUT_BOOL OUT_BOOL, DIMM, H
#define SMART_COLUMN(id, member, column, key, type, unit, flags, names, help, ...) \
	{ column, "health." key, help, SMART_OUT_##type, get_smart_##id },
	PM_SMART_FIELDS(SMART_COLUMN)
#undef SMART_COLUMN
#undef SMART_OUT_NAME
#undef SMART_OUT_TEMP
#undef SMART_OUT_UINT
#undef SMART_OUT_BOOL
	{ "DIRTY_SHUTDOWN", "health.dirty_shutdown",
	  "unsafe shutdowns as the kernel counts them (PMDK reads it)",
	  OUT_INT, DIMM, HR, get_dirty_shutdown },
	{ "HEALTH_REASON", "health_reason",
	  "why the SMART values are null; null when they were read (show)",
	  OUT_STRING, DIMM, H, get_health_reason },
#undef H
#undef HR
#define F (OUT_ON_REQUEST | OUT_HIDE_EMPTY)
	/* The firmware fields (lib/firmware.h), each a key of ndctl's "firmware". */
	{ "FIRMWARE", NULL, "the running firmware version, in hex (table only)",
	  OUT_STRING, DIMM, F | OUT_RIGHT, get_fw_version_hex },
	{ "FW_STAGED", NULL,
	  "the staged firmware version, in hex; empty: none staged (table only)",
	  OUT_STRING, DIMM, F | OUT_RIGHT, get_fw_next_hex },
#define FW_OUT_VERSION OUT_UINT, DIMM, F | OUT_RIGHT
#define FW_OUT_BOOL OUT_BOOL, DIMM, F
#define FW_OUT_NAME OUT_STRING, DIMM, F
#define FW_COLUMN(id, member, column, key, type, help)			\
	{ column, "firmware." key, help, FW_OUT_##type, get_fw_##id },
	PM_FW_FIELDS(FW_COLUMN)
#undef FW_COLUMN
#undef FW_OUT_VERSION
#undef FW_OUT_BOOL
#undef FW_OUT_NAME
	/* A CXL memdev's: its revisions are strings, its slots cxl list -F's keys. */
	{ "MEM_FIRMWARE", "firmware.current_version",
	  "CXL memdev: the running firmware revision (firmware_version)",
	  OUT_STRING, MEMDEV, F, get_mfw_current },
	{ "MEM_FW_CAN_UPDATE", "firmware.can_update",
	  "CXL memdev: the kernel's firmware upload takes an image (/sys/class/firmware/memN)",
	  OUT_BOOL, MEMDEV, F, get_mfw_can_update },
	{ "MEM_FW_NEXT", "firmware.next_version",
	  "CXL memdev: the staged slot's revision, run after the next reset (null: none staged)",
	  OUT_STRING, MEMDEV, F, get_mfw_next },
	{ "MEM_FW_POWERCYCLE", "firmware.need_powercycle",
	  "CXL memdev: a slot is staged, which only a reset activates (kernel 6.12 activates offline)",
	  OUT_BOOL, MEMDEV, F, get_mfw_powercycle },
	{ "MEM_FW_SLOTS", "firmware.num_slots", "CXL memdev: its firmware slots",
	  OUT_UINT, MEMDEV, F | OUT_RIGHT, get_mfw_slots },
	{ "MEM_FW_ACTIVE", "firmware.active_slot", "CXL memdev: the slot it runs",
	  OUT_UINT, MEMDEV, F | OUT_RIGHT, get_mfw_active },
	{ "MEM_FW_STAGED", "firmware.staged_slot",
	  "CXL memdev: the slot it runs after the next reset (null: none)",
	  OUT_UINT, MEMDEV, F | OUT_RIGHT, get_mfw_staged },
	{ "MEM_FW_ONLINE", "firmware.online_activate_capable",
	  "CXL memdev: it can activate a slot live", OUT_BOOL, MEMDEV, F,
	  get_mfw_online },
	{ "MEM_FW_SLOT_VERSIONS", "firmware.slot_versions",
	  "CXL memdev: each slot's revision, slot 1 first (\"\": empty)",
	  OUT_STRV, MEMDEV, F, get_mfw_slot_versions },
	{ "MEM_FW_UPDATE", "firmware.update_status",
	  "CXL memdev: the upload class's status: idle, receiving, preparing, transferring, programming",
	  OUT_STRING, MEMDEV, F, get_mfw_update_status },
	{ "FW_REASON", "firmware_reason",
	  "why the firmware values are null; null when they were read (show)",
	  OUT_STRING, DIMM | MEMDEV, F, get_fw_reason },
	{ "FWA_METHOD", "firmware.activate_method",
	  "bus: how it activates staged firmware: live, suspend (a quiesce), reset (null: no DIMM of it can update)",
	  OUT_STRING, BUS, F, get_fwa_method },
	{ "FWA_STATE", "firmware.activate_state",
	  "bus: idle, armed (a DIMM waits for activation), overflow (too many armed to activate live)",
	  OUT_STRING, BUS, F, get_fwa_state },
#undef F
	{ "MEM_HEALTH_OBJ", "health",
	  "CXL memdev health (Get Health Info); null when unread (JSON only)",
	  OUT_OBJECT, MEMDEV, C, NULL, OBJ_MEMDEV_HEALTH },
	{ "MEM_REASON", "health_reason",
	  "why a CXL memdev's health is null; null when it was read",
	  OUT_STRING, MEMDEV, C, get_mem_health_reason },
	{ "MAINTENANCE", "maintenance_needed", "the memdev asks for maintenance",
	  OUT_BOOL, MHEALTH, C, get_mh_maintenance_needed },
	{ "DEGRADED", "performance_degraded", "the memdev's performance is degraded",
	  OUT_BOOL, MHEALTH, C, get_mh_performance_degraded },
	{ "REPLACE", "hw_replacement_needed", "the memdev needs replacing",
	  OUT_BOOL, MHEALTH, C, get_mh_hw_replacement_needed },
	{ "MEDIA_NORMAL", "media_normal", "the memdev's media are normal",
	  OUT_BOOL, MHEALTH, C, get_mh_media_normal },
	{ "MEM_LIFE_USED", "life_used_percent", "life used, percent (null: not reported)",
	  OUT_INT, MHEALTH, OUT_RIGHT | C, get_mh_life_used },
	{ "MEM_TEMP", "temperature", "device temperature, degrees Celsius (null: not reported)",
	  OUT_INT, MHEALTH, OUT_RIGHT | C, get_mh_temperature },
	{ "MEM_DIRTY", "dirty_shutdowns", "unsafe shutdowns the memdev counted",
	  OUT_INT, MHEALTH, OUT_RIGHT | C, get_mh_dirty_shutdowns },
#undef C
#undef CR
	{ "BADBLOCKS", NULL,
	  "bad 512-byte sectors (media errors) it holds; shown when any (table only)",
	  OUT_UINT, REGION | NS, OUT_DEFAULT | OUT_RIGHT | OUT_HIDE_EMPTY,
	  get_badblock_count },
	{ "BADBLOCK_COUNT", "badblock_count",
	  "bad 512-byte sectors: ndctl's count, plus those only the block device lists, plus CXL poison (-M)",
	  OUT_UINT, REGION | NS | MEMDEV, OUT_ON_REQUEST | OUT_RIGHT | OUT_HIDE_EMPTY,
	  get_badblock_count },
	{ "BADBLOCK_LIST", "badblocks", "the bad ranges (-M; JSON only)",
	  OUT_ARRAY, REGION | NS | MEMDEV, OUT_ON_REQUEST | OUT_HIDE_EMPTY, NULL,
	  OBJ_BADBLOCK },
	{ "POISON_REASON", "poison_reason",
	  "why a CXL region's or memdev's poison is not listed, e.g. not supported by this kernel (-M); null when it is",
	  OUT_STRING, REGION | MEMDEV, OUT_ON_REQUEST | OUT_HIDE_EMPTY, get_poison_reason },
	{ "OFFSET", "offset",
	  "first bad sector (512 bytes), counted as ndctl list -M does (block: from the block device's sector 0)",
	  OUT_UINT, BADBLOCK, OUT_RIGHT | OUT_HIDE_EMPTY, get_bb_offset },
	{ "LENGTH", "length", "bad sectors in the range", OUT_UINT, BADBLOCK,
	  OUT_RIGHT | OUT_HIDE_EMPTY, get_bb_length },
	{ "DIMMS", "dimms", "the DIMMs under the range (ARS ranges)", OUT_STRV,
	  BADBLOCK, OUT_HIDE_EMPTY, get_bb_dimms },
	{ "SOURCE", "source",
	  "ars: the region's list (ndctl list -M); block: only the block device's badblocks; poison: a CXL memdev's poison list",
	  OUT_STRING, BADBLOCK, OUT_HIDE_EMPTY, get_bb_source },
	/* CXL poison: in JSON on a CXL platform only (object_select_poison()). */
#define P (OUT_ON_REQUEST | OUT_HIDE_EMPTY)
	{ "BB_MEMDEV", "memdev", "CXL poison: the memdev whose poison list holds it",
	  OUT_STRING, BADBLOCK, P, get_memdev },
	{ "DPA", "dpa", "CXL poison: the device physical address of the poisoned bytes",
	  OUT_UINT, BADBLOCK, OUT_RIGHT | P, get_bb_dpa },
	{ "DPA_LENGTH", "dpa_length", "CXL poison: how many bytes (a multiple of 64)",
	  OUT_UINT, BADBLOCK, OUT_RIGHT | P, get_bb_dpa_length },
	{ "HPA", "hpa", "CXL poison: the host physical address the region maps it at (null: not mapped)",
	  OUT_UINT, BADBLOCK, OUT_RIGHT | P, get_bb_hpa },
	{ "POISON_SOURCE", "poison_source",
	  "CXL poison: what the device says put it there: Injected, Media, External, Internal, Vendor",
	  OUT_STRING, BADBLOCK, P, get_bb_poison_source },
#undef P
	/* CXL root decoders (-W): last, so that their keys name the older columns first (-o size). */
#define C (OUT_HIDE_EMPTY)
	{ "WINDOW", "decoder",
	  "CXL root decoder (-W): a fixed memory window CXL regions are made in, decoder0.0",
	  OUT_STRING, WINDOW, OUT_DEFAULT | C, get_window },
	{ "W_START", "resource", "root decoder: the window's start address",
	  OUT_UINT, WINDOW, OUT_RIGHT | C, get_window_start },
	{ "W_SIZE", "size", "root decoder: the window's size", OUT_SIZE,
	  WINDOW, OUT_DEFAULT | OUT_RIGHT | C, get_window_size },
	{ "W_WAYS", "interleave_ways",
	  "root decoder: how many host bridges the window interleaves",
	  OUT_UINT, WINDOW, OUT_DEFAULT | OUT_RIGHT | C, get_window_ways },
	{ "W_FREE", "max_available_extent",
	  "root decoder: its largest free range, what a new region can take (before a region's alignment)",
	  OUT_SIZE, WINDOW, OUT_DEFAULT | OUT_RIGHT | C, get_window_free },
	{ "W_GRANULARITY", "interleave_granularity",
	  "root decoder: bytes on one host bridge before the next",
	  OUT_UINT, WINDOW, OUT_RIGHT | C, get_window_granularity },
	{ "PMEM_CAPABLE", "pmem_capable",
	  "root decoder: persistent memory regions can be made in it", OUT_BOOL,
	  WINDOW, OUT_DEFAULT | C, get_pmem_capable },
	{ "VOLATILE_CAPABLE", "volatile_capable",
	  "root decoder: volatile regions can be made in it", OUT_BOOL,
	  WINDOW, C, get_volatile_capable },
	{ "W_TARGETS", "nr_targets", "root decoder: its host bridges", OUT_UINT,
	  WINDOW, OUT_RIGHT | C, get_nr_targets },
	{ "REACHES", "memdevs",
	  "root decoder: the memdevs behind it, which a region in it can interleave",
	  OUT_STRV, WINDOW, OUT_DEFAULT | C, get_reaches },
	{ "W_REGIONS", "cxl_regions",
	  "root decoder: the CXL regions made in it (cxl:regionN to enable, disable or destroy-region)",
	  OUT_STRV, WINDOW, OUT_DEFAULT | C, get_window_regions },
	{ "W_DISABLED", "disabled_cxl_regions",
	  "root decoder: those of its CXL regions that are disabled (pmemctl enable cxl:regionN)",
	  OUT_STRV, WINDOW, C, get_window_disabled },
#undef C
};

/* The nested kinds have no array of their own: their column names it. */
static const char *const kind_keys[NR_OBJECT_KINDS] = {
	[PM_BUS] = "buses",
	[PM_DIMM] = "dimms",
	[PM_REGION] = "regions",
	[PM_NAMESPACE] = "namespaces",
	[PM_DAXDEV] = "daxdevs",
	[PM_MEMDEV] = "memdevs",
	[PM_DECODER] = "decoders",
	[OBJ_BADBLOCK] = "badblocks",
};

static const char *const kind_names[NR_OBJECT_KINDS] = {
	PM_KIND_NAME_INITIALIZERS,
	[OBJ_BADBLOCK] = "badblock",
	[OBJ_CXL_TARGET] = "cxl_target",
	[OBJ_MEMDEV_HEALTH] = "memdev_health",
};

/* -H: every health key in JSON; these in the table. */
static const char *const health_table[] = {
	"HEALTH", "TEMP", "SPARES", "LIFE_USED", "SHUTDOWN", "SHUTDOWN_COUNT",
	"DIRTY_SHUTDOWN",
};

int object_select_health(struct out_selection *sel, bool json)
{
	for (size_t i = 0; i < ARRAY_SIZE(object_columns); i++) {
		const struct out_column *col = &object_columns[i];
		bool add = json && col->key && strncmp(col->key, "health.", 7) == 0;
		int rc;

		for (size_t j = 0; !json && j < ARRAY_SIZE(health_table); j++)
			add |= strcmp(col->name, health_table[j]) == 0;
		if (!add)
			continue;
		rc = out_select_add(sel, i);
		if (rc)
			return rc;
	}
	return 0;
}

/* -F: every firmware key in JSON; these in the table. */
static const char *const firmware_table[] = {
	"FIRMWARE", "FW_STAGED", "FW_STATE", "FW_CAN_UPDATE", "FW_POWERCYCLE",
	"FWA_METHOD", "FWA_STATE", "MEM_FIRMWARE", "MEM_FW_NEXT", "MEM_FW_UPDATE",
};

int object_select_firmware(struct out_selection *sel, bool json)
{
	for (size_t i = 0; i < ARRAY_SIZE(object_columns); i++) {
		const struct out_column *col = &object_columns[i];
		bool add = json && col->key && strncmp(col->key, "firmware.", 9) == 0;
		int rc;

		for (size_t j = 0; !json && j < ARRAY_SIZE(firmware_table); j++)
			add |= strcmp(col->name, firmware_table[j]) == 0;
		if (!add)
			continue;
		rc = out_select_add(sel, i);
		if (rc)
			return rc;
	}
	return 0;
}

/* Adds the column of that header to sel; -ENOENT when there is none. */
static int select_named(struct out_selection *sel, const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(object_columns); i++)
		if (strcmp(object_columns[i].name, name) == 0)
			return out_select_add(sel, i);
	return -ENOENT;
}

int object_select_firmware_reason(struct out_selection *sel)
{
	return select_named(sel, "FW_REASON");
}

bool object_firmware_denied(const struct pm_platform *pf)
{
	bool denied = false;

	for (size_t i = 0; i < pf->nr_dimms; i++)
		if (pf->dimms[i]->firmware)
			denied |= pm_firmware_denied(pf->dimms[i]->firmware);
	return denied;
}

int object_select_state(struct out_selection *sel)
{
	int rc;

	if (sel->explicit_columns)
		return 0;
	rc = select_named(sel, "STATE");
	return rc ? rc : select_named(sel, "STATE_REASON");
}

int object_select_health_reason(struct out_selection *sel)
{
	return select_named(sel, "HEALTH_REASON");
}

bool object_health_denied(const struct pm_platform *pf)
{
	bool denied = false;

	for (size_t i = 0; i < pf->nr_dimms; i++)
		if (pf->dimms[i]->health)
			denied |= pm_health_denied(pf->dimms[i]->health);
	return denied;
}

int object_select_media_errors(struct out_selection *sel)
{
	for (size_t i = 0; i < ARRAY_SIZE(object_columns); i++) {
		const char *key = object_columns[i].key;
		int rc = 0;

		if (key && (!strcmp(key, "badblock_count") || !strcmp(key, "badblocks")))
			rc = out_select_add(sel, i);
		if (rc)
			return rc;
	}
	return 0;
}

int object_select_poison(struct out_selection *sel, const struct pm_platform *pf)
{
	if (!pm_platform_has_cxl(pf))
		return 0;
	static const char *const poison_keys[] = {
		"POISON_REASON", "BB_MEMDEV", "DPA", "DPA_LENGTH", "HPA", "POISON_SOURCE",
	};

	for (size_t i = 0; i < ARRAY_SIZE(object_columns); i++)
		for (size_t j = 0; j < ARRAY_SIZE(poison_keys); j++)
			if (strcmp(object_columns[i].name, poison_keys[j]) == 0) {
				int rc = out_select_add(sel, i);

				if (rc)
					return rc;
			}
	return 0;
}

static int add_badblocks(struct out_node *node)
{
	const struct pm_badblocks *bbs = NULL;

	if (node->obj.kind == PM_REGION || node->obj.kind == PM_NAMESPACE ||
	    node->obj.kind == PM_MEMDEV)
		bbs = badblocks_of(&node->obj);
	for (size_t i = 0; bbs && i < bbs->nr; i++)
		if (!out_node_add(node, OBJ_BADBLOCK, &bbs->v[i]))
			return -ENOMEM;
	/* Not the entries just added: they have no children. */
	for (size_t i = 0; i < node->nr_children; i++) {
		int rc;

		if (node->children[i].obj.kind == OBJ_BADBLOCK)
			continue;
		rc = add_badblocks(&node->children[i]);
		if (rc)
			return rc;
	}
	return 0;
}

int object_add_badblocks(struct out_node *root, const struct out_selection *sel)
{
	for (size_t i = 0; i < ARRAY_SIZE(object_columns); i++)
		if (object_columns[i].child_kind == OBJ_BADBLOCK &&
		    object_columns[i].type == OUT_ARRAY && out_selected(sel, i))
			return add_badblocks(root);
	return 0;
}

/*
 * On a CXL platform JSON carries the CXL keys of regions and DIMMs (null
 * where a region is not CXL's); elsewhere the documents stay as they were.
 */
int object_select_cxl(struct out_selection *sel, const struct pm_platform *pf)
{
	static const char *const cxl_keys[] = {
		"CXL_REGION", "WAYS", "INTERLEAVE", "ROOT_DECODER", "CXL_TARGETS",
		"CXL_MEMDEV",
	};

	if (sel->explicit_columns || !pm_platform_has_cxl(pf))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(object_columns); i++) {
		int rc = 0;

		for (size_t j = 0; j < ARRAY_SIZE(cxl_keys); j++)
			if (strcmp(object_columns[i].name, cxl_keys[j]) == 0)
				rc = out_select_add(sel, i);
		if (rc)
			return rc;
	}
	return 0;
}

static int add_cxl(struct out_node *node, bool targets, bool health)
{
	if (targets && node->obj.kind == PM_REGION) {
		const struct pm_cxl_region *cxl = AS(pm_region, &node->obj)->cxl;

		for (size_t i = 0; cxl && i < cxl->nr_targets; i++)
			if (!out_node_add(node, OBJ_CXL_TARGET, &cxl->targets[i]))
				return -ENOMEM;
	}
	if (health && node->obj.kind == PM_MEMDEV) {
		const struct pm_memdev_health *h = mhealth_of(&node->obj);

		if (!h->error && !out_node_add(node, OBJ_MEMDEV_HEALTH, h))
			return -ENOMEM;
	}
	for (size_t i = 0; i < node->nr_children; i++) {
		int kind = node->children[i].obj.kind, rc;

		if (kind == OBJ_CXL_TARGET || kind == OBJ_MEMDEV_HEALTH)
			continue;
		rc = add_cxl(&node->children[i], targets, health);
		if (rc)
			return rc;
	}
	return 0;
}

int object_add_cxl(struct out_node *root, const struct out_selection *sel)
{
	bool targets = false, health = !sel->explicit_columns;

	for (size_t i = 0; i < ARRAY_SIZE(object_columns); i++) {
		if (object_columns[i].child_kind == OBJ_CXL_TARGET &&
		    out_selected(sel, i))
			targets = true;
		if (object_columns[i].child_kind == OBJ_MEMDEV_HEALTH &&
		    out_selected(sel, i))
			health = true;
	}
	return add_cxl(root, targets, health);
}

const struct out_spec object_spec = {
	.columns = object_columns,
	.nr_columns = ARRAY_SIZE(object_columns),
	.kind_keys = kind_keys,
	.kind_names = kind_names,
	.nr_kinds = NR_OBJECT_KINDS,
	/*
	 * 2: CXL memdevs (-C) and the CXL keys of regions and DIMMs.
	 * 3: persistence_reason also says why CXL has memory_controller.
	 * 4: the system-ram keys of dax devices (zone, movable, memblocks).
	 * 5: state_reason; CXL root decoders (-W).
	 * 6: security, security_frozen.
	 * 7: CXL poison: badblocks of memdevs, poison keys of a range.
	 * 8: DIMM and bus firmware (-F), firmware_reason.
	 * 9: a CXL memdev's security, security_frozen and firmware (-F).
	 */
	.schema_version = 9,
};
