/*
 * kshim_core.h: the portable core of the uvmshim device.
 *
 * The core is everything about the uvmshim ioctls that does not depend on
 * who implements the map: it validates every request (uvmshim_ioctl.h is
 * the contract), owns the table of test maps (ids, sizes, policies,
 * references), keeps the per-map statistics, runs batch scripts, and
 * routes each command to a BACKEND.  Three backends exist or are planned:
 * the NetBSD kernel module (real UVM on a private map), the host reference
 * model (native/model) and the freestanding test guest (the model again).
 *
 * The core is freestanding C: it uses no library function, allocates no
 * memory (struct kshim_core is embedded by the backend) and never sleeps
 * by itself; whatever may sleep is done by the backend.
 *
 * THE BACKEND INTERFACE (struct kshim_backend_ops)
 *
 * Every hook gets the backend's cookie `be` first.  Map hooks get the
 * backend's own map object (what map_create returned).  Hooks return 0 or a
 * UVMSHIM_E* errno.  Arguments reaching a hook have been validated: ranges
 * are page aligned, non-empty and inside the map, enums and flags known.
 *
 *  describe	  once, at kshim_core_init: target, page size, supported
 *		  policies, kernel option bits.  The core derives the other
 *		  feature bits from which optional hooks are present.
 *  map_create	  make an empty map of `size` bytes with `policy`.  The
 *		  core passes DEFAULT through: what it means is the
 *		  backend's choice.  May sleep.  base/kva are informational.
 *  map_destroy	  unmap everything and free the map.  No other hook runs
 *		  on that map concurrently or afterwards.
 *  map_enter	  uvm_map(): place and enter one mapping, taking and
 *		  dropping the map write lock itself, as uvm_map does.  The
 *		  lock is the backend's business because policies differ in
 *		  what happens BEFORE it is taken (NetBSD 3-5 preallocated
 *		  entries there).  Fill the effect record (below).
 *  map_remove	  uvm_unmap() of [start, end), holes skipped; same locking
 *		  rule; fill the effect record.
 *  lock, unlock  take/drop the map lock in the given mode; the core uses
 *		  KSHIM_LOCK_READ around lookup/walk/nentries, like
 *		  vm_map_lock_read.
 *  lookup	  uvm_map_lookup_entry(): the entry holding addr, else the
 *		  last one before it; its index in address order.  Returns 1
 *		  if addr is inside, 0 if not (entry zeroed when there is no
 *		  entry before addr).  Read lock held.  index may be NULL (batch
 *		  lookups): then do not compute it (it can cost a walk).
 *  walk	  copy up to n entries whose start is >= from, in address
 *		  order, into a kernel buffer; return how many.  Read lock
 *		  held.  The core calls it in chunks, dropping the lock
 *		  between chunks to copy out, continuing from the last end.
 *  nentries	  entries in the map now.  Read lock held.
 *  nsec	  a monotonic clock in nanoseconds (timings of ops).
 *  copyin	  copy len bytes from the caller's address uaddr into the
 *  copyout	  core's buffer and back: copyin(9)/copyout(9) in a kernel,
 *		  memcpy in the model.  EFAULT when the address is bad.
 *		  Only the pointers embedded in requests (batch ops/results,
 *		  dump entries) go through these: the ioctl argument itself is
 *		  already in memory the core can touch, as d_ioctl gets it.
 *  dev_lock	  optional (NULL: single-threaded caller): a device-wide
 *  dev_unlock	  mutex protecting the core's tables and statistics.  Held
 *		  only briefly; never across any other hook.
 *  pressure	  optional: UVMSHIM_IOC_PRESSURE after validation.
 *  cycle	  optional: UVMSHIM_IOC_CYCLE after validation; the output
 *		  fields are zeroed before the call.
 *  stress	  optional: UVMSHIM_IOC_STRESS after validation; outputs
 *		  zeroed.  It must run its operations through
 *		  kshim_core_do_map/kshim_core_do_unmap so that they are
 *		  validated and counted in the map's statistics.
 *  kmap_summary  optional: UVMSHIM_IOC_KMAP_SUMMARY; absent means ENOTSUP.
 *
 * ENTRY ALLOCATION HOOKS: THE EFFECT RECORD
 *
 * The core cannot see inside uvm_map, so the backend reports what one
 * map_enter/map_remove did in a struct kshim_effect, zeroed by the core
 * before the call: where the mapping went and how (outcome), each clip,
 * each map entry allocated (and whether the map was write-locked at that
 * moment), freed, taken from a reservation or parked list, waited for or
 * refused, and in `counted` which of those figures are the target's own
 * accounting rather than inferred (UVMSHIM_CNT_*).  The backend records each event where it happens with the
 * kshim_effect_* helpers below; the core turns effects into per-request
 * outputs, batch results and statistics.  A kernel backend that cannot
 * hook uvm_mapent_alloc measures them from the kernel's own counters
 * where it can and infers them where it cannot (every clip allocates one
 * entry under the write lock; a merge allocates none), saying which in
 * `counted`.
 *
 * Effects must be filled on failure too (nentries, alloc_failures), and a
 * failing request must leave the map as it was.
 */
