// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl metrics: the platform's state in Prometheus' text exposition format. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "../lib/badblocks.h"
#include "../lib/compat.h"
#include "../lib/firmware.h"
#include "../lib/health.h"
#include "../lib/pmem.h"
#include "../lib/scrub.h"
#include "../lib/security.h"
#include "../lib/sysram.h"
#include "pmemctl.h"
#include "../lib/cxl.h"

/* One label of a sample; a list of them ends with a NULL name. */
struct label {
	const char *name;
	const char *value;
};

struct emitter {
	FILE *f;
	const struct pm_platform *pf;	/* NULL: the platform was not readable */
	const char *family;		/* the family being written */
	double started;			/* CLOCK_REALTIME, seconds */
	const struct pm_smart_field *field;	/* a SMART field's family: which */
	bool failed;			/* a read failed: pmem_collect_success 0 */
};

/*
 * Label values escape backslash, double quote and newline, the three
 * characters the text format reserves there. Before that, the sysfs
 * string is made UTF-8 (else the collector drops the whole file) and
 * inert on a terminal: \xNN for a control character or a byte that is not
 * UTF-8, \\ for a backslash, read back as JSON strings are.
 */
static void put_label_value(FILE *f, const char *bytes)
{
	char *text = esc_text(bytes, ESC_HEX);
	const char *value = text ? text : "?";

	for (; *value; value++) {
		if (*value == '\\' || *value == '"')
			fputc('\\', f);
		fputc(*value, f);
	}
	free(text);
}

/* Integers as integers (sizes exceed a float's default precision). */
static void put_value(FILE *f, double value)
{
	if (value == floor(value) && fabs(value) < 1e17)
		fprintf(f, "%.0f", value);
	else
		fprintf(f, "%.15g", value);
}

static void sample(struct emitter *e, const struct label *labels, double value)
{
	bool first = true;

	fputs(e->family, e->f);
	for (; labels && labels->name; labels++) {
		if (!labels->value)
			continue;
		fprintf(e->f, "%s%s=\"", first ? "{" : ",", labels->name);
		put_label_value(e->f, labels->value);
		fputc('"', e->f);
		first = false;
	}
	if (!first)
		fputc('}', e->f);
	fputc(' ', e->f);
	put_value(e->f, value);
	fputc('\n', e->f);
}

#define LABELS(...) ((const struct label[]){ __VA_ARGS__, { NULL, NULL } })

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the collector itself ------------------------------------------- */

static void collect_timestamp(struct emitter *e)
{
	sample(e, NULL, e->started);
}

static void collect_success(struct emitter *e)
{
	sample(e, NULL, !e->failed && e->pf);
}

static void collect_build(struct emitter *e)
{
	sample(e, LABELS({ "version", PACKAGE_VERSION }), 1);
}

static void collect_verdict(struct emitter *e)
{
	const struct pm_platform *pf = e->pf;

	sample(e, LABELS({ "persistence_domain", pm_domain_name(pf->verdict) },
			 { "granularity", pf->weakest ?
			   pm_granularity_name(pf->verdict_granularity) : "" }), 1);
}

static void collect_bus_info(struct emitter *e)
{
	for (size_t i = 0; i < e->pf->nr_buses; i++) {
		const struct pm_bus *bus = e->pf->buses[i];

		sample(e, LABELS({ "bus", bus->dev }, { "provider", bus->provider }), 1);
	}
}

/* Buses with ARS only; a scrub file that cannot be read fails the collection. */
static void collect_scrub(struct emitter *e, bool running)
{
	for (size_t i = 0; i < e->pf->nr_buses; i++) {
		struct pm_scrub_state st;

		if (pm_bus_scrub_state(e->pf->buses[i], &st)) {
			e->failed = true;
			continue;
		}
		if (st.supported)
			sample(e, LABELS({ "bus", e->pf->buses[i]->dev }),
			       running ? st.running : st.count);
	}
}

static void collect_scrubs(struct emitter *e)
{
	collect_scrub(e, false);
}

static void collect_scrub_running(struct emitter *e)
{
	collect_scrub(e, true);
}

static bool region_shown(const struct pm_region *region)
{
	return region->enabled || region->size;
}

