/*
 * uvmshim_cycle.c: UVMSHIM_IOC_CYCLE, the PR 24039 cycle on real UVM.
 *
 * On a fresh private map (never kernel_map):
 *
 *  1. merge	 npages one-page uvm_map() calls side by side: one entry,
 *		 or npages entries under POLICY_NOMERGE (UVM_FLAG_NOMERGE).
 *  2. pressure	 every free map entry is taken out of the entry pool cache
 *		 (uvmshim_epool.c), then every page that can be had, until
 *		 the pagedaemon and the pool reclaim free nothing more
 *		 (uvmshim_hoard.c), then the entries freed meanwhile; the
 *		 pages are the RECLAIMER's (the watchdog takes them on its
 *		 behalf, see take_memory).  Now an entry allocation needs a
 *		 new pool page and none can be had.
 *  3. unmapper	 the UNMAPPER thread calls uvm_unmap() on the middle page:
 *		 uvm_unmap1 takes the map write lock, uvm_unmap_remove clips
 *		 (uvm_map_clip_start/end), each clip calls uvm_mapent_alloc
 *		 -> pool_cache_get(PR_WAITOK) -> pool_get -> pool_grow ->
 *		 uvm_km_kmem_alloc -> uvm_pagealloc fails -> uvm_wait("plpg"):
 *		 it sleeps for memory with the map write-locked.
 *  4. reclaimer once the unmapper sleeps with the lock held, the reclaimer
 *		 calls vm_map_lock() on the same map: it must hold the lock
 *		 before it gives its pages back.  It sleeps on the lock
 *		 ("tstile") while the unmapper sleeps for its pages.
 *
 * The calling thread is the WATCHDOG.  If the unmap is not done bound_ms
 * after it started and the reclaimer waits on the lock, the verdict is
 * DEADLOCK (if the reclaimer never gets there, ERROR/ETIMEDOUT): it
 * records who write-holds the map lock (decoded from the krwlock owner
 * word, checked against the unmapper), how long each party has waited
 * and on what (l_wmesg), prints
 * it with the map address for ddb ("show map"), keeps the cycle standing
 * hold_ms more (none with CYCLEF_RECOVER), then breaks it by freeing the
 * reclaimer's pages itself.  The unmap then completes, the reclaimer gets
 * the lock, and everything is given back.  Under POLICY_NOMERGE the middle
 * page is a whole entry: no clip, no allocation, the run COMPLETES under
 * the same pressure.
 *
 * Both threads are timeshared kernel threads (KTHREAD_TS), as the process
 * context that calls free() in PR 24039 is: uvm_pagealloc_strat lets a
 * PRI_KTHREAD thread (or one lent that priority through the lock's
 * turnstile) dip into the kernel's reserve pages, and then the allocation
 * would succeed from the reserve instead of waiting.  (By 9.99.71 every
 * kernel thread gets that reserve; the pressure below goes under it, down
 * to the pagedaemon's, so the unmapper is short either way.)  They are
 * bound to the CPU the request came in on, so that entries freed on
 * another CPU after the drain land in a per-CPU cache the unmapper does
 * not use.  The watchdog is not bound: on a multiprocessor kernel with
 * per-CPU free page caches (9.99.x on) pages cached on the unmapper's CPU
 * stay out of its reach if it runs elsewhere; the cycle has only been run
 * on one CPU.
 *
 * Memory freed elsewhere is the cycle's enemy: the pagedaemon, woken by
 * every uvm_wait(), reclaims pool pages that have been empty for
 * pool_inactive_time (10 s) and frees clean pages, and a page that comes
 * free lets the unmapper through.  In PR 24039 those frees needed the same
 * map lock (pool pages lived in kmem_map); here they do not, so the cycle
 * stands in for that: memory is taken until the system is quiet, down to
 * the pagedaemon's reserve (UVM_PGA_USERESERVE: an ordinary allocation
 * then stays short even if a few pages come free), with the kernel's
 * tunable pool_inactive_time set to 0 for that settle, so that every
 * empty pool page (those the draining itself empties included) is given
 * back at once and taken, instead of coming free by itself seconds later
 * while the cycle stands; the tunable is restored before the unmapper is
 * let go (see settle(); without it the settle waits about 11.5 s for those
 * pages to age out, as it always did before); it keeps taking until the
 * unmapper has held the lock for a tick; and while the cycle stands, the
 * watchdog adds whatever comes free to the reclaimer's hoard (counted and
 * printed).  If memory still gets through, the unmap ends by itself:
 * before bound_ms that is COMPLETED, after it DEADLOCK with recovered = 0,
 * and the console says so.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/kernel.h>
#include <sys/kmem.h>
#include <sys/kthread.h>
#include <sys/proc.h>
#include <sys/cpu.h>
#include <uvm/uvm.h>

#include "uvmshim_var.h"

#define REC_IDLE	0	/* waits for go */
#define REC_WAIT_HOLDER	1	/* waits for the unmapper to hold the lock */
#define REC_WAIT_LOCK	2	/* in vm_map_lock() */
#define REC_LOCKED	3	/* holds the lock, gives pages back */
#define REC_DONE	4

