/*
 * uvmshim_dev.c: the /dev/uvmshim character device.
 *
 * Opening needs root: the device takes memory away from the system and
 * can hold a kernel thread in a deliberate deadlock.  d_close is called
 * by specfs on the last close only; it destroys every map and gives back
 * pressure pages, so a crashed client cannot pin the module.  d_ioctl
 * hands the argument sys_ioctl already copied in to the core.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/conf.h>
#include <sys/errno.h>
#include <sys/kauth.h>
#include <sys/lwp.h>

#include "uvmshim_var.h"

static dev_type_open(uvmshim_open);
static dev_type_close(uvmshim_close);
static dev_type_ioctl(uvmshim_ioctl);

/*
 * Designated initialisers: fields added since (d_cancel, d_devtounit,
 * d_cfdriver in 2022) stay NULL, which every version accepts.
 */
const struct cdevsw uvmshim_cdevsw = {
	.d_open = uvmshim_open,
	.d_close = uvmshim_close,
	.d_read = noread,
	.d_write = nowrite,
	.d_ioctl = uvmshim_ioctl,
	.d_stop = nostop,
	.d_tty = notty,
	.d_poll = nopoll,
	.d_mmap = nommap,
	.d_kqfilter = nokqfilter,
	.d_discard = nodiscard,
	.d_flag = D_OTHER | D_MPSAFE,
};

static int
uvmshim_open(dev_t dev, int flag, int mode, struct lwp *l)
{
	struct uvmshim_softc *sc = &uvmshim_sc;
	int error;

	if (minor(dev) != 0)
		return ENXIO;
	error = UVMSHIM_ISSUSER(l->l_cred);
	if (error != 0)
		return EPERM;
	mutex_enter(&sc->sc_lock);
	if (sc->sc_dying)
		error = ENXIO;
	else
		sc->sc_opens++;
	mutex_exit(&sc->sc_lock);
	return error;
}

static int
uvmshim_close(dev_t dev, int flag, int mode, struct lwp *l)
{
	struct uvmshim_softc *sc = &uvmshim_sc;

	/* Last close: no ioctl can be running (each holds the file). */
	kshim_core_fini(&sc->sc_core);
	uvmshim_pressure_fini(sc);
	mutex_enter(&sc->sc_lock);
	sc->sc_opens = 0;
	mutex_exit(&sc->sc_lock);
	return 0;
}

static int
uvmshim_ioctl(dev_t dev, u_long cmd, void *data, int flag, struct lwp *l)
{

	/* Our commands are 32-bit _IOC values; anything wider is not ours. */
	if (cmd > UINT32_MAX || !kshim_core_known_cmd((uint32_t)cmd))
		return ENOTTY;
	/* UVMSHIM_E* equal the kernel's errno values (uvmshim_abi.c). */
	return kshim_core_ioctl(&uvmshim_sc.sc_core, (uint32_t)cmd, data);
}
