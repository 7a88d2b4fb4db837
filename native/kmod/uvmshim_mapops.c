/*
 * uvmshim_mapops.c: map_enter and map_remove over uvm_map and uvm_unmap.
 *
 * A module cannot hook uvm_mapent_alloc (it is static), so the effect
 * record is inferred, as kshim_core.h allows, from the entries around the
 * range, looked at under vm_map_lock_read just before and just after the
 * call.  Only the neighbourhood is examined (a lookup; for an unmap also
 * the entries it removes, which uvm_unmap walks anyway), so the cost does
 * not grow with the size of the map:
 *
 *  map	    the entry holding the new range afterwards tells the outcome:
 *	    exactly the range: a new entry (one allocation, made with the
 *	    write lock held, in uvm_map_enter); starts before it: a back
 *	    merge; ends after it: a forward merge; both: a bi-merge, which
 *	    frees the entry that was after.
 *  unmap   a start strictly inside an entry costs uvm_map_clip_start, an
 *	    end strictly inside one costs uvm_map_clip_end; each clip
 *	    allocates one entry under the write lock.  The entries
 *	    overlapping the range are removed (and freed after the unlock,
 *	    by uvm_unmap_detach); the bytes unmapped are their overlap.
 *
 * A stress run changes the map from several threads at once.  Unmap
 * records stay exact (a thread only unmaps ranges it mapped itself, and
 * nobody else can change what lies inside them), but a map's outcome is
 * read after the fact: a neighbour that merges into the new entry in
 * between makes it look like a merge.  Those counts are a best effort
 * under concurrency, exact for requests made one at a time.
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

int
uvmshim_map_enter(void *be, void *map, const struct kshim_map_args *args,
    struct kshim_effect *eff)
{
	struct uvmshim_map *um = map;
	struct vm_map *vm = &um->um_map;
	uint32_t pre;
	uvm_flag_t flags;
	vaddr_t va;
	int error, frees;

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

	/*
	 * Non-fixed: bottom-up first fit from the hint (uvm_map_findspace
	 * in a map without VM_MAP_TOPDOWN), no wrap-around.
	 */
	va = um->um_base + args->addr;
	error = uvm_map(vm, &va, args->size, NULL, UVM_UNKNOWN_OFFSET, 0,
	    UVM_MAPFLAG(args->prot, UVM_PROT_ALL, UVM_INH_NONE,
	    UVM_ADV_RANDOM, flags));

	vm_map_lock_read(vm);
	if (error == 0) {
		eff->outcome = outcome_of(vm, va, args->size, &frees);
		eff->placed = va - um->um_base;
		if (eff->outcome == UVMSHIM_OUTCOME_NEW_ENTRY)
			kshim_effect_alloc(eff, 1);
		for (; frees > 0; frees--)
			kshim_effect_free(eff);
	}
	kshim_effect_entries(eff, (uint32_t)vm->nentries);
	vm_map_unlock_read(vm);
	return error;
}

int
uvmshim_map_remove(void *be, void *map, uint64_t start, uint64_t end,
    struct kshim_effect *eff)
{
	struct uvmshim_map *um = map;
	struct vm_map *vm = &um->um_map;
	struct vm_map_entry *e;
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

	uvm_unmap(vm, s, t);

	vm_map_lock_read(vm);
	post = (uint32_t)vm->nentries;
	vm_map_unlock_read(vm);

	for (i = 0; i < clips; i++)
		kshim_effect_alloc(eff, 1);
	for (i = 0; i < removed; i++)
		kshim_effect_free(eff);
	eff->unmapped = bytes;
	kshim_effect_entries(eff, post);
	return 0;
}
