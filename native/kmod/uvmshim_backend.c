/*
 * uvmshim_backend.c: the core's backend over real UVM (kshim_core.h).
 *
 * A test map is a private struct vm_map over a VA range reserved from
 * kernel_map with UVM_KMF_VAONLY.  It uses pmap_kernel(), so UVM treats
 * it as a kernel map (k* merge counters, kernel merge rules), and it is
 * VM_MAP_PAGEABLE with no objects and no amaps, so uvm_unmap never calls
 * the pmap: the map is bookkeeping only and its pages are never touched.
 * Offsets in the ABI are VAs minus vm_map_min.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/kmem.h>
#include <sys/time.h>
#include <uvm/uvm.h>

#include "uvmshim_var.h"
#include "kshim_util.h"

/*
 * Reserving VA beyond the kernel's current page tables makes
 * pmap_growkernel allocate the missing page table pages, and it panics
 * when it cannot.  Before reserving, require enough free pages for the
 * worst case (one PTP per 2 MiB, one per 1 GiB, slack) above freemin.
 */
#define PTP_SPAN_L1	(2ULL << 20)
#define PTP_SPAN_L2	(1ULL << 30)
#define PTP_SLACK	64

static int
va_affordable(vsize_t size)
{
	int64_t need;

	need = (int64_t)(size / PTP_SPAN_L1 + size / PTP_SPAN_L2) + 2 +
	    PTP_SLACK;
	return UVMSHIM_FREE_PAGES() >= (int64_t)uvmexp.freemin + need;
}