#define REGION_LABELS(r) { "region", (r)->dev }, { "bus", (r)->bus->dev }

static void collect_region_info(struct emitter *e)
{
	for (size_t i = 0; i < e->pf->nr_regions; i++) {
		const struct pm_region *r = e->pf->regions[i];

		if (!region_shown(r))
			continue;
		sample(e, LABELS(REGION_LABELS(r),
				 { "provider", r->bus->provider },
				 { "type", r->type },
				 { "persistence_domain", pm_domain_name(r->domain) },
				 { "deep_flush", pm_deep_flush_attr_name(r->deep_flush) },
				 { "deep_flush_capability", pm_flush_cap_name(r->flush_cap) },
				 { "state", r->enabled ? "enabled" : "disabled" }), 1);
	}
}

static void collect_region_size(struct emitter *e)
{
	for (size_t i = 0; i < e->pf->nr_regions; i++)
		if (region_shown(e->pf->regions[i]))
			sample(e, LABELS(REGION_LABELS(e->pf->regions[i])),
			       e->pf->regions[i]->size);
}

static void collect_region_available(struct emitter *e)
{
	for (size_t i = 0; i < e->pf->nr_regions; i++)
		if (region_shown(e->pf->regions[i]))
			sample(e, LABELS(REGION_LABELS(e->pf->regions[i])),
			       e->pf->regions[i]->available_size);
}

static void collect_region_errors(struct emitter *e)
{
	for (size_t i = 0; i < e->pf->nr_regions; i++)
		if (region_shown(e->pf->regions[i]))
			sample(e, LABELS(REGION_LABELS(e->pf->regions[i])),
			       pm_region_badblocks(e->pf->regions[i])->count * 512.0);
}

static void collect_region_ranges(struct emitter *e)
{
	for (size_t i = 0; i < e->pf->nr_regions; i++)
		if (region_shown(e->pf->regions[i]))
			sample(e, LABELS(REGION_LABELS(e->pf->regions[i])),
			       pm_region_badblocks(e->pf->regions[i])->nr);
}

/* As list shows them: a disabled seed namespace is not one the user made. */
static bool namespace_shown(const struct pm_namespace *ns)
{
	return ns->active;
}

#define NS_LABELS(ns) { "namespace", (ns)->dev }, { "region", (ns)->region->dev }

static void collect_namespace_info(struct emitter *e)
{
	for (size_t i = 0; i < e->pf->nr_namespaces; i++) {
		const struct pm_namespace *ns = e->pf->namespaces[i];

		if (!namespace_shown(ns))
			continue;
		sample(e, LABELS(NS_LABELS(ns),
				 { "mode", pm_ns_mode_name(ns->mode) },
				 { "blockdev", ns->blockdev },
				 { "chardev", ns->chardev },
				 { "persistence_domain", pm_domain_name(ns->region->domain) },
				 { "granularity", pm_granularity_name(ns->granularity) }), 1);
	}
}

static void collect_namespace_size(struct emitter *e)
{
	for (size_t i = 0; i < e->pf->nr_namespaces; i++)
		if (namespace_shown(e->pf->namespaces[i]))
			sample(e, LABELS(NS_LABELS(e->pf->namespaces[i])),
			       e->pf->namespaces[i]->size);
}

static void collect_namespace_errors(struct emitter *e)
{
	for (size_t i = 0; i < e->pf->nr_namespaces; i++)
		if (namespace_shown(e->pf->namespaces[i]))
			sample(e, LABELS(NS_LABELS(e->pf->namespaces[i])),
			       pm_namespace_badblocks(e->pf->namespaces[i])->count * 512.0);
}

static void collect_namespace_ranges(struct emitter *e)
{
	for (size_t i = 0; i < e->pf->nr_namespaces; i++)
		if (namespace_shown(e->pf->namespaces[i]))
			sample(e, LABELS(NS_LABELS(e->pf->namespaces[i])),
			       pm_namespace_badblocks(e->pf->namespaces[i])->nr);
}

