/*
 * uvmshim_hoard.c: taking free pages away from the system, and giving
 * them back (UVMSHIM_IOC_PRESSURE, and the pressure of the cycle).
 *
 * Pages come from uvm_pagealloc(NULL, 0, NULL, flags): they belong to
 * no object and sit on no paging queue, so the pagedaemon cannot reclaim
 * them; they are as good as wired.  Without UVM_PGA_USERESERVE the
 * allocation fails once free pages are down to reserve_kernel (a kernel
 * thread gets the reserve implicitly, see uvm_pagealloc_strat), the point
 * below which an ordinary map-entry allocation has to wait; PRESSURE
 * stops there.  With it, only the pagedaemon's own reserve
 * (reserve_pagedaemon) is left: the cycle takes that much, so that a few
 * pages coming free elsewhere still leave an ordinary allocation short.
 *
 * Versions: the reserve goes implicitly to threads at PRI_KTHREAD or
 * above through 9.99.59, to every LW_SYSTEM thread by 9.99.71; since the
 * 2019 page allocator (by 9.99.59) both limits hold per free-list bucket,
 * and each CPU keeps a small cache of free pages (uvm_pgflcache) that only
 * allocations on that CPU draw from.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/kernel.h>
#include <sys/pool.h>
#include <uvm/uvm.h>

#include "uvmshim_var.h"

/* Settling: rounds with nothing new, a bound on rounds. */
#define SETTLE_QUIET_ROUNDS	20
#define SETTLE_MAX_ROUNDS	2000
/* More pools than any kernel has: pool_drain() goes round-robin. */
#define MAX_POOLS		100000
/* pool_inactive_time: a plausible value, in seconds. */
#define POOL_INACTIVE_MAX_S	3600

void
uvmshim_hoard_init(struct uvmshim_hoard *h)
{

	TAILQ_INIT(&h->uh_pages);
	h->uh_npages = 0;
}

uint64_t
uvmshim_hoard_take(struct uvmshim_hoard *h, uint64_t n, int pgaflags)
{
	struct vm_page *pg;
	uint64_t got;

	for (got = 0; got < n; got++) {
		pg = uvm_pagealloc(NULL, 0, NULL, pgaflags);
		if (pg == NULL)
			break;
		TAILQ_INSERT_TAIL(&h->uh_pages, pg, pageq.queue);
	}
	h->uh_npages += got;
	return got;
}

/* Reclaim idle pool pages everywhere, as the pagedaemon does one pool at
 * a time, so that they too can be taken. */
static void
drain_all_pools(void)
{
	struct pool *first = NULL, *pp;
	int i;

	for (i = 0; i < MAX_POOLS; i++) {
		pp = NULL;
		(void)pool_drain(&pp);
		if (pp == NULL || pp == first)
			break;
		if (first == NULL)
			first = pp;
	}
}

/*
 * pool_inactive_time (sys/kern/subr_pool.c, an int, seconds; 10 in every
 * version so far): pool_reclaim() gives back only the empty pool pages
 * that have been empty at least that long ("if (curtime - ph->ph_time <
 * pool_inactive_time) continue;", the same in 7.99.4 and 10.99.12).  It
 * is in no header, so it is found through ksyms.  0 gives every empty
 * page back at once (the difference is unsigned or never negative).
 * Returns 0 and its address; ENOENT when the symbol is not there; ERANGE
 * with the value it holds when that is not a plausible one (0 to an
 * hour): then it is left alone.
 */
int
uvmshim_pool_inactive_time(int **varp, int *valp)
{
	unsigned long v;
	int val;

	*varp = NULL;
	*valp = 0;
	if (uvmshim_ksym("pool_inactive_time", 0, &v) != 0 || v == 0)
		return ENOENT;
	val = *(volatile int *)v;
	*valp = val;
	if (val < 0 || val > POOL_INACTIVE_MAX_S)
		return ERANGE;
	*varp = (int *)v;
	return 0;
}

/*
 * Take every page that can be had, including those the pagedaemon and
 * the pool reclaim free in response, until several rounds in a row yield
 * nothing and at least min_ms has passed.  Every failed allocation kicks
 * the pagedaemon; the pause lets it run.  What is left free afterwards is
 * the kernel's reserve.
 *
 * Empty pool pages younger than pool_inactive_time are not given back by
 * pool_reclaim(); left behind, they come free by themselves seconds later
 * (the pagedaemon's pool drain), while the cycle stands, and end it.  The
 * cycle therefore settles with pool_inactive_time set to 0 and min_ms 0
 * (every round's drain gives back every empty page, and the round takes
 * it), or, when that tunable cannot be used, with min_ms past
 * pool_inactive_time, so that the pages emptied at the start age out.
 */
