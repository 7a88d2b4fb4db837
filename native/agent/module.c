/*
 * module.c: loading and unloading kernel modules, and /dev/uvmshim.
 *
 * The module attaches its cdevsw with a dynamic major (devsw_attach with
 * -1), so the node can only be made after the load, from the major that
 * kern.drivers reports.  A stale node is removed first: after an unload
 * and a load of a different build the major may differ.
 */
#include <sys/types.h>
#include <sys/errno.h>
#include <sys/fcntl.h>
#include <sys/module.h>
#include <sys/stat.h>

#include "kshim_agent_proto.h"
#include "module.h"
#include "syscalls.h"
#include "sysctl.h"
#include "util.h"
#include "uvmshim_ioctl.h"

_Static_assert(EBADF == KSHIM_EBADF, "EBADF");
_Static_assert(EALREADY == KSHIM_EALREADY, "EALREADY");

static int dev_fd = -1;
static int held_fd = -1;		/* MODULE HOLD */

int
module_load(const char *path)
{
	modctl_load_t ml;
	int rv, error;

	memset(&ml, 0, sizeof(ml));
	ml.ml_filename = path;
	ml.ml_flags = 0;		/* no force: a version mismatch must fail */
	ml.ml_props = NULL;
	ml.ml_propslen = 0;
	rv = ks_modctl(MODCTL_LOAD, &ml);
	con_printf("modctl load %s: %s", path, ks_strerror(-rv));
	if (rv < 0)
		return -rv;
	error = uvmshim_make_node();
	if (error == ENOENT)
		con_printf("%s loaded but no %s driver in kern.drivers",
		    path, UVMSHIM_DEVICE_NAME);
	return 0;
}

/* "/stand/uvmshim.kmod" -> "uvmshim"; a bare name is used as is. */
static int
module_name(const char *arg, char *name, size_t size)
{
	const char *base = arg, *p;
	size_t n;

	for (p = arg; *p != '\0'; p++)
		if (*p == '/')
			base = p + 1;
	n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".kmod") == 0)
		n -= 5;
	if (n == 0 || n >= size)
		return EINVAL;
	memcpy(name, base, n);
	name[n] = '\0';
	return 0;
}

int
module_unload(const char *arg)
{
	char name[MAXMODNAME];
	int rv, error;

	error = module_name(arg, name, sizeof(name));
	if (error != 0)
		return error;
	uvmshim_close();
	rv = ks_modctl(MODCTL_UNLOAD, name);
	con_printf("modctl unload %s: %s", name, ks_strerror(-rv));
	if (rv < 0)
		return -rv;
	if (strcmp(name, UVMSHIM_DEVICE_NAME) == 0)
		(void)ks_unlink(UVMSHIM_DEVICE_PATH);
	return 0;
}

int
uvmshim_make_node(void)
{
	int major, error, rv;

	major = sysctl_driver_cmajor(UVMSHIM_DEVICE_NAME, &error);
	if (major < 0)
		return error;
	uvmshim_close();
	(void)ks_unlink(UVMSHIM_DEVICE_PATH);
	rv = ks_mknod(UVMSHIM_DEVICE_PATH, S_IFCHR | 0600, makedev(major, 0));
	con_printf("mknod %s c %d 0: %s", UVMSHIM_DEVICE_PATH, major,
	    ks_strerror(-rv));
	return rv < 0 ? -rv : 0;
}

int
uvmshim_fd(void)
{
	if (dev_fd < 0)
		dev_fd = ks_open(UVMSHIM_DEVICE_PATH, O_RDWR, 0);
	return dev_fd;
}

void
uvmshim_close(void)
{
	if (dev_fd >= 0)
		(void)ks_close(dev_fd);
	dev_fd = -1;
}

int
uvmshim_hold(void)
{
	int fd;

	if (held_fd >= 0)
		return EALREADY;
	fd = ks_open(UVMSHIM_DEVICE_PATH, O_RDWR, 0);
	con_printf("hold %s open: %s", UVMSHIM_DEVICE_PATH,
	    ks_strerror(fd < 0 ? -fd : 0));
	if (fd < 0)
		return -fd;
	held_fd = fd;
	return 0;
}

int
uvmshim_release(void)
{
	if (held_fd < 0)
		return EBADF;
	(void)ks_close(held_fd);
	held_fd = -1;
	con_printf("hold %s released", UVMSHIM_DEVICE_PATH);
	return 0;
}
