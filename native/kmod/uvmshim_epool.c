/*
 * uvmshim_epool.c: the pool cache map entries come from.
 *
 * uvm_mapent_alloc() is pool_cache_get(&uvm_map_entry_cache, PR_WAITOK).
 * For a clip's allocation to need a fresh page, the cache and its pool
 * must hold no free entry.  The cycle therefore takes them, as other
 * kernel users would: pool_cache_invalidate() first moves every CPU's
 * cached entries back into the pool, then entries are taken while the
 * pool has free items (pr_nitems).  The drain can be repeated: entries
 * freed meanwhile are taken too.  The entries taken are held, chained
 * through their first word, and given back with pool_cache_put().
 *
 * The cache is a static variable of uvm_map.c, named "vmmpepl".  It is
 * found through the kernel symbol table (ksyms, local symbols included),
 * else by walking the list of pools for that name; either way it is
 * checked (wait channel, back pointer, item size) before use.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/pool.h>
#include <sys/queue.h>
#include <uvm/uvm.h>

#include "uvmshim_var.h"

#define ENTRY_POOL_NAME		"vmmpepl"
/* Bound on entries taken, far above any real backlog of free entries. */
#define MAX_SPONGE		(1UL << 24)

/* Global in subr_pool.c (its lock is not); see the note below. */
extern TAILQ_HEAD(uvmshim_poolhead, pool) pool_head;

static bool
is_entry_cache(pool_cache_t pc)
{
	struct pool *pp = &pc->pc_pool;

	return pp->pr_cache == pc && pp->pr_wchan != NULL &&
	    strcmp(pp->pr_wchan, ENTRY_POOL_NAME) == 0 &&
	    pp->pr_size >= sizeof(struct vm_map_entry);
}

pool_cache_t
uvmshim_epool_find(void)
{
	unsigned long v;
	struct pool *pp;

	if (uvmshim_ksym("uvm_map_entry_cache", 1, &v) == 0 &&
	    is_entry_cache((pool_cache_t)v))
		return (pool_cache_t)v;
	/*
	 * Fallback without local symbols.  pool_head_lock is static, so
	 * the walk is unlocked: it races only with pool_destroy(), which
	 * happens at module unload and driver detach, not during a run.
	 */
	TAILQ_FOREACH(pp, &pool_head, pr_poollist)
		if (pp->pr_cache != NULL && is_entry_cache(pp->pr_cache))
			return pp->pr_cache;
	return NULL;
}

int
uvmshim_epool_drain(pool_cache_t pc, struct uvmshim_sponge *s)
{
	struct pool *pp = &pc->pc_pool;
	void *item;
	uint64_t i;

	pool_cache_invalidate(pc);
	/*
	 * Only while the pool has free items: a get from an empty pool
	 * would grow it by a page (from the reserve, with PR_NOWAIT).
	 */
	for (i = 0; pp->pr_nitems > 0; i++) {
		if (i >= MAX_SPONGE)
			return E2BIG;
		/*
		 * Counted with the call, under us_lock: the cycle subtracts
		 * its own calls from the cache's statistics
		 * (uvmshim_ecount.c), so a look there must never fall
		 * between a call and its count.
		 */
		if (s->us_lock != NULL)
			mutex_enter(s->us_lock);
		item = pool_cache_get(pc, PR_NOWAIT);
		s->us_calls++;
		if (s->us_lock != NULL)
			mutex_exit(s->us_lock);
		if (item == NULL)
			break;
		*(void **)item = s->us_items;
		s->us_items = item;
		s->us_nitems++;
	}
	return 0;
}

void
uvmshim_epool_release(pool_cache_t pc, struct uvmshim_sponge *s)
{
	void *item;

	while ((item = s->us_items) != NULL) {
		s->us_items = *(void **)item;
		pool_cache_put(pc, item);
	}
	s->us_nitems = 0;
}
