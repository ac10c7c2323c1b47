// SPDX-License-Identifier: GPL-2.0-or-later
/* pmemctl update-firmware: stage a firmware image on DIMMs, and activate it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "change.h"
#include "escape.h"
#include "../lib/cxl.h"
#include "../lib/firmware.h"
#include "../lib/pmem.h"

/* Vendors' images are a few MiB; anything far larger is not one. */
#define IMAGE_MAX (64u << 20)

enum {
	OPT_IMAGE = CHANGE_OPT_FIRST,
	OPT_ACTIVATE,
	OPT_NO_ARM,
	OPT_WAIT_SCRUB,
};

static struct fw_args {
	const char *image;
	bool activate, no_arm, wait_scrub;
	void *data;			/* the image, read by check() */
	uint64_t size;
	struct pm_dimm *dimms[PM_FW_MAX_DIMMS];
	size_t nr_dimms;
	struct pm_memdev *memdevs[PM_FW_MAX_DIMMS]; /* or CXL memdevs, not both */
	size_t nr_memdevs;
	struct pm_fw_change change;
} param;

static const struct cli_option options[] = {
	OPT_STRING(OPT_IMAGE, "image", &param.image, "FILE",
		   "the firmware image to stage"),
	OPT_FLAG(OPT_ACTIVATE, "activate", &param.activate,
		 "then activate it through the bus (live or\nquiesced: said before it is done)"),
	OPT_FLAG(OPT_NO_ARM, "no-arm", &param.no_arm,
		 "stage without arming: the next activation\nleaves it, a power cycle runs it"),
	OPT_FLAG(OPT_WAIT_SCRUB, "wait-scrub", &param.wait_scrub,
		 "wait for a running address range scrub\ninstead of refusing"),
	CLI_END,
};

/* The whole image, read once: every DIMM gets the same bytes. */
static int read_image(struct fw_args *a)
{
	struct stat st;
	ssize_t n = 0;
	int fd;

	fd = open(a->image, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		cli_error(a->image, "cannot read the image: %s", strerror(errno));
		goto bad;
	}
	if (!S_ISREG(st.st_mode)) {
		cli_error(a->image, "not a regular file: the image must be a file");
		goto bad;
	}
	if (!st.st_size || st.st_size > IMAGE_MAX) {
		cli_error(a->image, st.st_size ? "larger than %u MiB: not a DIMM firmware image" :
			  "empty: not a firmware image", IMAGE_MAX >> 20);
		goto bad;
	}
	a->size = st.st_size;
	a->data = malloc(a->size);
	if (a->data)
		n = read(fd, a->data, a->size);
	if (!a->data || n != (ssize_t)a->size) {
		cli_error(a->image, "cannot read the image: %s",
			  n < 0 ? strerror(errno) : "short read");
		goto bad;
	}
	close(fd);
	return EXIT_OK;
bad:
	if (fd >= 0)
		close(fd);
	return EXIT_USAGE;
}

static int check(struct change *ch)
{
	struct fw_args *a = ch->args;

	if (!a->image && !a->activate)
		return cli_usage_error(ch->ctx, "no image given: --image FILE (or --activate alone, for what is staged)");
	if (ch->nr_names > PM_FW_MAX_DIMMS)
		return cli_usage_error(ch->ctx, "at most %d DIMMs or memdevs at a time",
				       PM_FW_MAX_DIMMS);
	return a->image ? read_image(a) : EXIT_OK;
}

/* --activate alone: each DIMM must have an image staged to activate. */
static int check_staged(struct change *ch)
{
	struct fw_args *a = ch->args;
	struct pm_step *s = pm_step_add(ch->res, PM_ACT_CHECK, "check",
					"%zu DIMM%s: an image staged", a->nr_dimms,
					a->nr_dimms == 1 ? "" : "s");

	for (size_t i = 0; i < a->nr_dimms; i++) {
		const struct pm_firmware *fw = pm_dimm_firmware(a->dimms[i]);

		if (pm_firmware_denied(fw)) {
			snprintf(s->detail, sizeof(s->detail),
				 "%zu DIMM%s: whether an image is staged not checked (needs root)",
				 a->nr_dimms, a->nr_dimms == 1 ? "" : "s");
			break;
		}
		if (!pm_firmware_staged(fw)) {
			snprintf(ch->res->message, sizeof(ch->res->message),
				 "%s: no firmware image staged to activate (%s): stage one first with --image FILE",
				 a->dimms[i]->dev, fw->error ? pm_firmware_reason(fw) : "no next version");
			snprintf(s->detail, sizeof(s->detail), "%.*s", (int)sizeof(s->detail) - 1,
				 ch->res->message);
			ch->res->err = -EINVAL;
			ch->res->nr_steps = 0;	/* a refusal: the message says all */
			return -EINVAL;
		}
	}
	return pm_step_close(s, 0);
}

/*
 * A CXL memdev: the kernel activates what it transferred at the memdev's
 * next reset (offline), by itself; nothing to arm, no bus to activate.
 */
