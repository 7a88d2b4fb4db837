/*
 * uvmshim_ecount.c: the kernel's own entry accounting, read around a call.
 *
 * uvm_mapent_alloc/uvm_mapent_free are pool_cache_get/pool_cache_put on
 * uvm_map_entry_cache ("vmmpepl"), and the pool cache counts every call
 * exactly once (sys/kern/subr_pool.c):
 *
 *  10.99.12  a get ends in exactly one of the per-CPU cc_hits++ (from the
 *	      CPU's groups, also after installing a full group and
 *	      retrying) or cc_pcmisses++ (from the pool, counted before
 *	      pool_get, whether or not it then succeeds or sleeps); a put
 *	      likewise (cc_hits++, or cc_pcmisses++ before the object is
 *	      destroyed).  Both on the CPU the call runs on, at splvm.
 *  7.99.4    a get or put ends in exactly one of the per-CPU cc_hits++ or
 *	      the cache-wide pc_misses++ (under pc_lock, before pool_get or
 *	      the destruction); pc_hits only marks a group exchange that
 *	      is retried and then counted in cc_hits.  Every pc_misses++
 *	      follows a cc_misses++ on the same CPU.
 *
 * So a call's gets + puts is the change of that sum.  Gets and puts are
 * told apart by a second measurement outside the cache: the entries the
 * map owns (nentries, plus the parked list of Thorpe's patch), whose
 * change is gets - puts.  Merges by kind are the change of the uvmmap
 * event counters (k*: the test maps are kernel maps, pmap_kernel()),
 * parked-entry traffic that of kpark*.
 *
 * What could disturb a delta is another thread using the cache or the
 * counters in the window: any process mapping or unmapping, another
 * kernel map.  Interrupts cannot (the cache is IPL_NONE; checked at load).
 * A per-request window is CLEAN when the calling thread ran on one CPU
 * from start to end and that CPU made no context switch in between
 * (cpu_nswtch unchanged): then no other thread ran there.  The cache
 * counts of that CPU alone are then exact on a multiprocessor too
 * (10.99.12); on 7.99.4 pc_misses is shared, so other CPUs must also have
 * made no slow-path call (their cc_misses unchanged).  The event
 * counters are global: a successful map must move exactly one of the
 * four kinds by one, and on a multiprocessor the kpark counters count as
 * measured only when nothing else mapped (map_call moved by one).  A
 * window that is not clean, or whose figures are inconsistent (odd sum,
 * more net entries than operations), makes the caller fall back to the
 * inferred figures and say so (UVMSHIM_CNT_DISTURBED).
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/cpu.h>
#include <sys/pool.h>
#include <uvm/uvm.h>

#include "uvmshim_var.h"

static uint64_t
ev(const struct evcnt *e)
{

	return e != NULL ? e->ev_count : 0;
}

bool
uvmshim_ecount_usable(void)
{

	return (uvmshim_sc.sc_feat.uf_bits & UVMSHIM_FEAT_ENTRY_COUNTERS) != 0;
}

bool
uvmshim_ecount_parks(void)
{

	return (uvmshim_sc.sc_feat.uf_bits & UVMSHIM_FEAT_PARKED_ENTRIES) != 0;
}

/* The cache's operation counts: on ci, on all CPUs, slow paths elsewhere. */
static void
cache_ops(pool_cache_t pc, struct cpu_info *ci, struct uvmshim_ecount *ec)
{
	pool_cache_cpu_t *cc;
	u_int i, me = cpu_index(ci);
	uint64_t n;

	ec->ec_ops = ec->ec_allops = ec->ec_others = 0;
	for (i = 0; i < MAXCPUS; i++) {
		cc = pc->pc_cpus[i];
		if (cc == NULL)
			continue;
#if UVMSHIM_HAVE_CC_PCMISSES
		n = cc->cc_hits + cc->cc_pcmisses;
#else
		n = cc->cc_hits;
		if (i != me)
			ec->ec_others += cc->cc_misses;
#endif
		ec->ec_allops += n;
		if (i == me)
			ec->ec_ops = n;
	}
#if !UVMSHIM_HAVE_CC_PCMISSES
	ec->ec_ops += pc->pc_misses;
	ec->ec_allops += pc->pc_misses;
#endif
}

