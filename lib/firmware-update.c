// SPDX-License-Identifier: GPL-2.0-or-later
/* Staging a firmware image on DIMMs and activating it, through libndctl. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ndctl/libndctl.h>

#include "change.h"
#include "firmware.h"
#include "pmem.h"
#include "scrub.h"

/* What Get Firmware Info says about the transfer. */
struct fw_geometry {
	unsigned int storage_size;	/* the largest image */
	unsigned int max_send_len;	/* bytes per send */
	unsigned int query_interval;	/* microseconds between queries */
	unsigned int max_query_time;	/* microseconds */
};

static int fail(struct pm_change_result *res, struct pm_step *s, int rc,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The failure in words, for the step and the report's message. */
static int fail(struct pm_change_result *res, struct pm_step *s, int rc,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->message, sizeof(res->message), fmt, ap);
	va_end(ap);
	snprintf(s->detail, sizeof(s->detail), "%.*s", (int)sizeof(s->detail) - 1,
		 res->message);
	res->err = rc;
	return pm_step_close(s, rc);
}

static int get_geometry(struct ndctl_dimm *nddimm, struct fw_geometry *g)
{
	struct ndctl_cmd *cmd = ndctl_dimm_cmd_new_fw_get_info(nddimm);
	int rc;

	if (!cmd)
		return -EOPNOTSUPP;
	rc = ndctl_cmd_submit(cmd);
	if (rc >= 0 && ndctl_cmd_fw_xlat_firmware_status(cmd) != FW_SUCCESS)
		rc = -EIO;
	if (rc >= 0) {
		g->storage_size = ndctl_cmd_fw_info_get_storage_size(cmd);
		g->max_send_len = ndctl_cmd_fw_info_get_max_send_len(cmd);
		g->query_interval = ndctl_cmd_fw_info_get_query_interval(cmd);
		g->max_query_time = ndctl_cmd_fw_info_get_max_query_time(cmd);
		if (g->storage_size == UINT_MAX || !g->max_send_len ||
		    g->max_send_len == UINT_MAX)
			rc = -EIO;
		rc = rc < 0 ? rc : 0;
	}
	ndctl_cmd_unref(cmd);
	return rc;
}

/* ndctl_dimm_fw_update_supported()'s answer, in words. */
static const char *unsupported_reason(int rc)
{
	switch (rc) {
	case -EOPNOTSUPP:
		return "the kernel does not pass firmware commands to this DIMM";
	case -EIO:
		return "the DIMM does not offer the update commands (QEMU NVDIMMs and CXL DIMMs have none)";
	default:
		return "the DIMM has no firmware update commands";
	}
}

/*
 * The checks of one DIMM, into the one check step of all; with root, Get
 * Firmware Info says the image fits.
 */
static int check_dimm(struct pm_dimm *dimm, const struct pm_fw_request *req,
		      struct pm_change_result *res, struct pm_step *s,
		      struct fw_geometry *g)
{
	struct ndctl_dimm *nddimm = dimm->nddimm;
	struct pm_scrub_state scrub;
	char why[192];
	int rc;

	if (!nddimm)
		return fail(res, s, -ENODEV, "%s: %s", dimm->dev, "libndctl has no handle on this DIMM");
	rc = ndctl_dimm_fw_update_supported(nddimm);
	if (rc)
		return fail(res, s, -EOPNOTSUPP, "%s: cannot update firmware: %s", dimm->dev,
			    unsupported_reason(rc));
	if (ndctl_dimm_get_security(nddimm) == NDCTL_SECURITY_LOCKED)
		return fail(res, s, -EBUSY, "%s: %s", dimm->dev,
			    "security locked: unlock it with its passphrase before updating its firmware");
	if (pm_bus_scrub_state(dimm->bus, &scrub) == 0 && scrub.running) {
		const struct pm_bus *bus = dimm->bus;
		double waited;

		if (!req->wait_scrub || req->dry_run) {
			snprintf(why, sizeof(why),
				 "an address range scrub is running on %s, and the DIMM refuses an update meanwhile: wait for it (pmemctl scrub --wait %s) or add --wait-scrub",
				 bus->dev, bus->dev);
			return fail(res, s, -EBUSY, "%s: %s", dimm->dev, why);
		}
		rc = pm_bus_scrub_wait(&bus, 1, PM_FW_SCRUB_WAIT_MS, NULL, NULL, &waited);
		if (rc < 0)
			return fail(res, s, rc, "%s: waiting for the scrub: %s", dimm->dev,
				    strerror(-rc));
	}
	if (geteuid() != 0)
		return 0;
	rc = get_geometry(nddimm, g);
	if (rc < 0)
		return fail(res, s, rc, "%s: cannot read its firmware information: %s", dimm->dev,
			    rc == -EIO ? "the DIMM failed Get Firmware Info" : strerror(-rc));
	if (req->image_size > g->storage_size) {
		snprintf(why, sizeof(why), "the image (%llu bytes) is larger than the DIMM's firmware store (%u bytes)",
			 (unsigned long long)req->image_size, g->storage_size);
		return fail(res, s, -EFBIG, "%s: %s", dimm->dev, why);
	}
	return 0;
}

