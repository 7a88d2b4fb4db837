/*
 * device.h: the guest's "uvmshim device": what answers IOCTL frames.
 * It plays the module's part too: MODULE LOAD opens it, UNLOAD closes it
 * (every map is freed), and ioctls on an unloaded device fail with ENXIO,
 * as opening /dev/uvmshim would without the module.  MODULE HOLD stands
 * for a second open of the device: while it lasts, UNLOAD fails with
 * EBUSY and frees nothing, as the kmod's FINI refuses while open.
 */
#ifndef TG_DEVICE_H
#define TG_DEVICE_H

#include <stdint.h>

#define TG_ENXIO	6	/* NetBSD's ENXIO: no module, no device */
#define TG_EBUSY	16	/* NetBSD's EBUSY: held open, no unload */

/* Open the device (the module "load"); returns 0 or an errno. */
int32_t device_load(void);
/* MODULE UNLOAD: ENOENT when not loaded, EBUSY while held, else 0. */
int32_t device_try_unload(void);
/* Unload whatever holds it: the agent restarted (FAULT REBOOT). */
void device_unload(void);
/* MODULE HOLD: ENXIO unloaded, KSHIM_EALREADY held; RELEASE: KSHIM_EBADF. */
int32_t device_hold(void);
int32_t device_release(void);
int device_loaded(void);
int32_t device_load_error(void);	/* errno of the last failed load */

/* ioctl(2) on the device; arg is the kernel copy of the argument. */
int32_t device_ioctl(uint32_t cmd, void *arg);

/* Whether the reference model answers the map ioctls (else ENOTTY). */
int device_has_model(void);

/* Maps created through the device, remembered for ddb's "show map". */
struct device_map {
	uint32_t map_id;	/* 0: slot free */
	uint32_t policy;
	uint64_t size;
	uint64_t base;
	uint64_t kva;
};
#define DEVICE_MAX_MAPS	8
const struct device_map *device_maps(void);

#endif /* TG_DEVICE_H */
