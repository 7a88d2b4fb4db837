/*
 * uvmshim_mapops.c: map_enter and map_remove over uvm_map and uvm_unmap.
 *
 * uvm_mapent_alloc is static, so nothing can be hooked.  The effect of a
 * request is MEASURED from the kernel's own accounting around the call
 * (uvmshim_ecount.c: the map-entry cache's operation counts, the entries
 * the map owns, the uvmmap event counters) whenever that window is
 * clean, and otherwise INFERRED from the entries around the range, looked
 * at under vm_map_lock_read before and after (a lookup; for an unmap also
 * the entries it removes, which uvm_unmap walks anyway); eff->counted
 * says which.
 *
 * Where "under the write lock" comes from, per request (read from
 * uvm_map.c of 7.99.4, 10.99.12 and Thorpe's patch; README.md):
 *
 *  map	    uvm_map allocates before vm_map_lock only for pager_map, and,
 *	    with Thorpe's patch, for every kernel map (the test maps are
 *	    kernel maps): one entry, parked or freed if the mapping
 *	    merges.  Every other get is uvm_map_enter's, between
 *	    uvm_map_prepare's vm_map_lock and its vm_map_unlock; every put
 *	    (an unused entry, a bi-merge's dead one) is after the unlock.
 *	    So: allocs_locked = gets, less the one before the lock on a
 *	    kernel that parks.
 *  unmap   uvm_unmap1 write-locks, uvm_unmap_remove clips (the only gets)
 *	    and chains the removed entries, the lock is dropped, and only
 *	    then are entries freed (uvm_unmap_detach; Thorpe's drain of the
 *	    parked list).  So: allocs_locked = gets, frees all after.
 *	    Clips are the gets (stock) or the gets plus kparkuse (a clip
 *	    that took a parked entry, Thorpe), checked against the
 *	    neighbourhood.
 *
 * Inferred figures: a new entry is one allocation under the write lock,
 * a bi-merge frees the entry after it, each clip allocates one entry
 * under the write lock, removed entries are freed.  Under a concurrent
 * stress run map outcomes inferred are a best effort (a neighbour may
 * merge into the new entry before the second look); unmap records stay
 * exact.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <uvm/uvm.h>

#include "uvmshim_var.h"
#include "kshim_util.h"

static uint32_t
outcome_of(struct vm_map *map, vaddr_t va, vsize_t size, int *frees)
{
	struct vm_map_entry *e;
	bool before, after;

	*frees = 0;
	if (!uvm_map_lookup_entry(map, va, &e))
		return UVMSHIM_OUTCOME_NONE;	/* raced away: unknown */
	before = e->start < va;
	after = e->end > va + size;
	if (before && after) {
		*frees = 1;
		return UVMSHIM_OUTCOME_BI_MERGE;
	}
	if (before)
		return UVMSHIM_OUTCOME_BACK_MERGE;
	if (after)
		return UVMSHIM_OUTCOME_FORW_MERGE;
	return UVMSHIM_OUTCOME_NEW_ENTRY;
}

/* Outcome from the event counters: exactly one kind moved, by one. */
static uint32_t
outcome_counted(const struct uvmshim_edelta *d)
{
	static const uint32_t kind[4] = {
		UVMSHIM_OUTCOME_BACK_MERGE, UVMSHIM_OUTCOME_FORW_MERGE,
		UVMSHIM_OUTCOME_BI_MERGE, UVMSHIM_OUTCOME_NEW_ENTRY,
	};
	uint32_t out = UVMSHIM_OUTCOME_NONE;
	int i;

	for (i = 0; i < 4; i++) {
		if (d->ed_kind[i] == 0)
			continue;
		if (d->ed_kind[i] != 1 || out != UVMSHIM_OUTCOME_NONE)
			return UVMSHIM_OUTCOME_NONE;
		out = kind[i];
	}
	return out;
}

