/*
 * module.h: the uvmshim module and its device node.
 */
#ifndef KSHIM_AGENT_MODULE_H
#define KSHIM_AGENT_MODULE_H

#define KSHIM_DEFAULT_KMOD	"/stand/uvmshim.kmod"

/*
 * modctl(MODCTL_LOAD) of a .kmod file, then (re)creation of /dev/uvmshim.
 * Returns 0 or the positive errno of modctl (EEXIST: already loaded).
 */
int	module_load(const char *);

/*
 * modctl(MODCTL_UNLOAD).  The argument is a path as given to
 * module_load ("/stand/uvmshim.kmod": the module name is the file name
 * without directory and ".kmod") or a bare module name ("uvmshim").  The
 * device is closed first, since the module refuses to go while it is
 * open.  Returns 0 or the positive errno of modctl.
 */
int	module_unload(const char *);

/*
 * Look uvmshim up in kern.drivers and make /dev/uvmshim match its major.
 * Returns 0 or a positive errno (ENOENT: no such driver).
 */
int	uvmshim_make_node(void);

/*
 * The open device, opened on first use and kept open across requests
 * (the module may keep per-open state).  Returns the fd, or -errno of
 * open(2): ENOENT without a node, ENXIO when no driver has its major.
 */
int	uvmshim_fd(void);
void	uvmshim_close(void);

/*
 * MODULE HOLD and RELEASE: a second descriptor on /dev/uvmshim, apart
 * from uvmshim_fd()'s, which module_unload does not close, so that the
 * module's refusal to unload while open can be seen.  uvmshim_hold
 * returns 0, KSHIM_EALREADY, or open(2)'s errno; uvmshim_release returns
 * 0 or KSHIM_EBADF when nothing is held.
 */
int	uvmshim_hold(void);
int	uvmshim_release(void);

#endif /* KSHIM_AGENT_MODULE_H */
