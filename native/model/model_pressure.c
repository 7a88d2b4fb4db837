/*
 * model_pressure.c: UVMSHIM_IOC_PRESSURE on the pretend machine.
 *
 * WIRE takes free pages and holds them (as wiring anonymous memory would);
 * without FORCE it refuses to leave fewer than free_min free, and even with
 * FORCE it cannot take pages that are not free.  RELEASE gives back up to
 * npages (0: all) of what PRESSURE holds; asking for more than is held
 * releases everything held.  Every command reports the state afterwards.
 */
#include "model_dev.h"

int
model_pressure(void *be, struct uvmshim_pressure *p)
{
	struct kshim_model_dev *md = be;
	struct model_phys *ph = &md->md_phys;
	uint64_t nfree = model_phys_free(ph), n;

	switch (p->cmd) {
	case UVMSHIM_PRESSURE_WIRE:
		if (p->npages > nfree)
			return UVMSHIM_ENOMEM;
		if ((p->flags & UVMSHIM_PRESSUREF_FORCE) == 0 &&
		    nfree - p->npages < ph->ph_free_min)
			return UVMSHIM_ENOMEM;
		ph->ph_wired += p->npages;
		break;
	case UVMSHIM_PRESSURE_RELEASE:
		n = p->npages;
		if (n == 0 || n > ph->ph_wired)
			n = ph->ph_wired;
		ph->ph_wired -= n;
		break;
	case UVMSHIM_PRESSURE_QUERY:
	default:
		break;
	}
	p->held_pages = ph->ph_wired;
	p->free_pages = model_phys_free(ph);
	p->free_min = ph->ph_free_min;
	p->free_target = ph->ph_free_target;
	p->total_pages = ph->ph_total;
	return 0;
}