/* What the watchdog saw. */
#define W_COMPLETED	0	/* the unmap finished */
#define W_DEADLOCK	1	/* blocked > bound, reclaimer on the lock */
#define W_NOCYCLE	2	/* blocked, but the reclaimer never came */

#define NS_PER_MS	1000000ULL
#define CYCLE_WMESG	"uvmshcyc"
/* The cycle's pressure goes down to the pagedaemon's reserve. */
#define CYCLE_PGA	UVM_PGA_USERESERVE
/* While waiting for threads after the break: a console line this often. */
#define STUCK_REPORT_S	10
/* How long past the bound the reclaimer may take to reach the lock. */
#define CLOSE_GRACE_MS	10000
/* While a cycle is held: reclaim idle pool pages this often (ticks). */
#define HOLD_RECLAIM_TICKS	5
/*
 * Without a usable pool_inactive_time: how long the settle lasts at least,
 * so that pool pages emptied at its start age out (10 s, the tunable's
 * value in every version, and 1.5 s of slack).
 */
#define SETTLE_FALLBACK_MS	(10000 + 1500)

struct cycle_run {
	kmutex_t		 cr_lock;
	kcondvar_t		 cr_cv;
	struct uvmshim_map	*cr_um;
	pool_cache_t		 cr_pc;
	vaddr_t			 cr_start;	/* the page to unmap */
	vaddr_t			 cr_end;
	lwp_t			*cr_unmapper;
	lwp_t			*cr_reclaimer;
	bool			 cr_go;
	bool			 cr_abort;
	bool			 cr_broken;	/* memory given back */
	/* unmapper */
	bool			 cr_u_started;
	bool			 cr_u_done;
	uint64_t		 cr_u_t0;
	uint64_t		 cr_u_t1;
	/* reclaimer */
	int			 cr_r_state;
	uint64_t		 cr_r_t0;
	uint64_t		 cr_r_t1;
	struct uvmshim_sponge	 cr_sponge;	/* entries taken */
	struct uvmshim_hoard	 cr_hoard;	/* pages taken; cr_lock */
	/* last wait messages seen by the watchdog */
	char			 cr_u_wmesg[UVMSHIM_NAME_LEN];
	char			 cr_r_wmesg[UVMSHIM_NAME_LEN];
	bool			 cr_u_sawfree;	/* seen on &uvmexp.free */
	uint64_t		 cr_kept;	/* pages the watchdog took */
	kmutex_t		 cr_count_lock;	/* sponge calls vs. looks */
	struct uvmshim_ecount	 cr_e0;		/* around the unmap */
	struct uvmshim_ecount	 cr_e1;
};

static uint64_t
ms_since(uint64_t t0)
{
	uint64_t now = uvmshim_nsec();

	return now > t0 ? (now - t0) / NS_PER_MS : 0;
}

static void
unmapper_main(void *arg)
{
	struct cycle_run *cr = arg;

	mutex_enter(&cr->cr_lock);
	while (!cr->cr_go && !cr->cr_abort)
		cv_wait(&cr->cr_cv, &cr->cr_lock);
	if (cr->cr_abort) {
		cr->cr_u_done = true;
		cv_broadcast(&cr->cr_cv);
		mutex_exit(&cr->cr_lock);
		kthread_exit(0);
	}
	cr->cr_u_t0 = uvmshim_nsec();
	cr->cr_u_started = true;
	mutex_exit(&cr->cr_lock);

	/* Takes the write lock and clips: the allocation under the lock. */
	uvmshim_ecount_take(cr->cr_um, &cr->cr_sponge, &cr->cr_e0);
	uvm_unmap(&cr->cr_um->um_map, cr->cr_start, cr->cr_end);
	uvmshim_ecount_take(cr->cr_um, &cr->cr_sponge, &cr->cr_e1);

	mutex_enter(&cr->cr_lock);
	cr->cr_u_t1 = uvmshim_nsec();
	cr->cr_u_done = true;
	cv_broadcast(&cr->cr_cv);
	mutex_exit(&cr->cr_lock);
	kthread_exit(0);
}