/* System RAM (kmem) devices whose memory blocks could be read. */
static void collect_system_ram(struct emitter *e, bool online)
{
	for (size_t i = 0; i < e->pf->nr_daxdevs; i++) {
		const struct pm_daxdev *dax = e->pf->daxdevs[i];
		const struct pm_sysram *ram = dax->ram;
		char node[16];

		if (!ram || ram->err)
			continue;
		snprintf(node, sizeof(node), "%d", ram->target_node);
		sample(e, LABELS({ "dev", dax->dev }, { "node", node }),
		       (double)(online ? ram->nr_online : ram->nr_blocks) * ram->block_size);
	}
}

static void collect_system_ram_online(struct emitter *e)
{
	collect_system_ram(e, true);
}

static void collect_system_ram_total(struct emitter *e)
{
	collect_system_ram(e, false);
}

#define DIMM_LABELS(d) { "dimm", (d)->dev }, { "bus", (d)->bus->dev }

static void collect_dimm_info(struct emitter *e)
{
	for (size_t i = 0; i < e->pf->nr_dimms; i++) {
		const struct pm_dimm *d = e->pf->dimms[i];

		sample(e, LABELS(DIMM_LABELS(d), { "id", d->id },
				 { "state", d->enabled ? "enabled" : "disabled" }), 1);
	}
}

static void collect_dimm_flags(struct emitter *e)
{
	for (size_t i = 0; i < e->pf->nr_dimms; i++)
		for (size_t f = 0; f < pm_nr_dimm_flags; f++)
			sample(e, LABELS(DIMM_LABELS(e->pf->dimms[i]),
					 { "flag", pm_dimm_flags[f].name }),
			       pm_dimm_has_flag(e->pf->dimms[i], &pm_dimm_flags[f]));
}

/*
 * Security (lib/security.h): a state set per DIMM that has security, 1
 * for the current state; and frozen, 0 or 1.
 */
static void collect_security_STATE(struct emitter *e)
{
	for (size_t i = 0; i < e->pf->nr_dimms; i++) {
		const struct pm_dimm *d = e->pf->dimms[i];

		if (!pm_security_name(d->security))
			continue;
		for (const char *const *s = pm_security_names; *s; s++)
			sample(e, LABELS(DIMM_LABELS(d), { "state", *s }),
			       strcmp(pm_security_name(d->security), *s) == 0);
	}
}

static void collect_security_FROZEN(struct emitter *e)
{
	for (size_t i = 0; i < e->pf->nr_dimms; i++) {
		const struct pm_dimm *d = e->pf->dimms[i];

		if (d->security != PM_SECURITY_NONE)
			sample(e, LABELS(DIMM_LABELS(d)), d->security_frozen);
	}
}

/* Short, stable label values for why SMART was not read. */
static const char *health_reason_label(const struct pm_health *h)
{
	switch (h->error) {
	case 0:
		return "";
	case -EOPNOTSUPP:
		return "no-smart";
	case -EACCES:
	case -EPERM:
		return "needs-root";
	default:
		return "failed";
	}
}

/* A DIMM that has SMART but did not answer is a failed collection. */
static bool health_failed(const struct pm_health *h)
{
	return h->error && h->error != -EOPNOTSUPP && !pm_health_denied(h);
}

static void collect_health_readable(struct emitter *e)
{
	for (size_t i = 0; i < e->pf->nr_dimms; i++) {
		const struct pm_health *h = pm_dimm_health(e->pf->dimms[i]);

		e->failed |= health_failed(h);
		sample(e, LABELS(DIMM_LABELS(e->pf->dimms[i]),
				 { "reason", health_reason_label(h) }),
		       h->error == 0);
	}
}

/* A state set: one series per state, 1 for the current one. */
static void collect_health_state(struct emitter *e)
{
	for (size_t i = 0; i < e->pf->nr_dimms; i++) {
		const struct pm_health *h = pm_dimm_health(e->pf->dimms[i]);

		if (h->error || !h->state)
			continue;
		for (const char *const *s = pm_health_state_names; *s; s++)
			sample(e, LABELS(DIMM_LABELS(e->pf->dimms[i]), { "state", *s }),
			       strcmp(h->state, *s) == 0);
	}
}

/*
 * A SMART field's family (lib/health.h): only where the DIMM reported
 * it; percentages as ratios, 0 to 1.
 */
