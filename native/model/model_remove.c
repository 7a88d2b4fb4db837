/*
 * model_remove.c: uvm_unmap() in the model: reservation, clips, removal.
 *
 * The work is ordered as uvm_unmap1 orders it: reservation (MERGE_RESERVE
 * only) before the lock; under the write lock the clips, then removal of
 * every entry inside [start, end) (and, THORPE, the parked list when the
 * map is left empty); after the lock the dead entries are freed
 * (uvm_unmap_detach), an unused reservation is given back and THORPE's
 * drained parked entries are freed.
 *
 * The entries a clip needs are secured before anything changes, so a
 * request that would have to wait leaves the map exactly as it was.
 */
#include "model_map.h"

struct reservation {
	struct model_entry	*rv_entry[2];
	uint32_t		 rv_n;
};

/* The entry for one clip, with the write lock held. */
static struct model_entry *
split_entry(struct model_map *m, struct reservation *rv,
    struct kshim_effect *eff)
{
	struct model_entry *e;

	if (m->mm_policy == UVMSHIM_POLICY_MERGE_RESERVE) {
		e = model_pool_unpark(&m->mm_pool);
		if (e == NULL)
			e = rv->rv_entry[--rv->rv_n];
		eff->reserve_uses++;
		return e;
	}
	if (m->mm_policy == UVMSHIM_POLICY_THORPE) {
		/* uvm_mapent_alloc_clip: a parked entry first (kparkuse). */
		e = model_pool_unpark(&m->mm_pool);
		if (e != NULL) {
			eff->reserve_uses++;
			return e;
		}
		/* Nothing parked (kparkalloc): allocate, locked. */
	}
	e = model_pool_get(&m->mm_pool);
	kshim_effect_alloc(eff, 1);
	return e;
}

/*
 * The piece a clip allocates does not inherit UVM_MAP_NOMERGE: NetBSD's
 * uvm_mapent_copy copies an entry only up to `flags' (uvm_map.h:
 * "#define uvm_map_entry_stop_copy flags"), and uvm_mapent_alloc gives
 * the new entry no NOMERGE.  So after a partial unmap of a no-merge entry
 * one remaining piece can merge again.  Found by differential fuzzing
 * against NetBSD 7.99.4 (the model had kept the flag on both pieces).
 */

/* uvm_map_clip_start: n takes [e->start, at), e keeps [at, e->end). */
static void
clip_start(struct model_tree *t, struct model_entry *e, uint64_t at,
    struct model_entry *n)
{

	n->me_start = e->me_start;
	n->me_end = at;
	n->me_prot = e->me_prot;
	n->me_maxprot = e->me_maxprot;
	n->me_flags = e->me_flags & ~UVMSHIM_ENTF_NOMERGE;	/* see above */
	e->me_start = at;
	model_tree_insert_after(t, e->me_prev, n);
}

/* uvm_map_clip_end: e keeps [e->start, at), n takes [at, e->end). */
static void
clip_end(struct model_tree *t, struct model_entry *e, uint64_t at,
    struct model_entry *n)
{

	n->me_start = at;
	n->me_end = e->me_end;
	n->me_prot = e->me_prot;
	n->me_maxprot = e->me_maxprot;
	n->me_flags = e->me_flags & ~UVMSHIM_ENTF_NOMERGE;	/* see above */
	e->me_end = at;
	model_tree_insert_after(t, e, n);
}

int
model_map_remove(struct model_map *m, uint64_t start, uint64_t end,
    struct kshim_effect *eff, struct model_wait *w)
{
	struct model_tree *t = &m->mm_tree;
	struct model_pool *pool = &m->mm_pool;
	struct model_entry *first, *last, *e, *next, *dead = NULL;
	struct model_entry *drained = NULL;
	struct reservation rv;
	struct model_wait why;
	uint32_t need, nclips, parked;
	int cs, ce, error;

	rv.rv_n = 0;
	eff->nentries_before = t->mt_n;
	kshim_effect_entries(eff, t->mt_n);

	/* Before the lock. */
	if (m->mm_policy == UVMSHIM_POLICY_MERGE_ALLOC)
		model_pool_refill(pool, MODEL_MERGE_ALLOC_LOWAT);
	if (m->mm_policy == UVMSHIM_POLICY_MERGE_RESERVE) {
		/* uvm_mapent_reserve: what the parked list cannot cover. */
		need = pool->mp_nparked >= 2 ? 0 :
		    2 - (uint32_t)pool->mp_nparked;
		error = model_pool_ensure(pool, need, 0, &why);
		if (error != 0)
			return model_map_blocked(eff, w, &why, error);
		while (rv.rv_n < need) {
			rv.rv_entry[rv.rv_n++] = model_pool_get(pool);
			kshim_effect_alloc(eff, 0);
		}
	}

	m->mm_lock = -1;
	first = model_tree_lookup(t, start, NULL);
	last = model_tree_lookup(t, end, NULL);
	cs = first != NULL && first->me_start < start && start < first->me_end;
	ce = last != NULL && last->me_start < end && end < last->me_end;
	nclips = (uint32_t)cs + (uint32_t)ce;
	need = m->mm_policy == UVMSHIM_POLICY_MERGE_RESERVE ? 0 : nclips;
	if (m->mm_policy == UVMSHIM_POLICY_THORPE) {
		/* Clips served by parked entries allocate nothing. */
		parked = pool->mp_nparked > nclips ? nclips :
		    (uint32_t)pool->mp_nparked;
		need -= parked;
	}
	if (need > 0) {
		error = model_pool_ensure(pool, need, 1, &why);
		if (error != 0) {
			m->mm_lock = 0;
			return model_map_blocked(eff, w, &why, error);
		}
	}

	if (cs) {
		/* first keeps the part from start on, so last stays valid. */
		clip_start(t, first, start, split_entry(m, &rv, eff));
		eff->clips_start++;
		kshim_effect_entries(eff, t->mt_n);
	}
	if (ce) {
		clip_end(t, last, end, split_entry(m, &rv, eff));
		eff->clips_end++;
		kshim_effect_entries(eff, t->mt_n);
	}
	for (e = model_tree_first_from(t, start);
	    e != NULL && e->me_start < end; e = next) {
		next = e->me_next;
		eff->unmapped += e->me_end - e->me_start;
		model_tree_remove(t, e);
		e->me_next = dead;
		dead = e;
	}
	m->mm_mapped -= eff->unmapped;
	/*
	 * THORPE (uvm_unmap1): a map left without entries gives back all
	 * its parked entries (uvm_mapent_unpark_all), freed after unlock.
	 */
	if (m->mm_policy == UVMSHIM_POLICY_THORPE && t->mt_n == 0)
		while ((e = model_pool_unpark(pool)) != NULL) {
			e->me_next = drained;
			drained = e;
		}
	m->mm_lock = 0;

	/* After the lock: uvm_unmap_detach, uvm_mapent_unreserve. */
	for (e = dead; e != NULL; e = next) {
		next = e->me_next;
		model_pool_put(pool, e);
		kshim_effect_free(eff);
	}
	while (rv.rv_n > 0) {
		model_pool_put(pool, rv.rv_entry[--rv.rv_n]);
		kshim_effect_free(eff);
	}
	for (e = drained; e != NULL; e = next) {
		next = e->me_next;
		model_pool_put(pool, e);
		kshim_effect_free(eff);
	}
	kshim_effect_entries(eff, t->mt_n);
	return 0;
}
