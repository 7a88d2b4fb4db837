/*
 * kshim_validate.h: request validation for every struct of the ioctl ABI.
 *
 * Each check returns 0 or the UVMSHIM_E* errno the ABI documents.  The
 * dispatcher checks in a fixed order, so that a request with several
 * faults always gets the same answer on every target:
 *
 *  1. shape: unknown enum values and flags, nonzero pad and reserved
 *     fields, zero or unaligned sizes, counts and durations out of range
 *     (EINVAL, or E2BIG for a count above its UVMSHIM_MAX_* bound);
 *  2. the map id (ENOENT);
 *  3. ranges that depend on the map's size (EINVAL).
 *
 * Pure functions, no side effects; the page size is the target's.
 */
#ifndef KSHIM_VALIDATE_H
#define KSHIM_VALIDATE_H

#include "uvmshim_ioctl.h"

int	kshim_check_map_create(const struct uvmshim_map_create *c,
	    uint32_t page_size);
int	kshim_check_map_ref(const struct uvmshim_map_ref *r);
int	kshim_check_map_req(const struct uvmshim_map_req *r,
	    uint32_t page_size);
int	kshim_check_unmap_req(const struct uvmshim_unmap_req *r,
	    uint32_t page_size);
int	kshim_check_lookup(const struct uvmshim_lookup *l);
int	kshim_check_batch(const struct uvmshim_batch *b);
int	kshim_check_stats(const struct uvmshim_stats *s);
int	kshim_check_dump(const struct uvmshim_dump *d);
int	kshim_check_pressure(const struct uvmshim_pressure *p);
int	kshim_check_cycle(const struct uvmshim_cycle *c);
int	kshim_check_stress(const struct uvmshim_stress *s);

/* Shape of a mapping (steps 1 and 3): flags, prot, size, alignment. */
int	kshim_check_mapping(uint64_t addr, uint64_t size, uint32_t prot,
	    uint32_t flags, uint32_t page_size);
/* [addr, addr + size) inside a map of map_size bytes (no overflow). */
int	kshim_check_inside(uint64_t addr, uint64_t size, uint64_t map_size);
/* Unmap range [start, end): aligned, non-empty (step 1). */
int	kshim_check_range(uint64_t start, uint64_t end, uint32_t page_size);

/*
 * Batch ops.  kshim_check_op_kind is the pre-pass (an unknown kind fails
 * the whole batch); kshim_check_op the full per-op check (its errno goes
 * into that op's result).  Fields an op kind does not use must be zero.
 */
int	kshim_check_op_kind(const struct uvmshim_op *op);
int	kshim_check_op(const struct uvmshim_op *op, uint64_t map_size,
	    uint32_t page_size);

#endif /* KSHIM_VALIDATE_H */