/* Take what came free since: pages, and entries back in the pool. */
static void
absorb(struct cycle_run *cr, struct uvmshim_hoard *local)
{

	(void)uvmshim_hoard_take(local, UINT64_MAX, CYCLE_PGA);
	if (cr->cr_pc != NULL)
		(void)uvmshim_epool_drain(cr->cr_pc, &cr->cr_sponge);
}

/*
 * The unmapper holds the map write lock.  It does not sleep all the time:
 * each uvm_wait() wakes the pagedaemon, which wakes it again after a scan
 * that frees nothing, and it retries; but it never lets the lock go.
 */
static bool
unmapper_holds(struct cycle_run *cr)
{

	return uvmshim_map_writer(&cr->cr_um->um_map) == cr->cr_unmapper;
}

/*
 * The reclaimer holds the memory the watchdog took for it (cr_hoard) and
 * gives it back only with the map lock held.  Its own work is light, so
 * that as a timeshared thread it still gets the CPU when it must act.
 */
static void
reclaimer_main(void *arg)
{
	struct cycle_run *cr = arg;
	struct vm_map *map = &cr->cr_um->um_map;
	struct uvmshim_hoard local;
	int held;

	uvmshim_hoard_init(&local);
	mutex_enter(&cr->cr_lock);
	while (!cr->cr_go && !cr->cr_abort)
		cv_wait(&cr->cr_cv, &cr->cr_lock);
	if (cr->cr_abort)
		goto out;

	/*
	 * Keep taking whatever comes free until the unmapper has held the
	 * lock for two looks a tick apart (or is done): memory freed in this
	 * window would otherwise let its allocation through before the
	 * cycle closes.  Once the watchdog has given the memory back, stop
	 * taking and give back what was taken meanwhile.
	 */
	cr->cr_r_state = REC_WAIT_HOLDER;
	held = 0;
	while (!cr->cr_u_done && !cr->cr_abort && !cr->cr_broken &&
	    held < 2) {
		held = unmapper_holds(cr) ? held + 1 : 0;
		mutex_exit(&cr->cr_lock);
		absorb(cr, &local);
		mutex_enter(&cr->cr_lock);
		if (cr->cr_broken)
			break;
		uvmshim_hoard_move(&cr->cr_hoard, &local);
		(void)cv_timedwait(&cr->cr_cv, &cr->cr_lock, 1);
	}
	if (local.uh_npages != 0) {
		mutex_exit(&cr->cr_lock);
		uvmshim_hoard_release(&local, UINT64_MAX);
		mutex_enter(&cr->cr_lock);
	}
	cr->cr_r_t0 = uvmshim_nsec();
	cr->cr_r_state = REC_WAIT_LOCK;
	mutex_exit(&cr->cr_lock);

	/* The memory is given back only with the map lock held. */
	vm_map_lock(map);
	mutex_enter(&cr->cr_lock);
	cr->cr_r_t1 = uvmshim_nsec();
	cr->cr_r_state = REC_LOCKED;
	uvmshim_hoard_move(&local, &cr->cr_hoard);
	mutex_exit(&cr->cr_lock);
	uvmshim_hoard_release(&local, UINT64_MAX);
	vm_map_unlock(map);
	mutex_enter(&cr->cr_lock);
out:
	cr->cr_r_state = REC_DONE;
	cv_broadcast(&cr->cr_cv);
	mutex_exit(&cr->cr_lock);
	kthread_exit(0);
}

/*
 * What a live thread of ours last slept on.  l_wmesg stays set after the
 * thread wakes (sleepq_remove clears only l_wchan), so this is its latest
 * sleep, not necessarily a current one; our own condvar does not count.
 */
static void
sample_wmesg(lwp_t *l, char *buf)
{
	const char *w = l->l_wmesg;

	if (w != NULL && strcmp(w, CYCLE_WMESG) != 0)
		strlcpy(buf, w, UVMSHIM_NAME_LEN);
}