static int resolve_memdev(struct change *ch, struct pm_memdev *memdev, int i)
{
	struct fw_args *a = ch->args;
	size_t len = strlen(ch->object);

	if (a->nr_dimms)
		return cli_usage_error(ch->ctx, "DIMMs or CXL memdevs, not both");
	if (a->activate || a->no_arm || a->wait_scrub) {
		cli_error(memdev->dev, "%s: the kernel activates a CXL memdev's firmware at its next reset by itself",
			  a->activate ? "no --activate" : a->no_arm ? "no --no-arm" :
			  "no --wait-scrub");
		return EXIT_UNSUPPORTED;
	}
	if (!a->image)
		return cli_usage_error(ch->ctx, "no image given: --image FILE");
	for (size_t j = 0; j < a->nr_memdevs; j++)
		if (a->memdevs[j] == memdev)
			return cli_usage_error(ch->ctx, "%s named twice", memdev->dev);
	a->memdevs[a->nr_memdevs++] = memdev;
	a->change.dimms[i] = memdev->dev;
	a->change.dimms[i + 1] = NULL;
	if (len < sizeof(ch->object))
		snprintf(ch->object + len, sizeof(ch->object) - len, "%s%s", i ? "," : "",
			 memdev->dev);
	return ch->lock >= 0 ? change_lock_more(ch, memdev->dev, false, "updating its firmware") :
			       EXIT_OK;
}

/* The DIMMs named, each once; under the lock, each DIMM's own lock too. */
static int resolve(struct change *ch)
{
	struct fw_args *a = ch->args;
	size_t len = 0;

	a->nr_dimms = a->nr_memdevs = 0;
	ch->object[0] = '\0';
	for (int i = 0; i < ch->nr_names; i++) {
		struct pm_dimm *dimm = pm_find_dimm(ch->pf, ch->names[i]);
		struct pm_memdev *memdev = dimm ? NULL : pm_find_memdev(ch->pf, ch->names[i]);

		if (memdev) {
			int exit_code = resolve_memdev(ch, memdev, i);

			if (exit_code)
				return exit_code;
			len = strlen(ch->object);
			continue;
		}
		if (!dimm) {
			cli_error(ch->names[i], strncmp(ch->names[i], "mem", 3) == 0 ?
				  "no such CXL memdev (pmemctl list -C names them)" :
				  "no such DIMM (pmemctl list -D names them)");
			return EXIT_NOT_FOUND;
		}
		if (a->nr_memdevs)
			return cli_usage_error(ch->ctx, "DIMMs or CXL memdevs, not both");
		for (size_t j = 0; j < a->nr_dimms; j++)
			if (a->dimms[j] == dimm)
				return cli_usage_error(ch->ctx, "%s named twice", dimm->dev);
		a->dimms[a->nr_dimms++] = dimm;
		a->change.dimms[i] = dimm->dev;
		a->change.dimms[i + 1] = NULL;
		if (len < sizeof(ch->object))
			len += snprintf(ch->object + len, sizeof(ch->object) - len, "%s%s",
					i ? "," : "", dimm->dev);
		if (ch->lock >= 0) {
			int exit_code = change_lock_more(ch, dimm->dev, false,
							 "updating its firmware");

			if (exit_code)
				return exit_code;
		}
	}
	return EXIT_OK;
}

/* A line rewritten in place, on a terminal only. */
static void progress(const char *dimm, uint64_t sent, uint64_t total, void *arg)
{
	(void)arg;
	fprintf(stderr, "\r%s: staging %llu of %llu bytes (%llu%%)", esc(dimm),
		(unsigned long long)sent, (unsigned long long)total,
		(unsigned long long)(sent * 100 / total));
	if (sent == total)
		fputc('\n', stderr);
}

/* The same for a memdev: the bytes written, then the kernel's transfer. */
static void memdev_progress(const char *memdev, const char *status, uint64_t done,
			    uint64_t total, void *arg)
{
	bool *shown = arg;

	fprintf(stderr, "\r%s: %s %llu of %llu bytes (%llu%%)\033[K", esc(memdev), esc(status),
		(unsigned long long)done, (unsigned long long)total,
		(unsigned long long)(done * 100 / total));
	*shown = true;
}

/* Each memdev in turn, stopping at the first that fails. */
static int run_memdevs(struct change *ch)
{
	struct fw_args *a = ch->args;
	bool tty = isatty(STDERR_FILENO) && !ch->json;
	int rc = 0;

	ch->res->firmware = &a->change;
	ch->res->no_config = true;
	for (size_t i = 0; i < a->nr_memdevs && !rc; i++) {
		bool shown = false;

		rc = pm_memdev_update_firmware(a->memdevs[i], a->data, a->size, ch->dry_run,
					       3600, ch->res, tty ? memdev_progress : NULL,
					       &shown);
		if (shown)
			fputc('\n', stderr);
		if (!rc && !ch->dry_run) {
			size_t n = 0;

			while (a->change.updated[n])
				n++;
			a->change.updated[n] = a->memdevs[i]->dev;
		}
	}
	if (!rc && a->nr_memdevs > 1)
		snprintf(ch->res->message, sizeof(ch->res->message),
			 "%s a %llu-byte image on %zu memdevs: each runs it after its next reset",
			 ch->dry_run ? "would stage" : "staged", (unsigned long long)a->size,
			 a->nr_memdevs);
	else if (!rc && ch->dry_run)
		snprintf(ch->res->message, sizeof(ch->res->message),
			 "would stage a %llu-byte image: it runs after the memdev's next reset",
			 (unsigned long long)a->size);
	return rc;
}

