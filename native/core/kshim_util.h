/*
 * kshim_util.h: the few library-like helpers the core and the model need.
 *
 * No libc: memory helpers map to the compiler builtins.  A compiler may
 * turn those into calls to memset/memcpy, which every freestanding
 * environment must provide anyway (the kernel does; the agent and the test
 * guest have native/libk).
 */
#ifndef KSHIM_UTIL_H
#define KSHIM_UTIL_H

#include "uvmshim_ioctl.h"

#if !defined(_KERNEL) && !defined(_STANDALONE)
#include <stddef.h>
#endif

/* <sys/types.h> does not promise NULL to a kernel module. */
#ifndef NULL
#define NULL	((void *)0)
#endif

#define KSHIM_OFFSETOF(type, member)	__builtin_offsetof(type, member)
#define KSHIM_NELEM(a)			(sizeof(a) / sizeof((a)[0]))
#define KSHIM_MIN(a, b)			((a) < (b) ? (a) : (b))
#define KSHIM_MAX(a, b)			((a) > (b) ? (a) : (b))

static inline void
kshim_memzero(void *p, size_t n)
{

	__builtin_memset(p, 0, n);
}

static inline void
kshim_memcpy(void *dst, const void *src, size_t n)
{

	__builtin_memcpy(dst, src, n);
}

/* 1 if all n bytes at p are zero (pad/reserved checks). */
static inline int
kshim_is_zero(const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i] != 0)
			return 0;
	return 1;
}

/* strlcpy(3): always NUL-terminates a non-empty dst. */
static inline void
kshim_strlcpy(char *dst, const char *src, size_t size)
{
	size_t i;

	if (size == 0)
		return;
	for (i = 0; i + 1 < size && src[i] != '\0'; i++)
		dst[i] = src[i];
	for (; i < size; i++)
		dst[i] = '\0';
}

/* floor(log2(v)) for v > 0; 0 for v == 0. */
static inline uint32_t
kshim_log2(uint64_t v)
{
	uint32_t l = 0;

	while (v >>= 1)
		l++;
	return l;
}

/*
 * The histogram of UVMSHIM_IOC_STRESS: bucket i counts times in
 * [2^i, 2^(i+1)) ns, the last bucket is open-ended and 0 ns goes to 0.
 */
static inline void
kshim_hist_add(uint64_t hist[UVMSHIM_HIST_BUCKETS], uint64_t nsec)
{
	uint32_t b = kshim_log2(nsec);

	if (b >= UVMSHIM_HIST_BUCKETS)
		b = UVMSHIM_HIST_BUCKETS - 1;
	hist[b]++;
}

#endif /* KSHIM_UTIL_H */
