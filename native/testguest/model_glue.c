/*
 * model_glue.c: the reference model inside the guest.  The model's
 * freestanding entry points (model_dev.h) get the guest's platform: the
 * heap for its bookkeeping and the calibrated TSC for its op timings.
 * Built with TG_WITH_MODEL=0 (no model sources), every call is a stub and
 * the device answers VERSION by itself and ENOTTY otherwise.
 */
#include "model_glue.h"

#if TG_WITH_MODEL
#include "clock.h"
#include "heap.h"
#include "model_dev.h"
#include "uvmshim_ioctl.h"

static struct kshim_model_dev *dev;

static void *
tg_alloc(void *ctx, size_t size)
{
	(void)ctx;
	return heap_alloc(size);
}

static void
tg_free(void *ctx, void *p, size_t size)
{
	(void)ctx;
	(void)size;
	heap_free(p);
}

static uint64_t
tg_nsec(void *ctx)
{
	(void)ctx;
	return clock_nsec();
}

static const struct model_platform tg_platform = {
	.mp_alloc = tg_alloc,
	.mp_free = tg_free,
	.mp_nsec = tg_nsec,
	.mp_ctx = 0,
};

int
model_glue_present(void)
{
	return 1;
}

int32_t
model_glue_open(void)
{
	if (dev != 0)
		return 0;
	/* A fresh heap per "module load": nothing survives an unload. */
	heap_reset();
	return kshim_model_dev_create(0, &tg_platform,
	    UVMSHIM_TARGET_TESTGUEST, &dev);
}

void
model_glue_close(void)
{
	if (dev != 0)
		kshim_model_dev_destroy(dev);
	dev = 0;
	heap_reset();
}

int32_t
model_glue_ioctl(uint32_t cmd, void *arg)
{
	if (dev == 0)
		return 6;	/* ENXIO */
	return kshim_model_dev_ioctl(dev, cmd, arg);
}

#else /* !TG_WITH_MODEL */

int
model_glue_present(void)
{
	return 0;
}

int32_t
model_glue_open(void)
{
	return 0;
}

void
model_glue_close(void)
{
}

int32_t
model_glue_ioctl(uint32_t cmd, void *arg)
{
	(void)cmd;
	(void)arg;
	return 25;	/* ENOTTY */
}

#endif /* TG_WITH_MODEL */
