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
	struct model_entry *pre = NULL, *prev, *next, *e;
	struct model_wait why;
	uint64_t where, end, dead_end;
	int nomerge, back, forw, error;

	eff->nentries_before = t->mt_n;
	kshim_effect_entries(eff, t->mt_n);

	/* Before the lock. */
	if (m->mm_policy == UVMSHIM_POLICY_MERGE_ALLOC)
		model_pool_refill(pool, MODEL_MERGE_ALLOC_LOWAT);
	if (m->mm_policy == UVMSHIM_POLICY_MERGE_RESERVE ||
	    m->mm_policy == UVMSHIM_POLICY_MODERN) {
		/*
		 * NetBSD 3-5 and 6+: uvm_map allocates its new entry before
		 * it locks, and frees (6+) or parks (3-5) it after the lock
		 * when the mapping merged instead.  Only splits allocate
		 * under the lock.
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
		/* prev swallows the new range and next: next is retired. */
		dead_end = next->me_end;
		model_tree_remove(t, next);
		prev->me_end = dead_end;
		model_tree_changed(t, prev);
		model_map_retire(m, next, eff);
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
	m->mm_lock = 0;
	kshim_effect_entries(eff, t->mt_n);
	/* After the lock: a preallocated entry the request did not use. */
	if (pre != NULL) {
		if (error == 0)
			model_map_retire(m, pre, eff);	/* merged: park it */
		else {
			model_pool_put(pool, pre);
			kshim_effect_free(eff);
		}
	}
	return error;
}
