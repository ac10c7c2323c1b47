/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers every lib/ file may use: growing arrays, optional strings. */
#ifndef PMEMCTL_UTIL_H
#define PMEMCTL_UTIL_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Append item to an array of pointers (void *** in disguise); 0 or -ENOMEM. */
static inline int pm_push(void *arrayp, size_t *nr, void *item)
{
	void ***array = arrayp;
	void **grown = realloc(*array, (*nr + 1) * sizeof(void *));

	if (!grown)
		return -ENOMEM;
	grown[(*nr)++] = item;
	*array = grown;
	return 0;
}

/* Append a copy of s to an array of strings; 0 or -ENOMEM (s not added). */
static inline int pm_push_dup(char ***list, size_t *nr, const char *s)
{
	char *copy = strdup(s);

	if (!copy || pm_push(list, nr, copy) < 0) {
		free(copy);
		return -ENOMEM;
	}
	return 0;
}

/* strdup that maps NULL and "" to NULL, so "absent" has one spelling. */
static inline char *pm_dup_or_null(const char *s)
{
	return s && s[0] ? strdup(s) : NULL;
}

#endif
