/*
 * uvmshim_stress.c: UVMSHIM_IOC_STRESS, nthreads kernel threads mapping
 * and unmapping one map for duration_ms of wall time.
 *
 * The operation mix is the model's (model_stress.c), so that a scenario
 * means the same on both: each thread keeps up to STRESS_LIVE mappings of
 * its own; it maps 1..max_pages pages at a random hint (now and then
 * read-only or NOMERGE, so that merges are refused too) or unmaps one of
 * its mappings, usually whole, one time in four only its head or tail (a
 * clip when the mapping was merged with a neighbour).  A thread only ever
 * unmaps what it mapped, so threads never undo each other's work; merges
 * across threads' mappings are what makes the clips.
 *
 * Every operation goes through kshim_core_do_map/do_unmap (validated,
 * counted in the map's statistics) and its UVM time feeds the histogram.
 * The threads are joinable; the ioctl thread waits for all of them, and
 * a signal stops them early (EINTR).  At the end each thread unmaps what
 * it still holds, outside the counts of the result.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/kernel.h>
#include <sys/kmem.h>
#include <sys/kthread.h>

#include "uvmshim_var.h"
#include "kshim_util.h"

#define STRESS_LIVE	16

struct stress_range {
	uint64_t	start;
	uint64_t	size;
};

struct stress_run;

struct stress_thread {
	struct stress_run	*st_run;
	lwp_t			*st_lwp;
	uint64_t		 st_rng;
	uint32_t		 st_n;
	struct stress_range	 st_r[STRESS_LIVE];
	struct uvmshim_stress	 st_out;	/* counters only */
};

struct stress_run {
	kmutex_t		 sr_lock;
	kcondvar_t		 sr_cv;
	struct kshim_core	*sr_kc;
	struct kshim_slot	*sr_slot;
	uint64_t		 sr_deadline;	/* uvmshim_nsec() */
	volatile bool		 sr_stop;
	u_int			 sr_done;
	uint32_t		 sr_max_pages;
	uint64_t		 sr_mpages;
	struct stress_thread	 sr_th[];
};

/* splitmix64, as the model uses. */
static uint64_t
next_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
count(struct uvmshim_stress *o, int error, uint64_t nsec)
{

	o->ops++;
	if (error != 0)
		o->errors++;
	if (nsec > o->max_nsec)
		o->max_nsec = nsec;
	kshim_hist_add(o->hist, nsec);
}

static void
do_map(struct stress_thread *st)
{
	struct stress_run *sr = st->st_run;
	struct kshim_map_args a;
	struct kshim_effect eff;
	uint64_t np, r = next_rand(&st->st_rng);
	int error;

	np = 1 + (r & 0xffffffffU) % sr->sr_max_pages;
	if (np > sr->sr_mpages)
		np = sr->sr_mpages;
	a.size = np * PAGE_SIZE;
	a.addr = ((r >> 32) % (sr->sr_mpages - np + 1)) * PAGE_SIZE;
	a.prot = (r & 0x300) == 0 ? UVMSHIM_PROT_READ :
	    UVMSHIM_PROT_READ | UVMSHIM_PROT_WRITE;
	a.flags = (r & 0x7000) == 0 ? UVMSHIM_MAPF_NOMERGE : 0;
	error = kshim_core_do_map(sr->sr_kc, sr->sr_slot, &a, &eff);
	if (error == 0) {
		st->st_r[st->st_n].start = eff.placed;
		st->st_r[st->st_n].size = a.size;
		st->st_n++;
	}
	st->st_out.maps++;
	count(&st->st_out, error, eff.nsec);
}

static void
do_unmap(struct stress_thread *st)
{
	struct stress_run *sr = st->st_run;
	struct kshim_effect eff;
	struct stress_range *rg;
	uint64_t r = next_rand(&st->st_rng), pages, cut, start, end;
	int error;

	rg = &st->st_r[(r & 0xffffffffU) % st->st_n];
	pages = rg->size / PAGE_SIZE;
	start = rg->start;
	end = rg->start + rg->size;
	if (pages > 1 && ((r >> 32) & 3) == 0) {
		cut = 1 + ((r >> 34) % (pages - 1));
		if ((r >> 60) & 1)
			end = start + cut * PAGE_SIZE;
		else
			start = end - cut * PAGE_SIZE;
	}
	error = kshim_core_do_unmap(sr->sr_kc, sr->sr_slot, start, end, &eff);
	if (error == 0) {
		if (start == rg->start && end == rg->start + rg->size)
			*rg = st->st_r[--st->st_n];
		else if (start == rg->start) {
			rg->start = end;
			rg->size -= end - start;
		} else
			rg->size -= end - start;
	}
	st->st_out.unmaps++;
	count(&st->st_out, error, eff.nsec);
}

static void
stress_main(void *arg)
{
	struct stress_thread *st = arg;
	struct stress_run *sr = st->st_run;
	struct kshim_effect eff;
	uint32_t k;

	while (!sr->sr_stop && uvmshim_nsec() < sr->sr_deadline) {
		if (st->st_n == 0 || (st->st_n < STRESS_LIVE &&
		    (next_rand(&st->st_rng) & 1)))
			do_map(st);
		else
			do_unmap(st);
	}
	for (k = 0; k < st->st_n; k++)
		(void)kshim_core_do_unmap(sr->sr_kc, sr->sr_slot,
		    st->st_r[k].start, st->st_r[k].start + st->st_r[k].size,
		    &eff);
	st->st_n = 0;

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
	sr->sr_max_pages = s->max_pages;
	sr->sr_mpages = slot->ks_size / PAGE_SIZE;
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
