/*
 * ioctl.h: unpacking an IOCTL frame (struct kshim_ioctl_req, buffer
 * descriptors, argument, IN data), running it on the device, and packing
 * the answer (struct kshim_ioctl_resp, argument, OUT buffers).
 */
#ifndef TG_IOCTL_H
#define TG_IOCTL_H

#include <stdint.h>

/* Room for the buffers of one request; carved at boot. */
int ioctl_init(void);

/*
 * Serve one IOCTL request payload.  On success writes the answer payload
 * to out (room for KSHIM_FRAME_MAX_PAYLOAD bytes), sets *out_len and
 * returns 0; otherwise returns a KSHIM_NAK_* reason and runs nothing.
 */
uint32_t ioctl_serve(const uint8_t *req, uint32_t len, uint8_t *out,
    uint32_t *out_len);

#endif /* TG_IOCTL_H */
