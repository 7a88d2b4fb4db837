/*
 * kshim_stress.h: the operations of UVMSHIM_IOC_STRESS, decided once.
 *
 * A seed must mean the same run on the kernel module and in the model, so
 * what a stress thread does next, and what it then holds, is decided here.
 * Each platform keeps what is its own: the module runs kernel threads, each
 * with its own generator, for wall time; the model deals a fixed number of
 * operations to logical threads from one generator.  Both drive a thread
 * with kshim_stress_step() and end it with kshim_stress_release().
 */
#ifndef KSHIM_STRESS_H
#define KSHIM_STRESS_H

#include "kshim_core.h"

/* Mappings one thread may hold: a bound, so that it also unmaps. */
#define KSHIM_STRESS_LIVE	16

struct kshim_stress_range {
	uint64_t	sr_start;
	uint64_t	sr_size;
};

/* One thread's own mappings; zeroed before its first step. */
struct kshim_stress_thread {
	uint32_t			kst_n;
	struct kshim_stress_range	kst_r[KSHIM_STRESS_LIVE];
};

/* The map a run works on. */
struct kshim_stress_geom {
	uint64_t	sg_page_size;
	uint64_t	sg_map_pages;	/* at least 1 */
	uint32_t	sg_max_pages;	/* pages per map op, at least 1 */
};

enum kshim_stress_kind {
	KSHIM_STRESS_MAP,
	KSHIM_STRESS_UNMAP
};

struct kshim_stress_op {
	enum kshim_stress_kind	so_kind;
	struct kshim_map_args	so_map;		/* MAP */
	uint32_t		so_range;	/* UNMAP: which kst_r */
	uint64_t		so_start;	/* UNMAP: [start, end) */
	uint64_t		so_end;
};

/* splitmix64: tiny, and the same sequence everywhere. */
uint64_t kshim_stress_rand(uint64_t *state);

/* The thread's next op, drawn from *rng; nothing is run. */
void	kshim_stress_next(const struct kshim_stress_geom *g,
	    const struct kshim_stress_thread *th, uint64_t *rng,
	    struct kshim_stress_op *op);
/* A successful op's effect on what the thread holds. */
void	kshim_stress_record(struct kshim_stress_thread *th,
	    const struct kshim_stress_op *op, uint64_t placed);

/*
 * Draw the thread's next op, run it through kshim_core_do_map/do_unmap
 * and count it in *out (ops, maps or unmaps, errors, times).  Returns the
 * op's errno.  The caller holds the slot and serialises steps of one
 * thread; threads of one run may step concurrently.
 */
int	kshim_stress_step(struct kshim_core *kc, struct kshim_slot *slot,
	    const struct kshim_stress_geom *g, struct kshim_stress_thread *th,
	    uint64_t *rng, struct uvmshim_stress *out);
/* Unmap what the thread still holds, uncounted. */
void	kshim_stress_release(struct kshim_core *kc, struct kshim_slot *slot,
	    struct kshim_stress_thread *th);

#endif /* KSHIM_STRESS_H */
