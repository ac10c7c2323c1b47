// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit test: what monitor reports as changed between two SMART reads. */
#include <string.h>

#include "../../lib/monitor.h"
#include "tap.h"

static struct pm_health base(void)
{
	struct pm_health h;

	memset(&h, 0, sizeof(h));
	h.state = "non-critical";
	h.temperature = (struct pm_health_temp){ true, 23.0 };
	h.ctrl_temperature = (struct pm_health_temp){ true, 25.0 };
	h.spares = (struct pm_health_uint){ true, 75 };
	h.alarm_temperature = (struct pm_health_bool){ true, false };
	h.alarm_ctrl_temperature = (struct pm_health_bool){ true, false };
	h.alarm_spares = (struct pm_health_bool){ true, false };
	h.life_used = (struct pm_health_uint){ true, 5 };
	h.shutdown_state = "clean";
	h.shutdown_count = (struct pm_health_uint){ true, 42 };
	h.dirty_shutdown = 42;
	return h;
}

#define BIT(f) (1u << (f))

int main(void)
{
	struct pm_health old = base(), now = base();
	struct pm_health_change c;

	pm_health_compare(&old, &now, &c);
	ok(c.fields == 0 && !c.unsafe_shutdown, "the same values: nothing changed");

	now.temperature.celsius = 60.0;
	now.alarm_temperature.value = true;
	pm_health_compare(&old, &now, &c);
	ok(c.fields == (BIT(PM_HEALTH_TEMPERATURE) | BIT(PM_HEALTH_ALARM_TEMPERATURE)),
	   "temperature and its alarm: both fields");
	ok(!c.unsafe_shutdown, "a temperature is no unsafe shutdown");

	now = base();
	now.state = "fatal";
	pm_health_compare(&old, &now, &c);
	ok(c.fields == BIT(PM_HEALTH_STATE), "health state: its field alone");

	now = base();
	now.shutdown_state = "dirty";
	now.shutdown_count.value = 43;
	pm_health_compare(&old, &now, &c);
	ok(c.unsafe_shutdown, "dirty and the count rose: unsafe shutdown");
	ok(c.fields == (BIT(PM_HEALTH_SHUTDOWN_STATE) | BIT(PM_HEALTH_SHUTDOWN_COUNT)),
	   "... both shutdown fields changed");

	now = base();
	now.shutdown_count.value = 43;
	pm_health_compare(&old, &now, &c);
	ok(c.unsafe_shutdown, "the count rose while the state reads clean: unsafe shutdown");

	old.shutdown_state = "dirty";
	now = base();
	now.shutdown_state = "dirty";
	pm_health_compare(&old, &now, &c);
	ok(!c.unsafe_shutdown && c.fields == 0, "dirty before and after, same count: no new unsafe shutdown");

	old = base();
	now = base();
	now.shutdown_count.value = 41;
	pm_health_compare(&old, &now, &c);
	ok(!c.unsafe_shutdown && c.fields == BIT(PM_HEALTH_SHUTDOWN_COUNT),
	   "a count that fell (DIMM replaced) changes the field, no unsafe shutdown");

	now = base();
	now.spares.valid = false;
	now.state = NULL;
	pm_health_compare(&old, &now, &c);
	ok(c.fields == (BIT(PM_HEALTH_SPARES) | BIT(PM_HEALTH_STATE)),
	   "values that became unknown changed");

	old.life_used.valid = false;
	old.life_used.value = 9;
	now = base();
	now.life_used.valid = false;
	now.life_used.value = 3;
	pm_health_compare(&old, &now, &c);
	ok(!(c.fields & BIT(PM_HEALTH_LIFE_USED)), "unknown both times: no change, whatever the stale value");
	return done_testing();
}
