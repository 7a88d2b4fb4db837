/*
 * uvmshim_stress.c: UVMSHIM_IOC_STRESS, nthreads kernel threads mapping
 * and unmapping one map for duration_ms of wall time.
 *
 * The operation mix is native/core's (kshim_stress.c), the model's too,
 * so that a scenario means the same on both; here each thread has its
 * own generator, seeded from the request's seed and its index.  Every
 * operation goes through kshim_core_do_map/do_unmap (validated, counted
 * in the map's statistics) and its UVM time feeds the histogram.  The
 * threads are joinable; the ioctl thread waits for all of them, and a
 * signal stops them early (EINTR).  At the end each thread unmaps what
 * it still holds, outside the counts of the result.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/kernel.h>
#include <sys/kmem.h>
#include <sys/kthread.h>

#include "uvmshim_var.h"
#include "kshim_stress.h"

struct stress_run;

struct stress_thread {
	struct stress_run		*st_run;
	lwp_t				*st_lwp;
	uint64_t			 st_rng;
	struct kshim_stress_thread	 st_gen;	/* its mappings */
	struct uvmshim_stress		 st_out;	/* counters only */
};

struct stress_run {
	kmutex_t		 sr_lock;
	kcondvar_t		 sr_cv;
	struct kshim_core	*sr_kc;
	struct kshim_slot	*sr_slot;
	uint64_t		 sr_deadline;	/* uvmshim_nsec() */
	volatile bool		 sr_stop;
	u_int			 sr_done;
	struct kshim_stress_geom sr_geom;
	struct stress_thread	 sr_th[];
};

static void
stress_main(void *arg)
{
	struct stress_thread *st = arg;
	struct stress_run *sr = st->st_run;

	while (!sr->sr_stop && uvmshim_nsec() < sr->sr_deadline)
		(void)kshim_stress_step(sr->sr_kc, sr->sr_slot, &sr->sr_geom,
		    &st->st_gen, &st->st_rng, &st->st_out);
	kshim_stress_release(sr->sr_kc, sr->sr_slot, &st->st_gen);

	mutex_enter(&sr->sr_lock);
	sr->sr_done++;
	cv_broadcast(&sr->sr_cv);
	mutex_exit(&sr->sr_lock);
	kthread_exit(0);
}

static void
merge_out(struct uvmshim_stress *s, const struct uvmshim_stress *o)
{
	int b;

	s->ops += o->ops;
	s->maps += o->maps;
	s->unmaps += o->unmaps;
	s->errors += o->errors;
	s->entry_allocs += o->entry_allocs;
	s->entry_allocs_locked += o->entry_allocs_locked;
	s->entry_frees += o->entry_frees;
	s->clips += o->clips;
	s->ops_measured += o->ops_measured;
	s->ops_inferred += o->ops_inferred;
	if (o->max_nsec > s->max_nsec)
		s->max_nsec = o->max_nsec;
	for (b = 0; b < UVMSHIM_HIST_BUCKETS; b++)
		s->hist[b] += o->hist[b];
}

int
uvmshim_stress(void *be, struct kshim_core *kc, struct kshim_slot *slot,
    struct uvmshim_stress *s)
{
	struct stress_run *sr;
	struct stress_thread *st;
	size_t bytes;
	uint32_t i, started = 0;
	bool interrupted = false;
	int error = 0, e;

	if (s->nthreads == 0 || s->nthreads > UVMSHIM_MAX_STRESS_THREADS ||
	    s->max_pages == 0 || s->max_pages > UVMSHIM_MAX_STRESS_PAGES ||
	    s->duration_ms == 0 || s->duration_ms > UVMSHIM_MAX_STRESS_MS ||
	    slot->ks_size < PAGE_SIZE)
		return EINVAL;

	bytes = sizeof(*sr) + s->nthreads * sizeof(sr->sr_th[0]);
	sr = kmem_zalloc(bytes, KM_SLEEP);
	mutex_init(&sr->sr_lock, MUTEX_DEFAULT, IPL_NONE);
	cv_init(&sr->sr_cv, "uvmshstr");
	sr->sr_kc = kc;
	sr->sr_slot = slot;
	sr->sr_geom.sg_page_size = PAGE_SIZE;
	sr->sr_geom.sg_map_pages = slot->ks_size / PAGE_SIZE;
	sr->sr_geom.sg_max_pages = s->max_pages;
	sr->sr_deadline = uvmshim_nsec() + (uint64_t)s->duration_ms * 1000000;

	for (i = 0; i < s->nthreads; i++) {
		st = &sr->sr_th[i];
		st->st_run = sr;
		st->st_rng = (uint64_t)s->seed * 0x100000001b3ULL + i;
		error = kthread_create(PRI_NONE, KTHREAD_MPSAFE |
		    KTHREAD_MUSTJOIN, NULL, stress_main, st, &st->st_lwp,
		    "uvmshim_st%u", i);
		if (error != 0) {
			sr->sr_stop = true;
			break;
		}
		started++;
	}

	mutex_enter(&sr->sr_lock);
	while (sr->sr_done < started) {
		if (interrupted) {
			cv_wait(&sr->sr_cv, &sr->sr_lock);
			continue;
		}
		e = cv_timedwait_sig(&sr->sr_cv, &sr->sr_lock, hz);
		if (e == EINTR || e == ERESTART) {
			interrupted = true;
			sr->sr_stop = true;
		}
	}
	mutex_exit(&sr->sr_lock);
	for (i = 0; i < started; i++)
		(void)kthread_join(sr->sr_th[i].st_lwp);

	for (i = 0; i < started; i++)
		merge_out(s, &sr->sr_th[i].st_out);
	cv_destroy(&sr->sr_cv);
	mutex_destroy(&sr->sr_lock);
	kmem_free(sr, bytes);
	if (error != 0)
		return error;
	return interrupted ? EINTR : 0;
}