#ifndef KSHIM_CORE_H
#define KSHIM_CORE_H

#include "uvmshim_ioctl.h"
#include "kshim_stats.h"

#if !defined(_KERNEL) && !defined(_STANDALONE)
#include <stddef.h>
#endif

/* <sys/types.h> does not promise NULL to a kernel module. */
#ifndef NULL
#define NULL	((void *)0)
#endif

#define KSHIM_LOCK_READ		1
#define KSHIM_LOCK_WRITE	2

/* Batch ops are copied in and results out in chunks of this many. */
#define KSHIM_BATCH_CHUNK	16
/* Dump entries are walked and copied out in chunks of this many. */
#define KSHIM_DUMP_CHUNK	16

/* One validated map request. */
struct kshim_map_args {
	uint64_t	addr;		/* hint, or exact offset with FIXED */
	uint64_t	size;
	uint32_t	prot;		/* UVMSHIM_PROT_* */
	uint32_t	flags;		/* UVMSHIM_MAPF_* */
};

/* What one map_enter/map_remove did; see the header comment. */
struct kshim_effect {
	uint64_t	placed;		/* map: offset of the new mapping */
	uint64_t	unmapped;	/* unmap: bytes that were mapped */
	uint64_t	nsec;		/* by the core: time in the hook */
	uint32_t	outcome;	/* map: enum uvmshim_outcome */
	uint32_t	nentries_before; /* entries when the lock was taken */
	uint32_t	nentries;	/* entries after the call */
	uint32_t	peak_entries;	/* most entries at any moment of it */
	uint32_t	clips_start;
	uint32_t	clips_end;
	uint32_t	allocs;		/* map entries allocated */
	uint32_t	allocs_locked;	/* ... while the map was write-locked */
	uint32_t	frees;		/* map entries freed */
	uint32_t	reserve_uses;	/* clips served by parked/reserved */
	uint32_t	waits;		/* allocations that had to wait */
	uint32_t	alloc_failures;	/* allocations refused */
	uint32_t	counted;	/* UVMSHIM_CNT_*: which of outcome,
					   clips, allocs, allocs_locked,
					   frees, reserve_uses are the
					   target's own accounting (set), not
					   inferred (clear) */
};

static inline void
kshim_effect_alloc(struct kshim_effect *eff, int locked)
{

	eff->allocs++;
	if (locked)
		eff->allocs_locked++;
}

static inline void
kshim_effect_free(struct kshim_effect *eff)
{

	eff->frees++;
}

static inline void
kshim_effect_entries(struct kshim_effect *eff, uint32_t nentries)
{

	eff->nentries = nentries;
	if (nentries > eff->peak_entries)
		eff->peak_entries = nentries;
}

/* What a target is, as UVMSHIM_IOC_VERSION reports it. */
struct kshim_target_info {
	uint32_t	target;		/* enum uvmshim_target */
	uint32_t	netbsd_version;	/* __NetBSD_Version__, 0 off NetBSD */
	uint32_t	page_size;	/* power of two, >= 4096 */
	uint32_t	features;	/* only the kernel bits (options, entry counters, parking)
					   (UVMMAP_COUNTERS, LOCKDEBUG,
					   DIAGNOSTIC); the core adds the
					   rest */
	uint32_t	policies;	/* UVMSHIM_POLICY_BIT() of each */
	uint32_t	pad0;
	char		osrelease[UVMSHIM_OSRELEASE_LEN];
};

struct kshim_core;
struct kshim_slot;

struct kshim_backend_ops {
	void	(*describe)(void *be, struct kshim_target_info *info);

	int	(*map_create)(void *be, uint64_t size, uint32_t policy,
		    void **mapp, uint64_t *base, uint64_t *kva);
	void	(*map_destroy)(void *be, void *map);
	int	(*map_enter)(void *be, void *map,
		    const struct kshim_map_args *args,
		    struct kshim_effect *eff);
	int	(*map_remove)(void *be, void *map, uint64_t start, uint64_t end,
		    struct kshim_effect *eff);

	void	(*lock)(void *be, void *map, int mode);
	void	(*unlock)(void *be, void *map, int mode);
	int	(*lookup)(void *be, void *map, uint64_t addr,
		    struct uvmshim_entry *entry, uint32_t *index);
	uint32_t (*walk)(void *be, void *map, uint64_t from,
		    struct uvmshim_entry *buf, uint32_t n);
	uint32_t (*nentries)(void *be, void *map);

