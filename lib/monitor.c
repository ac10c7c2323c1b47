// SPDX-License-Identifier: GPL-2.0-or-later
/* Events: DIMM health (which DIMMs raise them, what changed) and CXL records. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ndctl/libndctl.h>

#include "monitor.h"
#include "pmem.h"
#include "sysfs.h"

#define SYSFS_ND "/sys/bus/nd/devices"

/* Known then and now with the same value, or unknown both times. */
static bool field_differs(const struct pm_health *old, const struct pm_health *now,
			  const struct pm_smart_field *field)
{
	struct pm_smart_value a, b;

	pm_smart_get(old, field, &a);
	pm_smart_get(now, field, &b);
	if (a.valid != b.valid)
		return true;
	if (!a.valid)
		return false;
	if (field->type == PM_SMART_NAME)
		return strcmp(a.name, b.name) != 0;
	return a.number != b.number;
}

void pm_health_compare(const struct pm_health *old, const struct pm_health *now,
		       struct pm_health_change *out)
{
	bool now_dirty = now->shutdown_state && !strcmp(now->shutdown_state, "dirty");
	bool was_dirty = old->shutdown_state && !strcmp(old->shutdown_state, "dirty");

	out->fields = 0;
	for (int i = 0; i < PM_HEALTH_NR_FIELDS; i++)
		if ((pm_smart_fields[i].flags & PM_SMART_EVENT) &&
		    field_differs(old, now, &pm_smart_fields[i]))
			out->fields |= 1u << i;
	/*
	 * The count is what PMDK compares across runs: a rise means an
	 * unsafe shutdown even when the state reads clean again.
	 */
	out->unsafe_shutdown = (now_dirty && !was_dirty) ||
		(old->shutdown_count.valid && now->shutdown_count.valid &&
		 now->shutdown_count.value > old->shutdown_count.value);
}

int pm_dimm_events_supported(const struct pm_dimm *dimm, const char **why)
{
	struct ndctl_cmd *cmd;
	char flags[256];
	int rc;

	if (!dimm->nddimm) {
		*why = "libndctl does not know it";
		return -EOPNOTSUPP;
	}
	/* What lib/health.c reads with: built, not sent (no root needed). */
	cmd = ndctl_dimm_cmd_new_smart(dimm->nddimm);
	if (!cmd) {
		*why = "it has no SMART";
		return -EOPNOTSUPP;
	}
	ndctl_cmd_unref(cmd);
	/* The kernel notifies this file on an ACPI NFIT health event (0x81). */
	rc = sysfs_read_string(flags, sizeof(flags), SYSFS_ND "/%s/nfit/flags",
			       dimm->dev);
	if (rc) {
		*why = "it is not an ACPI NFIT DIMM (no nfit/flags to wait on)";
		return -EOPNOTSUPP;
	}
	if (!strstr(flags, "smart_notify")) {
		*why = "its firmware sends no SMART health events (no smart_notify in nfit/flags)";
		return -EOPNOTSUPP;
	}
	if (ndctl_dimm_get_health_eventfd(dimm->nddimm) < 0) {
		*why = "libndctl could not open its nfit/flags";
		return -EOPNOTSUPP;
	}
	*why = NULL;
	return 0;
}

/*
 * sysfs poll: the file must be read (from offset 0) after each wake-up,
 * or poll() reports the same event again at once.
 */
static int rearm(int fd)
{
	char buf[256];

	return pread(fd, buf, sizeof(buf), 0) < 0 ? -errno : 0;
}

int pm_monitor_open(struct pm_monitor *m, struct pm_dimm *const *dimms,
		    size_t nr, const struct pm_dimm **failed)
{
	int rc;

	memset(m, 0, sizeof(*m));
	*failed = NULL;
	m->dimms = calloc(nr ? nr : 1, sizeof(*m->dimms));
	m->fds = calloc(nr + 2, sizeof(*m->fds));
	if (!m->dimms || !m->fds) {
		pm_monitor_close(m);
		return -ENOMEM;
	}
	m->nr = nr;
	for (size_t i = 0; i < nr; i++) {
		struct pm_monitor_dimm *md = &m->dimms[i];

		md->dimm = dimms[i];
		md->fd = ndctl_dimm_get_health_eventfd(dimms[i]->nddimm);
		m->fds[i].fd = md->fd;
		m->fds[i].events = POLLPRI;
		/* Armed before the read, so no event falls between the two. */
		rc = md->fd < 0 ? -EBADF : rearm(md->fd);
		if (!rc)
			rc = pm_dimm_health_read(dimms[i], &md->last);
		if (rc) {
			*failed = dimms[i];
			pm_monitor_close(m);
			return rc;
		}
	}
	return 0;
}

