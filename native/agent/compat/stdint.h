/*
 * stdint.h: the one libc header the shared ABI headers include
 * (the headers in native/include use <stdint.h> outside the kernel).  NetBSD's own
 * userland <stdint.h> is a thin wrapper around <sys/stdint.h> from the sys
 * tree, so the types here are exactly the ones the kernel uses.
 */
#ifndef KSHIM_COMPAT_STDINT_H
#define KSHIM_COMPAT_STDINT_H
#include <sys/stdint.h>
#endif