/* The buses of the DIMMs, each once, in the order they were named. */
static size_t buses_of(const struct fw_args *a, const struct pm_bus **buses)
{
	size_t n = 0;

	for (size_t i = 0; i < a->nr_dimms; i++) {
		size_t j;

		for (j = 0; j < n && buses[j] != a->dimms[i]->bus; j++)
			;
		if (j == n)
			buses[n++] = a->dimms[i]->bus;
	}
	return n;
}

/* The report names the DIMMs: a message about the one named alone need not. */
static void drop_object(struct change *ch)
{
	char *msg = ch->res->message;
	size_t n = strlen(ch->object);

	if (!strncmp(msg, ch->object, n) && msg[n] == ':' && msg[n + 1] == ' ')
		memmove(msg, msg + n + 2, strlen(msg + n + 2) + 1);
}

static int run(struct change *ch)
{
	struct fw_args *a = ch->args;
	const struct pm_fw_request req = {
		.image = a->data, .image_size = a->size, .dry_run = ch->dry_run,
		.no_arm = a->no_arm, .wait_scrub = a->wait_scrub,
	};
	const struct pm_bus *buses[PM_FW_MAX_DIMMS];
	size_t nr_buses = buses_of(a, buses);
	bool tty = isatty(STDERR_FILENO) && !ch->json;
	int rc;

	if (a->nr_memdevs)
		return run_memdevs(ch);
	ch->res->firmware = &a->change;
	ch->res->no_config = true;
	/* Refused before anything is staged: nothing half done. */
	for (size_t i = 0; a->activate && i < nr_buses; i++) {
		rc = pm_bus_fw_can_activate(buses[i], ch->res->message,
					    sizeof(ch->res->message));
		if (rc < 0) {
			ch->res->err = rc;
			return rc;
		}
	}
	rc = a->image ? pm_update_firmware(a->dimms, a->nr_dimms, &req, &a->change,
					   ch->res, tty ? progress : NULL, NULL) :
			check_staged(ch);
	for (size_t i = 0; !rc && a->activate && i < nr_buses; i++) {
		if (!ch->dry_run)
			fprintf(stderr, "pmemctl: %s: activating the staged firmware: %s\n",
				buses[i]->dev, pm_bus_fw_activate_effect(buses[i]));
		rc = pm_activate_firmware(buses[i], ch->dry_run, &a->change, ch->res);
	}
	if (rc)
		drop_object(ch);
	else if (!a->image)
		snprintf(ch->res->message, sizeof(ch->res->message),
			 "%s the firmware staged on %zu DIMM%s", ch->dry_run ? "would activate" :
			 "activated", a->nr_dimms, a->nr_dimms == 1 ? "" : "s");
	else if (a->activate && !ch->dry_run)
		snprintf(ch->res->message, sizeof(ch->res->message),
			 "staged and activated a %llu-byte image on %zu DIMM%s",
			 (unsigned long long)a->size, a->nr_dimms, a->nr_dimms == 1 ? "" : "s");
	return rc;
}

static const struct change_verb update_firmware = {
	.doing = "updating firmware",
	.targets = CHANGE_OWN,
	.noun = "DIMM",
	.lock = "firmware",
	.usage = "Usage: pmemctl update-firmware [options] --image FILE DIMM|MEMDEV...\n"
		 "       pmemctl update-firmware [options] --activate DIMM...\n"
		 "\n"
		 "Stage a firmware image on each DIMM in turn, verify the staged\n"
		 "version and arm it for activation; stop at the first DIMM that\n"
		 "fails. The DIMMs keep running their firmware until an activation\n"
		 "(--activate, where the bus can) or a power cycle. Refused while an\n"
		 "address range scrub runs on the DIMM's bus, on a locked DIMM, and\n"
		 "for an empty or unreadable image. --activate without --image\n"
		 "activates what is staged. A CXL memdev takes the image through the\n"
		 "kernel's firmware upload, which stages it for the next reset. Root\n"
		 "only.\n"
		 "\n",
	.usage_end = "\n"
		     "Exit: 0 done, 1 the DIMM rejected the image or failed, 2 bad\n"
		     "option or image file, 3 no such DIMM, 4 not root, 5 no firmware\n"
		     "update (or activation) here, 6 a scrub runs or a DIMM is busy\n"
		     "or locked. See pmemctl-update-firmware(1).\n",
	.options = options,
	.check = check,
	.run = run,
	.resolve = resolve,
};

int cmd_update_firmware(int argc, char **argv, struct pmemctl_ctx *ctx)
{
	int rc = change_run(ctx, &update_firmware, &param, argc, argv);

	free(param.data);
	return rc;
}
