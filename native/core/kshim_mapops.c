/*
 * kshim_mapops.c: one map or unmap request, validated, timed and counted.
 *
 * The single path every map/unmap takes (the MAP and UNMAP ioctls, batch
 * ops, stress threads), so that statistics mean the same whatever the
 * request came through.
 */
#include "kshim_core.h"
#include "kshim_util.h"
#include "kshim_validate.h"

uint32_t
kshim_core_nentries(struct kshim_core *kc, struct kshim_slot *slot)
{
	const struct kshim_backend_ops *ops = kc->kc_ops;
	uint32_t n;

	ops->lock(kc->kc_be, slot->ks_map, KSHIM_LOCK_READ);
	n = ops->nentries(kc->kc_be, slot->ks_map);
	ops->unlock(kc->kc_be, slot->ks_map, KSHIM_LOCK_READ);
	return n;
}

int
kshim_core_do_map(struct kshim_core *kc, struct kshim_slot *slot,
    const struct kshim_map_args *args, struct kshim_effect *eff)
{
	const struct kshim_backend_ops *ops = kc->kc_ops;
	uint64_t t0;
	int error;

	kshim_memzero(eff, sizeof(*eff));
	error = kshim_check_mapping(args->addr, args->size, args->prot,
	    args->flags, kc->kc_info.page_size);
	if (error == 0)
		error = kshim_check_inside(args->addr, args->size,
		    slot->ks_size);
	if (error != 0) {
		/* Refused before UVM: neither map nor statistics change. */
		eff->nentries = kshim_core_nentries(kc, slot);
		return error;
	}

	t0 = ops->nsec(kc->kc_be);
	error = ops->map_enter(kc->kc_be, slot->ks_map, args, eff);
	eff->nsec = ops->nsec(kc->kc_be) - t0;
	if (error != 0) {
		eff->outcome = UVMSHIM_OUTCOME_NONE;
		eff->placed = 0;
	}

	kshim_core_lock(kc);
	kshim_stats_account_map(&slot->ks_stats, error, args->size, eff);
	kshim_core_unlock(kc);
	return error;
}

int
kshim_core_do_unmap(struct kshim_core *kc, struct kshim_slot *slot,
    uint64_t start, uint64_t end, struct kshim_effect *eff)
{
	const struct kshim_backend_ops *ops = kc->kc_ops;
	uint64_t t0;
	int error;

	kshim_memzero(eff, sizeof(*eff));
	error = kshim_check_range(start, end, kc->kc_info.page_size);
	if (error == 0)
		error = kshim_check_inside(start, end - start, slot->ks_size);
	if (error != 0) {
		eff->nentries = kshim_core_nentries(kc, slot);
		return error;
	}

	t0 = ops->nsec(kc->kc_be);
	error = ops->map_remove(kc->kc_be, slot->ks_map, start, end, eff);
	eff->nsec = ops->nsec(kc->kc_be) - t0;
	if (error != 0)
		eff->unmapped = 0;

	kshim_core_lock(kc);
	kshim_stats_account_unmap(&slot->ks_stats, error, eff);
	kshim_core_unlock(kc);
	return error;
}

int
kshim_core_lookup(struct kshim_core *kc, struct kshim_slot *slot,
    uint64_t addr, struct uvmshim_entry *entry, uint32_t *index,
    uint32_t *nentries, uint64_t *nsec)
{
	const struct kshim_backend_ops *ops = kc->kc_ops;
	uint64_t t0;
	int found;

	kshim_memzero(entry, sizeof(*entry));
	if (index != NULL)
		*index = 0;
	ops->lock(kc->kc_be, slot->ks_map, KSHIM_LOCK_READ);
	t0 = ops->nsec(kc->kc_be);
	found = ops->lookup(kc->kc_be, slot->ks_map, addr, entry, index);
	*nsec = ops->nsec(kc->kc_be) - t0;
	*nentries = ops->nentries(kc->kc_be, slot->ks_map);
	ops->unlock(kc->kc_be, slot->ks_map, KSHIM_LOCK_READ);
	/* The ABI promises zeroes when there is no entry at or before addr. */
	if (!found && entry->end == 0) {
		kshim_memzero(entry, sizeof(*entry));
		if (index != NULL)
			*index = 0;
	}
	entry->pad0 = 0;
	return found ? 1 : 0;
}
