/*
 * syscalls.h: raw NetBSD/amd64 system calls, no libc.
 *
 * Every wrapper returns the kernel's return value (>= 0) on success and
 * -errno on failure, so callers never need a global errno.  The numbers
 * come from the sys tree's <sys/syscall.h>, i.e. from the kernel the agent
 * is built for; the versioned names (__mount50, __mknod50, ...) are the
 * ones today's libc calls, with 64-bit time_t and dev_t.
 */
#ifndef KSHIM_AGENT_SYSCALLS_H
#define KSHIM_AGENT_SYSCALLS_H

#include <sys/types.h>
#include <sys/time.h>

long	ks_syscall6(long, long, long, long, long, long, long);

long	ks_read(int, void *, size_t);
long	ks_write(int, const void *, size_t);
int	ks_open(const char *, int, int);
int	ks_close(int);
int	ks_dup2(int, int);
int	ks_fcntl(int, int, long);
int	ks_ioctl(int, unsigned long, void *);
int	ks_mkdir(const char *, int);
int	ks_mknod(const char *, mode_t, dev_t);
int	ks_unlink(const char *);
int	ks_mount(const char *, const char *, int, void *, size_t);
int	ks_sysctl(const int *, unsigned int, void *, size_t *, const void *,
	    size_t);
int	ks_modctl(int, void *);
int	ks_mlock(const void *, unsigned long);
int	ks_reboot(int, char *);
int	ks_clock_gettime(int, struct timespec *);
int	ks_nanosleep(const struct timespec *, struct timespec *);
int	ks_getpid(void);

/* Convenience: monotonic time in nanoseconds (0 if the clock fails). */
uint64_t ks_monotonic_ns(void);
void	ks_sleep_ms(unsigned int);

#endif /* KSHIM_AGENT_SYSCALLS_H */
