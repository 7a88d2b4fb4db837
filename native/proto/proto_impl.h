/*
 * proto_impl.h: what the pieces of native/proto share and nobody else
 * needs: the CRC, the receiver, sealing, and the IOCTL request.
 */
#ifndef KSHIM_PROTO_IMPL_H
#define KSHIM_PROTO_IMPL_H

#include "kshim_proto.h"
#include "kshim_util.h"

/*
 * CRC-32/IEEE as zlib computes it (reflected polynomial 0xedb88320,
 * initial value and final xor ~0): proto_crc32(0, buf, len) is zlib's
 * crc32(), which is what the harness checks.  Feed pieces in order.
 */
uint32_t proto_crc32(uint32_t, const void *, size_t);

enum proto_rx_event {
	PROTO_RX_NONE = 0,	/* keep feeding */
	PROTO_RX_FRAME,		/* a verified frame is in rx_buf */
	PROTO_RX_NAK		/* answer rx_nak_reason for rx_nak_id */
};

void	proto_rx_init(struct kshim_proto_rx *, uint8_t *);
void	proto_rx_reset(struct kshim_proto_rx *);

/*
 * Feed len bytes; stops at the first event.  *used says how many were
 * consumed (at least one when len > 0): the caller feeds the rest again
 * after handling the event.
 */
enum proto_rx_event proto_rx_feed(struct kshim_proto_rx *, const uint8_t *,
	    size_t, size_t *);

/*
 * Nothing came for a while: a frame left incomplete for timeout_ns is
 * dropped (its length field was probably corrupted and the bytes it waits
 * for will never come).  PROTO_RX_NAK (BAD_LENGTH) when its header had
 * arrived, so the harness learns about it at once.
 */
enum proto_rx_event proto_rx_idle(struct kshim_proto_rx *, uint64_t,
	    uint64_t);

/*
 * Another KSHIM_PROGRESS_EVERY bytes of a frame arrived since the last
 * report: returns 1 and what the PROGRESS frame says (for the id in the
 * header), else 0.
 */
int	proto_rx_progress(struct kshim_proto_rx *, struct kshim_progress *,
	    uint32_t *);

/*
 * Fill in the header of a frame whose payload already sits at
 * frame + KSHIM_PROTO_HDR_LEN, computing the CRC.  Returns the length.
 */
uint32_t proto_frame_seal(uint8_t *, uint16_t, uint32_t, uint32_t);

/*
 * Validate and run one IOCTL request (payload req, len bytes), writing
 * the answer payload to out (room for KSHIM_FRAME_MAX_PAYLOAD bytes) and
 * its length to *out_len.  Returns 0, or the NAK reason when the request
 * is malformed: nothing ran then and out is untouched.
 */
uint32_t proto_ioctl(struct kshim_proto *, const uint8_t *, uint32_t,
	    uint8_t *, uint32_t *);

#endif /* KSHIM_PROTO_IMPL_H */
