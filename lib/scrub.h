/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Address range scrub (ARS) of a bus: its state, starting one, waiting for it. */
#ifndef PMEMCTL_SCRUB_H
#define PMEMCTL_SCRUB_H

#include <stdbool.h>
#include <stddef.h>

struct pm_bus;

struct pm_scrub_state {
	bool supported;		/* the bus has ARS: ndbusN/nfit/scrub exists */
	bool running;		/* a scrub is in progress (the file ends in '+') */
	unsigned int count;	/* scrubs completed since the driver loaded */
	const char *reason;	/* why it is not supported; NULL when it is */
};

/*
 * Reads ndbusN/nfit/scrub, sysfs only, so it replays from a bundle. A bus
 * without scrub is not an error: 0 with supported false and the reason.
 * -errno when the file exists but cannot be read or parsed.
 */
int pm_bus_scrub_state(const struct pm_bus *bus, struct pm_scrub_state *out);

/*
 * Asks the kernel for a full (long) scrub of every range of the bus.
 * 0: started; 1: one was already requested and has not finished (the
 * caller waits for it); -EACCES: root only; -EOPNOTSUPP: no scrub here;
 * other -errno from the kernel.
 */
int pm_bus_scrub_start(const struct pm_bus *bus);

/* Called about once a second while waiting, with the seconds elapsed. */
typedef void (*pm_scrub_progress_fn)(double elapsed, void *arg);

/*
 * Waits until no bus of the set is scrubbing, or timeout_ms have passed
 * (0: looks once). 0 when done, -ETIMEDOUT, or -errno. *elapsed gets the
 * seconds waited. Sleeps in poll() on the scrub files, which the kernel
 * notifies when a scrub completes, waking once a second for progress.
 */
int pm_bus_scrub_wait(const struct pm_bus *const *buses, size_t nr,
		      unsigned long timeout_ms, pm_scrub_progress_fn progress,
		      void *arg, double *elapsed);

#endif
