/*
 * model_platform.h: what the model needs from the machine it runs on.
 *
 * The model's map logic is freestanding so that the same code runs in
 * libkshim_model.so (model_host.c: malloc, clock_gettime) and inside the
 * harness's multiboot test guest (its heap and TSC clock).  Nothing else
 * of the environment is used: no threads, no blocking, no I/O.
 */
#ifndef MODEL_PLATFORM_H
#define MODEL_PLATFORM_H

#include "uvmshim_ioctl.h"

#if !defined(_KERNEL) && !defined(_STANDALONE)
#include <stddef.h>
#endif

struct model_platform {
	/* Memory for the model's own bookkeeping, or NULL when out. */
	void		*(*mp_alloc)(void *ctx, size_t size);
	/* Give back what mp_alloc returned; size is what was asked for. */
	void		(*mp_free)(void *ctx, void *p, size_t size);
	/* A monotonic clock in nanoseconds, for op timings. */
	uint64_t	(*mp_nsec)(void *ctx);
	void		*mp_ctx;
};

#endif /* MODEL_PLATFORM_H */
