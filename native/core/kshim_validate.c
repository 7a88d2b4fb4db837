/*
 * kshim_validate.c: what a well-formed request is (see kshim_validate.h).
 *
 * Every check is overflow-safe: offsets and sizes come straight from the
 * caller, and addr + size may wrap.
 */
#include "kshim_validate.h"
#include "kshim_util.h"

#define PAGE_OFF(v, ps)	((v) & ((uint64_t)(ps) - 1))

int
kshim_check_inside(uint64_t addr, uint64_t size, uint64_t map_size)
{

	if (size > map_size || addr > map_size - size)
		return UVMSHIM_EINVAL;
	return 0;
}

int
kshim_check_mapping(uint64_t addr, uint64_t size, uint32_t prot,
    uint32_t flags, uint32_t page_size)
{

	if ((flags & ~UVMSHIM_MAPF_ALL) != 0 ||
	    (prot & ~UVMSHIM_PROT_ALL) != 0)
		return UVMSHIM_EINVAL;
	if (size == 0 || PAGE_OFF(size, page_size) != 0 ||
	    PAGE_OFF(addr, page_size) != 0)
		return UVMSHIM_EINVAL;
	return 0;
}

int
kshim_check_range(uint64_t start, uint64_t end, uint32_t page_size)
{

	if (PAGE_OFF(start, page_size) != 0 || PAGE_OFF(end, page_size) != 0)
		return UVMSHIM_EINVAL;
	if (end <= start)
		return UVMSHIM_EINVAL;
	return 0;
}

int
kshim_check_map_create(const struct uvmshim_map_create *c,
    uint32_t page_size)
{

	if (c->flags != 0 || c->pad0 != 0 ||
	    !kshim_is_zero(c->reserved, sizeof(c->reserved)))
		return UVMSHIM_EINVAL;
	if (c->policy >= UVMSHIM_POLICY_COUNT)
		return UVMSHIM_EINVAL;
	if (c->size == 0 || PAGE_OFF(c->size, page_size) != 0 ||
	    c->size > UVMSHIM_MAX_MAP_SIZE)
		return UVMSHIM_EINVAL;
	return 0;
}

int
kshim_check_map_ref(const struct uvmshim_map_ref *r)
{

	return r->pad0 != 0 ? UVMSHIM_EINVAL : 0;
}

int
kshim_check_map_req(const struct uvmshim_map_req *r, uint32_t page_size)
{

	if (r->pad0 != 0 || r->pad1 != 0)
		return UVMSHIM_EINVAL;
	return kshim_check_mapping(r->addr, r->size, r->prot, r->flags,
	    page_size);
}

int
kshim_check_unmap_req(const struct uvmshim_unmap_req *r, uint32_t page_size)
{

	if (r->flags != 0)
		return UVMSHIM_EINVAL;
	return kshim_check_range(r->start, r->end, page_size);
}

int
kshim_check_lookup(const struct uvmshim_lookup *l)
{

	return l->pad0 != 0 ? UVMSHIM_EINVAL : 0;
}

int
kshim_check_batch(const struct uvmshim_batch *b)
{

	int gen = (b->flags & UVMSHIM_BATCHF_GENERATE) != 0;

	if (b->pad0 != 0 || b->pad1 != 0 ||
	    (b->flags & ~UVMSHIM_BATCHF_ALL) != 0 || b->nops == 0)
		return UVMSHIM_EINVAL;
	if (gen ? (b->ops != 0 || b->gen_max_pages == 0 ||
	    (b->flags & UVMSHIM_BATCHF_REPEAT) != 0) :
	    (b->ops == 0 || b->gen_max_pages != 0))
		return UVMSHIM_EINVAL;
	if ((b->flags & UVMSHIM_BATCHF_AT) != 0 &&
	    (b->flags & UVMSHIM_BATCHF_REPEAT) == 0)
		return UVMSHIM_EINVAL;
	if (b->nops > UVMSHIM_MAX_BATCH_OPS)
		return UVMSHIM_E2BIG;
	return 0;
}

int
kshim_check_stats(const struct uvmshim_stats *s)
{

	if ((s->flags & ~UVMSHIM_STATSF_RESET) != 0 ||
	    !kshim_is_zero(s->reserved, sizeof(s->reserved)))
		return UVMSHIM_EINVAL;
	return 0;
}

