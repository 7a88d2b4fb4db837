/*
 * ioctl.h: the IOCTL request: buffers, pointer patching, ioctl(2).
 */
#ifndef KSHIM_AGENT_IOCTL_H
#define KSHIM_AGENT_IOCTL_H

#include <sys/types.h>

/*
 * Validate and run one IOCTL request (payload req, len bytes), writing the
 * answer payload to out and its length to *out_len.  Returns 0, or the NAK
 * reason when the request is malformed (nothing ran then).
 */
uint32_t ioctl_serve(const uint8_t *, uint32_t, uint8_t *, uint32_t *);

#endif /* KSHIM_AGENT_IOCTL_H */
