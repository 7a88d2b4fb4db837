/*
 * device.c: the uvmshim device of the test guest.
 *
 * Every command goes to the reference model when it is compiled in
 * (model_glue.c).  Without it, UVMSHIM_IOC_VERSION is answered here and
 * everything else fails with ENOTTY, so the protocol can still be tested.
 */
#include "device.h"
#include "kshim_agent_proto.h"
#include "libk.h"
#include "model_glue.h"
#include "uvmshim_ioctl.h"

#define TG_OSRELEASE	"kshim-testguest-1"
#define TG_ENOENT	2

static int loaded;
static int held;			/* MODULE HOLD: a second open */
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
	held = 0;
	memset(maps, 0, sizeof(maps));
}

int32_t
device_try_unload(void)
{
	if (!loaded)
		return TG_ENOENT;
	/* The kmod's FINI: nothing goes while the device is open. */
	if (held)
		return TG_EBUSY;
	device_unload();
	return 0;
}

int32_t
device_hold(void)
{
	if (!loaded)
		return TG_ENXIO;	/* what open(2) would say */
	if (held)
		return KSHIM_EALREADY;
	held = 1;
	return 0;
}

int32_t
device_release(void)
{
	if (!held)
		return KSHIM_EBADF;
	held = 0;
	return 0;
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

/*
 * VERSION without the model: what a device with no optional feature
 * would say.  With the model, its own answer (target TESTGUEST, every
 * policy, its features) is kept and only osrelease is replaced, so a
 * report names the guest rather than "model".
 */
static int32_t
version(struct uvmshim_version *v)
{
	int32_t err;

	if (model_glue_present()) {
		err = model_glue_ioctl(UVMSHIM_IOC_VERSION, v);
		if (err == 0) {
			memset(v->osrelease, 0, sizeof(v->osrelease));
			strlcpy(v->osrelease, TG_OSRELEASE, sizeof(v->osrelease));
		}
		return err;
	}
	memset(v, 0, sizeof(*v));
	v->abi_version = UVMSHIM_ABI_VERSION;
	v->target = UVMSHIM_TARGET_TESTGUEST;
	v->page_size = 4096;
	v->max_maps = UVMSHIM_MAX_MAPS;
	v->max_batch_ops = UVMSHIM_MAX_BATCH_OPS;
	strlcpy(v->osrelease, TG_OSRELEASE, sizeof(v->osrelease));
	return 0;
}

/*
 * The model reports base and kva as 0 (they are informational).  A kernel
 * reports where the map lives, and the harness feeds kva to ddb's
 * "show map", so the guest makes up kernel-looking ones, unique per map
 * id; "show map <kva>" in the fake ddb then prints that map's entries.
 */
#define FAKE_KVA(id)	(0xfffffe800a000000ULL + (uint64_t)(id) * 0x1000)
#define FAKE_BASE(id)	(0xffff800100000000ULL + \
	    (uint64_t)((id) - 1) * UVMSHIM_MAX_MAP_SIZE)

static void
remember(uint32_t cmd, void *arg)
{
	if (cmd == UVMSHIM_IOC_MAP_CREATE) {
		struct uvmshim_map_create *c = arg;

		if (c->kva == 0)
			c->kva = FAKE_KVA(c->map_id);
		if (c->base == 0)
			c->base = FAKE_BASE(c->map_id);

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
	if (cmd == UVMSHIM_IOC_VERSION)
		return version(arg);
	if (!model_glue_present())
		return UVMSHIM_ENOTTY;
	err = model_glue_ioctl(cmd, arg);
	if (err == 0)
		remember(cmd, arg);
	return err;
}
