/*
 * setup.c: turning a bare kernel and a read-only root into a place where
 * the agent can work.
 *
 * Device majors: the cons and com character majors are read from the
 * running kernel's kern.drivers, which is authoritative; the values of
 * the sys tree's arch/amd64/conf/majors.amd64, extracted at build time
 * into kshim_majors.h, are the fallback (and a cross-check: a difference
 * is printed).  com minors are unit numbers: tty00 is com0, tty01 com1.
 */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/errno.h>
#include <sys/fcntl.h>
#include <sys/ioccom.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysctl.h>
#include <sys/termios.h>
#include <sys/ttycom.h>
#include <fs/tmpfs/tmpfs_args.h>
#include <ufs/ufs/ufsmount.h>

#include "kshim_majors.h"
#include "setup.h"
#include "syscalls.h"
#include "sysctl.h"
#include "util.h"

/*
 * The tty layer flushes its whole input queue when it overflows, and
 * without flow control nothing stops QEMU from feeding the line faster
 * than the agent gets CPU to read it: ask for the largest queue.
 */
#define AGENT_LINE_QSIZE	65536
/* read(2) on the line returns 0 after this much silence (1/10 s units). */
#define AGENT_LINE_VTIME	5

static int console_open;

static void
use_as_stdio(int fd)
{
	int i;

	for (i = 0; i <= 2; i++)
		if (fd != i)
			(void)ks_dup2(fd, i);
	if (fd > 2)
		(void)ks_close(fd);
}

void
setup_console_early(void)
{
	int fd;

	/* The root image may carry a console node (make-root.sh puts one). */
	fd = ks_open("/dev/console", O_RDWR | O_NOCTTY, 0);
	if (fd < 0)
		return;
	use_as_stdio(fd);
	console_open = 1;
}

/* The running kernel's major for name, else the build-time value. */
static int
driver_major(const char *name, int fallback)
{
	int major, error;

	major = sysctl_driver_cmajor(name, &error);
	if (major < 0) {
		con_printf("kern.drivers has no %s (%s): using major %d "
		    "from majors.amd64", name, ks_strerror(error), fallback);
		return fallback;
	}
	if (major != fallback)
		con_printf("note: %s is major %d in the kernel, %d in "
		    "majors.amd64; using %d", name, major, fallback, major);
	return major;
}

static void
make_node(const char *path, int major, int minor, int mode)
{
	int rv;

	(void)ks_unlink(path);
	rv = ks_mknod(path, S_IFCHR | mode, makedev(major, minor));
	if (rv < 0)
		con_printf("mknod %s c %d %d: %s", path, major, minor,
		    ks_strerror(-rv));
}

void
setup_devfs(void)
{
	struct tmpfs_args ta;
	struct ufs_args ua;
	const char *where;
	int rv, cons, com, fd, tmpfs_error;

	/*
	 * tmpfs over /dev rather than a read-write root: the root image is
	 * never written, so it can be shared between runs and booted with
	 * or without -snapshot, and the nodes are always fresh.
	 */
	memset(&ta, 0, sizeof(ta));
	ta.ta_version = TMPFS_ARGS_VERSION;
	ta.ta_nodes_max = 64;
	ta.ta_size_max = 1024 * 1024;
	ta.ta_root_uid = 0;
	ta.ta_root_gid = 0;
	ta.ta_root_mode = 0755;
	rv = ks_mount(MOUNT_TMPFS, "/dev", MNT_NOEXEC | MNT_NOSUID, &ta,
	    sizeof(ta));
	where = "tmpfs";
	tmpfs_error = -rv;
	if (rv < 0) {
		con_printf("mount tmpfs on /dev: %s; remounting / read-write",
		    ks_strerror(-rv));
		where = "the root, read-write";
		memset(&ua, 0, sizeof(ua));
		ua.fspec = NULL;	/* MNT_UPDATE: keep the device */
		rv = ks_mount(MOUNT_FFS, "/", MNT_UPDATE, &ua, sizeof(ua));
		if (rv < 0) {
			con_printf("mount -u -w /: %s; device nodes may be "
			    "missing", ks_strerror(-rv));
			where = "the read-only root";
		}
		(void)ks_mkdir("/dev", 0755);
	}

	cons = driver_major("cons", KSHIM_MAJOR_CONS);
	com = driver_major("com", KSHIM_MAJOR_COM);
	make_node("/dev/console", cons, 0, 0600);
	make_node("/dev/tty00", com, 0, 0600);
	make_node("/dev/tty01", com, 1, 0600);

	if (!console_open) {
		fd = ks_open("/dev/console", O_RDWR | O_NOCTTY, 0);
		if (fd >= 0) {
			use_as_stdio(fd);
			console_open = 1;
		}
	}
	/* Repeated here: without a console node the first report is lost. */
	if (tmpfs_error != 0)
		con_printf("/dev: tmpfs mount failed: %s",
		    ks_strerror(tmpfs_error));
	con_printf("/dev on %s; majors: cons %d, com %d", where, cons,
	    com);
}

