/*
 * kshim_ioc_runs.c: the device-wide runs: PRESSURE, CYCLE, STRESS and
 * KMAP_SUMMARY.  A cycle owns the memory pressure while it runs (PRESSURE
 * answers EBUSY), one cycle and one stress run at most are active, and
 * a stress run never overlaps a cycle.
 */
#include "kshim_core.h"
#include "kshim_ioc.h"
#include "kshim_util.h"
#include "kshim_validate.h"

int
kshim_ioc_pressure(struct kshim_core *kc, struct uvmshim_pressure *p)
{
	int error;

	error = kshim_check_pressure(p);
	if (error != 0)
		return error;
	if (kc->kc_ops->pressure == NULL)
		return UVMSHIM_ENOTSUP;
	kshim_core_lock(kc);
	if (kc->kc_active & KSHIM_ACTIVE_CYCLE)
		error = UVMSHIM_EBUSY;
	kshim_core_unlock(kc);
	if (error != 0)
		return error;
	return kc->kc_ops->pressure(kc->kc_be, p);
}

int
kshim_ioc_cycle(struct kshim_core *kc, struct uvmshim_cycle *c)
{
	size_t lo, hi;
	int error;

	error = kshim_check_cycle(c);
	if (error != 0)
		return error;
	if (kc->kc_ops->cycle == NULL ||
	    (kc->kc_info.policies & UVMSHIM_POLICY_BIT(c->policy)) == 0)
		return UVMSHIM_ENOTSUP;

	kshim_core_lock(kc);
	if (kc->kc_active & KSHIM_ACTIVE_CYCLE)
		error = UVMSHIM_EBUSY;
	else
		kc->kc_active |= KSHIM_ACTIVE_CYCLE;
	kshim_core_unlock(kc);
	if (error != 0)
		return error;

	/* Every output, verdict through elapsed_ms, starts at zero. */
	lo = KSHIM_OFFSETOF(struct uvmshim_cycle, verdict);
	hi = KSHIM_OFFSETOF(struct uvmshim_cycle, reserved);
	kshim_memzero((char *)c + lo, hi - lo);
	error = kc->kc_ops->cycle(kc->kc_be, c);

	kshim_core_lock(kc);
	kc->kc_active &= ~KSHIM_ACTIVE_CYCLE;
	kshim_core_unlock(kc);
	return error;
}

int
kshim_ioc_stress(struct kshim_core *kc, struct uvmshim_stress *s)
{
	struct kshim_slot *slot;
	size_t lo;
	int error;

	error = kshim_check_stress(s);
	if (error != 0)
		return error;
	if (kc->kc_ops->stress == NULL)
		return UVMSHIM_ENOTSUP;
	error = kshim_slot_get(kc, s->map_id, &slot);
	if (error != 0)
		return error;

	kshim_core_lock(kc);
	if (kc->kc_active & (KSHIM_ACTIVE_CYCLE | KSHIM_ACTIVE_STRESS))
		error = UVMSHIM_EBUSY;
	else
		kc->kc_active |= KSHIM_ACTIVE_STRESS;
	kshim_core_unlock(kc);

	if (error == 0) {
		lo = KSHIM_OFFSETOF(struct uvmshim_stress, ops);
		kshim_memzero((char *)s + lo, sizeof(*s) - lo);
		error = kc->kc_ops->stress(kc->kc_be, kc, slot, s);
		kshim_core_lock(kc);
		kc->kc_active &= ~KSHIM_ACTIVE_STRESS;
		kshim_core_unlock(kc);
	}
	kshim_slot_put(kc, slot);
	return error;
}

int
kshim_ioc_kmap_summary(struct kshim_core *kc, struct uvmshim_kmap_summary *k)
{

	if (kc->kc_ops->kmap_summary == NULL)
		return UVMSHIM_ENOTSUP;
	kshim_memzero(k, sizeof(*k));
	return kc->kc_ops->kmap_summary(kc->kc_be, k);
}
