/*
 * model_dev.c: creating and destroying model devices.
 */
#include "model_dev.h"
#include "kshim_util.h"

extern const struct kshim_backend_ops model_backend_ops;

int
kshim_model_config_resolve(const struct kshim_model_config *in,
    struct kshim_model_config *out)
{

	kshim_memzero(out, sizeof(*out));
	if (in != NULL) {
		if (!kshim_is_zero(in->reserved, sizeof(in->reserved)))
			return UVMSHIM_EINVAL;
		*out = *in;
	}
	if (out->page_size == 0)
		out->page_size = KSHIM_MODEL_DEFAULT_PAGE_SIZE;
	if (out->entries_per_page == 0)
		out->entries_per_page = KSHIM_MODEL_DEFAULT_ENTRIES_PER_PAGE;
	if (out->total_pages == 0)
		out->total_pages = KSHIM_MODEL_DEFAULT_TOTAL_PAGES;
	if (out->free_min == 0)
		out->free_min = KSHIM_MODEL_DEFAULT_FREE_MIN;

	if (out->page_size < 4096 || out->page_size > MODEL_MAX_PAGE_SIZE ||
	    (out->page_size & (out->page_size - 1)) != 0)
		return UVMSHIM_EINVAL;
	if (out->entries_per_page > MODEL_MAX_ENTRIES_PER_PAGE)
		return UVMSHIM_EINVAL;
	if (out->free_min >= out->total_pages)
		return UVMSHIM_EINVAL;
	return 0;
}

int
kshim_model_dev_create(const struct kshim_model_config *config,
    const struct model_platform *plat, uint32_t target,
    struct kshim_model_dev **devp)
{
	struct kshim_model_config cfg;
	struct kshim_model_dev *md;
	int error;

	if (plat == NULL || plat->mp_alloc == NULL || plat->mp_free == NULL ||
	    plat->mp_nsec == NULL)
		return UVMSHIM_EINVAL;
	if (target < UVMSHIM_TARGET_KERNEL || target > UVMSHIM_TARGET_TESTGUEST)
		return UVMSHIM_EINVAL;
	error = kshim_model_config_resolve(config, &cfg);
	if (error != 0)
		return error;

	md = plat->mp_alloc(plat->mp_ctx, sizeof(*md));
	if (md == NULL)
		return UVMSHIM_ENOMEM;
	kshim_memzero(md, sizeof(*md));
	md->md_plat = *plat;
	md->md_page_size = cfg.page_size;
	md->md_per_page = cfg.entries_per_page;
	md->md_target = target;
	md->md_seed = 24039;
	md->md_phys.ph_total = cfg.total_pages;
	md->md_phys.ph_free_min = cfg.free_min;
	/* uvmexp.freetarg is 4/3 of freemin, as uvmpd_tune() sets it. */
	md->md_phys.ph_free_target = cfg.free_min + cfg.free_min / 3;
	if (md->md_phys.ph_free_target > cfg.total_pages)
		md->md_phys.ph_free_target = cfg.total_pages;

	error = kshim_core_init(&md->md_core, &model_backend_ops, md);
	if (error != 0) {
		plat->mp_free(plat->mp_ctx, md, sizeof(*md));
		return error;
	}
	*devp = md;
	return 0;
}

void
kshim_model_dev_destroy(struct kshim_model_dev *md)
{
	struct model_platform plat = md->md_plat;

	kshim_core_fini(&md->md_core);
	plat.mp_free(plat.mp_ctx, md, sizeof(*md));
}

int
kshim_model_dev_ioctl(struct kshim_model_dev *md, uint32_t cmd, void *data)
{

	return kshim_core_ioctl(&md->md_core, cmd, data);
}
