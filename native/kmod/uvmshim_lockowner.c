/*
 * uvmshim_lockowner.c: which LWP write-holds a map's lock.
 *
 * Since the 2007 locking rework a vm_map's lock is a krwlock, whose owner
 * word holds the writer's LWP pointer when RW_WRITE_LOCKED is set.
 * rw_owner() is static in kern_rwlock.c, so the word is decoded here with
 * the bit definitions <sys/rwlock.h> exposes under __RWLOCK_PRIVATE; this
 * file alone sees them.  The answer is a snapshot, for the cycle's
 * evidence and sequencing; the caller only compares it with LWPs it owns.
 */
#define __RWLOCK_PRIVATE

#include <sys/param.h>
#include <sys/lwp.h>
#include <sys/rwlock.h>
#include <uvm/uvm_extern.h>
#include <uvm/uvm_map.h>

#include "uvmshim_var.h"

struct lwp *
uvmshim_map_writer(struct vm_map *map)
{
	uintptr_t owner = map->lock.rw_owner;

	if ((owner & RW_WRITE_LOCKED) == 0)
		return NULL;
	return (struct lwp *)(owner & RW_THREAD);
}
