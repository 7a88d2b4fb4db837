/*
 * pthread_types.h: <sys/types.h> includes libpthread's type header in
 * userland.  The agent is single-threaded and uses none of those types.
 */
#ifndef KSHIM_COMPAT_PTHREAD_TYPES_H
#define KSHIM_COMPAT_PTHREAD_TYPES_H
#endif
