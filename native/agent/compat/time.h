/*
 * time.h: <sys/time.h> includes it in userland for libc's prototypes
 * (time(3), clock_gettime(3)...).  The agent has no libc and calls the
 * system calls itself, so nothing is needed from it.
 */
#ifndef KSHIM_COMPAT_TIME_H
#define KSHIM_COMPAT_TIME_H
#endif
