/*
 * libk_mem.c: memcpy, memmove, memset, memcmp.
 *
 * memcpy and memset are `rep movsb' / `rep stosb': the fastest form under
 * TCG and on current CPUs for the multi-megabyte frame buffers, and no C
 * loop that a compiler could recognise as the very function it is
 * compiling.  The files that use these may map the names to the compiler
 * builtins (the agent's util.h does); none of that reaches this file.
 */
#include "libk.h"

void *
memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;

	__asm__ __volatile__("rep movsb"
	    : "+D" (d), "+S" (src), "+c" (n) : : "memory");
	return dst;
}

void *
memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((uintptr_t)d <= (uintptr_t)s || (uintptr_t)d >= (uintptr_t)s + n)
		return memcpy(dst, src, n);
	/*
	 * Overlapping with dst above src: copy backwards.  A plain loop, not
	 * `std; rep movsb': the test guest's trap entry does not clear the
	 * direction flag, so an interrupt taken in between would run with it
	 * set.  -ffreestanding keeps the compiler from calling memmove here.
	 */
	while (n-- > 0)
		d[n] = s[n];
	return dst;
}

void *
memset(void *dst, int c, size_t n)
{
	void *d = dst;

	__asm__ __volatile__("rep stosb"
	    : "+D" (d), "+c" (n) : "a" (c) : "memory");
	return dst;
}

int
memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n > 0; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}
