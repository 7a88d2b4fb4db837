/*
 * kshim_core.c: setting a core up over a backend, and kshim_core_ioctl,
 * the dispatcher from command to handler (kshim_ioc_*.c).
 *
 * Each handler validates in the order of kshim_validate.h (shape, map id,
 * map-dependent ranges), takes a reference on the map it uses, and calls
 * the backend without the device mutex.  Output fields are written only
 * on success paths; the caller (sys_ioctl, or the model's emulation of
 * it) copies the argument out only when the result is 0.
 */
#include "kshim_core.h"
#include "kshim_util.h"
#include "kshim_ioc.h"

#define FEAT_FROM_OPTIONS	(UVMSHIM_FEAT_UVMMAP_COUNTERS |		\
				 UVMSHIM_FEAT_LOCKDEBUG |		\
				 UVMSHIM_FEAT_DIAGNOSTIC |		\
				 UVMSHIM_FEAT_ENTRY_COUNTERS |	\
				 UVMSHIM_FEAT_PARKED_ENTRIES)
#define ALL_POLICIES		((1U << UVMSHIM_POLICY_COUNT) - 1)

int
kshim_core_init(struct kshim_core *kc, const struct kshim_backend_ops *ops,
    void *be)
{
	uint32_t i, ps;

	kshim_memzero(kc, sizeof(*kc));
	if (ops == NULL || ops->describe == NULL || ops->map_create == NULL ||
	    ops->map_destroy == NULL || ops->map_enter == NULL ||
	    ops->map_remove == NULL || ops->lock == NULL ||
	    ops->unlock == NULL || ops->lookup == NULL || ops->walk == NULL ||
	    ops->nentries == NULL || ops->nsec == NULL ||
	    ops->copyin == NULL || ops->copyout == NULL ||
	    (ops->dev_lock == NULL) != (ops->dev_unlock == NULL))
		return UVMSHIM_EINVAL;
	kc->kc_ops = ops;
	kc->kc_be = be;
	ops->describe(be, &kc->kc_info);

	ps = kc->kc_info.page_size;
	if (ps < 4096 || (ps & (ps - 1)) != 0)
		return UVMSHIM_EINVAL;
	kc->kc_info.policies &= ALL_POLICIES;
	kc->kc_info.osrelease[UVMSHIM_OSRELEASE_LEN - 1] = '\0';

	/* Features follow from the hooks, so they cannot disagree. */
	kc->kc_features = (kc->kc_info.features & FEAT_FROM_OPTIONS) |
	    UVMSHIM_FEAT_BATCH;
	if (ops->pressure != NULL)
		kc->kc_features |= UVMSHIM_FEAT_PRESSURE;
	if (ops->cycle != NULL)
		kc->kc_features |= UVMSHIM_FEAT_CYCLE;
	if (ops->stress != NULL)
		kc->kc_features |= UVMSHIM_FEAT_STRESS;
	if (ops->kmap_summary != NULL)
		kc->kc_features |= UVMSHIM_FEAT_KMAP_SUMMARY;

	for (i = 0; i < UVMSHIM_MAX_MAPS; i++) {
		kc->kc_slots[i].ks_id = i + 1;
		kc->kc_slots[i].ks_state = KSHIM_SLOT_FREE;
		kshim_stats_init(&kc->kc_slots[i].ks_stats);
	}
	return 0;
}

void
kshim_core_fini(struct kshim_core *kc)
{
	struct kshim_slot *slot;
	uint32_t i;

	if (kc->kc_ops == NULL)
		return;
	for (i = 0; i < UVMSHIM_MAX_MAPS; i++) {
		slot = &kc->kc_slots[i];
		if (slot->ks_state == KSHIM_SLOT_LIVE)
			kc->kc_ops->map_destroy(kc->kc_be, slot->ks_map);
		slot->ks_map = NULL;
		slot->ks_state = KSHIM_SLOT_FREE;
		slot->ks_refs = 0;
	}
}

int
kshim_core_busy(struct kshim_core *kc)
{
	uint32_t i;
	int busy;

	kshim_core_lock(kc);
	busy = kc->kc_active != 0;
	for (i = 0; i < UVMSHIM_MAX_MAPS; i++)
		if (kc->kc_slots[i].ks_state != KSHIM_SLOT_FREE)
			busy = 1;
	kshim_core_unlock(kc);
	return busy;
}

static int
ioc_version(struct kshim_core *kc, struct uvmshim_version *v)
{

	kshim_memzero(v, sizeof(*v));
	v->abi_version = UVMSHIM_ABI_VERSION;
	v->target = kc->kc_info.target;
	v->netbsd_version = kc->kc_info.netbsd_version;
	v->page_size = kc->kc_info.page_size;
	v->features = kc->kc_features;
	v->policies = kc->kc_info.policies;
	v->max_maps = UVMSHIM_MAX_MAPS;
	v->max_batch_ops = UVMSHIM_MAX_BATCH_OPS;
	kshim_strlcpy(v->osrelease, kc->kc_info.osrelease,
	    sizeof(v->osrelease));
	return 0;
}

int
kshim_core_known_cmd(uint32_t cmd)
{

	switch (cmd) {
	case UVMSHIM_IOC_VERSION:
	case UVMSHIM_IOC_MAP_CREATE:
	case UVMSHIM_IOC_MAP_DESTROY:
	case UVMSHIM_IOC_MAP:
	case UVMSHIM_IOC_UNMAP:
	case UVMSHIM_IOC_LOOKUP:
	case UVMSHIM_IOC_BATCH:
	case UVMSHIM_IOC_STATS:
	case UVMSHIM_IOC_DUMP:
	case UVMSHIM_IOC_PRESSURE:
	case UVMSHIM_IOC_CYCLE:
	case UVMSHIM_IOC_STRESS:
	case UVMSHIM_IOC_KMAP_SUMMARY:
		return 1;
	default:
		return 0;
	}
}

int
kshim_core_ioctl(struct kshim_core *kc, uint32_t cmd, void *data)
{

	if (kc->kc_ops == NULL)
		return UVMSHIM_ENOTTY;
	switch (cmd) {
	case UVMSHIM_IOC_VERSION:
		return ioc_version(kc, data);
	case UVMSHIM_IOC_MAP_CREATE:
		return kshim_ioc_map_create(kc, data);
	case UVMSHIM_IOC_MAP_DESTROY:
		return kshim_ioc_map_destroy(kc, data);
	case UVMSHIM_IOC_MAP:
		return kshim_ioc_map(kc, data);
	case UVMSHIM_IOC_UNMAP:
		return kshim_ioc_unmap(kc, data);
	case UVMSHIM_IOC_LOOKUP:
		return kshim_ioc_lookup(kc, data);
	case UVMSHIM_IOC_BATCH:
		return kshim_ioc_batch(kc, data);
	case UVMSHIM_IOC_STATS:
		return kshim_ioc_stats(kc, data);
	case UVMSHIM_IOC_DUMP:
		return kshim_ioc_dump(kc, data);
	case UVMSHIM_IOC_PRESSURE:
		return kshim_ioc_pressure(kc, data);
	case UVMSHIM_IOC_CYCLE:
		return kshim_ioc_cycle(kc, data);
	case UVMSHIM_IOC_STRESS:
		return kshim_ioc_stress(kc, data);
	case UVMSHIM_IOC_KMAP_SUMMARY:
		return kshim_ioc_kmap_summary(kc, data);
	default:
		return UVMSHIM_ENOTTY;
	}
}
