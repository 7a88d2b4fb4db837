/*
 * util.h: what the agent has instead of a libc: native/libk's string and
 * memory functions, a formatter and console output.
 */
#ifndef KSHIM_AGENT_UTIL_H
#define KSHIM_AGENT_UTIL_H

#include <sys/types.h>
#include <sys/null.h>
#include <stdint.h>
#include <sys/stdarg.h>

#include "libk.h"

/*
 * -ffreestanding turns off the builtins; ask for them back by name so that
 * small fixed-size copies are inlined (libk's functions remain the
 * out-of-line fallback the compiler calls).
 */
#define memcpy(d, s, n)		__builtin_memcpy((d), (s), (n))
#define memset(d, c, n)		__builtin_memset((d), (c), (n))
#define memcmp(a, b, n)		__builtin_memcmp((a), (b), (n))
#define strlen(s)		__builtin_strlen((s))

/* %s %c %d %u %x %p with l/ll, '#' (for x), '0' and a width; %% */
int	ks_vsnprintf(char *, size_t, const char *, va_list);
int	ks_snprintf(char *, size_t, const char *, ...)
	    __attribute__((__format__(__printf__, 3, 4)));

/*
 * Console output on fd 1 (the agent's stdout is /dev/console once setup
 * has run; before that these calls go nowhere, harmlessly).  Every line is
 * prefixed with "kshim-agent: " so the harness can tell our lines from the
 * kernel's.
 */
void	con_printf(const char *, ...)
	    __attribute__((__format__(__printf__, 1, 2)));
void	con_write(const char *, size_t);

/* strerror for the errnos the agent meets; "errno N" otherwise. */
const char *ks_strerror(int);

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#endif /* KSHIM_AGENT_UTIL_H */
