/*
 * sysctl.c: a few names the harness writes on a real NetBSD, accepted so
 * the same session code runs against the test guest.  ddb.lines really
 * sets the fake ddb's pager; the others are accepted and ignored.
 * Unknown names fail with ENOENT (2), as sysctlbyname(3) does.
 */
#include "sysctl.h"
#include "console.h"
#include "ddb.h"
#include "libk.h"

#define NETBSD_ENOENT	2
#define NETBSD_EINVAL	22

static const char *const accepted[] = {
	"ddb.onpanic",
	"ddb.fromconsole",
	"ddb.tee_msgbuf",
	"ddb.maxwidth",
	"ddb.tabstops",
	"ddb.panicstackframes",
	"ddb.dumpstack",
	"kern.module.verbose",
	"kern.module.autoload",
	"kern.dump_on_panic",
	"kern.panic_now",	/* not a real NetBSD name: ignored all the same */
	"hw.cnmagic",
	NULL
};

int32_t
sysctl_write(const char *name, int64_t value)
{
	if (strcmp(name, "ddb.lines") == 0) {
		if (value < 0 || value > 10000)
			return NETBSD_EINVAL;
		ddb_set_lines((int)value);
		kprintf("kshim-testguest: sysctl ddb.lines=%lld\n", (long long)value);
		return 0;
	}
	for (int i = 0; accepted[i] != NULL; i++) {
		if (strcmp(name, accepted[i]) == 0) {
			kprintf("kshim-testguest: sysctl %s=%lld (ignored)\n",
			    name, (long long)value);
			return 0;
		}
	}
	return NETBSD_ENOENT;
}