uint64_t
uvmshim_nsec(void)
{
	struct timespec ts;

	nanouptime(&ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int
uvmshim_map_new(vsize_t size, int nomerge, struct uvmshim_map **ump)
{
	struct uvmshim_map *um;
	vaddr_t va;

	if (size == 0 || (size & PAGE_MASK) != 0 || size > UVMSHIM_MAX_MAP_SIZE)
		return EINVAL;
	if (!va_affordable(size))
		return ENOMEM;
	va = uvm_km_alloc(kernel_map, size, 0, UVM_KMF_VAONLY);
	if (va == 0)
		return ENOMEM;
	um = kmem_zalloc(sizeof(*um), KM_SLEEP);
	uvm_map_setup(&um->um_map, va, va + size, VM_MAP_PAGEABLE);
	um->um_map.pmap = pmap_kernel();
	um->um_base = va;
	um->um_size = size;
	um->um_nomerge = nomerge;
	*ump = um;
	return 0;
}

void
uvmshim_map_free(struct uvmshim_map *um)
{
	struct vm_map *map = &um->um_map;

	/* Entries go back to the pool; then the locks uvm_map_setup made. */
	uvm_unmap(map, vm_map_min(map), vm_map_max(map));
	KASSERT(map->nentries == 0);
	rw_destroy(&map->lock);
	cv_destroy(&map->cv);
	mutex_destroy(&map->misc_lock);
	uvm_km_free(kernel_map, um->um_base, um->um_size, UVM_KMF_VAONLY);
	kmem_free(um, sizeof(*um));
}

uint32_t
uvmshim_map_nentries(struct uvmshim_map *um)
{

	return (uint32_t)um->um_map.nentries;
}

static void
export_entry(const struct uvmshim_map *um, const struct vm_map_entry *e,
    struct uvmshim_entry *out)
{

	memset(out, 0, sizeof(*out));
	out->start = e->start - um->um_base;
	out->end = e->end - um->um_base;
	out->prot = e->protection;
	out->maxprot = e->max_protection;
	if (e->flags & UVM_MAP_NOMERGE)
		out->flags |= UVMSHIM_ENTF_NOMERGE;
	if (e->wired_count != 0)
		out->flags |= UVMSHIM_ENTF_WIRED;
}

static void
describe(void *be, struct kshim_target_info *info)
{
	struct uvmshim_softc *sc = be;

	memset(info, 0, sizeof(*info));
	info->target = UVMSHIM_TARGET_KERNEL;
	info->netbsd_version = __NetBSD_Version__;
	info->page_size = PAGE_SIZE;
	info->features = sc->sc_feat.uf_bits;
	info->policies = UVMSHIM_POLICY_BIT(UVMSHIM_POLICY_DEFAULT) |
	    UVMSHIM_POLICY_BIT(UVMSHIM_POLICY_NOMERGE);
	strlcpy(info->osrelease, osrelease, sizeof(info->osrelease));
}

static int
map_create(void *be, uint64_t size, uint32_t policy, void **mapp,
    uint64_t *base, uint64_t *kva)
{
	struct uvmshim_map *um;
	int error;

	error = uvmshim_map_new((vsize_t)size,
	    policy == UVMSHIM_POLICY_NOMERGE, &um);
	if (error != 0)
		return error;
	*mapp = um;
	*base = um->um_base;
	*kva = (uint64_t)(uintptr_t)&um->um_map;
	return 0;
}

static void
map_destroy(void *be, void *map)
{

	uvmshim_map_free(map);
}

static void
lock(void *be, void *map, int mode)
{
	struct uvmshim_map *um = map;

	if (mode == KSHIM_LOCK_WRITE)
		vm_map_lock(&um->um_map);
	else
		vm_map_lock_read(&um->um_map);
}

static void
unlock(void *be, void *map, int mode)
{
	struct uvmshim_map *um = map;

	if (mode == KSHIM_LOCK_WRITE)
		vm_map_unlock(&um->um_map);
	else
		vm_map_unlock_read(&um->um_map);
}

/*
 * The index costs a walk: from whichever end of the list is nearer, so a
 * lookup in a map of n entries walks at most n/2 of them.
 */
static uint32_t
entry_index(struct vm_map *map, struct vm_map_entry *target)
{
	struct vm_map_entry *fwd, *bwd;
	uint32_t i, n = (uint32_t)map->nentries;

	fwd = map->header.next;
	bwd = map->header.prev;
	for (i = 0; i < n; i++, fwd = fwd->next, bwd = bwd->prev) {
		if (fwd == target)
			return i;
		if (bwd == target)
			return n - 1 - i;
	}
	return 0;
}

static int
lookup(void *be, void *map, uint64_t addr, struct uvmshim_entry *entry,
    uint32_t *index)
{
	struct uvmshim_map *um = map;
	struct vm_map_entry *e;
	bool found;

	memset(entry, 0, sizeof(*entry));
	if (index != NULL)
		*index = 0;
	if (addr >= um->um_size)
		return 0;
	found = uvm_map_lookup_entry(&um->um_map, um->um_base + addr, &e);
	if (e == &um->um_map.header)
		return 0;
	export_entry(um, e, entry);
	if (index != NULL)	/* a walk: only when the caller wants it */
		*index = entry_index(&um->um_map, e);
	return found ? 1 : 0;
}

static uint32_t
walk(void *be, void *map, uint64_t from, struct uvmshim_entry *buf,
    uint32_t n)
{
	struct uvmshim_map *um = map;
	struct vm_map *vm = &um->um_map;
	struct vm_map_entry *e;
	uint32_t got = 0;

	if (from >= um->um_size)
		return 0;
	if (uvm_map_lookup_entry(vm, um->um_base + from, &e)) {
		if (e->start < um->um_base + from)
			e = e->next;
	} else
		e = e->next;
	for (; e != &vm->header && got < n; e = e->next)
		export_entry(um, e, &buf[got++]);
	return got;
}

static uint32_t
nentries(void *be, void *map)
{

	return uvmshim_map_nentries(map);
}

static uint64_t
nsec(void *be)
{

	return uvmshim_nsec();
}

static int
kcopyin(void *be, uint64_t uaddr, void *kaddr, size_t len)
{

	if (uaddr == 0)
		return EFAULT;
	return copyin((const void *)(uintptr_t)uaddr, kaddr, len);
}

static int
kcopyout(void *be, const void *kaddr, uint64_t uaddr, size_t len)
{

	if (uaddr == 0)
		return EFAULT;
	return copyout(kaddr, (void *)(uintptr_t)uaddr, len);
}

static void
dev_lock(void *be)
{
	struct uvmshim_softc *sc = be;

	mutex_enter(&sc->sc_lock);
}

static void
dev_unlock(void *be)
{
	struct uvmshim_softc *sc = be;

	mutex_exit(&sc->sc_lock);
}

const struct kshim_backend_ops uvmshim_backend_ops = {
	.describe = describe,
	.map_create = map_create,
	.map_destroy = map_destroy,
	.map_enter = uvmshim_map_enter,
	.map_remove = uvmshim_map_remove,
	.lock = lock,
	.unlock = unlock,
	.lookup = lookup,
	.walk = walk,
	.nentries = nentries,
	.nsec = nsec,
	.copyin = kcopyin,
	.copyout = kcopyout,
	.dev_lock = dev_lock,
	.dev_unlock = dev_unlock,
	.pressure = uvmshim_pressure,
	.cycle = uvmshim_cycle,
	.stress = uvmshim_stress,
	.kmap_summary = uvmshim_kmap_summary,
};
