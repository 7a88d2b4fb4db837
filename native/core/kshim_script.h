/*
 * kshim_script.h: random op scripts, decided once.
 *
 * The fuzz scenario compares a kernel with the model on seeded random
 * scripts.  Sending a script into a guest costs its whole size on the
 * slowest direction of the serial line, so the kernel makes the script
 * itself (UVMSHIM_BATCHF_GENERATE) and the host makes the same one for
 * the model with this code (kshim_model_script in libkshim_model.so).
 *
 * Each op draws from splitmix64 (kshim_stress_rand), in this order:
 * pages = 1 + r % max_pages; at = r % max(1, map_pages - pages);
 * dice = r % 100.  Below 45 a map of [at, at + pages) pages, read-only
 * when r % 4 == 0, FIXED when r % 3 == 0, NOMERGE when r % 8 == 0; below
 * 85 an unmap of the same range; else a lookup at `at'.
 */
#ifndef KSHIM_SCRIPT_H
#define KSHIM_SCRIPT_H

#include "uvmshim_ioctl.h"

/* The next op of a script; *state moves on. */
void	kshim_script_next(uint64_t *state, uint64_t map_pages,
	    uint32_t max_pages, uint64_t page_size, struct uvmshim_op *op);

#endif /* KSHIM_SCRIPT_H */
