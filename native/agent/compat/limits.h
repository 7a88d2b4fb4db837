/* limits.h: <sys/ucred.h> includes it for NGROUPS_MAX and friends. */
#ifndef KSHIM_COMPAT_LIMITS_H
#define KSHIM_COMPAT_LIMITS_H
#include <sys/syslimits.h>
#include <machine/limits.h>
#endif