static void collect_smart(struct emitter *e)
{
	for (size_t i = 0; i < e->pf->nr_dimms; i++) {
		const struct pm_health *h = pm_dimm_health(e->pf->dimms[i]);
		struct pm_smart_value v;

		pm_smart_get(h, e->field, &v);
		if (!h->error && v.valid)
			sample(e, LABELS(DIMM_LABELS(e->pf->dimms[i])),
			       e->field->unit == PM_SMART_PERCENT ? v.number / 100.0 :
			       v.number);
	}
}

/* The alarms of the SMART table, each labelled with its key after "alarm_". */
static void collect_alarms(struct emitter *e)
{
	for (size_t i = 0; i < e->pf->nr_dimms; i++) {
		const struct pm_health *h = pm_dimm_health(e->pf->dimms[i]);

		for (size_t a = 0; !h->error && a < PM_HEALTH_NR_FIELDS; a++) {
			const struct pm_smart_field *field = &pm_smart_fields[a];
			struct pm_smart_value v;

			if (!(field->flags & PM_SMART_ALARM))
				continue;
			pm_smart_get(h, field, &v);
			if (v.valid)
				sample(e, LABELS(DIMM_LABELS(e->pf->dimms[i]),
						 { "alarm", field->key + strlen("alarm_") }),
				       v.number);
		}
	}
}

static void collect_shutdown_dirty(struct emitter *e)
{
	for (size_t i = 0; i < e->pf->nr_dimms; i++) {
		const struct pm_health *h = pm_dimm_health(e->pf->dimms[i]);

		if (!h->error && h->shutdown_state)
			sample(e, LABELS(DIMM_LABELS(e->pf->dimms[i])),
			       strcmp(h->shutdown_state, "dirty") == 0);
	}
}

static void collect_dirty_shutdowns(struct emitter *e)
{
	for (size_t i = 0; i < e->pf->nr_dimms; i++) {
		const struct pm_health *h = pm_dimm_health(e->pf->dimms[i]);

		if (h->dirty_shutdown >= 0)
			sample(e, LABELS(DIMM_LABELS(e->pf->dimms[i])),
			       h->dirty_shutdown);
	}
}

/*
 * Firmware, where Get Firmware Info answered (root: the unprivileged
 * service has none, as it has no SMART): the versions as labels, in hex.
 */
static void collect_firmware_info(struct emitter *e)
{
	for (size_t i = 0; i < e->pf->nr_dimms; i++) {
		const struct pm_firmware *fw = pm_dimm_firmware(e->pf->dimms[i]);
		char run[24], next[24] = "";

		if (fw->error || !fw->current_version.valid)
			continue;
		snprintf(run, sizeof(run), "0x%llx",
			 (unsigned long long)fw->current_version.value);
		if (fw->next_version.valid)
			snprintf(next, sizeof(next), "0x%llx",
				 (unsigned long long)fw->next_version.value);
		sample(e, LABELS(DIMM_LABELS(e->pf->dimms[i]), { "version", run },
				 { "next_version", next }), 1);
	}
}

static void collect_firmware_staged(struct emitter *e)
{
	for (size_t i = 0; i < e->pf->nr_dimms; i++) {
		const struct pm_firmware *fw = pm_dimm_firmware(e->pf->dimms[i]);

		if (!fw->error && fw->current_version.valid)
			sample(e, LABELS(DIMM_LABELS(e->pf->dimms[i])),
			       pm_firmware_staged(fw));
	}
}

/*
 * CXL memdevs: the security state (sysfs security/state, kernel 6.5 and
 * later) as a state set; the running firmware revision (sysfs, for every
 * user) and the staged one, which Get FW Info reads as root only.
 */
static void collect_memdev_security(struct emitter *e)
{
	for (size_t i = 0; i < e->pf->nr_memdevs; i++) {
		const struct pm_memdev *m = e->pf->memdevs[i];

		for (const char *const *s = pm_memdev_security_names; m->security && *s; s++)
			sample(e, LABELS({ "memdev", m->dev }, { "state", *s }),
			       strcmp(m->security, *s) == 0);
	}
}