static void
describe_lwp(lwp_t *l, uint64_t *lid, uint64_t *pid, char *name)
{

	*lid = (uint64_t)l->l_lid;
	if (pid != NULL)
		*pid = (uint64_t)l->l_proc->p_pid;
	if (name != NULL)
		strlcpy(name, l->l_name != NULL ? l->l_name : "?",
		    UVMSHIM_NAME_LEN);
}

/* Watchdog: the evidence, with cr_lock held. */
static void
record_evidence(struct cycle_run *cr, struct uvmshim_cycle *c)
{
	lwp_t *holder;

	c->verdict = UVMSHIM_CYCLE_DEADLOCK;
	holder = uvmshim_map_writer(&cr->cr_um->um_map);
	if (holder != NULL && holder == cr->cr_unmapper) {
		describe_lwp(holder, &c->holder_lid, &c->holder_pid,
		    c->holder_name);
		c->lock_held_ms = ms_since(cr->cr_u_t0);
	} else if (holder != NULL && holder == cr->cr_reclaimer) {
		describe_lwp(holder, &c->holder_lid, &c->holder_pid,
		    c->holder_name);
		c->lock_held_ms = ms_since(cr->cr_r_t1);
	} else if (holder != NULL)
		strlcpy(c->holder_name, "foreign", sizeof(c->holder_name));
	c->unmapper_wait_ms = ms_since(cr->cr_u_t0);
	sample_wmesg(cr->cr_unmapper, cr->cr_u_wmesg);
	strlcpy(c->unmapper_wmesg, cr->cr_u_wmesg, sizeof(c->unmapper_wmesg));
	if (cr->cr_r_state == REC_WAIT_LOCK) {
		c->reclaimer_wait_ms = ms_since(cr->cr_r_t0);
		sample_wmesg(cr->cr_reclaimer, cr->cr_r_wmesg);
	}
	strlcpy(c->reclaimer_wmesg, cr->cr_r_wmesg,
	    sizeof(c->reclaimer_wmesg));
}

static void
report_evidence(struct cycle_run *cr, const struct uvmshim_cycle *c)
{

	printf("uvmshim: PR 24039 cycle DEADLOCK on map %p, lock %p: lwp %llu (%s) "
	    "write-holds it %llu ms, sleeping on \"%s\"%s; reclaimer lwp %llu "
	    "waits on \"%s\" %llu ms holding %llu pages; free %lld\n",
	    &cr->cr_um->um_map, &cr->cr_um->um_map.lock,
	    (unsigned long long)c->holder_lid,
	    c->holder_name, (unsigned long long)c->lock_held_ms,
	    c->unmapper_wmesg,
	    cr->cr_u_sawfree ? " (seen in uvm_wait, for a free page)" : "",
	    (unsigned long long)c->reclaimer_lid,
	    c->reclaimer_wmesg, (unsigned long long)c->reclaimer_wait_ms,
	    (unsigned long long)cr->cr_hoard.uh_npages,
	    (long long)UVMSHIM_FREE_PAGES());
}

/* The clips the unmap of [s, t) will make, from the entries around it. */
static uint32_t
expected_clips(struct vm_map *map, vaddr_t s, vaddr_t t)
{
	struct vm_map_entry *e;
	uint32_t clips = 0;

	vm_map_lock_read(map);
	if (uvm_map_lookup_entry(map, s, &e) && e->start < s)
		clips++;
	if (uvm_map_lookup_entry(map, t, &e) && e->start < t)
		clips++;
	vm_map_unlock_read(map);
	return clips;
}

/*
 * The unmap's entry counts, measured (uvmshim_ecount.c) over the
 * unmapper's whole uvm_unmap, which sleeps: every CPU's cache operations
 * minus the sponge's own calls (the drains of the watchdog and the
 * reclaimer, counted under cr_count_lock with each call).  All gets of
 * an unmap are clips under the write lock, all puts come after the
 * unlock (uvmshim_mapops.c).  Another thread's use of the cache in the
 * window is not excluded by a switch count here: a uvm_map anywhere
 * (map_call), a clip count that disagrees with the kernel's
 * kparkuse/kparkalloc or with the entries around the page, or figures
 * that do not add up make the count inferred (each clip one allocation
 * under the lock), and the console says so.
 */
