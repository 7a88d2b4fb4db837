/*
 * kshim_stress.c: the op mix of UVMSHIM_IOC_STRESS, shared by the kernel
 * module (kernel threads) and the model (logical threads), so that a
 * scenario means the same on both.
 *
 * Each thread keeps up to KSHIM_STRESS_LIVE mappings of its own.  An op
 * maps 1..max_pages pages at a random hint (now and then read-only or
 * NOMERGE, so that merges are refused too) or unmaps one of the thread's
 * mappings: usually whole, one time in four only its head or tail pages
 * (a clip when the mapping was merged with a neighbour).  A thread only
 * ever unmaps what it mapped, so threads never undo each other's work;
 * merges across threads' mappings are what makes the clips.
 *
 * The draws and the bits taken from them are fixed: changing either
 * changes what every seed means (native/model/test pins a few runs).
 */
#include "kshim_stress.h"
#include "kshim_util.h"

uint64_t
kshim_stress_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
next_map(const struct kshim_stress_geom *g, uint64_t r,
    struct kshim_stress_op *op)
{
	uint64_t np;

	op->so_kind = KSHIM_STRESS_MAP;
	np = 1 + (r & 0xffffffffU) % g->sg_max_pages;
	if (np > g->sg_map_pages)
		np = g->sg_map_pages;
	op->so_map.size = np * g->sg_page_size;
	op->so_map.addr = ((r >> 32) % (g->sg_map_pages - np + 1)) *
	    g->sg_page_size;
	op->so_map.prot = (r & 0x300) == 0 ? UVMSHIM_PROT_READ :
	    UVMSHIM_PROT_READ | UVMSHIM_PROT_WRITE;
	op->so_map.flags = (r & 0x7000) == 0 ? UVMSHIM_MAPF_NOMERGE : 0;
}

static void
next_unmap(const struct kshim_stress_geom *g,
    const struct kshim_stress_thread *th, uint64_t r,
    struct kshim_stress_op *op)
{
	const struct kshim_stress_range *rg;
	uint64_t pages, cut;

	op->so_kind = KSHIM_STRESS_UNMAP;
	op->so_range = (uint32_t)((r & 0xffffffffU) % th->kst_n);
	rg = &th->kst_r[op->so_range];
	pages = rg->sr_size / g->sg_page_size;
	op->so_start = rg->sr_start;
	op->so_end = rg->sr_start + rg->sr_size;
	if (pages > 1 && ((r >> 32) & 3) == 0) {
		cut = 1 + ((r >> 34) % (pages - 1));
		if ((r >> 60) & 1)			/* the head */
			op->so_end = op->so_start + cut * g->sg_page_size;
		else					/* the tail */
			op->so_start = op->so_end - cut * g->sg_page_size;
	}
}

void
kshim_stress_next(const struct kshim_stress_geom *g,
    const struct kshim_stress_thread *th, uint64_t *rng,
    struct kshim_stress_op *op)
{

	kshim_memzero(op, sizeof(*op));
	/* The coin is drawn only when the thread has a choice. */
	if (th->kst_n == 0 || (th->kst_n < KSHIM_STRESS_LIVE &&
	    (kshim_stress_rand(rng) & 1)))
		next_map(g, kshim_stress_rand(rng), op);
	else
		next_unmap(g, th, kshim_stress_rand(rng), op);
}

void
kshim_stress_record(struct kshim_stress_thread *th,
    const struct kshim_stress_op *op, uint64_t placed)
{
	struct kshim_stress_range *rg;

	if (op->so_kind == KSHIM_STRESS_MAP) {
		rg = &th->kst_r[th->kst_n++];
		rg->sr_start = placed;
		rg->sr_size = op->so_map.size;
		return;
	}
	rg = &th->kst_r[op->so_range];
	if (op->so_start == rg->sr_start &&
	    op->so_end == rg->sr_start + rg->sr_size)
		*rg = th->kst_r[--th->kst_n];	/* whole: the last moves in */
	else if (op->so_start == rg->sr_start) {
		rg->sr_start = op->so_end;
		rg->sr_size -= op->so_end - op->so_start;
	} else
		rg->sr_size -= op->so_end - op->so_start;
}

int
kshim_stress_step(struct kshim_core *kc, struct kshim_slot *slot,
    const struct kshim_stress_geom *g, struct kshim_stress_thread *th,
    uint64_t *rng, struct uvmshim_stress *out)
{
	struct kshim_stress_op op;
	struct kshim_effect eff;
	int error;

	kshim_stress_next(g, th, rng, &op);
	if (op.so_kind == KSHIM_STRESS_MAP) {
		error = kshim_core_do_map(kc, slot, &op.so_map, &eff);
		out->maps++;
	} else {
		error = kshim_core_do_unmap(kc, slot, op.so_start, op.so_end,
		    &eff);
		out->unmaps++;
	}
	if (error == 0)
		kshim_stress_record(th, &op, eff.placed);
	out->ops++;
	if (error != 0)
		out->errors++;
	out->entry_allocs += eff.allocs;
	out->entry_allocs_locked += eff.allocs_locked;
	out->entry_frees += eff.frees;
	out->clips += eff.clips_start + eff.clips_end;
	if ((eff.counted & UVMSHIM_CNT_ALL) == UVMSHIM_CNT_ALL)
		out->ops_measured++;
	else
		out->ops_inferred++;
	if (eff.nsec > out->max_nsec)
		out->max_nsec = eff.nsec;
	kshim_hist_add(out->hist, eff.nsec);
	return error;
}

void
kshim_stress_release(struct kshim_core *kc, struct kshim_slot *slot,
    struct kshim_stress_thread *th)
{
	struct kshim_effect eff;
	uint32_t k;

	for (k = 0; k < th->kst_n; k++)
		(void)kshim_core_do_unmap(kc, slot, th->kst_r[k].sr_start,
		    th->kst_r[k].sr_start + th->kst_r[k].sr_size, &eff);
	th->kst_n = 0;
}