static void collect_memdev_firmware_info(struct emitter *e)
{
	for (size_t i = 0; i < e->pf->nr_memdevs; i++) {
		const struct pm_memdev_fw *fw = pm_memdev_firmware(e->pf->memdevs[i]);

		if (fw->current_version)
			sample(e, LABELS({ "memdev", e->pf->memdevs[i]->dev },
					 { "version", fw->current_version },
					 { "next_version", fw->next_version ? fw->next_version : "" }),
			       1);
	}
}

static void collect_memdev_firmware_staged(struct emitter *e)
{
	for (size_t i = 0; i < e->pf->nr_memdevs; i++) {
		const struct pm_memdev_fw *fw = pm_memdev_firmware(e->pf->memdevs[i]);

		if (!fw->error)
			sample(e, LABELS({ "memdev", e->pf->memdevs[i]->dev }),
			       fw->staged_slot != 0);
	}
}

/* The duration comes last, so it covers everything collected before it. */
static void collect_duration(struct emitter *e)
{
	sample(e, NULL, now_seconds() - e->started);
}

/* ---- the families, in output order ---------------------------------- */

struct family {
	const char *name;
	const char *type;		/* gauge or counter */
	const char *help;
	const char *labels;		/* for --list-columns and the man page */
	void (*collect)(struct emitter *e);
	bool platform;			/* needs the platform snapshot */
	/* name NULL: here come the SMART fields of this unit, one family each */
	enum pm_smart_unit smart_unit;
	const struct pm_smart_field *field;
};

/*
 * The families of the SMART fields (lib/health.h) with a metric, unit by
 * unit: temperatures, then ratios, then (after the alarms) the counters.
 */
#define SMART_FAMILIES(unit) { .smart_unit = (unit) }

