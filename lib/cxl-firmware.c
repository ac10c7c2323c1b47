// SPDX-License-Identifier: GPL-2.0-or-later
/* A CXL memdev's firmware: its slots (Get FW Info), and an update through
 * the kernel's firmware upload class. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/cxl_mem.h>

#include "pmem.h"
#include "change.h"
#include "cxl.h"
#include "host.h"
#include "sysfs.h"

/*
 * The upload class's attributes, through the memdev's own directory
 * (/sys/class/firmware/memN links there): a report captures it, so a
 * replay reads the same.
 */
#define FW_CLASS "/sys/bus/cxl/devices/%s/firmware/%s/%s"

/* CXL 3.0 8.2.9.3.1, Get FW Info's output payload. */
struct fw_info_payload {
	uint8_t num_slots;
	uint8_t slot_info;		/* bits 2:0 active, 5:3 staged */
	uint8_t caps;			/* bit 0: online activation */
	uint8_t reserved[13];
	char revision[PM_CXL_FW_SLOTS][16];
} __attribute__((packed));

int pm_cxl_fw_info_parse(const void *payload, size_t len, struct pm_memdev_fw *fw)
{
	const struct fw_info_payload *out = payload;

	if (len < sizeof(*out))
		return -EINVAL;
	fw->num_slots = out->num_slots > PM_CXL_FW_SLOTS ? PM_CXL_FW_SLOTS : out->num_slots;
	fw->active_slot = out->slot_info & 7;
	fw->staged_slot = (out->slot_info >> 3) & 7;
	fw->online_activate = out->caps & 1;
	fw->next_version = NULL;
	for (int i = 0; i < PM_CXL_FW_SLOTS; i++) {
		size_t n = strnlen(out->revision[i], sizeof(out->revision[i]));

		memcpy(fw->slot_version[i], out->revision[i], n);
		fw->slot_version[i][n] = '\0';
		fw->slot_versions[i] = i < fw->num_slots ? fw->slot_version[i] : NULL;
	}
	fw->slot_versions[PM_CXL_FW_SLOTS] = NULL;
	/* A staged slot that is the active one, or past the last, is none. */
	if (fw->staged_slot > fw->num_slots || fw->staged_slot == fw->active_slot)
		fw->staged_slot = 0;
	if (fw->staged_slot && fw->slot_version[fw->staged_slot - 1][0])
		fw->next_version = fw->slot_version[fw->staged_slot - 1];
	return 0;
}

/*
 * libcxl 76 has no Get FW Info: the kernel's own command id through the
 * memdev's ioctl (allowed to userspace since the first CXL kernels).
 */
static int get_fw_info(const struct pm_memdev *memdev, struct pm_memdev_fw *fw)
{
	struct fw_info_payload out = { 0 };
	struct cxl_send_command cmd = {
		.id = CXL_MEM_COMMAND_ID_GET_FW_INFO,
		.out.size = sizeof(out),
		.out.payload = (uintptr_t)&out,
	};
	char path[64];
	int fd, rc = 0;

	/* The replaying host's devices would be wrong: the bundle's answer. */
	if (pm_host_replay_root()) {
		char text[512];

		pm_bundle_read_record(PM_REPORT_CXL_FIRMWARE_DIR, memdev->dev, text, sizeof(text));
		return pm_memdev_fw_parse(text, fw);
	}
	snprintf(path, sizeof(path), "/dev/cxl/%s", memdev->dev);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, CXL_MEM_SEND_COMMAND, &cmd) < 0)
		rc = -errno;
	else if (cmd.retval)
		rc = -EIO;
	close(fd);
	if (rc)
		return rc;
	memcpy(fw->raw, &out, sizeof(out));
	return pm_cxl_fw_info_parse(&out, sizeof(out), fw);
}

int pm_memdev_fw_format(const struct pm_memdev_fw *fw, char *buf, size_t len)
{
	size_t at;
	int n;

	if (fw->error) {
		n = snprintf(buf, len, "error %d\n", -fw->error);
		return n < 0 || (size_t)n >= len ? -ENOSPC : n;
	}
	n = snprintf(buf, len, "payload ");
	if (n < 0 || (size_t)n + 2 * sizeof(fw->raw) + 2 > len)
		return -ENOSPC;
	at = n;
	for (size_t i = 0; i < sizeof(fw->raw); i++)
		at += snprintf(buf + at, len - at, "%02x", fw->raw[i]);
	at += snprintf(buf + at, len - at, "\n");
	return (int)at;
}