static int abort_update(struct ndctl_cmd *start)
{
	struct ndctl_cmd *cmd = ndctl_dimm_cmd_new_fw_abort(start);
	int rc;

	if (!cmd)
		return -ENXIO;
	rc = ndctl_cmd_submit(cmd);
	if (rc >= 0 && ndctl_cmd_fw_xlat_firmware_status(cmd) != FW_ABORTED)
		rc = -EIO;
	ndctl_cmd_unref(cmd);
	return rc < 0 ? rc : 0;
}

/* A firmware status the DIMM answered, as an errno and words. */
static int status_error(enum ND_FW_STATUS status, const char **why)
{
	switch (status) {
	case FW_EBUSY:
		*why = "busy with another firmware update";
		return -EBUSY;
	case FW_ERETRY:
	case FW_ENOTREADY:
		*why = "busy with another operation (an address range scrub?): try again when it ends";
		return -EBUSY;
	case FW_EBADFW:
		*why = "the DIMM rejected the image: it failed the DIMM's verification";
		return -EBADMSG;
	case FW_EINVAL:
		*why = "the DIMM refused the transfer as invalid";
		return -EBADMSG;
	case FW_ENORES:
		*why = "the DIMM timed out verifying the image";
		return -ETIMEDOUT;
	case FW_ENOTSUPP:
		*why = "the DIMM does not support the command";
		return -EOPNOTSUPP;
	default:
		*why = "the DIMM failed the command";
		return -EIO;
	}
}

/* Finish Query until the DIMM is done, within the time it allows. */
static int query_finish(struct ndctl_cmd *start, const struct fw_geometry *g,
			uint64_t *version, const char **why)
{
	struct ndctl_cmd *cmd = ndctl_dimm_cmd_new_fw_finish_query(start);
	struct timespec interval = { 0, (long)(g->query_interval % 1000000) * 1000 };
	struct timespec t0, now;
	enum ND_FW_STATUS status;
	int rc;

	if (!cmd)
		return -ENXIO;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		rc = ndctl_cmd_submit(cmd);
		if (rc < 0)
			break;
		status = ndctl_cmd_fw_xlat_firmware_status(cmd);
		if (status == FW_SUCCESS) {
			*version = ndctl_cmd_fw_fquery_get_fw_rev(cmd);
			rc = 0;
			break;
		}
		if (status != FW_EBUSY) {
			rc = status_error(status, why);
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((uint64_t)(now.tv_sec - t0.tv_sec) > g->max_query_time / 1000000 + 1) {
			*why = "the DIMM did not finish verifying the image in the time it allows";
			rc = -ETIMEDOUT;
			break;
		}
		if (!interval.tv_nsec)
			interval.tv_nsec = 1000000;
		nanosleep(&interval, NULL);
	}
	ndctl_cmd_unref(cmd);
	return rc;
}

static int send_image(struct pm_dimm *dimm, struct ndctl_cmd *start,
		      const struct pm_fw_request *req, const struct fw_geometry *g,
		      pm_fw_progress_fn progress, void *arg, const char **why)
{
	const unsigned char *data = req->image;
	uint64_t sent = 0;

	while (sent < req->image_size) {
		uint64_t left = req->image_size - sent;
		unsigned int len = left < g->max_send_len ? left : g->max_send_len;
		struct ndctl_cmd *cmd = ndctl_dimm_cmd_new_fw_send(start, sent, len,
								   (void *)(data + sent));
		enum ND_FW_STATUS status;
		int rc;

		if (!cmd)
			return -ENOMEM;
		rc = ndctl_cmd_submit(cmd);
		status = ndctl_cmd_fw_xlat_firmware_status(cmd);
		ndctl_cmd_unref(cmd);
		if (rc < 0) {
			*why = strerror(-rc);
			return rc;
		}
		if (status != FW_SUCCESS)
			return status_error(status, why);
		sent += len;
		if (progress)
			progress(dimm->dev, sent, req->image_size, arg);
	}
	return 0;
}