static const struct family families[] = {
	{ "pmem_collect_timestamp_seconds", "gauge",
	  "When pmemctl collected these metrics (Unix time).", "",
	  collect_timestamp, false },
	{ "pmem_build_info", "gauge", "The pmemctl that collected, as a label.",
	  "version", collect_build, false },
	{ "pmem_platform_verdict_info", "gauge",
	  "The platform verdict: the weakest persistence domain of all pmem regions, and the weakest store granularity of active namespaces.",
	  "persistence_domain, granularity", collect_verdict, true },
	{ "pmem_bus_info", "gauge", "An nvdimm bus and its provider.",
	  "bus, provider", collect_bus_info, true },
	{ "pmem_bus_scrubs_total", "counter",
	  "Address range scrubs the bus has completed since boot (buses with ARS only).",
	  "bus", collect_scrubs, true },
	{ "pmem_bus_scrub_running", "gauge",
	  "1 while an address range scrub runs (buses with ARS only).", "bus",
	  collect_scrub_running, true },
	{ "pmem_region_info", "gauge",
	  "A region, its persistence domain and deep flush capability.",
	  "region, bus, provider, type, persistence_domain, deep_flush, deep_flush_capability, state",
	  collect_region_info, true },
	{ "pmem_region_size_bytes", "gauge", "The region's size.", "region, bus",
	  collect_region_size, true },
	{ "pmem_region_available_bytes", "gauge",
	  "The region's capacity not yet given to namespaces.", "region, bus",
	  collect_region_available, true },
	{ "pmem_region_media_error_bytes", "gauge",
	  "Bytes of the region in known media errors (badblocks, 512-byte sectors).",
	  "region, bus", collect_region_errors, true },
	{ "pmem_region_media_error_ranges", "gauge",
	  "Ranges of known media errors in the region.", "region, bus",
	  collect_region_ranges, true },
	{ "pmem_namespace_info", "gauge",
	  "An active namespace: its mode, devices, domain and store granularity.",
	  "namespace, region, mode, blockdev, chardev, persistence_domain, granularity",
	  collect_namespace_info, true },
	{ "pmem_namespace_size_bytes", "gauge",
	  "The namespace's usable size (after any info block).",
	  "namespace, region", collect_namespace_size, true },
	{ "pmem_namespace_media_error_bytes", "gauge",
	  "Bytes of the namespace in known media errors, as list -M counts them (ARS, the block device's own list, CXL poison).",
	  "namespace, region", collect_namespace_errors, true },
	{ "pmem_namespace_media_error_ranges", "gauge",
	  "Ranges of known media errors in the namespace.", "namespace, region",
	  collect_namespace_ranges, true },
	{ "pmem_system_ram_online_bytes", "gauge",
	  "A device-dax device given to the kernel as system RAM (kmem): its memory online on the node.",
	  "dev, node", collect_system_ram_online, true },
	{ "pmem_system_ram_bytes", "gauge",
	  "A device-dax device given to the kernel as system RAM (kmem): its memory blocks, online or not.",
	  "dev, node", collect_system_ram_total, true },
	{ "pmem_dimm_info", "gauge", "A DIMM, its bus and unique id.",
	  "dimm, bus, id, state", collect_dimm_info, true },
	{ "pmem_dimm_flag", "gauge",
	  "1 when the DIMM's NFIT health flag is set (save_fail, not_armed, restore_fail, flush_fail, map_fail, smart_event).",
	  "dimm, bus, flag", collect_dimm_flags, true },
	/* The security fields (lib/security.h), a family each. */
#define SECURITY_LABELS_STRING "dimm, bus, state"
#define SECURITY_LABELS_BOOL "dimm, bus"
#define SECURITY_FAMILY(id, column, key, type, help, metric, metric_help) \
	{ metric, "gauge", metric_help, SECURITY_LABELS_##type,		\
	  collect_security_##id, true },
	PM_SECURITY_FIELDS(SECURITY_FAMILY)
#undef SECURITY_FAMILY
#undef SECURITY_LABELS_STRING
#undef SECURITY_LABELS_BOOL
	{ "pmem_dimm_health_readable", "gauge",
	  "1 when the DIMM's SMART health was read; 0 with the reason (no-smart, needs-root, failed) and no SMART metrics for it.",
	  "dimm, bus, reason", collect_health_readable, true },
	{ "pmem_dimm_health_state", "gauge",
	  "The DIMM's SMART health state: 1 for the current of ok, non-critical, critical, fatal.",
	  "dimm, bus, state", collect_health_state, true },
	SMART_FAMILIES(PM_SMART_CELSIUS),
	SMART_FAMILIES(PM_SMART_PERCENT),
	{ "pmem_dimm_alarm", "gauge",
	  "1 when a SMART alarm has tripped (temperature, controller_temperature, spares).",
	  "dimm, bus, alarm", collect_alarms, true },
	{ "pmem_dimm_shutdown_dirty", "gauge",
	  "1 when the DIMM's last shutdown was unsafe (SMART shutdown state dirty).",
	  "dimm, bus", collect_shutdown_dirty, true },
	SMART_FAMILIES(PM_SMART_COUNT),
	{ "pmem_dimm_dirty_shutdowns_total", "counter",
	  "Unsafe shutdowns as the kernel counts them (nfit/dirty_shutdown, what PMDK checks).",
	  "dimm, bus", collect_dirty_shutdowns, true },
	{ "pmem_dimm_firmware_info", "gauge",
	  "The DIMM's running firmware version and the staged one (empty: none), in hex (read as root only).",
	  "dimm, bus, version, next_version", collect_firmware_info, true },
	{ "pmem_dimm_firmware_staged", "gauge",
	  "1 while a firmware image is staged on the DIMM and not yet activated: the next activation or power cycle switches it (read as root only).",
	  "dimm, bus", collect_firmware_staged, true },
	{ "pmem_memdev_security_state", "gauge",
	  "A CXL memdev's security state: 1 for the current of disabled, unlocked, locked, frozen, sanitize (a sanitize runs).",
	  "memdev, state", collect_memdev_security, true },
	{ "pmem_memdev_firmware_info", "gauge",
	  "A CXL memdev's running firmware revision, and the staged one (empty: none staged, or not read without root).",
	  "memdev, version, next_version", collect_memdev_firmware_info, true },
	{ "pmem_memdev_firmware_staged", "gauge",
	  "1 while a firmware image is staged on the CXL memdev: its next reset runs it (read as root only).",
	  "memdev", collect_memdev_firmware_staged, true },
	{ "pmem_collect_success", "gauge",
	  "1 when pmemctl read everything it tried to, 0 when the nvdimm subsystem (the other metrics are then missing) or a DIMM's SMART could not be read.",
	  "", collect_success, false },
	{ "pmem_collect_duration_seconds", "gauge",
	  "How long pmemctl took to collect these metrics.", "",
	  collect_duration, false },
};

/*
 * Calls fn for each family in output order, the SMART markers expanded
 * into a family per field with a metric.
 */
static void for_each_family(void (*fn)(const struct family *fam, void *arg),
			    void *arg)
{
	for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
		if (families[i].name) {
			fn(&families[i], arg);
			continue;
		}
		for (size_t f = 0; f < PM_HEALTH_NR_FIELDS; f++) {
			const struct pm_smart_field *field = &pm_smart_fields[f];
			struct family fam = {
				field->metric,
				field->unit == PM_SMART_COUNT ? "counter" : "gauge",
				field->metric_help, "dimm, bus", collect_smart,
				true, field->unit, field,
			};

			if (field->metric && field->unit == families[i].smart_unit)
				fn(&fam, arg);
		}
	}
}

