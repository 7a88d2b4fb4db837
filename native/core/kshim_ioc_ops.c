/*
 * kshim_ioc_ops.c: the requests that act on one map: MAP, UNMAP, LOOKUP
 * and BATCH.  Each holds a reference on its map while it runs.
 */
#include "kshim_core.h"
#include "kshim_ioc.h"
#include "kshim_util.h"
#include "kshim_validate.h"

int
kshim_ioc_map(struct kshim_core *kc, struct uvmshim_map_req *r)
{
	struct kshim_slot *slot;
	struct kshim_map_args args;
	struct kshim_effect eff;
	int error;

	error = kshim_check_map_req(r, kc->kc_info.page_size);
	if (error != 0)
		return error;
	error = kshim_slot_get(kc, r->map_id, &slot);
	if (error != 0)
		return error;
	error = kshim_check_inside(r->addr, r->size, slot->ks_size);
	if (error == 0) {
		args.addr = r->addr;
		args.size = r->size;
		args.prot = r->prot;
		args.flags = r->flags;
		error = kshim_core_do_map(kc, slot, &args, &eff);
	}
	kshim_slot_put(kc, slot);
	if (error != 0)
		return error;
	r->placed = eff.placed;
	r->outcome = eff.outcome;
	r->nentries = eff.nentries;
	r->allocs = eff.allocs;
	r->allocs_locked = eff.allocs_locked;
	r->frees = eff.frees;
	r->reserve_uses = eff.reserve_uses;
	r->counted = eff.counted;
	r->pad1 = 0;
	return 0;
}

int
kshim_ioc_unmap(struct kshim_core *kc, struct uvmshim_unmap_req *r)
{
	struct kshim_slot *slot;
	struct kshim_effect eff;
	int error;

	error = kshim_check_unmap_req(r, kc->kc_info.page_size);
	if (error != 0)
		return error;
	error = kshim_slot_get(kc, r->map_id, &slot);
	if (error != 0)
		return error;
	error = kshim_check_inside(r->start, r->end - r->start, slot->ks_size);
	if (error == 0)
		error = kshim_core_do_unmap(kc, slot, r->start, r->end, &eff);
	kshim_slot_put(kc, slot);
	if (error != 0)
		return error;
	r->clips = eff.clips_start + eff.clips_end;
	r->entries_before = eff.nentries_before;
	r->entries_after = eff.nentries;
	r->allocs_locked = eff.allocs_locked;
	r->unmapped = eff.unmapped;
	r->allocs = eff.allocs;
	r->frees = eff.frees;
	r->reserve_uses = eff.reserve_uses;
	r->counted = eff.counted;
	return 0;
}

int
kshim_ioc_lookup(struct kshim_core *kc, struct uvmshim_lookup *l)
{
	struct kshim_slot *slot;
	uint32_t nentries;
	int error;

	error = kshim_check_lookup(l);
	if (error != 0)
		return error;
	error = kshim_slot_get(kc, l->map_id, &slot);
	if (error != 0)
		return error;
	if (l->addr >= slot->ks_size)
		error = UVMSHIM_EINVAL;
	else
		l->found = (uint32_t)kshim_core_lookup(kc, slot, l->addr,
		    &l->entry, &l->index, &nentries, &l->nsec);
	kshim_slot_put(kc, slot);
	return error;
}

int
kshim_ioc_batch(struct kshim_core *kc, struct uvmshim_batch *b)
{
	struct kshim_slot *slot;
	int error;

	error = kshim_check_batch(b);
	if (error != 0)
		return error;
	error = kshim_slot_get(kc, b->map_id, &slot);
	if (error != 0)
		return error;
	error = kshim_batch_run(kc, slot, b);
	kshim_slot_put(kc, slot);
	return error;
}
