/*
 * model_cycle.c: the PR 24039 cycle, simulated deterministically.
 *
 * The kernel module runs this with real threads, a real map lock and a
 * watchdog.  The model runs the same story with two logical threads under
 * a tiny scheduler, in simulated milliseconds, so it answers at once and
 * can never hang the host:
 *
 *  1. setup	 a fresh private map with the requested policy; npages
 *		 one-page mappings side by side (one merged entry, or npages
 *		 entries under NOMERGE);
 *  2. pressure	 the entry pool's free slots are set aside (other users took
 *		 them) and the reclaimer wires free memory down to free_min,
 *		 so the next entry allocation needs a page and must wait;
 *  3. unmapper	 unmaps the middle page (clip_start + clip_end where an
 *		 entry covers it), with whatever locking the policy does;
 *  4. reclaimer takes the map write lock, then releases its memory.
 *
 * A thread that would sleep is BLOCKED on a resource: the map lock (held
 * by whoever took it) or memory (held by the reclaimer while it holds
 * pages).  When nobody can run, the watchdog fires: the clock jumps to
 * bound_ms after the unmapper blocked, and if following "waits for ->
 * held by" from the unmapper leads back to it, that is the deadlock:
 *
 *  MODERN	 unmapper holds the lock, waits for memory ("vmmapent");
 *		 reclaimer waits for the lock ("vmmaplk"): DEADLOCK.
 *  MERGE_ALLOC	 the pool page must be mapped into the locked map itself:
 *		 the unmapper waits for its own lock ("vmmaplk"): DEADLOCK.
 *  NOMERGE	 the middle page is a whole entry: no clip, no allocation:
 *		 COMPLETED.
 *  MERGE_RESERVE the clips take entries parked by the merges: nothing is
 *		 allocated under the lock: COMPLETED.
 *  THORPE	 the same with Thorpe's patch: the npages - 1 merges parked
 *		 min(npages - 1, 16) spare entries, the two clips take two of
 *		 them, nothing is allocated under the lock: COMPLETED.  (With
 *		 nothing parked the clip would allocate under the lock and
 *		 the cycle would stand as under MODERN.)
 *
 * Evidence is recorded at detection; the cycle then stands hold_ms more
 * (skipped with CYCLEF_RECOVER) and is broken as the module's watchdog
 * breaks it, by releasing the memory directly (wired pages and pool
 * slots); the unmap then completes.  Memory wired by PRESSURE before the
 * run counts as the reclaimer's (the cycle owns the pressure), but is not
 * released by the break.  The watchdog fires once; if the unmapper is
 * still blocked after that (PRESSURE keeps memory at free_min and the pool
 * had no slot to give back), it is abandoned: error ETIMEDOUT, never a
 * wait.
 */
#include "model_dev.h"
#include "model_map.h"
#include "kshim_util.h"

#define U		0		/* the unmapper */
#define R		1		/* the reclaimer */
#define NTHREADS	2
#define NOBODY		(-1)

#define RUNNABLE	0
#define BLOCKED		1
#define DONE		2

#define RES_LOCK	1		/* the map write lock */
#define RES_MEMORY	2		/* free pages above free_min */

/* Simulated kernel threads (pid 0), as the module names its own. */
static const uint64_t thread_lid[NTHREADS] = { 24039, 24040 };
static const char *const thread_name[NTHREADS] = {
	"uvmshim_unmap", "uvmshim_reclaim"
};
#define WMESG_MEMORY	"vmmapent"	/* a page for a map entry */
#define WMESG_LOCK	"vmmaplk"	/* the map lock */

struct thread {
	int		state;
	int		res;		/* what it is blocked on */
	int		step;
	uint64_t	blocked_at;	/* simulated ms */
	uint64_t	waited;		/* total ms blocked */
};

struct sim {
	struct kshim_model_dev	*md;
	struct model_map	*map;
	struct uvmshim_cycle	*c;
	struct thread		 th[NTHREADS];
	int			 lock_owner;
	uint64_t		 lock_at;
	uint64_t		 now;
	uint64_t		 start, end;	/* the unmapper's range */
};

static int
owner(const struct sim *s, int res)
{

	if (res == RES_LOCK)
		return s->lock_owner;
	/*
	 * A cycle owns the memory pressure (PRESSURE is EBUSY meanwhile):
	 * until it has given its pages back, the reclaimer stands for all
	 * wired memory, including what PRESSURE wired before the run.
	 */
	if (s->th[R].state != DONE)
		return R;
	return NOBODY;
}

static void
block(struct sim *s, int t, int res)
{

	s->th[t].state = BLOCKED;
	s->th[t].res = res;
	s->th[t].blocked_at = s->now;
}

