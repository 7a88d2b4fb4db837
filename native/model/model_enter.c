/*
 * model_enter.c: uvm_map() in the model: placement, merging, allocation.
 */
#include "model_map.h"

static int
compatible(const struct model_entry *e, uint32_t prot)
{

	return e->me_prot == prot && e->me_maxprot == UVMSHIM_PROT_ALL &&
	    (e->me_flags & (UVMSHIM_ENTF_NOMERGE | UVMSHIM_ENTF_WIRED)) == 0;
}

int
model_map_enter(struct model_map *m, const struct kshim_map_args *a,
    struct kshim_effect *eff, struct model_wait *w)
{
	struct model_tree *t = &m->mm_tree;
	struct model_pool *pool = &m->mm_pool;
	struct model_entry *pre = NULL, *dead = NULL, *prev, *next, *e;
	struct model_wait why;
	uint64_t where, end, dead_end;
	int nomerge, back, forw, error;

	eff->nentries_before = t->mt_n;
	kshim_effect_entries(eff, t->mt_n);

	/* Before the lock. */
	if (m->mm_policy == UVMSHIM_POLICY_MERGE_ALLOC)
		model_pool_refill(pool, MODEL_MERGE_ALLOC_LOWAT);
	if (model_map_prealloc(m)) {
		/*
		 * NetBSD 3-5 (uvm_map allocates before locking on kernel maps
		 * that use kmapent entries, and for UVM_FLAG_QUANTUM) and
		 * Thorpe's patch (on every kernel map): the new entry exists
		 * before the lock; if the mapping merges, it is spare.
		 */
		error = model_pool_ensure(pool, 1, 0, &why);
		if (error != 0)
			return model_map_blocked(eff, w, &why, error);
		pre = model_pool_get(pool);
		kshim_effect_alloc(eff, 0);
	}

	m->mm_lock = -1;
	error = model_map_findspace(m, a->addr, a->size,
	    (a->flags & UVMSHIM_MAPF_FIXED) != 0, &where);
	if (error != 0)
		goto unlock;
	end = where + a->size;
	prev = model_tree_lookup(t, where, NULL);
	next = prev != NULL ? prev->me_next : t->mt_first;

	nomerge = (a->flags & UVMSHIM_MAPF_NOMERGE) != 0 ||
	    m->mm_policy == UVMSHIM_POLICY_NOMERGE;
	back = !nomerge && prev != NULL && prev->me_end == where &&
	    compatible(prev, a->prot);
	forw = !nomerge && next != NULL && next->me_start == end &&
	    compatible(next, a->prot);

	/*
	 * NetBSD 6+ (and MERGE_ALLOC, NOMERGE): uvm_map_enter allocates the
	 * entry under the write lock, and only when the mapping does not
	 * merge.  A merge allocates nothing.
	 */
	if (!back && !forw && pre == NULL) {
		error = model_pool_ensure(pool, 1, 1, &why);
		if (error != 0) {
			m->mm_lock = 0;
			return model_map_blocked(eff, w, &why, error);
		}
		pre = model_pool_get(pool);
		kshim_effect_alloc(eff, 1);
	}

	if (back && forw) {
		/* prev swallows the new range and next: next is dead. */
		dead_end = next->me_end;
		model_tree_remove(t, next);
		prev->me_end = dead_end;
		model_tree_changed(t, prev);
		dead = next;
		eff->outcome = UVMSHIM_OUTCOME_BI_MERGE;
	} else if (back) {
		prev->me_end = end;
		model_tree_changed(t, prev);
		eff->outcome = UVMSHIM_OUTCOME_BACK_MERGE;
	} else if (forw) {
		next->me_start = where;
		model_tree_changed(t, next);
		eff->outcome = UVMSHIM_OUTCOME_FORW_MERGE;
	} else {
		e = pre;
		pre = NULL;
		e->me_start = where;
		e->me_end = end;
		e->me_prot = a->prot;
		e->me_maxprot = UVMSHIM_PROT_ALL;
		e->me_flags = nomerge ? UVMSHIM_ENTF_NOMERGE : 0;
		model_tree_insert_after(t, prev, e);
		eff->outcome = UVMSHIM_OUTCOME_NEW_ENTRY;
	}
	m->mm_mapped += a->size;
	eff->placed = where;

unlock:
	/*
	 * Still locked: the spare preallocated entry (the mapping merged),
	 * then the entry a bi-merge made redundant, may be parked for later
	 * clips (model_map_park says by which policy); what is not parked
	 * is freed after the unlock.  A failed request frees its
	 * preallocated entry (uvm_map: uvm_map_prepare failed).
	 */
	if (pre != NULL && error == 0 && model_map_park(m, pre))
		pre = NULL;
	if (dead != NULL && model_map_park(m, dead))
		dead = NULL;
	m->mm_lock = 0;
	kshim_effect_entries(eff, t->mt_n);
	if (pre != NULL) {
		model_pool_put(pool, pre);
		kshim_effect_free(eff);
	}
	if (dead != NULL) {
		model_pool_put(pool, dead);
		kshim_effect_free(eff);
	}
	return error;
}
