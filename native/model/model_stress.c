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
 * What each operation is comes from native/core (kshim_stress.c), as in
 * the module: every one goes through kshim_core_do_map/do_unmap, so it is
 * validated and counted in the map's statistics, and its backend time
 * feeds the histogram.  At the end the threads unmap what they still
 * hold; that clean-up is not counted in the result (it is in the map's
 * statistics).
 */
#include "model_dev.h"
#include "kshim_stress.h"
#include "kshim_util.h"

#define MODEL_STRESS_OPS_PER_MS	32

int
model_stress(void *be, struct kshim_core *kc, struct kshim_slot *slot,
    struct uvmshim_stress *s)
{
	struct kshim_model_dev *md = be;
	struct kshim_stress_thread *th, *all;
	struct kshim_stress_geom g;
	uint64_t total, i, rng;
	uint32_t t;
	size_t bytes;

	g.sg_page_size = md->md_page_size;
	g.sg_map_pages = slot->ks_size / g.sg_page_size;
	g.sg_max_pages = s->max_pages;
	bytes = (size_t)s->nthreads * sizeof(*all);
	all = md->md_plat.mp_alloc(md->md_plat.mp_ctx, bytes);
	if (all == NULL)
		return UVMSHIM_ENOMEM;
	kshim_memzero(all, bytes);
	rng = s->seed;

	/* One generator picks the thread and then draws its op. */
	total = (uint64_t)s->duration_ms * MODEL_STRESS_OPS_PER_MS;
	for (i = 0; i < total; i++) {
		th = &all[(uint32_t)kshim_stress_rand(&rng) % s->nthreads];
		(void)kshim_stress_step(kc, slot, &g, th, &rng, s);
	}

	for (t = 0; t < s->nthreads; t++)
		kshim_stress_release(kc, slot, &all[t]);
	md->md_plat.mp_free(md->md_plat.mp_ctx, all, bytes);
	return 0;
}