static void
wake(struct sim *s, int res)
{
	int t;

	for (t = 0; t < NTHREADS; t++) {
		if (s->th[t].state == BLOCKED && s->th[t].res == res) {
			s->th[t].state = RUNNABLE;
			s->th[t].waited += s->now - s->th[t].blocked_at;
		}
	}
}

static const char *
wmesg(int res)
{

	return res == RES_LOCK ? WMESG_LOCK : WMESG_MEMORY;
}

/*
 * The unmapper's whole unmap is one model call: if it would sleep, the
 * map is unchanged, and resuming means calling again; the simulated lock
 * it "holds" while asleep is released just before.
 */
static int
run_unmapper(struct sim *s)
{
	struct kshim_effect eff;
	struct model_wait w;
	int error, held = s->lock_owner == U;

	if (held)
		s->lock_owner = NOBODY;
	kshim_memzero(&eff, sizeof(eff));
	kshim_memzero(&w, sizeof(w));
	error = model_map_remove(s->map, s->start, s->end, &eff, &w);
	if (error == 0) {
		s->c->clips = eff.clips_start + eff.clips_end;
		s->c->allocs_locked = eff.allocs_locked;
		s->c->allocs = eff.allocs;
		s->c->frees = eff.frees;
		s->c->reserve_uses = eff.reserve_uses;
		s->c->counted = UVMSHIM_CNT_ALL;	/* the model's own */
		s->th[U].state = DONE;
		wake(s, RES_LOCK);
		return 0;
	}
	if (error != MODEL_EWAIT)
		return error;
	if (w.mw_locked) {
		if (!held)
			s->lock_at = s->now;
		s->lock_owner = U;
	}
	block(s, U, w.mw_reason == MODEL_WAIT_MAPLOCK ? RES_LOCK : RES_MEMORY);
	return 0;
}

static void
run_reclaimer(struct sim *s)
{

	for (;;) {
		switch (s->th[R].step) {
		case 0:		/* vm_map_lock */
			if (s->lock_owner != NOBODY) {
				block(s, R, RES_LOCK);
				return;
			}
			s->lock_owner = R;
			s->lock_at = s->now;
			s->th[R].step = 1;
			break;
		case 1:		/* give the wired pages back */
			s->md->md_phys.ph_cycle = 0;
			wake(s, RES_MEMORY);
			s->th[R].step = 2;
			break;
		default:	/* vm_map_unlock */
			s->lock_owner = NOBODY;
			wake(s, RES_LOCK);
			s->th[R].state = DONE;
			return;
		}
	}
}

/* Does "blocked on -> held by" lead from t back to t? */
static int
in_cycle(const struct sim *s, int t)
{
	int i, cur = t, o;

	for (i = 0; i <= NTHREADS; i++) {
		if (s->th[cur].state != BLOCKED)
			return 0;
		o = owner(s, s->th[cur].res);
		if (o == NOBODY)
			return 0;
		if (o == t)
			return 1;
		cur = o;
	}
	return 0;
}

static void
record_evidence(struct sim *s)
{
	struct uvmshim_cycle *c = s->c;
	int h = s->lock_owner;

	c->verdict = UVMSHIM_CYCLE_DEADLOCK;
	if (h != NOBODY) {
		c->holder_lid = thread_lid[h];
		c->holder_pid = 0;
		kshim_strlcpy(c->holder_name, thread_name[h],
		    sizeof(c->holder_name));
		c->lock_held_ms = s->now - s->lock_at;
	}
	c->unmapper_wait_ms = s->now - s->th[U].blocked_at;
	kshim_strlcpy(c->unmapper_wmesg, wmesg(s->th[U].res),
	    sizeof(c->unmapper_wmesg));
	if (s->th[R].state == BLOCKED) {
		c->reclaimer_wait_ms = s->now - s->th[R].blocked_at;
		kshim_strlcpy(c->reclaimer_wmesg, wmesg(s->th[R].res),
		    sizeof(c->reclaimer_wmesg));
	}
}

