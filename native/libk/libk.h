/*
 * libk.h: the C library's string and memory functions, for the programs
 * that run with no libc: the NetBSD guest agent (native/agent, raw system
 * calls) and the multiboot test guest (native/testguest).  The compiler
 * may emit calls to memcpy, memmove, memset and memcmp on its own, so
 * they exist under exactly these names.  The kernel module and the
 * portable core do not use this: the kernel has its own.
 */
#ifndef KSHIM_LIBK_H
#define KSHIM_LIBK_H

#include <stddef.h>
#include <stdint.h>

/*
 * The self test declares the same functions under the libk_ names it links
 * (it defines LIBK_NAME first), so that its prototypes cannot drift.
 */
#ifndef LIBK_NAME
#define LIBK_NAME(f)	f
#endif

void	*LIBK_NAME(memcpy)(void *, const void *, size_t);
void	*LIBK_NAME(memmove)(void *, const void *, size_t);
void	*LIBK_NAME(memset)(void *, int, size_t);
int	 LIBK_NAME(memcmp)(const void *, const void *, size_t);

size_t	 LIBK_NAME(strlen)(const char *);
size_t	 LIBK_NAME(strnlen)(const char *, size_t);
int	 LIBK_NAME(strcmp)(const char *, const char *);
int	 LIBK_NAME(strncmp)(const char *, const char *, size_t);
char	*LIBK_NAME(strchr)(const char *, int);
char	*LIBK_NAME(strncpy)(char *, const char *, size_t);
/*
 * strlcpy(3), strlcat(3): NUL-terminate when size > 0; return the length
 * they tried to make.
 */
size_t	 LIBK_NAME(strlcpy)(char *, const char *, size_t);
size_t	 LIBK_NAME(strlcat)(char *, const char *, size_t);

#endif /* KSHIM_LIBK_H */