/*
 * The measured record of a map, or false (nothing set) when the window's
 * figures do not fit one uvm_map of this map.
 */
static bool
measured_map(struct kshim_effect *eff, int error,
    const struct uvmshim_edelta *d)
{
	uint32_t out, before = 0;

	if (error == 0) {
		out = outcome_counted(d);
		/* Another mapping in the window, or a racing neighbour. */
		if (out == UVMSHIM_OUTCOME_NONE || out != eff->outcome ||
		    d->ed_map_call != 1)
			return false;
	}
	/* With parked entries, uvm_map's one allocation precedes the lock. */
	if (uvmshim_ecount_parks() && d->ed_gets > 0)
		before = 1;
	eff->allocs = d->ed_gets;
	eff->allocs_locked = d->ed_gets - before;
	eff->frees = d->ed_puts;
	eff->counted = UVMSHIM_CNT_ALLOCS | UVMSHIM_CNT_FREES |
	    UVMSHIM_CNT_ALLOCS_LOCKED | UVMSHIM_CNT_CLIPS |
	    (error == 0 ? UVMSHIM_CNT_OUTCOME : 0);
	if (uvmshim_ecount_parks()) {
		/* Parked by this map: the kernel's spare, not a free. */
		eff->reserve_uses = 0;
		eff->counted |= UVMSHIM_CNT_RESERVE;
	}
	return true;
}

/*
 * The measured record of an unmap, or false.  clips: what the
 * neighbourhood says (clips_start + clips_end); the kernel must agree.
 */
static bool
measured_unmap(struct kshim_effect *eff, uint32_t clips,
    const struct uvmshim_edelta *d)
{
	uint32_t counted;

	counted = d->ed_gets;
	if (uvmshim_ecount_parks()) {
		/* Every clip of a write-locked kernel map counts once. */
		if (d->ed_park[UVMSHIM_EV_KPARKALLOC] != d->ed_gets)
			return false;
		counted += d->ed_park[UVMSHIM_EV_KPARKUSE];
		eff->reserve_uses = d->ed_park[UVMSHIM_EV_KPARKUSE];
	}
	if (counted != clips) {
		printf("uvmshim: unmap: the kernel counted %u clip(s), the "
		    "entries around the range say %u\n", counted, clips);
		return false;
	}
	eff->allocs = d->ed_gets;
	eff->allocs_locked = d->ed_gets;
	eff->frees = d->ed_puts;
	eff->counted = UVMSHIM_CNT_ALLOCS | UVMSHIM_CNT_FREES |
	    UVMSHIM_CNT_ALLOCS_LOCKED | UVMSHIM_CNT_CLIPS |
	    (uvmshim_ecount_parks() ? UVMSHIM_CNT_RESERVE : 0);
	return true;
}

int
uvmshim_map_enter(void *be, void *map, const struct kshim_map_args *args,
    struct kshim_effect *eff)
{
	struct uvmshim_map *um = map;
	struct vm_map *vm = &um->um_map;
	struct uvmshim_ecount e0, e1;
	struct uvmshim_edelta d;
	uint32_t pre;
	uvm_flag_t flags;
	vaddr_t va;
	int error, frees = 0;
	bool clean;

	/* The core validated; a backend still never trusts sizes. */
	if (args->size == 0 || args->size > um->um_size ||
	    args->addr > um->um_size - args->size ||
	    ((args->addr | args->size) & PAGE_MASK) != 0 ||
	    (args->prot & ~UVMSHIM_PROT_ALL) != 0 ||
	    (args->flags & ~UVMSHIM_MAPF_ALL) != 0)
		return EINVAL;

	flags = 0;
	if (args->flags & UVMSHIM_MAPF_FIXED)
		flags |= UVM_FLAG_FIXED;
	if ((args->flags & UVMSHIM_MAPF_NOMERGE) || um->um_nomerge)
		flags |= UVM_FLAG_NOMERGE;

