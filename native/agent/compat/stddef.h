/*
 * stddef.h: needed by the userland view of <sys/sysctl.h> (via
 * <uvm/uvm_param.h>).  The compiler's own types are the ABI's types on
 * amd64 (size_t is unsigned long either way), and C11 allows repeating an
 * identical typedef, so this coexists with <sys/types.h>.
 */
#ifndef KSHIM_COMPAT_STDDEF_H
#define KSHIM_COMPAT_STDDEF_H
#include <sys/null.h>
typedef __SIZE_TYPE__		size_t;
typedef __PTRDIFF_TYPE__	ptrdiff_t;
#define offsetof(t, m)		__builtin_offsetof(t, m)
#endif
