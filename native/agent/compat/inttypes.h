/*
 * inttypes.h: <sys/exec_elf.h> includes it in userland (note.c uses the
 * ELF note constants from there).  NetBSD's userland <inttypes.h> is
 * <sys/inttypes.h> plus libc prototypes the agent does not use.
 */
#ifndef KSHIM_COMPAT_INTTYPES_H
#define KSHIM_COMPAT_INTTYPES_H
#include <sys/inttypes.h>
#endif