/* Start, send, finish, query: the staged version in *version. */
static int stage(struct pm_dimm *dimm, const struct pm_fw_request *req,
		 const struct fw_geometry *g, struct pm_change_result *res,
		 pm_fw_progress_fn progress, void *arg, uint64_t *version)
{
	struct pm_step *s = pm_step_add(res, PM_ACT_STAGE_FIRMWARE, "stage",
					"%s: send %llu bytes in %u-byte chunks",
					dimm->dev, (unsigned long long)req->image_size,
					g->max_send_len);
	struct ndctl_cmd *start = ndctl_dimm_cmd_new_fw_start_update(dimm->nddimm);
	const char *why = NULL;
	struct ndctl_cmd *cmd;
	int rc;

	if (!start)
		return fail(res, s, -ENOMEM, "%s: %s", dimm->dev, strerror(ENOMEM));
	rc = ndctl_cmd_submit(start);
	if (rc >= 0 && ndctl_cmd_fw_xlat_firmware_status(start) != FW_SUCCESS)
		rc = status_error(ndctl_cmd_fw_xlat_firmware_status(start), &why);
	else if (rc >= 0 && ndctl_cmd_fw_start_get_context(start) == UINT_MAX)
		rc = -EIO;
	if (rc < 0) {
		ndctl_cmd_unref(start);
		return fail(res, s, rc, "%s: the DIMM did not start the update: %s", dimm->dev,
			    why ? why : strerror(-rc));
	}
	rc = send_image(dimm, start, req, g, progress, arg, &why);
	if (!rc) {
		cmd = ndctl_dimm_cmd_new_fw_finish(start);
		rc = cmd ? ndctl_cmd_submit(cmd) : -ENOMEM;
		if (rc >= 0 && ndctl_cmd_fw_xlat_firmware_status(cmd) != FW_SUCCESS)
			rc = status_error(ndctl_cmd_fw_xlat_firmware_status(cmd), &why);
		rc = rc < 0 ? rc : 0;
		if (cmd)
			ndctl_cmd_unref(cmd);
	}
	if (rc < 0) {
		/* The DIMM keeps its running image; what was sent is dropped. */
		abort_update(start);
		ndctl_cmd_unref(start);
		return fail(res, s, rc, "%s: staging failed, the transfer was aborted: %s",
			    dimm->dev, why ? why : strerror(-rc));
	}
	rc = query_finish(start, g, version, &why);
	ndctl_cmd_unref(start);
	if (rc < 0)
		return fail(res, s, rc, "%s: %s", dimm->dev, why ? why : strerror(-rc));
	return pm_step_finish(s, 0);
}

/*
 * The DIMM's own report of what is staged, where it gives one; then armed
 * for the bus's next activation, as ndctl does by default. Arming is not
 * fatal: the image is staged, and a power cycle runs it.
 */
static int verify(struct pm_dimm *dimm, uint64_t version, bool no_arm,
		  struct pm_change_result *res)
{
	struct pm_step *s = pm_step_add(res, PM_ACT_VERIFY, "verify",
					"%s: staged version 0x%llx", dimm->dev,
					(unsigned long long)version);
	size_t len = strlen(s->detail);
	struct pm_firmware fw;
	char why[160];

	if (!version)
		return fail(res, s, -EIO, "%s: %s", dimm->dev,
			    "the DIMM reports no new firmware after the update");
	pm_dimm_firmware_read(dimm, &fw);
	if (!fw.error && fw.next_version.valid && fw.next_version.value != version) {
		snprintf(why, sizeof(why), "the DIMM reports next version 0x%llx, the update said 0x%llx",
			 (unsigned long long)fw.next_version.value, (unsigned long long)version);
		return fail(res, s, -EIO, "%s: %s", dimm->dev, why);
	}
	len += snprintf(s->detail + len, sizeof(s->detail) - len, "%s",
			fw.error || !fw.next_version.valid ?
			" (the DIMM reports no next version to compare)" :
			", as the DIMM reports it");
	if (no_arm || len >= sizeof(s->detail))
		return pm_step_close(s, 0);
	if (!pm_bus_fw_activate_state(dimm->bus))
		snprintf(s->detail + len, sizeof(s->detail) - len,
			 "; not armed: the bus cannot activate (a power cycle runs it)");
	else if (ndctl_dimm_fw_activate_arm(dimm->nddimm) != NDCTL_FWA_ARMED)
		snprintf(s->detail + len, sizeof(s->detail) - len,
			 "; the DIMM did not arm (a power cycle runs it)");
	else
		snprintf(s->detail + len, sizeof(s->detail) - len,
			 "; armed for the next activation");
	return pm_step_close(s, 0);
}

