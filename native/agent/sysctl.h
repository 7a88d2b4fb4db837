/*
 * sysctl.h: reading and writing sysctl nodes with the bare __sysctl call.
 */
#ifndef KSHIM_AGENT_SYSCTL_H
#define KSHIM_AGENT_SYSCTL_H

#include <sys/types.h>

/* Read a string node (e.g. kern.osrelease) into buf, NUL-terminated. */
int	sysctl_string(const int *, unsigned int, char *, size_t);

/*
 * Resolve a dotted name ("ddb.lines") to its MIB by walking the tree with
 * CTL_QUERY, as libc's sysctlnametomib(3) does.  Fills mib (room for
 * CTL_MAXNAME ints), *miblen and the node's flags word.  Returns 0 or a
 * positive errno (ENOENT: no such node, ENOTDIR: a leaf in the middle).
 */
int	sysctl_resolve(const char *, int *, unsigned int *, uint32_t *);

/*
 * Write an integer node by name; the value is stored with the node's own
 * width (int, quad or bool) after a range check.  Returns 0 or a positive
 * errno: EINVAL for a non-integer node or a value out of range.
 */
int	sysctl_write_int(const char *, int64_t);

/*
 * The character major of a driver in kern.drivers, or -1 with a positive
 * errno in *error: ENOENT when the name is absent, ENODEV when it has only
 * a block major.  A module's name stays listed after it is unloaded (its
 * major is kept for it), so a hit does not mean the driver is present.
 */
int	sysctl_driver_cmajor(const char *, int *);

#endif /* KSHIM_AGENT_SYSCTL_H */