uint64_t
uvmshim_hoard_take_settled(struct uvmshim_hoard *h, uint64_t min_ms,
    int pgaflags)
{
	uint64_t got, total = 0, t0 = uvmshim_nsec();
	uint64_t min_ns = min_ms * 1000000;
	int round, quiet = 0;

	for (round = 0; round < SETTLE_MAX_ROUNDS; round++) {
		got = uvmshim_hoard_take(h, UINT64_MAX, pgaflags);
		drain_all_pools();
		got += uvmshim_hoard_take(h, UINT64_MAX, pgaflags);
		total += got;
		quiet = got == 0 ? quiet + 1 : 0;
		if (quiet >= SETTLE_QUIET_ROUNDS &&
		    uvmshim_nsec() - t0 >= min_ns)
			break;
		/* Fast rounds first; then one every 100 ms up to min_ms. */
		kpause("uvmshset", false, quiet >= SETTLE_QUIET_ROUNDS ?
		    MAX(hz / 10, 1) : 1, NULL);
	}
	return total;
}

/*
 * Reclaim idle pool pages everywhere and take them, and whatever else is
 * free, before anyone else can: no sleep between the two that a page
 * freed by the first could be allocated in (pool_drain itself may sleep
 * between pools).  May sleep: no spin or adaptive lock held.
 */
uint64_t
uvmshim_hoard_reclaim(struct uvmshim_hoard *h, int pgaflags)
{

	drain_all_pools();
	return uvmshim_hoard_take(h, UINT64_MAX, pgaflags);
}

void
uvmshim_hoard_move(struct uvmshim_hoard *to, struct uvmshim_hoard *from)
{

	TAILQ_CONCAT(&to->uh_pages, &from->uh_pages, pageq.queue);
	to->uh_npages += from->uh_npages;
	from->uh_npages = 0;
}

uint64_t
uvmshim_hoard_release(struct uvmshim_hoard *h, uint64_t n)
{
	struct vm_page *pg;
	uint64_t done;

	for (done = 0; done < n; done++) {
		pg = TAILQ_FIRST(&h->uh_pages);
		if (pg == NULL)
			break;
		TAILQ_REMOVE(&h->uh_pages, pg, pageq.queue);
		uvm_pagefree(pg);
	}
	h->uh_npages -= done;
	return done;
}

int
uvmshim_pressure(void *be, struct uvmshim_pressure *p)
{
	struct uvmshim_softc *sc = be;
	struct uvmshim_hoard tmp;
	int64_t nfree;
	uint64_t n;
	int error = 0;

	mutex_enter(&sc->sc_hoard_lock);
	switch (p->cmd) {
	case UVMSHIM_PRESSURE_WIRE:
		nfree = UVMSHIM_FREE_PAGES();
		if (nfree < 0 || p->npages > (uint64_t)nfree)
			error = ENOMEM;
		else if ((p->flags & UVMSHIM_PRESSUREF_FORCE) == 0 &&
		    (uint64_t)nfree - p->npages < (uint64_t)uvmexp.freemin)
			error = ENOMEM;
		if (error != 0)
			break;
		/* All or nothing. */
		uvmshim_hoard_init(&tmp);
		if (uvmshim_hoard_take(&tmp, p->npages, 0) < p->npages) {
			uvmshim_hoard_release(&tmp, UINT64_MAX);
			error = ENOMEM;
			break;
		}
		uvmshim_hoard_move(&sc->sc_pressure, &tmp);
		break;
	case UVMSHIM_PRESSURE_RELEASE:
		n = p->npages;
		if (n == 0 || n > sc->sc_pressure.uh_npages)
			n = sc->sc_pressure.uh_npages;
		uvmshim_hoard_release(&sc->sc_pressure, n);
		break;
	case UVMSHIM_PRESSURE_QUERY:
		break;
	default:
		error = EINVAL;
		break;
	}
	p->held_pages = sc->sc_pressure.uh_npages;
	mutex_exit(&sc->sc_hoard_lock);

	nfree = UVMSHIM_FREE_PAGES();
	p->free_pages = nfree < 0 ? 0 : (uint64_t)nfree;
	p->free_min = (uint64_t)uvmexp.freemin;
	p->free_target = (uint64_t)uvmexp.freetarg;
	p->total_pages = (uint64_t)uvmexp.npages;
	return error;
}

void
uvmshim_pressure_fini(struct uvmshim_softc *sc)
{

	mutex_enter(&sc->sc_hoard_lock);
	uvmshim_hoard_release(&sc->sc_pressure, UINT64_MAX);
	mutex_exit(&sc->sc_hoard_lock);
}