int pm_update_firmware(struct pm_dimm *const *dimms, size_t nr,
		       const struct pm_fw_request *req,
		       struct pm_fw_change *change, struct pm_change_result *res,
		       pm_fw_progress_fn progress, void *arg)
{
	struct fw_geometry g[PM_FW_MAX_DIMMS];
	struct pm_step *s;
	size_t done = 0;
	int rc = 0;

	res->no_config = true;
	if (nr > PM_FW_MAX_DIMMS)
		return -E2BIG;
	memset(g, 0, sizeof(g));
	/* Every DIMM checked before the first is touched. */
	s = pm_step_add(res, PM_ACT_CHECK, "check",
			"%zu DIMM%s: update commands, not locked, no scrub running%s",
			nr, nr == 1 ? "" : "s",
			geteuid() ? " (the image's size against the DIMMs' store needs root)" :
			", the image fits");
	for (size_t i = 0; i < nr && !rc; i++)
		rc = check_dimm(dimms[i], req, res, s, &g[i]);
	/* A refusal: nothing ran, the message says all. */
	if (rc) {
		res->nr_steps = 0;
		return rc;
	}
	pm_step_close(s, 0);
	if (req->dry_run) {
		for (size_t i = 0; i < nr; i++) {
			pm_step_add(res, PM_ACT_STAGE_FIRMWARE, "stage",
				    "%s: send the %llu-byte image", dimms[i]->dev,
				    (unsigned long long)req->image_size);
			pm_step_add(res, PM_ACT_VERIFY, "verify",
				    "%s: check the staged version%s", dimms[i]->dev,
				    req->no_arm ? "" : ", arm it for the next activation");
		}
		snprintf(res->message, sizeof(res->message),
			 "would stage a %llu-byte image on %zu DIMM%s",
			 (unsigned long long)req->image_size, nr, nr == 1 ? "" : "s");
		return 0;
	}
	for (size_t i = 0; i < nr; i++) {
		uint64_t version = 0;

		rc = stage(dimms[i], req, &g[i], res, progress, arg, &version);
		if (!rc)
			rc = verify(dimms[i], version, req->no_arm, res);
		if (rc)
			break;
		res->changed = true;
		change->updated[done++] = dimms[i]->dev;
	}
	if (rc) {
		size_t len;

		/* A step that failed after it ran (the tests' failing step). */
		if (!res->message[0])
			snprintf(res->message, sizeof(res->message), "%s: %s failed: %s",
				 dimms[done]->dev, res->steps[res->nr_steps - 1].name,
				 strerror(-rc));
		res->err = rc;
		len = strlen(res->message);

		snprintf(res->message + len, sizeof(res->message) - len,
			 done ? " (staged before it: %zu DIMM%s)" : " (no DIMM was updated)",
			 done, done == 1 ? "" : "s");
		return rc;
	}
	snprintf(res->message, sizeof(res->message),
		 "staged a %llu-byte image on %zu DIMM%s%s",
		 (unsigned long long)req->image_size, nr, nr == 1 ? "" : "s",
		 req->no_arm ? "" : ", armed where the bus can activate");
	return 0;
}

int pm_bus_fw_can_activate(const struct pm_bus *bus, char *why, size_t len)
{
	const char *method = pm_bus_fw_activate_method(bus);

	if (method && (!strcmp(method, "live") || !strcmp(method, "suspend")))
		return 0;
	snprintf(why, len, "%s cannot activate firmware (%s): a reboot or power cycle runs a staged image",
		 bus->dev, method ? "its method is reset" : "no activation method, or no DIMM of it can update");
	return -EOPNOTSUPP;
}

int pm_activate_firmware(const struct pm_bus *bus, bool dry_run,
			 struct pm_fw_change *change, struct pm_change_result *res)
{
	const char *method = pm_bus_fw_activate_method(bus);
	bool live = method && strcmp(method, "live") == 0;
	struct pm_step *s;
	int rc;

	change->activation = live ? "live" : "quiesce";
	s = pm_step_add(res, PM_ACT_ACTIVATE_FIRMWARE, "activate", "%s: %s", bus->dev,
			pm_bus_fw_activate_effect(bus));
	if (dry_run)
		return 0;
	rc = ndctl_bus_activate_firmware(bus->ndbus, live ? NDCTL_FWA_METHOD_LIVE :
					 NDCTL_FWA_METHOD_SUSPEND);
	if (rc < 0)
		return fail(res, s, rc, "%s: activation failed: %s (the staged image stays; a power cycle runs it)",
			    bus->dev, strerror(-rc));
	return pm_step_finish(s, 0);
}
