/*
 * uvmshim_compat.h: the kernel interfaces that changed between the NetBSD
 * versions uvmshim builds for (7.99 of 2015 through 9, 10, 11, -current).
 *
 * Each difference is one macro.  The GNU makefile probes the sys tree it
 * builds against and passes -DUVMSHIM_HAVE_*=0/1, which is exact; without
 * a probe (Makefile.bsd) the __NetBSD_Version__ thresholds below decide.
 * Only the 7.99.4 tree has actually been compiled against: the newer
 * branches were written from the newer headers.
 */
#ifndef UVMSHIM_COMPAT_H
#define UVMSHIM_COMPAT_H

#include <sys/param.h>
#include <sys/conf.h>
#include <sys/kauth.h>
#include <uvm/uvm_extern.h>

/*
 * devsw_detach(9) returned int (always 0 in practice) until the 2022
 * devsw rework (9.99.97), void afterwards.
 */
#ifndef UVMSHIM_HAVE_VOID_DEVSW_DETACH
#if __NetBSD_Version__ >= 999009700
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
 * Free pages.  Since the per-CPU page counters of 2020 (9.99.x) the global
 * uvmexp.free is no longer maintained and uvm_availmem() is the count.
 */
#ifndef UVMSHIM_HAVE_UVM_AVAILMEM
#if __NetBSD_Version__ >= 999004000
#define UVMSHIM_HAVE_UVM_AVAILMEM	1
#else
#define UVMSHIM_HAVE_UVM_AVAILMEM	0
#endif
#endif

#if UVMSHIM_HAVE_UVM_AVAILMEM
#define UVMSHIM_FREE_PAGES()		((int64_t)uvm_availmem(false))
#else
#define UVMSHIM_FREE_PAGES()		((int64_t)uvmexp.free)
#endif

/*
 * Superuser check for open.  KAUTH_GENERIC_ISSUSER is present in every
 * version; kept behind a macro so a later secmodel change is one line.
 */
#define UVMSHIM_ISSUSER(cred)					\
	kauth_authorize_generic((cred), KAUTH_GENERIC_ISSUSER, NULL)

#endif /* UVMSHIM_COMPAT_H */