static void
set_knob(const char *name, int64_t value)
{
	int mib[CTL_MAXNAME];
	unsigned int miblen, i;
	uint32_t flags;
	char path[64];
	int error;

	path[0] = '\0';
	if (sysctl_resolve(name, mib, &miblen, &flags) == 0) {
		for (i = 0; i < miblen; i++) {
			char num[16];

			ks_snprintf(num, sizeof(num), i ? ".%d" : "%d",
			    mib[i]);
			strlcat(path, num, sizeof(path));
		}
	}
	error = sysctl_write_int(name, value);
	con_printf("sysctl %s=%lld (mib %s): %s", name, (long long)value,
	    path[0] ? path : "?", ks_strerror(error));
}

void
setup_ddb(void)
{
	/* ddb's pager (--db_more--) would swallow the harness's commands. */
	set_knob("ddb.lines", 0);
	/* BREAK on the console enters ddb only with this on (default 1). */
	set_knob("ddb.fromconsole", 1);
}

/* The linker's bounds of the program: text, rodata, data, bss. */
extern const char __executable_start[], end[];

/*
 * Keep the whole agent resident and faulted in.  Under memory pressure
 * (PRESSURE, the cycle) the pagedaemon frees clean text pages, and
 * paging one back in needs a free page; a frame buffer page touched for
 * the first time needs one too (a read into it then fails with ENOMEM).
 * Either way the agent would hang or fail outside any request instead of
 * where a test means it to (both seen on 10.99.12).  mlock faults every
 * page in now and keeps it.
 */
void
setup_resident(void)
{
	uintptr_t start = (uintptr_t)__executable_start & ~(uintptr_t)4095;
	int error;

	error = ks_mlock((const void *)start, (uintptr_t)end - start);
	con_printf("mlock text, data and bss (%lu KiB): %s",
	    (unsigned long)(((uintptr_t)end - start) / 1024),
	    ks_strerror(error));
}

static uint64_t
rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a" (lo), "=d" (hi));
	return ((uint64_t)hi << 32) | lo;
}

/* splitmix64's finaliser: every input bit reaches every output bit. */
static uint64_t
mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

