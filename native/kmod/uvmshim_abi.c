/*
 * uvmshim_abi.c: compile-time proof that uvmshim_ioctl.h, written to
 * parse identically on a Linux host, says what this NetBSD kernel means.
 *
 *  - every UVMSHIM_IOC_* equals NetBSD's own _IOR/_IOW/_IOWR of the same
 *    group, number and struct, and fits IOCPARM_MAX (sys_ioctl copies at
 *    most that);
 *  - every UVMSHIM_E* equals the kernel's errno, so d_ioctl returns the
 *    core's errors unchanged;
 *  - UVMSHIM_PROT_* equal VM_PROT_*, so protections pass straight into
 *    UVM_MAPFLAG and back out of vm_map_entry.protection.
 *
 * Nothing here generates code; a mismatch stops the build.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/ioccom.h>
#include <uvm/uvm_extern.h>

#include "uvmshim_ioctl.h"

#define ABI_IOC(ours, theirs)						\
	CTASSERT((unsigned long)(ours) == (unsigned long)(theirs))
#define ABI_SIZE(t)	CTASSERT(sizeof(t) <= IOCPARM_MAX &&		\
			    sizeof(t) % 8 == 0)
#define G		UVMSHIM_IOC_GROUP

ABI_IOC(UVMSHIM_IOC_VERSION, _IOR(G, 0, struct uvmshim_version));
ABI_IOC(UVMSHIM_IOC_MAP_CREATE, _IOWR(G, 1, struct uvmshim_map_create));
ABI_IOC(UVMSHIM_IOC_MAP_DESTROY, _IOW(G, 2, struct uvmshim_map_ref));
ABI_IOC(UVMSHIM_IOC_MAP, _IOWR(G, 3, struct uvmshim_map_req));
ABI_IOC(UVMSHIM_IOC_UNMAP, _IOWR(G, 4, struct uvmshim_unmap_req));
ABI_IOC(UVMSHIM_IOC_LOOKUP, _IOWR(G, 5, struct uvmshim_lookup));
ABI_IOC(UVMSHIM_IOC_BATCH, _IOWR(G, 6, struct uvmshim_batch));
ABI_IOC(UVMSHIM_IOC_STATS, _IOWR(G, 7, struct uvmshim_stats));
ABI_IOC(UVMSHIM_IOC_DUMP, _IOWR(G, 8, struct uvmshim_dump));
ABI_IOC(UVMSHIM_IOC_PRESSURE, _IOWR(G, 9, struct uvmshim_pressure));
ABI_IOC(UVMSHIM_IOC_CYCLE, _IOWR(G, 10, struct uvmshim_cycle));
ABI_IOC(UVMSHIM_IOC_STRESS, _IOWR(G, 11, struct uvmshim_stress));
ABI_IOC(UVMSHIM_IOC_KMAP_SUMMARY, _IOR(G, 12, struct uvmshim_kmap_summary));

/* The encoding macros themselves. */
CTASSERT(UVMSHIM_IOC_VOID == IOC_VOID);
CTASSERT(UVMSHIM_IOC_OUT == IOC_OUT);
CTASSERT(UVMSHIM_IOC_IN == IOC_IN);
CTASSERT(UVMSHIM_IOCPARM_MASK == IOCPARM_MASK);
CTASSERT(UVMSHIM_IOCPARM_SHIFT == IOCPARM_SHIFT);
CTASSERT(UVMSHIM_IOCGROUP_SHIFT == IOCGROUP_SHIFT);

ABI_SIZE(struct uvmshim_version);
ABI_SIZE(struct uvmshim_map_create);
ABI_SIZE(struct uvmshim_map_ref);
ABI_SIZE(struct uvmshim_map_req);
ABI_SIZE(struct uvmshim_unmap_req);
ABI_SIZE(struct uvmshim_lookup);
ABI_SIZE(struct uvmshim_batch);
ABI_SIZE(struct uvmshim_stats);
ABI_SIZE(struct uvmshim_dump);
ABI_SIZE(struct uvmshim_pressure);
ABI_SIZE(struct uvmshim_cycle);
ABI_SIZE(struct uvmshim_stress);
ABI_SIZE(struct uvmshim_kmap_summary);
CTASSERT(sizeof(struct uvmshim_entry) % 8 == 0);
CTASSERT(sizeof(struct uvmshim_op) % 8 == 0);
CTASSERT(sizeof(struct uvmshim_op_result) % 8 == 0);

CTASSERT(UVMSHIM_EPERM == EPERM);
CTASSERT(UVMSHIM_ENOENT == ENOENT);
CTASSERT(UVMSHIM_EINTR == EINTR);
CTASSERT(UVMSHIM_E2BIG == E2BIG);
CTASSERT(UVMSHIM_ENOMEM == ENOMEM);
CTASSERT(UVMSHIM_EFAULT == EFAULT);
CTASSERT(UVMSHIM_EBUSY == EBUSY);
CTASSERT(UVMSHIM_EEXIST == EEXIST);
CTASSERT(UVMSHIM_EINVAL == EINVAL);
CTASSERT(UVMSHIM_ENOTTY == ENOTTY);
CTASSERT(UVMSHIM_ENOSPC == ENOSPC);
CTASSERT(UVMSHIM_EDOM == EDOM);
CTASSERT(UVMSHIM_ETIMEDOUT == ETIMEDOUT);
CTASSERT(UVMSHIM_ENOTSUP == ENOTSUP);

CTASSERT(UVMSHIM_PROT_NONE == VM_PROT_NONE);
CTASSERT(UVMSHIM_PROT_READ == VM_PROT_READ);
CTASSERT(UVMSHIM_PROT_WRITE == VM_PROT_WRITE);
CTASSERT(UVMSHIM_PROT_EXEC == VM_PROT_EXECUTE);
CTASSERT(UVMSHIM_PROT_ALL == VM_PROT_ALL);
CTASSERT(UVMSHIM_PROT_ALL == UVM_PROT_ALL);

/* A map fits the kernel's VA types; page sizes the core accepts. */
CTASSERT(sizeof(vaddr_t) == sizeof(uint64_t));
CTASSERT(PAGE_SIZE >= 4096 && (PAGE_SIZE & (PAGE_SIZE - 1)) == 0);
