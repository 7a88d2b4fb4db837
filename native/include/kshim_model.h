/*
 * kshim_model.h: the host reference model, libkshim_model.so.
 *
 * The model answers the uvmshim ioctls (uvmshim_ioctl.h) with exactly the
 * kernel device's semantics, so that the harness can drive it through the
 * same device abstraction as a real kernel, and so that scenarios get exact
 * expected values.  In the model, "user pointers" inside requests are plain
 * host pointers.
 *
 * Every function returns 0 or a UVMSHIM_E* errno (NetBSD numbering).
 * A handle is not thread-safe; use one per thread.
 */
#ifndef KSHIM_MODEL_H
#define KSHIM_MODEL_H

#include "uvmshim_ioctl.h"

#define KSHIM_MODEL_DEFAULT_PAGE_SIZE	4096U
#define KSHIM_MODEL_DEFAULT_TOTAL_PAGES	65536U
#define KSHIM_MODEL_DEFAULT_FREE_MIN	64U
#define KSHIM_MODEL_DEFAULT_ENTRIES_PER_PAGE	32U

/*
 * Machine the model pretends to run on.  A zero field takes its default;
 * reserved fields must be zero.
 */
struct kshim_model_config {
	uint32_t page_size;		/* power of two, >= 4096 */
	uint32_t entries_per_page;	/* map entries carved from one page */
	uint64_t total_pages;		/* physical pages */
	uint64_t free_min;		/* pages an entry allocation may not dip below */
	uint64_t reserved[4];
};

#ifdef __cplusplus
extern "C" {
#endif

/* Open a model device; config may be NULL for the defaults. */
int32_t kshim_model_open(const struct kshim_model_config *config, uint64_t *handle);

/* Close it, freeing every map (the kernel's close + module unload). */
int32_t kshim_model_close(uint64_t handle);

/* ioctl(2) on the model device: cmd is a UVMSHIM_IOC_* value. */
int32_t kshim_model_ioctl(uint64_t handle, uint32_t cmd, void *arg);

/*
 * The nops ops of the random script that UVMSHIM_BATCHF_GENERATE makes
 * from seed on a map of map_pages pages (native/core/kshim_script.h):
 * what a kernel runs without the ops crossing the line.  EINVAL when ops
 * is NULL, max_pages or page_size is zero.
 */
int32_t kshim_model_script(uint64_t seed, uint64_t map_pages, uint32_t max_pages,
    uint32_t page_size, struct uvmshim_op *ops, uint32_t nops);

#ifdef __cplusplus
}
#endif

#endif /* KSHIM_MODEL_H */