void
setup_versions(struct agent_versions *v)
{
	static const int osrelease[2] = { CTL_KERN, KERN_OSRELEASE };
	static const int version[2] = { CTL_KERN, KERN_VERSION };
	static const int arandom[2] = { CTL_KERN, KERN_ARND };
	static const int boottime[2] = { CTL_KERN, KERN_BOOTTIME };
	char full[512];
	struct timespec bt;
	uint64_t rnd = 0;
	size_t len, i;

	memset(v, 0, sizeof(*v));
	(void)sysctl_string(osrelease, 2, v->osrelease, sizeof(v->osrelease));
	(void)sysctl_string(version, 2, full, sizeof(full));
	for (i = 0; full[i] != '\0' && full[i] != '\n' &&
	    i < sizeof(v->version_line) - 1; i++)
		v->version_line[i] = full[i];
	v->version_line[i] = '\0';

	/* "NetBSD 7.99.4 (KSHIM) #1: Tue Nov..." -> up to " #" or ':'. */
	for (i = 0; v->version_line[i] != '\0' &&
	    i < sizeof(v->os_version) - 1; i++) {
		if (v->version_line[i] == ':' ||
		    (v->version_line[i] == ' ' && v->version_line[i + 1] == '#'))
			break;
		v->os_version[i] = v->version_line[i];
	}
	v->os_version[i] = '\0';
	if (v->os_version[0] == '\0')
		ks_snprintf(v->os_version, sizeof(v->os_version), "NetBSD %s",
		    v->osrelease[0] ? v->osrelease : "?");

	/*
	 * Boot id: the kernel's random bytes (kern.arandom, no device node
	 * needed), the boot time and the TSC; any one of them alone would
	 * already differ between boots.
	 */
	len = sizeof(rnd);
	(void)ks_sysctl(arandom, 2, &rnd, &len, NULL, 0);
	memset(&bt, 0, sizeof(bt));
	len = sizeof(bt);
	(void)ks_sysctl(boottime, 2, &bt, &len, NULL, 0);
	v->boot_id = mix64(rnd ^ mix64(rdtsc()) ^
	    mix64((uint64_t)bt.tv_sec * 1000000000ULL + (uint64_t)bt.tv_nsec));
	if (v->boot_id == 0)
		v->boot_id = 1;
}

int
setup_agent_line(void)
{
	struct termios t;
	int fd, rv, flags, qsize;

	/*
	 * O_NONBLOCK: com's open waits for carrier (DCD) unless CLOCAL is
	 * already set, and it is not before the first TIOCSETA.
	 */
	fd = ks_open(AGENT_LINE_PATH, O_RDWR | O_NOCTTY | O_NONBLOCK, 0);
	if (fd < 0) {
		con_printf("open %s: %s", AGENT_LINE_PATH, ks_strerror(-fd));
		return fd;
	}
	rv = ks_ioctl(fd, TIOCGETA, &t);
	if (rv < 0) {
		con_printf("%s: TIOCGETA: %s", AGENT_LINE_PATH,
		    ks_strerror(-rv));
		goto fail;
	}
	/* cfmakeraw(3), plus: no modem control, no flow control. */
	t.c_iflag &= ~(IMAXBEL | IXOFF | INPCK | BRKINT | PARMRK | ISTRIP |
	    INLCR | IGNCR | ICRNL | IXON | IGNPAR);
	t.c_iflag |= IGNBRK;
	t.c_oflag &= ~OPOST;
	t.c_lflag &= ~(ECHO | ECHOE | ECHOK | ECHONL | ICANON | ISIG | IEXTEN |
	    NOFLSH | TOSTOP | PENDIN);
	t.c_cflag &= ~(CSIZE | PARENB | CRTSCTS | MDMBUF);
	t.c_cflag |= CS8 | CREAD | CLOCAL;
	/* Timed reads: see serve_loop() for why not poll(2). */
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = AGENT_LINE_VTIME;
	t.c_ispeed = t.c_ospeed = AGENT_LINE_SPEED;
	rv = ks_ioctl(fd, TIOCSETA, &t);
	if (rv < 0) {
		con_printf("%s: TIOCSETA: %s", AGENT_LINE_PATH,
		    ks_strerror(-rv));
		goto fail;
	}
	qsize = AGENT_LINE_QSIZE;
	rv = ks_ioctl(fd, TIOCSQSIZE, &qsize);
	if (rv < 0 || ks_ioctl(fd, TIOCGQSIZE, &qsize) < 0 ||
	    qsize != AGENT_LINE_QSIZE)	/* only costs robustness */
		con_printf("%s: TIOCSQSIZE %d: %s (queue %d bytes)",
		    AGENT_LINE_PATH, AGENT_LINE_QSIZE, ks_strerror(-rv), qsize);
	flags = ks_fcntl(fd, F_GETFL, 0);
	if (flags < 0 ||
	    (rv = ks_fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)) < 0) {
		con_printf("%s: clearing O_NONBLOCK: %s", AGENT_LINE_PATH,
		    ks_strerror(flags < 0 ? -flags : -rv));
		rv = flags < 0 ? flags : rv;
		goto fail;
	}
	return fd;
fail:
	(void)ks_close(fd);
	return rv;
}
