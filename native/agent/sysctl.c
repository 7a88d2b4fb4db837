/*
 * sysctl.c: sysctl by MIB and by name.
 *
 * Fixed MIBs (kern.osrelease, kern.drivers, ...) are taken from the
 * <sys/sysctl.h> of the sys tree the agent is built against.  Names are
 * resolved at run time with the CTL_QUERY protocol, because some nodes
 * have no fixed number (ddb.tee_msgbuf, anything a module creates with
 * CTL_CREATE) and the harness names nodes as sysctl(8) does.
 */
#include <sys/types.h>
#include <sys/param.h>
#include <sys/errno.h>
#include <sys/sysctl.h>

#include "syscalls.h"
#include "sysctl.h"
#include "util.h"

/* kern has about 90 children; room for several times that. */
#define QUERY_NODES	512

static struct sysctlnode query_nodes[QUERY_NODES];
static struct kinfo_drivers drivers[1024];

int
sysctl_string(const int *mib, unsigned int miblen, char *buf, size_t size)
{
	size_t len = size - 1;
	int rv;

	rv = ks_sysctl(mib, miblen, buf, &len, NULL, 0);
	if (rv < 0 && rv != -ENOMEM) {
		buf[0] = '\0';
		return -rv;
	}
	/* ENOMEM: truncated, which is fine for what we print. */
	buf[len < size ? len : size - 1] = '\0';
	return 0;
}

/* Find `name' among the children of mib[0..depth). */
static int
sysctl_query_child(const int *mib, unsigned int depth, const char *name,
    size_t namelen, struct sysctlnode *found)
{
	int qmib[CTL_MAXNAME];
	struct sysctlnode query;
	size_t len, i;
	int rv;

	if (depth + 1 > CTL_MAXNAME)
		return ENAMETOOLONG;
	memcpy(qmib, mib, depth * sizeof(int));
	qmib[depth] = CTL_QUERY;
	memset(&query, 0, sizeof(query));
	query.sysctl_flags = SYSCTL_VERSION;
	len = sizeof(query_nodes);
	rv = ks_sysctl(qmib, depth + 1, query_nodes, &len, &query,
	    sizeof(query));
	if (rv < 0 && rv != -ENOMEM)
		return -rv;
	if (len > sizeof(query_nodes))
		len = sizeof(query_nodes);
	for (i = 0; i < len / sizeof(query_nodes[0]); i++) {
		const char *n = query_nodes[i].sysctl_name;

		if (strnlen(n, SYSCTL_NAMELEN) == namelen &&
		    strncmp(n, name, namelen) == 0) {
			*found = query_nodes[i];
			return 0;
		}
	}
	return ENOENT;
}

int
sysctl_resolve(const char *name, int *mib, unsigned int *miblen,
    uint32_t *flags)
{
	struct sysctlnode node;
	const char *p = name, *dot;
	unsigned int depth = 0;
	size_t n;
	int error;

	if (*name == '\0')
		return ENOENT;
	for (;;) {
		for (dot = p; *dot != '\0' && *dot != '.'; dot++)
			continue;
		n = (size_t)(dot - p);
		if (n == 0 || n >= SYSCTL_NAMELEN)
			return ENOENT;
		if (depth > 0 && SYSCTL_TYPE(*flags) != CTLTYPE_NODE)
			return ENOTDIR;
		error = sysctl_query_child(mib, depth, p, n, &node);
		if (error != 0)
			return error;
		if (depth >= CTL_MAXNAME)
			return ENAMETOOLONG;
		mib[depth++] = node.sysctl_num;
		*flags = node.sysctl_flags;
		if (*dot == '\0')
			break;
		p = dot + 1;
	}
	*miblen = depth;
	return 0;
}

int
sysctl_write_int(const char *name, int64_t value)
{
	int mib[CTL_MAXNAME];
	unsigned int miblen;
	uint32_t flags;
	int32_t i32;
	uint8_t b;
	int error, rv;

	error = sysctl_resolve(name, mib, &miblen, &flags);
	if (error != 0)
		return error;
	switch (SYSCTL_TYPE(flags)) {
	case CTLTYPE_INT:
		if (flags & CTLFLAG_UNSIGNED) {
			if (value < 0 || value > (int64_t)UINT32_MAX)
				return EINVAL;
		} else if (value < INT32_MIN || value > INT32_MAX)
			return EINVAL;
		i32 = (int32_t)value;
		rv = ks_sysctl(mib, miblen, NULL, NULL, &i32, sizeof(i32));
		break;
	case CTLTYPE_QUAD:
		rv = ks_sysctl(mib, miblen, NULL, NULL, &value, sizeof(value));
		break;
	case CTLTYPE_BOOL:
		if (value != 0 && value != 1)
			return EINVAL;
		b = (uint8_t)value;
		rv = ks_sysctl(mib, miblen, NULL, NULL, &b, sizeof(b));
		break;
	default:
		return EINVAL;
	}
	return rv < 0 ? -rv : 0;
}

int
sysctl_driver_cmajor(const char *name, int *error)
{
	static const int mib[2] = { CTL_KERN, KERN_DRIVERS };
	size_t len = sizeof(drivers), i;
	int rv;

	rv = ks_sysctl(mib, 2, drivers, &len, NULL, 0);
	if (rv < 0 && rv != -ENOMEM) {
		*error = -rv;
		return -1;
	}
	for (i = 0; i < len / sizeof(drivers[0]); i++) {
		if (strncmp(drivers[i].d_name, name,
		    sizeof(drivers[i].d_name)) == 0) {
			/* A block-only driver has no character major. */
			*error = drivers[i].d_cmajor < 0 ? ENODEV : 0;
			return drivers[i].d_cmajor < 0 ? -1 :
			    drivers[i].d_cmajor;
		}
	}
	*error = ENOENT;
	return -1;
}
