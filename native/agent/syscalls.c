/*
 * syscalls.c: the `syscall' instruction and thin wrappers around it.
 *
 * NetBSD/amd64 convention (sys/arch/amd64/amd64/trap.c, libc's SYS.h):
 * number in %rax, arguments in %rdi %rsi %rdx %r10 %r8 %r9; the kernel
 * returns the value in %rax (a second one in %rdx) and sets the carry flag
 * on error, %rax then holding the errno.  `syscall' itself clobbers %rcx
 * and %r11.  The argument registers are declared as in/out because nothing
 * promises that the kernel hands them back unchanged.
 */
#include <sys/types.h>
#include <sys/null.h>
#include <sys/syscall.h>

#include "syscalls.h"

long
ks_syscall6(long num, long a1, long a2, long a3, long a4, long a5, long a6)
{
	register long rdi __asm__("rdi") = a1;
	register long rsi __asm__("rsi") = a2;
	register long rdx __asm__("rdx") = a3;
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long rax = num;
	unsigned char failed;

	__asm__ __volatile__("syscall"
	    : "+a" (rax), "=@ccc" (failed), "+r" (rdi), "+r" (rsi),
	      "+r" (rdx), "+r" (r10), "+r" (r8), "+r" (r9)
	    :
	    : "rcx", "r11", "memory");
	return failed ? -rax : rax;
}

#define SC0(n)			ks_syscall6((n), 0, 0, 0, 0, 0, 0)
#define SC1(n, a)		ks_syscall6((n), (long)(a), 0, 0, 0, 0, 0)
#define SC2(n, a, b)		ks_syscall6((n), (long)(a), (long)(b), \
				    0, 0, 0, 0)
#define SC3(n, a, b, c)		ks_syscall6((n), (long)(a), (long)(b), \
				    (long)(c), 0, 0, 0)

long
ks_read(int fd, void *buf, size_t len)
{
	return SC3(SYS_read, fd, buf, len);
}

long
ks_write(int fd, const void *buf, size_t len)
{
	return SC3(SYS_write, fd, buf, len);
}

int
ks_open(const char *path, int flags, int mode)
{
	return (int)SC3(SYS_open, path, flags, mode);
}

int
ks_close(int fd)
{
	return (int)SC1(SYS_close, fd);
}

int
ks_dup2(int from, int to)
{
	return (int)SC2(SYS_dup2, from, to);
}

int
ks_fcntl(int fd, int cmd, long arg)
{
	return (int)SC3(SYS_fcntl, fd, cmd, arg);
}

int
ks_ioctl(int fd, unsigned long cmd, void *data)
{
	return (int)SC3(SYS_ioctl, fd, cmd, data);
}

int
ks_mkdir(const char *path, int mode)
{
	return (int)SC2(SYS_mkdir, path, mode);
}

int
ks_mknod(const char *path, mode_t mode, dev_t dev)
{
	/* __mknod50: dev_t is 64 bits wide since NetBSD 5. */
	return (int)SC3(SYS___mknod50, path, mode, dev);
}

int
ks_unlink(const char *path)
{
	return (int)SC1(SYS_unlink, path);
}

int
ks_mount(const char *type, const char *dir, int flags, void *data,
    size_t datalen)
{
	return (int)ks_syscall6(SYS___mount50, (long)type, (long)dir, flags,
	    (long)data, (long)datalen, 0);
}

int
ks_sysctl(const int *name, unsigned int namelen, void *oldp, size_t *oldlenp,
    const void *newp, size_t newlen)
{
	return (int)ks_syscall6(SYS___sysctl, (long)name, namelen, (long)oldp,
	    (long)oldlenp, (long)newp, (long)newlen);
}

int
ks_mlock(const void *addr, unsigned long len)
{
	return (int)SC2(SYS_mlock, addr, len);
}

int
ks_modctl(int cmd, void *arg)
{
	return (int)SC2(SYS_modctl, cmd, arg);
}

int
ks_reboot(int howto, char *bootstr)
{
	return (int)SC2(SYS_reboot, howto, bootstr);
}

int
ks_clock_gettime(int clock, struct timespec *ts)
{
	return (int)SC2(SYS___clock_gettime50, clock, ts);
}

int
ks_nanosleep(const struct timespec *req, struct timespec *rem)
{
	return (int)SC2(SYS___nanosleep50, req, rem);
}

int
ks_getpid(void)
{
	return (int)SC0(SYS_getpid);
}

uint64_t
ks_monotonic_ns(void)
{
	struct timespec ts;

	if (ks_clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void
ks_sleep_ms(unsigned int ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	/* An interrupted sleep is simply shorter: callers only pace retries. */
	(void)ks_nanosleep(&ts, NULL);
}
