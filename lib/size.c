// SPDX-License-Identifier: GPL-2.0-or-later
/* Parsing and rendering of byte sizes with binary units. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmem.h"

static const char units[] = "KMGTPE";

int pm_parse_size(const char *text, uint64_t *bytes)
{
	unsigned long long value;
	const char *unit;
	char *end;
	int shift = 0;

	if (!text || !isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	value = strtoull(text, &end, 0);
	if (errno == ERANGE)
		return -ERANGE;
	if (end == text)
		return -EINVAL;
	if (*end) {
		unit = strchr(units, toupper((unsigned char)*end));
		if (!unit || !*unit)
			return -EINVAL;
		shift = 10 * (int)(unit - units + 1);
		end++;
		/* "4K", "4KB" and "4KiB" all mean 4096 bytes. */
		if (*end == 'i' && end[1] == 'B')
			end += 2;
		else if (*end == 'B')
			end++;
		if (*end)
			return -EINVAL;
	}
	if (shift && value > (UINT64_MAX >> shift))
		return -ERANGE;
	*bytes = (uint64_t)value << shift;
	return 0;
}

void pm_format_size(uint64_t bytes, char *buf, size_t len)
{
	unsigned __int128 tenths;
	int exp = 0;

	if (bytes < 1024) {
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
		return;
	}
	/*
	 * One decimal, rounded, dropped when zero (1G, 1.5G, 1008M); a value
	 * that rounds up to 1024 of a unit is shown in the next one.
	 */
	do {
		exp++;
		tenths = ((unsigned __int128)bytes * 10 + (1ULL << (10 * exp)) / 2) >>
			 (10 * exp);
	} while (tenths >= 10240 && units[exp]);
	if (tenths % 10)
		snprintf(buf, len, "%llu.%llu%c", (unsigned long long)(tenths / 10),
			 (unsigned long long)(tenths % 10), units[exp - 1]);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)(tenths / 10),
			 units[exp - 1]);
}