int pm_memdev_fw_parse(const char *text, struct pm_memdev_fw *fw)
{
	unsigned char raw[sizeof(fw->raw)];
	int err;

	if (sscanf(text, "error %d", &err) == 1 && err > 0)
		return -err;
	if (strncmp(text, "payload ", 8) != 0)
		return -ENODATA;
	text += 8;
	for (size_t i = 0; i < sizeof(raw); i++) {
		unsigned int byte;

		if (sscanf(text + 2 * i, "%2x", &byte) != 1)
			return -ENODATA;
		raw[i] = byte;
	}
	memcpy(fw->raw, raw, sizeof(raw));
	return pm_cxl_fw_info_parse(raw, sizeof(raw), fw);
}

int pm_memdev_firmware_read(struct pm_memdev *memdev, struct pm_memdev_fw *fw)
{
	mode_t mode;

	memset(fw, 0, sizeof(*fw));
	if (sysfs_read_string(fw->version, sizeof(fw->version),
			      "/sys/bus/cxl/devices/%s/firmware_version", memdev->dev) >= 0 &&
	    fw->version[0])
		fw->current_version = fw->version;
	/* Registered only when the device has Get FW Info (kernel 6.6 and later). */
	fw->can_update = sysfs_attr_mode(&mode, FW_CLASS, memdev->dev, memdev->dev,
					 "loading") == 0;
	if (fw->can_update)
		sysfs_read_string(fw->update_status, sizeof(fw->update_status), FW_CLASS,
				  memdev->dev, memdev->dev, "status");
	fw->error = get_fw_info(memdev, fw);
	return fw->error;
}

const struct pm_memdev_fw *pm_memdev_firmware(struct pm_memdev *memdev)
{
	static struct pm_memdev_fw no_memory = { .error = -ENOMEM };

	if (memdev->firmware)
		return memdev->firmware;
	memdev->firmware = malloc(sizeof(*memdev->firmware));
	if (!memdev->firmware)
		return &no_memory;
	pm_memdev_firmware_read(memdev, memdev->firmware);
	return memdev->firmware;
}

const char *pm_memdev_fw_reason(const struct pm_memdev_fw *fw)
{
	switch (fw->error) {
	case 0:
		return NULL;
	case -EACCES:
	case -EPERM:
		return "firmware slots need root: Get FW Info goes through /dev/cxl/memN, which only root may open";
	case -ENOENT:
		return "the memdev has no /dev/cxl node";
	case -ENOTTY:
	case -EOPNOTSUPP:
		return "the device does not implement Get FW Info";
	case -EIO:
		return "the device failed the Get FW Info command";
	case -ENODATA:
		return "the bundle holds no firmware slots for this memdev (written before reports recorded them)";
	default:
		return strerror(-fw->error);
	}
}

/* Writes len bytes to the upload class's data file; 0 or -errno. */
static int send_image(const struct pm_memdev *memdev, const char *image, uint64_t size,
		      pm_memdev_fw_progress_fn progress, void *arg)
{
	char path[128];
	uint64_t done = 0;
	int fd, rc = 0;

	snprintf(path, sizeof(path), "/sys/bus/cxl/devices/%s/firmware/%s/data", memdev->dev,
		 memdev->dev);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (done < size) {
		size_t chunk = size - done > 65536 ? 65536 : size - done;
		ssize_t n = write(fd, image + done, chunk);

		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		done += n;
		if (progress)
			progress(memdev->dev, "receiving", done, size, arg);
	}
	close(fd);
	return rc;
}

static int since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int)(now.tv_sec - t0->tv_sec);
}

/*
 * The kernel's worker runs prepare, write (Transfer FW, one slice per
 * call) and complete (Activate FW); status reads idle when it is done,
 * remaining_size says how much is left to transfer.
 */
static int wait_idle(const struct pm_memdev *memdev, uint64_t size, int timeout,
		     pm_memdev_fw_progress_fn progress, void *arg, char *status, size_t len)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		uint64_t remaining = 0;

		if (sysfs_read_string(status, len, FW_CLASS, memdev->dev, memdev->dev, "status") < 0)
			return -EIO;
		if (strcmp(status, "idle") == 0)
			return 0;
		if (timeout >= 0 && since(&t0) >= timeout)
			return -ETIMEDOUT;
		sysfs_read_u64(&remaining, FW_CLASS, memdev->dev, memdev->dev, "remaining_size");
		if (progress)
			progress(memdev->dev, status, remaining < size ? size - remaining : 0,
				 size, arg);
		poll(NULL, 0, 250);
	}
}

