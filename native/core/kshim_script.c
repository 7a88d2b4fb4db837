/*
 * kshim_script.c: the random op scripts of kshim_script.h.
 */
#include "kshim_script.h"
#include "kshim_stress.h"
#include "kshim_util.h"

void
kshim_script_next(uint64_t *state, uint64_t map_pages, uint32_t max_pages,
    uint64_t page_size, struct uvmshim_op *op)
{
	uint64_t pages, span, at;
	uint32_t dice;

	kshim_memzero(op, sizeof(*op));
	pages = 1 + kshim_stress_rand(state) % (max_pages != 0 ? max_pages : 1);
	span = map_pages > pages ? map_pages - pages : 1;
	at = kshim_stress_rand(state) % span;
	dice = (uint32_t)(kshim_stress_rand(state) % 100);
	op->addr = at * page_size;
	if (dice >= 85) {
		op->kind = UVMSHIM_OP_LOOKUP;
		return;
	}
	op->size = pages * page_size;
	if (dice >= 45) {
		op->kind = UVMSHIM_OP_UNMAP;
		return;
	}
	op->kind = UVMSHIM_OP_MAP;
	op->prot = kshim_stress_rand(state) % 4 == 0 ? UVMSHIM_PROT_READ :
	    UVMSHIM_PROT_READ | UVMSHIM_PROT_WRITE;
	if (kshim_stress_rand(state) % 3 == 0)
		op->flags |= UVMSHIM_MAPF_FIXED;
	if (kshim_stress_rand(state) % 8 == 0)
		op->flags |= UVMSHIM_MAPF_NOMERGE;
}
