/*
 * kshim_ioc_maps.c: creating and destroying test maps.
 *
 * An id is reserved (CREATING) before the backend builds the map, and a
 * map is marked DYING before it is torn down, because both hooks may
 * sleep and the device mutex must not be held across them.
 */
#include "kshim_core.h"
#include "kshim_ioc.h"
#include "kshim_util.h"
#include "kshim_validate.h"

int
kshim_ioc_map_create(struct kshim_core *kc, struct uvmshim_map_create *c)
{
	struct kshim_slot *slot = NULL;
	uint64_t base = 0, kva = 0;
	void *map = NULL;
	uint32_t i;
	int error;

	error = kshim_check_map_create(c, kc->kc_info.page_size);
	if (error != 0)
		return error;
	if ((kc->kc_info.policies & UVMSHIM_POLICY_BIT(c->policy)) == 0)
		return UVMSHIM_ENOTSUP;

	/* Reserve an id first: map_create may sleep. */
	kshim_core_lock(kc);
	for (i = 0; i < UVMSHIM_MAX_MAPS; i++) {
		if (kc->kc_slots[i].ks_state == KSHIM_SLOT_FREE) {
			slot = &kc->kc_slots[i];
			slot->ks_state = KSHIM_SLOT_CREATING;
			break;
		}
	}
	kshim_core_unlock(kc);
	if (slot == NULL)
		return UVMSHIM_ENOSPC;

	error = kc->kc_ops->map_create(kc->kc_be, c->size, c->policy, &map,
	    &base, &kva);

	kshim_core_lock(kc);
	if (error != 0) {
		slot->ks_state = KSHIM_SLOT_FREE;
	} else {
		slot->ks_map = map;
		slot->ks_size = c->size;
		slot->ks_policy = c->policy;
		slot->ks_refs = 0;
		kshim_stats_init(&slot->ks_stats);
		slot->ks_state = KSHIM_SLOT_LIVE;
	}
	kshim_core_unlock(kc);
	if (error != 0)
		return error;

	c->map_id = slot->ks_id;
	c->base = base;
	c->kva = kva;
	return 0;
}

int
kshim_ioc_map_destroy(struct kshim_core *kc, struct uvmshim_map_ref *r)
{
	struct kshim_slot *slot;
	int error = 0;

	error = kshim_check_map_ref(r);
	if (error != 0)
		return error;
	if (r->map_id == 0 || r->map_id > UVMSHIM_MAX_MAPS)
		return UVMSHIM_ENOENT;
	slot = &kc->kc_slots[r->map_id - 1];

	kshim_core_lock(kc);
	if (slot->ks_state != KSHIM_SLOT_LIVE)
		error = UVMSHIM_ENOENT;
	else if (slot->ks_refs != 0)
		error = UVMSHIM_EBUSY;
	else
		slot->ks_state = KSHIM_SLOT_DYING;
	kshim_core_unlock(kc);
	if (error != 0)
		return error;

	kc->kc_ops->map_destroy(kc->kc_be, slot->ks_map);

	kshim_core_lock(kc);
	slot->ks_map = NULL;
	slot->ks_state = KSHIM_SLOT_FREE;
	kshim_core_unlock(kc);
	return 0;
}
