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

void	*memcpy(void *, const void *, size_t);
void	*memmove(void *, const void *, size_t);
void	*memset(void *, int, size_t);
int	 memcmp(const void *, const void *, size_t);

size_t	 strlen(const char *);
size_t	 strnlen(const char *, size_t);
int	 strcmp(const char *, const char *);
int	 strncmp(const char *, const char *, size_t);
char	*strchr(const char *, int);
char	*strncpy(char *, const char *, size_t);
/* strlcpy(3), strlcat(3): NUL-terminate when size > 0; return the length
 * they tried to make. */
size_t	 strlcpy(char *, const char *, size_t);
size_t	 strlcat(char *, const char *, size_t);

#endif /* KSHIM_LIBK_H */