	uint64_t (*nsec)(void *be);
	int	(*copyin)(void *be, uint64_t uaddr, void *kaddr, size_t len);
	int	(*copyout)(void *be, const void *kaddr, uint64_t uaddr,
		    size_t len);

	/* Optional hooks: NULL when the backend has no such thing. */
	void	(*dev_lock)(void *be);
	void	(*dev_unlock)(void *be);
	int	(*pressure)(void *be, struct uvmshim_pressure *p);
	int	(*cycle)(void *be, struct uvmshim_cycle *c);
	int	(*stress)(void *be, struct kshim_core *kc,
		    struct kshim_slot *slot, struct uvmshim_stress *s);
	int	(*kmap_summary)(void *be, struct uvmshim_kmap_summary *k);
};

/* States of a map slot. */
#define KSHIM_SLOT_FREE		0
#define KSHIM_SLOT_CREATING	1	/* map_create running, id reserved */
#define KSHIM_SLOT_LIVE		2
#define KSHIM_SLOT_DYING	3	/* map_destroy running */

/* One test map, as the core knows it.  map_id = index + 1. */
struct kshim_slot {
	void		*ks_map;	/* the backend's map */
	uint64_t	 ks_size;	/* bytes */
	uint32_t	 ks_policy;	/* as requested, DEFAULT included */
	uint32_t	 ks_state;	/* KSHIM_SLOT_* */
	uint32_t	 ks_refs;	/* requests using it now */
	uint32_t	 ks_id;
	struct kshim_stats ks_stats;
};

/* Runs that exclude each other device-wide. */
#define KSHIM_ACTIVE_CYCLE	0x1U
#define KSHIM_ACTIVE_STRESS	0x2U

struct kshim_core {
	const struct kshim_backend_ops *kc_ops;
	void		*kc_be;
	struct kshim_target_info kc_info;
	uint32_t	 kc_features;	/* as UVMSHIM_IOC_VERSION reports */
	uint32_t	 kc_active;	/* KSHIM_ACTIVE_* */
	struct kshim_slot kc_slots[UVMSHIM_MAX_MAPS];
};

/*
 * Set up a core over a backend: EINVAL if a required hook is missing or
 * describe() reports a page size that is not a power of two >= 4096.
 */
int	kshim_core_init(struct kshim_core *kc,
	    const struct kshim_backend_ops *ops, void *be);
/* Destroy every map (close of the device, module unload). */
void	kshim_core_fini(struct kshim_core *kc);
/* 1 if maps exist or a run is active: a module refuses to unload then. */
int	kshim_core_busy(struct kshim_core *kc);

/*
 * d_ioctl: cmd is a UVMSHIM_IOC_* value, data the argument already copied
 * in (as NetBSD's sys_ioctl does).  Unknown cmd: ENOTTY.
 */
int	kshim_core_ioctl(struct kshim_core *kc, uint32_t cmd, void *data);

/* 1 if cmd is one of the UVMSHIM_IOC_* commands (before copying data in). */
int	kshim_core_known_cmd(uint32_t cmd);

/*
 * One validated, timed and counted map or unmap on a slot the caller holds
 * a reference to (batch scripts, stress drivers).  EINVAL for malformed
 * arguments, without touching map or statistics.
 */
int	kshim_core_do_map(struct kshim_core *kc, struct kshim_slot *slot,
	    const struct kshim_map_args *args, struct kshim_effect *eff);
int	kshim_core_do_unmap(struct kshim_core *kc, struct kshim_slot *slot,
	    uint64_t start, uint64_t end, struct kshim_effect *eff);

/* Entries in a held slot's map now (read lock taken and dropped). */
uint32_t kshim_core_nentries(struct kshim_core *kc, struct kshim_slot *slot);
/*
 * uvm_map_lookup_entry on a held slot under the read lock: 1 if addr is
 * inside *entry; else *entry is the last entry before addr, or zeroes.
 * nsec is the time of the lookup alone, nentries the count at that time.
 */
int	kshim_core_lookup(struct kshim_core *kc, struct kshim_slot *slot,
	    uint64_t addr, struct uvmshim_entry *entry, uint32_t *index,
	    uint32_t *nentries, uint64_t *nsec);

/* The op-script interpreter behind UVMSHIM_IOC_BATCH (kshim_batch.c). */
int	kshim_batch_run(struct kshim_core *kc, struct kshim_slot *slot,
	    struct uvmshim_batch *b);

/* Map slots (kshim_slot.c): take/drop a reference by id; ENOENT if none. */
int	kshim_slot_get(struct kshim_core *kc, uint32_t map_id,
	    struct kshim_slot **slotp);
void	kshim_slot_put(struct kshim_core *kc, struct kshim_slot *slot);

/* The device mutex, if the backend has one. */
void	kshim_core_lock(struct kshim_core *kc);
void	kshim_core_unlock(struct kshim_core *kc);

#endif /* KSHIM_CORE_H */