static void
count_unmap(struct cycle_run *cr, struct uvmshim_cycle *c)
{
	struct uvmshim_edelta d;
	uint32_t clips = c->clips;
	bool ok;

	ok = uvmshim_ecount_delta(&cr->cr_e0, &cr->cr_e1, true, &d) &&
	    d.ed_map_call == 0;
	if (ok && uvmshim_ecount_parks())
		ok = d.ed_park[UVMSHIM_EV_KPARKALLOC] == d.ed_gets &&
		    d.ed_gets + d.ed_park[UVMSHIM_EV_KPARKUSE] == clips;
	else if (ok)
		ok = d.ed_gets == clips;
	if (ok) {
		c->allocs = d.ed_gets;
		c->allocs_locked = d.ed_gets;
		c->frees = d.ed_puts;
		/* No parking in a stock kernel: 0 is its own figure. */
		c->reserve_uses = d.ed_park[UVMSHIM_EV_KPARKUSE];
		c->counted = UVMSHIM_CNT_ALLOCS | UVMSHIM_CNT_FREES |
		    UVMSHIM_CNT_ALLOCS_LOCKED | UVMSHIM_CNT_CLIPS |
		    UVMSHIM_CNT_RESERVE;
	} else {
		/* Inferred: each clip allocates one entry, locked. */
		c->allocs = c->allocs_locked = clips;
		c->frees = 1;
		c->counted = uvmshim_ecount_usable() ?
		    UVMSHIM_CNT_DISTURBED : 0;
	}
	printf("uvmshim: cycle: the unmap made %u clip(s), %u entry "
	    "allocation(s) under the map lock, %u free(s), %u parked "
	    "entr%s used (%s)\n", clips, c->allocs_locked, c->frees,
	    c->reserve_uses, c->reserve_uses == 1 ? "y" : "ies",
	    (c->counted & UVMSHIM_CNT_ALLOCS_LOCKED) ? "measured" :
	    "inferred");
}

static int
merge(struct uvmshim_map *um, uint32_t npages)
{
	uvm_flag_t flags;
	vaddr_t va;
	uint32_t i;
	int error;

	flags = UVM_FLAG_FIXED | (um->um_nomerge ? UVM_FLAG_NOMERGE : 0);
	for (i = 0; i < npages; i++) {
		va = um->um_base + (vaddr_t)i * PAGE_SIZE;
		error = uvm_map(&um->um_map, &va, PAGE_SIZE, NULL,
		    UVM_UNKNOWN_OFFSET, 0, UVM_MAPFLAG(UVM_PROT_RW,
		    UVM_PROT_ALL, UVM_INH_NONE, UVM_ADV_RANDOM, flags));
		if (error != 0)
			return error;
	}
	return 0;
}

/*
 * Watchdog, cr_lock held: until the cycle is broken, pages that come free
 * elsewhere go to the reclaimer's hoard (in PR 24039 nobody could have
 * freed them without the map lock); uvm_pagealloc never sleeps.
 */
static void
keep_pressure(struct cycle_run *cr)
{

	cr->cr_kept += uvmshim_hoard_take(&cr->cr_hoard, UINT64_MAX,
	    CYCLE_PGA);
}

/* Watchdog loop, cr_lock held. */
static int
watch(struct cycle_run *cr, uint64_t bound_ns)
{
	uint64_t waited;

	for (;;) {
		keep_pressure(cr);
		if (cr->cr_u_done)
			return W_COMPLETED;
		if (cr->cr_u_started) {
			sample_wmesg(cr->cr_unmapper, cr->cr_u_wmesg);
			if (cr->cr_unmapper->l_wchan == (wchan_t)&uvmexp.free)
				cr->cr_u_sawfree = true;
			waited = uvmshim_nsec() - cr->cr_u_t0;
			/* A deadlock needs both parties in it. */
			if (waited >= bound_ns &&
			    cr->cr_r_state == REC_WAIT_LOCK)
				return W_DEADLOCK;
			if (waited >= bound_ns + CLOSE_GRACE_MS * NS_PER_MS)
				return W_NOCYCLE;
		}
		if (cr->cr_r_state == REC_WAIT_LOCK)
			sample_wmesg(cr->cr_reclaimer, cr->cr_r_wmesg);
		(void)cv_timedwait(&cr->cr_cv, &cr->cr_lock, 1);
	}
}

/*
 * Keep a detected cycle standing for hold_ms, unless it ends by itself:
 * the unmapper asleep in the clip's allocation with the map write-locked,
 * the reclaimer asleep on the lock, so that ddb can be asked meanwhile.
 * Taking free pages each tick is not enough on its own: the pagedaemon's
 * pool drain frees idle pool pages and then wakes the unmapper at once,
 * which wins the race for them (10.99.12: the unmap ended 7 s into an
 * 8 s hold with no page ever seen free).  So every HOLD_RECLAIM_TICKS the
 * watchdog reclaims idle pool pages itself and takes them first.
 */