static uint64_t
held_entries(struct uvmshim_map *um)
{
	struct vm_map *vm = &um->um_map;
	uint64_t n;

	vm_map_lock_read(vm);
	n = (uint64_t)vm->nentries;
#if UVMSHIM_HAVE_MAP_PARKED
	n += (uint64_t)vm->nparked;
#endif
	vm_map_unlock_read(vm);
	return n;
}

/*
 * One look.  The switch count is read first and compared last by the
 * delta, so everything read in between belongs to the window.  sp: the
 * cycle's sponge, whose calls are counted with the cache's under its
 * lock (NULL elsewhere).
 */
void
uvmshim_ecount_take(struct uvmshim_map *um, const struct uvmshim_sponge *sp,
    struct uvmshim_ecount *ec)
{
	const struct uvmshim_feat *f = &uvmshim_sc.sc_feat;
	int i;

	memset(ec, 0, sizeof(*ec));
	if (!uvmshim_ecount_usable())
		return;
	kpreempt_disable();
	ec->ec_ci = curcpu();
	ec->ec_nswtch = ec->ec_ci->ci_data.cpu_nswtch;
	kpreempt_enable();
	if (um != NULL)
		ec->ec_held = held_entries(um);
	if (sp != NULL && sp->us_lock != NULL)
		mutex_enter(sp->us_lock);
	kpreempt_disable();
	cache_ops(f->uf_epool, curcpu(), ec);
	kpreempt_enable();
	if (sp != NULL) {
		ec->ec_sponge = sp->us_calls;
		if (sp->us_lock != NULL)
			mutex_exit(sp->us_lock);
	}
	for (i = 0; i < 4; i++)
		ec->ec_kind[i] = ev(f->uf_ev[i]);
	for (i = 0; i < UVMSHIM_NPARKEV; i++)
		ec->ec_park[i] = ev(f->uf_park[i]);
	ec->ec_map_call = ev(f->uf_map_call);
}

/*
 * The effect between two looks a (before) and b (after).  all_cpus: the
 * window is not one thread's (the cycle): use every CPU's counts minus
 * the sponge's own calls, and skip the no-switch test (the caller
 * bounds the window otherwise).  False when the window is not clean or
 * the figures do not add up.
 */
bool
uvmshim_ecount_delta(const struct uvmshim_ecount *a,
    const struct uvmshim_ecount *b, bool all_cpus, struct uvmshim_edelta *d)
{
	int64_t net, ops;
	uint64_t nswtch;
	int i;

	memset(d, 0, sizeof(*d));
	if (!uvmshim_ecount_usable() || a->ec_ci == NULL || b->ec_ci == NULL)
		return false;
	if (all_cpus) {
		ops = (int64_t)(b->ec_allops - a->ec_allops) -
		    (int64_t)(b->ec_sponge - a->ec_sponge);
	} else {
		/* Read last: nothing ran on this CPU but the caller. */
		kpreempt_disable();
		nswtch = curcpu() == a->ec_ci ?
		    a->ec_ci->ci_data.cpu_nswtch : 0;
		kpreempt_enable();
		if (b->ec_ci != a->ec_ci || nswtch != a->ec_nswtch ||
		    b->ec_nswtch != a->ec_nswtch ||
		    b->ec_others != a->ec_others)
			return false;
		ops = (int64_t)(b->ec_ops - a->ec_ops);
	}
	net = (int64_t)b->ec_held - (int64_t)a->ec_held;
	if (ops < 0 || (ops + net) % 2 != 0 || net > ops || -net > ops)
		return false;
	d->ed_gets = (uint32_t)((ops + net) / 2);
	d->ed_puts = (uint32_t)((ops - net) / 2);
	for (i = 0; i < 4; i++)
		d->ed_kind[i] = (int32_t)(b->ec_kind[i] - a->ec_kind[i]);
	for (i = 0; i < UVMSHIM_NPARKEV; i++)
		d->ed_park[i] = (uint32_t)(b->ec_park[i] - a->ec_park[i]);
	d->ed_map_call = (uint32_t)(b->ec_map_call - a->ec_map_call);
	return true;
}
