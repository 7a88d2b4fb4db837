/*
 * model_dev.h: a model device, the freestanding entry points.
 *
 * libkshim_model.so wraps these for the host (model_host.c); the test
 * guest calls them directly, with its own platform and with target
 * UVMSHIM_TARGET_TESTGUEST.  A device is one open of /dev/uvmshim: its
 * own pretend machine (memory, free_min), its own maps.
 */
#ifndef MODEL_DEV_H
#define MODEL_DEV_H

#include "kshim_core.h"
#include "kshim_model.h"
#include "model_platform.h"
#include "model_pool.h"

struct kshim_model_dev {
	struct kshim_core	 md_core;
	struct model_platform	 md_plat;
	struct model_phys	 md_phys;
	uint32_t		 md_page_size;
	uint32_t		 md_per_page;
	uint32_t		 md_target;	/* enum uvmshim_target */
	uint32_t		 md_seed;	/* next map's treap seed */
};

/* Largest entries_per_page a config may ask for. */
#define MODEL_MAX_ENTRIES_PER_PAGE	4096U
/* Largest page size a config may ask for. */
#define MODEL_MAX_PAGE_SIZE		(1U << 20)

/*
 * Check a config and fill in the defaults of its zero fields: EINVAL for
 * nonzero reserved fields, a page size that is not a power of two in
 * [4096, 1 MiB], entries_per_page above MODEL_MAX_ENTRIES_PER_PAGE, or
 * free_min >= total_pages.
 */
int	kshim_model_config_resolve(const struct kshim_model_config *in,
	    struct kshim_model_config *out);

/* config may be NULL (defaults); the platform is copied. */
int	kshim_model_dev_create(const struct kshim_model_config *config,
	    const struct model_platform *plat, uint32_t target,
	    struct kshim_model_dev **devp);
void	kshim_model_dev_destroy(struct kshim_model_dev *md);

/*
 * d_ioctl on the device: data is the argument, already in the device's
 * memory (the caller emulates sys_ioctl's copyin/copyout).
 */
int	kshim_model_dev_ioctl(struct kshim_model_dev *md, uint32_t cmd,
	    void *data);

/* The hooks model_backend.c cannot do in one line. */
int	model_pressure(void *be, struct uvmshim_pressure *p);
int	model_cycle(void *be, struct uvmshim_cycle *c);
int	model_stress(void *be, struct kshim_core *kc, struct kshim_slot *slot,
	    struct uvmshim_stress *s);

#endif /* MODEL_DEV_H */
