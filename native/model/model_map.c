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
 * An entry leaves the map because a merge absorbed it: MERGE_RESERVE
 * parks it for a later split, the others free it.
 */
void
model_map_retire(struct model_map *m, struct model_entry *e,
    struct kshim_effect *eff)
{

	if (m->mm_policy == UVMSHIM_POLICY_MERGE_RESERVE) {
		model_pool_park(&m->mm_pool, e);
		return;
	}
	model_pool_put(&m->mm_pool, e);
	kshim_effect_free(eff);
}
