/*
 * sysctl.h: integer sysctl writes from the harness (SYSCTL frames).
 */
#ifndef TG_SYSCTL_H
#define TG_SYSCTL_H

#include <stdint.h>

/* Returns 0 or NetBSD's errno: ENOENT for a name the guest does not know. */
int32_t sysctl_write(const char *name, int64_t value);

#endif /* TG_SYSCTL_H */
