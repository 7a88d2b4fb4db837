/*
 * uvmshim_compat.h: the kernel interfaces that changed between the NetBSD
 * versions uvmshim builds for (7.99 of 2015 to -current).
 *
 * Each difference is one macro.  The GNU makefile probes the sys tree it
 * builds against and passes -DUVMSHIM_HAVE_*, which is exact; without a
 * probe (Makefile.bsd) the __NetBSD_Version__ thresholds below decide.
 * A change is dated by the trunk snapshots around it (README.md lists
 * them); where a version between two snapshots is unknown, the fallback
 * picks the form that compiles either way.  Compiled against 7.99.4 to
 * 10.99.12; run on 7.99.4 only.
 */
#ifndef UVMSHIM_COMPAT_H
#define UVMSHIM_COMPAT_H

#include <sys/param.h>
#include <sys/conf.h>
#include <sys/kauth.h>
#include <uvm/uvm_extern.h>

/*
 * devsw_detach(9) returned int (always 0) until the devsw rework of 2022,
 * void afterwards: int in 9.99.94, void in 9.99.97.  The void form also
 * compiles against the int one, so the fallback uses it from 9.99.95.
 */
#ifndef UVMSHIM_HAVE_VOID_DEVSW_DETACH
#if __NetBSD_Version__ >= 999009500
#define UVMSHIM_HAVE_VOID_DEVSW_DETACH	1
#else
#define UVMSHIM_HAVE_VOID_DEVSW_DETACH	0
#endif
#endif

#if UVMSHIM_HAVE_VOID_DEVSW_DETACH
#define UVMSHIM_DEVSW_DETACH(b, c)	(devsw_detach((b), (c)), 0)
#else
#define UVMSHIM_DEVSW_DETACH(b, c)	devsw_detach((b), (c))
#endif

/*
 * Free pages.  The per-CPU page counters (between 9.99.18 and 9.99.45,
 * around the turn of 2020) brought uvm_availmem(void), the exact count;
 * by 9.99.71 (2020; void in 9.99.59) it took a bool "cached" (false:
 * exact).  Since then uvmexp.free is only a copy, refreshed about once a
 * second by uvm_scheduler() and by the vm.uvmexp sysctl; before, it was
 * the count itself.
 *
 * UVMSHIM_HAVE_UVM_AVAILMEM is 0 (none), 1 (void) or 2 (bool).  Where the
 * form is unknown (9.99.19-44, 9.99.60-70) the fallback reads
 * uvmexp.free, which every version has.
 */
#ifndef UVMSHIM_HAVE_UVM_AVAILMEM
#if __NetBSD_Version__ >= 999007100
#define UVMSHIM_HAVE_UVM_AVAILMEM	2
#elif __NetBSD_Version__ >= 999004500 && __NetBSD_Version__ < 999006000
#define UVMSHIM_HAVE_UVM_AVAILMEM	1
#else
#define UVMSHIM_HAVE_UVM_AVAILMEM	0
#endif
#endif

#if UVMSHIM_HAVE_UVM_AVAILMEM == 2
#define UVMSHIM_FREE_PAGES()		((int64_t)uvm_availmem(false))
#elif UVMSHIM_HAVE_UVM_AVAILMEM == 1
#define UVMSHIM_FREE_PAGES()		((int64_t)uvm_availmem())
#else
#define UVMSHIM_FREE_PAGES()		((int64_t)uvmexp.free)
#endif

/*
 * The map-entry cache's statistics (uvmshim_ecount.c).  Until the pool
 * cache rework of 2019/2020 a cache-layer miss was counted once, in the
 * shared pc_misses under pc_lock; since then per CPU, in cc_pcmisses.
 * 7.99.4 has the first form, 10.99.12 the second; the version between is
 * not known, and the wrong form does not compile (the field is missing).
 */
#ifndef UVMSHIM_HAVE_CC_PCMISSES
#if __NetBSD_Version__ >= 999004500
#define UVMSHIM_HAVE_CC_PCMISSES	1
#else
#define UVMSHIM_HAVE_CC_PCMISSES	0
#endif
#endif

/*
 * struct vm_map has a list of parked spare entries (parked, nparked) only
 * in a kernel with Thorpe's patch (../shared/netbsd/10.99.12-thorpe); the
 * module must then be built against that kernel's own sys tree.  No
 * released kernel has it, so the fallback is 0.
 */
#ifndef UVMSHIM_HAVE_MAP_PARKED
#define UVMSHIM_HAVE_MAP_PARKED		0
#endif

/*
 * Superuser check for open.  KAUTH_GENERIC_ISSUSER is present in every
 * version; kept behind a macro so a later secmodel change is one line.
 */
#define UVMSHIM_ISSUSER(cred)					\
	kauth_authorize_generic((cred), KAUTH_GENERIC_ISSUSER, NULL)

#endif /* UVMSHIM_COMPAT_H */
