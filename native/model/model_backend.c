/*
 * model_backend.c: the model as a kshim_core backend.
 *
 * Mostly one-line adapters from the backend interface to model_map.h.
 * The model is single-threaded per device (kshim_model.h), so there is no
 * device mutex; the map "lock" only records who holds it.
 */
#include "model_dev.h"
#include "model_map.h"
#include "kshim_util.h"

static void
describe(void *be, struct kshim_target_info *info)
{
	struct kshim_model_dev *md = be;

	kshim_memzero(info, sizeof(*info));
	info->target = md->md_target;
	info->netbsd_version = 0;
	info->page_size = md->md_page_size;
	info->features = 0;
	info->policies = (1U << UVMSHIM_POLICY_COUNT) - 1;
	kshim_strlcpy(info->osrelease, "model", sizeof(info->osrelease));
}

static int
map_create(void *be, uint64_t size, uint32_t policy, void **mapp,
    uint64_t *base, uint64_t *kva)
{
	struct kshim_model_dev *md = be;
	struct model_map *m;
	int error;

	error = model_map_create(&md->md_plat, &md->md_phys, md->md_per_page,
	    md->md_page_size, size, policy, md->md_seed++, &m);
	if (error != 0)
		return error;
	*mapp = m;
	/* No kernel: no VA and no struct vm_map to show ddb. */
	*base = 0;
	*kva = 0;
	return 0;
}

static void
map_destroy(void *be, void *map)
{

	(void)be;
	model_map_destroy(map);
}

static int
map_enter(void *be, void *map, const struct kshim_map_args *args,
    struct kshim_effect *eff)
{

	(void)be;
	/* The model's counts are its own bookkeeping, never inferred. */
	eff->counted = UVMSHIM_CNT_ALL;
	return model_map_enter(map, args, eff, NULL);
}

static int
map_remove(void *be, void *map, uint64_t start, uint64_t end,
    struct kshim_effect *eff)
{

	(void)be;
	eff->counted = UVMSHIM_CNT_ALL;
	return model_map_remove(map, start, end, eff, NULL);
}

static void
lock(void *be, void *map, int mode)
{
	struct model_map *m = map;

	(void)be;
	if (mode == KSHIM_LOCK_WRITE)
		m->mm_lock = -1;
	else
		m->mm_lock++;
}

static void
unlock(void *be, void *map, int mode)
{
	struct model_map *m = map;

	(void)be;
	if (mode == KSHIM_LOCK_WRITE)
		m->mm_lock = 0;
	else
		m->mm_lock--;
}

static int
lookup(void *be, void *map, uint64_t addr, struct uvmshim_entry *entry,
    uint32_t *index)
{

	(void)be;
	return model_map_lookup(map, addr, entry, index);
}

static uint32_t
walk(void *be, void *map, uint64_t from, struct uvmshim_entry *buf,
    uint32_t n)
{

	(void)be;
	return model_map_walk(map, from, buf, n);
}

static uint32_t
nentries(void *be, void *map)
{
	struct model_map *m = map;

	(void)be;
	return m->mm_tree.mt_n;
}

static uint64_t
nsec(void *be)
{
	struct kshim_model_dev *md = be;

	return md->md_plat.mp_nsec(md->md_plat.mp_ctx);
}

/* "User" pointers are the caller's own: only null and wrap-around fault. */
static int
copyin(void *be, uint64_t uaddr, void *kaddr, size_t len)
{

	(void)be;
	if (uaddr == 0 || uaddr + len < uaddr)
		return UVMSHIM_EFAULT;
	kshim_memcpy(kaddr, (const void *)(uintptr_t)uaddr, len);
	return 0;
}

static int
copyout(void *be, const void *kaddr, uint64_t uaddr, size_t len)
{

	(void)be;
	if (uaddr == 0 || uaddr + len < uaddr)
		return UVMSHIM_EFAULT;
	kshim_memcpy((void *)(uintptr_t)uaddr, kaddr, len);
	return 0;
}

const struct kshim_backend_ops model_backend_ops = {
	.describe = describe,
	.map_create = map_create,
	.map_destroy = map_destroy,
	.map_enter = map_enter,
	.map_remove = map_remove,
	.lock = lock,
	.unlock = unlock,
	.lookup = lookup,
	.walk = walk,
	.nentries = nentries,
	.nsec = nsec,
	.copyin = copyin,
	.copyout = copyout,
	.dev_lock = NULL,
	.dev_unlock = NULL,
	.pressure = model_pressure,
	.cycle = model_cycle,
	.stress = model_stress,
	.kmap_summary = NULL,	/* the model has no kernel_map */
};