int pm_memdev_update_firmware(struct pm_memdev *memdev, const void *image,
			      uint64_t size, bool dry_run, int timeout,
			      struct pm_change_result *res,
			      pm_memdev_fw_progress_fn progress, void *arg)
{
	struct pm_memdev_fw *fw = memdev->firmware;
	struct pm_step *check, *st, *v;
	char status[32], error[64];
	int rc;

	check = pm_step_add(res, PM_ACT_CHECK, "check", "%s can take a %llu-byte image",
			    memdev->dev, (unsigned long long)size);
	if (!fw) {
		pm_memdev_firmware(memdev);
		fw = memdev->firmware;
		if (!fw)
			return pm_step_refuse(res, check, -ENOMEM, "out of memory");
	}
	if (!fw->can_update)
		return pm_step_refuse(res, check, -EOPNOTSUPP,
				      "no firmware upload for it (no /sys/class/firmware/%s: the device lacks the firmware commands, or the kernel is older than 6.6)",
				      memdev->dev);
	pm_memdev_security_read(memdev);
	if (memdev->security && strcmp(memdev->security, "sanitize") == 0)
		return pm_step_refuse(res, check, -EBUSY, "a sanitize runs: wait for it");
	if (strcmp(fw->update_status, "idle") != 0)
		return pm_step_refuse(res, check, -EBUSY,
				      "an update is under way (status %s): wait for it", fw->update_status);
	if (!dry_run && fw->error)
		return pm_step_refuse(res, check, fw->error, "%s", pm_memdev_fw_reason(fw));
	pm_step_close(check, 0);
	st = pm_step_add(res, PM_ACT_STAGE_FIRMWARE, "stage",
			 "%s takes the image into its next slot through /sys/class/firmware/%s, activated at its next reset",
			 memdev->dev, memdev->dev);
	v = pm_step_add(res, PM_ACT_VERIFY, "verify", "%s reports a staged slot", memdev->dev);
	if (dry_run)
		return 0;
	res->nr_steps--;	/* verify comes back once the stage is done */
	rc = sysfs_write_string("1\n", FW_CLASS, memdev->dev, memdev->dev, "loading");
	if (!rc) {
		rc = send_image(memdev, image, size, progress, arg);
		/* 0 hands the image to the kernel's worker; -1 drops it. */
		sysfs_write_string(rc ? "-1\n" : "0\n", FW_CLASS, memdev->dev, memdev->dev,
				   "loading");
	}
	if (!rc) {
		rc = wait_idle(memdev, size, timeout, progress, arg, status, sizeof(status));
		if (rc == -ETIMEDOUT) {
			sysfs_write_string("1\n", FW_CLASS, memdev->dev, memdev->dev, "cancel");
			snprintf(st->detail, sizeof(st->detail),
				 "still %s after %d s: cancelled", status, timeout);
		}
	}
	/* "" when it went through; else "<status>:<error>", e.g. transferring:hw-error. */
	if (!rc && sysfs_read_string(error, sizeof(error), FW_CLASS, memdev->dev, memdev->dev,
				     "error") >= 0 &&
	    error[0]) {
		snprintf(st->detail, sizeof(st->detail), "the kernel's upload failed: %s", error);
		rc = strstr(error, "invalid-file-size") ? -EINVAL :
		     strstr(error, "busy") ? -EBUSY : -EIO;
	}
	if (pm_step_finish(st, rc)) {
		snprintf(res->message, sizeof(res->message), "%s", st->detail[0] && rc != -EBUSY ?
			 st->detail : strerror(-rc));
		return res->err = rc;
	}
	res->changed = true;
	v = pm_step_add(res, PM_ACT_VERIFY, "verify", "%s reports a staged slot", memdev->dev);
	rc = pm_memdev_firmware_read(memdev, fw);
	if (!rc && !fw->staged_slot)
		rc = -EIO;
	if (rc) {
		snprintf(v->detail, sizeof(v->detail), "no staged slot after the upload: %s",
			 rc == -EIO ? "Get FW Info names none" : pm_memdev_fw_reason(fw));
		snprintf(res->message, sizeof(res->message), "%s", v->detail);
		return res->err = pm_step_finish(v, rc);
	}
	snprintf(v->detail, sizeof(v->detail), "%s staged slot %d: %s", memdev->dev,
		 fw->staged_slot, fw->next_version ?: "(no revision)");
	snprintf(res->message, sizeof(res->message),
		 "staged %s in slot %d: it runs after the memdev's next reset",
		 fw->next_version ?: "the image", fw->staged_slot);
	return pm_step_finish(v, 0);
}