static void write_family(const struct family *fam, void *arg)
{
	struct emitter *e = arg;

	if (fam->platform && !e->pf)
		return;
	fprintf(e->f, "# HELP %s %s\n# TYPE %s %s\n", fam->name, fam->help,
		fam->name, fam->type);
	e->family = fam->name;
	e->field = fam->field;
	fam->collect(e);
}

static void write_metrics(struct emitter *e)
{
	for_each_family(write_family, e);
}

/* ---- --list-columns: the families through the column engine ---------- */

#define FAMILY(obj) ((const struct family *)(obj)->ptr)

static void get_metric(const struct out_obj *obj, struct out_cell *cell)
{
	cell->str = FAMILY(obj)->name;
}

#define NR_FAMILIES (ARRAY_SIZE(families) + PM_HEALTH_NR_FIELDS)

static struct out_column family_columns[NR_FAMILIES];
static char family_help[NR_FAMILIES][512];
static const char *const family_kinds[] = { "metrics" };

static struct out_spec family_spec = {
	.columns = family_columns,
	.kind_keys = family_kinds,
	.kind_names = family_kinds,
	.nr_kinds = 1,
	.document = OUT_DOC_NONE,
};

/* Each family a column: its name the key, its type and labels in the help. */
static void add_family_column(const struct family *fam, void *arg)
{
	size_t *n = arg;

	snprintf(family_help[*n], sizeof(family_help[*n]), "%s%s%s%s %s",
		 fam->type, fam->labels[0] ? " {" : "", fam->labels,
		 fam->labels[0] ? "}:" : ":", fam->help);
	family_columns[*n] = (struct out_column){
		.name = fam->name, .key = fam->name, .help = family_help[*n],
		.type = OUT_FLOAT, .kinds = 1, .get = get_metric,
	};
	(*n)++;
}

static void fill_family_columns(void)
{
	size_t n = 0;

	for_each_family(add_family_column, &n);
	family_spec.nr_columns = n;
}

/* ---- the command ------------------------------------------------------ */

/*
 * Beside the target and renamed: the collector never reads half a file.
 * Synced before the rename and the directory after it, so that a crash
 * leaves the old file or the new one, never an empty one (a rename can
 * reach the disk before the data it names). On failure, *what names the
 * file it could not write: the temporary one, or path.
 */
static int write_file(const char *path, const char *text, size_t len,
		      char *what, size_t what_len)
{
	char temp[PATH_MAX], dir[PATH_MAX], *slash;
	int fd, dfd, rc = 0;

	if (snprintf(temp, sizeof(temp), "%s.XXXXXX", path) >= (int)sizeof(temp))
		return -ENAMETOOLONG;
	snprintf(what, what_len, "%s", temp);
	fd = mkstemp(temp);
	if (fd < 0)
		return -errno;
	snprintf(what, what_len, "%s", temp);
	/* node_exporter may run as another user: readable by all, as a .prom is. */
	if (fchmod(fd, 0644) < 0)
		rc = -errno;
	for (size_t done = 0; !rc && done < len;) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0)
			rc = -errno;
		else
			done += n;
	}
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (!rc && rename(temp, path) < 0)
		rc = -errno;
	if (rc) {
		unlink(temp);
		return rc;
	}
	snprintf(what, what_len, "%s", path);
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir] = '\0';
	dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	if (fsync(dfd) < 0)
		rc = -errno;
	close(dfd);
	return rc;
}

