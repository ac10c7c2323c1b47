// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests: pm_mountinfo_parse(), the one decoder of mountinfo lines, and
 * pm_find_holder() against a real child process holding a device open.
 */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "tap.h"
#include "lib/proc.h"

static struct pm_mount m;

static void parses(const char *line, const char *what)
{
	ok(pm_mountinfo_parse(line, &m), "%s: parsed", what);
}

static void field_is(const char *got, const char *expected, const char *what)
{
	ok(strcmp(got, expected) == 0, "%s: '%s' (got '%s')", what, expected, got);
}

static void refused(const char *line, const char *what)
{
	ok(!pm_mountinfo_parse(line, &m), "%s: not a mount", what);
}

/* A child holds /dev/full open (a device hardly anyone opens). */
static void finds_holder(void)
{
	const char *nodes[] = { "/dev/null-not-there", "/dev/full" };
	struct pm_holder h;
	int ready[2], rc;
	char c;
	pid_t child;

	if (pipe(ready) < 0 || (child = fork()) < 0) {
		ok(0, "fork a holder");
		return;
	}
	if (child == 0) {
		int fd = open("/dev/full", O_RDONLY);

		(void)!write(ready[1], fd >= 0 ? "y" : "n", 1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1 || c != 'y') {
		ok(1, "# SKIP /dev/full cannot be opened here");
	} else {
		rc = pm_find_holder(nodes, 2, &h);
		ok(rc == 1 && h.pid == child && !h.mapped && strcmp(h.node, "/dev/full") == 0,
		   "the child holding /dev/full open is found (rc %d, pid %d of %d, %s)",
		   rc, rc == 1 ? (int)h.pid : 0, (int)child, rc == 1 ? h.node : "-");
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	close(ready[0]);
	rc = pm_find_holder(nodes, 2, &h);
	ok(rc == 0 || h.pid != child, "once it is gone, not found");
	ok(pm_find_holder(nodes, 1, &h) == 0, "a node that does not exist has no holder");
}

int main(void)
{
	finds_holder();

	/* proc(5)'s own example: one optional field. */
	parses("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n",
	       "proc(5)'s example");
	ok(major(m.dev) == 98 && minor(m.dev) == 0, "dev 98:0 (got %u:%u)",
	   major(m.dev), minor(m.dev));
	field_is(m.root, "/mnt1", "root");
	field_is(m.point, "/mnt2", "mount point");
	field_is(m.options, "rw,noatime", "mount options");
	field_is(m.fstype, "ext3", "filesystem type after the separator");
	field_is(m.source, "/dev/root", "source");
	field_is(m.super_options, "rw,errors=continue", "superblock options");

	parses("25 1 259:3 / /mnt/pmem rw,relatime - ext4 /dev/pmem0 rw,dax=always", "no optional field");
	field_is(m.fstype, "ext4", "no optional field: type");
	field_is(m.super_options, "rw,dax=always", "no optional field, no newline: options");

	parses("25 1 259:3 / /mnt rw shared:7 master:2 propagate_from:1 unbindable - xfs /dev/pmem1 rw,dax",
	       "four optional fields");
	field_is(m.fstype, "xfs", "four optional fields: type");
	field_is(m.source, "/dev/pmem1", "four optional fields: source");

	/* Minor numbers above 255 need makedev()'s split encoding. */
	parses("1 0 259:1048575 / / rw - ext4 /dev/nvme0n1p1 rw", "a 20-bit minor");
	ok(major(m.dev) == 259 && minor(m.dev) == 1048575, "dev 259:1048575 (got %u:%u)",
	   major(m.dev), minor(m.dev));

	/* The kernel escapes space, tab, newline and backslash as \ooo. */
	parses("30 1 259:0 / /mnt/a\\040b\\011c\\012d\\134e rw - ext4 /dev/pmem0 rw",
	       "an escaped mount point");
	field_is(m.point, "/mnt/a b\tc\nd\\e", "space, tab, newline and backslash decoded");
	parses("30 1 259:0 / /mnt/x\\8y\\0 rw - ext4 /dev/pmem0 rw", "a backslash not before three octal digits");
	field_is(m.point, "/mnt/x\\8y\\0", "kept as it is");

	parses("30 1 259:0 / /mnt rw - tmpfs", "no source, no superblock options");
	field_is(m.source, "", "missing source: empty");
	field_is(m.super_options, "", "missing superblock options: empty");

	refused("", "an empty line");
	refused("\n", "a lone newline");
	refused("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 ext3 /dev/root rw", "no separator");
	refused("36 35 98:0 /mnt1 /mnt2 rw,noatime -", "nothing after the separator");
	refused("36 35 sda /mnt1 /mnt2 rw - ext3 /dev/root rw", "a device that is not MAJ:MIN");
	refused("36 35", "a line cut after the ids");
	return done_testing();
}