	vm_map_lock_read(vm);
	pre = (uint32_t)vm->nentries;
	vm_map_unlock_read(vm);
	eff->nentries_before = pre;
	kshim_effect_entries(eff, pre);
	uvmshim_ecount_take(um, NULL, &e0);

	/*
	 * Non-fixed: bottom-up first fit from the hint (uvm_map_findspace
	 * in a map without VM_MAP_TOPDOWN), no wrap-around.
	 */
	va = um->um_base + args->addr;
	error = uvm_map(vm, &va, args->size, NULL, UVM_UNKNOWN_OFFSET, 0,
	    UVM_MAPFLAG(args->prot, UVM_PROT_ALL, UVM_INH_NONE,
	    UVM_ADV_RANDOM, flags));

	uvmshim_ecount_take(um, NULL, &e1);
	clean = uvmshim_ecount_delta(&e0, &e1, false, &d);

	vm_map_lock_read(vm);
	if (error == 0) {
		eff->outcome = outcome_of(vm, va, args->size, &frees);
		eff->placed = va - um->um_base;
	}
	kshim_effect_entries(eff, (uint32_t)vm->nentries);
	vm_map_unlock_read(vm);
	if (clean && measured_map(eff, error, &d))
		return error;
	if (uvmshim_ecount_usable())
		eff->counted = UVMSHIM_CNT_DISTURBED;
	if (error == 0) {
		if (eff->outcome == UVMSHIM_OUTCOME_NEW_ENTRY)
			kshim_effect_alloc(eff, 1);
		for (; frees > 0; frees--)
			kshim_effect_free(eff);
	}
	return error;
}

int
uvmshim_map_remove(void *be, void *map, uint64_t start, uint64_t end,
    struct kshim_effect *eff)
{
	struct uvmshim_map *um = map;
	struct vm_map *vm = &um->um_map;
	struct vm_map_entry *e;
	struct uvmshim_ecount e0, e1;
	struct uvmshim_edelta d;
	uint32_t pre, post, clips, removed = 0, i;
	uint64_t bytes = 0;
	vaddr_t s, t;

	if (end <= start || end > um->um_size ||
	    ((start | end) & PAGE_MASK) != 0)
		return EINVAL;
	s = um->um_base + start;
	t = um->um_base + end;

	/*
	 * The entries the unmap will remove are those overlapping [s, t):
	 * walking them costs what the unmap itself costs, and the bytes
	 * and entries counted are exact even while other threads change
	 * the map elsewhere.
	 */
	vm_map_lock_read(vm);
	pre = (uint32_t)vm->nentries;
	if (uvm_map_lookup_entry(vm, s, &e)) {
		if (e->start < s)
			eff->clips_start = 1;
	} else
		e = e->next;
	for (; e != &vm->header && e->start < t; e = e->next) {
		removed++;
		bytes += MIN(e->end, t) - MAX(e->start, s);
		if (e->end > t)
			eff->clips_end = 1;
	}
	vm_map_unlock_read(vm);
	clips = eff->clips_start + eff->clips_end;
	eff->nentries_before = pre;
	kshim_effect_entries(eff, pre + clips);

	uvmshim_ecount_take(um, NULL, &e0);
	uvm_unmap(vm, s, t);
	uvmshim_ecount_take(um, NULL, &e1);

	vm_map_lock_read(vm);
	post = (uint32_t)vm->nentries;
	vm_map_unlock_read(vm);

	eff->unmapped = bytes;
	kshim_effect_entries(eff, post);
	if (uvmshim_ecount_delta(&e0, &e1, false, &d) &&
	    measured_unmap(eff, clips, &d))
		return 0;
	if (uvmshim_ecount_usable())
		eff->counted = UVMSHIM_CNT_DISTURBED;
	for (i = 0; i < clips; i++)
		kshim_effect_alloc(eff, 1);
	for (i = 0; i < removed; i++)
		kshim_effect_free(eff);
	return 0;
}
