/*
 * model_map.h: one map of the reference model, with UVM's rules.
 *
 * A map is [0, size) of offsets holding disjoint entries (model_tree.h)
 * whose entries come from the map's own pool (model_pool.h).  The rules
 * follow sys/uvm/uvm_map.c:
 *
 *  placement	  uvm_map_findspace, bottom-up, no alignment: first fit
 *		  at or after the hint; FIXED takes exactly [addr, addr+size)
 *		  or fails with ENOMEM.
 *  merging	  uvm_map_enter: back-merge into the entry ending at start,
 *		  forward-merge into the entry starting at end, both (bimerge,
 *		  the second entry is retired) or neither (a new entry).  An
 *		  entry is compatible when protection and max protection
 *		  match and it is neither NOMERGE nor wired; a NOMERGE request
 *		  never merges and makes a NOMERGE entry.
 *  clipping	  uvm_unmap_remove: clip_start when start falls strictly
 *		  inside an entry, clip_end when end does; each clip splits
 *		  an entry in two and so needs one more entry.  Holes in the
 *		  range are skipped.
 *
 * And the policies (enum uvmshim_policy; DEFAULT is MODERN here):
 *
 *  MERGE_ALLOC	  merging; every entry (new mapping or clip) is allocated
 *		  with the write lock held; pool pages enter through the map
 *		  itself, so a page needed under the lock is the recursion
 *		  (MODEL_WAIT_MAPLOCK).  The pool is topped up to two free
 *		  slots before each request takes the lock.
 *  NOMERGE	  every mapping is a NOMERGE entry: unmapping whole
 *		  mappings never clips.  Allocations under the lock.
 *  MERGE_RESERVE merging (NetBSD 5's UVM_FLAG_QUANTUM path); a map request
 *		  allocates its entry before taking the lock, and an entry a
 *		  merge makes redundant is parked on the map's list, never
 *		  freed, no cap; an unmap first reserves, before the lock, as
 *		  many entries as the parked list lacks for its two possible
 *		  clips.  Clips take parked entries first, then reserved ones:
 *		  nothing is ever allocated under the lock.
 *  MODERN	  merging (NetBSD 6+); entries from a pool whose pages come
 *		  from the page allocator (no map lock involved); a new entry
 *		  is allocated under the write lock only when the mapping does
 *		  not merge (a merge allocates nothing, a bi-merge frees the
 *		  absorbed entry after unlocking); clips allocate under the
 *		  write lock, waiting for memory if the pool needs a page
 *		  while free pages are at free_min.
 *  THORPE	  merging (Thorpe's 2004 proposal as thorpe.diff implements it
 *		  on 10.99.12); a map request allocates its entry before the
 *		  lock; a merge parks the spare one and a bi-merge's absorbed
 *		  one (up to MODEL_THORPE_PARKED_MAX, the rest are freed after
 *		  unlocking); a clip takes a parked entry, and allocates under
 *		  the lock only when none is parked; an unmap that leaves the
 *		  map empty frees every parked entry after unlocking.
 *
 * A request that would have to wait changes nothing.  With w == NULL
 * (every ioctl) it fails with ENOMEM and counts an alloc_failure; with a
 * struct model_wait it returns MODEL_EWAIT and says why (the cycle).
 */
#ifndef MODEL_MAP_H
#define MODEL_MAP_H

#include "kshim_core.h"
#include "model_pool.h"
#include "model_tree.h"

/* THORPE: UVM_MAP_PARKED_MAX, the cap on a kernel map's parked entries. */
#define MODEL_THORPE_PARKED_MAX	16

/* Free slots MERGE_ALLOC keeps ahead: the most a request takes locked. */
#define MODEL_MERGE_ALLOC_LOWAT	2

struct model_map {
	struct model_tree	 mm_tree;
	struct model_pool	 mm_pool;
	const struct model_platform *mm_plat;
	uint64_t		 mm_size;
	uint64_t		 mm_mapped;	/* bytes covered by entries */
	uint32_t		 mm_policy;	/* never DEFAULT */
	uint32_t		 mm_page_size;
	int32_t			 mm_lock;	/* 0, -1 writer, n readers */
	uint32_t		 mm_pad;
};

int	model_map_create(const struct model_platform *plat,
	    struct model_phys *phys, uint32_t per_page, uint32_t page_size,
	    uint64_t size, uint32_t policy, uint32_t seed,
	    struct model_map **mapp);
void	model_map_destroy(struct model_map *m);

int	model_map_enter(struct model_map *m, const struct kshim_map_args *a,
	    struct kshim_effect *eff, struct model_wait *w);
int	model_map_remove(struct model_map *m, uint64_t start, uint64_t end,
	    struct kshim_effect *eff, struct model_wait *w);

/* uvm_map_findspace: 0 and *where, or ENOMEM. */
int	model_map_findspace(const struct model_map *m, uint64_t hint,
	    uint64_t len, int fixed, uint64_t *where);
/* As kshim_backend_ops.lookup and .walk. */
int	model_map_lookup(const struct model_map *m, uint64_t addr,
	    struct uvmshim_entry *out, uint32_t *index);
uint32_t model_map_walk(const struct model_map *m, uint64_t from,
	    struct uvmshim_entry *buf, uint32_t n);

/* Internal to model_enter.c/model_remove.c. */
int	model_map_blocked(struct kshim_effect *eff, struct model_wait *w,
	    const struct model_wait *why, int error);
int	model_map_prealloc(const struct model_map *m);
int	model_map_park(struct model_map *m, struct model_entry *e);

#endif /* MODEL_MAP_H */