static void
hold(struct cycle_run *cr, uint32_t hold_ms)
{
	uint64_t until = uvmshim_nsec() + (uint64_t)hold_ms * NS_PER_MS;
	struct uvmshim_hoard local;
	uint64_t got;
	int tick = 0;

	uvmshim_hoard_init(&local);
	while (!cr->cr_u_done && uvmshim_nsec() < until) {
		keep_pressure(cr);
		if (++tick % HOLD_RECLAIM_TICKS == 0) {
			mutex_exit(&cr->cr_lock);
			got = uvmshim_hoard_reclaim(&local, CYCLE_PGA);
			mutex_enter(&cr->cr_lock);
			uvmshim_hoard_move(&cr->cr_hoard, &local);
			cr->cr_kept += got;
		}
		(void)cv_timedwait(&cr->cr_cv, &cr->cr_lock, 1);
	}
}

/* Wait for both threads to finish; they must, the memory is back. */
static void
wait_threads(struct cycle_run *cr)
{
	uint64_t t0 = uvmshim_nsec();
	uint64_t next = STUCK_REPORT_S;

	while (!cr->cr_u_done || cr->cr_r_state != REC_DONE) {
		(void)cv_timedwait(&cr->cr_cv, &cr->cr_lock, hz);
		if (ms_since(t0) / 1000 >= next) {
			printf("uvmshim: cycle: still waiting for threads "
			    "(unmap done %d, reclaimer state %d)\n",
			    cr->cr_u_done, cr->cr_r_state);
			next += STUCK_REPORT_S;
		}
	}
}

static int
start_threads(struct cycle_run *cr)
{
	struct cpu_info *ci = curcpu();
	const int kflags = KTHREAD_MPSAFE | KTHREAD_MUSTJOIN | KTHREAD_TS;
	int error;

	error = kthread_create(PRI_NONE, kflags, ci, unmapper_main, cr,
	    &cr->cr_unmapper, "uvmshim_unmap");
	if (error != 0)
		return error;
	error = kthread_create(PRI_NONE, kflags, ci, reclaimer_main, cr,
	    &cr->cr_reclaimer, "uvmshim_reclaim");
	if (error != 0) {
		mutex_enter(&cr->cr_lock);
		cr->cr_abort = true;
		cv_broadcast(&cr->cr_cv);
		mutex_exit(&cr->cr_lock);
		(void)kthread_join(cr->cr_unmapper);
		cr->cr_unmapper = NULL;
	}
	return error;
}

/*
 * Every page that can be had, until the system is quiet (uvmshim_hoard.c).
 * Pool pages that are empty but younger than the kernel's own
 * pool_inactive_time are not given back by pool_reclaim(), and would come
 * free by themselves while the cycle stands; so for the settle that
 * tunable is set to 0 and every round's pool drain gives back every
 * empty pool page at once, and the round takes it.  What it held is put
 * back right after, before the unmapper is let go, on every path (the
 * settle itself cannot fail; one cycle at most runs at a time,
 * kshim_ioc_runs.c, so two cycles never save and restore over each
 * other).  Without a usable tunable, the settle falls back to waiting
 * until the pages emptied at the start have aged out.  Either way one
 * console line says which.
 */
static void
settle(struct uvmshim_hoard *local)
{
	uint64_t t0 = uvmshim_nsec();
	int *pit, was, seen, error;

	error = uvmshim_pool_inactive_time(&pit, &was);
	if (error != 0) {
		if (error == ENOENT)
			printf("uvmshim: cycle: pool_inactive_time not found; "
			    "waiting %d ms for empty pool pages to age out\n",
			    SETTLE_FALLBACK_MS);
		else
			printf("uvmshim: cycle: pool_inactive_time reads %d, "
			    "not a plausible value: left alone; waiting %d ms "
			    "for empty pool pages to age out\n", was,
			    SETTLE_FALLBACK_MS);
		(void)uvmshim_hoard_take_settled(local, SETTLE_FALLBACK_MS,
		    CYCLE_PGA);
		return;
	}
	*(volatile int *)pit = 0;
	(void)uvmshim_hoard_take_settled(local, 0, CYCLE_PGA);
	seen = *(volatile int *)pit;
	*(volatile int *)pit = was;
	if (seen != 0)
		printf("uvmshim: cycle: pool_inactive_time read %d, not 0, "
		    "at the end of the settle: changed by someone else\n",
		    seen);
	printf("uvmshim: cycle: pool_inactive_time %d -> 0 for the settle "
	    "(%llu ms), restored to %d\n", was,
	    (unsigned long long)ms_since(t0), *(volatile int *)pit);
}

