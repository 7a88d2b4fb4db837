/*
 * model_stress.c: UVMSHIM_IOC_STRESS without threads.
 *
 * The module runs nthreads kernel threads for duration_ms of wall time.
 * The model cannot block and should not take wall time, so it runs a
 * fixed amount of work instead: duration_ms * MODEL_STRESS_OPS_PER_MS
 * operations in all, dealt one at a time to nthreads logical threads
 * chosen by a seeded generator.  Same seed, same map, same config: same
 * sequence of operations and the same final map (timings differ).
 *
 * Each logical thread keeps up to MODEL_STRESS_LIVE mappings of its own.
 * An operation is a map (1..max_pages pages at a random hint, now and then
 * read-only or NOMERGE so that merges are also refused) or an unmap of one
 * of the thread's mappings: usually whole, one time in four only its head
 * or tail pages (a clip in a merged entry).  Every operation goes through
 * kshim_core_do_map/do_unmap, so it is validated and counted in the map's
 * statistics, and its backend time feeds the histogram.  At the end the
 * threads unmap what they still hold; that clean-up is not counted in the
 * result (it is in the map's statistics).
 */
#include "model_dev.h"
#include "kshim_util.h"

#define MODEL_STRESS_OPS_PER_MS	32
#define MODEL_STRESS_LIVE	16

struct range {
	uint64_t	start;
	uint64_t	size;
};

struct lthread {
	uint32_t	n;
	struct range	r[MODEL_STRESS_LIVE];
};

/* splitmix64: good enough, tiny, and identical everywhere. */
static uint64_t
next_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
count(struct uvmshim_stress *s, int error, uint64_t nsec)
{

	s->ops++;
	if (error != 0)
		s->errors++;
	if (nsec > s->max_nsec)
		s->max_nsec = nsec;
	kshim_hist_add(s->hist, nsec);
}

static void
do_map(struct kshim_core *kc, struct kshim_slot *slot, struct lthread *th,
    struct uvmshim_stress *s, uint64_t *rng, uint64_t ps, uint64_t mpages)
{
	struct kshim_map_args a;
	struct kshim_effect eff;
	uint64_t np, r = next_rand(rng);
	int error;

	np = 1 + (r & 0xffffffffU) % s->max_pages;
	if (np > mpages)
		np = mpages;
	a.size = np * ps;
	a.addr = ((r >> 32) % (mpages - np + 1)) * ps;
	a.prot = (r & 0x300) == 0 ? UVMSHIM_PROT_READ :
	    UVMSHIM_PROT_READ | UVMSHIM_PROT_WRITE;
	a.flags = (r & 0x7000) == 0 ? UVMSHIM_MAPF_NOMERGE : 0;
	error = kshim_core_do_map(kc, slot, &a, &eff);
	if (error == 0) {
		th->r[th->n].start = eff.placed;
		th->r[th->n].size = a.size;
		th->n++;
	}
	s->maps++;
	count(s, error, eff.nsec);
}

static void
do_unmap(struct kshim_core *kc, struct kshim_slot *slot, struct lthread *th,
    struct uvmshim_stress *s, uint64_t *rng, uint64_t ps)
{
	struct kshim_effect eff;
	struct range *rg;
	uint64_t r = next_rand(rng), pages, cut, start, end;
	int error;

	rg = &th->r[(r & 0xffffffffU) % th->n];
	pages = rg->size / ps;
	start = rg->start;
	end = rg->start + rg->size;
	if (pages > 1 && ((r >> 32) & 3) == 0) {
		cut = 1 + ((r >> 34) % (pages - 1));
		if ((r >> 60) & 1)
			end = start + cut * ps;		/* the head */
		else
			start = end - cut * ps;		/* the tail */
	}
	error = kshim_core_do_unmap(kc, slot, start, end, &eff);
	if (error == 0) {
		if (start == rg->start && end == rg->start + rg->size)
			*rg = th->r[--th->n];
		else if (start == rg->start) {
			rg->start = end;
			rg->size -= end - start;
		} else
			rg->size -= end - start;
	}
	s->unmaps++;
	count(s, error, eff.nsec);
}

int
model_stress(void *be, struct kshim_core *kc, struct kshim_slot *slot,
    struct uvmshim_stress *s)
{
	struct kshim_model_dev *md = be;
	struct kshim_effect eff;
	struct lthread *th, *all;
	uint64_t ps = md->md_page_size, mpages, total, i, rng;
	uint32_t t, k;
	size_t bytes;

	mpages = slot->ks_size / ps;
	bytes = (size_t)s->nthreads * sizeof(*all);
	all = md->md_plat.mp_alloc(md->md_plat.mp_ctx, bytes);
	if (all == NULL)
		return UVMSHIM_ENOMEM;
	kshim_memzero(all, bytes);
	rng = s->seed;

	total = (uint64_t)s->duration_ms * MODEL_STRESS_OPS_PER_MS;
	for (i = 0; i < total; i++) {
		th = &all[(uint32_t)next_rand(&rng) % s->nthreads];
		if (th->n == 0 ||
		    (th->n < MODEL_STRESS_LIVE && (next_rand(&rng) & 1)))
			do_map(kc, slot, th, s, &rng, ps, mpages);
		else
			do_unmap(kc, slot, th, s, &rng, ps);
	}

	for (t = 0; t < s->nthreads; t++)
		for (k = 0; k < all[t].n; k++)
			(void)kshim_core_do_unmap(kc, slot, all[t].r[k].start,
			    all[t].r[k].start + all[t].r[k].size, &eff);
	md->md_plat.mp_free(md->md_plat.mp_ctx, all, bytes);
	return 0;
}
