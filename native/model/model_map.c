/*
 * model_map.c: creating maps, placement, lookups and walks.
 */
#include "model_map.h"
#include "kshim_util.h"

int
model_map_create(const struct model_platform *plat, struct model_phys *phys,
    uint32_t per_page, uint32_t page_size, uint64_t size, uint32_t policy,
    uint32_t seed, struct model_map **mapp)
{
	struct model_map *m;

	if (policy == UVMSHIM_POLICY_DEFAULT)
		policy = UVMSHIM_POLICY_MODERN;
	m = plat->mp_alloc(plat->mp_ctx, sizeof(*m));
	if (m == NULL)
		return UVMSHIM_ENOMEM;
	kshim_memzero(m, sizeof(*m));
	model_tree_init(&m->mm_tree, seed);
	model_pool_init(&m->mm_pool, plat, phys, per_page,
	    policy == UVMSHIM_POLICY_MERGE_ALLOC);
	m->mm_plat = plat;
	m->mm_size = size;
	m->mm_policy = policy;
	m->mm_page_size = page_size;
	*mapp = m;
	return 0;
}

void
model_map_destroy(struct model_map *m)
{
	const struct model_platform *plat = m->mm_plat;

	/* Entries live in pool pages: freeing the pages frees them all. */
	model_pool_fini(&m->mm_pool);
	plat->mp_free(plat->mp_ctx, m, sizeof(*m));
}

/*
 * Bottom-up first fit: the gap holding the hint (from the hint on), then
 * the first later gap that is large enough (found in the tree), then the
 * space after the last entry.  No wrap-around, as in uvm_map_findspace.
 */
int
model_map_findspace(const struct model_map *m, uint64_t hint, uint64_t len,
    int fixed, uint64_t *where)
{
	const struct model_tree *t = &m->mm_tree;
	struct model_entry *prev, *next, *e;
	uint64_t cand, limit;

	if (len > m->mm_size || hint > m->mm_size - len)
		return UVMSHIM_ENOMEM;
	prev = model_tree_lookup(t, hint, NULL);
	next = prev != NULL ? prev->me_next : t->mt_first;

	if (fixed) {
		if ((prev != NULL && prev->me_end > hint) ||
		    (next != NULL && next->me_start < hint + len))
			return UVMSHIM_ENOMEM;
		*where = hint;
		return 0;
	}

	cand = hint;
	if (prev != NULL && prev->me_end > cand)
		cand = prev->me_end;
	limit = next != NULL ? next->me_start : m->mm_size;
	if (limit >= cand && limit - cand >= len) {
		*where = cand;
		return 0;
	}
	if (next == NULL)
		return UVMSHIM_ENOMEM;
	e = model_tree_first_gap(t, next->me_start + 1, len);
	if (e != NULL) {
		*where = e->me_prev->me_end;
		return 0;
	}
	if (m->mm_size - t->mt_last->me_end >= len) {
		*where = t->mt_last->me_end;
		return 0;
	}
	return UVMSHIM_ENOMEM;
}

static void
export_entry(const struct model_entry *e, struct uvmshim_entry *out)
{

	out->start = e->me_start;
	out->end = e->me_end;
	out->prot = e->me_prot;
	out->maxprot = e->me_maxprot;
	out->flags = e->me_flags;
	out->pad0 = 0;
}

int
model_map_lookup(const struct model_map *m, uint64_t addr,
    struct uvmshim_entry *out, uint32_t *index)
{
	struct model_entry *e;

	e = model_tree_lookup(&m->mm_tree, addr, index);
	if (e == NULL) {
		kshim_memzero(out, sizeof(*out));
		if (index != NULL)
			*index = 0;
		return 0;
	}
	export_entry(e, out);
	return addr < e->me_end;
}

uint32_t
model_map_walk(const struct model_map *m, uint64_t from,
    struct uvmshim_entry *buf, uint32_t n)
{
	struct model_entry *e;
	uint32_t i;

	e = model_tree_first_from(&m->mm_tree, from);
	for (i = 0; i < n && e != NULL; i++, e = e->me_next)
		export_entry(e, &buf[i]);
	return i;
}

int
model_map_blocked(struct kshim_effect *eff, struct model_wait *w,
    const struct model_wait *why, int error)
{

	if (error != MODEL_EWAIT)
		return error;
	if (w != NULL) {
		*w = *why;
		return MODEL_EWAIT;
	}
	/* An ioctl cannot sleep in the model: the allocation is refused. */
	eff->alloc_failures++;
	return UVMSHIM_ENOMEM;
}

/*
 * Does uvm_map allocate the new entry before taking the lock?  NetBSD 3-5
 * did on kernel maps (MERGE_RESERVE), Thorpe's patch does on every kernel
 * map (THORPE; the test maps use pmap_kernel(), so they are kernel maps).
 * NetBSD 6+ does only for pager_map, which a test map never is.
 */
int
model_map_prealloc(const struct model_map *m)
{

	return m->mm_policy == UVMSHIM_POLICY_MERGE_RESERVE ||
	    m->mm_policy == UVMSHIM_POLICY_THORPE;
}

/*
 * A spare entry at the end of uvm_map_enter, with the write lock held.
 * MERGE_RESERVE parks it on vmk_merged_entries (NetBSD 5 keeps every
 * UVM_MAP_QUANTUM spare, no cap); THORPE parks it while fewer than
 * UVM_MAP_PARKED_MAX are parked (uvm_mapent_park).  1 if parked; 0 and
 * the caller frees it after unlocking (every other policy).
 */
int
model_map_park(struct model_map *m, struct model_entry *e)
{

	if (m->mm_policy == UVMSHIM_POLICY_MERGE_RESERVE ||
	    (m->mm_policy == UVMSHIM_POLICY_THORPE &&
	    m->mm_pool.mp_nparked < MODEL_THORPE_PARKED_MAX)) {
		model_pool_park(&m->mm_pool, e);
		return 1;
	}
	return 0;
}
