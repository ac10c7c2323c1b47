// SPDX-License-Identifier: GPL-2.0-or-later
/* Strings from sysfs, bundles and file names made safe for a terminal or JSON. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

size_t esc_utf8_len(const unsigned char *s)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	/* A NUL ends the string before a continuation byte can be missed. */
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* C1 controls (U+0080-U+009F) are two bytes: C2 80 to C2 9F. */
static bool is_c1(const unsigned char *s, size_t n)
{
	return n == 2 && s[0] == 0xc2 && s[1] < 0xa0;
}

static char *put_hex(char *p, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";

	*p++ = '\\';
	*p++ = 'x';
	*p++ = hex[c >> 4];
	*p++ = hex[c & 0xf];
	return p;
}

char *esc_text(const char *str, unsigned int flags)
{
	const unsigned char *s = (const unsigned char *)str;
	bool raw = flags & ESC_RAW;
	char *out, *p;
	size_t n;

	/* At worst every byte becomes \xNN. */
	out = malloc(strlen(str) * 4 + 1);
	if (!out)
		return NULL;
	for (p = out; *s; s += n) {
		n = esc_utf8_len(s);
		if (n > 1 && !is_c1(s, n)) {
			memcpy(p, s, n);
			p += n;
			continue;
		}
		if (n == 0 || is_c1(s, n)) {
			/* Byte by byte: \xc2\x9b reads back as the bytes it was. */
			p = put_hex(p, s[0]);
			if (n == 2)
				p = put_hex(p, s[1]);
			else
				n = 1;
			continue;
		}
		if (raw && (*s <= ' ' || *s == '\\' || *s == 0x7f)) {
			p = put_hex(p, *s);
		} else if (*s == '\\') {
			*p++ = '\\';
			*p++ = '\\';
		} else if (!(flags & ESC_HEX) &&
			   (*s == '\n' || *s == '\t' || *s == '\r')) {
			*p++ = '\\';
			*p++ = *s == '\n' ? 'n' : *s == '\t' ? 't' : 'r';
		} else if (*s < ' ' || *s == 0x7f) {
			p = put_hex(p, *s);
		} else {
			*p++ = *s;
		}
	}
	*p = '\0';
	return out;
}

static bool needs_escape(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	for (; *s; s++)
		if (*s < ' ' || *s >= 0x7f || *s == '\\')
			break;
	if (!*s)
		return false;
	for (size_t n; *s; s += n) {
		n = esc_utf8_len(s);
		if (!n || is_c1(s, n) || (n == 1 && (*s < ' ' || *s == 0x7f ||
						     *s == '\\')))
			return true;
	}
	return false;
}

const char *esc(const char *s)
{
	/* Enough for every argument of one printf of a report line. */
	static char *ring[16];
	static unsigned int next;
	char **slot;

	if (!s)
		return "";
	if (!needs_escape(s))
		return s;
	slot = &ring[next++ % 16];
	free(*slot);
	*slot = esc_text(s, 0);
	return *slot ? *slot : "?";
}

char *esc_json(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	char *out, *p;
	size_t n;

	out = malloc(strlen(str) * 4 + 1);
	if (!out)
		return NULL;
	for (p = out; *s; s += n ? n : 1) {
		n = esc_utf8_len(s);
		if (!n) {
			p = put_hex(p, *s);
		} else if (*s == '\\') {
			*p++ = '\\';
			*p++ = '\\';
		} else {
			memcpy(p, s, n);
			p += n;
		}
	}
	*p = '\0';
	return out;
}
