/*
 * model_pool.h: where map entries come from, and what memory costs.
 *
 * The machine (struct model_phys, one per device) has total_pages of
 * memory.  Pages leave the free count when PRESSURE wires them, when a
 * running cycle's reclaimer holds them, and when an entry pool carves one
 * into entries_per_page map entries.  A pool page may be taken only while
 * free pages stay at or above free_min afterwards: "an allocation that
 * needs a page when free <= free_min must wait" (uvm_wait in the kernel).
 *
 * Each model map has its own entry pool (so one map's history does not
 * change another's verdicts): free slots, and pages kept until the map is
 * destroyed, as a pool without a drain.  Two policy details live here:
 *
 *  - via_map (MERGE_ALLOC): pool pages enter through the map itself, as
 *    kmem_map's did before 1.153, so a page needed while the caller holds
 *    that map's write lock needs the lock again: the recursion.  The pool
 *    is topped up to a low-water mark before the lock is taken, which is
 *    what made the old code usually work.
 *  - the parked list (MERGE_RESERVE, THORPE): entries a merge made
 *    redundant, kept for later splits instead of being freed (Thorpe's
 *    idea; THORPE caps it at 16 and empties it when the map empties).
 *
 * Nothing here ever sleeps.  When an allocation would have to, the pool
 * says why (struct model_wait) and changes nothing; the caller then fails
 * with ENOMEM (plain requests) or simulates the wait (the cycle).
 */
#ifndef MODEL_POOL_H
#define MODEL_POOL_H

#include "model_platform.h"
#include "model_tree.h"

/* Internal return value: the request would have to sleep; see model_wait. */
#define MODEL_EWAIT		(-1)

#define MODEL_WAIT_NONE		0
#define MODEL_WAIT_MEMORY	1	/* free pages <= free_min */
#define MODEL_WAIT_MAPLOCK	2	/* page must enter the map we hold */

struct model_wait {
	uint32_t	mw_reason;	/* MODEL_WAIT_* */
	uint32_t	mw_locked;	/* 1: it would sleep holding the lock */
};

struct model_phys {
	uint64_t	ph_total;
	uint64_t	ph_free_min;
	uint64_t	ph_free_target;
	uint64_t	ph_wired;	/* held by UVMSHIM_IOC_PRESSURE */
	uint64_t	ph_cycle;	/* held by a cycle's reclaimer */
	uint64_t	ph_entry_pages;	/* carved into map entries */
};

static inline uint64_t
model_phys_free(const struct model_phys *ph)
{
	uint64_t used = ph->ph_wired + ph->ph_cycle + ph->ph_entry_pages;

	return used >= ph->ph_total ? 0 : ph->ph_total - used;
}

/* 1 if k more pages can be taken without going below free_min. */
static inline int
model_phys_can_take(const struct model_phys *ph, uint64_t k)
{

	return k == 0 || model_phys_free(ph) >= ph->ph_free_min + k;
}

struct model_pool_page;

struct model_pool {
	const struct model_platform *mp_plat;
	struct model_phys	*mp_phys;
	uint32_t		 mp_per_page;
	uint32_t		 mp_via_map;	/* MERGE_ALLOC */
	struct model_entry	*mp_free;	/* linked by me_next */
	uint64_t		 mp_nfree;
	struct model_entry	*mp_pinned;	/* slots a cycle set aside */
	uint64_t		 mp_npinned;
	struct model_entry	*mp_parked;	/* MERGE_RESERVE, THORPE */
	uint64_t		 mp_nparked;
	struct model_pool_page	*mp_pages;
	uint64_t		 mp_npages;
};

void	model_pool_init(struct model_pool *p, const struct model_platform *plat,
	    struct model_phys *phys, uint32_t per_page, int via_map);
/* Free every page (the map is gone); entries need not be returned. */
void	model_pool_fini(struct model_pool *p);

/*
 * Make n entries available to model_pool_get without sleeping.  0, or
 * MODEL_EWAIT with *w filled (nothing changed), or ENOMEM when the host
 * itself is out of memory.  locked: the caller holds the map write lock.
 */
int	model_pool_ensure(struct model_pool *p, uint32_t n, int locked,
	    struct model_wait *w);
/* Best effort, before the map lock: keep at least lowat free slots. */
void	model_pool_refill(struct model_pool *p, uint32_t lowat);
/* A free slot; model_pool_ensure must have made one available. */
struct model_entry *model_pool_get(struct model_pool *p);
void	model_pool_put(struct model_pool *p, struct model_entry *e);

void	model_pool_park(struct model_pool *p, struct model_entry *e);
struct model_entry *model_pool_unpark(struct model_pool *p);

/* The cycle: hide the free slots (others took them), and give them back. */
void	model_pool_pin(struct model_pool *p);
void	model_pool_unpin(struct model_pool *p);

#endif /* MODEL_POOL_H */
