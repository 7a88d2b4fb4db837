/*
 * kshim_slot.c: the table of test maps and the device mutex.
 *
 * A request that uses a map holds a reference on its slot for as long as
 * it runs, with the device mutex dropped (backend hooks may sleep).  A
 * map with references cannot be destroyed (EBUSY), so no hook ever sees a
 * map being torn down under it.
 */
#include "kshim_core.h"

void
kshim_core_lock(struct kshim_core *kc)
{

	if (kc->kc_ops->dev_lock != NULL)
		kc->kc_ops->dev_lock(kc->kc_be);
}

void
kshim_core_unlock(struct kshim_core *kc)
{

	if (kc->kc_ops->dev_unlock != NULL)
		kc->kc_ops->dev_unlock(kc->kc_be);
}

int
kshim_slot_get(struct kshim_core *kc, uint32_t map_id,
    struct kshim_slot **slotp)
{
	struct kshim_slot *slot;
	int error = 0;

	if (map_id == 0 || map_id > UVMSHIM_MAX_MAPS)
		return UVMSHIM_ENOENT;
	slot = &kc->kc_slots[map_id - 1];
	kshim_core_lock(kc);
	if (slot->ks_state != KSHIM_SLOT_LIVE)
		error = UVMSHIM_ENOENT;
	else
		slot->ks_refs++;
	kshim_core_unlock(kc);
	if (error == 0)
		*slotp = slot;
	return error;
}

void
kshim_slot_put(struct kshim_core *kc, struct kshim_slot *slot)
{

	kshim_core_lock(kc);
	slot->ks_refs--;
	kshim_core_unlock(kc);
}