static int handle(struct pm_monitor *m, size_t i, struct pm_monitor_event *ev)
{
	struct pm_monitor_dimm *md = &m->dimms[i];
	int rc = rearm(md->fd);

	if (rc)
		return rc;
	ev->type = PM_EVENT_HEALTH;
	ev->dimm = md->dimm;
	ev->previous = md->last;
	pm_dimm_health_read(md->dimm, &ev->current);
	pm_health_compare(&ev->previous, &ev->current, &ev->change);
	/* A failed read keeps the last good values for the next comparison. */
	if (!ev->current.error)
		md->last = ev->current;
	return 1;
}

int pm_monitor_watch_cxl(struct pm_monitor *m, const char *const *names,
			 size_t nr)
{
	int rc;

	m->cxl = calloc(1, sizeof(*m->cxl));
	if (!m->cxl)
		return -ENOMEM;
	if (names) {
		m->memdevs = calloc(nr ? nr : 1, sizeof(*m->memdevs));
		if (!m->memdevs) {
			free(m->cxl);
			m->cxl = NULL;
			return -ENOMEM;
		}
		for (size_t i = 0; i < nr; i++)
			m->memdevs[i] = names[i];
		m->nr_memdevs = nr;
	}
	rc = pm_cxl_watch_open(m->cxl);
	if (rc) {
		free(m->cxl);
		free(m->memdevs);
		m->cxl = NULL;
		m->memdevs = NULL;
		return rc;
	}
	/* Records traced before the pipe was polled wait in the buffer. */
	m->cxl_ready = true;
	return 0;
}

static bool memdev_watched(const struct pm_monitor *m, const char *memdev)
{
	if (!m->memdevs)
		return true;
	for (size_t i = 0; i < m->nr_memdevs; i++)
		if (!strcmp(m->memdevs[i], memdev))
			return true;
	return false;
}

/* The next record of a watched memdev: 1, 0 when the pipe is empty, -errno. */
static int next_record(struct pm_monitor *m, struct pm_monitor_event *ev)
{
	int rc;

	while ((rc = pm_cxl_watch_next(m->cxl, &ev->cxl)) == 1) {
		if (!memdev_watched(m, ev->cxl.memdev))
			continue;
		ev->type = PM_EVENT_CXL;
		ev->dimm = NULL;
		return 1;
	}
	m->cxl_ready = false;
	return rc;
}

/* Milliseconds until deadline for poll(): -1 without one, 0 once it passed. */
static int remaining_ms(const struct timespec *deadline)
{
	struct timespec now;
	long long ms;

	if (!deadline)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (deadline->tv_sec - now.tv_sec) * 1000LL +
	     (deadline->tv_nsec - now.tv_nsec + 999999) / 1000000;
	return ms <= 0 ? 0 : ms > 1000000 ? 1000000 : (int)ms;
}

int pm_monitor_wait(struct pm_monitor *m, int stop_fd,
		    const struct timespec *deadline,
		    struct pm_monitor_event *ev)
{
	size_t pipe = m->nr, stop = m->nr + 1;
	int rc, ms;

	for (;;) {
		/* DIMMs ready in the last poll() come first, one per call. */
		while (m->scanning && m->next < m->nr) {
			size_t i = m->next++;

			if (m->fds[i].revents & (POLLPRI | POLLERR))
				return handle(m, i, ev);
		}
		if (m->scanning && (m->fds[stop].revents & (POLLIN | POLLHUP)))
			return 0;
		m->scanning = false;
		/* Then the records the trace pipe holds, one per call. */
		if (m->cxl && m->cxl_ready) {
			rc = next_record(m, ev);
			if (rc)
				return rc;
		}
		m->fds[pipe].fd = m->cxl ? m->cxl->fd : -1;
		m->fds[pipe].events = POLLIN;
		m->fds[stop].fd = stop_fd;
		m->fds[stop].events = POLLIN;
		ms = remaining_ms(deadline);
		if (ms == 0)
			return -ETIMEDOUT;
		rc = poll(m->fds, m->nr + 2, ms);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (rc == 0)
			continue;	/* the deadline: checked above */
		m->scanning = true;
		m->next = 0;
		if (m->fds[pipe].revents & (POLLIN | POLLERR | POLLHUP))
			m->cxl_ready = true;
	}
}

void pm_monitor_close(struct pm_monitor *m)
{
	if (m->cxl)
		pm_cxl_watch_close(m->cxl);
	free(m->cxl);
	free(m->memdevs);
	free(m->dimms);
	free(m->fds);
	memset(m, 0, sizeof(*m));
}
