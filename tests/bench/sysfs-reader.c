// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The limit of tests/bench/perf-vs-ndctl: a bare reader that makes exactly
 * the sysfs system calls one `pmemctl list -BDRNX` run made (the same
 * files, opened relative to the same directories with the same flags, read
 * with the same sizes) and nothing else. perf-bench-guest.py writes the
 * calls, taken from strace, as a script of lines:
 *   o SLOT BASE FLAGS PATH   SLOT = openat(BASE, PATH, FLAGS)
 *   r SLOT SIZE              read(SLOT, buf, SIZE)
 *   p SLOT SIZE OFFSET       pread(SLOT, buf, SIZE, OFFSET)
 *   d SLOT SIZE              getdents64(SLOT, buf, SIZE)
 *   c SLOT                   close(SLOT)
 *   s BASE FLAGS PATH        fstatat(BASE, PATH, &st, FLAGS)
 *   l BASE PATH              readlinkat(BASE, PATH, buf, 4096)
 *   a BASE PATH              faccessat(BASE, PATH, F_OK, 0)
 * BASE is a SLOT or -1 for AT_FDCWD. The script is read whole and parsed
 * before the first call, so what the reader does beyond the calls is one
 * small file read and a parse: the time of pmemctl over this program's is
 * the overhead that is pmemctl's own. Linked statically where possible, so
 * that it pays no dynamic linking either.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define MAX_SLOTS 4096

struct op {
	char kind;
	int slot, base, flags;
	long size, offset;
	const char *path;
};

static int fds[MAX_SLOTS];

static int base_fd(int base)
{
	return base < 0 || base >= MAX_SLOTS ? AT_FDCWD : fds[base];
}

int main(int argc, char **argv)
{
	static char buf[1 << 16];
	struct op *ops;
	size_t nr = 0, cap = 1024;
	char *text, *line, *save;
	long len;
	FILE *f;

	if (argc != 2 || !(f = fopen(argv[1], "re"))) {
		fprintf(stderr, "usage: sysfs-reader SCRIPT\n");
		return 2;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = malloc(len + 1);
	ops = malloc(cap * sizeof(*ops));
	if (!text || !ops || fread(text, 1, len, f) != (size_t)len)
		return 1;
	text[len] = '\0';
	fclose(f);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct op o = { .kind = line[0], .base = -1 };
		int at = 0;

		switch (o.kind) {
		case 'o':
			sscanf(line + 2, "%d %d %d %n", &o.slot, &o.base, &o.flags, &at);
			break;
		case 'r': case 'd':
			sscanf(line + 2, "%d %ld", &o.slot, &o.size);
			break;
		case 'p':
			sscanf(line + 2, "%d %ld %ld", &o.slot, &o.size, &o.offset);
			break;
		case 'c':
			sscanf(line + 2, "%d", &o.slot);
			break;
		case 's':
			sscanf(line + 2, "%d %d %n", &o.base, &o.flags, &at);
			break;
		case 'l': case 'a':
			sscanf(line + 2, "%d %n", &o.base, &at);
			break;
		default:
			continue;
		}
		if (at)
			o.path = line + 2 + at;
		if ((o.slot < 0 || o.slot >= MAX_SLOTS) || (o.size < 0 || o.size > (long)sizeof(buf)))
			return 1;
		if (nr == cap && !(ops = realloc(ops, (cap *= 2) * sizeof(*ops))))
			return 1;
		ops[nr++] = o;
	}
	for (size_t i = 0; i < nr; i++) {
		const struct op *o = &ops[i];
		struct stat st;

		switch (o->kind) {
		case 'o':
			fds[o->slot] = openat(base_fd(o->base), o->path, o->flags);
			break;
		case 'r':
			(void)!read(fds[o->slot], buf, o->size);
			break;
		case 'p':
			(void)!pread(fds[o->slot], buf, o->size, o->offset);
			break;
		case 'd':
			syscall(SYS_getdents64, fds[o->slot], buf, o->size);
			break;
		case 'c':
			close(fds[o->slot]);
			break;
		case 's':
			fstatat(base_fd(o->base), o->path, &st, o->flags);
			break;
		case 'l':
			(void)!readlinkat(base_fd(o->base), o->path, buf, 4096);
			break;
		case 'a':
			faccessat(base_fd(o->base), o->path, F_OK, 0);
			break;
		}
	}
	return 0;
}