enum {
	OPT_OUTPUT_FILE = OPT_FIRST_COMMAND_OPT,
};

static struct {
	struct out_opts out;
	const char *output;
} param;

/* -o is columns in every other command: this one goes after a release. */
static int parse_deprecated_output(struct pmemctl_ctx *ctx, const char *arg,
				   void *value)
{
	cli_error(NULL, "-o FILE is deprecated and goes in the next release: use --output-file FILE (-o names columns in every other command)");
	*(const char **)value = arg;
	return EXIT_OK;
}

static const struct cli_option options[] = {
	CLI_HEADING("Options:"),
	OPT_STRING(OPT_OUTPUT_FILE, "output-file", &param.output, "FILE",
		   "write FILE (atomically: a temporary file\nbeside it, synced, renamed), not standard output"),
	OPT_CALLBACK('o', "output", &param.output, "FILE", "deprecated: --output-file FILE",
		     parse_deprecated_output),
	OPT_DOCUMENT_GROUP(&param.out, "with --list-columns: as JSON"),
	CLI_COMMON_OPTIONS,
	CLI_END,
};

static void usage(void)
{
	printf("Usage: pmemctl metrics [options]\n"
	       "\n"
	       "Print the platform's persistent memory state in the Prometheus\n"
	       "text exposition format, for node_exporter's textfile collector:\n"
	       "regions, namespaces, the persistence verdict, DIMM health,\n"
	       "media errors, scrubs, and whether the collection succeeded.\n"
	       "As non-root, SMART health is not readable: pmem_dimm_health_readable\n"
	       "says so.\n"
	       "\n");
	cli_print_options(stdout, options);
}

int cmd_metrics(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	const struct cli_parser parser = {
		.table = options, .usage = usage, .out = &param.out, .spec = &family_spec,
	};
	const char *output;
	struct emitter e = { .started = now_seconds() };
	char *text = NULL;
	size_t len = 0;
	int rc, exit_code;

	/* Media errors: a CXL region's include its memdevs' poison. */
	pm_cxl_poison_want(true);
	fill_family_columns();
	exit_code = cli_parse(ctx, argc, argv, &parser);
	if (exit_code != CLI_GO_ON)
		return exit_code;
	exit_code = EXIT_OK;
	output = param.output;
	if (param.out.json)
		return cli_usage_error(ctx, "the metrics are Prometheus text; --json lists the families with --list-columns (pmemctl list --json has the same facts as JSON)");
	if (optind < argc)
		return cli_usage_error(ctx, "unexpected argument '%s'", argv[optind]);

	/*
	 * Without the platform the file still says when and that it failed,
	 * so an alert fires instead of a stale file being served.
	 */
	e.pf = ctx_platform(ctx, &exit_code);
	e.f = open_memstream(&text, &len);
	if (!e.f) {
		cli_error(NULL, "%s", strerror(errno));
		return EXIT_FAIL;
	}
	write_metrics(&e);
	if (fclose(e.f) || !text) {
		cli_error(NULL, "%s", strerror(ENOMEM));
		free(text);
		return EXIT_FAIL;
	}
	if (output) {
		char what[PATH_MAX];

		rc = write_file(output, text, len, what, sizeof(what));
		if (rc && strcmp(what, output) != 0)
			cli_error(output, "cannot write it: %s (creating %s, renamed to it once written)",
				  strerror(-rc), what);
		else if (rc)
			cli_error(output, "cannot write it: %s", strerror(-rc));
		if (rc)
			exit_code = cli_exit_code(rc) == EXIT_PERMISSION ?
				    EXIT_PERMISSION : EXIT_FAIL;
	} else {
		fwrite(text, 1, len, stdout);
	}
	free(text);
	return exit_code;
}
