/*
 * kshim_digest.h: what a batch's or a dump's digest sums up, decided once.
 *
 * A harness comparing a kernel with the model sends the kernel's results
 * over a serial line that carries a few tens of KiB/s.  Both targets
 * compute these digests with this code, so the harness can compare two
 * 64-bit numbers and fetch the full results only when they differ.
 *
 * A digest covers exactly what the harness compares op by op, no more:
 *  result	the op's kind, error, outcome and addr; for a map or unmap
 *		that succeeded, also allocs, frees, allocs_locked and clips.
 *		Not nentries, nsec, reserve_uses or counted: timings differ
 *		on every run, and the others are per-target bookkeeping.
 *  entry	start, end and prot (not maxprot or flags).
 * Each field goes in as 8 little-endian bytes of FNV-1a (64 bit), in the
 * order above, results in op order and entries in address order.  It is
 * a checksum against accidents, not against an adversary.
 */
#ifndef KSHIM_DIGEST_H
#define KSHIM_DIGEST_H

#include "uvmshim_ioctl.h"

/* The digest of nothing: FNV-1a's offset basis. */
#define KSHIM_DIGEST_INIT	0xcbf29ce484222325ULL

uint64_t kshim_digest_result(uint64_t h, uint32_t kind,
	    const struct uvmshim_op_result *r);
uint64_t kshim_digest_entry(uint64_t h, const struct uvmshim_entry *e);

#endif /* KSHIM_DIGEST_H */
