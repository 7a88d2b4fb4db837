/*
 * uvmshim_mod.c: the module's life cycle.
 *
 * INIT sets up the softc and the portable core, then attaches the
 * character device with dynamic majors (sysctl kern.drivers, or the
 * console line printed here, says which).  FINI refuses with EBUSY while
 * the device is open, a run is live or maps exist, so that nothing the
 * module owns can outlive its text; otherwise it detaches the device
 * first (no new opens) and then frees everything it still holds.
 */
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/module.h>
#include <sys/conf.h>
#include <sys/errno.h>

#include "uvmshim_var.h"

MODULE(MODULE_CLASS_MISC, uvmshim, NULL);

struct uvmshim_softc uvmshim_sc;

static int
uvmshim_init(void)
{
	struct uvmshim_softc *sc = &uvmshim_sc;
	devmajor_t bmajor = NODEVMAJOR, cmajor = NODEVMAJOR;
	int error;

	memset(sc, 0, sizeof(*sc));
	mutex_init(&sc->sc_lock, MUTEX_DEFAULT, IPL_NONE);
	mutex_init(&sc->sc_hoard_lock, MUTEX_DEFAULT, IPL_NONE);
	uvmshim_hoard_init(&sc->sc_pressure);
	/* Before the core: describe() reports what was detected. */
	uvmshim_feat_detect(&sc->sc_feat);

	error = kshim_core_init(&sc->sc_core, &uvmshim_backend_ops, sc);
	if (error == 0)
		error = devsw_attach(UVMSHIM_DEVICE_NAME, NULL, &bmajor,
		    &uvmshim_cdevsw, &cmajor);
	if (error != 0) {
		mutex_destroy(&sc->sc_hoard_lock);
		mutex_destroy(&sc->sc_lock);
		printf("uvmshim: init failed, error %d\n", error);
		return error;
	}
	printf("uvmshim: loaded, /dev/%s is char major %d, features 0x%x\n",
	    UVMSHIM_DEVICE_NAME, (int)cmajor, sc->sc_core.kc_features);
	return 0;
}

static int
uvmshim_fini(void)
{
	struct uvmshim_softc *sc = &uvmshim_sc;
	int error;

	/* Refuse while anything is in use; mark dying so no open slips in. */
	mutex_enter(&sc->sc_lock);
	if (sc->sc_opens != 0)
		error = EBUSY;
	else
		error = 0;
	if (error == 0)
		sc->sc_dying = true;
	mutex_exit(&sc->sc_lock);
	if (error == 0 && kshim_core_busy(&sc->sc_core))
		error = EBUSY;
	if (error != 0) {
		mutex_enter(&sc->sc_lock);
		sc->sc_dying = false;
		mutex_exit(&sc->sc_lock);
		return error;
	}

	error = UVMSHIM_DEVSW_DETACH(NULL, &uvmshim_cdevsw);
	if (error != 0) {
		mutex_enter(&sc->sc_lock);
		sc->sc_dying = false;
		mutex_exit(&sc->sc_lock);
		return error;
	}

	/* Nothing can reach the device now: free what is left. */
	kshim_core_fini(&sc->sc_core);
	uvmshim_pressure_fini(sc);
	mutex_destroy(&sc->sc_hoard_lock);
	mutex_destroy(&sc->sc_lock);
	printf("uvmshim: unloaded\n");
	return 0;
}

static int
uvmshim_modcmd(modcmd_t cmd, void *arg)
{

	switch (cmd) {
	case MODULE_CMD_INIT:
		return uvmshim_init();
	case MODULE_CMD_FINI:
		return uvmshim_fini();
	default:
		return ENOTTY;
	}
}
