/*
 * model_pool.c: entry pools carved from pages of the pretend machine.
 */
#include "model_pool.h"
#include "kshim_util.h"

struct model_pool_page {
	struct model_pool_page	*pp_next;
	size_t			 pp_bytes;
	struct model_entry	 pp_entries[];
};

void
model_pool_init(struct model_pool *p, const struct model_platform *plat,
    struct model_phys *phys, uint32_t per_page, int via_map)
{

	kshim_memzero(p, sizeof(*p));
	p->mp_plat = plat;
	p->mp_phys = phys;
	p->mp_per_page = per_page;
	p->mp_via_map = via_map ? 1 : 0;
}

void
model_pool_fini(struct model_pool *p)
{
	struct model_pool_page *pg, *next;

	for (pg = p->mp_pages; pg != NULL; pg = next) {
		next = pg->pp_next;
		p->mp_plat->mp_free(p->mp_plat->mp_ctx, pg, pg->pp_bytes);
	}
	p->mp_phys->ph_entry_pages -= p->mp_npages;
	p->mp_pages = NULL;
	p->mp_npages = 0;
	p->mp_free = p->mp_pinned = p->mp_parked = NULL;
	p->mp_nfree = p->mp_npinned = p->mp_nparked = 0;
}

/* Take one page from the machine and carve it into free slots. */
static int
grow(struct model_pool *p)
{
	struct model_pool_page *pg;
	size_t bytes;
	uint32_t i;

	bytes = sizeof(*pg) +
	    (size_t)p->mp_per_page * sizeof(pg->pp_entries[0]);
	pg = p->mp_plat->mp_alloc(p->mp_plat->mp_ctx, bytes);
	if (pg == NULL)
		return UVMSHIM_ENOMEM;
	kshim_memzero(pg, bytes);
	pg->pp_bytes = bytes;
	pg->pp_next = p->mp_pages;
	p->mp_pages = pg;
	p->mp_npages++;
	p->mp_phys->ph_entry_pages++;
	for (i = 0; i < p->mp_per_page; i++)
		model_pool_put(p, &pg->pp_entries[i]);
	return 0;
}

int
model_pool_ensure(struct model_pool *p, uint32_t n, int locked,
    struct model_wait *w)
{
	uint64_t missing, pages;
	int error;

	if (p->mp_nfree >= n)
		return 0;
	missing = n - p->mp_nfree;
	pages = (missing + p->mp_per_page - 1) / p->mp_per_page;

	if (locked && p->mp_via_map) {
		/* The page would be mapped into the map we hold: recursion. */
		w->mw_reason = MODEL_WAIT_MAPLOCK;
		w->mw_locked = 1;
		return MODEL_EWAIT;
	}
	if (!model_phys_can_take(p->mp_phys, pages)) {
		w->mw_reason = MODEL_WAIT_MEMORY;
		w->mw_locked = locked ? 1 : 0;
		return MODEL_EWAIT;
	}
	while (pages-- > 0) {
		error = grow(p);
		if (error != 0)
			return error;
	}
	return 0;
}

void
model_pool_refill(struct model_pool *p, uint32_t lowat)
{

	while (p->mp_nfree < lowat && model_phys_can_take(p->mp_phys, 1))
		if (grow(p) != 0)
			break;
}

struct model_entry *
model_pool_get(struct model_pool *p)
{
	struct model_entry *e = p->mp_free;

	if (e == NULL)
		return NULL;
	p->mp_free = e->me_next;
	p->mp_nfree--;
	kshim_memzero(e, sizeof(*e));
	return e;
}

void
model_pool_put(struct model_pool *p, struct model_entry *e)
{

	e->me_next = p->mp_free;
	p->mp_free = e;
	p->mp_nfree++;
}

void
model_pool_park(struct model_pool *p, struct model_entry *e)
{

	e->me_next = p->mp_parked;
	p->mp_parked = e;
	p->mp_nparked++;
}

struct model_entry *
model_pool_unpark(struct model_pool *p)
{
	struct model_entry *e = p->mp_parked;

	if (e == NULL)
		return NULL;
	p->mp_parked = e->me_next;
	p->mp_nparked--;
	kshim_memzero(e, sizeof(*e));
	return e;
}

void
model_pool_pin(struct model_pool *p)
{
	struct model_entry *e;

	while ((e = p->mp_free) != NULL) {
		p->mp_free = e->me_next;
		p->mp_nfree--;
		e->me_next = p->mp_pinned;
		p->mp_pinned = e;
		p->mp_npinned++;
	}
}

void
model_pool_unpin(struct model_pool *p)
{
	struct model_entry *e;

	while ((e = p->mp_pinned) != NULL) {
		p->mp_pinned = e->me_next;
		p->mp_npinned--;
		model_pool_put(p, e);
	}
}
