/*
 * device.c: the uvmshim device of the test guest.
 *
 * UVMSHIM_IOC_VERSION is answered here (target TESTGUEST, whatever the
 * model would say about itself).  Every other command goes to the
 * reference model when it is compiled in (model_glue.c), else fails with
 * ENOTTY, so the protocol can be exercised without it.
 */
#include "device.h"
#include "libc.h"
#include "model_glue.h"
#include "uvmshim_ioctl.h"

static int loaded;
static int32_t load_error;
static struct device_map maps[DEVICE_MAX_MAPS];

int32_t
device_load(void)
{
	int32_t err = model_glue_open();

	load_error = err;
	loaded = err == 0;
	memset(maps, 0, sizeof(maps));
	return err;
}

void
device_unload(void)
{
	if (loaded)
		model_glue_close();
	loaded = 0;
	memset(maps, 0, sizeof(maps));
}

int
device_loaded(void)
{
	return loaded;
}

int32_t
device_load_error(void)
{
	return load_error;
}

int
device_has_model(void)
{
	return model_glue_present();
}

const struct device_map *
device_maps(void)
{
	return maps;
}

static void
version(struct uvmshim_version *v)
{
	struct uvmshim_version m;

	memset(v, 0, sizeof(*v));
	if (model_glue_present() &&
	    model_glue_ioctl(UVMSHIM_IOC_VERSION, &m) == 0)
		*v = m;		/* the model's features and policies */
	v->abi_version = UVMSHIM_ABI_VERSION;
	v->target = UVMSHIM_TARGET_TESTGUEST;
	v->netbsd_version = 0;
	if (v->page_size == 0)
		v->page_size = 4096;
	if (v->max_maps == 0)
		v->max_maps = UVMSHIM_MAX_MAPS;
	if (v->max_batch_ops == 0)
		v->max_batch_ops = UVMSHIM_MAX_BATCH_OPS;
	memset(v->osrelease, 0, sizeof(v->osrelease));
	strlcpy(v->osrelease, "kshim-testguest-1", sizeof(v->osrelease));
	memset(v->reserved, 0, sizeof(v->reserved));
}

static void
remember(uint32_t cmd, const void *arg)
{
	if (cmd == UVMSHIM_IOC_MAP_CREATE) {
		const struct uvmshim_map_create *c = arg;

		if (c->map_id >= 1 && c->map_id <= DEVICE_MAX_MAPS) {
			struct device_map *m = &maps[c->map_id - 1];

			m->map_id = c->map_id;
			m->policy = c->policy;
			m->size = c->size;
			m->base = c->base;
			m->kva = c->kva;
		}
	} else if (cmd == UVMSHIM_IOC_MAP_DESTROY) {
		const struct uvmshim_map_ref *r = arg;

		if (r->map_id >= 1 && r->map_id <= DEVICE_MAX_MAPS)
			memset(&maps[r->map_id - 1], 0, sizeof(maps[0]));
	}
}

int32_t
device_ioctl(uint32_t cmd, void *arg)
{
	int32_t err;

	if (!loaded)
		return TG_ENXIO;
	if (cmd == UVMSHIM_IOC_VERSION) {
		version(arg);
		return 0;
	}
	if (!model_glue_present())
		return UVMSHIM_ENOTTY;
	err = model_glue_ioctl(cmd, arg);
	if (err == 0)
		remember(cmd, arg);
	return err;
}
