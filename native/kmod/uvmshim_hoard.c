/*
 * uvmshim_hoard.c: taking free pages away from the system, and giving
 * them back (UVMSHIM_IOC_PRESSURE, and the pressure of the cycle).
 *
 * Pages come from uvm_pagealloc(NULL, 0, NULL, 0): they belong to no
 * object and sit on no paging queue, so the pagedaemon cannot reclaim
 * them; they are as good as wired.  Without UVM_PGA_USERESERVE the
 * allocation fails once uvmexp.free is down to reserve_kernel for the
 * caller's priority class (a PRI_KTHREAD thread gets the reserve
 * implicitly, see uvm_pagealloc_strat), which is exactly the point below
 * which an ordinary map-entry allocation has to wait.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/kernel.h>
#include <sys/pool.h>
#include <uvm/uvm.h>

#include "uvmshim_var.h"

/* Settling: rounds of one tick with nothing new, and a bound on rounds. */
#define SETTLE_QUIET_ROUNDS	5
#define SETTLE_MAX_ROUNDS	500
/* More pools than any kernel has: pool_drain() goes round-robin. */
#define MAX_POOLS		100000

void
uvmshim_hoard_init(struct uvmshim_hoard *h)
{

	TAILQ_INIT(&h->uh_pages);
	h->uh_npages = 0;
}

uint64_t
uvmshim_hoard_take(struct uvmshim_hoard *h, uint64_t n)
{
	struct vm_page *pg;
	uint64_t got;

	for (got = 0; got < n; got++) {
		pg = uvm_pagealloc(NULL, 0, NULL, 0);
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
 * Take every page that can be had, including those the pagedaemon and
 * the pool reclaim free in response, until several ticks in a row yield
 * nothing.  Every failed allocation kicks the pagedaemon; the pause lets
 * it run.  What is left free afterwards is the kernel's reserve.
 */
uint64_t
uvmshim_hoard_take_settled(struct uvmshim_hoard *h)
{
	uint64_t got, total = 0;
	int round, quiet = 0;

	for (round = 0; round < SETTLE_MAX_ROUNDS &&
	    quiet < SETTLE_QUIET_ROUNDS; round++) {
		got = uvmshim_hoard_take(h, UINT64_MAX);
		drain_all_pools();
		got += uvmshim_hoard_take(h, UINT64_MAX);
		total += got;
		quiet = got == 0 ? quiet + 1 : 0;
		kpause("uvmshset", false, 1, NULL);
	}
	return total;
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
		if (uvmshim_hoard_take(&tmp, p->npages) < p->npages) {
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
