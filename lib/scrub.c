// SPDX-License-Identifier: GPL-2.0-or-later
/* Address range scrub (ARS) of a bus: its state, starting one, waiting for it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pmem.h"
#include "scrub.h"
#include "sysfs.h"

#define SYSFS_ND "/sys/bus/nd/devices"

/*
 * The kernel's format (drivers/acpi/nfit/core.c scrub_show()): the count,
 * then '+' while a scrub is requested or running.
 */
static int parse_scrub(const char *buf, struct pm_scrub_state *out)
{
	unsigned long count;
	char *end;

	errno = 0;
	count = strtoul(buf, &end, 10);
	if (errno || end == buf || count > UINT_MAX)
		return -EINVAL;
	out->count = count;
	out->running = *end == '+';
	if (*end == '+')
		end++;
	return *end == '\0' || *end == '\n' ? 0 : -EINVAL;
}

int pm_bus_scrub_state(const struct pm_bus *bus, struct pm_scrub_state *out)
{
	char buf[64];
	struct stat st;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = sysfs_read_string(buf, sizeof(buf), SYSFS_ND "/%s/nfit/scrub",
			       bus->dev);
	if (rc == -ENOENT) {
		char path[PATH_MAX];

		/*
		 * The nfit group is there on every ACPI NFIT bus; the kernel
		 * hides its scrub file when the firmware lacks one of the
		 * three ARS commands (nfit_visible(), ars_supported()).
		 */
		snprintf(path, sizeof(path), SYSFS_ND "/%s/nfit", bus->dev);
		out->reason = stat(path, &st) == 0 ?
			"the platform firmware offers no address range scrub (ARS) commands" :
			"only ACPI NFIT buses have an address range scrub";
		return 0;
	}
	if (rc)
		return rc;
	out->supported = true;
	return parse_scrub(buf, out);
}

int pm_bus_scrub_start(const struct pm_bus *bus)
{
	struct pm_scrub_state state;
	int rc;

	rc = pm_bus_scrub_state(bus, &state);
	if (rc)
		return rc;
	if (!state.supported)
		return -EOPNOTSUPP;
	rc = sysfs_write_string("1\n", SYSFS_ND "/%s/nfit/scrub", bus->dev);
	/* Every range already has a long scrub requested: it will run. */
	if (rc == -EBUSY)
		return 1;
	return rc;
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) +
	       (now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Re-reads each file (which also re-arms its poll); 1 while one runs. */
static int any_running(struct pollfd *fds, size_t nr)
{
	bool running = false;

	for (size_t i = 0; i < nr; i++) {
		struct pm_scrub_state state;
		char buf[64];
		ssize_t n;
		int rc;

		n = pread(fds[i].fd, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			return -errno;
		buf[n] = '\0';
		rc = parse_scrub(buf, &state);
		if (rc)
			return rc;
		running |= state.running;
	}
	return running;
}

int pm_bus_scrub_wait(const struct pm_bus *const *buses, size_t nr,
		      unsigned long timeout_ms, pm_scrub_progress_fn progress,
		      void *arg, double *elapsed)
{
	struct timespec start;
	struct pollfd *fds;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	*elapsed = 0;
	fds = calloc(nr ? nr : 1, sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	for (size_t i = 0; i < nr; i++)
		fds[i].fd = -1;
	for (size_t i = 0; i < nr; i++) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), SYSFS_ND "/%s/nfit/scrub",
			 buses[i]->dev);
		fds[i].fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i].fd < 0) {
			rc = errno == ENOENT ? -EOPNOTSUPP : -errno;
			goto out;
		}
		fds[i].events = POLLPRI;
	}
	for (;;) {
		double waited;
		long left;

		rc = any_running(fds, nr);
		if (rc <= 0)
			break;
		waited = seconds_since(&start);
		left = (long)timeout_ms - (long)(waited * 1000);
		if (left <= 0) {
			rc = -ETIMEDOUT;
			break;
		}
		/*
		 * The kernel notifies the file when a scrub completes; the
		 * one-second cap is for the progress line, and so a missed
		 * notification costs a second, not the whole timeout.
		 */
		if (poll(fds, nr, left < 1000 ? (int)left : 1000) < 0 &&
		    errno != EINTR) {
			rc = -errno;
			break;
		}
		if (progress)
			progress(seconds_since(&start), arg);
	}
out:
	*elapsed = seconds_since(&start);
	for (size_t i = 0; i < nr; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
	free(fds);
	return rc;
}