/*
 * The pressure, taken by the watchdog for the reclaimer (the heavy part:
 * a thread that did it would lose its timeshare priority and then starve
 * when it must reach the lock).  The threads exist already: creating one
 * needs memory.
 */
static int
take_memory(struct cycle_run *cr)
{
	struct uvmshim_hoard local;
	int error;

	if (cr->cr_pc == NULL) {
		printf("uvmshim: cycle: map entry pool cache not found\n");
		return ENOTSUP;
	}
	uvmshim_hoard_init(&local);
	error = uvmshim_epool_drain(cr->cr_pc, &cr->cr_sponge);
	if (error == 0) {
		settle(&local);
		error = uvmshim_epool_drain(cr->cr_pc, &cr->cr_sponge);
		(void)uvmshim_hoard_take(&local, UINT64_MAX, CYCLE_PGA);
	}
	mutex_enter(&cr->cr_lock);
	uvmshim_hoard_move(&cr->cr_hoard, &local);
	mutex_exit(&cr->cr_lock);
	return error;
}

/* Give the reclaimer's memory back and let both threads finish. */
static void
break_cycle(struct cycle_run *cr, struct uvmshim_cycle *c, bool stood)
{
	struct uvmshim_hoard local;

	uvmshim_hoard_init(&local);
	cr->cr_broken = true;
	if (!cr->cr_u_done)
		c->recovered = 1;
	uvmshim_hoard_move(&local, &cr->cr_hoard);
	mutex_exit(&cr->cr_lock);
	uvmshim_hoard_release(&local, UINT64_MAX);
	if (stood)
		printf("uvmshim: cycle %s after %llu ms (%llu pages came "
		    "free meanwhile and were kept)\n", c->recovered ?
		    "broken by the watchdog" : "ended by itself",
		    (unsigned long long)ms_since(cr->cr_u_t0),
		    (unsigned long long)cr->cr_kept);
	else if (cr->cr_u_done)
		printf("uvmshim: cycle: the unmap completed in %llu ms\n",
		    (unsigned long long)((cr->cr_u_t1 - cr->cr_u_t0) /
		    NS_PER_MS));
	mutex_enter(&cr->cr_lock);
}

static int
run(struct cycle_run *cr, struct uvmshim_cycle *c)
{
	uint64_t bound_ns = (uint64_t)c->bound_ms * NS_PER_MS;
	int error, seen;

	error = start_threads(cr);
	if (error != 0)
		return error;
	c->unmapper_lid = (uint64_t)cr->cr_unmapper->l_lid;
	c->reclaimer_lid = (uint64_t)cr->cr_reclaimer->l_lid;

	error = take_memory(cr);
	mutex_enter(&cr->cr_lock);
	if (error != 0)
		cr->cr_abort = true;
	else
		cr->cr_go = true;
	cv_broadcast(&cr->cr_cv);
	mutex_exit(&cr->cr_lock);
	if (error == 0)
		printf("uvmshim: cycle: %llu entries and %llu pages taken, "
		    "%lld pages free (reserve_kernel %d); unmapping\n",
		    (unsigned long long)cr->cr_sponge.us_nitems,
		    (unsigned long long)cr->cr_hoard.uh_npages,
		    (long long)UVMSHIM_FREE_PAGES(), uvmexp.reserve_kernel);

	mutex_enter(&cr->cr_lock);
	seen = error == 0 ? watch(cr, bound_ns) : W_COMPLETED;
	if (seen == W_DEADLOCK) {
		record_evidence(cr, c);
		mutex_exit(&cr->cr_lock);
		report_evidence(cr, c);
		mutex_enter(&cr->cr_lock);
		if ((c->flags & UVMSHIM_CYCLEF_RECOVER) == 0)
			hold(cr, c->hold_ms);
		break_cycle(cr, c, true);
	} else if (seen == W_NOCYCLE) {
		printf("uvmshim: cycle: the unmapper is blocked but the "
		    "reclaimer never reached the lock (state %d)\n",
		    cr->cr_r_state);
		error = ETIMEDOUT;
		break_cycle(cr, c, true);
		c->recovered = 0;
	} else
		break_cycle(cr, c, false);
	wait_threads(cr);
	if (error == 0 && c->verdict != UVMSHIM_CYCLE_DEADLOCK) {
		c->verdict = UVMSHIM_CYCLE_COMPLETED;
		c->unmapper_wait_ms = (cr->cr_u_t1 - cr->cr_u_t0) / NS_PER_MS;
		if (cr->cr_r_t1 >= cr->cr_r_t0)
			c->reclaimer_wait_ms =
			    (cr->cr_r_t1 - cr->cr_r_t0) / NS_PER_MS;
		strlcpy(c->unmapper_wmesg, cr->cr_u_wmesg,
		    sizeof(c->unmapper_wmesg));
		strlcpy(c->reclaimer_wmesg, cr->cr_r_wmesg,
		    sizeof(c->reclaimer_wmesg));
	}
	mutex_exit(&cr->cr_lock);

	(void)kthread_join(cr->cr_unmapper);
	(void)kthread_join(cr->cr_reclaimer);
	return error;
}