/* Everyone left is blocked: detect, hold, break.  Returns 0 or ETIMEDOUT. */
static int
watchdog(struct sim *s)
{
	struct uvmshim_cycle *c = s->c;
	int t;

	if (s->th[U].state != BLOCKED)
		return UVMSHIM_ETIMEDOUT;	/* cannot happen: U blocks R */
	s->now = s->th[U].blocked_at + c->bound_ms;
	if (!in_cycle(s, U))
		return UVMSHIM_ETIMEDOUT;
	record_evidence(s);
	if ((c->flags & UVMSHIM_CYCLEF_RECOVER) == 0)
		s->now += c->hold_ms;

	/* Break it: the memory the unmapper waits for appears. */
	s->md->md_phys.ph_cycle = 0;
	model_pool_unpin(&s->map->mm_pool);
	for (t = 0; t < NTHREADS; t++) {
		if (s->th[t].state == BLOCKED &&
		    (s->th[t].res == RES_MEMORY || s->lock_owner == t)) {
			s->th[t].state = RUNNABLE;
			s->th[t].waited += s->now - s->th[t].blocked_at;
		}
	}
	c->recovered = 1;
	return 0;
}

static int
simulate(struct sim *s)
{
	int t, progressed, fired = 0, error;

	for (;;) {
		progressed = 0;
		for (t = 0; t < NTHREADS; t++) {
			if (s->th[t].state != RUNNABLE)
				continue;
			progressed = 1;
			if (t == U) {
				error = run_unmapper(s);
				if (error != 0)
					return error;
			} else
				run_reclaimer(s);
		}
		if (s->th[U].state == DONE && s->th[R].state == DONE)
			return 0;
		if (progressed)
			continue;
		if (fired)
			return UVMSHIM_ETIMEDOUT;
		fired = 1;
		error = watchdog(s);
		if (error != 0)
			return error;
	}
}

static int
setup(struct sim *s, uint32_t policy, uint32_t npages)
{
	struct kshim_model_dev *md = s->md;
	struct model_phys *ph = &md->md_phys;
	struct kshim_map_args a;
	struct kshim_effect eff;
	uint64_t ps = md->md_page_size, nfree;
	uint32_t i;
	int error;

	error = model_map_create(&md->md_plat, ph, md->md_per_page,
	    md->md_page_size, (uint64_t)npages * ps, policy, 24039, &s->map);
	if (error != 0)
		return error;

	/* 1. npages one-page mappings side by side. */
	for (i = 0; i < npages; i++) {
		a.addr = (uint64_t)i * ps;
		a.size = ps;
		a.prot = UVMSHIM_PROT_READ | UVMSHIM_PROT_WRITE;
		a.flags = UVMSHIM_MAPF_FIXED;
		kshim_memzero(&eff, sizeof(eff));
		error = model_map_enter(s->map, &a, &eff, NULL);
		if (error != 0)
			return error;
	}

	/* 2. No spare entry, and no page to make one from. */
	model_pool_pin(&s->map->mm_pool);
	nfree = model_phys_free(ph);
	ph->ph_cycle = nfree > ph->ph_free_min ? nfree - ph->ph_free_min : 0;

	s->start = (uint64_t)(npages / 2) * ps;
	s->end = s->start + ps;
	return 0;
}

int
model_cycle(void *be, struct uvmshim_cycle *c)
{
	struct kshim_model_dev *md = be;
	struct sim s;
	uint32_t policy;
	int error;

	kshim_memzero(&s, sizeof(s));
	s.md = md;
	s.c = c;
	s.lock_owner = NOBODY;
	policy = c->policy == UVMSHIM_POLICY_DEFAULT ?
	    UVMSHIM_POLICY_MODERN : c->policy;

	c->unmapper_lid = thread_lid[U];
	c->reclaimer_lid = thread_lid[R];
	c->map_kva = 0;

	error = setup(&s, policy, c->npages);
	if (error == 0)
		error = simulate(&s);
	if (error != 0) {
		if (c->verdict != UVMSHIM_CYCLE_DEADLOCK)
			c->verdict = UVMSHIM_CYCLE_ERROR;
		c->error = error;
	} else if (c->verdict == UVMSHIM_CYCLE_NONE) {
		c->verdict = UVMSHIM_CYCLE_COMPLETED;
		c->unmapper_wait_ms = s.th[U].waited;
		c->reclaimer_wait_ms = s.th[R].waited;
		/* A wait that ended by itself (e.g. a reservation) is shown. */
		if (s.th[U].res != 0)
			kshim_strlcpy(c->unmapper_wmesg, wmesg(s.th[U].res),
			    sizeof(c->unmapper_wmesg));
		if (s.th[R].res != 0)
			kshim_strlcpy(c->reclaimer_wmesg, wmesg(s.th[R].res),
			    sizeof(c->reclaimer_wmesg));
	}
	c->elapsed_ms = s.now;

	/* Whatever happened, the machine gets everything back. */
	md->md_phys.ph_cycle = 0;
	if (s.map != NULL) {
		model_pool_unpin(&s.map->mm_pool);
		model_map_destroy(s.map);
	}
	return 0;
}
