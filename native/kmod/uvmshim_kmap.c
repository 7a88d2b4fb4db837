/*
 * uvmshim_kmap.c: UVMSHIM_IOC_KMAP_SUMMARY, a read-only look at
 * kernel_map.
 *
 * One walk of the entry list under vm_map_lock_read(kernel_map): nothing
 * is allocated and nothing sleeps while the lock is held, so the walk
 * delays kernel_map writers for microseconds (kernel_map holds hundreds
 * to a few thousand entries).  The merge counters are read from the
 * evcnts found at load (uvmshim_feat.c); note that the module's own test
 * maps use pmap_kernel() and so count as kernel maps (k*) too.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <uvm/uvm.h>

#include "uvmshim_var.h"

int
uvmshim_kmap_summary(void *be, struct uvmshim_kmap_summary *k)
{
	struct uvmshim_softc *sc = be;
	struct vm_map *map = kernel_map;
	struct vm_map_entry *e;
	struct evcnt *const *ev = sc->sc_feat.uf_ev;
	vaddr_t prev_end;
	vsize_t gap;

	memset(k, 0, sizeof(*k));
	vm_map_lock_read(map);
	k->min = vm_map_min(map);
	k->max = vm_map_max(map);
	prev_end = vm_map_min(map);
	for (e = map->header.next; e != &map->header; e = e->next) {
		k->nentries++;
		k->mapped_bytes += e->end - e->start;
		if (e->flags & UVM_MAP_NOMERGE)
			k->nomerge_entries++;
		gap = e->start > prev_end ? e->start - prev_end : 0;
		if (gap > k->largest_gap)
			k->largest_gap = gap;
		prev_end = e->end;
	}
	gap = vm_map_max(map) > prev_end ? vm_map_max(map) - prev_end : 0;
	if (gap > k->largest_gap)
		k->largest_gap = gap;
	vm_map_unlock_read(map);

	if (sc->sc_feat.uf_bits & UVMSHIM_FEAT_UVMMAP_COUNTERS) {
		k->counters_valid = 1;
		k->kbackmerge = ev[0]->ev_count;
		k->kforwmerge = ev[1]->ev_count;
		k->kbimerge = ev[2]->ev_count;
		k->knomerge = ev[3]->ev_count;
		k->ubackmerge = ev[4]->ev_count;
		k->uforwmerge = ev[5]->ev_count;
		k->ubimerge = ev[6]->ev_count;
		k->unomerge = ev[7]->ev_count;
	}
	return 0;
}