int
kshim_check_dump(const struct uvmshim_dump *d)
{

	if (d->pad0 != 0 || (d->flags & ~UVMSHIM_DUMPF_ALL) != 0 ||
	    (d->capacity != 0 && d->entries == 0))
		return UVMSHIM_EINVAL;
	if (d->capacity > UVMSHIM_MAX_DUMP_ENTRIES)
		return UVMSHIM_E2BIG;
	return 0;
}

int
kshim_check_pressure(const struct uvmshim_pressure *p)
{

	if (p->cmd > UVMSHIM_PRESSURE_RELEASE ||
	    (p->flags & ~UVMSHIM_PRESSUREF_FORCE) != 0)
		return UVMSHIM_EINVAL;
	if (p->cmd == UVMSHIM_PRESSURE_WIRE && p->npages == 0)
		return UVMSHIM_EINVAL;
	return 0;
}

int
kshim_check_cycle(const struct uvmshim_cycle *c)
{

	if (c->policy >= UVMSHIM_POLICY_COUNT ||
	    (c->flags & ~UVMSHIM_CYCLEF_ALL) != 0 ||
	    !kshim_is_zero(c->reserved, sizeof(c->reserved)))
		return UVMSHIM_EINVAL;
	if (c->bound_ms < UVMSHIM_MIN_CYCLE_BOUND_MS ||
	    c->bound_ms > UVMSHIM_MAX_CYCLE_BOUND_MS ||
	    c->hold_ms > UVMSHIM_MAX_CYCLE_HOLD_MS ||
	    c->npages < UVMSHIM_MIN_CYCLE_PAGES ||
	    c->npages > UVMSHIM_MAX_CYCLE_PAGES)
		return UVMSHIM_EINVAL;
	return 0;
}

int
kshim_check_stress(const struct uvmshim_stress *s)
{

	if (s->flags != 0 ||
	    s->nthreads == 0 || s->nthreads > UVMSHIM_MAX_STRESS_THREADS ||
	    s->duration_ms == 0 || s->duration_ms > UVMSHIM_MAX_STRESS_MS ||
	    s->max_pages == 0 || s->max_pages > UVMSHIM_MAX_STRESS_PAGES)
		return UVMSHIM_EINVAL;
	return 0;
}

int
kshim_check_op_kind(const struct uvmshim_op *op)
{

	return op->kind >= UVMSHIM_OP_KIND_COUNT ? UVMSHIM_EINVAL : 0;
}

int
kshim_check_op(const struct uvmshim_op *op, uint64_t map_size,
    uint32_t page_size)
{
	int error;

	switch (op->kind) {
	case UVMSHIM_OP_NOP:
		if (op->flags != 0 || op->addr != 0 || op->size != 0 ||
		    op->prot != 0 || op->arg != 0)
			return UVMSHIM_EINVAL;
		return 0;
	case UVMSHIM_OP_MAP:
		if (op->arg != 0)
			return UVMSHIM_EINVAL;
		error = kshim_check_mapping(op->addr, op->size, op->prot,
		    op->flags, page_size);
		if (error != 0)
			return error;
		return kshim_check_inside(op->addr, op->size, map_size);
	case UVMSHIM_OP_UNMAP:
		if (op->flags != 0 || op->prot != 0 || op->arg != 0)
			return UVMSHIM_EINVAL;
		/* Inside first: then addr + size cannot wrap. */
		if (op->size == 0 ||
		    kshim_check_inside(op->addr, op->size, map_size) != 0)
			return UVMSHIM_EINVAL;
		return kshim_check_range(op->addr, op->addr + op->size,
		    page_size);
	case UVMSHIM_OP_LOOKUP:
		if (op->flags != 0 || op->size != 0 || op->prot != 0 ||
		    op->arg != 0)
			return UVMSHIM_EINVAL;
		return op->addr < map_size ? 0 : UVMSHIM_EINVAL;
	case UVMSHIM_OP_EXPECT_ENTRIES:
		if (op->flags != 0 || op->addr != 0 || op->size != 0 ||
		    op->prot != 0)
			return UVMSHIM_EINVAL;
		return 0;
	default:
		return UVMSHIM_EINVAL;
	}
}