int
uvmshim_cycle(void *be, struct uvmshim_cycle *c)
{
	uint64_t t0 = uvmshim_nsec();
	struct cycle_run *cr;
	uint32_t mid;
	int error;

	if (c->npages < UVMSHIM_MIN_CYCLE_PAGES ||
	    c->npages > UVMSHIM_MAX_CYCLE_PAGES ||
	    c->bound_ms < UVMSHIM_MIN_CYCLE_BOUND_MS ||
	    c->bound_ms > UVMSHIM_MAX_CYCLE_BOUND_MS ||
	    c->hold_ms > UVMSHIM_MAX_CYCLE_HOLD_MS)
		return EINVAL;
	if (c->policy != UVMSHIM_POLICY_DEFAULT &&
	    c->policy != UVMSHIM_POLICY_NOMERGE)
		return ENOTSUP;

	cr = kmem_zalloc(sizeof(*cr), KM_SLEEP);
	mutex_init(&cr->cr_lock, MUTEX_DEFAULT, IPL_NONE);
	cv_init(&cr->cr_cv, CYCLE_WMESG);
	uvmshim_hoard_init(&cr->cr_hoard);
	cr->cr_pc = uvmshim_epool_find();
	mutex_init(&cr->cr_count_lock, MUTEX_DEFAULT, IPL_NONE);
	cr->cr_sponge.us_lock = &cr->cr_count_lock;

	error = uvmshim_map_new((vsize_t)c->npages * PAGE_SIZE,
	    c->policy == UVMSHIM_POLICY_NOMERGE, &cr->cr_um);
	if (error == 0) {
		c->map_kva = (uint64_t)(uintptr_t)&cr->cr_um->um_map;
		error = merge(cr->cr_um, c->npages);
	}
	if (error == 0) {
		mid = c->npages / 2;
		cr->cr_start = cr->cr_um->um_base + (vaddr_t)mid * PAGE_SIZE;
		cr->cr_end = cr->cr_start + PAGE_SIZE;
		c->clips = expected_clips(&cr->cr_um->um_map, cr->cr_start,
		    cr->cr_end);
		printf("uvmshim: cycle: map %p, %u pages in %u entries, "
		    "unmap of page %u will clip %u times\n",
		    &cr->cr_um->um_map, c->npages,
		    uvmshim_map_nentries(cr->cr_um), mid, c->clips);
		error = run(cr, c);
		if (cr->cr_u_done)
			count_unmap(cr, c);
	}
	if (error != 0) {
		if (c->verdict != UVMSHIM_CYCLE_DEADLOCK)
			c->verdict = UVMSHIM_CYCLE_ERROR;
		c->error = error;
	}

	/* Whatever happened, everything goes back. */
	uvmshim_hoard_release(&cr->cr_hoard, UINT64_MAX);
	if (cr->cr_pc != NULL)
		uvmshim_epool_release(cr->cr_pc, &cr->cr_sponge);
	if (cr->cr_um != NULL)
		uvmshim_map_free(cr->cr_um);
	cv_destroy(&cr->cr_cv);
	mutex_destroy(&cr->cr_count_lock);
	mutex_destroy(&cr->cr_lock);
	kmem_free(cr, sizeof(*cr));
	c->elapsed_ms = ms_since(t0);
	return 0;
}
